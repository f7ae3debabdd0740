/**
 * Compressed items (protocol.md §7.7, core/flz.ts): the shared vectors (test/vectors/flz.json,
 * scripts/gen-flz-vectors.ts), which contracts/lib/Flz.sol also runs; Solady's own JavaScript decoder reads the
 * same blocks; the encoder round-trips with any dictionary; a poster's item is raw where compressing does not pay.
 */
import { expect } from "chai";
import * as fs from "fs";
import { LibZip } from "solady";
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { DecodeError } from "../../core/errors";
import {
  compressItem, expandItem, flzCompress, flzDecompress, isCompressedItem, checkDictionary,
  FLZ_ITEM, FLZ_MAX_OUTPUT, MAX_FLZ_DICT_BYTES, MAX_FLZ_ITEM_BYTES, NotExpandableError,
} from "../../core/flz";
import { buildFlzVectors, FLZ_VECTORS, type FlzVectors } from "../../scripts/gen-flz-vectors";
import { decodeItem, expandBatchItem } from "../../core/batch";
import { decodeTx } from "../../core/tx";
import { transferTx } from "../helpers/inbox";

/** Solady's decoder with a dictionary: its literal blocks first, then the blocks, less the dictionary. */
function soladyExpand(dict: Uint8Array, blocks: Uint8Array): Uint8Array {
  const lits: number[] = [];
  for (let i = 0; i < dict.length; i += 32) {
    const run = dict.subarray(i, i + 32);
    lits.push(run.length - 1, ...run);
  }
  const all = Uint8Array.from([...lits, ...blocks]);
  return hexToBytes(LibZip.flzDecompress(bytesToHex(all)) as `0x${string}`).subarray(dict.length);
}

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 24);
}

describe("core/flz: compressed items", () => {
  const v = JSON.parse(fs.readFileSync(FLZ_VECTORS, "utf8")) as FlzVectors;
  const dicts = Object.fromEntries(Object.entries(v.dictionaries).map(([k, x]) => [k, hexToBytes(x as `0x${string}`)]));

  it("the vector file is what the generator writes", () => {
    expect(JSON.stringify(buildFlzVectors())).to.equal(JSON.stringify(v));
  });

  it("expands every vector as recorded, and refuses every bad stream with its reason and offset", () => {
    expect(v.vectors.filter((x) => x.error).length).to.be.greaterThanOrEqual(9);
    for (const x of v.vectors) {
      const item = hexToBytes(x.item as `0x${string}`);
      if (x.expanded !== null) {
        expect(bytesToHex(expandItem(item, dicts[x.dict])), x.name).to.equal(x.expanded);
        continue;
      }
      let err: unknown;
      try {
        expandItem(item, dicts[x.dict]);
      } catch (e) {
        err = e;
      }
      expect(err, x.name).to.be.instanceOf(NotExpandableError);
      const e = err as NotExpandableError;
      expect(e).to.be.instanceOf(DecodeError);
      expect(e.kind).to.equal("malformed");
      expect([e.code, e.why, e.offset], x.name).to.deep.equal([x.error!.code, x.error!.why, x.error!.offset]);
    }
  });

  it("Solady's JavaScript decoder reads every valid compressed vector the same", () => {
    let n = 0;
    for (const x of v.vectors) {
      const item = hexToBytes(x.item as `0x${string}`);
      if (x.expanded === null || !isCompressedItem(item)) continue;
      expect(bytesToHex(soladyExpand(dicts[x.dict], item.subarray(1))), x.name).to.equal(x.expanded);
      n++;
    }
    expect(n).to.be.greaterThan(30);
  });

  it("round-trips random and repetitive inputs with and without a dictionary", () => {
    const rnd = prng(7);
    const dict = Uint8Array.from({ length: MAX_FLZ_DICT_BYTES }, () => rnd() & 0x0f);
    for (const len of [0, 1, 2, 3, 31, 32, 33, 264, 265, 1000, 9000]) {
      const input = Uint8Array.from({ length: len }, (_, i) => (i % 97 < 50 ? rnd() & 0x0f : i & 3));
      for (const d of [new Uint8Array(0), dict.subarray(0, 100), dict]) {
        const blocks = flzCompress(input, d);
        expect(bytesToHex(flzDecompress(blocks, d)), `${len} bytes, dict ${d.length}`).to.equal(bytesToHex(input));
      }
    }
  });

  it("a dictionary's hash chains, built once, give the same blocks whatever was compressed before; one changed in place is hashed again", () => {
    const rnd = prng(11);
    const dict = Uint8Array.from({ length: MAX_FLZ_DICT_BYTES }, () => rnd() & 0x07);
    const inputs = [0, 1, 2, 3, 40, 300, 5000].map((len) => Uint8Array.from({ length: len }, () => rnd() & 0x07));
    const first = inputs.map((x) => bytesToHex(flzCompress(x, dict)));
    // Each input again, after others (and in another order): any head the one before left pushed would change them.
    for (const k of [6, 0, 3, 5, 1, 4, 2]) expect(bytesToHex(flzCompress(inputs[k], dict)), `input ${k}`).to.equal(first[k]);
    for (const k of [2, 4, 6]) expect(bytesToHex(flzCompress(inputs[k], dict.slice())), `input ${k}, a copy`).to.equal(first[k]);
    // 64 bytes the dictionary lacks: literals; written into it in place, a match of 64 bytes (3 bytes of blocks).
    const x = Uint8Array.from({ length: 64 }, (_, i) => 0x80 + i);
    expect(flzCompress(x, dict).length).to.be.above(64);
    dict.set(x, 4000);
    const blocks = flzCompress(x, dict);
    expect(blocks.length).to.equal(3);
    expect(bytesToHex(flzDecompress(blocks, dict))).to.equal(bytesToHex(x));
  });

  it("posts an item raw where compressing does not make it shorter or would pass MAX_FLZ_ITEM_BYTES", () => {
    const rnd = prng(3);
    const random = Uint8Array.from({ length: 300 }, rnd);
    expect(compressItem(random, new Uint8Array(0))).to.equal(random);
    const zeros = new Uint8Array(300);
    const c = compressItem(zeros, new Uint8Array(0));
    expect(c[0]).to.equal(FLZ_ITEM);
    expect(c.length).to.be.below(20);
    const big = Uint8Array.from({ length: 20_000 }, rnd); // incompressible, well over 8 KiB
    expect(compressItem(big, new Uint8Array(0))).to.equal(big);
    const half = Uint8Array.from({ length: 40_000 }, (_, i) => (i % 2 ? rnd() : 0)); // compresses, but not below 8 KiB
    expect(flzCompress(half).length + 1).to.be.above(MAX_FLZ_ITEM_BYTES);
    expect(compressItem(half, new Uint8Array(0))).to.equal(half);
  });

  it("stops at the output cap before writing past it", () => {
    const stream = Uint8Array.from([0, 1, ...Array<number[]>(400).fill([0xe0, 255, 0]).flat()]); // 1 + 400 × 264 bytes
    expect(() => flzDecompress(stream, new Uint8Array(0), FLZ_MAX_OUTPUT)).to.throw(NotExpandableError, "MAX_TX_BYTES");
    expect(flzDecompress(stream, new Uint8Array(0), 200_000).length).to.equal(1 + 400 * 264);
  });

  it("the batch readers' helper (core/batch.ts): raw and compressed items to transactions; bad streams a typed not-expandable", () => {
    const enc = transferTx(3);
    const dict = enc.subarray(10, 90);
    const item = compressItem(enc, dict);
    expect(item[0]).to.equal(FLZ_ITEM);
    // Raw and compressed: the same transaction; the entry keeps the item as posted and its gas.
    for (const posted of [enc, item]) {
      const e = expandBatchItem({ gas: 21_000n, tx: posted }, dict);
      expect(e.item).to.equal(posted);
      expect(e.gas).to.equal(21_000n);
      expect(e.error).to.equal(undefined);
      expect(bytesToHex(e.tx!)).to.equal(bytesToHex(enc));
      expect(decodeItem(posted, dict)).to.deep.equal(decodeTx(enc));
    }
    // The same compressed item with another dictionary: its matches into the dictionary read other bytes or reach
    // before it (no dictionary at all).
    expect(() => decodeItem(item, new Uint8Array(0))).to.throw(NotExpandableError);
    const bad: [Uint8Array, string, number][] = [
      [Uint8Array.of(FLZ_ITEM, 0x05, 1, 2), "truncated", 1], // a literal of 6 bytes, 2 present
      [Uint8Array.of(FLZ_ITEM, 0x00, 0x02, 0xe0), "truncated", 3], // a long match without its length and distance
      [Uint8Array.of(FLZ_ITEM, 0x20, 0x50), "before-dictionary", 1], // distance 81 with 80 bytes of dictionary
      [Uint8Array.of(FLZ_ITEM, ...new Uint8Array(MAX_FLZ_ITEM_BYTES)), "item-oversized", 0],
    ];
    for (const [stream, why, offset] of bad) {
      const e = expandBatchItem({ gas: 1n, tx: stream }, dict);
      expect(e.tx, why).to.equal(undefined);
      expect(e.item).to.equal(stream);
      expect(e.error, why).to.be.instanceOf(NotExpandableError);
      expect(e.error).to.deep.include({ why, code: "not-expandable", kind: "malformed", offset });
      expect(() => decodeItem(stream, dict), why).to.throw(DecodeError, "does not expand");
    }
    // An empty stream expands to nothing, which does not decode (truncated at 0, as any empty transaction).
    expect(expandBatchItem({ gas: 0n, tx: Uint8Array.of(FLZ_ITEM) }, dict).tx!.length).to.equal(0);
    expect(() => decodeItem(Uint8Array.of(FLZ_ITEM), dict)).to.throw(DecodeError).with.property("code", "truncated");
  });

  it("refuses a dictionary over 8,192 bytes", () => {
    expect(() => checkDictionary(new Uint8Array(MAX_FLZ_DICT_BYTES + 1))).to.throw(RangeError);
    expect(() => checkDictionary(new Uint8Array(MAX_FLZ_DICT_BYTES))).not.to.throw();
  });
});
