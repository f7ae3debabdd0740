/**
 * Blobs from a consensus-layer beacon API (`--l1-beacon <url>`, protocol.md §14.5 "Reading"), as op-node's
 * `--l1.beacon`: on a public network the execution RPC serves no blob bytes, so a node reads a blob batch's blob
 * from a beacon node (or a blob archiver that serves the same API).
 *
 *   * Where: the L1 block that carried the blob transaction is addressed by its beacon slot,
 *     `slot = (block.timestamp − genesis_time) / SECONDS_PER_SLOT` (`/eth/v1/beacon/genesis`,
 *     `/eth/v1/config/spec`; read once and cached). anvil's beacon API has no `/eth/v1/config/spec` and its
 *     `block_id` is the *execution* block (number or hash; its genesis_time is its block 0's timestamp and its
 *     blocks are not 12 s apart): a beacon without the spec whose genesis_time is L1 block 0's timestamp is taken
 *     for anvil's, said once in the log, and addressed by the execution block's hash. Any other beacon without
 *     the spec is refused at startup.
 *   * What: `GET /eth/v1/beacon/blobs/{block_id}?versioned_hashes=<hash>` (the current endpoint: blobs without
 *     commitments); where that endpoint is missing (404, 405, 501) the deprecated
 *     `GET /eth/v1/beacon/blob_sidecars/{block_id}` (sidecars with `kzg_commitment`, matched to the versioned hash).
 *   * Trust: none. Whatever the beacon says, the blob's KZG commitment is recomputed here and its versioned hash
 *     must be the one asked for; a blob that is not is refused (BeaconError "mismatch"). Every failure is a
 *     BeaconError, never an UnreadableBatch: the batch's data exists on L1, only this source failed, so the node
 *     keeps its place and asks again on its next poll (the verifier logs the reason once).
 *   * Retries: a network error, a timeout, HTTP 429 or 5xx is retried in the call (ATTEMPTS, with back-off);
 *     anything else is answered at once and retried by the caller's next poll.
 */
import { bytesToHex, equalsBytes, hexToBytes } from "../../core/bytes";
import { BLOB_BYTES, versionedHash } from "../../core/blob";
import { loadBlobKzg } from "./blob-kzg";
import type { Logger } from "../log";

/** Why the beacon did not give the blob. */
export type BeaconErrorKind = "config" | "unreachable" | "timeout" | "http" | "malformed" | "not-found" | "pruned" | "mismatch";

/** A beacon API that did not give a usable answer; `kind` says how. Never means the batch is unreadable. */
export class BeaconError extends Error {
  constructor(
    readonly kind: BeaconErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
  /** Worth asking again within the same call (the endpoint may answer the next time). */
  get transient(): boolean {
    return this.kind === "unreachable" || this.kind === "timeout" || (this.kind === "http" && (this.status === 429 || (this.status ?? 0) >= 500));
  }
}

/** How the beacon addresses the block that carried a blob. */
export type BeaconAddressing =
  /** A beacon node: by slot. `retentionSlots`: how long it keeps blobs (MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS × SLOTS_PER_EPOCH). */
  | { kind: "slot"; genesisTime: bigint; secondsPerSlot: bigint; retentionSlots: bigint }
  /** anvil's beacon API: by the execution block's hash (it has no /eth/v1/config/spec). */
  | { kind: "execution-block"; genesisTime: bigint };

/** The block that carried a blob transaction, as L1 reports it. */
export interface BlobBlock {
  number: number;
  hash: string;
  timestamp: bigint;
}

export interface BeaconOptions {
  /** Time limit of one request. */
  timeoutMs: number;
  /** Tries of one request when it fails transiently. */
  attempts: number;
  /** Wait before the second try; each later one waits 4 times longer. */
  backoffMs: number;
  /** Largest answer read (a beacon answering more is refused). */
  maxBodyBytes: number;
  /** The wall clock in seconds (the pruned-blob check); tests move it. */
  now: () => bigint;
  log?: Logger;
}

export const DEFAULT_BEACON: BeaconOptions = {
  timeoutMs: 10_000,
  attempts: 3,
  backoffMs: 250,
  // Up to 64 blobs of 128 KiB in hex (a block holds far fewer), with room for the JSON around them.
  maxBodyBytes: 64 * (2 * BLOB_BYTES + 1024) + 65_536,
  now: () => BigInt(Math.floor(Date.now() / 1000)),
};

/** Mainnet's MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS and SLOTS_PER_EPOCH, where a spec omits them. */
const DEFAULT_RETENTION_EPOCHS = 4096n;
const DEFAULT_SLOTS_PER_EPOCH = 32n;

/** What to do about a blob the beacon no longer keeps. */
export const PRUNED_ADVICE =
  "beacon nodes keep blobs for MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS epochs (4,096: about 18 days): point --l1-beacon at an archive beacon node (one run with blob pruning off) or a blob archiver that serves the beacon API (such as Base's blob-archiver), then restart";

/**
 * The beacon slot of an L1 block with `timestamp` (op-node's `SlotFromL1Timestamp`); throws BeaconError "config"
 * when the timestamp is before genesis or not on a slot boundary (the beacon is not the L1's).
 */
export function beaconSlotOf(timestamp: bigint, genesisTime: bigint, secondsPerSlot: bigint): bigint {
  if (timestamp < genesisTime) throw new BeaconError("config", `L1 block time ${timestamp} is before the beacon's genesis time ${genesisTime}: the beacon is not for this L1`);
  const d = timestamp - genesisTime;
  if (d % secondsPerSlot !== 0n) throw new BeaconError("config", `L1 block time ${timestamp} is not on a slot of the beacon (genesis ${genesisTime}, ${secondsPerSlot} s per slot): the beacon is not for this L1`);
  return d / secondsPerSlot;
}

/** Checks `url` as a beacon API base URL (http or https); throws BeaconError "config". */
export function parseBeaconUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BeaconError("config", `--l1-beacon ${JSON.stringify(url)} is not a URL: pass a beacon API's base URL, such as http://127.0.0.1:5052`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new BeaconError("config", `--l1-beacon ${url}: a beacon API is served over http or https, not ${u.protocol.replace(":", "")}`);
  return u;
}

type Json = Record<string, unknown>;

const isHex = (v: unknown): v is string => typeof v === "string" && /^0x([0-9a-fA-F]{2})*$/.test(v);
const uintOf = (v: unknown): bigint | undefined => (typeof v === "string" && /^[0-9]{1,20}$/.test(v) ? BigInt(v) : typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BeaconClient {
  readonly url: string;
  readonly opts: BeaconOptions;
  private addressing: BeaconAddressing | undefined;

  constructor(url: string, opts: Partial<BeaconOptions> = {}) {
    this.url = parseBeaconUrl(url).toString().replace(/\/+$/, "");
    this.opts = { ...DEFAULT_BEACON, ...opts };
  }

  /** The addressing found by {start} (undefined before). */
  get mode(): BeaconAddressing | undefined {
    return this.addressing;
  }

  /**
   * Reads the beacon's genesis and spec (once; cached) and decides how blocks are addressed. `l1GenesisTime`:
   * L1 block 0's timestamp (asked only when the beacon has no spec). Throws BeaconError when the beacon does
   * not answer or is not usable: a node given a bad --l1-beacon stops at startup with the reason.
   */
  async start(l1GenesisTime: () => Promise<bigint>): Promise<BeaconAddressing> {
    if (this.addressing) return this.addressing;
    const g = await this.get("/eth/v1/beacon/genesis");
    if (g.status !== 200) throw this.httpError("/eth/v1/beacon/genesis", g.status, g.body);
    const genesisTime = uintOf((g.json?.data as Json | undefined)?.genesis_time);
    if (genesisTime === undefined) throw new BeaconError("malformed", `beacon API at ${this.url}: /eth/v1/beacon/genesis has no data.genesis_time`);
    const s = await this.get("/eth/v1/config/spec");
    if (s.status === 200) {
      const spec = (s.json?.data ?? {}) as Json;
      const secondsPerSlot = uintOf(spec.SECONDS_PER_SLOT);
      if (!secondsPerSlot) throw new BeaconError("malformed", `beacon API at ${this.url}: /eth/v1/config/spec has no SECONDS_PER_SLOT`);
      const epochs = uintOf(spec.MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS) ?? DEFAULT_RETENTION_EPOCHS;
      const slotsPerEpoch = uintOf(spec.SLOTS_PER_EPOCH) || DEFAULT_SLOTS_PER_EPOCH;
      this.addressing = { kind: "slot", genesisTime, secondsPerSlot, retentionSlots: epochs * slotsPerEpoch };
    } else if (s.status === 404) {
      const l1Genesis = await l1GenesisTime();
      if (l1Genesis !== genesisTime)
        throw new BeaconError(
          "config",
          `beacon API at ${this.url} serves no /eth/v1/config/spec (so no SECONDS_PER_SLOT to find a block's slot), and its genesis time ${genesisTime} is not L1 block 0's (${l1Genesis}) as anvil's is: pass a beacon node's API`,
        );
      this.addressing = { kind: "execution-block", genesisTime };
      this.opts.log?.info({ beacon: this.url }, "the beacon API has no /eth/v1/config/spec and its genesis is L1 block 0: anvil's beacon API, blocks addressed by their execution block hash");
    } else throw this.httpError("/eth/v1/config/spec", s.status, s.body);
    return this.addressing;
  }

  /**
   * The blob with versioned hash `vh` carried by L1 block `block`, and its commitment (recomputed here: the blob is
   * returned only if its versioned hash is `vh`). Throws BeaconError.
   */
  async blob(block: BlobBlock, vh: Uint8Array): Promise<{ blob: Uint8Array; commitment: Uint8Array }> {
    const a = this.addressing;
    if (!a) throw new BeaconError("config", "the beacon client was not started");
    const id = a.kind === "slot" ? beaconSlotOf(block.timestamp, a.genesisTime, a.secondsPerSlot).toString() : block.hash;
    const where = a.kind === "slot" ? `slot ${id} (L1 block ${block.number})` : `L1 block ${block.number} (${block.hash})`;
    const hash = bytesToHex(vh);
    const path = `/eth/v1/beacon/blobs/${id}?versioned_hashes=${hash}`;
    const r = await this.get(path);
    if (r.status === 404 || r.status === 405 || r.status === 501) {
      // The endpoint may be missing (a beacon node from before it): the deprecated sidecars, where they are served.
      const s = await this.sidecars(id, vh, where);
      if (s !== "missing") return s;
      throw this.notFound(a, block, where, hash);
    }
    if (r.status !== 200) throw this.httpError(path, r.status, r.body);
    const data = r.json?.data;
    if (!Array.isArray(data) || !data.every(isHex)) throw new BeaconError("malformed", `beacon API at ${this.url}: ${path.split("?")[0]} answered without a data list of hex blobs`);
    if (data.length > 64) throw new BeaconError("malformed", `beacon API at ${this.url} answered ${data.length} blobs for one block`);
    if (data.length === 0) throw this.notFound(a, block, where, hash);
    const kzg = await loadBlobKzg();
    for (const h of data as string[]) {
      const blob = hexToBytes(h as `0x${string}`);
      if (blob.length !== BLOB_BYTES) throw new BeaconError("malformed", `beacon API at ${this.url} answered ${blob.length} bytes for a blob at ${where}`);
      const commitment = kzg.commitment(blob);
      if (equalsBytes(versionedHash(commitment), vh)) return { blob, commitment };
    }
    throw this.mismatch(where, hash);
  }

  /** The deprecated sidecars endpoint: the blob, or "missing" (404; 410 or 405/501, the endpoint gone as on anvil; no sidecar with the commitment). */
  private async sidecars(id: string, vh: Uint8Array, where: string): Promise<{ blob: Uint8Array; commitment: Uint8Array } | "missing"> {
    const path = `/eth/v1/beacon/blob_sidecars/${id}`;
    const r = await this.get(path);
    if (r.status === 404 || r.status === 410 || r.status === 405 || r.status === 501) return "missing";
    if (r.status !== 200) throw this.httpError(path, r.status, r.body);
    const data = r.json?.data;
    if (!Array.isArray(data)) throw new BeaconError("malformed", `beacon API at ${this.url}: ${path} answered without a data list`);
    const hash = bytesToHex(vh);
    for (const sc of data as Json[]) {
      if (!sc || !isHex(sc.kzg_commitment) || !isHex(sc.blob)) throw new BeaconError("malformed", `beacon API at ${this.url}: ${path} answered a sidecar without blob and kzg_commitment`);
      const claimed = hexToBytes(sc.kzg_commitment as `0x${string}`);
      if (claimed.length !== 48 || !equalsBytes(versionedHash(claimed), vh)) continue;
      const blob = hexToBytes(sc.blob as `0x${string}`);
      if (blob.length !== BLOB_BYTES) throw new BeaconError("malformed", `beacon API at ${this.url} answered ${blob.length} bytes for a blob`);
      // The sidecar names the right commitment; the blob must be the one it commits to.
      const commitment = (await loadBlobKzg()).commitment(blob);
      if (!equalsBytes(commitment, claimed)) throw this.mismatch(where, hash);
      return { blob, commitment };
    }
    return "missing";
  }

  private mismatch(where: string, hash: string): BeaconError {
    const e = new BeaconError("mismatch", `beacon API at ${this.url} answered a blob at ${where} whose KZG commitment does not give versioned hash ${hash}: refused (a wrong or lying beacon); asked again on the next poll`);
    this.opts.log?.warn({ beacon: this.url, versionedHash: hash, where }, "the beacon answered a blob that is not the one asked for: refused");
    return e;
  }

  private notFound(a: BeaconAddressing, block: BlobBlock, where: string, hash: string): BeaconError {
    if (a.kind === "slot") {
      const nowSlot = (this.opts.now() - a.genesisTime) / a.secondsPerSlot;
      const slot = (block.timestamp - a.genesisTime) / a.secondsPerSlot;
      if (nowSlot - slot > a.retentionSlots) {
        const days = Number(((nowSlot - slot) * a.secondsPerSlot) / 864n) / 100;
        return new BeaconError("pruned", `beacon API at ${this.url} no longer has blob ${hash} of ${where}, ${days} days old: pruned (${PRUNED_ADVICE})`);
      }
    }
    return new BeaconError("not-found", `beacon API at ${this.url} has no blob ${hash} at ${where}: is the beacon synced, and for the same chain as --l1? (an old blob may be pruned: ${PRUNED_ADVICE})`);
  }

  private httpError(path: string, status: number, body: string): BeaconError {
    let msg = body.slice(0, 200).replace(/\s+/g, " ");
    try {
      const j = JSON.parse(body) as Json;
      if (typeof j.message === "string") msg = j.message.slice(0, 200);
    } catch {
      // not JSON: the text itself
    }
    return new BeaconError("http", `beacon API at ${this.url}: ${path.split("?")[0]} answered HTTP ${status}${msg ? ` (${msg})` : ""}`, status);
  }

  /** One GET with the time limit, retried while it fails transiently; the status, body and its JSON (undefined if not JSON). */
  private async get(path: string): Promise<{ status: number; body: string; json: Json | undefined }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.once(path);
        if (r.status === 429 || r.status >= 500) throw this.httpError(path, r.status, r.body);
        if (r.status === 200 && r.json === undefined) throw new BeaconError("malformed", `beacon API at ${this.url}: ${path.split("?")[0]} answered HTTP 200 without JSON`);
        return r;
      } catch (e) {
        if (!(e instanceof BeaconError) || !e.transient || attempt >= this.opts.attempts) throw e;
        this.opts.log?.debug({ beacon: this.url, path: path.split("?")[0], attempt, err: e.message }, "beacon request failed; trying again");
        await sleep(this.opts.backoffMs * 4 ** (attempt - 1));
      }
    }
  }

  private async once(path: string): Promise<{ status: number; body: string; json: Json | undefined }> {
    let res: Response;
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      res = await fetch(this.url + path, { headers: { accept: "application/json" }, signal });
    } catch (e) {
      if (signal.aborted) throw new BeaconError("timeout", `beacon API at ${this.url}: no answer to ${path.split("?")[0]} within ${this.opts.timeoutMs} ms`);
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new BeaconError("unreachable", `cannot reach the beacon API at ${this.url} (${c?.code ?? c?.message ?? (e as Error).message})`);
    }
    let body: string;
    try {
      body = await readCapped(res, this.opts.maxBodyBytes);
    } catch (e) {
      if (e instanceof BeaconError) throw e;
      if (signal.aborted) throw new BeaconError("timeout", `beacon API at ${this.url}: the answer to ${path.split("?")[0]} did not arrive within ${this.opts.timeoutMs} ms`);
      throw new BeaconError("unreachable", `beacon API at ${this.url}: the answer to ${path.split("?")[0]} broke off (${(e as Error).message})`);
    }
    let json: Json | undefined;
    try {
      const j = JSON.parse(body) as unknown;
      json = j && typeof j === "object" && !Array.isArray(j) ? (j as Json) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body, json };
  }
}

/** The body as text, at most `max` bytes (more: BeaconError "malformed"). */
async function readCapped(res: Response, max: number): Promise<string> {
  const len = Number(res.headers.get("content-length") ?? NaN);
  if (len > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new BeaconError("malformed", `the beacon's answer is ${len} bytes, more than ${max}`);
  }
  if (!res.body) return "";
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel().catch(() => undefined);
      throw new BeaconError("malformed", `the beacon's answer is more than ${max} bytes`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}
