/**
 * End to end, issue 10 finding 5: a deposit backlog larger than one batch drains. The coordinator is offline
 * for longer than the inclusion delay while deposits pile up (more than maxDepositsPerBatch = 3 of this
 * deployment); once it starts, each batch takes the oldest pending deposits up to the maximum (L1 refuses
 * fewer while overdue ones remain, and more than the maximum), deposits keep coming meanwhile, and the queue
 * drains over several batches, every one of which the verifier finds valid.
 */
import { expect } from "chai";
import hre from "hardhat";
import { JsonRpcProvider, Wallet } from "ethers";
import { bondAndFund, deployMoveset, devAccounts, startL1Server } from "../../node/devnet/devnet";
import { startNode, type NodeHandle } from "../../node/node";
import { deploymentFromRecord } from "../../node/config";
import { bridgeAt, inboxAt } from "../../node/l1/contracts";
import { cleanupTmp, tmpDir, waitFor } from "./helpers";

const MAX = 3n;
const DELAY = 5n;

describe("e2e: forced inclusion drains a backlog larger than one batch", function () {
  this.timeout(180_000);

  let server: Awaited<ReturnType<typeof startL1Server>>;
  let l1: JsonRpcProvider;
  let node: NodeHandle | undefined;

  after(async () => {
    await node?.stop();
    l1?.destroy();
    await server?.close();
    cleanupTmp();
  });

  it("a coordinator back after the inclusion delay drains 10 overdue deposits (and 2 more arriving) in batches of at most 3", async () => {
    const accounts = devAccounts(8);
    server = await startL1Server(hre, "127.0.0.1", 0);
    l1 = new JsonRpcProvider(server.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    const record = await deployMoveset(hre, { challengeWindow: 300n, inclusionDelay: DELAY, maxDepositsPerBatch: MAX, provers: ["TestProver"] }, accounts[0].address);
    const deployment = deploymentFromRecord(record);
    expect(deployment.maxDepositsPerBatch).to.equal(MAX);
    await bondAndFund(l1, deployment, accounts[0].privateKey, [], 0n, undefined, 8n);

    // The coordinator is offline: 10 deposits queue up and become overdue.
    const recipients = Array.from({ length: 12 }, () => Wallet.createRandom().address.toLowerCase());
    const depositTo = async (i: number) => {
      const bridge = bridgeAt(deployment.bridge, new Wallet(accounts[1 + (i % 7)].privateKey, l1));
      await (await bridge.deposit(recipients[i], { value: 1000n + BigInt(i) })).wait();
    };
    for (let i = 0; i < 10; i++) await depositTo(i);
    await hre.network.provider.request({ method: "evm_increaseTime", params: [Number(DELAY) + 10] });
    await hre.network.provider.request({ method: "evm_mine", params: [] });
    const inbox = inboxAt(deployment.inbox, l1);
    expect(await inbox.maxDepositsPerBatch.staticCall()).to.equal(MAX);

    node = await startNode({
      l1Url: server.url,
      deployment,
      key: accounts[0].privateKey,
      datadir: tmpDir("moveset-fi-"),
      rpc: { port: 0 },
      coordinator: { batchIntervalMs: 100, pollMs: 50 },
      verifier: { confirmations: 0, pollMs: 100, workers: 0 },
      l1Clock: "pending",
      l1PollMs: 100,
    });
    // Deposits keep coming while the backlog drains.
    await waitFor("the first batch", async () => BigInt(await inbox.batchCount.staticCall()) > 0n, 30_000);
    await depositTo(10);
    await depositTo(11);
    await waitFor("the queue drained", async () => BigInt(await inbox.depositCursor.staticCall()) === 12n, 60_000);

    const n = Number(await inbox.batchCount.staticCall());
    const spans: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await inbox.batch.staticCall(i);
      spans.push(Number(r.depositEnd - r.depositStart));
    }
    expect(spans.every((s) => s <= Number(MAX)), `deposits per batch ${spans}`).to.equal(true);
    expect(spans.filter((s) => s > 0).length).to.be.at.least(4);
    expect(spans.slice(0, 3)).to.deep.equal([3, 3, 3]); // the backlog: full batches first
    const l2 = new JsonRpcProvider(node.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      for (let i = 0; i < 12; i++) expect(await l2.getBalance(recipients[i]), `recipient ${i}`).to.equal(1000n + BigInt(i));
    } finally {
      l2.destroy();
    }
    await waitFor("every batch checked", async () => node!.verifier!.batches().length === n && node!.verifier!.batches().every((b) => b.verdict === "valid"), 30_000);
  });
});
