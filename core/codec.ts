/**
 * The canonical binary codec (docs/protocol.md §3): unsigned LEB128 varints, compact u256
 * (a length byte then minimal big-endian bytes), fixed-width byte strings and length-prefixed
 * byte strings. The reader is strict: every value has exactly one accepted encoding.
 */
import { DecodeError } from "./errors";
import { bytesToHex, MAX_U256, MAX_U64 } from "./bytes";

/** Largest length prefix any byte string may carry (16 MiB). */
export const MAX_BYTES = 1 << 24;

export class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`u8 out of range: ${v}`);
    return this.raw(Uint8Array.of(v));
  }

  /** Unsigned LEB128, at most 64 bits. */
  varint(v: bigint | number): this {
    let x = BigInt(v);
    if (x < 0n || x > MAX_U64) throw new RangeError(`varint out of range: ${x}`);
    const out: number[] = [];
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      out.push(b);
    } while (x !== 0n);
    return this.raw(Uint8Array.from(out));
  }

  /** Compact u256: one length byte (0..32), then that many big-endian bytes, no leading zero. */
  u256c(v: bigint): this {
    if (v < 0n || v > MAX_U256) throw new RangeError(`u256 out of range: ${v}`);
    if (v === 0n) return this.u8(0);
    let hex = v.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    const len = hex.length / 2;
    const b = new Uint8Array(1 + len);
    b[0] = len;
    for (let i = 0; i < len; i++) b[1 + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return this.raw(b);
  }

  fixed(b: Uint8Array, len: number): this {
    if (b.length !== len) throw new RangeError(`expected ${len} bytes, got ${b.length}`);
    return this.raw(b);
  }

  /** varint length, then the bytes. */
  bytes(b: Uint8Array): this {
    if (b.length > MAX_BYTES) throw new RangeError(`byte string too long: ${b.length}`);
    this.varint(b.length);
    return this.raw(b);
  }

  raw(b: Uint8Array): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) throw new DecodeError("truncated", `${what}: need ${n} bytes, ${this.remaining} left`, this.pos);
  }

  u8(what = "u8"): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  varint(what = "varint"): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i >= 10) throw new DecodeError("oversized", `${what}: varint longer than 10 bytes`, start);
      this.need(1, what);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        // Canonical: no trailing zero group (except the single byte 0x00 for zero).
        if (b === 0 && i > 0) throw new DecodeError("non-canonical", `${what}: varint has a redundant zero byte`, start);
        break;
      }
    }
    if (result > MAX_U64) throw new DecodeError("oversized", `${what}: varint exceeds 64 bits`, start);
    return result;
  }

  /** A varint that must fit a JS number below `max`. */
  count(max: number, what: string): number {
    const start = this.pos;
    const v = this.varint(what);
    if (v > BigInt(max)) throw new DecodeError("oversized", `${what}: ${v} exceeds the limit ${max}`, start);
    return Number(v);
  }

  u256c(what = "u256"): bigint {
    const start = this.pos;
    const len = this.u8(what);
    if (len > 32) throw new DecodeError("oversized", `${what}: compact u256 length ${len} > 32`, start);
    if (len === 0) return 0n;
    this.need(len, what);
    if (this.buf[this.pos] === 0) throw new DecodeError("non-canonical", `${what}: compact u256 has a leading zero byte`, start);
    const v = BigInt(bytesToHex(this.buf.subarray(this.pos, this.pos + len)));
    this.pos += len;
    return v;
  }

  fixed(len: number, what = "bytes"): Uint8Array {
    this.need(len, what);
    const b = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  bytes(what = "bytes", max = MAX_BYTES): Uint8Array {
    const len = this.count(max, `${what} length`);
    return this.fixed(len, what);
  }

  end(what = "value"): void {
    if (this.remaining !== 0) throw new DecodeError("trailing-bytes", `${what}: ${this.remaining} bytes after the end`, this.pos);
  }
}
