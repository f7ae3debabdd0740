/**
 * Proofs of one step (docs/step-machine.md §4): `proveStep` runs a step of the stepper with a
 * recorder attached and returns the words it read; `verifyStep` runs the same step semantics
 * (core/step/interp.ts) on structures read from those words, checking each against the hash it
 * opens, and returns the post-state hash. The Solidity one-step verifier is the independent twin of
 * `verifyStep`; both run the vectors of test/vectors/step/.
 */
import { Mem, rootFromPath, bytesRoot, MEM_DEPTH } from "./mem";
import { ConsStack, StackView, ProofError, emptyStackHash, type Stack } from "./stack";
import { KEY_CAPACITY, KEY_DEPTH, cmpKey, entryHash, type Entry } from "./keytable";
import { smtItemRoot, smtItemSet, smtItemValue, type SmtItem } from "./smt";
import { Hasher, ALGO_KECCAK, ALGO_RIPEMD160, ALGO_SHA256 } from "./hashers";
import { Machine, Recorder, openingWords, stateHash, terminalHash } from "./machine";
import { step } from "./interp";
import { H, bytesWord, keccakBytes, keccakWords, putWord, wordBytes } from "./words";
import { ACL_DEPTH, aclLeaf } from "./init";
import { Ctx, Frame, P, Pending, Status, TXC_FIELDS, Terminate, jumpdestMap, pendingHash, txcHash, type CodeInfo, type Host, type Tree, type Txc, type WorldRef } from "./types";
import type { CodeSource } from "./machine";

export { ProofError };

export interface StepProof {
  pre: bigint;
  proof: bigint[];
  post: bigint;
  /** The code registry's answers the step used: code bytes by hash, and carriers (availability by a witness). */
  codes: Map<bigint, Uint8Array>;
  carried: Map<bigint, boolean>;
}

/** Proves the step from machine `m` (not changed). Returns the pre-state, the proof and the post-state. */
export function proveStep(m: Machine): StepProof {
  const w = m.clone();
  w.lazyHash = false;
  const pre = w.hash();
  const rec = new Recorder();
  const use = { codes: new Map<bigint, Uint8Array>(), carried: new Map<bigint, boolean>() };
  if (w.status_ !== Status.Running) return { pre, proof: [BigInt(w.status_), w.txcHash(), 0n, 0n, 0n, 0n, 0n], post: pre, ...use };
  w.codeUse = use;
  rec.emit(BigInt(w.status_), ...w.stateFields());
  w.rec = rec;
  Mem.hook = (mem, word) => rec.emit(...openingWords(mem.readWord(word), mem.siblings(word)));
  ConsStack.hook = (s, k) => rec.emit(...s.items(k), s.hashBelow(k));
  try {
    step(w);
  } finally {
    Mem.hook = null;
    ConsStack.hook = null;
    w.rec = null;
  }
  w.codeUse = null;
  return { pre, proof: rec.words, post: w.hash(), ...use };
}

/** A verifier environment holding exactly the registry answers a proof was made with. */
export function envOf(p: Pick<StepProof, "codes" | "carried">): VerifyEnv {
  const infos = new Map<bigint, CodeInfo>();
  for (const [h, b] of p.codes) infos.set(h, { bytes: b, jumpdests: jumpdestMap(b) });
  return { codes: { get: (h) => infos.get(h), carried: (h) => p.carried.get(h) ?? false } };
}

// ---- the verifier's side -------------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(private readonly words: readonly bigint[]) {}
  next(): bigint {
    if (this.pos >= this.words.length) throw new ProofError("the proof ends early");
    return this.words[this.pos++];
  }
  done(): boolean {
    return this.pos === this.words.length;
  }
}

/** Reads the siblings of a fixed-depth opening after its value: mask, then the non-ZERO ones. */
function readSiblings(r: Reader, depth: number): bigint[] {
  const mask = r.next();
  if (mask >> BigInt(depth) !== 0n) throw new ProofError("opening mask beyond the tree depth");
  const sib: bigint[] = [];
  for (let l = 0; l < depth; l++) sib.push((mask >> BigInt(l)) & 1n ? 0n : r.next());
  return sib;
}

/** A memory-shaped tree known by its root: every word read or written is an opening (MEM item). */
class TreeView implements Tree {
  constructor(
    private rootHash: bigint,
    private readonly r: Reader,
  ) {}

  root(): bigint {
    return this.rootHash;
  }

  private open(w: number): { value: bigint; sib: bigint[] } {
    const value = this.r.next();
    const sib = readSiblings(this.r, MEM_DEPTH);
    if (rootFromPath(w, value, sib) !== this.rootHash) throw new ProofError(`memory word ${w} does not open against its root`);
    return { value, sib };
  }

  readBytes(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    if (len === 0) return out;
    for (let w = Math.floor(off / 32); w <= Math.floor((off + len - 1) / 32); w++) {
      const { value } = this.open(w);
      const b = wordBytes(value);
      for (let i = 0; i < 32; i++) {
        const a = w * 32 + i;
        if (a >= off && a < off + len) out[a - off] = b[i];
      }
    }
    return out;
  }

  writeBytes(off: number, data: Uint8Array): void {
    let o = 0;
    while (o < data.length) {
      const a = off + o;
      const w = Math.floor(a / 32);
      const n = Math.min(32 - (a % 32), data.length - o);
      const { value, sib } = this.open(w);
      const b = wordBytes(value);
      b.set(data.subarray(o, o + n), a % 32);
      this.rootHash = rootFromPath(w, bytesWord(b), sib);
      o += n;
    }
  }
}

interface WorldFields {
  keyRoot: bigint;
  warmRoot: bigint;
  tstoreRoot: bigint;
  refund: bigint;
  feeVault: bigint;
  wdVault: bigint;
}

/** What the verifier needs besides the proof: the code registry (L1's, in Solidity). */
export interface VerifyEnv {
  codes: Pick<CodeSource, "get" | "carried">;
}

/** The Host of the verifier: every structure is read from the proof as the step first needs it. */
export class ProofHost implements Host {
  readonly lazyHash = false;
  private readonly r: Reader;
  private statusV: number;
  private readonly txcH: bigint;
  private txcV?: Txc;
  private blobsV?: bigint[];
  private worldH: bigint;
  private worldV?: WorldFields;
  private frameH: bigint;
  private frameV: Frame | null | undefined;
  private parentsH: bigint;
  private pendingH: bigint;
  private pendingV: Pending | null | undefined;
  private createdRoot: bigint;
  private terminal?: number;

  constructor(
    readonly pre: bigint,
    proof: readonly bigint[],
    private readonly env: VerifyEnv,
  ) {
    this.r = new Reader(proof);
    this.statusV = Number(this.r.next());
    this.txcH = this.r.next();
    this.worldH = this.r.next();
    this.frameH = this.r.next();
    this.parentsH = this.r.next();
    this.pendingH = this.r.next();
    this.createdRoot = this.r.next();
    if (this.statusV < 0 || this.statusV > 255) throw new ProofError("status out of range");
    const fields = [this.txcH, this.worldH, this.frameH, this.parentsH, this.pendingH, this.createdRoot];
    const h = this.statusV === Status.Running ? stateHash(0, fields) : terminalHash(this.statusV, this.txcH);
    if (h !== pre) throw new ProofError("the state preimage does not hash to the pre-state");
    if (this.statusV !== Status.Running && fields.slice(1).some((x) => x !== 0n)) throw new ProofError("a terminal state has only its status and TxConst");
  }

  /** Runs the step and returns the post-state hash. */
  run(): bigint {
    if (this.statusV === Status.Running) step(this);
    if (!this.r.done()) throw new ProofError("the proof has words the step does not read");
    return this.post();
  }

  post(): bigint {
    if (this.terminal !== undefined) return terminalHash(this.terminal, this.txcH);
    if (this.statusV !== Status.Running) return this.pre;
    const world = this.worldV ? H("world", ...worldList(this.worldV)) : this.worldH;
    const frame = this.frameV === undefined ? this.frameH : this.frameV === null ? 0n : this.frameV.hash();
    const pending = this.pendingV === undefined ? this.pendingH : pendingHash(this.pendingV);
    return stateHash(0, [this.txcH, world, frame, this.parentsH, pending, this.createdRoot]);
  }

  status(): number {
    return this.terminal ?? this.statusV;
  }

  terminate(status: number): void {
    this.terminal = status;
  }

  txc(): Txc {
    if (!this.txcV) {
      const t = {} as Txc;
      for (const k of TXC_FIELDS) t[k] = this.r.next();
      if (txcHash(t) !== this.txcH) throw new ProofError("TxConst does not match its hash");
      this.txcV = t;
    }
    return this.txcV;
  }

  blobs(): bigint[] {
    const t = this.txc();
    if (!this.blobsV) {
      const n = this.r.next();
      if (n > 4096n) throw new ProofError("blob list too long");
      const list: bigint[] = [];
      for (let i = 0n; i < n; i++) list.push(this.r.next());
      if (H("blob-hashes", n, ...list) !== t.blobHashes) throw new ProofError("blob hashes do not match");
      this.blobsV = list;
    }
    return this.blobsV;
  }

  private world(): WorldFields {
    if (!this.worldV) {
      const w = { keyRoot: this.r.next(), warmRoot: this.r.next(), tstoreRoot: this.r.next(), refund: this.r.next(), feeVault: this.r.next(), wdVault: this.r.next() };
      if (H("world", ...worldList(w)) !== this.worldH) throw new ProofError("World does not match its hash");
      this.worldV = w;
    }
    return this.worldV;
  }

  refund(): bigint {
    return this.world().refund;
  }
  setRefund(v: bigint): void {
    this.world().refund = v;
  }
  vault(which: 0 | 1): bigint {
    const w = this.world();
    return which === 0 ? w.feeVault : w.wdVault;
  }
  setVault(which: 0 | 1, v: bigint): void {
    const w = this.world();
    if (which === 0) w.feeVault = v;
    else w.wdVault = v;
  }

  private readEntry(i: number): { e: Entry | null; sib: bigint[] } {
    const root = this.world().keyRoot;
    const present = this.r.next();
    let e: Entry | null = null;
    if (present === 1n) {
      const addr = this.r.next();
      const mark = this.r.next();
      if (mark > 255n) throw new ProofError("mark out of range");
      e = { addr, mark: Number(mark), slot: this.r.next(), prev: this.r.next(), next: this.r.next(), cur: this.r.next(), flags: this.r.next() };
    } else if (present !== 0n) throw new ProofError("entry presence is not 0 or 1");
    const sib = readSiblings(this.r, KEY_DEPTH);
    if (rootFromPath(i, e ? entryHash(e) : 0n, sib) !== root) throw new ProofError(`entry ${i} does not open against the key root`);
    return { e, sib };
  }

  /** A KEY item for (a, m, s): the position and entry if declared, or null after checking the bracket. */
  private keyItem(a: bigint, m: number, s: bigint): { i: number; e: Entry; sib: bigint[] } | null {
    this.world();
    const pos = this.r.next();
    if (pos > BigInt(KEY_CAPACITY)) throw new ProofError("key position out of range");
    const p = Number(pos);
    let at: { e: Entry | null; sib: bigint[] } | undefined;
    if (p < KEY_CAPACITY) {
      at = this.readEntry(p);
      if (at.e && cmpKey(at.e.addr, at.e.mark, at.e.slot, a, m, s) === 0) return { i: p, e: at.e, sib: at.sib };
      if (at.e && cmpKey(at.e.addr, at.e.mark, at.e.slot, a, m, s) < 0) throw new ProofError("the entry at the position is below the key");
    }
    if (p > 0) {
      const below = this.readEntry(p - 1);
      if (!below.e || cmpKey(below.e.addr, below.e.mark, below.e.slot, a, m, s) >= 0) throw new ProofError("the entry before the position is not below the key");
    }
    return null;
  }

  keyRead(a: bigint, m: number, s: bigint): Entry | null {
    return this.keyItem(a, m, s)?.e ?? null;
  }

  keyWrite(a: bigint, m: number, s: bigint, cur: bigint, flags: bigint): void {
    const it = this.keyItem(a, m, s);
    if (it === null) throw new Terminate(Status.UndeclaredKey);
    const ne: Entry = { addr: it.e.addr, mark: it.e.mark, slot: it.e.slot, prev: it.e.prev, next: it.e.next, cur, flags };
    this.world().keyRoot = rootFromPath(it.i, entryHash(ne), it.sib);
  }

  entryAt(i: number): Entry | null {
    return this.readEntry(i).e;
  }

  entryWrite(i: number, cur: bigint): void {
    const { e, sib } = this.readEntry(i);
    if (!e) throw new ProofError("write to an absent entry");
    this.world().keyRoot = rootFromPath(i, entryHash({ ...e, cur, h: undefined }), sib);
  }

  private smt(root: bigint, k: bigint): SmtItem {
    const d = this.r.next();
    if (d > 256n) throw new ProofError("SMT depth out of range");
    const t = this.r.next();
    let term: { k: bigint; v: bigint } | undefined;
    if (t === 1n) term = { k: this.r.next(), v: this.r.next() };
    else if (t !== 0n) throw new ProofError("SMT terminal kind is not 0 or 1");
    const siblings: bigint[] = [];
    for (let i = 0n; i < d; i++) siblings.push(this.r.next());
    const it: SmtItem = { d: Number(d), term, siblings };
    if (smtItemRoot(k, it) !== root) throw new ProofError("SMT item does not open against its root");
    return it;
  }

  warmTouch(k: bigint): boolean {
    const w = this.world();
    const it = this.smt(w.warmRoot, k);
    if (smtItemValue(k, it) !== undefined) return true;
    w.warmRoot = smtItemSet(k, 1n, it);
    return false;
  }

  tload(k: bigint): bigint {
    return smtItemValue(k, this.smt(this.world().tstoreRoot, k)) ?? 0n;
  }

  tstore(k: bigint, v: bigint): void {
    const w = this.world();
    w.tstoreRoot = smtItemSet(k, v, this.smt(w.tstoreRoot, k));
  }

  createdHas(h: bigint): boolean {
    return smtItemValue(h, this.smt(this.createdRoot, h)) !== undefined;
  }

  createdAdd(h: bigint): void {
    this.createdRoot = smtItemSet(h, 1n, this.smt(this.createdRoot, h));
  }

  worldRef(): WorldRef {
    return this.worldV ? H("world", ...worldList(this.worldV)) : this.worldH;
  }

  restoreWorld(w: WorldRef): void {
    this.worldH = w as bigint;
    this.worldV = undefined;
  }

  private frameFrom(words: bigint[]): Frame {
    const [ctx, stage, result, codeHash, codeSize, pc, gas, stackHash, stackSize, memRoot, memSize, rdRoot, rdOffset, rdLength, outOffset, outLength] = words;
    const small = (x: bigint, what: string): number => {
      if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProofError(`${what} out of range`);
      return Number(x);
    };
    return new Frame(
      ctx,
      small(stage, "stage"),
      small(result, "result"),
      codeHash,
      small(codeSize, "code size"),
      small(pc, "pc"),
      gas,
      new StackView(stackHash, small(stackSize, "stack size"), () => this.r.next()),
      new TreeView(memRoot, this.r),
      small(memSize, "memory size"),
      { tree: new TreeView(rdRoot, this.r), offset: small(rdOffset, "offset"), length: small(rdLength, "length") },
      small(outOffset, "offset"),
      small(outLength, "length"),
    );
  }

  frame(): Frame | null {
    if (this.frameV === undefined) {
      if (this.frameH === 0n) this.frameV = null;
      else {
        const words: bigint[] = [];
        for (let i = 0; i < 16; i++) words.push(this.r.next());
        if (H("frame", ...words) !== this.frameH) throw new ProofError("the frame does not match its hash");
        this.frameV = this.frameFrom(words);
      }
    }
    return this.frameV;
  }

  ctx(): Ctx {
    const f = this.frame()!;
    if (typeof f.ctx === "bigint") {
      const w: bigint[] = [];
      for (let i = 0; i < 13; i++) w.push(this.r.next());
      if (H("frame-ctx", ...w) !== f.ctx) throw new ProofError("the frame context does not match its hash");
      const n = (x: bigint) => {
        if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProofError("context field out of range");
        return Number(x);
      };
      if (w[2] > 1n) throw new ProofError("static flag is not 0 or 1");
      f.ctx = new Ctx(n(w[0]), n(w[1]), w[2] === 1n, w[3], w[4], w[5], w[6], { tree: new TreeView(w[7], this.r), offset: n(w[8]), length: n(w[9]) }, w[10], n(w[11]), n(w[12]));
    }
    return f.ctx;
  }

  setFrame(f: Frame | null): void {
    this.frameV = f;
  }

  pushFrame(child: Frame): void {
    const cur = this.frame()!;
    this.parentsH = keccakWords(this.parentsH, cur.hash());
    this.frameV = child;
  }

  popFrame(): Frame {
    const words: bigint[] = [];
    for (let i = 0; i < 16; i++) words.push(this.r.next());
    const below = this.r.next();
    if (keccakWords(below, H("frame", ...words)) !== this.parentsH) throw new ProofError("the caller frame does not match the chain");
    this.parentsH = below;
    const p = this.frameFrom(words);
    this.frameV = p;
    return p;
  }

  pending(): Pending | null {
    if (this.pendingV === undefined) {
      if (this.pendingH === 0n) this.pendingV = null;
      else {
        const kind = this.r.next();
        const a: bigint[] = [];
        for (let i = 0; i < 10; i++) a.push(this.r.next());
        const hw: bigint[] = [];
        for (let i = 0; i < 7; i++) hw.push(this.r.next());
        if (kind > 255n) throw new ProofError("pending kind out of range");
        const p = new Pending(Number(kind), a, hw);
        if (pendingHash(p) !== this.pendingH) throw new ProofError("the pending operation does not match its hash");
        this.pendingV = p;
      }
    }
    return this.pendingV;
  }

  setPending(p: Pending | null): void {
    this.pendingV = p;
  }

  aclItem(i: number): { isSlot: boolean; addr: bigint; slot: bigint } {
    const t = this.txc();
    const kind = this.r.next();
    const addr = this.r.next();
    const slot = this.r.next();
    if (kind > 1n || (kind === 0n && slot !== 0n)) throw new ProofError("access-list item kind, or a key on an address item");
    const it = { isSlot: kind === 1n, addr, slot };
    const sib = readSiblings(this.r, ACL_DEPTH);
    if (rootFromPath(i, aclLeaf(it), sib) !== t.aclRoot) throw new ProofError("access-list item does not open against its root");
    return it;
  }

  input(digest: bigint, length: number): Uint8Array {
    const n = this.r.next();
    if (n !== BigInt(length)) throw new ProofError("input length");
    const out = new Uint8Array(Math.ceil(length / 32) * 32);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < out.length; i += 32) putWord(dv, i, this.r.next());
    const b = out.subarray(0, length);
    if (out.subarray(length).some((x) => x !== 0)) throw new ProofError("input padding is not zero");
    if (keccakBytes(b) !== digest) throw new ProofError("input does not hash to the absorbed digest");
    return b.slice();
  }

  hasher(p: Pending): Hasher {
    const algo = p.kind === P.Sha256 ? ALGO_SHA256 : p.kind === P.Ripemd160 ? ALGO_RIPEMD160 : ALGO_KECCAK;
    return Hasher.fromWords(algo, Number(p.a[2]), p.a[3] === 1n, p.h!);
  }

  setHasher(p: Pending, st: Hasher): void {
    p.h = st.words();
  }

  emptyTree(): Tree {
    return new TreeView(0n, this.r);
  }

  txData(): Tree {
    return new TreeView(this.txc().dataRoot, this.r);
  }

  snapshotTree(t: Tree): Tree {
    return new TreeView(t.root(), this.r);
  }

  outputTree(bytes: Uint8Array): Tree {
    return new TreeView(bytesRoot(bytes), this.r);
  }

  newStack(): Stack {
    return new StackView(emptyStackHash(), 0, () => this.r.next());
  }

  code(h: bigint): CodeInfo {
    const c = this.env.codes.get(h);
    if (!c) throw new Error(`code ${h.toString(16)} is not registered`);
    return c;
  }

  carried(h: bigint): boolean {
    // [TXC] availability depends on T's seq (a carrier with seq ≤ it): L1's registry is asked with it
    this.txc();
    return this.env.codes.carried(h);
  }

  register(): void {}
}

function worldList(w: WorldFields): bigint[] {
  return [w.keyRoot, w.warmRoot, w.tstoreRoot, w.refund, w.feeVault, w.wdVault];
}

/** Checks a proof of one step from `pre` and returns the post-state hash; throws ProofError if it does not prove. */
export function verifyStep(pre: bigint, proof: readonly bigint[], env: VerifyEnv): bigint {
  return new ProofHost(pre, proof, env).run();
}

