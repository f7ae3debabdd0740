/**
 * contracts/Inbox.sol bonds (docs/protocol.md §11.2, issue 10 finding 4): every live, non-final batch locks a
 * bond of its own; posting needs bondSize free; the rollback of batch i slashes exactly the bond batch i locked;
 * the later batches it deletes give their posters' locks back (lazily: rollback gas does not grow with them);
 * finality releases a lock; unbond returns only what is free. The attack of the issue (post a bad batch, then a
 * throwaway one, prove the throwaway first) is played and loses.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Inbox, TestProver } from "../../typechain-types";
import { rng } from "../../bench/rng";
import { BOND, WINDOW, BPS, DEAD, KIND_MALFORMED, sol, nextBatch, transferTx, postFiller, deployAll, type Built } from "../helpers/inbox";

const oneBond = () => deployAll();
const REWARD = (BOND * BPS) / 10_000n;

/** Commits and reveals a TestProver proof of batch `b` from `who` (the commit-reveal a real prover needs). */
async function prove(prover: TestProver, who: HardhatEthersSigner, b: Built) {
  const salt = ethers.hexlify(ethers.randomBytes(32));
  const hash = await prover.proofHash(sol(b.header), KIND_MALFORMED);
  await (await prover.connect(who).commit(await prover.commitmentFor(who.address, hash, salt))).wait();
  return prover.connect(who).prove(sol(b.header), KIND_MALFORMED, salt);
}

const finalAt = async (inbox: Inbox, i: number) => (await inbox.batch(i)).postedAt + WINDOW;

describe("Inbox bonds", () => {
  it("bond() adds to the caller's bond, all of it free", async () => {
    const { inbox, alice } = await loadFixture(oneBond);
    await expect(inbox.connect(alice).bond({ value: 5n })).to.emit(inbox, "Bonded").withArgs(alice.address, 5n, BOND + 5n);
    expect(await inbox.bondOf(alice.address)).to.equal(BOND + 5n);
    expect(await inbox.freeBondOf(alice.address)).to.equal(BOND + 5n);
    expect(await inbox.lockedBondOf(alice.address)).to.equal(0n);
    await expect(inbox.connect(alice).bond()).to.be.revertedWithCustomError(inbox, "ZeroValue");
  });

  it("posting needs bondSize free: each live, non-final batch locks one bond", async () => {
    const { inbox, alice, outsider } = await loadFixture(oneBond);
    await expect(postFiller(inbox, outsider)).to.be.revertedWithCustomError(inbox, "NotBonded").withArgs(outsider.address, 0n, BOND);
    await inbox.connect(outsider).bond({ value: BOND - 1n });
    await expect(postFiller(inbox, outsider)).to.be.revertedWithCustomError(inbox, "NotBonded").withArgs(outsider.address, BOND - 1n, BOND);
    await inbox.connect(outsider).bond({ value: 1n });
    await postFiller(inbox, outsider); // 0
    expect(await inbox.lockedBondOf(outsider.address)).to.equal(BOND);
    expect(await inbox.freeBondOf(outsider.address)).to.equal(0n);
    // A second pending batch needs a second bond.
    await expect(postFiller(inbox, outsider)).to.be.revertedWithCustomError(inbox, "NotBonded").withArgs(outsider.address, 0n, BOND);
    await inbox.connect(outsider).bond({ value: BOND });
    await postFiller(inbox, outsider); // 1
    expect(await inbox.lockedBondOf(outsider.address)).to.equal(2n * BOND);
    // Finality of batch 0 frees one: a third batch may go.
    await time.increaseTo(await finalAt(inbox, 0));
    expect(await inbox.freeBondOf(outsider.address)).to.equal(BOND);
    await postFiller(inbox, outsider); // 2
    expect(await inbox.lockedBondOf(outsider.address)).to.equal(2n * BOND);
    expect(await inbox.bondOf(alice.address)).to.equal(BOND);
  });

  it("unbond returns only what is free; finality releases each lock in turn", async () => {
    const { inbox, alice } = await loadFixture(oneBond);
    await expect(inbox.connect(alice).unbond()).to.changeEtherBalances([alice, inbox], [BOND, -BOND]);
    await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "NothingToUnbond");
    await inbox.connect(alice).bond({ value: 3n * BOND });
    await postFiller(inbox, alice); // 0
    await time.increase(WINDOW / 4n);
    await postFiller(inbox, alice); // 1
    await expect(inbox.connect(alice).unbond()).to.emit(inbox, "Unbonded").withArgs(alice.address, BOND);
    expect(await inbox.bondOf(alice.address)).to.equal(2n * BOND);
    const f0 = await finalAt(inbox, 0);
    await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(0n, f0);
    await time.setNextBlockTimestamp(f0 - 1n);
    await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(0n, f0);
    await time.setNextBlockTimestamp(f0);
    await expect(inbox.connect(alice).unbond()).to.emit(inbox, "Unbonded").withArgs(alice.address, BOND);
    const f1 = await finalAt(inbox, 1);
    await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(1n, f1);
    await time.increaseTo(f1);
    await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, BOND);
    expect(await inbox.bondOf(alice.address)).to.equal(0n);
  });

  it("the attack of issue 10: a poster posts a bad batch and a throwaway one, proves the throwaway itself first; the honest challenger of the bad one is still paid in full", async () => {
    const { inbox, prover, alice: mallory, challenger } = await loadFixture(oneBond);
    // With one bond the throwaway cannot even be posted: the bad batch locks it.
    const bad = await postFiller(inbox, mallory); // 0: the bad batch
    await expect(postFiller(inbox, mallory)).to.be.revertedWithCustomError(inbox, "NotBonded").withArgs(mallory.address, 0n, BOND);
    // So it bonds a second time, posts the throwaway and proves it itself (it earns its own reward share).
    await inbox.connect(mallory).bond({ value: BOND });
    const throwaway = await postFiller(inbox, mallory); // 1
    const self = await prove(prover, mallory, throwaway);
    await expect(self).to.emit(inbox, "BondSlashed").withArgs(mallory.address, 1n, BOND, BOND);
    expect(await inbox.bondOf(mallory.address)).to.equal(BOND); // what batch 0 locked is still there
    // The honest challenger proves the bad batch: the full reward, exactly as if nothing had happened before.
    const honest = await prove(prover, challenger, bad);
    await expect(honest).to.emit(inbox, "BatchesRolledBack").withArgs(0n, 1n, challenger.address, KIND_MALFORMED, REWARD, BOND - REWARD);
    await expect(honest).to.emit(inbox, "BondSlashed").withArgs(mallory.address, 0n, BOND, 0n);
    await expect(honest).to.changeEtherBalances([challenger, DEAD, inbox], [REWARD, BOND - REWARD, -BOND]);
    expect(await inbox.bondOf(mallory.address)).to.equal(0n);
  });

  it("a rollback gives the locks of the later batches it deletes back to their posters, unslashed", async () => {
    const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(oneBond);
    await inbox.connect(alice).bond({ value: BOND });
    await postFiller(inbox, alice); // 0
    await postFiller(inbox, bob); // 1: fraudulent
    await postFiller(inbox, alice); // 2
    await postFiller(inbox, carol); // 3
    expect(await inbox.lockedBondOf(alice.address)).to.equal(2n * BOND);
    expect(await inbox.lockedBondOf(carol.address)).to.equal(BOND);
    await prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED);
    expect(await inbox.bondOf(bob.address)).to.equal(0n);
    expect(await inbox.bondOf(alice.address)).to.equal(2n * BOND);
    expect(await inbox.lockedBondOf(alice.address)).to.equal(BOND); // batch 0 still pending
    expect(await inbox.bondOf(carol.address)).to.equal(BOND);
    expect(await inbox.lockedBondOf(carol.address)).to.equal(0n);
    await expect(inbox.connect(carol).unbond()).to.changeEtherBalance(carol, BOND);
    await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, BOND);
    await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(0n, await finalAt(inbox, 0));
  });

  it("re-posts over rolled-back records: gone entries are never counted, a re-post at the same index locks anew", async () => {
    const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(oneBond);
    await inbox.connect(alice).bond({ value: 2n * BOND });
    await postFiller(inbox, alice); // 0
    await postFiller(inbox, alice); // 1
    await postFiller(inbox, alice); // 2
    await prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED); // alice slashed for 1; 1 and 2 gone
    expect(await inbox.lockedBondOf(alice.address)).to.equal(BOND);
    await postFiller(inbox, bob); // 1 (overwrites alice's dead record)
    await postFiller(inbox, carol); // 2
    await postFiller(inbox, alice); // 3
    expect(await inbox.lockedBondOf(alice.address)).to.equal(2n * BOND);
    expect(await inbox.bondOf(alice.address)).to.equal(2n * BOND);
    await prover.connect(challenger).settleUnchecked(2, KIND_MALFORMED); // carol slashed; alice's 3 gone
    await postFiller(inbox, alice); // 2 again, by alice
    expect(await inbox.lockedBondOf(alice.address)).to.equal(2n * BOND); // batches 0 and 2
    await time.increaseTo(await finalAt(inbox, 1));
    expect(await inbox.lockedBondOf(alice.address)).to.equal(BOND); // 0 final, 2 pending
    await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, BOND);
    await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(2n, await finalAt(inbox, 2));
    await time.increaseTo(await finalAt(inbox, 2));
    await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, BOND);
    await expect(inbox.connect(bob).unbond()).to.changeEtherBalance(bob, BOND);
  });

  it("rollback gas does not grow with the number of batches it deletes", async () => {
    const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(oneBond);
    for (const s of [alice, bob, carol]) await inbox.connect(s).bond({ value: 40n * BOND });
    const posters = [alice, bob, carol];
    const gasOf = async (later: number) => {
      const at = Number(await inbox.batchCount());
      await postFiller(inbox, alice);
      for (let i = 0; i < later; i++) await postFiller(inbox, posters[i % 3]);
      const rc = await (await prover.connect(challenger).settleUnchecked(at, KIND_MALFORMED)).wait();
      return rc!.gasUsed;
    };
    await gasOf(1); // warm-up: the first payment to 0x…dEaD creates that account
    const one = await gasOf(1);
    const many = await gasOf(90);
    expect(many, `rollback of 91 batches (${many}) against 2 (${one})`).to.be.lessThan(one + 200n);
    expect(many).to.be.greaterThan(one - 200n);
  });

  it("settling a poster with many entries costs logarithmic gas, not linear", async () => {
    const { inbox, alice, bob, prover, challenger } = await loadFixture(oneBond);
    await inbox.connect(alice).bond({ value: 300n * BOND });
    await inbox.connect(bob).bond({ value: BOND });
    const gasOf = async (who: HardhatEthersSigner) => (await (await inbox.connect(who).appendBatch(...(await nextArgs(inbox)))).wait())!.gasUsed;
    // Steady state: the oldest pending entry is not final, the newest is live.
    await postFiller(inbox, alice);
    await postFiller(inbox, alice);
    const steady = await gasOf(alice);
    // 256 entries turn final at once: the next post gallops over them.
    for (let i = 0; i < 253; i++) await postFiller(inbox, alice);
    await time.increase(WINDOW);
    await postFiller(inbox, bob); // the bob batch keeps the count moving
    const afterFinal = await gasOf(alice);
    // 200 of alice's entries rolled back at once (one cheap rollback): the next post bisects the gone suffix.
    await time.increase(WINDOW);
    const at = Number(await inbox.batchCount());
    for (let i = 0; i < 200; i++) await postFiller(inbox, alice);
    await inbox.connect(bob).bond({ value: BOND });
    await postFiller(inbox, bob);
    await prover.connect(challenger).settleUnchecked(at, KIND_MALFORMED);
    const afterRollback = await gasOf(alice);
    expect(await inbox.lockedBondOf(alice.address)).to.equal(BOND);
    console.log(`      appendBatch gas: steady ${steady}, after 256 entries turned final ${afterFinal}, after 200 rolled back ${afterRollback}`);
    // Linear settling would cost over 2,100 gas per entry (one cold read each): over 500k for 256. Bisection
    // costs about two cold reads per probe, log2(256) = 8 probes each way.
    expect(afterFinal - steady).to.be.lessThan(100_000n);
    expect(afterRollback - steady).to.be.lessThan(100_000n);
  });

  it("bonds reconcile under random play: locks match a model, every rollback slashes exactly one bond, every wei is held, paid, burned or returned", async function () {
    this.timeout(300_000);
    const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(oneBond);
    const posters = [alice, bob, carol];
    const inboxAddr = await inbox.getAddress();
    const r = rng(10);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    let bonded = 3n * BOND;
    let paid = 0n;
    let burned = 0n;
    let returned = 0n;
    /** The model: live batches (a prefix), each with its poster and L1 time. */
    const live: { poster: string; postedAt: bigint }[] = [];
    const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const check = async () => {
      const t = await now();
      let held = 0n;
      for (const p of posters) {
        const pending = live.filter((b) => b.poster === p.address && t < b.postedAt + WINDOW).length;
        expect(await inbox.lockedBondOf(p.address), `locked of ${p.address}`).to.equal(BigInt(pending) * BOND);
        held += await inbox.bondOf(p.address);
      }
      expect(await ethers.provider.getBalance(inboxAddr), "inbox balance = bonds held").to.equal(held);
      expect(held + paid + burned + returned, "bonded = held + paid + burned + returned").to.equal(bonded);
    };
    for (let step = 0; step < 160; step++) {
      const x = r();
      const p = pick(posters);
      if (x < 0.45) {
        if ((await inbox.freeBondOf(p.address)) < BOND) {
          await inbox.connect(p).bond({ value: BOND });
          bonded += BOND;
        }
        await postFiller(inbox, p);
        live.push({ poster: p.address, postedAt: await now() });
      } else if (x < 0.6) {
        const t = await now();
        const open = live.map((b, i) => ({ b, i })).filter(({ b }) => t + 1n < b.postedAt + WINDOW);
        if (!open.length) continue;
        const { b, i } = pick(open);
        const before = await inbox.bondOf(b.poster);
        const rc = await (await prover.connect(challenger).settleUnchecked(i, KIND_MALFORMED)).wait();
        const ev = rc!.logs.map((l) => inbox.interface.parseLog(l)).find((e) => e?.name === "BatchesRolledBack")!;
        expect(ev.args.reward + ev.args.burned, "slashed exactly one bond").to.equal(BOND);
        expect(await inbox.bondOf(b.poster)).to.equal(before - BOND);
        paid += ev.args.reward as bigint;
        burned += ev.args.burned as bigint;
        live.length = i;
      } else if (x < 0.75) {
        const free = await inbox.freeBondOf(p.address);
        if (free === 0n) continue;
        await (await inbox.connect(p).unbond()).wait();
        returned += free;
      } else if (x < 0.85) {
        await inbox.connect(p).bond({ value: 7n });
        bonded += 7n;
      } else {
        await time.increase(1 + Math.floor(r() * Number(WINDOW) * 0.6));
      }
      await check();
    }
    await time.increase(WINDOW);
    for (const p of posters) {
      const free = await inbox.freeBondOf(p.address);
      expect(free).to.equal(await inbox.bondOf(p.address));
      if (free > 0n) {
        await inbox.connect(p).unbond();
        returned += free;
      }
    }
    await check();
    expect(await ethers.provider.getBalance(inboxAddr)).to.equal(0n);
  });
});

/** Arguments of appendBatch for a one-filler batch on the tip. */
async function nextArgs(inbox: Inbox) {
  const b = await nextBatch(inbox, [transferTx(1)]);
  return [sol(b.header), b.data] as const;
}
