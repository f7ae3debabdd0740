/**
 * Attack (critical): the same invalid batch, posted again after its rollback, is never challenged.
 *
 * After a rollback of batch k the tip is batch k − 1 again, so the identical header (same parent, seqs, timestamp,
 * base fee, deposit range, data) is accepted at index k once more, with the same header hash (DisputeGame even
 * allows a new game for this case). The watchtower keys its records by header hash (node/watchtower/store.ts), and
 * once the first proof is settled ("won") the solver does nothing more for that hash (solver.ts: a done record
 * matches no phase). So the attacker loses one bond, re-posts, and the second copy — whatever it steals — becomes
 * final unchallenged.
 *
 * Safe behaviour asserted: the watchtower commits to a proof against the live re-post.
 *
 * Fixed (issue 10): the watchtower keys its records by posting (node/watchtower/store.ts challengeKey: header hash
 * and the BatchAppended log's block hash and index), so a record settled for the first posting says nothing about
 * the re-post. The rows the solver sees carry the posting, taken here from the two appends' receipts.
 */
import { expect } from "chai";
import * as path from "path";
import { ethers } from "hardhat";
import { L2Sim, L2_CHAIN_ID, headerArgs } from "../helpers/l2sim";
import { bytesToHex, headerHash } from "../../core";
import { LevelUtxoStore } from "../../node/state/utxo-store";
import { checkBatch, InThreadValidator } from "../../node/validation/check";
import { buildProof } from "../../prover/build";
import { cheapestProvable } from "../../prover/fault";
import { solve, type ObservedBatch } from "../../node/watchtower/solver";
import { challengeKey, postingId, type ChallengeRecord } from "../../node/watchtower/store";
import { cleanupTmp, tmpDir } from "../e2e/helpers";
import { deployProvers, prove } from "./helpers";
import { NO_DICTIONARY } from "../../core/flz";

describe("security: an invalid batch posted again after its rollback", function () {
  this.timeout(120_000);
  after(cleanupTmp);

  it("the watchtower challenges the re-post too", async () => {
    const [attacker, watchtower] = await ethers.getSigners();
    const c = await deployProvers("SecRepost", attacker, 2n);
    const sim = await L2Sim.create();
    const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const b = sim.header([Uint8Array.of(0x01, 0xff, 0xff)], ts); // a transaction that does not decode
    sim.record({ header: b.header, txs: b.txs, data: b.data });
    const hh = bytesToHex(headerHash(b.header));
    // Each append's posting: the BatchAppended log's block hash and index (what the verifier's events carry).
    const append = async () => {
      const rc = (await (await c.Inbox.connect(attacker).getFunction("appendBatch")(headerArgs(b.header), b.data)).wait())!;
      const log = rc.logs.find((l: { topics: string[]; data: string }) => c.Inbox.interface.parseLog(l)?.name === "BatchAppended")! as { index: number };
      return postingId(rc.blockHash, log.index);
    };
    const firstPosting = await append();

    const store = await LevelUtxoStore.open(path.join(tmpDir("moveset-sec-"), "utxo"), { genesis: [] });
    const res = await checkBatch(b.header, b.data, L2_CHAIN_ID, [], await InThreadValidator.create(L2_CHAIN_ID), store, NO_DICTIONARY);
    await store.close();
    const fault = cheapestProvable(res.faults!)!;
    const row = (live: boolean, l1Block: number, posting: string): ObservedBatch => ({ index: 0n, headerHash: hh, posting, l1Block, live, final: false, verdict: "invalid", fault, faults: res.faults, canonical: live });
    const head = async () => ({ number: await ethers.provider.getBlockNumber(), hash: (await ethers.provider.getBlock("latest"))!.hash! });
    const first = await ethers.provider.getBlockNumber();

    // The watchtower proves it, and settles its record as won once it sees the rollback.
    expect(solve({ head: await head(), batches: [row(true, first, firstPosting)], records: new Map() }).map((a) => a.type)).to.deep.equal(["commit"]);
    expect(await prove(c, watchtower, await buildProof(fault, sim.view()))).to.equal("rolled back");
    const record: ChallengeRecord = { headerHash: hh, posting: firstPosting, batchIndex: 0n, kind: fault.kind, fault, phase: "revealing", revealBlock: await ethers.provider.getBlockNumber(), updatedAt: 0 };
    const records = new Map([[challengeKey(hh, firstPosting), record]]);
    const [settle] = solve({ head: await head(), batches: [row(false, first, firstPosting)], records });
    expect(settle).to.deep.include({ type: "settle", outcome: "won" });
    record.phase = "won";

    // The attacker posts the very same batch again: L1 takes it, with the same header hash.
    const secondPosting = await append();
    expect(String(await c.Inbox.getFunction("headerHash")(0n)).toLowerCase()).to.equal(hh);
    expect(secondPosting).to.not.equal(firstPosting);
    const again = solve({ head: await head(), batches: [row(false, first, firstPosting), row(true, await ethers.provider.getBlockNumber(), secondPosting)], records });
    expect(again.map((a) => a.type), "the watchtower's actions against the live re-post of an invalid batch").to.include("commit");
    // And the proof of the re-post rolls it back again (a second bond lost).
    expect(await prove(c, watchtower, await buildProof(fault, sim.view()))).to.equal("rolled back");
  });
});
