/**
 * CallPool: eth_call and eth_estimateGas jobs (node/rpc/call.ts), and the fills of submitted
 * transactions (node/coordinator/fill-job.ts), on worker threads, off the event loop that produces
 * batches and accepts transactions, each job with a time limit that really stops it (geth's
 * --rpc.evmtimeout): a job still running at its deadline has its worker terminated (a replacement
 * starts) and is answered "execution aborted (timeout = …)". A node runs two pools, one for calls
 * and one for fills, so that neither kind can make the other wait.
 *
 * A worker runs one job at a time; it reads state through this thread (the job's source: the
 * latest index and overlays), one message per key, version, code, fee-output list or code question
 * it needs. Jobs wait in a FIFO queue
 * of at most `maxQueue`; beyond it a call is refused at once ("too many pending calls"), so a
 * flood of heavy calls costs the node at most its call workers' threads and a bounded queue.
 * Idle workers do not keep the process alive.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import type { StateSource } from "../../core/evm/state";
import type { Version } from "../../core/fill";
import type { FillJob, FillResult, FillSource } from "../coordinator/fill-job";
import type { CallResult, Job } from "./call";

export interface CallPoolOptions {
  /** Worker threads (≥ 1). */
  workers: number;
  chainId: bigint;
  /** Time limit of one job, from when a worker takes it (ms). */
  timeoutMs: number;
  /** Jobs that may wait for a worker; more are refused. */
  maxQueue: number;
}

export type CallPoolErrorCode = "timeout" | "busy" | "terminated" | "worker-died";

export class CallPoolError extends Error {
  constructor(
    readonly code: CallPoolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CallPoolError";
  }
}

// ---- wire format (shared with call-worker.ts) -------------------------------------------------------

export type PoolJob = Job | FillJob;
export type PoolResult = CallResult | FillResult;

/** An answer to a worker's question: a key's value, code, a version, fee outputs, or a yes/no. */
export type Answer = { value?: bigint; code?: Uint8Array; version?: Version; fees?: Version[]; flag?: boolean };

/** The answer to question `rid` (or why it could not be answered). */
export type Reply = { rid: number; error?: string } & Answer;

/**
 * Questions and answers travel in batches: those asked (answered) in the same turn go in one message,
 * since each message costs the node's thread far more than its few bytes (a fill's first questions are
 * asked together: node/coordinator/fill-job.ts prefetch).
 */
export type CallWorkerIn = { type: "job"; id: number; job: PoolJob } | { type: "values"; values: Reply[] };

/** A worker's question about state, for the job it runs. */
export type Ask =
  | { type: "read"; id: number; key: string; mark: number; addr: string; slot: bigint }
  | { type: "code"; id: number; hash: string }
  | { type: "version"; id: number; mark: number; addr: string; slot: bigint }
  | { type: "fees"; id: number; addr: string; limit: number }
  | { type: "omit"; id: number; hash: string };

export type CallWorkerOut =
  | { type: "ready" }
  | { type: "asks"; asks: (Ask & { rid: number })[] }
  | { type: "done"; id: number; result: PoolResult }
  | { type: "failed"; id: number; message: string }
  | { type: "fatal"; message: string };

/** Where a job reads: a call reads values (StateSource), a fill versions (FillSource). */
type JobSource = Partial<StateSource> & Partial<FillSource>;

interface Pending {
  id: number;
  job: PoolJob;
  source: JobSource;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current?: Pending;
  timer?: NodeJS.Timeout;
  /** Answers not yet sent (sent together at the end of this turn). */
  outbox?: Reply[];
}

function workerEntry(): { file: string; script?: string } {
  const ext = path.extname(__filename);
  const script = path.join(__dirname, `call-worker${ext}`);
  return ext === ".ts" ? { file: path.join(__dirname, "..", "..", "bin", "ts-worker.js"), script } : { file: script };
}

/** The message of a job stopped at its time limit (geth's wording). */
export function timeoutMessage(ms: number): string {
  return `execution aborted (timeout = ${ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`})`;
}

/** Answers a worker's question from the job's source. */
async function answer(src: JobSource, m: Ask): Promise<Answer> {
  const need = <T>(f: T | undefined, what: string): T => {
    if (f === undefined) throw new Error(`this job's source does not answer ${what}`);
    return f;
  };
  switch (m.type) {
    case "read":
      return { value: await need(src.read, "reads").call(src, m.key, m.mark, m.addr, m.slot) };
    case "code":
      return { code: await need(src.code, "code").call(src, m.hash) };
    case "version":
      return { version: await need(src.latest, "versions").call(src, m.mark, m.addr, m.slot) };
    case "fees":
      return { fees: await need(src.feeOutputs, "fee outputs").call(src, m.addr, m.limit) };
    case "omit":
      return { flag: await need(src.omitCode, "code questions").call(src, m.hash) };
  }
}

export class CallPool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(readonly o: CallPoolOptions) {}

  /** Starts the workers (in the background: the first jobs wait for them). */
  static create(o: CallPoolOptions): CallPool {
    if (!Number.isInteger(o.workers) || o.workers < 1) throw new RangeError(`call workers must be a positive integer, got ${o.workers}`);
    if (!(o.timeoutMs > 0)) throw new RangeError(`call timeout must be positive, got ${o.timeoutMs}`);
    const p = new CallPool(o);
    for (let i = 0; i < o.workers; i++) p.spawn();
    return p;
  }

  get queued(): number {
    return this.queue.length;
  }

  private spawn(): void {
    const { file, script } = workerEntry();
    const worker = new Worker(file, { workerData: { script, chainId: this.o.chainId } });
    const slot: Slot = { worker, ready: false };
    this.slots.push(slot);
    worker.on("message", (m: CallWorkerOut) => this.onMessage(slot, m));
    worker.on("error", (e) => this.died(slot, `call worker crashed: ${e.message}`));
    worker.on("exit", (code) => this.died(slot, `call worker exited with code ${code}`));
    worker.unref();
  }

  private onMessage(slot: Slot, m: CallWorkerOut): void {
    switch (m.type) {
      case "ready":
        slot.ready = true;
        this.pump();
        return;
      case "asks": {
        const cur = slot.current;
        if (!cur) return;
        const mine = m.asks.filter((a) => cur.id === a.id);
        if (mine.length === 0) return;
        const failed = (rid: number, e: unknown): Reply => ({ rid, error: (e as Error)?.message ?? String(e) });
        const one = (a: Ask & { rid: number }): Promise<Reply> => {
          try {
            return answer(cur.source, a).then(
              (v) => ({ rid: a.rid, ...v }),
              (e) => failed(a.rid, e),
            );
          } catch (e) {
            return Promise.resolve(failed(a.rid, e));
          }
        };
        // The questions asked together are answered together, in one message once the last is answered: each
        // answer settles in a microtask of its own, so sent as each settles they went one message apiece (7 for
        // a fill's prefetch; a message costs this thread far more than its bytes: docs/BENCHMARKS.md, seventh pass).
        void Promise.all(mine.map(one)).then((replies) => {
          if (slot.current === cur) for (const r of replies) this.send(slot, r);
        });
        return;
      }
      case "done":
      case "failed": {
        const cur = slot.current;
        if (!cur || cur.id !== m.id) return;
        this.release(slot);
        if (m.type === "done") cur.resolve(m.result);
        else cur.reject(new Error(`call failed in its worker: ${m.message}`));
        this.pump();
        return;
      }
      case "fatal":
        this.died(slot, `call worker did not start: ${m.message}`);
        void slot.worker.terminate();
        return;
    }
  }

  /** Queues an answer for `slot`'s worker; those queued in this turn go in one message. */
  private send(slot: Slot, r: Reply): void {
    if (slot.outbox) {
      slot.outbox.push(r);
      return;
    }
    slot.outbox = [r];
    queueMicrotask(() => {
      const values = slot.outbox!;
      slot.outbox = undefined;
      slot.worker.postMessage({ type: "values", values } satisfies CallWorkerIn);
    });
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.current = undefined;
    slot.worker.unref();
  }

  /** A worker is gone: fail its job, replace it (unless closing). */
  private died(slot: Slot, why: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    const cur = slot.current;
    this.release(slot);
    cur?.reject(new CallPoolError(this.closed ? "terminated" : "worker-died", this.closed ? "the call pool was closed" : why));
    if (this.closed) return;
    if (slot.ready) this.spawn();
    else if (this.slots.length === 0) {
      // Not even one worker starts: fail what waits rather than let it wait forever.
      for (const p of this.queue.splice(0)) p.reject(new CallPoolError("worker-died", why));
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.current) continue;
      const p = this.queue.shift();
      if (!p) return;
      slot.current = p;
      slot.worker.ref();
      const asked = "timeoutMs" in p.job ? p.job.timeoutMs : undefined;
      const limit = asked !== undefined && asked < this.o.timeoutMs ? asked : this.o.timeoutMs;
      slot.timer = setTimeout(() => {
        if (slot.current !== p) return;
        // Stop the work itself: the worker goes, a fresh one takes its place.
        this.slots.splice(this.slots.indexOf(slot), 1);
        this.release(slot);
        p.reject(new CallPoolError("timeout", timeoutMessage(limit)));
        void slot.worker.terminate();
        if (!this.closed) this.spawn();
        this.pump();
      }, limit);
      slot.worker.postMessage({ type: "job", id: p.id, job: p.job } satisfies CallWorkerIn);
    }
  }

  /** Runs a job; rejects with CallPoolError on timeout, a full queue or a closed pool. */
  run(job: Job, source: StateSource): Promise<CallResult>;
  run(job: FillJob, source: FillSource): Promise<FillResult>;
  run(job: PoolJob, source: JobSource): Promise<PoolResult> {
    if (this.closed) return Promise.reject(new CallPoolError("terminated", "the call pool was closed"));
    // Only jobs that would wait count against the queue: an idle worker takes one at once (so a queue of 0 means "none waits").
    const idle = this.queue.length === 0 && this.slots.some((x) => x.ready && !x.current);
    if (!idle && this.queue.length >= this.o.maxQueue) return Promise.reject(new CallPoolError("busy", `too many pending ${job.op === "fill" ? "transactions" : "calls"} (${this.queue.length} waiting): try again later`));
    return new Promise<PoolResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, source, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new CallPoolError("terminated", "the call pool was closed"));
    const slots = this.slots.splice(0);
    for (const s of slots) {
      const cur = s.current;
      this.release(s);
      cur?.reject(new CallPoolError("terminated", "the call pool was closed"));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
