/**
 * End to end against an in-process L1 (this test's Hardhat network, served on JSON-RPC): the devnet
 * (contracts deployed with the Ignition module, coordinator bonded, dev accounts funded by L1
 * deposits, coordinator + verifier + L2 RPC), then what a user does with ethers v6, deposits,
 * withdrawals, move transactions, JSON-RPC errors, another poster winning the race for the tip, an
 * L1 reorg (also of the batch that carried a contract's code, which then travels again), and an
 * invalid batch posted with `moveset post-batch --unsafe`. Code travels once (protocol.md §6.2): the
 * deployment carries it, calls carry none.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import { ethers, JsonRpcProvider, Wallet, Contract, ContractFactory } from "ethers";
import { entryOf } from "../helpers/l2sim";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import type { BuildStats } from "../../node/coordinator/coordinator";
import type { Validator } from "../../node/validation/check";
import { InvalidTxError } from "../../core/errors";
import { abiOf } from "../../node/l1/contracts";
import { headerToJson, headerToSol } from "../../node/l1/contracts";
import { txContext } from "../../node/validation/check";
import { fillFromStore, LatestCache } from "../../node/state/view";
import {
  Executor, TxType, Mark, MaskBit, encodeTx, decodeTx, signMoveTx, hexToBytes, bytesToHex, sortMoves,
  encodeBatchData, txRootOf, batchDataHash, headerHash, priceStep, type BatchHeader, type MoveTx, type WrappedTx, type Move,
} from "../../core";
import { buildProof, commitmentOf } from "../../prover/build";
import type { TxFault } from "../../prover/fault";
import { ROOT, cleanupTmp, freePort, rawRpc, receiptOf, rpc, runCli, tmpDir, waitFor } from "./helpers";

const VAULT = "0x7700000000000000000000000000000000000000";
const WINDOW = 30n;

/** Moves L1's clock past the challenge window (and mines a block at the new time). */
async function passWindow(): Promise<void> {
  await hre.network.provider.request({ method: "evm_increaseTime", params: [Number(WINDOW) + 1] });
  await hre.network.provider.request({ method: "evm_mine", params: [] });
}

describe("e2e: devnet", function () {
  this.timeout(240_000);

  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;
  let datadir: string;
  const w = (i: number) => new Wallet(d.accounts[i].privateKey, l2);
  const w1 = (i: number) => new Wallet(d.accounts[i].privateKey, l1);
  let transferHash = "";
  let swapHash = "";
  /** Code hashes of a transaction's witness, as posted. */
  const witnessOf = async (hash: string) => ((await rpc(d.rpcUrl, "moveset_getMoves", [hash])).result as { witness: string[] }).witness;

  before(async () => {
    datadir = tmpDir();
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir, l1Port, rpcPort, accounts: 8, challengeWindow: WINDOW, batchIntervalMs: 150, verifierWorkers: 0 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  });

  after(async () => {
    l2?.destroy();
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("starts funded: chain ids, the deposits batch first, every dev account has its L2 funds", async () => {
    expect((await l2.getNetwork()).chainId).to.equal(901n);
    expect((await l1.getNetwork()).chainId).to.equal(31337n);
    for (const a of d.accounts) expect(await l2.getBalance(a.address)).to.equal(ethers.parseEther("1000"));
    const b1 = await l2.getBlock(1, true);
    expect(b1!.prefetchedTransactions.length).to.equal(8);
    expect(b1!.prefetchedTransactions.every((t) => t.type === 0x7e)).to.equal(true);
    // Deposits are shown as sent by the Bridge, the depositor rides along.
    expect(b1!.prefetchedTransactions[0].from.toLowerCase()).to.equal(d.deployment.bridge.toLowerCase());
    expect(b1!.parentHash).to.equal(ethers.ZeroHash);
    expect((await l2.getBlock(0))!.hash).to.equal(ethers.ZeroHash);
  });

  it("ethers v6: sends ETH, deploys Counter, calls it, reads storage and logs; tx.wait() resolves", async () => {
    const alice = w(1);
    const to = ethers.Wallet.createRandom().address;
    const tx = await alice.sendTransaction({ to, value: ethers.parseEther("1.5") });
    const r = await tx.wait();
    expect(r!.status).to.equal(1);
    transferHash = r!.hash;
    expect(await l2.getBalance(to)).to.equal(ethers.parseEther("1.5"));
    expect(await l2.getTransactionCount(alice.address)).to.equal(1);
    const got = await l2.getTransaction(r!.hash);
    expect(got!.blockNumber).to.equal(r!.blockNumber);
    expect(got!.from).to.equal(alice.address);

    const art = JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/Counter.sol/Counter.json"), "utf8"));
    const counter = (await new ContractFactory(art.abi, art.bytecode, alice).deploy()) as Contract;
    await counter.waitForDeployment();
    const addr = await counter.getAddress();
    expect(await l2.getCode(addr)).to.equal(art.deployedBytecode);
    const bump = await counter.getFunction("bump")(7n, { value: 5n });
    const br = await bump.wait();
    expect(br.status).to.equal(1);
    const ev = counter.interface.parseLog(br.logs[0])!;
    expect(ev.name).to.equal("Bumped");
    expect(ev.args.by).to.equal(alice.address);
    expect(ev.args.count).to.equal(7n);
    expect(await counter.getFunction("count")()).to.equal(7n);
    expect(await counter.getFunction("paid")(alice.address)).to.equal(5n);
    expect(BigInt(await l2.getStorage(addr, 0))).to.equal(7n);
    expect(await l2.getBalance(addr)).to.equal(5n);
    // The deployment carries the code it creates; the call after it carries none.
    expect(await witnessOf(counter.deploymentTransaction()!.hash)).to.deep.equal([ethers.keccak256(art.deployedBytecode)]);
    expect(await witnessOf(br.hash)).to.deep.equal([]);
    const logs = await l2.getLogs({ address: addr, fromBlock: 0, topics: [counter.interface.getEvent("Bumped")!.topicHash, ethers.zeroPadValue(alice.address, 32)] });
    expect(logs.length).to.equal(1);
    expect(logs[0].transactionHash).to.equal(br.hash);
    expect(await l2.getLogs({ address: addr, fromBlock: 0, topics: [ethers.id("Nope()")] })).to.deep.equal([]);
    // A revert surfaces as a CALL_EXCEPTION with the custom error.
    try {
      await counter.getFunction("bump").staticCall(5000n);
      expect.fail("should revert");
    } catch (e) {
      const err = e as { code: string; revert?: { name: string } };
      expect(err.code).to.equal("CALL_EXCEPTION");
      expect(err.revert?.name).to.equal("TooLarge");
    }
    // A reverting transaction is included with status 0 (gas limit given: estimation would refuse it).
    const bad = await counter.getFunction("bump")(5000n, { gasLimit: 100_000n });
    const badR = await receiptOf(l2, bad.hash);
    expect(badR.status).to.equal(0);
    const block = await l2.getBlock(br.blockNumber, true);
    expect(block!.hash).to.equal(br.blockHash);
    expect(block!.prefetchedTransactions.map((t) => t.hash)).to.include(br.hash);
  });

  it("contracts calling contracts: two tokens and an AMM pool (approve, add liquidity, swap from another account)", async () => {
    const art = (n: string) => JSON.parse(fs.readFileSync(path.join(ROOT, `artifacts/contracts/test/${n}.sol/${n}.json`), "utf8"));
    const [tok, pool] = [art("Token"), art("Pool")];
    const lp = w(3);
    const trader = w(4);
    const deployTok = async (sym: string) => {
      const c = (await new ContractFactory(tok.abi, tok.bytecode, lp).deploy(sym, sym, ethers.parseEther("1000000"))) as Contract;
      await c.waitForDeployment();
      return c;
    };
    const t0 = await deployTok("AAA");
    const t1 = await deployTok("BBB");
    const p = (await new ContractFactory(pool.abi, pool.bytecode, lp).deploy(await t0.getAddress(), await t1.getAddress())) as Contract;
    await p.waitForDeployment();
    const pa = await p.getAddress();
    await (await t0.getFunction("approve")(pa, ethers.MaxUint256)).wait();
    await (await t1.getFunction("approve")(pa, ethers.MaxUint256)).wait();
    expect((await (await p.getFunction("addLiquidity")(ethers.parseEther("1000"), ethers.parseEther("2000"))).wait()).status).to.equal(1);
    await (await t0.getFunction("transfer")(trader.address, ethers.parseEther("10"))).wait();
    const t0t = t0.connect(trader) as Contract;
    await (await t0t.getFunction("approve")(pa, ethers.MaxUint256)).wait();
    const pt = p.connect(trader) as Contract;
    const quoted = await pt.getFunction("quote")(await t0.getAddress(), ethers.parseEther("10"));
    const r = await (await pt.getFunction("swap")(await t0.getAddress(), ethers.parseEther("10"), 0n, trader.address)).wait();
    expect(r.status).to.equal(1);
    swapHash = r.hash;
    expect(await witnessOf(r.hash), "the swap runs the pool and both tokens, all carried by their deployments").to.deep.equal([]);
    expect(await t1.getFunction("balanceOf")(trader.address)).to.equal(quoted);
    expect(await t0.getFunction("balanceOf")(pa)).to.equal(ethers.parseEther("1010"));
  });

  it("moveset trace: the swap runs through the step machine to ok (its code from earlier witnesses); the state at a step, its hash, its proof size", async () => {
    const loc = (await rpc(d.rpcUrl, "moveset_getMoves", [swapHash])).result as { blockNumber: string; transactionIndex: string };
    const batch = String(Number(loc.blockNumber) - 1);
    const tx = String(Number(loc.transactionIndex));
    const run = await runCli(["trace", "--batch", batch, "--tx", tx, "--json", "--rpc", d.rpcUrl], {});
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout.trim().split("\n").pop()!) as { steps: number; status: string };
    expect(out.status).to.equal("ok");
    expect(out.steps).to.be.greaterThan(1000);
    const at = await runCli(["trace", "--batch", batch, "--tx", tx, "--step", String(out.steps - 3), "--json", "--rpc", d.rpcUrl], {});
    const st = (JSON.parse(at.stdout.trim().split("\n").pop()!) as { state: { hash: string; status: string; proofBytes: number } }).state;
    expect(st.status).to.equal("running");
    expect(st.hash.slice(0, 4)).to.equal("0x00");
    expect(st.proofBytes).to.be.greaterThan(7 * 32);
    const end = await runCli(["trace", "--batch", batch, "--tx", tx, "--step", String(out.steps + 10), "--json", "--rpc", d.rpcUrl], {});
    expect((JSON.parse(end.stdout.trim().split("\n").pop()!) as { state: { hash: string } }).state.hash.slice(0, 4), "the padding: terminal ok").to.equal("0x01");
    const none = await runCli(["trace", "--batch", batch, "--tx", "999", "--rpc", d.rpcUrl], {});
    expect(none.code).to.equal(1);
    expect(none.stderr).to.match(/has no transaction 999/);
  });

  it("eth_call, eth_estimateGas, fee data, fee history, pending nonces", async () => {
    const bob = w(2);
    const fee = await l2.getFeeData();
    expect(fee.gasPrice).to.equal(1_100_000_000n);
    expect(fee.maxPriorityFeePerGas).to.equal(100_000_000n);
    expect(await l2.estimateGas({ from: bob.address, to: bob.address, value: 1n })).to.equal(21000n);
    // Two transactions back to back: the second takes its nonce from the pending state.
    const t1 = await bob.sendTransaction({ to: d.accounts[3].address, value: 1n });
    const t2 = await bob.sendTransaction({ to: d.accounts[3].address, value: 2n });
    expect(t2.nonce).to.equal(t1.nonce + 1);
    const [r1, r2] = await Promise.all([t1.wait(), t2.wait()]);
    expect(r1!.status).to.equal(1);
    expect(r2!.status).to.equal(1);
    const hist = await l2.send("eth_feeHistory", ["0x3", "latest", [50]]);
    expect(hist.baseFeePerGas.length).to.equal(4);
    expect(hist.reward.length).to.equal(3);
    // Legacy (EIP-155) and EIP-2930 transactions work too.
    const legacy = await bob.sendTransaction({ to: d.accounts[3].address, value: 3n, type: 0, gasPrice: fee.gasPrice! });
    expect((await legacy.wait())!.status).to.equal(1);
    const al = await bob.sendTransaction({ to: d.accounts[3].address, value: 4n, type: 1, gasPrice: fee.gasPrice!, accessList: [] });
    expect((await al.wait())!.status).to.equal(1);
  });

  it("JSON-RPC errors: parse, invalid request, unknown method, invalid params, batches, a refused transaction with its typed reason", async () => {
    const url = d.rpcUrl;
    expect(((await rawRpc(url, "{not json")).json as { error: { code: number } }).error.code).to.equal(-32700);
    expect(((await rawRpc(url, { jsonrpc: "1.0", id: 1, method: "eth_chainId" })).json as { error: { code: number } }).error.code).to.equal(-32600);
    expect(((await rawRpc(url, [])).json as { error: { code: number } }).error.code).to.equal(-32600);
    expect((await rpc(url, "eth_nope")).error!.code).to.equal(-32601);
    expect((await rpc(url, "eth_getBalance", ["0x12"])).error!.code).to.equal(-32602);
    const batch = (await rawRpc(url, [
      { jsonrpc: "2.0", id: 1, method: "eth_chainId" },
      { jsonrpc: "2.0", method: "eth_chainId" },
      { jsonrpc: "2.0", id: "b", method: "eth_blockNumber" },
      5,
    ])).json as { id: unknown; result?: string; error?: { code: number } }[];
    expect(batch.length).to.equal(3);
    expect(batch[0].result).to.equal("0x385");
    expect(batch[1].id).to.equal("b");
    expect(batch[2].error!.code).to.equal(-32600);
    // Refused: wrong nonce, no funds. -32000 with the core's typed reason.
    const poor = ethers.Wallet.createRandom().connect(l2);
    const raw = await poor.signTransaction({ to: poor.address, value: 1n, nonce: 0, gasLimit: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, chainId: 901n, type: 2 });
    const r = await rpc(url, "eth_sendRawTransaction", [raw]);
    expect(r.error!.code).to.equal(-32000);
    expect(r.error!.message).to.match(/^insufficient funds/);
    expect(r.error!.data).to.deep.include({ kind: "rules", reason: "insufficient-balance" });
    const alice = w(1);
    const stale = await alice.signTransaction({ to: alice.address, value: 1n, nonce: 0, gasLimit: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, chainId: 901n, type: 2 });
    const r2 = await rpc(url, "eth_sendRawTransaction", [stale]);
    expect(r2.error!.message).to.match(/^nonce too low/);
    // ethers maps them to its own error codes.
    try {
      await poor.sendTransaction({ to: poor.address, value: 1n, gasLimit: 21000n });
      expect.fail("should be refused");
    } catch (e) {
      expect((e as { code: string }).code).to.equal("INSUFFICIENT_FUNDS");
    }
    // State at any block (the version index, test/e2e/dev-tools.test.ts); a block beyond the chain is refused.
    const n = await l2.getBlockNumber();
    expect((await rpc(url, "eth_getBalance", [alice.address, "0x1"])).result).to.equal(ethers.toQuantity(ethers.parseEther("1000")));
    expect((await rpc(url, "eth_getBalance", [alice.address, "0x" + n.toString(16)])).result).to.be.a("string");
    expect((await rpc(url, "eth_getBalance", [alice.address, "0x" + (n + 100).toString(16)])).error).to.deep.include({ code: -32000, message: "header not found" });
  });

  it("move transactions: moveset_sendMoveTransaction with a signed move; moveset_getMoves and moveset_getOutpoint", async () => {
    const carol = d.accounts[3];
    const dest = hexToBytes(ethers.Wallet.createRandom().address.toLowerCase() as `0x${string}`);
    // Carol signs that the recipient's balance is consumed (key and kind signed; values left to the coordinator).
    const signed: Move = { mask: MaskBit.Mark | MaskBit.Addr | MaskBit.Slot | MaskBit.Kind, ref: false, mark: Mark.Balance, intx: 0n, addr: dest, slot: 0n, prev: 0n, next: 0n };
    const tx: MoveTx = {
      type: TxType.Move,
      chainId: 901n,
      nonce: BigInt(await l2.getTransactionCount(carol.address, "pending")),
      maxPriorityFeePerGas: 100_000_000n,
      maxFeePerGas: 3_000_000_000n,
      gasLimit: 50_000n,
      to: dest,
      value: 12345n,
      data: new Uint8Array(0),
      moves: [signed],
      witness: [],
      sig: { yParity: 0, r: 0n, s: 0n },
    };
    signMoveTx(tx, hexToBytes(carol.privateKey as `0x${string}`));
    const id = (await rpc(d.rpcUrl, "moveset_sendMoveTransaction", [bytesToHex(encodeTx(tx))])).result as string;
    expect(id).to.match(/^0x[0-9a-f]{64}$/);
    const rec = await receiptOf(l2, id);
    expect(rec.status).to.equal(1);
    expect(await l2.getBalance(bytesToHex(dest))).to.equal(12345n);
    const mv = (await rpc(d.rpcUrl, "moveset_getMoves", [id])).result as { seq: string; moves: { mask: number; mark: string; addr: string; ref: boolean; next: string }[] };
    const m = mv.moves.find((x) => x.mark === "b" && x.addr === bytesToHex(dest))!;
    expect(m.mask).to.equal(signed.mask);
    expect(m.ref).to.equal(false);
    expect(BigInt(m.next)).to.equal(12345n);
    const op = (await rpc(d.rpcUrl, "moveset_getOutpoint", [mv.seq, "b", bytesToHex(dest)])).result as { state: string; value: string };
    expect(op).to.deep.include({ state: "unspent", value: "0x3039" });
    const gen = (await rpc(d.rpcUrl, "moveset_getOutpoint", ["0x0", "b", bytesToHex(dest)])).result as { state: string; spentBy: string };
    expect(gen).to.deep.include({ state: "spent", spentBy: mv.seq });
  });

  it("a deposit on L1 shows up on L2", async () => {
    const to = ethers.Wallet.createRandom().address;
    const bridge = new Contract(d.deployment.bridge, abiOf("Bridge"), w1(5));
    await (await bridge.getFunction("deposit")(to, { value: ethers.parseEther("2") })).wait();
    await waitFor("the deposit on L2", async () => (await l2.getBalance(to)) === ethers.parseEther("2"));
  });

  it("a withdrawal: ETH sent to the vault on L2 is claimed on L1 once the batch is final, once", async () => {
    const dave = w(4);
    const amount = ethers.parseEther("3");
    const r = await (await dave.sendTransaction({ to: VAULT, value: amount })).wait();
    expect(r!.status).to.equal(1);
    const early = (await rpc(d.rpcUrl, "moveset_getWithdrawalProof", [r!.hash])).result as { status: string; header: Record<string, string>; txIndex: string; gas: string; tx: string; proof: string[] };
    expect(early.status).to.equal("pending");
    const bridge0 = new Contract(d.deployment.bridge, abiOf("Bridge"), w1(6));
    try {
      await bridge0.getFunction("claimWithdrawal").staticCall(early.header, BigInt(early.txIndex), BigInt(early.gas), early.tx, early.proof);
      expect.fail("claimed before the window");
    } catch (e) {
      expect((e as { revert?: { name: string } }).revert?.name).to.equal("BatchNotFinal");
    }
    await passWindow();
    const proof = await waitFor("a final batch", async () => {
      const p = (await rpc(d.rpcUrl, "moveset_getWithdrawalProof", [r!.hash])).result as { status: string; header: Record<string, string>; txIndex: string; gas: string; tx: string; proof: string[]; recipient: string; amount: string };
      return p.status === "final" ? p : undefined;
    }, 30_000, 250);
    expect(proof.recipient).to.equal(dave.address.toLowerCase());
    expect(BigInt(proof.amount)).to.equal(amount);
    // The devnet binds the shipped dictionary (protocol.md §7.7): the claim carries the item as posted, compressed.
    expect(proof.tx.slice(0, 4), "a compressed item (0xF1)").to.equal("0xf1");
    // The vault holds nothing on L2: the value left as a withdrawal output.
    expect(await l2.getBalance(VAULT)).to.equal(0n);
    const bridge = new Contract(d.deployment.bridge, abiOf("Bridge"), w1(6));
    const before = await l1.getBalance(dave.address);
    await (await bridge.getFunction("claimWithdrawal")(proof.header, BigInt(proof.txIndex), BigInt(proof.gas), proof.tx, proof.proof)).wait();
    expect((await l1.getBalance(dave.address)) - before).to.equal(amount);
    try {
      await bridge.getFunction("claimWithdrawal").staticCall(proof.header, BigInt(proof.txIndex), BigInt(proof.gas), proof.tx, proof.proof);
      expect.fail("claimed twice");
    } catch (e) {
      expect((e as { revert?: { name: string } }).revert?.name).to.equal("AlreadyClaimed");
    }
  });

  /** The coordinator's "built" event of batch `index` (collected from now on). */
  function builds(): { of(index: bigint): BuildStats | undefined; stop(): void } {
    const seen: BuildStats[] = [];
    const on = (b: BuildStats) => seen.push(b);
    d.node.coordinator.on("built", on);
    return { of: (index) => seen.find((b) => b.index === index), stop: () => void d.node.coordinator.off("built", on) };
  }

  it("building reuses accepted fills, and fills again one the self-check refuses: a call storing TIMESTAMP, accepted before L1's clock moved on, lands with the batch's timestamp in a valid batch", async () => {
    const carol = w(3);
    // Runtime: SSTORE(0, TIMESTAMP), STOP (padded to 8 bytes, returned by the init code).
    const dep = await receiptOf(l2, (await carol.sendTransaction({ data: ethers.concat(["0x67", "0x425f550000000000", "0x5f5260086018f3"]) })).hash);
    const clock = dep!.contractAddress!;
    const b = builds();
    try {
      const sent = await carol.sendTransaction({ to: clock, data: "0x" });
      // Accepted (filled at L1's time as the coordinator last read it); the batch is built at least 150 ms
      // later, at L1's time then: 7 s on. The reused fill stored the earlier time; the self-check refuses it.
      await hre.network.provider.request({ method: "evm_increaseTime", params: [7] });
      const r = (await receiptOf(l2, sent.hash))!;
      expect(r.status).to.equal(1);
      const block = (await l2.getBlock(r.blockNumber))!;
      expect(BigInt(await l2.getStorage(clock, 0n))).to.equal(BigInt(block.timestamp));
      const st = b.of(BigInt(r.blockNumber) - 1n)!;
      expect(st.refilled, "the reused fill was refused by the self-check and filled again").to.be.greaterThanOrEqual(1);
      expect(st.rounds).to.be.greaterThanOrEqual(2);
      await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(block.hash!)?.status === "valid", 30_000);
    } finally {
      b.stop();
    }
  });

  it("building reuses accepted fills, and fills again one whose state changed: a deposit to the sender lands first in the same batch", async () => {
    const erin = w(5);
    const before = await l2.getBalance(erin.address);
    const b = builds();
    try {
      const bridge = new Contract(d.deployment.bridge, abiOf("Bridge"), w1(5));
      await (await bridge.getFunction("deposit")(erin.address, { value: 3n })).wait();
      // Filled against the pending state, which has no deposits: the batch puts the deposit first.
      const sent = await erin.sendTransaction({ to: ethers.Wallet.createRandom().address, value: 10n });
      const r = (await receiptOf(l2, sent.hash))!;
      expect(r.status).to.equal(1);
      const block = (await l2.getBlock(r.blockNumber, true))!;
      expect(block.prefetchedTransactions.map((t) => t.type), "the deposit and the transfer in one batch").to.deep.equal([0x7e, 2]);
      const st = b.of(BigInt(r.blockNumber) - 1n)!;
      expect(st.stale, "the accepted fill read erin's balance before the deposit").to.equal(1);
      const l1Fee = BigInt(((await l2.send("eth_getTransactionReceipt", [sent.hash])) as { l1Fee?: string }).l1Fee ?? 0);
      expect(await l2.getBalance(erin.address)).to.equal(before + 3n - 10n - r.gasUsed * r.gasPrice - l1Fee);
      await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(block.hash!)?.status === "valid", 30_000);
      // A later transfer of erin, alone in its batch, is reused as accepted.
      const again = (await receiptOf(l2, (await erin.sendTransaction({ to: ethers.Wallet.createRandom().address, value: 1n })).hash))!;
      const st2 = b.of(BigInt(again.blockNumber) - 1n)!;
      expect([st2.txs, st2.reused, st2.stale, st2.rounds]).to.deep.equal([1, 1, 0, 1]);
    } finally {
      b.stop();
    }
  });

  /** Sets L1's base fee (the next block's, then mines it). */
  async function setL1BaseFee(v: bigint): Promise<void> {
    await hre.network.provider.request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x" + v.toString(16)] });
    await hre.network.provider.request({ method: "evm_mine", params: [] });
  }

  /** L1's base fee such that 7/8 of it is 1.5 × 2^32, and the coordinator declaring 2^32 (protocol.md §11.2). */
  async function declareStep(): Promise<void> {
    const step = 2n ** 32n;
    const declaredNow = async () => BigInt(((await rpc(d.rpcUrl, "moveset_estimateL1Fee", [{ from: d.accounts[4].address, to: d.accounts[7].address, value: "0x1", gas: "0x5208" }])).result as { l1GasPrice: string }).l1GasPrice);
    await setL1BaseFee((12n * step) / 7n);
    await waitFor("the coordinator declares 2^32", async () => (await declaredNow()) === step);
  }

  /**
   * Sends `raws` back to back (each accepted, filled at the declared price, before the next is sent), then
   * lowers L1's price a step (the batch is built at least 150 ms after the first was accepted): one batch
   * takes them all, each succeeding. Their hashes, receipts and block.
   */
  async function sendRepriced(raws: string[]): Promise<{ hashes: string[]; rs: ethers.TransactionReceipt[]; block: number }> {
    const hashes: string[] = [];
    for (const raw of raws) hashes.push((await rpc(d.rpcUrl, "eth_sendRawTransaction", [raw])).result as string);
    await setL1BaseFee((6n * 2n ** 32n) / 7n);
    const rs: ethers.TransactionReceipt[] = [];
    for (const h of hashes) rs.push(await receiptOf(l2, h));
    expect(rs.map((r) => r.status)).to.deep.equal(raws.map(() => 1));
    expect(new Set(rs.map((r) => r.blockNumber)).size, "one batch took them all").to.equal(1);
    return { hashes, rs, block: rs[0].blockNumber };
  }

  it("accepted fills survive L1 price moves: reused as accepted within a step of the declared price, re-priced across a step; one that reads a balance a re-pricing moved is filled again; every batch valid", async () => {
    const dave = w(4);
    const step = 2n ** 32n;
    // Runtime: SSTORE(0, BALANCE(CALLER)), STOP (padded to 8 bytes, returned by the init code).
    const dep = await receiptOf(l2, (await dave.sendTransaction({ data: ethers.concat(["0x67", "0x33315f5500000000", "0x5f5260086018f3"]) })).hash);
    const reader = dep!.contractAddress!;
    const b = builds();
    try {
      for (const [moved, declared, to, want] of [
        [(12n * step) / 7n - (12n * step) / 70n, step, d.accounts[7].address, { reused: 1, repriced: 0, refilled: 0 }], // 10% lower: 7/8 of it is still above 2^32
        [(6n * step) / 7n, step / 2n, d.accounts[7].address, { reused: 1, repriced: 1, refilled: 0 }], // half: 7/8 of it is 0.75 × 2^32, a step lower
        [(6n * step) / 7n, step / 2n, reader, { reused: 1, repriced: 1, refilled: 0 }], // it stores its sender's balance, which the L1 fee (charged after execution, §6.6) does not change
      ] as const) {
        await declareStep();
        // Accepted (filled at 2^32); the batch is built at least 150 ms later, after L1's base fee moved.
        const sent = await dave.sendTransaction({ to, value: to === reader ? 0n : 5n, gasLimit: 100_000n });
        await setL1BaseFee(moved);
        const r = await receiptOf(l2, sent.hash);
        expect(r.status).to.equal(1);
        const raw = (await rpc(d.rpcUrl, "eth_getTransactionReceipt", [sent.hash])).result as { l1GasPrice: string };
        expect(BigInt(raw.l1GasPrice), "the batch declares the step of L1's price when it was built").to.equal(declared);
        const st = b.of(BigInt(r.blockNumber) - 1n)!;
        expect({ txs: st.txs, refilled: st.refilled, repriced: st.repriced, reused: st.reused }).to.deep.equal({ txs: 1, ...want });
        const block = (await l2.getBlock(r.blockNumber))!;
        await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(block.hash!)?.status === "valid", 30_000);
      }
      // A payment and then the balance reader, both accepted at 2^32: re-pricing the payment changes the
      // balance the reader's execution starts from, so its re-priced fill stores a wrong balance; the
      // self-check refuses it and it is filled again.
      await declareStep();
      const pay = await dave.sendTransaction({ to: d.accounts[7].address, value: 5n });
      const read = await dave.sendTransaction({ to: reader, value: 0n, gasLimit: 100_000n });
      await setL1BaseFee((6n * step) / 7n);
      await receiptOf(l2, pay.hash);
      const r = await receiptOf(l2, read.hash);
      expect(r.status).to.equal(1);
      expect(b.of(BigInt(r.blockNumber) - 1n)!.refilled, "the reader's re-priced fill was refused by the self-check and filled again").to.be.greaterThanOrEqual(1);
      const block = (await l2.getBlock(r.blockNumber))!;
      await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(block.hash!)?.status === "valid", 30_000);
    } finally {
      b.stop();
    }
  });

  it("a transfer to a recipient whose own transaction was re-priced is kept, its balance shifted; a call that reads that balance is refused by the self-check and filled again; the batch is valid", async () => {
    const carol = w(3);
    const dave = w(4);
    const step = 2n ** 32n;
    const c = carol.address.slice(2).toLowerCase();
    // Runtime: SSTORE(0, BALANCE(carol)), then CALL(GAS, carol, CALLVALUE, 0, 0, 0, 0), POP, STOP: 54 bytes, returned by the init code.
    const runtime = ethers.concat(["0x73" + c, "0x315f55", "0x5f5f5f5f34", "0x73" + c, "0x5af15000"]);
    expect(ethers.dataLength(runtime)).to.equal(0x36);
    const dep = await receiptOf(l2, (await dave.sendTransaction({ data: ethers.concat(["0x6036600a5f3960365ff3", runtime]) })).hash);
    const forwarder = dep!.contractAddress!;
    await declareStep();
    // Signed first, then sent back to back (each accepted, filled at 2^32, before the next is sent), so that
    // one batch takes all three: Carol's payment, Dave's transfer to Carol (its fill consumes the balance
    // Carol's payment wrote), Dave's call through the forwarder (it stores Carol's balance, then pays her).
    const n = await l2.getTransactionCount(dave.address);
    const raws = [
      await carol.signTransaction(await carol.populateTransaction({ to: d.accounts[7].address, value: 5n, gasLimit: 21_000n })),
      await dave.signTransaction(await dave.populateTransaction({ to: carol.address, value: 7n, gasLimit: 21_000n, nonce: n })),
      await dave.signTransaction(await dave.populateTransaction({ to: forwarder, value: 11n, gasLimit: 100_000n, nonce: n + 1 })),
    ];
    const b = builds();
    try {
      // Built with L1's price a step lower: every fill is re-priced, and Carol's payment re-priced moves the
      // balance the other two consumed.
      const { hashes, block } = await sendRepriced(raws);
      for (const h of hashes)
        expect(BigInt(((await rpc(d.rpcUrl, "eth_getTransactionReceipt", [h])).result as { l1GasPrice: string }).l1GasPrice), "declared a step lower").to.equal(step / 2n);
      const st = b.of(BigInt(block) - 1n)!;
      // The transfer: reused (re-priced, Carol's balance shifted), not stale. The call: its shifted fill stored
      // Carol's balance before the re-pricing; the self-check refused it and it was filled again.
      expect({ txs: st.txs, reused: st.reused, repriced: st.repriced, shifted: st.shifted, stale: st.stale, refilled: st.refilled, rounds: st.rounds }).to.deep.equal({ txs: 3, reused: 2, repriced: 2, shifted: 1, stale: 0, refilled: 1, rounds: 2 });
      // What the call stored is Carol's balance as the batch left it before the call paid her 11 wei.
      expect(BigInt(await l2.getStorage(forwarder, 0n, block)) + 11n).to.equal(await l2.getBalance(carol.address, block));
      const hash = (await l2.getBlock(block))!.hash!;
      await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(hash)?.status === "valid", 30_000);
    } finally {
      b.stop();
    }
  });

  it("a chain of calls, each paying on an amount read from the balance the one before paid (the first the balance a re-pricing moved), is built in at most two rounds: round 2 fills fresh what round 1 did not validate as it is; the batch is valid", async () => {
    const carol = w(3);
    const dave = w(4);
    // Runtime of the relay, called with (watched, next) and value v: a = BALANCE(watched) mod v; pays a to
    // next, then v - a to watched: CALLVALUE, PUSH0 CALLDATALOAD, BALANCE, MOD; CALL(GAS, next, a); CALL(GAS, watched, v - a).
    const runtime = ethers.concat(["0x345f353106", "0x5f5f5f5f84", "0x602035", "0x5af150", "0x5f5f5f5f84", "0x3403", "0x5f35", "0x5af15000"]);
    expect(ethers.dataLength(runtime)).to.equal(0x1d);
    const dep = await receiptOf(l2, (await dave.sendTransaction({ data: ethers.concat(["0x601d600a5f39601d5ff3", runtime]) })).hash);
    const relay = dep!.contractAddress!;
    const v = 2n ** 48n;
    const ws = [carol.address, ...[1, 2, 3].map(() => ethers.Wallet.createRandom().address)];
    await declareStep();
    // Carol's payment (re-priced when built: her balance moves), then three relays: the first reads Carol's
    // balance and pays w1 on it, the second reads w1's and pays w2, the third reads w2's and pays w3. Each
    // is accepted (filled at 2^32) before the next is sent, so that one batch takes all four.
    const n = await l2.getTransactionCount(dave.address);
    const raws = [await carol.signTransaction(await carol.populateTransaction({ to: d.accounts[7].address, value: 5n, gasLimit: 21_000n }))];
    for (let i = 0; i < 3; i++) {
      const data = ethers.AbiCoder.defaultAbiCoder().encode(["address", "address"], [ws[i], ws[i + 1]]);
      raws.push(await dave.signTransaction(await dave.populateTransaction({ to: relay, data, value: v, gasLimit: 150_000n, nonce: n + i })));
    }
    const carolBefore = await l2.getBalance(carol.address);
    const b = builds();
    try {
      // Built with L1's price a step lower: Carol's payment is re-priced, the first relay's fill is shifted
      // (it pays Carol) and refused by the self-check (it read her balance). Filled again, it pays w1 another
      // amount: the second relay's fill, shifted again, would be refused in turn, and so on (a round per
      // link) if round 2 reused it.
      const { hashes, rs, block } = await sendRepriced(raws);
      const st = b.of(BigInt(block) - 1n)!;
      expect(st.rounds, "at most two rounds (protocol.md §12.4)").to.be.at.most(2);
      expect({ txs: st.txs, reused: st.reused, repriced: st.repriced, stale: st.stale, refilled: st.refilled, rounds: st.rounds }).to.deep.equal({ txs: 4, reused: 1, repriced: 1, stale: 0, refilled: 3, rounds: 2 });
      // Each relay paid on the balance as the batch left it: the first on Carol's after her re-priced payment.
      const l1Fee = BigInt(((await rpc(d.rpcUrl, "eth_getTransactionReceipt", [hashes[0]])).result as { l1Fee: string }).l1Fee);
      const afterPayment = carolBefore - 5n - rs[0].gasUsed * rs[0].gasPrice - l1Fee;
      const got = await Promise.all(ws.map((a) => l2.getBalance(a, block)));
      expect(got).to.deep.equal([afterPayment + v - (afterPayment % v), v, v, afterPayment % v]);
      const hash = (await l2.getBlock(block))!.hash!;
      await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(hash)?.status === "valid", 30_000);
    } finally {
      b.stop();
    }
  });

  it("a transaction the self-check refuses even filled fresh (a filler and validator that disagree) ends round 2's batch: it is dropped, the batch before it posted, the one after it in the next batch; never a third round", async () => {
    const coord = d.node.coordinator as unknown as { d: { checker?: Validator } };
    const inner = coord.d.checker!;
    const [erin, dave, carol] = [w(5), w(4), w(3)];
    const raws = [
      await erin.signTransaction(await erin.populateTransaction({ to: d.accounts[7].address, value: 1n, gasLimit: 21_000n })),
      await dave.signTransaction(await dave.populateTransaction({ to: d.accounts[7].address, value: 2n, gasLimit: 21_000n })),
      await carol.signTransaction(await carol.populateTransaction({ to: d.accounts[7].address, value: 3n, gasLimit: 21_000n })),
    ];
    const target = ethers.keccak256(raws[1]);
    let refusals = 0;
    // The node's checker, but Dave's transfer is refused however it is filled.
    coord.d.checker = {
      addCodes: (c) => inner.addCodes(c),
      forgetCodes: (q) => inner.forgetCodes(q),
      close: () => inner.close(),
      validate: async (items, codes) =>
        (await inner.validate(items, codes)).map((v, i) => {
          const t = decodeTx(items[i].tx);
          if (t.type === TxType.Wrapped) senders.set(ethers.keccak256(t.raw), items[i].sender && bytesToHex(items[i].sender!));
          if (t.type !== TxType.Wrapped || ethers.keccak256(t.raw) !== target) return v;
          refusals++;
          return { valid: false, error: new InvalidTxError("execution", "next-mismatch", "refused by the test's checker") };
        }),
    };
    // The sender of each wrapped transaction the self-check was given (the node's own recovery, not recovered again).
    const senders = new Map<string, string | undefined>();
    const b = builds();
    try {
      const hashes: string[] = [];
      for (const raw of raws) hashes.push((await rpc(d.rpcUrl, "eth_sendRawTransaction", [raw])).result as string);
      expect(hashes[1]).to.equal(target);
      const [ra, rc] = [(await receiptOf(l2, hashes[0]))!, (await receiptOf(l2, hashes[2]))!];
      expect([ra.status, rc.status]).to.deep.equal([1, 1]);
      expect(rc.blockNumber, "the transaction after the refused one waited for the next batch").to.equal(ra.blockNumber + 1);
      const st = b.of(BigInt(ra.blockNumber) - 1n)!;
      expect({ txs: st.txs, rounds: st.rounds, refilled: st.refilled }).to.deep.equal({ txs: 1, rounds: 2, refilled: 0 });
      expect(refusals, "refused once reused (round 1), once filled fresh (round 2)").to.equal(2);
      expect((await rpc(d.rpcUrl, "eth_getTransactionByHash", [target])).result, "dropped from the mempool").to.equal(null);
      expect(hashes.map((h) => senders.get(h)), "the self-check was handed each sender").to.deep.equal([erin, dave, carol].map((x) => x.address.toLowerCase()));
      for (const bn of [ra.blockNumber, rc.blockNumber]) {
        const hash = (await l2.getBlock(bn))!.hash!;
        await waitFor("the batch's verdict", async () => d.node.verifier!.verdictOf(hash)?.status === "valid", 30_000);
      }
    } finally {
      coord.d.checker = inner;
      b.stop();
    }
  });

  it("the verifier finds every batch valid; moveset_getBatch and moveset_batches report status and verdict", async () => {
    const n = BigInt(await l2.getBlockNumber());
    await waitFor("verdicts", async () => d.node.verifier!.batches().filter((b) => b.verdict === "valid").length >= Number(n));
    const all = d.node.verifier!.batches();
    expect(all.every((b) => b.verdict === "valid")).to.equal(true);
    // The verifier took the build's self-check verdicts (node/validation/memo.ts): validations saved, memory bounded.
    const memo = d.node.memo!.stats();
    expect(memo.hits, "self-check verdicts reused").to.be.greaterThan(10);
    expect(memo.size).to.be.at.most(d.node.memo!.cap);
    const b = (await rpc(d.rpcUrl, "moveset_getBatch", ["0x0"])).result as { verdict: string; status: string; hash: string };
    expect(b.verdict).to.equal("valid");
    expect(b.hash).to.equal((await l2.getBlock(1))!.hash);
    await passWindow();
    await waitFor("batch 0 final", async () => ((await rpc(d.rpcUrl, "moveset_getBatch", ["0x0"])).result as { status: string }).status === "final");
    const list = (await rpc(d.rpcUrl, "moveset_batches", [])).result as { index: number; status: string; verdict: string }[];
    expect(list.length).to.equal(Number(n));
    expect(list[0]).to.deep.include({ index: 0, status: "final", verdict: "valid" });
  });

  /** Bonds dev account `i` once more on L1 unless a bond of it is free (each live, non-final batch locks one). */
  async function bondFree(i: number): Promise<void> {
    const inbox = new Contract(d.deployment.inbox, abiOf("Inbox"), w1(i));
    if (BigInt(await inbox.getFunction("freeBondOf").staticCall(d.accounts[i].address)) < d.deployment.bondSize)
      await (await inbox.getFunction("bond")({ value: d.deployment.bondSize })).wait();
  }

  /** The next batch on L1's current tip, from the given encoded transactions. */
  async function foreignBatch(txs: Uint8Array[], feeRecipient: string): Promise<{ header: BatchHeader; data: Uint8Array }> {
    const inbox = new Contract(d.deployment.inbox, abiOf("Inbox"), l1);
    const [index, parent, firstSeq, depositStart, minTs] = await inbox.getFunction("tip").staticCall();
    const latest = BigInt((await l1.getBlock("latest"))!.timestamp);
    const entries = txs.map(entryOf);
    const data = encodeBatchData(entries);
    const baseFee = BigInt(await inbox.getFunction("nextBaseFee").staticCall());
    return {
      header: {
        index, parent: hexToBytes(parent), firstSeq, txCount: BigInt(txs.length), txRoot: txRootOf(entries), number: index + 1n,
        timestamp: latest > minTs ? latest : minTs, feeRecipient: hexToBytes(feeRecipient.toLowerCase() as `0x${string}`), baseFee,
        depositStart, depositEnd: depositStart, dataHash: batchDataHash(data), l1BaseFee: 0n, l1BlobBaseFee: 0n,
      },
      data,
    };
  }

  it("another poster gets the tip first (ParentNotTip): the coordinator applies that batch and rebuilds on it", async () => {
    const poster = w1(1);
    const inbox = new Contract(d.deployment.inbox, abiOf("Inbox"), poster);
    await (await inbox.getFunction("bond")({ value: d.deployment.bondSize })).wait();
    const ex = await Executor.create(901n);
    const cache = new LatestCache(d.node.utxo, d.node.chain);
    const eve = w(5);
    const foreignRaw = await eve.signTransaction({ to: d.accounts[6].address, value: 777n, nonce: await l2.getTransactionCount(eve.address), gasLimit: 21000n, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 1n, chainId: 901n, type: 2 });
    const foreignId = ethers.keccak256(foreignRaw);
    let posted = false;
    d.node.coordinator.beforePost = async () => {
      if (posted) return;
      posted = true;
      const shell = await foreignBatch([], poster.address);
      const ctx = txContext(shell.header, 901n, 0);
      const wrapped: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(foreignRaw as `0x${string}`), moves: [], witness: [] };
      const filled = await fillFromStore(wrapped, cache, [], ctx, ex);
      const b = await foreignBatch([encodeTx(filled.tx)], poster.address);
      await (await inbox.getFunction("appendBatch")(headerToSol(b.header), bytesToHex(b.data))).wait();
    };
    try {
      const mine = await w(2).sendTransaction({ to: d.accounts[6].address, value: 888n });
      const r = await mine.wait();
      expect(r!.status).to.equal(1);
      expect(posted).to.equal(true);
      const fr = await l2.getTransactionReceipt(foreignId);
      expect(fr, "the other poster's transaction is indexed").to.not.equal(null);
      expect(fr!.blockNumber).to.equal(r!.blockNumber - 1);
      const fb = (await rpc(d.rpcUrl, "moveset_getBatch", ["0x" + (fr!.blockNumber - 1).toString(16)])).result as { l1: { poster: string } };
      expect(fb.l1.poster).to.equal(poster.address.toLowerCase());
      await waitFor("verdicts", async () => d.node.verifier!.batches().filter((x) => x.verdict === "valid").length === r!.blockNumber);
    } finally {
      d.node.coordinator.beforePost = undefined;
    }
  });

  it("L1's base fee falls faster than the batch gets in (L1PriceTooHigh): the coordinator declares half as much on each retry, the transaction lands, and the next batch declares a step of 7/8 again", async () => {
    const provider = hre.network.provider;
    const latest = async () => BigInt(((await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { baseFeePerGas: string }).baseFeePerGas);
    // A known base fee to start from (the devnet's L1 lowers it with every block that is less than half full).
    await provider.request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x" + (10n ** 10n).toString(16)] });
    await provider.request({ method: "evm_mine", params: [] });
    const b0 = await latest();
    expect(b0).to.equal(10n ** 10n);
    // The block that will append the batch costs a tenth of the latest: 7/8 of the latest is refused, and
    // so are 7/16, 7/32 and 7/64 of it; 7/128 is accepted. No other L1 transaction mines a block meanwhile,
    // so a coordinator that kept declaring 7/8 would never post.
    const low = b0 / 10n;
    let refusedFrom = -1;
    d.node.coordinator.beforePost = async () => {
      if (refusedFrom >= 0) return;
      refusedFrom = Number(await provider.request({ method: "eth_blockNumber", params: [] }));
      await provider.request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x" + low.toString(16)] });
    };
    try {
      const tx = await w(3).sendTransaction({ to: d.accounts[6].address, value: 4242n });
      const r = await receiptOf(l2, tx.hash, 60_000);
      expect(r.status).to.equal(1);
      const raw = (await rpc(d.rpcUrl, "eth_getTransactionReceipt", [tx.hash])).result as { l1GasPrice: string; l1Fee: string };
      const declared = BigInt(raw.l1GasPrice);
      expect(declared, "four halvings of 7/8 of the latest base fee rounded down to a power of 2 (2^33)").to.equal(priceStep((b0 * 7n) / 8n) >> 4n);
      expect(declared <= low).to.equal(true);
      expect(BigInt(raw.l1Fee) > 0n, "users still pay the (lower) L1 fee").to.equal(true);
    } finally {
      d.node.coordinator.beforePost = undefined;
    }
    // Posted: the halvings are forgotten, the next batch declares 7/8 of the latest base fee again.
    const b1 = await latest();
    const tx2 = await w(3).sendTransaction({ to: d.accounts[6].address, value: 4243n });
    await receiptOf(l2, tx2.hash, 60_000);
    const raw2 = (await rpc(d.rpcUrl, "eth_getTransactionReceipt", [tx2.hash])).result as { l1GasPrice: string };
    expect(BigInt(raw2.l1GasPrice) > (b1 * 7n * 7n) / 128n, "7/8 of a latest base fee no lower than 7/8 of b1, less than a step (a halving) below").to.equal(true);
  });

  it("an L1 reorg drops a batch: the verifier and the coordinator rewind, and the transaction lands again", async () => {
    const provider = hre.network.provider;
    const snap = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    const frank = w(6);
    const tx = await frank.sendTransaction({ to: d.accounts[7].address, value: 999n });
    const r = await tx.wait();
    const first = r!.blockHash;
    await waitFor("the verdict", async () => d.node.verifier!.verdictOf(first)?.status === "valid");
    expect(await provider.request({ method: "evm_revert", params: [snap] })).to.equal(true);
    // Later L1 time: the batch built again gets another timestamp, hence another hash.
    await provider.request({ method: "evm_increaseTime", params: [10] });
    const again = await waitFor("the transaction in a new batch", async () => {
      const x = await l2.getTransactionReceipt(tx.hash);
      return x && x.blockHash !== first ? x : undefined;
    }, 30_000, 200);
    expect(again.status).to.equal(1);
    expect(again.blockNumber).to.equal(r!.blockNumber);
    expect(await l2.getTransactionCount(frank.address)).to.equal(tx.nonce + 1);
    await waitFor("the new batch's verdict", async () => d.node.verifier!.verdictOf(again.blockHash)?.status === "valid", 30_000);
    expect(d.node.verifier!.batches().some((b) => b.headerHash === first)).to.equal(false);
  });

  it("an L1 reorg drops the batch that carried a contract's code: the code travels again, and the verifier finds the new batches valid", async () => {
    const provider = hre.network.provider;
    // A contract no other test deploys: its runtime code returns 0x77.
    const runtime = "0x60775f5260205ff3";
    const initcode = ethers.concat(["0x67", runtime, "0x5f5260086018f3"]);
    const codeHash = ethers.keccak256(runtime);
    const grace = w(7);
    const snap = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    const deploy = await grace.sendTransaction({ data: initcode });
    const dr = (await deploy.wait())!;
    const addr = dr.contractAddress!;
    expect(await l2.getCode(addr)).to.equal(runtime);
    const call = await grace.sendTransaction({ to: addr, data: "0x" });
    const cr = (await call.wait())!;
    expect(cr.blockNumber).to.be.greaterThan(dr.blockNumber);
    expect(await witnessOf(deploy.hash)).to.deep.equal([codeHash]);
    expect(await witnessOf(call.hash)).to.deep.equal([]);
    await waitFor("the verdicts", async () => d.node.verifier!.verdictOf(cr.blockHash!)?.status === "valid");
    // Both batches leave L1; the coordinator posts both transactions again.
    expect(await provider.request({ method: "evm_revert", params: [snap] })).to.equal(true);
    await provider.request({ method: "evm_increaseTime", params: [10] });
    const again = await waitFor("both transactions in new batches", async () => {
      const [a, b] = await Promise.all([l2.getTransactionReceipt(deploy.hash), l2.getTransactionReceipt(call.hash)]);
      return a && b && a.blockHash !== dr.blockHash && b.blockHash !== cr.blockHash ? [a, b] : undefined;
    }, 30_000, 200);
    // The coordinator no longer takes the code as known: the first of them to need it carries it.
    expect(await witnessOf(deploy.hash)).to.deep.equal([codeHash]);
    expect(await witnessOf(call.hash)).to.deep.equal([]);
    expect(again.map((x) => x.status)).to.deep.equal([1, 1]);
    await waitFor("the new batches' verdicts", async () => again.every((x) => d.node.verifier!.verdictOf(x.blockHash)?.status === "valid"), 30_000);
    expect(d.node.verifier!.batches().some((b) => b.headerHash === dr.blockHash || b.headerHash === cr.blockHash)).to.equal(false);
  });

  it("an invalid batch posted with `moveset post-batch --unsafe`: the verifier names the first failing transaction, the coordinator stops building on it, status shows it; the fault proves on L1 (DoubleUseProver), and after the rollback the coordinator builds again", async () => {
    // The earlier transfer again, at a new seq: standalone valid, but its inputs are spent.
    const old = (await rpc(d.rpcUrl, "moveset_getMoves", [transferHash])).result as { encoded: string; seq: string };
    const inbox = new Contract(d.deployment.inbox, abiOf("Inbox"), l1);
    const [, , firstSeq] = await inbox.getFunction("tip").staticCall();
    const tx = decodeTx(hexToBytes(old.encoded as `0x${string}`)) as WrappedTx;
    tx.moves = sortMoves(tx.moves.map((m) => (m.mark === Mark.Fee ? { ...m, slot: firstSeq } : m)));
    const b = await foreignBatch([encodeTx(tx)], d.accounts[0].address);
    const dir = tmpDir();
    const file = path.join(dir, "batch.json");
    fs.writeFileSync(file, JSON.stringify({ header: headerToJson(b.header), data: bytesToHex(b.data) }));
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(d.record));
    // Its batch of the earlier test still locks a bond (each live, non-final batch locks one): bond another.
    await bondFree(1);
    const res = await runCli(["post-batch", "--unsafe", file, "--l1", d.l1Url, "--deployment", dep, "--key", "POSTER_KEY"], { POSTER_KEY: d.accounts[1].privateKey });
    expect(res.code, res.stderr).to.equal(0);
    expect(JSON.parse(res.stdout.trim().split("\n").pop()!)).to.deep.include({ status: 1, headerHash: bytesToHex(headerHash(b.header)) });

    const hh = bytesToHex(headerHash(b.header));
    const v = await waitFor("the verdict", async () => d.node.verifier!.verdictOf(hh));
    expect(v.status).to.equal("invalid");
    const fault = (v as { fault: { kind: string; code: string; txIndex: number; seq: bigint; spentBy?: bigint; moveIndex?: number } }).fault;
    expect(fault).to.deep.include({ kind: "double-use", code: "consumed", txIndex: 0, seq: firstSeq, spentBy: BigInt(old.seq) });
    expect(fault.moveIndex).to.be.a("number");
    await waitFor("the coordinator halted", async () => d.node.coordinator.haltedAt?.index === b.header.index);
    const st = await runCli(["status", "--rpc", d.rpcUrl, "--json"], {});
    expect(st.code, st.stderr).to.equal(0);
    const js = JSON.parse(st.stdout) as { batches: { index: number; status: string; verdict: string; fault?: { kind: string } }[]; coordinator: { halted: { index: number } } };
    const row = js.batches.find((x) => x.index === Number(b.header.index))!;
    expect(row).to.deep.include({ status: "invalid", verdict: "invalid" });
    expect(row.fault!.kind).to.equal("double-use");
    expect(js.coordinator.halted.index).to.equal(Number(b.header.index));
    // Transactions are still accepted into the mempool while it waits for the rollback.
    const t = await w(7).sendTransaction({ to: d.accounts[7].address, value: 1n });
    expect((await rpc(d.rpcUrl, "eth_getTransactionByHash", [t.hash])).result).to.deep.include({ blockNumber: null });

    // The challenger turns the verifier's fault into a proof (prover/build.ts) for the DoubleUseProver,
    // commits, reveals: L1 rolls the batch back and slashes its poster.
    const call = await buildProof((v as { fault: TxFault }).fault, d.node.verifier!.chainView());
    expect(call.prover).to.equal("DoubleUseProver");
    const challenger = w1(7);
    const prover = new Contract(d.record.contracts.DoubleUseProver, abiOf("DoubleUseProver", "fraud"), challenger);
    const salt = ethers.hexlify(ethers.randomBytes(32));
    await (await prover.getFunction("commit")(commitmentOf(challenger.address, call.proofHash, salt))).wait();
    const bondBefore = BigInt(await new Contract(d.deployment.inbox, abiOf("Inbox"), l1).getFunction("bondOf").staticCall(d.accounts[1].address));
    await (await prover.getFunction(call.method)(...call.args, salt)).wait();
    const bondAfter = BigInt(await new Contract(d.deployment.inbox, abiOf("Inbox"), l1).getFunction("bondOf").staticCall(d.accounts[1].address));
    expect(bondBefore - bondAfter).to.equal(d.deployment.bondSize);
    await waitFor("the rollback seen by the verifier", async () => d.node.verifier!.batches().find((x) => x.headerHash === hh)?.status === "rolled back");
    // The coordinator builds again, on the batch before it.
    const tr = await receiptOf(l2, t.hash);
    expect(tr.status).to.equal(1);
    expect(BigInt(tr.blockNumber)).to.equal(b.header.index + 1n);
    expect(d.node.coordinator.haltedAt).to.equal(undefined);
    await waitFor("the new batch's verdict", async () => d.node.verifier!.verdictOf(tr.blockHash)?.status === "valid");
  });

  it("the verifier finds each other kind of invalid batch posted with `moveset post-batch --unsafe`, and each proves on L1 with its prover", async () => {
    const ex = await Executor.create(901n);
    const cache = new LatestCache(d.node.utxo, d.node.chain);
    const eve = w(6);
    const dir = tmpDir();
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(d.record));
    const challenger = w1(7);
    /** An honest transfer from eve, filled against the node's state for the next batch, then mutated. */
    const honest = async (nonceDelta = 0): Promise<WrappedTx> => {
      const shell = await foreignBatch([], d.accounts[1].address);
      const ctx = txContext(shell.header, 901n, 0);
      const nonce = await l2.getTransactionCount(eve.address);
      const raw = await eve.signTransaction({ to: d.accounts[5].address, value: 99n, nonce: nonce + nonceDelta, gasLimit: 21000n, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 1n, chainId: 901n, type: 2 });
      const signed: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
      if (nonceDelta === 0) return (await fillFromStore(signed, cache, [], ctx, ex)).tx as WrappedTx;
      const ok = await honest(0);
      return { ...ok, raw: signed.raw };
    };
    const cases: Array<{ kind: string; prover: string; make: () => Promise<{ txs: Uint8Array[]; deposits?: boolean }> }> = [
      { kind: "malformed", prover: "MalformedProver", make: async () => ({ txs: [Uint8Array.from([...encodeTx(await honest()), 0x00])] }) },
      {
        kind: "signature",
        prover: "SignatureProver",
        make: async () => {
          const t = await honest();
          return { txs: [encodeTx({ ...t, moves: t.moves.map((m, i) => (i === 0 ? { ...m, mask: MaskBit.Next } : m)) })] };
        },
      },
      {
        kind: "input",
        prover: "InputProver",
        make: async () => {
          const t = await honest();
          const to = d.accounts[5].address.toLowerCase();
          // The recipient's code key was never written (genesis); name seq 1 as its producer instead.
          return { txs: [encodeTx({ ...t, moves: t.moves.map((m) => (m.mark === Mark.Code && bytesToHex(m.addr) === to ? { ...m, intx: 1n } : m)) })] };
        },
      },
      {
        kind: "deposit",
        prover: "DepositProver",
        make: async () => {
          const to = hexToBytes(d.accounts[5].address.toLowerCase() as `0x${string}`);
          const dep: import("../../core").DepositTx = { type: TxType.Deposit, index: 999n, from: to, to, value: 1n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: to, slot: 0n, prev: 0n, next: 1n }] };
          return { txs: [encodeTx(dep)] };
        },
      },
      { kind: "rules", prover: "RulesProver", make: async () => ({ txs: [encodeTx(await honest(5))] }) },
    ];
    for (const c of cases) {
      // Each proof slashes the poster: bond again if no bond is free.
      await bondFree(1);
      const { txs } = await c.make();
      const b = await foreignBatch(txs, d.accounts[1].address);
      const file = path.join(dir, `${c.kind}.json`);
      fs.writeFileSync(file, JSON.stringify({ header: headerToJson(b.header), data: bytesToHex(b.data) }));
      const res = await runCli(["post-batch", "--unsafe", file, "--l1", d.l1Url, "--deployment", dep, "--key", "POSTER_KEY"], { POSTER_KEY: d.accounts[1].privateKey });
      expect(res.code, res.stderr).to.equal(0);
      const hh = bytesToHex(headerHash(b.header));
      const v = await waitFor(`the ${c.kind} verdict`, async () => d.node.verifier!.verdictOf(hh));
      expect(v.status, c.kind).to.equal("invalid");
      const fault = (v as { fault: TxFault }).fault;
      expect(fault.kind, `${c.kind}: ${fault.code} ${fault.message}`).to.equal(c.kind);
      const call = await buildProof(fault, d.node.verifier!.chainView());
      expect(call.prover).to.equal(c.prover);
      const prover = new Contract(d.record.contracts[c.prover], abiOf(c.prover, "fraud"), challenger);
      const salt = ethers.hexlify(ethers.randomBytes(32));
      await (await prover.getFunction("commit")(commitmentOf(challenger.address, call.proofHash, salt))).wait();
      await (await prover.getFunction(call.method)(...call.args, salt)).wait();
      await waitFor(`the ${c.kind} rollback`, async () => d.node.verifier!.batches().find((x) => x.headerHash === hh)?.status === "rolled back");
      await waitFor("the coordinator resumes", async () => d.node.coordinator.haltedAt === undefined);
    }
  });
});
