/**
 * Validity of a batch (core/batch-validity.ts, protocol.md §7.4) on hand-made batches over an
 * in-memory UTXO view: the first fault's order (a walk fault before a later standalone fault, a
 * walk fault of the same transaction before its execution fault) and every fault of an invalid
 * batch (the walk going on past faulty transactions, the first consumer counting, no input fault
 * against an undecodable producer); bad input to the judgement itself.
 */
import { expect } from "chai";
import { judgeBatch, walkFaultMessage, type StandaloneVerdict } from "../../core/batch-validity";
import { DecodeError, InvalidTxError, type TxFault } from "../../core/errors";
import { Mark, type Key } from "../../core/keys";
import type { Move } from "../../core/moves";
import { TxType, type Tx } from "../../core/tx";
import type { BatchHeader } from "../../core/batch";
import type { TxOutcome } from "../../core/validate";
import { MemoryUtxoSet, walkEvery } from "../../core/walk";

const K = (n: number): Key => ({ mark: Mark.Balance, addr: new Uint8Array(20).fill(n), slot: 0n });
const use = (k: Key, intx: bigint, prev: bigint, next: bigint): Move => ({ mask: 0, ref: false, ...k, intx, prev, next });
const tx = (...moves: Move[]): Tx => ({ type: TxType.Move, moves }) as unknown as Tx;
const OUT: TxOutcome = { sender: "0x", status: 1, gasUsed: 21000n, logs: [], fee: 0n, withdrawal: 0n };
const ok: StandaloneVerdict = { valid: true, outcome: OUT };
const bad = (kind: "execution" | "rules", code: string): StandaloneVerdict => ({ valid: false, error: new InvalidTxError(kind, code, code) });
const undecodable: StandaloneVerdict = { valid: false, error: new DecodeError("truncated", "ends early", 3) };

/** Batch 1 (seqs 11..) over a set whose last seq is 10, where A was written by seq 5 (value 7). */
function setup(): { view: MemoryUtxoSet; header: BatchHeader } {
  const view = new MemoryUtxoSet();
  expect(view.applyTx(5n, [use(K(1), 0n, 0n, 7n)])).to.equal(undefined);
  expect(view.applyTx(10n, [])).to.equal(undefined);
  const z = new Uint8Array(32);
  const header: BatchHeader = { index: 1n, parent: z, firstSeq: 11n, txCount: 0n, txRoot: z, number: 2n, timestamp: 0n, feeRecipient: new Uint8Array(20), baseFee: 0n, depositStart: 0n, depositEnd: 0n, dataHash: z, l1BaseFee: 0n, l1BlobBaseFee: 0n };
  return { view, header };
}
const brief = (f: TxFault) => [f.txIndex, f.kind, f.code, f.spentBy];

describe("core: validity of a batch (§7.4)", () => {
  it("a valid batch: no fault, every outcome", () => {
    const { view, header } = setup();
    const txs = [tx(use(K(1), 5n, 7n, 8n)), tx(use(K(1), 11n, 8n, 9n), use(K(2), 0n, 0n, 1n))];
    const j = judgeBatch(header, txs, [ok, ok], [], view);
    expect(j.fault).to.equal(undefined);
    expect(j.faults).to.equal(undefined);
    expect(j.outcomes).to.deep.equal([OUT, OUT]);
  });

  it("the first fault: a walk fault before a later standalone fault; a walk fault of the execution-faulty transaction itself", () => {
    const { view, header } = setup();
    // tx 1 uses A's version 5 again (double use); tx 2 breaks a rule.
    const txs = [tx(use(K(1), 5n, 7n, 8n)), tx(use(K(1), 5n, 7n, 1n)), tx(use(K(3), 0n, 0n, 1n))];
    const j = judgeBatch(header, txs, [ok, ok, bad("rules", "nonce")], [], view);
    expect(brief(j.fault!)).to.deep.equal([1, "double-use", "consumed", 11n]);
    expect(j.fault!.message).to.equal(walkFaultMessage({ kind: "double-use", seq: 12n, moveIndex: 0, code: "consumed", spentBy: 11n }));
    // tx 1's standalone fault is execution: its walk fault (one L1 transaction) is named instead.
    const k = judgeBatch(header, txs, [ok, bad("execution", "next-mismatch"), ok], [], view);
    expect(brief(k.fault!)).to.deep.equal([1, "double-use", "consumed", 11n]);
    // A rules fault of tx 1 comes before its walk (the walk stops before it).
    const r = judgeBatch(header, txs, [ok, bad("rules", "nonce"), ok], [], view);
    expect(brief(r.fault!)).to.deep.equal([1, "rules", "nonce", undefined]);
    expect(r.outcomes).to.deep.equal([OUT, undefined, undefined]);
  });

  it("every fault: the walk goes on past faulty transactions, the first consumer counts, no input fault against an undecodable producer", () => {
    const { view, header } = setup();
    const txs = [
      tx(use(K(1), 5n, 7n, 8n)), // 11: execution fault, its moves still apply as declared
      undefined, // 12: does not decode
      tx(use(K(1), 5n, 7n, 3n)), // 13: double use of (5, A): first consumer 11
      tx(use(K(1), 5n, 7n, 3n), use(K(2), 12n, 0n, 1n)), // 14: double use again, still consumer 11
      tx(use(K(4), 12n, 5n, 6n)), // 15: a producer that does not decode: not judged
      tx(use(K(1), 11n, 9n, 1n)), // 16: prev differs from what 11 declared (8)
    ];
    const j = judgeBatch(header, txs, [bad("execution", "next-mismatch"), undecodable, ok, ok, ok, ok], [], view);
    expect(brief(j.fault!)).to.deep.equal([0, "execution", "next-mismatch", undefined]);
    expect(j.faults!.map(brief)).to.deep.equal([
      [0, "execution", "next-mismatch", undefined],
      [1, "malformed", "truncated", undefined],
      [2, "double-use", "consumed", 11n],
      [3, "double-use", "consumed", 11n],
      [5, "input", "prev-mismatch", undefined],
    ]);
    // The view is left as it was.
    expect(view.get(5n, K(1))).to.equal(7n);
    expect(view.lastSeq).to.equal(10n);
  });

  it("the every-fault walk judges a transaction against the state before it: a key used twice in it is its malformed fault, not a walk fault", () => {
    const { view } = setup();
    const twice = [use(K(1), 5n, 7n, 8n), use(K(1), 5n, 7n, 9n)];
    expect(walkEvery(view, 11n, [twice])).to.deep.equal([undefined]);
    // The sequential walk counts the transaction's own earlier move.
    expect(view.clone().applyTx(11n, twice)).to.deep.include({ code: "consumed", spentBy: 11n, moveIndex: 1 });
  });

  it("bad input: verdicts or queue entries that do not match the batch", () => {
    const { view, header } = setup();
    expect(() => judgeBatch(header, [tx()], [], [], view)).to.throw(RangeError);
    expect(() => judgeBatch({ ...header, depositEnd: 1n }, [tx()], [ok], [], view)).to.throw(RangeError);
  });
});
