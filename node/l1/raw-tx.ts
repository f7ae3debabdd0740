/**
 * An EIP-1559 L1 transaction built and signed once, as bytes (@ethereumjs/tx): the poster's
 * appendBatch carries 20-40 KB of calldata, which ethers' contract call re-serialized and re-parsed
 * from hex about ten times on the node's thread (docs/BENCHMARKS.md, "The mix"). Here the calldata
 * stays one Uint8Array from the batch to the signed bytes that are sent and journaled.
 */
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { Hardfork, Mainnet, createCustomCommon, type Common } from "@ethereumjs/common";
import { bytesToHex } from "../../core/bytes";

/** The tip when L1 does not answer eth_maxPriorityFeePerGas (ethers' getFeeData uses the same). */
export const DEFAULT_PRIORITY_FEE = 1_000_000_000n;

/** L1's gas limit per transaction (EIP-7825: 2^24), which a padded estimate must not pass. */
export const MAX_TX_GAS = 1n << 24n;

export interface Eip1559Fields {
  chainId: bigint;
  nonce: bigint;
  gasLimit: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  to: Uint8Array;
  value: bigint;
  data: Uint8Array;
}

const commons = new Map<bigint, Common>();

function commonOf(chainId: bigint): Common {
  let c = commons.get(chainId);
  if (!c) commons.set(chainId, (c = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Cancun })));
  return c;
}

/** The signed transaction's bytes (0x02 || rlp(...)) and its hash (0x-hex, lower case). */
export function signEip1559(f: Eip1559Fields, privateKey: Uint8Array): { raw: Uint8Array; hash: string } {
  const tx = createFeeMarket1559Tx({ ...f, accessList: [] }, { common: commonOf(f.chainId) }).sign(privateKey);
  return { raw: tx.serialize(), hash: bytesToHex(tx.hash()) };
}
