/**
 * Running the machine: to its terminal state, with checkpoints every so many steps, and back to
 * any step K from the nearest checkpoint (the state hash at step K of a long transaction without
 * re-running from the start), and the padded trace length of docs/step-machine.md §7.
 */
import type { TxContext } from "../context";
import type { MoveTx, WrappedTx } from "../tx";
import type { CodeLookup } from "../validate";
import { loadCrypto } from "../evm/chain";
import { initialMachine } from "./init";
import { Machine } from "./machine";
import { NeedKzgError } from "./precompiles";
import { step } from "./interp";
import { Stage, Status } from "./types";

export const TRACE_LOG2 = 26;
export const TRACE_LENGTH = 2 ** TRACE_LOG2;

/** An instruction boundary: the machine is about to execute the instruction at pc of a running frame. */
export function atBoundary(m: Machine): boolean {
  const f = m.frame_;
  return m.status_ === Status.Running && m.pending_ === null && f !== null && f.stage === Stage.Run && f.pc < f.codeSize;
}

export interface Trace {
  /** Steps until the terminal state (the state after them is terminal). */
  steps: number;
  status: number;
  /** Machines at steps 0, every, 2·every, … (each a private copy). */
  checkpoints: Machine[];
  every: number;
  final: Machine;
}

export interface RunOptions {
  /** Steps between checkpoints (0: none but step 0). */
  every?: number;
  /** Called at each instruction boundary. */
  onBoundary?: (m: Machine) => void;
  /** Give up after this many steps. */
  maxSteps?: number;
}

/** Runs a step-0 machine to its end (mutates it). */
export function runMachine(m: Machine, opts: RunOptions = {}): Trace {
  const every = opts.every ?? 0;
  const max = opts.maxSteps ?? TRACE_LENGTH;
  const checkpoints = [m.clone()];
  let n = 0;
  const onB = opts.onBoundary;
  while (m.status_ === Status.Running) {
    if (n >= max) throw new Error(`the machine runs beyond ${max} steps`);
    if (onB && atBoundary(m)) onB(m);
    step(m);
    n++;
    if (every > 0 && n % every === 0 && m.status_ === Status.Running) checkpoints.push(m.clone());
  }
  return { steps: n, status: m.status_, checkpoints, every, final: m };
}

/** Builds step 0 and runs to the end; loads KZG and starts again if the point-evaluation precompile needs it. */
export async function runTx(tx: MoveTx | WrappedTx, ctx: TxContext, lookup?: CodeLookup, opts: RunOptions = {}): Promise<Trace> {
  for (;;) {
    const m = initialMachine(tx, ctx, lookup);
    try {
      return runMachine(m, opts);
    } catch (e) {
      if (!(e instanceof NeedKzgError)) throw e;
      await loadCrypto();
    }
  }
}

/** The machine at step k (a private copy), from the nearest checkpoint at or before it. */
export function machineAt(t: Trace, k: number): Machine {
  if (k < 0 || k >= TRACE_LENGTH) throw new RangeError(`step ${k} is outside the trace`);
  if (k >= t.steps) return t.final.clone();
  const ci = t.every > 0 ? Math.min(Math.floor(k / t.every), t.checkpoints.length - 1) : 0;
  const m = t.checkpoints[ci].clone();
  for (let i = ci * (t.every || 0); i < k; i++) step(m);
  return m;
}

/** The state hash at step k of the padded trace. */
export function hashAt(t: Trace, k: number): bigint {
  return machineAt(t, k).hash();
}
