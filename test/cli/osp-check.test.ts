/**
 * `moveset osp-check` (cli/osp-check.ts) end to end, in process: four state tests (a storage write, calls
 * with partial return windows, CREATE2, the SHA256 precompile) replayed step by step through the deployed
 * one-step verifier; every step agrees, coverage and L1 gas are reported, and the JSON summary line has
 * the documented shape. (That a disagreement is counted and refused: test/contracts/step/verifier.test.ts.)
 */
import { expect } from "chai";
import * as path from "path";
import { runOspCheck, type OspCheckCliOptions } from "../../cli/osp-check";

const DIR = path.join(__dirname, "..", "fixtures", "state-tests");

/** Runs osp-check on the fixtures, capturing what it prints. */
async function captured(o: OspCheckCliOptions): Promise<{ r: Awaited<ReturnType<typeof runOspCheck>>; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => {
    lines.push(String(s));
    return true;
  };
  try {
    return { r: await runOspCheck([DIR], o), lines };
  } finally {
    (process.stdout as unknown as { write: typeof write }).write = write;
  }
}

describe("moveset osp-check", function () {
  this.timeout(0);

  it("every chosen step of the vectors agrees with the stepper; the summary line has the documented shape", async () => {
    const { r, lines } = await captured({ steps: 60, gas: true, json: true, showFailures: 10 });
    expect(r.failures).to.equal(0);
    expect(r.steps).to.be.greaterThan(100);
    expect(r.agreed).to.equal(r.steps);
    const out = lines.join("");
    expect(out).to.contain(`${r.agreed} passed, 0 failed`);
    const json = JSON.parse(out.trim().split("\n").pop()!);
    expect(Object.keys(json).sort()).to.deep.equal(["agreed", "families", "gas", "halts", "microSteps", "opcodes", "precompiles", "steps"]);
    expect(json.steps).to.equal(r.steps);
    expect(json.precompiles).to.be.at.least(1);
    expect(json.opcodes).to.be.greaterThan(20);
    expect(json.gas.p50).to.be.within(20_000, 200_000);
    expect(json.gas.max).to.be.below(2 ** 24);
    // gas by the verifier's family: every step counted once, the overall max is some family's max
    const fams = json.families as Record<string, { steps: number; p50: number; p99: number; max: number; worst: string }>;
    expect(Object.values(fams).reduce((a, f) => a + f.steps, 0)).to.equal(json.steps);
    expect(Math.max(...Object.values(fams).map((f) => f.max))).to.equal(json.gas.max);
    for (const [name, f] of Object.entries(fams)) {
      expect(["StepTx", "StepHash", "StepCall", "StepState", "StepRun"], name).to.include(name);
      expect(f.p50).to.be.at.most(f.p99);
      expect(f.p99).to.be.at.most(f.max);
      expect(f.worst).to.match(/ at .+#.+ step \d+$/);
    }
    expect(Object.keys(fams)).to.include.members(["StepTx", "StepCall", "StepRun"]);
  });

  it("with 2 steps per vector it still checks the first step of every opcode, micro-step kind and precompile the vectors run", async () => {
    const { r, lines } = await captured({ steps: 2, gas: false, json: true, showFailures: 10 });
    expect(r.agreed).to.equal(r.steps);
    const json = JSON.parse(lines.join("").trim().split("\n").pop()!);
    // 4 vectors x 2 steps would reach a handful of kinds; the first steps of new kinds add the rest
    expect(json.opcodes).to.be.greaterThan(20);
    expect(json.microSteps).to.be.at.least(8);
    expect(json.precompiles).to.be.at.least(1);
    expect(json.steps).to.be.below(200);
    expect(json.families).to.deep.equal({});
  });

  it("a vector beyond the rollup's limits (the machine's memory bound) is named as outside them and the run goes on", async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => (lines.push(String(s)), true);
    let r: Awaited<ReturnType<typeof runOspCheck>>;
    try {
      r = await runOspCheck([path.join(__dirname, "..", "fixtures", "state-tests-outside")], { steps: 3, gas: false, json: true, showFailures: 10 });
    } finally {
      (process.stdout as unknown as { write: typeof write }).write = write;
    }
    const out = lines.join("");
    expect(r.failures).to.equal(0);
    expect(r.agreed).to.equal(r.steps);
    expect(r.steps).to.be.greaterThan(5); // the other five vectors were checked
    expect(out).to.contain("outside the rollup's limits (1, not checked");
    expect(out).to.contain("msize.json#msize[5]: outside the rollup's limits: memory of 360449 words (gas limit 268435456 > 30000000)");
  });
});
