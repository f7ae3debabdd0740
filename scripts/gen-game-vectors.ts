/**
 * Shared vectors of the dispute game's position arithmetic (core/game/position.ts and its Solidity twin
 * contracts/game/lib/Position.sol), and the root claim.
 *
 *   npx ts-node --transpile-only scripts/gen-game-vectors.ts
 *
 * writes test/vectors/game.json. test/core/game/position.test.ts re-derives it from the core (and fails until it is
 * regenerated on purpose); test/contracts/game/position.test.ts runs it through contracts/test/PositionHarness.sol.
 * Positions are decimal strings.
 */
import * as fs from "fs";
import * as path from "path";
import { MAX_DEPTH, ROOT_CLAIM, STATUS_OK, STATUS_RUNNING, depthOf, indexAtDepth, movePosition, traceAncestor, traceIndex } from "../core/game";
import { VECTOR_DIR, serialize } from "./gen-vectors";

export interface PositionVector {
  position: string;
  depth: number;
  indexAtDepth: string;
  /** Trace index at the game's depth (MAX_DEPTH); null below it. */
  traceIndex: string | null;
  traceAncestor: string;
  attack: string;
  defend: string;
}

/** Every position of depth ≤ 4, the edges of every depth up to 27, and a fixed spread at depths 20 … 26. */
export function positions(): bigint[] {
  const out = new Set<bigint>();
  for (let p = 1n; p < 32n; p++) out.add(p);
  for (let d = 0; d <= MAX_DEPTH + 1; d++) {
    const base = 1n << BigInt(d);
    for (const i of [0n, 1n, 2n, base / 2n - 1n, base / 2n, base - 2n, base - 1n]) if (i >= 0n && i < base) out.add(base + i);
  }
  let x = 0x9e3779b97f4a7c15n;
  for (let d = 20; d <= MAX_DEPTH; d++) {
    for (let k = 0; k < 4; k++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      out.add((1n << BigInt(d)) + (x % (1n << BigInt(d))));
    }
  }
  return [...out].sort((a, b) => (a < b ? -1 : 1));
}

export function positionVector(p: bigint): PositionVector {
  const d = depthOf(p);
  return {
    position: p.toString(),
    depth: d,
    indexAtDepth: indexAtDepth(p).toString(),
    traceIndex: d <= MAX_DEPTH ? traceIndex(p, MAX_DEPTH).toString() : null,
    traceAncestor: traceAncestor(p).toString(),
    attack: movePosition(p, true).toString(),
    defend: movePosition(p, false).toString(),
  };
}

export function buildGameVectors() {
  return {
    description:
      "Dispute game positions (generalized indices): depth, index at depth, trace index at depth 26 (the claim commits to S_{traceIndex+1}), trace ancestor, and the positions an attack and a defense create. Also the root claim and the status bytes.",
    maxDepth: MAX_DEPTH,
    rootClaim: ROOT_CLAIM,
    status: { running: STATUS_RUNNING, ok: STATUS_OK },
    positions: positions().map(positionVector),
  };
}

export const GAME_VECTOR_FILE = path.join(VECTOR_DIR, "game.json");

if (require.main === module) {
  fs.writeFileSync(GAME_VECTOR_FILE, serialize(buildGameVectors()));
  console.log(`wrote ${path.relative(process.cwd(), GAME_VECTOR_FILE)}`);
}
