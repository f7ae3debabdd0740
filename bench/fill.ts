/**
 * The coordinator's side of the benchmark: fill the workload's moves against a MemoryState (the
 * latest index), in fee-output mode, seqs numbered from 1, one batch environment per batch. The
 * filled transactions are what moveset validation, the walk and the L1 data measurement run on.
 * As the coordinator does (protocol.md §6.2), a witness leaves out the code that an earlier
 * transaction's witness carries: each code travels once, in the first transaction that needs it
 * (a deployment carries the code it creates).
 */
import { MemoryState } from "../core/memory-state";
import { fillMoves } from "../core/fill";
import { KnownCode } from "../core/known-code";
import { encodeTx, TxType, type WrappedTx } from "../core/tx";
import type { Move } from "../core/moves";
import { batchTxContext, type TxContext } from "../core/context";
import type { BatchHeader, BatchTx } from "../core/batch";
import { ZERO32 } from "../core/bytes";
import type { Executor } from "../core/evm/execute";
import { genesisOf, type Workload, type BatchSpec } from "./workload";

export interface FilledWorkload {
  /** Canonical encoding (protocol.md §5.4) of every filled wrapped transaction; seq = index + 1. */
  encoded: Uint8Array[];
  /** The filled moves of every transaction (what the walk consumes). */
  moves: Move[][];
  /** Gas used by every transaction. */
  gasUsed: bigint[];
  /** Status of every transaction (1: success; 0 only when failures are allowed). */
  status: (0 | 1)[];
  /** Sum of the fee outputs (what the fee recipient would have been paid in Ethereum mode). */
  feeOutputs: bigint;
  /** The latest index after the whole workload. */
  state: MemoryState;
  /**
   * The code the witnesses carry, each with the seq of the transaction carrying it: what a
   * validator of a later transaction knows (ValidatePool.addCodes, or `before(hash, seq)` in-thread).
   */
  codes: KnownCode;
}

const batchContexts = new WeakMap<BatchSpec, TxContext>();

/**
 * The context of transaction `seq` of batch `b`: the core's rule (batchTxContext) applied to the
 * batch's header, with one BlockEnv object per batch (the validate pool sends it once per chunk).
 */
export function txContext(seq: bigint, b: BatchSpec): TxContext {
  let base = batchContexts.get(b);
  if (!base) {
    const e = b.env;
    const header: BatchHeader = {
      index: BigInt(b.index),
      parent: e.prevRandao,
      firstSeq: seq, // (only seq, number, timestamp, fee recipient, base fee and parent matter here)
      txCount: BigInt(b.count),
      txRoot: ZERO32,
      number: e.number,
      timestamp: e.timestamp,
      feeRecipient: e.coinbase,
      baseFee: e.baseFee,
      depositStart: 0n,
      depositEnd: 0n,
      dataHash: ZERO32,
      l1BaseFee: 0n,
      l1BlobBaseFee: 0n,
    };
    base = batchTxContext(header, e.chainId, 0);
    batchContexts.set(b, base);
  }
  return { ...base, seq };
}

/** The batch each transaction belongs to (by index). */
export function batchOfTx(w: Workload): BatchSpec[] {
  const out: BatchSpec[] = new Array(w.txs.length);
  for (const b of w.batches) for (let i = b.start; i < b.start + b.count; i++) out[i] = b;
  return out;
}

/**
 * Fills every transaction in order. Throws if one cannot be included or does not succeed (the
 * workload is built so that every transaction succeeds).
 */
/** `opts.allowFailures`: a transaction that reverts or runs out of gas is filled too (default: an error). */
export async function fillWorkload(w: Workload, ex: Executor, opts: { allowFailures?: boolean } = {}): Promise<FilledWorkload> {
  const state = new MemoryState();
  for (const [k, v] of genesisOf(w)) state.setGenesis(k, v);
  const batchOf = batchOfTx(w);
  const encoded: Uint8Array[] = [];
  const moves: Move[][] = [];
  const gasUsed: bigint[] = [];
  const status: (0 | 1)[] = [];
  const codes = new KnownCode();
  const omitCode = (h: string) => codes.seqOf(h) !== undefined;
  let feeOutputs = 0n;
  for (let i = 0; i < w.txs.length; i++) {
    const seq = BigInt(i + 1);
    const tx: WrappedTx = { type: TxType.Wrapped, raw: w.txs[i].raw, moves: [], witness: [] };
    const { tx: filled, outcome } = await fillMoves(tx, state, txContext(seq, batchOf[i]), ex, { omitCode });
    if (outcome.status !== 1 && !opts.allowFailures) throw new Error(`workload tx ${i} (${w.txs[i].kind}) failed in the EVM`);
    state.apply(seq, filled);
    codes.addTx(seq, filled);
    encoded.push(encodeTx(filled));
    moves.push(filled.moves);
    gasUsed.push(outcome.gasUsed);
    status.push(outcome.status);
    feeOutputs += outcome.fee;
  }
  return { encoded, moves, gasUsed, status, feeOutputs, state, codes };
}

/** Batch `b`'s transactions as posted: each filled encoding with the gas it declares (its gas limit). */
export function batchTxs(w: Workload, f: FilledWorkload, b: BatchSpec): BatchTx[] {
  return f.encoded.slice(b.start, b.start + b.count).map((tx, j) => ({ gas: w.txs[b.start + j].gasLimit, tx }));
}
