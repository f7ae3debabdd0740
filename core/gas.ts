/**
 * Gas of a batch (docs/protocol.md §7.3, §7.5): the gas each transaction declares to the batch (its
 * gas limit; 0 for a deposit), the per-batch cap on their sum, and the base fee rule that L1 applies
 * at append time (EIP-1559's update computed from the parent batch). Twin: contracts/lib/BatchLib.sol
 * (MAX_GAS, nextBaseFee).
 */
import { RLP } from "@ethereumjs/rlp";
import { bytesToBigInt } from "./bytes";
import { InvalidTxError } from "./errors";
import { TxType, decodeTx, type Tx } from "./tx";
import { L2_BLOCK_GAS_LIMIT } from "./evm/chain";

/** Most gas the transactions of one batch may declare together: the block gas limit (GASLIMIT) of §7.2. */
export const BATCH_GAS_LIMIT = L2_BLOCK_GAS_LIMIT;
/** EIP-1559's target: half the limit. */
export const GAS_TARGET = BATCH_GAS_LIMIT / 2n;
/** EIP-1559's base fee change denominator: at most 12.5% per batch. */
export const BASE_FEE_CHANGE_DENOMINATOR = 8n;
/** The base fee saturates here (no transaction can pay anything near it; keeps L1's arithmetic bounded). */
export const MAX_BASE_FEE = (1n << 128n) - 1n;

/**
 * The base fee of the batch after one with base fee `parentBaseFee` whose transactions declare
 * `parentGas` (protocol.md §7.5): EIP-1559's update towards GAS_TARGET, never below `minBaseFee`,
 * saturating at MAX_BASE_FEE.
 */
export function nextBaseFee(parentBaseFee: bigint, parentGas: bigint, minBaseFee: bigint): bigint {
  let fee = parentBaseFee;
  if (parentGas > GAS_TARGET) {
    const delta = (parentBaseFee * (parentGas - GAS_TARGET)) / GAS_TARGET / BASE_FEE_CHANGE_DENOMINATOR;
    fee += delta === 0n ? 1n : delta;
    if (fee > MAX_BASE_FEE) fee = MAX_BASE_FEE;
  } else if (parentGas < GAS_TARGET) {
    fee -= (parentBaseFee * (GAS_TARGET - parentGas)) / GAS_TARGET / BASE_FEE_CHANGE_DENOMINATOR;
  }
  return fee < minBaseFee ? minBaseFee : fee;
}

/** The base fee a batch must carry: `minBaseFee` for batch 0, else nextBaseFee of its parent. */
export function requiredBaseFee(parent: { baseFee: bigint; gas: bigint } | undefined, minBaseFee: bigint): bigint {
  return parent ? nextBaseFee(parent.baseFee, parent.gas, minBaseFee) : minBaseFee;
}

/** Index of the gas limit in a raw Ethereum transaction's RLP list, by type (legacy, 2930, 1559, blob, set-code). */
const GAS_FIELD: Record<number, number> = { 0: 2, 1: 3, 2: 4, 3: 4, 4: 4 };

/**
 * The gas a transaction declares to its batch (protocol.md §7.3): 0 for a deposit, the gas limit of a
 * move transaction, the gas limit of a wrapped transaction's raw Ethereum transaction. Throws
 * InvalidTxError (malformed, bad-ethereum-tx) when the raw transaction has no readable gas limit.
 */
export function declaredGas(tx: Tx): bigint {
  if (tx.type === TxType.Deposit) return 0n;
  if (tx.type === TxType.Move) return tx.gasLimit;
  const raw = tx.raw;
  const typed = raw.length > 0 && raw[0] < 0x80;
  try {
    const fields = RLP.decode(typed ? raw.subarray(1) : raw);
    const g = Array.isArray(fields) ? fields[GAS_FIELD[typed ? raw[0] : 0]] : undefined;
    if (g instanceof Uint8Array && g.length <= 8) return bytesToBigInt(g);
  } catch {
    // below
  }
  throw new InvalidTxError("malformed", "bad-ethereum-tx", "raw transaction has no readable gas limit");
}

/** One transaction of a batch as posted: the gas it declares (protocol.md §7.3) and its encoding. */
export interface BatchTx {
  gas: bigint;
  tx: Uint8Array;
}

/** An encoded transaction with the gas an honest batch declares for it (its gas limit, 0 for a deposit). */
export function batchTxOf(encoded: Uint8Array): BatchTx {
  return { gas: declaredGas(decodeTx(encoded)), tx: encoded };
}
