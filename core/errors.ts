/**
 * Typed errors of the protocol core. Every rejection names a fault kind; the kinds are exactly the
 * fraud-proof kinds of docs/protocol.md §9, so a verdict maps onto a proof without translation.
 */

/**
 * The fraud-proof kinds, in the order of their numbers: the one numbering of the kinds, which
 * contracts/interfaces/IInbox.sol `FaultKind` follows (test/contracts/fault-kinds.test.ts checks
 * it). `execution` is settled interactively; all others in one L1 transaction. `data` is a blob batch's (its
 * blob does not give its declarations, §14.5), every other kind a transaction's.
 */
export const FAULT_KINDS = ["malformed", "signature", "input", "double-use", "deposit", "rules", "execution", "data"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * The fault kinds of one transaction settled in one L1 transaction (all but `execution`, which needs the
 * interactive game, and `data`, a blob batch's fault rather than a transaction's: protocol.md §14.5).
 */
export const ONE_STEP_KINDS = ["malformed", "signature", "input", "double-use", "deposit", "rules"] as const satisfies readonly FaultKind[];
export type OneStepKind = (typeof ONE_STEP_KINDS)[number];

/** A kind's number on L1 (Inbox.rollback's `kind`, BatchesRolledBack's `kind`). */
export const KIND_NUMBER: Readonly<Record<FaultKind, number>> = Object.freeze(Object.fromEntries(FAULT_KINDS.map((k, i) => [k, i])) as Record<FaultKind, number>);

/** The kind numbered `n` on L1, or undefined. */
export function faultKindOf(n: number): FaultKind | undefined {
  return Number.isInteger(n) && n >= 0 && n < FAULT_KINDS.length ? FAULT_KINDS[n] : undefined;
}

/**
 * Strict-decoder failure reasons (numbered in this order on L1: contracts/lib/Reader.sol DecodeCodes).
 * `not-expandable`: a compressed item (protocol.md §7.7) whose FastLZ blocks do not expand.
 */
export type DecodeCode = "truncated" | "non-canonical" | "oversized" | "trailing-bytes" | "unknown-type" | "invalid-value" | "not-expandable";

export class MovesetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bytes that are not the canonical encoding of the expected value. */
export class DecodeError extends MovesetError {
  readonly kind: FaultKind = "malformed";
  constructor(
    override readonly code: DecodeCode,
    message: string,
    readonly offset: number,
  ) {
    super(code, `${message} (at byte ${offset})`);
  }
}

/** A transaction (or a move of it) breaks a validity rule. */
export class InvalidTxError extends MovesetError {
  constructor(
    readonly kind: FaultKind,
    code: string,
    message: string,
    /** Index of the offending move in the transaction's move list, where one move is at fault. */
    readonly moveIndex?: number,
    readonly detail: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

export function isDecodeError(e: unknown): e is DecodeError {
  return e instanceof DecodeError;
}

/**
 * A fault of a batch found by a verifier, in the form a challenger needs: where (batch,
 * transaction, move), what (kind and code), and for a double use the earlier consumer.
 */
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
