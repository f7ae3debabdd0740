/**
 * Names of step kinds (for the shared step vectors, coverage counts and `moveset trace`): which
 * opcode, micro-step, halt, prologue or epilogue step took a machine from one state to the next.
 */
import type { Machine } from "./machine";
import { opInfo } from "./interp";
import { Kind, P, Result, Stage, STATUS_NAMES, type Ctx } from "./types";
import { STACK_LIMIT } from "./stack";

const NAMES: Record<number, string> = {
  0x00: "STOP", 0x01: "ADD", 0x02: "MUL", 0x03: "SUB", 0x04: "DIV", 0x05: "SDIV", 0x06: "MOD", 0x07: "SMOD", 0x08: "ADDMOD", 0x09: "MULMOD", 0x0a: "EXP", 0x0b: "SIGNEXTEND",
  0x10: "LT", 0x11: "GT", 0x12: "SLT", 0x13: "SGT", 0x14: "EQ", 0x15: "ISZERO", 0x16: "AND", 0x17: "OR", 0x18: "XOR", 0x19: "NOT", 0x1a: "BYTE", 0x1b: "SHL", 0x1c: "SHR", 0x1d: "SAR",
  0x20: "KECCAK256", 0x30: "ADDRESS", 0x31: "BALANCE", 0x32: "ORIGIN", 0x33: "CALLER", 0x34: "CALLVALUE", 0x35: "CALLDATALOAD", 0x36: "CALLDATASIZE", 0x37: "CALLDATACOPY",
  0x38: "CODESIZE", 0x39: "CODECOPY", 0x3a: "GASPRICE", 0x3b: "EXTCODESIZE", 0x3c: "EXTCODECOPY", 0x3d: "RETURNDATASIZE", 0x3e: "RETURNDATACOPY", 0x3f: "EXTCODEHASH",
  0x40: "BLOCKHASH", 0x41: "COINBASE", 0x42: "TIMESTAMP", 0x43: "NUMBER", 0x44: "PREVRANDAO", 0x45: "GASLIMIT", 0x46: "CHAINID", 0x47: "SELFBALANCE", 0x48: "BASEFEE", 0x49: "BLOBHASH", 0x4a: "BLOBBASEFEE",
  0x50: "POP", 0x51: "MLOAD", 0x52: "MSTORE", 0x53: "MSTORE8", 0x54: "SLOAD", 0x55: "SSTORE", 0x56: "JUMP", 0x57: "JUMPI", 0x58: "PC", 0x59: "MSIZE", 0x5a: "GAS", 0x5b: "JUMPDEST",
  0x5c: "TLOAD", 0x5d: "TSTORE", 0x5e: "MCOPY", 0x5f: "PUSH0", 0xf0: "CREATE", 0xf1: "CALL", 0xf2: "CALLCODE", 0xf3: "RETURN", 0xf4: "DELEGATECALL", 0xf5: "CREATE2", 0xfa: "STATICCALL",
  0xfd: "REVERT", 0xfe: "INVALID", 0xff: "SELFDESTRUCT",
};
for (let n = 1; n <= 32; n++) NAMES[0x5f + n] = `PUSH${n}`;
for (let n = 1; n <= 16; n++) NAMES[0x7f + n] = `DUP${n}`;
for (let n = 1; n <= 16; n++) NAMES[0x8f + n] = `SWAP${n}`;
for (let n = 0; n <= 4; n++) NAMES[0xa0 + n] = `LOG${n}`;

export function opName(op: number): string {
  return NAMES[op] ?? `UNDEFINED_0x${op.toString(16).padStart(2, "0")}`;
}

/** Names of the pending operations (micro-step kinds). */
export const PENDING_NAMES: Record<number, string> = {
  [P.Preamble]: "preamble",
  [P.Acl]: "acl",
  [P.Start]: "start",
  [P.Keccak]: "keccak",
  [P.Initcode]: "initcode",
  [P.Deposit]: "deposit",
  [P.PrecompileIn]: "precompile-input",
  [P.Sha256]: "sha256",
  [P.Ripemd160]: "ripemd160",
  [P.Copy]: "copy",
  [P.Settle]: "settle",
  [P.Pass]: "pass",
};

const COPY_SRC = ["memory", "calldata", "returndata", "code"];
const KIND = ["call", "callcode", "delegatecall", "staticcall", "create", "create2"];
const RESULT = ["success", "revert", "fail", "deposited"];

/** The kind of the step from `a` to `b` (b = a after one step). */
export function classifyStep(a: Machine, b: Machine): string {
  const end = b.status_ !== 0 ? `:${STATUS_NAMES[b.status_]}` : "";
  const p = a.pending_;
  if (p) {
    let k = PENDING_NAMES[p.kind] ?? `pending-${p.kind}`;
    if (p.kind >= P.Keccak && p.kind <= P.Ripemd160) {
      if (p.a[3] === 1n) k += p.kind === P.PrecompileIn ? `-run-${p.a[4]}` : "-done";
      else if (p.a[2] === p.a[1]) k += "-final";
      else k += "-absorb";
    } else if (p.kind === P.Copy) k += `-${COPY_SRC[Number(p.a[0])]}${p.a[8] === 1n ? "-backward" : ""}`;
    else if (p.kind === P.Pass) {
      const e = a.world.keys.get(Number(p.a[0]));
      k += e === null ? "-end" : `-${String.fromCharCode(e.mark)}${b.world.keys.get(Number(p.a[0]))?.cur !== e.cur ? "-delete" : ""}`;
    }
    return k + end;
  }
  const f = a.frame_!;
  const ctx = f.ctx as Ctx;
  if (f.stage === Stage.Enter) {
    const pre = ctx.kind < Kind.Create && ctx.codeAddress >= 1n && ctx.codeAddress <= 10n ? `-precompile-${ctx.codeAddress}` : "";
    const g = b.frame_;
    const out = g && (g.ctx as Ctx).depth === ctx.depth && g.stage === Stage.Halted ? `-${RESULT[g.result]}` : "";
    return `enter-${KIND[ctx.kind]}${ctx.depth === 0 ? "-top" : ""}${pre}${out}${end}`;
  }
  if (f.stage === Stage.Halted) return `unwind-${KIND[ctx.kind]}${ctx.depth === 0 ? "-top" : ""}-${RESULT[f.result]}${b.pending_?.kind === P.Deposit ? "-deposit" : ""}${end}`;
  if (f.pc >= f.codeSize) return `op-implicit-stop${end}`;
  const op = a.codes.get(f.codeHash)!.bytes[f.pc];
  const name = opName(op);
  const info = opInfo(op);
  const g = b.frame_;
  if (info === undefined) return `halt-invalid-opcode${end}`;
  if (f.stack.size < info.inputs) return `halt-stack-underflow${end}`;
  if (f.stack.size - info.inputs + info.outputs > STACK_LIMIT) return `halt-stack-overflow${end}`;
  const same = g !== null && (g.ctx as Ctx).depth === ctx.depth;
  if (same && g.stage === Stage.Halted && g.result === Result.Fail && op !== 0xfe) return `op-${name}-fail${end}`;
  if (g !== null && (g.ctx as Ctx).depth === ctx.depth + 1 && g.stage === Stage.Enter) return `op-${name}-enter${end}`;
  return `op-${name}${end}`;
}

/** CREATE's (CREATE2's) gas before the initcode-size check: 32000, memory expansion, initcode words (and hashing). */
function createCost(memWords: number, off: bigint, len: bigint, create2: boolean): bigint {
  const words = (len + 31n) / 32n;
  const need = len === 0n ? 0n : (off + len + 31n) / 32n;
  const m = BigInt(memWords);
  const mem = need > m ? 3n * need + (need * need) / 512n - (3n * m + (m * m) / 512n) : 0n;
  return 32000n + mem + 2n * words + (create2 ? 6n * words : 0n);
}

/** The halt kinds `haltKind` names (Cancun's exceptional halts and failed calls, as the machine meets them). */
export const HALT_KINDS = [
  "stack-underflow",
  "stack-overflow",
  "invalid-opcode",
  "invalid-jump",
  "out-of-gas",
  "static-violation",
  "return-data-bounds",
  "sstore-stipend",
  "initcode-size",
  "call-depth",
  "insufficient-balance",
  "create-collision",
  "code-size",
  "code-ef",
  "precompile-fail",
] as const;

const STATIC_WRITES = new Set([0x55, 0x5d, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xf0, 0xf5, 0xff]);
const CALLS = new Set([0xf1, 0xf2, 0xf4, 0xfa, 0xf0, 0xf5]);

/**
 * Which exceptional halt (or failed call or creation that does not halt the caller) the step from `a`
 * to `b` is, if any: for coverage counts (osp-check). Read from the two states, never from inside the
 * step.
 */
export function haltKind(a: Machine, b: Machine): (typeof HALT_KINDS)[number] | undefined {
  const f = a.frame_;
  if (!f) return undefined;
  const ctx = f.ctx as Ctx;
  const g = b.frame_;
  const sameDepth = g !== null && (g.ctx as Ctx).depth === ctx.depth;
  const failed = sameDepth && g.stage === Stage.Halted && g.result === Result.Fail;
  const p = a.pending_;
  if (p) return (p.kind === P.PrecompileIn || p.kind === P.Sha256 || p.kind === P.Ripemd160) && p.a[3] === 1n && failed ? "precompile-fail" : undefined;
  if (f.stage === Stage.Enter) {
    if (!failed) return undefined;
    if (ctx.kind >= Kind.Create) return "create-collision";
    return ctx.codeAddress >= 1n && ctx.codeAddress <= 10n ? "out-of-gas" : undefined;
  }
  if (f.stage === Stage.Halted) {
    // a creation's code deposit: the code-size rules (EIP-170, EIP-3541) and the deposit's gas
    if (ctx.kind < Kind.Create || f.result !== Result.Success || f.outLength === 0) return undefined;
    if (f.outLength > 24576) return "code-size";
    if (f.gas < 200n * BigInt(f.outLength)) return "out-of-gas";
    return (f.mem as { readBytes(o: number, n: number): Uint8Array }).readBytes(f.outOffset, 1)[0] === 0xef ? "code-ef" : undefined;
  }
  if (f.pc >= f.codeSize) return undefined;
  const op = a.codes.get(f.codeHash)!.bytes[f.pc];
  const info = opInfo(op);
  if (info === undefined) return "invalid-opcode"; // an undefined opcode, or INVALID (0xfe)
  if (f.stack.size < info.inputs) return "stack-underflow";
  if (f.stack.size - info.inputs + info.outputs > STACK_LIMIT) return "stack-overflow";
  const items = (f.stack as unknown as { items(k: number): bigint[] }).items(info.inputs);
  if (!failed) {
    // a call or creation that neither enters its frame nor halts: the depth limit or the balance
    const enters = g !== null && (g.ctx as Ctx).depth === ctx.depth + 1;
    if (CALLS.has(op) && !enters && b.pending_ === null && sameDepth && g.stage === Stage.Run) return ctx.depth >= 1024 ? "call-depth" : "insufficient-balance";
    return undefined;
  }
  if (ctx.isStatic && (STATIC_WRITES.has(op) || (op === 0xf1 && items[2] !== 0n))) return "static-violation";
  if ((op === 0x56 || op === 0x57) && f.gas >= info.gas) return "invalid-jump";
  if (op === 0x3e && items[1] + items[2] > BigInt(f.rd.length)) return "return-data-bounds";
  if (op === 0x55 && f.gas <= 2300n) return "sstore-stipend";
  if ((op === 0xf0 || op === 0xf5) && items[2] > 49152n && f.gas >= createCost(f.memSize, items[1], items[2], op === 0xf5)) return "initcode-size";
  return "out-of-gas";
}
