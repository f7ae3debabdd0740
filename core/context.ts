/** What a transaction's validity depends on besides itself: its seq and its block environment. */
import { L2_BLOCK_GAS_LIMIT, type BlockEnv, type BlockHashMode, type FeeMode } from "./evm/chain";
import type { BatchHeader } from "./batch";
import type { EthTxPolicy } from "./evm/ethtx";
import type { L1Prices } from "./l1fee";

export interface TxContext {
  /** The transaction's sequence number. */
  seq: bigint;
  env: BlockEnv;
  feeMode: FeeMode;
  blockHash: BlockHashMode;
  /** Accept legacy transactions without a chain id. */
  allowUnprotected: boolean;
  /** Accept blob transactions (conformance only). */
  allowBlobTx: boolean;
  /**
   * The gas the batch declares for the transaction (protocol.md §7.3), when it is known: validation
   * then requires it to be the transaction's gas limit (0 for a deposit). Undefined outside a batch
   * (filling, RPC simulation, conformance).
   */
  declaredGas?: bigint;
  /**
   * The L1 prices the batch header declares (protocol.md §6.6, §7.1), from which a transaction's L1 data
   * fee is computed in fee-output mode. Undefined: no L1 fee (Ethereum mode, conformance).
   */
  l1Prices?: L1Prices;
}

/** The L1 prices of a context (none: 0 and 0, no L1 fee). */
export function l1PricesOf(ctx: TxContext): L1Prices {
  return ctx.feeMode === "outputs" && ctx.l1Prices ? ctx.l1Prices : { l1BaseFee: 0n, l1BlobBaseFee: 0n };
}

export function policyOf(ctx: TxContext): EthTxPolicy {
  return { chainId: ctx.env.chainId, allowUnprotected: ctx.allowUnprotected, allowBlobTx: ctx.allowBlobTx };
}

/**
 * The context of transaction `position` of a rollup batch (protocol.md §7.2): fee-output mode, no
 * block history, PREVRANDAO = the parent header hash, the fixed L2 gas limit, no blobs; with the gas
 * the batch declares for it (§7.3) when given.
 */
export function batchTxContext(header: BatchHeader, chainId: bigint, position: number, declaredGas?: bigint): TxContext {
  return {
    seq: header.firstSeq + BigInt(position),
    env: {
      chainId,
      number: header.number,
      timestamp: header.timestamp,
      coinbase: header.feeRecipient,
      baseFee: header.baseFee,
      gasLimit: L2_BLOCK_GAS_LIMIT,
      prevRandao: header.parent,
      excessBlobGas: 0n,
    },
    feeMode: "outputs",
    blockHash: "zero",
    allowUnprotected: true,
    allowBlobTx: false,
    l1Prices: { l1BaseFee: header.l1BaseFee, l1BlobBaseFee: header.l1BlobBaseFee },
    ...(declaredGas !== undefined ? { declaredGas } : {}),
  };
}
