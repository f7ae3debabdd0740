/** `moveset bench`: benchmarks against a conventional EVM node (bench/run.ts, docs/BENCHMARKS.md). */
import { Command } from "commander";
import { positiveInt } from "./common";

interface BenchCliOptions {
  quick?: boolean;
  json?: boolean;
  seed: string;
  runs?: number;
  txs?: number;
  accounts?: number;
  batchSize?: number;
}

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description(
      "one deterministic workload (ETH transfers, ERC-20 transfers, AMM swaps) measured side by side: a conventional node's re-execution " +
        "(ethereumjs runTx over a Merkle-Patricia state), moveset standalone validation on 1 and 2 worker threads, the double-use walk " +
        "(memory, LevelDB), the step machine (steps/s; the state hash at a step of the largest transaction and of a 30M-gas loop), L1 bytes per transaction, and L1 gas of appendBatch per transaction and of each one-step fraud proof (in-process Hardhat network)",
    )
    .option("--quick", "a small workload that finishes in under two minutes on 2 cores")
    .option("--json", "print one JSON object on the last line")
    .option("--seed <seed>", "workload seed", "1")
    .option("--runs <n>", "rounds of every timed measurement (the median is reported)", positiveInt)
    .option("--txs <n>", "transactions in the timed phase", positiveInt)
    .option("--accounts <n>", "user accounts", positiveInt)
    .option("--batch-size <n>", "transactions per batch", positiveInt)
    .action(async (o: BenchCliOptions) => {
      const { runBench, formatReport } = await import("../bench/run");
      const r = await runBench({ quick: !!o.quick, seed: o.seed, runs: o.runs, txs: o.txs, accounts: o.accounts, batchSize: o.batchSize });
      process.stdout.write(formatReport(r) + "\n");
      if (o.json) process.stdout.write(JSON.stringify(r.json) + "\n");
    });
}
