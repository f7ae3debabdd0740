/**
 * Receipts and block records of a batch, from its transactions and their execution outcomes (as
 * filling or standalone validation reports them). A batch is a block: number = index + 1, hash =
 * the header hash.
 */
import { ethTxFields, type EthTxFields } from "../../core/evm/ethtx";
import { bytesToHex, keccak256 } from "../../core/bytes";
import { headerHash, type BatchHeader } from "../../core/batch";
import { TxType, type Tx } from "../../core/tx";
import { declaredGas } from "../../core/gas";
import { txIdHex } from "../../core/sign";
import type { TxOutcome } from "../../core/validate";
import type { StoredBatch, StoredLog, StoredReceipt } from "./chain-store";

export const DEPOSIT_TX_TYPE = 0x7e;
export const MOVE_TX_TYPE = 0x7f;

/** Ethereum's 2048-bit log bloom. */
export class LogBloom {
  readonly bits = new Uint8Array(256);

  add(item: Uint8Array): void {
    const h = keccak256(item);
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i] << 8) | h[i + 1]) & 2047;
      this.bits[255 - (bit >> 3)] |= 1 << (bit & 7);
    }
  }

  addLog(l: StoredLog): void {
    this.add(Buffer.from(l.address.slice(2), "hex"));
    for (const t of l.topics) this.add(Buffer.from(t.slice(2), "hex"));
  }

  has(item: Uint8Array): boolean {
    const h = keccak256(item);
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i] << 8) | h[i + 1]) & 2047;
      if (!(this.bits[255 - (bit >> 3)] & (1 << (bit & 7)))) return false;
    }
    return true;
  }

  static fromHex(h: string): LogBloom {
    const b = new LogBloom();
    b.bits.set(Buffer.from(h.slice(2), "hex"));
    return b;
  }

  hex(): string {
    return bytesToHex(this.bits);
  }
}

/** What RPC shows of a transaction besides its outcome: a wrapped one's fields (the core's parse), or the like for the rollup's own types. */
export type TxFields = Omit<EthTxFields, "from"> & { from?: string };

const ZERO32 = "0x" + "00".repeat(32);
const hex32 = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");

/** `knownFrom`: a wrapped transaction's sender as this node recovered it already (ethTxFields): not recovered again. */
export function txFields(tx: Tx, knownFrom?: string): TxFields {
  switch (tx.type) {
    case TxType.Deposit:
      return { type: DEPOSIT_TX_TYPE, nonce: 0n, to: bytesToHex(tx.to), value: tx.value, data: "0x", gasLimit: 0n, gasPrice: 0n, r: ZERO32, s: ZERO32, v: 0n, from: bytesToHex(tx.from) };
    case TxType.Move:
      return {
        type: MOVE_TX_TYPE,
        nonce: tx.nonce,
        to: tx.to ? bytesToHex(tx.to) : null,
        value: tx.value,
        data: bytesToHex(tx.data),
        gasLimit: tx.gasLimit,
        maxFeePerGas: tx.maxFeePerGas,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
        chainId: tx.chainId,
        accessList: [],
        r: hex32(tx.sig.r),
        s: hex32(tx.sig.s),
        v: BigInt(tx.sig.yParity),
        yParity: tx.sig.yParity,
      };
    case TxType.Wrapped:
      // The core's parser (ethereumjs), the one the validator runs.
      return ethTxFields(tx.raw, knownFrom);
  }
}

/** Price per gas actually paid, given the block's base fee. */
export function effectiveGasPrice(f: TxFields, baseFee: bigint): bigint {
  if (f.type === DEPOSIT_TX_TYPE) return 0n;
  if (f.maxFeePerGas !== undefined) {
    const p = baseFee + (f.maxPriorityFeePerGas ?? 0n);
    return p < f.maxFeePerGas ? p : f.maxFeePerGas;
  }
  return f.gasPrice ?? 0n;
}

export function storedLogs(o: TxOutcome): StoredLog[] {
  return o.logs.map(([a, topics, data]) => ({ address: bytesToHex(a), topics: topics.map((t) => bytesToHex(t)), data: bytesToHex(data) }));
}

/** The block record and receipts of a batch. */
export function buildBatchRecord(header: BatchHeader, txs: readonly Tx[], outcomes: readonly TxOutcome[], size: number, l1?: StoredBatch["l1"]): { batch: StoredBatch; receipts: StoredReceipt[] } {
  const receipts: StoredReceipt[] = [];
  const bloom = new LogBloom();
  let cumulative = 0n;
  let declared = 0n;
  let logIndex = 0;
  txs.forEach((tx, i) => {
    declared += declaredGas(tx);
    const o = outcomes[i];
    // The sender the batch's execution ran (its fill's or validation's recovery), not recovered again.
    const f = txFields(tx, o.sender);
    const logs = storedLogs(o);
    cumulative += o.gasUsed;
    for (const l of logs) bloom.addLog(l);
    receipts.push({
      txHash: txIdHex(tx),
      type: f.type,
      from: o.sender.toLowerCase(),
      to: f.to,
      contractAddress: o.createdAddress ? o.createdAddress.toLowerCase() : null,
      status: o.status,
      gasUsed: o.gasUsed,
      cumulativeGasUsed: cumulative,
      effectiveGasPrice: effectiveGasPrice(f, header.baseFee),
      logs,
      logIndexStart: logIndex,
      fee: o.fee,
      withdrawal: o.withdrawal,
      ...(o.l1 ? { l1: o.l1 } : {}),
    });
    logIndex += logs.length;
  });
  const batch: StoredBatch = {
    header,
    hash: bytesToHex(headerHash(header)),
    txHashes: receipts.map((r) => r.txHash),
    gasUsed: cumulative,
    gasDeclared: declared,
    logsBloom: bloom.hex(),
    size,
    l1,
  };
  return { batch, receipts };
}

/** Bloom of one receipt's logs. */
export function receiptBloom(r: StoredReceipt): string {
  const b = new LogBloom();
  for (const l of r.logs) b.addLog(l);
  return b.hex();
}
