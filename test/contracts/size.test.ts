/**
 * Contract size budget: every deployable contract under contracts/ (test helpers excepted) stays under 22 KB of
 * runtime code, well below EIP-170's 24 KB; the provers share their decoder (contracts/lib/Decoders.sol, a
 * linked library) instead of each carrying it, and the deployment links exactly the libraries each contract
 * calls. The one-step verifier's contracts (contracts/step/) are among those measured.
 */
import { expect } from "chai";
import hre from "hardhat";
import { LINKED_LIBRARIES, PROVERS } from "../../deploy/Moveset";
import { VERIFIER_CONTRACTS } from "../../prover/osp-check";

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
    const measured = sizes.map(([n]) => n.split(":")[1]);
    expect(measured).to.include("DisputeGame");
    for (const p of PROVERS) expect(measured).to.include(p as string);
    expect(measured).to.include("Decoders");
    // the one-step verifier: its entry, the five families, step 0's contract and the code registry
    for (const c of VERIFIER_CONTRACTS) expect(measured).to.include(c as string);
    for (const [n, size] of sizes) expect(size, n).to.be.lessThan(BUDGET);
  });

  it("the deployment links exactly the libraries each contract calls (the compiled link references)", async () => {
    const names = await hre.artifacts.getAllFullyQualifiedNames();
    const links: Record<string, string[]> = {};
    for (const n of names) {
      if (n.startsWith("contracts/test/") || !n.startsWith("contracts/")) continue;
      const a = await hre.artifacts.readArtifact(n);
      const libs = Object.values(a.linkReferences).flatMap((byName) => Object.keys(byName));
      if (libs.length) links[a.contractName] = libs.sort();
    }
    expect(links).to.deep.equal(Object.fromEntries(Object.entries(LINKED_LIBRARIES).map(([k, v]) => [k, [...v].sort()])));
    // The provers that decode wrapped transactions are the ones linked.
    expect(Object.keys(links).sort()).to.deep.equal(["MalformedProver", "RulesProver", "SignatureProver"]);
  });
});
