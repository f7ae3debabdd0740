/**
 * A fault found by a verifier, in the form a challenger needs: where (batch, transaction, move),
 * what (kind and code), and for walk faults the other transaction involved.
 */
import type { FaultKind } from "../core/errors";

export interface TxFault {
  batchIndex: bigint;
  txIndex: number;
  seq: bigint;
  kind: FaultKind;
  code: string;
  message: string;
  /** The offending move, where one move is at fault. */
  moveIndex?: number;
  /** double-use: the seq of the transaction that consumed the outpoint first. */
  spentBy?: bigint;
}

/** Fault kinds settled in one L1 transaction; `execution` needs the interactive game. */
export const ONE_STEP_KINDS: readonly FaultKind[] = ["malformed", "signature", "input", "double-use", "deposit", "rules"];

/** Numbering shared with contracts/interfaces/IInbox.sol FaultKind. */
export const KIND_NUMBER: Record<FaultKind, number> = {
  malformed: 0,
  signature: 1,
  input: 2,
  "double-use": 3,
  deposit: 4,
  rules: 5,
  execution: 6,
};

/**
 * L1 gas of the `prove` reveal of each one-step kind, as `moveset bench` measures it on its workload
 * (docs/BENCHMARKS.md, "proofGas"). Only the order matters: a challenger that can prove several
 * faults of a batch proves the cheapest kind (proofs of the same kind cost about the same; the
 * input and double-use proofs carry a second transaction).
 */
export const PROOF_GAS: Readonly<Record<Exclude<FaultKind, "execution">, number>> = {
  deposit: 87_629,
  signature: 103_089,
  malformed: 104_190,
  rules: 133_939,
  "double-use": 138_899,
  input: 227_242,
};

/**
 * The fault a challenger proves among a batch's faults: the one-step fault of the cheapest kind
 * (PROOF_GAS), the lowest transaction index among equals; undefined if every fault needs the
 * interactive game. Pure.
 */
export function cheapestProvable(faults: readonly TxFault[]): TxFault | undefined {
  let best: TxFault | undefined;
  for (const f of faults) {
    if (f.kind === "execution") continue;
    if (!best) best = f;
    else {
      const d = PROOF_GAS[f.kind] - PROOF_GAS[best.kind as Exclude<FaultKind, "execution">];
      if (d < 0 || (d === 0 && f.txIndex < best.txIndex)) best = f;
    }
  }
  return best;
}
