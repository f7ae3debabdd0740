/**
 * The stepper's machine: the state of docs/step-machine.md §3 held in concrete, persistent
 * structures (key table, SMTs and World are immutable values; memories are copy-on-write pages;
 * stacks are shared linked lists), so a checkpoint is a cheap copy and hashes are computed only
 * when asked for. With a `Recorder` attached, every item a step reads is written out as the step
 * runs: that is how proofs are made (core/step/proof.ts).
 */
import { Mem, MachineLimitError } from "./mem";
import { FixedTree } from "./tree";
import { ConsStack, type Stack } from "./stack";
import { KeyTable, KEY_CAPACITY, cmpKey, entryHash, type Entry } from "./keytable";
import { smtGet, smtHash, smtItem, smtSet, type Smt, type SmtItem } from "./smt";
import { Hasher, ALGO_KECCAK, ALGO_RIPEMD160, ALGO_SHA256 } from "./hashers";
import { H, MASK_248, ZERO, addrHex, bytesWord, keccakWords, tag } from "./words";
import { keyIdOf } from "../keys";
import { Ctx, Frame, P, Pending, Status, TXC_FIELDS, Terminate, pendingHash, txcHash, type CodeInfo, type Host, type Ref, type Tree, type Txc, type WorldRef } from "./types";

export class World {
  private h?: bigint;
  constructor(
    readonly keys: KeyTable,
    readonly warm: Smt,
    readonly tstore: Smt,
    readonly refund: bigint,
    readonly feeVault: bigint,
    readonly wdVault: bigint,
  ) {}

  with(c: Partial<{ keys: KeyTable; warm: Smt; tstore: Smt; refund: bigint; feeVault: bigint; wdVault: bigint }>): World {
    return new World(c.keys ?? this.keys, c.warm !== undefined ? c.warm : this.warm, c.tstore !== undefined ? c.tstore : this.tstore, c.refund ?? this.refund, c.feeVault ?? this.feeVault, c.wdVault ?? this.wdVault);
  }

  fields(): bigint[] {
    return [this.keys.root(), smtHash(this.warm), smtHash(this.tstore), this.refund, this.feeVault, this.wdVault];
  }

  hash(): bigint {
    if (this.h === undefined) this.h = H("world", ...this.fields());
    return this.h;
  }
}

interface ParentCell {
  readonly frame: Frame;
  readonly below: ParentCell | null;
  h?: bigint;
}

export function parentsHash(c: ParentCell | null): bigint {
  if (c === null) return tag("parents");
  if (c.h === undefined) c.h = keccakWords(parentsHash(c.below), c.frame.hash());
  return c.h;
}

/** The state hash: status in the top byte (§3). */
export function stateHash(status: number, fields: bigint[]): bigint {
  return (BigInt(status) << 248n) | (H("state", BigInt(status), ...fields) & MASK_248);
}

/** The terminal state of `status` (§7): everything but the status and TxConst is ZERO. */
export function terminalHash(status: number, txc: bigint): bigint {
  return stateHash(status, [txc, ZERO, ZERO, ZERO, ZERO, ZERO]);
}

/** Where the code registry and the availability of code come from. */
export interface CodeSource {
  /** Code by hash, if the registry holds it (witness blobs, earlier witnesses, initcode, created code). */
  get(h: bigint): CodeInfo | undefined;
  /** Whether `h` is available to T by a carrier (its witness or an earlier transaction's, protocol.md §6.2). */
  carried(h: bigint): boolean;
  /** Adds code learnt during execution (initcode, created code) to the registry. */
  add(h: bigint, code: Uint8Array): void;
}

/** Proof recording: the words of one step's proof, and what it revealed already. */
export class Recorder {
  words: bigint[] = [];
  revealed = new Set<unknown>();
  emit(...ws: bigint[]): void {
    for (const w of ws) this.words.push(w);
  }
  once(key: unknown): boolean {
    if (this.revealed.has(key)) return false;
    this.revealed.add(key);
    return true;
  }
}

/** Words of a fixed-depth opening: value, mask, non-ZERO siblings (§2.1). */
export function openingWords(value: bigint, siblings: readonly bigint[]): bigint[] {
  let mask = 0n;
  const rest: bigint[] = [];
  siblings.forEach((s, l) => {
    if (s === 0n) mask |= 1n << BigInt(l);
    else rest.push(s);
  });
  return [value, mask, ...rest];
}

export function entryWords(e: Entry | null): bigint[] {
  if (e === null) return [0n];
  return [1n, e.addr, BigInt(e.mark), e.slot, e.prev, e.next, e.cur, e.flags];
}

export function smtItemWords(it: SmtItem): bigint[] {
  const out = [BigInt(it.d), it.term ? 1n : 0n];
  if (it.term) out.push(it.term.k, it.term.v);
  out.push(...it.siblings);
  return out;
}

export class Machine implements Host {
  status_ = Status.Running as number;
  rec: Recorder | null = null;
  /** When set, the ids (core/keys.ts keyIdOf) of the keys the machine reads or writes. */
  trackAccess: Set<string> | null = null;
  lazyHash: boolean;

  constructor(
    readonly txcv: Txc,
    public world: World,
    public frame_: Frame | null,
    public parents: ParentCell | null,
    public pending_: Pending | null,
    public created: Smt,
    readonly codes: CodeSource,
    readonly data: Mem,
    readonly blobList: bigint[],
    readonly aclItems: { isSlot: boolean; addr: bigint; slot: bigint }[],
    readonly aclTree: FixedTree | null,
    lazy = true,
  ) {
    this.lazyHash = lazy;
  }

  private txcHashMemo?: bigint;
  txcHash(): bigint {
    if (this.txcHashMemo === undefined) this.txcHashMemo = txcHash(this.txcv);
    return this.txcHashMemo;
  }

  // ---- checkpoints and hashes -------------------------------------------------------------

  /** A copy that evolves independently (memories forked copy-on-write, the rest shared or copied). */
  clone(): Machine {
    const mapFrame = (f: Frame): Frame => new Frame(f.ctx, f.stage, f.result, f.codeHash, f.codeSize, f.pc, f.gas, (f.stack as ConsStack).clone(), (f.mem as Mem).fork(), f.memSize, f.rd, f.outOffset, f.outLength);
    const cells: Frame[] = [];
    for (let c = this.parents; c !== null; c = c.below) cells.push(c.frame);
    let parents: ParentCell | null = null;
    for (let i = cells.length - 1; i >= 0; i--) parents = { frame: mapFrame(cells[i]), below: parents };
    const m = new Machine(this.txcv, this.world, this.frame_ ? mapFrame(this.frame_) : null, parents, this.pending_ ? this.pending_.clone() : null, this.created, this.codes, this.data, this.blobList, this.aclItems, this.aclTree, this.lazyHash);
    m.status_ = this.status_;
    m.txcHashMemo = this.txcHashMemo;
    return m;
  }

  /** The pending operation with its hash state materialized (for hashing and proofs). */
  private materialized(p: Pending): bigint[] {
    if (p.h !== undefined) return p.h;
    const st = this.replayHasher(p);
    p.h = st.words();
    return p.h;
  }

  private replayHasher(p: Pending): Hasher {
    const algo = p.kind === P.Sha256 ? ALGO_SHA256 : p.kind === P.Ripemd160 ? ALGO_RIPEMD160 : ALGO_KECCAK;
    const f = this.frame_!;
    const src = p.kind === P.PrecompileIn || p.kind === P.Sha256 || p.kind === P.Ripemd160 ? ((f.ctx as Ctx).cd.tree as Mem) : (f.mem as Mem);
    const st = new Hasher(algo);
    const base = Number(p.a[0]);
    const done = p.a[3] === 1n;
    const n = done ? Number(p.a[1]) : Number(p.a[2]);
    st.absorb(src.read(base, n));
    if (done) st.finalize();
    return st;
  }

  stateFields(): bigint[] {
    return [this.txcHash(), this.world.hash(), this.frame_ ? this.frame_.hash() : ZERO, parentsHash(this.parents), this.pending_ ? pendingHash(this.pending_, this.materialized(this.pending_)) : ZERO, smtHash(this.created)];
  }

  hash(): bigint {
    if (this.status_ !== Status.Running) return terminalHash(this.status_, this.txcHash());
    return stateHash(0, this.stateFields());
  }

  /** Depth of the current frame, or -1 outside execution. */
  depth(): number {
    return this.frame_ ? (this.frame_.ctx as Ctx).depth : -1;
  }

  // ---- Host ------------------------------------------------------------------------------

  status(): number {
    return this.status_;
  }

  terminate(status: number): void {
    this.status_ = status;
    this.frame_ = null;
    this.parents = null;
    this.pending_ = null;
  }

  txc(): Txc {
    if (this.rec && this.rec.once("txc")) this.rec.emit(...TXC_FIELDS.map((k) => this.txcv[k]));
    return this.txcv;
  }

  blobs(): bigint[] {
    this.txc();
    if (this.rec && this.rec.once("blobs")) this.rec.emit(BigInt(this.blobList.length), ...this.blobList);
    return this.blobList;
  }

  private revealWorld(): void {
    if (this.rec && this.rec.once("world")) this.rec.emit(...this.world.fields());
  }

  refund(): bigint {
    this.revealWorld();
    return this.world.refund;
  }

  setRefund(v: bigint): void {
    this.revealWorld();
    this.world = this.world.with({ refund: v });
  }

  vault(which: 0 | 1): bigint {
    this.revealWorld();
    return which === 0 ? this.world.feeVault : this.world.wdVault;
  }

  setVault(which: 0 | 1, v: bigint): void {
    this.revealWorld();
    this.world = this.world.with(which === 0 ? { feeVault: v } : { wdVault: v });
  }

  private emitEntry(keys: KeyTable, i: number): void {
    const e = keys.get(i);
    const sib = keys.siblings(i);
    const ow = openingWords(0n, sib);
    this.rec!.emit(...entryWords(e), ...ow.slice(1));
  }

  /** Emits a KEY item for (a, m, s) against the current table; returns the position if declared. */
  private keyItem(a: bigint, m: number, s: bigint): number {
    const keys = this.world.keys;
    const found = keys.index.find(a, m, s);
    if (!this.rec) return found;
    const pos = found >= 0 ? found : keys.index.lowerBound(a, m, s);
    this.rec.emit(BigInt(pos));
    if (pos < KEY_CAPACITY) this.emitEntry(keys, pos);
    if (found < 0 && pos > 0) this.emitEntry(keys, pos - 1);
    return found;
  }

  private note(a: bigint, m: number, s: bigint): void {
    this.trackAccess!.add(keyIdOf(addrHex(a), m, s));
  }

  keyRead(a: bigint, m: number, s: bigint): Entry | null {
    this.revealWorld();
    const i = this.keyItem(a, m, s);
    if (this.trackAccess && i >= 0) this.note(a, m, s);
    return i < 0 ? null : this.world.keys.get(i);
  }

  keyWrite(a: bigint, m: number, s: bigint, cur: bigint, flags: bigint): void {
    this.revealWorld();
    const i = this.keyItem(a, m, s);
    if (i < 0) throw new Terminate(Status.UndeclaredKey);
    if (this.trackAccess) this.note(a, m, s);
    const e = this.world.keys.get(i)!;
    if (e.cur === cur && e.flags === flags) return;
    this.world = this.world.with({ keys: this.world.keys.set(i, { addr: e.addr, mark: e.mark, slot: e.slot, prev: e.prev, next: e.next, cur, flags }) });
  }

  entryAt(i: number): Entry | null {
    this.revealWorld();
    if (this.rec) this.emitEntry(this.world.keys, i);
    return this.world.keys.get(i);
  }

  entryWrite(i: number, cur: bigint): void {
    this.revealWorld();
    if (this.rec) this.emitEntry(this.world.keys, i);
    const e = this.world.keys.get(i)!;
    if (this.trackAccess) this.note(e.addr, e.mark, e.slot);
    this.world = this.world.with({ keys: this.world.keys.set(i, { addr: e.addr, mark: e.mark, slot: e.slot, prev: e.prev, next: e.next, cur, flags: e.flags }) });
  }

  warmTouch(k: bigint): boolean {
    this.revealWorld();
    if (this.rec) this.rec.emit(...smtItemWords(smtItem(this.world.warm, k)));
    if (smtGet(this.world.warm, k) !== undefined) return true;
    this.world = this.world.with({ warm: smtSet(this.world.warm, k, 1n) });
    return false;
  }

  tload(k: bigint): bigint {
    this.revealWorld();
    if (this.rec) this.rec.emit(...smtItemWords(smtItem(this.world.tstore, k)));
    return smtGet(this.world.tstore, k) ?? 0n;
  }

  tstore(k: bigint, v: bigint): void {
    this.revealWorld();
    if (this.rec) this.rec.emit(...smtItemWords(smtItem(this.world.tstore, k)));
    this.world = this.world.with({ tstore: smtSet(this.world.tstore, k, v) });
  }

  createdHas(h: bigint): boolean {
    if (this.rec) this.rec.emit(...smtItemWords(smtItem(this.created, h)));
    return smtGet(this.created, h) !== undefined;
  }

  createdAdd(h: bigint): void {
    if (this.rec) this.rec.emit(...smtItemWords(smtItem(this.created, h)));
    this.created = smtSet(this.created, h, 1n);
  }

  worldRef(): WorldRef {
    return this.world;
  }

  restoreWorld(w: WorldRef): void {
    this.world = w as World;
    if (this.rec) this.rec.revealed.delete("world");
  }

  frame(): Frame | null {
    const f = this.frame_;
    if (f && this.rec && this.rec.once(f)) this.rec.emit(f.ctxHash(), ...f.fields());
    return f;
  }

  ctx(): Ctx {
    const f = this.frame()!;
    const c = f.ctx as Ctx;
    if (this.rec && this.rec.once(c)) this.rec.emit(...c.fields());
    return c;
  }

  /** A frame made in this step is known to the verifier already: it reads nothing for it. */
  private fresh(f: Frame | null): void {
    if (f && this.rec) {
      this.rec.revealed.add(f);
      this.rec.revealed.add(f.ctx);
    }
  }

  setFrame(f: Frame | null): void {
    this.fresh(f);
    this.frame_ = f;
  }

  pushFrame(child: Frame): void {
    this.fresh(child);
    this.parents = { frame: this.frame_!, below: this.parents };
    this.frame_ = child;
  }

  popFrame(): Frame {
    const cell = this.parents!;
    const p = cell.frame;
    if (this.rec) {
      this.rec.emit(p.ctxHash(), ...p.fields(), parentsHash(cell.below));
      this.rec.revealed.add(p);
    }
    this.parents = cell.below;
    this.frame_ = p;
    return p;
  }

  pending(): Pending | null {
    const p = this.pending_;
    if (p && this.rec && this.rec.once("pending")) this.rec.emit(BigInt(p.kind), ...p.a, ...this.materialized(p));
    return p;
  }

  setPending(p: Pending | null): void {
    this.pending_ = p;
  }

  aclItem(i: number): { isSlot: boolean; addr: bigint; slot: bigint } {
    const it = this.aclItems[i];
    if (this.rec) this.rec.emit(it.isSlot ? 1n : 0n, it.addr, it.slot, ...openingWords(0n, this.aclTree!.siblings(i)).slice(1));
    return it;
  }

  input(_digest: bigint, length: number): Uint8Array {
    const p = this.pending_!;
    const f = this.frame_!;
    const cd = (f.ctx as Ctx).cd;
    const b = (cd.tree as Mem).read(Number(p.a[0]), length);
    if (this.rec) {
      this.rec.emit(BigInt(length));
      for (let i = 0; i < length; i += 32) {
        const w = new Uint8Array(32);
        w.set(b.subarray(i, i + 32));
        this.rec.emit(bytesWord(w));
      }
    }
    return b;
  }

  hasher(p: Pending): Hasher {
    const algo = p.kind === P.Sha256 ? ALGO_SHA256 : p.kind === P.Ripemd160 ? ALGO_RIPEMD160 : ALGO_KECCAK;
    return Hasher.fromWords(algo, Number(p.a[2]), p.a[3] === 1n, this.materialized(p));
  }

  setHasher(p: Pending, st: Hasher): void {
    p.h = st.words();
  }

  emptyTree(): Tree {
    return Mem.empty();
  }

  txData(): Tree {
    return this.data;
  }

  snapshotTree(t: Tree): Tree {
    return (t as Mem).snapshot();
  }

  outputTree(bytes: Uint8Array): Tree {
    const m = Mem.fromBytes(bytes);
    m.freeze();
    return m;
  }

  newStack(): Stack {
    return new ConsStack();
  }

  /** While proving: the registry's answers the step used (what a verifier's registry must hold). */
  codeUse: { codes: Map<bigint, Uint8Array>; carried: Map<bigint, boolean> } | null = null;

  code(h: bigint): CodeInfo {
    const c = this.codes.get(h);
    if (!c) throw new Error(`code ${h.toString(16)} is not in the registry`);
    this.codeUse?.codes.set(h, c.bytes);
    return c;
  }

  carried(h: bigint): boolean {
    // [TXC] availability depends on T's seq (a carrier with seq ≤ it): the verifier reads it from TxConst
    this.txc();
    const r = this.codes.carried(h);
    this.codeUse?.carried.set(h, r);
    return r;
  }

  register(h: bigint, code: Uint8Array): void {
    this.codes.add(h, code);
  }
}

export { MachineLimitError, cmpKey, entryHash };
export type { Ref };
