/**
 * One source of semantics (DESIGN.md §8.1): a transaction runs in @ethereumjs/evm (the validator)
 * and in the step machine in lockstep. At every instruction boundary the machine's pc, gas left,
 * stack, memory and call depth must equal what ethereumjs reports in its `step` event; at the end the
 * machine's terminal status must be the validator's verdict, and the keys the machine accessed must
 * be the keys the validator accessed.
 */
import type { InterpreterStep } from "@ethereumjs/evm";
import { bytesToHex } from "@ethereumjs/util";
import { Executor } from "../core/evm/execute";
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
import type { Mem } from "../core/step/mem";

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
}

let kzg: Promise<void> | undefined;

function describe(m: Machine): string {
  const f = m.frame_!;
  return `pc ${f.pc} depth ${(f.ctx as Ctx).depth}`;
}

/** Compares the machine at a boundary with an ethereumjs step event; returns the difference or undefined. */
function compare(m: Machine, ev: InterpreterStep): string | undefined {
  const f = m.frame_!;
  const depth = (f.ctx as Ctx).depth;
  if (f.pc !== ev.pc) return `pc ${f.pc} != ${ev.pc}`;
  if (depth !== ev.depth) return `depth ${depth} != ${ev.depth}`;
  if (f.gas !== ev.gasLeft) return `gas ${f.gas} != ${ev.gasLeft} (${describe(m)})`;
  const stack = (f.stack as ConsStack).toArray();
  if (stack.length !== ev.stack.length) return `stack height ${stack.length} != ${ev.stack.length} (${describe(m)})`;
  for (let i = 0; i < stack.length; i++) if (stack[i] !== ev.stack[i]) return `stack[${i}] ${stack[i]} != ${ev.stack[i]} (${describe(m)})`;
  const words = Number(ev.memoryWordCount);
  if (f.memSize !== words) return `memory size ${f.memSize} != ${words} words (${describe(m)})`;
  const mem = (f.mem as Mem).read(0, words * 32);
  const theirs = ev.memory;
  for (let i = 0; i < mem.length; i++) if (mem[i] !== (theirs[i] ?? 0)) return `memory byte ${i} ${mem[i]} != ${theirs[i]} (${describe(m)})`;
  return undefined;
}

/** Runs `tx` in the validator and in the machine, side by side. */
export async function checkStepper(tx: MoveTx | WrappedTx, ctx: TxContext, ex: Executor, lookup?: CodeLookup): Promise<StepperResult> {
  kzg ??= loadCrypto();
  await kzg;
  let m: Machine | undefined;
  try {
    m = initialMachine(tx, ctx, lookup);
  } catch (e) {
    // no step 0: the fault is one the machine does not decide (decoding, signature, structure, witness)
    return { agreed: false, steps: 0, boundaries: 0, status: "none", verdict: verdictOf(e), reason: `no step 0: ${(e as Error).message}` };
  }
  m.trackAccess = new Set();
  let steps = 0;
  let boundaries = 0;
  let reason: string | undefined;
  const advance = (): boolean => {
    // runs the machine to its next boundary; false if it ended first
    while (m!.status_ === Status.Running) {
      if (atBoundary(m!)) return true;
      step(m!);
      steps++;
    }
    return false;
  };
  ex.onStep((ev) => {
    if (reason) return;
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
  });
  let verdict: string;
  try {
    await validateTx(tx, ctx, ex, lookup);
    verdict = "ok";
  } catch (e) {
    verdict = verdictOf(e);
  } finally {
    ex.onStep(null);
  }
  const accessed = [...ex.lastAccessed()].sort();
  if (!reason) {
    // the rest: at most one more boundary (a fault in an instruction's gas computation stops ethereumjs before its event)
    let extra = 0;
    while (m.status_ === Status.Running) {
      if (atBoundary(m)) {
        extra++;
        if (extra > 1 || verdict === "ok") {
          reason = `the machine runs instruction at ${describe(m)} that ethereumjs did not`;
          break;
        }
      }
      step(m);
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
  return { agreed: !reason, steps, boundaries, status, verdict, reason };
}

function verdictOf(e: unknown): string {
  if (e instanceof InvalidTxError) return e.code;
  return `error: ${(e as Error)?.message ?? String(e)}`;
}

export { bytesToHex };
