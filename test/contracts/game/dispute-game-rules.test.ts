/**
 * Every rule of DisputeGame on bad input: each reverting check (`// INVARIANT:`) is hit by a test that breaks it
 * once, next to the same call made valid. The mock verifier stands in for the one-step verifier.
 */
import { TXPROOF_TYPE } from "../../../prover/build";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MAX_DEPTH, STATUS_OK, ROOT_CLAIM, depthOf, movePosition, stateIndex } from "../../../core/game";
import { headerToAbi, HEADER_ABI_TYPE } from "../../../core/batch";
import { deployGame, fakeTx, postBatch, setProgram, dispute, step, txProof, readGame, BONDS, BOND, REWARD, MAX_CLOCK, EXTENSION, WINDOW, type Fixture, type Posted } from "../../helpers/game-chain";
import { mockProof, mockState, type MockProgram } from "../../helpers/mock-trace";

const FAULT = 0x02;
const NO_HINT = 2n ** 64n - 1n;

describe("DisputeGame: rules", function () {
  this.timeout(300_000);

  /** A posted batch [a, b, deposit] with a faulty program for b, and a game on b opened by signer 1. */
  async function opened() {
    const f = await loadFixture(deployGame);
    const b = await postBatch(f, [fakeTx("a"), fakeTx("b"), fakeTx("dep", 0x00)]);
    // Long enough that every position of the bisection is a distinct running state.
    const truth = await setProgram(f, b, 1, 3n << 24n, FAULT);
    const [, alice, bob] = f.signers;
    await (await dispute(f, alice, b, 1, mockState(truth, stateIndex(2n)))).wait();
    const id = await f.game.getFunction("gameCount")();
    return { f, b, truth, alice, bob, id };
  }

  /**
   * Moves down from claim `parent` at `pos` to depth `to`, signers 1 and 2 taking turns (by depth parity), each an
   * attack unless `defend(d)`, with the true value unless `value(d)` gives another; `before(d)` runs first.
   */
  async function descend(
    o: { f: Fixture; truth: MockProgram; id: bigint },
    s: { parent: number; pos: bigint; to: number; defend?: (d: number) => boolean; value?: (d: number) => string | undefined; before?: (d: number) => Promise<void> },
  ): Promise<{ parent: number; pos: bigint }> {
    let { parent, pos } = s;
    for (let d = depthOf(pos) + 1; d <= s.to; d++) {
      const p = o.f.game.connect(o.f.signers[d % 2 ? 1 : 2]);
      const disputed = (await o.f.game.getFunction("claimAt")(o.id, parent)).value;
      const isAttack = !(s.defend?.(d) ?? false);
      pos = movePosition(pos, isAttack);
      if (s.before) await s.before(d);
      await (await p.getFunction("move")(o.id, parent, disputed, s.value?.(d) ?? mockState(o.truth, stateIndex(pos)), isAttack, { value: BONDS[d - 1] })).wait();
      parent = Number((await o.f.game.getFunction("claimCount")(o.id)) - 1n);
    }
    return { parent, pos };
  }

  describe("construction", () => {
    it("refuses bad parameters", async () => {
      const f = await loadFixture(deployGame);
      const F = await ethers.getContractFactory("DisputeGame");
      const inbox = await f.inbox.getAddress();
      const v = await f.verifier.getAddress();
      const bad = async (args: unknown[], name: string) => expect(F.deploy(...(args as [string, string, bigint, bigint, bigint[]]))).to.be.revertedWithCustomError(f.game, "InvalidParameter").withArgs(name);
      await bad([f.signers[0].address, v, MAX_CLOCK, EXTENSION, BONDS], "inbox");
      await bad([inbox, f.signers[0].address, MAX_CLOCK, EXTENSION, BONDS], "verifier");
      await bad([inbox, v, 0n, EXTENSION, BONDS], "maxClockDuration");
      await bad([inbox, v, 2n ** 64n, EXTENSION, BONDS], "maxClockDuration");
      await bad([inbox, v, MAX_CLOCK, 0n, BONDS], "clockExtension");
      await bad([inbox, v, MAX_CLOCK, MAX_CLOCK / 2n + 1n, BONDS], "clockExtension");
      await bad([inbox, v, MAX_CLOCK, EXTENSION, BONDS.slice(1)], "bonds");
      await bad([inbox, v, MAX_CLOCK, EXTENSION, [0n, ...BONDS.slice(1)]], "bonds");
      await bad([inbox, v, MAX_CLOCK, EXTENSION, [...BONDS.slice(0, 25), 2n ** 96n]], "bonds");
      await bad([inbox, v, MAX_CLOCK, EXTENSION, [...BONDS.slice(0, 5), BONDS[4] - 1n, ...BONDS.slice(6)]], "bonds");
      await bad([inbox, v, MAX_CLOCK, EXTENSION, [...BONDS.slice(0, 5), 2n * BONDS[4] + 1n, ...BONDS.slice(6)]], "bonds");
      await expect(F.deploy(inbox, v, MAX_CLOCK, MAX_CLOCK / 2n, BONDS)).not.to.be.reverted;
      expect(await f.game.getFunction("maxDepth")()).to.equal(BigInt(MAX_DEPTH));
      for (let d = 1; d <= MAX_DEPTH; d++) expect(await f.game.getFunction("bondAt")(d)).to.equal(BONDS[d - 1]);
      await expect(f.game.getFunction("bondAt")(0)).to.be.revertedWithCustomError(f.game, "DepthExceeded");
      await expect(f.game.getFunction("bondAt")(27)).to.be.revertedWithCustomError(f.game, "DepthExceeded");
    });
    it("accepts ether only from the Inbox", async () => {
      const f = await loadFixture(deployGame);
      await expect(f.signers[0].sendTransaction({ to: await f.game.getAddress(), value: 1n })).to.be.revertedWithCustomError(f.game, "UnexpectedPayment").withArgs(f.signers[0].address);
    });
  });

  describe("dispute", () => {
    async function posted() {
      const f = await loadFixture(deployGame);
      const b = await postBatch(f, [fakeTx("a"), fakeTx("b"), fakeTx("dep", 0x00)]);
      const truth = await setProgram(f, b, 1, 1000n, FAULT);
      return { f, b, truth, alice: f.signers[1] };
    }
    const claim = (t: MockProgram) => mockState(t, stateIndex(2n));

    it("creates the game: root (the poster's, status ok), the opening claim, S_0 from the verifier, the hold", async () => {
      const { f, b, truth, alice } = await posted();
      const tx = await dispute(f, alice, b, 1, claim(truth));
      await expect(tx).to.emit(f.game, "GameCreated").withArgs(1n, 0n, b.hash, 1n, alice.address, mockState(truth, 0n));
      await expect(tx).to.emit(f.game, "Moved").withArgs(1n, 0n, alice.address, 1n, claim(truth), 2n);
      const g = await readGame(f.game, 1n);
      expect(g.claims.map((c) => [c.position, c.value, c.claimant, c.bond])).to.deep.equal([
        [1n, ROOT_CLAIM, f.signers[0].address.toLowerCase(), 0n],
        [2n, claim(truth), alice.address.toLowerCase(), BONDS[0]],
      ]);
      expect(await f.game.getFunction("gameOf")(b.hash, 1)).to.equal(1n);
      expect(await f.game.getFunction("heldFrom")()).to.equal(0n);
      expect(await f.game.getFunction("holdsOf")(0)).to.equal(1n);
      expect(await ethers.provider.getBalance(await f.game.getAddress())).to.equal(BONDS[0]);
    });
    it("needs a commitment made by the caller in an earlier block", async () => {
      const { f, b, truth, alice } = await posted();
      const p = txProof(b, 1);
      await expect(f.game.connect(alice).getFunction("dispute")(headerToAbi(b.header), p, claim(truth), NO_HINT, ethers.ZeroHash, { value: BONDS[0] })).to.be.revertedWithCustomError(f.game, "NotCommitted");
    });
    it("refuses a header that is not the stored one, a batch not live, a final batch", async () => {
      const { f, b, truth, alice } = await posted();
      await expect(dispute(f, alice, { ...b, header: { ...b.header, baseFee: 8n } }, 1, claim(truth))).to.be.revertedWithCustomError(f.game, "HeaderMismatch");
      await expect(dispute(f, alice, { ...b, header: { ...b.header, index: 5n } }, 1, claim(truth))).to.be.revertedWithCustomError(f.game, "BatchNotLive");
      await time.increase(WINDOW);
      await expect(dispute(f, alice, b, 1, claim(truth))).to.be.revertedWithCustomError(f.game, "BatchIsFinal").withArgs(0n);
    });
    it("refuses a transaction not in the batch", async () => {
      const { f, b, truth, alice } = await posted();
      const other: Posted = { ...b, txs: [b.txs[0], fakeTx("other"), b.txs[2]] };
      await expect(dispute(f, alice, other, 1, claim(truth))).to.be.revertedWithCustomError(f.game, "NotInBatch").withArgs(0n, 1n);
    });
    it("refuses deposits", async () => {
      const { f, b, truth, alice } = await posted();
      await (await f.verifier.getFunction("setProgram")(ethers.hexlify(b.txs[2]), 10n, FAULT)).wait();
      await expect(dispute(f, alice, b, 2, claim(truth))).to.be.revertedWithCustomError(f.game, "NotDisputable").withArgs(0n, 2n);
    });
    it("refuses a transaction the verifier cannot start (does not decode, bad signature)", async () => {
      const { f, b, truth, alice } = await posted();
      await expect(dispute(f, alice, b, 0, claim(truth))).to.be.revertedWithCustomError(f.verifier, "CannotStart");
    });
    it("needs the bond of depth 1 exactly", async () => {
      const { f, b, truth, alice } = await posted();
      await expect(dispute(f, alice, b, 1, claim(truth), { value: BONDS[0] - 1n })).to.be.revertedWithCustomError(f.game, "WrongBond").withArgs(BONDS[0], BONDS[0] - 1n);
      await expect(dispute(f, alice, b, 1, claim(truth), { value: BONDS[0] + 1n })).to.be.revertedWithCustomError(f.game, "WrongBond");
    });
    it("one game per transaction: a second dispute joins with a move instead", async () => {
      const { f, b, truth, alice } = await posted();
      await (await dispute(f, alice, b, 1, claim(truth))).wait();
      await expect(dispute(f, f.signers[2], b, 1, "0x" + "11".repeat(32))).to.be.revertedWithCustomError(f.game, "GameExists").withArgs(1n);
      await expect(f.game.connect(f.signers[2]).getFunction("move")(1n, 0, ROOT_CLAIM, "0x" + "11".repeat(32), true, { value: BONDS[0] })).to.emit(f.game, "Moved");
    });
  });

  describe("move", () => {
    it("checks the claim answered, the root's defense, the depth, the bond, the clock and duplicates", async () => {
      const { f, truth, bob, id } = await opened();
      const g = f.game.connect(bob);
      const c1 = mockState(truth, stateIndex(2n));
      const v4 = mockState(truth, stateIndex(4n));
      await expect(g.getFunction("move")(id, 5, c1, v4, true, { value: BONDS[1] })).to.be.revertedWithCustomError(f.game, "NoSuchClaim").withArgs(id, 5n);
      await expect(g.getFunction("move")(id + 1n, 1, c1, v4, true, { value: BONDS[1] })).to.be.revertedWithCustomError(f.game, "GameNotInProgress").withArgs(id + 1n);
      await expect(g.getFunction("move")(id, 1, v4, v4, true, { value: BONDS[1] })).to.be.revertedWithCustomError(f.game, "DisputedMismatch").withArgs(c1, v4);
      await expect(g.getFunction("move")(id, 0, ROOT_CLAIM, v4, false, { value: BONDS[0] })).to.be.revertedWithCustomError(f.game, "CannotDefendRoot");
      await expect(g.getFunction("move")(id, 1, c1, v4, true, { value: BONDS[0] })).to.be.revertedWithCustomError(f.game, "WrongBond").withArgs(BONDS[1], BONDS[0]);
      await expect(g.getFunction("move")(id, 1, c1, v4, true, { value: BONDS[1] })).to.emit(f.game, "Moved").withArgs(id, 1n, bob.address, 2n, v4, 4n);
      await expect(g.getFunction("move")(id, 1, c1, v4, true, { value: BONDS[1] })).to.be.revertedWithCustomError(f.game, "ClaimExists");
      // The same value defending instead is another claim.
      await expect(g.getFunction("move")(id, 1, c1, v4, false, { value: BONDS[1] })).to.emit(f.game, "Moved").withArgs(id, 1n, bob.address, 3n, v4, 6n);
      // Claim 1's answering side (the defender) used 0 s before: it has MAX_CLOCK from claim 1's time.
      await time.increase(MAX_CLOCK);
      await expect(g.getFunction("move")(id, 1, c1, "0x" + "22".repeat(32), true, { value: BONDS[1] })).to.be.revertedWithCustomError(f.game, "ClockExpired").withArgs(1n);
    });
    it("goes down to depth 26 and no further", async () => {
      const o = await opened();
      const { f, id } = o;
      const { parent } = await descend(o, { parent: 1, pos: 2n, to: MAX_DEPTH });
      const leaf = await f.game.getFunction("claimAt")(id, parent);
      expect(leaf.position).to.equal(1n << 26n);
      await expect(f.game.getFunction("move")(id, parent, leaf.value, ethers.ZeroHash, true, { value: BONDS[25] })).to.be.revertedWithCustomError(f.game, "DepthExceeded");
    });
    it("applies the clock extension, doubled before a step", async () => {
      const { f, truth, bob, id } = await opened();
      // The defender answers with 10 s left: its recorded time is capped at MAX_CLOCK − EXTENSION.
      await time.increase(MAX_CLOCK - 11n);
      const c1 = mockState(truth, stateIndex(2n));
      await (await f.game.connect(bob).getFunction("move")(id, 1, c1, mockState(truth, stateIndex(4n)), true, { value: BONDS[1] })).wait();
      expect((await f.game.getFunction("claimAt")(id, 2)).duration).to.equal(MAX_CLOCK - EXTENSION);
      // The challenger side now has its whole clock; an answer at depth 25 gets twice the extension.
      expect(await f.game.getFunction("challengerDuration")(id, 2)).to.be.lessThan(5n);
      const { parent } = await descend({ f, truth, id }, { parent: 2, pos: 4n, to: MAX_DEPTH - 1, before: async (d) => (d === MAX_DEPTH - 1 ? time.increase(MAX_CLOCK - 20n).then(() => undefined) : undefined) });
      expect((await f.game.getFunction("claimAt")(id, parent)).duration, "depth 25: MAX_CLOCK − 2 × EXTENSION").to.equal(MAX_CLOCK - 2n * EXTENSION);
    });
  });

  describe("step", () => {
    /** A game whose leftmost leaf (S_1) exists, made by `leafMaker` with `leafValue`. */
    async function toLeaf(leafValue: (t: MockProgram) => string) {
      const o = await opened();
      const { parent } = await descend(o, { parent: 1, pos: 2n, to: MAX_DEPTH, value: (d) => (d === MAX_DEPTH ? leafValue(o.truth) : undefined) });
      return { ...o, leaf: parent };
    }
    it("refutes a lying leaf from S_0 computed on L1; not twice; not an honest leaf; only leaves", async () => {
      const { f, truth, id, leaf, alice } = await toLeaf(() => "0x" + "33".repeat(32));
      await expect(step(f, alice, id, 1, true, mockProof(truth, 0n))).to.be.revertedWithCustomError(f.game, "NotALeaf").withArgs(1n);
      await expect(step(f, alice, id, leaf, true, mockProof(truth, 1n))).to.be.revertedWithCustomError(f.verifier, "BadProof");
      // A defense from a leaf the stepper disagrees with: the verifier cannot open it.
      await expect(step(f, alice, id, leaf, false, mockProof(truth, 1n))).to.be.revertedWithCustomError(f.verifier, "BadProof");
      const tx = await step(f, alice, id, leaf, true, mockProof(truth, 0n));
      await expect(tx).to.emit(f.game, "Stepped").withArgs(id, BigInt(leaf), alice.address, true, mockState(truth, 1n));
      expect((await f.game.getFunction("claimAt")(id, leaf)).counteredBy).to.equal(alice.address);
      await expect(step(f, alice, id, leaf, true, mockProof(truth, 0n))).to.be.revertedWithCustomError(f.game, "AlreadyCountered");
    });
    it("a true leaf is not refuted by an attack; one that attacks a true claim is refuted by a defense", async () => {
      const { f, truth, id, leaf } = await toLeaf((t) => mockState(t, 1n));
      const bob = f.signers[3];
      await expect(step(f, bob, id, leaf, true, mockProof(truth, 0n))).to.be.revertedWithCustomError(f.game, "StepDoesNotCounter").withArgs(mockState(truth, 1n));
      // The leaf (S_1, true) attacks the claim S_2 at position 2^25 (true, the other side's): stepping from the
      // leaf reaches S_2, which refutes the leaf's disagreement.
      await expect(step(f, bob, id, leaf, false, mockProof(truth, 1n))).to.emit(f.game, "Stepped").withArgs(id, BigInt(leaf), bob.address, false, mockState(truth, 2n));
    });
    it("a defense step that reaches the claim of the leaf's own side does not refute", async () => {
      // The leaf (S_3, index 2) defends the claim S_2 at position 2^25 (index 0 at depth 25): same side as S_4's
      // claim at position 2^24 (index 0 at depth 24), its grandparent.
      const o = await opened();
      const { f, truth, id } = o;
      const { parent, pos } = await descend(o, { parent: 1, pos: 2n, to: MAX_DEPTH, defend: (d) => d === MAX_DEPTH });
      expect(pos).to.equal((1n << 26n) + 2n);
      const bob = f.signers[3];
      // S_3 → S_4 reaches the grandparent's S_4 (the leaf's side): no refutation.
      await expect(step(f, bob, id, parent, false, mockProof(truth, 3n))).to.be.revertedWithCustomError(f.game, "StepDoesNotCounter").withArgs(mockState(truth, 4n));
      // Attack: S_2 (the parent, trace ancestor of the left neighbour) → S_3 = the leaf: no refutation.
      await expect(step(f, bob, id, parent, true, mockProof(truth, 2n))).to.be.revertedWithCustomError(f.game, "StepDoesNotCounter").withArgs(mockState(truth, 3n));
    });
    it("a step needs time on the stepper's clock and a commitment a block old", async () => {
      const { f, truth, id, leaf, alice } = await toLeaf(() => "0x" + "33".repeat(32));
      const salt = ethers.hexlify(ethers.randomBytes(32));
      const proof = mockProof(truth, 0n);
      const h = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "bool", "bytes32"], [id, leaf, true, ethers.keccak256(proof)]));
      // Commit and reveal in one transaction (a front-runner's only way to use a proof it just saw): refused.
      const r = await (await ethers.getContractFactory("RefusingPlayer")).deploy();
      const commitment = await f.game.getFunction("commitmentFor")(await r.getAddress(), h, salt);
      await expect(
        r.getFunction("callBoth")(await f.game.getAddress(), f.game.interface.encodeFunctionData("commit", [commitment]), f.game.interface.encodeFunctionData("step", [id, leaf, true, proof, salt])),
      ).to.be.revertedWithCustomError(f.game, "RevealTooEarly");
      await (await f.game.connect(alice).getFunction("commit")(await f.game.getFunction("commitmentFor")(alice.address, h, salt))).wait();
      await time.increase(MAX_CLOCK * 2n);
      await expect(f.game.connect(alice).getFunction("step")(id, leaf, true, proof, salt)).to.be.revertedWithCustomError(f.game, "ClockExpired").withArgs(BigInt(leaf));
    });
  });

  describe("resolution", () => {
    it("waits for the clock, goes bottom-up, once; pages through many children", async () => {
      const { f, truth, id, bob } = await opened();
      const c1 = mockState(truth, stateIndex(2n));
      // Five attacks on claim 1 (different values): its subgame has five children.
      for (let i = 0; i < 5; i++) await (await f.game.connect(bob).getFunction("move")(id, 1, c1, ethers.zeroPadValue(ethers.toBeHex(i + 1), 32), true, { value: BONDS[1] })).wait();
      await expect(f.game.getFunction("resolveClaim")(id, 1, 0)).to.be.revertedWithCustomError(f.game, "ClockNotExpired").withArgs(1n);
      await time.increase(MAX_CLOCK);
      await expect(f.game.getFunction("resolveClaim")(id, 1, 0)).to.be.revertedWithCustomError(f.game, "OutOfOrderResolution").withArgs(2n);
      await expect(f.game.getFunction("resolveClaim")(id, 0, 0)).to.be.revertedWithCustomError(f.game, "OutOfOrderResolution").withArgs(1n);
      for (let i = 2; i <= 6; i++) await (await f.game.getFunction("resolveClaim")(id, i, 0)).wait();
      await expect(f.game.getFunction("resolveClaim")(id, 2, 0)).to.be.revertedWithCustomError(f.game, "AlreadyResolved").withArgs(2n);
      // Two pages of two, then the rest: only the last call resolves and pays (to the leftmost standing child, the
      // first one made).
      await expect(f.game.getFunction("resolveClaim")(id, 1, 2)).not.to.emit(f.game, "ClaimResolved");
      await expect(f.game.getFunction("resolveClaim")(id, 1, 2)).not.to.emit(f.game, "ClaimResolved");
      await expect(f.game.getFunction("resolveClaim")(id, 1, 2)).to.emit(f.game, "ClaimResolved").withArgs(id, 1n, true, bob.address, BONDS[0]);
      // The root stands (its only child was countered): the defender wins, the hold ends.
      await expect(f.game.getFunction("resolveClaim")(id, 0, 0)).to.emit(f.game, "GameResolved").withArgs(id, 3, ethers.ZeroAddress, false, 0n);
      expect(await f.game.getFunction("heldFrom")()).to.equal(2n ** 256n - 1n);
      await expect(f.game.getFunction("resolveClaim")(id, 0, 0)).to.be.revertedWithCustomError(f.game, "GameNotInProgress");
      expect(await ethers.provider.getBalance(await f.game.getAddress())).to.equal(0n);
    });
    it("pays with a bounded gas stipend and burns a refused payment: bond and reward", async () => {
      const f = await loadFixture(deployGame);
      const b = await postBatch(f, [fakeTx("a"), fakeTx("b")]);
      const truth = await setProgram(f, b, 1, 1000n, FAULT);
      const r = await (await ethers.getContractFactory("RefusingPlayer")).deploy();
      const game = await f.game.getAddress();
      // The refuser disputes (commit through the contract, then the dispute a block later).
      const p = txProof(b, 1);
      const claim = mockState(truth, stateIndex(2n));
      const salt = ethers.ZeroHash;
      const proofHash = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode([HEADER_ABI_TYPE, TXPROOF_TYPE, "bytes32"], [headerToAbi(b.header), p, claim]));
      const commitment = await f.game.getFunction("commitmentFor")(await r.getAddress(), proofHash, salt);
      await (await r.getFunction("call")(game, f.game.interface.encodeFunctionData("commit", [commitment]))).wait();
      await (await r.getFunction("call")(game, f.game.interface.encodeFunctionData("dispute", [headerToAbi(b.header), p, claim, NO_HINT, salt]), { value: BONDS[0] })).wait();
      await time.increase(MAX_CLOCK);
      const dead = await ethers.provider.getBalance("0x000000000000000000000000000000000000dEaD");
      await expect(f.game.getFunction("resolveClaim")(1n, 1, 0)).to.emit(f.game, "PaymentBurned").withArgs(await r.getAddress(), BONDS[0]);
      const tx = f.game.getFunction("resolveClaim")(1n, 0, 0);
      await expect(tx).to.emit(f.game, "PaymentBurned").withArgs(await r.getAddress(), REWARD);
      await expect(tx).to.emit(f.inbox, "BatchesRolledBack").withArgs(0n, 1n, game, 6, REWARD, BOND - REWARD);
      // Burned: the refused bond, the refused reward, and the Inbox's own burn of the slashed rest.
      expect(await ethers.provider.getBalance("0x000000000000000000000000000000000000dEaD")).to.equal(dead + BONDS[0] + BOND);
      expect(await ethers.provider.getBalance(game)).to.equal(0n);
    });
    it("NotEnoughGas names the starving case", async () => {
      const { f, id } = await opened();
      await time.increase(MAX_CLOCK);
      const data = f.game.interface.encodeFunctionData("resolveClaim", [id, 1, 0]);
      // Enough to reach the payment, not enough for the stipend with margin.
      const res = await ethers.provider.call({ to: await f.game.getAddress(), data, gasLimit: 80_000n }).catch((e: { data?: string }) => e.data);
      expect(res).to.equal(f.game.interface.encodeErrorResult("NotEnoughGas", []));
    });
  });

  describe("re-dispute", () => {
    it("after a game that rolled the batch back, the identical re-post can be disputed again", async () => {
      const { f, b, truth, id, alice } = await opened();
      // Nobody defends: the challenger wins after one clock.
      await time.increase(MAX_CLOCK);
      await (await f.game.getFunction("resolveClaim")(id, 1, 0)).wait();
      await expect(f.game.getFunction("resolveClaim")(id, 0, 0)).to.emit(f.inbox, "BatchesRolledBack");
      expect(await f.inbox.getFunction("batchCount")()).to.equal(0n);
      // The poster re-posts exactly the same batch (same index, parent, timestamp): the same header hash.
      const again = await postBatch(f, b.txs, undefined, b.header.timestamp);
      expect(again.hash).to.equal(b.hash);
      await expect(dispute(f, alice, again, 1, mockState(truth, stateIndex(2n)))).to.emit(f.game, "GameCreated").withArgs(2n, 0n, b.hash, 1n, alice.address, mockState(truth, 0n));
      expect(await f.game.getFunction("gameOf")(b.hash, 1)).to.equal(2n);
    });
    it("after a game the defender won, the transaction cannot be disputed again", async () => {
      const f = await loadFixture(deployGame);
      const b = await postBatch(f, [fakeTx("a"), fakeTx("b")]);
      const truth = await setProgram(f, b, 1, 1000n, STATUS_OK);
      const [, liar, defender] = f.signers;
      const lie = "0x" + "55".repeat(32);
      await (await dispute(f, liar, b, 1, lie)).wait();
      await (await f.game.connect(defender).getFunction("move")(1n, 1, lie, mockState(truth, stateIndex(4n)), true, { value: BONDS[1] })).wait();
      await time.increase(MAX_CLOCK);
      for (const i of [2, 1, 0]) await (await f.game.getFunction("resolveClaim")(1n, i, 0)).wait();
      expect((await f.game.getFunction("gameData")(1n)).status).to.equal(3n);
      await expect(dispute(f, liar, b, 1, lie)).to.be.revertedWithCustomError(f.game, "GameExists").withArgs(1n);
    });
  });
});
