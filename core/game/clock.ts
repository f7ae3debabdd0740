/**
 * The chess clocks of the dispute game (docs/protocol.md §11.5.3), twin of DisputeGame's clock arithmetic.
 * Each claim records the seconds its claimant's side had used when it was made (`duration`) and when it was made
 * (`timestamp`). The side that would answer claim c has used duration(parent of c) + (now − c.timestamp).
 */
import { MAX_DEPTH } from "./position";

export interface ClockParams {
  maxClockDuration: bigint;
  clockExtension: bigint;
}

/** What the clock arithmetic reads of a claim. */
export interface ClockedClaim {
  parentIndex: number;
  duration: bigint;
  timestamp: bigint;
}

/** Seconds used by the side that would answer claim `i` at time `now`, capped at the maximum. */
export function challengerDuration(claims: readonly ClockedClaim[], i: number, now: bigint, p: ClockParams): bigint {
  const c = claims[i];
  const parentUsed = c.parentIndex < 0 ? 0n : claims[c.parentIndex].duration;
  const used = parentUsed + (now - c.timestamp);
  return used > p.maxClockDuration ? p.maxClockDuration : used;
}

/** Whether claim `i` can still be answered (moved on or stepped) at `now`. */
export function canAnswer(claims: readonly ClockedClaim[], i: number, now: bigint, p: ClockParams): boolean {
  return challengerDuration(claims, i, now, p) < p.maxClockDuration;
}

/**
 * The `duration` recorded for a new claim at `depth` made by a side that has used `used` seconds: a side left with
 * less than the extension gets the extension back for its next move (twice it before a step, at depth maxDepth − 1).
 */
export function nextDuration(used: bigint, depth: number, p: ClockParams, maxDepth = MAX_DEPTH): bigint {
  const ext = depth === maxDepth - 1 ? 2n * p.clockExtension : p.clockExtension;
  return used > p.maxClockDuration - ext ? p.maxClockDuration - ext : used;
}

/**
 * Whether a game may open on a batch posted at `postedAt` (docs/protocol.md §11.5.2, DisputeGame's
 * `ChallengeWindowClosed`): only within the batch's challenge window.
 */
export function disputeOpen(postedAt: bigint, challengeWindow: bigint, now: bigint): boolean {
  return now < postedAt + challengeWindow;
}

/** Seconds after its creation by which every claim of a game can be resolved (§11.5.3): 2 × maxClockDuration + (maxDepth + 1) × clockExtension. */
export function gameBound(p: ClockParams, maxDepth = MAX_DEPTH): bigint {
  return 2n * p.maxClockDuration + BigInt(maxDepth + 1) * p.clockExtension;
}

/**
 * The latest time at which a batch posted at `postedAt` is final once its games are resolved (§11.5.6): every game
 * holding it opened within its challenge window, and ends within one game's bound.
 */
export function finalAtLatest(postedAt: bigint, challengeWindow: bigint, p: ClockParams, maxDepth = MAX_DEPTH): bigint {
  return postedAt + challengeWindow + gameBound(p, maxDepth);
}
