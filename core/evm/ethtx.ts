/**
 * Turns the two signed shapes into the ethereumjs transaction objects the EVM runs, and recovers
 * their senders. Failures are typed: malformed (the raw bytes do not decode as an Ethereum
 * transaction), signature (it does not recover), rules (a field rule is broken). This is the one
 * TypeScript parser of wrapped Ethereum transactions (ethereumjs's): the validator runs what it
 * parses, and the node shows its fields (ethTxFields) from the same parse.
 */
import { createTx, createTxFromRLP, Capability, accessListBytesToJSON, type TypedTransaction, type AccessListBytes } from "@ethereumjs/tx";
import { RLP } from "@ethereumjs/rlp";
import { Address, bytesToBigInt, bytesToHex } from "@ethereumjs/util";
import { InvalidTxError } from "../errors";
import { keccak256 } from "../bytes";
import { MoveTx, WrappedTx, TxType } from "../tx";
import { recoverMoveTxSender } from "../sign";
import { cancunCommon } from "./chain";
import { nativeCrypto } from "../crypto/native";

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

/**
 * The sender of a decoded signed transaction: ethereumjs recovers the public key (with the Common's
 * ecrecover: native when it loads) and the address is the low 20 bytes of its keccak256, here the
 * core's (native) one, where ethereumjs' `getSenderAddress` hashes with @noble. Throws what
 * `getSenderPublicKey` throws. (The Executor runs the sender it is given, never asks the object.)
 */
export function recoverSender(eth: TypedTransaction): Address {
  return new Address(keccak256(eth.getSenderPublicKey()).subarray(12));
}

function pinSender(eth: TypedTransaction, sender: Address): void {
  (eth as unknown as { getSenderAddress: () => Address }).getSenderAddress = () => sender;
}

/** geth's words for a transaction signed for another chain. */
export function wrongChainMessage(have: bigint, want: bigint): string {
  return `invalid chain id for signer: have ${have} want ${want}`;
}

/**
 * Decodes a wrapped Ethereum transaction under `policy` and recovers its sender. `knownSender`: the
 * sender this node itself recovered from the same bytes under the same policy (the coordinator's
 * thread does, natively, before handing the fill to a worker): it is used instead of recovering it
 * again. Never pass a sender that came from outside.
 */
export function decodeWrapped(tx: WrappedTx, policy: EthTxPolicy, knownSender?: Uint8Array): RunnableTx {
  let eth: TypedTransaction;
  // Named before decoding: ethereumjs's own message for it prints one of its functions' source.
  const named = namedChainId(tx.raw);
  if (named !== undefined && named !== policy.chainId) throw new InvalidTxError("malformed", "bad-ethereum-tx", wrongChainMessage(named, policy.chainId));
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
      // INVARIANT: an access list names 20-byte addresses and 32-byte keys (protocol.md §5.4). ethereumjs
      // decodes an address written as a list of 20 items (a key as a list of 32), which it cannot run;
      // the rollup refuses it as malformed, so that L1 refuses it at the first list it meets (§5.5).
      if (!(a instanceof Uint8Array) || !Array.isArray(keyList) || keyList.some((k) => !(k instanceof Uint8Array)))
        throw new InvalidTxError("malformed", "bad-ethereum-tx", "an access-list entry is not an address with 32-byte keys");
    }
  if (knownSender !== undefined) return { eth, sender: new Address(knownSender) };
  let sender: Address;
  try {
    sender = recoverSender(eth);
  } catch (e) {
    throw new InvalidTxError("signature", "bad-signature", `signature does not recover: ${(e as Error).message}`);
  }
  return { eth, sender };
}

export function moveTxToEth(tx: MoveTx, policy: EthTxPolicy): RunnableTx {
  // The signature before the chain id (protocol.md §6 item 6): the rules proof (RulesProver) checks every
  // rule against a recovered signer, so a rules fault is named only for a validly signed transaction.
  const sender = new Address(recoverMoveTxSender(tx));
  // INVARIANT: a move transaction names the rollup's chain id.
  if (tx.chainId !== policy.chainId) throw new InvalidTxError("rules", "chain-id", `chain id ${tx.chainId} is not ${policy.chainId}`);
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
  pinSender(eth, sender);
  return { eth, sender };
}

/** `knownSender`: see decodeWrapped (wrapped transactions only; a move transaction's signers are its own). */
export function toRunnable(tx: MoveTx | WrappedTx, policy: EthTxPolicy, knownSender?: Uint8Array): RunnableTx {
  return tx.type === TxType.Move ? moveTxToEth(tx, policy) : decodeWrapped(tx, policy, knownSender);
}

/**
 * The chain id a raw Ethereum transaction names: a typed one's chainId field, a legacy one's from
 * its EIP-155 `v`; undefined for a legacy one without replay protection or bytes that are no RLP.
 */
export function namedChainId(raw: Uint8Array): bigint | undefined {
  try {
    if (raw.length > 0 && raw[0] <= 0x7f) {
      const f = RLP.decode(raw.subarray(1));
      return Array.isArray(f) && f[0] instanceof Uint8Array ? bytesToBigInt(f[0]) : undefined;
    }
    const f = RLP.decode(raw);
    const v = Array.isArray(f) && f[6] instanceof Uint8Array ? bytesToBigInt(f[6]) : 0n;
    return v >= 35n ? (v - 35n) / 2n : undefined;
  } catch {
    return undefined;
  }
}

/** The fields of a signed Ethereum transaction, as JSON-RPC shows them (hex strings lower case). */
export interface EthTxFields {
  type: number;
  nonce: bigint;
  to: string | null;
  value: bigint;
  data: string;
  gasLimit: bigint;
  /** Legacy and EIP-2930. */
  gasPrice?: bigint;
  /** EIP-1559. */
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  /** Undefined for a legacy transaction without replay protection. */
  chainId?: bigint;
  /** EIP-2930 and EIP-1559. */
  accessList?: { address: string; storageKeys: string[] }[];
  r: string;
  s: string;
  /** A legacy transaction's `v` as signed (27/28 or EIP-155); a typed one's yParity. */
  v: bigint;
  /** Typed transactions. */
  yParity?: number;
  from: string;
}

const hex32 = (v: bigint | undefined) => "0x" + (v ?? 0n).toString(16).padStart(64, "0");

/**
 * Parses a signed Ethereum transaction (legacy, EIP-2930, EIP-1559) into its fields and sender,
 * under the chain id it names. Throws InvalidTxError (malformed `bad-ethereum-tx`, signature
 * `bad-signature`) as the validator would. `knownFrom`: its sender as this node already recovered it
 * from the same bytes (a receipt's, a batch's outcome): taken as it is, not recovered again (a
 * secp256k1 recovery is most of this function's cost). Never pass a sender that came from outside.
 */
export function ethTxFields(raw: Uint8Array, knownFrom?: string): EthTxFields {
  const named = namedChainId(raw);
  let eth: TypedTransaction;
  try {
    eth = createTxFromRLP(raw, { common: cancunCommon(named ?? 1n) }) as TypedTransaction;
  } catch (e) {
    throw new InvalidTxError("malformed", "bad-ethereum-tx", `raw transaction does not decode: ${(e as Error).message}`);
  }
  let from: string;
  try {
    from = knownFrom !== undefined ? knownFrom.toLowerCase() : recoverSender(eth).toString().toLowerCase();
  } catch (e) {
    throw new InvalidTxError("signature", "bad-signature", `signature does not recover: ${(e as Error).message}`);
  }
  const typed = eth.type !== 0;
  const t = eth as TypedTransaction & { gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint; accessList?: AccessListBytes };
  return {
    type: eth.type,
    nonce: eth.nonce,
    to: eth.to ? eth.to.toString().toLowerCase() : null,
    value: eth.value,
    data: bytesToHex(eth.data).toLowerCase(),
    gasLimit: eth.gasLimit,
    ...(eth.type === 2 ? { maxFeePerGas: t.maxFeePerGas, maxPriorityFeePerGas: t.maxPriorityFeePerGas } : { gasPrice: t.gasPrice }),
    chainId: named,
    accessList: typed && t.accessList ? accessListBytesToJSON(t.accessList).map((a) => ({ address: a.address.toLowerCase(), storageKeys: a.storageKeys.map((k) => k.toLowerCase()) })) : undefined,
    r: hex32(eth.r),
    s: hex32(eth.s),
    v: eth.v ?? 0n,
    yParity: typed ? Number(eth.v ?? 0n) : undefined,
    from,
  };
}

/** What the mempool orders a wrapped transaction by (node/coordinator/tx-pool.ts txMeta): its sender (lowercase hex), nonce and fees. */
export interface EthTxOrder {
  from: string;
  nonce: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const MAX_UINT256 = (1n << 256n) - 1n;
/** Gas limits the lean reading takes (EIP-7825's cap; a larger one goes to ethereumjs, whichever rules its Common has). */
const LEAN_MAX_GAS = 1n << 24n;
const native = nativeCrypto();

/** An RLP integer ethereumjs takes as it stands: at most `max` bytes, no leading zero byte. */
const canonicalInt = (b: Uint8Array | Uint8Array[], max: number): b is Uint8Array => b instanceof Uint8Array && b.length <= max && (b.length === 0 || b[0] !== 0);

/**
 * The sender, nonce and fees of a signed EIP-1559 transaction of the common shape, read without building an
 * ethereumjs transaction object (most of ethTxFields' cost besides the recovery): one RLP decode, the signing
 * hash of the decoded fields re-encoded, one native secp256k1 recovery. Undefined for anything else — another
 * type, a contract creation, an access list, a field ethereumjs would refuse or that this reading does not
 * check (leading zeros, oversized integers, a chain id past 2^48, a high s, a y-parity other than 0 or 1, gas past 2^24, fees whose
 * product passes 2^256 or a tip above the cap), a signature that does not recover, no native secp256k1 — which
 * the caller then hands to ethereumjs (ethTxFields). Whenever it answers, ethTxFields answers the same
 * (test/core/evm/ethtx-lean.test.ts compares them on valid and mutated transactions).
 */
export function leanEthTxOrder(raw: Uint8Array): EthTxOrder | undefined {
  if (!native || raw.length < 2 || raw[0] !== 2) return undefined;
  let f: (Uint8Array | Uint8Array[])[];
  try {
    const d = RLP.decode(raw.subarray(1));
    if (!Array.isArray(d)) return undefined;
    f = d as (Uint8Array | Uint8Array[])[];
  } catch {
    return undefined;
  }
  if (f.length !== 12) return undefined;
  const [chainId, nonce, tip, cap, gas, to, value, data, list, v, r, s] = f;
  // A chain id past 2^48 goes to ethereumjs (the Common holds a chain id as a JavaScript number).
  if (!canonicalInt(chainId, 6) || chainId.length === 0 || !canonicalInt(nonce, 7) || !canonicalInt(tip, 32) || !canonicalInt(cap, 32) || !canonicalInt(gas, 4) || !canonicalInt(value, 32)) return undefined;
  if (!(to instanceof Uint8Array) || to.length !== 20 || !(data instanceof Uint8Array) || !Array.isArray(list) || list.length !== 0) return undefined;
  if (!canonicalInt(v, 1) || (v.length === 1 && v[0] !== 1) || !canonicalInt(r, 32) || r.length === 0 || !canonicalInt(s, 32) || s.length === 0) return undefined;
  const maxPriorityFeePerGas = bytesToBigInt(tip);
  const maxFeePerGas = bytesToBigInt(cap);
  const gasLimit = bytesToBigInt(gas);
  if (gasLimit > LEAN_MAX_GAS || gasLimit * maxFeePerGas > MAX_UINT256 || maxFeePerGas < maxPriorityFeePerGas || bytesToBigInt(s) > SECP256K1_HALF_N) return undefined;
  const unsigned = RLP.encode(f.slice(0, 9));
  const msg = new Uint8Array(unsigned.length + 1);
  msg[0] = 2;
  msg.set(unsigned, 1);
  const sig = new Uint8Array(64);
  sig.set(r, 32 - r.length);
  sig.set(s, 64 - s.length);
  let pub: Uint8Array;
  try {
    pub = native.ecdsaRecover(sig, v.length === 0 ? 0 : 1, keccak256(msg));
  } catch {
    return undefined;
  }
  return { from: bytesToHex(keccak256(pub.subarray(1)).subarray(12)).toLowerCase(), nonce: bytesToBigInt(nonce), maxFeePerGas, maxPriorityFeePerGas };
}

/** The sender, nonce and fees of a signed Ethereum transaction: the lean reading where it answers, else ethTxFields' (which throws as it does). */
export function ethTxOrder(raw: Uint8Array): EthTxOrder {
  const lean = leanEthTxOrder(raw);
  if (lean) return lean;
  const f = ethTxFields(raw);
  const feeCap = f.maxFeePerGas ?? f.gasPrice ?? 0n;
  return { from: f.from, nonce: f.nonce, maxFeePerGas: feeCap, maxPriorityFeePerGas: f.maxPriorityFeePerGas ?? feeCap };
}

/** The fee cap per gas: maxFeePerGas with EIP-1559 fee fields, the gas price otherwise. */
export function maxFeePerGas(eth: TypedTransaction): bigint {
  return eth.supports(Capability.EIP1559FeeMarket) ? (eth as unknown as { maxFeePerGas: bigint }).maxFeePerGas : (eth as unknown as { gasPrice: bigint }).gasPrice;
}

/**
 * The effective gas price under `baseFee`: min(maxFee, baseFee + maxPriorityFee) with EIP-1559 fee
 * fields (0 when the fee cap is below the base fee: such a transaction fails the fee-cap rule), the
 * gas price otherwise.
 */
export function effectiveGasPrice(eth: TypedTransaction, baseFee: bigint): bigint {
  const maxFee = maxFeePerGas(eth);
  if (!eth.supports(Capability.EIP1559FeeMarket)) return maxFee;
  const prio = (eth as unknown as { maxPriorityFeePerGas: bigint }).maxPriorityFeePerGas;
  return maxFee < baseFee ? 0n : maxFee < baseFee + prio ? maxFee : baseFee + prio;
}
