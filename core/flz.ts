/**
 * Compressed transaction items (docs/protocol.md §7.7): FastLZ level 1 (the block format of Solady's
 * `LibZip.flzDecompress`) with the deployment's preset dictionary, twin of contracts/lib/Flz.sol.
 *
 * A batch item (the `tx:bytes` of §7.3) is either a transaction encoding as it stands (first byte a
 * transaction type, §5) or `FLZ_ITEM` (0xF1) followed by FastLZ blocks whose output, decoded with the
 * output preloaded with the dictionary, is the transaction's encoding. The leaf (§5.6) hashes the item as
 * posted; every reader expands an item before it decodes the transaction.
 *
 * Blocks (`b` the control byte, `t = b >> 5`):
 *   t = 0      a literal run: the next (b & 31) + 1 bytes are output as they are;
 *   1 ≤ t ≤ 6  a match of t + 2 bytes at distance ((b & 31) << 8 | next byte) + 1;
 *   t = 7      a match of (next byte) + 9 bytes at distance ((b & 31) << 8 | the byte after) + 1.
 * A match copies byte by byte from `distance` bytes back in dictionary || output (so it may overlap its own
 * output), never from before the dictionary's first byte.
 */
import { DecodeError } from "./errors";

/** First byte of a compressed item (no transaction type: §5 uses 0x00-0x02, §14.3 reserves 0x03). */
export const FLZ_ITEM = 0xf1;
/**
 * Largest compressed item as posted, marker included (protocol.md §7.7): L1 refuses a batch with a longer one
 * at append time (`oversized` at its length), so a proof carrying two compressed items carries at most 16 KiB
 * of them and expands at most 2 × MAX_TX_BYTES.
 */
export const MAX_FLZ_ITEM_BYTES = 8192;
/** Largest dictionary: FastLZ level 1 reaches at most 8,192 bytes back, so a longer one would buy nothing. */
export const MAX_FLZ_DICT_BYTES = 8192;
/** Largest expanded item: a transaction's encoding, protocol.md §5.5 (core/batch.ts MAX_TX_BYTES). */
export const FLZ_MAX_OUTPUT = 98_304;

const MAX_DISTANCE = 8192;
const MAX_MATCH = 264;
const CANDIDATES = 16;

/** Why an item does not expand (the message of its `not-expandable` DecodeError). */
export type ExpandFailure = "truncated" | "before-dictionary" | "oversized" | "item-oversized";

/** An item that does not expand: malformed, `not-expandable`, at the offset (in the item) of the failing block. */
export class NotExpandableError extends DecodeError {
  constructor(
    readonly why: ExpandFailure,
    offset: number,
  ) {
    super("not-expandable", `compressed item does not expand: ${WHY[why]}`, offset);
  }
}

const WHY: Record<ExpandFailure, string> = {
  truncated: "a block runs past the item's end",
  "before-dictionary": "a match reaches before the dictionary's first byte",
  oversized: `the output would pass MAX_TX_BYTES (${FLZ_MAX_OUTPUT})`,
  "item-oversized": `the item is longer than MAX_FLZ_ITEM_BYTES (${MAX_FLZ_ITEM_BYTES})`,
};

/** The dictionary of a deployment that binds none (§7.7): compressed items expand with nothing preloaded. */
export const NO_DICTIONARY: Uint8Array = new Uint8Array(0);

/** Whether a posted item is compressed (its first byte is FLZ_ITEM). */
export function isCompressedItem(item: Uint8Array): boolean {
  return item.length > 0 && item[0] === FLZ_ITEM;
}

/** Throws RangeError unless `dict` may be a deployment's dictionary (at most MAX_FLZ_DICT_BYTES). */
export function checkDictionary(dict: Uint8Array): void {
  if (dict.length > MAX_FLZ_DICT_BYTES) throw new RangeError(`a dictionary of ${dict.length} bytes: over the limit of ${MAX_FLZ_DICT_BYTES}`);
}

/**
 * The output of FastLZ blocks `item[from:]` with the output preloaded with `dict`, at most `maxOutput` bytes.
 * Throws NotExpandableError (offsets in `item`): a block whose bytes run past the end (`truncated`), a match
 * reaching before the dictionary (`before-dictionary`), a block that would take the output past `maxOutput`
 * (`oversized`, checked before the block is written, so an 88-fold stream never allocates past the cap).
 */
export function flzDecompress(item: Uint8Array, dict: Uint8Array, maxOutput = FLZ_MAX_OUTPUT, from = 0): Uint8Array {
  const d = dict.length;
  const buf = new Uint8Array(d + Math.min(maxOutput, 88 * item.length));
  buf.set(dict, 0);
  let op = d;
  let pos = from;
  while (pos < item.length) {
    const c = item[pos];
    const t = c >> 5;
    if (t === 0) {
      const n = c + 1;
      if (pos + 1 + n > item.length) throw new NotExpandableError("truncated", pos);
      if (op - d + n > maxOutput) throw new NotExpandableError("oversized", pos);
      buf.set(item.subarray(pos + 1, pos + 1 + n), op);
      op += n;
      pos += 1 + n;
      continue;
    }
    const long = t === 7;
    if (pos + (long ? 3 : 2) > item.length) throw new NotExpandableError("truncated", pos);
    const len = long ? item[pos + 1] + 9 : t + 2;
    const dist = (((c & 31) << 8) | item[pos + (long ? 2 : 1)]) + 1;
    if (dist > op) throw new NotExpandableError("before-dictionary", pos);
    if (op - d + len > maxOutput) throw new NotExpandableError("oversized", pos);
    for (let k = 0; k < len; k++) buf[op + k] = buf[op - dist + k];
    op += len;
    pos += long ? 3 : 2;
  }
  return buf.slice(d, op);
}

/**
 * The transaction encoding a posted item stands for: the item itself, or, if compressed, its expansion with the
 * deployment's dictionary (at most MAX_TX_BYTES). Throws NotExpandableError for a compressed item that does not
 * expand (malformed), or that is longer than MAX_FLZ_ITEM_BYTES (`item-oversized` at 0).
 */
export function expandItem(item: Uint8Array, dict: Uint8Array): Uint8Array {
  if (!isCompressedItem(item)) return item;
  // L1 refuses a longer one at append time; a blob's framing cannot be checked then (its `data` fault, §14.5), so
  // every reader refuses it too, and no proof ever expands more than MAX_FLZ_ITEM_BYTES of blocks.
  if (item.length > MAX_FLZ_ITEM_BYTES) throw new NotExpandableError("item-oversized", 0);
  return flzDecompress(item, dict, FLZ_MAX_OUTPUT, 1);
}

/** A dictionary's hash chains (flzCompress): the heads and links of its last MAX_DISTANCE positions, built once. */
interface DictChains {
  /** A copy of the bytes they were built from: a dictionary changed in place is hashed again. */
  copy: Uint8Array;
  head: Int32Array;
  prevPos: Int32Array;
}

const HASH_BITS = 16;
let lastChains: DictChains | undefined;

/** The chains of `dict` (the last dictionary's, reused while its bytes are the same). */
function dictChains(dict: Uint8Array): DictChains {
  const c = lastChains;
  if (c && c.copy.length === dict.length && Buffer.from(c.copy.buffer, c.copy.byteOffset, c.copy.length).equals(dict)) return c;
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prevPos = new Int32Array(dict.length).fill(-1);
  const hash = (i: number) => Math.imul(dict[i] | (dict[i + 1] << 8) | (dict[i + 2] << 16), 2654435761) >>> HASH_BITS;
  for (let i = Math.max(0, dict.length - MAX_DISTANCE); i + 3 <= dict.length; i++) {
    const h = hash(i);
    prevPos[i] = head[h];
    head[h] = i;
  }
  lastChains = { copy: dict.slice(), head, prevPos };
  return lastChains;
}

/**
 * FastLZ level-1 blocks of `input` whose matches may also reach into `dict` (the bytes decoded before the input):
 * greedy longest match over hash chains of 3-byte prefixes (16 candidates, distance ≤ 8,192, length 3-264).
 * Any encoder's blocks are valid; only the decoder is protocol. The dictionary's own chains are built once per
 * dictionary (a poster compresses every transaction with the same one): the chains of `dict || input` are those
 * of the dictionary's positions, then the input's, so its positions' links are copied and the input's added.
 */
export function flzCompress(input: Uint8Array, dict: Uint8Array = new Uint8Array(0)): Uint8Array {
  const d = dict.length;
  const buf = new Uint8Array(d + input.length);
  buf.set(dict, 0);
  buf.set(input, d);
  const chains = dictChains(dict);
  // The dictionary's heads, pushed onto here and popped back when done: each position added pushes itself onto
  // its hash's chain (prevPos keeps the head it covered), positions are added in increasing order, so undoing
  // them in decreasing order restores the heads exactly.
  const head = chains.head;
  const prevPos = new Int32Array(buf.length);
  prevPos.set(chains.prevPos, 0);
  prevPos.fill(-1, d);
  const hash = (i: number) => Math.imul(buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16), 2654435761) >>> HASH_BITS;
  // The last position added: positions are added one by one in increasing order, from `first`.
  let top = -1;
  const add = (i: number) => {
    if (i + 3 > buf.length) return;
    const h = hash(i);
    prevPos[i] = head[h];
    head[h] = i;
    top = i;
  };
  // A dictionary position's 3 bytes lie in the dictionary except the last two positions', which run into the
  // input: those are added here (in the same order as the whole-buffer pass did), not in the dictionary's chains.
  const first = Math.max(0, d - MAX_DISTANCE, d - 2);
  try {
    for (let i = first; i < d; i++) add(i);
    return compressFrom(buf, d, head, prevPos, hash, add);
  } finally {
    for (let i = top; i >= first; i--) head[hash(i)] = prevPos[i];
  }
}

function compressFrom(buf: Uint8Array, d: number, head: Int32Array, prevPos: Int32Array, hash: (i: number) => number, add: (i: number) => void): Uint8Array {
  const out: number[] = [];
  let litStart = -1;
  const flush = (end: number) => {
    if (litStart < 0) return;
    for (let i = litStart; i < end; i += 32) {
      const n = Math.min(32, end - i);
      out.push(n - 1);
      for (let k = 0; k < n; k++) out.push(buf[i + k]);
    }
    litStart = -1;
  };
  let i = d;
  while (i < buf.length) {
    let best = 0;
    let bestAt = 0;
    if (i + 3 <= buf.length)
      for (let p = head[hash(i)], n = 0; p >= 0 && n < CANDIDATES && i - p <= MAX_DISTANCE; p = prevPos[p], n++) {
        let len = 0;
        while (i + len < buf.length && len < MAX_MATCH && buf[p + len] === buf[i + len]) len++;
        if (len > best) [best, bestAt] = [len, p];
      }
    if (best < 3) {
      if (litStart < 0) litStart = i;
      add(i++);
      continue;
    }
    flush(i);
    const dist = i - bestAt - 1;
    if (best <= 8) out.push(((best - 2) << 5) | (dist >> 8), dist & 255);
    else out.push(0xe0 | (dist >> 8), best - 9, dist & 255);
    for (let k = 0; k < best; k++) add(i + k);
    i += best;
  }
  flush(i);
  return Uint8Array.from(out);
}

/**
 * The item a poster posts for transaction encoding `enc`: compressed (FLZ_ITEM || blocks) when that is shorter
 * and within MAX_FLZ_ITEM_BYTES, else `enc` itself (a raw item keeps the limits of §5.5).
 */
export function compressItem(enc: Uint8Array, dict: Uint8Array): Uint8Array {
  const blocks = flzCompress(enc, dict);
  if (blocks.length + 1 >= enc.length || blocks.length + 1 > MAX_FLZ_ITEM_BYTES) return enc;
  const item = new Uint8Array(blocks.length + 1);
  item[0] = FLZ_ITEM;
  item.set(blocks, 1);
  return item;
}

