/** Bonds per depth and the chess clocks' arithmetic (core/game/bonds.ts, core/game/clock.ts). */
import { expect } from "chai";
import { MAX_DEPTH, bondSchedule, checkBondSchedule, challengerDuration, canAnswer, nextDuration, disputeOpen, gameBound, finalAtLatest } from "../../../core/game";

describe("game bonds", () => {
  const costs = { gasPrice: 30n * 10n ** 9n, moveGas: 200_000n, stepGas: 8_000_000n, resolveGas: 80_000n };

  it("a lie never costs its maker less than its answer costs the other side, and answering never locks more than twice", () => {
    const b = bondSchedule(costs);
    expect(b.length).to.equal(MAX_DEPTH);
    const moveAnswer = costs.gasPrice * (costs.moveGas + 2n * costs.resolveGas);
    const stepAnswer = costs.gasPrice * (costs.stepGas + 2n * costs.resolveGas);
    for (let d = 1; d < MAX_DEPTH; d++) expect(b[d - 1]).to.be.gte(moveAnswer);
    expect(b[MAX_DEPTH - 1]).to.equal(stepAnswer);
    expect(b[0]).to.equal(moveAnswer);
    for (let d = 1; d < MAX_DEPTH; d++) {
      expect(b[d]).to.be.gte(b[d - 1]);
      expect(b[d] * 100n).to.be.lte(b[d - 1] * 120n, "about (step/move)^(1/25) ≈ 1.16 per depth here");
    }
    expect(() => checkBondSchedule(b)).not.to.throw();
  });

  it("refuses schedules the contract refuses", () => {
    const b = bondSchedule(costs);
    expect(() => checkBondSchedule(b.slice(1))).to.throw(RangeError);
    expect(() => checkBondSchedule([0n, ...b.slice(1)])).to.throw(RangeError);
    expect(() => checkBondSchedule([...b.slice(0, 3), b[2] - 1n, ...b.slice(4)])).to.throw(RangeError);
    expect(() => checkBondSchedule([...b.slice(0, 3), 2n * b[2] + 1n, ...b.slice(4)])).to.throw(RangeError);
    expect(() => checkBondSchedule([...b.slice(0, 25), 1n << 96n])).to.throw(RangeError);
    expect(() => bondSchedule({ ...costs, stepGas: 1n })).to.throw(RangeError);
    expect(() => bondSchedule({ ...costs, gasPrice: 0n })).to.throw(RangeError);
  });

  it("a flat schedule when a step costs what a move costs", () => {
    const b = bondSchedule({ ...costs, stepGas: costs.moveGas });
    expect(new Set(b).size).to.equal(1);
  });
});

describe("game clocks", () => {
  const p = { maxClockDuration: 3600n, clockExtension: 300n };
  const claims = [
    { parentIndex: -1, duration: 0n, timestamp: 100n },
    { parentIndex: 0, duration: 0n, timestamp: 100n },
    { parentIndex: 1, duration: 1000n, timestamp: 1100n },
  ];

  it("the side answering a claim has used its grandparent's time plus the time since the claim", () => {
    expect(challengerDuration(claims, 0, 100n, p)).to.equal(0n);
    expect(challengerDuration(claims, 1, 1100n, p)).to.equal(1000n);
    expect(challengerDuration(claims, 2, 1200n, p)).to.equal(0n + 100n);
    expect(challengerDuration(claims, 2, 9999n, p)).to.equal(3600n);
    expect(canAnswer(claims, 1, 3699n, p)).to.equal(true);
    expect(canAnswer(claims, 1, 3700n, p)).to.equal(false);
  });

  it("a late move keeps the extension for the next one, twice that before a step", () => {
    expect(nextDuration(1000n, 5, p)).to.equal(1000n);
    expect(nextDuration(3300n, 5, p)).to.equal(3300n);
    expect(nextDuration(3301n, 5, p)).to.equal(3300n);
    expect(nextDuration(3599n, MAX_DEPTH - 1, p)).to.equal(3000n);
    expect(nextDuration(3599n, MAX_DEPTH, p)).to.equal(3300n);
  });

  it("a game opens only within its batch's window, and every hold ends one game's bound after it (§11.5.6)", () => {
    expect(disputeOpen(1000n, 600n, 1599n)).to.equal(true);
    expect(disputeOpen(1000n, 600n, 1600n)).to.equal(false);
    // Along any path each side makes at most 13 claims, each gaining one extension (the one before a step two).
    expect(gameBound(p)).to.equal(2n * 3600n + 27n * 300n);
    expect(finalAtLatest(1000n, 600n, p)).to.equal(1600n + 2n * 3600n + 27n * 300n);
  });
});
