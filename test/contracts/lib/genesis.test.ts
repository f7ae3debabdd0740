/**
 * contracts/lib/Genesis.sol against test/vectors/genesis.json (the core's, test/core/genesis.test.ts),
 * through contracts/test/CoreHarness.sol: leaf hashes, every query's verdict and value, the empty
 * allocation; and the module's default commitment (the Inbox's for chain 901) is the predeploys'.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import type { CoreHarness } from "../../../typechain-types";
import { genesisParameters } from "../../../deploy/Moveset";

type KeyJ = { addr: string; mark: number; slot: string };
type LeafJ = KeyJ & { index: number; value: string; siblings: string[] };
interface V {
  tag: string;
  allocation: { leaves: (KeyJ & { value: string; hash: string })[]; root: string; count: number };
  queries: { name: string; key: KeyJ; proof: LeafJ[]; shown: boolean; value: string }[];
  empty: { root: string; count: number; key: KeyJ; shown: boolean };
  predeploys901: { root: string; count: number };
}

describe("Genesis (Solidity) against the shared vectors", () => {
  const v = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "vectors", "genesis.json"), "utf8")) as V;
  let h: CoreHarness;
  before(async () => {
    h = (await (await hre.ethers.getContractFactory("CoreHarness")).deploy()) as unknown as CoreHarness;
  });

  it("leaf hashes", async () => {
    for (const l of v.allocation.leaves) expect(await h.genesisLeaf(l.addr, l.mark, l.slot, l.value)).to.equal(l.hash);
  });

  it("every query: shown or not, and the value", async () => {
    const { root, count } = v.allocation;
    for (const q of v.queries) {
      const proof = q.proof.map((l) => ({ index: l.index, addr: l.addr, mark: l.mark, slot: l.slot, value: l.value, siblings: l.siblings }));
      const [shown, value] = await h.genesisValue(root, count, q.key.addr, q.key.mark, q.key.slot, proof);
      expect(shown, q.name).to.equal(q.shown);
      expect(value, q.name).to.equal(BigInt(q.value));
    }
    const e = v.empty;
    expect((await h.genesisValue(e.root, e.count, e.key.addr, e.key.mark, e.key.slot, []))[0]).to.equal(e.shown);
  });

  it("the deployment module's default genesis commitment is the predeploys' for chain 901", () => {
    const g = genesisParameters(901n);
    expect(g.genesisRoot).to.equal(v.predeploys901.root);
    expect(g.genesisCount).to.equal(BigInt(v.predeploys901.count));
  });
});
