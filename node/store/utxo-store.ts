/**
 * The validators' UTXO set (with spent tombstones) and the coordinators' latest index, in LevelDB.
 *
 * Binary layout (keyEncoding and valueEncoding 'view'; K = canonical 53-byte key from core/keys.ts
 * keyBytes: addr(20) || mark(1) || slot(32 BE); seq = u64 big-endian, so all versions of a key are
 * adjacent and in seq order; "min" = minimal big-endian bytes of an unsigned integer, empty for 0):
 *
 *   0x6f 'o' || K || seq(8)   -> 0x00 || value(min)     unspent outpoint (seq, K)
 *                             -> 0x01 || spender(min)   spent tombstone: (seq, K) was consumed by tx
 *                                                        `spender` (consuming overwrites the record)
 *   0x6c 'l' || K             -> seq(8) || value(min)   latest index: newest version of K
 *   0x46 'F' || addr(20) || seq(8) -> value(min)       unspent fee output (f, addr, seq) created by
 *                                                        seq: what the recipient may sweep (§6.5)
 *   0x6d 'm' || "tip"         -> batch(8) || lastSeq(8) last applied batch and its last seq
 *   0x6d 'm' || "genesis"     -> 0x02 || digest(32)     layout version, digest of the allocation
 *                                                        (a version-1 store gets its F index on open)
 *
 * Genesis allocations are unspent outpoints (0, K); an implicit (zero) genesis outpoint has no
 * record until it is consumed. One record per outpoint answers "unspent with value v", "consumed
 * by s" or "never created" with one read, and consuming is one overwrite.
 *
 * Every applyBatch writes all its changes and the tip in one LevelDB WriteBatch, which LevelDB
 * applies atomically (one write-ahead-log record), so after a crash the store is at a batch
 * boundary. The walk rules are those of core/walk.ts; verdicts agree with walkSequential.
 */
import { Level } from "level";
import { keyBytes, type Key } from "../../core/keys";
import { keccak256, concatBytes, MAX_U64 } from "../../core/bytes";
import type { Move } from "../../core/moves";
import type { TxMoves, WalkFault } from "../../core/walk";

const P_OUT = 0x6f;
const UNSPENT = 0x00;
const SPENT = 0x01;
const P_LATEST = 0x6c;
const META_TIP = Uint8Array.of(0x6d, ...Buffer.from("tip", "latin1"));
const META_GENESIS = Uint8Array.of(0x6d, ...Buffer.from("genesis", "latin1"));
const P_FEE = 0x46;
const MARK_FEE = 0x66;
const LAYOUT_VERSION = 0x02;
const EMPTY = new Uint8Array(0);

type Db = Level<Uint8Array, Uint8Array>;
type Op = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

export interface StoreTip {
  batchIndex: bigint;
  lastSeq: bigint;
}

export interface OpenOptions {
  /** Genesis allocation, applied once on a fresh store; on reopen it must match (or be omitted). */
  genesis?: Iterable<[Key, bigint]>;
  /** fsync every batch write (durability against power loss; atomicity holds either way). Default false. */
  sync?: boolean;
}

// ---- encodings -------------------------------------------------------------------------------

function encMin(v: bigint): Uint8Array {
  if (v === 0n) return EMPTY;
  const h = v.toString(16);
  return Buffer.from(h.length & 1 ? "0" + h : h, "hex");
}

function decMin(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt("0x" + Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex"));
}

function checkSeq(seq: bigint): void {
  if (seq < 0n || seq > MAX_U64) throw new RangeError(`seq ${seq} out of u64 range`);
}

/**
 * The canonical 53-byte key (same bytes as core/keys.ts keyBytes, which the tests check), written
 * without keyBytes' hex round trip: this runs for every move.
 */
function fastKeyBytes(k: Key): Buffer {
  const a = k.addr;
  if (a.length !== 20) throw new RangeError(`address must be 20 bytes, got ${a.length}`);
  const b = Buffer.allocUnsafe(53);
  b.set(a, 0);
  b[20] = k.mark;
  let s = k.slot;
  if (s === 0n) b.fill(0, 21, 53);
  else {
    if (s < 0n || s >> 256n !== 0n) throw new RangeError(`slot ${s} does not fit in 32 bytes`);
    for (let off = 45; off >= 21; off -= 8) {
      b.writeBigUInt64BE(BigInt.asUintN(64, s), off);
      s >>= 64n;
    }
  }
  return b;
}

function outpointKey(prefix: number, kb: Uint8Array, seq: bigint): Uint8Array {
  const b = Buffer.allocUnsafe(62);
  b[0] = prefix;
  b.set(kb, 1);
  b.writeBigUInt64BE(seq, 54);
  return b;
}

function encOut(tag: number, v: bigint): Uint8Array {
  const m = encMin(v);
  const b = Buffer.allocUnsafe(1 + m.length);
  b[0] = tag;
  b.set(m, 1);
  return b;
}

/** Decodes an outpoint record: unspent value or spender. */
function decOut(b: Uint8Array): Prior {
  if (b.length === 0 || (b[0] !== UNSPENT && b[0] !== SPENT)) throw new Error("corrupt outpoint record");
  const v = decMin(b.subarray(1));
  return b[0] === UNSPENT ? { value: v } : { spentBy: v };
}

/** The F-index key of the fee output (f, addr, seq) whose canonical key bytes are `kb`, if `kb` is that output's key. */
function feeKey(kb: Uint8Array, seq: bigint): Uint8Array | undefined {
  if (kb[20] !== MARK_FEE) return undefined;
  for (let i = 21; i < 45; i++) if (kb[i] !== 0) return undefined; // slot ≥ 2^64: not a seq
  const b = Buffer.allocUnsafe(29);
  b[0] = P_FEE;
  b.set(kb.subarray(0, 20), 1);
  b.set(kb.subarray(45, 53), 21);
  return b.readBigUInt64BE(21) === seq ? b : undefined;
}

function latestKey(kb: Uint8Array): Uint8Array {
  const b = Buffer.allocUnsafe(54);
  b[0] = P_LATEST;
  b.set(kb, 1);
  return b;
}

function encLatest(seq: bigint, value: bigint): Uint8Array {
  const v = encMin(value);
  const b = Buffer.allocUnsafe(8 + v.length);
  b.writeBigUInt64BE(seq, 0);
  b.set(v, 8);
  return b;
}

function decLatest(b: Uint8Array): { seq: bigint; value: bigint } {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  return { seq: buf.readBigUInt64BE(0), value: decMin(b.subarray(8)) };
}

function encTip(t: StoreTip): Uint8Array {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(t.batchIndex, 0);
  b.writeBigUInt64BE(t.lastSeq, 8);
  return b;
}

function decTip(b: Uint8Array): StoreTip {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  return { batchIndex: buf.readBigUInt64BE(0), lastSeq: buf.readBigUInt64BE(8) };
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
}

/** Digest of a genesis allocation (sorted by key bytes, zero values dropped). Local to the store. */
function genesisDigest(entries: { kb: Uint8Array; value: bigint }[]): Uint8Array {
  const parts: Uint8Array[] = [Buffer.from("moveset/store-genesis/v1", "latin1")];
  for (const e of entries) {
    const b = Buffer.alloc(85);
    b.set(e.kb, 0);
    const h = e.value.toString(16).padStart(64, "0");
    Buffer.from(h, "hex").copy(b, 53);
    parts.push(b);
  }
  return keccak256(concatBytes(...parts));
}

// ---- the store -------------------------------------------------------------------------------

/** What the store holds for an outpoint from before the batch. */
interface Prior {
  value?: bigint;
  spentBy?: bigint;
}

const NONE: Prior = {};

interface OpRef {
  kb: Uint8Array;
  seq: bigint;
}

export class LevelUtxoStore {
  private _tip: StoreTip | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: Db,
    tip: StoreTip | undefined,
    private readonly sync: boolean,
  ) {
    this._tip = tip;
  }

  static async open(path: string, opts: OpenOptions = {}): Promise<LevelUtxoStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(path, {
      keyEncoding: "view",
      valueEncoding: "view",
      writeBufferSize: 32 << 20,
      cacheSize: 32 << 20,
    });
    await db.open();
    try {
      const entries: { kb: Uint8Array; value: bigint }[] = [];
      if (opts.genesis !== undefined) {
        const seen = new Set<string>();
        for (const [k, v] of opts.genesis) {
          if (v < 0n || v > (1n << 256n) - 1n) throw new RangeError("genesis value out of u256 range");
          const kb = keyBytes(k);
          const s = latin1(kb);
          if (seen.has(s)) throw new RangeError("duplicate key in genesis allocation");
          seen.add(s);
          if (v !== 0n) entries.push({ kb, value: v });
        }
        entries.sort((a, b) => Buffer.compare(a.kb, b.kb));
      }
      const digest = genesisDigest(entries);
      const stored = await db.get(META_GENESIS);
      const tipBytes = await db.get(META_TIP);
      if (stored === undefined) {
        if (tipBytes !== undefined) throw new Error("store has a tip but no genesis record: not a moveset UTXO store");
        const ops: Op[] = [];
        for (const e of entries) {
          ops.push({ type: "put", key: outpointKey(P_OUT, e.kb, 0n), value: encOut(UNSPENT, e.value) });
          ops.push({ type: "put", key: latestKey(e.kb), value: encLatest(0n, e.value) });
        }
        ops.push({ type: "put", key: META_GENESIS, value: concatBytes(Uint8Array.of(LAYOUT_VERSION), digest) });
        await db.batch(ops, { sync: true });
      } else {
        if (stored.length !== 33 || (stored[0] !== LAYOUT_VERSION && stored[0] !== 0x01)) throw new Error(`unknown store layout version ${stored[0]}`);
        if (opts.genesis !== undefined && Buffer.compare(Buffer.from(stored.subarray(1)), Buffer.from(digest)) !== 0)
          throw new Error("genesis allocation differs from the one this store was created with");
        if (stored[0] === 0x01) await buildFeeIndex(db, stored.subarray(1));
      }
      return new LevelUtxoStore(db, tipBytes === undefined ? undefined : decTip(tipBytes), opts.sync ?? false);
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  /** Last applied batch index and its last seq, or undefined before the first batch. */
  tip(): StoreTip | undefined {
    return this._tip === undefined ? undefined : { ...this._tip };
  }

  private async outpoint(intx: bigint, key: Key): Promise<Prior> {
    checkSeq(intx);
    const v = await this.db.get(outpointKey(P_OUT, keyBytes(key), intx));
    if (v !== undefined) return decOut(v);
    return intx === 0n ? { value: 0n } : {};
  }

  /** Value of the unspent outpoint (intx, key), implicit genesis included; undefined if spent or never created. */
  async get(intx: bigint, key: Key): Promise<bigint | undefined> {
    return (await this.outpoint(intx, key)).value;
  }

  /** Seq of the transaction that consumed outpoint (intx, key), or undefined. */
  async spentBy(intx: bigint, key: Key): Promise<bigint | undefined> {
    return (await this.outpoint(intx, key)).spentBy;
  }

  /** Newest version of the key (coordinators, RPC); genesis: seq 0 with the allocated value or 0. */
  async latest(key: Key): Promise<{ seq: bigint; value: bigint }> {
    const v = await this.db.get(latestKey(keyBytes(key)));
    return v === undefined ? { seq: 0n, value: 0n } : decLatest(v);
  }

  /**
   * The unspent fee outputs of `addr` (protocol.md §6.5): the seq that created each (its key's
   * slot) and its value, oldest first, at most `limit`.
   */
  async feeOutputs(addr: Uint8Array, limit: number): Promise<{ seq: bigint; value: bigint }[]> {
    if (addr.length !== 20) throw new RangeError(`address must be 20 bytes, got ${addr.length}`);
    const lo = Buffer.alloc(29);
    lo[0] = P_FEE;
    lo.set(addr, 1);
    const hi = Buffer.from(lo);
    hi.fill(0xff, 21);
    const out: { seq: bigint; value: bigint }[] = [];
    for await (const [k, v] of this.db.iterator({ gte: lo, lte: hi, limit })) out.push({ seq: Buffer.from(k.buffer, k.byteOffset + 21, 8).readBigUInt64BE(0), value: decMin(v) });
    return out;
  }

  /** Commits a filled write batch; the one place the store writes after open (a seam for crash tests). */
  private async write(wb: ReturnType<Db["batch"]>): Promise<void> {
    await wb.write({ sync: this.sync });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.db.close();
  }

  /**
   * Validates batch `batchIndex` (the tip's successor; 0 first) against the store and, only if
   * every transaction passes, writes all its changes and the new tip in one atomic write batch.
   * If the write itself fails (I/O error) it throws and the store stays at the previous tip.
   * Returns the first fault (in seq order, lowest move index) and writes nothing if there is one.
   * Throws RangeError on a wrong batch index or seqs not strictly increasing after the tip.
   */
  applyBatch(batchIndex: bigint, txs: readonly TxMoves[]): Promise<WalkFault | undefined> {
    const run = this.queue.then(() => this.applyBatchNow(batchIndex, txs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyBatchNow(batchIndex: bigint, txs: readonly TxMoves[]): Promise<WalkFault | undefined> {
    if (this.closed) throw new Error("store is closed");
    const tip = this._tip;
    const expected = tip === undefined ? 0n : tip.batchIndex + 1n;
    if (batchIndex !== expected) throw new RangeError(`batch index ${batchIndex}, expected ${expected}`);
    const base = tip === undefined ? 0n : tip.lastSeq;
    let last = base;
    for (const t of txs) {
      checkSeq(t.seq);
      if (t.seq <= last) throw new RangeError(`seq ${t.seq} is not after ${last}`);
      last = t.seq;
    }

    // Key bytes and key strings, once per move.
    const kbs: Uint8Array[][] = new Array(txs.length);
    const kss: string[][] = new Array(txs.length);
    // Phase A: prefetch what the store knows about outpoints produced before this batch.
    const prior = new Map<string, Prior>();
    const want: { op: string; kb: Uint8Array; intx: bigint }[] = [];
    for (let ti = 0; ti < txs.length; ti++) {
      const { seq, moves } = txs[ti];
      const tk: Uint8Array[] = new Array(moves.length);
      const ts: string[] = new Array(moves.length);
      for (let i = 0; i < moves.length; i++) {
        const m = moves[i];
        const kb = fastKeyBytes(m);
        const ks = kb.toString("latin1");
        tk[i] = kb;
        ts[i] = ks;
        if (m.intx < seq && m.intx <= base) {
          const op = ks + m.intx.toString(36);
          if (!prior.has(op)) {
            prior.set(op, NONE);
            want.push({ op, kb, intx: m.intx });
          }
        }
      }
      kbs[ti] = tk;
      kss[ti] = ts;
    }
    if (want.length > 0) {
      const vals = await this.db.getMany(want.map((w) => outpointKey(P_OUT, w.kb, w.intx)));
      for (let j = 0; j < want.length; j++) {
        const v = vals[j];
        if (v !== undefined) prior.set(want[j].op, decOut(v));
        else if (want[j].intx === 0n) prior.set(want[j].op, { value: 0n }); // implicit genesis
      }
    }

    // Phase B: the walk, with an in-memory overlay for this batch's effects.
    const consumed = new Map<string, OpRef & { by: bigint }>();
    const created = new Map<string, OpRef & { value: bigint }>();
    const latest = new Map<string, OpRef & { value: bigint }>();
    for (let ti = 0; ti < txs.length; ti++) {
      const { seq, moves } = txs[ti];
      const tk = kbs[ti];
      const ts = kss[ti];
      for (let i = 0; i < moves.length; i++) {
        const m: Move = moves[i];
        const intx = m.intx;
        if (intx >= seq) return { kind: "input", seq, moveIndex: i, code: "intx-not-before" };
        const op = ts[i] + intx.toString(36);
        const c = consumed.get(op);
        if (c !== undefined) return doubleUse(seq, i, m.ref, c.by);
        let value: bigint | undefined;
        if (intx <= base) {
          const p = prior.get(op)!;
          if (p.spentBy !== undefined) return doubleUse(seq, i, m.ref, p.spentBy);
          value = p.value;
        } else {
          value = created.get(op)?.value;
        }
        if (value === undefined) return { kind: "input", seq, moveIndex: i, code: "no-such-outpoint" };
        if (value !== m.prev) return { kind: "input", seq, moveIndex: i, code: "prev-mismatch", expected: value };
        if (!m.ref) consumed.set(op, { kb: tk[i], seq: intx, by: seq });
      }
      // Outputs after the checks (no move can name its own transaction's outputs: intx < seq).
      for (let i = 0; i < moves.length; i++) {
        const m = moves[i];
        if (m.ref) continue;
        const kb = tk[i];
        created.set(ts[i] + seq.toString(36), { kb, seq, value: m.next });
        latest.set(ts[i], { kb, seq, value: m.next });
      }
    }

    // Phase C: one atomic write (a native LevelDB WriteBatch, filled op by op).
    const wb = this.db.batch();
    try {
      for (const [op, c] of consumed) {
        created.delete(op); // created and consumed within this batch: only the tombstone is stored
        wb.put(outpointKey(P_OUT, c.kb, c.seq), encOut(SPENT, c.by));
        const f = feeKey(c.kb, c.seq); // a fee output swept
        if (f) wb.del(f);
      }
      for (const c of created.values()) {
        wb.put(outpointKey(P_OUT, c.kb, c.seq), encOut(UNSPENT, c.value));
        const f = c.value !== 0n ? feeKey(c.kb, c.seq) : undefined; // a fee output created
        if (f) wb.put(f, encMin(c.value));
      }
      for (const l of latest.values()) wb.put(latestKey(l.kb), encLatest(l.seq, l.value));
    } catch (e) {
      await wb.close();
      throw e;
    }
    const newTip: StoreTip = { batchIndex, lastSeq: last };
    try {
      wb.put(META_TIP, encTip(newTip));
      await this.write(wb);
    } catch (e) {
      await wb.close().catch(() => undefined);
      throw e;
    }
    this._tip = newTip;
    return undefined;
  }
}

/** Upgrades a layout-1 store: its fee-output index, from the unspent outpoints, in one write with the new version. */
async function buildFeeIndex(db: Db, digest: Uint8Array): Promise<void> {
  const wb = db.batch();
  for await (const [k, v] of db.iterator({ gte: Uint8Array.of(P_OUT), lt: Uint8Array.of(P_OUT + 1) })) {
    if (k.length !== 62 || v[0] !== UNSPENT) continue;
    const f = feeKey(k.subarray(1, 54), Buffer.from(k.buffer, k.byteOffset + 54, 8).readBigUInt64BE(0));
    const value = decMin(v.subarray(1));
    if (f && value !== 0n) wb.put(f, encMin(value));
  }
  wb.put(META_GENESIS, concatBytes(Uint8Array.of(LAYOUT_VERSION), digest));
  await wb.write({ sync: true });
}

function doubleUse(seq: bigint, moveIndex: number, ref: boolean, spentBy: bigint): WalkFault {
  return { kind: "double-use", seq, moveIndex, code: ref ? "reference-after-consume" : "consumed", spentBy };
}
