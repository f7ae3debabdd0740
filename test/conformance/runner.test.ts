/**
 * The conformance runner (conformance/runner.ts) on the four fixture state tests: its summary and JSON
 * line with the stepper, failures streamed to the --failures file as they come, and the worker
 * processes: one stuck past the per-vector limit is killed and the run goes on after that vector; one
 * that dies on its own (a native crash, injected by MOVESET_CRASH_AT_VECTOR) fails that vector, named,
 * and the run goes on. (A full run once died at its last vector when a terminated worker *thread*
 * corrupted the runner's heap: workers are processes now.)
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runConformance, type RunOptions } from "../../conformance/runner";

const DIR = path.join(__dirname, "..", "fixtures", "state-tests");

async function quiet<T>(f: () => Promise<T>): Promise<{ r: T; out: string }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => (lines.push(String(s)), true);
  (process.stderr as unknown as { write: (s: string) => boolean }).write = () => true;
  try {
    return { r: await f(), out: lines.join("") };
  } finally {
    (process.stdout as unknown as { write: typeof write }).write = write;
    (process.stderr as unknown as { write: typeof ewrite }).write = ewrite;
  }
}

function opts(o: Partial<RunOptions>): RunOptions {
  return { inputs: [DIR], json: true, workers: 2, mutants: true, showFailures: 20, vectorTimeoutSec: 0, ...o };
}

describe("conformance runner", function () {
  this.timeout(0);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-runner-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(() => delete process.env.MOVESET_CRASH_AT_VECTOR);

  it("runs every vector and the stepper in worker processes; the JSON line has the documented shape", async () => {
    const failuresFile = path.join(tmp, "none.txt");
    const { r, out } = await quiet(() => runConformance(opts({ stepper: true, failuresFile })));
    expect(r.passed).to.equal(4);
    expect(r.failed).to.equal(0);
    expect(r.stepper).to.deep.include({ vectors: 4, agreed: 4, outside: 0 });
    expect(r.stepper!.mutants.tried).to.be.greaterThan(0);
    expect(r.stepper!.mutants.matched).to.equal(r.stepper!.mutants.tried);
    const json = JSON.parse(out.trim().split("\n").pop()!);
    expect(Object.keys(json.stepper).sort()).to.deep.equal(["agreed", "mutants", "outside", "steps", "vectors"]);
    expect(json.passed).to.equal(4);
    expect(fs.readFileSync(failuresFile, "utf8")).to.equal("");
  });

  it("a worker that dies on a vector fails that vector, named, and the run goes on with the rest", async () => {
    process.env.MOVESET_CRASH_AT_VECTOR = "^add11\\.json#add11\\[0\\]$";
    const failuresFile = path.join(tmp, "crash.txt");
    const { r, out } = await quiet(() => runConformance(opts({ workers: 1, mutants: false, failuresFile })));
    expect(r.failed).to.equal(1);
    expect(r.passed).to.equal(3);
    expect(out).to.match(/add11\.json#add11\[0\]: the worker process died \((SIGABRT|exit code \d+)\) on this vector/);
    const lines = fs.readFileSync(failuresFile, "utf8").trim().split("\n");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^[^\t]+\tadd11\.json#add11\[0\]\tthe worker process died/);
  });

  it("a vector past the per-vector limit is skipped, named, its worker killed, and the run goes on after it", async () => {
    // a limit no vector can meet: every vector is skipped in turn, each time in a new worker process
    const { r, out } = await quiet(() => runConformance(opts({ workers: 1, mutants: false, vectorTimeoutSec: 0.001, filter: "add11|CallSha256" })));
    expect(r.skipped).to.equal(2);
    expect(r.passed + r.failed).to.equal(0);
    expect(out).to.contain("add11.json#add11[0]");
    expect(out).to.contain("CallSha256_1.json#CallSha256_1[0]");
    expect(out).to.contain("0 passed, 0 failed, 2 skipped");
  });

  it("a file that does not parse is one failure, written to the --failures file, and the other files still run", async () => {
    const mixed = path.join(tmp, "mixed");
    fs.mkdirSync(mixed);
    fs.writeFileSync(path.join(mixed, "broken.json"), "{ not json");
    fs.copyFileSync(path.join(DIR, "add11.json"), path.join(mixed, "add11.json"));
    const failuresFile = path.join(tmp, "bad.txt");
    const { r } = await quiet(() => runConformance(opts({ inputs: [mixed], workers: 1, mutants: false, failuresFile })));
    expect(r.passed).to.equal(1);
    expect(r.failed).to.equal(1);
    const lines = fs.readFileSync(failuresFile, "utf8").trim().split("\n");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/broken\.json\tfile does not load: /);
  });

  it("--results gets one line per vector as it comes; --resume runs only the vectors the file lacks and counts them all", async () => {
    const resultsFile = path.join(tmp, "results.jsonl");
    const first = await quiet(() => runConformance(opts({ workers: 1, mutants: false, filter: "add11|CallSha256", resultsFile })));
    expect(first.r.passed).to.equal(2);
    const lines = fs.readFileSync(resultsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; pass: boolean });
    expect(lines.map((l) => l.id).sort()).to.deep.equal(["CallSha256_1.json#CallSha256_1[0]", "add11.json#add11[0]"]);
    // a crash cut the last line short: that line is ignored (its vector runs again)
    fs.appendFileSync(resultsFile, '{"id":"callOutput3partial.json#callOut');
    // were add11 run again, this worker would die on it and the run would count a failure
    process.env.MOVESET_CRASH_AT_VECTOR = "^add11";
    const second = await quiet(() => runConformance(opts({ workers: 1, mutants: false, resultsFile, resume: true })));
    expect(second.r.passed).to.equal(4);
    expect(second.r.failed).to.equal(0);
    const all = fs.readFileSync(resultsFile, "utf8").trim().split("\n").filter((l) => l.endsWith("}")).map((l) => JSON.parse(l) as { id: string });
    expect(all.map((l) => l.id).sort()).to.deep.equal(["CREATE2_CallData.json#CREATE2_CallData[0]", "CallSha256_1.json#CallSha256_1[0]", "add11.json#add11[0]", "callOutput3partial.json#callOutput3partial[0]"]);
  });

  it("a vector beyond the rollup's limits where the machine stops at its memory bound is counted as outside, named, not as a disagreement", async () => {
    const { r, out } = await quiet(() => runConformance(opts({ inputs: [path.join(__dirname, "..", "fixtures", "state-tests-outside")], workers: 1, mutants: false, stepper: true })));
    expect(r.failed).to.equal(0);
    expect(r.stepper!.vectors).to.equal(6);
    expect(r.stepper!.outside).to.equal(1);
    expect(r.stepper!.agreed).to.equal(5);
    expect(out).to.contain("msize.json#msize[5]: memory of 360449 words: its gas limit 268435456 is above the rollup's 30000000");
  });
});
