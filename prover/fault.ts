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
