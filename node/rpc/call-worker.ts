/**
 * Worker thread of the CallPool (node/rpc/call-pool.ts): runs eth_call / eth_estimateGas jobs
 * (node/rpc/call.ts) and fills of submitted transactions (node/coordinator/fill-job.ts) one at a
 * time with one Executor, reading state through the main thread.
 * Its crypto is JavaScript (see main): terminating it never interrupts native code.
 */
import { parentPort, workerData } from "worker_threads";
import type { Answer, Ask, CallWorkerIn, CallWorkerOut } from "./call-pool";
import { CODE_CACHE_BYTES, CodeCache } from "./code-cache";

async function main(): Promise<void> {
  // JavaScript crypto only in this thread: the pool stops a job by terminating its worker, and a
  // native binding (the keccak and secp256k1 N-API addons) interrupted by termination aborts the
  // whole process. Workers have their own process.env, so the rest of the node keeps native crypto.
  process.env.MOVESET_NO_NATIVE_CRYPTO = "1";
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Executor } = require("../../core/evm/execute") as typeof import("../../core/evm/execute");
  const { runCallJob } = require("./call") as typeof import("./call");
  const { runTraceJob } = require("./trace-job") as typeof import("./trace-job");
  const { runFillJob } = require("../coordinator/fill-job") as typeof import("../coordinator/fill-job");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = parentPort!;
  const post = (m: CallWorkerOut) => port.postMessage(m);
  const ex = await Executor.create(BigInt((workerData as { chainId: bigint }).chainId));
  const waiting = new Map<number, { resolve: (v: Answer) => void; reject: (e: Error) => void }>();
  let rid = 0;
  // Questions asked in the same turn go to the node's thread in one message (call-pool.ts CallWorkerIn).
  let outbox: (Ask & { rid: number })[] | undefined;
  const ask = (m: Ask) =>
    new Promise<Answer>((resolve, reject) => {
      const r = ++rid;
      waiting.set(r, { resolve, reject });
      if (outbox) outbox.push({ ...m, rid: r });
      else {
        outbox = [{ ...m, rid: r }];
        queueMicrotask(() => {
          const asks = outbox!;
          outbox = undefined;
          post({ type: "asks", asks });
        });
      }
    });

  // Code is named by its hash (keccak256 of the bytes, core/tx.ts codeHash), so an answer holds for every
  // later job: kept here, a contract's code crosses from the node's thread once, not once per fill.
  const codes = new CodeCache(CODE_CACHE_BYTES);
  let chain: Promise<void> = Promise.resolve();
  port.on("message", (m: CallWorkerIn) => {
    if (m.type === "values") {
      for (const v of m.values) {
        const w = waiting.get(v.rid);
        if (!w) continue;
        waiting.delete(v.rid);
        if (v.error !== undefined) w.reject(new Error(v.error));
        else w.resolve(v);
      }
      return;
    }
    // Jobs one at a time: the Executor is not re-entrant.
    chain = chain.then(async () => {
      const id = m.id;
      try {
        const code = (hash: string) => {
          const known = codes.get(hash);
          return known ? Promise.resolve(known) : ask({ type: "code", id, hash }).then((v) => (v.code && codes.put(hash, v.code), v.code));
        };
        const job = m.job;
        const result =
          job.op === "fill"
            ? await runFillJob(ex, job, {
                latest: (mark, addr, slot) => ask({ type: "version", id, mark, addr, slot }).then((v) => v.version!),
                code,
                feeOutputs: (addr, limit) => ask({ type: "fees", id, addr, limit }).then((v) => v.fees ?? []),
                omitCode: (hash) => ask({ type: "omit", id, hash }).then((v) => v.flag === true),
              })
            : await runCallJob(
                ex,
                job,
                {
                  read: (key, mark, addr, slot) => ask({ type: "read", id, key, mark, addr, slot }).then((v) => v.value ?? 0n),
                  code,
                },
                runTraceJob,
              );
        post({ type: "done", id, result });
      } catch (e) {
        post({ type: "failed", id, message: (e as Error)?.stack ?? String(e) });
      }
    });
  });
  post({ type: "ready" });
}

main().catch((e) => {
  parentPort?.postMessage({ type: "fatal", message: (e as Error)?.stack ?? String(e) } satisfies CallWorkerOut);
});
