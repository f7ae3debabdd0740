/**
 * The canonical codec (core/codec.ts): round trips of varints and compact u256s, and the strict
 * reader's rejections, each with its DecodeError code.
 */
import { expect } from "chai";
import { Reader, Writer, MAX_BYTES } from "../../core/codec";
import { DecodeError, DecodeCode } from "../../core/errors";
import { MAX_U256, MAX_U64, keccak256, bytesToBigInt } from "../../core/bytes";

/** Deterministic pseudo-random bigints below 2^bits (keccak counter stream). */
function* randomBigints(seed: string, count: number, bits: number): Generator<bigint> {
  for (let i = 0; i < count; i++) {
    const h1 = keccak256(new TextEncoder().encode(`${seed}/${i}/a`));
    const h2 = keccak256(new TextEncoder().encode(`${seed}/${i}/b`));
    // Random width too, so small and large values both occur.
    const width = BigInt(1 + (h2[0] % bits));
    yield bytesToBigInt(h1) & ((1n << width) - 1n);
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

function expectDecodeError(f: () => unknown, code: DecodeCode): DecodeError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected DecodeError ${code}`).to.be.instanceOf(DecodeError);
  expect((err as DecodeError).code).to.equal(code);
  expect((err as DecodeError).kind).to.equal("malformed");
  return err as DecodeError;
}

const readVarint = (b: Uint8Array) => {
  const r = new Reader(b);
  const v = r.varint();
  r.end();
  return v;
};
const readU256c = (b: Uint8Array) => {
  const r = new Reader(b);
  const v = r.u256c();
  r.end();
  return v;
};
const varintBytes = (v: bigint | number) => new Writer().varint(v).finish();
const u256cBytes = (v: bigint) => new Writer().u256c(v).finish();

describe("core/codec", () => {
  describe("varint", () => {
    const fixed: [bigint, string][] = [
      [0n, "00"],
      [1n, "01"],
      [127n, "7f"],
      [128n, "8001"],
      [300n, "ac02"],
      [16383n, "ff7f"],
      [16384n, "808001"],
      [(1n << 63n) - 1n, "ffffffffffffffff7f"],
      [1n << 63n, "80808080808080808001"],
      [MAX_U64, "ffffffffffffffffff01"],
    ];
    for (const [v, enc] of fixed) {
      it(`encodes ${v} as ${enc} and back`, () => {
        const b = varintBytes(v);
        expect(hex(b)).to.equal(enc);
        expect(readVarint(b)).to.equal(v);
      });
    }

    it("round-trips random values up to 64 bits, with LEB128 length", () => {
      for (const v of randomBigints("varint", 500, 64)) {
        const b = varintBytes(v);
        const bits = v === 0n ? 1 : v.toString(2).length;
        expect(b.length).to.equal(Math.ceil(bits / 7));
        expect(readVarint(b)).to.equal(v);
      }
    });

    it("accepts JS numbers in the writer", () => {
      expect(hex(varintBytes(128))).to.equal("8001");
    });

    it("writer rejects negative and > 64-bit values", () => {
      expect(() => varintBytes(-1n)).to.throw(RangeError);
      expect(() => varintBytes(MAX_U64 + 1n)).to.throw(RangeError);
    });

    it("rejects a redundant zero group as non-canonical", () => {
      for (const h of ["8000", "808000", "ff00", "ff8000", "80808080808080808000"]) {
        const e = expectDecodeError(() => readVarint(Buffer.from(h, "hex")), "non-canonical");
        expect(e.offset).to.equal(0);
      }
    });

    it("rejects a varint above 64 bits as oversized", () => {
      // 2^64 exactly: the 10th byte carries bit 64.
      expectDecodeError(() => readVarint(Buffer.from("80808080808080808002", "hex")), "oversized");
      // all 70 bits set
      expectDecodeError(() => readVarint(Buffer.from("ffffffffffffffffff7f", "hex")), "oversized");
      // 11 bytes (continuation on the 10th)
      expectDecodeError(() => readVarint(Buffer.from("8080808080808080808001", "hex")), "oversized");
      expectDecodeError(() => readVarint(Buffer.from("ffffffffffffffffff81", "hex")), "oversized");
    });

    it("rejects an unterminated varint as truncated", () => {
      expectDecodeError(() => readVarint(new Uint8Array(0)), "truncated");
      expectDecodeError(() => readVarint(Buffer.from("80", "hex")), "truncated");
      expectDecodeError(() => readVarint(Buffer.from("ffffffffffffffffff", "hex")), "truncated");
    });

    it("count() enforces its limit", () => {
      expect(new Reader(varintBytes(10)).count(10, "n")).to.equal(10);
      expectDecodeError(() => new Reader(varintBytes(11)).count(10, "n"), "oversized");
      expectDecodeError(() => new Reader(varintBytes(MAX_U64)).count(Number.MAX_SAFE_INTEGER, "n"), "oversized");
    });
  });

  describe("compact u256", () => {
    const fixed: [bigint, string][] = [
      [0n, "00"],
      [1n, "0101"],
      [127n, "017f"],
      [128n, "0180"],
      [255n, "01ff"],
      [256n, "020100"],
      [MAX_U64, "08ffffffffffffffff"],
      [1n << 255n, "2080" + "00".repeat(31)],
      [MAX_U256, "20" + "ff".repeat(32)],
    ];
    for (const [v, enc] of fixed) {
      it(`encodes ${v.toString(16)} as ${enc.slice(0, 20)}${enc.length > 20 ? "…" : ""} and back`, () => {
        const b = u256cBytes(v);
        expect(hex(b)).to.equal(enc);
        expect(readU256c(b)).to.equal(v);
      });
    }

    it("round-trips random values up to 256 bits, minimal length", () => {
      for (const v of randomBigints("u256c", 500, 256)) {
        const b = u256cBytes(v);
        const len = v === 0n ? 0 : Math.ceil(v.toString(16).length / 2);
        expect(b[0]).to.equal(len);
        expect(b.length).to.equal(1 + len);
        expect(readU256c(b)).to.equal(v);
      }
    });

    it("writer rejects negative and > 256-bit values", () => {
      expect(() => u256cBytes(-1n)).to.throw(RangeError);
      expect(() => u256cBytes(MAX_U256 + 1n)).to.throw(RangeError);
    });

    it("rejects a leading zero byte as non-canonical", () => {
      for (const h of ["0100", "020001", "0200ff", "20" + "00" + "ff".repeat(31)]) {
        const e = expectDecodeError(() => readU256c(Buffer.from(h, "hex")), "non-canonical");
        expect(e.offset).to.equal(0);
      }
    });

    it("rejects a length above 32 as oversized", () => {
      expectDecodeError(() => readU256c(Buffer.from("21" + "ff".repeat(33), "hex")), "oversized");
      expectDecodeError(() => readU256c(Buffer.from("21", "hex")), "oversized");
      expectDecodeError(() => readU256c(Buffer.from("ff", "hex")), "oversized");
    });

    it("rejects missing value bytes as truncated", () => {
      expectDecodeError(() => readU256c(new Uint8Array(0)), "truncated");
      expectDecodeError(() => readU256c(Buffer.from("02ff", "hex")), "truncated");
      expectDecodeError(() => readU256c(Buffer.from("20" + "ff".repeat(31), "hex")), "truncated");
    });
  });

  describe("byte strings and records", () => {
    const addr = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
    const blob = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const write = () =>
      new Writer().u8(7).varint(MAX_U64).u256c(MAX_U256).u256c(0n).fixed(addr, 20).bytes(blob).bytes(new Uint8Array(0)).varint(0).finish();
    const read = (b: Uint8Array) => {
      const r = new Reader(b);
      const out = [r.u8(), r.varint(), r.u256c(), r.u256c(), r.fixed(20), r.bytes(), r.bytes(), r.varint()];
      r.end();
      return out;
    };

    it("round-trips a mixed record", () => {
      const [u8, v, big, zero, a, bl, empty, z] = read(write());
      expect(u8).to.equal(7);
      expect(v).to.equal(MAX_U64);
      expect(big).to.equal(MAX_U256);
      expect(zero).to.equal(0n);
      expect(a).to.deep.equal(addr);
      expect(bl).to.deep.equal(blob);
      expect(empty).to.deep.equal(new Uint8Array(0));
      expect(z).to.equal(0n);
    });

    it("rejects truncation at every cut point", () => {
      const b = write();
      for (let cut = 0; cut < b.length; cut++) expectDecodeError(() => read(b.subarray(0, cut)), "truncated");
    });

    it("rejects trailing bytes", () => {
      const b = write();
      for (const extra of [[0], [1, 2, 3], [0xff]]) {
        const e = expectDecodeError(() => read(Uint8Array.from([...b, ...extra])), "trailing-bytes");
        expect(e.offset).to.equal(b.length);
      }
      expectDecodeError(() => readVarint(Buffer.from("0000", "hex")), "trailing-bytes");
      expectDecodeError(() => readU256c(Buffer.from("000000", "hex")), "trailing-bytes");
    });

    it("bytes() enforces its length limit before reading", () => {
      const b = new Writer().varint(33).finish();
      expectDecodeError(() => new Reader(b).bytes("x", 32), "oversized");
      expectDecodeError(() => new Reader(new Writer().varint(MAX_BYTES + 1).finish()).bytes(), "oversized");
      expect(new Reader(new Writer().bytes(new Uint8Array(32)).finish()).bytes("x", 32).length).to.equal(32);
    });

    it("writer rejects wrong fixed widths and bad u8", () => {
      expect(() => new Writer().fixed(new Uint8Array(19), 20)).to.throw(RangeError);
      expect(() => new Writer().u8(256)).to.throw(RangeError);
      expect(() => new Writer().u8(-1)).to.throw(RangeError);
    });

    it("reader returns copies, not views of its buffer", () => {
      const b = write();
      const r = new Reader(b);
      r.u8();
      r.varint();
      r.u256c();
      r.u256c();
      const at = r.pos;
      const a = r.fixed(20);
      b[at] = 0xee;
      expect(a).to.deep.equal(addr);
    });
  });
});
