/**
 * Bonds per depth of the dispute game (docs/protocol.md §11.5.4). A claim at depth d < maxDepth is answered by a
 * move, a leaf (depth maxDepth) by a step; whoever answers also pays for the two resolutions (its own claim's and
 * the answered one's). So at the assumed L1 gas price:
 *
 *   bond(d) ≥ gasPrice × (moveGas + 2 × resolveGas)     for d < maxDepth
 *   bond(maxDepth) ≥ gasPrice × (stepGas + 2 × resolveGas)
 *
 * and a lie never costs its maker less than its answer costs the other side. Between the two ends the bonds grow
 * geometrically, so answering a claim never locks more than `ratio` times its bond (the contract checks ≤ 2).
 */
import { MAX_DEPTH } from "./position";

export interface BondCosts {
  /** The L1 gas price the bonds are sized for (wei). */
  gasPrice: bigint;
  /** Gas of the most expensive move. */
  moveGas: bigint;
  /** Gas of the most expensive step (commit and reveal). */
  stepGas: bigint;
  /** Gas of resolving one claim. */
  resolveGas: bigint;
}

/** Bonds of depths 1 … maxDepth (index 0 is depth 1). */
export function bondSchedule(c: BondCosts, maxDepth = MAX_DEPTH): bigint[] {
  const low = c.gasPrice * (c.moveGas + 2n * c.resolveGas);
  const high = c.gasPrice * (c.stepGas + 2n * c.resolveGas);
  if (low <= 0n) throw new RangeError("bonds must be positive");
  if (high < low) throw new RangeError("a step costs less than a move: bonds would decrease");
  const out: bigint[] = [];
  // bond(d) = ceil(low × (high/low)^((d−1)/(maxDepth−1))): the exponent is fractional, so compute the ratio in
  // floating point and round up; the last bond is `high` exactly. Rounding only raises bonds (the rule is a floor).
  const ratio = Math.pow(Number(high) / Number(low), 1 / (maxDepth - 1));
  for (let d = 1; d <= maxDepth; d++) {
    if (d === maxDepth) out.push(high);
    else {
      const b = BigInt(Math.ceil(Number(low) * Math.pow(ratio, d - 1)));
      out.push(b < low ? low : b > high ? high : b);
    }
  }
  checkBondSchedule(out, maxDepth);
  return out;
}

/** The contract's rule: one bond per depth, nonzero, < 2^96, non-decreasing, each at most twice the one above it. */
export function checkBondSchedule(bonds: readonly bigint[], maxDepth = MAX_DEPTH): void {
  if (bonds.length !== maxDepth) throw new RangeError(`need ${maxDepth} bonds, got ${bonds.length}`);
  bonds.forEach((b, i) => {
    if (b <= 0n || b >= 1n << 96n) throw new RangeError(`bond of depth ${i + 1} out of range: ${b}`);
    if (i > 0 && (b < bonds[i - 1] || b > 2n * bonds[i - 1])) throw new RangeError(`bond of depth ${i + 1} (${b}) must be within [1, 2] × depth ${i}'s (${bonds[i - 1]})`);
  });
}

/**
 * The gas a deployment sizes its bonds for (docs/protocol.md §11.5.4): the most expensive move, a step (the verifier's
 * worst case, L1's per-transaction cap, plus the game's own work) and resolving one claim.
 */
export const GAME_GAS = { moveGas: 210_000n, stepGas: (1n << 24n) + 50_000n, resolveGas: 75_000n } as const;

/** The bonds of depths 1 … MAX_DEPTH for an assumed L1 gas price (wei per gas), at GAME_GAS. */
export function bondsForGasPrice(gasPrice: bigint, maxDepth = MAX_DEPTH): bigint[] {
  return bondSchedule({ gasPrice, ...GAME_GAS }, maxDepth);
}
