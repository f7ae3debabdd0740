/**
 * prover/osp-check.ts's gas by family: `verifierFamily` names the family contract OneStepVerifier routes each
 * step to (checked against the deployed contracts: that family runs the step to the stepper's post-state, the
 * others refuse it), and `recordStepGas`/`familyGas` keep each family's percentiles and its heaviest step.
 *
 *   npx hardhat test test/prover/osp-check.test.ts
 */
import { expect } from "chai";
import hre from "hardhat";
import { getBytes, id, type Contract } from "ethers";
import { Executor } from "../../core/evm/execute";
import { loadCrypto } from "../../core/evm/chain";
import { bytesToHex, keccak256 } from "../../core/bytes";
import { initialMachine } from "../../core/step/init";
import { step } from "../../core/step/interp";
import { Stage, Status } from "../../core/step/types";
import { classifyStep } from "../../core/step/classify";
import { proveStep, proofBytes } from "../../prover/step-proof";
import { calldataFloor, stepGasUsed, emptyStats, familyGas, recordStepGas, verifierFamily, VERIFIER_FAMILIES, type StepVerifierDeployment, type VerifierFamily } from "../../prover/osp-check";
import { deployTestStepVerifier } from "../helpers/step-verifier";
import { hex32, CHAIN, memoryProgram, callsProgram, storageProgram, precompileProgram, build } from "../../bench/step-programs";

const TERMINATED = id("Terminated(uint256)").slice(0, 10);

describe("prover/osp-check: L1 gas by the verifier's family", function () {
  this.timeout(0);

  it("recordStepGas and familyGas keep each family's p50, p99, max and heaviest step", () => {
    const s = emptyStats();
    for (let i = 1; i <= 100; i++) recordStepGas(s, "StepRun", 1000 * i, `op ${i}`, `v#${i}`);
    recordStepGas(s, "StepHash", 5, "keccak", "w step 1");
    recordStepGas(s, "StepHash", 9, "precompile-input precompile 5", "w step 2");
    recordStepGas(s, "StepHash", 7, "keccak", "w step 3");
    const f = familyGas(s);
    expect(Object.keys(f)).to.deep.equal(["StepHash", "StepRun"]); // VERIFIER_FAMILIES order, only those seen
    expect(f.StepRun).to.deep.equal({ steps: 100, p50: 51_000, p99: 100_000, max: 100_000, worst: "op 100 at v#100" });
    expect(f.StepHash).to.deep.equal({ steps: 3, p50: 7, p99: 9, max: 9, worst: "precompile-input precompile 5 at w step 2" });
    expect(s.gas).to.have.length(103);
  });

  it("calldataFloor is EIP-7623's: 21,000 + 10 per token, a zero byte 1 token, any other 4", () => {
    expect(calldataFloor(new Uint8Array())).to.equal(21_000);
    expect(calldataFloor(Uint8Array.of(0, 1, 0xff, 0))).to.equal(21_000 + 10 * (1 + 4 + 4 + 1));
  });

  describe("verifierFamily is OneStepVerifier's route", () => {
    let ex: Executor;
    let d: StepVerifierDeployment;
    let fam: Record<VerifierFamily, Contract>;

    before(async () => {
      await loadCrypto();
      ex = await Executor.create(CHAIN);
      const [signer] = await hre.ethers.getSigners();
      d = await deployTestStepVerifier(CHAIN);
      fam = Object.fromEntries(VERIFIER_FAMILIES.map((n) => [n, new hre.ethers.Contract(d.families[n], ["function run(uint256 pre, bytes proof) view returns (uint256)"], signer)])) as never;
    });

    it("on every step of the memory, storage, calls and precompile programs, the named family runs the step and the others refuse it", async () => {
      const seen = new Set<VerifierFamily>();
      let refused = 0;
      let total = 0;
      for (const prog of [memoryProgram, storageProgram, callsProgram, precompileProgram]) {
        const built = await build(ex, prog());
        const m = initialMachine(built.tx, built.ctx, built.lookup);
        const full = m.clone();
        while (full.status_ === Status.Running) step(full);
        const carried: string[] = built.tx.witness.map((c) => bytesToHex(keccak256(c)));
        for (const [h, c] of (full.codes as unknown as { map: Map<bigint, { bytes: Uint8Array }> }).map) {
          if (c.bytes.length > 0 && !(await d.registry.getFunction("isRegistered").staticCall(hex32(h)))) await (await d.registry.getFunction("register")(c.bytes, { gasLimit: 16_000_000 })).wait();
          if (full.codes.carried(h)) carried.push(hex32(h));
        }
        if (carried.length) await (await d.registry.getFunction("setCarried")(carried)).wait();
        for (let k = 0; m.status_ === Status.Running; k++) {
          const f = verifierFamily(m);
          seen.add(f);
          const p = proveStep(m);
          const args = [p.pre, proofBytes(p.proof)] as const;
          let post: bigint | undefined;
          try {
            post = await fam[f].run(...args);
          } catch (e) {
            // a step that ends the machine reverts inside its family with Terminated(status)
            const after = m.clone();
            step(after);
            expect(after.status_, `step ${k} (${f}): ${(e as Error).message.slice(0, 200)}`).to.not.equal(Status.Running);
            expect(String((e as { data?: string }).data), `step ${k} (${f})`).to.match(new RegExp(`^${TERMINATED}`));
          }
          if (post !== undefined) expect(hex32(post), `step ${k} (${f})`).to.equal(hex32(p.post));
          if (k % 64 === 0) {
            // a step's L1 gas is at least its calldata's EIP-7623 floor (the Cancun network does not charge it)
            const data = getBytes(d.verifier.interface.encodeFunctionData("step", [hex32(p.pre), proofBytes(p.proof)]));
            expect(await stepGasUsed(d, p.pre, p.proof)).to.be.at.least(calldataFloor(data));
          }
          // every other family refuses it, but for the instruction prologue every instruction family shares (code end,
          // undefined opcode, stack bounds, static gas): there a foreign family halts the frame exactly as its own does
          // (harmless: the route is a function of the pre-state, so only one family ever runs a given step)
          const other = VERIFIER_FAMILIES[(VERIFIER_FAMILIES.indexOf(f) + 1 + (k % (VERIFIER_FAMILIES.length - 1))) % VERIFIER_FAMILIES.length];
          let otherPost: bigint | undefined;
          try {
            otherPost = await fam[other].run(...args);
          } catch {
            refused++;
          }
          if (otherPost !== undefined) {
            const after = m.clone();
            step(after);
            expect(after.frame_?.stage, `step ${k}: ${other} runs a ${f} step (${classifyStep(m, after)})`).to.equal(Stage.Halted);
            expect(hex32(otherPost), `step ${k}: ${other} on a ${f} step`).to.equal(hex32(p.post));
          }
          total++;
          step(m);
        }
      }
      expect([...seen].sort()).to.deep.equal([...VERIFIER_FAMILIES].sort());
      expect(refused, `${refused} of ${total} steps refused by a foreign family`).to.be.greaterThan(0.9 * total);
    });
  });
});
