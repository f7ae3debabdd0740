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
import { applyMoves, genesisOf, logsHash, preStateView, stateRoot } from "./world";

/** The vector's transaction runs at seq 2: seq 0 is the pre-state, seq 1 produced nothing. */
export const VECTOR_SEQ = 2n;

export type MutantKind = "drop" | "prev" | "next" | "intx" | "duplicate";
export const MUTANT_KINDS: MutantKind[] = ["drop", "prev", "next", "intx", "duplicate"];

export interface MutantResult {
  kind: MutantKind;
  caughtBy: "validator" | "walk" | "none";
  reason: string;
}

export interface VectorResult {
  id: string;
  folder: string;
  pass: boolean;
  /** Why it failed, or how a refused transaction was refused. */
  reason?: string;
  mutants: MutantResult[];
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

export async function checkVector(v: Vector, ex: Executor, withMutants = true): Promise<VectorResult> {
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
  return { ...base, pass: true };
}
