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

const PENDING: Record<number, string> = {
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
    let k = PENDING[p.kind] ?? `pending-${p.kind}`;
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
