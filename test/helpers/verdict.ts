/**
 * Small helpers of the core tests that check verdicts: what a validation promise ends in, and a
 * wrapped transaction of raw signed bytes with no moves yet.
 */
import { hexToBytes } from "viem";
import { InvalidTxError, TxType, type WrappedTx } from "../../core";

/** `kind/code` of the InvalidTxError the promise rejects with, or "valid"; any other error is rethrown. */
export async function verdictOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InvalidTxError) return `${e.kind}/${e.code}`;
    throw e;
  }
  return "valid";
}

/** A wrapped transaction of these signed bytes, with no moves or witness. */
export const wrap = (raw: string): WrappedTx => ({ type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] });
