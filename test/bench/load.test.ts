/**
 * `moveset load`'s pure parts (bench/load.ts): the --mix grammar, the percentiles it reports, and
 * the plan (deterministic from the seed, each account its share, the mix's proportions). The runs
 * against real endpoints are in test/e2e/load.test.ts. No timing is asserted.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { parseMix, percentile, planKinds, loadAccountKey, loadJson, type LoadResult } from "../../bench/load";

describe("bench/load: the load's plan and its figures", () => {
  it("reads --mix: kinds with optional weights", () => {
    expect(parseMix("eth")).to.deep.equal({ eth: 1, erc20: 0, swap: 0 });
    expect(parseMix("eth,erc20,swap")).to.deep.equal({ eth: 1, erc20: 1, swap: 1 });
    expect(parseMix(" eth:3 , erc20:4,swap:3")).to.deep.equal({ eth: 3, erc20: 4, swap: 3 });
    expect(parseMix("swap:0.5")).to.deep.equal({ eth: 0, erc20: 0, swap: 0.5 });
  });

  it("refuses a --mix it cannot read, saying why", () => {
    expect(() => parseMix("eth,nft")).to.throw(RangeError, /"nft" is not a kind of transaction: the kinds are eth, erc20, swap/);
    expect(() => parseMix("")).to.throw(RangeError, /not a list of kinds/);
    expect(() => parseMix("eth,,swap")).to.throw(RangeError, /not a list of kinds/);
    expect(() => parseMix("eth:0")).to.throw(RangeError, /weight of eth must be above 0/);
    expect(() => parseMix("eth:-1")).to.throw(RangeError, /not a kind/);
    expect(() => parseMix("eth,eth")).to.throw(RangeError, /eth is named twice/);
  });

  it("percentiles by nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).to.equal(50);
    expect(percentile(xs, 99)).to.equal(99);
    expect(percentile(xs, 100)).to.equal(100);
    expect(percentile([7], 50)).to.equal(7);
    expect(percentile([1, 2, 3], 99)).to.equal(3);
    expect(percentile([], 50)).to.be.NaN;
  });

  it("plans the same kinds from the same seed, in the mix's proportions", () => {
    const a = planKinds("s", 3000, { eth: 3, erc20: 4, swap: 3 });
    expect(planKinds("s", 3000, { eth: 3, erc20: 4, swap: 3 })).to.deep.equal(a);
    expect(planKinds("t", 3000, { eth: 3, erc20: 4, swap: 3 })).to.not.deep.equal(a);
    const n = (k: string) => a.filter((x) => x === k).length / a.length;
    expect(n("eth")).to.be.closeTo(0.3, 0.04);
    expect(n("erc20")).to.be.closeTo(0.4, 0.04);
    expect(n("swap")).to.be.closeTo(0.3, 0.04);
    expect(new Set(planKinds("s", 500, { eth: 1, erc20: 0, swap: 0 }))).to.deep.equal(new Set(["eth"]));
  });

  it("derives distinct load accounts from the seed, none of them Hardhat's dev accounts", () => {
    const keys = Array.from({ length: 50 }, (_, i) => loadAccountKey("s", i));
    expect(new Set(keys).size).to.equal(50);
    expect(loadAccountKey("s", 0)).to.equal(keys[0]);
    expect(loadAccountKey("other", 0)).to.not.equal(keys[0]);
    const dev = ethers.HDNodeWallet.fromPhrase("test test test test test test test test test test test junk", "", "m/44'/60'/0'/0");
    const devKeys = new Set(Array.from({ length: 20 }, (_, i) => dev.deriveChild(i).privateKey));
    for (const k of keys) expect(devKeys.has(k)).to.equal(false);
  });

  it("the --json object has exactly the four figures", () => {
    const r = { acceptedTps: 123.456, includedTps: 100.04, p50Ms: 10.4, p99Ms: 99.6 } as LoadResult;
    expect(loadJson(r)).to.deep.equal({ acceptedTps: 123.5, includedTps: 100, p50Ms: 10, p99Ms: 100 });
  });
});
