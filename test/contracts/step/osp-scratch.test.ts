import { expect } from "chai";
import hre from "hardhat";
import { loadVectors } from "../../../conformance/load";
import { Executor } from "../../../core/evm/execute";
import { fillMoves } from "../../../core/fill";
import { TxType, WrappedTx, encodeTx, decodeTx, MoveTx } from "../../../core/tx";
import { preStateView } from "../../../conformance/world";
import { initialMachine } from "../../../core/step/init";
import { step } from "../../../core/step/interp";
import { proveStep, proofBytes } from "../../../prover/step-proof";
import { Status } from "../../../core/step/types";
import { loadCrypto } from "../../../core/evm/chain";

const hex32 = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");

describe("osp scratch", () => {
  it("runs vectors", async function () {
    this.timeout(0);
    await loadCrypto();
    const bridge = await (await hre.ethers.getContractFactory("Bridge")).deploy();
    const inbox = await (await hre.ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), 901n, 10n ** 18n, 100n, 100n, 5000n);
    const reg = await (await hre.ethers.getContractFactory("TestCodeRegistry")).deploy(await inbox.getAddress());
    const r = await reg.getAddress();
    const fam = async (n: string) => await (await (await hre.ethers.getContractFactory(n)).deploy(r)).getAddress();
    const v = await (await hre.ethers.getContractFactory("OneStepVerifier")).deploy(r, await fam("StepTx"), await fam("StepHash"), await fam("StepCall"), await fam("StepState"), await fam("StepRun"));
    for (const file of (process.env.OSP_FILES ?? "").split(",").filter(Boolean)) {
      const vs = loadVectors(file, "x");
      for (const vec of vs.slice(0, Number(process.env.OSP_N ?? 1))) {
        const ex = await Executor.create(vec.env.chainId);
        const ctx = { seq: 2n, env: vec.env, feeMode: "ethereum" as const, blockHash: "state-test" as const, allowUnprotected: true, allowBlobTx: true };
        const wrapped: WrappedTx = { type: TxType.Wrapped, raw: vec.txbytes, moves: [], witness: [] };
        let filled;
        try { filled = (await fillMoves(wrapped, preStateView(vec.pre), ctx, ex)).tx; } catch { continue; }
        const tx = decodeTx(encodeTx(filled)) as MoveTx;
        let m;
        try { m = initialMachine(tx, ctx); } catch { continue; }
        // first pass: learn all code
        const m2 = m.clone();
        while (m2.status_ === Status.Running) step(m2);
        const codes = (m2.codes as unknown as { map: Map<bigint, { bytes: Uint8Array }> }).map;
        const carried: string[] = [];
        for (const [h, c] of codes) {
          await (await reg.register(c.bytes, { gasLimit: 16_000_000 })).wait();
          if (m2.codes.carried(h)) carried.push(hex32(h));
        }
        for (const w of tx.witness) { /* witness codes */ }
        if (carried.length) await (await reg.setCarried(carried)).wait();
        let n = 0, bad = 0;
        let maxGas = 0n;
        while (m.status_ === Status.Running) {
          const p = proveStep(m);
          try {
            const post = await v.step(hex32(p.pre), proofBytes(p.words));
            if (BigInt(post) !== p.post) { bad++; if (bad < 5) console.log(`step ${n}: post differs`, where(m)); }
            else if (process.env.OSP_GAS) { const g = await v.step.estimateGas(hex32(p.pre), proofBytes(p.words)); if (g > maxGas) maxGas = g; }
          } catch (e) { bad++; if (bad < 5) console.log(`step ${n}: reverted`, where(m), (e as Error).message.slice(0, 200)); }
          step(m);
          n++;
        }
        console.log(vec.id, "steps", n, "bad", bad, "maxGas", maxGas);
      }
    }
  });
});

function where(m: any): string {
  const f = m.frame_;
  return m.pending_ ? `pending ${m.pending_.kind}` : f ? `stage ${f.stage} pc ${f.pc} op ${f.stage === 1 && f.pc < f.codeSize ? m.codes.get(f.codeHash).bytes[f.pc].toString(16) : "-"}` : "?";
}
