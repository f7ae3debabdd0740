/**
 * The RIPEMD-160 compression function alone (Dobbertin, Bosselaers, Preneel 1996): one 64-byte
 * block per call, the chaining state in and out. RIPEMD160 (precompile 0x03) is micro-stepped with
 * it, one block per step, so no input size is refused. Twin of contracts/step/lib/Ripemd160.sol;
 * both run test/vectors/step-crypto.json. Pure, no I/O.
 *
 * The chaining state is 20 bytes: h0 … h4 as little-endian 32-bit words, i.e. the digest's own form
 * (the state after the last block is the hash). Message words are little-endian too.
 */

/** The initial chaining state. */
export const RIPEMD160_IV = Uint8Array.from(Buffer.from("0123456789abcdeffedcba9876543210f0e1d2c3", "hex"));

// prettier-ignore
const RL = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
  3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
  1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
  4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
];
// prettier-ignore
const RR = [
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
  6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
  15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
  8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
  12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
];
// prettier-ignore
const SL = [
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
  7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
  11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
  11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
  9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
];
// prettier-ignore
const SR = [
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
  9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
  9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
  15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
  8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
];
const KL = [0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e];
const KR = [0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000];

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

/** The round function of group g (0..4). */
function f(g: number, x: number, y: number, z: number): number {
  switch (g) {
    case 0:
      return x ^ y ^ z;
    case 1:
      return (x & y) | (~x & z);
    case 2:
      return (x | ~y) ^ z;
    case 3:
      return (x & z) | (y & ~z);
    default:
      return x ^ (y | ~z);
  }
}

/** Compresses one 64-byte block into a 20-byte chaining state; returns the new state. */
export function ripemd160Compress(state: Uint8Array, block: Uint8Array): Uint8Array {
  if (state.length !== 20) throw new RangeError("a RIPEMD-160 chaining state is 20 bytes");
  if (block.length !== 64) throw new RangeError("a RIPEMD-160 block is 64 bytes");
  const sv = new DataView(state.buffer, state.byteOffset, 20);
  const bv = new DataView(block.buffer, block.byteOffset, 64);
  const x = Array.from({ length: 16 }, (_, i) => bv.getUint32(4 * i, true));
  const h = Array.from({ length: 5 }, (_, i) => sv.getUint32(4 * i, true));
  let [al, bl, cl, dl, el] = h;
  let [ar, br, cr, dr, er] = h;
  for (let j = 0; j < 80; j++) {
    const g = (j / 16) | 0;
    let t = (rotl((al + f(g, bl, cl, dl) + x[RL[j]] + KL[g]) >>> 0, SL[j]) + el) >>> 0;
    al = el;
    el = dl;
    dl = rotl(cl, 10);
    cl = bl;
    bl = t;
    t = (rotl((ar + f(4 - g, br, cr, dr) + x[RR[j]] + KR[g]) >>> 0, SR[j]) + er) >>> 0;
    ar = er;
    er = dr;
    dr = rotl(cr, 10);
    cr = br;
    br = t;
  }
  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, (h[1] + cl + dr) >>> 0, true);
  ov.setUint32(4, (h[2] + dl + er) >>> 0, true);
  ov.setUint32(8, (h[3] + el + ar) >>> 0, true);
  ov.setUint32(12, (h[4] + al + br) >>> 0, true);
  ov.setUint32(16, (h[0] + bl + cr) >>> 0, true);
  return out;
}

/** RIPEMD-160 padding (MD-style, little-endian 64-bit bit length) as 64-byte blocks. */
export function ripemd160Blocks(msg: Uint8Array): Uint8Array[] {
  const n = Math.floor((msg.length + 8) / 64) + 1;
  const padded = new Uint8Array(n * 64);
  padded.set(msg);
  padded[msg.length] = 0x80;
  new DataView(padded.buffer).setBigUint64(padded.length - 8, BigInt(msg.length) * 8n, true);
  return Array.from({ length: n }, (_, i) => padded.subarray(i * 64, (i + 1) * 64));
}

/** RIPEMD-160 through the compression function of this file (the reference for the micro-steps). */
export function ripemd160Chained(msg: Uint8Array): Uint8Array {
  let st: Uint8Array = RIPEMD160_IV;
  for (const blk of ripemd160Blocks(msg)) st = ripemd160Compress(st, blk);
  return st;
}
