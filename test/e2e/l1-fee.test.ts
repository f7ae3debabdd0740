/**
 * End to end (issue 15 item 3, protocol.md §6.6): on the devnet a user pays the L1 data fee. Its
 * balance drops by exactly value + gas + L1 fee; the receipt shows the fee and its inputs as an OP
 * Stack node does (l1Fee, l1GasUsed, l1GasPrice, l1BlobBaseFee, the scalars), the inputs are its batch
 * header's L1 prices (at most the L1 block's that appended it), the fee output gets it, and
 * moveset_estimateL1Fee predicted it. The verifier finds the batch valid.
 */
import { expect } from "chai";
import hre from "hardhat";
import { JsonRpcProvider, Wallet } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { l1FeeOfTokens, L1_BASE_FEE_SCALAR } from "../../core/l1fee";
import { cleanupTmp, freePort, receiptOf, rpc, tmpDir, waitFor } from "./helpers";

describe("e2e: users pay the L1 data fee", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;

  before(async () => {
    // 10 ETH per account, not the devnet's 1000: the L1 accounts are shared with the other e2e tests of this process
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-l1fee-"), l1Port, rpcPort, accounts: 4, batchIntervalMs: 150, fund: 10n * 10n ** 18n });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  });

  after(async () => {
    l2?.destroy();
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("a transfer costs value + gas + the L1 fee exactly; the receipt shows it and its inputs; the estimate predicted it", async () => {
    const u = new Wallet(d.accounts[2].privateKey, l2);
    const to = d.accounts[3].address;
    // the devnet funds its accounts by deposits: wait for them
    await waitFor("the account's deposit", async () => (await l2.getBalance(u.address)) > 0n, 60_000, 200);
    const est = (await rpc(d.rpcUrl, "moveset_estimateL1Fee", [{ from: u.address, to, value: "0x1", gas: "0x5208" }])) as { result?: Record<string, string>; error?: unknown };
    expect(est.error, JSON.stringify(est.error)).to.equal(undefined);
    const before = await l2.getBalance(u.address);
    const tip = 1_000_000_000n;
    const sent = await u.sendTransaction({ to, value: 1n, gasLimit: 21_000n, maxPriorityFeePerGas: tip, maxFeePerGas: 50_000_000_000n });
    const rec = await receiptOf(l2, sent.hash, 60_000);
    expect(rec.status).to.equal(1);
    const raw = (await rpc(d.rpcUrl, "eth_getTransactionReceipt", [sent.hash])).result as Record<string, string> & { moveset: { feeOutput: string } };
    const l1Fee = BigInt(raw.l1Fee);
    expect(l1Fee > 0n, "the L1 fee is charged").to.equal(true);
    // the balance drops by value + gasLimit × gasPrice (gasLimit = gasUsed here) + the L1 fee, nothing else
    expect(rec.gasUsed).to.equal(21_000n);
    const after = await l2.getBalance(u.address, rec.blockNumber);
    expect(before - after).to.equal(1n + 21_000n * rec.gasPrice + l1Fee);
    // the fee output: the priority fee on the gas used plus the L1 fee
    const block = (await rpc(d.rpcUrl, "eth_getBlockByNumber", [`0x${rec.blockNumber.toString(16)}`, false])).result as { baseFeePerGas: string };
    expect(BigInt(raw.moveset.feeOutput)).to.equal(21_000n * (rec.gasPrice - BigInt(block.baseFeePerGas)) + l1Fee);
    // its inputs: the batch header's L1 prices, the scalars, and the formula
    const batch = (await rpc(d.rpcUrl, "moveset_getBatch", [`0x${(rec.blockNumber - 1).toString(16)}`])).result as { header: Record<string, string>; l1: { blockNumber: number } };
    expect(BigInt(raw.l1GasPrice)).to.equal(BigInt(batch.header.l1BaseFee));
    expect(BigInt(raw.l1BlobBaseFee)).to.equal(BigInt(batch.header.l1BlobBaseFee));
    expect(BigInt(raw.l1BaseFeeScalar)).to.equal(L1_BASE_FEE_SCALAR);
    expect(BigInt(raw.l1GasPrice) > 0n).to.equal(true);
    const l1Block = await l1.getBlock(batch.l1.blockNumber);
    expect(BigInt(raw.l1GasPrice) <= l1Block!.baseFeePerGas!, "at most the appending L1 block's base fee").to.equal(true);
    const l1GasUsed = BigInt(raw.l1GasUsed);
    expect(l1FeeOfTokens(l1GasUsed / 4n, { l1BaseFee: BigInt(raw.l1GasPrice), l1BlobBaseFee: BigInt(raw.l1BlobBaseFee) }).l1Fee).to.equal(l1Fee);
    // the estimate: the same size within a few bytes (its signature and versions are stand-ins)
    const e = est.result!;
    const diff = BigInt(e.l1GasUsed) - l1GasUsed;
    expect(diff < 0n ? -diff : diff, `estimate ${e.l1GasUsed} against ${l1GasUsed}`).to.be.lessThanOrEqual(l1GasUsed / 50n);
    expect(BigInt(e.l1Fee) > 0n).to.equal(true);
    // the verifier agrees: the batch is valid
    const status = (await rpc(d.rpcUrl, "moveset_status", [])).result as Record<string, unknown>;
    expect(JSON.stringify(status)).to.not.match(/invalid/i);
  });

  it("moveset_estimateL1Fee refuses a request without `from`", async () => {
    const r = await rpc(d.rpcUrl, "moveset_estimateL1Fee", [{ to: d.accounts[3].address, value: "0x1" }]);
    expect(JSON.stringify(r.error)).to.match(/from is required/);
  });
});
