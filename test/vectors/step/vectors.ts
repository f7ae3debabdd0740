/**
 * The shared step vectors (steps.json, written by scripts/gen-step-vectors.ts), as the TypeScript
 * (test/core/step/proof.test.ts) and Solidity (test/contracts/step/vectors.test.ts) tests read them.
 */
import * as fs from "fs";
import * as path from "path";

export interface StepVector {
  name: string;
  kind: string;
  source: string;
  step: number;
  pre: string;
  post: string;
  /** The proof: its 32-byte words, concatenated. */
  proof: string;
  /** Code hashes the step reads from the registry (bytes under `codes`). */
  codes: string[];
  /** Availability by carrier of the hashes the step asks about. */
  carried: Record<string, boolean>;
}

export interface StepVectors {
  codes: Record<string, string>;
  vectors: StepVector[];
}

export const STEP_VECTORS_FILE = path.join(__dirname, "steps.json");

export function loadStepVectors(): StepVectors {
  return JSON.parse(fs.readFileSync(STEP_VECTORS_FILE, "utf8")) as StepVectors;
}
