/**
 * The worst case of every one-step proof (bench/proof-gas.ts): the largest transactions the limits of
 * protocol.md §5.5 allow, shaped to make each prover work hardest, are posted and proven on this
 * test process's Hardhat network with the production contracts; every proof rolls its batch back
 * within L1's 2^24 gas cap (EIP-7825), counting the EIP-7623 calldata floor. Each shape is proven twice:
 * posted as raw items, and as the costliest compressed items the append-time limit allows (protocol.md §7.7:
 * at most MAX_FLZ_ITEM_BYTES, expanding to the same 96 KiB transactions; bench/flz-worst.ts), whose proofs
 * pay the expansion and all the decoding work.
 */
import { expect } from "chai";
import hre from "hardhat";
import { measureProofGasMax, L1_TX_GAS_CAP } from "../../bench/proof-gas";
import { BYZANTINE_KINDS } from "../../node/devnet/byzantine";
import { MAX_TX_BYTES } from "../../core/batch";
import { LIMITS } from "../../core/tx";
import { MAX_FLZ_ITEM_BYTES } from "../../core/flz";

/** What every proof must stay below: L1's per-transaction gas cap. */
const BOUND = L1_TX_GAS_CAP;

describe("bench: every one-step proof of the largest transactions the limits allow fits L1's gas cap", function () {
  this.timeout(900_000);

  it("proves each kind on maximal transactions, raw and as the costliest compressed items, each under 2^24 gas with the calldata floor, and leaves the network as it was", async () => {
    const blockBefore = await hre.ethers.provider.getBlockNumber();
    const t0 = performance.now();
    const r = await measureProofGasMax({ hre, log: (s) => console.log(`      [${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}`) });
    console.log(`      proofGasMax ${JSON.stringify(r.proofGasMax)}`);
    console.log(`      proofGasMaxCompressed ${JSON.stringify(r.proofGasMaxCompressed)}`);
    expect(Object.keys(r.proofGasMax).sort()).to.deep.equal([...BYZANTINE_KINDS].sort());
    expect(Object.keys(r.proofGasMaxCompressed).sort()).to.deep.equal([...BYZANTINE_KINDS].sort());
    for (const c of r.cases) {
      const name = `${c.kind} (${c.shape}${c.compressed ? ", compressed" : ""})`;
      expect(c.gas, name).to.be.below(BOUND);
      expect(c.gas, name).to.equal(Math.max(c.gasUsed, c.floor));
      // The transactions are the largest the limits allow (a deposit has no free bytes: its moves fill it).
      expect(c.moves.every((m) => m === LIMITS.maxMoves), name).to.equal(true);
      if (c.kind !== "deposit") for (const b of c.txBytes) expect(b, name).to.be.within(MAX_TX_BYTES - 2, MAX_TX_BYTES);
      // Compressed: each item as long as L1 admits (its every byte spent on expansion work), far shorter than what it
      // expands to; and the proof pays more work than the raw item's (the expansion on top of the same decoding).
      if (c.compressed) {
        for (const b of c.itemBytes) expect(b, name).to.be.within(MAX_FLZ_ITEM_BYTES - 1, MAX_FLZ_ITEM_BYTES);
        const raw = r.cases.find((x) => !x.compressed && x.kind === c.kind && x.shape === c.shape)!;
        expect(c.txBytes, name).to.deep.equal(raw.txBytes);
        expect(c.execution, name).to.be.above(raw.execution);
      } else expect(c.itemBytes, name).to.deep.equal(c.txBytes);
    }
    expect(r.cases.filter((c) => c.compressed).map((c) => `${c.kind} (${c.shape})`)).to.deep.equal(r.cases.filter((c) => !c.compressed).map((c) => `${c.kind} (${c.shape})`));
    // input and double-use carry two transactions of the largest size.
    for (const k of ["input", "double-use"]) for (const c of r.cases.filter((x) => x.kind === k && !x.shape.startsWith("genesis"))) expect(c.itemBytes).to.have.length(2);
    // An input fault about a genesis value is proven against the Inbox's genesis commitment (one transaction).
    for (const c of r.cases.filter((x) => x.kind === "input" && x.shape.startsWith("genesis"))) expect(c.txBytes).to.have.length(1);
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });
});
