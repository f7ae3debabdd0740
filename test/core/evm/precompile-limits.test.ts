/**
 * The rollup's precompile limits (core/evm/precompile-limits.ts, docs/protocol.md §6.3) at their
 * boundaries, and in the validator's EVM: a refused call fails consuming all the gas given, where
 * Cancun's own precompile would succeed. (test/contracts/step/lib/precompiles.test.ts compares the
 * limited EVM with the Solidity verifier on every precompile.)
 */
import { expect } from "chai";
import { createEVM } from "@ethereumjs/evm";
import { Address } from "@ethereumjs/util";
import { cancunCommon } from "../../../core/evm/chain";
import { limitedPrecompiles, precompileRefused, modexpPrice, ECPAIRING_MAX_PAIRS, PRECOMPILE_L1_PRICE_MAX, MODEXP_MAX_LEN } from "../../../core/evm/precompile-limits";
import { u256, concatBytes } from "../../../core/bytes";

const modexp = (b: bigint, e: bigint, m: bigint, tail = new Uint8Array(0)) => concatBytes(u256(b), u256(e), u256(m), tail);
const blake = (rounds: number) => {
  const d = new Uint8Array(213);
  new DataView(d.buffer).setUint32(0, rounds);
  d[212] = 1;
  return d;
};

describe("core/evm/precompile-limits", () => {
  it("MODEXP: each length up to 1024 with a nonzero modulus length; modulus length 0 is never refused", () => {
    expect(precompileRefused(5, modexp(MODEXP_MAX_LEN, 1n, 1n))).to.equal(false);
    expect(precompileRefused(5, modexp(MODEXP_MAX_LEN + 1n, 1n, 1n))).to.equal(true);
    expect(precompileRefused(5, modexp(1n, MODEXP_MAX_LEN + 1n, 1n))).to.equal(true);
    expect(precompileRefused(5, modexp(1n, 1n, MODEXP_MAX_LEN + 1n))).to.equal(true);
    expect(precompileRefused(5, modexp(1n << 200n, 1n << 200n, 0n))).to.equal(false);
  });

  it("MODEXP: the EIP-7883 price limit (1024-byte modulus: a 32-byte exponent passes, 33 bytes do not)", () => {
    const e32 = new Uint8Array(32).fill(0xff);
    const e33 = new Uint8Array(33).fill(0xff);
    const at = (e: Uint8Array) => modexp(1024n, BigInt(e.length), 1024n, concatBytes(new Uint8Array(1024).fill(1), e));
    expect(modexpPrice(at(e32), "osaka")).to.equal(2n * 128n * 128n * 255n);
    expect(precompileRefused(5, at(e32))).to.equal(false);
    expect(modexpPrice(at(e33), "osaka")).to.equal(2n * 128n * 128n * (16n + 255n));
    expect(precompileRefused(5, at(e33))).to.equal(true);
    expect(modexpPrice(at(e33), "cancun")).to.equal((128n * 128n * (8n + 255n)) / 3n);
  });

  it("ECPAIRING up to 128 pairs, BLAKE2F up to 2^23 rounds; other precompiles have no limit", () => {
    expect(precompileRefused(8, new Uint8Array(ECPAIRING_MAX_PAIRS * 192))).to.equal(false);
    expect(precompileRefused(8, new Uint8Array(ECPAIRING_MAX_PAIRS * 192 + 1))).to.equal(true);
    expect(precompileRefused(9, blake(Number(PRECOMPILE_L1_PRICE_MAX)))).to.equal(false);
    expect(precompileRefused(9, blake(Number(PRECOMPILE_L1_PRICE_MAX) + 1))).to.equal(true);
    expect(precompileRefused(9, new Uint8Array(212))).to.equal(false); // Cancun fails it anyway
    for (const id of [1, 2, 3, 4, 6, 7, 10]) expect(precompileRefused(id, new Uint8Array(100_000))).to.equal(false);
  });

  it("in the EVM a refused call fails with all its gas consumed, where Cancun's precompile succeeds", async () => {
    const common = cancunCommon(1n);
    const stock = await createEVM({ common });
    const limited = await createEVM({ common, customPrecompiles: limitedPrecompiles(common) });
    const to = new Address(new Uint8Array(20).fill(0).map((_, i) => (i === 19 ? 5 : 0)));
    const data = modexp(1025n, 1n, 1n, concatBytes(new Uint8Array(1025).fill(2), Uint8Array.of(3), Uint8Array.of(7)));
    const a = await stock.runCall({ to, data, gasLimit: 1_000_000n, skipBalance: true });
    const b = await limited.runCall({ to, data, gasLimit: 1_000_000n, skipBalance: true });
    expect(a.execResult.exceptionError).to.equal(undefined);
    expect(b.execResult.exceptionError?.error).to.equal("out of gas");
    expect(b.execResult.executionGasUsed).to.equal(1_000_000n);
    const ok = modexp(1n, 1n, 1n, Uint8Array.of(3, 5, 7));
    const c = await limited.runCall({ to, data: ok, gasLimit: 1_000_000n, skipBalance: true });
    expect(c.execResult.returnValue).to.deep.equal(Uint8Array.of(5)); // 3^5 mod 7
  });
});
