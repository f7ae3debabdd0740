/**
 * `moveset osp-check` (cli/osp-check.ts) end to end, in process: four state tests (a storage write, calls
 * with partial return windows, CREATE2, the SHA256 precompile) replayed step by step through the deployed
 * one-step verifier; every step agrees, coverage and L1 gas are reported, and the JSON summary line has
 * the documented shape. (That a disagreement is counted and refused: test/contracts/step/verifier.test.ts.)
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runOspCheck, type OspCheckCliOptions } from "../../cli/osp-check";
import { CliError } from "../../cli/errors";

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

  it("--checkpoint with --max-vectors: a run in slices ends with exactly the uninterrupted run's counts; another list's checkpoint is refused", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "osp-checkpoint-"));
    try {
      const whole = await captured({ steps: 6, gas: true, json: true, showFailures: 10 });
      const checkpoint = path.join(tmp, "cp.json");
      const first = await captured({ steps: 6, gas: true, json: true, showFailures: 10, checkpoint, maxVectors: 3 });
      expect(first.r.done).to.equal(3);
      expect(first.lines.join("")).to.contain(`stopped after vector 3 of 4 (--max-vectors): run again with --checkpoint ${checkpoint} to go on`);
      expect(first.r.steps).to.be.below(whole.r.steps);
      const rest = await captured({ steps: 6, gas: true, json: true, showFailures: 10, checkpoint });
      expect(rest.r.done).to.equal(4);
      const a = JSON.parse(whole.lines.join("").trim().split("\n").pop()!);
      const b = JSON.parse(rest.lines.join("").trim().split("\n").pop()!);
      // the same steps checked, the same coverage; gas the same but for the steps' own small variance: the same count
      expect([b.steps, b.agreed, b.opcodes, b.microSteps, b.precompiles, b.halts]).to.deep.equal([a.steps, a.agreed, a.opcodes, a.microSteps, a.precompiles, a.halts]);
      expect(Object.values(b.families as Record<string, { steps: number }>).reduce((x, f) => x + f.steps, 0)).to.equal(a.steps);
      // a checkpoint of the whole list, given a run of another list
      const refused = async (p: Promise<unknown>, re: RegExp) => {
        const e = await p.then(
          () => undefined,
          (x: Error) => x,
        );
        expect(e, "refused").to.be.instanceOf(CliError);
        expect(e!.message).to.match(re);
      };
      await refused(runOspCheck([path.join(__dirname, "..", "fixtures", "state-tests-outside")], { steps: 3, gas: false, json: false, showFailures: 1, checkpoint }), /is of another list of vectors/);
      fs.writeFileSync(checkpoint, "{ cut sho");
      await refused(runOspCheck([DIR], { steps: 3, gas: false, json: false, showFailures: 1, checkpoint }), /does not parse .*remove it to start over/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
