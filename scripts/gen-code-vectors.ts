/**
 * Shared vectors of the code registry's jump-destination bitmap (core/evm/jumpdest.ts jumpdestBitmap and
 * contracts/step/lib/JumpdestBitmap.sol):
 *
 *   npx ts-node --transpile-only scripts/gen-code-vectors.ts
 *
 * writes test/vectors/code.json (byte-for-byte reproducible). test/core/evm/jumpdest.test.ts re-derives it;
 * test/contracts/step/code-registry.test.ts runs it through the registry.
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToHex } from "../core/bytes";
import { jumpdestBitmap } from "../core/evm/jumpdest";
import { rng } from "../bench/rng";

export const CODE_VECTORS_FILE = path.join(__dirname, "..", "test", "vectors", "code.json");

export interface CodeVectors {
  jumpdests: { name: string; code: string; bitmap: string }[];
}

export function buildCodeVectors(): CodeVectors {
  const r = rng(0xc0de5);
  const cases: [string, Uint8Array][] = [
    ["one JUMPDEST", Uint8Array.of(0x5b)],
    ["STOP", Uint8Array.of(0x00)],
    ["JUMPDEST inside PUSH1 data", Uint8Array.of(0x60, 0x5b, 0x5b)],
    ["JUMPDEST inside PUSH32 data", Uint8Array.from([0x7f, ...new Array(32).fill(0x5b), 0x5b])],
    ["PUSH32 running past the end", Uint8Array.from([0x5b, 0x7f, 0x5b, 0x5b])],
    ["PUSH0 is no PUSH data", Uint8Array.of(0x5f, 0x5b)],
    ["every byte JUMPDEST (300 bytes)", new Uint8Array(300).fill(0x5b)],
    ["JUMPDEST at 255, 256, 511, 512", (() => { const c = new Uint8Array(600); for (const i of [255, 256, 511, 512]) c[i] = 0x5b; return c; })()],
    ...Array.from({ length: 4 }, (_, i) => [`random ${i}`, Uint8Array.from({ length: 50 + Math.floor(r() * 1000) }, () => (r() < 0.2 ? 0x5b : Math.floor(r() * 256)))] as [string, Uint8Array]),
  ];
  return { jumpdests: cases.map(([name, code]) => ({ name, code: bytesToHex(code), bitmap: bytesToHex(jumpdestBitmap(code)) })) };
}

export function serializeCodeVectors(v: CodeVectors): string {
  return JSON.stringify(v, null, 1) + "\n";
}

if (require.main === module) {
  fs.writeFileSync(CODE_VECTORS_FILE, serializeCodeVectors(buildCodeVectors()));
  console.log(`wrote ${CODE_VECTORS_FILE}`);
}
