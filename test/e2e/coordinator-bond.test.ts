/**
 * End to end: a coordinator whose free bond covers one batch (each live, non-final batch locks a bond of its
 * own, protocol.md §11.2) posts one, waits, says so once, and posts the next as soon as the first is final;
 * nothing is lost and no append reverts meanwhile.
 */
import { expect } from "chai";
import hre from "hardhat";
import { JsonRpcProvider, Wallet } from "ethers";
import { bondAndFund, deployMoveset, devAccounts, startL1Server } from "../../node/devnet/devnet";
import { startNode, type NodeHandle } from "../../node/node";
import { deploymentFromRecord } from "../../node/config";
import { inboxAt } from "../../node/l1/contracts";
import { captureLogs, cleanupTmp, tmpDir, waitFor } from "./helpers";

const WINDOW = 4n;

describe("e2e: a coordinator short of free bond waits for finality", function () {
  this.timeout(120_000);

  let server: Awaited<ReturnType<typeof startL1Server>>;
  let l1: JsonRpcProvider;
  let node: NodeHandle | undefined;

  after(async () => {
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] }).catch(() => undefined);
    await node?.stop();
    l1?.destroy();
    await server?.close();
    cleanupTmp();
  });

  it("posts one batch per bond, then the next once the first is final", async () => {
    const accounts = devAccounts(4);
    server = await startL1Server(hre, "127.0.0.1", 0);
    l1 = new JsonRpcProvider(server.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    const record = await deployMoveset(hre, { challengeWindow: WINDOW, provers: ["TestProver"] }, accounts[0].address);
    const deployment = deploymentFromRecord(record);
    // One bond: one batch in flight. Account 1 is funded on L2 by the first batch.
    await bondAndFund(l1, deployment, accounts[0].privateKey, [accounts[1]], 10n ** 18n, undefined, 1n);
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [500] }); // time moves on L1
    const { lines, log } = captureLogs();
    node = await startNode({
      l1Url: server.url,
      deployment,
      key: accounts[0].privateKey,
      datadir: tmpDir("moveset-cb-"),
      rpc: { port: 0 },
      coordinator: { batchIntervalMs: 50, pollMs: 50 },
      verifier: false,
      l1Clock: "pending",
      l1PollMs: 100,
      log,
    });
    const inbox = inboxAt(deployment.inbox, l1);
    const l2 = new JsonRpcProvider(node.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    try {
      await waitFor("the deposit batch", async () => (await l2.getBalance(accounts[1].address)) > 0n, 30_000);
      const r0 = await inbox.batch.staticCall(0);
      // The next transaction waits for batch 0's finality: its batch is posted no earlier.
      const w = new Wallet(accounts[1].privateKey, l2);
      const tx = await w.sendTransaction({ to: accounts[2].address, value: 5n });
      const rc = await tx.wait(1, 60_000);
      expect(rc!.status).to.equal(1);
      const r1 = await inbox.batch.staticCall(1);
      expect(BigInt(r1.postedAt)).to.be.at.least(BigInt(r0.postedAt) + WINDOW);
      expect(BigInt(await inbox.lockedBondOf.staticCall(accounts[0].address))).to.equal(deployment.bondSize);
      const short = lines.filter((l) => String(l.msg).startsWith("free bond below the bond size"));
      expect(short.length, "said once per shortage").to.be.at.least(1);
      expect(lines.some((l) => String(l.msg).startsWith("free bond covers another batch"))).to.equal(true);
      expect(lines.some((l) => String(l.msg).includes("batch not posted")), "no append reverted").to.equal(false);
    } finally {
      l2.destroy();
    }
  });
});
