/**
 * DisputeGame end to end on the Hardhat network with the mock verifier (contracts/test/MockStepVerifier.sol):
 * players run the honest solver (node/watchtower/game-solver.ts) on the true trace or on a lying one, every action
 * is mirrored into the reference model and must agree with it, and after every game: the honest side won, each
 * account's balance moved by exactly its payouts minus its bonds and gas (to the wei), the Inbox rolled the batch
 * back (or not) and the game contract holds nothing.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MAX_DEPTH, STATUS_OK, depthOf } from "../../../core/game";
import { openingClaim, ZERO_ADDRESS } from "../../../node/watchtower/game-solver";
import { GameModel } from "../../helpers/game-model";
import { chaos, play, type Player } from "../../helpers/game-play";
import { rng } from "../../../bench/rng";
import { honestTrace, lyingTrace, mockState } from "../../helpers/mock-trace";
import { deployGame, fakeTx, postBatch, setProgram, dispute, gameParams, readGame, ChainTable, Ledger, gasSpent, REWARD, WINDOW, MAX_CLOCK, type Fixture } from "../../helpers/game-chain";

const FAULT = 0x02;

interface Scenario {
  /** The transaction's true program ends with this status. */
  status: number;
  /** The liar diverges from the truth at this state. */
  liesFrom: bigint;
  /** Who moves first in each round. */
  first: "honest" | "liar";
  /** The liar stops moving after this many of its turns (clock expiry). */
  liarTurns?: number;
  /** Nobody answers the opening claim. */
  silentDefense?: boolean;
  /** A second honest player (signer 3) on the honest side. */
  twoHonest?: boolean;
  /** The liar plays at random (test/helpers/game-play.ts chaos) with this seed. */
  chaosSeed?: number;
}

describe("DisputeGame: games played to the end", function () {
  this.timeout(600_000);

  /**
   * Posts a batch of three transactions (the disputed one in the middle), plays one game on it and checks every
   * invariant. The poster is signer 0; the honest player signer 1; a lying challenger signer 2; signer 3 resolves
   * nothing: every resolution is made by the players.
   */
  async function run(s: Scenario) {
    const f: Fixture = await loadFixture(deployGame);
    const [poster, honestSigner, liarSigner, honest2Signer] = f.signers;
    const b = await postBatch(f, [fakeTx("a"), fakeTx("b"), fakeTx("c")]);
    await postBatch(f, [fakeTx("d")]); // a later batch, held and rolled back with it
    const truth = await setProgram(f, b, 1, 700n, s.status);
    const faulty = s.status !== STATUS_OK;
    const honestTraceOf = honestTrace(truth);
    const liarTrace = lyingTrace(truth, s.liesFrom, faulty ? STATUS_OK : FAULT);
    const honest: Player = { name: "honest", address: honestSigner.address.toLowerCase(), trace: honestTraceOf, honest: true };
    const liarSide = faulty ? poster : liarSigner;
    let turns = 0;
    const liar: Player = {
      name: "liar",
      address: liarSide.address.toLowerCase(),
      trace: liarTrace,
      honest: false,
      online: () => !s.silentDefense && (s.liarTurns === undefined || turns++ < s.liarTurns),
      act: s.chaosSeed === undefined ? undefined : chaos(truth, rng(s.chaosSeed), liarTrace),
    };
    const honest2: Player = { name: "honest2", address: honest2Signer.address.toLowerCase(), trace: honestTraceOf, honest: true };
    const challenger = faulty ? honest : liar;
    const challengerSigner = faulty ? honestSigner : liarSigner;

    const ledger = new Ledger();
    const balances = new Map<string, bigint>();
    for (const x of [poster, honestSigner, liarSigner, honest2Signer]) balances.set(x.address.toLowerCase(), await ethers.provider.getBalance(x.address));
    const firstBlock = await ethers.provider.getBlockNumber();
    const gameBefore = await ethers.provider.getBalance(await f.game.getAddress());

    // The dispute (commit, then reveal with the opening claim), late in the challenge window.
    await time.increase(WINDOW - 200n);
    const opening = openingClaim(challenger.trace, MAX_DEPTH);
    const rc = await ledger.spend(challenger.address, dispute(f, challengerSigner, b, 1, opening, { ledger }));
    ledger.add(ledger.bonded, challenger.address, gameParams().bonds[1]);
    const id = await f.game.getFunction("gameCount")();
    const created = await readGame(f.game, id);
    expect(created.absolutePrestate, "S_0 computed on L1").to.equal(mockState(truth, 0n));
    const start = BigInt((await ethers.provider.getBlock(rc.blockNumber))!.timestamp);
    const model = new GameModel(truth, gameParams(), poster.address.toLowerCase(), challenger.address, opening, start, REWARD);
    const signerOf = (a: string) => f.signers.find((x) => x.address.toLowerCase() === a.toLowerCase())!;
    const table = new ChainTable(f, id, model, truth, signerOf, ledger);

    // While the game is open, the batch and its successor stay non-final past the window.
    await time.increase(300n);
    expect(await f.inbox.getFunction("isFinal")(b.header.index)).to.equal(false);
    expect(await f.inbox.getFunction("isFinal")(b.header.index + 1n)).to.equal(false);
    expect(await f.game.getFunction("heldFrom")()).to.equal(b.header.index);
    const players = s.first === "honest" ? [honest, liar] : [liar, honest];
    if (s.twoHonest) players.splice(1, 0, honest2);
    const log = await play(table, players, { idle: 600n, busy: 1n, maxRounds: 400 });
    expect(log.failures.filter((x) => x.error.includes("disagree")), "contract and model agree").to.deep.equal([]);
    expect(log.failures.filter((x) => x.player !== "liar"), "no honest action refused").to.deep.equal([]);

    // The outcome.
    const end = await readGame(f.game, id);
    expect(end.status).to.equal(faulty ? "challenger-won" : "defender-won");
    expect(end.status).to.equal(model.status);
    expect(end.claims.length).to.equal(model.claims.length);
    end.claims.forEach((c, i) => {
      const m = model.claims[i];
      expect([c.value, c.position, c.claimant, c.counteredBy, c.bond, c.resolved]).to.deep.equal([m.value, m.position, m.claimant, m.counteredBy, m.bond, true]);
    });
    expect(await f.game.getFunction("heldFrom")()).to.equal(2n ** 256n - 1n);
    if (s.liarTurns === undefined && !s.silentDefense && s.chaosSeed === undefined) {
      // The bisection went down to a leaf; whoever made the lying leaf was refuted by a step, or failed to step.
      expect(end.claims.some((c) => depthOf(c.position) === MAX_DEPTH), "the game went down to a leaf").to.equal(true);
      const steps = await f.game.queryFilter(f.game.filters.Stepped(id));
      const liarSteps = log.failures.filter((x) => x.player === "liar" && x.action.type === "step");
      expect(steps.length + liarSteps.length, "somebody stepped").to.be.greaterThan(0);
      for (const e of steps as unknown as Array<{ args: { stepper: string } }>) expect([honest.address, honest2.address]).to.include(e.args.stepper.toLowerCase());
    }
    const resolved = await f.game.queryFilter(f.game.filters.GameResolved(id));
    expect(resolved.length).to.equal(1);
    const ev = resolved[0] as unknown as { args: { winner: string; rolledBack: boolean; reward: bigint } };
    expect([ev.args.winner.toLowerCase(), ev.args.rolledBack, ev.args.reward]).to.deep.equal(faulty ? [model.winner, true, REWARD] : [ZERO_ADDRESS, false, 0n]);
    if (faulty) expect([honest.address, honest2.address]).to.include(model.winner);
    if (faulty) {
      expect(await f.inbox.getFunction("batchCount")(), "the batch and its successor are rolled back").to.equal(b.header.index);
    } else {
      expect(await f.inbox.getFunction("batchCount")()).to.equal(b.header.index + 2n);
      expect(await f.inbox.getFunction("isFinal")(b.header.index), "final once the game is over").to.equal(true);
      expect(await f.inbox.getFunction("isFinal")(b.header.index + 1n)).to.equal(true);
    }

    // Bond accounting to the wei: balance change = payouts − bonds − gas, payouts as the model computed them.
    const gas = await gasSpent(firstBlock, await ethers.provider.getBlockNumber());
    for (const [addr, before] of balances) {
      const after = await ethers.provider.getBalance(addr);
      const expected = before + (model.paid.get(addr) ?? 0n) - (ledger.bonded.get(addr) ?? 0n) - (gas.get(addr) ?? 0n);
      expect(after, `balance of ${addr}`).to.equal(expected);
      expect(ledger.bonded.get(addr) ?? 0n).to.equal(model.bonded.get(addr) ?? 0n);
    }
    expect(await ethers.provider.getBalance(await f.game.getAddress()), "the game holds nothing").to.equal(gameBefore);
    expect(gameBefore).to.equal(0n);
    for (const h of [honest.address, honest2.address]) expect(model.paid.get(h) ?? 0n, "an honest player gets back at least its bonds").to.be.gte(model.bonded.get(h) ?? 0n);
    const gain = (a: string) => (model.paid.get(a) ?? 0n) - (model.bonded.get(a) ?? 0n);
    expect(gain(honest.address) + gain(honest2.address), "the honest side gains").to.be.gt(faulty ? REWARD - 1n : 0n);
    return { model, log };
  }

  for (const first of ["honest", "liar"] as const) {
    it(`an honest challenger beats a lying poster (${first} moves first)`, async () => {
      await run({ status: FAULT, liesFrom: 350n, first });
    });
    it(`an honest defender beats a lying challenger (${first} moves first)`, async () => {
      await run({ status: STATUS_OK, liesFrom: 123n, first });
    });
  }
  it("a liar diverging at the first step loses (the step from the on-chain S_0)", async () => {
    await run({ status: FAULT, liesFrom: 0n, first: "liar" });
  });
  it("a liar agreeing with every state but the last status loses (the step against the root)", async () => {
    await run({ status: FAULT, liesFrom: 700n, first: "honest" });
  });
  it("a lying challenger whose lie is only the final status loses", async () => {
    await run({ status: STATUS_OK, liesFrom: 700n, first: "liar" });
  });
  it("two honest players on one side, whoever moves first, never duplicate or counter each other", async () => {
    await run({ status: FAULT, liesFrom: 420n, first: "liar", twoHonest: true });
    await run({ status: STATUS_OK, liesFrom: 99n, first: "honest", twoHonest: true });
  });
  for (const seed of [1, 2, 3]) {
    it(`a random adversary (seed ${seed}) loses, the contract agreeing with the model on every action`, async () => {
      await run({ status: seed % 2 ? FAULT : STATUS_OK, liesFrom: 300n, first: seed < 3 ? "liar" : "honest", chaosSeed: seed });
    });
  }
  it("a poster that stops defending loses when its clock runs out", async () => {
    const { model } = await run({ status: FAULT, liesFrom: 200n, first: "honest", liarTurns: 3 });
    expect(model.claims.length).to.be.lessThan(10);
  });
  it("nobody defends: the challenger's opening claim stands after one clock", async () => {
    const { model } = await run({ status: FAULT, liesFrom: 200n, first: "honest", silentDefense: true });
    expect(model.claims.length).to.equal(2);
    expect(MAX_CLOCK).to.equal(3600n);
  });
});
