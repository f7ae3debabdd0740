/**
 * The key table (docs/step-machine.md §3.4): T's moves, sorted by key, as leaves of a depth-12
 * tree of ZERO-on-ZERO nodes. Persistent: a write copies the 12 nodes of its path, so a World
 * snapshot is a pointer and a revert restores it.
 */
import { H, node } from "./words";

export const KEY_DEPTH = 12;
export const KEY_CAPACITY = 1 << KEY_DEPTH;

export const FLAG_CREATED = 1n;
export const FLAG_DESTRUCTED = 2n;

export interface Entry {
  readonly addr: bigint;
  readonly mark: number;
  readonly slot: bigint;
  readonly prev: bigint;
  readonly next: bigint;
  readonly cur: bigint;
  readonly flags: bigint;
  h?: bigint;
}

export function entryHash(e: Entry): bigint {
  if (e.h === undefined) e.h = H("key-entry", e.addr, BigInt(e.mark), e.slot, e.prev, e.next, e.cur, e.flags);
  return e.h;
}

/** Compares keys as (addr, mark, slot). */
export function cmpKey(a1: bigint, m1: number, s1: bigint, a2: bigint, m2: number, s2: bigint): number {
  if (a1 !== a2) return a1 < a2 ? -1 : 1;
  if (m1 !== m2) return m1 < m2 ? -1 : 1;
  if (s1 !== s2) return s1 < s2 ? -1 : 1;
  return 0;
}

type KNode = KInner | Entry | null;
interface KInner {
  readonly l: KNode;
  readonly r: KNode;
  h?: bigint;
}

function isInner(n: KNode): n is KInner {
  return n !== null && (n as KInner).l !== undefined;
}

function nodeHash(n: KNode): bigint {
  if (n === null) return 0n;
  if (isInner(n)) {
    if (n.h === undefined) n.h = node(nodeHash(n.l), nodeHash(n.r));
    return n.h;
  }
  return entryHash(n);
}

function build(entries: readonly Entry[], lo: number, level: number): KNode {
  if (level === 0) return lo < entries.length ? entries[lo] : null;
  if (lo >= entries.length) return null;
  const half = 1 << (level - 1);
  return { l: build(entries, lo, level - 1), r: build(entries, lo + half, level - 1) };
}

export function keyId(addr: bigint, mark: number, slot: bigint): string {
  return `${addr.toString(16)}/${mark}/${slot.toString(16)}`;
}

/** The table's index (key → position), shared by every version of a table. */
export class KeyIndex {
  private readonly pos = new Map<string, number>();
  constructor(readonly entries: readonly Entry[]) {
    entries.forEach((e, i) => this.pos.set(keyId(e.addr, e.mark, e.slot), i));
  }
  find(addr: bigint, mark: number, slot: bigint): number {
    return this.pos.get(keyId(addr, mark, slot)) ?? -1;
  }
  /** Position where the key is or would be inserted (first entry with a key ≥ it). */
  lowerBound(addr: bigint, mark: number, slot: bigint): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const e = this.entries[m];
      if (cmpKey(e.addr, e.mark, e.slot, addr, mark, slot) < 0) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
  get count(): number {
    return this.entries.length;
  }
}

export class KeyTable {
  private constructor(
    private readonly rootNode: KNode,
    readonly index: KeyIndex,
  ) {}

  static create(entries: readonly Entry[]): KeyTable {
    if (entries.length > KEY_CAPACITY) throw new RangeError(`more than ${KEY_CAPACITY} declared keys`);
    return new KeyTable(build(entries, 0, KEY_DEPTH), new KeyIndex(entries));
  }

  root(): bigint {
    return nodeHash(this.rootNode);
  }

  get(i: number): Entry | null {
    let n = this.rootNode;
    for (let l = KEY_DEPTH - 1; l >= 0 && n !== null; l--) {
      if (!isInner(n)) return null;
      n = (i >> l) & 1 ? n.r : n.l;
    }
    return n === null || isInner(n) ? null : n;
  }

  set(i: number, e: Entry): KeyTable {
    const rec = (n: KNode, level: number): KNode => {
      if (level === 0) return e;
      const inner = isInner(n) ? n : { l: null, r: null };
      return (i >> (level - 1)) & 1 ? { l: inner.l, r: rec(inner.r, level - 1) } : { l: rec(inner.l, level - 1), r: inner.r };
    };
    return new KeyTable(rec(this.rootNode, KEY_DEPTH), this.index);
  }

  /** Siblings of leaf i from level 0 upward. */
  siblings(i: number): bigint[] {
    const path: bigint[] = [];
    let n = this.rootNode;
    for (let l = KEY_DEPTH - 1; l >= 0; l--) {
      const inner = isInner(n) ? n : null;
      const bit = (i >> l) & 1;
      path.push(inner ? nodeHash(bit ? inner.l : inner.r) : 0n);
      n = inner ? (bit ? inner.r : inner.l) : null;
    }
    return path.reverse();
  }
}
