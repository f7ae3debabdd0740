/**
 * The worst case of every one-step proof (bench/proof-gas.ts): the largest transactions the limits of
 * protocol.md §5.5 allow, shaped to make each prover work hardest, are posted and proven on this
 * test process's Hardhat network with the production contracts; every proof rolls its batch back
 * within L1's 2^24 gas cap (EIP-7825), counting the EIP-7623 calldata floor.
 */
import { expect } from "chai";
import hre from "hardhat";
import { measureProofGasMax, L1_TX_GAS_CAP } from "../../bench/proof-gas";
import { BYZANTINE_KINDS } from "../../node/devnet/byzantine";
import { MAX_TX_BYTES } from "../../core/batch";
import { LIMITS } from "../../core/tx";

describe("bench: every one-step proof of the largest transactions the limits allow fits L1's gas cap", function () {
  this.timeout(900_000);

  it("proves each kind on maximal transactions, each under 2^24 gas with the calldata floor, and leaves the network as it was", async () => {
    const blockBefore = await hre.ethers.provider.getBlockNumber();
    const t0 = performance.now();
    const r = await measureProofGasMax({ hre, log: (s) => console.log(`      [${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}`) });
    console.log(`      proofGasMax ${JSON.stringify(r.proofGasMax)}`);
    expect(Object.keys(r.proofGasMax).sort()).to.deep.equal([...BYZANTINE_KINDS].sort());
    for (const c of r.cases) {
      const name = `${c.kind} (${c.shape})`;
      expect(c.gas, name).to.be.below(L1_TX_GAS_CAP);
      expect(c.gas, name).to.equal(Math.max(c.gasUsed, c.floor));
      // The transactions are the largest the limits allow (a deposit has no free bytes: its moves fill it).
      expect(c.moves.every((m) => m === LIMITS.maxMoves), name).to.equal(true);
      if (c.kind !== "deposit") for (const b of c.txBytes) expect(b, name).to.be.within(MAX_TX_BYTES - 2, MAX_TX_BYTES);
    }
    // input and double-use carry two transactions of the largest size.
    for (const k of ["input", "double-use"]) expect(r.cases.find((c) => c.kind === k)!.txBytes).to.have.length(2);
    // An input fault about a genesis value is proven against the Inbox's genesis commitment (one transaction).
    expect(r.cases.find((c) => c.kind === "input" && c.shape.startsWith("genesis"))!.txBytes).to.have.length(1);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });
});
