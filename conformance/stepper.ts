/**
 * One source of semantics (DESIGN.md §8.1): a transaction runs in @ethereumjs/evm (the validator)
 * and in the step machine in lockstep. At every instruction boundary the machine's pc, gas left,
 * stack, memory and call depth must equal what ethereumjs reports in its `step` event; at the end the
 * machine's terminal status must be the validator's verdict, and the keys the machine accessed must
 * be the keys the validator accessed.
 */
import * as path from "path";
import type { InterpreterStep } from "@ethereumjs/evm";
import { bytesToHex } from "@ethereumjs/util";
import { Executor } from "../core/evm/execute";
import { setBoundaryProbe, type Boundary } from "../core/evm/fast-interpreter";
import { loadCrypto } from "../core/evm/chain";
import { InvalidTxError } from "../core/errors";
import type { TxContext } from "../core/context";
import type { MoveTx, WrappedTx } from "../core/tx";
import { validateTx, type CodeLookup } from "../core/validate";
import { initialMachine } from "../core/step/init";
import { step } from "../core/step/interp";
import { atBoundary } from "../core/step/trace";
import { Status, STATUS_NAMES, type Ctx } from "../core/step/types";
import type { Machine } from "../core/step/machine";
import type { ConsStack } from "../core/step/stack";
import { MachineLimitError, type Mem } from "../core/step/mem";

export interface StepperResult {
  /** The machine agreed with ethereumjs at every boundary and ended with the validator's verdict. */
  agreed: boolean;
  /** Steps to the terminal state. */
  steps: number;
  /** Instruction boundaries compared. */
  boundaries: number;
  /** The machine's terminal status name. */
  status: string;
  /** The validator's verdict ("ok" or its reason code). */
  verdict: string;
  /** The first disagreement. */
  reason?: string;
  /** Where ethereumjs's boundaries came from: the fast loop's probe, or its `step` events. */
  source?: "probe" | "events";
  /** The transaction has no step 0: a fault before execution (a one-step prover's, not the machine's). */
  before?: boolean;
  /**
   * The machine stopped at one of its fixed bounds (docs/step-machine.md §2.1: a memory beyond 2^17
   * words), which only a transaction with more gas than the rollup allows reaches (check-vector.ts
   * tells which).
   */
  limit?: string;
}

let kzg: Promise<void> | undefined;
let hookPatched = false;

/**
 * ethereumjs's step hook reads REVERT's memory range for its event (`error`), and a huge range
 * crashes it ("Invalid typed array length") where the same instruction without listeners simply runs
 * out of gas. Listening must not change the run: the hook sees at most 16 MiB of that range.
 */
function patchStepHook(): void {
  if (hookPatched) return;
  hookPatched = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = require(path.join(path.dirname(require.resolve("@ethereumjs/evm")), "interpreter.js")).Interpreter.prototype as {
    _runStepHook: (...a: unknown[]) => Promise<void>;
  };
  const orig = proto._runStepHook;
  proto._runStepHook = async function (this: { _runState: { memory: { read: (o: number, n: number, a?: boolean) => Uint8Array } } }, ...args: unknown[]) {
    const mem = this._runState.memory;
    const read = mem.read;
    mem.read = (o: number, n: number, a?: boolean) => (n > 1 << 24 || o > 1 << 24 ? new Uint8Array(0) : read.call(mem, o, n, a));
    try {
      return await orig.apply(this, args);
    } finally {
      delete (mem as { read?: unknown }).read;
    }
  };
}

function describe(m: Machine): string {
  const f = m.frame_!;
  return `pc ${f.pc} depth ${(f.ctx as Ctx).depth}`;
}

/** An ethereumjs `step` event as a boundary (the slow path: events when the fast loop is off). */
function fromEvent(ev: InterpreterStep): Boundary {
  return { pc: ev.pc, gasLeft: ev.gasLeft, depth: ev.depth, stack: ev.stack, stackLength: ev.stack.length, memory: ev.memory, memoryWordCount: ev.memoryWordCount };
}

/** Compares the machine at a boundary with ethereumjs's view of it; returns the difference or undefined. */
function compare(m: Machine, ev: Boundary): string | undefined {
  const f = m.frame_!;
  const depth = (f.ctx as Ctx).depth;
  if (f.pc !== ev.pc) return `pc ${f.pc} != ${ev.pc}`;
  if (depth !== ev.depth) return `depth ${depth} != ${ev.depth}`;
  if (f.gas !== ev.gasLeft) return `gas ${f.gas} != ${ev.gasLeft} (${describe(m)})`;
  const stack = (f.stack as ConsStack).toArray();
  if (stack.length !== ev.stackLength) return `stack height ${stack.length} != ${ev.stackLength} (${describe(m)})`;
  for (let i = 0; i < stack.length; i++) if (stack[i] !== ev.stack[i]) return `stack[${i}] ${stack[i]} != ${ev.stack[i]} (${describe(m)})`;
  const words = Number(ev.memoryWordCount);
  if (f.memSize !== words) return `memory size ${f.memSize} != ${words} words (${describe(m)})`;
  const mem = (f.mem as Mem).read(0, words * 32);
  const theirs = ev.memory;
  for (let i = 0; i < mem.length; i++) if (mem[i] !== (theirs[i] ?? 0)) return `memory byte ${i} ${mem[i]} != ${theirs[i]} (${describe(m)})`;
  return undefined;
}

/** Runs `tx` in the validator and in the machine, side by side. */
export async function checkStepper(tx: MoveTx | WrappedTx, ctx: TxContext, ex: Executor, lookup?: CodeLookup, opts: { events?: boolean } = {}): Promise<StepperResult> {
  kzg ??= loadCrypto();
  await kzg;
  patchStepHook();
  let m: Machine | undefined;
  try {
    m = initialMachine(tx, ctx, lookup);
  } catch (e) {
    // no step 0: a fault before execution (decoding, signature, structure, witness), the validator's to name
    return noStepZero(e, await verdictFor(tx, ctx, ex, lookup));
  }
  m.trackAccess = new Set();
  let steps = 0;
  let boundaries = 0;
  let reason: string | undefined;
  let limit: string | undefined;
  const stopped = (e: unknown): void => {
    reason = `the machine stops: ${(e as Error).message}`;
    if (e instanceof MachineLimitError) limit = (e as Error).message;
  };
  const advance = (): boolean => {
    // runs the machine to its next boundary; false if it ended first
    while (m!.status_ === Status.Running) {
      if (atBoundary(m!)) return true;
      step(m!);
      steps++;
    }
    return false;
  };
  const onBoundary = (ev: Boundary): void => {
    if (reason) return;
    try {
      onEvent(ev);
    } catch (e) {
      stopped(e);
    }
  };
  // ethereumjs's boundaries from the fast loop's probe (the loop validators run; no event object,
  // promise or memory copy per instruction), else from its `step` events (MOVESET_NO_FAST_INTERPRETER=1)
  const probed = !opts.events && setBoundaryProbe(onBoundary);
  if (!probed) ex.onStep((ev) => onBoundary(fromEvent(ev)));
  const onEvent = (ev: Boundary): void => {
    if (!advance()) {
      reason = `ethereumjs runs instruction at pc ${ev.pc} but the machine ended (${STATUS_NAMES[m!.status_]}) after ${steps} steps`;
      return;
    }
    const d = compare(m!, ev);
    if (d) {
      reason = `boundary ${boundaries}: ${d}`;
      return;
    }
    boundaries++;
    step(m!);
    steps++;
  };
  let verdict: string;
  try {
    await validateTx(tx, ctx, ex, lookup);
    verdict = "ok";
  } catch (e) {
    verdict = verdictOf(e);
  } finally {
    if (probed) setBoundaryProbe(null);
    else ex.onStep(null);
  }
  const accessed = [...ex.lastAccessed()].sort();
  if (!reason)
    try {
      finish();
    } catch (e) {
      stopped(e);
    }
  function finish(): void {
    // the rest: at most one more boundary (a fault in an instruction's gas computation stops ethereumjs before its event)
    let extra = 0;
    while (m!.status_ === Status.Running) {
      if (atBoundary(m!)) {
        extra++;
        if (extra > 1 || verdict === "ok") {
          reason = `the machine runs instruction at ${describe(m!)} that ethereumjs did not`;
          break;
        }
      }
      step(m!);
      steps++;
    }
  }
  const status = STATUS_NAMES[m.status_] ?? String(m.status_);
  if (!reason && status !== verdict) reason = `machine ends ${status}, validator says ${verdict}`;
  if (!reason && (verdict === "ok" || verdict === "next-mismatch" || verdict === "fee-output" || verdict === "withdrawal-output")) {
    const mine = [...m.trackAccess].sort();
    if (mine.join() !== accessed.join()) {
      const a = new Set(accessed);
      const b = new Set(mine);
      reason = `accessed keys differ: machine only [${mine.filter((k) => !a.has(k)).join(", ")}], validator only [${accessed.filter((k) => !b.has(k)).join(", ")}]`;
    }
  }
  return { agreed: !reason, steps, boundaries, status, verdict, reason, limit, source: probed ? "probe" : "events" };
}

/**
 * The machine's terminal status against the validator's verdict only (no per-instruction
 * comparison): for mutants, whose agreement on every instruction the unmutated run already shows.
 */
export async function checkVerdict(tx: MoveTx | WrappedTx, ctx: TxContext, ex: Executor, lookup?: CodeLookup): Promise<StepperResult> {
  kzg ??= loadCrypto();
  await kzg;
  const verdict = await verdictFor(tx, ctx, ex, lookup);
  let m: Machine;
  try {
    m = initialMachine(tx, ctx, lookup);
  } catch (e) {
    return noStepZero(e, verdict);
  }
  let steps = 0;
  try {
    while (m.status_ === Status.Running) {
      step(m);
      steps++;
    }
  } catch (e) {
    const limit = e instanceof MachineLimitError ? (e as Error).message : undefined;
    return { agreed: false, steps, boundaries: 0, status: "running", verdict, reason: `the machine stops: ${(e as Error).message}`, limit };
  }
  const status = STATUS_NAMES[m.status_] ?? String(m.status_);
  return { agreed: status === verdict, steps, boundaries: 0, status, verdict, reason: status === verdict ? undefined : `machine ends ${status}, validator says ${verdict}` };
}

/** The validator's verdict on `tx`: "ok" or its reason code. */
async function verdictFor(tx: MoveTx | WrappedTx, ctx: TxContext, ex: Executor, lookup?: CodeLookup): Promise<string> {
  try {
    await validateTx(tx, ctx, ex, lookup);
    return "ok";
  } catch (e) {
    return verdictOf(e);
  }
}

/** A transaction with no step 0 (initialMachine threw `e`) agrees iff the validator names the same fault. */
function noStepZero(e: unknown, verdict: string): StepperResult {
  const same = verdict === verdictOf(e);
  return { agreed: same, before: true, steps: 0, boundaries: 0, status: "none", verdict, reason: same ? undefined : `no step 0 (${verdictOf(e)}) but the validator says ${verdict}` };
}

function verdictOf(e: unknown): string {
  if (e instanceof InvalidTxError) return e.code;
  return `error: ${(e as Error)?.message ?? String(e)}`;
}

export { bytesToHex };
