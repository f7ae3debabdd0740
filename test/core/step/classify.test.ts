/**
 * core/step/classify.ts `haltKind`: the exceptional halts (and failed calls and creations) osp-check
 * counts for coverage, named on the synthetic rollup cases built to reach each of them.
 */
import { expect } from "chai";
import { Executor } from "../../../core/evm/execute";
import { loadCrypto } from "../../../core/evm/chain";
import { initialMachine } from "../../../core/step/init";
import { step } from "../../../core/step/interp";
import { haltKind, HALT_KINDS } from "../../../core/step/classify";
import { syntheticCases } from "../../../scripts/step-cases";

const EXPECTED: Record<string, (typeof HALT_KINDS)[number]> = {
  "halt-underflow": "stack-underflow",
  "halt-overflow": "stack-overflow",
  "halt-invalid-jump": "invalid-jump",
  "halt-invalid": "invalid-opcode",
  "halt-undefined": "invalid-opcode",
  "halt-static": "static-violation",
  "halt-oog": "out-of-gas",
  "halt-returndata-bounds": "return-data-bounds",
  "halt-code-size": "code-size",
  "halt-code-ef": "code-ef",
  "halt-initcode-size": "initcode-size",
  "call-insufficient-balance": "insufficient-balance",
  "create-collision": "create-collision",
  "limit-modexp": "precompile-fail",
  "limit-blake2f": "precompile-fail",
};

describe("core/step/classify: halt kinds", function () {
  this.timeout(300_000);

  it("names the halt each synthetic case reaches, and none in a case that runs to its end", async () => {
    await loadCrypto();
    const cases = await syntheticCases(await Executor.create(901n));
    const seen = new Map<string, Set<string>>();
    for (const c of cases) {
      if (!(c.name in EXPECTED) && c.name !== "storage") continue;
      const m = initialMachine(c.tx, c.ctx);
      const kinds = new Set<string>();
      while (m.status_ === 0) {
        const before = m.clone();
        step(m);
        const h = haltKind(before, m);
        if (h) kinds.add(h);
      }
      seen.set(c.name, kinds);
    }
    for (const [name, kind] of Object.entries(EXPECTED)) expect([...(seen.get(name) ?? [])], name).to.include(kind);
    expect([...seen.get("storage")!], "a run without a halt").to.deep.equal([]);
  });
});
