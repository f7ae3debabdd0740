/**
 * The compact sparse Merkle tree of docs/step-machine.md §2.2: a set of (key, value) words whose
 * single pairs are lifted to the highest subtree holding nothing else. Persistent (every update
 * returns a new root and shares the rest), with memoized hashes, so World snapshots and
 * checkpoints cost nothing.
 */
import { H, node } from "./words";

export type Smt = SmtLeaf | SmtBranch | null;

export interface SmtLeaf {
  readonly leaf: true;
  readonly k: bigint;
  readonly v: bigint;
  h?: bigint;
}

export interface SmtBranch {
  readonly leaf: false;
  readonly l: Smt;
  readonly r: Smt;
  h?: bigint;
}

/** Bit j of a key, most significant first. */
export function keyBit(k: bigint, j: number): number {
  return Number((k >> BigInt(255 - j)) & 1n);
}

export function smtLeafHash(k: bigint, v: bigint): bigint {
  return H("smt-leaf", k, v);
}

export function smtHash(t: Smt): bigint {
  if (t === null) return 0n;
  if (t.h !== undefined) return t.h;
  const h = t.leaf ? smtLeafHash(t.k, t.v) : node(smtHash(t.l), smtHash(t.r));
  t.h = h;
  return h;
}

export function smtGet(t: Smt, k: bigint): bigint | undefined {
  let j = 0;
  while (t !== null) {
    if (t.leaf) return t.k === k ? t.v : undefined;
    t = keyBit(k, j) === 0 ? t.l : t.r;
    j++;
  }
  return undefined;
}

function leaf(k: bigint, v: bigint): SmtLeaf {
  return { leaf: true, k, v };
}

function branch(l: Smt, r: Smt): SmtBranch {
  return { leaf: false, l, r };
}

/** The subtree at depth `j` holding two distinct leaves. */
function split(a: SmtLeaf, b: SmtLeaf, j: number): Smt {
  const ba = keyBit(a.k, j);
  const bb = keyBit(b.k, j);
  if (ba !== bb) return ba === 0 ? branch(a, b) : branch(b, a);
  const inner = split(a, b, j + 1);
  return ba === 0 ? branch(inner, null) : branch(null, inner);
}

function setAt(t: Smt, k: bigint, v: bigint, j: number): Smt {
  if (t === null) return leaf(k, v);
  if (t.leaf) {
    if (t.k === k) return t.v === v ? t : leaf(k, v);
    return split(leaf(k, v), t, j);
  }
  if (keyBit(k, j) === 0) return branch(setAt(t.l, k, v, j + 1), t.r);
  return branch(t.l, setAt(t.r, k, v, j + 1));
}

export function smtSet(t: Smt, k: bigint, v: bigint): Smt {
  return setAt(t, k, v, 0);
}

/** An SMT item for key k (§2.2): siblings from depth d up to depth 1. */
export interface SmtItem {
  d: number;
  /** The terminal pair, or undefined when the depth-d subtree is empty. */
  term?: { k: bigint; v: bigint };
  siblings: bigint[];
}

export function smtItem(t: Smt, k: bigint): SmtItem {
  const path: bigint[] = [];
  let j = 0;
  while (t !== null && !t.leaf) {
    if (keyBit(k, j) === 0) {
      path.push(smtHash(t.r));
      t = t.l;
    } else {
      path.push(smtHash(t.l));
      t = t.r;
    }
    j++;
  }
  return { d: j, term: t === null ? undefined : { k: t.k, v: t.v }, siblings: path.reverse() };
}

/** Root recomputed from an item whose depth-d subtree hash is `sub`. */
function climb(k: bigint, d: number, sub: bigint, siblings: readonly bigint[]): bigint {
  let h = sub;
  for (let i = 0; i < d; i++) {
    const j = d - i; // depth of the subtree h
    h = keyBit(k, j - 1) === 0 ? node(h, siblings[i]) : node(siblings[i], h);
  }
  return h;
}

/** Root the item proves (throws nothing: the caller compares it). */
export function smtItemRoot(k: bigint, it: SmtItem): bigint {
  return climb(k, it.d, it.term ? smtLeafHash(it.term.k, it.term.v) : 0n, it.siblings);
}

/** The value the item shows for k, or undefined if absent. */
export function smtItemValue(k: bigint, it: SmtItem): bigint | undefined {
  return it.term && it.term.k === k ? it.term.v : undefined;
}

/** The root after setting k to v, from an item proving the current root. */
export function smtItemSet(k: bigint, v: bigint, it: SmtItem): bigint {
  let sub: bigint;
  if (it.term === undefined || it.term.k === k) sub = smtLeafHash(k, v);
  else {
    const other = it.term;
    let p = it.d;
    while (keyBit(k, p) === keyBit(other.k, p)) p++;
    const lk = smtLeafHash(k, v);
    const lo = smtLeafHash(other.k, other.v);
    sub = keyBit(k, p) === 0 ? node(lk, lo) : node(lo, lk);
    for (let j = p; j > it.d; j--) sub = keyBit(k, j - 1) === 0 ? node(sub, 0n) : node(0n, sub);
  }
  return climb(k, it.d, sub, it.siblings);
}
