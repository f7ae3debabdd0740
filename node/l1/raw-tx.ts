/**
 * An EIP-1559 L1 transaction built and signed once, as bytes: the poster's appendBatch carries 20-40
 * KB of calldata, which ethers' contract call re-serialized and re-parsed from hex about ten times on
 * the node's thread (docs/BENCHMARKS.md, "The mix"). Here the calldata stays one Uint8Array from the
 * batch to the signed bytes that are sent and journaled: RLP-encoded twice (to sign, signed) and
 * hashed twice with the core's keccak256 (native when it loads).
 *
 * EIP-1559: 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value,
 * data, accessList, yParity, r, s]), signed over keccak256(0x02 || rlp(the first nine)), low s.
 */
import { RLP } from "@ethereumjs/rlp";
import { secp256k1 } from "ethereum-cryptography/secp256k1.js";
import { bytesToHex, concatBytes, keccak256 } from "../../core/bytes";

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

const TYPE = Uint8Array.of(2);

/** The signed transaction's bytes and its hash (0x-hex, lower case). */
export function signEip1559(f: Eip1559Fields, privateKey: Uint8Array): { raw: Uint8Array; hash: string } {
  if (f.to.length !== 20) throw new RangeError(`a recipient is 20 bytes, got ${f.to.length}`);
  // RLP encodes a bigint as its minimal big-endian bytes (0 as the empty string), as EIP-1559 requires.
  const fields = [f.chainId, f.nonce, f.maxPriorityFeePerGas, f.maxFeePerGas, f.gasLimit, f.to, f.value, f.data, []];
  const sig = secp256k1.sign(keccak256(concatBytes(TYPE, RLP.encode(fields))), privateKey, { lowS: true });
  const raw = concatBytes(TYPE, RLP.encode([...fields, BigInt(sig.recovery), sig.r, sig.s]));
  return { raw, hash: bytesToHex(keccak256(raw)) };
}
