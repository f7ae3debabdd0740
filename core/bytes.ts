/** Small byte helpers shared by the core. Hex is 0x-prefixed lower case. */
import { bytesToHex, hexToBytes, concatBytes, equalsBytes, bigIntToBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak256 as jsKeccak } from "ethereum-cryptography/keccak.js";
import { nativeCrypto } from "./crypto/native";

export { bytesToHex, hexToBytes, concatBytes, equalsBytes };

const keccak = nativeCrypto()?.keccak256 ?? jsKeccak;

/** keccak256: native Keccak when its binding loads (core/crypto/native.ts), @noble otherwise. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak(data);
}

export const ZERO32 = new Uint8Array(32);
export const ZERO_ADDRESS = new Uint8Array(20);
export const MAX_U256 = (1n << 256n) - 1n;
export const MAX_U64 = (1n << 64n) - 1n;

/** Big-endian, left-padded to `len` bytes. Throws if the value does not fit. */
export function toFixed(value: bigint, len: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(len * 8)) throw new RangeError(`value ${value} does not fit in ${len} bytes`);
  if (value === 0n) return new Uint8Array(len);
  return setLengthLeft(bigIntToBytes(value), len);
}

export function u256(value: bigint): Uint8Array {
  return toFixed(value, 32);
}

export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt(bytesToHex(b));
}

export function hexToBigInt(h: string): bigint {
  return h === "0x" || h === "" ? 0n : BigInt(h);
}

/** Lexicographic comparison of two byte strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function addressHex(a: Uint8Array): string {
  return bytesToHex(a);
}
