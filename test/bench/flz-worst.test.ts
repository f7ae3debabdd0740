/**
 * bench/flz-worst.ts, the encoder of the costliest compressed items (protocol.md §7.7) that bench/proof-gas.ts posts:
 * its items expand to exactly the transaction, fill the append-time limit, and carry more blocks (the decoder's gas is
 * per block) than the reference encoder's; a transaction no item within the limit can say is refused.
 */
import { expect } from "chai";
import { FLZ_ITEM, MAX_FLZ_ITEM_BYTES, expandItem, flzCompress } from "../../core/flz";
import { parseBlocks, worstItem, WorstItemError } from "../../bench/flz-worst";
import { defaultDictionary } from "../../deploy/dictionary";

/** A compressible encoding of `n` bytes: records of a counter between constant runs (as moves are), then repeats. */
function shape(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i < 6000 ? (i % 10 === 5 ? (i / 10) & 255 : i % 10) : 0x5a + ((i % 23) === 0 ? 1 : 0);
  return out;
}

describe("bench/flz-worst.ts: the costliest compressed item of a transaction", () => {
  for (const [name, dict] of [["no dictionary", new Uint8Array(0)], ["the shipped dictionary", defaultDictionary()]] as const) {
    it(`expands to the encoding, fills the limit and carries more blocks than the reference encoder (${name})`, () => {
      for (const n of [20_000, 98_304]) {
        const enc = shape(n);
        const item = worstItem(enc, dict);
        expect(item[0]).to.equal(FLZ_ITEM);
        expect(item.length).to.be.within(MAX_FLZ_ITEM_BYTES - 1, MAX_FLZ_ITEM_BYTES);
        expect(expandItem(item, dict)).to.deep.equal(enc);
        expect(parseBlocks(item.subarray(1)).length).to.be.above(parseBlocks(flzCompress(enc, dict)).length + 1000);
        // A smaller limit is kept too.
        const small = worstItem(enc, dict, 4096);
        expect(small.length).to.be.within(4095, 4096);
        expect(expandItem(small, dict)).to.deep.equal(enc);
      }
    });
  }

  it("refuses a transaction the reference encoder cannot say within the limit (random bytes)", () => {
    let x = 1;
    const enc = Uint8Array.from({ length: 20_000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 255);
    expect(() => worstItem(enc, new Uint8Array(0))).to.throw(WorstItemError, /over the 8192-byte limit/);
  });
});
