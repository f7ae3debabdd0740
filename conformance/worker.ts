/**
 * Conformance worker thread: checks the vectors of the files it is sent. Before each vector it says
 * which one it starts, so the runner can stop a worker stuck on one vector and resume after it.
 */
import { parentPort, workerData } from "worker_threads";
import { Executor } from "../core/evm/execute";
import { loadVectors } from "./load";
import { checkVector, VectorResult } from "./check-vector";

export interface WorkerJob {
  file: string;
  folder: string;
  filter?: string;
  /** Skip the file's vectors before this position (after a timed-out vector). */
  startAt?: number;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "start"; position: number; id: string }
  | { type: "result"; result: VectorResult }
  | { type: "file-error"; file: string; folder: string; error: string }
  | { type: "done" };

async function main(): Promise<void> {
  const ex = await Executor.create(1n);
  const withMutants = workerData.mutants !== false;
  const withStepper = workerData.stepper === true;
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  parentPort!.on("message", async (job: WorkerJob | null) => {
    if (job === null) process.exit(0);
    try {
      const re = job.filter ? new RegExp(job.filter) : undefined;
      const vectors = loadVectors(job.file, job.folder);
      for (let position = job.startAt ?? 0; position < vectors.length; position++) {
        const v = vectors[position];
        if (re && !re.test(v.id)) continue;
        post({ type: "start", position, id: v.id });
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
