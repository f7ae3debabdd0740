/**
 * One conformance vector through the move pipeline: fill the moves from the pre-state, re-encode
 * canonically, validate standalone, walk the moves against the pre-state's genesis outpoints,
 * apply them, and compare the Merkle-Patricia root and logs hash with Ethereum's. For a vector
 * that passes, each mutant of its moves must be rejected by full validation (validator, then walk).
 */
import { Executor } from "../core/evm/execute";
import { InvalidTxError } from "../core/errors";
import { TxContext } from "../core/context";
import { fillMoves } from "../core/fill";
import { validateTx } from "../core/validate";
import { Tx, TxType, WrappedTx, encodeTx, decodeTx } from "../core/tx";
import { Move } from "../core/moves";
import { MemoryUtxoSet } from "../core/walk";
import { Vector } from "./load";
import { ethTxFields } from "../core/evm/ethtx";
import { L2_BLOCK_GAS_LIMIT } from "../core/evm/chain";
import { applyMoves, genesisOf, logsHash, preStateView, stateRoot } from "./world";
import { checkStepper, checkVerdict } from "./stepper";

/** The vector's transaction runs at seq 2: seq 0 is the pre-state, seq 1 produced nothing. */
export const VECTOR_SEQ = 2n;

export type MutantKind = "drop" | "prev" | "next" | "intx" | "duplicate";
export const MUTANT_KINDS: MutantKind[] = ["drop", "prev", "next", "intx", "duplicate"];

export interface MutantResult {
  kind: MutantKind;
  caughtBy: "validator" | "walk" | "none";
  reason: string;
}

/** The step machine on a passing vector and on its mutants (docs/step-machine.md, DESIGN.md §8.1). */
export interface StepperVectorResult {
  agreed: boolean;
  steps: number;
  boundaries: number;
  reason?: string;
  /**
   * The transaction is outside the rollup's limits and the machine stopped at a bound those limits
   * guarantee (a memory beyond 2^17 words needs more than 30M gas): not a disagreement, counted apart.
   */
  outside?: string;
  /** Mutants that change a next, drop a touched key, or remove needed code. */
  mutants: { kind: string; matched: boolean; status: string; verdict: string; reason?: string }[];
}

export interface VectorResult {
  id: string;
  folder: string;
  pass: boolean;
  /** Why it failed, or how a refused transaction was refused. */
  reason?: string;
  mutants: MutantResult[];
  stepper?: StepperVectorResult;
}

/** Runs the vector's filled transaction and its machine mutants through the step machine. */
async function stepperOf(v: Vector, tx: WrappedTx, ex: Executor, withMutants: boolean): Promise<StepperVectorResult> {
  const ctx = ctxOf(v);
  const r = await checkStepper(tx, ctx, ex);
  const out: StepperVectorResult = { agreed: r.agreed, steps: r.steps, boundaries: r.boundaries, reason: r.reason, mutants: [] };
  if (r.limit) {
    const gas = ethTxFields(v.txbytes).gasLimit;
    if (gas > L2_BLOCK_GAS_LIMIT) out.outside = `${r.limit}: its gas limit ${gas} is above the rollup's ${L2_BLOCK_GAS_LIMIT}`;
  }
  if (!withMutants || !r.agreed) return out;
  const tries: { kind: string; tx: WrappedTx }[] = [];
  if (tx.moves.length > 0) {
    tries.push({ kind: "next", tx: { ...tx, moves: mutate(tx.moves, "next", v.index * 31 + 7) } });
    tries.push({ kind: "drop", tx: { ...tx, moves: mutate(tx.moves, "drop", v.index * 31 + 11) } });
  }
  if (tx.witness.length > 0) {
    const k = (v.index * 2654435761) % tx.witness.length >>> 0;
    tries.push({ kind: "code", tx: { ...tx, witness: tx.witness.filter((_, i) => i !== k) } });
  }
  for (const t of tries) {
    const mr = await checkVerdict(t.tx, ctx, ex);
    // a mutant the validator accepts (code that was not needed) or refuses before execution is not the machine's to decide
    if (mr.verdict === "ok" || mr.before) continue;
    out.mutants.push({ kind: t.kind, matched: mr.agreed && mr.status === mr.verdict, status: mr.status, verdict: mr.verdict, reason: mr.reason });
  }
  return out;
}

function ctxOf(v: Vector): TxContext {
  return { seq: VECTOR_SEQ, env: v.env, feeMode: "ethereum", blockHash: "state-test", allowUnprotected: true, allowBlobTx: true };
}

function reasonOf(e: unknown): string {
  if (e instanceof InvalidTxError) return `${e.kind}/${e.code}: ${e.message}`;
  return `error: ${(e as Error)?.message ?? String(e)}`;
}

/** Deterministic choice of the move a mutant changes. */
function pick(moves: readonly Move[], salt: number): number {
  return (salt * 2654435761) % moves.length >>> 0;
}

export function mutate(moves: readonly Move[], kind: MutantKind, salt: number): Move[] {
  const out = moves.map((m) => ({ ...m }));
  const i = pick(out, salt);
  const m = out[i];
  switch (kind) {
    case "drop":
      out.splice(i, 1);
      break;
    case "prev":
      m.prev += 1n;
      if (m.ref) m.next = m.prev;
      break;
    case "next":
      m.ref = false;
      m.next += 1n;
      break;
    case "intx":
      m.intx += 1n;
      break;
    case "duplicate":
      out.splice(i + 1, 0, { ...m });
      break;
  }
  return out;
}

async function fullValidation(tx: Tx, v: Vector, ex: Executor): Promise<{ caughtBy: MutantResult["caughtBy"]; reason: string }> {
  let decoded: Tx;
  try {
    decoded = decodeTx(encodeTx(tx));
    await validateTx(decoded, ctxOf(v), ex);
  } catch (e) {
    return { caughtBy: "validator", reason: reasonOf(e) };
  }
  const fault = new MemoryUtxoSet(genesisOf(v.pre)).applyTx(VECTOR_SEQ, decoded.moves);
  if (fault) return { caughtBy: "walk", reason: `${fault.kind}/${fault.code} at move ${fault.moveIndex}` };
  return { caughtBy: "none", reason: "accepted" };
}

export async function checkVector(v: Vector, ex: Executor, withMutants = true, withStepper = false): Promise<VectorResult> {
  const base = { id: v.id, folder: v.folder, mutants: [] as MutantResult[] };
  const ctx = ctxOf(v);
  const wrapped: WrappedTx = { type: TxType.Wrapped, raw: v.txbytes, moves: [], witness: [] };
  let filled: Tx;
  try {
    filled = (await fillMoves(wrapped, preStateView(v.pre), ctx, ex)).tx;
  } catch (e) {
    if (e instanceof InvalidTxError) {
      return v.expectException
        ? { ...base, pass: true, reason: `refused (${e.kind}/${e.code}) as expected (${v.expectException})` }
        : { ...base, pass: false, reason: `refused a valid transaction: ${reasonOf(e)}` };
    }
    return { ...base, pass: false, reason: `filling crashed: ${reasonOf(e)}` };
  }
  if (v.expectException) return { ...base, pass: false, reason: `accepted a transaction Ethereum refuses (${v.expectException})` };

  // The filled transaction travels as bytes; validate what decodes from them.
  const tx = decodeTx(encodeTx(filled));
  let outcome;
  try {
    outcome = await validateTx(tx, ctx, ex);
  } catch (e) {
    return { ...base, pass: false, reason: `validator rejects the filled transaction: ${reasonOf(e)}` };
  }
  const fault = new MemoryUtxoSet(genesisOf(v.pre)).applyTx(VECTOR_SEQ, tx.moves);
  if (fault) return { ...base, pass: false, reason: `walk rejects the filled transaction: ${fault.kind}/${fault.code}` };
  const root = await stateRoot(applyMoves(v.pre, tx.moves));
  if (root !== v.hash) return { ...base, pass: false, reason: `state root ${root} != expected ${v.hash}` };
  const lh = logsHash(outcome.logs);
  if (lh !== v.logs) return { ...base, pass: false, reason: `logs hash ${lh} != expected ${v.logs}` };

  if (withMutants && tx.moves.length > 0) {
    for (const [k, kind] of MUTANT_KINDS.entries()) {
      const mutant = { ...tx, moves: mutate(tx.moves, kind, v.index * 31 + k + 1) } as Tx;
      const r = await fullValidation(mutant, v, ex);
      base.mutants.push({ kind, ...r });
    }
  }
  const stepper = withStepper ? await stepperOf(v, tx as WrappedTx, ex, withMutants) : undefined;
  return { ...base, pass: true, stepper };
}
