/**
 * The bench's L1 gas measurement (bench/l1-gas.ts) on a tiny workload, on this test process's
 * Hardhat network: the batches post, a proof of every one-step kind succeeds, the gas is in sane
 * bounds, and the network is left as it was. No timing is asserted.
 */
import { expect } from "chai";
import hre from "hardhat";
import { generateWorkload, type Workload } from "../../bench/workload";
import { fillWorkload, type FilledWorkload } from "../../bench/fill";
import { measureL1Gas, L1GasError } from "../../bench/l1-gas";
import { BYZANTINE_KINDS } from "../../node/devnet/byzantine";
import { Executor } from "../../core";

const TINY = { seed: "l1-gas", accounts: 6, txs: 40, batchSize: 20, traders: 2 };

async function filled(p: typeof TINY): Promise<{ w: Workload; f: FilledWorkload }> {
  const w = await generateWorkload(p);
  return { w, f: await fillWorkload(w, await Executor.create(w.chainId)) };
}

describe("bench: L1 gas of appendBatch and of the fraud proofs", function () {
  this.timeout(300_000);
  let w: Workload;
  let f: FilledWorkload;

  before(async () => {
    ({ w, f } = await filled(TINY));
  });

  it("posts the setup and main batches, proves an invalid batch of every kind, and leaves the network as it was", async () => {
    const blockBefore = await hre.ethers.provider.getBlockNumber();
    const r = await measureL1Gas(w, f, { hre });
    console.log(`      appendBatch ${r.appendGasPerTx.toFixed(0)} gas/tx; proofs ${JSON.stringify(r.proofGas)}; commits ${JSON.stringify(r.commitGas)}`);
    expect(r.mainBatches).to.equal(2);
    expect(r.mainTxs).to.equal(TINY.txs);
    // Every transaction carries at least its signed Ethereum transaction (> 100 bytes of calldata);
    // batches of 20 share a fixed cost of about 70k.
    expect(r.appendGasPerTx).to.be.within(2_000, 200_000);
    expect(r.setupGasPerTx).to.be.within(2_000, 500_000);
    expect(Object.keys(r.proofGas).sort()).to.deep.equal([...BYZANTINE_KINDS].sort());
    for (const k of BYZANTINE_KINDS) {
      expect(r.proofGas[k], k).to.be.within(21_001, 2_000_000);
      expect(r.commitGas[k], `commit before ${k}`).to.be.within(21_001, 100_000);
    }
    // The dispute game of an execution fault, over the workload's transaction of the most moves, won by the challenger.
    const g = r.game;
    console.log(`      dispute game: ${g.moves} claims, challenger ${g.challengerGas} gas (dispute ${g.disputeGas}, move ${g.moveGas}, step ${g.stepGas})`);
    expect(g.moves).to.equal(26); // one claim per depth: the dispute, then 25 moves down to the leaf
    expect(g.disputeGas).to.be.within(100_000, 4_000_000);
    expect(g.moveGas).to.be.within(50_000, 250_000);
    expect(g.stepGas).to.be.within(50_000, 16_777_216);
    expect(g.challengerGas).to.be.greaterThan(g.disputeGas + 12 * g.moveGas + g.stepGas);
    expect(g.tx.steps).to.be.greaterThan(10);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });

  it("posts only the first main batches it is asked for", async () => {
    const r = await measureL1Gas(w, f, { hre, mainBatches: 1 });
    expect(r.mainBatches).to.equal(1);
    expect(r.mainTxs).to.equal(TINY.batchSize);
  });

  it("refuses a workload without a main phase, and a main batch count below one, before posting anything", async () => {
    const setupOnly = await filled({ ...TINY, txs: 0 });
    const blockBefore = await hre.ethers.provider.getBlockNumber();
    const refused = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const e = await refused(measureL1Gas(setupOnly.w, setupOnly.f, { hre }));
    expect(e).to.be.instanceOf(L1GasError).with.property("message").that.matches(/no main-phase batch/);
    const e2 = await refused(measureL1Gas(w, f, { hre, mainBatches: 0 }));
    expect(e2).to.be.instanceOf(L1GasError).with.property("message").that.matches(/mainBatches must be a whole number >= 1/);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });
});
