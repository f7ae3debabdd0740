/**
 * Which fault a challenger proves. The fault (TxFault), the kinds and their L1 numbering are the
 * core's (core/errors.ts), re-exported here for the prover's users.
 */
import type { OneStepKind, TxFault } from "../core/errors";

export { KIND_NUMBER, ONE_STEP_KINDS, type TxFault } from "../core/errors";

/**
 * L1 gas of the `prove` reveal of each one-step kind, as `moveset bench` measures it on its workload
 * (docs/BENCHMARKS.md, "proofGas"). Only the order matters: a challenger that can prove several
 * faults of a batch proves the cheapest kind (proofs of the same kind cost about the same; the
 * input and double-use proofs carry a second transaction).
 */
export const PROOF_GAS: Readonly<Record<OneStepKind, number>> = {
  deposit: 87_629,
  signature: 103_089,
  malformed: 104_190,
  rules: 133_939,
  "double-use": 138_899,
  input: 227_242,
};

/**
 * The fault a challenger proves among a batch's faults: a blob batch's `data` fault if it has one (it comes
 * before any transaction's, protocol.md §14.5 "Which fault a verifier reports": if the blob does not give the
 * declarations, no transaction proof against `txRoot` describes the posted data), else the one-step fault of the
 * cheapest kind (PROOF_GAS), the lowest transaction index among equals; undefined if every fault needs the
 * interactive game. Pure.
 */
export function cheapestProvable(faults: readonly TxFault[]): TxFault | undefined {
  const data = faults.find((f) => f.kind === "data");
  if (data) return data;
  let best: TxFault | undefined;
  for (const f of faults) {
    if (f.kind === "execution") continue;
    if (!best) best = f;
    else {
      const d = PROOF_GAS[f.kind as OneStepKind] - PROOF_GAS[best.kind as OneStepKind];
      if (d < 0 || (d === 0 && f.txIndex < best.txIndex)) best = f;
    }
  }
  return best;
}
