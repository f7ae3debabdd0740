/**
 * Batch header and batch data (docs/protocol.md §7). The header hash is
 * keccak256(tag || abi.encode(fields)) with every field a 32-byte word, so Solidity computes it
 * with one abi.encode. Batch data is: version byte 0x01, varint tx count, then each transaction's
 * canonical encoding length-prefixed, so any one transaction decodes without the others.
 */
import { Reader, Writer } from "./codec";
import { DecodeError } from "./errors";
import { u256, toFixed, concatBytes, ZERO32, bytesToHex } from "./bytes";
import { toChecksumAddress } from "@ethereumjs/util";
import { hashTagged } from "./hash";
import { merkleRoot, leafHash } from "./merkle";

export const BATCH_DATA_VERSION = 0x01;
export const MAX_BATCH_TXS = 1 << 16;

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
    ),
  );
}

export function encodeBatchData(encodedTxs: readonly Uint8Array[]): Uint8Array {
  const w = new Writer().u8(BATCH_DATA_VERSION).varint(encodedTxs.length);
  for (const t of encodedTxs) w.bytes(t);
  return w.finish();
}

/** Splits batch data into the transactions' encodings (each still to be decoded on its own). */
export function splitBatchData(data: Uint8Array): Uint8Array[] {
  const r = new Reader(data);
  const v = r.u8("batch version");
  if (v !== BATCH_DATA_VERSION) throw new DecodeError("unknown-type", `unknown batch data version ${v}`, 0);
  const n = r.count(MAX_BATCH_TXS, "batch tx count");
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes("batch tx"));
  r.end("batch data");
  return out;
}

export function batchDataHash(data: Uint8Array): Uint8Array {
  return hashTagged("batchData", data);
}

export function txRootOf(encodedTxs: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(encodedTxs.map(leafHash));
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
  };
}

/** ABI type of BatchLib.BatchHeader, for abi.encode of proofs. */
export const HEADER_ABI_TYPE =
  "tuple(uint256 index, bytes32 parent, uint256 firstSeq, uint256 txCount, bytes32 txRoot, uint256 number, uint256 timestamp, address feeRecipient, uint256 baseFee, uint256 depositStart, uint256 depositEnd, bytes32 dataHash)";
