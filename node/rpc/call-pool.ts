/**
 * CallPool: eth_call and eth_estimateGas jobs (node/rpc/call.ts) on worker threads, off the event
 * loop that produces batches and accepts transactions, each job with a time limit that really
 * stops it (geth's --rpc.evmtimeout): a job still running at its deadline has its worker
 * terminated (a replacement starts) and is answered "execution aborted (timeout = …)".
 *
 * A worker runs one job at a time; it reads state through this thread (the job's StateSource:
 * the latest index and overlays), one message per key or code it needs. Jobs wait in a FIFO queue
 * of at most `maxQueue`; beyond it a call is refused at once ("too many pending calls"), so a
 * flood of heavy calls costs the node at most its call workers' threads and a bounded queue.
 * Idle workers do not keep the process alive.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import type { StateSource } from "../../core/evm/state";
import type { Job, CallResult } from "./call";

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

export type CallWorkerIn =
  | { type: "job"; id: number; job: Job }
  | { type: "value"; rid: number; value?: bigint; code?: Uint8Array; error?: string };

export type CallWorkerOut =
  | { type: "ready" }
  | { type: "read"; id: number; rid: number; key: string; mark: number; addr: string; slot: bigint }
  | { type: "code"; id: number; rid: number; hash: string }
  | { type: "done"; id: number; result: CallResult }
  | { type: "failed"; id: number; message: string }
  | { type: "fatal"; message: string };

interface Pending {
  id: number;
  job: Job;
  source: StateSource;
  resolve: (r: CallResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current?: Pending;
  timer?: NodeJS.Timeout;
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
      case "read":
      case "code": {
        const cur = slot.current;
        if (!cur || cur.id !== m.id) return;
        const reply = (v: { value?: bigint; code?: Uint8Array; error?: string }) => {
          if (slot.current === cur) slot.worker.postMessage({ type: "value", rid: m.rid, ...v } satisfies CallWorkerIn);
        };
        try {
          const r = m.type === "read" ? cur.source.read(m.key, m.mark, m.addr, m.slot) : cur.source.code(m.hash);
          Promise.resolve(r).then(
            (v) => reply(m.type === "read" ? { value: v as bigint } : { code: v as Uint8Array | undefined }),
            (e) => reply({ error: (e as Error)?.message ?? String(e) }),
          );
        } catch (e) {
          reply({ error: (e as Error)?.message ?? String(e) });
        }
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
      const limit = p.job.timeoutMs !== undefined && p.job.timeoutMs < this.o.timeoutMs ? p.job.timeoutMs : this.o.timeoutMs;
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
  run(job: Job, source: StateSource): Promise<CallResult> {
    if (this.closed) return Promise.reject(new CallPoolError("terminated", "the call pool was closed"));
    if (this.queue.length >= this.o.maxQueue) return Promise.reject(new CallPoolError("busy", `too many pending calls (${this.queue.length} waiting): try again later`));
    return new Promise<CallResult>((resolve, reject) => {
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
