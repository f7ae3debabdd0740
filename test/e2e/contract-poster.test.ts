/**
 * End to end, issue 10 finding 1: batches posted through a contract, and junk sent to the Inbox, against a
 * devnet with its coordinator, verifier and watchtower.
 *   - A batch posted through a Safe-like account (contracts/test/SafeLikeForwarder.sol, appendBatchFromContract)
 *     is read from its BatchData event, found valid by the node's verifier and the watchtower's, applied by the
 *     coordinator, which keeps building; an invalid one posted that way is proven by the watchtower.
 *   - The attack that wedged every node (a contract calling appendBatch) reverts on L1; it and other junk
 *     (reverted calls, calls to other functions, ether sent to the Inbox) leave both the verifier and the
 *     coordinator following L1, and later batches are checked.
 *   - A node that cannot read a batch's data (its L1 endpoint hands out a corrupted transaction) logs what it
 *     skipped and why, keeps following L1, and checks the batch once it reads it.
 */
import { expect } from "chai";
import hre from "hardhat";
import { ContractFactory, JsonRpcProvider, Wallet } from "ethers";
import type { SafeLikeForwarder } from "../../typechain-types";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { abiOf, bytecodeOf, headerToSol, inboxAt, inboxInterface } from "../../node/l1/contracts";
import { L1Client } from "../../node/l1/client";
import { Verifier } from "../../node/verifier/verifier";
import { DEFAULT_VERIFIER } from "../../node/config";
import { Executor, bytesToHex, encodeTx, headerHash, batchTxOf, type BatchTx } from "../../core";
import { batchOnTip, honestTransfer, invalidTxs, type ByzantineEnv } from "../../node/devnet/byzantine";
import { captureLogs, cleanupTmp, freePort, receiptOf, tmpDir, waitFor } from "./helpers";

const WINDOW = 300n;

describe("e2e: batches posted through a contract, and junk sent to the Inbox", function () {
  this.timeout(240_000);

  let d: DevnetHandle;
  let l1: JsonRpcProvider;
  let l2: JsonRpcProvider;
  let forwarder: SafeLikeForwarder;
  let env: ByzantineEnv;
  const owner = () => new Wallet(d.accounts[2].privateKey, l1);

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-cp-"), l1Port, rpcPort, accounts: 8, challengeWindow: WINDOW, batchIntervalMs: 150, verifierWorkers: 0, watch: { account: 1, confirmations: 1, metricsPort: 0 } });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [300] });
    const f = await new ContractFactory(abiOf("SafeLikeForwarder", "test"), bytecodeOf("SafeLikeForwarder", "test"), owner()).deploy(d.accounts[2].address);
    await f.waitForDeployment();
    forwarder = f as unknown as SafeLikeForwarder;
    const bond = inboxInterface().encodeFunctionData("bond");
    await (await forwarder.exec(d.deployment.inbox, 3n * d.deployment.bondSize, bond, { value: 3n * d.deployment.bondSize })).wait();
    env = { l1, inbox: d.deployment.inbox, l2ChainId: d.deployment.l2ChainId, node: d.node, sender: d.accounts[6], recipient: d.accounts[5].address, posterKey: d.accounts[2].privateKey };
  });

  after(async () => {
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] }).catch(() => undefined);
    l1?.destroy();
    l2?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  /** Builds (with `make`, on the current tip) and posts a batch through the forwarder; retries if the coordinator gets the tip first. */
  async function viaForwarder(make: (feeRecipient: string) => Promise<BatchTx[]>): Promise<{ hh: string; index: bigint; block: number }> {
    const f = await forwarder.getAddress();
    for (let attempt = 0; ; attempt++) {
      const b = await batchOnTip(env, await make(f), f);
      const call = inboxInterface().encodeFunctionData("appendBatchFromContract", [headerToSol(b.header), bytesToHex(b.data)]);
      try {
        await forwarder.exec.staticCall(d.deployment.inbox, 0n, call);
        const rc = await (await forwarder.exec(d.deployment.inbox, 0n, call)).wait();
        return { hh: bytesToHex(headerHash(b.header)), index: b.header.index, block: rc!.blockNumber };
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  /** An honest L2 transfer through the node's RPC; returns its receipt's batch (header) hash once both verifiers found it valid. */
  async function honestL2Batch(): Promise<string> {
    const w = new Wallet(d.accounts[7].privateKey, l2);
    const r = await (await w.sendTransaction({ to: d.accounts[7].address, value: 1n })).wait();
    const hh = r!.blockHash.toLowerCase();
    await waitFor("the node's verdict", async () => d.node.verifier!.verdictOf(hh)?.status === "valid", 30_000);
    await waitFor("the watchtower's verdict", async () => d.watchtower!.verifier.verdictOf(hh)?.status === "valid", 30_000);
    return hh;
  }

  it("a batch posted through a Safe-like account is read from its event, found valid by both verifiers and applied by the coordinator, which keeps building", async () => {
    const ex = await Executor.create(d.deployment.l2ChainId);
    const p = await viaForwarder(async (fee) => [batchTxOf(encodeTx(await honestTransfer(env, fee, 5n, ex)))]);
    const v = await waitFor("the node's verdict", async () => d.node.verifier!.verdictOf(p.hh), 30_000);
    expect(v.status).to.equal("valid");
    await waitFor("the watchtower's verdict", async () => d.watchtower!.verifier.verdictOf(p.hh)?.status === "valid", 30_000);
    const view = d.node.verifier!.batches().find((b) => b.headerHash === p.hh)!;
    expect(view.poster).to.equal((await forwarder.getAddress()).toLowerCase());
    // The coordinator applied it (the transfer is on L2) and builds on it.
    await waitFor("the coordinator applied it", async () => (await d.node.chain.batch(p.index))?.hash === p.hh, 30_000);
    expect(d.node.coordinator.haltedAt).to.equal(undefined);
    const next = await honestL2Batch();
    expect(d.node.verifier!.batches().find((b) => b.headerHash === next)!.index).to.be.greaterThan(p.index);
  });

  it("junk sent to the Inbox (a contract calling appendBatch, reverted calls, other functions, plain ether) does not stop the verifier or the coordinator; later batches are checked", async () => {
    const inbox = inboxAt(d.deployment.inbox, owner());
    const ii = inboxInterface();
    const from = await l1.getBlockNumber();
    const ex = await Executor.create(d.deployment.l2ChainId);
    // The attack that wedged every node: a contract calling appendBatch. L1 now refuses it.
    const b = await batchOnTip(env, [batchTxOf(encodeTx(await honestTransfer(env, await forwarder.getAddress(), 6n, ex)))], await forwarder.getAddress());
    const attack = ii.encodeFunctionData("appendBatch", [headerToSol(b.header), bytesToHex(b.data)]);
    let refused: unknown;
    await forwarder.exec.staticCall(d.deployment.inbox, 0n, attack).catch((e) => (refused = e));
    expect(String((refused as Error)?.message ?? "")).to.match(/NotDirectCall|0x[0-9a-f]{8}/i);
    // Junk mined on L1 (fixed gas, so the transactions are sent although they revert).
    const junk: { data: string; value?: bigint; to?: string; via?: "forwarder" }[] = [
      { data: attack, via: "forwarder" }, // reverts: NotDirectCall
      { data: ii.encodeFunctionData("appendBatch", [headerToSol({ ...b.header, index: b.header.index + 5n }), bytesToHex(b.data)]) }, // reverts: not the tip
      { data: ii.encodeFunctionData("tipHash") }, // a view, sent as a transaction: succeeds, logs nothing
      { data: ii.encodeFunctionData("bond") }, // reverts: no value
      { data: "0xdeadbeef" }, // no such function
      { data: "0x", value: 1n }, // plain ether: the Inbox takes none
      { data: ii.encodeFunctionData("unbond") }, // reverts: nothing to unbond
    ];
    const hashes: string[] = [];
    // Sent with automining off (Hardhat would throw at once on a revert): the interval mining mines them.
    await hre.network.provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      const w = owner();
      let nonce = await l1.getTransactionCount(w.address, "pending");
      for (const j of junk) {
        const to = j.via === "forwarder" ? await forwarder.getAddress() : await inbox.getAddress();
        const data = j.via === "forwarder" ? forwarder.interface.encodeFunctionData("exec", [d.deployment.inbox, 0n, j.data]) : j.data;
        const tx = await w.sendTransaction({ to, data, value: j.value ?? 0n, gasLimit: 2_000_000, nonce: nonce++ });
        hashes.push(tx.hash);
      }
    } finally {
      await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    const statuses = await Promise.all(hashes.map(async (h) => (await receiptOf(l1, h)).status));
    expect(statuses).to.deep.equal([0, 0, 1, 0, 0, 0, 0]);
    const junkTop = Math.max(...(await Promise.all(hashes.map(async (h) => (await l1.getTransactionReceipt(h))!.blockNumber))));
    expect(junkTop).to.be.greaterThan(from);
    // Later batches: each found valid by both verifiers (they followed L1 past the junk), and the coordinator
    // keeps posting.
    for (let i = 0; i < 2; i++) await honestL2Batch();
    expect(d.node.verifier!.cursorBlock).to.be.at.least(junkTop);
    expect(d.watchtower!.verifier.cursorBlock).to.be.at.least(junkTop);
    expect(d.node.coordinator.haltedAt).to.equal(undefined);
    for (const v of d.node.verifier!.batches()) if (v.status !== "rolled back") expect(v.verdict, `batch ${v.index}`).to.equal("valid");
  });

  it("an invalid batch posted through a contract is proven by the watchtower; the contract's locked bond pays the reward", async () => {
    const wt = d.watchtower!;
    const f = await forwarder.getAddress();
    const inbox = inboxAt(d.deployment.inbox, l1);
    const bondBefore = BigInt(await inbox.bondOf.staticCall(f));
    const p = await viaForwarder((fee) => invalidTxs("signature", env, fee));
    const rec = await waitFor("the challenge won", async () => {
      const r = await wt.store.latest(p.hh);
      return r?.phase === "won" ? r : undefined;
    }, 60_000, 100);
    expect(rec.kind).to.equal("signature");
    const expectedReward = (d.deployment.bondSize * BigInt(d.record.parameters.rewardBps)) / 10000n;
    expect(rec.reward).to.equal(expectedReward);
    const logs = await inbox.queryFilter(inbox.filters.BatchesRolledBack(p.index), p.block);
    const ev = inboxInterface().parseLog(logs[logs.length - 1])!;
    expect(String(ev.args.challenger).toLowerCase()).to.equal(wt.address.toLowerCase());
    expect(BigInt(await inbox.bondOf.staticCall(f))).to.equal(bondBefore - d.deployment.bondSize);
    await waitFor("the coordinator resumes", async () => d.node.coordinator.haltedAt === undefined, 30_000);
    await honestL2Batch();
  });

  it("a verifier whose L1 endpoint corrupts one batch's transaction logs what it skipped and why, keeps following L1, and checks the batch once it reads it", async () => {
    const target = await honestL2Batch();
    const l1Tx = d.node.verifier!.batches().find((b) => b.headerHash === target)!.l1TxHash;
    const client = await L1Client.connect(d.l1Url, d.deployment);
    let corrupt = true;
    // Batch data is read over the client's bare JSON-RPC (node/l1/raw-rpc.ts), not its ethers provider.
    const send = client.rpc.send.bind(client.rpc);
    client.rpc.send = async <T>(method: string, params: unknown[]): Promise<T> => {
      const r = (await send(method, params)) as { hash?: string; input?: string } | null;
      if (corrupt && method === "eth_getTransactionByBlockHashAndIndex" && r?.hash?.toLowerCase() === l1Tx) {
        // One byte of the batch data (the count byte after the version: selector, 15 head words, the length word).
        const at = 2 + 2 * (4 + 16 * 32 + 1);
        return { ...r, input: r.input!.slice(0, at) + (r.input!.slice(at, at + 2) === "ff" ? "fe" : "ff") + r.input!.slice(at + 2) } as T;
      }
      return r as T;
    };
    const { lines, log } = captureLogs();
    const dir = tmpDir("moveset-cp-v-");
    const v = await Verifier.open({
      l1: client,
      deployment: d.deployment,
      dbPath: `${dir}/db`,
      utxoPath: `${dir}/utxo`,
      opts: { ...DEFAULT_VERIFIER, confirmations: 0, pollMs: 100, workers: 0 },
      log,
    });
    try {
      await v.syncToHead();
      const row = v.batches().find((b) => b.headerHash === target)!;
      expect(row.verdict).to.equal("unchecked");
      expect(row.unreadable).to.match(/does not hash to the header's dataHash/);
      const said = lines.find((l) => l.level === "error" && String(l.msg).includes("cannot read the data of a batch"));
      expect(said, JSON.stringify(lines.slice(-5))).to.not.equal(undefined);
      expect(said!.l1Tx).to.equal(l1Tx);
      expect(said!.reason).to.match(/does not hash/);
      for (const b of v.batches()) if (b.index < row.index && b.status !== "rolled back") expect(b.verdict).to.equal("valid");
      // L1 moves on: the verifier follows (a later batch is seen, not yet checked: it waits for the skipped one).
      const later = await honestL2Batch();
      await v.syncToHead();
      expect(v.cursorBlock).to.be.at.least(d.node.verifier!.batches().find((b) => b.headerHash === later)!.l1Block);
      expect(v.batches().find((b) => b.headerHash === later)?.verdict).to.equal("unchecked");
      // The endpoint heals: the skipped batch is read again and everything is checked.
      corrupt = false;
      await v.syncToHead();
      expect(v.verdictOf(target)?.status).to.equal("valid");
      expect(v.verdictOf(later)?.status).to.equal("valid");
      expect(v.batches().find((b) => b.headerHash === target)!.unreadable).to.equal(undefined);
      expect(lines.some((l) => String(l.msg).includes("batch data read after all"))).to.equal(true);
    } finally {
      await v.close();
      client.close();
    }
  });
});
