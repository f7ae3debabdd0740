/**
 * Batch header and batch data (docs/protocol.md §7). The header hash is
 * keccak256(tag || abi.encode(fields)) with every field a 32-byte word, so Solidity computes it
 * with one abi.encode. Batch data is: version byte 0x02, varint tx count, then for each transaction
 * the gas it declares (varint) and its canonical encoding, length-prefixed, so any one transaction
 * decodes without the others. The limits of §5.5 and §7.5 (data size, transaction size, declared
 * gas) are part of the data's strict decoding: L1 refuses a batch over any of them.
 */
import { Reader, Writer } from "./codec";
import { DecodeError } from "./errors";
import { u256, toFixed, concatBytes, ZERO32, bytesToHex } from "./bytes";
import { toChecksumAddress } from "@ethereumjs/util";
import { hashTagged } from "./hash";
import { merkleRoot, leafHash } from "./merkle";
import { BATCH_GAS_LIMIT, type BatchTx } from "./gas";
import { LIMITS, decodeTx, type Tx } from "./tx";
import { FLZ_ITEM, MAX_FLZ_ITEM_BYTES, NotExpandableError, expandItem } from "./flz";

export const BATCH_DATA_VERSION = 0x02;
export const MAX_BATCH_TXS = 1 << 16;
/**
 * Largest transaction encoding (protocol.md §5.5): a proof carrying two such transactions fits far
 * below L1's 2^24 gas per transaction (EIP-7825), calldata floor (EIP-7623) included.
 */
export const MAX_TX_BYTES = LIMITS.maxTxBytes;
/** Largest batch data (protocol.md §5.5): fits geth's 128 KiB transaction limit with room for a wrapper. */
export const MAX_BATCH_BYTES = 122_880;

export type { BatchTx };

export interface BatchHeader {
  index: bigint;
  parent: Uint8Array; // 32 bytes: hash of the previous header (ZERO32 for batch 0)
  firstSeq: bigint;
  txCount: bigint;
  txRoot: Uint8Array;
  number: bigint;
  timestamp: bigint;
  feeRecipient: Uint8Array;
  baseFee: bigint;
  depositStart: bigint; // first deposit queue index consumed
  depositEnd: bigint; // one past the last consumed
  dataHash: Uint8Array;
  /** L1's base fee the batch's L1 data fees are computed with (protocol.md §6.6); at most the appending block's. */
  l1BaseFee: bigint;
  /** L1's blob base fee the batch's L1 data fees are computed with; at most the appending block's. */
  l1BlobBaseFee: bigint;
}

function word(v: bigint): Uint8Array {
  return u256(v);
}

export function headerHash(h: BatchHeader): Uint8Array {
  return hashTagged(
    "batchHeader",
    concatBytes(
      word(h.index),
      h.parent,
      word(h.firstSeq),
      word(h.txCount),
      h.txRoot,
      word(h.number),
      word(h.timestamp),
      concatBytes(new Uint8Array(12), h.feeRecipient),
      word(h.baseFee),
      word(h.depositStart),
      word(h.depositEnd),
      h.dataHash,
      word(h.l1BaseFee),
      word(h.l1BlobBaseFee),
    ),
  );
}

/**
 * The batch data of `txs`. Throws RangeError where L1 would refuse it: more than MAX_BATCH_TXS
 * transactions, a transaction over MAX_TX_BYTES, declared gas over BATCH_GAS_LIMIT, or data over
 * MAX_BATCH_BYTES.
 */
export function encodeBatchData(txs: readonly BatchTx[]): Uint8Array {
  if (txs.length > MAX_BATCH_TXS) throw new RangeError(`${txs.length} transactions: more than ${MAX_BATCH_TXS} in one batch`);
  const w = new Writer().u8(BATCH_DATA_VERSION).varint(txs.length);
  let gas = 0n;
  for (const t of txs) {
    if (t.tx.length > MAX_TX_BYTES) throw new RangeError(`a transaction of ${t.tx.length} bytes: over the limit of ${MAX_TX_BYTES}`);
    if (t.tx.length > MAX_FLZ_ITEM_BYTES && t.tx[0] === FLZ_ITEM) throw new RangeError(`a compressed item of ${t.tx.length} bytes: over the limit of ${MAX_FLZ_ITEM_BYTES}`);
    gas += t.gas;
    w.varint(t.gas).bytes(t.tx);
  }
  if (gas > BATCH_GAS_LIMIT) throw new RangeError(`the transactions declare ${gas} gas: over the batch limit of ${BATCH_GAS_LIMIT}`);
  const data = w.finish();
  if (data.length > MAX_BATCH_BYTES) throw new RangeError(`${data.length} bytes of batch data: over the limit of ${MAX_BATCH_BYTES}`);
  return data;
}

function varintSize(v: bigint | number): number {
  let x = BigInt(v);
  let n = 1;
  while (x >= 0x80n) {
    x >>= 7n;
    n++;
  }
  return n;
}

/** Bytes one transaction adds to batch data (its gas, its length prefix, its encoding). */
export function batchEntrySize(t: BatchTx): number {
  return varintSize(t.gas) + varintSize(t.tx.length) + t.tx.length;
}

/** Exact size of the batch data of `count` transactions whose entries take `entryBytes` bytes together. */
export function batchDataSize(count: number, entryBytes: number): number {
  return 1 + varintSize(count) + entryBytes;
}

/**
 * Splits batch data into its transactions (each still to be decoded on its own), with the checks
 * and error offsets of contracts/lib/BatchLib.sol parseLeaves: empty (truncated at 0), over
 * MAX_BATCH_BYTES (oversized at 0), unknown version (at 0), count over MAX_BATCH_TXS (oversized at
 * 1), declared gas whose running sum passes BATCH_GAS_LIMIT (oversized at that gas), a transaction
 * over MAX_TX_BYTES (oversized at its length), a compressed item (first byte FLZ_ITEM, §7.7) over
 * MAX_FLZ_ITEM_BYTES (oversized at its length), trailing bytes.
 */
export function splitBatchData(data: Uint8Array): BatchTx[] {
  if (data.length === 0) throw new DecodeError("truncated", "batch version: need 1 bytes, 0 left", 0);
  if (data.length > MAX_BATCH_BYTES) throw new DecodeError("oversized", `batch data of ${data.length} bytes exceeds the limit ${MAX_BATCH_BYTES}`, 0);
  const r = new Reader(data);
  const v = r.u8("batch version");
  if (v !== BATCH_DATA_VERSION) throw new DecodeError("unknown-type", `unknown batch data version ${v}`, 0);
  const n = r.count(MAX_BATCH_TXS, "batch tx count");
  const out: BatchTx[] = [];
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const gas = r.varint("declared gas");
    total += gas;
    if (total > BATCH_GAS_LIMIT) throw new DecodeError("oversized", `the transactions declare more than ${BATCH_GAS_LIMIT} gas`, at);
    const lenAt = r.pos;
    const tx = r.bytes("batch tx", MAX_TX_BYTES);
    if (tx.length > MAX_FLZ_ITEM_BYTES && tx[0] === FLZ_ITEM) throw new DecodeError("oversized", `a compressed item of ${tx.length} bytes exceeds the limit ${MAX_FLZ_ITEM_BYTES}`, lenAt);
    out.push({ gas, tx });
  }
  r.end("batch data");
  return out;
}

/**
 * A batch item as posted and the transaction it stands for (protocol.md §7.7): the one place where a reader of L1
 * batch data turns items into transactions. `item` (with `gas`) is what the leaf and txRoot hash and what every proof
 * submits to L1 (L1 expands it again); `tx` is what is decoded, validated and identified.
 */
export interface ExpandedItem {
  /** The declared gas (§7.3). */
  gas: bigint;
  /** The item as posted: a raw transaction encoding, or 0xF1 and FastLZ blocks. */
  item: Uint8Array;
  /** The transaction's encoding: the item itself if raw, its expansion if compressed; undefined if it does not expand. */
  tx?: Uint8Array;
  /** Why it does not expand: a one-step `malformed` fault, reason `not-expandable` (§7.7, §9). */
  error?: NotExpandableError;
}

/** Expands one posted batch entry with the deployment's dictionary `dict` (§7.7); never throws for a bad stream. */
export function expandBatchItem(t: BatchTx, dict: Uint8Array): ExpandedItem {
  try {
    return { gas: t.gas, item: t.tx, tx: expandItem(t.tx, dict) };
  } catch (e) {
    if (e instanceof NotExpandableError) return { gas: t.gas, item: t.tx, error: e };
    throw e;
  }
}

/**
 * The transaction a posted item stands for (§7.7): the item expanded with `dict`, then decoded strictly (§5). Throws
 * DecodeError: NotExpandableError (reason `not-expandable`) for a compressed item that does not expand, else the
 * decoder's error. Every reader of items from L1 batch data decodes them with this, never with decodeTx directly.
 */
export function decodeItem(item: Uint8Array, dict: Uint8Array): Tx {
  return decodeTx(expandItem(item, dict));
}

/** Gas the transactions of a batch declare together. */
export function batchGas(txs: readonly BatchTx[]): bigint {
  return txs.reduce((s, t) => s + t.gas, 0n);
}

export function batchDataHash(data: Uint8Array): Uint8Array {
  return hashTagged("batchData", data);
}

export function txRootOf(txs: readonly BatchTx[]): Uint8Array {
  return merkleRoot(txs.map((t) => leafHash(t.gas, t.tx)));
}

export const GENESIS_PARENT = ZERO32;
export { toFixed };

/** The header as the Solidity ABI takes it (BatchLib.BatchHeader): hex strings and bigints. */
export function headerToAbi(h: BatchHeader) {
  return {
    index: h.index,
    parent: bytesToHex(h.parent),
    firstSeq: h.firstSeq,
    txCount: h.txCount,
    txRoot: bytesToHex(h.txRoot),
    number: h.number,
    timestamp: h.timestamp,
    feeRecipient: toChecksumAddress(bytesToHex(h.feeRecipient)),
    baseFee: h.baseFee,
    depositStart: h.depositStart,
    depositEnd: h.depositEnd,
    dataHash: bytesToHex(h.dataHash),
    l1BaseFee: h.l1BaseFee,
    l1BlobBaseFee: h.l1BlobBaseFee,
  };
}

/** ABI type of BatchLib.BatchHeader, for abi.encode of proofs. */
export const HEADER_ABI_TYPE =
  "tuple(uint256 index, bytes32 parent, uint256 firstSeq, uint256 txCount, bytes32 txRoot, uint256 number, uint256 timestamp, address feeRecipient, uint256 baseFee, uint256 depositStart, uint256 depositEnd, bytes32 dataHash, uint256 l1BaseFee, uint256 l1BlobBaseFee)";
