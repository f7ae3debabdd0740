/**
 * The worst case of every one-step proof (bench/proof-gas.ts): the largest transactions the limits of
 * protocol.md §5.5 allow, shaped to make each prover work hardest, are posted and proven on this
 * test process's Hardhat network with the production contracts; every proof rolls its batch back
 * within L1's 2^24 gas cap (EIP-7825), counting the EIP-7623 calldata floor.
 *
 * The gate proves the costliest shape of each kind (`worstOnly`: malformed and rules with fee sweeps, every other kind's
 * wrapped access-list shape, the most expensive of its kind in every full measurement, docs/BENCHMARKS.md); the
 * full table of every shape (move transactions, the cheaper wrapped shapes, a genesis input) is
 * `npx moveset bench`'s, which fails the same way if any of them goes over the cap.
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
    const r = await measureProofGasMax({ hre, worstOnly: true, log: (s) => console.log(`      [${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}`) });
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
    // One case per kind, each the costliest shape of its kind.
    expect(r.cases.map((c) => `${c.kind} (${c.shape})`)).to.deep.equal([
      "malformed (wrapped, sweeps, access list)", "signature (wrapped, access list)", "input (wrapped, access list)", "double-use (wrapped, access list)",
      "deposit (1,024 moves, 32-byte values)", "rules (wrapped, sweeps, access list)",
    ]);
    // input and double-use carry two transactions of the largest size.
    for (const k of ["input", "double-use"]) expect(r.cases.find((c) => c.kind === k)!.txBytes).to.have.length(2);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });
});
