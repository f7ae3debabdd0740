/**
 * keccak-f[1600], the permutation under keccak256, and the sponge micro-step built on it
 * (DESIGN §8.1: KECCAK256 absorbs one 136-byte block per step with the sponge state in the machine).
 * Twin of contracts/step/lib/KeccakF.sol; both run test/vectors/step-crypto.json.
 *
 * The state is the standard 200-byte Keccak state: lane i = x + 5y (x, y in 0..4) is the 64-bit
 * little-endian word at bytes [8i, 8i + 8). Internally lane i is kept as two 32-bit halves,
 * s[2i] (low) and s[2i + 1] (high). Pure, no I/O.
 */

/** Bytes per absorbed block of keccak256 (rate 1088 bits). */
export const KECCAK_RATE = 136;
/** Bytes of the Keccak state. */
export const KECCAK_STATE_BYTES = 200;

/** Rotation offset of lane x + 5y (rho). */
const RHO = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
/** pi: lane x + 5y moves to lane y + 5((2x + 3y) mod 5). */
const PI_DST = Array.from({ length: 25 }, (_, i) => {
  const x = i % 5;
  const y = (i / 5) | 0;
  return y + 5 * ((2 * x + 3 * y) % 5);
});
/** Round constants (iota), as [low, high] 32-bit halves. */
const RC: readonly (readonly [number, number])[] = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
].map((c) => [Number(c & 0xffffffffn), Number(c >> 32n)] as const);

/** The 24-round permutation, in place on 50 32-bit halves (low half first per lane). */
export function keccakF1600Words(s: Uint32Array): void {
  if (s.length !== 50) throw new RangeError("keccak-f state is 50 32-bit words");
  const c = new Uint32Array(10);
  const b = new Uint32Array(50);
  for (let round = 0; round < 24; round++) {
    // theta: column parities, then D[x] = C[x-1] ^ rotl1(C[x+1]) into every lane of column x
    for (let x = 0; x < 10; x++) c[x] = s[x] ^ s[x + 10] ^ s[x + 20] ^ s[x + 30] ^ s[x + 40];
    for (let x = 0; x < 5; x++) {
      const pl = c[((x + 4) % 5) * 2];
      const ph = c[((x + 4) % 5) * 2 + 1];
      const nl = c[((x + 1) % 5) * 2];
      const nh = c[((x + 1) % 5) * 2 + 1];
      const dl = pl ^ ((nl << 1) | (nh >>> 31));
      const dh = ph ^ ((nh << 1) | (nl >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[(x + y) * 2] ^= dl;
        s[(x + y) * 2 + 1] ^= dh;
      }
    }
    // rho and pi
    for (let i = 0; i < 25; i++) {
      const l = s[2 * i];
      const h = s[2 * i + 1];
      const r = RHO[i];
      const j = 2 * PI_DST[i];
      if (r === 0) {
        b[j] = l;
        b[j + 1] = h;
      } else if (r < 32) {
        b[j] = (l << r) | (h >>> (32 - r));
        b[j + 1] = (h << r) | (l >>> (32 - r));
      } else if (r === 32) {
        b[j] = h;
        b[j + 1] = l;
      } else {
        const m = r - 32;
        b[j] = (h << m) | (l >>> (32 - m));
        b[j + 1] = (l << m) | (h >>> (32 - m));
      }
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i = 2 * (x + y);
        const i1 = 2 * (((x + 1) % 5) + y);
        const i2 = 2 * (((x + 2) % 5) + y);
        s[i] = b[i] ^ (~b[i1] & b[i2]);
        s[i + 1] = b[i + 1] ^ (~b[i1 + 1] & b[i2 + 1]);
      }
    }
    // iota
    s[0] ^= RC[round][0];
    s[1] ^= RC[round][1];
  }
}

function toWords(state: Uint8Array): Uint32Array {
  if (state.length !== KECCAK_STATE_BYTES) throw new RangeError(`keccak state is ${KECCAK_STATE_BYTES} bytes`);
  const w = new Uint32Array(50);
  const v = new DataView(state.buffer, state.byteOffset, state.byteLength);
  for (let i = 0; i < 50; i++) w[i] = v.getUint32(4 * i, true);
  return w;
}

function fromWords(w: Uint32Array): Uint8Array {
  const out = new Uint8Array(KECCAK_STATE_BYTES);
  const v = new DataView(out.buffer);
  for (let i = 0; i < 50; i++) v.setUint32(4 * i, w[i], true);
  return out;
}

/** keccak-f[1600] of a 200-byte state (standard byte layout); returns a new state. */
export function keccakF1600(state: Uint8Array): Uint8Array {
  const w = toWords(state);
  keccakF1600Words(w);
  return fromWords(w);
}

/**
 * One sponge micro-step: XOR a 136-byte block into the first 136 bytes of the state, then permute.
 * Padding is the caller's (keccak256 pads the last block with 0x01 … 0x80).
 */
export function keccakAbsorb(state: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length !== KECCAK_RATE) throw new RangeError(`a keccak block is ${KECCAK_RATE} bytes`);
  const x = state.slice();
  if (x.length !== KECCAK_STATE_BYTES) throw new RangeError(`keccak state is ${KECCAK_STATE_BYTES} bytes`);
  for (let i = 0; i < KECCAK_RATE; i++) x[i] ^= block[i];
  return keccakF1600(x);
}

/** The keccak256 padding of a message's tail: the last block(s) of `msg` with 0x01 … 0x80 appended. */
export function keccakBlocks(msg: Uint8Array): Uint8Array[] {
  const n = Math.floor(msg.length / KECCAK_RATE) + 1;
  const padded = new Uint8Array(n * KECCAK_RATE);
  padded.set(msg);
  padded[msg.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  return Array.from({ length: n }, (_, i) => padded.subarray(i * KECCAK_RATE, (i + 1) * KECCAK_RATE));
}

/** keccak256 through the sponge of this file (the reference for the micro-steps; core/bytes.ts is the fast one). */
export function keccakSponge(msg: Uint8Array): Uint8Array {
  let st: Uint8Array = new Uint8Array(KECCAK_STATE_BYTES);
  for (const blk of keccakBlocks(msg)) st = keccakAbsorb(st, blk);
  return st.slice(0, 32);
}
