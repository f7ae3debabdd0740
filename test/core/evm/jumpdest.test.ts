/**
 * The jump-destination bitmap (core/evm/jumpdest.ts) against ethereumjs's own jump analysis, and the
 * shared vectors (test/vectors/code.json) re-derived.
 */
import { expect } from "chai";
import * as fs from "fs";
import { createEVM } from "@ethereumjs/evm";
import { cancunCommon } from "../../../core/evm/chain";
import { jumpdestBitmap, isJumpdest } from "../../../core/evm/jumpdest";
import { CODE_VECTORS_FILE, buildCodeVectors, serializeCodeVectors } from "../../../scripts/gen-code-vectors";
import { rng } from "../../../bench/rng";

describe("core/evm/jumpdest: the registry's bitmap", () => {
  it("agrees with ethereumjs on which JUMPs are valid (random code, every position)", async () => {
    const r = rng(99);
    const evm = await createEVM({ common: cancunCommon(1n) });
    for (let t = 0; t < 6; t++) {
      const code = Uint8Array.from({ length: 40 + Math.floor(r() * 60) }, () => (r() < 0.3 ? 0x5b : r() < 0.5 ? 0x60 + Math.floor(r() * 32) : Math.floor(r() * 256)));
      const bm = jumpdestBitmap(code);
      for (let pc = 0; pc < code.length + 2; pc++) {
        // PUSH2 pc, JUMP, then the code under test at offset 4: a valid destination runs, an invalid one halts
        const prog = Uint8Array.from([0x61, ((pc + 4) >> 8) & 0xff, (pc + 4) & 0xff, 0x56, ...code]);
        const res = await evm.runCode({ code: prog, gasLimit: 10_000n });
        const invalid = res.exceptionError?.error.startsWith("invalid JUMP") ?? false;
        expect(!invalid, `code ${Buffer.from(code).toString("hex")} pc ${pc}`).to.equal(isJumpdest(bm, BigInt(pc)));
      }
    }
  });

  it("test/vectors/code.json is what the generator writes", () => {
    expect(fs.readFileSync(CODE_VECTORS_FILE, "utf8")).to.equal(serializeCodeVectors(buildCodeVectors()));
  });
});
