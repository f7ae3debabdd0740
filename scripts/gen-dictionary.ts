/**
 * Generates deploy/flz-dictionary.hex: the compressed items' default dictionary (protocol.md §7.7), at most
 * MAX_FLZ_DICT_BYTES, that `moveset deploy --dictionary default` and `moveset devnet --compress` bind.
 *
 * Deterministic (test/deploy/dictionary.test.ts checks the file is what this makes). Made of:
 *  - the chain-independent constants transactions name: the genesis predeploys' addresses and code hashes
 *    (protocol.md §7.6, for the default L2 chain id), the empty code hash, ERC-20 transfer / approve /
 *    transferFrom / WETH deposit selectors with their ABI address padding, a max-uint256 allowance;
 *  - segments of representative filled transactions (the encodings a coordinator posts): a training run of the
 *    bench's workload generator (bench/workload.ts: ETH transfers, ERC-20 transfers and approvals, AMM swaps;
 *    wrapped EIP-1559 transactions with their moves) under its own seed, so none of its keys, accounts, token or
 *    pool addresses nor its fee recipient are the measured workload's. The segments are chosen as zstd's COVER
 *    does: the training encodings are cut into epochs, and from each the segment whose 8-byte substrings occur in
 *    the most training transactions (each substring counted once in the whole dictionary) is taken. The training size,
 *    substring and segment lengths (8 and 128 bytes) were chosen on a third seed's workload ("validate"), not the
 *    bench's: 363.7-373.9 bytes/tx over substrings of 6 or 8 and segments of 32-256 bytes; the last 7,600 bytes of
 *    the training encodings as they are gave 373.9.
 * What it shares with the bench's measured workload beyond the protocol's own structure: the bench's test token's
 * and pool's code hashes (contracts/test/Token.sol, Pool.sol: the same contracts in both runs) and the chain id.
 *
 *   npx ts-node --transpile-only scripts/gen-dictionary.ts
 */
import * as fs from "fs";
import { bytesToHex, concatBytes, hexToBytes, keccak256 } from "../core/bytes";
import { MAX_FLZ_DICT_BYTES } from "../core/flz";
import { predeploys } from "../core/predeploys";
import { DEFAULT_DICTIONARY_FILE } from "../deploy/dictionary";

/** The training workload's seed: never the bench's (its default is "1"). */
export const DICTIONARY_SEED = "moveset-flz-dictionary-v1";
/** The training run: small enough to generate in a few seconds. */
const TRAINING = { accounts: 40, txs: 600, batchSize: 100 } as const;
/** Length of the substrings COVER scores segments by, and of a segment. */
const DMER_LEN = 8;
const SEGMENT_LEN = 128;

/** The chain-independent constants (see the top of this file), most general first. */
function constants(chainId: bigint): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const p of predeploys(chainId)) parts.push(hexToBytes(p.address as `0x${string}`), keccak256(p.code));
  parts.push(keccak256(new Uint8Array(0)));
  const pad = new Uint8Array(12);
  for (const sel of ["0xa9059cbb", "0x095ea7b3", "0x23b872dd", "0xd0e30db0", "0x2e1a7d4d"]) parts.push(hexToBytes(sel as `0x${string}`), pad);
  parts.push(new Uint8Array(32).fill(0xff));
  return concatBytes(...parts);
}

/** The training transactions' filled encodings (deploys left out: their init code is the bench's own). */
async function trainingEncodings(): Promise<{ chainId: bigint; encodings: Uint8Array[] }> {
  const { generateWorkload } = await import("../bench/workload");
  const { fillWorkload } = await import("../bench/fill");
  const { Executor } = await import("../core/evm/execute");
  const w = await generateWorkload({ seed: DICTIONARY_SEED, ...TRAINING });
  const f = await fillWorkload(w, await Executor.create(w.chainId));
  const encodings = f.encoded.filter((_, i) => w.txs[i].kind !== "deploy-token" && w.txs[i].kind !== "deploy-pool");
  return { chainId: w.chainId, encodings };
}

/**
 * COVER's segment selection over `samples` into at most `budget` bytes: in each of budget / SEGMENT epochs (a
 * contiguous run of the concatenated samples), the SEGMENT-byte window whose not yet chosen DMER-byte substrings
 * are in the most samples; its substrings then count no more. Segments come out most valuable last (the nearest
 * to the data, the first a hash chain finds).
 */
export function coverSegments(samples: readonly Uint8Array[], budget: number, DMER = DMER_LEN, SEGMENT = SEGMENT_LEN): Uint8Array {
  const all = concatBytes(...samples);
  // Each position's DMER-byte substring as a number (its first 4 bytes exactly, the last 4 hashed to 21 bits).
  const keys = new Float64Array(Math.max(0, all.length - DMER + 1));
  const dv = new DataView(all.buffer, all.byteOffset, all.length);
  for (let i = 0; i < keys.length; i++)
    keys[i] = DMER === 8 ? dv.getUint32(i) * 2097152 + (Math.imul(dv.getUint32(i + 4), 0x9e3779b1) >>> 11) : dv.getUint32(i) * 65536 + (DMER === 6 ? dv.getUint16(i + 4) : 0);
  // In how many samples each substring occurs (substrings across two samples' boundary count for none).
  const freq = new Map<number, number>();
  let off = 0;
  for (const s of samples) {
    const seen = new Set<number>();
    for (let i = off; i + DMER <= off + s.length; i++) seen.add(keys[i]);
    for (const k of seen) freq.set(k, (freq.get(k) ?? 0) + 1);
    off += s.length;
  }
  const epochs = Math.max(1, Math.floor(budget / SEGMENT));
  const epochLen = Math.floor(all.length / epochs);
  const chosen: { score: number; seg: Uint8Array }[] = [];
  const per = SEGMENT - DMER + 1;
  for (let e = 0; e < epochs && epochLen >= SEGMENT; e++) {
    // Slide a window of SEGMENT bytes over the epoch, its distinct substrings counted in `inWin`.
    const inWin = new Map<number, number>();
    let score = 0;
    const enter = (k: number) => {
      const c = inWin.get(k) ?? 0;
      if (c === 0) score += freq.get(k) ?? 0;
      inWin.set(k, c + 1);
    };
    const leave = (k: number) => {
      const c = inWin.get(k)!;
      if (c === 1) {
        score -= freq.get(k) ?? 0;
        inWin.delete(k);
      } else inWin.set(k, c - 1);
    };
    const from = e * epochLen;
    for (let i = from; i < from + per; i++) enter(keys[i]);
    let best = score;
    let bestAt = from;
    for (let at = from + 1; at + SEGMENT <= from + epochLen; at++) {
      leave(keys[at - 1]);
      enter(keys[at + per - 1]);
      if (score > best) [best, bestAt] = [score, at];
    }
    if (best <= 0) continue;
    for (let i = bestAt; i < bestAt + per; i++) freq.set(keys[i], 0);
    chosen.push({ score: best, seg: all.slice(bestAt, bestAt + SEGMENT) });
  }
  // Stable: ties keep epoch order. Most valuable last.
  chosen.sort((a, b) => a.score - b.score);
  const out = concatBytes(...chosen.map((c) => c.seg));
  return out.slice(Math.max(0, out.length - budget));
}

/** The default dictionary: the constants, then COVER segments of the training transactions, MAX_FLZ_DICT_BYTES in all. */
export async function generateDictionary(): Promise<Uint8Array> {
  const { chainId, encodings } = await trainingEncodings();
  const head = constants(chainId);
  const dict = concatBytes(head, coverSegments(encodings, MAX_FLZ_DICT_BYTES - head.length));
  if (dict.length > MAX_FLZ_DICT_BYTES) throw new Error(`the dictionary came out ${dict.length} bytes, over ${MAX_FLZ_DICT_BYTES}`);
  return dict;
}

/** The file's text: the dictionary's hex, 0x-prefixed, one line. */
export function dictionaryFileText(dict: Uint8Array): string {
  return bytesToHex(dict) + "\n";
}

if (require.main === module) {
  generateDictionary()
    .then((d) => {
      fs.writeFileSync(DEFAULT_DICTIONARY_FILE, dictionaryFileText(d));
      console.log(`wrote ${DEFAULT_DICTIONARY_FILE}: ${d.length} bytes`);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
