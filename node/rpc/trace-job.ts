/**
 * Trace jobs (node/rpc/call.ts): a call traced at a state (debug_traceCall), or a transaction of a
 * batch re-executed alone from its own moves, exactly as a validator runs it (validateTx), with a
 * tracer on the EVM (node/rpc/tracers.ts). Runs in a call worker, under the pool's time limit.
 */
import { bytesToHex } from "../../core/bytes";
import { InvalidTxError } from "../../core/errors";
import { codeHash, decodeTx, TxType } from "../../core/tx";
import { validateTx } from "../../core/validate";
import { toRunnable } from "../../core/evm/ethtx";
import { policyOf } from "../../core/context";
import type { Executor } from "../../core/evm/execute";
import type { StateSource } from "../../core/evm/state";
import { runOnce, type CallJob, type CallResult, type TxTraceJob } from "./call";
import { gethError, makeTracer, TraceTooLargeError, type TraceEnd } from "./tracers";

const q = (v: bigint) => "0x" + v.toString(16);

export async function runTraceJob(ex: Executor, job: CallJob | TxTraceJob, source: StateSource): Promise<CallResult> {
  const spec = job.trace!;
  const tracer = makeTracer(spec);
  ex.listeners = tracer;
  try {
    if (job.op === "trace-tx") return await traceTx(ex, job, tracer);
    const r = await runOnce(ex, job.req, source, job.env, job.gas);
    const end: TraceEnd = {
      from: job.req.from,
      to: job.req.to ?? null,
      value: job.req.value,
      input: job.req.data,
      gasLimit: job.gas,
      gasUsed: r.gasUsed,
      status: r.status,
      returnValue: r.returnValue,
      error: r.error ? gethError(r.error) : undefined,
      createdAddress: r.createdAddress ? bytesToHex(r.createdAddress) : undefined,
    };
    return { type: "trace", result: await tracer.result(end, r.sm, (h) => source.code(h)) };
  } catch (e) {
    if (e instanceof TraceTooLargeError) return { type: "failed", message: e.message };
    throw e;
  } finally {
    ex.listeners = undefined;
  }
}

async function traceTx(ex: Executor, job: TxTraceJob, tracer: ReturnType<typeof makeTracer>): Promise<CallResult> {
  const tx = decodeTx(job.tx);
  const codes = new Map(job.codes);
  if (tx.type === TxType.Deposit) {
    // No EVM: the deposit credits its recipient (protocol.md §5.1).
    const m = tx.moves[0];
    const to = bytesToHex(tx.to);
    switch (job.trace.tracer) {
      case "":
        return { type: "trace", result: { gas: 0, failed: false, returnValue: "0x", structLogs: [] } };
      case "callTracer":
        return { type: "trace", result: { type: "CALL", from: job.depositFrom, to, value: q(tx.value), gas: "0x0", gasUsed: "0x0", input: "0x" } };
      case "prestateTracer": {
        const pre = { [to]: { balance: q(m.prev) } };
        return { type: "trace", result: job.trace.diffMode ? { pre, post: { [to]: { balance: q(m.next) } } } : pre };
      }
    }
  }
  let outcome;
  try {
    outcome = await validateTx(tx, job.ctx, ex, (h) => codes.get(h));
  } catch (e) {
    if (e instanceof InvalidTxError) return { type: "failed", message: `the transaction does not re-execute from its moves: ${e.kind}/${e.code}: ${e.message}` };
    throw e;
  }
  const run = ex.lastRun!;
  const { eth } = toRunnable(tx, policyOf(job.ctx));
  const end: TraceEnd = {
    from: outcome.sender,
    to: eth.to ? eth.to.toString() : null,
    value: eth.value,
    input: eth.data,
    gasLimit: eth.gasLimit,
    gasUsed: outcome.gasUsed,
    status: outcome.status,
    returnValue: run.returnValue,
    error: run.error ? gethError(run.error) : undefined,
    createdAddress: outcome.createdAddress,
  };
  // Code it names: its witness, the code given, or what it created.
  const witness = new Map(tx.witness.map((c) => [bytesToHex(codeHash(c)), c] as const));
  return { type: "trace", result: await tracer.result(end, run.sm, (h) => witness.get(h as `0x${string}`) ?? codes.get(h)) };
}

