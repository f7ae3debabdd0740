/**
 * The conformance runner: spreads the files over worker threads, shows progress, prints a
 * per-folder table, the failures, and the closing line `N passed, M failed`.
 */
import * as path from "path";
import * as os from "os";
import { Worker } from "worker_threads";
import * as fs from "fs";
import cliProgress from "cli-progress";
import { listFiles } from "./load";
import type { VectorResult } from "./check-vector";
import type { WorkerMessage } from "./worker";

export interface RunOptions {
  inputs: string[];
  json: boolean;
  workers: number;
  mutants: boolean;
  filter?: string;
  /** Take every k-th file (by sorted path) only: a deterministic sample. */
  sample?: number;
  /** Write every failure, one per line, to this file. */
  failuresFile?: string;
  /** How many failures to list on the console. */
  showFailures: number;
  /** A vector still running after this many seconds is skipped (reported as such); 0: no limit. */
  vectorTimeoutSec: number;
  /** Also run every passing vector's transaction (and its machine mutants) through the step machine. */
  stepper?: boolean;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  mutants: { tried: number; rejected: number; byValidator: number; byWalk: number };
  stepper?: { vectors: number; agreed: number; steps: number; mutants: { tried: number; matched: number } };
}

interface FolderRow {
  passed: number;
  failed: number;
  skipped: number;
  mutTried: number;
  mutRejected: number;
}

/** Counts vectors without parsing everything twice: a cheap scan of each file's post.Cancun entries. */
function countVectors(files: Array<{ file: string }>): number {
  let n = 0;
  for (const { file } of files) {
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { post?: Record<string, unknown[]> }>;
    for (const t of Object.values(json)) n += t.post?.Cancun?.length ?? 0;
  }
  return n;
}

export async function runConformance(opts: RunOptions): Promise<Summary> {
  const all = listFiles(opts.inputs);
  const files = opts.sample ? all.filter((_, i) => i % opts.sample! === 0) : all;
  const total = countVectors(files);
  const log = (s: string) => process.stdout.write(s + "\n");
  const bar = new cliProgress.SingleBar(
    { format: "conformance [{bar}] {percentage}% | {value}/{total} vectors | {passed} passed, {failed} failed | {eta_formatted} left", noTTYOutput: true, notTTYSchedule: 15_000, stream: process.stderr, etaBuffer: 200 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { passed: 0, failed: 0 });

  const folders = new Map<string, FolderRow>();
  const failures: VectorResult[] = [];
  const summary: Summary = { passed: 0, failed: 0, skipped: 0, mutants: { tried: 0, rejected: 0, byValidator: 0, byWalk: 0 } };
  const row = (f: string) => {
    let r = folders.get(f);
    if (!r) folders.set(f, (r = { passed: 0, failed: 0, skipped: 0, mutTried: 0, mutRejected: 0 }));
    return r;
  };
  const mutantEscapes: string[] = [];
  const stepperFails: string[] = [];
  if (opts.stepper) summary.stepper = { vectors: 0, agreed: 0, steps: 0, mutants: { tried: 0, matched: 0 } };

  type Job = { file: string; folder: string; filter?: string; startAt?: number };
  const queue: Job[] = files.map((f) => ({ ...f, filter: opts.filter }));
  const nWorkers = Math.max(1, Math.min(opts.workers, queue.length));
  const timeoutMs = opts.vectorTimeoutSec * 1000;
  const skippedList: string[] = [];

  const record = (r: VectorResult) => {
    const fr = row(r.folder);
    if (r.pass) {
      summary.passed++;
      fr.passed++;
    } else {
      summary.failed++;
      fr.failed++;
      failures.push(r);
    }
    for (const m of r.mutants) {
      summary.mutants.tried++;
      fr.mutTried++;
      if (m.caughtBy !== "none") {
        summary.mutants.rejected++;
        fr.mutRejected++;
        if (m.caughtBy === "validator") summary.mutants.byValidator++;
        else summary.mutants.byWalk++;
      } else mutantEscapes.push(`${r.id} mutant ${m.kind}`);
    }
    if (r.stepper && summary.stepper) {
      const st = summary.stepper;
      st.vectors++;
      st.steps += r.stepper.steps;
      if (r.stepper.agreed) st.agreed++;
      else stepperFails.push(`${r.id}: ${r.stepper.reason}`);
      for (const m of r.stepper.mutants) {
        st.mutants.tried++;
        if (m.matched) st.mutants.matched++;
        else stepperFails.push(`${r.id} mutant ${m.kind}: machine ${m.status}, validator ${m.verdict}${m.reason ? ` (${m.reason})` : ""}`);
      }
    }
    bar.increment(1, { passed: summary.passed, failed: summary.failed });
  };

  await new Promise<void>((resolve, reject) => {
    let live = 0;
    /** One worker slot: a thread, replaced when a vector exceeds the time limit. */
    const spawn = (): void => {
      live++;
      const worker = new Worker(path.join(__dirname, "..", "bin", "ts-worker.js"), {
        workerData: { script: path.join(__dirname, "worker.ts"), mutants: opts.mutants, stepper: opts.stepper === true },
        resourceLimits: { maxOldGenerationSizeMb: 4096 },
      });
      let job: Job | undefined;
      let current: { position: number; id: string; folder: string } | undefined;
      let timer: NodeJS.Timeout | undefined;
      let replaced = false;
      const next = () => {
        job = queue.shift();
        worker.postMessage(job ?? null);
      };
      worker.on("message", (msg: WorkerMessage) => {
        switch (msg.type) {
          case "ready":
          case "done":
            current = undefined;
            if (timer) clearTimeout(timer);
            return next();
          case "start":
            current = { position: msg.position, id: msg.id, folder: job!.folder };
            if (timer) clearTimeout(timer);
            if (timeoutMs > 0)
              timer = setTimeout(() => {
                // Stuck on one vector (e.g. a precompile looping 2^32 times): skip it, named, and go on.
                const c = current!;
                summary.skipped++;
                row(c.folder).skipped++;
                skippedList.push(c.id);
                bar.increment(1, { passed: summary.passed, failed: summary.failed });
                queue.unshift({ ...job!, startAt: c.position + 1 });
                replaced = true;
                void worker.terminate();
                spawn();
              }, timeoutMs);
            return;
          case "result":
            if (timer) clearTimeout(timer);
            return record(msg.result);
          case "file-error":
            summary.failed++;
            row(msg.folder).failed++;
            failures.push({ id: msg.file, folder: msg.folder, pass: false, reason: `file does not load: ${msg.error}`, mutants: [] });
            return;
        }
      });
      worker.on("error", (e) => {
        if (!replaced) reject(e);
      });
      worker.on("exit", () => {
        if (timer) clearTimeout(timer);
        if (--live === 0) resolve();
      });
    };
    for (let w = 0; w < nWorkers; w++) spawn();
  });
  bar.stop();

  {
    const names = [...folders.keys()].sort();
    const w = Math.max(6, ...names.map((n) => n.length));
    log("");
    log(`${"folder".padEnd(w)}  ${"passed".padStart(7)}  ${"failed".padStart(6)}  ${"mutants rejected".padStart(17)}`);
    for (const n of names) {
      const r = folders.get(n)!;
      log(`${n.padEnd(w)}  ${String(r.passed).padStart(7)}  ${String(r.failed).padStart(6)}  ${`${r.mutRejected}/${r.mutTried}`.padStart(17)}`);
    }
    log("");
    const m = summary.mutants;
    log(`mutants: ${m.rejected}/${m.tried} rejected (${m.byValidator} by the validator, ${m.byWalk} by the walk)`);
    if (skippedList.length) {
      log(`skipped (${skippedList.length}): still running after the per-vector limit of ${opts.vectorTimeoutSec} s (--vector-timeout):`);
      for (const id of skippedList) log(`  ${id}`);
    }
    for (const e of mutantEscapes.slice(0, 20)) log(`  MUTANT ACCEPTED: ${e}`);
    if (summary.stepper) {
      const st = summary.stepper;
      log(`stepper: ${st.agreed}/${st.vectors} vectors agree with ethereumjs at every instruction boundary and with the validator's verdict (${st.steps} steps); mutants ${st.mutants.matched}/${st.mutants.tried} end in the validator's fault`);
      for (const e of stepperFails.slice(0, opts.showFailures)) log(`  STEPPER: ${e}`);
    }
    if (failures.length) {
      log(`failures (${failures.length}${failures.length > opts.showFailures ? `, first ${opts.showFailures}` : ""}):`);
      for (const f of failures.slice(0, opts.showFailures)) log(`  ${f.id}: ${f.reason}`);
    }
  }
  if (opts.failuresFile)
    fs.writeFileSync(opts.failuresFile, [...failures.map((f) => `${f.folder}\t${f.id}\t${f.reason}`), ...stepperFails.map((f) => `stepper\t${f}`)].join("\n") + "\n");
  log(`${summary.passed} passed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped (over the ${opts.vectorTimeoutSec} s limit)` : ""}`);
  if (opts.json) {
    log(
      JSON.stringify({
        passed: summary.passed,
        failed: summary.failed,
        skipped: summary.skipped,
        mutants: { tried: summary.mutants.tried, rejected: summary.mutants.rejected },
        ...(summary.stepper ? { stepper: summary.stepper } : {}),
      }),
    );
  }
  return summary;
}

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}
