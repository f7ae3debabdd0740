/**
 * `moveset osp-check` (cli/osp-check.ts) end to end, in process: four state tests (a storage write, calls
 * with partial return windows, CREATE2, the SHA256 precompile) replayed step by step through the deployed
 * one-step verifier; every step agrees, coverage and L1 gas are reported, and the JSON summary line has
 * the documented shape. (That a disagreement is counted and refused: test/contracts/step/verifier.test.ts.)
 */
import { expect } from "chai";
import * as path from "path";
import { runOspCheck } from "../../cli/osp-check";

const DIR = path.join(__dirname, "..", "fixtures", "state-tests");

describe("moveset osp-check", function () {
  this.timeout(0);

  it("every chosen step of the vectors agrees with the stepper; the summary line has the documented shape", async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => {
      lines.push(String(s));
      return true;
    };
    let r;
    try {
      r = await runOspCheck([DIR], { steps: 60, gas: true, json: true, showFailures: 10 });
    } finally {
      (process.stdout as unknown as { write: typeof write }).write = write;
    }
    expect(r.failures).to.equal(0);
    expect(r.steps).to.be.greaterThan(100);
    expect(r.agreed).to.equal(r.steps);
    const out = lines.join("");
    expect(out).to.contain(`${r.agreed} passed, 0 failed`);
    const json = JSON.parse(out.trim().split("\n").pop()!);
    expect(Object.keys(json).sort()).to.deep.equal(["agreed", "gas", "halts", "microSteps", "opcodes", "precompiles", "steps"]);
    expect(json.steps).to.equal(r.steps);
    expect(json.precompiles).to.be.at.least(1);
    expect(json.opcodes).to.be.greaterThan(20);
    expect(json.gas.p50).to.be.within(20_000, 200_000);
    expect(json.gas.max).to.be.below(2 ** 24);
  });
});
