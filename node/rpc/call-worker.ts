/**
 * Worker thread of the CallPool (node/rpc/call-pool.ts): runs eth_call / eth_estimateGas jobs
 * (node/rpc/call.ts) one at a time with one Executor, reading state through the main thread.
 * Its crypto is JavaScript (see main): terminating it never interrupts native code.
 */
import { parentPort, workerData } from "worker_threads";
import type { CallWorkerIn, CallWorkerOut } from "./call-pool";

async function main(): Promise<void> {
  // JavaScript crypto only in this thread: the pool stops a job by terminating its worker, and a
  // native binding (the keccak and secp256k1 N-API addons) interrupted by termination aborts the
  // whole process. Workers have their own process.env, so the rest of the node keeps native crypto.
  process.env.MOVESET_NO_NATIVE_CRYPTO = "1";
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Executor } = require("../../core/evm/execute") as typeof import("../../core/evm/execute");
  const { runCallJob } = require("./call") as typeof import("./call");
  const { runTraceJob } = require("./trace-job") as typeof import("./trace-job");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = parentPort!;
  const post = (m: CallWorkerOut) => port.postMessage(m);
  const ex = await Executor.create(BigInt((workerData as { chainId: bigint }).chainId));
  const waiting = new Map<number, { resolve: (v: { value?: bigint; code?: Uint8Array }) => void; reject: (e: Error) => void }>();
  let rid = 0;
  type Ask = { type: "read"; id: number; key: string; mark: number; addr: string; slot: bigint } | { type: "code"; id: number; hash: string };
  const ask = (m: Ask) =>
    new Promise<{ value?: bigint; code?: Uint8Array }>((resolve, reject) => {
      const r = ++rid;
      waiting.set(r, { resolve, reject });
      post({ ...m, rid: r } as CallWorkerOut);
    });

  let chain: Promise<void> = Promise.resolve();
  port.on("message", (m: CallWorkerIn) => {
    if (m.type === "value") {
      const w = waiting.get(m.rid);
      if (!w) return;
      waiting.delete(m.rid);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m);
      return;
    }
    // Jobs one at a time: the Executor is not re-entrant.
    chain = chain.then(async () => {
      const id = m.id;
      try {
        const source = {
          read: (key: string, mark: number, addr: string, slot: bigint) => ask({ type: "read", id, key, mark, addr, slot }).then((v) => v.value ?? 0n),
          code: (hash: string) => ask({ type: "code", id, hash }).then((v) => v.code),
        };
        const result = await runCallJob(ex, m.job, source, runTraceJob);
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
