/**
 * Open games hold finality (docs/protocol.md §11.2, §11.5.6): Inbox.setGame, the sorted hold list of
 * contracts/game/FinalityHolds.sol, and what a hold does to finality, bonds and rollbacks.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { stateIndex } from "../../../core/game";
import { headerToAbi } from "../../../core/batch";
import { deployGame, fakeTx, postBatch, setProgram, dispute, BOND, BONDS, WINDOW, MAX_CLOCK, CHAIN_ID, REWARD_BPS, type Fixture, type Posted } from "../../helpers/game-chain";
import { mockState } from "../../helpers/mock-trace";
import { rng } from "../../../bench/rng";
import { EMPTY_GENESIS_ROOT } from "../../../node/config";

const FAULT = 0x02;
const NONE = 2n ** 256n - 1n;
const SENTINEL = 2n ** 64n - 1n;

describe("finality holds", function () {
  this.timeout(300_000);

  /** `n` batches of one disputable transaction each (faulty programs). */
  async function batches(n: number) {
    const f = await loadFixture(deployGame);
    const bs: Posted[] = [];
    for (let i = 0; i < n; i++) bs.push(await postBatch(f, [fakeTx(`t${i}`)]));
    const claims: string[] = [];
    for (const b of bs) claims.push(mockState(await setProgram(f, b, 0, 100n, FAULT), stateIndex(2n)));
    return { f, bs, claims };
  }

  async function openOn(f: Fixture, b: Posted, claim: string, hint?: bigint) {
    await (await dispute(f, f.signers[1], b, 0, claim, { hint })).wait();
    return (await f.game.getFunction("gameCount")()) as bigint;
  }

  async function resolveAll(f: Fixture, id: bigint) {
    await time.increase(MAX_CLOCK);
    await (await f.game.getFunction("resolveClaim")(id, 1, 0)).wait();
    await (await f.game.getFunction("resolveClaim")(id, 0, 0)).wait();
  }

  describe("Inbox.setGame", () => {
    it("deployer only, a contract, once, before the provers lock; the game becomes a prover", async () => {
      const [, alice] = await ethers.getSigners();
      const bridge = await (await ethers.getContractFactory("Bridge")).deploy();
      const inbox = await (await ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), CHAIN_ID, BOND, WINDOW, 86_400n, REWARD_BPS, 256n, 7n, EMPTY_GENESIS_ROOT, 0n);
      const verifier = await (await ethers.getContractFactory("MockStepVerifier")).deploy();
      const game = await (await ethers.getContractFactory("DisputeGame")).deploy(await inbox.getAddress(), await verifier.getAddress(), MAX_CLOCK, 300n, BONDS);
      const g = await game.getAddress();
      await expect(inbox.connect(alice).getFunction("setGame")(g)).to.be.revertedWithCustomError(inbox, "NotDeployer").withArgs(alice.address);
      await expect(inbox.getFunction("setGame")(alice.address)).to.be.revertedWithCustomError(inbox, "InvalidProver").withArgs(alice.address);
      await expect(inbox.getFunction("setGame")(g)).to.emit(inbox, "GameSet").withArgs(g);
      expect(await inbox.getFunction("game")()).to.equal(g);
      expect(await inbox.getFunction("isProver")(g)).to.equal(true);
      await expect(inbox.getFunction("setGame")(g)).to.be.revertedWithCustomError(inbox, "ProversLocked");
      // Listing the game again among the provers is refused (it is one already).
      await expect(inbox.getFunction("setProvers")([g])).to.be.revertedWithCustomError(inbox, "InvalidProver").withArgs(g);
      const other = await (await ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), CHAIN_ID, BOND, WINDOW, 86_400n, REWARD_BPS, 256n, 7n, EMPTY_GENESIS_ROOT, 0n);
      await (await other.getFunction("setProvers")([await verifier.getAddress()])).wait();
      await expect(other.getFunction("setGame")(g)).to.be.revertedWithCustomError(other, "ProversLocked");
    });
  });

  describe("holds", () => {
    it("an open game keeps its batch and every later one non-final past the window; earlier ones are final", async () => {
      const { f, bs, claims } = await batches(3);
      await time.increase(WINDOW - 100n);
      // Batch 0 is final by now? Not yet (the window is counted from each posting); batch 1 gets a game.
      const id = await openOn(f, bs[1], claims[1]);
      await time.increase(200n);
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(true);
      expect(await f.inbox.getFunction("isFinal")(1)).to.equal(false);
      expect(await f.inbox.getFunction("isFinal")(2)).to.equal(false);
      // The held batches keep their bonds locked past the window: unbond returns only the rest.
      await (await f.inbox.getFunction("unbond")()).wait();
      const poster = f.signers[0].address;
      expect(await f.inbox.getFunction("lockedBondOf")(poster)).to.equal(2n * BOND);
      expect(await f.inbox.getFunction("freeBondOf")(poster)).to.equal(0n);
      await expect(f.inbox.getFunction("unbond")()).to.be.revertedWithCustomError(f.inbox, "BondLocked");
      // Nobody defends: the challenger wins, batches 1 and 2 are rolled back past their window.
      await resolveAll(f, id);
      expect(await f.inbox.getFunction("batchCount")()).to.equal(1n);
      expect(await f.game.getFunction("heldFrom")()).to.equal(NONE);
    });
    it("a defended batch becomes final when its game ends", async () => {
      const { f, bs } = await batches(2);
      const lie = "0x" + "77".repeat(32);
      await (await f.verifier.getFunction("setProgram")(ethers.hexlify(bs[0].txs[0]), 100n, 1)).wait();
      const id = await openOn(f, bs[0], lie);
      const truth = await f.game.getFunction("claimAt")(id, 1);
      await (await f.game.connect(f.signers[2]).getFunction("move")(id, 1, truth.value, "0x" + "88".repeat(32), true, { value: BONDS[1] })).wait();
      await time.increase(WINDOW);
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(false);
      expect(await f.inbox.getFunction("lockedBondOf")(f.signers[0].address)).to.equal(2n * BOND);
      for (const i of [2, 1, 0]) await (await f.game.getFunction("resolveClaim")(id, i, 0)).wait();
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(true);
      expect(await f.inbox.getFunction("isFinal")(1)).to.equal(true);
      expect(await f.inbox.getFunction("lockedBondOf")(f.signers[0].address)).to.equal(0n);
      await expect(f.inbox.getFunction("unbond")()).to.emit(f.inbox, "Unbonded").withArgs(f.signers[0].address, 20n * BOND);
    });
    it("a game whose batch another proof rolled back still resolves and pays, without a rollback; its hold ends", async () => {
      const { f, bs, claims } = await batches(2);
      const id = await openOn(f, bs[1], claims[1]);
      // Another kind of proof rolls back batch 0 (and 1 with it).
      await (await f.prover.getFunction("arm")(true)).wait();
      const salt = ethers.ZeroHash;
      const ph = await f.prover.getFunction("proofHash")(headerToAbi(bs[0].header), 0);
      await (await f.prover.getFunction("commit")(await f.prover.getFunction("commitmentFor")(f.signers[0].address, ph, salt))).wait();
      await (await f.prover.getFunction("prove")(headerToAbi(bs[0].header), 0, salt)).wait();
      expect(await f.inbox.getFunction("batchCount")()).to.equal(0n);
      // The stale game still holds index 1 until it ends; then it ends without touching the Inbox.
      expect(await f.game.getFunction("heldFrom")()).to.equal(1n);
      await time.increase(MAX_CLOCK);
      await (await f.game.getFunction("resolveClaim")(id, 1, 0)).wait();
      await expect(f.game.getFunction("resolveClaim")(id, 0, 0)).to.emit(f.game, "GameResolved").withArgs(id, 2, f.signers[1].address, false, 0n);
      expect(await f.game.getFunction("heldFrom")()).to.equal(NONE);
      expect(await ethers.provider.getBalance(await f.game.getAddress())).to.equal(0n);
    });
    it("a game opens only within its batch's challenge window (§11.5.2); one opened in time plays on past it", async () => {
      const f = await loadFixture(deployGame);
      const b = await postBatch(f, [fakeTx("x"), fakeTx("y")]);
      const postedAt = BigInt((await f.inbox.getFunction("batch")(0)).postedAt);
      expect(await f.game.getFunction("challengeWindow")()).to.equal(WINDOW);
      const c0 = mockState(await setProgram(f, b, 0, 100n, 1), stateIndex(2n));
      await setProgram(f, b, 1, 100n, 1);
      const lie = "0x" + "99".repeat(32);
      // The last second of the window: the dispute (commit one block earlier) opens a game.
      await time.setNextBlockTimestamp(postedAt + WINDOW - 2n);
      await (await dispute(f, f.signers[1], b, 0, lie)).wait();
      const id = (await f.game.getFunction("gameCount")()) as bigint;
      expect((await f.game.getFunction("gameData")(id)).createdAt).to.equal(postedAt + WINDOW - 1n);
      // From the window's end on, no game opens, even though the open game keeps the batch non-final.
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(false);
      await expect(dispute(f, f.signers[1], b, 1, lie)).to.be.revertedWithCustomError(f.game, "ChallengeWindowClosed").withArgs(0n, postedAt + WINDOW);
      // The game opened in time goes on past the window: the defender answers, the clocks run out, it resolves.
      await (await f.game.connect(f.signers[2]).getFunction("move")(id, 1, lie, c0, true, { value: BONDS[1] })).wait();
      await time.increase(MAX_CLOCK);
      for (const i of [2, 1, 0]) await (await f.game.getFunction("resolveClaim")(id, i, 0)).wait();
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(true);
    });
    it("two games on one batch: it stays held until both end", async () => {
      const f = await loadFixture(deployGame);
      const b = await postBatch(f, [fakeTx("x"), fakeTx("y")]);
      const c0 = mockState(await setProgram(f, b, 0, 100n, 1), stateIndex(2n));
      const c1 = mockState(await setProgram(f, b, 1, 100n, 1), stateIndex(2n));
      // Two false disputes (the programs end ok), each countered by the defender.
      const ids: bigint[] = [];
      for (const [i, c] of [[0, c0], [1, c1]] as const) {
        await (await dispute(f, f.signers[1], b, i, "0x" + "99".repeat(32))).wait();
        const id = (await f.game.getFunction("gameCount")()) as bigint;
        await (await f.game.connect(f.signers[2]).getFunction("move")(id, 1, "0x" + "99".repeat(32), c, true, { value: BONDS[1] })).wait();
        ids.push(id);
      }
      expect(await f.game.getFunction("holdsOf")(0)).to.equal(2n);
      await time.increase(WINDOW);
      for (const i of [2, 1, 0]) await (await f.game.getFunction("resolveClaim")(ids[0], i, 0)).wait();
      expect(await f.game.getFunction("holdsOf")(0)).to.equal(1n);
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(false);
      for (const i of [2, 1, 0]) await (await f.game.getFunction("resolveClaim")(ids[1], i, 0)).wait();
      expect(await f.game.getFunction("holdsOf")(0)).to.equal(0n);
      expect(await f.inbox.getFunction("isFinal")(0)).to.equal(true);
    });
    it("keeps the lowest held index whatever the order of disputes, hints and resolutions (random, 12 batches)", async () => {
      const { f, bs, claims } = await batches(12);
      const r = rng(7);
      const open = new Map<number, bigint[]>(); // batch index → open game ids
      const games: bigint[] = [];
      // One game per batch, opened in random order, some with the best hint, some with any held or unheld index,
      // some with none.
      const order = bs.map((_, i) => i).sort(() => r() - 0.5);
      for (const i of order) {
        const good = await f.game.getFunction("holdHint")(i);
        const kind = r();
        const hint = kind < 0.4 ? good : kind < 0.7 ? BigInt(Math.floor(r() * 12)) : SENTINEL;
        const id = await openOn(f, bs[i], claims[i], hint);
        games.push(id);
        open.set(i, [id]);
        const min = Math.min(...open.keys());
        expect(await f.game.getFunction("heldFrom")()).to.equal(BigInt(min));
        expect(await f.game.getFunction("holdsOf")(i)).to.equal(1n);
        // holdHint of an index is the highest held index below it.
        const below = [...open.keys()].filter((k) => k < i);
        expect(await f.game.getFunction("holdHint")(i)).to.equal(below.length ? BigInt(Math.max(...below)) : SENTINEL);
      }
      expect(games.length).to.equal(12);
      // Release them in random order (each game's only claim stands; the challenger wins; the first resolution
      // to win rolls everything from its batch back, the rest end stale), checking the minimum each time.
      await time.increase(MAX_CLOCK);
      const ends = [...open.keys()].sort(() => r() - 0.5);
      for (const i of ends) {
        const id = open.get(i)![0];
        await (await f.game.getFunction("resolveClaim")(id, 1, 0)).wait();
        await (await f.game.getFunction("resolveClaim")(id, 0, 0)).wait();
        open.delete(i);
        expect(await f.game.getFunction("heldFrom")()).to.equal(open.size ? BigInt(Math.min(...open.keys())) : NONE);
        expect(await f.game.getFunction("holdsOf")(i)).to.equal(0n);
      }
      expect(await ethers.provider.getBalance(await f.game.getAddress())).to.equal(0n);
    });
  });
});
