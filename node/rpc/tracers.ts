/**
 * geth's built-in tracers over one execution of the Executor (core/evm/execute.ts EvmListeners):
 * the struct logger (the default: one entry per instruction), `callTracer` (the tree of call
 * frames) and `prestateTracer` (the accounts the transaction touched, before it and, in diff mode,
 * after it). They run where the execution runs (a call worker) and give plain JSON.
 *
 * Output follows geth's: quantities 0x-hex, struct-log `gas`/`gasCost`/`depth`/`refund` numbers,
 * stack items 0x-hex, memory words and storage 64-digit hex without 0x; a call frame's `to` is the
 * address whose code runs (a DELEGATECALL's or CALLCODE's callee), a CREATE's the new contract.
 */
import { bytesToHex } from "../../core/bytes";
import { Mark } from "../../core/keys";
import type { EvmListeners } from "../../core/evm/execute";
import type { MoveStateManager } from "../../core/evm/state";

/** The tracers served, by their geth names ("" is the struct logger). */
export const TRACERS = ["", "callTracer", "prestateTracer"] as const;
export type TracerName = (typeof TRACERS)[number];

/** A trace request, checked (debug_trace* options, node/rpc/debug.ts). */
export interface TraceSpec {
  tracer: TracerName;
  /** Struct logger: disableStack, disableStorage, enableMemory, limit. */
  disableStack?: boolean;
  disableStorage?: boolean;
  enableMemory?: boolean;
  limit?: number;
  /** callTracer: onlyTopCall, withLog. prestateTracer: diffMode. */
  onlyTopCall?: boolean;
  withLog?: boolean;
  diffMode?: boolean;
}

/** The most struct-log entries one trace keeps (without `limit`); more is an error, not a truncation. */
export const MAX_STRUCT_LOGS = 200_000;

/** What a traced execution ended with, for the tracers' top-level fields. */
export interface TraceEnd {
  from: string;
  to: string | null;
  value: bigint;
  input: Uint8Array;
  gasLimit: bigint;
  gasUsed: bigint;
  status: 0 | 1;
  returnValue: Uint8Array;
  error?: string;
  createdAddress?: string;
}

export interface Tracer extends EvmListeners {
  /** The trace (plain JSON); `sm` holds the run's accessed keys; `code` resolves code hashes. */
  result(end: TraceEnd, sm: MoveStateManager, code: (hash: string) => Promise<Uint8Array | undefined> | Uint8Array | undefined): Promise<unknown>;
}

// ---- shapes of ethereumjs's events (the fields read) --------------------------------------------

interface Addr {
  toString(): string;
}
interface StepEvent {
  pc: number;
  gasLeft: bigint;
  gasRefund: bigint;
  opcode: { name: string; dynamicFee: bigint };
  stack: bigint[];
  depth: number;
  address: Addr;
  memory: Uint8Array;
  stateManager: { getStorage(a: Addr, k: Uint8Array): Promise<Uint8Array> };
}
interface MessageEvent {
  to?: Addr;
  caller: Addr;
  value: bigint;
  gasLimit: bigint;
  data: Uint8Array;
  depth: number;
  codeAddress: Addr;
}
interface ResultEvent {
  createdAddress?: Addr;
  execResult: { executionGasUsed: bigint; returnValue: Uint8Array; exceptionError?: { error: string } };
}

const q = (v: bigint | number) => "0x" + BigInt(v).toString(16);
const word = (v: bigint) => v.toString(16).padStart(64, "0");

/** ethereumjs's error texts as geth words them. */
export function gethError(e: string): string {
  const map: Record<string, string> = {
    revert: "execution reverted",
    "out of gas": "out of gas",
    "invalid JUMP": "invalid jump destination",
    "static state change": "write protection",
    "code store out of gas": "contract creation code storage out of gas",
    "code size to deposit exceeds maximum code size": "max code size exceeded",
    "create collision": "contract address collision",
    "insufficient balance": "insufficient balance for transfer",
    "invalid bytecode deployed": "invalid code: must not begin with 0xef",
  };
  return map[e] ?? e;
}

/** The reason of an Error(string) revert, if the data is one. */
export function revertReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || bytesToHex(data.subarray(0, 4)) !== "0x08c379a0") return undefined;
  const off = Number(BigInt(bytesToHex(data.subarray(4, 36))));
  if (off !== 32) return undefined;
  const len = Number(BigInt(bytesToHex(data.subarray(36, 68))));
  if (68 + len > data.length) return undefined;
  return new TextDecoder("utf-8", { fatal: false }).decode(data.subarray(68, 68 + len));
}

// ---- the struct logger ------------------------------------------------------------------------------

class StructLogger implements Tracer {
  private logs: Record<string, unknown>[] = [];
  private storage = new Map<string, Record<string, string>>();
  private overflow = false;

  constructor(private readonly o: TraceSpec) {}

  start(): void {
    this.logs = [];
    this.storage = new Map();
    this.overflow = false;
  }

  async step(ev: unknown): Promise<void> {
    const e = ev as StepEvent;
    if (this.o.limit !== undefined && this.o.limit > 0 && this.logs.length >= this.o.limit) return;
    if (this.logs.length >= MAX_STRUCT_LOGS) {
      this.overflow = true;
      return;
    }
    const entry: Record<string, unknown> = { pc: e.pc, op: e.opcode.name, gas: Number(e.gasLeft), gasCost: Number(e.opcode.dynamicFee), depth: e.depth + 1 };
    if (!this.o.disableStack) entry.stack = e.stack.map(q);
    if (this.o.enableMemory) {
      const words: string[] = [];
      for (let i = 0; i < e.memory.length; i += 32) words.push(Buffer.from(e.memory.subarray(i, i + 32)).toString("hex").padEnd(64, "0"));
      entry.memory = words;
    }
    if (!this.o.disableStorage && (e.opcode.name === "SLOAD" || e.opcode.name === "SSTORE") && e.stack.length >= (e.opcode.name === "SLOAD" ? 1 : 2)) {
      const a = e.address.toString();
      let st = this.storage.get(a);
      if (!st) this.storage.set(a, (st = {}));
      const key = e.stack[e.stack.length - 1];
      if (e.opcode.name === "SSTORE") st[word(key)] = word(e.stack[e.stack.length - 2]);
      else {
        const v = await e.stateManager.getStorage(e.address, Buffer.from(word(key), "hex"));
        st[word(key)] = word(v.length === 0 ? 0n : BigInt(bytesToHex(v)));
      }
      entry.storage = { ...st };
    }
    if (e.gasRefund > 0n) entry.refund = Number(e.gasRefund);
    this.logs.push(entry);
  }

  afterMessage(r: unknown): void {
    const err = (r as ResultEvent).execResult.exceptionError?.error;
    const last = this.logs[this.logs.length - 1];
    if (err && err !== "revert" && last && last.error === undefined) last.error = gethError(err);
  }

  async result(end: TraceEnd): Promise<unknown> {
    if (this.overflow) throw new TraceTooLargeError(`the trace has more than ${MAX_STRUCT_LOGS} steps: pass a smaller "limit", or use the callTracer`);
    return { gas: Number(end.gasUsed), failed: end.status === 0, returnValue: bytesToHex(end.returnValue), structLogs: this.logs };
  }
}

export class TraceTooLargeError extends Error {}

// ---- the call tracer --------------------------------------------------------------------------------

interface Frame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  gas: string;
  gasUsed: string;
  input: string;
  output?: string;
  error?: string;
  revertReason?: string;
  logs?: { address: string; topics: string[]; data: string; position: string }[];
  calls?: Frame[];
}

const CALL_OPS = new Set(["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL", "CREATE", "CREATE2"]);

class CallTracer implements Tracer {
  private stack: Frame[] = [];
  private root: Frame | undefined;
  /** The call opcode last seen at each depth: the type of the frame it opens. */
  private lastOp: string[] = [];

  constructor(private readonly o: TraceSpec) {}

  start(): void {
    this.stack = [];
    this.root = undefined;
    this.lastOp = [];
  }

  step(ev: unknown): void {
    const e = ev as StepEvent;
    if (CALL_OPS.has(e.opcode.name)) this.lastOp[e.depth] = e.opcode.name;
    if (this.o.withLog && e.opcode.name.startsWith("LOG") && this.stack.length) {
      const n = Number(e.opcode.name.slice(3));
      const s = e.stack;
      const off = Number(s[s.length - 1]);
      const size = Number(s[s.length - 2]);
      const topics = Array.from({ length: n }, (_, i) => "0x" + word(s[s.length - 3 - i]));
      const data = new Uint8Array(size);
      data.set(e.memory.subarray(off, Math.min(off + size, e.memory.length)));
      const f = this.stack[this.stack.length - 1];
      (f.logs ??= []).push({ address: e.address.toString(), topics, data: bytesToHex(data), position: q(f.calls?.length ?? 0) });
    }
  }

  beforeMessage(msg: unknown): void {
    const m = msg as MessageEvent;
    const type = m.depth === 0 ? (m.to ? "CALL" : "CREATE") : (this.lastOp[m.depth - 1] ?? "CALL");
    const f: Frame = {
      type,
      from: m.caller.toString(),
      to: type === "DELEGATECALL" || type === "CALLCODE" ? m.codeAddress.toString() : m.to?.toString(),
      gas: q(m.gasLimit),
      gasUsed: "0x0",
      input: bytesToHex(m.data),
    };
    if (type !== "STATICCALL") f.value = q(m.value);
    this.stack.push(f);
  }

  afterMessage(res: unknown): void {
    const r = res as ResultEvent;
    const f = this.stack.pop();
    if (!f) return;
    const x = r.execResult;
    f.gasUsed = q(x.executionGasUsed);
    if (r.createdAddress) f.to = r.createdAddress.toString();
    if (x.returnValue.length) f.output = bytesToHex(x.returnValue);
    if (x.exceptionError) {
      f.error = gethError(x.exceptionError.error);
      if (x.exceptionError.error === "revert") {
        const why = revertReason(x.returnValue);
        if (why !== undefined) f.revertReason = why;
      }
      // geth drops the logs of failed frames (and of their children).
      dropLogs(f);
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      if (!this.o.onlyTopCall) (parent.calls ??= []).push(f);
    } else this.root = f;
  }

  async result(end: TraceEnd): Promise<unknown> {
    const top: Frame = this.root ?? { type: end.to === null ? "CREATE" : "CALL", from: end.from, to: end.to ?? undefined, gas: "0x0", gasUsed: "0x0", input: bytesToHex(end.input), value: q(end.value) };
    // The top frame counts the whole transaction, as a receipt does (geth).
    top.from = end.from;
    top.gas = q(end.gasLimit);
    top.gasUsed = q(end.gasUsed);
    if (end.createdAddress) top.to = end.createdAddress;
    if (end.error && !top.error) top.error = end.error;
    return top;
  }
}

function dropLogs(f: Frame): void {
  delete f.logs;
  for (const c of f.calls ?? []) dropLogs(c);
}

// ---- the prestate tracer ----------------------------------------------------------------------------

interface AccountState {
  balance?: string;
  nonce?: number;
  code?: string;
  storage?: Record<string, string>;
}

class PrestateTracer implements Tracer {
  constructor(private readonly o: TraceSpec) {}

  async result(_end: TraceEnd, sm: MoveStateManager, code: (hash: string) => Promise<Uint8Array | undefined> | Uint8Array | undefined): Promise<unknown> {
    const pre = new Map<string, AccountState>();
    const post = new Map<string, AccountState>();
    const changed = new Set<string>();
    const account = (m: Map<string, AccountState>, a: string) => {
      let x = m.get(a);
      if (!x) m.set(a, (x = {}));
      return x;
    };
    const codeOf = async (h: bigint) => {
      if (h === 0n) return undefined;
      const hex = "0x" + word(h);
      const c = sm.created.get(hex) ?? (await code(hex));
      return c ? bytesToHex(c) : undefined;
    };
    const put = async (x: AccountState, mark: number, slot: bigint, v: bigint) => {
      if (mark === Mark.Balance) x.balance = q(v);
      else if (mark === Mark.Nonce) {
        if (v !== 0n) x.nonce = Number(v);
      } else if (mark === Mark.Code) {
        const c = await codeOf(v);
        if (c) x.code = c;
      } else if (mark === Mark.Storage) (x.storage ??= {})["0x" + word(slot)] = "0x" + word(v);
    };
    for (const [id, a] of sm.accessed) {
      if (a.mark !== Mark.Balance && a.mark !== Mark.Nonce && a.mark !== Mark.Code && a.mark !== Mark.Storage) continue;
      const x = account(pre, a.addrHex);
      x.balance ??= "0x0";
      await put(x, a.mark, a.slot, a.prev);
      if (sm.wasWritten(id) && sm.finalValue(id) !== a.prev) {
        changed.add(a.addrHex);
        await put(account(post, a.addrHex), a.mark, a.slot, sm.finalValue(id));
      }
    }
    if (!this.o.diffMode) return Object.fromEntries(pre);
    // Diff mode: the touched accounts that changed, before (their fields the transaction read) and after (what it changed).
    return { pre: Object.fromEntries([...pre].filter(([a]) => changed.has(a))), post: Object.fromEntries(post) };
  }
}

export function makeTracer(spec: TraceSpec): Tracer {
  switch (spec.tracer) {
    case "":
      return new StructLogger(spec);
    case "callTracer":
      return new CallTracer(spec);
    case "prestateTracer":
      return new PrestateTracer(spec);
  }
}
