/**
 * The step machine in `moveset bench`: how fast the stepper runs the workload's transactions
 * (steps per second), and how long the state hash at an arbitrary step K of the workload's largest
 * transaction takes with checkpoints (what each bisection move of the game asks for). A synthetic
 * 30M-gas loop shows the same for the largest transaction the rollup admits.
 */
import { decodeTx, type MoveTx, type WrappedTx } from "../core/tx";
import { initialMachine } from "../core/step/init";
import { runMachine, machineAt, type Trace } from "../core/step/trace";
import { Status } from "../core/step/types";
import type { Executor } from "../core/evm/execute";
import type { Workload } from "./workload";
import { batchOfTx, txContext, type FilledWorkload } from "./fill";
import { rng } from "./rng";
import { syntheticTx, LOOP_CODE } from "./synthetic";
import { median } from "./stats";

export interface StepperBench {
  txs: number;
  steps: number;
  stepsPerSec: number;
  largestTxSteps: number;
  /** Median time to the state hash at a random step of the largest transaction (checkpoints every `every` steps). */
  stateAtStepMs: number;
  every: number;
  loop30M: { steps: number; stepsPerSec: number; stateAtStepMs: number; checkpoints: number };
}

/** Median ms of hashAt for `n` seeded random steps. */
function timeStateAt(t: Trace, n: number, seed: string): number {
  const r = rng([...seed].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7));
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * t.steps);
    const t0 = performance.now();
    machineAt(t, k).hash();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function measureStepper(w: Workload, f: FilledWorkload, ex: Executor, o: { log: (s: string) => void; quick: boolean }): Promise<StepperBench> {
  const batchOf = batchOfTx(w);
  let steps = 0;
  let ms = 0;
  let largest = { i: -1, steps: 0 };
  const every = 1 << 12;
  for (let i = w.setupCount; i < w.txs.length; i++) {
    const tx = decodeTx(f.encoded[i]) as MoveTx | WrappedTx;
    const seq = BigInt(i + 1);
    const m = initialMachine(tx, txContext(seq, batchOf[i]), (h) => f.codes.before(h, seq));
    const t0 = performance.now();
    const t = runMachine(m);
    ms += performance.now() - t0;
    if (t.status !== Status.Ok) throw new Error(`the step machine ends workload tx ${i} in status ${t.status}`);
    steps += t.steps;
    if (t.steps > largest.steps) largest = { i, steps: t.steps };
  }
  const li = largest.i;
  const lseq = BigInt(li + 1);
  const ltx = decodeTx(f.encoded[li]) as MoveTx | WrappedTx;
  const lt = runMachine(initialMachine(ltx, txContext(lseq, batchOf[li]), (h) => f.codes.before(h, lseq)), { every });
  const stateAtStepMs = timeStateAt(lt, 25, "state-at");
  o.log(`stepper: ${steps} steps of ${w.txs.length - w.setupCount} transactions at ${Math.round((steps / ms) * 1000)} steps/s; largest ${largest.steps} steps, state at a step in ${stateAtStepMs.toFixed(2)} ms`);

  const s = await syntheticTx(ex, LOOP_CODE, { gasLimit: 30_000_000n });
  const loopEvery = 1 << 16;
  const t0 = performance.now();
  const lp = runMachine(initialMachine(s.tx, s.ctx), { every: loopEvery });
  const loopMs = performance.now() - t0;
  const loopAt = timeStateAt(lp, o.quick ? 5 : 15, "loop");
  o.log(`stepper: 30M-gas loop, ${lp.steps} steps in ${(loopMs / 1000).toFixed(1)} s, state at a step in ${loopAt.toFixed(1)} ms (${lp.checkpoints.length} checkpoints)`);
  return {
    txs: w.txs.length - w.setupCount,
    steps,
    stepsPerSec: (steps / ms) * 1000,
    largestTxSteps: largest.steps,
    stateAtStepMs,
    every,
    loop30M: { steps: lp.steps, stepsPerSec: (lp.steps / loopMs) * 1000, stateAtStepMs: loopAt, checkpoints: lp.checkpoints.length },
  };
}
