/**
 * The proof of one step of the step machine (docs/step-machine.md §4) as the one-step verifier
 * (contracts/step/) takes it. The proof itself is core's (core/step/proof.ts `proveStep`: the
 * pre-state's preimage, then every item the step reads, in the order it reads them); this file only
 * lays its words out as the bytes of `step(pre, proof)`.
 */
export { proveStep, type StepProof } from "../core/step/proof";

/** The proof as bytes (32 bytes a word), as the verifier's `step(pre, proof)` takes it. */
export function proofBytes(words: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * 32);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => {
    for (let k = 0; k < 4; k++) dv.setBigUint64(i * 32 + k * 8, (w >> BigInt(192 - 64 * k)) & 0xffffffffffffffffn);
  });
  return out;
}
