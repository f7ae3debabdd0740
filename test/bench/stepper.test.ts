/**
 * The step machine in the benchmark (bench/stepper.ts): every transaction of a small workload
 * (ETH, ERC-20 transfers, AMM swaps, with code carried by earlier witnesses) runs through the
 * machine to ok, and the state at a step comes from checkpoints. No timing is asserted here.
 */
import { expect } from "chai";
import { generateWorkload } from "../../bench/workload";
import { fillWorkload } from "../../bench/fill";
import { measureStepper } from "../../bench/stepper";
import { Executor } from "../../core/evm/execute";

describe("bench: the step machine", function () {
  this.timeout(600_000);

  it("runs every workload transaction to ok and reports steps and the state at a step", async () => {
    const w = await generateWorkload({ seed: "stepper", accounts: 10, txs: 40, batchSize: 20, traders: 4 });
    const ex = await Executor.create(w.chainId);
    const f = await fillWorkload(w, ex);
    const logs: string[] = [];
    const r = await measureStepper(w, f, ex, { log: (s) => logs.push(s), quick: true });
    expect(r.txs).to.equal(40);
    expect(r.steps).to.be.greaterThan(40 * 20);
    expect(r.largestTxSteps).to.be.greaterThan(500);
    expect(r.stateAtStepMs).to.be.finite;
    expect(r.loop30M.steps).to.be.greaterThan(8_000_000);
    expect(logs.length).to.equal(2);
  });
});
