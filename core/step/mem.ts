/**
 * Memory trees (docs/step-machine.md §2.1): a byte string as a depth-17 tree of 32-byte words with
 * ZERO-on-ZERO nodes. `Mem` is the stepper's concrete memory: 1 KiB pages shared copy-on-write
 * between a memory and its snapshots (call data is a frozen snapshot of the caller's memory, and a
 * checkpoint forks every memory), each page caching its subtree root.
 */
import { keccak256 } from "../bytes";
import { getWord, putWord, node, wordAt, bytesWord } from "./words";

export const MEM_DEPTH = 17;
export const PAGE_BYTES = 1024;
const PAGE_WORDS = 32;
const PAGE_LEVELS = 5;
export const MAX_MEM_WORDS = 1 << MEM_DEPTH;
const MAX_PAGES = MAX_MEM_WORDS / PAGE_WORDS;

/** The memory tree exceeds its fixed depth: only reachable with more gas than the rollup allows. */
export class MachineLimitError extends Error {}

interface Page {
  data: Uint8Array;
  owner: number;
  root: bigint | undefined;
}

let nextId = 1;

function isZero64(b: Uint8Array, off: number): boolean {
  for (let i = off; i < off + 64; i++) if (b[i] !== 0) return false;
  return true;
}

/** Root of one page (32 words) and, if wanted, all its levels (level 0 = 32 leaves). */
function pageLevels(data: Uint8Array): bigint[][] {
  const levels: bigint[][] = [];
  const l0: bigint[] = [];
  for (let i = 0; i < PAGE_WORDS; i++) l0.push(wordAt(data, i * 32));
  levels.push(l0);
  const l1: bigint[] = [];
  for (let i = 0; i < PAGE_WORDS / 2; i++) {
    if (isZero64(data, i * 64)) l1.push(0n);
    else {
      const h = keccak256(data.subarray(i * 64, i * 64 + 64));
      l1.push(getWord(new DataView(h.buffer, h.byteOffset, 32), 0));
    }
  }
  levels.push(l1);
  let cur = l1;
  while (cur.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < cur.length; i += 2) next.push(node(cur[i], cur[i + 1]));
    levels.push(next);
    cur = next;
  }
  return levels;
}

function pageRoot(p: Page): bigint {
  if (p.root === undefined) {
    const lv = pageLevels(p.data);
    p.root = lv[PAGE_LEVELS][0];
  }
  return p.root;
}

/** Called before each word a read or write touches, while a proof is being recorded. */
export type MemHook = (m: Mem, word: number) => void;

export class Mem {
  static hook: MemHook | null = null;
  private pages: (Page | undefined)[] = [];
  private id = nextId++;
  /** Frozen memories are never written (snapshots, finished frames): forks share them. */
  frozen = false;
  private rootCache: bigint | undefined;

  static empty(): Mem {
    return new Mem();
  }

  static fromBytes(b: Uint8Array): Mem {
    const m = new Mem();
    if (b.length > 0) m.write(0, b);
    return m;
  }

  /** A frozen copy sharing the pages (cheap). This memory keeps writing to its own copies. */
  snapshot(): Mem {
    if (this.frozen) return this;
    const s = new Mem();
    s.pages = this.pages.slice();
    s.frozen = true;
    s.rootCache = this.rootCache;
    this.id = nextId++; // every page is now shared: the next write to it copies it
    return s;
  }

  /** A writable copy (checkpoints): both sides copy a page before writing it. */
  fork(): Mem {
    if (this.frozen) return this;
    const s = new Mem();
    s.pages = this.pages.slice();
    s.rootCache = this.rootCache;
    this.id = nextId++;
    return s;
  }

  freeze(): void {
    this.frozen = true;
  }

  private page(i: number, forWrite: boolean): Page | undefined {
    let p = this.pages[i];
    if (!forWrite) return p;
    if (this.frozen) throw new Error("write to a frozen memory");
    if (i >= MAX_PAGES) throw new MachineLimitError(`memory beyond ${MAX_MEM_WORDS} words`);
    if (p === undefined) {
      p = { data: new Uint8Array(PAGE_BYTES), owner: this.id, root: undefined };
      this.pages[i] = p;
    } else if (p.owner !== this.id) {
      p = { data: p.data.slice(), owner: this.id, root: p.root };
      this.pages[i] = p;
    }
    p.root = undefined;
    this.rootCache = undefined;
    return p;
  }

  /** Bytes [off, off + len) (zeros where nothing was written). */
  readBytes(off: number, len: number): Uint8Array {
    if (Mem.hook && len > 0) for (let w = Math.floor(off / 32); w <= Math.floor((off + len - 1) / 32); w++) Mem.hook(this, w);
    return this.read(off, len);
  }

  writeBytes(off: number, b: Uint8Array): void {
    if (Mem.hook && b.length > 0) {
      const hook = Mem.hook;
      let o = 0;
      while (o < b.length) {
        const a = off + o;
        const n = Math.min(32 - (a % 32), b.length - o);
        hook(this, Math.floor(a / 32));
        this.write(a, b.subarray(o, o + n));
        o += n;
      }
      return;
    }
    this.write(off, b);
  }

  read(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let o = 0;
    while (o < len) {
      const a = off + o;
      const pi = Math.floor(a / PAGE_BYTES);
      const po = a % PAGE_BYTES;
      const n = Math.min(PAGE_BYTES - po, len - o);
      const p = this.pages[pi];
      if (p) out.set(p.data.subarray(po, po + n), o);
      o += n;
    }
    return out;
  }

  write(off: number, b: Uint8Array): void {
    let o = 0;
    const len = b.length;
    while (o < len) {
      const a = off + o;
      const pi = Math.floor(a / PAGE_BYTES);
      const po = a % PAGE_BYTES;
      const n = Math.min(PAGE_BYTES - po, len - o);
      const chunk = b.subarray(o, o + n);
      let zero = true;
      for (let i = 0; i < n; i++)
        if (chunk[i] !== 0) {
          zero = false;
          break;
        }
      if (!(zero && this.pages[pi] === undefined)) this.page(pi, true)!.data.set(chunk, po);
      o += n;
    }
  }

  readWord(i: number): bigint {
    const p = this.pages[i >> 5];
    if (!p) return 0n;
    return getWord(new DataView(p.data.buffer, p.data.byteOffset), (i & 31) * 32);
  }

  writeWord(i: number, v: bigint): void {
    if (v === 0n && this.pages[i >> 5] === undefined) return;
    const p = this.page(i >> 5, true)!;
    putWord(new DataView(p.data.buffer, p.data.byteOffset), (i & 31) * 32, v);
  }

  readByte(a: number): number {
    const p = this.pages[Math.floor(a / PAGE_BYTES)];
    return p ? p.data[a % PAGE_BYTES] : 0;
  }

  root(): bigint {
    if (this.rootCache !== undefined) return this.rootCache;
    let level: bigint[] = [];
    const n = this.pages.length;
    for (let i = 0; i < n; i++) {
      const p = this.pages[i];
      level.push(p ? pageRoot(p) : 0n);
    }
    for (let l = PAGE_LEVELS; l < MEM_DEPTH; l++) {
      const next: bigint[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(node(level[i], i + 1 < level.length ? level[i + 1] : 0n));
      level = next.length ? next : [0n];
    }
    this.rootCache = level.length ? level[0] : 0n;
    return this.rootCache;
  }

  /** Siblings of word i from level 0 upward (MEM_DEPTH of them). */
  siblings(i: number): bigint[] {
    const sib: bigint[] = [];
    const pi = i >> 5;
    const p = this.pages[pi];
    if (p) {
      const lv = pageLevels(p.data);
      let j = i & 31;
      for (let l = 0; l < PAGE_LEVELS; l++) {
        sib.push(lv[l][j ^ 1]);
        j >>= 1;
      }
    } else for (let l = 0; l < PAGE_LEVELS; l++) sib.push(0n);
    let level: bigint[] = [];
    for (let k = 0; k < this.pages.length; k++) {
      const q = this.pages[k];
      level.push(q ? pageRoot(q) : 0n);
    }
    let j = pi;
    for (let l = PAGE_LEVELS; l < MEM_DEPTH; l++) {
      sib.push((j ^ 1) < level.length ? level[j ^ 1] : 0n);
      const next: bigint[] = [];
      for (let k = 0; k < level.length; k += 2) next.push(node(level[k], k + 1 < level.length ? level[k + 1] : 0n));
      level = next;
      j >>= 1;
    }
    return sib;
  }
}

/** Root after putting `value` at leaf `index` with `siblings` (from level 0 upward). */
export function rootFromPath(index: number, value: bigint, siblings: readonly bigint[]): bigint {
  let h = value;
  let j = index;
  for (let l = 0; l < siblings.length; l++) {
    h = j & 1 ? node(siblings[l], h) : node(h, siblings[l]);
    j = Math.floor(j / 2);
  }
  return h;
}

/** Memory-tree root of a byte string. */
export function bytesRoot(b: Uint8Array): bigint {
  return Mem.fromBytes(b).root();
}

/** Root of a tree holding `ws` as words 0.. (precompile outputs). */
export function wordsRoot(ws: readonly bigint[]): bigint {
  let level = ws.slice();
  for (let l = 0; l < MEM_DEPTH; l++) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(node(level[i], i + 1 < level.length ? level[i + 1] : 0n));
    level = next.length ? next : [0n];
  }
  return level[0] ?? 0n;
}

/** Words of a byte string (right-padded with zeros to whole words). */
export function bytesToWordList(b: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < b.length; i += 32) {
    if (i + 32 <= b.length) out.push(wordAt(b, i));
    else {
      const w = new Uint8Array(32);
      w.set(b.subarray(i));
      out.push(bytesWord(w));
    }
  }
  return out;
}
