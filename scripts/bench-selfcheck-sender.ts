/**
 * What the coordinator's self-check saves by taking a wrapped transaction's sender as the node recovered
 * it when it accepted the transaction (protocol.md §12.4) instead of recovering it again: the bench
 * workload's main phase (filled as bench/fill.ts does), validated on one ValidatePool worker with and
 * without the known senders, alternately, `runs` times each; CPU time of the process and wall time.
 *
 *   npx ts-node --transpile-only scripts/bench-selfcheck-sender.ts [txs=1000] [runs=5] [mix=eth|all]
 */
import { Executor } from "../core/evm/execute";
import { ethTxFields } from "../core/evm/ethtx";
import { hexToBytes } from "../core/bytes";
import { ValidatePool, type ValidateItem } from "../node/validation/validate-pool";
import { fillWorkload, batchOfTx, txContext } from "../bench/fill";
import { BENCH_CHAIN_ID, generateWorkload } from "../bench/workload";

async function main(): Promise<void> {
  const [txs = 1000, runs = 5] = process.argv.slice(2, 4).map(Number);
  const mix = process.argv[4] === "all" ? undefined : { eth: 1, erc20: 0, swap: 0 };
  const w = await generateWorkload({ seed: "selfcheck", accounts: 20, txs, batchSize: 256, ...(mix ? { mix } : {}) });
  const f = await fillWorkload(w, await Executor.create(BENCH_CHAIN_ID));
  const batchOf = batchOfTx(w);
  const main = Array.from({ length: w.txs.length - w.setupCount }, (_, j) => w.setupCount + j);
  const plain: ValidateItem[] = main.map((i) => ({ tx: f.encoded[i], ctx: txContext(BigInt(i + 1), batchOf[i]) }));
  const known: ValidateItem[] = plain.map((it, j) => ({ ...it, sender: hexToBytes(ethTxFields(w.txs[main[j]].raw).from as `0x${string}`) }));
  const pool = await ValidatePool.create(1, { chainIds: [BENCH_CHAIN_ID] });
  pool.addCodes(f.codes.entries());
  const time = async (items: ValidateItem[]) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const v = await pool.validate(items, { logs: false });
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (v.some((x) => !x.valid)) throw new Error("a transaction is invalid");
    return { ms, cpuMs: (c.user + c.system) / 1000 };
  };
  await time(plain); // warm-up
  const out: Record<string, { ms: number; cpuMs: number }[]> = { recovered: [], known: [] };
  for (let r = 0; r < runs; r++) {
    out.recovered.push(await time(plain));
    out.known.push(await time(known));
  }
  await pool.terminate();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  for (const [k, xs] of Object.entries(out))
    console.log(`${k}: ${main.length} txs, wall ms median ${med(xs.map((x) => x.ms)).toFixed(0)} (${xs.map((x) => x.ms.toFixed(0)).join(", ")}), process CPU ms median ${med(xs.map((x) => x.cpuMs)).toFixed(0)}, per tx ${(med(xs.map((x) => x.cpuMs)) / main.length).toFixed(3)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
