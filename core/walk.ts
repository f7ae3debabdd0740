/**
 * The double-use walk (docs/protocol.md §8, "the critical path"): the only sequential step of
 * validation, written once here. Pure, no I/O.
 *
 * The rule, per move of the transaction at `seq` (useFault; the first that applies is the move's
 * fault, and within a transaction the lowest faulty move index is reported):
 *   1. `intx >= seq`                                  -> input "intx-not-before"
 *   2. outpoint (intx, key) already consumed          -> double-use "consumed" (consuming move) or
 *                                                        "reference-after-consume" (reference move),
 *                                                        `spentBy` = seq of the consumer
 *   3. outpoint (intx, key) never created             -> input "no-such-outpoint"
 *                                                        (for intx 0 the implicit genesis always exists)
 *   4. its value differs from `prev`                  -> input "prev-mismatch", `expected` = the value
 * A consuming move then consumes (intx, key) and creates (seq, key) = next; a reference move
 * changes nothing, so a later transaction may still consume or reference the same outpoint.
 *
 * The walk runs over a small interface, whatever holds the set: a UtxoView answers for the
 * outpoints before the walk (value, consumer, or never created) and a UtxoState also takes the
 * effects of a checked consuming move. MemoryUtxoSet (below) is both; the LevelDB store
 * (node/state/utxo-store.ts) gives a view of the outpoints a batch names, read ahead, and walks a
 * UtxoOverlay over it, which collects the batch's effects for one atomic write.
 *
 * Two walks, one rule:
 *   - walkTx / walkSequential: a transaction is applied atomically (on a fault nothing changes), its
 *     moves taken in index order against a state in which its earlier consuming moves have already
 *     consumed their outpoints (keys are unique per transaction by the structural rules, so this
 *     only fixes the verdict for malformed input); the walk stops at the first fault.
 *   - walkEvery (protocol.md §7.4, "every fault"): every transaction of a batch judged against the
 *     state its predecessors declare, going on past faulty ones (their moves applied as declared,
 *     the first consumer and the first creation of an outpoint counting), since the one-step proofs
 *     read posted data, not validity.
 * walkJoin computes walkSequential's verdict in any order, as a join, with the same rule.
 */
import { compareKeys, type Key } from "./keys";
import type { Move } from "./moves";

export type WalkFault =
  | { kind: "double-use"; seq: bigint; moveIndex: number; code: "consumed" | "reference-after-consume"; spentBy: bigint }
  | { kind: "input"; seq: bigint; moveIndex: number; code: "prev-mismatch"; expected: bigint }
  | { kind: "input"; seq: bigint; moveIndex: number; code: "no-such-outpoint" }
  | { kind: "input"; seq: bigint; moveIndex: number; code: "intx-not-before" };

export interface TxMoves {
  seq: bigint;
  moves: readonly Move[];
}

/** A consumed outpoint: `by` is the seq of the transaction that consumed it. */
export class Spent {
  constructor(readonly by: bigint) {}
}

/** What a set holds for one outpoint: its value if unspent, Spent if consumed, undefined if never created. */
export type Outpoint = bigint | Spent | undefined;

/** What the walk reads of a UTXO set. */
export interface UtxoView {
  /** Seq of the last transaction the view holds (0: genesis only). */
  readonly lastSeq: bigint;
  /**
   * The outpoint (intx, key), for intx ≤ lastSeq. Every key has the implicit genesis outpoint
   * (0, key), unspent with value 0 unless the allocation sets it or a transaction consumed it.
   */
  outpoint(intx: bigint, key: Key): Outpoint;
}

/**
 * What the walk reads and writes of a UTXO set. `find` gives a handle on a key's versions (`R`, the
 * set's own: a record, an id), which the walk passes back with the key; a handle stays valid while
 * the walk checks and applies one transaction.
 */
export interface UtxoState<R = unknown> {
  /** Seq of the last transaction applied (0: genesis only). */
  readonly lastSeq: bigint;
  find(key: Key): R;
  /** The outpoint (intx, key), for intx ≤ lastSeq (as UtxoView.outpoint). */
  outpointAt(r: R, key: Key, intx: bigint): Outpoint;
  /**
   * Applies a checked consuming move of transaction `seq`: consumes (intx, key), whose value is
   * `prev`, and creates (seq, key) = next.
   */
  spend(r: R, key: Key, intx: bigint, seq: bigint, next: bigint, prev: bigint): void;
  /** Transaction `seq` is applied: lastSeq becomes `seq`. */
  applied(seq: bigint): void;
}

// ---- the rule ------------------------------------------------------------------------------------

/** The fault of move `i` of transaction `seq` using outpoint (m.intx, m) whose state is `op`; undefined if none. */
export function useFault(seq: bigint, i: number, m: Move, op: Outpoint): WalkFault | undefined {
  if (m.intx >= seq) return { kind: "input", seq, moveIndex: i, code: "intx-not-before" };
  if (op instanceof Spent) return { kind: "double-use", seq, moveIndex: i, code: m.ref ? "reference-after-consume" : "consumed", spentBy: op.by };
  if (op === undefined) return { kind: "input", seq, moveIndex: i, code: "no-such-outpoint" };
  if (op !== m.prev) return { kind: "input", seq, moveIndex: i, code: "prev-mismatch", expected: op };
  return undefined;
}

// ---- the walk ------------------------------------------------------------------------------------

const THIS_TX = new Map<string, bigint>();
/** Handles of the moves of the transaction being walked (scratch). */
const HANDLES: unknown[] = [];

/**
 * The first fault of transaction `seq` against `state` (lowest move index), leaving each move's
 * handle in HANDLES. `own`: its earlier consuming moves count (the sequential walk); else every
 * move is judged against the state before the transaction (the every-fault walk, where a key used
 * twice in one transaction is its malformed fault, §4.3, and no proof names a transaction as its
 * own earlier consumer). `skip(intx)`: outpoints whose producer no proof can read are not judged
 * beyond rule 2.
 */
function txFault<R>(state: UtxoState<R>, seq: bigint, moves: readonly Move[], own: boolean, skip?: (intx: bigint) => boolean): WalkFault | undefined {
  // A transaction whose keys ascend strictly (every valid one) cannot use an outpoint twice; else its
  // consumed outpoints are tracked by id.
  let tracked = false;
  for (let i = 0; i < moves.length; i++) {
    const m = moves[i];
    if (m.intx >= seq) return useFault(seq, i, m, undefined);
    let op: Outpoint;
    if (own && (tracked || (i > 0 && compareKeys(moves[i - 1], m) >= 0))) {
      if (!tracked) {
        tracked = true;
        THIS_TX.clear();
        for (let j = 0; j < i; j++) if (!moves[j].ref) THIS_TX.set(outpointId(moves[j], moves[j].intx), seq);
      }
      const id = outpointId(m, m.intx);
      if (THIS_TX.has(id)) op = new Spent(seq);
      else if (!m.ref) THIS_TX.set(id, seq);
    }
    const r = state.find(m);
    HANDLES[i] = r;
    op ??= state.outpointAt(r, m, m.intx);
    if (skip !== undefined && !(op instanceof Spent) && skip(m.intx)) continue;
    const f = useFault(seq, i, m, op);
    if (f !== undefined) return f;
  }
  return undefined;
}

/** Applies the consuming moves of a transaction whose handles txFault left in HANDLES. */
function applyTxMoves<R>(state: UtxoState<R>, seq: bigint, moves: readonly Move[]): void {
  for (let i = 0; i < moves.length; i++) {
    const m = moves[i];
    if (!m.ref) state.spend(HANDLES[i] as R, m, m.intx, seq, m.next, m.prev);
  }
  state.applied(seq);
}

/**
 * Checks and applies one transaction atomically: on a fault nothing changes and the fault is
 * returned. The caller keeps seqs increasing.
 */
export function walkTx<R>(state: UtxoState<R>, seq: bigint, moves: readonly Move[]): WalkFault | undefined {
  const f = txFault(state, seq, moves, true);
  if (f === undefined) applyTxMoves(state, seq, moves);
  return f;
}

/** Sequential walk over txs in seq order; stops at the first fault (the state then holds every earlier tx). */
export function walkSequential<R>(state: UtxoState<R>, txs: Iterable<TxMoves>): WalkFault | undefined {
  for (const t of txs) {
    if (t.seq <= state.lastSeq) throw new RangeError(`seq ${t.seq} is not after the last applied seq ${state.lastSeq}`);
    const f = walkTx(state, t.seq, t.moves);
    if (f !== undefined) return f;
  }
  return undefined;
}

/**
 * Every walk fault of a batch (protocol.md §7.4): entry i is the first fault of the transaction at
 * seq `firstSeq + i` (`undefined` entry: it does not decode), judged against `view` and the moves
 * of the batch's earlier decodable transactions applied as declared, valid or not: each consuming
 * move consumes (the first consumer counts) and creates (the first creation counts). A use of an
 * outpoint whose producer is a transaction of this batch that does not decode is judged by rule 2
 * only: no proof can read that producer (its own malformed fault is reported). Writes nothing.
 */
export function walkEvery(view: UtxoView, firstSeq: bigint, txs: readonly (readonly Move[] | undefined)[]): (WalkFault | undefined)[] {
  const o = new UtxoOverlay(view);
  const skip = (intx: bigint) => intx >= firstSeq && intx - firstSeq < BigInt(txs.length) && txs[Number(intx - firstSeq)] === undefined;
  const out: (WalkFault | undefined)[] = new Array(txs.length).fill(undefined);
  for (let t = 0; t < txs.length; t++) {
    const moves = txs[t];
    if (moves === undefined) continue;
    const seq = firstSeq + BigInt(t);
    out[t] = txFault(o, seq, moves, false, skip);
    // Applied as declared, valid or not (a fault stopped txFault: the handles are found here).
    for (let i = 0; i < moves.length; i++) HANDLES[i] = o.find(moves[i]);
    applyTxMoves(o, seq, moves);
  }
  return out;
}

/** The outpoints before `lastSeq` that `txs` name (intx ≤ lastSeq, intx < the user's seq), each once: what a view must answer. */
export function priorOutpoints(lastSeq: bigint, txs: Iterable<TxMoves | undefined>): { intx: bigint; key: Key }[] {
  const seen = new Set<string>();
  const out: { intx: bigint; key: Key }[] = [];
  for (const t of txs) {
    if (t === undefined) continue;
    for (const m of t.moves) {
      if (m.intx >= t.seq || m.intx > lastSeq) continue;
      const id = outpointId(m, m.intx);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ intx: m.intx, key: m });
    }
  }
  return out;
}

// ---- the overlay ---------------------------------------------------------------------------------

/** A key and a version of it, as the overlay keeps them. */
export interface OutpointRecord {
  key: Key;
  seq: bigint;
}

/**
 * The effects of walked transactions over a base view (a batch over a store): consumed outpoints,
 * created ones and the newest version of each key. The first consumer and the first creation of an
 * outpoint count (only the every-fault walk applies moves that could overwrite either).
 */
export class UtxoOverlay implements UtxoView, UtxoState<string> {
  private readonly consumedBy = new Map<string, OutpointRecord & { by: bigint; value: bigint }>();
  private readonly createdAt = new Map<string, OutpointRecord & { value: bigint }>();
  private readonly newest = new Map<string, OutpointRecord & { value: bigint }>();
  private last: bigint;

  constructor(readonly base: UtxoView) {
    this.last = base.lastSeq;
  }

  get lastSeq(): bigint {
    return this.last;
  }

  find(key: Key): string {
    return keyStr(key);
  }

  outpoint(intx: bigint, key: Key): Outpoint {
    return this.outpointAt(keyStr(key), key, intx);
  }

  outpointAt(k: string, key: Key, intx: bigint): Outpoint {
    const id = k + "@" + intx.toString(36);
    const c = this.consumedBy.get(id);
    if (c !== undefined) return new Spent(c.by);
    if (intx <= this.base.lastSeq) return this.base.outpoint(intx, key);
    return this.createdAt.get(id)?.value;
  }

  spend(k: string, key: Key, intx: bigint, seq: bigint, next: bigint, prev: bigint): void {
    const used = k + "@" + intx.toString(36);
    if (!this.consumedBy.has(used)) this.consumedBy.set(used, { key, seq: intx, by: seq, value: prev });
    const made = k + "@" + seq.toString(36);
    if (!this.createdAt.has(made)) this.createdAt.set(made, { key, seq, value: next });
    this.newest.set(k, { key, seq, value: next });
  }

  applied(seq: bigint): void {
    this.last = seq;
  }

  /** Every outpoint it consumed, with its consumer and its value (those it created included). */
  consumed(): IterableIterator<OutpointRecord & { by: bigint; value: bigint }> {
    return this.consumedBy.values();
  }

  /** Outpoints it created and did not consume again, with their values. */
  *created(): IterableIterator<OutpointRecord & { value: bigint }> {
    for (const [id, c] of this.createdAt) if (!this.consumedBy.has(id)) yield c;
  }

  /** The newest version of each key it wrote. */
  latest(): IterableIterator<OutpointRecord & { value: bigint }> {
    return this.newest.values();
  }
}

/** A string id of a key: its address as ten 16-bit code units, its mark, its slot in base 32. */
function keyStr(k: Key): string {
  const a = k.addr;
  if (a.length !== 20) throw new RangeError(`address must be 20 bytes, got ${a.length}`);
  // prettier-ignore
  const s = String.fromCharCode(a[0] | (a[1] << 8), a[2] | (a[3] << 8), a[4] | (a[5] << 8), a[6] | (a[7] << 8), a[8] | (a[9] << 8),
    a[10] | (a[11] << 8), a[12] | (a[13] << 8), a[14] | (a[15] << 8), a[16] | (a[17] << 8), a[18] | (a[19] << 8), k.mark);
  return k.slot === 0n ? s : s + k.slot.toString(32);
}

/** A string id of outpoint (seq, k): unique per outpoint (a UtxoView may key its records by it). */
export function outpointId(k: Key, seq: bigint): string {
  return keyStr(k) + "@" + seq.toString(36);
}

// ---- numeric key hashing ------------------------------------------------------------------------
// Keys are looked up by a seeded 31-bit hash (a small-integer Map key, so no string is built per
// move). The address is kept as five 32-bit words in the record itself (no extra object to follow).
// Keys whose hashes collide share a bucket that is a Map by string id, so collisions, accidental or
// crafted, cost one string lookup, never a long chain.

const H64 = new BigUint64Array(1);
const H32 = new Uint32Array(H64.buffer);
const HASH_SEED = (Math.random() * 0x100000000) | 0;
// Address words of the key last hashed by keyHash (scratch, read right after the call).
let W0 = 0;
let W1 = 0;
let W2 = 0;
let W3 = 0;
let W4 = 0;

function slotHash(h: number, slot: bigint): number {
  let s = slot;
  do {
    H64[0] = s; // low 64 bits
    h = Math.imul(h ^ H32[0], 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h ^ H32[1], 0x85ebca77);
    h ^= h >>> 13;
    s >>= 64n;
  } while (s !== 0n);
  return h;
}

/** Hash of (mark, addr, slot); leaves the address words in W0..W4. */
function keyHash(mark: number, a: Uint8Array, slot: bigint): number {
  if (a.length !== 20) throw new RangeError(`address must be 20 bytes, got ${a.length}`);
  if ((mark & 0xff) !== mark) throw new RangeError(`mark ${mark} is not a byte`);
  if (slot < 0n) throw new RangeError("negative slot");
  W0 = a[0] | (a[1] << 8) | (a[2] << 16) | (a[3] << 24);
  W1 = a[4] | (a[5] << 8) | (a[6] << 16) | (a[7] << 24);
  W2 = a[8] | (a[9] << 8) | (a[10] << 16) | (a[11] << 24);
  W3 = a[12] | (a[13] << 8) | (a[14] << 16) | (a[15] << 24);
  W4 = a[16] | (a[17] << 8) | (a[18] << 16) | (a[19] << 24);
  let h = HASH_SEED ^ Math.imul(mark, 0x01000193);
  h = Math.imul(h ^ W0, 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h ^ W1, 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h ^ W2, 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h ^ W3, 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h ^ W4, 0xcc9e2d51);
  h ^= h >>> 15;
  if (slot !== 0n) h = slotHash(h, slot);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >> 1;
}

/** A table entry: the key as mark, address words and slot. */
abstract class KeyEntry {
  readonly a0 = W0;
  readonly a1 = W1;
  readonly a2 = W2;
  readonly a3 = W3;
  readonly a4 = W4;
  /** Must be constructed right after keyHash() of the same key (takes the address words from it). */
  constructor(
    readonly h: number,
    readonly mark: number,
    readonly slot: bigint,
  ) {}

  /** Same key as the one last hashed (W0..W4) with this mark and slot? */
  isLastHashed(mark: number, slot: bigint): boolean {
    return this.a0 === W0 && this.a1 === W1 && this.a2 === W2 && this.a3 === W3 && this.a4 === W4 && this.mark === mark && this.slot === slot;
  }

  /** Unique string id, used only inside collided buckets. */
  id(): string {
    const a0 = this.a0, a1 = this.a1, a2 = this.a2, a3 = this.a3, a4 = this.a4; // prettier-ignore
    // prettier-ignore
    const s = String.fromCharCode(a0 & 0xffff, a0 >>> 16, a1 & 0xffff, a1 >>> 16, a2 & 0xffff, a2 >>> 16,
      a3 & 0xffff, a3 >>> 16, a4 & 0xffff, a4 >>> 16, this.mark);
    return this.slot === 0n ? s : s + this.slot.toString(32);
  }
}

function lastHashedId(mark: number, slot: bigint): string {
  // prettier-ignore
  const s = String.fromCharCode(W0 & 0xffff, W0 >>> 16, W1 & 0xffff, W1 >>> 16, W2 & 0xffff, W2 >>> 16,
    W3 & 0xffff, W3 >>> 16, W4 & 0xffff, W4 >>> 16, mark);
  return slot === 0n ? s : s + slot.toString(32);
}

/** Hash table of per-key records. */
class KeyTable<E extends KeyEntry> {
  private readonly buckets = new Map<number, E | Map<string, E>>();
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Finds the key last hashed by keyHash (which returned `h`). */
  findLastHashed(h: number, mark: number, slot: bigint): E | undefined {
    const b = this.buckets.get(h);
    if (b === undefined) return undefined;
    if (b instanceof Map) return b.get(lastHashedId(mark, slot));
    return b.isLastHashed(mark, slot) ? b : undefined;
  }

  find(mark: number, addr: Uint8Array, slot: bigint): E | undefined {
    return this.findLastHashed(keyHash(mark, addr, slot), mark, slot);
  }

  /** Adds `e`, which must not be present. */
  insert(e: E): void {
    const h = e.h;
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, e);
    else if (b instanceof Map) b.set(e.id(), e);
    else {
      const m = new Map<string, E>();
      m.set(b.id(), b);
      m.set(e.id(), e);
      this.buckets.set(h, m);
    }
    this.n++;
  }

  remove(e: E): void {
    const h = e.h;
    const b = this.buckets.get(h);
    if (b === undefined) return;
    if (b instanceof Map) {
      if (b.delete(e.id())) this.n--;
      if (b.size === 0) this.buckets.delete(h);
    } else if (b === e) {
      this.buckets.delete(h);
      this.n--;
    }
  }

  /** Number of buckets holding more than one key (hash collisions). */
  get collided(): number {
    let c = 0;
    for (const b of this.buckets.values()) if (b instanceof Map) c++;
    return c;
  }

  *values(): IterableIterator<E> {
    for (const b of this.buckets.values()) {
      if (b instanceof Map) yield* b.values();
      else yield b;
    }
  }
}

// ---- the in-memory set --------------------------------------------------------------------------

/** Per-key record: the unspent version; the spent ones are a chain in the set's spent log. */
class KeyState extends KeyEntry {
  /** Log entry of the newest spent version, or -1. */
  histTail = -1;
  constructor(
    h: number,
    mark: number,
    slot: bigint,
    /** Seq of the unspent version. */
    public seq: bigint,
    /** Its value. */
    public value: bigint,
  ) {
    super(h, mark, slot);
  }
}

/**
 * Spent tombstones as an append-only log (sequential writes, no per-key array): entry e holds the
 * seq of a spent version (log[2e]) and the entry of the same key's previous spent version
 * (log[2e+1], -1 for none). Seqs must stay below 2^53.
 */
class SpentLog {
  log = new Float64Array(1 << 12);
  n = 0;

  append(versionSeq: number, prevEntry: number): number {
    let log = this.log;
    const e = this.n++;
    if (2 * e + 2 > log.length) {
      const bigger = new Float64Array(log.length * 2);
      bigger.set(log);
      this.log = log = bigger;
    }
    log[2 * e] = versionSeq;
    log[2 * e + 1] = prevEntry;
    return e;
  }

  /**
   * Seq of the tx that consumed version `intx` of this key, or undefined if `intx` is not a spent
   * version of it. Walks the key's chain from the newest spent version back to `intx`: the cost is
   * the number of versions newer than `intx` (only faulty uses get here).
   */
  spender(st: KeyState, intx: bigint): bigint | undefined {
    const want = Number(intx);
    const log = this.log;
    let succ = -1; // -1: the unspent version is the successor
    for (let e = st.histTail; e >= 0; e = log[2 * e + 1]) {
      const v = log[2 * e];
      if (v === want) return succ < 0 ? st.seq : BigInt(succ);
      if (v < want) return undefined;
      succ = v;
    }
    return undefined;
  }

  clone(): SpentLog {
    const c = new SpentLog();
    c.log = this.log.slice();
    c.n = this.n;
    return c;
  }
}

const MAX_SEQ = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * In-memory UTXO set with spent tombstones (a UtxoState).
 *
 * Representation. Every consuming move consumes the one unspent version of its key and creates the
 * next one, and every key starts with exactly one version (genesis, seq 0). So each key has exactly
 * one unspent outpoint at any time (the UTXO set coincides with the latest index), and its spent
 * versions form a chain in which each version was consumed by the transaction that created the
 * next. The set keeps, per key, the unspent (seq, value) and a link into an append-only log of
 * spent versions (SpentLog); that chain is the spent-tombstone index (outpoint -> spender seq) in
 * compact form. Records are found by a seeded numeric hash of the key (KeyTable), so the hot path
 * builds no strings and allocates nothing per move; a key never written has no record (a
 * reference to it makes none).
 */
export class MemoryUtxoSet implements UtxoView, UtxoState<KeyState | undefined> {
  private readonly keys = new KeyTable<KeyState>();
  private spent = new SpentLog();
  private _lastSeq = 0n;

  /** `genesis`: the allocation, i.e. outpoints (0, key) with nonzero values. Zero values are implicit. */
  constructor(genesis?: Iterable<[Key, bigint]>) {
    if (genesis === undefined) return;
    const zero: KeyState[] = [];
    for (const [k, v] of genesis) {
      if (v < 0n) throw new RangeError("negative genesis value");
      const h = keyHash(k.mark, k.addr, k.slot);
      if (this.keys.findLastHashed(h, k.mark, k.slot) !== undefined) throw new RangeError("duplicate key in genesis allocation");
      const st = new KeyState(h, k.mark, k.slot, 0n, v);
      this.keys.insert(st);
      if (v === 0n) zero.push(st); // kept until the end so that duplicates are caught, then dropped
    }
    for (const st of zero) this.keys.remove(st);
  }

  /** Seq of the last applied transaction (0 before any). Transactions must come with strictly increasing seqs. */
  get lastSeq(): bigint {
    return this._lastSeq;
  }

  /** Number of explicit unspent outpoints (keys written at least once, plus nonzero genesis allocations). */
  get size(): number {
    return this.keys.size;
  }

  /** Number of spent tombstones (consumed outpoints). */
  get spentCount(): number {
    return this.spent.n;
  }

  private state(key: Key): KeyState | undefined {
    return this.keys.find(key.mark, key.addr, key.slot);
  }

  find(key: Key): KeyState | undefined {
    return this.keys.find(key.mark, key.addr, key.slot);
  }

  outpoint(intx: bigint, key: Key): Outpoint {
    return this.outpointAt(this.state(key), key, intx);
  }

  outpointAt(st: KeyState | undefined, _key: Key, intx: bigint): Outpoint {
    if (st === undefined) return intx === 0n ? 0n : undefined;
    if (st.seq === intx) return st.value;
    const by = intx < st.seq ? this.spent.spender(st, intx) : undefined;
    return by === undefined ? undefined : new Spent(by);
  }

  spend(st: KeyState | undefined, key: Key, intx: bigint, seq: bigint, next: bigint): void {
    // (All spends of a transaction have its seq: the first one throws before anything changes.)
    if (seq > MAX_SEQ) throw new RangeError(`seq ${seq} is beyond 2^53`);
    if (st === undefined) {
      st = new KeyState(keyHash(key.mark, key.addr, key.slot), key.mark, key.slot, 0n, 0n);
      this.keys.insert(st);
    }
    if (st.seq !== intx) throw new Error(`spend of version ${intx}, the unspent version is ${st.seq}`);
    st.histTail = this.spent.append(Number(st.seq), st.histTail);
    st.seq = seq;
    st.value = next;
  }

  applied(seq: bigint): void {
    this._lastSeq = seq;
  }

  /** Value of the unspent outpoint (intx, key), implicit genesis included; undefined if spent or never created. */
  get(intx: bigint, key: Key): bigint | undefined {
    const op = this.outpoint(intx, key);
    return typeof op === "bigint" ? op : undefined;
  }

  /** Seq of the transaction that consumed outpoint (intx, key), or undefined if it is unspent or never existed. */
  spentBy(intx: bigint, key: Key): bigint | undefined {
    const op = this.outpoint(intx, key);
    return op instanceof Spent ? op.by : undefined;
  }

  /** Newest version of the key (its one unspent outpoint); genesis is seq 0. */
  latest(key: Key): { seq: bigint; value: bigint } {
    const st = this.state(key);
    return st === undefined ? { seq: 0n, value: 0n } : { seq: st.seq, value: st.value };
  }

  /** A deep copy. */
  clone(): MemoryUtxoSet {
    const c = new MemoryUtxoSet();
    for (const st of this.keys.values()) {
      W0 = st.a0;
      W1 = st.a1;
      W2 = st.a2;
      W3 = st.a3;
      W4 = st.a4;
      const n = new KeyState(st.h, st.mark, st.slot, st.seq, st.value);
      n.histTail = st.histTail;
      c.keys.insert(n);
    }
    c.spent = this.spent.clone();
    c._lastSeq = this._lastSeq;
    return c;
  }

  /** Diagnostics: number of hash buckets holding several keys (tests use it). */
  hashCollisions(): number {
    return this.keys.collided;
  }

  /**
   * Checks and applies one transaction atomically (walkTx): on a fault nothing changes and the
   * fault is returned. Throws RangeError if `seq` is not greater than the last applied seq, or not
   * below 2^53 (caller bugs, not faults of the transaction).
   */
  applyTx(seq: bigint, moves: readonly Move[]): WalkFault | undefined {
    if (seq <= this._lastSeq) throw new RangeError(`seq ${seq} is not after the last applied seq ${this._lastSeq}`);
    if (seq > MAX_SEQ) throw new RangeError(`seq ${seq} is beyond 2^53`);
    return walkTx(this, seq, moves);
  }
}

// ---- the join ------------------------------------------------------------------------------------

/** (seq, moveIndex) of a use, ordered lexicographically. */
interface UseAt {
  seq: bigint;
  idx: number;
}

function before(a: UseAt, seq: bigint, idx: number): boolean {
  return a.seq < seq || (a.seq === seq && a.idx < idx);
}

/** Per-key record of the join. */
class JoinRec extends KeyEntry {
  /** The key (the first move naming it). */
  key!: Key;
  /** Outputs of the walked txs: producer seq -> value. */
  outs: Map<bigint, bigint> | undefined = undefined;
  /** First consumer, in (seq, moveIndex) order, of each version intx of this key. */
  cons: Map<bigint, UseAt> | undefined = undefined;
}

/**
 * Any-order form of walkSequential, computed as a join with the same rule (useFault); does not
 * modify `view`. `txs` may be given in any order (seqs distinct and greater than `view.lastSeq`,
 * else RangeError).
 *
 * Pass 1 (any order) collects, per key, the outputs every consuming move produces, (seq, key) ->
 * next, and for every outpoint its first consumer in (seq, moveIndex) order. Pass 2 (any order; it
 * runs in reverse) judges every use on its own: it sees the state as if all earlier transactions
 * had been applied, which is exactly the sequential walk's state for every transaction up to the
 * first faulty one. The verdict is the use fault with the least (seq, moveIndex), so it equals the
 * verdict of walkSequential on a copy of the set.
 */
export function walkJoin(view: UtxoView, txs: readonly TxMoves[]): WalkFault | undefined {
  const base = view.lastSeq;
  const seen = new Set<bigint>();
  for (const t of txs) {
    if (t.seq <= base) throw new RangeError(`seq ${t.seq} is not after the set's last applied seq ${base}`);
    if (seen.has(t.seq)) throw new RangeError(`seq ${t.seq} appears twice`);
    seen.add(t.seq);
  }

  // Pass 1: outputs and first consumers.
  const table = new KeyTable<JoinRec>();
  const recs: JoinRec[][] = new Array(txs.length);
  for (let ti = 0; ti < txs.length; ti++) {
    const { seq, moves } = txs[ti];
    const tr: JoinRec[] = new Array(moves.length);
    recs[ti] = tr;
    for (let i = 0; i < moves.length; i++) {
      const m = moves[i];
      const h = keyHash(m.mark, m.addr, m.slot);
      let r = table.findLastHashed(h, m.mark, m.slot);
      if (r === undefined) {
        r = new JoinRec(h, m.mark, m.slot);
        r.key = m;
        table.insert(r);
      }
      tr[i] = r;
      if (m.ref) continue;
      // (Two consuming moves of one key in one tx always fault, so which output is kept is moot.)
      (r.outs ??= new Map()).set(seq, m.next);
      const cons = (r.cons ??= new Map());
      const c = cons.get(m.intx);
      if (c === undefined || seq < c.seq || (seq === c.seq && i < c.idx)) cons.set(m.intx, { seq, idx: i });
    }
  }

  // Pass 2: judge each use independently; keep the least (seq, moveIndex).
  let best: WalkFault | undefined;
  for (let ti = txs.length - 1; ti >= 0; ti--) {
    const { seq, moves } = txs[ti];
    if (best !== undefined && seq > best.seq) continue;
    const tr = recs[ti];
    for (let i = 0; i < moves.length; i++) {
      if (best !== undefined && best.seq === seq && best.moveIndex <= i) break; // cannot beat it
      const m = moves[i];
      const r = tr[i];
      let op: Outpoint;
      if (m.intx < seq) {
        op = m.intx <= base ? view.outpoint(m.intx, r.key) : r.outs?.get(m.intx);
        const c = r.cons?.get(m.intx);
        if (!(op instanceof Spent) && c !== undefined && before(c, seq, i)) op = new Spent(c.seq);
      }
      const f = useFault(seq, i, m, op);
      if (f !== undefined) {
        best = f; // (seq, i) is below best here: earlier seq, or same seq and lower index
        break; // later moves of this tx have higher indices
      }
    }
  }
  return best;
}
