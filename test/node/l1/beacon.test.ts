/**
 * node/l1/beacon.ts against a fake beacon node (node:http in this process): the slot of an L1 block from the
 * beacon's genesis and spec, `/eth/v1/beacon/blobs/{slot}?versioned_hashes=` and the deprecated `blob_sidecars`
 * fallback, and every bad answer: a blob that is not the one asked for (refused, then read when the beacon answers
 * right), HTTP 404/500/503, a beacon that never answers, garbage JSON, a pruned blob (the message says what to
 * do), a beacon without a spec (anvil's addressing only when its genesis is L1 block 0). Against anvil's real
 * beacon API: test/e2e/blob-anvil.test.ts.
 */
import { expect } from "chai";
import * as http from "http";
import { bytesToHex } from "../../../core/bytes";
import { packBlob, versionedHash } from "../../../core/blob";
import { BeaconClient, BeaconError, beaconSlotOf, parseBeaconUrl, type BeaconOptions } from "../../../node/l1/beacon";
import { loadBlobKzg } from "../../../node/l1/blob-kzg";

type Handler = (path: string, query: URLSearchParams) => { status: number; body: unknown } | "hang" | undefined;

/** A beacon node whose answers the test writes; records every path asked. */
async function fakeBeacon(): Promise<{ url: string; on: (h: Handler) => void; asked: string[]; close(): Promise<void> }> {
  let handler: Handler = () => undefined;
  const asked: string[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    asked.push(req.url!);
    const a = handler(u.pathname, u.searchParams);
    if (a === "hang") return void hanging.push(res);
    const r = a ?? { status: 404, body: { code: 404, message: "NOT_FOUND: no such route" } };
    res.writeHead(r.status, { "content-type": "application/json" }).end(typeof r.body === "string" ? r.body : JSON.stringify(r.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    on: (h) => (handler = h),
    asked,
    close: () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const GENESIS = 1_700_000_000n;
const SPEC = { SECONDS_PER_SLOT: "12", SLOTS_PER_EPOCH: "32", MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS: "4096" };
const SLOT = 1234n;
/** The L1 block that carried the blob: at slot 1234. */
const BLOCK = { number: 99, hash: "0x" + "ab".repeat(32), timestamp: GENESIS + SLOT * 12n };
const FAST: Partial<BeaconOptions> = { timeoutMs: 300, attempts: 3, backoffMs: 10, now: () => BLOCK.timestamp + 60n };

/** A beacon node's genesis and spec, then `blobs` for everything else. */
const node =
  (blobs: Handler): Handler =>
  (p, q) => {
    if (p === "/eth/v1/beacon/genesis") return { status: 200, body: { data: { genesis_time: String(GENESIS), genesis_validators_root: "0x" + "00".repeat(32), genesis_fork_version: "0x00000000" } } };
    if (p === "/eth/v1/config/spec") return { status: 200, body: { data: SPEC } };
    return blobs(p, q);
  };

async function refusal(p: Promise<unknown>): Promise<BeaconError> {
  return p.then(
    () => expect.fail("accepted"),
    (e: unknown) => {
      expect(e).to.be.instanceOf(BeaconError);
      return e as BeaconError;
    },
  );
}

describe("node/l1/beacon: blobs from a beacon API (fake beacon node)", function () {
  this.timeout(60_000);
  let beacon: Awaited<ReturnType<typeof fakeBeacon>>;
  let ours: Uint8Array, other: Uint8Array, commitment: Uint8Array, otherCommitment: Uint8Array, vh: Uint8Array;
  const hex = (b: Uint8Array) => bytesToHex(b);
  const noL1 = () => Promise.reject(new Error("L1 genesis not needed with a spec"));

  before(async () => {
    const kzg = await loadBlobKzg();
    ours = packBlob(Uint8Array.from({ length: 500 }, (_, i) => (i * 13 + 1) & 0xff));
    other = packBlob(Uint8Array.from({ length: 500 }, (_, i) => (i * 7 + 3) & 0xff));
    commitment = kzg.commitment(ours);
    otherCommitment = kzg.commitment(other);
    vh = versionedHash(commitment);
  });
  beforeEach(async () => {
    beacon = await fakeBeacon();
  });
  afterEach(() => beacon.close());

  it("maps an L1 block to its slot ((timestamp − genesis_time) / SECONDS_PER_SLOT) and reads the blob by versioned hash", async () => {
    expect(beaconSlotOf(GENESIS + 36n, GENESIS, 12n)).to.equal(3n);
    expect(() => beaconSlotOf(GENESIS + 5n, GENESIS, 12n)).to.throw(BeaconError, "not on a slot");
    expect(() => beaconSlotOf(GENESIS - 12n, GENESIS, 12n)).to.throw(BeaconError, "before the beacon's genesis");
    beacon.on(node((p, q) => (p === `/eth/v1/beacon/blobs/${SLOT}` && q.get("versioned_hashes") === hex(vh) ? { status: 200, body: { execution_optimistic: false, finalized: true, data: [hex(ours)] } } : undefined)));
    const c = new BeaconClient(beacon.url, FAST);
    const mode = await c.start(noL1);
    expect(mode).to.deep.equal({ kind: "slot", genesisTime: GENESIS, secondsPerSlot: 12n, retentionSlots: 4096n * 32n });
    const got = await c.blob(BLOCK, vh);
    expect(hex(got.blob)).to.equal(hex(ours));
    expect(hex(got.commitment)).to.equal(hex(commitment));
    await c.blob(BLOCK, vh);
    expect(beacon.asked.filter((a) => a.startsWith("/eth/v1/beacon/genesis") || a.startsWith("/eth/v1/config/spec")), "genesis and spec read once").to.have.length(2);
  });

  it("refuses a blob whose recomputed versioned hash is not the one asked for (a lying beacon), and reads it once the beacon answers right", async () => {
    let lie = true;
    beacon.on(node((p) => (p.startsWith("/eth/v1/beacon/blobs/") ? { status: 200, body: { data: lie ? [hex(other)] : [hex(other), hex(ours)] } } : undefined)));
    const c = new BeaconClient(beacon.url, FAST);
    await c.start(noL1);
    const e = await refusal(c.blob(BLOCK, vh));
    expect(e.kind).to.equal("mismatch");
    expect(e.message).to.contain(`does not give versioned hash ${hex(vh)}`);
    lie = false;
    expect(hex((await c.blob(BLOCK, vh)).blob), "the matching one of several").to.equal(hex(ours));
  });

  it("falls back to the deprecated blob_sidecars where /blobs is missing (404), matching kzg_commitment to the versioned hash and checking the blob against it", async () => {
    let sidecars = [
      { index: "0", blob: hex(other), kzg_commitment: hex(otherCommitment), kzg_proof: "0x" + "00".repeat(48) },
      { index: "1", blob: hex(ours), kzg_commitment: hex(commitment), kzg_proof: "0x" + "00".repeat(48) },
    ];
    beacon.on(node((p) => (p === `/eth/v1/beacon/blob_sidecars/${SLOT}` ? { status: 200, body: { data: sidecars } } : undefined)));
    const c = new BeaconClient(beacon.url, FAST);
    await c.start(noL1);
    expect(hex((await c.blob(BLOCK, vh)).blob)).to.equal(hex(ours));
    expect(beacon.asked.some((a) => a.startsWith(`/eth/v1/beacon/blobs/${SLOT}?versioned_hashes=`))).to.equal(true);
    // A sidecar that names our commitment with another blob: refused.
    sidecars = [{ ...sidecars[1], blob: hex(other) }];
    expect((await refusal(c.blob(BLOCK, vh))).kind).to.equal("mismatch");
    // No sidecar with our commitment: not found.
    sidecars = [sidecars[0]];
    sidecars[0] = { index: "0", blob: hex(other), kzg_commitment: hex(otherCommitment), kzg_proof: "0x" + "00".repeat(48) };
    expect((await refusal(c.blob(BLOCK, vh))).kind).to.equal("not-found");
  });

  it("retries HTTP 500/503 in the call and then answers; a beacon that stays down, never answers or answers garbage is a typed error, never a wrong blob", async () => {
    let fails = 2;
    let mode: "flaky" | "down" | "hang" | "garbage" | "html" | "400" = "flaky";
    beacon.on(
      node((p) => {
        if (!p.startsWith("/eth/v1/beacon/blobs/")) return undefined;
        if (mode === "flaky") return fails-- > 0 ? { status: 503, body: { code: 503, message: "syncing" } } : { status: 200, body: { data: [hex(ours)] } };
        if (mode === "down") return { status: 500, body: { code: 500, message: "internal error" } };
        if (mode === "hang") return "hang";
        if (mode === "garbage") return { status: 200, body: "{\"data\": [\"0x12" };
        if (mode === "html") return { status: 200, body: { data: [{ blob: "nope" }] } };
        return { status: 400, body: { code: 400, message: "Invalid block ID" } };
      }),
    );
    const c = new BeaconClient(beacon.url, FAST);
    await c.start(noL1);
    expect(hex((await c.blob(BLOCK, vh)).blob), "two 503s, then the blob").to.equal(hex(ours));
    const blobAsks = () => beacon.asked.filter((a) => a.startsWith("/eth/v1/beacon/blobs/")).length;
    expect(blobAsks()).to.equal(3);
    mode = "down";
    const down = await refusal(c.blob(BLOCK, vh));
    expect([down.kind, down.status, down.message]).to.deep.equal(["http", 500, `beacon API at ${beacon.url}: /eth/v1/beacon/blobs/${SLOT} answered HTTP 500 (internal error)`]);
    expect(blobAsks(), "3 tries").to.equal(6);
    mode = "hang";
    const hang = await refusal(c.blob(BLOCK, vh));
    expect(hang.kind).to.equal("timeout");
    expect(hang.message).to.contain("no answer to /eth/v1/beacon/blobs/1234 within 300 ms");
    mode = "garbage";
    expect((await refusal(c.blob(BLOCK, vh))).kind).to.equal("malformed");
    mode = "html";
    expect((await refusal(c.blob(BLOCK, vh))).kind).to.equal("malformed");
    mode = "400";
    const bad = await refusal(c.blob(BLOCK, vh));
    expect([bad.kind, bad.status, bad.transient]).to.deep.equal(["http", 400, false]);
    mode = "flaky";
    fails = 0;
    expect(hex((await c.blob(BLOCK, vh)).blob), "the same client reads once the beacon is back").to.equal(hex(ours));
  });

  it("a blob the beacon no longer has, older than its retention (4,096 epochs), is 'pruned' with what to do; a recent one is 'not found'", async () => {
    beacon.on(node((p) => (p.startsWith("/eth/v1/beacon/blobs/") ? { status: 200, body: { data: [] } } : undefined)));
    const recent = new BeaconClient(beacon.url, FAST);
    await recent.start(noL1);
    const nf = await refusal(recent.blob(BLOCK, vh));
    expect(nf.kind).to.equal("not-found");
    expect(nf.message).to.contain("is the beacon synced");
    const late = new BeaconClient(beacon.url, { ...FAST, now: () => BLOCK.timestamp + 20n * 86_400n });
    await late.start(noL1);
    const pruned = await refusal(late.blob(BLOCK, vh));
    expect(pruned.kind).to.equal("pruned");
    expect(pruned.message).to.contain("20 days old: pruned");
    expect(pruned.message).to.contain("point --l1-beacon at an archive beacon node");
    // The same when the beacon says 404 for the block and has no sidecars endpoint (410).
    beacon.on(node((p) => (p.startsWith("/eth/v1/beacon/blob_sidecars/") ? { status: 410, body: { code: 410, message: "deprecated" } } : p.startsWith("/eth/v1/beacon/blobs/") ? { status: 404, body: { code: 404, message: "Block not found" } } : undefined)));
    expect((await refusal(late.blob(BLOCK, vh))).kind).to.equal("pruned");
  });

  it("at startup: a bad URL, an unreachable beacon, a beacon without genesis; without /eth/v1/config/spec only anvil's (genesis = L1 block 0), addressed by execution block hash", async () => {
    expect(() => parseBeaconUrl("not a url")).to.throw(BeaconError, "is not a URL");
    expect(() => new BeaconClient("ws://x:1")).to.throw(BeaconError, "over http or https, not ws");
    const gone = new BeaconClient("http://127.0.0.1:1", { ...FAST, attempts: 1 });
    expect((await refusal(gone.start(noL1))).kind).to.equal("unreachable");
    beacon.on(() => undefined);
    const e = await refusal(new BeaconClient(beacon.url, FAST).start(noL1));
    expect([e.kind, e.status]).to.deep.equal(["http", 404]);
    // No spec, genesis = L1 block 0's time: anvil's beacon API; blocks by execution block hash.
    const anvilLike: Handler = (p) =>
      p === "/eth/v1/beacon/genesis" ? { status: 200, body: { data: { genesis_time: String(GENESIS) } } } : p === `/eth/v1/beacon/blobs/${BLOCK.hash}` ? { status: 200, body: { data: [hex(ours)] } } : undefined;
    beacon.on(anvilLike);
    const foreign = await refusal(new BeaconClient(beacon.url, FAST).start(async () => GENESIS + 1n));
    expect(foreign.kind).to.equal("config");
    expect(foreign.message).to.contain("serves no /eth/v1/config/spec");
    const a = new BeaconClient(beacon.url, FAST);
    expect(await a.start(async () => GENESIS)).to.deep.equal({ kind: "execution-block", genesisTime: GENESIS });
    expect(hex((await a.blob({ ...BLOCK, timestamp: GENESIS + 7n }, vh)).blob)).to.equal(hex(ours));
  });
});
