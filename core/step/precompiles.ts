/**
 * Precompiles 0x01–0x0a as the rollup runs them (protocol.md §6.3, docs/step-machine.md §6.10):
 * Cancun's, computed by @ethereumjs/evm's own implementations, with three limits that keep every
 * call provable in one L1 step (L1 computes the same function through its own precompile):
 *
 *  - MODEXP: base, exponent and modulus at most 1024 bytes each (EIP-7823, as L1 itself now
 *    requires), and an L1 cost under EIP-7883 pricing of at most MODEXP_L1_GAS_CAP;
 *  - ECPAIRING: at most MAX_PAIRING_PAIRS pairs;
 *  - BLAKE2F: at most MAX_BLAKE2F_ROUNDS rounds.
 *
 * A call beyond a limit fails like an out-of-gas in the precompile: all the gas it was given is
 * consumed. The validator (core/evm/chain.ts) installs the same limits into ethereumjs, so the
 * stepper and the validator agree on every input.
 */
import { EVMError, getActivePrecompiles, NobleBN254, type PrecompileInput } from "@ethereumjs/evm";
import { Address, bigIntToBytes, bytesToBigInt, bytesToHex, computeVersionedHash, setLengthLeft } from "@ethereumjs/util";
import * as path from "path";
import type { Common } from "@ethereumjs/common";
import { cancunCommon, kzgReady } from "../evm/chain";

export const MODEXP_MAX_LEN = 1024n;
export const MODEXP_L1_GAS_CAP = 1n << 23n;
export const MAX_PAIRING_PAIRS = 64;
export const MAX_BLAKE2F_ROUNDS = 1 << 22;

/** How many input bytes a precompile's final step needs (the rest of its input is ignored or refused). */
export const PRECOMPILE_CAP: Record<number, number> = {
  1: 128,
  5: 96 + 3 * Number(MODEXP_MAX_LEN),
  6: 128,
  7: 96,
  8: MAX_PAIRING_PAIRS * 192,
  9: 213,
  10: 192,
};

/** The stepper reached the point-evaluation precompile before KZG was loaded (core/evm/chain.ts loadCrypto). */
export class NeedKzgError extends Error {}

function word(data: Uint8Array, off: number): bigint {
  const b = new Uint8Array(32);
  if (off < data.length) b.set(data.subarray(off, off + 32));
  return bytesToBigInt(b);
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** MODEXP's cost under EIP-7883 (L1's pricing since Fusaka). */
export function modexpL1Gas(data: Uint8Array): bigint {
  const bLen = word(data, 0);
  const eLen = word(data, 32);
  const mLen = word(data, 64);
  const maxLen = bLen > mLen ? bLen : mLen;
  const wordsN = (maxLen + 7n) / 8n;
  const complexity = maxLen <= 32n ? 16n : 2n * wordsN * wordsN;
  const headStart = 96n + bLen;
  let head = 0n;
  if (headStart < BigInt(data.length)) {
    const b = new Uint8Array(32);
    b.set(data.subarray(Number(headStart), Number(headStart) + 32));
    head = bytesToBigInt(b);
  }
  if (eLen < 32n) head >>= 8n * (32n - eLen);
  let iter = eLen <= 32n ? 0n : 16n * (eLen - 32n);
  const bits = bitLength(head);
  if (bits > 1) iter += BigInt(bits - 1);
  if (iter < 1n) iter = 1n;
  const g = complexity * iter;
  return g < 500n ? 500n : g;
}

/** Whether a call with this input exceeds one of the rollup's limits (it then fails). */
export function beyondLimit(id: number, data: Uint8Array): boolean {
  if (id === 5) {
    const bLen = word(data, 0);
    const eLen = word(data, 32);
    const mLen = word(data, 64);
    if (bLen === 0n && mLen === 0n) return false; // Cancun returns empty output without computing
    if (bLen > MODEXP_MAX_LEN || eLen > MODEXP_MAX_LEN || mLen > MODEXP_MAX_LEN) return true;
    return modexpL1Gas(data) > MODEXP_L1_GAS_CAP;
  }
  if (id === 8) return data.length > MAX_PAIRING_PAIRS * 192;
  if (id === 9) return data.length === 213 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0) > MAX_BLAKE2F_ROUNDS;
  return false;
}

let table: Map<string, (o: PrecompileInput) => unknown> | undefined;
let bn254: NobleBN254 | undefined;
let evmCommon: Common | undefined;

/**
 * A Cancun Common with the EVM's parameters (precompile gas): the EVM merges them into its Common
 * when it is created, and the stepper runs precompiles without one.
 */
function precompileCommon(): Common {
  if (!evmCommon) {
    const c = cancunCommon(1n).copy();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { paramsEVM } = require(path.join(path.dirname(require.resolve("@ethereumjs/evm")), "params.js")) as { paramsEVM: Parameters<Common["updateParams"]>[0] };
    c.updateParams(paramsEVM);
    evmCommon = c;
  }
  return evmCommon;
}

function fn(id: number): (o: PrecompileInput) => unknown {
  table ??= getActivePrecompiles(precompileCommon()) as unknown as Map<string, (o: PrecompileInput) => unknown>;
  const f = table.get(id.toString(16).padStart(40, "0"));
  if (!f) throw new Error(`no precompile ${id}`);
  return f;
}

export interface PrecompileResult {
  ok: boolean;
  gasUsed: bigint;
  out: Uint8Array;
}

/**
 * Runs precompile `id` (1, 5, 6, 7, 8, 9, 10) on the first bytes of its input (`prefix`: the first
 * min(length, PRECOMPILE_CAP[id]) bytes) given the input's true length.
 */
export function runPrecompile(id: number, prefix: Uint8Array, length: number, gas: bigint): PrecompileResult {
  const FAIL = { ok: false, gasUsed: gas, out: new Uint8Array(0) };
  if (id === 8 && length > PRECOMPILE_CAP[8]) return FAIL;
  if ((id === 9 && length !== 213) || (id === 10 && length !== 192)) return FAIL;
  if (id === 10 && !kzgReady()) throw new NeedKzgError("KZG is needed");
  if (beyondLimit(id, prefix)) return FAIL;
  if (id === 10) return pointEvaluation(prefix, gas);
  bn254 ??= new NobleBN254();
  const common = precompileCommon();
  const r = fn(id)({ data: prefix, gasLimit: gas, common, _EVM: { _bn254: bn254 } as never } as PrecompileInput) as {
    executionGasUsed: bigint;
    returnValue: Uint8Array;
    exceptionError?: unknown;
  };
  if (r.exceptionError) return FAIL;
  return { ok: true, gasUsed: BigInt(r.executionGasUsed), out: r.returnValue };
}

const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/**
 * POINT_EVALUATION (EIP-4844), synchronously: ethereumjs's implementation is the same computation
 * behind an async function (its KZG verification itself is synchronous).
 */
function pointEvaluation(data: Uint8Array, gas: bigint): PrecompileResult {
  const used = 50000n;
  const FAIL = { ok: false, gasUsed: gas, out: new Uint8Array(0) };
  if (gas < used || data.length !== 192) return FAIL;
  const hex = (a: number, b: number) => bytesToHex(data.subarray(a, b));
  if (computeVersionedHash(hex(96, 144), 1) !== hex(0, 32)) return FAIL;
  try {
    const kzg = cancunCommon(1n).customCrypto.kzg!;
    if (kzg.verifyProof(hex(96, 144), hex(32, 64), hex(64, 96), hex(144, 192)) !== true) return FAIL;
  } catch {
    return FAIL;
  }
  const out = new Uint8Array(64);
  out.set(setLengthLeft(bigIntToBytes(4096n), 32), 0);
  out.set(setLengthLeft(bigIntToBytes(BLS_MODULUS), 32), 32);
  return { ok: true, gasUsed: used, out };
}

/**
 * The same limits for ethereumjs (the validator): wrappers around its precompiles 5, 8, 9 that
 * fail beyond a limit exactly as runPrecompile does.
 */
export function limitedPrecompiles(): { address: Address; function: (o: PrecompileInput) => unknown }[] {
  return [5, 8, 9].map((id) => {
    const orig = fn(id);
    return {
      address: new Address(new Uint8Array([...new Array(19).fill(0), id])),
      function: (o: PrecompileInput) => {
        if (beyondLimit(id, o.data)) return { returnValue: new Uint8Array(0), executionGasUsed: o.gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) };
        return orig(o);
      },
    };
  });
}
