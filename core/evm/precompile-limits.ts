/**
 * The rollup's limits on Cancun's precompiles (docs/protocol.md §6.3), the one definition that the
 * validator's EVM, the filler and the step machine share; twin of the limits in
 * contracts/step/lib/Precompiles.sol.
 *
 * The one-step verifier runs MODEXP, ECPAIRING and BLAKE2F by calling L1's own precompile, so a call
 * the rollup accepts must be one L1 computes, and within half of L1's per-transaction gas cap
 * (2^24, EIP-7825) so that the step around it fits:
 *  - MODEXP with a nonzero modulus length: base, exponent and modulus lengths each ≤ 1024 bytes
 *    (EIP-7823: L1 refuses longer ones since Osaka), and its L1 price under EIP-7883 ≤ 2^23 (with
 *    modulus length 0 the output is empty whatever the rest: the verifier needs no L1 call, so no limit);
 *  - ECPAIRING: at most 128 pairs (L1 price 45,000 + 34,000 × 128 = 4,397,000; 24,576 input bytes);
 *  - BLAKE2F: at most 2^23 rounds (L1 price: one gas a round).
 * A refused call fails as an out-of-gas inside the precompile does: the call returns 0, consumes all
 * the gas given to it and returns no data. Every other precompile and every other input behaves as
 * in Cancun. Pure, no I/O.
 */
import { EVMError, getActivePrecompiles } from "@ethereumjs/evm";
import type { Common } from "@ethereumjs/common";

/** Each MODEXP length (base, exponent, modulus) is at most this many bytes. */
export const MODEXP_MAX_LEN = 1024n;
/** The most L1 gas one precompile call may cost (MODEXP's EIP-7883 price, BLAKE2F's rounds). */
export const PRECOMPILE_L1_PRICE_MAX = 1n << 23n;
/** The most pairs one ECPAIRING call may check. */
export const ECPAIRING_MAX_PAIRS = 128;

/** 32-byte big-endian word at `offset` of `data`, zero-padded past its end. */
function word(data: Uint8Array, offset: bigint): bigint {
  let v = 0n;
  for (let i = 0n; i < 32n; i++) {
    const at = offset + i;
    v = (v << 8n) | (at < BigInt(data.length) ? BigInt(data[Number(at)]) : 0n);
  }
  return v;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * MODEXP's price for `data`: Cancun's (EIP-2565) or L1's as of Osaka (EIP-7883). Exact (no
 * saturation): callers compare it with a gas amount.
 */
export function modexpPrice(data: Uint8Array, rules: "cancun" | "osaka"): bigint {
  const bLen = word(data, 0n);
  const eLen = word(data, 32n);
  const mLen = word(data, 64n);
  const maxLen = bLen > mLen ? bLen : mLen;
  const osaka = rules === "osaka";
  let head = eLen > 0n && bLen < 1n << 64n ? word(data, 96n + bLen) : 0n;
  if (eLen < 32n) head >>= 8n * (32n - eLen);
  const bits = head === 0n ? 0n : BigInt(bitLength(head) - 1);
  let iter = (eLen > 32n ? (osaka ? 16n : 8n) * (eLen - 32n) : 0n) + bits;
  if (iter === 0n) iter = 1n;
  const words = (maxLen + 7n) / 8n;
  let gas = osaka ? iter * (maxLen > 32n ? 2n * words * words : 16n) : (iter * words * words) / 3n;
  const floor = osaka ? 500n : 200n;
  if (gas < floor) gas = floor;
  return gas;
}

/**
 * Whether the rollup refuses a call of precompile `id` (1..10) with input `data` that Cancun might
 * run. The gas given does not matter: a refused call fails whatever it is given.
 */
export function precompileRefused(id: number, data: Uint8Array): boolean {
  if (id === 5) {
    if (word(data, 64n) === 0n) return false; // modulus length 0: the output is empty, no L1 call needed
    if (word(data, 0n) > MODEXP_MAX_LEN || word(data, 32n) > MODEXP_MAX_LEN || word(data, 64n) > MODEXP_MAX_LEN) return true;
    return modexpPrice(data, "osaka") > PRECOMPILE_L1_PRICE_MAX;
  }
  if (id === 8) return data.length > ECPAIRING_MAX_PAIRS * 192;
  if (id === 9) return data.length === 213 && BigInt(new DataView(data.buffer, data.byteOffset, 4).getUint32(0)) > PRECOMPILE_L1_PRICE_MAX;
  return false;
}

type PrecompileFn = NonNullable<ReturnType<typeof getActivePrecompiles> extends Map<string, infer F> ? F : never>;
type PrecompileInput = Parameters<PrecompileFn>[0];

/**
 * ethereumjs custom precompiles that apply {@link precompileRefused} in front of Cancun's MODEXP,
 * ECPAIRING and BLAKE2F (pass as `customPrecompiles` to the EVM).
 */
export function limitedPrecompiles(common: Common): { address: `0x${string}`; function: PrecompileFn }[] {
  const active = getActivePrecompiles(common);
  return [5, 8, 9].map((id) => {
    const address = id.toString(16).padStart(40, "0");
    const inner = active.get(address);
    if (!inner) throw new Error(`precompile ${id} is not active in this Common`);
    const fn = ((opts: PrecompileInput) => {
      if (precompileRefused(id, opts.data)) {
        return { returnValue: new Uint8Array(0), executionGasUsed: opts.gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) };
      }
      return inner(opts);
    }) as PrecompileFn;
    return { address: `0x${address}` as const, function: fn };
  });
}
