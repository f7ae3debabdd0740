/**
 * Contract size budget: every deployable contract under contracts/ (test helpers excepted) stays under 22 KB of
 * runtime code, well below EIP-170's 24 KB.
 */
import { expect } from "chai";
import hre from "hardhat";

const BUDGET = 22 * 1024;

describe("contract sizes", () => {
  it(`every contract is under ${BUDGET} bytes`, async () => {
    const names = await hre.artifacts.getAllFullyQualifiedNames();
    const sizes: Array<[string, number]> = [];
    for (const n of names) {
      if (n.startsWith("contracts/test/") || !n.startsWith("contracts/")) continue;
      const a = await hre.artifacts.readArtifact(n);
      const size = (a.deployedBytecode.length - 2) / 2;
      if (size > 0) sizes.push([n, size]);
    }
    expect(sizes.map(([n]) => n)).to.include("contracts/game/DisputeGame.sol:DisputeGame");
    for (const [n, size] of sizes) expect(size, n).to.be.lessThan(BUDGET);
  });
});
