/**
 * EVM configuration: the Cancun rules, the block environment a transaction runs in, and the
 * ethereumjs objects built from them. Pure: no I/O.
 */
import { Common, Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { createBlock, type Block } from "@ethereumjs/block";
import { Address, bytesToHex, type KZG } from "@ethereumjs/util";
import { paramsTx } from "@ethereumjs/tx";
import { loadKzg, type Kzg } from "../crypto/kzg";
import { keccak256, hexToBytes, toFixed } from "../bytes";
import { nativeCrypto } from "../crypto/native";

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
 *    recipient, so no transaction writes a shared balance. The base fee is charged on the gas the
 *    transaction declares (its gas limit), not on the gas it uses (unusedGasPrice).
 *  - "ethereum": the priority fee is added to the coinbase balance, exactly as Ethereum does
 *    (used by the conformance runner).
 */
export type FeeMode = "outputs" | "ethereum";

/**
 * The price per gas at which a transaction gets back the gas it did not use (protocol.md §6.5), given
 * its effective gas price and the base fee. Ethereum mode: the whole gas price (the base fee is
 * burned on the gas used). Fee-output mode: the priority fee only, so the sender pays
 * gasLimit × baseFee (burned) + gasUsed × priorityFee. *Why:* the declared gas is what raises the
 * next base fee (§7.5), so whoever declares gas pays the base fee on it, as EIP-1559 makes block
 * space pay. The validator (core/evm/execute.ts), the step machine's settlement (core/step/interp.ts)
 * and its Solidity twin (contracts/step/StepTx.sol) apply this rule.
 */
export function unusedGasPrice(feeMode: FeeMode, gasPrice: bigint, baseFee: bigint): bigint {
  return feeMode === "ethereum" ? gasPrice : gasPrice - baseFee;
}

/** What BLOCKHASH returns: nothing (the rollup: no history is state), or the state-test convention. */
export type BlockHashMode = "zero" | "state-test";

export const FEE_VAULT = hexToBytes("0xfee0000000000000000000000000000000000000");
export const FEE_VAULT_HEX = bytesToHex(FEE_VAULT);
/** ETH sent here (by any call) during a transaction becomes a withdrawal output of the transaction's sender. */
export const WITHDRAWAL_VAULT = hexToBytes("0x7700000000000000000000000000000000000000");
export const WITHDRAWAL_VAULT_HEX = bytesToHex(WITHDRAWAL_VAULT);

/** Per-transaction gas cap of the rollup's block environment. */
export const L2_BLOCK_GAS_LIMIT = 30_000_000n;

/**
 * The Commons made so far, most recently used last. Bounded: a transaction names its own chain id, and
 * one naming a new one on every submission (or in every batch on L1) must not grow a node's memory.
 */
const commons = new Map<bigint, Common>();
/** Commons kept at most (the rollup's own, mainnet's and a few more stay; others are made again). */
export const COMMONS_KEPT = 16;

/** How many Commons are kept now (for tests). */
export function commonsKept(): number {
  return commons.size;
}
let kzgImpl: KZG | undefined;
let kzgLoading: Promise<void> | undefined;
let kzgWanted = false;

/**
 * The process's KZG (core/crypto/kzg.ts) as ethereumjs's KZG interface. The EVM calls only `verifyProof` (the
 * point-evaluation precompile); the rollup has no blob transactions, so the blob and cell functions refuse.
 */
function ethereumjsKzg(k: Kzg): KZG {
  const bytes = (h: string) => hexToBytes(h as `0x${string}`);
  const refuse = (): never => {
    throw new Error("not used by the rollup's EVM");
  };
  return {
    verifyProof: (c, z, y, proof) => k.verifyPoint(bytes(c), bytes(z), bytes(y), bytes(proof)),
    blobToKzgCommitment: (blob) => bytesToHex(k.commitment(bytes(blob))),
    computeBlobProof: (blob, c) => bytesToHex(k.blobProof(bytes(blob), bytes(c))),
    verifyBlobProofBatch: refuse,
    computeCells: refuse,
    computeCellsAndProofs: refuse,
    recoverCellsAndProofs: refuse,
    verifyCellKzgProofBatch: refuse,
  };
}

/**
 * KZG (the point-evaluation precompile 0x0a) loads lazily: its trusted setup takes seconds
 * to load, and almost no transaction needs them. Until loaded, every call through this proxy fails
 * and marks KZG as wanted; the Executor then loads it and runs the transaction again from the start,
 * so the result never depends on whether KZG was loaded already.
 */
const kzgProxy = new Proxy({} as KZG, {
  get(_t, name: string) {
    return (...args: unknown[]) => {
      if (!kzgImpl) {
        kzgWanted = true;
        throw new Error("KZG is not loaded yet");
      }
      return (kzgImpl as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
    };
  },
});

/** Loads KZG (idempotent). */
export async function loadCrypto(): Promise<void> {
  if (kzgImpl) return;
  kzgLoading ??= loadKzg().then((k) => {
    kzgImpl = ethereumjsKzg(k);
  });
  await kzgLoading;
}

/** Whether KZG is loaded (the step machine's point-evaluation step needs it synchronously). */
export function kzgReady(): boolean {
  return kzgImpl !== undefined;
}

/**
 * Whether some run needed KZG before it was loaded. Sticky until KZG is loaded, so that with several
 * executors in one thread no run can miss it (a run that did not need it merely runs twice).
 */
export function kzgMissing(): boolean {
  return kzgWanted && !kzgImpl;
}

/**
 * Merges the transaction parameters into `c` once, and makes its copies skip re-merging them.
 * ethereumjs copies the Common for every decoded transaction and merges `paramsTx` into the copy
 * again (JSON round trips and a rebuilt parameter cache, about 10% of a transfer's validation);
 * the values are the same every time.
 */
export function mergeTxParamsOnce(c: Common): void {
  c.updateParams(paramsTx);
  const merge = Common.prototype.updateParams;
  // An own property: Common.copy() (Object.assign) carries it to every per-transaction copy.
  (c as unknown as { updateParams: typeof merge }).updateParams = function (this: Common, params) {
    if (params !== paramsTx) merge.call(this, params);
  };
}

/**
 * The Cancun Common of a chain id, one per thread. Its customCrypto has the lazy KZG, and native
 * keccak256 and secp256k1 recovery when their bindings load (ethereumjs then uses them for
 * transaction senders, ECRECOVER and KECCAK256).
 */
export function cancunCommon(chainId: bigint): Common {
  let c = commons.get(chainId);
  if (c) {
    // Most recently used last: the one evicted is the one unused longest.
    commons.delete(chainId);
    commons.set(chainId, c);
  } else {
    const n = nativeCrypto();
    const customCrypto = n ? { kzg: kzgProxy, keccak256: n.keccak256, ecrecover: n.ecrecover, ecdsaRecover: n.ecdsaRecover } : { kzg: kzgProxy };
    c =
      chainId === 1n
        ? new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto })
        : createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Cancun, customCrypto });
    mergeTxParamsOnce(c);
    commons.set(chainId, c);
    // INVARIANT: at most COMMONS_KEPT Commons, however many chain ids transactions name.
    if (commons.size > COMMONS_KEPT) commons.delete(commons.keys().next().value as bigint);
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
