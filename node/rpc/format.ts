/**
 * Ethereum JSON-RPC shapes of moveset's blocks (one per batch), transactions and receipts.
 * Quantities are minimal hex, data is hex. Extra moveset fields ride along under `moveset`.
 */
import { L1_BASE_FEE_SCALAR, L1_BLOB_BASE_FEE_SCALAR, type L1Cost } from "../../core/l1fee";
import { bytesToHex } from "../../core/bytes";
import { markName } from "../../core/keys";
import { recoverMoveTxSender } from "../../core/sign";
import { TxType, type Tx } from "../../core/tx";
import type { StoredBatch, StoredReceipt } from "../state/chain-store";
import { L2_BLOCK_GAS_LIMIT } from "../../core/evm/chain";
import { receiptBloom, txFields, DEPOSIT_TX_TYPE } from "../state/receipts";
import type { Move } from "../../core/moves";

export const q = (v: bigint | number): string => "0x" + BigInt(v).toString(16);
export const ZERO_HASH = "0x" + "00".repeat(32);
const EMPTY_UNCLES = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
const EMPTY_TRIE = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
const EMPTY_BLOOM = "0x" + "00".repeat(256);

export interface BlockRef {
  number: bigint;
  hash: string;
}

/** The genesis block (number 0): the parent of batch 0, whose hash is ZERO. */
export function genesisBlock(baseFee: bigint): Record<string, unknown> {
  return {
    number: "0x0",
    hash: ZERO_HASH,
    parentHash: ZERO_HASH,
    nonce: "0x0000000000000000",
    sha3Uncles: EMPTY_UNCLES,
    logsBloom: EMPTY_BLOOM,
    transactionsRoot: EMPTY_TRIE,
    stateRoot: ZERO_HASH,
    receiptsRoot: EMPTY_TRIE,
    miner: "0x" + "00".repeat(20),
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: "0x",
    size: "0x0",
    gasLimit: q(L2_BLOCK_GAS_LIMIT),
    gasUsed: "0x0",
    timestamp: "0x0",
    transactions: [],
    uncles: [],
    baseFeePerGas: q(baseFee),
    mixHash: ZERO_HASH,
    withdrawals: [],
    withdrawalsRoot: EMPTY_TRIE,
    blobGasUsed: "0x0",
    excessBlobGas: "0x0",
    parentBeaconBlockRoot: ZERO_HASH,
  };
}

export function formatBlock(b: StoredBatch, transactions: unknown[]): Record<string, unknown> {
  const h = b.header;
  return {
    number: q(h.index + 1n),
    hash: b.hash,
    parentHash: bytesToHex(h.parent),
    nonce: "0x0000000000000000",
    sha3Uncles: EMPTY_UNCLES,
    logsBloom: b.logsBloom,
    transactionsRoot: bytesToHex(h.txRoot),
    stateRoot: ZERO_HASH,
    receiptsRoot: ZERO_HASH,
    miner: bytesToHex(h.feeRecipient),
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: "0x",
    size: q(b.size),
    gasLimit: q(L2_BLOCK_GAS_LIMIT),
    gasUsed: q(b.gasUsed),
    timestamp: q(h.timestamp),
    transactions,
    uncles: [],
    baseFeePerGas: q(h.baseFee),
    mixHash: bytesToHex(h.parent),
    withdrawals: [],
    withdrawalsRoot: EMPTY_TRIE,
    blobGasUsed: "0x0",
    excessBlobGas: "0x0",
    parentBeaconBlockRoot: ZERO_HASH,
    moveset: {
      index: q(h.index),
      firstSeq: q(h.firstSeq),
      txCount: q(h.txCount),
      depositStart: q(h.depositStart),
      depositEnd: q(h.depositEnd),
      dataHash: bytesToHex(h.dataHash),
      l1: b.l1 ? { txHash: b.l1.txHash, blockNumber: q(b.l1.blockNumber), poster: b.l1.poster, postedAt: b.l1.postedAt !== undefined ? q(b.l1.postedAt) : null } : null,
    },
  };
}

/** Sender of a transaction that is not in a block yet. */
export function senderOf(tx: Tx): string {
  if (tx.type === TxType.Deposit) return bytesToHex(tx.from);
  if (tx.type === TxType.Move) return bytesToHex(recoverMoveTxSender(tx));
  return txFields(tx).from!;
}

/**
 * A transaction object. `at` places it in a block (with its receipt); without it, it is pending.
 *
 * A deposit has no L2 sender: it is shown as sent by the L1 Bridge (`depositFrom`), with the L1
 * depositor under `moveset.depositor`. (Shown as sent by the depositor with nonce 0, it would look
 * to wallets like a replacement of the depositor's own first L2 transaction: ethers' wait() scans
 * blocks for the sender and nonce.)
 */
export function formatTx(tx: Tx, id: string, at: { block: StoredBatch; index: number; receipt: StoredReceipt } | undefined, depositFrom: string): Record<string, unknown> {
  // In a block: its sender is its receipt's (recovered when the batch was executed), not recovered again.
  const f = txFields(tx, at?.receipt.from);
  const from = f.type === DEPOSIT_TX_TYPE ? depositFrom : at ? at.receipt.from : (f.from ?? senderOf(tx));
  const o: Record<string, unknown> = {
    blockHash: at ? at.block.hash : null,
    blockNumber: at ? q(at.block.header.index + 1n) : null,
    transactionIndex: at ? q(at.index) : null,
    hash: id,
    from,
    to: f.to,
    nonce: q(f.nonce),
    gas: q(f.gasLimit),
    value: q(f.value),
    input: f.data,
    type: q(f.type),
    v: q(f.v),
    r: f.r,
    s: f.s,
  };
  if (f.chainId !== undefined) o.chainId = q(f.chainId);
  if (f.maxFeePerGas !== undefined) {
    o.maxFeePerGas = q(f.maxFeePerGas);
    o.maxPriorityFeePerGas = q(f.maxPriorityFeePerGas ?? 0n);
    o.gasPrice = q(at ? at.receipt.effectiveGasPrice : f.maxFeePerGas);
  } else o.gasPrice = q(f.gasPrice ?? 0n);
  if (f.accessList !== undefined) o.accessList = f.accessList;
  if (f.yParity !== undefined) o.yParity = q(f.yParity);
  if (f.type === DEPOSIT_TX_TYPE && tx.type === TxType.Deposit) o.moveset = { depositIndex: q(tx.index), depositor: bytesToHex(tx.from) };
  if (at) o.moveset = { ...((o.moveset as object) ?? {}), seq: q(at.block.header.firstSeq + BigInt(at.index)) };
  return o;
}

export function formatLog(r: StoredReceipt, j: number, block: StoredBatch, txIndex: number): Record<string, unknown> {
  const l = r.logs[j];
  return {
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: q(block.header.index + 1n),
    blockHash: block.hash,
    blockTimestamp: q(block.header.timestamp),
    transactionHash: r.txHash,
    transactionIndex: q(txIndex),
    logIndex: q(r.logIndexStart + j),
    removed: false,
  };
}

export function formatReceipt(r: StoredReceipt, block: StoredBatch, txIndex: number, depositFrom: string): Record<string, unknown> {
  return {
    transactionHash: r.txHash,
    transactionIndex: q(txIndex),
    blockHash: block.hash,
    blockNumber: q(block.header.index + 1n),
    from: r.type === DEPOSIT_TX_TYPE ? depositFrom : r.from,
    to: r.to,
    cumulativeGasUsed: q(r.cumulativeGasUsed),
    gasUsed: q(r.gasUsed),
    contractAddress: r.contractAddress,
    logs: r.logs.map((_, j) => formatLog(r, j, block, txIndex)),
    logsBloom: receiptBloom(r),
    status: q(r.status),
    effectiveGasPrice: q(r.effectiveGasPrice),
    type: q(r.type),
    blobGasUsed: "0x0",
    ...(r.l1 ? l1ReceiptFields(r.l1) : {}),
    moveset: { seq: q(block.header.firstSeq + BigInt(txIndex)), feeOutput: q(r.fee), withdrawalOutput: q(r.withdrawal) },
  };
}

/**
 * The L1 data fee fields of a receipt (protocol.md §6.6), as an OP Stack (Ecotone) node reports them:
 * the fee (part of the fee output), its L1 gas, the L1 base fee and blob base fee the batch declared, and
 * the scalars.
 */
export function l1ReceiptFields(l1: L1Cost): Record<string, string> {
  return {
    l1Fee: q(l1.l1Fee),
    l1GasUsed: q(l1.l1GasUsed),
    l1GasPrice: q(l1.l1GasPrice),
    l1BlobBaseFee: q(l1.l1BlobBaseFee),
    l1BaseFeeScalar: q(L1_BASE_FEE_SCALAR),
    l1BlobBaseFeeScalar: q(L1_BLOB_BASE_FEE_SCALAR),
  };
}

export function formatMove(m: Move): Record<string, unknown> {
  return {
    mask: m.mask,
    ref: m.ref,
    mark: markName(m.mark),
    intx: q(m.intx),
    addr: bytesToHex(m.addr),
    slot: q(m.slot),
    prev: q(m.prev),
    next: q(m.next),
  };
}
