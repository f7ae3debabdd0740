/**
 * geth's debug_trace* methods (protocol.md §12.7). A past transaction re-executes alone from its own
 * moves (its pre-state is its `prev` values), so any transaction of any batch is traced at the cost
 * of one execution, with no archive of states; a call is traced at any block's state (the version
 * index). Every trace runs as a job of the call pool: off the event loop, under the time limit.
 */
import { bytesToHex } from "../../core/bytes";
import { Mark } from "../../core/keys";
import { codeHash, decodeTx, TxType } from "../../core/tx";
import { declaredGas } from "../../core/gas";
import { batchTxContext } from "../../core/context";
import type { StoredBatch } from "../state/chain-store";
import type { CallJob, CallRequest, CallResult, Job, TxTraceJob } from "./call";
import type { ChainView, StateAt } from "./chain-view";
import { arg, bad, hashArg, objectArg } from "./params";
import { RpcError, SERVER_ERROR, type Methods } from "./server";
import { TRACERS, type TraceSpec } from "./tracers";

export interface DebugDeps {
  view: ChainView;
  /** Runs a job in the call pool; throws RpcError for the pool's refusals (busy, timeout). */
  run(job: Job, at: StateAt | undefined): Promise<CallResult>;
  callRequest(v: unknown): CallRequest;
  callGas(asked: bigint | undefined): bigint;
  /** The state and environment of a call at a block parameter (with the request's state overrides). */
  callAt(tag: unknown, req: CallRequest, overrides: unknown): Promise<{ at: StateAt; env: CallJob["env"] }>;
  depositFrom: string;
  /** The call pool's time limit (ms): a trace's own `timeout` may be shorter, not longer. */
  timeoutMs: number;
}

/** geth's duration strings ("300ms", "5s", "1m30s") in ms. */
function durationMs(v: unknown): number {
  if (typeof v !== "string" || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) bad(`timeout must be a duration such as "5s"`);
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const m of (v as string).matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]];
  return ms;
}

/** Checks geth's trace options; what this node cannot do is refused, never ignored. */
export function traceSpec(v: unknown, maxTimeoutMs: number): { spec: TraceSpec; timeoutMs?: number; overrides?: unknown } {
  const o = v === undefined ? {} : objectArg(v, "trace options");
  const known = new Set(["tracer", "tracerConfig", "timeout", "disableStack", "disableStorage", "enableMemory", "enableReturnData", "limit", "reexec", "stateOverrides", "blockOverrides", "txIndex"]);
  for (const k of Object.keys(o)) if (!known.has(k)) bad(`unknown trace option ${k}`);
  const tracer = o.tracer === undefined || o.tracer === null ? "" : o.tracer;
  if (typeof tracer !== "string" || !(TRACERS as readonly string[]).includes(tracer))
    throw new RpcError(SERVER_ERROR, `tracer ${JSON.stringify(tracer)} is not supported: this node has the struct logger (no tracer), callTracer and prestateTracer (no JavaScript tracers)`);
  const flag = (k: string) => {
    const x = o[k];
    if (x !== undefined && x !== null && typeof x !== "boolean") bad(`${k} must be a boolean`);
    return x === true;
  };
  const spec: TraceSpec = { tracer: tracer as TraceSpec["tracer"], disableStack: flag("disableStack"), disableStorage: flag("disableStorage"), enableMemory: flag("enableMemory") };
  if (flag("enableReturnData")) throw new RpcError(SERVER_ERROR, "enableReturnData is not supported by this node's struct logger");
  if (o.blockOverrides !== undefined && o.blockOverrides !== null) throw new RpcError(SERVER_ERROR, "blockOverrides are not supported by this node");
  if (o.limit !== undefined && o.limit !== null) {
    if (typeof o.limit !== "number" || !Number.isSafeInteger(o.limit) || o.limit < 0) bad("limit must be a non-negative integer");
    spec.limit = o.limit as number;
  }
  const cfg = o.tracerConfig === undefined || o.tracerConfig === null ? {} : objectArg(o.tracerConfig, "tracerConfig");
  const allowed = tracer === "callTracer" ? ["onlyTopCall", "withLog"] : tracer === "prestateTracer" ? ["diffMode"] : [];
  for (const [k, x] of Object.entries(cfg)) {
    if (!allowed.includes(k)) throw new RpcError(SERVER_ERROR, `tracerConfig.${k} is not supported by ${tracer || "the struct logger"} on this node`);
    if (typeof x !== "boolean") bad(`tracerConfig.${k} must be a boolean`);
    (spec as unknown as Record<string, boolean>)[k] = x as boolean;
  }
  let timeoutMs: number | undefined;
  if (o.timeout !== undefined && o.timeout !== null) {
    timeoutMs = durationMs(o.timeout);
    if (timeoutMs > maxTimeoutMs) throw new RpcError(SERVER_ERROR, `timeout ${o.timeout} is above this node's limit of ${maxTimeoutMs} ms (--rpc-evmtimeout)`);
    if (timeoutMs < 1) bad("timeout must be at least 1ms");
  }
  return { spec, timeoutMs, overrides: o.stateOverrides ?? undefined };
}

export function debugMethods(d: DebugDeps): Methods {
  const { view } = d;
  const chain = view.d.chain;

  const answer = (r: CallResult): unknown => {
    if (r.type === "trace") return r.result;
    if (r.type === "failed") throw new RpcError(SERVER_ERROR, r.message);
    if (r.type === "invalid") throw new RpcError(SERVER_ERROR, r.message, { kind: r.kind, reason: r.code });
    throw new Error(`a trace job answered ${r.type}`);
  };

  /** The trace job of transaction `i` of batch `bt`. */
  async function txJob(bt: StoredBatch, i: number, spec: TraceSpec, timeoutMs?: number): Promise<TxTraceJob> {
    const t = await chain.txAt(bt.header.index, i);
    if (!t) throw new RpcError(SERVER_ERROR, `transaction ${i} of block ${bt.header.index + 1n} is missing`);
    const tx = decodeTx(t.tx);
    const codes: [string, Uint8Array][] = [];
    if (tx.type !== TxType.Deposit) {
      const carried = new Set(tx.witness.map((c) => bytesToHex(codeHash(c))));
      for (const m of tx.moves) {
        if (m.mark !== Mark.Code) continue;
        for (const h of [m.prev, m.next]) {
          if (h === 0n) continue;
          const hex = `0x${h.toString(16).padStart(64, "0")}` as const;
          if (carried.has(hex)) continue;
          const c = await chain.code(hex);
          if (c) codes.push([hex, c]);
        }
      }
    }
    const ctx = batchTxContext(bt.header, view.d.deployment.l2ChainId, i, declaredGas(tx));
    return { op: "trace-tx", tx: t.tx, ctx, codes, trace: spec, depositFrom: d.depositFrom, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  }

  async function traceBlock(bt: StoredBatch | undefined, opts: unknown, what: string): Promise<unknown[]> {
    const { spec, timeoutMs } = traceSpec(opts, d.timeoutMs);
    if (!bt) throw new RpcError(SERVER_ERROR, `block ${what} not found`);
    const out: unknown[] = [];
    for (let i = 0; i < Number(bt.header.txCount); i++) {
      const txHash = bt.txHashes[i];
      try {
        out.push({ txHash, result: answer(await d.run(await txJob(bt, i, spec, timeoutMs), undefined)) });
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        out.push({ txHash, error: e.message });
      }
    }
    return out;
  }

  return {
    debug_traceTransaction: async (p) => {
      const h = hashArg(arg(p, 0, "hash"), "hash");
      const { spec, timeoutMs } = traceSpec(arg(p, 1, "options", false), d.timeoutMs);
      const loc = await chain.txLocation(h);
      if (!loc) throw new RpcError(SERVER_ERROR, "transaction not found");
      const bt = await chain.batch(loc.index);
      if (!bt) throw new RpcError(SERVER_ERROR, "transaction not found");
      return answer(await d.run(await txJob(bt, loc.txIndex, spec, timeoutMs), undefined));
    },
    debug_traceBlockByNumber: async (p) => {
      const tag = arg(p, 0, "block");
      const n = await view.blockNumberOf(tag);
      if (n === 0n) return [];
      return traceBlock(n === undefined ? undefined : await view.batchOf(n), arg(p, 1, "options", false), String(tag));
    },
    debug_traceBlockByHash: async (p) => {
      const h = hashArg(arg(p, 0, "hash"), "hash");
      const n = await view.numberOfHash(h);
      if (n === 0n) return [];
      return traceBlock(n === undefined ? undefined : await view.batchOf(n), arg(p, 1, "options", false), h);
    },
    debug_traceCall: async (p) => {
      const req = d.callRequest(arg(p, 0, "transaction"));
      const { spec, timeoutMs, overrides } = traceSpec(arg(p, 2, "options", false), d.timeoutMs);
      const { at, env } = await d.callAt(arg(p, 1, "block", false) ?? "latest", req, overrides);
      const job: CallJob = { op: "trace", req, env, gas: d.callGas(req.gas), trace: spec, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
      return answer(await d.run(job, at));
    },
  };
}
