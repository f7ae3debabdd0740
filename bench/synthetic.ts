/**
 * Synthetic rollup transactions for the step machine: a contract with the given code, called by
 * a funded wallet with an EIP-1559 transaction, filled in fee-output mode against a MemoryState.
 * The stepper benchmark and the stepper's tests run them.
 */
import { ethers } from "ethers";
import { MemoryState } from "../core/memory-state";
import { fillMoves } from "../core/fill";
import { Mark } from "../core/keys";
import { bytesToHex, hexToBytes, keccak256 } from "../core/bytes";
import { batchTxContext, type TxContext } from "../core/context";
import type { BatchHeader } from "../core/batch";
import type { Executor } from "../core/evm/execute";
import { TxType, decodeTx, encodeTx, type WrappedTx } from "../core/tx";

export const SYN_CHAIN_ID = 901n;
export const SYN_KEY = "0x" + "11".repeat(32);
export const SYN_CONTRACT = hexToBytes("0x00000000000000000000000000000000c0de0001");
export const SYN_FEE_RECIPIENT = hexToBytes("0x00000000000000000000000000000000000fee01");

export interface SyntheticTx {
  tx: WrappedTx;
  ctx: TxContext;
  state: MemoryState;
}

/** The L1 base fee of synthetic batches (30 gwei). */
export const SYN_L1_BASE_FEE = 30_000_000_000n;

export function syntheticContext(seq = 5n, feeRecipient = SYN_FEE_RECIPIENT): TxContext {
  const header = {
    index: 0n,
    parent: new Uint8Array(32).fill(7),
    firstSeq: seq,
    txCount: 1n,
    txRoot: new Uint8Array(32),
    number: 1n,
    timestamp: 1_700_000_000n,
    feeRecipient,
    baseFee: 7n,
    depositStart: 0n,
    depositEnd: 0n,
    dataHash: new Uint8Array(32),
    // L1 prices, so every synthetic case pays an L1 data fee (protocol.md §6.6) and the stepper checks it
    l1BaseFee: SYN_L1_BASE_FEE,
    l1BlobBaseFee: 3n,
  } as BatchHeader;
  return batchTxContext(header, SYN_CHAIN_ID, 0);
}

export interface SyntheticOptions {
  /** Extra contracts: address → code. */
  contracts?: Record<string, Uint8Array>;
  /** Storage of the main contract. */
  storage?: Record<string, bigint>;
  gasLimit?: bigint;
  value?: bigint;
  data?: Uint8Array;
  /** Call nothing: create a contract with `code` as initcode. */
  create?: boolean;
  accessList?: { address: string; storageKeys: string[] }[];
  seq?: bigint;
  /** The sender is the fee recipient and holds fee outputs of these values (created by seqs 1, 2, …): the filler sweeps them. */
  feeOutputs?: bigint[];
}

/** A filled transaction calling a contract whose code is `code`. */
export async function syntheticTx(ex: Executor, code: Uint8Array, o: SyntheticOptions = {}): Promise<SyntheticTx> {
  const wallet = new ethers.Wallet(SYN_KEY);
  const state = new MemoryState();
  state.setGenesis({ mark: Mark.Balance, addr: hexToBytes(wallet.address as `0x${string}`), slot: 0n }, 10n ** 24n);
  const put = (addr: Uint8Array, c: Uint8Array) => {
    state.addCode(c);
    state.setGenesis({ mark: Mark.Code, addr, slot: 0n }, BigInt(bytesToHex(keccak256(c))));
    state.setGenesis({ mark: Mark.Nonce, addr, slot: 0n }, 1n);
  };
  if (!o.create) put(SYN_CONTRACT, code);
  for (const [a, c] of Object.entries(o.contracts ?? {})) put(hexToBytes(a as `0x${string}`), c);
  for (const [k, v] of Object.entries(o.storage ?? {})) state.setGenesis({ mark: Mark.Storage, addr: SYN_CONTRACT, slot: BigInt(k) }, v);
  const me = hexToBytes(wallet.address as `0x${string}`);
  (o.feeOutputs ?? []).forEach((value, i) => {
    const seq = BigInt(i + 1);
    state.apply(seq, { type: TxType.Deposit, index: 0n, from: me, to: me, value: 0n, moves: [{ mask: 0, ref: false, mark: Mark.Fee, intx: 0n, addr: me, slot: seq, prev: 0n, next: value }] });
  });
  const raw = await wallet.signTransaction({
    type: 2,
    chainId: SYN_CHAIN_ID,
    nonce: 0,
    to: o.create ? null : bytesToHex(SYN_CONTRACT),
    value: o.value ?? 0n,
    data: o.create ? bytesToHex(code) : bytesToHex(o.data ?? new Uint8Array(0)),
    gasLimit: o.gasLimit ?? 1_000_000n,
    maxFeePerGas: 10n,
    maxPriorityFeePerGas: 2n,
    accessList: o.accessList ?? [],
  });
  const ctx = syntheticContext(o.seq, o.feeOutputs ? me : SYN_FEE_RECIPIENT);
  const wrapped: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
  const tx = decodeTx(encodeTx((await fillMoves(wrapped, state, ctx, ex, { maxSweep: 256 })).tx)) as WrappedTx;
  return { tx, ctx, state };
}

/** Code that loops until its gas runs out: JUMPDEST PUSH1 1 POP PUSH1 0 JUMP (17 gas per 5 instructions). */
export const LOOP_CODE = hexToBytes("0x5b600150600056");
