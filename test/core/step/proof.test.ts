/**
 * The shared step vectors (test/vectors/step/steps.json, scripts/gen-step-vectors.ts), which the
 * Solidity one-step verifier runs too: every proof applied to its pre-state gives its post-state,
 * a proof with any one word changed is refused, and the vectors cover every opcode, halt, micro-step
 * kind, precompile, prologue and epilogue step and terminal status.
 */
import { expect } from "chai";
import { verifyStep, envOf, ProofError } from "../../../core/step/proof";
import { opInfo } from "../../../core/step/interp";
import { opName } from "../../../core/step/classify";
import { loadCrypto } from "../../../core/evm/chain";
import { loadStepVectors, type StepVector as V } from "../../vectors/step/vectors";

const doc = loadStepVectors();

function words(hex: string): bigint[] {
  const h = hex.slice(2);
  const out: bigint[] = [];
  for (let i = 0; i < h.length; i += 64) out.push(BigInt("0x" + h.slice(i, i + 64)));
  return out;
}

function envFor(v: V) {
  return envOf({
    codes: new Map(v.codes.map((h) => [BigInt(h), Uint8Array.from(Buffer.from(doc.codes[h].slice(2), "hex"))])),
    carried: new Map(Object.entries(v.carried).map(([h, b]) => [BigInt(h), b])),
  });
}

describe("core/step proofs: the shared step vectors", function () {
  this.timeout(600_000);
  before(async () => loadCrypto());

  it("every proof applied to its pre-state gives its post-state", () => {
    for (const v of doc.vectors) expect(verifyStep(BigInt(v.pre), words(v.proof), envFor(v)), v.name).to.equal(BigInt(v.post));
  });

  it("a proof with any one word changed, or cut short or lengthened, is refused", () => {
    let tried = 0;
    for (const v of doc.vectors) {
      const w = words(v.proof);
      const env = envFor(v);
      const pre = BigInt(v.pre);
      const post = BigInt(v.post);
      for (let i = 0; i < w.length; i++) {
        const bad = w.slice();
        bad[i] ^= 1n << BigInt((i * 7) % 256);
        let out: bigint | undefined;
        try {
          out = verifyStep(pre, bad, env);
        } catch (e) {
          expect(e, `${v.name} word ${i}: ${(e as Error).message}`).to.be.instanceOf(ProofError);
        }
        // a changed word either fails to prove or proves another state (a status word in a terminal padding step)
        if (out !== undefined) expect(out, `${v.name} word ${i} still proves the post-state`).to.not.equal(post);
        tried++;
      }
      expect(() => verifyStep(pre, w.slice(0, -1), env), `${v.name} cut`).to.throw(ProofError);
      expect(() => verifyStep(pre, [...w, 0n], env), `${v.name} lengthened`).to.throw(ProofError);
    }
    expect(tried).to.be.greaterThan(10_000);
  });

  it("a proof against another pre-state is refused", () => {
    const v = doc.vectors.find((x) => x.kind.startsWith("op-ADD"))!;
    expect(() => verifyStep(BigInt(v.pre) ^ 1n, words(v.proof), envFor(v))).to.throw(ProofError);
  });

  it("covers every opcode, halt, micro-step kind, precompile and terminal status", () => {
    const kinds = new Set(doc.vectors.map((v) => v.kind.replace(/:.*$/, "")));
    const missing: string[] = [];
    const need = (k: string) => {
      if (![...kinds].some((x) => x === k || x.startsWith(k))) missing.push(k);
    };
    for (let op = 0; op < 256; op++) if (opInfo(op)) need(`op-${opName(op)}`);
    for (const k of [
      "halt-invalid-opcode",
      "halt-stack-underflow",
      "halt-stack-overflow",
      "op-JUMP-fail",
      "op-SSTORE-fail",
      "op-RETURNDATACOPY-fail",
      "op-implicit-stop",
      "preamble",
      "acl",
      "start",
      "enter-call",
      "enter-create",
      "enter-call-precompile-4",
      "enter-call-precompile-2",
      "enter-call-precompile-3",
      "unwind-call",
      "unwind-create",
      "unwind-call-top",
      "unwind-create-top",
      "keccak-absorb",
      "keccak-final",
      "keccak-done",
      "initcode-absorb",
      "initcode-final",
      "initcode-done",
      "deposit-absorb",
      "deposit-final",
      "deposit-done",
      "sha256-absorb",
      "sha256-final",
      "sha256-done",
      "ripemd160-absorb",
      "ripemd160-final",
      "ripemd160-done",
      "precompile-input-absorb",
      "precompile-input-final",
      "copy-calldata",
      "copy-code",
      "copy-returndata",
      "copy-memory",
      "copy-memory-backward",
      "settle",
      "pass-b",
      "pass-c",
      "pass-n",
      "pass-s",
      "pass-f",
      "pass-w",
      "pass-b-delete",
      "pass-end",
    ])
      need(k);
    for (const id of [1, 5, 6, 7, 8, 9, 10]) need(`precompile-input-run-${id}`);
    const statuses = new Set(doc.vectors.map((v) => v.kind.split(":")[1]).filter((x) => x !== undefined));
    for (const s of ["ok", "next-mismatch", "fee-output", "withdrawal-output", "undeclared-key", "missing-code", "sender-undeclared", "gas-limit", "intrinsic-gas", "fee-cap", "sender-not-eoa", "insufficient-balance", "nonce", "sweep-overflow"])
      if (!statuses.has(s)) missing.push(`status ${s}`);
    expect(missing, "kinds without a vector").to.deep.equal([]);
  });
});
