/**
 * Hashes computed in steps (docs/step-machine.md §3.5, §6.9): Keccak-256 as a sponge over the
 * Keccak-f[1600] permutation, SHA-256 and RIPEMD-160 as compression functions over a 64-byte
 * buffer. Each step absorbs at most 32 bytes, so it runs at most one permutation or compression;
 * the final step pads. The state packs into the pending operation's words h0…h6.
 */
import { getWord, putWord } from "./words";

export const ALGO_KECCAK = 0;
export const ALGO_SHA256 = 1;
export const ALGO_RIPEMD160 = 2;
export const KECCAK_RATE = 136;

// ---- Keccak-f[1600] on 32-bit lane halves (little-endian lanes, FIPS 202 byte order) -----------

const RC_LO = new Uint32Array(24);
const RC_HI = new Uint32Array(24);
{
  let r = 1;
  for (let i = 0; i < 24; i++) {
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < 7; j++) {
      r = ((r << 1) ^ ((r >> 7) * 0x71)) % 256;
      if (r & 2) {
        const pos = (1 << j) - 1;
        if (pos < 32) lo ^= 1 << pos;
        else hi ^= 1 << (pos - 32);
      }
    }
    RC_LO[i] = lo >>> 0;
    RC_HI[i] = hi >>> 0;
  }
}
// rho offsets and pi permutation, in the order of the standard (x, y) walk
const ROTC: number[] = [];
const PILN: number[] = [];
{
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    ROTC.push((((t + 1) * (t + 2)) / 2) % 64);
    const nx = y;
    const ny = (2 * x + 3 * y) % 5;
    x = nx;
    y = ny;
    PILN.push(x + 5 * y);
  }
}

function rotl(lo: number, hi: number, n: number): [number, number] {
  if (n === 0) return [lo, hi];
  if (n === 32) return [hi, lo];
  if (n < 32) return [((lo << n) | (hi >>> (32 - n))) >>> 0, ((hi << n) | (lo >>> (32 - n))) >>> 0];
  const m = n - 32;
  return [((hi << m) | (lo >>> (32 - m))) >>> 0, ((lo << m) | (hi >>> (32 - m))) >>> 0];
}

/** Keccak-f[1600] in place on a 200-byte state. */
export function keccakF(state: Uint8Array): void {
  const s = new Uint32Array(50);
  const dv = new DataView(state.buffer, state.byteOffset, 200);
  for (let i = 0; i < 50; i++) s[i] = dv.getUint32(i * 4, true);
  const Clo = new Uint32Array(5);
  const Chi = new Uint32Array(5);
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 5; x++) {
      Clo[x] = s[2 * x] ^ s[2 * (x + 5)] ^ s[2 * (x + 10)] ^ s[2 * (x + 15)] ^ s[2 * (x + 20)];
      Chi[x] = s[2 * x + 1] ^ s[2 * (x + 5) + 1] ^ s[2 * (x + 10) + 1] ^ s[2 * (x + 15) + 1] ^ s[2 * (x + 20) + 1];
    }
    for (let x = 0; x < 5; x++) {
      const [rlo, rhi] = rotl(Clo[(x + 1) % 5], Chi[(x + 1) % 5], 1);
      const dlo = Clo[(x + 4) % 5] ^ rlo;
      const dhi = Chi[(x + 4) % 5] ^ rhi;
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] ^= dlo;
        s[2 * (x + y) + 1] ^= dhi;
      }
    }
    // rho and pi
    let curLo = s[2];
    let curHi = s[3];
    for (let t = 0; t < 24; t++) {
      const j = PILN[t];
      const tlo = s[2 * j];
      const thi = s[2 * j + 1];
      const [rlo, rhi] = rotl(curLo, curHi, ROTC[t]);
      s[2 * j] = rlo;
      s[2 * j + 1] = rhi;
      curLo = tlo;
      curHi = thi;
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      const blo = [0, 1, 2, 3, 4].map((x) => s[2 * (y + x)]);
      const bhi = [0, 1, 2, 3, 4].map((x) => s[2 * (y + x) + 1]);
      for (let x = 0; x < 5; x++) {
        s[2 * (y + x)] = (blo[x] ^ (~blo[(x + 1) % 5] & blo[(x + 2) % 5])) >>> 0;
        s[2 * (y + x) + 1] = (bhi[x] ^ (~bhi[(x + 1) % 5] & bhi[(x + 2) % 5])) >>> 0;
      }
    }
    s[0] ^= RC_LO[round];
    s[1] ^= RC_HI[round];
  }
  for (let i = 0; i < 50; i++) dv.setUint32(i * 4, s[i], true);
}

// ---- SHA-256 compression ------------------------------------------------------------------------

const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
export const SHA256_IV = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const rotr = (x: number, n: number) => ((x >>> n) | (x << (32 - n))) >>> 0;

export function sha256Compress(h: Uint32Array, block: Uint8Array): void {
  const w = new Uint32Array(64);
  const dv = new DataView(block.buffer, block.byteOffset, 64);
  for (let i = 0; i < 16; i++) w[i] = dv.getUint32(i * 4, false);
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
    const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
  }
  let [a, b, c, d, e, f, g, hh] = h;
  for (let i = 0; i < 64; i++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K256[i] + w[i]) >>> 0;
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) >>> 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) >>> 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) >>> 0;
  }
  h[0] = (h[0] + a) >>> 0;
  h[1] = (h[1] + b) >>> 0;
  h[2] = (h[2] + c) >>> 0;
  h[3] = (h[3] + d) >>> 0;
  h[4] = (h[4] + e) >>> 0;
  h[5] = (h[5] + f) >>> 0;
  h[6] = (h[6] + g) >>> 0;
  h[7] = (h[7] + hh) >>> 0;
}

// ---- RIPEMD-160 compression ---------------------------------------------------------------------

export const RIPEMD_IV = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
const RL = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8, 3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
  1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2, 4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
];
const RR = [
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2, 15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
  8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14, 12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
];
const SL = [
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12, 11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
  11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12, 9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
];
const SR = [
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11, 9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
  15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8, 8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
];
const KL = [0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e];
const KR = [0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000];
const rotl32 = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
function rf(j: number, x: number, y: number, z: number): number {
  if (j < 16) return (x ^ y ^ z) >>> 0;
  if (j < 32) return ((x & y) | (~x & z)) >>> 0;
  if (j < 48) return ((x | ~y) ^ z) >>> 0;
  if (j < 64) return ((x & z) | (y & ~z)) >>> 0;
  return (x ^ (y | ~z)) >>> 0;
}

export function ripemd160Compress(h: Uint32Array, block: Uint8Array): void {
  const x = new Uint32Array(16);
  const dv = new DataView(block.buffer, block.byteOffset, 64);
  for (let i = 0; i < 16; i++) x[i] = dv.getUint32(i * 4, true);
  let al = h[0],
    bl = h[1],
    cl = h[2],
    dl = h[3],
    el = h[4];
  let ar = al,
    br = bl,
    cr = cl,
    dr = dl,
    er = el;
  for (let j = 0; j < 80; j++) {
    const r = j >> 4;
    let t = (al + rf(j, bl, cl, dl) + x[RL[j]] + KL[r]) >>> 0;
    t = (rotl32(t, SL[j]) + el) >>> 0;
    al = el;
    el = dl;
    dl = rotl32(cl, 10);
    cl = bl;
    bl = t;
    t = (ar + rf(79 - j, br, cr, dr) + x[RR[j]] + KR[r]) >>> 0;
    t = (rotl32(t, SR[j]) + er) >>> 0;
    ar = er;
    er = dr;
    dr = rotl32(cr, 10);
    cr = br;
    br = t;
  }
  const t = (h[1] + cl + dr) >>> 0;
  h[1] = (h[2] + dl + er) >>> 0;
  h[2] = (h[3] + el + ar) >>> 0;
  h[3] = (h[4] + al + br) >>> 0;
  h[4] = (h[0] + bl + cr) >>> 0;
  h[0] = t;
}

// ---- the hasher state of a pending operation ---------------------------------------------------

/** A hash being computed in steps: algorithm, bytes absorbed, state (§3.5). */
export class Hasher {
  /** keccak: the 200-byte state. sha256/ripemd160: unused. */
  private ks = new Uint8Array(200);
  private chain: Uint32Array;
  private buf = new Uint8Array(64);
  pos = 0;
  done = false;

  constructor(readonly algo: number) {
    this.chain = algo === ALGO_SHA256 ? SHA256_IV.slice() : algo === ALGO_RIPEMD160 ? RIPEMD_IV.slice() : new Uint32Array(0);
  }

  clone(): Hasher {
    const h = new Hasher(this.algo);
    h.ks = this.ks.slice();
    h.chain = this.chain.slice();
    h.buf = this.buf.slice();
    h.pos = this.pos;
    h.done = this.done;
    return h;
  }

  absorb(b: Uint8Array): void {
    if (this.done) throw new Error("absorb after finalize");
    for (let i = 0; i < b.length; i++) {
      if (this.algo === ALGO_KECCAK) {
        const p = this.pos % KECCAK_RATE;
        this.ks[p] ^= b[i];
        this.pos++;
        if (p === KECCAK_RATE - 1) keccakF(this.ks);
      } else {
        const p = this.pos % 64;
        this.buf[p] = b[i];
        this.pos++;
        if (p === 63) {
          if (this.algo === ALGO_SHA256) sha256Compress(this.chain, this.buf);
          else ripemd160Compress(this.chain, this.buf);
          this.buf.fill(0);
        }
      }
    }
  }

  finalize(): void {
    if (this.algo === ALGO_KECCAK) {
      this.ks[this.pos % KECCAK_RATE] ^= 0x01;
      this.ks[KECCAK_RATE - 1] ^= 0x80;
      keccakF(this.ks);
    } else {
      const compress = this.algo === ALGO_SHA256 ? sha256Compress : ripemd160Compress;
      let p = this.pos % 64;
      this.buf[p++] = 0x80;
      if (p > 56) {
        this.buf.fill(0, p);
        compress(this.chain, this.buf);
        this.buf.fill(0);
        p = 0;
      }
      this.buf.fill(0, p);
      const bits = BigInt(this.pos) * 8n;
      const dv = new DataView(this.buf.buffer);
      if (this.algo === ALGO_SHA256) dv.setBigUint64(56, bits, false);
      else dv.setBigUint64(56, bits, true);
      compress(this.chain, this.buf);
      this.buf.fill(0);
    }
    this.done = true;
  }

  /** The 7 state words h0…h6. */
  words(): bigint[] {
    if (this.algo === ALGO_KECCAK) {
      const b = new Uint8Array(224);
      b.set(this.ks);
      const dv = new DataView(b.buffer);
      return [0, 1, 2, 3, 4, 5, 6].map((i) => getWord(dv, i * 32));
    }
    const h0 = new Uint8Array(32);
    const dv = new DataView(h0.buffer);
    for (let i = 0; i < this.chain.length; i++) dv.setUint32(i * 4, this.chain[i], this.algo === ALGO_RIPEMD160);
    const bdv = new DataView(this.buf.buffer);
    return [getWord(dv, 0), getWord(bdv, 0), getWord(bdv, 32), 0n, 0n, 0n, 0n];
  }

  static fromWords(algo: number, pos: number, done: boolean, ws: readonly bigint[]): Hasher {
    const h = new Hasher(algo);
    h.pos = pos;
    h.done = done;
    if (algo === ALGO_KECCAK) {
      const b = new Uint8Array(224);
      const dv = new DataView(b.buffer);
      ws.slice(0, 7).forEach((w, i) => putWord(dv, i * 32, w));
      h.ks = b.slice(0, 200);
    } else {
      const h0 = new Uint8Array(32);
      const dv = new DataView(h0.buffer);
      putWord(dv, 0, ws[0]);
      for (let i = 0; i < h.chain.length; i++) h.chain[i] = dv.getUint32(i * 4, algo === ALGO_RIPEMD160);
      const bdv = new DataView(h.buf.buffer);
      putWord(bdv, 0, ws[1]);
      putWord(bdv, 32, ws[2]);
    }
    return h;
  }

  /** The digest word (after finalize): keccak and sha256 as is, ripemd160 right-aligned (12 zero bytes first). */
  digest(): bigint {
    const h0 = this.words()[0];
    return this.algo === ALGO_RIPEMD160 ? h0 >> 96n : h0;
  }
}
