/**
 * The rules of honest play in the dispute game (docs/protocol.md §11.5.7), as a pure function: a game as L1 shows
 * it and the player's trace in, the moves an honest player makes out. No I/O. Optimism's op-challenger rules,
 * on this game's positions:
 *
 *   * The player agrees with a claim iff the claim equals its trace at the claim's position (at the root: the
 *     status byte of the last state).
 *   * Honest claims: the root if agreed, and every claim the honest strategy makes (whoever made it: a claim
 *     equal in parent, position and value is the same claim). Honest claims are never countered, so the player
 *     never moves against its own claims, nor against another honest player's.
 *   * A claim is countered iff it is the root and disagreed; or it answers an honest claim; or it answers a claim
 *     the player countered and lies at or left of the player's counter (else it would take that claim's bond at
 *     resolution, the leftmost standing child being paid).
 *   * Countering: a disagreed claim is attacked, an agreed one (which answers an honest claim) defended; a leaf is
 *     countered by a step: attack steps S_k → S_{k+1} to refute a disagreed leaf, defense steps from an agreed leaf.
 *     A step is proposed only when the trace shows it refutes the leaf and opens its pre-state.
 *   * A move is proposed only while the mover's clock runs, and never twice (a duplicate of an existing claim).
 *   * Every claim whose clock has run out and whose children are resolved (or resolved before it in the same
 *     list) is resolved, deepest first, the root last: resolution is a public good and ends the game.
 */
import { canAnswer, challengerDuration, depthOf, indexAtDepth, movePosition, stateIndex, statusOf, traceAncestor, type ClockParams } from "../../core/game";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** One claim as L1 shows it (IDisputeGame.ClaimData); hex strings lower-case. */
export interface GameClaim {
  parentIndex: number; // −1 for the root
  position: bigint;
  value: string;
  claimant: string;
  counteredBy: string; // ZERO_ADDRESS if none
  bond: bigint;
  duration: bigint;
  timestamp: bigint;
  resolved: boolean;
}

export interface GameParams extends ClockParams {
  maxDepth: number;
  /** bonds[d] is the bond of depth d (bonds[0] unused). */
  bonds: readonly bigint[];
}

export interface GameView {
  status: "open" | "challenger-won" | "defender-won";
  absolutePrestate: string;
  claims: readonly GameClaim[];
  /** The L1 time the moves will (at the earliest) be made at: the confirmed head's timestamp. */
  now: bigint;
  params: GameParams;
}

/** The player's trace: the hash of S_k for 0 ≤ k ≤ 2^maxDepth. */
export interface TraceOracle {
  stateAt(k: bigint): string;
}

export type GameAction =
  | { type: "move"; parentIndex: number; disputed: string; value: string; isAttack: boolean; position: bigint; bond: bigint }
  /** Refutes leaf `claimIndex` by the step S_k → S_{k+1}, k = `preStateIndex`. */
  | { type: "step"; claimIndex: number; isAttack: boolean; preStateIndex: bigint }
  | { type: "resolve"; claimIndex: number };

export interface SolverOptions {
  /** The player's address: a claim it made is never countered, whatever the trace says. */
  self?: string;
}

const key = (parentIndex: number, position: bigint, value: string) => `${parentIndex}/${position}/${value.toLowerCase()}`;

/** Whether the trace agrees with claim `c`. */
export function agrees(c: GameClaim, trace: TraceOracle, maxDepth: number): boolean {
  const mine = trace.stateAt(stateIndex(c.position, maxDepth));
  if (c.parentIndex < 0) return statusOf(mine) === statusOf(c.value);
  return mine.toLowerCase() === c.value.toLowerCase();
}

/** The value the honest player claims when it disputes a transaction: S_{2^(maxDepth−1)}, the attack on the root. */
export function openingClaim(trace: TraceOracle, maxDepth: number): string {
  return trace.stateAt(stateIndex(2n, maxDepth));
}

/**
 * Whether the honest player disputes a transaction whose trace is `trace`: its machine does not end ok. It can only
 * while the batch's challenge window is open (core/game disputeOpen; L1 refuses later games, §11.5.2).
 */
export function shouldDispute(trace: TraceOracle, maxDepth: number, rootClaim: string): boolean {
  return statusOf(trace.stateAt(1n << BigInt(maxDepth))) !== statusOf(rootClaim);
}

export function solveGame(g: GameView, trace: TraceOracle, o: SolverOptions = {}): GameAction[] {
  if (g.status !== "open" || g.claims.length === 0) return [];
  const { maxDepth, bonds } = g.params;
  const self = o.self?.toLowerCase();
  const claims = g.claims;
  const agreeCache = new Map<number, boolean>();
  const agree = (i: number) => {
    let a = agreeCache.get(i);
    if (a === undefined) agreeCache.set(i, (a = agrees(claims[i], trace, maxDepth)));
    return a;
  };

  // Existing claims by (parent, position, value), and each claim's children.
  const existing = new Map<string, number>();
  const kids: number[][] = claims.map(() => []);
  claims.forEach((c, i) => {
    existing.set(key(c.parentIndex, c.position, c.value), i);
    if (c.parentIndex >= 0) kids[c.parentIndex].push(i);
  });

  // Honest claims (by key, whether or not made yet) and, per countered claim, the honest counter's position.
  const honest = new Set<string>();
  const honestCounter = new Map<number, bigint>();
  const isHonest = (i: number) => honest.has(key(claims[i].parentIndex, claims[i].position, claims[i].value));
  const hasHonestChild = (i: number) => kids[i].some(isHonest);
  if (agree(0)) honest.add(key(-1, claims[0].position, claims[0].value));

  const shouldCounter = (i: number): boolean => {
    const c = claims[i];
    if (isHonest(i)) return false;
    if (self !== undefined && c.claimant.toLowerCase() === self) return false;
    if (c.parentIndex < 0) return true;
    if (isHonest(c.parentIndex)) return !hasHonestChild(i);
    const counter = honestCounter.get(c.parentIndex);
    if (counter === undefined) return false;
    return indexAtDepth(c.position) <= indexAtDepth(counter) && !hasHonestChild(i);
  };

  const out: GameAction[] = [];
  const now = g.now;
  for (let i = 0; i < claims.length; i++) {
    const c = claims[i];
    if (!shouldCounter(i)) continue;
    const open = canAnswer(claims, i, now, g.params);
    if (depthOf(c.position) === maxDepth) {
      if (c.counteredBy !== ZERO_ADDRESS) continue;
      const s = stepFor(g, trace, i, agree(i));
      if (s && open) out.push(s);
      continue;
    }
    const isAttack = !agree(i);
    const position = movePosition(c.position, isAttack);
    const value = trace.stateAt(stateIndex(position, maxDepth));
    honest.add(key(i, position, value));
    honestCounter.set(i, position);
    if (existing.has(key(i, position, value)) || !open) continue;
    out.push({ type: "move", parentIndex: i, disputed: c.value, value, isAttack, position, bond: bonds[depthOf(position)] });
  }

  out.push(...resolutions(g));
  return out;
}

/** The step that refutes leaf `i` by the player's trace, if the trace shows one. */
function stepFor(g: GameView, trace: TraceOracle, i: number, agreeLeaf: boolean): GameAction | undefined {
  const { claims } = g;
  const leaf = claims[i];
  const k = indexAtDepth(leaf.position);
  if (!agreeLeaf) {
    // Attack: S_k → S_{k+1}; the pre-state is S_0 (k = 0) or the claim at the trace ancestor of the leaf's left
    // neighbour, and it must be the trace's S_k for the player to open it.
    const pre = k === 0n ? g.absolutePrestate : claims[ancestor(claims, leaf.position - 1n, leaf.parentIndex)].value;
    if (pre.toLowerCase() !== trace.stateAt(k).toLowerCase()) return undefined;
    return { type: "step", claimIndex: i, isAttack: true, preStateIndex: k };
  }
  // Defense: S_{k+1} (the agreed leaf) → S_{k+2}, against the claim at the trace ancestor of the right neighbour.
  const postIndex = ancestor(claims, leaf.position + 1n, leaf.parentIndex);
  const post = claims[postIndex];
  const mine = trace.stateAt(k + 2n);
  const matches = postIndex === 0 ? statusOf(mine) === statusOf(post.value) : mine.toLowerCase() === post.value.toLowerCase();
  const sameSide = (depthOf(leaf.position) - depthOf(post.position)) % 2 === 0;
  if (sameSide === matches) return undefined;
  return { type: "step", claimIndex: i, isAttack: false, preStateIndex: k + 1n };
}

/** The claim at the trace ancestor of `pos` among the ancestors of claim `start` (DisputeGame._ancestor). */
export function ancestor(claims: readonly GameClaim[], pos: bigint, start: number): number {
  const target = traceAncestor(pos);
  let i = start;
  while (i >= 0 && claims[i].position !== target) i = claims[i].parentIndex;
  if (i < 0) throw new Error(`no claim at position ${target} above claim ${start}`);
  return i;
}

/**
 * The claims that can be resolved now, in an order that works when sent in sequence: a claim whose clock ran
 * out once its children are resolved (or come before it in this list); children have higher indices than their
 * parents, so descending index order is bottom-up.
 */
export function resolutions(g: GameView): GameAction[] {
  if (g.status !== "open") return [];
  const { claims } = g;
  const done = claims.map((c) => c.resolved);
  const kids: number[][] = claims.map(() => []);
  claims.forEach((c, i) => {
    if (c.parentIndex >= 0) kids[c.parentIndex].push(i);
  });
  const out: GameAction[] = [];
  for (let i = claims.length - 1; i >= 0; i--) {
    if (done[i]) continue;
    if (challengerDuration(claims, i, g.now, g.params) < g.params.maxClockDuration) continue;
    if (!kids[i].every((k) => done[k])) continue;
    done[i] = true;
    out.push({ type: "resolve", claimIndex: i });
  }
  return out;
}

/**
 * The outcome resolution will give, computed from the claims as they stand (each claim countered iff a child
 * stands, the leftmost standing child being paid; a leaf countered iff stepped). For `moveset games` and tests.
 */
export function projectedWinner(claims: readonly GameClaim[]): { rootCountered: boolean; payees: string[] } {
  const kids: number[][] = claims.map(() => []);
  claims.forEach((c, i) => {
    if (c.parentIndex >= 0) kids[c.parentIndex].push(i);
  });
  const counteredBy: string[] = claims.map((c) => c.counteredBy);
  const payees: string[] = claims.map(() => ZERO_ADDRESS);
  for (let i = claims.length - 1; i >= 0; i--) {
    if (kids[i].length > 0) {
      let best: number | undefined;
      for (const k of kids[i]) if (counteredBy[k] === ZERO_ADDRESS && (best === undefined || claims[k].position < claims[best].position)) best = k;
      counteredBy[i] = best === undefined ? ZERO_ADDRESS : claims[best].claimant;
    }
    payees[i] = counteredBy[i] === ZERO_ADDRESS ? claims[i].claimant : counteredBy[i];
  }
  return { rootCountered: counteredBy[0] !== ZERO_ADDRESS, payees };
}
