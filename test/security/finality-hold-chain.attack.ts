/**
 * Attack (high): finality held for ever by a chain of lost games.
 *
 * A game may be opened on any transaction of any non-final batch (DisputeGame.dispute checks only !isFinal), and an
 * open game holds its batch and every later one (FinalityHolds, Inbox._isFinal). A griefer disputes transaction 0 of
 * an honest batch with a lie, and just before that game can be resolved disputes transaction 1, and so on: the
 * batch never leaves the hold, whatever the honest side does (it answers every lie and resolves every game as soon
 * as the clocks allow). Each game costs the griefer bond(1) (0.01 ETH here); a batch of n transactions is held n
 * games long, and the griefer can go on with the next batch. Withdrawals never become claimable and each poster's
 * bond stays locked until the coordinator can no longer post (NotBonded): the rollup stops.
 *
 * Safe behaviour asserted: an honest batch is final at the latest when its challenge window and then one game (the
 * bound of docs/protocol.md §11.5.3: 2 × maxClockDuration + 27 × clockExtension) have passed.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { BONDS, EXTENSION, MAX_CLOCK, WINDOW, deployGame, dispute, fakeTx, postBatch, setProgram } from "../helpers/game-chain";

describe("security: finality held by a chain of disputes", function () {
  this.timeout(300_000);

  it("an honest batch is final within its window plus one game's bound, however many games a griefer opens", async () => {
    const f = await deployGame();
    const [poster, griefer] = f.signers;
    const txs = Array.from({ length: 12 }, (_, i) => fakeTx(`honest ${i}`));
    const b = await postBatch(f, txs);
    const postedAt = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    for (let i = 0; i < txs.length; i++) await setProgram(f, b, i, 10n, 1); // every transaction ends ok
    const deadline = postedAt + WINDOW + 2n * MAX_CLOCK + 27n * EXTENSION + 1n;
    const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const g = f.game;
    const open: bigint[] = [];
    const resolveReady = async () => {
      for (const id of [...open]) {
        try {
          for (const c of [2, 1, 0]) await (await g.connect(poster).getFunction("resolveClaim")(id, c, 0)).wait();
          open.splice(open.indexOf(id), 1);
        } catch {
          // clocks still running
        }
      }
    };
    let spent = 0n;
    for (let i = 0; i < txs.length && (await now()) < deadline; i++) {
      const lie = ethers.id(`lie ${i}`);
      await (await dispute(f, griefer, b, i, lie)).wait();
      spent += BONDS[0];
      const id = BigInt(await g.getFunction("gameCount")());
      // The honest side answers the lie at once (an attack at depth 2) and the griefer never moves again.
      await (await g.connect(poster).getFunction("move")(id, 1, lie, ethers.id(`truth ${i}`), true, { value: BONDS[1] })).wait();
      open.push(id);
      await time.increase(MAX_CLOCK - 120n);
      await resolveReady();
    }
    if ((await now()) < deadline) await time.increaseTo(deadline);
    await resolveReady();
    const final = await f.inbox.getFunction("isFinal")(0n);
    expect(
      { final, heldFrom: (await g.getFunction("heldFrom")()).toString() },
      `held ${(await now()) - postedAt} s after posting by ${open.length} open game(s); the griefer lost ${ethers.formatEther(spent)} ETH in all`,
    ).to.deep.equal({ final: true, heldFrom: (2n ** 256n - 1n).toString() });
  });
});
