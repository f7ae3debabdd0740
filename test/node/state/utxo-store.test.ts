/**
 * LevelDB UTXO store (node/state/utxo-store.ts): batches apply atomically, a faulty batch writes
 * nothing, the store resumes at its tip after reopening, a process killed while applying batches
 * leaves the store exactly at a batch boundary, and the store's verdicts and contents agree with
 * the in-memory walk on randomized scenarios.
 */
import { expect } from "chai";
import { Level } from "level";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Mark, keyBytes, type Key } from "../../../core/keys";
import type { Move } from "../../../core/moves";
import { MemoryUtxoSet, walkSequential, type TxMoves, type WalkFault } from "../../../core/walk";
import { LevelUtxoStore, NoIndexError, StoreMismatchError } from "../../../node/state/utxo-store";
import { oneLine } from "../../../cli/errors";
import { rng } from "../../../bench/rng";

const STORE_MODULE = path.resolve(__dirname, "../../../node/state/utxo-store.ts");
const ROOT = path.resolve(__dirname, "../../..");

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-utxo-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const addr = (n: number) => {
  const a = new Uint8Array(20);
  a[19] = n & 0xff;
  a[0] = (n >> 8) & 0xff;
  return a;
};
const K = (n: number, mark: number = Mark.Balance, slot = 0n): Key => ({ mark, addr: addr(n), slot });
const A = K(1);
const B = K(2);
const C = K(3, Mark.Storage, (1n << 255n) + 5n);

function use(k: Key, intx: bigint, prev: bigint, next: bigint): Move {
  return { mask: 0, ref: false, mark: k.mark, addr: k.addr.slice(), slot: k.slot, intx, prev, next };
}
function ref(k: Key, intx: bigint, prev: bigint): Move {
  return { mask: 0, ref: true, mark: k.mark, addr: k.addr.slice(), slot: k.slot, intx, prev, next: prev };
}

type Raw = { db: Level<Uint8Array, Uint8Array> };
/** The store's key spaces (sublevels) and the one-byte tags `dump` shows them with (layout 2's prefixes). */
const SPACES: [string, number][] = [["fees", 0x46], ["latest", 0x6c], ["meta", 0x6d], ["outpoints", 0x6f]];
/** Every record of the store, as hex pairs, each key behind its space's tag; and nothing outside the spaces. */
async function dump(s: LevelUtxoStore): Promise<string[]> {
  const db = (s as unknown as Raw).db;
  const out: string[] = [];
  for (const [name, tag] of SPACES)
    for await (const [k, v] of db.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: "view", valueEncoding: "view" }).iterator())
      out.push(`${tag.toString(16)}${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`);
  let all = 0;
  for await (const _ of db.keys()) all++;
  if (all !== out.length) throw new Error(`${all - out.length} records outside the store's key spaces`);
  return out;
}

/**
 * Rewrites a closed store as layout 1 or 2 wrote it: each sublevel's records under the root with its
 * one-byte prefix ('o' outpoints, 'l' latest, 'F' fee index, 'm' meta), the genesis record with
 * that layout version; layout 1 had no fee index.
 */
async function toLegacyLayout(dir: string, version: 1 | 2): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  const prefixes: Record<string, number> = { outpoints: 0x6f, latest: 0x6c, fees: 0x46, meta: 0x6d };
  const wb = db.batch();
  for (const [name, prefix] of Object.entries(prefixes)) {
    const sub = db.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: "view", valueEncoding: "view" });
    for await (const [k, v] of sub.iterator()) {
      wb.del(k, { sublevel: sub });
      if (name === "fees" && version === 1) continue;
      const isGenesis = name === "meta" && Buffer.from(k).toString("latin1") === "genesis";
      wb.put(Uint8Array.of(prefix, ...k), isGenesis ? Uint8Array.of(version, ...v.subarray(1)) : v);
    }
  }
  await wb.write();
  await db.close();
}

describe("LevelUtxoStore", () => {
  it("fresh store: implicit genesis, allocated genesis, no tip", async () => {
    const dir = tmp();
    const s = await LevelUtxoStore.open(dir, { genesis: [[C, 42n], [B, 0n]] });
    expect(s.tip()).to.equal(undefined);
    expect(await s.get(0n, A)).to.equal(0n);
    expect(await s.get(1n, A)).to.equal(undefined);
    expect(await s.get(0n, C)).to.equal(42n);
    expect(await s.latest(C)).to.deep.equal({ seq: 0n, value: 42n });
    expect(await s.latest(A)).to.deep.equal({ seq: 0n, value: 0n });
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [use(C, 0n, 0n, 1n)] }])).to.deep.equal({
      kind: "input",
      seq: 1n,
      moveIndex: 0,
      code: "prev-mismatch",
      expected: 42n,
    });
    await s.close();
    // Genesis is applied once; reopening with another allocation is refused, without one is fine.
    await expectReject(LevelUtxoStore.open(dir, { genesis: [[C, 43n]] }), /another genesis allocation/);
    const refused = await LevelUtxoStore.open(dir, { genesis: [[C, 43n]] }).then(() => undefined, (e: unknown) => e);
    expect(refused, "a typed error the CLI prints as one line").to.be.instanceOf(StoreMismatchError);
    expect(oneLine(refused)).to.contain(`the UTXO store at ${dir} was created for another genesis allocation`);
    await expectReject(LevelUtxoStore.open(dir, { genesis: [] }), /genesis/);
    const again = await LevelUtxoStore.open(dir, { genesis: [[C, 42n]] });
    expect(await again.get(0n, C)).to.equal(42n);
    await again.close();
  });

  it("applies a batch: outpoints, tombstones, latest index and tip", async () => {
    const s = await LevelUtxoStore.open(tmp(), { genesis: [[C, 9n]] });
    const f = await s.applyBatch(0n, [
      { seq: 1n, moves: [use(A, 0n, 0n, 10n), ref(C, 0n, 9n)] },
      { seq: 2n, moves: [use(A, 1n, 10n, 11n), use(B, 0n, 0n, 5n)] },
      { seq: 4n, moves: [ref(A, 2n, 11n), use(C, 0n, 9n, 8n)] },
    ]);
    expect(f).to.equal(undefined);
    expect(s.tip()).to.deep.equal({ batchIndex: 0n, lastSeq: 4n });
    expect(await s.get(0n, A)).to.equal(undefined);
    expect(await s.spentBy(0n, A)).to.equal(1n);
    expect(await s.get(1n, A)).to.equal(undefined); // created and consumed inside the batch
    expect(await s.spentBy(1n, A)).to.equal(2n);
    expect(await s.get(2n, A)).to.equal(11n);
    expect(await s.spentBy(2n, A)).to.equal(undefined);
    expect(await s.get(2n, B)).to.equal(5n);
    expect(await s.get(4n, C)).to.equal(8n);
    expect(await s.spentBy(0n, C)).to.equal(4n);
    expect(await s.get(4n, A)).to.equal(undefined); // a reference creates nothing
    expect(await s.latest(A)).to.deep.equal({ seq: 2n, value: 11n }); // the reference at 4 does not move it
    expect(await s.latest(B)).to.deep.equal({ seq: 2n, value: 5n });
    expect(await s.latest(C)).to.deep.equal({ seq: 4n, value: 8n });
    // Record keys use the canonical key bytes (core/keys.ts keyBytes).
    const recs = await dump(s);
    expect(recs).to.include(`6c${Buffer.from(keyBytes(C)).toString("hex")}=${"0".repeat(15)}408`);
    // A tombstone keeps the consumer (8 bytes) and the value it had (the version index).
    expect(recs).to.include(`6f${Buffer.from(keyBytes(C)).toString("hex")}${"0".repeat(16)}=02${"0".repeat(15)}409`);
    // Double uses across batches.
    expect(await s.applyBatch(1n, [{ seq: 5n, moves: [use(B, 2n, 5n, 6n), use(A, 1n, 10n, 0n)] }])).to.deep.equal({
      kind: "double-use",
      seq: 5n,
      moveIndex: 1,
      code: "consumed",
      spentBy: 2n,
    });
    expect(await s.applyBatch(1n, [{ seq: 5n, moves: [ref(C, 0n, 9n)] }])).to.deep.include({ code: "reference-after-consume", spentBy: 4n });
    expect(await s.applyBatch(1n, [{ seq: 5n, moves: [use(B, 1n, 0n, 0n)] }])).to.deep.include({ code: "no-such-outpoint" });
    expect(await s.applyBatch(1n, [{ seq: 5n, moves: [use(B, 5n, 0n, 0n)] }])).to.deep.include({ code: "intx-not-before" });
    expect(await s.applyBatch(1n, [{ seq: 5n, moves: [use(A, 2n, 11n, 12n)] }])).to.equal(undefined);
    expect(s.tip()).to.deep.equal({ batchIndex: 1n, lastSeq: 5n });
    await s.close();
  });

  it("a faulty batch writes nothing, even when its fault is in the last transaction", async () => {
    const s = await LevelUtxoStore.open(tmp());
    await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 1n)] }]);
    const before = await dump(s);
    const f = await s.applyBatch(1n, [
      { seq: 2n, moves: [use(A, 1n, 1n, 2n), use(B, 0n, 0n, 3n)] },
      { seq: 3n, moves: [use(C, 0n, 0n, 3n)] },
      { seq: 4n, moves: [use(B, 2n, 3n, 4n), use(A, 1n, 1n, 9n)] },
    ]);
    expect(f).to.deep.equal({ kind: "double-use", seq: 4n, moveIndex: 1, code: "consumed", spentBy: 2n });
    expect(await dump(s)).to.deep.equal(before);
    expect(s.tip()).to.deep.equal({ batchIndex: 0n, lastSeq: 1n });
    expect(await s.get(1n, A)).to.equal(1n);
    expect(await s.latest(B)).to.deep.equal({ seq: 0n, value: 0n });
    await s.close();
  });

  it("within one transaction earlier moves take effect first (duplicate keys), as in the memory walk", async () => {
    const s = await LevelUtxoStore.open(tmp());
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 1n), use(A, 0n, 0n, 2n)] }])).to.deep.equal({
      kind: "double-use",
      seq: 1n,
      moveIndex: 1,
      code: "consumed",
      spentBy: 1n,
    });
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 1n), ref(A, 0n, 0n)] }])).to.deep.include({ code: "reference-after-consume", spentBy: 1n });
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [ref(A, 0n, 0n), use(A, 0n, 0n, 1n)] }])).to.equal(undefined);
    expect(await s.get(1n, A)).to.equal(1n);
    await s.close();
  });

  it("refuses wrong batch indices and non-increasing seqs; serializes concurrent calls", async () => {
    const s = await LevelUtxoStore.open(tmp());
    await expectReject(s.applyBatch(1n, []), /batch index/);
    await expectReject(
      s.applyBatch(0n, [
        { seq: 2n, moves: [] },
        { seq: 2n, moves: [] },
      ]),
      /not after/,
    );
    const [f0, f1] = await Promise.all([
      s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 1n)] }]),
      s.applyBatch(1n, [{ seq: 2n, moves: [use(A, 1n, 1n, 2n)] }]),
    ]);
    expect(f0).to.equal(undefined);
    expect(f1).to.equal(undefined);
    await expectReject(s.applyBatch(2n, [{ seq: 2n, moves: [] }]), /not after/);
    expect(await s.latest(A)).to.deep.equal({ seq: 2n, value: 2n });
    await s.close();
  });

  it("reopening resumes at the tip", async () => {
    const dir = tmp();
    let s = await LevelUtxoStore.open(dir);
    await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 7n)] }]);
    await s.applyBatch(1n, [{ seq: 2n, moves: [use(A, 1n, 7n, 8n)] }]);
    await s.close();
    s = await LevelUtxoStore.open(dir);
    expect(s.tip()).to.deep.equal({ batchIndex: 1n, lastSeq: 2n });
    await expectReject(s.applyBatch(1n, []), /batch index/);
    expect(await s.applyBatch(2n, [{ seq: 3n, moves: [use(A, 1n, 7n, 0n)] }])).to.deep.include({ code: "consumed", spentBy: 2n });
    expect(await s.applyBatch(2n, [{ seq: 3n, moves: [use(A, 2n, 8n, 9n)] }])).to.equal(undefined);
    await s.close();
  });

  it("fee-output index: each recipient's unspent fee outputs, oldest first; a sweep removes them; a layout-1 store gets the index on open", async () => {
    const dir = tmp();
    const s = await LevelUtxoStore.open(dir, { genesis: [] });
    const R = addr(7);
    const out = (seq: bigint, value: bigint, who = R) => use({ mark: Mark.Fee, addr: who, slot: seq }, 0n, 0n, value);
    const sweep = (seq: bigint, value: bigint) => use({ mark: Mark.Fee, addr: R, slot: seq }, seq, value, 0n);
    // Batch 0: outputs of R at seqs 1, 2, 3 (the one at 3 swept by seq 4 in the same batch), one of another recipient.
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [out(1n, 10n)] }, { seq: 2n, moves: [out(2n, 20n), out(2n, 5n, addr(8))] }, { seq: 3n, moves: [out(3n, 30n)] }, { seq: 4n, moves: [sweep(3n, 30n)] }])).to.equal(undefined);
    expect(await s.feeOutputs(R, 10)).to.deep.equal([{ seq: 1n, value: 10n }, { seq: 2n, value: 20n }]);
    expect(await s.feeOutputs(R, 1)).to.deep.equal([{ seq: 1n, value: 10n }]);
    expect(await s.feeOutputs(addr(8), 10)).to.deep.equal([{ seq: 2n, value: 5n }]);
    // Batch 1: seq 5 sweeps seq 1; a zero-valued version of an f key is never an output.
    expect(await s.applyBatch(1n, [{ seq: 5n, moves: [sweep(1n, 10n)] }])).to.equal(undefined);
    expect(await s.feeOutputs(R, 10)).to.deep.equal([{ seq: 2n, value: 20n }]);
    // A second sweep of the same output is a double use, and changes nothing.
    expect(await s.applyBatch(2n, [{ seq: 6n, moves: [sweep(1n, 10n)] }])).to.deep.include({ kind: "double-use" });
    expect(await s.feeOutputs(R, 10)).to.deep.equal([{ seq: 2n, value: 20n }]);
    // Rewrite it as a layout-1 store (one-byte root prefixes, no fee index), reopen: the records move
    // into the sublevels and the index is rebuilt from the outpoints.
    const before = await dump(s);
    await s.close();
    await toLegacyLayout(dir, 1);
    const s2 = await LevelUtxoStore.open(dir, { genesis: [] });
    expect(await s2.feeOutputs(R, 10)).to.deep.equal([{ seq: 2n, value: 20n }]);
    expect(await s2.feeOutputs(addr(8), 10)).to.deep.equal([{ seq: 2n, value: 5n }]);
    expect(await dump(s2)).to.deep.equal(before);
    expect(s2.tip()).to.deep.equal({ batchIndex: 1n, lastSeq: 5n });
    await s2.close();
  });

  it("without indexes (a verifier's): the same outpoints, versions and tip, no latest or fee records; their reads refused; a store once without them is refused with them", async () => {
    const R = addr(7);
    const out = (seq: bigint, value: bigint) => use({ mark: Mark.Fee, addr: R, slot: seq }, 0n, 0n, value);
    const sweep = (seq: bigint, value: bigint) => use({ mark: Mark.Fee, addr: R, slot: seq }, seq, value, 0n);
    const batches: TxMoves[][] = [
      [{ seq: 1n, moves: [use(A, 0n, 0n, 10n), ref(C, 0n, 9n), out(1n, 3n)] }, { seq: 2n, moves: [use(A, 1n, 10n, 11n), use(B, 0n, 0n, 5n), out(2n, 4n)] }],
      [{ seq: 3n, moves: [sweep(1n, 3n), use(C, 0n, 9n, 8n)] }],
    ];
    const full = await LevelUtxoStore.open(tmp(), { genesis: [[C, 9n]] });
    const dir = tmp();
    const lean = await LevelUtxoStore.open(dir, { genesis: [[C, 9n]], indexes: false });
    for (const [i, b] of batches.entries()) {
      expect(await full.applyBatch(BigInt(i), b)).to.equal(undefined);
      expect(await lean.applyBatch(BigInt(i), b)).to.equal(undefined);
    }
    // A fault is found the same without them.
    const bad = [{ seq: 4n, moves: [sweep(1n, 3n)] }];
    expect(await lean.applyBatch(2n, bad)).to.deep.equal(await full.applyBatch(2n, bad));
    const only = (recs: string[], tag: string) => recs.filter((r) => r.startsWith(tag));
    const [f, l] = [await dump(full), await dump(lean)];
    expect(only(l, "6f"), "outpoints").to.deep.equal(only(f, "6f"));
    expect(only(f, "6c").length, "the full store keeps the latest index").to.be.above(0);
    expect(only(f, "46").length, "and the fee index").to.be.above(0);
    expect(only(l, "6c"), "no latest records").to.deep.equal([]);
    expect(only(l, "46"), "no fee records").to.deep.equal([]);
    expect(lean.tip()).to.deep.equal(full.tip());
    for (const k of [A, B, C]) for (let seq = 0n; seq <= 3n; seq++) expect(await lean.versionAt(k, seq), `version at ${seq}`).to.deep.equal(await full.versionAt(k, seq));
    let err: unknown;
    await lean.latest(A).catch((e) => (err = e));
    expect(err).to.be.instanceOf(NoIndexError);
    err = undefined;
    await lean.feeOutputs(R, 10).catch((e) => (err = e));
    expect(err).to.be.instanceOf(NoIndexError);
    await lean.close();
    // Its indexes were not kept: a store that reads them cannot open it.
    err = undefined;
    await LevelUtxoStore.open(dir, { genesis: [[C, 9n]] }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(StoreMismatchError);
    // A store written with indexes, opened without (a verifier's store of an older version): marked at once.
    const fullDir = tmp();
    const old = await LevelUtxoStore.open(fullDir, { genesis: [] });
    expect(await old.applyBatch(0n, batches[0].map((t) => ({ ...t, moves: t.moves.filter((m) => m.mark !== Mark.Storage) })))).to.equal(undefined);
    await old.close();
    await (await LevelUtxoStore.open(fullDir, { genesis: [], indexes: false })).close();
    err = undefined;
    await LevelUtxoStore.open(fullDir, { genesis: [] }).catch((e) => (err = e));
    expect(err, "its indexes are stale from now on").to.be.instanceOf(StoreMismatchError);
    await full.close();
  });

  it("a batch read ahead (a verifier's check) is applied without reading its outpoints again; after a write they are read anew", async () => {
    const s = await LevelUtxoStore.open(tmp(), { genesis: [[C, 9n]] });
    const spaces = (s as unknown as { s: { outpoints: { getMany: (keys: Uint8Array[]) => Promise<unknown[]> } } }).s;
    const orig = spaces.outpoints.getMany.bind(spaces.outpoints);
    let read = 0;
    spaces.outpoints.getMany = (keys) => {
      read += keys.length;
      return orig(keys);
    };
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 10n), ref(C, 0n, 9n)] }])).to.equal(undefined);
    const b1 = [{ seq: 2n, moves: [use(A, 1n, 10n, 11n), use(B, 0n, 0n, 5n)] }, { seq: 3n, moves: [ref(C, 0n, 9n), use(A, 2n, 11n, 12n)] }];
    read = 0;
    const v = await s.view(b1);
    expect(read, "the batch's outpoints from before it: (1, A), (0, B), (0, C)").to.equal(3);
    expect(v.outpoint(1n, A)).to.equal(10n);
    expect(await s.applyBatch(1n, b1)).to.equal(undefined);
    expect(read, "applied without reading them again").to.equal(3);
    // After the write the same outpoints are read again, and say what the write did.
    const b2 = [{ seq: 4n, moves: [use(A, 1n, 10n, 1n)] }];
    expect(await s.applyBatch(2n, b2)).to.deep.include({ kind: "double-use", spentBy: 2n });
    expect(read).to.equal(4);
    // A view of other transactions at the same tip reads theirs; the batch applied then reads only what it lacks.
    read = 0;
    await s.view([{ seq: 4n, moves: [use(A, 3n, 12n, 13n)] }]);
    expect(await s.applyBatch(2n, [{ seq: 4n, moves: [use(A, 3n, 12n, 13n), use(B, 2n, 5n, 6n)] }])).to.equal(undefined);
    expect(read, "(3, A) once, then (2, B)").to.equal(2);
    expect(await s.latest(A)).to.deep.equal({ seq: 4n, value: 13n });
    await s.close();
  });

  it("a layout-2 store (one-byte root prefixes) opens with its records in the sublevels, unchanged", async () => {
    const dir = tmp();
    const s = await LevelUtxoStore.open(dir, { genesis: [[C, 9n]] });
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 1n), use(C, 0n, 9n, 3n), use({ mark: Mark.Fee, addr: addr(7), slot: 1n }, 0n, 0n, 4n)] }])).to.equal(undefined);
    const before = await dump(s);
    await s.close();
    await toLegacyLayout(dir, 2);
    const s2 = await LevelUtxoStore.open(dir, { genesis: [[C, 9n]] });
    expect(await dump(s2)).to.deep.equal(before);
    expect(s2.tip()).to.deep.equal({ batchIndex: 0n, lastSeq: 1n });
    expect(await s2.feeOutputs(addr(7), 10)).to.deep.equal([{ seq: 1n, value: 4n }]);
    expect(await s2.applyBatch(1n, [{ seq: 2n, moves: [use(A, 1n, 1n, 2n)] }])).to.equal(undefined);
    await s2.close();
  });

  it("a failing write leaves the store at the previous tip", async () => {
    const s = await LevelUtxoStore.open(tmp());
    await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 1n)] }]);
    const before = await dump(s);
    const hooked = s as unknown as { write: (wb: unknown) => Promise<void> };
    hooked.write = async () => {
      throw new Error("injected I/O error");
    };
    await expectReject(s.applyBatch(1n, [{ seq: 2n, moves: [use(A, 1n, 1n, 2n), use(B, 0n, 0n, 1n)] }]), /injected/);
    expect(s.tip()).to.deep.equal({ batchIndex: 0n, lastSeq: 1n });
    expect(await dump(s)).to.deep.equal(before);
    delete (hooked as { write?: unknown }).write; // back to the prototype's write
    expect(await s.applyBatch(1n, [{ seq: 2n, moves: [use(A, 1n, 1n, 2n), use(B, 0n, 0n, 1n)] }])).to.equal(undefined);
    expect(await s.get(2n, B)).to.equal(1n);
    await s.close();
  });

  it("a process killed (SIGKILL) while applying batches leaves the store exactly at a batch boundary", async function () {
    this.timeout(60_000);
    const dir = tmp();
    const gen = new Function(`${CRASH_GEN}; return crashBatch;`)() as (b: number) => TxMoves[];
    let lastReported = -1;
    for (const [round, killAfter] of [
      [0, 3],
      [1, 2],
    ]) {
      const { printed } = await runAndKill(dir, killAfter, round);
      expect(printed.length, `round ${round} child output`).to.be.greaterThan(killAfter - 1);
      const reported = printed[printed.length - 1];
      expect(reported).to.be.greaterThan(lastReported);
      lastReported = reported;

      const s = await LevelUtxoStore.open(dir);
      const tip = s.tip()!;
      const k = Number(tip.batchIndex);
      // Everything the child reported as committed is there; at most one more batch.
      expect(k).to.be.oneOf([reported, reported + 1]);
      expect(tip.lastSeq).to.equal(BigInt((k + 1) * CRASH_T));
      // Exact contents: per key one tombstone per version of batches < k plus genesis, one unspent
      // outpoint from batch k, one latest record; nothing of batch k + 1.
      const recs = await dump(s);
      const outs = recs.filter((r) => r.startsWith("6f"));
      const latest = recs.filter((r) => r.startsWith("6c"));
      expect(latest.length).to.equal(CRASH_KEYS);
      expect(outs.length).to.equal(CRASH_KEYS * (k + 2));
      let maxSeq = 0n;
      for (const r of outs) {
        const q = BigInt("0x" + r.slice(2 + 106, 2 + 122));
        if (q > maxSeq) maxSeq = q;
      }
      expect(maxSeq).to.equal(tip.lastSeq);
      const cur = gen(k);
      const nxt = gen(k + 1);
      for (let j = 0; j < CRASH_T; j += 50) {
        const m = cur[j].moves[0];
        expect(await s.get(cur[j].seq, m)).to.equal(m.next);
        expect(await s.latest(m)).to.deep.equal({ seq: cur[j].seq, value: m.next });
        expect(await s.spentBy(m.intx, m)).to.equal(cur[j].seq);
        expect(await s.spentBy(cur[j].seq, m)).to.equal(undefined);
        expect(await s.get(nxt[j].seq, nxt[j].moves[0])).to.equal(undefined);
      }
      // And the store carries on from there.
      if (round === 1) expect(await s.applyBatch(BigInt(k + 1), nxt)).to.equal(undefined);
      await s.close();
    }
  });

  it("version index: the value of a key after any seq, the genesis allocation included; beyond the tip refused; an old tombstone says it is not kept", async () => {
    const dir = tmp();
    const s = await LevelUtxoStore.open(dir, { genesis: [[C, 9n]] });
    expect(await s.applyBatch(0n, [{ seq: 1n, moves: [use(A, 0n, 0n, 7n)] }, { seq: 2n, moves: [use(A, 1n, 7n, 8n), ref(C, 0n, 9n)] }])).to.equal(undefined);
    expect(await s.applyBatch(1n, [{ seq: 3n, moves: [use(B, 0n, 0n, 1n)] }, { seq: 4n, moves: [use(A, 2n, 8n, 0n), use(C, 0n, 9n, 10n)] }])).to.equal(undefined);
    const at = async (k: Key, q: bigint) => (await s.versionAt(k, q)).value;
    expect([await at(A, 0n), await at(A, 1n), await at(A, 2n), await at(A, 3n), await at(A, 4n)]).to.deep.equal([0n, 7n, 8n, 8n, 0n]);
    expect(await s.versionAt(A, 3n)).to.deep.equal({ seq: 2n, value: 8n });
    expect([await at(C, 0n), await at(C, 3n), await at(C, 4n)]).to.deep.equal([9n, 9n, 10n]);
    expect([await at(B, 2n), await at(B, 3n)]).to.deep.equal([0n, 1n]);
    expect(await s.versionAt(K(99), 4n)).to.deep.equal({ seq: 0n, value: 0n });
    await expectReject(s.versionAt(A, 5n), /beyond the store's last seq 4/);
    await s.close();
    // A tombstone as older stores wrote it (0x01 || spender, no value): the state it would answer is not kept.
    const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    const kb = keyBytes(A);
    const outKey = (q: bigint) => {
      const b = Buffer.alloc(61);
      b.set(kb, 0);
      b.writeBigUInt64BE(q, 53);
      return b;
    };
    await db.sublevel<Uint8Array, Uint8Array>("outpoints", { keyEncoding: "view", valueEncoding: "view" }).put(outKey(1n), Uint8Array.of(0x01, 0x02));
    await db.close();
    const s2 = await LevelUtxoStore.open(dir);
    await expectReject(s2.versionAt(A, 1n), /not kept/);
    expect(await s2.versionAt(A, 2n)).to.deep.equal({ seq: 2n, value: 8n });
    expect(await s2.spentBy(1n, A)).to.equal(2n);
    await s2.close();
  });

  it("agrees with the in-memory walk (verdicts and contents) on randomized batched scenarios", async function () {
    this.timeout(60_000);
    const rand = rng(0xbadc0de);
    const seen = new Map<string, number>();
    for (let n = 0; n < 60; n++) {
      const sc = scenario(rand);
      const s = await LevelUtxoStore.open(tmp(), { genesis: sc.genesis });
      let committed = new MemoryUtxoSet(sc.genesis);
      let verdict: WalkFault | undefined;
      let bi = 0n;
      // The version index's model: every version each key had, in seq order.
      const versions = new Map<string, { seq: bigint; value: bigint }[]>();
      const kid = (k: Key) => Buffer.from(keyBytes(k)).toString("hex");
      for (const [k, v] of sc.genesis) versions.set(kid(k), [{ seq: 0n, value: v }]);
      for (const batch of sc.batches) {
        const trial = committed.clone();
        const want = walkSequential(trial, batch);
        const got = await s.applyBatch(bi, batch);
        expect(got, `scenario ${n} batch ${bi}`).to.deep.equal(want);
        if (want !== undefined) {
          verdict = want;
          break;
        }
        for (const t of batch) for (const m of t.moves) if (!m.ref) versions.set(kid(m), [...(versions.get(kid(m)) ?? []), { seq: t.seq, value: m.next }]);
        committed = trial;
        bi++;
      }
      const tip = s.tip();
      expect(tip?.batchIndex, `scenario ${n}`).to.equal(bi === 0n ? undefined : bi - 1n);
      for (const k of sc.keys) {
        expect(await s.latest(k), `scenario ${n}`).to.deep.equal(committed.latest(k));
        for (let q = 0n; q <= sc.maxSeq; q++) {
          if ((await s.get(q, k)) !== committed.get(q, k) || (await s.spentBy(q, k)) !== committed.spentBy(q, k))
            expect.fail(`scenario ${n}: outpoint (${q}, ${k.mark}/${k.addr[19]}/${k.slot}) differs`);
          if (q > (tip?.lastSeq ?? 0n)) continue;
          const want = [...(versions.get(kid(k)) ?? [])].reverse().find((v) => v.seq <= q) ?? { seq: 0n, value: 0n };
          expect(await s.versionAt(k, q), `scenario ${n}: version of ${k.mark}/${k.addr[19]}/${k.slot} at ${q}`).to.deep.equal(want);
        }
      }
      await s.close();
      const code = verdict === undefined ? "ok" : verdict.code;
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    for (const c of ["ok", "consumed", "prev-mismatch", "no-such-outpoint"]) expect(seen.get(c) ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
  });
});

async function expectReject(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(String((e as Error).message)).to.match(re);
    return;
  }
  expect.fail(`expected a rejection matching ${re}`);
}

// ---- crash test child ---------------------------------------------------------------------------

const CRASH_T = 250;
const CRASH_PER = 4;
const CRASH_KEYS = CRASH_T * CRASH_PER;
/** Batch b touches every key once: tx j consumes keys 4j..4j+3 at their batch b-1 versions. Plain JS, shared with the child. */
const CRASH_GEN = `
function crashBatch(b) {
  const T = ${CRASH_T}, PER = ${CRASH_PER};
  const txs = [];
  for (let j = 0; j < T; j++) {
    const moves = [];
    for (let q = 0; q < PER; q++) {
      const k = j * PER + q;
      const addr = new Uint8Array(20);
      addr[0] = k >> 8; addr[1] = k & 255; addr[19] = 7;
      moves.push({ mask: 0, ref: false, mark: 0x73, addr, slot: BigInt(k) * 0x1000000000000000000000001n,
        intx: b === 0 ? 0n : BigInt((b - 1) * T + j + 1),
        prev: b === 0 ? 0n : BigInt((b - 1) * 100000 + k + 1),
        next: BigInt(b * 100000 + k + 1) });
    }
    txs.push({ seq: BigInt(b * T + j + 1), moves });
  }
  return txs;
}`;

/** Runs a child that applies batches in a loop from the store's tip; SIGKILLs it after it reported `killAfter` batches (plus a random delay). */
function runAndKill(dir: string, killAfter: number, round: number): Promise<{ printed: number[] }> {
  const code = `
require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true });
const { LevelUtxoStore } = require(${JSON.stringify(STORE_MODULE)});
${CRASH_GEN}
(async () => {
  const s = await LevelUtxoStore.open(${JSON.stringify(dir)});
  let b = s.tip() === undefined ? 0 : Number(s.tip().batchIndex) + 1;
  for (;;) {
    const f = await s.applyBatch(BigInt(b), crashBatch(b));
    if (f !== undefined) { console.error("fault", b); process.exit(2); }
    process.stdout.write(b + "\\n");
    b++;
  }
})().catch((e) => { console.error(e); process.exit(3); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const printed: number[] = [];
    let buf = "";
    let err = "";
    let killing = false;
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        printed.push(Number(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (!killing && printed.length >= killAfter) {
        killing = true;
        setTimeout(() => child.kill("SIGKILL"), (round * 7 + printed.length * 13) % 25);
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const guard = setTimeout(() => {
      if (!killing) child.kill("SIGKILL");
    }, 45_000);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (signal === "SIGKILL") resolve({ printed });
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

// ---- randomized scenarios -----------------------------------------------------------------------

function scenario(rand: () => number): { genesis: [Key, bigint][]; batches: TxMoves[][]; keys: Key[]; maxSeq: bigint } {
  const ri = (n: number) => Math.floor(rand() * n);
  const keys = [A, B, C, K(4, Mark.Nonce)].slice(0, 1 + ri(4));
  const genesis: [Key, bigint][] = [];
  const cur = keys.map(() => ({ seq: 0n, value: 0n, versions: [0n] }));
  keys.forEach((k, j) => {
    if (rand() < 0.4) genesis.push([k, (cur[j].value = BigInt(1 + ri(3)))]);
  });
  const txs: TxMoves[] = [];
  let seq = 0n;
  for (let t = 0, n = 2 + ri(14); t < n; t++) {
    seq += BigInt(1 + ri(2));
    const idx = keys.map((_, j) => j).filter(() => rand() < 0.6);
    if (idx.length === 0) idx.push(ri(keys.length));
    txs.push({
      seq,
      moves: idx.map((j) => {
        const c = cur[j];
        if (rand() < 0.3) return ref(keys[j], c.seq, c.value);
        const m = use(keys[j], c.seq, c.value, BigInt(ri(4)));
        [c.seq, c.value] = [seq, m.next];
        c.versions.push(seq);
        return m;
      }),
    });
  }
  // Corrupt one move in half of the scenarios.
  if (rand() < 0.5) {
    const t = txs[ri(txs.length)];
    const m = t.moves[ri(t.moves.length)] as Move;
    const r = ri(4);
    if (r === 0) m.prev += 1n;
    else if (r === 1) m.intx = BigInt(ri(Number(t.seq)));
    else if (r === 2) m.ref = !m.ref;
    else (t.moves as Move[]).push({ ...m, addr: m.addr.slice(), ref: rand() < 0.5 }); // duplicate key
    if (m.ref) m.next = m.prev;
  }
  const batches: TxMoves[][] = [];
  for (let i = 0; i < txs.length; ) {
    const len = 1 + ri(5);
    batches.push(txs.slice(i, i + len));
    i += len;
  }
  return { genesis, batches, keys, maxSeq: seq };
}
