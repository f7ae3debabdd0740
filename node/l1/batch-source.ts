/**
 * Where an appended batch's data is on L1 (docs/protocol.md §11.2), as pure rules: the Inbox's
 * BatchAppended event names the source (`dataSource`), either the calldata of the L1 transaction
 * itself (`appendBatch`, called directly by an account without code) or the BatchData event of the
 * same transaction (`appendBatchFromContract`), or the transaction's blob (`appendBatchBlob`, §14.5). Whatever
 * the source, the bytes found must hash to the header's `dataHash`, which L1 computed from exactly the data it
 * accepted (for a blob: the versioned hash of the blob's KZG commitment): so a node that finds them has the
 * batch's data, and a node that does not has an UnreadableBatch with the reason.
 *
 * The calldata is decoded the way Solidity's ABI decoder reads `(BatchHeader calldata, bytes
 * calldata)`: the data offset is the 15th head word, relative to the arguments' start, and may point
 * anywhere the decoder accepts (a poster may encode non-canonically; L1 accepted what Solidity read).
 */
import { id } from "ethers";
import { batchDataHash, type BatchHeader } from "../../core/batch";
import { bytesToHex, equalsBytes } from "../../core/bytes";
import { BLOB_BYTES, blobBatch, blobDataFault, unpackBlob, versionedHash, type BlobDataFault } from "../../core/blob";

/** DataSource of contracts/interfaces/IInbox.sol. */
export const DataSource = { Calldata: 0, Event: 1, Blob: 2 } as const;
export type DataSourceId = (typeof DataSource)[keyof typeof DataSource];

/** Selector of Inbox.appendBatch(BatchHeader, bytes). */
export const APPEND_BATCH_SELECTOR = id(
  "appendBatch((uint256,bytes32,uint256,uint256,bytes32,uint256,uint256,address,uint256,uint256,uint256,bytes32,uint256,uint256),bytes)",
).slice(0, 10);

/** A batch whose data a node cannot find where its BatchAppended event says; `reason` says why. */
export class UnreadableBatch extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const HEAD_WORDS = 15; // fourteen header words, then the data offset
const U64_MAX = (1n << 64n) - 1n;

function wordAt(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

/**
 * The `data` argument of `appendBatch(header, data)` calldata, read exactly as Solidity's decoder
 * reads it (the same bounds checks); throws UnreadableBatch where that decoder would revert.
 */
export function dataFromAppendCalldata(input: Uint8Array): Uint8Array {
  if (input.length < 4 || bytesToHex(input.subarray(0, 4)) !== APPEND_BATCH_SELECTOR) throw new UnreadableBatch("the transaction does not call appendBatch");
  const args = input.subarray(4);
  const end = BigInt(args.length);
  if (args.length < HEAD_WORDS * 32) throw new UnreadableBatch("appendBatch calldata shorter than its head");
  const offset = wordAt(args, (HEAD_WORDS - 1) * 32);
  if (offset > U64_MAX || offset + 31n >= end) throw new UnreadableBatch(`appendBatch data offset ${offset} out of bounds`);
  const length = wordAt(args, Number(offset));
  const start = offset + 32n;
  if (length > U64_MAX || start + length > end) throw new UnreadableBatch(`appendBatch data length ${length} out of bounds`);
  return args.slice(Number(start), Number(start + length));
}

/** Requires `data` to be the batch's data: it hashes to the header's dataHash. */
export function requireBatchData(header: BatchHeader, data: Uint8Array, where: string): Uint8Array {
  if (!equalsBytes(batchDataHash(data), header.dataHash)) throw new UnreadableBatch(`${where} does not hash to the header's dataHash`);
  return data;
}

/** What a node knows of one BatchAppended log: enough to find the data again (also after a restart). */
export interface AppendRef {
  index: bigint;
  headerHash: string;
  header: BatchHeader;
  poster: string;
  dataSource: number;
  l1TxHash: string;
  blockHash: string;
  blockNumber: number;
  txIndex: number;
  logIndex: number;
}

/** The batch data of `ref` from its L1 transaction (`to`, `input`): the Calldata source. */
export function dataFromTx(ref: AppendRef, tx: { hash: string; to: string | null; input: Uint8Array }, inbox: string): Uint8Array {
  if (tx.hash.toLowerCase() !== ref.l1TxHash) throw new UnreadableBatch(`L1 returned transaction ${tx.hash} at ${ref.blockHash}/${ref.txIndex}, expected ${ref.l1TxHash}`);
  if (!tx.to || tx.to.toLowerCase() !== inbox.toLowerCase()) throw new UnreadableBatch(`the transaction calls ${tx.to ?? "no one (a creation)"}, not the Inbox`);
  return requireBatchData(ref.header, dataFromAppendCalldata(tx.input), "the calldata's data");
}

/**
 * A blob batch whose blob does not give what its poster declared (the `data` fault, protocol.md §14.5): the
 * blob is the batch's (its commitment is the header's), but it has no batch data a node could follow.
 * Unreadable for a node (nothing is built on it); a challenger proves it with the DataProver.
 */
export class BlobDataFaultError extends UnreadableBatch {
  constructor(
    readonly fault: BlobDataFault,
    readonly blob: Uint8Array,
    readonly commitment: Uint8Array,
  ) {
    super(`the blob does not give the batch's declarations (data fault: ${fault.reason})`);
  }
}

/**
 * The batch data of `ref` from its blob: the Blob source. `commitment` is the blob's KZG commitment (computed by
 * the reader, never taken from the endpoint) and `declaredGas` the gas the Inbox recorded for the batch. The
 * commitment's versioned hash must be the header's dataHash; a blob that does not give the declarations throws
 * BlobDataFaultError.
 */
export function dataFromBlob(ref: AppendRef, blob: Uint8Array | undefined, commitment: Uint8Array | undefined, declaredGas: bigint): Uint8Array {
  if (!blob || !commitment) throw new UnreadableBatch("L1 returned no blob for the header's versioned hash");
  if (blob.length !== BLOB_BYTES) throw new UnreadableBatch(`L1 returned ${blob.length} bytes for a blob, not ${BLOB_BYTES}`);
  if (!equalsBytes(versionedHash(commitment), ref.header.dataHash)) throw new UnreadableBatch("the blob L1 returned is not the one whose versioned hash the header holds");
  const fault = blobDataFault(blob, { txCount: ref.header.txCount, gas: declaredGas, txRoot: ref.header.txRoot });
  if (fault) throw new BlobDataFaultError(fault, blob, commitment);
  return blobBatch(unpackBlob(blob).payload).data.slice();
}

/** The batch data of `ref` from the `data` of its BatchData log: the Event source. */
export function dataFromEvent(ref: AppendRef, logData: Uint8Array | undefined): Uint8Array {
  if (!logData) throw new UnreadableBatch("no BatchData event with this index and header hash in the transaction");
  return requireBatchData(ref.header, logData, "the BatchData event's data");
}
