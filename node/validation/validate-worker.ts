/**
 * Worker thread of the ValidatePool (node/validation/validate-pool.ts): decodes and validates transactions
 * standalone (core validateTx), one job at a time, with one Executor per chain id reused for every
 * transaction. Messages are those of validate-pool.ts (WorkerIn / WorkerOut), handled in order.
 * Code beyond a transaction's witness (protocol.md §6.2): the chain's code and the job's, each
 * only if first carried below the transaction's seq, then the item's own.
 */
import { parentPort, workerData } from "worker_threads";
import type { WorkerIn, WorkerOut, WireVerdict, JobMsg, WorkerInit, WireCodes } from "./validate-pool";

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  // Modules to load before the core (e.g. a crypto provider); they run in this thread only.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const p of init.preload ?? []) require(p);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Executor } = require("../../core/evm/execute") as typeof import("../../core/evm/execute");
  const { validateTx } = require("../../core/validate") as typeof import("../../core/validate");
  const { decodeTx } = require("../../core/tx") as typeof import("../../core/tx");
  const { InvalidTxError, DecodeError } = require("../../core/errors") as typeof import("../../core/errors");
  const { KnownCode } = require("../../core/known-code") as typeof import("../../core/known-code");
  /* eslint-enable @typescript-eslint/no-require-imports */

  const port = parentPort!;
  const post = (m: WorkerOut) => port.postMessage(m);
  const executors = new Map<bigint, ReturnType<typeof Executor.create>>();
  const executor = (chainId: bigint) => {
    let e = executors.get(chainId);
    if (!e) executors.set(chainId, (e = Executor.create(chainId)));
    return e;
  };
  /** The chain's code the pool was told about (addCodes, forgetCodes). */
  const known = new KnownCode();
  const addCodes = (to: InstanceType<typeof KnownCode>, codes: WireCodes) => {
    for (const [h, seq, code] of codes) to.add(h, seq, code);
    return to;
  };

  async function run(job: JobMsg): Promise<void> {
    const verdicts: WireVerdict[] = new Array(job.items.length);
    const jobCodes = job.codes && addCodes(new KnownCode(), job.codes);
    for (let i = 0; i < job.items.length; i++) {
      const it = job.items[i];
      const env = job.envs[it.env];
      const ctx = { seq: it.seq, env, feeMode: it.feeMode, blockHash: it.blockHash, allowUnprotected: it.allowUnprotected, allowBlobTx: it.allowBlobTx, declaredGas: it.declaredGas, l1Prices: it.l1Prices };
      const own = it.codes;
      const lookup = (h: string) => known.before(h, it.seq) ?? jobCodes?.before(h, it.seq) ?? own?.[h];
      try {
        const ex = await executor(env.chainId);
        const outcome = await validateTx(decodeTx(it.tx), ctx, ex, lookup, it.tx, it.sender);
        if (!job.logs) outcome.logs = [];
        verdicts[i] = { valid: true, outcome };
      } catch (e) {
        if (e instanceof InvalidTxError)
          verdicts[i] = { valid: false, error: { type: "invalid", kind: e.kind, code: e.code, message: e.message, moveIndex: e.moveIndex, detail: e.detail } };
        else if (e instanceof DecodeError) verdicts[i] = { valid: false, error: { type: "decode", kind: "malformed", code: e.code, message: e.message, offset: e.offset } };
        else {
          // Not a verdict: the validator itself failed. The whole job fails; the pool reports it.
          post({ type: "failed", id: job.id, index: i, message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack });
          return;
        }
      }
    }
    post({ type: "result", id: job.id, verdicts });
  }

  // Messages are handled one after another, in order: the Executor is not re-entrant, and code
  // added or forgotten applies to the jobs sent after it, not to one still running.
  let chain: Promise<void> = Promise.resolve();
  port.on("message", (m: WorkerIn) => {
    chain = chain.then(async () => {
      if (m.type === "codes") addCodes(known, m.codes);
      else if (m.type === "forget") known.forgetFrom(m.seq);
      else await run(m);
    });
  });
  for (const id of init.chainIds ?? []) await executor(id);
  post({ type: "ready" });
}

main().catch((e) => {
  parentPort?.postMessage({ type: "fatal", message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack } satisfies WorkerOut);
});
