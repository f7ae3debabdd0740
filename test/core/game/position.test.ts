/**
 * Dispute game positions (core/game/position.ts): the shared vectors re-derived from the core (regenerate on
 * purpose: npx ts-node --transpile-only scripts/gen-game-vectors.ts), and the bisection geometry the game relies on.
 */
import { expect } from "chai";
import * as fs from "fs";
import { MAX_DEPTH, depthOf, indexAtDepth, movePosition, positionAt, stateIndex, traceAncestor, traceIndex } from "../../../core/game";
import { ancestor, type GameClaim } from "../../../node/watchtower/game-solver";
import { GAME_VECTOR_FILE, buildGameVectors } from "../../../scripts/gen-game-vectors";
import { rng } from "../../../bench/rng";

const claim = (position: bigint, parentIndex: number): GameClaim => ({ parentIndex, position, value: "0x", claimant: "", counteredBy: "", bond: 0n, duration: 0n, timestamp: 0n, resolved: false });

describe("game positions", () => {
  it("test/vectors/game.json is what the core computes", () => {
    expect(JSON.parse(fs.readFileSync(GAME_VECTOR_FILE, "utf8"))).to.deep.equal(JSON.parse(JSON.stringify(buildGameVectors())));
  });

  it("refuses positions that do not exist", () => {
    expect(() => depthOf(0n)).to.throw(RangeError);
    expect(() => traceIndex(1n << 27n, MAX_DEPTH)).to.throw(RangeError);
    expect(() => positionAt(3, 8n)).to.throw(RangeError);
    expect(positionAt(3, 7n)).to.equal(15n);
  });

  it("the root commits to the end of the trace, and only the root does", () => {
    expect(stateIndex(1n)).to.equal(1n << 26n);
    for (let d = 1; d <= MAX_DEPTH; d++) {
      expect(stateIndex(movePosition(positionAt(d - 1, (1n << BigInt(d - 1)) - 1n), true))).to.be.lessThan(1n << 26n);
    }
  });

  it("bisects: an attack commits to the middle of the left half, a defense of the right half", () => {
    const r = rng(3);
    for (let n = 0; n < 2000; n++) {
      const d = Math.floor(r() * MAX_DEPTH);
      const p = positionAt(d, BigInt(Math.floor(r() * 2 ** Math.min(d, 52))) % (1n << BigInt(d)));
      if (p !== 1n && p % 2n === 1n) continue; // claims other than the root are left children
      const half = 1n << BigInt(MAX_DEPTH - d - 1);
      expect(stateIndex(movePosition(p, true))).to.equal(stateIndex(p) - half);
      if (p !== 1n) expect(stateIndex(movePosition(p, false))).to.equal(stateIndex(p) + half);
      expect(traceIndex(traceAncestor(p))).to.equal(traceIndex(p));
      expect(indexAtDepth(movePosition(p, true))).to.equal(2n * indexAtDepth(p));
    }
  });

  /**
   * Every leaf a game can reach: the root is attacked, then each claim attacked or defended. A step on the leaf
   * needs, among the leaf's ancestors, the claim of S_k (unless k = 0: S_0 is computed on L1) and that of S_{k+2}.
   */
  function checkPath(moves: boolean[]) {
    const claims: GameClaim[] = [claim(1n, -1)];
    let pos = 1n;
    for (const isAttack of moves) {
      pos = movePosition(pos, isAttack);
      claims.push(claim(pos, claims.length - 1));
    }
    const leaf = claims.length - 1;
    const k = indexAtDepth(pos);
    if (k > 0n) expect(stateIndex(claims[ancestor(claims, pos - 1n, claims[leaf].parentIndex)].position)).to.equal(k);
    const post = claims[ancestor(claims, pos + 1n, claims[leaf].parentIndex)].position;
    expect(post === 1n ? 1n << BigInt(MAX_DEPTH) : stateIndex(post)).to.equal(k + 2n);
  }

  it("the pre- and post-states of every step are claims on the leaf's path (all paths of depth 26 from 2^12 prefixes × random tails)", () => {
    const r = rng(11);
    for (let prefix = 0; prefix < 1 << 12; prefix++) {
      const moves = [true];
      for (let i = 0; i < 12; i++) moves.push(((prefix >> i) & 1) === 1);
      while (moves.length < MAX_DEPTH) moves.push(r() < 0.5);
      checkPath(moves);
    }
    checkPath(Array(MAX_DEPTH).fill(true));
    checkPath([true, ...Array(MAX_DEPTH - 1).fill(false)]);
  });
});
