/**
 * An in-memory filter of 32-byte ids (the chain's transaction hashes) that answers "certainly not
 * here" or "maybe": a scalable Bloom filter (Almeida et al., 2007), a list of Bloom filters, each twice
 * the one before, a new one begun when the last holds its capacity, so it grows with the chain without
 * ever reading the ids again. It never answers "not here" for an id it was given (no false negative);
 * "maybe" is wrong about once in 2,000 asks at most (each filter: 32 bits an id, 4 bits set, about 1 in
 * 5,000 at capacity; their sum stays below 1 in 2,000), and the caller then asks the store, so an
 * answer built on it is exact. Ids are keccak256 hashes: their bits are the filter's hash functions.
 * Ids are never removed (a removed one is a "maybe" the store answers).
 */
const BITS_PER_ID = 32;
const FIRST_CAPACITY = 1 << 16;

interface Part {
  bits: Uint32Array;
  /** Bit index mask (the size in bits, a power of two, minus 1). */
  mask: number;
  n: number;
  capacity: number;
}

function part(capacity: number): Part {
  const size = capacity * BITS_PER_ID;
  return { bits: new Uint32Array(size >>> 5), mask: size - 1, n: 0, capacity };
}

/** The 4 bit positions of `id` (0x + 64 hex digits, any case): 4 of its 32-bit words. Undefined if it is not such an id. */
function positions(id: string): number[] | undefined {
  if (id.length !== 66) return undefined;
  const out: number[] = [];
  for (let k = 0; k < 4; k++) {
    const w = parseInt(id.slice(2 + 8 * k, 10 + 8 * k), 16);
    if (Number.isNaN(w)) return undefined;
    out.push(w);
  }
  return out;
}

export class IdFilter {
  private readonly parts: Part[];

  /** `expected`: how many ids it is about to be given (the first filter is sized for twice as many). */
  constructor(expected = 0) {
    let c = FIRST_CAPACITY;
    while (c < 2 * expected && c < 1 << 24) c *= 2;
    this.parts = [part(c)];
  }

  add(id: string): void {
    const p = positions(id);
    if (!p) return; // not an id: mayHave answers "maybe" for it
    let last = this.parts[this.parts.length - 1];
    if (last.n >= last.capacity) {
      last = part(Math.min(last.capacity * 2, 1 << 24));
      this.parts.push(last);
    }
    for (const w of p) {
      const b = w & last.mask;
      last.bits[b >>> 5] |= 1 << (b & 31);
    }
    last.n++;
  }

  /** False only if `id` was certainly never added. */
  mayHave(id: string): boolean {
    const p = positions(id);
    if (!p) return true;
    return this.parts.some((x) =>
      p.every((w) => {
        const b = w & x.mask;
        return (x.bits[b >>> 5] & (1 << (b & 31))) !== 0;
      })
    );
  }

  /** Ids added. */
  get size(): number {
    return this.parts.reduce((s, x) => s + x.n, 0);
  }

  /**
   * The filter as bytes (to keep it across restarts): a version byte, the number of filters (u32 LE), then each
   * filter's capacity, ids added and bits (u32 LE each). `IdFilter.fromBytes` gives back one that answers the same.
   */
  toBytes(): Uint8Array {
    const size = 5 + this.parts.reduce((s, x) => s + 8 + x.bits.byteLength, 0);
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    out[0] = FORMAT;
    v.setUint32(1, this.parts.length, true);
    let o = 5;
    for (const x of this.parts) {
      v.setUint32(o, x.capacity, true);
      v.setUint32(o + 4, x.n, true);
      o += 8;
      for (let i = 0; i < x.bits.length; i++, o += 4) v.setUint32(o, x.bits[i], true);
    }
    return out;
  }

  /** The filter `toBytes` wrote; undefined for anything else (another version, a length that does not add up). */
  static fromBytes(b: Uint8Array): IdFilter | undefined {
    if (b.length < 5 || b[0] !== FORMAT) return undefined;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const count = v.getUint32(1, true);
    if (count === 0) return undefined;
    const parts: Part[] = [];
    let o = 5;
    for (let i = 0; i < count; i++) {
      if (o + 8 > b.length) return undefined;
      const capacity = v.getUint32(o, true);
      const n = v.getUint32(o + 4, true);
      // Capacities are powers of two from FIRST_CAPACITY to 2^24, as the constructor and `add` make them.
      if (capacity < FIRST_CAPACITY || capacity > 1 << 24 || (capacity & (capacity - 1)) !== 0 || n > capacity) return undefined;
      const p = part(capacity);
      if (o + 8 + p.bits.byteLength > b.length) return undefined;
      o += 8;
      for (let w = 0; w < p.bits.length; w++, o += 4) p.bits[w] = v.getUint32(o, true);
      p.n = n;
      parts.push(p);
    }
    if (o !== b.length) return undefined;
    const f = new IdFilter();
    f.parts.splice(0, f.parts.length, ...parts);
    return f;
  }
}

const FORMAT = 1;
