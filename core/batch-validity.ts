/**
 * Validity of a batch (docs/protocol.md §7.4): the one definition. Given each transaction's
 * decoding and standalone verdict (§6, computed by any validator), the deposit queue entries the
 * batch consumes (§11.3) and a view of the UTXO set before the batch (§8), it names the first
 * fault of the batch and, for an invalid batch, every fault (each provable on its own). Pure: the
 * caller reads the view ahead (node/state/utxo-store.ts) and runs the validators.
 */
import type { BatchHeader } from "./batch";
import { DecodeError, InvalidTxError, type FaultKind, type TxFault } from "./errors";
import type { Tx } from "./tx";
import { checkDepositPosition, type DepositEntry, type TxOutcome } from "./validate";
import { UtxoOverlay, walkEvery, walkSequential, type TxMoves, type UtxoView, type WalkFault } from "./walk";

/** A transaction's standalone verdict (§6). */
export type StandaloneVerdict = { valid: true; outcome: TxOutcome } | { valid: false; error: InvalidTxError | DecodeError };

export interface BatchJudgement {
  /** The first fault (lowest transaction index, §7.4's order within it); undefined if the batch is valid. */
  fault?: TxFault;
  /** Every fault of an invalid batch, in transaction order: per transaction its first standalone fault, then its first walk fault. */
  faults?: TxFault[];
  /** The outcome of each transaction before the first standalone fault that validated. */
  outcomes: (TxOutcome | undefined)[];
}

/** The words of a walk fault, for TxFault.message. */
export function walkFaultMessage(f: WalkFault): string {
  switch (f.code) {
    case "consumed":
      return `move ${f.moveIndex} consumes an outpoint already consumed by seq ${f.spentBy}`;
    case "reference-after-consume":
      return `move ${f.moveIndex} references an outpoint already consumed by seq ${f.spentBy}`;
    case "no-such-outpoint":
      return `move ${f.moveIndex} names an outpoint its producer never created`;
    case "prev-mismatch":
      return `move ${f.moveIndex} declares prev different from the outpoint's value ${f.expected}`;
    case "intx-not-before":
      return `move ${f.moveIndex} names a producer not before seq ${f.seq}`;
  }
}

/**
 * Judges batch `header` (§7.4). `decoded[i]`: transaction i, undefined if it does not decode;
 * `verdicts[i]`: its standalone verdict (for one that does not decode, its decoding error);
 * `deposits`: the queue entries [depositStart, depositEnd); `view`: the UTXO set after the batch's
 * parent, answering every outpoint before the batch that a decodable transaction names
 * (priorOutpoints). Per transaction the order is: decoding, the deposit position, the standalone
 * fault; the walk covers the transactions before the first of these, and the faulty one too when
 * its fault is `execution` (so that a one-step walk fault of it is preferred).
 */
export function judgeBatch(
  header: BatchHeader,
  decoded: readonly (Tx | undefined)[],
  verdicts: readonly StandaloneVerdict[],
  deposits: readonly DepositEntry[],
  view: UtxoView,
): BatchJudgement {
  const n = decoded.length;
  if (verdicts.length !== n) throw new RangeError(`${verdicts.length} verdicts for ${n} transactions`);
  if (BigInt(deposits.length) !== header.depositEnd - header.depositStart) throw new RangeError(`${deposits.length} queue entries for ${header.depositEnd - header.depositStart} deposits`);
  const fault = (i: number, kind: FaultKind, code: string, message: string, moveIndex?: number, spentBy?: bigint): TxFault => ({
    batchIndex: header.index,
    txIndex: i,
    seq: header.firstSeq + BigInt(i),
    kind,
    code,
    message,
    ...(moveIndex !== undefined ? { moveIndex } : {}),
    ...(spentBy !== undefined ? { spentBy } : {}),
  });
  const ofWalk = (i: number, f: WalkFault) => fault(i, f.kind, f.code, walkFaultMessage(f), f.moveIndex, f.kind === "double-use" ? f.spentBy : undefined);

  /** Transaction i's fault before the walk: decoding, the deposit queue, then standalone validation. */
  const standalone = (i: number): TxFault | undefined => {
    const v = verdicts[i];
    const t = decoded[i];
    if (!t) {
      const e = v.valid ? undefined : v.error;
      return fault(i, "malformed", e?.code ?? "malformed", e?.message ?? "does not decode");
    }
    try {
      checkDepositPosition(t, i, header.depositStart, header.depositEnd, deposits[i]);
    } catch (e) {
      if (!(e instanceof InvalidTxError)) throw e;
      return fault(i, e.kind, e.code, e.message);
    }
    if (!v.valid) return fault(i, v.error.kind, v.error.code, v.error.message, v.error instanceof InvalidTxError ? v.error.moveIndex : undefined);
    return undefined;
  };

  let first: TxFault | undefined;
  const outcomes: (TxOutcome | undefined)[] = new Array(n);
  for (let i = 0; i < n && !first; i++) {
    first = standalone(i);
    const v = verdicts[i];
    if (!first && v.valid) outcomes[i] = v.outcome;
  }

  const upTo = !first ? n : first.kind === "execution" ? first.txIndex + 1 : first.txIndex;
  const walked: TxMoves[] = [];
  for (let i = 0; i < upTo; i++) walked.push({ seq: header.firstSeq + BigInt(i), moves: decoded[i]!.moves });
  const wf = walkSequential(new UtxoOverlay(view), walked);
  if (wf) first = ofWalk(Number(wf.seq - header.firstSeq), wf);
  if (!first) return { outcomes };

  // Every fault (§7.4): each transaction's standalone fault, then its walk fault.
  const faults: TxFault[] = [];
  const walk = walkEvery(
    view,
    header.firstSeq,
    decoded.map((t) => t?.moves),
  );
  for (let i = 0; i < n; i++) {
    const f = standalone(i);
    if (f) faults.push(f);
    const w = walk[i];
    if (w) faults.push(ofWalk(i, w));
  }
  return { fault: first, faults, outcomes };
}
