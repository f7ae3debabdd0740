/**
 * Sighash and signatures of move transactions (docs/protocol.md §5.3), and transaction ids.
 * The sighash covers every transaction field and, of each move, the fields its mask selects.
 */
import { secp256k1 } from "ethereum-cryptography/secp256k1.js";
import { concatBytes, keccak256, toFixed, u256, ZERO_ADDRESS, bytesToHex } from "./bytes";
import { nativeCrypto } from "./crypto/native";
import { hashTagged } from "./hash";
import { movesSigDigest } from "./moves";
import { MoveTx, Tx, TxType } from "./tx";
import { InvalidTxError } from "./errors";

const SECP256K1_N = secp256k1.CURVE.n;
const native = nativeCrypto();

/** The 65-byte uncompressed public key that signed `hash` (libsecp256k1 when it loads). Throws if none. */
function recoverPublicKey(hash: Uint8Array, r: bigint, s: bigint, yParity: number): Uint8Array {
  if (native) return native.ecdsaRecover(concatBytes(u256(r), u256(s)), yParity, hash);
  return new secp256k1.Signature(r, s).addRecoveryBit(yParity).recoverPublicKey(hash).toRawBytes(false);
}
const HALF_N = SECP256K1_N >> 1n;

export function moveTxSighash(tx: Omit<MoveTx, "sig" | "witness"> & { witness?: unknown }): Uint8Array {
  return hashTagged(
    "sighash",
    u256(tx.chainId),
    u256(tx.nonce),
    u256(tx.maxPriorityFeePerGas),
    u256(tx.maxFeePerGas),
    u256(tx.gasLimit),
    Uint8Array.of(tx.to ? 1 : 0),
    tx.to ?? ZERO_ADDRESS,
    u256(tx.value),
    keccak256(tx.data),
    movesSigDigest(tx.moves),
  );
}

/** Signs a move transaction in place (low-s, recoverable) and returns it. */
export function signMoveTx(tx: MoveTx, privateKey: Uint8Array): MoveTx {
  const sig = secp256k1.sign(moveTxSighash(tx), privateKey, { lowS: true });
  tx.sig = { yParity: sig.recovery, r: sig.r, s: sig.s };
  return tx;
}

export function addressOfPublicKey(pub65: Uint8Array): Uint8Array {
  return keccak256(pub65.subarray(1)).subarray(12);
}

export function addressOfPrivateKey(privateKey: Uint8Array): Uint8Array {
  return addressOfPublicKey(secp256k1.getPublicKey(privateKey, false));
}

/**
 * Recovers the signer of a move transaction. Rejects s > n/2 (malleability), r or s zero or >= n.
 * Throws InvalidTxError(signature) when the signature is not valid.
 */
export function recoverMoveTxSender(tx: MoveTx): Uint8Array {
  const { r, s, yParity } = tx.sig;
  // INVARIANT: canonical (low-s) signature with scalars in range.
  if (r <= 0n || r >= SECP256K1_N || s <= 0n || s > HALF_N)
    throw new InvalidTxError("signature", "bad-signature", "signature scalars out of range or high-s");
  try {
    return addressOfPublicKey(recoverPublicKey(moveTxSighash(tx), r, s, yParity));
  } catch (e) {
    throw new InvalidTxError("signature", "bad-signature", `signature does not recover: ${(e as Error).message}`);
  }
}

/**
 * The transaction id users see: a wrapped transaction keeps its Ethereum hash (keccak256 of raw),
 * so wallets find it; a move transaction is named by its sighash and signature, which coordinator
 * filling does not change; a deposit by its queue index.
 */
export function txId(tx: Tx): Uint8Array {
  switch (tx.type) {
    case TxType.Wrapped:
      return keccak256(tx.raw);
    case TxType.Deposit:
      return depositTxId(tx.index);
    case TxType.Move:
      return hashTagged("moveTxId", moveTxSighash(tx), concatBytes(Uint8Array.of(tx.sig.yParity), u256(tx.sig.r), u256(tx.sig.s)));
  }
}

export function txIdHex(tx: Tx): string {
  return bytesToHex(txId(tx));
}

/** The id of the deposit transaction of L1 queue entry `index` (protocol.md §5.6): what L2 calls it. */
export function depositTxId(index: bigint): Uint8Array {
  return hashTagged("depositId", toFixed(index, 8));
}

export function depositTxIdHex(index: bigint): string {
  return bytesToHex(depositTxId(index));
}
