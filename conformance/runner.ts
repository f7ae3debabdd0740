/**
 * The conformance runner: spreads the files over worker processes, shows progress, prints a
 * per-folder table, the failures, and the closing line `N passed, M failed`.
 */
import * as path from "path";
import * as os from "os";
import { fork } from "child_process";
import * as fs from "fs";
import cliProgress from "cli-progress";
import { listFiles } from "./load";
import type { VectorResult } from "./check-vector";
import type { WorkerMessage, WorkerOptions } from "./worker";

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
  /** Append each vector's result (a ResultLine) to this file as it comes. */
  resultsFile?: string;
  /** With resultsFile: skip the vectors it already has and count them in the summary. */
  resume?: boolean;
}

/** One line of the --results file: a vector's result, or a vector skipped over the time limit. */
export type ResultLine = (VectorResult & { skipped?: undefined }) | { id: string; folder: string; skipped: true };

/** `folder \t id`: ids (file#test[index]) are unique within a folder. */
const keyOf = (folder: string, id: string) => `${folder}\t${id}`;

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  mutants: { tried: number; rejected: number; byValidator: number; byWalk: number };
  /** `outside`: vectors beyond the rollup's limits where the machine stopped at a bound (not disagreements). */
  stepper?: { vectors: number; agreed: number; outside: number; steps: number; mutants: { tried: number; matched: number } };
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
    let json: Record<string, { post?: Record<string, unknown[]> }>;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8")) as typeof json;
    } catch {
      continue; // its worker reports it, as a failure ("file does not load")
    }
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
  const outsideList: string[] = [];
  if (opts.stepper) summary.stepper = { vectors: 0, agreed: 0, outside: 0, steps: 0, mutants: { tried: 0, matched: 0 } };
  // Failures go to the file as they come: a run that dies (or is stopped) keeps what it found.
  const failuresOut = opts.failuresFile ? fs.openSync(opts.failuresFile, "w") : undefined;
  const writeFailure = (line: string) => {
    if (failuresOut !== undefined) fs.writeSync(failuresOut, line + "\n");
  };

  // earlier results (--resume): counted now, their vectors not run again
  const done = new Set<string>();
  const earlier: ResultLine[] = [];
  if (opts.resume) {
    if (!opts.resultsFile) throw new Error("--resume needs --results <file>");
    if (fs.existsSync(opts.resultsFile))
      for (const line of fs.readFileSync(opts.resultsFile, "utf8").split("\n")) {
        if (!line.trim()) continue;
        let r: ResultLine;
        try {
          r = JSON.parse(line) as ResultLine;
        } catch {
          continue; // a line cut short by a crash: that vector runs again
        }
        if (done.has(keyOf(r.folder, r.id))) continue;
        done.add(keyOf(r.folder, r.id));
        earlier.push(r);
      }
  }
  const resultsOut = opts.resultsFile ? fs.openSync(opts.resultsFile, opts.resume ? "a" : "w") : undefined;
  // a line cut short stays a line of its own
  if (resultsOut !== undefined && opts.resume && fs.fstatSync(resultsOut).size > 0) {
    const fd = fs.openSync(opts.resultsFile!, "r");
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, fs.fstatSync(fd).size - 1);
    fs.closeSync(fd);
    if (last[0] !== 0x0a) fs.writeSync(resultsOut, "\n");
  }
  const writeResult = (r: ResultLine) => {
    if (resultsOut !== undefined) fs.writeSync(resultsOut, JSON.stringify(r) + "\n");
  };

  type Job = { file: string; folder: string; filter?: string; startAt?: number; skip?: string[] };
  const queue: Job[] = files.map((f) => {
    const prefix = keyOf(f.folder, path.basename(f.file) + "#");
    const skip = done.size ? [...done].filter((k) => k.startsWith(prefix)).map((k) => k.slice(k.indexOf("\t") + 1)) : [];
    return { ...f, filter: opts.filter, ...(skip.length ? { skip } : {}) };
  });
  const nWorkers = Math.max(1, Math.min(opts.workers, queue.length));
  const timeoutMs = opts.vectorTimeoutSec * 1000;
  const skippedList: string[] = [];

  const record = (r: VectorResult, fromFile = false) => {
    if (!fromFile) writeResult(r);
    const fr = row(r.folder);
    if (r.pass) {
      summary.passed++;
      fr.passed++;
    } else {
      summary.failed++;
      fr.failed++;
      failures.push(r);
      writeFailure(`${r.folder}\t${r.id}\t${r.reason}`);
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
      const fail = (line: string) => {
        stepperFails.push(line);
        writeFailure(`stepper\t${line}`);
      };
      if (r.stepper.agreed) st.agreed++;
      else if (r.stepper.outside) {
        st.outside++;
        outsideList.push(`${r.id}: ${r.stepper.outside}`);
      } else fail(`${r.id}: ${r.stepper.reason}`);
      for (const m of r.stepper.mutants) {
        st.mutants.tried++;
        if (m.matched) st.mutants.matched++;
        else fail(`${r.id} mutant ${m.kind}: machine ${m.status}, validator ${m.verdict}${m.reason ? ` (${m.reason})` : ""}`);
      }
    }
    bar.increment(1, { passed: summary.passed, failed: summary.failed });
  };

  const recordSkip = (id: string, folder: string) => {
    summary.skipped++;
    row(folder).skipped++;
    skippedList.push(id);
    bar.increment(1, { passed: summary.passed, failed: summary.failed });
  };
  for (const r of earlier) {
    if (r.skipped) recordSkip(r.id, r.folder);
    else record(r, true);
  }

  await new Promise<void>((resolve, reject) => {
    let live = 0;
    /**
     * One worker slot: a child process, killed (SIGKILL) and replaced when a vector exceeds the time
     * limit. A process and not a thread: a thread terminated while in native crypto (keccak,
     * libsecp256k1 bindings) once corrupted the runner's heap and ended a 2-hour run at its last vector.
     */
    const spawn = (): void => {
      live++;
      const worker = fork(path.join(__dirname, "..", "bin", "ts-worker.js"), [path.join(__dirname, "worker.ts")], {
        serialization: "advanced",
        execArgv: ["--single-threaded-gc", "--max-old-space-size=4096"],
        env: { ...process.env, MOVESET_CONFORMANCE_WORKER: JSON.stringify({ mutants: opts.mutants, stepper: opts.stepper === true } satisfies WorkerOptions) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      let job: Job | undefined;
      let current: { position: number; id: string; folder: string } | undefined;
      let timer: NodeJS.Timeout | undefined;
      let replaced = false;
      let finished = false;
      const next = () => {
        job = queue.shift();
        if (!job) finished = true;
        worker.send(job ?? { stop: true });
      };
      worker.on("message", (msg: WorkerMessage) => {
        if (replaced) return;
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
                writeResult({ id: c.id, folder: c.folder, skipped: true });
                recordSkip(c.id, c.folder);
                queue.unshift({ ...job!, startAt: c.position + 1 });
                replaced = true;
                worker.kill("SIGKILL");
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
            writeFailure(`${msg.folder}\t${msg.file}\tfile does not load: ${msg.error}`);
            return;
        }
      });
      worker.on("error", (e) => {
        if (!replaced) reject(e);
      });
      worker.on("exit", (code, signal) => {
        if (timer) clearTimeout(timer);
        if (!replaced && !finished) {
          // died on its own (out of memory, a native crash): the vector it was on fails, named, and the run goes on
          replaced = true;
          const c = current;
          if (c) {
            record({ id: c.id, folder: c.folder, pass: false, reason: `the worker process died (${signal ?? `exit code ${code}`}) on this vector`, mutants: [] });
            queue.unshift({ ...job!, startAt: c.position + 1 });
          } else if (job) {
            summary.failed++;
            row(job.folder).failed++;
            failures.push({ id: job.file, folder: job.folder, pass: false, reason: `the worker process died (${signal ?? `exit code ${code}`}) loading it`, mutants: [] });
            writeFailure(`${job.folder}\t${job.file}\tthe worker process died (${signal ?? `exit code ${code}`}) loading it`);
          }
          spawn();
        }
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
      if (st.outside) {
        log(`  ${st.outside} outside the rollup's limits (the machine stops at a bound only more gas than the rollup allows reaches):`);
        for (const e of outsideList.slice(0, opts.showFailures)) log(`    ${e}`);
      }
      for (const e of stepperFails.slice(0, opts.showFailures)) log(`  STEPPER: ${e}`);
    }
    if (failures.length) {
      log(`failures (${failures.length}${failures.length > opts.showFailures ? `, first ${opts.showFailures}` : ""}):`);
      for (const f of failures.slice(0, opts.showFailures)) log(`  ${f.id}: ${f.reason}`);
    }
  }
  if (failuresOut !== undefined) fs.closeSync(failuresOut);
  if (resultsOut !== undefined) fs.closeSync(resultsOut);
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
