/**
 * Positions in the dispute game's tree (docs/protocol.md §11.5.1), twin of contracts/game/lib/Position.sol:
 * generalized indices, the root is 1 and the children of p are 2p and 2p + 1, so p = 2^depth + indexAtDepth.
 * A claim at position p commits to the state after traceIndex(p) + 1 steps; the root (only its status byte)
 * to the state after 2^MAX_DEPTH steps.
 */

/** Depth of the game tree: the trace is padded to 2^26 steps. */
export const MAX_DEPTH = 26;
/** The root's position. */
export const ROOT_POSITION = 1n;

function checkPosition(p: bigint): void {
  if (p < 1n) throw new RangeError(`position must be ≥ 1, got ${p}`);
}

/** floor(log2 p): the depth of position p. */
export function depthOf(p: bigint): number {
  checkPosition(p);
  return p.toString(2).length - 1;
}

/** The index of p among the positions of its depth (0 is leftmost). */
export function indexAtDepth(p: bigint): bigint {
  return p - (1n << BigInt(depthOf(p)));
}

/** The position at (depth, index). */
export function positionAt(depth: number, index: bigint): bigint {
  if (index < 0n || index >= 1n << BigInt(depth)) throw new RangeError(`index ${index} out of depth ${depth}`);
  return (1n << BigInt(depth)) + index;
}

/** The position a move on p creates: an attack is p's left child, a defense the left child of p + 1. */
export function movePosition(p: bigint, isAttack: boolean): bigint {
  checkPosition(p);
  return isAttack ? p << 1n : (p + 1n) << 1n;
}

/** The index of the rightmost leaf (depth maxDepth) below p. */
export function traceIndex(p: bigint, maxDepth = MAX_DEPTH): bigint {
  const rest = BigInt(maxDepth - depthOf(p));
  if (rest < 0n) throw new RangeError(`position ${p} is below depth ${maxDepth}`);
  return ((p << rest) | ((1n << rest) - 1n)) - (1n << BigInt(maxDepth));
}

/** The state a claim at p commits to: S_{traceIndex(p) + 1} (the root: S_{2^maxDepth}). */
export function stateIndex(p: bigint, maxDepth = MAX_DEPTH): bigint {
  return traceIndex(p, maxDepth) + 1n;
}

/** The highest ancestor of p (or p) with the same trace index: p without its trailing ones, at least the root. */
export function traceAncestor(p: bigint): bigint {
  checkPosition(p);
  let a = p;
  while ((a & 1n) === 1n) a >>= 1n;
  return a === 0n ? 1n : a;
}
