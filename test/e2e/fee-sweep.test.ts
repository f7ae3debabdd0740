/**
 * End to end (issue 10, finding 8): the coordinator's revenue is no longer locked. Transactions
 * pay priority fees into fee outputs of the fee recipient (the coordinator, dev account #0);
 * `moveset sweep` turns them into its L2 balance (a zero-value transaction to itself, to which the
 * node adds the sweeps) and, with --withdraw, sends that balance to the withdrawal vault; once the
 * batch is final the coordinator claims it on L1 like anyone. The verifier finds every batch valid.
 */
import { expect } from "chai";
import hre from "hardhat";
import { JsonRpcProvider, Wallet } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { bridgeAt, headerFromJson, headerToSol } from "../../node/l1/contracts";
import { sweepFees } from "../../node/sweep";
import { cleanupTmp, freePort, rpc, runCli, tmpDir, waitFor } from "./helpers";

const WINDOW = 30n;

type FeeOutputs = { outputs: { seq: string; value: string }[]; total: string };

describe("e2e: the fee recipient sweeps its fee outputs and withdraws them", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;
  let coordinator: string;

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-sweep-"), l1Port, rpcPort, accounts: 5, challengeWindow: WINDOW, batchIntervalMs: 150 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    coordinator = d.accounts[0].address.toLowerCase();
    // Users pay priority fees: each transaction leaves a fee output of the coordinator.
    const u = new Wallet(d.accounts[3].privateKey, l2);
    for (let i = 0; i < 3; i++) await (await u.sendTransaction({ to: d.accounts[4].address, value: 1n, maxPriorityFeePerGas: 2_000_000_000n, maxFeePerGas: 5_000_000_000n })).wait();
  });

  after(async () => {
    l2?.destroy();
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("a sweep turns the fee outputs into balance; the swept outputs are spent, by the sweep", async () => {
    const before = (await rpc(d.rpcUrl, "moveset_getFeeOutputs", [coordinator])).result as FeeOutputs;
    expect(before.outputs.length).to.be.at.least(3);
    const total = BigInt(before.total);
    expect(total).to.be.at.least(3n * 21000n * 2_000_000_000n);
    const balBefore = await l2.getBalance(coordinator);

    const r = await sweepFees({ rpcUrl: d.rpcUrl, key: d.accounts[0].privateKey });
    expect(r.swept).to.equal(before.outputs.length);
    expect(r.sweptValue).to.equal(total);
    const rec = (await l2.getTransactionReceipt(r.sweepTx!))!;
    // the sweep pays its gas and its L1 data fee (protocol.md §6.6) from the swept value
    const l1Fee = BigInt(((await rpc(d.rpcUrl, "eth_getTransactionReceipt", [r.sweepTx])).result as { l1Fee: string }).l1Fee);
    expect(l1Fee > 0n).to.equal(true);
    expect(r.balance - balBefore).to.equal(total - rec.gasUsed * rec.gasPrice - l1Fee);
    // The swept outputs are gone (the sweep's own tip may have made a new one).
    const after = (await rpc(d.rpcUrl, "moveset_getFeeOutputs", [coordinator])).result as FeeOutputs;
    for (const o of before.outputs) expect(after.outputs.map((x) => x.seq)).to.not.include(o.seq);
    // Each swept output is spent on L2, by the sweep transaction.
    const moves = (await rpc(d.rpcUrl, "moveset_getMoves", [r.sweepTx])).result as { seq: string };
    const o = (await rpc(d.rpcUrl, "moveset_getOutpoint", [before.outputs[0].seq, "f", coordinator, before.outputs[0].seq])).result as { state: string; spentBy: string };
    expect(o).to.deep.include({ state: "spent", spentBy: moves.seq });
  });

  it("`moveset sweep --withdraw`: the balance goes to the withdrawal vault and is claimed on L1 once final", async () => {
    const u = new Wallet(d.accounts[3].privateKey, l2);
    await (await u.sendTransaction({ to: d.accounts[4].address, value: 1n, maxPriorityFeePerGas: 2_000_000_000n, maxFeePerGas: 5_000_000_000n })).wait();
    const cli = await runCli(["sweep", "--rpc", d.rpcUrl, "--key", "FR_KEY", "--withdraw", "--json"], { FR_KEY: d.accounts[0].privateKey });
    expect(cli.code, cli.stderr).to.equal(0);
    const r = JSON.parse(cli.stdout.trim().split("\n").pop()!) as { swept: number; withdrawTx: string; withdrawn: string; balance: string };
    expect(r.swept).to.be.at.least(1);
    expect(BigInt(r.withdrawn)).to.be.greaterThan(0n);
    await hre.network.provider.request({ method: "evm_increaseTime", params: [Number(WINDOW) + 1] });
    await hre.network.provider.request({ method: "evm_mine", params: [] });
    const proof = await waitFor("a final withdrawal", async () => {
      const p = (await rpc(d.rpcUrl, "moveset_getWithdrawalProof", [r.withdrawTx])).result as { status: string; header: Record<string, string>; txIndex: string; gas: string; tx: string; proof: string[]; recipient: string; amount: string };
      return p.status === "final" ? p : undefined;
    }, 60_000, 250);
    expect(proof.recipient).to.equal(coordinator);
    expect(BigInt(proof.amount)).to.equal(BigInt(r.withdrawn));
    const bridge = bridgeAt(d.deployment.bridge, new Wallet(d.accounts[2].privateKey, l1));
    const l1Before = await l1.getBalance(coordinator);
    await (await bridge.claimWithdrawal(headerToSol(headerFromJson(proof.header)), BigInt(proof.txIndex), BigInt(proof.gas), proof.tx, proof.proof)).wait();
    expect((await l1.getBalance(coordinator)) - l1Before).to.equal(BigInt(r.withdrawn));
    // The verifier agreed with every batch, sweeps included.
    const n = Number(await l2.getBlockNumber());
    await waitFor("verdicts", async () => d.node.verifier!.batches().filter((b) => b.verdict === "valid").length >= n);
    expect(d.node.verifier!.batches().every((b) => b.verdict === "valid")).to.equal(true);
  });
});
