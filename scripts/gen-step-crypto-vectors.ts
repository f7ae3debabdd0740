/**
 * Shared vectors of the step machine's hash primitives (core/crypto/{keccak-f,sha256-compress,
 * ripemd160-compress}.ts and their Solidity twins in contracts/step/lib/):
 *
 *   npx ts-node --transpile-only scripts/gen-step-crypto-vectors.ts
 *
 * writes test/vectors/step-crypto.json from fixed and seeded-random inputs (byte-for-byte reproducible).
 * test/core/crypto/step-hashes.test.ts re-derives every vector; test/contracts/step/lib/crypto.test.ts
 * runs them through the Solidity twins.
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToHex } from "../core/bytes";
import { KECCAK_RATE, KECCAK_STATE_BYTES, keccakF1600, keccakAbsorb, keccakBlocks } from "../core/crypto/keccak-f";
import { SHA256_IV, sha256Compress, sha256Blocks } from "../core/crypto/sha256-compress";
import { RIPEMD160_IV, ripemd160Compress, ripemd160Blocks } from "../core/crypto/ripemd160-compress";
import { rng } from "../bench/rng";

export const STEP_CRYPTO_FILE = path.join(__dirname, "..", "test", "vectors", "step-crypto.json");

export interface StepCryptoVectors {
  keccakF: { name: string; state: string; out: string }[];
  keccakAbsorb: { name: string; state: string; block: string; out: string }[];
  sha256: { name: string; state: string; block: string; out: string }[];
  ripemd160: { name: string; state: string; block: string; out: string }[];
}

function randomBytes(r: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

export function buildStepCryptoVectors(): StepCryptoVectors {
  const r = rng(0x57e9);
  const hex = bytesToHex;
  const abc = new TextEncoder().encode("abc");
  const v: StepCryptoVectors = { keccakF: [], keccakAbsorb: [], sha256: [], ripemd160: [] };

  const states: [string, Uint8Array][] = [
    ["zero", new Uint8Array(KECCAK_STATE_BYTES)],
    ["ones", new Uint8Array(KECCAK_STATE_BYTES).fill(0xff)],
    ["lane-index", Uint8Array.from({ length: KECCAK_STATE_BYTES }, (_, i) => i)],
    ...Array.from({ length: 5 }, (_, i) => [`random-${i}`, randomBytes(r, KECCAK_STATE_BYTES)] as [string, Uint8Array]),
  ];
  for (const [name, s] of states) v.keccakF.push({ name, state: hex(s), out: hex(keccakF1600(s)) });

  v.keccakAbsorb.push({ name: "keccak256('abc') one block", state: hex(new Uint8Array(200)), block: hex(keccakBlocks(abc)[0]), out: hex(keccakAbsorb(new Uint8Array(200), keccakBlocks(abc)[0])) });
  for (let i = 0; i < 5; i++) {
    const s = randomBytes(r, KECCAK_STATE_BYTES);
    const b = randomBytes(r, KECCAK_RATE);
    v.keccakAbsorb.push({ name: `random-${i}`, state: hex(s), block: hex(b), out: hex(keccakAbsorb(s, b)) });
  }

  const shaBlock = sha256Blocks(abc)[0];
  v.sha256.push({ name: "sha256('abc')", state: hex(SHA256_IV), block: hex(shaBlock), out: hex(sha256Compress(SHA256_IV, shaBlock)) });
  v.sha256.push({ name: "zero block, zero state", state: hex(new Uint8Array(32)), block: hex(new Uint8Array(64)), out: hex(sha256Compress(new Uint8Array(32), new Uint8Array(64))) });
  v.sha256.push({ name: "ones", state: hex(new Uint8Array(32).fill(0xff)), block: hex(new Uint8Array(64).fill(0xff)), out: hex(sha256Compress(new Uint8Array(32).fill(0xff), new Uint8Array(64).fill(0xff))) });
  for (let i = 0; i < 5; i++) {
    const s = randomBytes(r, 32);
    const b = randomBytes(r, 64);
    v.sha256.push({ name: `random-${i}`, state: hex(s), block: hex(b), out: hex(sha256Compress(s, b)) });
  }

  const ripBlock = ripemd160Blocks(abc)[0];
  v.ripemd160.push({ name: "ripemd160('abc')", state: hex(RIPEMD160_IV), block: hex(ripBlock), out: hex(ripemd160Compress(RIPEMD160_IV, ripBlock)) });
  v.ripemd160.push({ name: "zero block, zero state", state: hex(new Uint8Array(20)), block: hex(new Uint8Array(64)), out: hex(ripemd160Compress(new Uint8Array(20), new Uint8Array(64))) });
  v.ripemd160.push({ name: "ones", state: hex(new Uint8Array(20).fill(0xff)), block: hex(new Uint8Array(64).fill(0xff)), out: hex(ripemd160Compress(new Uint8Array(20).fill(0xff), new Uint8Array(64).fill(0xff))) });
  for (let i = 0; i < 5; i++) {
    const s = randomBytes(r, 20);
    const b = randomBytes(r, 64);
    v.ripemd160.push({ name: `random-${i}`, state: hex(s), block: hex(b), out: hex(ripemd160Compress(s, b)) });
  }
  return v;
}

export function serializeStepCrypto(v: StepCryptoVectors): string {
  return JSON.stringify(v, null, 1) + "\n";
}

if (require.main === module) {
  fs.writeFileSync(STEP_CRYPTO_FILE, serializeStepCrypto(buildStepCryptoVectors()));
  console.log(`wrote ${STEP_CRYPTO_FILE}`);
}
