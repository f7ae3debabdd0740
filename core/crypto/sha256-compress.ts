/**
 * The SHA-256 compression function alone (FIPS 180-4 §6.2.2): one 64-byte block per call, the
 * chaining state in and out. SHA256 (precompile 0x02) is micro-stepped with it, one block per step
 * (step-brief "Micro-steps and precompiles"), so no input size is refused. Twin of
 * contracts/step/lib/Sha256.sol; both run test/vectors/step-crypto.json. Pure, no I/O.
 *
 * The chaining state is 32 bytes: H0 … H7 as big-endian 32-bit words, i.e. the digest's own form
 * (the state after the last block is the hash).
 */

/** The initial chaining state (FIPS 180-4 §5.3.3). */
export const SHA256_IV = Uint8Array.from(
  Buffer.from("6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19", "hex"),
);

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** Compresses one 64-byte block into a 32-byte chaining state; returns the new state. */
export function sha256Compress(state: Uint8Array, block: Uint8Array): Uint8Array {
  if (state.length !== 32) throw new RangeError("a SHA-256 chaining state is 32 bytes");
  if (block.length !== 64) throw new RangeError("a SHA-256 block is 64 bytes");
  const sv = new DataView(state.buffer, state.byteOffset, 32);
  const bv = new DataView(block.buffer, block.byteOffset, 64);
  const w = new Uint32Array(64);
  for (let t = 0; t < 16; t++) w[t] = bv.getUint32(4 * t, false);
  for (let t = 16; t < 64; t++) {
    const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
    const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
  }
  const h = Array.from({ length: 8 }, (_, i) => sv.getUint32(4 * i, false));
  let [a, b, c, d, e, f, g, hh] = h;
  for (let t = 0; t < 64; t++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) >>> 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) >>> 0;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  [a, b, c, d, e, f, g, hh].forEach((v, i) => ov.setUint32(4 * i, (h[i] + v) >>> 0, false));
  return out;
}

/** SHA-256 padding: the message with 0x80, zeros and the 64-bit big-endian bit length, as 64-byte blocks. */
export function sha256Blocks(msg: Uint8Array): Uint8Array[] {
  const n = Math.floor((msg.length + 8) / 64) + 1;
  const padded = new Uint8Array(n * 64);
  padded.set(msg);
  padded[msg.length] = 0x80;
  new DataView(padded.buffer).setBigUint64(padded.length - 8, BigInt(msg.length) * 8n, false);
  return Array.from({ length: n }, (_, i) => padded.subarray(i * 64, (i + 1) * 64));
}

/** SHA-256 through the compression function of this file (the reference for the micro-steps). */
export function sha256Chained(msg: Uint8Array): Uint8Array {
  let st: Uint8Array = SHA256_IV;
  for (const blk of sha256Blocks(msg)) st = sha256Compress(st, blk);
  return st;
}
