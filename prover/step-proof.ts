/**
 * The proof of one step of the step machine (docs/step-machine.md §4), as the one-step verifier
 * (contracts/step/) reads it: the pre-state's preimage, then every item the step reads, in the order
 * it reads them. The step semantics (core/step/interp.ts) run on a private copy of the machine with a
 * Recorder and the stack and memory hooks attached, so the proof is exactly what the step touched.
 */
import { Machine, Recorder, openingWords } from "../core/step/machine";
import { ConsStack } from "../core/step/stack";
import { Mem } from "../core/step/mem";
import { step } from "../core/step/interp";
import { ZERO } from "../core/step/words";
import { Status } from "../core/step/types";

export interface StepProof {
  /** The state hash before the step. */
  pre: bigint;
  /** The proof's words. */
  words: bigint[];
  /** The state hash after the step. */
  post: bigint;
}

/** The proof of the step from `m` (which is left unchanged). */
export function proveStep(m: Machine): StepProof {
  const c = m.clone();
  (c as unknown as { lazyHash: boolean }).lazyHash = false;
  const pre = c.hash();
  const rec = new Recorder();
  rec.emit(BigInt(c.status_));
  if (c.status_ === Status.Running) rec.emit(...c.stateFields());
  else rec.emit(c.txcHash(), ZERO, ZERO, ZERO, ZERO, ZERO);
  c.rec = rec;
  const stackHook = ConsStack.hook;
  const memHook = Mem.hook;
  ConsStack.hook = (s, k) => rec.emit(...s.items(k), s.hashBelow(k));
  Mem.hook = (mem, w) => rec.emit(...openingWords(mem.readWord(w), mem.siblings(w)));
  try {
    step(c);
  } finally {
    ConsStack.hook = stackHook;
    Mem.hook = memHook;
    c.rec = null;
  }
  return { pre, words: rec.words, post: c.hash() };
}

/** The proof as bytes (32 bytes a word), as the verifier's `step(pre, proof)` takes it. */
export function proofBytes(words: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * 32);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => {
    for (let k = 0; k < 4; k++) dv.setBigUint64(i * 32 + k * 8, (w >> BigInt(192 - 64 * k)) & 0xffffffffffffffffn);
  });
  return out;
}
