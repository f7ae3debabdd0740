/**
 * One source of semantics (DESIGN.md §8.1): rollup transactions run in ethereumjs (the validator)
 * and in the step machine side by side; at every instruction boundary pc, gas, stack, memory and
 * depth agree, the machine ends with the validator's verdict, and both access the same keys. The
 * cases (scripts/step-cases.ts) cover the vaults, creations, EIP-6780, access lists, every
 * exceptional halt, the precompile limits and every fault the machine names.
 */
import { expect } from "chai";
import { Executor } from "../../../core/evm/execute";
import { checkStepper } from "../../../conformance/stepper";
import { syntheticCases, type SyntheticCase } from "../../../scripts/step-cases";
import { runTx, machineAt, hashAt, TRACE_LENGTH } from "../../../core/step/trace";
import { initialMachine } from "../../../core/step/init";
import { step } from "../../../core/step/interp";
import { syntheticTx, LOOP_CODE } from "../../../bench/synthetic";
import { STATUS_NAMES, Status } from "../../../core/step/types";

describe("core/step stepper against ethereumjs", function () {
  this.timeout(600_000);
  let ex: Executor;
  let cases: SyntheticCase[];

  before(async () => {
    ex = await Executor.create(901n);
    cases = await syntheticCases(ex);
  });

  it("agrees on every synthetic rollup case, ending with the validator's verdict", async () => {
    const verdicts: Record<string, string> = {};
    for (const c of cases) {
      const r = await checkStepper(c.tx, c.ctx, ex);
      expect(r.agreed, `${c.name}: ${r.reason}`).to.equal(true);
      verdicts[c.name] = r.status;
    }
    // the fault mutants end in exactly their fault, the others in ok
    for (const [name, status] of Object.entries(verdicts)) expect(status, name).to.equal(name.startsWith("fault-") ? name.slice(6) : "ok");
    // every status the machine can name but blob-fee-cap (conformance only) and nonce-max/initcode-size (see the preamble test)
    const seen = new Set(Object.values(verdicts));
    for (const s of Object.values(STATUS_NAMES)) if (!["running", "blob-fee-cap", "nonce-max", "initcode-size"].includes(s)) expect(seen.has(s), `status ${s}`).to.equal(true);
  });

  it("the fast loop's boundary probe sees exactly what ethereumjs's step events report", async () => {
    // the lockstep reads boundaries from the fast loop (core/evm/fast-interpreter.ts) unless asked for events
    let boundaries = 0;
    for (const c of cases) {
      const a = await checkStepper(c.tx, c.ctx, ex);
      const b = await checkStepper(c.tx, c.ctx, ex, undefined, { events: true });
      expect(a.source, c.name).to.equal("probe");
      expect(b.source, c.name).to.equal("events");
      expect({ ...a, source: undefined }, c.name).to.deep.equal({ ...b, source: undefined });
      boundaries += a.boundaries;
    }
    expect(boundaries).to.be.greaterThan(1000);
  });

  for (const events of [false, true])
    it(`a disagreement is reported (${events ? "step events" : "boundary probe"}): a machine with a wrong gas rule is caught at the first boundary it matters`, async () => {
    // the harness must not be a test that cannot fail: corrupt the machine's view of one opcode's gas
    const c = cases.find((x) => x.name === "storage")!;
    const interp = await import("../../../core/step/interp");
    const info = interp.opInfo(0x5c)!; // TLOAD
    const saved = info.gas;
    (info as { gas: bigint }).gas = saved + 1n;
    try {
      const r = await checkStepper(c.tx, c.ctx, ex, undefined, { events });
      expect(r.agreed).to.equal(false);
      expect(r.reason).to.match(/gas/);
    } finally {
      (info as { gas: bigint }).gas = saved;
    }
  });

  it("checkpoints give the state at any step without running from the start, and the trace is padded with the terminal state", async () => {
    const s = await syntheticTx(ex, LOOP_CODE, { gasLimit: 200_000n });
    const t = await runTx(s.tx, s.ctx, undefined, { every: 1000 });
    expect(t.status).to.equal(Status.Ok);
    expect(t.checkpoints.length).to.be.greaterThan(10);
    const direct = initialMachine(s.tx, s.ctx);
    const ks = [0, 1, 999, 1000, 1001, 5555, t.steps - 1];
    let at = 0;
    for (const k of ks) {
      while (at < k) {
        step(direct);
        at++;
      }
      expect(hashAt(t, k), `step ${k}`).to.equal(direct.hash());
    }
    // beyond the end: the terminal state, whose top byte is its status, up to the padded length
    const end = hashAt(t, t.steps);
    expect(end >> 248n).to.equal(BigInt(Status.Ok));
    expect(hashAt(t, TRACE_LENGTH - 1)).to.equal(end);
    expect(() => machineAt(t, TRACE_LENGTH)).to.throw(RangeError);
    // a checkpoint is a private copy: stepping it does not change the trace
    const m = machineAt(t, 2500);
    step(m);
    expect(hashAt(t, 2500)).to.not.equal(m.hash());
  });
});
