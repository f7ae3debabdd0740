/**
 * The node's one L1 follower (node/l1/follower.ts) against a real Inbox and Bridge on Hardhat: its
 * snapshot gives what the Inbox answers at that block (tip, header hashes, the deposit queue) from
 * the events alone; a rollback shortens the live chain; an L1 reorg drops the orphaned append; a
 * reopened follower resumes at its cursor; reads pinned to a block hash answer for that block.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import hre, { ethers } from "hardhat";
import { Level } from "level";
import { L1Client } from "../../../node/l1/client";
import { L1Follower, type L1Snapshot } from "../../../node/l1/follower";
import { startL1Server } from "../../../node/devnet/devnet";
import { rootLogger } from "../../../node/log";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";
import type { Bridge, Inbox, TestProver } from "../../../typechain-types";
import { BOND, WINDOW, DELAY, MAX_DEPOSITS, L2_CHAIN_ID, sol, nextBatch, postFiller, transferTx, deployAll, deposit, depositTx } from "../../helpers/inbox";

describe("node: the L1 follower", function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startL1Server>>;
  let l1: L1Client;
  let inbox: Inbox;
  let bridge: Bridge;
  let prover: TestProver;
  let f: Awaited<ReturnType<typeof deployAll>>;
  let dir: string;
  let deployedAt: number;
  const log = rootLogger();

  const open = async (confirmations = 0) => {
    const db = new Level<string, string>(dir);
    return { db, follower: await L1Follower.open(l1, db, { confirmations, logRange: 3 }, log) };
  };

  /** The snapshot agrees with what the Inbox and the Bridge answer now. */
  async function agreesWithL1(snap: L1Snapshot): Promise<void> {
    const t = await inbox.tip();
    expect(snap.tip()).to.deep.equal({ index: t.index, parent: t.parent.toLowerCase(), firstSeq: t.firstSeq, depositStart: t.depositStart, minTimestamp: t.minTimestamp });
    for (let i = 0n; i < t.index; i++) expect(snap.headerHashAt(i)).to.equal((await inbox.headerHash(i)).toLowerCase());
    expect(snap.headerHashAt(t.index)).to.equal(undefined);
    expect(snap.depositCount()).to.equal(await bridge.depositCount());
  }

  before(async () => {
    deployedAt = await ethers.provider.getBlockNumber();
    f = await deployAll({ bonds: 8n });
    ({ inbox, bridge, prover } = f);
    server = await startL1Server(hre, "127.0.0.1", 0);
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: L2_CHAIN_ID, inbox: await inbox.getAddress(), bridge: await bridge.getAddress(), deployedAt,
      challengeWindow: WINDOW, bondSize: BOND, inclusionDelay: DELAY, maxDepositsPerBatch: MAX_DEPOSITS, minBaseFee: 7n, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
    };
    l1 = await L1Client.connect(server.url, deployment);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-follower-"));
  });

  after(async () => {
    l1?.close();
    await server?.close();
  });

  it("follows appends, deposits and a rollback; the snapshot is the Inbox's tip, hashes and queue; resumes at its cursor", async () => {
    const { db, follower } = await open();
    const d0 = await deposit(bridge, f.bob, f.carol.address, 5n);
    const b0 = await nextBatch(inbox, [depositTx(d0)], { deposits: 1n });
    await (await inbox.connect(f.alice).appendBatch(sol(b0.header), b0.data)).wait();
    await postFiller(inbox, f.alice, 2);
    const b2 = await postFiller(inbox, f.bob, 1);
    let snap = await follower.poll();
    expect(snap.at.block).to.equal(await ethers.provider.getBlockNumber());
    await agreesWithL1(snap);
    expect(snap.live().map((e) => e.poster)).to.deep.equal([f.alice, f.alice, f.bob].map((s) => s.address.toLowerCase()));
    expect(snap.depositRange(0n, 1n)[0]).to.deep.include({ index: 0n, to: f.carol.address.toLowerCase(), value: 5n });
    expect(() => snap.depositRange(0n, 2n)).to.throw(/deposit 1/);
    // A rollback of batch 2 (the test prover's one penalty path).
    await (await prover.settleUnchecked(2n, 0)).wait();
    snap = await follower.poll();
    await agreesWithL1(snap);
    expect(snap.headerHashAt(2n)).to.equal(undefined);
    expect(snap.events.some((e) => e.type === "append" && e.headerHash === b2.hash)).to.equal(true);
    // Posted data through the follower.
    expect((await follower.posted(snap, 0n))!.data).to.deep.equal(b0.data);
    const at = follower.at;
    await db.close();
    // Reopened: the same events, from the stored cursor.
    const again = await open();
    expect(again.follower.at).to.deep.equal(at);
    expect(again.follower.snapshot().events).to.deep.equal(snap.events);
    await agreesWithL1(await again.follower.poll());
    await again.db.close();
  });

  it("an L1 reorg: the orphaned append and deposit are dropped, the snapshot follows the new chain; with confirmations it never saw them", async () => {
    const { db, follower } = await open();
    const deepDb = new Level<string, string>(fs.mkdtempSync(path.join(os.tmpdir(), "moveset-follower-deep-")));
    const deep = await L1Follower.open(l1, deepDb, { confirmations: 3, logRange: 100 }, log);
    try {
      await follower.poll();
      const before = follower.snapshot();
      const snapId = await ethers.provider.send("evm_snapshot", []);
      await deposit(bridge, f.bob, f.bob.address, 9n);
      const orphan = await postFiller(inbox, f.carol, 1);
      let snap = await follower.poll();
      expect(snap.headerHashAt(orphan.header.index)).to.equal(orphan.hash);
      const buried = (await deep.poll()).events;
      expect(buried.some((e) => e.type === "append" && e.headerHash === orphan.hash)).to.equal(false); // not buried yet
      await ethers.provider.send("evm_revert", [snapId]);
      // The new chain: a different batch at the same index, and more blocks than the old one had.
      const other = await nextBatch(inbox, [transferTx(77)]);
      await (await inbox.connect(f.alice).appendBatch(sol(other.header), other.data)).wait();
      for (let i = 0; i < 4; i++) await ethers.provider.send("evm_mine", []);
      snap = await follower.poll();
      expect(snap.headerHashAt(orphan.header.index)).to.equal(other.hash);
      expect(snap.events.some((e) => e.type === "append" && e.headerHash === orphan.hash)).to.equal(false);
      expect(snap.depositCount()).to.equal(before.depositCount());
      await agreesWithL1(snap);
      const deepSnap = await deep.poll();
      expect(deepSnap.events.some((e) => e.type === "append" && e.headerHash === orphan.hash)).to.equal(false);
      expect(deepSnap.headerHashAt(orphan.header.index)).to.equal(other.hash);
    } finally {
      await db.close();
      await deepDb.close();
    }
  });

  it("reads pinned to a block hash answer for that block", async () => {
    const { db, follower } = await open();
    const snap = await follower.poll();
    const index = snap.tip().index;
    await postFiller(inbox, f.alice, 1);
    expect(await l1.headerHashPinned(index, snap.at.hash)).to.equal(undefined);
    const now = await follower.poll();
    expect(await l1.headerHashPinned(index, now.at.hash)).to.equal(now.headerHashAt(index));
    expect(await l1.freeBondPinned(f.alice.address, snap.at.hash)).to.equal(await inbox.freeBondOf(f.alice.address, { blockTag: snap.at.block }));
    await db.close();
  });

  it("a poll with nothing new on L1 asks L1 once (its latest block is the cursor's); a new block is read and checked as before", async () => {
    const { db, follower } = await open();
    await follower.poll();
    const asked: string[] = [];
    const send = l1.rpc.send.bind(l1.rpc);
    l1.rpc.send = ((method: string, params: unknown[]) => (asked.push(method), send(method, params))) as typeof l1.rpc.send;
    try {
      const before = follower.at;
      const again = await follower.poll();
      expect(asked).to.deep.equal(["eth_getBlockByNumber"]);
      expect(again.at).to.deep.equal(before);
      asked.length = 0;
      await postFiller(inbox, f.alice, 1);
      const moved = await follower.poll();
      expect(moved.at.block).to.be.greaterThan(before.block);
      expect(asked.filter((m) => m === "eth_getLogs").length).to.be.greaterThan(0);
      await agreesWithL1(moved);
    } finally {
      l1.rpc.send = send;
      await db.close();
    }
  });
});
