/** What a transaction's validity depends on besides itself: its seq and its block environment. */
import type { BlockEnv, BlockHashMode, FeeMode } from "./evm/chain";
import type { EthTxPolicy } from "./evm/ethtx";

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
}

export function policyOf(ctx: TxContext): EthTxPolicy {
  return { chainId: ctx.env.chainId, allowUnprotected: ctx.allowUnprotected, allowBlobTx: ctx.allowBlobTx };
}
