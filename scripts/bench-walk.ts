/**
 * Throughput of the double-use walk: in memory (walkSequential, walkJoin) and over LevelDB
 * (LevelUtxoStore.applyBatch in batches).
 *
 *   npx ts-node --transpile-only scripts/bench-walk.ts [txs=200000] [movesPerTx=5] [keys=100000] [batch=1000]
 *
 * Workload: `keys` keys (balances, nonces and storage slots over keys/4 accounts); every tx
 * consumes `movesPerTx` distinct keys at their current version (one in ten moves is a reference),
 * its moves sorted by key.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Mark } from "../core/keys";
import { sortMoves, type Move } from "../core/moves";
import { MemoryUtxoSet, walkJoin, walkSequential, type TxMoves } from "../core/walk";
import { LevelUtxoStore } from "../node/state/utxo-store";
import { rng } from "../bench/rng";

export function makeWorkload(nTx: number, movesPerTx: number, nKeys: number, seed = 1): TxMoves[] {
  const rand = rng(seed);
  const marks = [Mark.Balance, Mark.Nonce, Mark.Storage, Mark.Storage];
  const keys: { mark: number; addr: Uint8Array; slot: bigint; seq: bigint; value: bigint }[] = [];
  for (let i = 0; i < nKeys; i++) {
    const addr = new Uint8Array(20);
    const acct = i >> 2;
    for (let b = 0; b < 20; b++) addr[b] = (acct * 2654435761 + b * 97) & 0xff;
    addr[0] = acct & 0xff;
    addr[1] = (acct >> 8) & 0xff;
    addr[2] = (acct >> 16) & 0xff;
    const mark = marks[i & 3];
    const slot = mark === Mark.Storage ? BigInt(i) * 0x9e3779b97f4a7c15n + 1n : 0n;
    keys.push({ mark, addr, slot, seq: 0n, value: 0n });
  }
  const txs: TxMoves[] = [];
  const picked = new Set<number>();
  for (let t = 0; t < nTx; t++) {
    const seq = BigInt(t + 1);
    picked.clear();
    const moves: Move[] = [];
    while (moves.length < movesPerTx) {
      const k = Math.floor(rand() * nKeys);
      if (picked.has(k)) continue;
      picked.add(k);
      const st = keys[k];
      const ref = rand() < 0.1;
      const next = ref ? st.value : BigInt(Math.floor(rand() * 1e12));
      // A fresh addr copy per move, as a decoder would produce.
      moves.push({ mask: 0, ref, mark: st.mark, addr: st.addr.slice(), slot: st.slot, intx: st.seq, prev: st.value, next });
      if (!ref) {
        st.seq = seq;
        st.value = next;
      }
    }
    // Sorted by key, as every valid transaction's moves are (protocol.md §4.3).
    txs.push({ seq, moves: sortMoves(moves) });
  }
  return txs;
}

/** Applies `txs` to a LevelDB store in batches of `batchSize`; returns moves/s. */
export async function walkLevel(store: LevelUtxoStore, txs: TxMoves[], batchSize: number): Promise<{ movesPerSec: number; moves: number; ms: number }> {
  let moves = 0;
  for (const t of txs) moves += t.moves.length;
  const t0 = performance.now();
  let b = store.tip() === undefined ? 0n : store.tip()!.batchIndex + 1n;
  for (let i = 0; i < txs.length; i += batchSize) {
    const f = await store.applyBatch(b++, txs.slice(i, i + batchSize));
    if (f !== undefined) throw new Error(`unexpected fault ${JSON.stringify(f, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
  }
  const ms = performance.now() - t0;
  return { movesPerSec: (moves / ms) * 1000, moves, ms };
}

async function main(): Promise<void> {
  const [nTx = 200_000, perTx = 5, nKeys = 100_000, batch = 1000] = process.argv.slice(2).map(Number);
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(`workload: ${fmt(nTx)} txs x ${perTx} moves over ${fmt(nKeys)} keys`);
  const txs = makeWorkload(nTx, perTx, nKeys);
  const moves = nTx * perTx;

  for (let run = 0; run < 3; run++) {
    const set = new MemoryUtxoSet();
    const t0 = performance.now();
    const f = walkSequential(set, txs);
    const ms = performance.now() - t0;
    if (f !== undefined) throw new Error("unexpected fault");
    console.log(`memory walkSequential run ${run + 1}: ${fmt((moves / ms) * 1000)} moves/s (${ms.toFixed(0)} ms)`);
  }
  {
    const t0 = performance.now();
    const f = walkJoin(new MemoryUtxoSet(), txs);
    const ms = performance.now() - t0;
    if (f !== undefined) throw new Error("unexpected fault");
    console.log(`memory walkJoin: ${fmt((moves / ms) * 1000)} moves/s (${ms.toFixed(0)} ms)`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-bench-"));
  try {
    const store = await LevelUtxoStore.open(dir);
    const r = await walkLevel(store, txs, batch);
    await store.close();
    console.log(`LevelDB applyBatch (batches of ${batch} txs): ${fmt(r.movesPerSec)} moves/s (${r.ms.toFixed(0)} ms)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
