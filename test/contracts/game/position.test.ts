/** contracts/game/lib/Position.sol against the shared vectors (test/vectors/game.json), and the root claim. */
import { expect } from "chai";
import * as fs from "fs";
import { ethers } from "hardhat";
import { GAME_VECTOR_FILE } from "../../../scripts/gen-game-vectors";
import type { PositionVector } from "../../../scripts/gen-game-vectors";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployGame } from "../../helpers/game-chain";

describe("Position.sol: shared vectors", () => {
  const v = JSON.parse(fs.readFileSync(GAME_VECTOR_FILE, "utf8")) as { maxDepth: number; rootClaim: string; positions: PositionVector[] };

  it(`${v.positions.length} positions`, async () => {
    const h = await (await ethers.getContractFactory("PositionHarness")).deploy();
    for (const x of v.positions) {
      const p = BigInt(x.position);
      expect(await h.getFunction("depth")(p), `depth ${p}`).to.equal(BigInt(x.depth));
      expect(await h.getFunction("indexAtDepth")(p)).to.equal(BigInt(x.indexAtDepth));
      if (x.traceIndex !== null) expect(await h.getFunction("traceIndex")(p, v.maxDepth), `traceIndex ${p}`).to.equal(BigInt(x.traceIndex));
      expect(await h.getFunction("traceAncestor")(p), `traceAncestor ${p}`).to.equal(BigInt(x.traceAncestor));
      expect(await h.getFunction("move")(p, true)).to.equal(BigInt(x.attack));
      expect(await h.getFunction("move")(p, false)).to.equal(BigInt(x.defend));
    }
  });

  it("the root claim and the depth", async () => {
    const f = await loadFixture(deployGame);
    expect(await f.game.getFunction("ROOT_CLAIM")()).to.equal(v.rootClaim);
    expect(await f.game.getFunction("MAX_DEPTH")()).to.equal(BigInt(v.maxDepth));
  });
});
