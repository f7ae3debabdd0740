/**
 * A solver's game action (node/watchtower/game-solver.ts) as the L1 transaction(s) that make it: a move or a
 * resolution is one call; a step is a commitment to its proof, then (in a later block) the step revealing it
 * (DisputeGame's commit-then-reveal); a dispute likewise. Pure: calldata out, no I/O.
 */
import { headerToAbi } from "../../core/batch";
import { gameInterface } from "../l1/contracts";
import { commitmentOf } from "../../prover/build";
import type { GameAction } from "./game-solver";
import { disputeProofHash, stepProofHash, type DisputeArgs } from "./game-l1";

/** What proves a step: the proof from the player's trace. */
export interface StepProver {
  proofAt(k: bigint): { proof: string };
}

/** One call, or a commitment then a reveal. */
export type ActionCalls =
  | { kind: "call"; data: string; value: bigint }
  | { kind: "reveal"; proofHash: string; value: bigint; commitData: (who: string, salt: string) => string; revealData: (salt: string) => string };

/** The call(s) that make action `a` in game `gameId`. */
export function actionCalls(gameId: bigint, a: GameAction, prover: StepProver): ActionCalls {
  const g = gameInterface();
  switch (a.type) {
    case "move":
      return { kind: "call", data: g.encodeFunctionData("move", [gameId, a.parentIndex, a.disputed, a.value, a.isAttack]), value: a.bond };
    case "resolve":
      return { kind: "call", data: g.encodeFunctionData("resolveClaim", [gameId, a.claimIndex, 0]), value: 0n };
    case "step": {
      const { proof } = prover.proofAt(a.preStateIndex);
      const proofHash = stepProofHash(gameId, a.claimIndex, a.isAttack, proof);
      return {
        kind: "reveal",
        proofHash,
        value: 0n,
        commitData: (who, salt) => g.encodeFunctionData("commit", [commitmentOf(who, proofHash, salt)]),
        revealData: (salt) => g.encodeFunctionData("step", [gameId, a.claimIndex, a.isAttack, proof, salt]),
      };
    }
  }
}

/** The calls of a dispute: a commitment to (header, transaction proof, claim), then the dispute with bond(1). */
export function disputeCalls(d: DisputeArgs, bond: bigint, holdHint: bigint): Extract<ActionCalls, { kind: "reveal" }> {
  const g = gameInterface();
  const proofHash = disputeProofHash(d);
  return {
    kind: "reveal",
    proofHash,
    value: bond,
    commitData: (who, salt) => g.encodeFunctionData("commit", [commitmentOf(who, proofHash, salt)]),
    revealData: (salt) => g.encodeFunctionData("dispute", [headerToAbi(d.header), d.proof, d.claim, holdHint, salt]),
  };
}

/** A stable name of an action, for the player's store (a move is named by what it claims, a step by its leaf). */
export function actionKey(gameId: bigint, a: GameAction): string {
  switch (a.type) {
    case "move":
      return `${gameId}/move/${a.parentIndex}/${a.position}/${a.value.toLowerCase()}`;
    case "step":
      return `${gameId}/step/${a.claimIndex}/${a.isAttack ? "attack" : "defend"}`;
    case "resolve":
      return `${gameId}/resolve/${a.claimIndex}`;
  }
}
