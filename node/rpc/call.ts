/**
 * eth_call and eth_estimateGas as jobs: a call request runs against a state source (the latest
 * index plus overlays, read through the main thread when the job runs in a call worker) in a block
 * environment, without applying anything. The job and its result are plain data, so that a job
 * can run in a worker thread (node/rpc/call-pool.ts) that the node can stop when it runs too long.
 */
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { InvalidTxError, type FaultKind } from "../../core/errors";
import { Mark, keyIdOf } from "../../core/keys";
import type { Executor, ExecResult } from "../../core/evm/execute";
import type { StateSource } from "../../core/evm/state";
import { cancunCommon, type BlockEnv } from "../../core/evm/chain";
import type { TxContext } from "../../core/context";
import type { TraceSpec } from "./tracers";

/** An eth_call / eth_estimateGas transaction object, parsed. */
export interface CallRequest {
  from: string;
  to?: string;
  gas?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  value: bigint;
  data: Uint8Array;
  /** EIP-2930 access list (addresses and storage keys, 0x-hex). */
  accessList?: { address: string; storageKeys: string[] }[];
}

export interface CallJob {
  /** "trace": a call traced (debug_traceCall) with `trace`; "access-list": eth_createAccessList. */
  op: "call" | "estimate" | "trace" | "access-list";
  req: CallRequest;
  env: BlockEnv;
  /** call: the gas it runs with; estimate: the highest gas tried (before the balance bound). */
  gas: bigint;
  trace?: TraceSpec;
  /** A time limit shorter than the pool's (a trace's `timeout`). */
  timeoutMs?: number;
}

/**
 * A transaction of a batch traced (debug_traceTransaction, debug_traceBlock*): it re-executes alone
 * from its own moves, as a validator runs it (protocol.md §6), with the code its witness lacks given.
 */
export interface TxTraceJob {
  op: "trace-tx";
  /** The transaction's filled encoding, as its batch carries it. */
  tx: Uint8Array;
  ctx: TxContext;
  /** Code by hash that its moves name and its witness does not carry (earlier witnesses, §6.2). */
  codes: [string, Uint8Array][];
  trace: TraceSpec;
  /** Whom a deposit is shown as sent by (the L1 Bridge, as the RPC shows it). */
  depositFrom: string;
  timeoutMs?: number;
}

export type Job = CallJob | TxTraceJob;

export type CallResult =
  | { type: "return"; data: Uint8Array }
  | { type: "gas"; gas: bigint }
  /** Reverted (JSON-RPC error 3 with the revert data). */
  | { type: "revert"; data: Uint8Array }
  /** Halted, or no gas within the bound suffices. */
  | { type: "failed"; message: string }
  /** Refused before running (a transaction rule), as InvalidTxError. */
  | { type: "invalid"; kind: FaultKind; code: string; message: string; detail: Record<string, string> }
  /** A trace (plain JSON, the tracer's). */
  | { type: "trace"; result: unknown }
  /** eth_createAccessList's answer (`error` when the call fails with that list). */
  | { type: "access-list"; accessList: { address: string; storageKeys: string[] }[]; gasUsed: bigint; error?: string };

/** Runs the request once with `gas`. Throws InvalidTxError (rules) for a request that cannot run. */
export async function runOnce(ex: Executor, req: CallRequest, source: StateSource, env: BlockEnv, gas: bigint): Promise<ExecResult> {
  const chainId = env.chainId;
  const nonce = await source.read(keyIdOf(req.from, Mark.Nonce, 0n), Mark.Nonce, req.from, 0n);
  const common = cancunCommon(chainId);
  const fields = { nonce, gasLimit: gas, to: req.to ? new Address(hexToBytes(req.to as `0x${string}`)) : undefined, value: req.value, data: req.data, chainId };
  const accessList = (req.accessList ?? []).map((e) => [hexToBytes(e.address as `0x${string}`), e.storageKeys.map((k) => hexToBytes(k as `0x${string}`))]) as never;
  const eth: TypedTransaction =
    req.gasPrice !== undefined && req.maxFeePerGas === undefined
      ? (createTx(req.accessList?.length ? { ...fields, type: 1, gasPrice: req.gasPrice, accessList } : { ...fields, type: 0, gasPrice: req.gasPrice }, { common, freeze: false }) as TypedTransaction)
      : (createTx(
          {
            ...fields,
            type: 2,
            maxFeePerGas: req.maxFeePerGas ?? req.gasPrice ?? 0n,
            maxPriorityFeePerGas: req.maxPriorityFeePerGas ?? (req.maxFeePerGas !== undefined ? 0n : (req.gasPrice ?? 0n)),
            accessList,
          },
          { common, freeze: false },
        ) as TypedTransaction);
  const sender = new Address(hexToBytes(req.from as `0x${string}`));
  (eth as unknown as { getSenderAddress: () => Address }).getSenderAddress = () => sender;
  return ex.run(eth, sender, source, env, "outputs", "zero");
}

function ended(r: ExecResult): CallResult {
  return r.error === "revert" ? { type: "revert", data: r.returnValue } : { type: "failed", message: `execution failed: ${r.error ?? "unknown error"}` };
}

/** eth_estimateGas: the least gas (within 1.5%, as geth) with which the request succeeds. */
async function estimate(ex: Executor, job: CallJob, source: StateSource): Promise<CallResult> {
  const { req, env } = job;
  let hi = job.gas;
  const feeCap = req.maxFeePerGas ?? req.gasPrice ?? 0n;
  if (feeCap > 0n) {
    const bal = await source.read(keyIdOf(req.from, Mark.Balance, 0n), Mark.Balance, req.from, 0n);
    const room = bal > req.value ? (bal - req.value) / feeCap : 0n;
    if (room < hi) hi = room;
  }
  const first = await runOnce(ex, req, source, env, hi);
  if (first.status === 0) {
    if (first.error === "revert") return ended(first);
    return { type: "failed", message: `gas required exceeds allowance (${hi}): ${first.error}` };
  }
  const ok = async (g: bigint) => {
    try {
      return (await runOnce(ex, req, source, env, g)).status === 1;
    } catch (e) {
      if (e instanceof InvalidTxError) return false; // below the intrinsic gas
      throw e;
    }
  };
  if (await ok(first.gasUsed)) return { type: "gas", gas: first.gasUsed };
  let lo = first.gasUsed;
  while (hi - lo > 1n && (hi - lo) * 1000n > hi * 15n) {
    const mid = (lo + hi) / 2n;
    if (await ok(mid)) hi = mid;
    else lo = mid;
  }
  return { type: "gas", gas: hi };
}

/** The precompiles of Cancun (0x01-0x0a): never in an access list (they are warm anyway). */
const isPrecompile = (a: string) => /^0x0{38}(0[1-9a]|0a)$/.test(a);

/**
 * eth_createAccessList: every address and storage key the call touches, as the move filler finds
 * them (the accessed keys), less the sender, the recipient and the precompiles (warm anyway) and the
 * contracts the call creates; then the gas the call uses with that list. As geth, it runs again with
 * the list until the list no longer changes (at most 4 runs).
 */
async function accessList(ex: Executor, job: CallJob, source: StateSource): Promise<CallResult> {
  let req = job.req;
  let last: { address: string; storageKeys: string[] }[] | undefined;
  for (let round = 0; round < 4; round++) {
    const r = await runOnce(ex, req, source, job.env, job.gas);
    const excluded = new Set([job.req.from.toLowerCase(), ...(job.req.to ? [job.req.to.toLowerCase()] : [])]);
    if (r.createdAddress) excluded.add(bytesToHex(r.createdAddress));
    const byAddr = new Map<string, Set<string>>();
    const created = new Set<string>();
    for (const [id, a] of r.sm.accessed) if (a.mark === Mark.Nonce && a.prev === 0n && r.sm.finalValue(id) !== 0n && r.sm.wasWritten(keyIdOf(a.addrHex, Mark.Code, 0n))) created.add(a.addrHex);
    for (const a of r.sm.accessed.values()) {
      if (isPrecompile(a.addrHex) || created.has(a.addrHex)) continue;
      let keys = byAddr.get(a.addrHex);
      if (!keys) byAddr.set(a.addrHex, (keys = new Set()));
      if (a.mark === Mark.Storage) keys.add("0x" + a.slot.toString(16).padStart(64, "0"));
    }
    const list = [...byAddr]
      .filter(([addr, keys]) => keys.size > 0 || !excluded.has(addr))
      .map(([address, keys]) => ({ address, storageKeys: [...keys].sort() }))
      .sort((x, y) => (x.address < y.address ? -1 : 1));
    const same = last !== undefined && JSON.stringify(last) === JSON.stringify(list);
    if (same || round === 3) {
      const error = r.status === 1 ? undefined : r.error === "revert" ? "execution reverted" : `execution failed: ${r.error}`;
      return { type: "access-list", accessList: list, gasUsed: r.gasUsed, ...(error ? { error } : {}) };
    }
    last = list;
    req = { ...job.req, accessList: list };
  }
  throw new Error("unreachable");
}

/** Runs a trace job (node/rpc/trace-job.ts runTraceJob, given by the worker: that module builds on this one). */
export type TraceRunner = (ex: Executor, job: CallJob | TxTraceJob, source: StateSource) => Promise<CallResult>;

/** Runs one job. Only a failure of the node itself throws; every answer about the request is a CallResult. */
export async function runCallJob(ex: Executor, job: Job, source: StateSource, runTrace?: TraceRunner): Promise<CallResult> {
  try {
    if (job.op === "trace" || job.op === "trace-tx") {
      if (!runTrace) throw new Error("this runner has no tracer");
      return await runTrace(ex, job, source);
    }
    if (job.op === "access-list") return await accessList(ex, job, source);
    if (job.op === "estimate") return await estimate(ex, job, source);
    const r = await runOnce(ex, job.req, source, job.env, job.gas);
    return r.status === 1 ? { type: "return", data: r.returnValue } : ended(r);
  } catch (e) {
    if (e instanceof InvalidTxError) return { type: "invalid", kind: e.kind, code: e.code, message: e.message, detail: e.detail };
    throw e;
  }
}
