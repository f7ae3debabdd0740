/**
 * The compressed items' Solidity twin (contracts/lib/Flz.sol, through FlzHarness) against the shared vectors
 * (test/vectors/flz.json, scripts/gen-flz-vectors.ts), which core/flz.ts also runs; the dictionary read from a
 * contract's code; and the gas of the costliest streams the limits allow (protocol.md §7.7).
 */
import { expect } from "chai";
import * as fs from "fs";
import hre from "hardhat";
import { keccak256 } from "ethers";
import type { FlzHarness } from "../../../typechain-types";
import { FLZ_VECTORS, type FlzVectors } from "../../../scripts/gen-flz-vectors";
import { FLZ_ITEM, FLZ_MAX_OUTPUT, MAX_FLZ_DICT_BYTES, MAX_FLZ_ITEM_BYTES, flzDecompress } from "../../../core/flz";
import { bytesToHex } from "../../../core/bytes";
import { deployDictionary } from "../../helpers/flz";

const NOT_EXPANDABLE = 6;

/** Items of at most MAX_FLZ_ITEM_BYTES that expand in the costliest ways: the most blocks (two-byte matches or
 *  literals), MAX_TX_BYTES of long matches at distances 1, 17 (the shortest copied 17 bytes a word) and 8,192
 *  (into a full dictionary), and the mix of long matches at distance 17 and short ones at distance 1 that the output
 *  and item limits allow together (the costliest of all). */
function worstStreams(): Record<string, Uint8Array> {
  const long = [FLZ_ITEM, 0, 0xaa];
  let out = 1;
  while (out + 264 <= FLZ_MAX_OUTPUT) {
    long.push(0xe0, 255, 0);
    out += 264;
  }
  long.push(0xe0, FLZ_MAX_OUTPUT - out - 9, 0);
  const short = [FLZ_ITEM, 0, 0xaa];
  out = 1;
  while (short.length + 2 <= MAX_FLZ_ITEM_BYTES) {
    short.push(0x20, 0); // 3 bytes at distance 1
    out += 3;
  }
  const far = [FLZ_ITEM];
  out = 0;
  while (out + 264 <= FLZ_MAX_OUTPUT) {
    far.push(0xff, 255, 255); // 264 bytes at distance 8,192
    out += 264;
  }
  const mid = [FLZ_ITEM, 16, ...Array.from({ length: 17 }, (_, i) => i)]; // 17 literal bytes, then matches at distance 17
  out = 17;
  while (out + 264 <= FLZ_MAX_OUTPUT) {
    mid.push(0xe0, 255, 16);
    out += 264;
  }
  // The costliest mix: long matches at distance 17 (the most gas per posted byte, but 264 bytes of output each) while
  // the output leaves room for three-byte matches at distance 1 (the most gas per posted byte after them) to the limit.
  const mix = [FLZ_ITEM, 16, ...Array.from({ length: 17 }, (_, i) => i)];
  out = 17;
  while (out + 264 + (3 * (MAX_FLZ_ITEM_BYTES - mix.length - 3)) / 2 <= FLZ_MAX_OUTPUT) {
    mix.push(0xe0, 255, 16);
    out += 264;
  }
  while (mix.length + 2 <= MAX_FLZ_ITEM_BYTES) mix.push(0x20, 0);
  const lits = [FLZ_ITEM];
  while (lits.length + 2 <= MAX_FLZ_ITEM_BYTES) lits.push(0, 0x5a); // one-byte literals
  return {
    "long matches at distance 1": Uint8Array.from(long),
    "short matches at distance 1": Uint8Array.from(short),
    "long matches at distance 17 (no doubling)": Uint8Array.from(mid),
    "long matches at distance 17, then short matches at distance 1 to the limit": Uint8Array.from(mix),
    "one-byte literals": Uint8Array.from(lits),
    "long matches at distance 8,192": Uint8Array.from(far),
  };
}

describe("contracts/lib/Flz.sol: compressed items against the shared vectors", function () {
  const v = JSON.parse(fs.readFileSync(FLZ_VECTORS, "utf8")) as FlzVectors;
  let h: FlzHarness;

  before(async () => {
    h = (await (await hre.ethers.getContractFactory("FlzHarness")).deploy()) as unknown as FlzHarness;
  });

  it("expands every vector as core/flz.ts does, and refuses every bad stream with DecodeError(6, offset)", async () => {
    for (const x of v.vectors) {
      const dict = v.dictionaries[x.dict];
      if (x.expanded !== null) expect(await h.expand(x.item, dict), x.name).to.equal(x.expanded);
      else await expect(h.expand(x.item, dict), x.name).to.be.revertedWithCustomError(h, "DecodeError").withArgs(NOT_EXPANDABLE, x.error!.offset);
    }
  });

  it("reads a dictionary from a contract's code (after its leading 0x00), and none from the zero address", async () => {
    const dict = v.dictionaries.tx;
    const holder = await deployDictionary(hre, dict);
    expect(await h.dictionaryOf(holder)).to.equal(dict);
    expect(await h.dictionaryOf(hre.ethers.ZeroAddress)).to.equal("0x");
  });

  it("expands the costliest streams the limits allow within the gas bound of §7.7 (under 3.5 M)", async () => {
    const dict = new Uint8Array(MAX_FLZ_DICT_BYTES).map((_, i) => i * 7);
    for (const [name, item] of Object.entries(worstStreams())) {
      expect(item.length, name).to.be.at.most(MAX_FLZ_ITEM_BYTES);
      const expected = flzDecompress(item, dict, FLZ_MAX_OUTPUT, 1);
      const [used, hash, len] = await h.expandGas(item, dict);
      expect(hash, name).to.equal(keccak256(bytesToHex(expected)));
      expect(len).to.equal(BigInt(expected.length));
      console.log(`      ${name}: ${expected.length} bytes from ${item.length}, ${used} gas`);
      expect(used, name).to.be.below(3_500_000n);
    }
  });
});
