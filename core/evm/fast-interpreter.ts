/**
 * A faster loop for @ethereumjs/evm's interpreter, the same instructions in the same order.
 *
 * ethereumjs runs every instruction as `await this.runStep()`, an async function: a promise and a
 * trip through the microtask queue per instruction, although most instructions (PUSH, DUP, ADD,
 * JUMP, ...) never wait for anything, and its step checks per instruction, every time, whether a
 * tracer listens, whether Verkle/binary-tree code chunks are charged (two linear scans of the
 * activated EIPs) and whether the profiler runs. This loop runs an instruction without a promise
 * unless its gas or its handler really is asynchronous, and checks those conditions once per call
 * frame: a frame with a `step` listener, the debug log, the profiler, EOF or code-chunk charging
 * runs ethereumjs' own loop, unchanged. The order of the work within a step is ethereumjs' (dynamic
 * gas, invalid opcode, base gas, program counter, EIP-7928's pending call, handler, witness commit).
 *
 * Also: `Common.isActivatedEIP` answers from a Set instead of scanning the activated EIPs' array
 * (ethereumjs calls it several times per instruction and per transaction).
 *
 * Like the jump-analysis cache (core/evm/jumpdest.ts) this replaces internal methods of the pinned
 * @ethereumjs/evm; if they are not where this expects them, nothing is installed. It changes speed,
 * never results: the conformance suite runs through it, and test/core/evm/fast-interpreter.test.ts
 * compares it with ethereumjs' loop. It is process-wide, so the bench's baseline (an ethereumjs node)
 * has it too. MOVESET_NO_FAST_INTERPRETER=1 turns it off.
 */
import * as path from "path";
import { Common } from "@ethereumjs/common";

/* eslint-disable @typescript-eslint/no-explicit-any */
let installed: boolean | undefined;

/**
 * What ethereumjs' `step` event reports at an instruction boundary, read in place: after the
 * instruction's dynamic gas is computed (or failed), before it is charged, with the memory size from
 * before the instruction (EIP-7756), exactly where ethereumjs' loop emits the event. `stack` and
 * `memory` are the interpreter's own arrays, valid only during the call: `stack[0 .. stackLength)`
 * bottom first, `memory[0 .. memoryWordCount × 32)`.
 */
export interface Boundary {
  pc: number;
  gasLeft: bigint;
  depth: number;
  stack: readonly bigint[];
  stackLength: number;
  memory: Uint8Array;
  memoryWordCount: bigint;
}

let probe: ((b: Boundary) => void) | null = null;
const view: Boundary = { pc: 0, gasLeft: 0n, depth: 0, stack: [], stackLength: 0, memory: new Uint8Array(0), memoryWordCount: 0n };

/**
 * Calls `p` at every instruction boundary of every run in this thread, from the fast loop, where
 * ethereumjs would emit a `step` event (the step machine's lockstep check, conformance/stepper.ts:
 * the same fields without an event object, a promise and a copy of memory per instruction). Null
 * removes it. False (and nothing set) if the fast loop is not installed: use `step` events then.
 */
export function setBoundaryProbe(p: ((b: Boundary) => void) | null): boolean {
  if (!installFastInterpreter()) return false;
  probe = p;
  return true;
}

function probeAt(it: any, rs: any, words: bigint): void {
  view.pc = rs.programCounter;
  view.gasLeft = rs.gasLeft;
  view.depth = it._env.depth;
  view.stack = rs.stack._store;
  view.stackLength = rs.stack._len;
  view.memory = rs.memory._store;
  view.memoryWordCount = words;
  probe!(view);
}

/** Installs the loop and the EIP lookup in this thread (idempotent). Returns whether they are active. */
export function installFastInterpreter(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  if (process.env.MOVESET_NO_FAST_INTERPRETER === "1") return false;
  let proto: any, EVMError: any, consume7928: (rs: unknown) => void, gasMod: any, util: any;
  try {
    const dir = path.dirname(require.resolve("@ethereumjs/evm"));
    /* eslint-disable @typescript-eslint/no-require-imports */
    proto = require(path.join(dir, "interpreter.js")).Interpreter.prototype;
    EVMError = require(path.join(dir, "errors.js")).EVMError;
    consume7928 = require(path.join(dir, "opcodes", "EIP7928.js")).consumeEip7928PostTargetCallOog;
    gasMod = require(path.join(dir, "opcodes", "gas.js"));
    util = require(path.join(dir, "opcodes", "util.js"));
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch {
    return false;
  }
  const origRun = proto.run;
  if (typeof origRun !== "function" || typeof proto.useGas !== "function" || typeof proto._getValidJumpDestinations !== "function" || typeof consume7928 !== "function" || !EVMError?.errorMessages) return false;
  const syncGas = syncGasHandlers(gasMod, util, EVMError);
  if (!syncGas) return false;
  installEipSet();
  const STOP = EVMError.errorMessages.STOP;
  const INVALID_OPCODE = EVMError.errorMessages.INVALID_OPCODE;

  /** After the dynamic gas: ethereumjs' runStep from the invalid-opcode check on. */
  function finish(it: any, rs: any, entry: any, info: any, gas: bigint): Promise<void> | undefined {
    if (info.isInvalid) throw new EVMError(INVALID_OPCODE);
    it.useGas(gas, info);
    rs.programCounter++;
    consume7928(rs);
    const r = entry.opHandler(rs, it.common);
    if (r instanceof Promise) return r.then(() => rs.env.accessWitness?.commit());
    rs.env.accessWitness?.commit();
    return undefined;
  }

  /** `step` with the probe called where ethereumjs emits its `step` event (a failed dynamic gas too). */
  function probedStep(it: any, rs: any, entry: any): Promise<void> | undefined {
    const info = entry.opcodeInfo;
    const words = rs.memoryWordCount;
    if (!info.dynamicGas) {
      probeAt(it, rs, words);
      return finish(it, rs, entry, info, info.feeBigInt);
    }
    const failed = (e: any): never => {
      if (e !== null && typeof e === "object" && e.errorType === "EVMError") probeAt(it, rs, words);
      throw e;
    };
    const sync = syncGas!.get(entry.gasHandler);
    let g: bigint | Promise<bigint>;
    try {
      g = sync !== undefined ? sync(rs, info.feeBigInt, it.common) : entry.gasHandler(rs, info.feeBigInt, it.common);
    } catch (e) {
      return failed(e);
    }
    if (g instanceof Promise)
      return g.then((gas: bigint) => {
        probeAt(it, rs, words);
        return finish(it, rs, entry, info, gas);
      }, failed);
    probeAt(it, rs, words);
    return finish(it, rs, entry, info, g);
  }

  function step(it: any, rs: any, entry: any): Promise<void> | undefined {
    const info = entry.opcodeInfo;
    if (!info.dynamicGas) return finish(it, rs, entry, info, info.feeBigInt);
    const sync = syncGas!.get(entry.gasHandler);
    if (sync !== undefined) return finish(it, rs, entry, info, sync(rs, info.feeBigInt, it.common));
    const g = entry.gasHandler(rs, info.feeBigInt, it.common);
    return g instanceof Promise ? g.then((gas: bigint) => finish(it, rs, entry, info, gas)) : finish(it, rs, entry, info, g);
  }

  async function loop(it: any, code: Uint8Array, opts: { pc?: number }): Promise<unknown> {
    const rs = it._runState;
    rs.code = code;
    rs.programCounter = opts.pc ?? rs.programCounter;
    const pc0 = rs.programCounter;
    if (pc0 !== 0 && (pc0 < 0 || pc0 >= rs.code.length)) return origRun.call(it, code, opts); // ethereumjs throws its own error
    const opMap = it._evm._opcodeMap;
    let err: any;
    let cached: any[] | undefined;
    const run = probe === null ? step : probedStep;
    while (rs.programCounter < rs.code.length) {
      let entry: any;
      if (cached === undefined) {
        const op = rs.code[rs.programCounter];
        if (op === 0x56 || op === 0x57 || op === 0x5e) {
          const { jumps, pushes, opcodesCached } = it._getValidJumpDestinations(rs.code);
          rs.validJumps = jumps;
          rs.cachedPushes = pushes;
          rs.shouldDoJumpAnalysis = false;
          cached = opcodesCached;
        }
        rs.opCode = op;
        entry = opMap[op];
      } else {
        entry = cached[rs.programCounter];
        rs.opCode = entry.opcodeInfo.code;
      }
      try {
        const p = run(it, rs, entry);
        if (p !== undefined) await p;
      } catch (e: any) {
        rs.env.accessWitness?.revert();
        if (!(e !== null && typeof e === "object" && "errorType" in e && e.errorType === "EVMError")) throw e;
        if (e.error !== STOP) err = e;
        break;
      }
    }
    if (err === undefined && rs.eip8037BurnLeftoverAfterCreateHaltOntoAlive === true && rs.gasLeft > 0n) {
      rs.gasLeft = 0n;
      err = new EVMError(EVMError.errorMessages.OUT_OF_GAS);
    }
    return { runState: rs, exceptionError: err };
  }

  proto.run = function (this: any, code: Uint8Array, opts: { pc?: number } = {}) {
    const c = this.common;
    // Anything but the plain loop: ethereumjs' own.
    if (
      (code[0] === 0xef && c.isActivatedEIP(3540)) ||
      c.isActivatedEIP(6800) ||
      c.isActivatedEIP(7864) ||
      this.profilerOpts?.enabled === true ||
      this._evm.DEBUG ||
      this._evm.events.listenerCount("step") > 0
    )
      return origRun.call(this, code, opts);
    return loop(this, code, opts);
  };
  installed = true;
  return true;
}

type GasFn = (rs: any, gas: bigint, common: any) => bigint;

/**
 * Synchronous twins of ethereumjs' dynamic gas handlers that read only the stack and memory size
 * (memory expansion, copies, hashing, logs, EXP): ethereumjs writes them as async functions, so
 * each costs a promise. Keyed by ethereumjs' own function, so an EVM whose handler was replaced
 * (custom opcodes) keeps its own. The code-chunk branches of EIP-6800/7864 are left out: the fast
 * loop never runs with them active. Undefined if ethereumjs' table is not as expected.
 */
function syncGasHandlers(gasMod: any, util: any, EVMError: any): Map<unknown, GasFn> | undefined {
  const table: Map<number, unknown> | undefined = gasMod?.dynamicGasHandlers;
  const subMemUsage: (rs: any, offset: bigint, length: bigint, common: any) => bigint = util?.subMemUsage;
  const divCeil: (a: bigint, b: bigint) => bigint = util?.divCeil;
  const trap: (err: string) => never = util?.trap;
  if (!(table instanceof Map) || typeof subMemUsage !== "function" || typeof divCeil !== "function" || typeof trap !== "function") return undefined;
  const M = EVMError.errorMessages;
  const copy: GasFn = (rs, gas, common) => {
    const [memOffset, , dataLength] = rs.stack.peek(3);
    gas += subMemUsage(rs, memOffset, dataLength, common);
    if (dataLength !== 0n) gas += common.param("copyGas") * divCeil(dataLength, 32n);
    return gas;
  };
  const memRange: GasFn = (rs, gas, common) => {
    const [offset, length] = rs.stack.peek(2);
    return gas + subMemUsage(rs, offset, length, common);
  };
  const log: GasFn = (rs, gas, common) => {
    if (rs.interpreter.isStatic()) trap(M.STATIC_STATE_CHANGE);
    const [memOffset, memLength] = rs.stack.peek(2);
    const topicsCount = rs.opCode - 0xa0;
    if (topicsCount < 0 || topicsCount > 4) trap(M.OUT_OF_RANGE);
    gas += subMemUsage(rs, memOffset, memLength, common);
    return gas + (common.param("logTopicGas") as bigint) * BigInt(topicsCount) + (memLength as bigint) * (common.param("logDataGas") as bigint);
  };
  const twins: [number, GasFn][] = [
    [
      0x0a, // EXP
      (rs, gas, common) => {
        const [, exponent] = rs.stack.peek(2);
        if (exponent === 0n) return gas;
        let byteLength = exponent.toString(2).length / 8;
        if (byteLength > Math.trunc(byteLength)) byteLength = Math.trunc(byteLength) + 1;
        if (byteLength < 1 || byteLength > 32) trap(M.OUT_OF_RANGE);
        return gas + BigInt(byteLength) * common.param("expByteGas");
      },
    ],
    [
      0x20, // KECCAK256
      (rs, gas, common) => {
        const [offset, length] = rs.stack.peek(2);
        gas += subMemUsage(rs, offset, length, common);
        return gas + common.param("keccak256WordGas") * divCeil(length, 32n);
      },
    ],
    [0x37, copy], // CALLDATACOPY
    [0x39, copy], // CODECOPY (without EIP-6800/7864 code chunks)
    [
      0x3e, // RETURNDATACOPY
      (rs, gas, common) => {
        const [, returnDataOffset, dataLength] = rs.stack.peek(3);
        if (returnDataOffset + dataLength > rs.interpreter.getReturnDataSize() && rs.env.eof === undefined) trap(M.OUT_OF_GAS);
        return copy(rs, gas, common);
      },
    ],
    [0x51, (rs, gas, common) => gas + subMemUsage(rs, rs.stack.peek()[0], 32n, common)], // MLOAD
    [0x52, (rs, gas, common) => gas + subMemUsage(rs, rs.stack.peek()[0], 32n, common)], // MSTORE
    [0x53, (rs, gas, common) => gas + subMemUsage(rs, rs.stack.peek()[0], 1n, common)], // MSTORE8
    [
      0x5e, // MCOPY
      (rs, gas, common) => {
        const [dst, src, length] = rs.stack.peek(3);
        gas += 3n * ((length + 31n) / 32n);
        gas += subMemUsage(rs, src, length, common);
        return gas + subMemUsage(rs, dst, length, common);
      },
    ],
    [0xa0, log],
    [0xa1, log],
    [0xa2, log],
    [0xa3, log],
    [0xa4, log],
    [0xf3, memRange], // RETURN
    [0xfd, memRange], // REVERT
  ];
  const out = new Map<unknown, GasFn>();
  for (const [op, fn] of twins) {
    const orig = table.get(op);
    if (typeof orig !== "function") return undefined;
    out.set(orig, fn);
  }
  return out;
}

/**
 * `Common.isActivatedEIP` from a Set of the activated EIPs, rebuilt whenever ethereumjs replaces its
 * array (`_activatedEIPsCache`, on a hardfork or EIP change).
 */
function installEipSet(): void {
  const proto = Common.prototype as unknown as { isActivatedEIP(eip: number): boolean };
  const sets = new WeakMap<number[], { length: number; set: Set<number> }>();
  proto.isActivatedEIP = function (this: { _activatedEIPsCache: number[] }, eip: number): boolean {
    const arr = this._activatedEIPsCache;
    let s = sets.get(arr);
    // ethereumjs replaces the array (concat) rather than changing it; the length guards anyway.
    if (s === undefined || s.length !== arr.length) sets.set(arr, (s = { length: arr.length, set: new Set(arr) }));
    return s.set.has(eip);
  };
}
