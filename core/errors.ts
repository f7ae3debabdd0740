/**
 * Typed errors of the protocol core. Every rejection names a fault kind; the kinds are exactly the
 * fraud-proof kinds of docs/protocol.md §8, so a verdict maps onto a proof without translation.
 */

/** The fraud-proof kinds. `execution` is settled interactively; all others in one L1 transaction. */
export type FaultKind = "malformed" | "signature" | "input" | "double-use" | "deposit" | "rules" | "execution";

/** Strict-decoder failure reasons. */
export type DecodeCode = "truncated" | "non-canonical" | "oversized" | "trailing-bytes" | "unknown-type" | "invalid-value";

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
