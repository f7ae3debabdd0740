/**
 * Words and hashes of the step machine (docs/step-machine.md §1–2). Every field is a 32-byte word,
 * held here as a bigint; hashes are keccak over concatenated words.
 */
import { keccak256 } from "../bytes";

export const ZERO = 0n;
export const MAX_U256 = (1n << 256n) - 1n;
export const MASK_248 = (1n << 248n) - 1n;
export const MASK_160 = (1n << 160n) - 1n;
const M64 = (1n << 64n) - 1n;

const scratch = new Uint8Array(64 * 32);
const scratchView = new DataView(scratch.buffer);

export function putWord(dv: DataView, off: number, x: bigint): void {
  dv.setBigUint64(off, x >> 192n);
  dv.setBigUint64(off + 8, (x >> 128n) & M64);
  dv.setBigUint64(off + 16, (x >> 64n) & M64);
  dv.setBigUint64(off + 24, x & M64);
}

export function getWord(dv: DataView, off: number): bigint {
  return (dv.getBigUint64(off) << 192n) | (dv.getBigUint64(off + 8) << 128n) | (dv.getBigUint64(off + 16) << 64n) | dv.getBigUint64(off + 24);
}

/** The 32 bytes of a word. */
export function wordBytes(x: bigint): Uint8Array {
  const b = new Uint8Array(32);
  putWord(new DataView(b.buffer), 0, x);
  return b;
}

/** A big-endian byte string (at most 32 bytes) as a word. */
export function bytesWord(b: Uint8Array, off = 0): bigint {
  if (b.length - off >= 32 && off === 0 && b.byteOffset % 8 === 0 && b.length === 32) return getWord(new DataView(b.buffer, b.byteOffset, 32), 0);
  let x = 0n;
  const end = Math.min(b.length, off + 32);
  for (let i = off; i < end; i++) x = (x << 8n) | BigInt(b[i]);
  return x;
}

/** A 32-byte slice as a word. */
export function wordAt(b: Uint8Array, off: number): bigint {
  return getWord(new DataView(b.buffer, b.byteOffset + off, 32), 0);
}

export function keccakBytes(b: Uint8Array): bigint {
  const h = keccak256(b);
  return getWord(new DataView(h.buffer, h.byteOffset, 32), 0);
}

/** keccak of the concatenation of words. */
export function keccakWords(...ws: bigint[]): bigint {
  const n = ws.length;
  const buf = n <= 64 ? scratch.subarray(0, n * 32) : new Uint8Array(n * 32);
  const dv = n <= 64 ? scratchView : new DataView(buf.buffer);
  for (let i = 0; i < n; i++) putWord(dv, i * 32, ws[i]);
  return keccakBytes(buf);
}

/** node(l, r): ZERO on two ZERO children, else keccak(l || r). */
export function node(l: bigint, r: bigint): bigint {
  if (l === 0n && r === 0n) return 0n;
  putWord(scratchView, 0, l);
  putWord(scratchView, 32, r);
  return keccakBytes(scratch.subarray(0, 64));
}

const tags = new Map<string, bigint>();
/** tag(name) = keccak("moveset/step/<name>/v1"). */
export function tag(name: string): bigint {
  let t = tags.get(name);
  if (t === undefined) {
    t = keccakBytes(new TextEncoder().encode(`moveset/step/${name}/v1`));
    tags.set(name, t);
  }
  return t;
}

/** H(name, f1..fn) = keccak(tag(name) || f1 || … || fn). */
export function H(name: string, ...fields: bigint[]): bigint {
  return keccakWords(tag(name), ...fields);
}

export const KECCAK_EMPTY = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n;

/** Address bytes as a word. */
export function addrWord(a: Uint8Array): bigint {
  return bytesWord(a);
}

export function wordAddr(w: bigint): Uint8Array {
  return wordBytes(w & MASK_160).subarray(12);
}

export function addrHex(w: bigint): string {
  return "0x" + (w & MASK_160).toString(16).padStart(40, "0");
}

export function hex32(w: bigint): string {
  return "0x" + w.toString(16).padStart(64, "0");
}

/** ceil(x / 32) for x ≥ 0. */
export function words(x: bigint): bigint {
  return (x + 31n) >> 5n;
}
