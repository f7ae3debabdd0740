/**
 * The double-use walk over the workload's filled moves: in memory (MemoryUtxoSet, walkSequential)
 * and over LevelDB (LevelUtxoStore.applyBatch, one call per batch). The setup batches are applied
 * first, untimed; the main phase is timed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MemoryUtxoSet, walkSequential, type TxMoves } from "../core/walk";
import { LevelUtxoStore } from "../node/state/utxo-store";
import { genesisOf, type Workload } from "./workload";
import type { FilledWorkload } from "./fill";

export interface WalkRun {
  moves: number;
  ms: number;
  movesPerSec: number;
}

/** What the LevelDB store keeps, per transaction of the whole workload (setup included). */
export interface StoreCost {
  txs: number;
  /** Outpoint records (unspent and tombstones, the version index), key and value bytes. */
  outpointBytesPerTx: number;
  /** Of these, the bytes tombstones spend on keeping their values (what history costs). */
  historyBytesPerTx: number;
  /** The store's files on disk (LevelDB, compressed and compacted as it stands). */
  diskBytesPerTx: number;
}

/** The filled moves of workload transactions [from, to), with their seqs (index + 1). */
export function txMoves(f: FilledWorkload, from: number, to: number): TxMoves[] {
  const out: TxMoves[] = [];
  for (let i = from; i < to; i++) out.push({ seq: BigInt(i + 1), moves: f.moves[i] });
  return out;
}

function countMoves(txs: readonly TxMoves[]): number {
  let n = 0;
  for (const t of txs) n += t.moves.length;
  return n;
}

/** Prepares the in-memory walk: the set after the setup, and the main-phase moves. */
export function prepareMemoryWalk(w: Workload, f: FilledWorkload): { base: MemoryUtxoSet; main: TxMoves[] } {
  const base = new MemoryUtxoSet(genesisOf(w));
  const fault = walkSequential(base, txMoves(f, 0, w.setupCount));
  if (fault) throw new Error(`walk: unexpected fault in the setup: ${fault.code} at seq ${fault.seq}`);
  return { base, main: txMoves(f, w.setupCount, w.txs.length) };
}

/** One timed in-memory walk of the main phase, on a copy of the post-setup set. */
export function walkMemoryOnce(base: MemoryUtxoSet, main: TxMoves[]): WalkRun {
  const set = base.clone();
  const t0 = performance.now();
  const fault = walkSequential(set, main);
  const ms = performance.now() - t0;
  if (fault) throw new Error(`walk: unexpected fault ${fault.code} at seq ${fault.seq}`);
  const moves = countMoves(main);
  return { moves, ms, movesPerSec: (moves / ms) * 1000 };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return n;
}

/**
 * One timed LevelDB walk of the main phase, in a fresh store (setup batches applied untimed);
 * `cost` also measures what the store keeps (untimed, after the walk).
 */
export async function walkLevelOnce(w: Workload, f: FilledWorkload, cost?: (c: StoreCost) => void): Promise<WalkRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-bench-walk-"));
  try {
    const store = await LevelUtxoStore.open(dir, { genesis: genesisOf(w) });
    let ms = 0;
    let moves = 0;
    try {
      for (const b of w.batches) {
        const txs = txMoves(f, b.start, b.start + b.count);
        const timed = b.index >= w.firstMainBatch;
        const t0 = performance.now();
        const fault = await store.applyBatch(BigInt(b.index), txs);
        if (timed) {
          ms += performance.now() - t0;
          moves += countMoves(txs);
        }
        if (fault) throw new Error(`walk (LevelDB): unexpected fault ${fault.code} at seq ${fault.seq}`);
      }
      if (cost) {
        const st = await store.outpointStats();
        const txs = w.txs.length;
        await store.close();
        cost({ txs, outpointBytesPerTx: st.bytes / txs, historyBytesPerTx: st.historyBytes / txs, diskBytesPerTx: dirBytes(dir) / txs });
      }
    } finally {
      await store.close();
    }
    return { moves, ms, movesPerSec: (moves / ms) * 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
