/**
 * EVM configuration: the Cancun rules, the block environment a transaction runs in, and the
 * ethereumjs objects built from them. Pure: no I/O.
 */
import { Common, Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { createBlock, type Block } from "@ethereumjs/block";
import { Address, bytesToHex, type KZG } from "@ethereumjs/util";
import { loadKZG } from "kzg-wasm";
import { keccak256, hexToBytes, toFixed } from "../bytes";

/** The block a transaction runs in. In the rollup it comes from the batch header (protocol.md §7.2). */
export interface BlockEnv {
  chainId: bigint;
  number: bigint;
  timestamp: bigint;
  /** Fee recipient. In fee-output mode COINBASE reads FEE_VAULT and fees become outputs of this address. */
  coinbase: Uint8Array;
  baseFee: bigint;
  gasLimit: bigint;
  prevRandao: Uint8Array;
  excessBlobGas: bigint;
}

/**
 * How fees are paid (protocol.md §6.5):
 *  - "outputs": the rollup's mode. COINBASE is FEE_VAULT, which is empty at the start of every
 *    transaction; whatever it holds at the end becomes a fresh fee output (mark f) of the fee
 *    recipient, so no transaction writes a shared balance.
 *  - "ethereum": the priority fee is added to the coinbase balance, exactly as Ethereum does
 *    (used by the conformance runner).
 */
export type FeeMode = "outputs" | "ethereum";

/** What BLOCKHASH returns: nothing (the rollup: no history is state), or the state-test convention. */
export type BlockHashMode = "zero" | "state-test";

export const FEE_VAULT = hexToBytes("0xfee0000000000000000000000000000000000000");
export const FEE_VAULT_HEX = bytesToHex(FEE_VAULT);
/** ETH sent here (by any call) during a transaction becomes a withdrawal output of the transaction's sender. */
export const WITHDRAWAL_VAULT = hexToBytes("0x7700000000000000000000000000000000000000");
export const WITHDRAWAL_VAULT_HEX = bytesToHex(WITHDRAWAL_VAULT);

/** Per-transaction gas cap of the rollup's block environment. */
export const L2_BLOCK_GAS_LIMIT = 30_000_000n;

const commons = new Map<string, Common>();
let kzg: KZG | undefined;

/**
 * Loads the KZG library (WASM) that the point-evaluation precompile (0x0a) and blob transaction
 * decoding need. Executor.create calls it; it is idempotent.
 */
export async function loadCrypto(): Promise<void> {
  if (!kzg) kzg = (await loadKZG()) as unknown as KZG;
}

export function cancunCommon(chainId: bigint): Common {
  const k = `${chainId}|${kzg ? 1 : 0}`;
  let c = commons.get(k);
  if (!c) {
    const customCrypto = kzg ? { kzg } : {};
    c =
      chainId === 1n
        ? new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto })
        : createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Cancun, customCrypto });
    commons.set(k, c);
  }
  return c;
}

export function blockFromEnv(env: BlockEnv, feeMode: FeeMode): Block {
  const common = cancunCommon(env.chainId);
  return createBlock(
    {
      header: {
        number: env.number,
        timestamp: env.timestamp,
        coinbase: new Address(feeMode === "outputs" ? FEE_VAULT : env.coinbase),
        baseFeePerGas: env.baseFee,
        gasLimit: env.gasLimit,
        mixHash: env.prevRandao,
        difficulty: 0n,
        excessBlobGas: env.excessBlobGas,
        blobGasUsed: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
      },
    },
    { common, skipConsensusFormatValidation: true, freeze: false },
  );
}

/** BLOCKHASH under the state-test convention: keccak256 of the decimal block number. */
export function stateTestBlockHash(n: bigint): Uint8Array {
  return keccak256(new TextEncoder().encode(n.toString()));
}

export function blockHashFor(mode: BlockHashMode, n: bigint): Uint8Array {
  return mode === "state-test" ? stateTestBlockHash(n) : toFixed(0n, 32);
}
