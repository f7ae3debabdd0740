/**
 * A player's trace of one transaction for the dispute game (docs/protocol.md §11.5.1): the state hash S_k at every
 * k of the padded trace (0 ≤ k ≤ 2^26: past the machine's end every state is the terminal one), the proof of the
 * step from any S_k (prover/step-proof.ts), and the code its steps read, which the game's player registers on L1
 * before a step needs it (protocol.md §13.1).
 *
 * The machine runs once to its end, keeping at most MAX_CHECKPOINTS copies spread over the run (every `every`
 * steps, `every` doubling whenever they would exceed it); S_k is replayed from the checkpoint below k. A game asks
 * for 27 states on one path and one proof, so the replays cost a few times `every` steps.
 */
import { bytesToHex } from "../core/bytes";
import type { TxContext } from "../core/context";
import type { MoveTx, WrappedTx } from "../core/tx";
import type { CodeLookup } from "../core/validate";
import { loadCrypto } from "../core/evm/chain";
import { initialMachine } from "../core/step/init";
import { step } from "../core/step/interp";
import type { Machine } from "../core/step/machine";
import { NeedKzgError } from "../core/step/precompiles";
import { STATUS_NAMES, Status } from "../core/step/types";
import { TRACE_LENGTH, TRACE_LOG2 } from "../core/step/trace";
import { proofBytes, proveStep } from "./step-proof";

/** Most machine copies a trace keeps. */
export const MAX_CHECKPOINTS = 256;

/** A code the trace reads: its bytes (registered on L1 by hash) and whether a carrier makes it available. */
export interface UsedCode {
  hash: string;
  bytes: Uint8Array;
  /** Available by a carrier (T's witness or an earlier transaction's), not only created by T. */
  carried: boolean;
}

const hex32 = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");

export class StepTrace {
  /** Steps until the terminal state. */
  readonly steps: number;
  /** The terminal status (core/step/types.ts Status). */
  readonly status: number;
  private readonly finalHash: string;
  private readonly cache = new Map<number, string>();

  private constructor(
    private readonly checkpoints: Machine[],
    private readonly every: number,
    private readonly last: Machine,
    steps: number,
  ) {
    this.steps = steps;
    this.status = last.status_;
    this.finalHash = hex32(last.hash());
  }

  /** Runs transaction `tx` in context `ctx` (code beyond its witness from `lookup`) to its end. */
  static async run(tx: MoveTx | WrappedTx, ctx: TxContext, lookup?: CodeLookup, o: { maxCheckpoints?: number } = {}): Promise<StepTrace> {
    for (;;) {
      try {
        return StepTrace.fromMachine(initialMachine(tx, ctx, lookup), o);
      } catch (e) {
        if (!(e instanceof NeedKzgError)) throw e;
        await loadCrypto();
      }
    }
  }

  /** The trace from a step-0 machine (which it runs; the caller keeps no use of it). */
  static fromMachine(m: Machine, o: { maxCheckpoints?: number } = {}): StepTrace {
    const max = Math.max(2, o.maxCheckpoints ?? MAX_CHECKPOINTS);
    let every = 1;
    let cps: Machine[] = [m.clone()];
    let n = 0;
    while (m.status_ === Status.Running) {
      if (n >= TRACE_LENGTH) throw new Error(`the machine runs beyond ${TRACE_LENGTH} steps`);
      step(m);
      n++;
      if (n % every === 0 && m.status_ === Status.Running) {
        cps.push(m.clone());
        if (cps.length > max) {
          cps = cps.filter((_, i) => i % 2 === 0);
          every *= 2;
        }
      }
    }
    return new StepTrace(cps, every, m, n);
  }

  get statusName(): string {
    return STATUS_NAMES[this.status] ?? `status ${this.status}`;
  }

  /** Whether the machine ends ok (every declared key equals its next). */
  get ok(): boolean {
    return this.status === Status.Ok;
  }

  /** The machine at step k < steps (a private copy). */
  private machineAt(k: number): Machine {
    const ci = Math.min(Math.floor(k / this.every), this.checkpoints.length - 1);
    const m = this.checkpoints[ci].clone();
    for (let i = ci * this.every; i < k; i++) step(m);
    return m;
  }

  private index(k: bigint): number {
    if (k < 0n || k > BigInt(TRACE_LENGTH)) throw new RangeError(`state ${k} is outside the trace S_0 … S_${TRACE_LENGTH}`);
    return Number(k);
  }

  /** S_k as 0x-hex: the terminal state from the machine's end on (the trace is padded to 2^26 steps). */
  stateAt(k: bigint): string {
    const i = this.index(k);
    if (i >= this.steps) return this.finalHash;
    let h = this.cache.get(i);
    if (h === undefined) {
      h = hex32(this.machineAt(i).hash());
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(i, h);
    }
    return h;
  }

  /** The proof of the step from S_k (bytes for the verifier's `step(pre, proof)`), with its pre- and post-state. */
  proofAt(k: bigint): { pre: string; post: string; proof: string } {
    const i = this.index(k);
    const m = i >= this.steps ? this.last.clone() : this.machineAt(i);
    const p = proveStep(m);
    return { pre: hex32(p.pre), post: hex32(p.post), proof: bytesToHex(proofBytes(p.proof)) };
  }

  /** Every code the run read (or created), with whether a carrier makes it available; by hash. */
  usedCode(): UsedCode[] {
    const codes = this.last.codes as unknown as { usedCodes(): Array<{ hash: bigint; bytes: Uint8Array; carried: boolean }> };
    return codes.usedCodes().map((c) => ({ hash: hex32(c.hash), bytes: c.bytes, carried: c.carried }));
  }
}

export { TRACE_LENGTH, TRACE_LOG2 };
