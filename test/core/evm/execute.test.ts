/**
 * The validator's EVM runner (core/evm/execute.ts): nothing carries over from one run to the next,
 * and the rollup's precompile limits (core/step/precompiles.ts) hold in the validator as in the
 * step machine.
 */
import { expect } from "chai";
import { Executor } from "../../../core/evm/execute";
import { validateTx } from "../../../core/validate";
import { Mark } from "../../../core/keys";
import { InvalidTxError } from "../../../core/errors";
import { syntheticTx } from "../../../bench/synthetic";
import { asm } from "../../../scripts/step-cases";
import { checkStepper } from "../../../conformance/stepper";
import { beyondLimit, modexpL1Gas, runPrecompile, MODEXP_L1_GAS_CAP } from "../../../core/step/precompiles";

const slotNext = (tx: { moves: { mark: number; slot: bigint; next: bigint }[] }, slot: bigint) => tx.moves.find((m) => m.mark === Mark.Storage && m.slot === slot)?.next ?? 0n;

describe("core/evm/execute", function () {
  this.timeout(300_000);

  it("transient storage does not leak into the next transaction after a run stopped by an undeclared key", async () => {
    const ex = await Executor.create(901n);
    const fresh = await Executor.create(901n);
    // A: TSTORE(1, 5), then SLOAD of slot 7, whose move the poster left out
    const a = await syntheticTx(ex, asm("PUSH1 5 PUSH1 1 TSTORE PUSH1 7 SLOAD POP STOP"));
    const aBad = { ...a.tx, moves: a.tx.moves.filter((m) => !(m.mark === Mark.Storage && m.slot === 7n)) };
    // B: SSTORE(2, TLOAD(1)): filled on an executor that never ran A
    const b = await syntheticTx(fresh, asm("PUSH1 1 TLOAD PUSH1 2 SSTORE STOP"));
    expect(slotNext(b.tx, 2n)).to.equal(0n);
    try {
      await validateTx(aBad, a.ctx, ex);
      expect.fail("A must be refused");
    } catch (e) {
      expect((e as InvalidTxError).code).to.equal("undeclared-key");
    }
    // without clearing, B would read 5 and be refused as next-mismatch
    await validateTx(b.tx, b.ctx, ex);
  });

  it("a MODEXP, ECPAIRING or BLAKE2F call beyond the rollup's limits fails in the validator and in the machine", async () => {
    const ex = await Executor.create(901n);
    const callTo = (addr: number, inLen: number) => `PUSH1 32 PUSH1 0 PUSH2 ${inLen} PUSH1 0 PUSH1 0 PUSH20 ${addr} GAS CALL PUSH1 0 SSTORE STOP`;
    const cases: [string, string, bigint][] = [
      // base length 1025: beyond EIP-7823's 1024
      ["modexp", `PUSH2 0x0401 PUSH1 0 MSTORE PUSH1 1 PUSH1 32 MSTORE PUSH1 1 PUSH1 64 MSTORE ${callTo(5, 200)}`, 0n],
      // within the limits: 2^3 mod 5 = 3, the call succeeds
      ["modexp-ok", `PUSH1 1 PUSH1 0 MSTORE PUSH1 1 PUSH1 32 MSTORE PUSH1 1 PUSH1 64 MSTORE PUSH1 2 PUSH1 96 MSTORE8 PUSH1 3 PUSH1 97 MSTORE8 PUSH1 5 PUSH1 98 MSTORE8 ${callTo(5, 99)}`, 1n],
      // 65 pairs (of zeros: a valid pairing input) is beyond the limit of 64
      ["pairing", callTo(8, 65 * 192), 0n],
      ["pairing-ok", callTo(8, 2 * 192), 1n],
      // 2^22 + 1 rounds
      ["blake2f", `PUSH4 0x00400001 PUSH1 0xe0 SHL PUSH1 0 MSTORE PUSH1 1 PUSH1 212 MSTORE8 ${callTo(9, 213)}`, 0n],
    ];
    for (const [name, code, flag] of cases) {
      const s = await syntheticTx(ex, asm(code), { gasLimit: 10_000_000n });
      expect(slotNext(s.tx, 0n), name).to.equal(flag);
      await validateTx(s.tx, s.ctx, ex);
      const r = await checkStepper(s.tx, s.ctx, ex);
      expect(r.agreed, `${name}: ${r.reason}`).to.equal(true);
    }
  });

  it("the MODEXP limit follows EIP-7823 lengths and EIP-7883 pricing", () => {
    const input = (b: number, e: number, m: number, expHead = 0xffn) => {
      const d = new Uint8Array(96 + b + e + m);
      const dv = new DataView(d.buffer);
      dv.setUint32(28, b);
      dv.setUint32(60, e);
      dv.setUint32(92, m);
      if (e > 0) d[96 + b + Math.min(e, 32) - 1] = Number(expHead);
      return d;
    };
    // a 2048-bit modulus with a 3-byte exponent 0x0000ff: 7 iterations of 2·32² = 14,336 gas
    expect(modexpL1Gas(input(256, 3, 256))).to.equal(2n * 32n * 32n * 7n);
    expect(beyondLimit(5, input(256, 256, 256))).to.equal(modexpL1Gas(input(256, 256, 256)) > MODEXP_L1_GAS_CAP);
    expect(beyondLimit(5, input(512, 512, 512))).to.equal(true);
    expect(beyondLimit(5, input(1025, 1, 1))).to.equal(true);
    // Cancun returns empty output for base and modulus length 0 whatever the exponent length
    expect(beyondLimit(5, input(0, 5000, 0))).to.equal(false);
    expect(runPrecompile(5, input(1025, 1, 1), 96 + 1027, 10_000_000n).ok).to.equal(false);
  });
});
