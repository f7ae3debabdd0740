/** cli/progress.ts and client/contracts.ts formatting: the countdown bar, durations, ETH amounts. */
import { expect } from "chai";
import { bar, countdownText } from "../../cli/progress";
import { duration, eth } from "../../client/contracts";
import { ethAmount } from "../../cli/common";

describe("cli/progress: bars and words", () => {
  it("a bar fills as the window passes, clamped at both ends", () => {
    expect(bar(0, 10, true)).to.equal("[..........]");
    expect(bar(0.5, 10, true)).to.equal("[#####.....]");
    expect(bar(2, 4)).to.equal("████");
    expect(bar(-1, 4)).to.equal("░░░░");
    expect(bar(NaN, 4)).to.equal("░░░░");
    expect(countdownText(60, 45, true)).to.equal("[#####...............] 45s left");
    expect(countdownText(60, 0, true)).to.equal("[####################] 0s left");
  });

  it("durations and ETH for people; ETH amounts parsed exactly", () => {
    expect([duration(0), duration(59.2), duration(61), duration(3600 * 2 + 60 * 3)]).to.deep.equal(["0s", "1m 00s", "1m 01s", "2h 03m"]);
    expect([eth(0n), eth(10n ** 18n), eth(15n * 10n ** 17n), eth(1n), eth(123456789n * 10n ** 10n)]).to.deep.equal(["0 ETH", "1 ETH", "1.5 ETH", "<0.000001 ETH", "1.234567 ETH"]);
    expect(ethAmount("1.5")).to.equal(15n * 10n ** 17n);
    expect(ethAmount("0.000000000000000001")).to.equal(1n);
    for (const bad of ["", "-1", "1e18", "0x10", "1.0000000000000000001", "one"]) expect(() => ethAmount(bad), bad).to.throw("must be an amount of ETH");
  });
});
