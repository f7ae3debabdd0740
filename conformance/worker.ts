/**
 * Conformance worker, a child process (runner.ts): checks the vectors of the files it is sent. Before
 * each vector it says which one it starts, so the runner can kill a worker stuck on one vector and
 * resume after it. (A child process, not a thread: killing it cannot touch the runner's memory, where
 * terminating a thread in the middle of native crypto corrupted the heap.)
 */
import { Executor } from "../core/evm/execute";
import { loadVectors } from "./load";
import { checkVector, VectorResult } from "./check-vector";

export interface WorkerJob {
  file: string;
  folder: string;
  filter?: string;
  /** Skip the file's vectors before this position (after a timed-out vector). */
  startAt?: number;
  /** Ids of vectors already done (a resumed run). */
  skip?: string[];
}

/** What the runner passes in MOVESET_CONFORMANCE_WORKER (JSON). */
export interface WorkerOptions {
  mutants: boolean;
  stepper: boolean;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "start"; position: number; id: string }
  | { type: "result"; result: VectorResult }
  | { type: "file-error"; file: string; folder: string; error: string }
  | { type: "done" };

async function main(): Promise<void> {
  if (!process.send) throw new Error("the conformance worker runs as a child process of the runner (conformance/runner.ts)");
  const o = JSON.parse(process.env.MOVESET_CONFORMANCE_WORKER ?? "{}") as Partial<WorkerOptions>;
  const ex = await Executor.create(1n);
  const withMutants = o.mutants !== false;
  const withStepper = o.stepper === true;
  const crashAt = process.env.MOVESET_CRASH_AT_VECTOR ? new RegExp(process.env.MOVESET_CRASH_AT_VECTOR) : undefined;
  // the runner reads each message before it sends the next job: no backlog to wait for
  const post = (m: WorkerMessage) => process.send!(m);
  process.on("disconnect", () => process.exit(0));
  process.on("message", async (job: WorkerJob | { stop: true }) => {
    if ("stop" in job) process.exit(0);
    try {
      const re = job.filter ? new RegExp(job.filter) : undefined;
      const vectors = loadVectors(job.file, job.folder);
      const skip = new Set(job.skip ?? []);
      for (let position = job.startAt ?? 0; position < vectors.length; position++) {
        const v = vectors[position];
        if (re && !re.test(v.id)) continue;
        if (skip.has(v.id)) continue;
        post({ type: "start", position, id: v.id });
        // crash injection for the runner's tests (as MOVESET_CRASH_AT for the coordinator): dies as a native crash would
        if (crashAt && crashAt.test(v.id)) process.kill(process.pid, "SIGABRT");
        let r: VectorResult;
        try {
          r = await checkVector(v, ex, withMutants, withStepper);
        } catch (e) {
          r = { id: v.id, folder: v.folder, pass: false, reason: `runner crashed: ${(e as Error).stack ?? e}`, mutants: [] };
        }
        post({ type: "result", result: r });
      }
    } catch (e) {
      post({ type: "file-error", file: job.file, folder: job.folder, error: (e as Error).message });
    }
    post({ type: "done" });
  });
  post({ type: "ready" });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
