/**
 * The rules of honest play in the dispute game (node/watchtower/game-solver.ts), played on the in-memory model of
 * the contract (test/helpers/game-model.ts) with mock traces: an honest player wins from either side, against a
 * liar that follows the same rules on a wrong trace and against a random adversary, whoever moves first, with two
 * honest players in one game, and loses only when its own clock runs out. It never moves against its own claims,
 * never has an action refused, and never loses a bond.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { MAX_DEPTH, ROOT_CLAIM, STATUS_OK, stateIndex, statusOf } from "../../../core/game";
import { agrees, openingClaim, projectedWinner, resolutions, shouldDispute, solveGame, ZERO_ADDRESS, type GameAction } from "../../../node/watchtower/game-solver";
import { GameModel, testParams } from "../../helpers/game-model";
import { chaos, modelTable, play, type Player, type PlayLog } from "../../helpers/game-play";
import { honestTrace, lyingTrace, mockState, type MockProgram } from "../../helpers/mock-trace";
import { rng } from "../../../bench/rng";

const FAULT = 0x02;
const POSTER = "0x00000000000000000000000000000000000000a1";
const HONEST = "0x00000000000000000000000000000000000000b2";
const HONEST2 = "0x00000000000000000000000000000000000000b3";
const LIAR = "0x00000000000000000000000000000000000000c4";
const REWARD = 5n * 10n ** 17n;

const program = (name: string, length: bigint, status: number): MockProgram => ({ seed: keccak256(toUtf8Bytes(name)), length, status });

/** A game on `truth`, opened by `challenger` with its trace's opening claim. */
function open(truth: MockProgram, challenger: Player, poster = POSTER): GameModel {
  return new GameModel(truth, testParams(), poster, challenger.address, openingClaim(challenger.trace, MAX_DEPTH), 1_000n, REWARD);
}

/** The checks every game must pass, for the honest players `honest`. */
function checkGame(m: GameModel, log: PlayLog, honestWins: "challenger-won" | "defender-won", honest: Player[]) {
  expect(m.status, "the honest side wins").to.equal(honestWins);
  expect(log.failures.filter((f) => honest.some((h) => h.name === f.player)), "no honest action refused").to.deep.equal([]);
  expect(m.claims.every((c) => c.resolved), "every claim resolved").to.equal(true);
  expect(m.held(), "the game holds nothing").to.equal(0n);
  // Bonds are conserved: everything bonded was paid out (plus the reward if the challenger won).
  const bonded = [...m.bonded.values()].reduce((a, b) => a + b, 0n);
  const paid = [...m.paid.values()].reduce((a, b) => a + b, 0n);
  expect(paid).to.equal(bonded + (m.status === "challenger-won" ? REWARD : 0n));
  // Honest players never lose: each gets back at least what it bonded.
  for (const h of honest) expect(m.paid.get(h.address) ?? 0n, `${h.name} is paid back at least its bonds`).to.be.gte(m.bonded.get(h.address) ?? 0n);
  // Every claim an honest player answered pays its bond to an honest player (the honest counter is the leftmost
  // child that stands: anything left of it is countered too).
  const addrs0 = honest.map((h) => h.address);
  const payees = projectedWinner(m.claims).payees;
  m.claims.forEach((c, i) => {
    if (i > 0 && m.claims.some((k) => k.parentIndex === i && addrs0.includes(k.claimant))) expect(addrs0, `claim ${i}'s bond goes to an honest player`).to.include(payees[i]);
  });
  // No honest action moves against an honest player's claim.
  const addrs = honest.map((h) => h.address);
  for (const { action, view } of log.honestActions) {
    if (action.type === "resolve") continue;
    const target = action.type === "move" ? action.parentIndex : action.claimIndex;
    expect(addrs, `${action.type} against an honest player's claim ${target}`).not.to.include(view.claims[target].claimant);
  }
}

describe("game solver: rules of honest play", function () {
  this.timeout(120_000);

  describe("agreement", () => {
    const p = program("agree", 100n, STATUS_OK);
    const t = honestTrace(p);
    it("a claim is agreed iff it equals the trace at its position", () => {
      const c = { parentIndex: 0, position: 2n, value: t.stateAt(stateIndex(2n)), claimant: LIAR, counteredBy: ZERO_ADDRESS, bond: 1n, duration: 0n, timestamp: 0n, resolved: false };
      expect(agrees(c, t, MAX_DEPTH)).to.equal(true);
      expect(agrees({ ...c, value: mockState(p, 5n) }, t, MAX_DEPTH)).to.equal(false);
    });
    it("the root compares the status byte only", () => {
      const root = { parentIndex: -1, position: 1n, value: ROOT_CLAIM, claimant: POSTER, counteredBy: ZERO_ADDRESS, bond: 0n, duration: 0n, timestamp: 0n, resolved: false };
      expect(agrees(root, t, MAX_DEPTH)).to.equal(true);
      expect(agrees(root, honestTrace(program("bad", 100n, FAULT)), MAX_DEPTH)).to.equal(false);
    });
    it("disputes exactly the transactions whose machine does not end ok", () => {
      expect(shouldDispute(t, MAX_DEPTH, ROOT_CLAIM)).to.equal(false);
      expect(shouldDispute(honestTrace(program("bad", 100n, FAULT)), MAX_DEPTH, ROOT_CLAIM)).to.equal(true);
      expect(shouldDispute(honestTrace(program("endless", 1n << 27n, STATUS_OK)), MAX_DEPTH, ROOT_CLAIM), "a machine still running at 2^26 did not end ok").to.equal(true);
      expect(statusOf(openingClaim(t, MAX_DEPTH)), "S_2^25 of a 100-step program is its end").to.equal(STATUS_OK);
      expect(statusOf(openingClaim(honestTrace(program("long", (1n << 25n) + 1n, STATUS_OK)), MAX_DEPTH)), "still running at 2^25").to.equal(0);
    });
  });

  describe("a liar playing the same rules on a wrong trace", () => {
    // Divergence points: at the start, inside the run, at its last step, after its end (only the status differs).
    const cases = [0n, 1n, 2n, 77n, 499n, 500n, 999n, 1000n];
    for (const from of cases) {
      it(`lying poster (diverges at S_${from}) loses to an honest challenger, whoever moves first`, async () => {
        for (const first of ["honest", "liar"]) {
          const truth = program(`faulty-${from}`, 1000n, FAULT);
          const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
          const liar: Player = { name: "liar", address: POSTER, trace: lyingTrace(truth, from, STATUS_OK), honest: false };
          const m = open(truth, honest);
          const log = await play(modelTable(m), first === "honest" ? [honest, liar] : [liar, honest], { idle: 600n });
          checkGame(m, log, "challenger-won", [honest]);
          expect(m.winner).to.equal(HONEST);
          expect(m.paid.get(HONEST)! - m.bonded.get(HONEST)!).to.be.gte(REWARD);
        }
      });
      it(`lying challenger (diverges at S_${from}) loses to an honest defender, whoever moves first`, async () => {
        for (const first of ["honest", "liar"]) {
          const truth = program(`honest-${from}`, 1000n, STATUS_OK);
          const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
          const liar: Player = { name: "liar", address: LIAR, trace: lyingTrace(truth, from, FAULT), honest: false };
          const m = open(truth, liar);
          const log = await play(modelTable(m), first === "honest" ? [honest, liar] : [liar, honest], { idle: 600n });
          checkGame(m, log, "defender-won", [honest]);
          expect(m.paid.get(LIAR) ?? 0n, "the liar gets nothing back").to.equal(0n);
        }
      });
    }
    it("a program that never ends within 2^26 steps is not ok: the honest challenger wins", async () => {
      const truth = program("endless", 1n << 27n, STATUS_OK);
      const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
      const liar: Player = { name: "liar", address: POSTER, trace: lyingTrace(truth, (1n << 26n) - 1n, STATUS_OK), honest: false };
      const m = open(truth, honest);
      checkGame(m, await play(modelTable(m), [liar, honest], { idle: 600n }), "challenger-won", [honest]);
    });
  });

  describe("two honest players in one game", () => {
    it("both challengers: no duplicate claim, neither moves against the other, they win", async () => {
      const truth = program("two-honest", 3000n, FAULT);
      const a: Player = { name: "a", address: HONEST, trace: honestTrace(truth), honest: true };
      const b: Player = { name: "b", address: HONEST2, trace: honestTrace(truth), honest: true };
      const liar: Player = { name: "liar", address: POSTER, trace: lyingTrace(truth, 1234n, STATUS_OK), honest: false };
      for (const order of [[a, liar, b], [b, a, liar], [liar, b, a]]) {
        const m = open(truth, order[0] === liar ? a : order[0]);
        const log = await play(modelTable(m), order, { idle: 600n });
        checkGame(m, log, "challenger-won", [a, b]);
        const keys = m.claims.map((c) => `${c.parentIndex}/${c.position}/${c.value}`);
        expect(new Set(keys).size).to.equal(keys.length);
      }
    });
    it("an honest challenger and an honest defender never meet: a true root is not disputed", () => {
      const truth = program("true-root", 50n, STATUS_OK);
      expect(shouldDispute(honestTrace(truth), MAX_DEPTH, ROOT_CLAIM)).to.equal(false);
    });
  });

  describe("chess clocks", () => {
    it("a liar that stops answering loses when its clock runs out", async () => {
      const truth = program("stall", 800n, FAULT);
      const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
      let moves = 0;
      const liarTrace = lyingTrace(truth, 400n, STATUS_OK);
      const liar: Player = { name: "liar", address: POSTER, trace: liarTrace, honest: false, act: (v) => (moves++ < 5 ? solveGame(v, liarTrace, { self: POSTER }) : []) };
      const m = open(truth, honest);
      const log = await play(modelTable(m), [honest, liar], { idle: 600n });
      checkGame(m, log, "challenger-won", [honest]);
      expect(m.claims.length, "the game stopped early").to.be.lessThan(20);
    });
    it("an honest player whose own clock runs out loses (and the solver proposes no move it cannot make)", async () => {
      const truth = program("offline", 800n, STATUS_OK);
      const liar: Player = { name: "liar", address: LIAR, trace: lyingTrace(truth, 10n, FAULT), honest: false };
      const m = open(truth, liar);
      // The honest defender is offline for longer than its whole clock.
      const start = m.now;
      const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true, online: (now) => now > start + 2n * 3600n };
      const log = await play(modelTable(m), [honest, liar], { idle: 600n });
      expect(m.status).to.equal("challenger-won");
      expect(log.failures.filter((f) => f.player === "honest")).to.deep.equal([]);
      expect(log.honestActions.every((x) => x.action.type === "resolve"), "only resolutions once its clock ran out").to.equal(true);
    });
    it("the extension gives a side that moves late time for its next move", async () => {
      const truth = program("late", 800n, FAULT);
      const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
      const liar: Player = { name: "liar", address: POSTER, trace: lyingTrace(truth, 300n, STATUS_OK), honest: false };
      const m = open(truth, honest);
      // The liar answers the opening claim with 10 s left on its clock; its next move still has the extension.
      m.advance(3590n);
      for (const a of solveGame(m.view(), liar.trace, { self: POSTER })) m.apply(POSTER, a);
      expect(m.claims[2].duration).to.equal(3600n - 300n);
      for (const a of solveGame(m.view(), honest.trace, { self: HONEST })) m.apply(HONEST, a);
      m.advance(299n);
      const next = solveGame(m.view(), liar.trace, { self: POSTER }).filter((a) => a.type === "move");
      expect(next.length).to.equal(1);
      m.apply(POSTER, next[0]);
      checkGame(m, await play(modelTable(m), [honest, liar], { idle: 600n }), "challenger-won", [honest]);
    });
  });

  describe("a random adversary", () => {
    const N = 60;
    it(`${N} games each side: the honest player always wins and never loses a bond`, async () => {
      const r = rng(14);
      let claims = 0;
      let refused = 0;
      for (let g = 0; g < N; g++) {
        const faulty = g % 2 === 0;
        const len = BigInt(1 + Math.floor(r() * 5000));
        const truth = program(`chaos-${g}`, len, faulty ? FAULT : STATUS_OK);
        const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
        const liarTrace = lyingTrace(truth, BigInt(Math.floor(r() * Number(len + 2n))), faulty ? STATUS_OK : FAULT);
        const adversary: Player = { name: "chaos", address: faulty ? POSTER : LIAR, trace: liarTrace, honest: false, act: chaos(truth, r, liarTrace) };
        const m = open(truth, faulty ? honest : adversary);
        const log = await play(modelTable(m), r() < 0.5 ? [honest, adversary] : [adversary, honest], { idle: 900n });
        checkGame(m, log, faulty ? "challenger-won" : "defender-won", [honest]);
        claims += m.claims.length;
        refused += log.failures.length;
        expect(projectedWinner(m.claims).rootCountered).to.equal(faulty);
      }
      // The adversary did play: many claims, and many of its actions were refused by the rules.
      expect(claims / N).to.be.greaterThan(20);
      expect(refused).to.be.greaterThan(N);
    });
  });

  describe("resolution", () => {
    it("lists resolvable claims bottom-up only once their clocks ran out", () => {
      const truth = program("resolve", 100n, FAULT);
      const honest: Player = { name: "honest", address: HONEST, trace: honestTrace(truth), honest: true };
      const m = open(truth, honest);
      expect(resolutions(m.view())).to.deep.equal([]);
      m.advance(3600n);
      const r: GameAction[] = resolutions(m.view());
      expect(r).to.deep.equal([{ type: "resolve", claimIndex: 1 }, { type: "resolve", claimIndex: 0 }]);
      for (const a of r) m.apply(HONEST, a);
      expect(m.status).to.equal("challenger-won");
      expect(solveGame(m.view(), honest.trace)).to.deep.equal([]);
    });
  });
});
