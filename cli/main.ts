/** The `moveset` command line: one tool for every user-facing job. */
import { Command } from "commander";
import { positiveInt, nonNegativeInt } from "./common";
import { registerBench } from "./bench";
import { registerLoad } from "./load";
import { registerDeploy } from "./deploy";
import { registerNode } from "./node";
import { registerWatch } from "./watch";
import { registerOspCheck } from "./osp-check";
import { registerTrace } from "./trace";
import { registerSweep } from "./sweep";
import { registerDeposit } from "./deposit";
import { registerWithdraw } from "./withdraw";
import { registerWithdrawals } from "./withdrawals";
import { registerClaim } from "./claim";
import { registerBond } from "./bond";
import { registerGameActions, registerGames } from "./games";
import { addLogOptions } from "./logging";

export function buildProgram(): Command {
  const program = new Command();
  program.name("moveset").description("moveset: an optimistic rollup whose transactions declare the state they touch as moves").version("0.1.0");

  program
    .command("conformance")
    .description("run Ethereum's state tests (Cancun vectors) through the move pipeline: fill, validate, walk, compare roots; mutate moves and check every mutant is rejected")
    .argument("<paths...>", "state-test JSON files or folders (searched recursively)")
    .option("--json", "print one JSON summary object on the last line")
    .option("--workers <n>", "worker processes", positiveInt)
    .option("--no-mutants", "skip the mutant checks")
    .option("--filter <regex>", "only vectors whose id (file#test[index]) matches")
    .option("--sample <k>", "a deterministic sample: every k-th file by sorted path", positiveInt)
    .option("--failures <file>", "write every failure to this file")
    .option("--show-failures <n>", "list at most this many failures", positiveInt, 50)
    .option("--results <file>", "append each vector's result to this file as it comes (one JSON line each)")
    .option("--resume", "with --results: skip the vectors the file already has, and count them in the summary (a run stopped or crashed goes on where it was)")
    .option("--vector-timeout <seconds>", "skip (and name) a vector still running after this long; 0 = no limit", nonNegativeInt, 300)
    .option("--stepper", "also run every passing vector through the step machine: agreement with ethereumjs at every instruction boundary and with the validator's verdict, on the vector and its mutants")
    .action(async (paths: string[], o: { json?: boolean; workers?: number; mutants: boolean; filter?: string; sample?: number; failures?: string; showFailures: number; vectorTimeout: number; stepper?: boolean; results?: string; resume?: boolean }) => {
      const { runConformance, defaultWorkers } = await import("../conformance/runner");
      const s = await runConformance({
        inputs: paths,
        json: !!o.json,
        workers: o.workers ?? defaultWorkers(),
        mutants: o.mutants,
        filter: o.filter,
        sample: o.sample,
        failuresFile: o.failures,
        showFailures: o.showFailures,
        vectorTimeoutSec: o.vectorTimeout,
        stepper: !!o.stepper,
        resultsFile: o.results,
        resume: !!o.resume,
      });
      const st = s.stepper;
      if (s.failed > 0 || s.mutants.rejected !== s.mutants.tried || (st && (st.agreed + st.outside !== st.vectors || st.mutants.matched !== st.mutants.tried))) process.exitCode = 1;
    });

  registerDeploy(program);
  registerNode(program);
  registerBench(program);
  registerLoad(program);
  registerWatch(program);
  registerOspCheck(program);
  registerTrace(program);
  registerSweep(program);
  registerDeposit(program);
  registerWithdraw(program);
  registerWithdrawals(program);
  registerClaim(program);
  registerBond(program);
  registerGames(program);
  registerGameActions(program);
  addLogOptions(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
