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
 *
 * Fixed (issue 10): DisputeGame.dispute opens a game only while block.timestamp < postedAt + challengeWindow of its
 * batch (ChallengeWindowClosed, §11.5.2, §11.5.6). The griefer's disputes after the window are refused; the test
 * keeps trying them (it expected them to succeed before the fix) and checks that they are refused for that reason.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { finalAtLatest } from "../../core/game";
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
    const deadline = finalAtLatest(postedAt, WINDOW, { maxClockDuration: MAX_CLOCK, clockExtension: EXTENSION }) + 1n;
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
    const refused: string[] = [];
    for (let i = 0; i < txs.length && (await now()) < deadline; i++) {
      const lie = ethers.id(`lie ${i}`);
      try {
        await (await dispute(f, griefer, b, i, lie)).wait();
      } catch (e) {
        // The griefer keeps trying; L1 may refuse the game (then it holds nothing).
        refused.push(String((e as Error).message).match(/custom error '(\w+)/)?.[1] ?? String(e).slice(0, 80));
        await time.increase(MAX_CLOCK - 120n);
        await resolveReady();
        continue;
      }
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
    // The griefer was stopped by the rule, not by running out of transactions: its later games were refused.
    // The first refusal comes while a game still holds the batch (past its window); once final, BatchIsFinal.
    expect(refused[0], "the first dispute refused after the window").to.equal("ChallengeWindowClosed");
    expect(refused.every((r) => r === "ChallengeWindowClosed" || r === "BatchIsFinal"), refused.join(", ")).to.equal(true);
  });
});
