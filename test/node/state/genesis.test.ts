/**
 * The node's genesis allocation (node/state/genesis.ts): the predeploys when the deployment committed
 * to them, nothing for a deployment without a genesis commitment, and a refusal to start on a
 * commitment that is not this node's predeploys for the chain.
 */
import { expect } from "chai";
import { bytesToHex, keccak256 } from "../../../core/bytes";
import { genesisCommitment } from "../../../core/genesis";
import { predeployAllocation, predeploys } from "../../../core/predeploys";
import { ConfigError, EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";
import { nodeGenesis } from "../../../node/state/genesis";

const base: Deployment = {
  l1ChainId: 31337n, l2ChainId: 901n, inbox: "0x" + "11".repeat(20), bridge: "0x" + "22".repeat(20), deployedAt: 1,
  challengeWindow: 5n, bondSize: 1n, inclusionDelay: 60n, maxDepositsPerBatch: 256n, minBaseFee: 1n, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
};

describe("node genesis", () => {
  it("the predeploys of the deployment's chain when it committed to them; none for an empty commitment", () => {
    expect(nodeGenesis(base).entries).to.deep.equal([]);
    const c = genesisCommitment(predeployAllocation(901n).entries);
    const g = nodeGenesis({ ...base, genesisRoot: bytesToHex(c.root), genesisCount: BigInt(c.count) });
    expect(g.entries.length).to.equal(c.count);
    // Code by hash: one entry per distinct code (two predeploys may share it).
    expect([...g.codes.keys()].sort()).to.deep.equal([...new Set(predeploys(901n).map((p) => bytesToHex(keccak256(p.code))))].sort());
  });

  it("refuses a commitment that is not its predeploys (another chain id, a wrong count, a non-empty root with no leaves)", () => {
    const c = genesisCommitment(predeployAllocation(901n).entries);
    expect(() => nodeGenesis({ ...base, l2ChainId: 902n, genesisRoot: bytesToHex(c.root), genesisCount: BigInt(c.count) })).to.throw(ConfigError, /not this node's predeploys for chain 902/);
    expect(() => nodeGenesis({ ...base, genesisRoot: bytesToHex(c.root), genesisCount: BigInt(c.count - 1) })).to.throw(ConfigError);
    expect(() => nodeGenesis({ ...base, genesisRoot: bytesToHex(c.root), genesisCount: 0n })).to.throw(ConfigError, /empty tree/);
  });
});
