/** Conformance worker thread: checks the vectors of the files it is sent. */
import { parentPort, workerData } from "worker_threads";
import { Executor } from "../core/evm/execute";
import { loadVectors } from "./load";
import { checkVector, VectorResult } from "./check-vector";

export interface WorkerJob {
  file: string;
  folder: string;
  filter?: string;
}

async function main(): Promise<void> {
  const ex = await Executor.create(1n);
  const withMutants = workerData.mutants !== false;
  parentPort!.on("message", async (job: WorkerJob | null) => {
    if (job === null) {
      process.exit(0);
    }
    const results: VectorResult[] = [];
    try {
      const re = job.filter ? new RegExp(job.filter) : undefined;
      for (const v of loadVectors(job.file, job.folder)) {
        if (re && !re.test(v.id)) continue;
        let r: VectorResult;
        try {
          r = await checkVector(v, ex, withMutants);
        } catch (e) {
          r = { id: v.id, folder: v.folder, pass: false, reason: `runner crashed: ${(e as Error).stack ?? e}`, mutants: [] };
        }
        parentPort!.postMessage({ type: "result", result: r });
      }
    } catch (e) {
      parentPort!.postMessage({ type: "file-error", file: job.file, folder: job.folder, error: (e as Error).message });
    }
    parentPort!.postMessage({ type: "done", count: results.length });
  });
  parentPort!.postMessage({ type: "ready" });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
