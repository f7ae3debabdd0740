/**
 * A small honest L2 in memory for tests: fills transactions with the core against a MemoryState,
 * keeps the posted batches (header and encoded transactions) and answers the prover's ChainView.
 */
import { BatchHeader, BatchTx, batchDataHash, encodeBatchData, headerHash, txRootOf, GENESIS_PARENT } from "../../core/batch";
import { batchTxOf } from "../../core/gas";
import { Executor } from "../../core/evm/execute";
import { fillMoves } from "../../core/fill";
import { MemoryState } from "../../core/memory-state";
import { Tx, TxType, WrappedTx, encodeTx, decodeTx } from "../../core/tx";
import { TxContext, batchTxContext } from "../../core/context";
import { hexToBytes } from "../../core/bytes";
import { memoryChainView, type ChainView } from "../../prover/build";
import type { GenesisEntry } from "../../core/genesis";
import { predeployAllocation } from "../../core/predeploys";

export const L2_CHAIN_ID = 901n;
export const FEE_RECIPIENT = hexToBytes("0x00000000000000000000000000000000000fee01");
export const BASE_FEE = 7n;

export interface SimBatch {
  header: BatchHeader;
  /** Each transaction with the gas the batch declares for it. */
  txs: BatchTx[];
  data: Uint8Array;
}

/**
 * A transaction as a batch entry: given as is, or, encoded, declaring its gas limit (0 if it does not
 * decode: a malformed transaction's declared gas proves nothing).
 */
export function entryOf(t: Uint8Array | BatchTx): BatchTx {
  if (!(t instanceof Uint8Array)) return t;
  try {
    return batchTxOf(t);
  } catch {
    return { gas: 0n, tx: t };
  }
}

export class L2Sim {
  readonly state = new MemoryState();
  readonly batches: SimBatch[] = [];
  readonly deposits: Array<{ from: Uint8Array; to: Uint8Array; value: bigint }> = [];
  /** The genesis allocation the simulated chain starts from (protocol.md §7.6); none unless set. */
  genesis: GenesisEntry[] = [];
  /** The L1 base fee the next batches declare (protocol.md §6.6; 0: no L1 data fee). */
  l1BaseFee = 0n;
  private constructor(
    readonly ex: Executor,
    /** The fee recipient of every batch. */
    readonly feeRecipient: Uint8Array,
  ) {}

  static async create(feeRecipient: Uint8Array = FEE_RECIPIENT): Promise<L2Sim> {
    return new L2Sim(await Executor.create(L2_CHAIN_ID), feeRecipient);
  }

  get nextSeq(): bigint {
    const last = this.batches[this.batches.length - 1];
    return last ? last.header.firstSeq + last.header.txCount : 1n;
  }

  get depositCursor(): bigint {
    const last = this.batches[this.batches.length - 1];
    return last ? last.header.depositEnd : 0n;
  }

  /** The context of seq `seq` in the batch being built (the core's rule for batches). */
  ctx(seq: bigint, timestamp: bigint): TxContext {
    const last = this.batches[this.batches.length - 1];
    const h = { firstSeq: seq, number: BigInt(this.batches.length + 1), timestamp, feeRecipient: this.feeRecipient, baseFee: BASE_FEE, parent: last ? headerHash(last.header) : GENESIS_PARENT, l1BaseFee: this.l1BaseFee, l1BlobBaseFee: 0n };
    return batchTxContext(h as BatchHeader, L2_CHAIN_ID, 0);
  }

  /** Fills `tx` as the next transaction at position `offset` of the batch being built, without applying it (sweeping at most `maxSweep` fee outputs). */
  async fill(tx: Tx, offset: number, timestamp: bigint, maxSweep = 0): Promise<Tx> {
    return decodeTx(encodeTx((await fillMoves(tx, this.state, this.ctx(this.nextSeq + BigInt(offset), timestamp), this.ex, { maxSweep })).tx));
  }

  /** Applies honest filled transactions to the simulated state (their seqs follow the current batches). */
  apply(txs: Tx[], firstSeq: bigint): void {
    txs.forEach((t, i) => this.state.apply(firstSeq + BigInt(i), t));
  }

  /** The header of the next batch holding `txs` (encoded, or with the gas to declare). */
  header(list: Array<Uint8Array | BatchTx>, timestamp: bigint, deposits = 0n): { header: BatchHeader; data: Uint8Array; txs: BatchTx[] } {
    const last = this.batches[this.batches.length - 1];
    const txs = list.map(entryOf);
    const data = encodeBatchData(txs);
    const header: BatchHeader = {
      index: BigInt(this.batches.length),
      parent: last ? headerHash(last.header) : GENESIS_PARENT,
      firstSeq: this.nextSeq,
      txCount: BigInt(txs.length),
      txRoot: txRootOf(txs),
      number: BigInt(this.batches.length + 1),
      timestamp,
      feeRecipient: this.feeRecipient,
      baseFee: BASE_FEE,
      depositStart: this.depositCursor,
      depositEnd: this.depositCursor + deposits,
      dataHash: batchDataHash(data),
      l1BaseFee: this.l1BaseFee,
      l1BlobBaseFee: 0n,
    };
    return { header, data, txs };
  }

  record(b: SimBatch): void {
    this.batches.push(b);
  }

  view(): ChainView {
    return memoryChainView(this.batches, this.deposits, this.genesis);
  }

  /** Starts from the predeploys of the rollup's chain (core/predeploys.ts), as a deployment with their commitment does. */
  withPredeploys(): this {
    const g = predeployAllocation(L2_CHAIN_ID);
    this.genesis = g.entries;
    for (const e of g.entries) this.state.setGenesis(e.key, e.value);
    for (const c of g.codes.values()) this.state.addCode(c);
    return this;
  }
}

export { headerToAbi as headerArgs } from "../../core/batch";

export function wrapped(raw: string): WrappedTx {
  return { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
}
