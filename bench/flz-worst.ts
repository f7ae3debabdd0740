/**
 * The costliest compressed item (docs/protocol.md §7.7) standing for a given transaction encoding, within the limit L1
 * enforces at append time (MAX_FLZ_ITEM_BYTES): what a byzantine poster posts to make a one-step proof expand and
 * decode the most (bench/proof-gas.ts, `proofGasMaxCompressed`). Not protocol: any blocks that expand to the
 * encoding are a valid item, and this encoder chooses the ones that cost L1's decoder (contracts/lib/Flz.sol) most.
 *
 * It starts from the reference encoder's blocks (core/flz.ts `flzCompress`, with the deployment's dictionary: the
 * fewest bytes), then spends the bytes left under the limit where each buys the most expansion gas. The decoder's
 * gas is mostly per block (test/contracts/lib/flz.test.ts: 4,095 three-byte matches at distance 1 take 2,646,251
 * gas, 646 a block, 323 a posted byte; one-byte literals 228 a block), so it splits matches into three-byte matches
 * (two bytes each): first where that adds a block for one byte (a 9-11-byte match, three bytes, becomes two short
 * ones), then pieces at distance 1 or 2 (the decoder copies those in two steps, any other distance in one), then
 * any, at the match's own distance. The expansion is the same bytes; the decoding work on them is unchanged.
 */
import { FLZ_ITEM, MAX_FLZ_ITEM_BYTES, flzCompress, flzDecompress } from "../core/flz";

export type Block = { lit: Uint8Array } | { len: number; dist: number };

/** The blocks of a FastLZ stream (no marker) made by a well-formed encoder (flzCompress, worstItem). */
export function parseBlocks(s: Uint8Array): Block[] {
  const out: Block[] = [];
  for (let p = 0; p < s.length; ) {
    const c = s[p];
    const t = c >> 5;
    if (t === 0) {
      out.push({ lit: s.subarray(p + 1, p + 2 + c) });
      p += c + 2;
    } else if (t === 7) {
      out.push({ len: s[p + 1] + 9, dist: (((c & 31) << 8) | s[p + 2]) + 1 });
      p += 3;
    } else {
      out.push({ len: t + 2, dist: (((c & 31) << 8) | s[p + 1]) + 1 });
      p += 2;
    }
  }
  return out;
}

/** Bytes a block takes in the stream. */
const blockSize = (b: Block): number => ("lit" in b ? b.lit.length + 1 : b.len <= 8 ? 2 : 3);

function encodeBlocks(bs: readonly Block[]): Uint8Array {
  const out: number[] = [FLZ_ITEM];
  for (const b of bs) {
    if ("lit" in b) out.push(b.lit.length - 1, ...b.lit);
    else {
      const d = b.dist - 1;
      if (b.len <= 8) out.push(((b.len - 2) << 5) | (d >> 8), d & 255);
      else out.push(0xe0 | (d >> 8), b.len - 9, d & 255);
    }
  }
  return Uint8Array.from(out);
}

export class WorstItemError extends Error {}

/**
 * The costliest item of at most `cap` bytes (marker included) that expands with `dict` to `enc`: the reference
 * encoder's blocks with matches split into three-byte matches while bytes are left (see the file's comment). Throws
 * WorstItemError if even the reference encoder's item is over `cap` (then `enc` is not a shape a poster can post
 * compressed), or, as a self-check, if the item does not expand to `enc`.
 */
export function worstItem(enc: Uint8Array, dict: Uint8Array, cap = MAX_FLZ_ITEM_BYTES): Uint8Array {
  let blocks = parseBlocks(flzCompress(enc, dict));
  let size = 1 + blocks.reduce((s, b) => s + blockSize(b), 0);
  if (size > cap) throw new WorstItemError(`a ${enc.length}-byte encoding compresses to ${size} bytes at best: over the ${cap}-byte limit`);
  const full = new Uint8Array(dict.length + enc.length);
  full.set(dict);
  full.set(enc, dict.length);
  // Whether the three bytes at `at` of dict || enc repeat those `d` bytes before them.
  const repeats = (at: number, d: number) => at - d >= 0 && full[at] === full[at - d] && full[at + 1] === full[at + 1 - d] && full[at + 2] === full[at + 2 - d];
  // Three passes over the matches: first the splits that add a block for one byte (a match of 9-11 bytes, three
  // posted bytes, becomes two short ones, four), then three-byte matches the decoder copies in two steps (distance 1
  // or 2), then any.
  for (const pass of ["one-byte", "two-step", "any"] as const) {
    const next: Block[] = [];
    let op = dict.length;
    for (const b of blocks) {
      if ("lit" in b) {
        next.push(b);
        op += b.lit.length;
        continue;
      }
      // Bytes of the match not yet emitted, the first `pend` of them waiting to go at the match's own distance.
      const seg = (n: number) => (n === 0 ? 0 : blockSize({ len: n, dist: b.dist }));
      let rest = b.len;
      let pend = 0;
      let at = op;
      while (rest - pend >= 3) {
        const d = repeats(at + pend, 1) ? 1 : repeats(at + pend, 2) ? 2 : pass === "two-step" ? 0 : b.dist;
        const after = rest - pend - 3;
        // A three-byte match at `at + pend`, if every match around it stays at least 3 bytes long and it fits.
        const grow = seg(pend) + 2 + seg(after) - seg(rest);
        if (d && pend !== 1 && pend !== 2 && after !== 1 && after !== 2 && size + grow <= cap && (pass !== "one-byte" || grow <= 1)) {
          if (pend) next.push({ len: pend, dist: b.dist });
          next.push({ len: 3, dist: d });
          size += grow;
          rest = after;
          at += pend + 3;
          pend = 0;
        } else pend++;
      }
      if (rest) next.push({ len: rest, dist: b.dist });
      op += b.len;
    }
    blocks = next;
  }
  const item = encodeBlocks(blocks);
  const back = flzDecompress(item, dict, enc.length, 1);
  if (item.length !== size || back.length !== enc.length || back.some((x, i) => x !== enc[i])) throw new WorstItemError("the worst item does not expand to its encoding");
  return item;
}
