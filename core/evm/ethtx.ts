/**
 * Turns the two signed shapes into the ethereumjs transaction objects the EVM runs, and recovers
 * their senders. Failures are typed: malformed (the raw bytes do not decode as an Ethereum
 * transaction), signature (it does not recover), rules (a field rule is broken).
 */
import { createTx, createTxFromRLP, Capability, type TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";
import { InvalidTxError } from "../errors";
import { MoveTx, WrappedTx, TxType } from "../tx";
import { recoverMoveTxSender } from "../sign";
import { cancunCommon } from "./chain";

export interface RunnableTx {
  eth: TypedTransaction;
  sender: Address;
}

export interface EthTxPolicy {
  /** Chain id of the rollup (or of the conformance vector). */
  chainId: bigint;
  /** Accept legacy transactions without EIP-155 replay protection (Ethereum does). */
  allowUnprotected: boolean;
  /** Accept blob transactions (type 3). The rollup has no blobs; the conformance runner does. */
  allowBlobTx: boolean;
}

/** A legacy transaction signed without EIP-155 replay protection (v = 27 or 28): valid on every chain. */
export function isUnprotected(eth: TypedTransaction): boolean {
  return eth.type === 0 && !eth.supports(Capability.EIP155ReplayProtection);
}

/** Whether raw bytes decode as a legacy transaction without replay protection (false if they do not decode). */
export function isUnprotectedRaw(raw: Uint8Array, chainId: bigint): boolean {
  try {
    return isUnprotected(createTxFromRLP(raw, { common: cancunCommon(chainId) }) as TypedTransaction);
  } catch {
    return false;
  }
}

export function decodeWrapped(tx: WrappedTx, policy: EthTxPolicy): RunnableTx {
  let eth: TypedTransaction;
  try {
    eth = createTxFromRLP(tx.raw, { common: cancunCommon(policy.chainId) }) as TypedTransaction;
  } catch (e) {
    throw new InvalidTxError("malformed", "bad-ethereum-tx", `raw transaction does not decode: ${(e as Error).message}`);
  }
  // INVARIANT: the rollup has no blobs: a blob transaction is not a transaction it can decode.
  if (eth.type === 3 && !policy.allowBlobTx) throw new InvalidTxError("malformed", "bad-ethereum-tx", "blob transactions are not accepted");
  if (isUnprotected(eth) && !policy.allowUnprotected) throw new InvalidTxError("rules", "unprotected", "legacy transaction without chain id");
  if ("accessList" in eth && Array.isArray(eth.accessList))
    for (const item of eth.accessList as unknown[][]) {
      const [a, keys] = item as [unknown, unknown];
      // An empty key list may be encoded as the empty string (ethereumjs runs it as no keys).
      const keyList = keys instanceof Uint8Array && keys.length === 0 ? [] : keys;
      // INVARIANT: an access list names 20-byte addresses and 32-byte keys. ethereumjs decodes an
      // address written as a list of 20 items (a key as a list of 32) and then cannot run it.
      if (!(a instanceof Uint8Array) || !Array.isArray(keyList) || keyList.some((k) => !(k instanceof Uint8Array)))
        throw new InvalidTxError("rules", "access-list-shape", "an access-list entry is not an address with 32-byte keys");
    }
  let sender: Address;
  try {
    sender = eth.getSenderAddress();
  } catch (e) {
    throw new InvalidTxError("signature", "bad-signature", `signature does not recover: ${(e as Error).message}`);
  }
  return { eth, sender };
}

export function moveTxToEth(tx: MoveTx, policy: EthTxPolicy): RunnableTx {
  // INVARIANT: a move transaction names the rollup's chain id.
  if (tx.chainId !== policy.chainId) throw new InvalidTxError("rules", "chain-id", `chain id ${tx.chainId} is not ${policy.chainId}`);
  const sender = new Address(recoverMoveTxSender(tx));
  let eth: TypedTransaction;
  try {
    eth = createTx(
      {
        type: 2,
        chainId: tx.chainId,
        nonce: tx.nonce,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
        maxFeePerGas: tx.maxFeePerGas,
        gasLimit: tx.gasLimit,
        to: tx.to ?? undefined,
        value: tx.value,
        data: tx.data,
        accessList: [],
      },
      { common: cancunCommon(policy.chainId), freeze: false },
    ) as TypedTransaction;
  } catch (e) {
    throw new InvalidTxError("rules", "bad-fields", (e as Error).message);
  }
  (eth as unknown as { getSenderAddress: () => Address }).getSenderAddress = () => sender;
  return { eth, sender };
}

export function toRunnable(tx: MoveTx | WrappedTx, policy: EthTxPolicy): RunnableTx {
  return tx.type === TxType.Move ? moveTxToEth(tx, policy) : decodeWrapped(tx, policy);
}
