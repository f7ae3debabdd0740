/**
 * Generates test/vectors/flz.json: compressed items (protocol.md §7.7) and what they expand to, or why they do
 * not, which the TypeScript core (core/flz.ts; test/core/flz.test.ts) and its Solidity twin (contracts/lib/Flz.sol
 * through contracts/test/FlzHarness.sol; test/contracts/lib/flz.test.ts) must both reproduce byte for byte:
 * real transactions (test/vectors/tx.json) compressed with and without a dictionary made of other transactions,
 * items at the output cap, and bad streams (truncated blocks, matches before the dictionary, outputs past
 * MAX_TX_BYTES).
 *
 *   npx ts-node --transpile-only scripts/gen-flz-vectors.ts
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToHex, concatBytes as cat, hexToBytes } from "../core/bytes";
import { compressItem, expandItem, FLZ_ITEM, FLZ_MAX_OUTPUT, flzCompress, NotExpandableError, type ExpandFailure } from "../core/flz";

export const FLZ_VECTORS = path.join(__dirname, "..", "test", "vectors", "flz.json");

export interface FlzVector {
  name: string;
  /** Dictionary name (a key of `dictionaries`). */
  dict: string;
  /** The posted item. */
  item: string;
  /** What it expands to (the item itself when it is not compressed), or null when it does not expand. */
  expanded: string | null;
  /** Why it does not expand, and the offset of the failing block in the item. */
  error?: { code: "not-expandable"; why: ExpandFailure; offset: number };
}

export interface FlzVectors {
  description: string;
  dictionaries: Record<string, string>;
  vectors: FlzVector[];
}

const item = (...blocks: number[][]): Uint8Array => Uint8Array.from([FLZ_ITEM, ...blocks.flat()]);
/** A match of `len` bytes (3..264) at distance `dist` (1..8192), as FastLZ writes it. */
const match = (len: number, dist: number): number[] => {
  const d = dist - 1;
  return len <= 8 ? [((len - 2) << 5) | (d >> 8), d & 255] : [0xe0 | (d >> 8), len - 9, d & 255];
};
const literal = (bytes: number[]): number[] => [bytes.length - 1, ...bytes];

/** An item of one literal byte and then matches at distance 1 expanding to exactly `n` bytes. */
function runItem(n: number): Uint8Array {
  const blocks: number[][] = [literal([0xaa])];
  let left = n - 1;
  while (left > 0) {
    let len = Math.min(264, left);
    if (left - len > 0 && left - len < 3) len -= 3; // leave at least 3 for the last match
    blocks.push(match(len, 1));
    left -= len;
  }
  return item(...blocks);
}

function vector(name: string, dictName: string, dict: Uint8Array, it: Uint8Array): FlzVector {
  try {
    return { name, dict: dictName, item: bytesToHex(it), expanded: bytesToHex(expandItem(it, dict)) };
  } catch (e) {
    if (!(e instanceof NotExpandableError)) throw e;
    return { name, dict: dictName, item: bytesToHex(it), expanded: null, error: { code: "not-expandable", why: e.why, offset: e.offset } };
  }
}

export function buildFlzVectors(): FlzVectors {
  const txs = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "test", "vectors", "tx.json"), "utf8")) as { vectors: { name: string; encoded: string }[] }).vectors;
  const encs = txs.map((t) => ({ name: t.name, enc: hexToBytes(t.encoded as `0x${string}`) }));
  // a dictionary of the first half of the transactions (repeated to 8,191 bytes), and a small one
  const train = cat(...encs.slice(0, Math.ceil(encs.length / 2)).map((e) => e.enc));
  const big = new Uint8Array(8191);
  for (let i = 0; i < big.length; i++) big[i] = train[i % train.length];
  const dictionaries: Record<string, Uint8Array> = { none: new Uint8Array(0), small: Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 255), tx: big };
  const vectors: FlzVector[] = [];
  for (const e of encs) {
    vectors.push(vector(`${e.name}: raw item (not compressed)`, "tx", big, e.enc));
    vectors.push(vector(`${e.name}: compressed, no dictionary`, "none", dictionaries.none, Uint8Array.from([FLZ_ITEM, ...flzCompress(e.enc)])));
    vectors.push(vector(`${e.name}: compressed with the dictionary`, "tx", big, Uint8Array.from([FLZ_ITEM, ...flzCompress(e.enc, big)])));
    const posted = compressItem(e.enc, big);
    vectors.push(vector(`${e.name}: as a poster posts it (${posted[0] === FLZ_ITEM ? "compressed" : "raw"})`, "tx", big, posted));
  }
  const small = dictionaries.small;
  vectors.push(vector("empty stream: expands to nothing", "small", small, item()));
  vectors.push(vector("a literal run of 32 bytes", "none", dictionaries.none, item(literal(Array.from({ length: 32 }, (_, i) => i + 1)))));
  vectors.push(vector("a match of the whole dictionary's first byte (distance = dictionary length)", "small", small, item(match(3, 40))));
  vectors.push(vector("overlapping matches at distances 1, 2, 31, 32, 33", "none", dictionaries.none, item(literal(Array.from({ length: 32 }, (_, i) => i + 1)), literal([33]), match(100, 1), match(70, 2), match(264, 31), match(9, 32), match(200, 33))));
  vectors.push(vector("a long match reaching the dictionary's start at distance 8192", "tx", big, item(literal([7]), match(264, 8192))));
  vectors.push(vector("output of exactly MAX_TX_BYTES", "none", dictionaries.none, runItem(FLZ_MAX_OUTPUT)));
  // bad streams
  vectors.push(vector("output one byte past MAX_TX_BYTES", "none", dictionaries.none, runItem(FLZ_MAX_OUTPUT + 1)));
  vectors.push(vector("a literal past the cap", "none", dictionaries.none, cat(runItem(FLZ_MAX_OUTPUT - 3), Uint8Array.from(literal([1, 2, 3, 4])))));
  vectors.push(vector("a match with no dictionary at the start", "none", dictionaries.none, item(match(3, 1))));
  vectors.push(vector("a match one byte before the dictionary", "small", small, item(match(3, 41))));
  vectors.push(vector("a long match before the dictionary after output", "small", small, item(literal([1, 2]), match(50, 43))));
  vectors.push(vector("a literal run cut short", "small", small, item([4, 1, 2, 3])));
  vectors.push(vector("a short match without its distance byte", "small", small, item(literal([9]), [0x20])));
  vectors.push(vector("a long match without its distance byte", "small", small, item(literal([9]), [0xe0, 0x05])));
  vectors.push(vector("a long match with only its control byte", "small", small, item(literal([9]), [0xe0])));
  vectors.push(vector("an item of MAX_FLZ_ITEM_BYTES expands", "none", dictionaries.none, item(literal([1, 2]), ...Array<number[]>(4094).fill([0x20, 0]))));
  vectors.push(vector("an item one byte over MAX_FLZ_ITEM_BYTES (only a blob's framing lets it through)", "none", dictionaries.none, item(literal([1, 2]), ...Array<number[]>(4094).fill([0x20, 0]), [0])));
  return {
    description:
      "Compressed items (protocol.md §7.7): FastLZ level-1 blocks after the marker 0xF1, expanded with the output preloaded with the dictionary, at most MAX_TX_BYTES; a raw item expands to itself. `error` names why an item does not expand and the offset of the failing block in the item (DecodeError not-expandable, code 6 on L1). Generated by scripts/gen-flz-vectors.ts.",
    dictionaries: Object.fromEntries(Object.entries(dictionaries).map(([k, v]) => [k, bytesToHex(v)])),
    vectors,
  };
}

if (require.main === module) {
  const v = buildFlzVectors();
  fs.writeFileSync(FLZ_VECTORS, JSON.stringify(v, null, 2) + "\n");
  console.log(`${v.vectors.length} vectors -> ${FLZ_VECTORS}`);
}
