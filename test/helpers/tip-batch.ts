/**
 * The next batch on an Inbox's current tip, built with the TypeScript core (test helper shared by the
 * L1 contract tests): index, parent, firstSeq and deposit start from `inbox.tip()`, the latest block's
 * timestamp (not before the parent's), and the data's commitments.
 */
import { ethers } from "hardhat";
import type { Inbox } from "../../typechain-types";
import { BatchHeader, batchDataHash, encodeBatchData, txRootOf } from "../../core/batch";
import { hexToBytes } from "../../core/bytes";

export interface TipBatchOptions {
  /** Deposits the batch consumes (default 0). */
  deposits?: bigint;
  /** Timestamp (default: the latest block's, or the parent's if later). */
  timestamp?: bigint;
  feeRecipient?: Uint8Array;
  baseFee?: bigint;
}

export async function tipBatch(inbox: Inbox, txs: Uint8Array[], o: TipBatchOptions = {}): Promise<{ header: BatchHeader; data: Uint8Array }> {
  const [index, parent, firstSeq, depositStart, minTs] = await inbox.tip();
  const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const data = encodeBatchData(txs);
  const header: BatchHeader = {
    index,
    parent: hexToBytes(parent as `0x${string}`),
    firstSeq,
    txCount: BigInt(txs.length),
    txRoot: txRootOf(txs),
    number: index + 1n,
    timestamp: o.timestamp ?? (latest > minTs ? latest : minTs),
    feeRecipient: o.feeRecipient ?? new Uint8Array(20).fill(7),
    baseFee: o.baseFee ?? 7n,
    depositStart,
    depositEnd: depositStart + (o.deposits ?? 0n),
    dataHash: batchDataHash(data),
  };
  return { header, data };
}
