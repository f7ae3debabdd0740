/**
 * moveset's own transaction driver: what @ethereumjs/vm `runTx` does around the EVM call, for the
 * Cancun rules only, without what the validator does not need. The Executor (core/evm/execute.ts)
 * has already checked the transaction-level rules against the sender's declared state, in
 * Ethereum's order (`checkRules`); the driver charges the gas, bumps the nonce, runs the message,
 * refunds and pays the fee recipient, applies Cancun's self-destructs and EIP-161's removal of
 * touched empty accounts, exactly as `runTx` does. It leaves out what only a block producer or an
 * RPC needs: the receipt and its bloom filter, the `beforeTx`/`afterTx` events, the rule checks
 * `checkRules` made already, and the branches of later forks (EIP-7702 authorizations, the
 * EIP-7623 calldata floor, the EIP-8037 state-gas reservoir, block access lists).
 *
 * Like `runTx`, the driver gives the unused gas back at the gas price; in fee-output mode the
 * Executor then applies the rollup's rule (core/evm/chain.ts unusedGasPrice: the base fee is charged
 * on the declared gas) after either of them, so the rule has one definition.
 *
 * The outcome (status, gas used, logs, created address, every key's final value) is `runTx`'s: the
 * conformance suite runs through the driver, and test/core/evm/driver.test.ts compares the two on
 * the bench workload's transactions and on broken ones. `driverSupports` refuses any Common whose
 * rules differ from the ones written here (the Executor then falls back to `runTx`).
 */
import { Capability, isBlob4844Tx, type TypedTransaction } from "@ethereumjs/tx";
import { Account, Address, bytesToUnprefixedHex, hexToBytes } from "@ethereumjs/util";
import { ConsensusType, Hardfork, type Common } from "@ethereumjs/common";
import type { Block } from "@ethereumjs/block";
import type { EVMResult } from "@ethereumjs/evm";
import type { VM } from "@ethereumjs/vm";

/** EIPs whose rules the driver implements (they must be active) and those it leaves out (they must not be). */
const NEEDED = [1559, 2929, 2930, 3529, 3651, 3860, 4844, 6780];
const LEFT_OUT = [2780, 6800, 7623, 7702, 7708, 7778, 7864, 7928, 8037, 8246];

/** Whether the driver's rules are exactly `common`'s (Cancun, and no EIP activated on top). */
export function driverSupports(common: Common): boolean {
  return common.hardfork() === Hardfork.Cancun && common.consensusType() !== ConsensusType.ProofOfAuthority && NEEDED.every((e) => common.isActivatedEIP(e)) && !LEFT_OUT.some((e) => common.isActivatedEIP(e));
}

export interface DriveResult {
  execResult: EVMResult["execResult"];
  /** Gas the transaction pays for (after the refund). */
  totalGasSpent: bigint;
  createdAddress?: Address;
}

/**
 * Runs `tx` from `caller` in `block` on `vm`'s EVM and state manager. The rules must have been
 * checked (gas limit, intrinsic gas, fee caps, the sender's code, balance and nonce).
 */
export async function driveTx(vm: VM, tx: TypedTransaction, caller: Address, block: Block): Promise<DriveResult> {
  const evm = vm.evm as VM["evm"] & { journal: Journal; precompiles: Map<string, unknown> };
  const journal = evm.journal;
  const state = vm.stateManager;
  // A clear warm set and journal, then the transaction's checkpoint (runTx).
  await journal.cleanup();
  await journal.checkpoint();
  try {
    if (tx.supports(Capability.EIP2930AccessLists))
      for (const [addressBytes, slots] of (tx as TypedTransaction & { accessList: [Uint8Array, Uint8Array[]][] }).accessList) {
        const a = bytesToUnprefixedHex(addressBytes);
        journal.addAlwaysWarmAddress(a, true);
        for (const s of slots) journal.addAlwaysWarmSlot(a, bytesToUnprefixedHex(s), true);
      }
    const r = await run(vm, evm, journal, state, tx, caller, block);
    await journal.commit();
    return r;
  } catch (e) {
    await journal.revert();
    throw e;
  } finally {
    journal.cleanJournal();
    state.originalStorageCache.clear();
  }
}

interface Journal {
  cleanup(): Promise<void>;
  cleanJournal(): void;
  checkpoint(): Promise<void>;
  commit(): Promise<void>;
  revert(): Promise<void>;
  addAlwaysWarmAddress(a: string, addToAccessList?: boolean): void;
  addAlwaysWarmSlot(a: string, s: string, addToAccessList?: boolean): void;
  putAccount(address: Address, account: Account): Promise<void>;
  deleteAccount(address: Address): Promise<void>;
}

async function run(vm: VM, evm: { precompiles: Map<string, unknown>; runCall: VM["evm"]["runCall"] }, journal: Journal, state: VM["stateManager"], tx: TypedTransaction, caller: Address, block: Block): Promise<DriveResult> {
  const header = block.header;
  // EIP-2929 and EIP-3651: the precompiles, the sender, the recipient and the coinbase are warm.
  for (const a of evm.precompiles.keys()) journal.addAlwaysWarmAddress(a);
  journal.addAlwaysWarmAddress(caller.toString());
  if (tx.to !== undefined) journal.addAlwaysWarmAddress(bytesToUnprefixedHex(tx.to.bytes));
  journal.addAlwaysWarmAddress(bytesToUnprefixedHex(header.coinbase.bytes));

  const intrinsicGas = tx.getIntrinsicGas();
  const gasLimit = tx.gasLimit - intrinsicGas;
  const fromAccount = (await state.getAccount(caller)) ?? new Account();
  const baseFee = header.baseFeePerGas ?? 0n;
  let gasPrice: bigint;
  let inclusionFeePerGas: bigint;
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    inclusionFeePerGas = (tx as TypedTransaction & { getEffectivePriorityFee(b: bigint): bigint }).getEffectivePriorityFee(baseFee);
    gasPrice = inclusionFeePerGas + baseFee;
  } else {
    gasPrice = (tx as TypedTransaction & { gasPrice: bigint }).gasPrice;
    inclusionFeePerGas = gasPrice - baseFee;
  }
  let blobGasCost = 0n;
  let blobVersionedHashes: `0x${string}`[] | undefined;
  if (isBlob4844Tx(tx)) {
    blobGasCost = vm.common.param("blobGasPerBlob") * BigInt(tx.numBlobs()) * header.getBlobGasPrice();
    blobVersionedHashes = tx.blobVersionedHashes;
  }
  // The sender pays the gas limit at the price, and the blob gas; its nonce goes up (before the call).
  const txCost = tx.gasLimit * gasPrice;
  fromAccount.balance -= txCost + blobGasCost;
  await journal.putAccount(caller, fromAccount);
  fromAccount.nonce += 1n;
  await journal.putAccount(caller, fromAccount);

  await journal.checkpoint();
  let results: EVMResult;
  try {
    results = await vm.evm.runCall({ block, gasPrice, caller, gasLimit, to: tx.to, value: tx.value, data: tx.data, blobVersionedHashes, skipNonceIncrement: true });
  } catch (e) {
    await journal.revert();
    throw e;
  }
  await journal.commit();

  // Gas: what execution used plus the intrinsic gas, less the refund (at most a fifth: EIP-3529).
  let totalGasSpent = results.execResult.executionGasUsed + intrinsicGas;
  const refund = results.execResult.gasRefund ?? 0n;
  if (refund !== 0n) {
    const max = totalGasSpent / vm.common.param("maxRefundQuotient");
    totalGasSpent -= refund < max ? refund : max;
  }
  const sender = (await state.getAccount(caller)) ?? new Account();
  sender.balance += txCost - totalGasSpent * gasPrice;
  await journal.putAccount(caller, sender);
  // The coinbase gets the priority fee (in fee-output mode the coinbase is the fee vault).
  const miner = (await state.getAccount(header.coinbase)) ?? new Account();
  miner.balance += totalGasSpent * inclusionFeePerGas;
  await journal.putAccount(header.coinbase, miner);

  // EIP-6780: a self-destruct deletes only an account created in the same transaction.
  const sd = results.execResult.selfdestruct;
  if (sd !== undefined)
    for (const a of [...sd.keys()].sort((x, y) => x.localeCompare(y))) {
      const address = new Address(hexToBytes(a as `0x${string}`));
      if (results.execResult.createdAddresses?.has(address.toString())) await journal.deleteAccount(address);
    }
  // EIP-161: touched accounts left empty are removed.
  await journal.cleanup();
  state.originalStorageCache.clear();
  return { execResult: results.execResult, totalGasSpent, createdAddress: results.createdAddress };
}
