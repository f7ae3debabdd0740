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
 *    the most training transactions (each substring counted once in the whole dictionary) is taken.
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
const DMER = 8;
const SEGMENT = 64;

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
export function coverSegments(samples: readonly Uint8Array[], budget: number): Uint8Array {
  const key = (b: Uint8Array, i: number) => Buffer.from(b.subarray(i, i + DMER)).toString("latin1");
  const freq = new Map<string, number>();
  for (const s of samples) {
    const seen = new Set<string>();
    for (let i = 0; i + DMER <= s.length; i++) seen.add(key(s, i));
    for (const k of seen) freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  const all = concatBytes(...samples);
  const epochs = Math.max(1, Math.floor(budget / SEGMENT));
  const epochLen = Math.floor(all.length / epochs);
  const chosen: { score: number; seg: Uint8Array }[] = [];
  for (let e = 0; e < epochs && epochLen >= SEGMENT; e++) {
    let best = 0;
    let bestAt = -1;
    for (let at = e * epochLen; at + SEGMENT <= (e + 1) * epochLen; at++) {
      const seen = new Set<string>();
      let score = 0;
      for (let i = at; i + DMER <= at + SEGMENT; i++) {
        const k = key(all, i);
        if (seen.has(k)) continue;
        seen.add(k);
        score += freq.get(k) ?? 0;
      }
      if (score > best) [best, bestAt] = [score, at];
    }
    if (bestAt < 0) continue;
    const seg = all.slice(bestAt, bestAt + SEGMENT);
    for (let i = 0; i + DMER <= SEGMENT; i++) freq.set(key(seg, i), 0);
    chosen.push({ score: best, seg });
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
