/**
 * The validators' UTXO set (with spent tombstones) and the coordinators' latest index, in LevelDB.
 *
 * Binary layout, in sublevels (keyEncoding and valueEncoding 'view'; K = canonical 53-byte key from
 * core/keys.ts keyBytes: addr(20) || mark(1) || slot(32 BE); seq = u64 big-endian, so all versions
 * of a key are adjacent and in seq order; "min" = minimal big-endian bytes of an unsigned integer,
 * empty for 0):
 *
 *   outpoints  K || seq(8)        -> 0x00 || value(min)     unspent outpoint (seq, K)
 *                                 -> 0x02 || spender(8) || value(min)
 *                                                            spent tombstone: (seq, K), whose value was
 *                                                            `value`, was consumed by tx `spender`
 *                                                            (consuming overwrites the record)
 *                                 -> 0x01 || spender(min)   the same, written before tombstones kept
 *                                                            the value (read, never written)
 *   latest     K                  -> seq(8) || value(min)   latest index: newest version of K
 *   fees       addr(20) || seq(8) -> value(min)             unspent fee output (f, addr, seq) created
 *                                                            by seq: what the recipient may sweep (§6.5)
 *   meta       "tip"              -> batch(8) || lastSeq(8) last applied batch and its last seq
 *              "genesis"          -> 0x03 || digest(32)     layout version, digest of the allocation
 *              "no-index"         -> 0x01                   the store keeps no latest and fee indexes
 *                                                            (a verifier's, which reads only outpoints)
 *
 * Layouts 1 and 2 kept the same records under one-byte prefixes of the root ('o', 'l', 'F', and 'm'
 * for the meta keys; layout 1 had no fee index): such a store is moved into the sublevels on open
 * (in chunks, each one atomic write; the meta records last, so an interrupted move resumes), and a
 * layout-1 store then gets its fee index.
 *
 * Genesis allocations are unspent outpoints (0, K); an implicit (zero) genesis outpoint has no
 * record until it is consumed. One record per outpoint answers "unspent with value v", "consumed
 * by s" or "never created" with one read, and consuming is one overwrite.
 *
 * The outpoints are also the **version index** (history, for the RPC's state at any block): every
 * version of every key that any transaction created is one record, unspent or a tombstone that
 * keeps its value, in seq order under its key. The value of K after seq L (at the end of the
 * block whose last seq is L) is the value of the newest record K || seq with seq ≤ L (one reverse
 * seek), or 0 without one (never written). A tombstone of the old form (0x01, no value) answers
 * "not kept"; it can only be the newest record at or below L if it was consumed by a transaction
 * after L, so every state after the store was first opened by this code is answerable.
 *
 * The walk is core/walk.ts's: a batch's outpoints from before it are read ahead in one getMany
 * (a UtxoView, `view`), the walk runs over a UtxoOverlay on it, and the overlay's effects are
 * written. Every applyBatch writes all its changes and the tip in one LevelDB WriteBatch, which
 * LevelDB applies atomically (one write-ahead-log record), so after a crash the store is at a batch
 * boundary.
 */
import { Level } from "level";
import type { AbstractSublevel } from "abstract-level";
import { keyBytes, type Key } from "../../core/keys";
import { keccak256, concatBytes, MAX_U64 } from "../../core/bytes";
import { outpointId, priorOutpoints, Spent, UtxoOverlay, walkSequential, type Outpoint, type TxMoves, type UtxoView, type WalkFault } from "../../core/walk";

const UNSPENT = 0x00;
/** A tombstone without its value (written by older versions of the store). */
const SPENT = 0x01;
/** A tombstone with its value. */
const SPENT_KEPT = 0x02;
const META_TIP = Buffer.from("tip", "latin1");
const META_GENESIS = Buffer.from("genesis", "latin1");
const META_NO_INDEX = Buffer.from("no-index", "latin1");
const MARK_FEE = 0x66;
const LAYOUT_VERSION = 0x03;
const EMPTY = new Uint8Array(0);
/** The one-byte root prefixes of layouts 1 and 2, and the sublevels they became. */
const LEGACY = { outpoints: 0x6f, latest: 0x6c, fees: 0x46, meta: 0x6d } as const;

type Db = Level<Uint8Array, Uint8Array>;
type Sub = AbstractSublevel<Db, string | Buffer | Uint8Array, Uint8Array, Uint8Array>;
type Spaces = Record<keyof typeof LEGACY, Sub>;

function spacesOf(db: Db): Spaces {
  const sub = (name: string): Sub => db.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: "view", valueEncoding: "view" });
  return { outpoints: sub("outpoints"), latest: sub("latest"), fees: sub("fees"), meta: sub("meta") };
}

export interface StoreTip {
  batchIndex: bigint;
  lastSeq: bigint;
}

export interface OpenOptions {
  /** Genesis allocation, applied once on a fresh store; on reopen it must match (or be omitted). */
  genesis?: Iterable<[Key, bigint]>;
  /** fsync every batch write (durability against power loss; atomicity holds either way). Default false. */
  sync?: boolean;
  /**
   * Keep the latest index and the fee-output index (what coordinators and the RPC read: `latest`, `feeOutputs`).
   * Default true. A verifier reads only outpoints (`view`, `versionAt`): without them a batch writes about a third
   * fewer records. A store once written without them says so (meta "no-index") and is refused with them.
   */
  indexes?: boolean;
}

/** A store that keeps no latest or fee index was asked for one. */
export class NoIndexError extends Error {
  constructor(what: string) {
    super(`this UTXO store keeps no ${what} index (opened with indexes: false)`);
    this.name = "NoIndexError";
  }
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

function outpointKey(kb: Uint8Array, seq: bigint): Uint8Array {
  const b = Buffer.allocUnsafe(61);
  b.set(kb, 0);
  b.writeBigUInt64BE(seq, 53);
  return b;
}

function encOut(tag: number, v: bigint): Uint8Array {
  const m = encMin(v);
  const b = Buffer.allocUnsafe(1 + m.length);
  b[0] = tag;
  b.set(m, 1);
  return b;
}

/** A tombstone that keeps the consumed outpoint's value. */
function encSpent(by: bigint, value: bigint): Uint8Array {
  const m = encMin(value);
  const b = Buffer.allocUnsafe(9 + m.length);
  b[0] = SPENT_KEPT;
  b.writeBigUInt64BE(by, 1);
  b.set(m, 9);
  return b;
}

/** Decodes an outpoint record: unspent value or spender (and, for a tombstone that keeps it, the value it had). */
function decOut(b: Uint8Array): Prior {
  if (b.length === 0) throw new Error("corrupt outpoint record");
  if (b[0] === UNSPENT) return { value: decMin(b.subarray(1)) };
  if (b[0] === SPENT) return { spentBy: decMin(b.subarray(1)) };
  if (b[0] === SPENT_KEPT && b.length >= 9) return { spentBy: Buffer.from(b.buffer, b.byteOffset, b.length).readBigUInt64BE(1), had: decMin(b.subarray(9)) };
  throw new Error("corrupt outpoint record");
}

/** A state the version index no longer has (tombstones written before it kept values). */
export class HistoryUnavailableError extends Error {
  constructor(readonly seq: bigint) {
    super(`state after seq ${seq} is not kept by this node (its store predates the version index)`);
    this.name = "HistoryUnavailableError";
  }
}

/** The fee-index key of the fee output (f, addr, seq) whose canonical key bytes are `kb`, if `kb` is that output's key. */
function feeKey(kb: Uint8Array, seq: bigint): Uint8Array | undefined {
  if (kb[20] !== MARK_FEE) return undefined;
  for (let i = 21; i < 45; i++) if (kb[i] !== 0) return undefined; // slot ≥ 2^64: not a seq
  const b = Buffer.allocUnsafe(28);
  b.set(kb.subarray(0, 20), 0);
  b.set(kb.subarray(45, 53), 20);
  return b.readBigUInt64BE(20) === seq ? b : undefined;
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
  /** A tombstone's value, if it keeps it. */
  had?: bigint;
}

const NONE: Prior = {};

/** The outpoints a batch names from before it, read ahead: the view the walk reads. */
class ReadAhead implements UtxoView {
  constructor(
    readonly lastSeq: bigint,
    private readonly known: Map<string, Outpoint>,
  ) {}

  outpoint(intx: bigint, key: Key): Outpoint {
    const id = outpointId(key, intx);
    // INVARIANT: the walk asks only for outpoints priorOutpoints named (read ahead).
    if (!this.known.has(id)) throw new Error(`outpoint ${intx} of a key was not read ahead`);
    return this.known.get(id);
  }
}


/** A data folder whose UTXO store belongs to another chain: the message says what to do. */
export class StoreMismatchError extends Error {}

export class LevelUtxoStore {
  private _tip: StoreTip | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private readonly s: Spaces;
  /**
   * The outpoints read ahead last, with the tip they were read at (the tip object, replaced by every write): a
   * verifier reads a batch's outpoints to check it (`view`), then applies it, which reads the same outpoints; they
   * are taken from here instead. Forgotten when the store writes. (Outpoint states are immutable values and
   * `Spent` objects, which the walk only reads.)
   */
  private lastRead: { tip: StoreTip | undefined; known: Map<string, Outpoint> } | undefined;

  private constructor(
    private readonly db: Db,
    tip: StoreTip | undefined,
    private readonly sync: boolean,
    private readonly indexes: boolean,
  ) {
    this._tip = tip;
    this.s = spacesOf(db);
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
      const sp = spacesOf(db);
      await moveLegacyLayout(db, sp);
      const stored = await sp.meta.get(META_GENESIS);
      const tipBytes = await sp.meta.get(META_TIP);
      const indexes = opts.indexes ?? true;
      if (stored === undefined) {
        if (tipBytes !== undefined) throw new Error("store has a tip but no genesis record: not a moveset UTXO store");
        const wb = db.batch();
        for (const e of entries) {
          wb.put(outpointKey(e.kb, 0n), encOut(UNSPENT, e.value), { sublevel: sp.outpoints });
          if (indexes) wb.put(e.kb, encLatest(0n, e.value), { sublevel: sp.latest });
        }
        if (!indexes) wb.put(META_NO_INDEX, Uint8Array.of(1), { sublevel: sp.meta });
        wb.put(META_GENESIS, concatBytes(Uint8Array.of(LAYOUT_VERSION), digest), { sublevel: sp.meta });
        await wb.write({ sync: true });
      } else {
        if (stored.length !== 33 || stored[0] !== LAYOUT_VERSION) throw new Error(`unknown store layout version ${stored[0]}`);
        if (opts.genesis !== undefined && Buffer.compare(Buffer.from(stored.subarray(1)), Buffer.from(digest)) !== 0)
          throw new StoreMismatchError(`the UTXO store at ${path} was created for another genesis allocation (another chain or deployment): pass another --datadir, or remove that folder to sync again`);
        const kept = (await sp.meta.get(META_NO_INDEX)) === undefined;
        // INVARIANT: indexes not kept by every batch are never read: such a store is not opened with them.
        if (indexes && !kept) throw new StoreMismatchError(`the UTXO store at ${path} keeps no latest or fee index (a verifier's store): remove that folder to sync it again`);
        // From here on the indexes are not kept: said first, so that they are never read stale.
        if (!indexes && kept) await db.batch().put(META_NO_INDEX, Uint8Array.of(1), { sublevel: sp.meta }).write({ sync: true });
      }
      return new LevelUtxoStore(db, tipBytes === undefined ? undefined : decTip(tipBytes), opts.sync ?? false, indexes);
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
    const v = await this.s.outpoints.get(outpointKey(keyBytes(key), intx));
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
    if (!this.indexes) throw new NoIndexError("latest");
    const v = await this.s.latest.get(keyBytes(key));
    return v === undefined ? { seq: 0n, value: 0n } : decLatest(v);
  }

  /**
   * The version of `key` after transaction `seq` (the state at the end of the block whose last seq
   * it is): the newest version created at or before `seq`, with its value; seq 0 and value 0 if
   * none (never written; genesis allocations are records). Throws HistoryUnavailableError if the
   * store no longer has that value, RangeError if `seq` is beyond the store's tip.
   */
  async versionAt(key: Key, seq: bigint): Promise<{ seq: bigint; value: bigint }> {
    checkSeq(seq);
    if (this.closed) throw new Error("store is closed");
    const last = this._tip?.lastSeq ?? 0n;
    if (seq > last) throw new RangeError(`seq ${seq} is beyond the store's last seq ${last}`);
    const kb = fastKeyBytes(key);
    for await (const [k, v] of this.s.outpoints.iterator({ gte: outpointKey(kb, 0n), lte: outpointKey(kb, seq), reverse: true, limit: 1 })) {
      const at = Buffer.from(k.buffer, k.byteOffset + 53, 8).readBigUInt64BE(0);
      const p = decOut(v);
      if (p.value !== undefined) return { seq: at, value: p.value };
      if (p.had !== undefined) return { seq: at, value: p.had };
      throw new HistoryUnavailableError(seq);
    }
    return { seq: 0n, value: 0n };
  }

  /**
   * The unspent fee outputs of `addr` (protocol.md §6.5): the seq that created each (its key's
   * slot) and its value, oldest first, at most `limit`.
   */
  async feeOutputs(addr: Uint8Array, limit: number): Promise<{ seq: bigint; value: bigint }[]> {
    if (!this.indexes) throw new NoIndexError("fee-output");
    if (addr.length !== 20) throw new RangeError(`address must be 20 bytes, got ${addr.length}`);
    const lo = Buffer.alloc(28);
    lo.set(addr, 0);
    const hi = Buffer.from(lo);
    hi.fill(0xff, 20);
    const out: { seq: bigint; value: bigint }[] = [];
    for await (const [k, v] of this.s.fees.iterator({ gte: lo, lte: hi, limit })) out.push({ seq: Buffer.from(k.buffer, k.byteOffset + 20, 8).readBigUInt64BE(0), value: decMin(v) });
    return out;
  }

  /**
   * What the outpoint records take (benchmarks): records and bytes (key and value), and the bytes the
   * tombstones spend on keeping their values for the version index (against a tombstone of the
   * consumer alone, 0x01 || spender(min)).
   */
  async outpointStats(): Promise<{ records: number; bytes: number; tombstones: number; historyBytes: number }> {
    let records = 0;
    let bytes = 0;
    let tombstones = 0;
    let historyBytes = 0;
    for await (const [k, v] of this.s.outpoints.iterator()) {
      records++;
      bytes += k.length + v.length;
      const p = decOut(v);
      if (p.had === undefined) continue;
      tombstones++;
      historyBytes += v.length - (1 + encMin(p.spentBy!).length);
    }
    return { records, bytes, tombstones, historyBytes };
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

  /**
   * A view of the store at its tip for a walk of `txs` (undefined entries skipped): every outpoint
   * from before them that they name, read ahead in one getMany. Serialized with applyBatch.
   */
  view(txs: Iterable<TxMoves | undefined>): Promise<UtxoView> {
    const run = this.queue.then(() => this.readAhead(txs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readAhead(txs: Iterable<TxMoves | undefined>): Promise<UtxoView> {
    if (this.closed) throw new Error("store is closed");
    const tip = this._tip;
    const base = tip?.lastSeq ?? 0n;
    const last = this.lastRead;
    const cached = last !== undefined && last.tip === tip ? last.known : undefined;
    // Exactly the outpoints named (the view refuses others), those read at this tip before taken as they were.
    const known = new Map<string, Outpoint>();
    const want: { id: string; intx: bigint; kb: Uint8Array }[] = [];
    for (const w of priorOutpoints(base, txs)) {
      const id = outpointId(w.key, w.intx);
      if (cached?.has(id)) known.set(id, cached.get(id));
      else want.push({ id, intx: w.intx, kb: fastKeyBytes(w.key) });
    }
    if (want.length > 0) {
      const vals = await this.s.outpoints.getMany(want.map((w) => outpointKey(w.kb, w.intx)));
      for (let j = 0; j < want.length; j++) {
        const v = vals[j];
        const p = v !== undefined ? decOut(v) : want[j].intx === 0n ? { value: 0n } : NONE; // implicit genesis
        known.set(want[j].id, p.spentBy !== undefined ? new Spent(p.spentBy) : p.value);
      }
    }
    // Kept only while nothing was written since the read (a write replaces the tip and clears it); the last read only.
    if (this._tip === tip) this.lastRead = { tip, known };
    return new ReadAhead(base, known);
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

    // The walk (core/walk.ts) over the outpoints read ahead, with the batch's effects in an overlay.
    const overlay = new UtxoOverlay(await this.readAhead(txs));
    const fault = walkSequential(overlay, txs);
    if (fault !== undefined) return fault;

    this.lastRead = undefined;
    // One atomic write (a native LevelDB WriteBatch, filled op by op). Each key is its sublevel's
    // (prefixKey), written through the root's batch: one atomic write across the sublevels, without
    // the per-operation delegation cost of the `sublevel` option.
    const wb = this.db.batch();
    const { outpoints, fees, latest, meta } = this.s;
    const indexes = this.indexes;
    // Key bytes once per move (the overlay keeps the moves as its keys).
    const kbs = new Map<Key, Buffer>();
    const kbOf = (k: Key) => {
      let kb = kbs.get(k);
      if (kb === undefined) kbs.set(k, (kb = fastKeyBytes(k)));
      return kb;
    };
    try {
      // Consumed outpoints become tombstones (also those created and consumed within the batch).
      for (const c of overlay.consumed()) {
        const kb = kbOf(c.key);
        wb.put(outpoints.prefixKey(outpointKey(kb, c.seq), "view"), encSpent(c.by, c.value));
        const f = indexes ? feeKey(kb, c.seq) : undefined; // a fee output swept
        if (f) wb.del(fees.prefixKey(f, "view"));
      }
      for (const c of overlay.created()) {
        const kb = kbOf(c.key);
        wb.put(outpoints.prefixKey(outpointKey(kb, c.seq), "view"), encOut(UNSPENT, c.value));
        const f = indexes && c.value !== 0n ? feeKey(kb, c.seq) : undefined; // a fee output created
        if (f) wb.put(fees.prefixKey(f, "view"), encMin(c.value));
      }
      if (indexes) for (const l of overlay.latest()) wb.put(latest.prefixKey(kbOf(l.key), "view"), encLatest(l.seq, l.value));
    } catch (e) {
      await wb.close();
      throw e;
    }
    const newTip: StoreTip = { batchIndex, lastSeq: last };
    try {
      wb.put(meta.prefixKey(META_TIP, "view"), encTip(newTip));
      await this.write(wb);
    } catch (e) {
      await wb.close().catch(() => undefined);
      throw e;
    }
    this._tip = newTip;
    return undefined;
  }
}

const MOVE_CHUNK = 10_000;

/**
 * Moves a layout-1 or layout-2 store (one-byte root prefixes) into the sublevels: the records in
 * chunks, each one atomic write that puts the new keys and deletes the old; the meta records last,
 * in one write with layout version 3, after a layout-1 store's fee index is built. A store that was
 * being moved when the process died has its old meta records still: the move goes on.
 */
async function moveLegacyLayout(db: Db, sp: Spaces): Promise<void> {
  const oldGenesis = Uint8Array.of(LEGACY.meta, ...META_GENESIS);
  const oldTip = Uint8Array.of(LEGACY.meta, ...META_TIP);
  const genesis = await db.get(oldGenesis);
  if (genesis === undefined) return;
  if (genesis.length !== 33 || (genesis[0] !== 0x01 && genesis[0] !== 0x02)) throw new Error(`unknown store layout version ${genesis[0]}`);
  for (const space of ["outpoints", "latest", "fees"] as const) {
    const prefix = LEGACY[space];
    for (;;) {
      const wb = db.batch();
      let n = 0;
      for await (const [k, v] of db.iterator({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1), limit: MOVE_CHUNK })) {
        wb.put(k.subarray(1), v, { sublevel: sp[space] });
        wb.del(k);
        n++;
      }
      if (n === 0) {
        await wb.close();
        break;
      }
      await wb.write({ sync: true });
    }
  }
  const wb = db.batch();
  if (genesis[0] === 0x01) {
    // Layout 1 had no fee index: built from the unspent outpoints.
    for await (const [k, v] of sp.outpoints.iterator()) {
      if (k.length !== 61 || v[0] !== UNSPENT) continue;
      const f = feeKey(k.subarray(0, 53), Buffer.from(k.buffer, k.byteOffset + 53, 8).readBigUInt64BE(0));
      const value = decMin(v.subarray(1));
      if (f && value !== 0n) wb.put(f, encMin(value), { sublevel: sp.fees });
    }
  }
  const tip = await db.get(oldTip);
  if (tip !== undefined) wb.put(META_TIP, tip, { sublevel: sp.meta });
  wb.put(META_GENESIS, concatBytes(Uint8Array.of(LAYOUT_VERSION), genesis.subarray(1)), { sublevel: sp.meta });
  wb.del(oldTip);
  wb.del(oldGenesis);
  await wb.write({ sync: true });
}
