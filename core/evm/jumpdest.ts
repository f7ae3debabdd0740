/**
 * The EVM's jump-destination analysis, kept per code object instead of redone for every call frame.
 *
 * @ethereumjs/evm scans the whole code of a frame when it first meets a JUMP, converting every PUSH
 * immediate to a bigint and looking up every opcode: for a 5 KB contract that is most of a small
 * call's cost, paid again in every frame and every transaction. The analysis depends only on the
 * code bytes and on the EVM's opcode table, and nothing writes to it, so it is cached per EVM and
 * per code object (a WeakMap: it goes with the code). MoveStateManager hands out one object per
 * code hash (core/evm/state.ts), so the cache hits across transactions.
 *
 * The method is internal to @ethereumjs/evm (the version is pinned in package.json). If it is not
 * where this expects it, nothing is installed and the EVM analyses as before: the cache changes
 * speed, never results (test/core/crypto-native.test.ts). MOVESET_NO_JUMPDEST_CACHE=1 turns it off.
 */
import * as path from "path";

type Analysis = unknown;
interface InterpreterProto {
  _getValidJumpDestinations?: (code: Uint8Array) => Analysis;
  _evm: object;
}

let installed: boolean | undefined;

/** Installs the cache in this thread (idempotent). Returns whether it is active. */
export function installJumpdestCache(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  if (process.env.MOVESET_NO_JUMPDEST_CACHE === "1") return false;
  let proto: InterpreterProto;
  try {
    // Not exported by the package: load the module file itself (the same instance the EVM uses).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    proto = (require(path.join(path.dirname(require.resolve("@ethereumjs/evm")), "interpreter.js")) as { Interpreter: { prototype: InterpreterProto } }).Interpreter.prototype;
  } catch {
    return false;
  }
  const analyse = proto._getValidJumpDestinations;
  if (typeof analyse !== "function") return false;
  const byEvm = new WeakMap<object, WeakMap<Uint8Array, Analysis>>();
  proto._getValidJumpDestinations = function (this: InterpreterProto, code: Uint8Array) {
    let byCode = byEvm.get(this._evm);
    if (!byCode) byEvm.set(this._evm, (byCode = new WeakMap()));
    let a = byCode.get(code);
    if (a === undefined) byCode.set(code, (a = analyse.call(this, code)));
    return a;
  };
  installed = true;
  return true;
}

/**
 * The jump-destination bitmap of `code`, as the code registry stores it (twin of
 * contracts/step/lib/JumpdestBitmap.sol): ceil(length / 8) bytes; bit i (byte i >> 3, most significant
 * bit first) is set iff byte i is JUMPDEST (0x5b) and not the immediate data of a PUSH1 … PUSH32.
 */
export function jumpdestBitmap(code: Uint8Array): Uint8Array {
  const out = new Uint8Array((code.length + 7) >> 3);
  for (let i = 0; i < code.length; i++) {
    const op = code[i];
    if (op === 0x5b) out[i >> 3] |= 0x80 >> (i & 7);
    else if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  return out;
}

/** Whether `pc` is a valid jump destination according to `bitmap` (false past the end of the code). */
export function isJumpdest(bitmap: Uint8Array, pc: bigint): boolean {
  if (pc >= BigInt(bitmap.length) * 8n) return false;
  const i = Number(pc);
  return (bitmap[i >> 3] & (0x80 >> (i & 7))) !== 0;
}
