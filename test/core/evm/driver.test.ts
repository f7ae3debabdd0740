/**
 * moveset's transaction driver (core/evm/driver.ts) and the interpreter's faster loop
 * (core/evm/fast-interpreter.ts) change no result. The bench workload (deployments, approvals,
 * liquidity, airdrops, ETH and ERC-20 transfers, swaps on shared pools) is filled three times:
 * with the driver and the fast loop (the core as it runs), with ethereumjs `runTx`, and with
 * ethereumjs' own interpreter loop (a `step` listener makes the fast loop step aside). Filling
 * records every key each transaction touches with its value before and after, the code it carries,
 * and its gas: all three must be byte for byte the same. The conformance suite runs through the
 * driver and the loop too (reverts, out-of-gas, self-destructs, creations, blob transactions, the
 * Ethereum fee mode), and test/core/crypto-native.test.ts compares verdicts and outcomes with the
 * plain core (neither of them) on a worker.
 */
import { expect } from "chai";
import type { VM } from "@ethereumjs/vm";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { ethers } from "ethers";
import { generateWorkload, benchKey, BASE_FEE, type Workload } from "../../../bench/workload";
import { loadBenchContracts } from "../../../bench/contracts";
import { fillWorkload, type FilledWorkload } from "../../../bench/fill";
import { Executor } from "../../../core/evm/execute";
import { cancunCommon } from "../../../core/evm/chain";
import { driverSupports } from "../../../core/evm/driver";
import { installFastInterpreter } from "../../../core/evm/fast-interpreter";
import { bytesToHex } from "../../../core/bytes";
import { Mark } from "../../../core/keys";

describe("core/evm: the transaction driver and the fast interpreter loop change no result", function () {
  this.timeout(600_000);
  let w: Workload;
  let core: FilledWorkload;

  const same = (a: FilledWorkload, b: FilledWorkload, what: string) => {
    expect(a.encoded.length).to.equal(b.encoded.length);
    for (let i = 0; i < a.encoded.length; i++) {
      expect(bytesToHex(b.encoded[i]), `${what}: transaction ${i} (${w.txs[i].kind}), moves and witness`).to.equal(bytesToHex(a.encoded[i]));
      expect(b.gasUsed[i], `${what}: transaction ${i} gas`).to.equal(a.gasUsed[i]);
      expect(b.status[i], `${what}: transaction ${i} status`).to.equal(a.status[i]);
    }
    expect(b.feeOutputs).to.equal(a.feeOutputs);
  };

  before(async () => {
    w = await generateWorkload({ seed: "driver", accounts: 10, txs: 150, batchSize: 40, traders: 4 });
    // The deployer's last transactions: the cases a workload of successes does not reach.
    const deployer = new ethers.Wallet(benchKey("driver", "deployer"));
    let nonce = w.txs.filter((_, i) => i < w.setupCount).length - w.params.traders * 6;
    const tokenIf = new ethers.Interface(loadBenchContracts().Token.abi as ethers.InterfaceAbi);
    const poolIf = new ethers.Interface(loadBenchContracts().Pool.abi as ethers.InterfaceAbi);
    const extra: [string | null, string, bigint, bigint][] = [
      [null, "0x6001600055600060005533ff", 100_000n, 0n], // SSTORE 1, SSTORE 0 (refund), SELFDESTRUCT(caller)
      [w.tokens[0], tokenIf.encodeFunctionData("transfer", [w.accounts[1], 10n ** 40n]), 80_000n, 0n], // reverts: InsufficientBalance
      [w.pools[0].address, poolIf.encodeFunctionData("swap", [w.pools[0].token0, 10n ** 18n, 1n, w.deployer]), 40_000n, 0n], // out of gas
      ["0x00000000000000000000000000000000000c0ffe", "0x", 21_000n, 0n], // touches an empty account
    ];
    const last = w.batches[w.batches.length - 1];
    for (const [to, data, gasLimit, value] of extra) {
      const raw = await deployer.signTransaction({ type: 2, chainId: w.chainId, nonce: nonce++, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 100_000_000n, gasLimit, to, value, data });
      w.txs.push({ raw: ethers.getBytes(raw), kind: "eth", gasLimit });
      last.count++;
    }
    const ex = await Executor.create(w.chainId);
    const common = (ex as unknown as { vm: VM }).vm.common;
    const eips = [1559, 2929, 2930, 3529, 3651, 3860, 4844, 6780, 2780, 6800, 7623, 7702, 7708, 7778, 7864, 7928, 8037, 8246].filter((e) => common.isActivatedEIP(e));
    expect(ex.driven, `the core runs its own driver (${common.hardfork()}, ${common.consensusType()}, EIPs ${eips.join(",")}, MOVESET_NO_TX_DRIVER=${process.env.MOVESET_NO_TX_DRIVER})`).to.equal(true);
    expect(installFastInterpreter(), "the fast loop is installed").to.equal(true);
    core = await fillWorkload(w, ex, { allowFailures: true });
    expect(core.status.slice(-4), "the extra cases: success, revert, out of gas, success").to.deep.equal([1, 0, 0, 1]);
  });

  it("charges the base fee on the declared gas in fee-output mode (unused gas back at the priority fee only)", () => {
    // The extra SSTORE/SELFDESTRUCT case declares 100,000 gas and uses far less; the Executor applies
    // core/evm/chain.ts unusedGasPrice after the driver as after runTx (the next tests: byte for byte).
    const i = w.txs.length - 4;
    const deployer = new ethers.Wallet(benchKey("driver", "deployer")).address.toLowerCase();
    const bal = core.moves[i].find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === deployer)!;
    expect(bal, "the sender's balance move").to.not.equal(undefined);
    expect(core.gasUsed[i] < 100_000n, "gas left unused").to.equal(true);
    const prio = 100_000_000n; // min(maxPriorityFee, maxFee - baseFee)
    expect(bal.prev - bal.next, "gasLimit × baseFee + gasUsed × priorityFee").to.equal(100_000n * BASE_FEE + core.gasUsed[i] * prio);
  });

  it("fills exactly as ethereumjs runTx does", async () => {
    const ex = await Executor.create(w.chainId, { runTx: true });
    expect(ex.driven).to.equal(false);
    same(core, await fillWorkload(w, ex, { allowFailures: true }), "runTx");
  });

  it("fills exactly as ethereumjs' interpreter loop does", async () => {
    const ex = await Executor.create(w.chainId, { runTx: true });
    let steps = 0;
    (ex as unknown as { vm: VM }).vm.evm.events!.on("step", () => void steps++);
    same(core, await fillWorkload(w, ex, { allowFailures: true }), "ethereumjs loop");
    expect(steps, "the listener saw every instruction: ethereumjs' loop ran").to.be.greaterThan(10_000);
  });

  it("runs only on the rules it implements: Cancun, no later EIP", () => {
    expect(driverSupports(cancunCommon(901n))).to.equal(true);
    expect(driverSupports(new Common({ chain: Mainnet, hardfork: Hardfork.Prague }))).to.equal(false);
    expect(driverSupports(new Common({ chain: Mainnet, hardfork: Hardfork.Shanghai }))).to.equal(false);
    const extra = cancunCommon(901n).copy();
    extra.setEIPs([7702]);
    expect(driverSupports(extra)).to.equal(false);
  });

  it("isActivatedEIP answers as ethereumjs' array does, after the EIPs change", () => {
    const c = cancunCommon(901n).copy();
    const arr = (x: Common) => (x as unknown as { _activatedEIPsCache: number[] })._activatedEIPsCache;
    for (const e of [1, 155, 1559, 2929, 3651, 4844, 6780, 7702, 7623, 9999]) expect(c.isActivatedEIP(e), `EIP ${e}`).to.equal(arr(c).includes(e));
    c.setEIPs([7702]);
    expect(c.isActivatedEIP(7702)).to.equal(true);
    c.setHardfork("shanghai");
    expect(c.isActivatedEIP(4844)).to.equal(false);
    expect(c.isActivatedEIP(3855)).to.equal(true);
  });
});
