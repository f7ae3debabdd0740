/** Addresses of created contracts (CREATE: keccak(rlp(sender, nonce)); CREATE2: EIP-1014). */
import { generateAddress, bigIntToBytes } from "@ethereumjs/util";
import { bytesWord, keccakBytes, putWord, wordAddr } from "./words";

export function createAddress(sender: bigint, nonce: bigint): bigint {
  return bytesWord(generateAddress(wordAddr(sender), nonce === 0n ? new Uint8Array(0) : bigIntToBytes(nonce)));
}

export function create2Address(sender: bigint, salt: bigint, initcodeHash: bigint): bigint {
  const b = new Uint8Array(85);
  b[0] = 0xff;
  b.set(wordAddr(sender), 1);
  const dv = new DataView(b.buffer);
  putWord(dv, 21, salt);
  putWord(dv, 53, initcodeHash);
  return keccakBytes(b) & ((1n << 160n) - 1n);
}
