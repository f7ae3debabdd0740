/**
 * `moveset osp-check <state-test paths...>`: the Solidity one-step verifier, deployed on the in-process
 * Hardhat network, against the TypeScript stepper on every chosen step of the vectors' transactions
 * (prover/osp-check.ts). Shows a progress bar and ends with `N passed, M failed` (steps); with --json the
 * last line is {"steps","agreed","opcodes","microSteps","precompiles","halts","gas":{"p50","p99","max"},
 * "families":{"<family contract>":{"steps","p50","p99","max","worst"}}} (families empty with --no-gas).
 */
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { positiveInt } from "./common";
import * as fs from "fs";
import { createHash } from "crypto";
import { EMPTY_GENESIS_ROOT } from "../node/config";
import { CliError } from "./errors";

export interface OspCheckCliOptions {
  sample?: number;
  steps: number;
  /** Vectors whose transaction runs more steps are skipped (named): the stepper runs each whole first. */
  maxRun?: number;
  gas: boolean;
  json: boolean;
  filter?: string;
  showFailures: number;
  /** Stop after this many vectors this run (with a checkpoint, the next run goes on). */
  maxVectors?: number;
  /** Save progress here now and then; a run given an existing checkpoint goes on from it. */
  checkpoint?: string;
}

/** What a checkpoint file holds: where the run is, and everything it has counted so far. */
interface Checkpoint {
  version: 1;
  /** sha256 of the vector ids in order: a checkpoint only continues the same list. */
  vectors: string;
  next: number;
  stats: import("../prover/osp-check").OspStatsJson;
  failures: string[];
  skipped: number;
  longOnes: string[];
  outside: string[];
}

export async function runOspCheck(paths: string[], o: OspCheckCliOptions): Promise<{ steps: number; agreed: number; failures: number; done: number; total: number }> {
  const { loadHardhat } = await import("../node/devnet/devnet");
  const { listFiles, loadVectors } = await import("../conformance/load");
  const { Executor } = await import("../core/evm/execute");
  const { deployStepVerifier, checkVectorSteps, emptyStats, percentiles, familyGas, statsToJson, statsFromJson } = await import("../prover/osp-check");
  const hre = loadHardhat();
  (hre.config.networks.hardhat as unknown as { loggingEnabled: boolean }).loggingEnabled = false;
  await hre.run("compile", { quiet: true });
  const ethers = (hre as unknown as { ethers: typeof import("ethers") & { getSigners(): Promise<import("ethers").Signer[]> } }).ethers;
  const [signer] = await ethers.getSigners();
  const artifact = (name: string) => hre.artifacts.readArtifactSync(name) as unknown as { abi: unknown[]; bytecode: string };
  const deploy = async (name: string, args: unknown[]) => {
    const a = artifact(name);
    const c = await new ethers.ContractFactory(a.abi as never, a.bytecode, signer).deploy(...args);
    await c.waitForDeployment();
    return c.getAddress();
  };
  const bridge = await deploy("Bridge", []);
  const inbox = await deploy("Inbox", [bridge, 901n, 10n ** 18n, 604_800n, 86_400n, 5000n, 256n, 1n, EMPTY_GENESIS_ROOT, 0n]);
  const d = await deployStepVerifier(signer, artifact, inbox, "TestCodeRegistry");

  const all = listFiles(paths);
  const files = o.sample ? all.filter((_, i) => i % o.sample! === 0) : all;
  const filter = o.filter ? new RegExp(o.filter) : undefined;
  const vectors = files.flatMap(({ file, folder }) => loadVectors(file, folder)).filter((v) => !filter || filter.test(v.id));
  const listHash = createHash("sha256").update(vectors.map((v) => `${v.folder}/${v.id}`).join("\n")).digest("hex");
  let stats = emptyStats();
  let failures: string[] = [];
  let skipped = 0;
  let longOnes: string[] = [];
  let outside: string[] = [];
  let start = 0;
  if (o.checkpoint && fs.existsSync(o.checkpoint)) {
    let c: Checkpoint;
    try {
      c = JSON.parse(fs.readFileSync(o.checkpoint, "utf8")) as Checkpoint;
    } catch (e) {
      throw new CliError(`checkpoint ${o.checkpoint} does not parse (${(e as Error).message}): remove it to start over`);
    }
    if (c.version !== 1 || c.vectors !== listHash)
      throw new CliError(`checkpoint ${o.checkpoint} is of another list of vectors (other paths, --sample or --filter): pass the same ones, or another --checkpoint file`);
    ({ next: start, failures, skipped, longOnes, outside } = c);
    stats = statsFromJson(c.stats);
  }
  const save = (next: number) => {
    if (!o.checkpoint) return;
    const c: Checkpoint = { version: 1, vectors: listHash, next, stats: statsToJson(stats), failures, skipped, longOnes, outside };
    fs.writeFileSync(o.checkpoint + ".tmp", JSON.stringify(c));
    fs.renameSync(o.checkpoint + ".tmp", o.checkpoint);
  };
  let saved = Date.now();
  const bar = new cliProgress.SingleBar(
    { format: "osp-check [{bar}] {percentage}% | {value}/{total} vectors | {agreed}/{steps} steps agree | {eta_formatted} left", noTTYOutput: true, notTTYSchedule: 15_000, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(vectors.length, start, { agreed: stats.agreed, steps: stats.steps });
  const executors = new Map<bigint, Awaited<ReturnType<typeof Executor.create>>>();
  const end = o.maxVectors ? Math.min(vectors.length, start + o.maxVectors) : vectors.length;
  for (let i = start; i < end; i++) {
    const v = vectors[i];
    let ex = executors.get(v.env.chainId);
    if (!ex) executors.set(v.env.chainId, (ex = await Executor.create(v.env.chainId)));
    let r: Awaited<ReturnType<typeof checkVectorSteps>>;
    try {
      r = await checkVectorSteps(v, ex, d, { maxSteps: o.steps, gas: o.gas, stepLimit: o.maxRun ?? 2_000_000 }, stats);
    } catch (e) {
      // one vector the checker cannot handle is a failure, named; the run goes on
      r = { id: v.id, steps: 0, checked: 0, agreed: 0, failures: [`the checker crashed: ${(e as Error).message.split("\n")[0].slice(0, 200)}`] };
    }
    if (r.skipped) {
      skipped++;
      if (/runs more than/.test(r.skipped)) longOnes.push(`${v.folder}/${r.id}`);
      if (/outside the rollup/.test(r.skipped)) outside.push(`${v.folder}/${r.id}: ${r.skipped}`);
    }
    for (const f of r.failures) failures.push(`${v.folder}/${r.id}: ${f}`);
    bar.increment(1, { agreed: stats.agreed, steps: stats.steps });
    if (Date.now() - saved > 30_000) {
      save(i + 1);
      saved = Date.now();
    }
  }
  save(end);
  bar.stop();
  const log = (s: string) => process.stdout.write(s + "\n");
  if (failures.length > 0) {
    log(`failures (${failures.length}${failures.length >= o.showFailures ? ", first " + o.showFailures : ""}):`);
    for (const f of failures.slice(0, o.showFailures)) log(`  ${f}`);
  }
  if (end < vectors.length) log(`stopped after vector ${end} of ${vectors.length} (--max-vectors)${o.checkpoint ? `: run again with --checkpoint ${o.checkpoint} to go on` : ""}`);
  log(`vectors: ${end === vectors.length ? vectors.length : `${end} of ${vectors.length}`} (${skipped} not checked: refused, not filled, outside the rollup's limits, or longer than ${o.maxRun ?? 2_000_000} steps${longOnes.length ? ": " + longOnes.join(", ") : ""})`);
  if (outside.length) {
    log(`outside the rollup's limits (${outside.length}, not checked: the machine stops at a bound only more gas than the rollup allows reaches):`);
    for (const x of outside.slice(0, o.showFailures)) log(`  ${x}`);
  }
  log(`coverage: ${stats.opcodes.size} opcodes, ${stats.microSteps.size} micro-step kinds, ${stats.precompiles.size} precompiles, ${stats.halts.size} halt kinds`);
  const missing = missingCoverage(stats);
  if (missing) log(`not covered: ${missing}`);
  const g = percentiles(stats.gas);
  const fam = familyGas(stats);
  if (o.gas) {
    log(`L1 gas per step: p50 ${g.p50}, p99 ${g.p99}, max ${g.max}`);
    for (const [name, f] of Object.entries(fam)) log(`  ${name}: ${f.steps} steps, p50 ${f.p50}, p99 ${f.p99}, max ${f.max} (${f.worst})`);
  }
  log(`${stats.agreed} passed, ${stats.steps - stats.agreed} failed`);
  if (o.json) {
    log(JSON.stringify({ steps: stats.steps, agreed: stats.agreed, opcodes: stats.opcodes.size, microSteps: stats.microSteps.size, precompiles: stats.precompiles.size, halts: stats.halts.size, gas: g, families: fam }));
  }
  return { steps: stats.steps, agreed: stats.agreed, failures: failures.length, done: end, total: vectors.length };
}

/** The opcodes (of the stepper's table), micro-step kinds and precompiles no agreeing step covered. */
export function missingCoverage(stats: { opcodes: Set<number>; microSteps: Set<string>; precompiles: Set<number>; halts?: Set<string> }): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { opInfo } = require("../core/step/interp") as typeof import("../core/step/interp");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MICRO_STEP_KINDS } = require("../prover/osp-check") as typeof import("../prover/osp-check");
  const ops: string[] = [];
  for (let op = 0; op < 256; op++) if (opInfo(op) && !stats.opcodes.has(op)) ops.push(`0x${op.toString(16).padStart(2, "0")}`);
  const micro = MICRO_STEP_KINDS.filter((k) => !stats.microSteps.has(k));
  const pre = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((id) => !stats.precompiles.has(id));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HALT_KINDS } = require("../core/step/classify") as typeof import("../core/step/classify");
  const halts = stats.halts ? HALT_KINDS.filter((k) => !stats.halts!.has(k)) : [];
  const parts: string[] = [];
  if (ops.length) parts.push(`opcodes ${ops.join(" ")}`);
  if (micro.length) parts.push(`micro-steps ${micro.join(" ")}`);
  if (pre.length) parts.push(`precompiles ${pre.join(" ")}`);
  if (halts.length) parts.push(`halts ${halts.join(" ")}`);
  return parts.join("; ");
}

export function registerOspCheck(program: Command): void {
  program
    .command("osp-check")
    .description("replay the steps of state-test vectors' transactions through the Solidity one-step verifier (in-process Hardhat network) and compare every post-state with the TypeScript stepper's")
    .argument("<paths...>", "state-test JSON files or folders (searched recursively)")
    .option("--sample <k>", "a deterministic sample: every k-th file by sorted path", positiveInt)
    .option("--steps <n>", "steps checked per vector at most (the first and last quarter and a spread between), besides the first step of each halt kind and of each opcode, micro-step kind and precompile not covered yet", positiveInt, 400)
    .option("--max-run <n>", "skip (and name) a vector whose transaction runs more steps than this", positiveInt, 2_000_000)
    .option("--no-gas", "do not measure L1 gas per step")
    .option("--filter <regex>", "only vectors whose id (file#test[index]) matches")
    .option("--show-failures <n>", "list at most this many failures", positiveInt, 50)
    .option("--json", "print one JSON summary object on the last line")
    .option("--max-vectors <n>", "stop after this many vectors (with --checkpoint, the next run goes on from there)", positiveInt)
    .option("--checkpoint <file>", "save progress to this file every 30 s; given an existing one, go on from where it was (same paths, --sample and --filter)")
    .action(async (paths: string[], opts: OspCheckCliOptions) => {
      const r = await runOspCheck(paths, opts);
      process.exit(r.agreed === r.steps && r.failures === 0 ? 0 : 1);
    });
}
