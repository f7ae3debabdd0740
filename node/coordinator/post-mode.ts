/**
 * Where the coordinator posts a batch's data (protocol.md §12 node policy, §14.5): in calldata (`appendBatch`) or
 * in a blob (`appendBatchBlob`). Pure: the mode the operator chose, the batch data and L1's prices in, the choice
 * out. Not consensus: both are valid postings, the header's dataHash says which.
 *
 *   * `calldata` always calldata; `blob` always a blob (an L1 that refuses it: the post is rebuilt and tried again).
 *   * `auto`: a blob where the L1 serves blobs back (a node can read the batch: §14.5 "Reading"), the blob path is
 *     not in its back-off after a failure, and it costs less at L1's current prices: a blob's 2^17 blob gas at the
 *     blob base fee against the data's EIP-7623 floor (10 gas per token, a zero byte 1 token, another 4) at the
 *     base fee. Everything else the two postings pay (the transaction, the header, the Inbox's checks) is about the
 *     same and left out.
 */
import { FLOOR_TOKEN_GAS, GAS_PER_BLOB, calldataTokens } from "../../prover/l1-pricing";

import type { PostMode } from "../config";
export { POST_MODES, type PostMode } from "../config";

/** After a failed blob post, `auto` posts calldata for this long before it tries a blob again. */
export const BLOB_BACKOFF_MS = 5 * 60_000;

/** L1 cost (wei) of the batch data in calldata at `baseFee`: its EIP-7623 floor. */
export function calldataDataCost(data: Uint8Array, baseFee: bigint): bigint {
  return BigInt(FLOOR_TOKEN_GAS * calldataTokens(data)) * baseFee;
}

/** L1 cost (wei) of one blob at `blobBaseFee` (a batch always fits one, §14.5). */
export function blobDataCost(blobBaseFee: bigint): bigint {
  return BigInt(GAS_PER_BLOB) * blobBaseFee;
}

export interface PostContext {
  /** L1's base fee and blob base fee now (any common scaling keeps the comparison). */
  baseFee: bigint;
  blobBaseFee: bigint;
  /** The L1 serves blobs back by their versioned hash (anvil_getBlobByHash). */
  blobsReadable: boolean;
  /** A blob post failed less than BLOB_BACKOFF_MS ago. */
  blobBackoff: boolean;
}

/** Whether the batch `data` is posted in a blob under `mode`. */
export function postsInBlob(mode: PostMode, data: Uint8Array, c: PostContext): boolean {
  if (mode === "calldata") return false;
  if (mode === "blob") return true;
  if (!c.blobsReadable || c.blobBackoff) return false;
  return blobDataCost(c.blobBaseFee) < calldataDataCost(data, c.baseFee);
}
