/**
 * ValidatePool: standalone transaction validation (core validateTx, protocol.md §6) on a pool of
 * worker threads, each with its own Executor, reused for every transaction. A verifier hands it a
 * batch's transactions as bytes with their contexts and gets one verdict per transaction, in order.
 *
 *   const pool = await ValidatePool.create(2);
 *   pool.addCodes(known);                           // code of earlier batches' witnesses, with seqs (KnownCode)
 *   const verdicts = await pool.validate(items, { codes });   // items: { tx: bytes, ctx: TxContext, codes? }
 *   await pool.terminate();
 *
 * Code (protocol.md §6.2): a transaction at seq s may use, besides its own witness, code carried by
 * the witness of a transaction before s. The pool knows such code with the seq of the first
 * transaction carrying it: the chain's (addCodes, forgotten from a seq on with forgetCodes after a
 * rewind) and a call's (`codes`: typically its batch's witnesses); a worker gives a transaction
 * only the code first carried below its seq.
 *
 * A verdict is either valid (with the transaction's outcome) or invalid with a typed error: an
 * InvalidTxError (its `kind` is the fraud-proof kind, its `code` the reason) or a DecodeError (kind
 * "malformed"), exactly what validateTx throws in-thread. Anything else thrown inside a worker is a
 * failure of the validator, not a verdict: the validate() call rejects with a ValidatePoolError,
 * so that a bug can never be mistaken for fraud.
 *
 * Work is cut into chunks of consecutive items as workers have room (up to two chunks in flight per
 * worker, so that none waits for a message; chunks shrink towards the end of a call so that the
 * workers finish together). A worker that dies fails the calls whose chunks it held and is
 * replaced. Idle workers do not keep the process alive.
 */
import type { L1Prices } from "../../core/l1fee";
import * as path from "path";
import { Worker } from "worker_threads";
import { DecodeError, InvalidTxError, type DecodeCode, type FaultKind } from "../../core/errors";
import type { TxContext } from "../../core/context";
import type { BlockEnv, BlockHashMode, FeeMode } from "../../core/evm/chain";
import type { TxOutcome } from "../../core/validate";
import { KnownCode, type PostedCode } from "../../core/known-code";

/** One transaction to validate. */
export interface ValidateItem {
  /** The transaction's canonical encoding (protocol.md §5), as it appears in batch data. */
  tx: Uint8Array;
  /** Its seq and block environment. Plain data (bigints, bytes, strings): it crosses threads as is. */
  ctx: TxContext;
  /**
   * Code this transaction may use beyond its own witness, by keccak256 (0x-hex, lower case), whatever
   * its seq. Trusted: neither the hash nor the rule of protocol.md §6.2 is checked.
   */
  codes?: Record<string, Uint8Array>;
  /**
   * A wrapped transaction's sender as this node recovered it itself from the same bytes under the same
   * policy (a coordinator's self-check): not recovered again (core/validate.ts validateTx). Never one
   * that came from outside.
   */
  sender?: Uint8Array;
}

export type VerdictError = InvalidTxError | DecodeError;

export type Verdict = { valid: true; outcome: TxOutcome } | { valid: false; error: VerdictError };

export interface ValidateOptions {
  /** Return the outcomes' logs (default true). A verifier that needs only verdicts saves the copying. */
  logs?: boolean;
  /** Use at most this many of the pool's workers for this call (default: all). */
  workers?: number;
  /**
   * Code carried by witnesses of the chain for this call only, typically the witnesses of the
   * items' batch, each with the seq of the first transaction carrying it: an item at seq s may use
   * those below s. Trusted: the hashes are not recomputed.
   */
  codes?: KnownCode;
}

export interface PoolOptions {
  /** Chain ids whose Executor each worker builds before the pool is ready (others are built on first use). */
  chainIds?: bigint[];
  /** Largest number of transactions sent to a worker in one message (default 64). */
  chunkSize?: number;
  /** Modules each worker loads before the core (absolute paths), e.g. a crypto provider. */
  preload?: string[];
  /** Heap limits of each worker (worker_threads ResourceLimits), e.g. a larger young generation. */
  resourceLimits?: import("worker_threads").ResourceLimits;
}

export type PoolErrorCode = "terminated" | "worker-died" | "internal";

/** The pool could not give a verdict (not a verdict about the transaction). */
export class ValidatePoolError extends Error {
  constructor(
    readonly code: PoolErrorCode,
    message: string,
    /** Index (in the validate() call) of the item being validated when it happened, if known. */
    readonly itemIndex?: number,
  ) {
    super(message);
    this.name = "ValidatePoolError";
  }
}

// ---- wire format (shared with validate-worker.ts) ----------------------------------------------

export interface WorkerInit {
  chainIds?: bigint[];
  preload?: string[];
  script?: string;
}

export interface WireItem {
  tx: Uint8Array;
  seq: bigint;
  /** Index into the job's env table. */
  env: number;
  feeMode: FeeMode;
  blockHash: BlockHashMode;
  allowUnprotected: boolean;
  allowBlobTx: boolean;
  /** TxContext.declaredGas (the gas the batch declares for the transaction), if any. */
  declaredGas?: bigint;
  /** TxContext.l1Prices (the header's L1 prices), if any. */
  l1Prices?: L1Prices;
  codes?: Record<string, Uint8Array>;
  sender?: Uint8Array;
}

/** Code by hash with the seq of the first transaction carrying it. */
export type WireCodes = [hash: string, seq: bigint, code: Uint8Array][];

export interface JobMsg {
  type: "job";
  id: number;
  envs: BlockEnv[];
  items: WireItem[];
  logs: boolean;
  /** The call's code that the chunk's items may use (first carried below the chunk's last seq). */
  codes?: WireCodes;
}

export type WorkerIn =
  | JobMsg
  /** Code carried by the chain, for every later job. */
  | { type: "codes"; codes: WireCodes }
  /** Forget the chain's code first carried at `seq` or later. */
  | { type: "forget"; seq: bigint };

export type WireError =
  | { type: "invalid"; kind: FaultKind; code: string; message: string; moveIndex?: number; detail: Record<string, string> }
  | { type: "decode"; kind: "malformed"; code: DecodeCode; message: string; offset: number };

export type WireVerdict = { valid: true; outcome: TxOutcome } | { valid: false; error: WireError };

export type WorkerOut =
  | { type: "ready" }
  | { type: "result"; id: number; verdicts: WireVerdict[] }
  | { type: "failed"; id: number; index: number; message: string; stack?: string }
  | { type: "fatal"; message: string; stack?: string };

function fromWire(e: WireError): VerdictError {
  if (e.type === "decode") {
    const d = new DecodeError(e.code, "", e.offset);
    d.message = e.message;
    return d;
  }
  return new InvalidTxError(e.kind, e.code, e.message, e.moveIndex, e.detail);
}

// ---- the pool -----------------------------------------------------------------------------------

interface Call {
  items: readonly ValidateItem[];
  codes?: KnownCode;
  /** Index of the first item not yet sent to a worker. */
  next: number;
  /** Only the first `workers` slots may take its chunks. */
  workers: number;
  logs: boolean;
  verdicts: Verdict[];
  settled: number;
  failed: boolean;
  resolve: (v: Verdict[]) => void;
  reject: (e: Error) => void;
}

interface Chunk {
  id: number;
  call: Call;
  /** Index of the chunk's first item in its call. */
  offset: number;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Chunk>;
  ready: boolean;
}

const MAX_IN_FLIGHT = 2;

/** Code for a message: all of it, or only what was first carried below seq `below`. */
function wireCodes(codes: Iterable<readonly [string, PostedCode]>, below?: bigint): WireCodes {
  const out: WireCodes = [];
  for (const [h, p] of codes) if (below === undefined || p.seq < below) out.push([h.toLowerCase(), p.seq, p.code]);
  return out;
}

/**
 * The message for one chunk: block environments shared by several items are sent once, and only
 * the call's code that some item of the chunk may use.
 */
function jobMessage(id: number, items: readonly ValidateItem[], logs: boolean, codes?: KnownCode): JobMsg {
  const envs: BlockEnv[] = [];
  const envIndex = new Map<BlockEnv, number>();
  const wire: WireItem[] = [];
  let maxSeq = 0n;
  for (const it of items) {
    const c = it.ctx;
    if (c.seq > maxSeq) maxSeq = c.seq;
    let e = envIndex.get(c.env);
    if (e === undefined) {
      e = envs.length;
      envs.push(c.env);
      envIndex.set(c.env, e);
    }
    wire.push({ tx: it.tx, seq: c.seq, env: e, feeMode: c.feeMode, blockHash: c.blockHash, allowUnprotected: c.allowUnprotected, allowBlobTx: c.allowBlobTx, declaredGas: c.declaredGas, l1Prices: c.l1Prices, codes: it.codes, ...(it.sender ? { sender: it.sender } : {}) });
  }
  const chunkCodes = codes?.size ? wireCodes(codes.entries(), maxSeq) : [];
  return { type: "job", id, envs, items: wire, logs, ...(chunkCodes.length ? { codes: chunkCodes } : {}) };
}

function workerEntry(): { file: string; script?: string } {
  const ext = path.extname(__filename);
  const script = path.join(__dirname, `validate-worker${ext}`);
  // Under ts-node the worker needs the TypeScript loader first (bin/ts-worker.js).
  return ext === ".ts" ? { file: path.join(__dirname, "..", "..", "bin", "ts-worker.js"), script } : { file: script };
}

export class ValidatePool {
  private slots: Slot[] = [];
  /** Calls with items not yet sent, first come first served. */
  private queue: Call[] = [];
  private nextId = 1;
  private closed = false;
  /** The chain's code (addCodes), for workers started later. */
  private readonly codes = new KnownCode();
  private readonly chunkSize: number;

  private constructor(
    readonly size: number,
    private readonly opts: PoolOptions,
  ) {
    this.chunkSize = Math.max(1, opts.chunkSize ?? 64);
  }

  /** Starts `n` workers and resolves when every one is ready. */
  static async create(n: number, opts: PoolOptions = {}): Promise<ValidatePool> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`pool size must be a positive integer, got ${n}`);
    const pool = new ValidatePool(n, opts);
    try {
      await Promise.all(Array.from({ length: n }, () => pool.spawn()));
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  private spawn(): Promise<void> {
    const { file, script } = workerEntry();
    const init: WorkerInit & Record<string, unknown> = { chainIds: this.opts.chainIds, preload: this.opts.preload, script };
    const worker = new Worker(file, { workerData: init, resourceLimits: this.opts.resourceLimits });
    const slot: Slot = { worker, inFlight: new Map(), ready: false };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (m: WorkerOut) => {
        switch (m.type) {
          case "ready":
            slot.ready = true;
            if (this.codes.size) worker.postMessage({ type: "codes", codes: wireCodes(this.codes.entries()) } satisfies WorkerIn);
            resolve();
            this.pump();
            return;
          case "result":
            return this.settle(slot, m.id, m.verdicts);
          case "failed":
            return this.fail(slot, m.id, m.index, `validator failed: ${m.stack ?? m.message}`);
          case "fatal":
            reject(new ValidatePoolError("internal", `validate worker did not start: ${m.stack ?? m.message}`));
            void worker.terminate();
            return;
        }
      });
      worker.on("error", (e) => {
        if (!slot.ready) reject(new ValidatePoolError("internal", `validate worker did not start: ${e.stack ?? e.message}`));
        this.died(slot, `validate worker crashed: ${e.message}`);
      });
      worker.on("exit", (code) => {
        if (!slot.ready) reject(new ValidatePoolError("internal", `validate worker exited with code ${code} before it was ready`));
        this.died(slot, `validate worker exited with code ${code}`);
      });
    });
  }

  /** A worker is gone: fail what it held, replace it (unless the pool is closing). */
  private died(slot: Slot, why: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const c of slot.inFlight.values()) this.failCall(c.call, new ValidatePoolError(this.closed ? "terminated" : "worker-died", this.closed ? "the pool was terminated" : why));
    slot.inFlight.clear();
    if (!this.closed && slot.ready) this.spawn().catch(() => undefined);
    if (this.slots.length === 0) {
      // Nobody left to do the queued work (a replacement failed to start, or the pool is closing).
      const e = new ValidatePoolError(this.closed ? "terminated" : "worker-died", this.closed ? "the pool was terminated" : `no validate worker left: ${why}`);
      for (const c of this.queue) this.failCall(c, e);
      this.queue = [];
    }
  }

  private failCall(call: Call, e: Error): void {
    if (call.failed) return;
    call.failed = true;
    call.reject(e);
  }

  private settle(slot: Slot, id: number, verdicts: WireVerdict[]): void {
    const chunk = slot.inFlight.get(id);
    if (!chunk) return;
    slot.inFlight.delete(id);
    const call = chunk.call;
    if (!call.failed) {
      for (let i = 0; i < verdicts.length; i++) {
        const v = verdicts[i];
        call.verdicts[chunk.offset + i] = v.valid ? v : { valid: false, error: fromWire(v.error) };
      }
      call.settled += verdicts.length;
      if (call.settled === call.items.length) call.resolve(call.verdicts);
    }
    this.pump();
  }

  private fail(slot: Slot, id: number, index: number, message: string): void {
    const chunk = slot.inFlight.get(id);
    if (!chunk) return;
    slot.inFlight.delete(id);
    this.failCall(chunk.call, new ValidatePoolError("internal", message, chunk.offset + index));
    this.pump();
  }

  /**
   * Hands work to workers with room, least loaded first. Chunks are cut as they are sent, smaller as
   * a call's remaining work shrinks (a quarter of the remainder per worker, at most chunkSize), so
   * that the workers finish together.
   */
  private pump(): void {
    for (let q = 0; q < this.queue.length; ) {
      const call = this.queue[q];
      if (call.failed || call.next >= call.items.length) {
        this.queue.splice(q, 1);
        continue;
      }
      const n = Math.min(call.workers, this.slots.length);
      let best: Slot | undefined;
      for (let i = 0; i < n; i++) {
        const s = this.slots[i];
        if (s.ready && s.inFlight.size < MAX_IN_FLIGHT && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      }
      if (!best) {
        q++;
        continue;
      }
      const remaining = call.items.length - call.next;
      const size = Math.max(1, Math.min(this.chunkSize, Math.ceil(remaining / (4 * call.workers))));
      const chunk: Chunk = { id: this.nextId++, call, offset: call.next };
      call.next += size;
      best.inFlight.set(chunk.id, chunk);
      best.worker.postMessage(jobMessage(chunk.id, call.items.slice(chunk.offset, chunk.offset + size), call.logs, call.codes));
    }
    // Busy or starting workers keep the process alive; idle ones do not.
    for (const s of this.slots) {
      if (s.inFlight.size || !s.ready) s.worker.ref();
      else s.worker.unref();
    }
  }

  /**
   * Validates `items`; resolves with one verdict per item, in order. Rejects with a
   * ValidatePoolError if the pool is terminated or a worker fails before every verdict is in.
   */
  validate(items: readonly ValidateItem[], opts: ValidateOptions = {}): Promise<Verdict[]> {
    if (this.closed) return Promise.reject(new ValidatePoolError("terminated", "the pool was terminated"));
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<Verdict[]>((resolve, reject) => {
      const workers = Math.max(1, Math.min(this.size, opts.workers ?? this.size));
      this.queue.push({ items, codes: opts.codes, next: 0, workers, logs: opts.logs !== false, verdicts: new Array(items.length), settled: 0, failed: false, resolve, reject });
      this.pump();
    });
  }

  /**
   * Tells every worker (present and future) about code carried by witnesses of the chain, e.g. of
   * the batches a verifier has checked: keccak256 of the code (0x-hex) and the seq of the first
   * transaction carrying it (an earlier seq already known stays). Trusted as given. Later calls see
   * it; calls already queued may or may not.
   */
  addCodes(codes: Iterable<readonly [string, PostedCode]>): void {
    if (this.closed) throw new ValidatePoolError("terminated", "the pool was terminated");
    const add: WireCodes = [];
    for (const [h, p] of codes) if (this.codes.add(h, p.seq, p.code)) add.push([h.toLowerCase(), p.seq, p.code]);
    if (add.length) for (const s of this.slots) if (s.ready) s.worker.postMessage({ type: "codes", codes: add } satisfies WorkerIn);
  }

  /** Forgets the chain's code first carried at `seq` or later (a rollback or reorg removed those batches). */
  forgetCodes(seq: bigint): void {
    if (this.closed) throw new ValidatePoolError("terminated", "the pool was terminated");
    this.codes.forgetFrom(seq);
    for (const s of this.slots) if (s.ready) s.worker.postMessage({ type: "forget", seq } satisfies WorkerIn);
  }

  /** Stops every worker. Pending and later validate() calls reject with code "terminated". */
  async terminate(): Promise<void> {
    if (this.closed && this.slots.length === 0) return;
    this.closed = true;
    const err = new ValidatePoolError("terminated", "the pool was terminated");
    for (const c of this.queue) this.failCall(c, err);
    this.queue = [];
    const slots = this.slots.slice();
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const s of slots) this.died(s, "terminated");
  }
}
