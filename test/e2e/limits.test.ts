/**
 * The coordinator against the limits L1 enforces (docs/protocol.md §5.5, §7.5), on a devnet: it
 * never builds a batch over the gas or size limit (more transactions than fit wait for the next
 * batch), every header carries the base fee L1 requires (which rises after batches over the gas
 * target), the RPC reports that base fee, and the filler refuses a transaction no batch can carry.
 */
import { expect } from "chai";
import hre from "hardhat";
import { ethers, JsonRpcProvider, Wallet, Contract } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { abiOf } from "../../node/l1/contracts";
import { BATCH_GAS_LIMIT, GAS_TARGET, nextBaseFee } from "../../core/gas";
import { MAX_TX_BYTES } from "../../core/batch";
import { cleanupTmp, freePort, rpc, tmpDir } from "./helpers";

describe("e2e: the coordinator within L1's limits", function () {
  this.timeout(240_000);

  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;
  let inbox: Contract;
  const w = (i: number) => new Wallet(d.accounts[i].privateKey, l2);

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    // A long batch interval, so that everything sent at once is in the mempool when a batch is built.
    d = await startDevnet({ hre, datadir: tmpDir(), l1Port, rpcPort, accounts: 6, challengeWindow: 30n, batchIntervalMs: 2000, verifierWorkers: 0 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    inbox = new Contract(d.deployment.inbox, abiOf("Inbox"), l1);
  });

  after(async () => {
    l2?.destroy();
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  /** L1's record of every live batch: declared gas and base fee. */
  async function l1Batches(): Promise<{ gas: bigint; baseFee: bigint }[]> {
    const n = Number(await inbox.getFunction("batchCount").staticCall());
    const out: { gas: bigint; baseFee: bigint }[] = [];
    for (let i = 0; i < n; i++) {
      const [gas, baseFee] = await inbox.getFunction("batchGas").staticCall(i);
      out.push({ gas: BigInt(gas), baseFee: BigInt(baseFee) });
    }
    return out;
  }

  it("transactions declaring more gas than one batch holds are split over batches, each within the limit; the base fee follows the rule", async () => {
    const min = d.deployment.minBaseFee;
    expect(BigInt((await rpc(d.rpcUrl, "eth_gasPrice")).result as string)).to.equal(min + 100_000_000n);
    // four transfers declaring 12M gas each: 48M, more than one batch's 30M
    const sent = await Promise.all([1, 2, 3, 4].map((i) => w(i).sendTransaction({ to: d.accounts[0].address, value: 1n, gasLimit: 12_000_000n })));
    const receipts = await Promise.all(sent.map((t) => t.wait()));
    expect(receipts.every((r) => r!.status === 1)).to.equal(true);
    const blocks = new Set(receipts.map((r) => r!.blockNumber));
    expect(blocks.size, "at least two batches").to.be.greaterThanOrEqual(2);
    const batches = await l1Batches();
    for (const [i, b] of batches.entries()) expect(b.gas, `batch ${i}`).to.be.at.most(BATCH_GAS_LIMIT);
    // every base fee is the rule applied to the parent (L1 checked it; the RPC shows it)
    expect(batches[0].baseFee).to.equal(min);
    for (let i = 1; i < batches.length; i++) expect(batches[i].baseFee, `batch ${i}`).to.equal(nextBaseFee(batches[i - 1].baseFee, batches[i - 1].gas, min));
    for (let i = 0; i < batches.length; i++) expect((await l2.getBlock(i + 1))!.baseFeePerGas, `block ${i + 1}`).to.equal(batches[i].baseFee);
    // batches over the target raised it
    expect(batches.some((b) => b.gas > GAS_TARGET)).to.equal(true);
    const next = nextBaseFee(batches[batches.length - 1].baseFee, batches[batches.length - 1].gas, min);
    expect(next).to.be.greaterThan(min);
    expect(await inbox.getFunction("nextBaseFee").staticCall()).to.equal(next);
    // the RPC reports the next batch's base fee: gas price and the fee history's last entry
    expect(BigInt((await rpc(d.rpcUrl, "eth_gasPrice")).result as string)).to.equal(next + 100_000_000n);
    const hist = (await rpc(d.rpcUrl, "eth_feeHistory", ["0x2", "latest", []])).result as { baseFeePerGas: string[] };
    expect(BigInt(hist.baseFeePerGas[hist.baseFeePerGas.length - 1])).to.equal(next);
    // and the next transaction lands in a batch with exactly that base fee
    const r = await (await w(5).sendTransaction({ to: d.accounts[0].address, value: 1n })).wait();
    expect((await l2.getBlock(r!.blockNumber))!.baseFeePerGas).to.equal(next);
  });

  it("transactions whose bytes do not fit one batch together are split over batches", async () => {
    const before = Number(await inbox.getFunction("batchCount").staticCall());
    // two transactions of ~60 KB each: more than one batch's bytes (the devnet's coordinator posts at most 96 KiB).
    // Random bytes: the devnet posts items compressed where shorter (protocol.md §7.7), and these stay raw.
    const data = [ethers.hexlify(ethers.randomBytes(60_000)), ethers.hexlify(ethers.randomBytes(60_000))];
    const sent = await Promise.all([1, 2].map((i) => w(i).sendTransaction({ to: d.accounts[0].address, data: data[i - 1], gasLimit: 2_000_000n })));
    const receipts = await Promise.all(sent.map((t) => t.wait()));
    expect(receipts[0]!.blockNumber).to.not.equal(receipts[1]!.blockNumber);
    expect(Number(await inbox.getFunction("batchCount").staticCall())).to.be.at.least(before + 2);
  });

  it("the filler refuses a transaction no batch can carry (over MAX_TX_BYTES once filled)", async () => {
    const data = "0x" + "ab".repeat(MAX_TX_BYTES);
    const signed = await w(3).signTransaction({ to: d.accounts[0].address, data, gasLimit: 2_000_000n, nonce: await l2.getTransactionCount(d.accounts[3].address), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 901n, type: 2 });
    const res = await rpc(d.rpcUrl, "eth_sendRawTransaction", [signed]);
    expect(res.error?.message).to.match(/over-limit/);
    expect(res.error?.message).to.contain(String(MAX_TX_BYTES));
    // nothing was posted that L1 would refuse, and the chain goes on
    const r = await (await w(4).sendTransaction({ to: d.accounts[0].address, value: 2n })).wait();
    expect(r!.status).to.equal(1);
    void ethers;
  });
});
