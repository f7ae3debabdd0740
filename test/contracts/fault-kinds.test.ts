/**
 * One numbering of the fault kinds: core/errors.ts FAULT_KINDS (which the prover, the verifier and
 * the watchtower read) against the constants the L1 contracts use (IInbox.sol FaultKind), and a
 * rollback's event naming the kind by that number.
 */
import { expect } from "chai";
import hre from "hardhat";
import { FAULT_KINDS, KIND_NUMBER, ONE_STEP_KINDS, faultKindOf } from "../../core/errors";
import { KIND_NUMBER as PROVER_KIND_NUMBER } from "../../prover/fault";

describe("fault kinds: one numbering, TypeScript and Solidity", () => {
  it("IInbox.sol FaultKind numbers every kind as core/errors.ts FAULT_KINDS does", async () => {
    const h = await hre.ethers.deployContract("FaultKindHarness");
    const [k, max] = await h.kinds();
    expect(k.map(Number)).to.deep.equal(FAULT_KINDS.map((kind) => KIND_NUMBER[kind]));
    expect(k.map(Number)).to.deep.equal(FAULT_KINDS.map((_, i) => i));
    expect(Number(max)).to.equal(FAULT_KINDS.length - 1);
  });

  it("numbers and names convert both ways; nothing outside the list has a kind", () => {
    for (const kind of FAULT_KINDS) expect(faultKindOf(KIND_NUMBER[kind])).to.equal(kind);
    for (const n of [-1, 8, 1.5, NaN]) expect(faultKindOf(n)).to.equal(undefined);
    expect(PROVER_KIND_NUMBER).to.equal(KIND_NUMBER);
    expect([...ONE_STEP_KINDS]).to.deep.equal(FAULT_KINDS.filter((k) => k !== "execution" && k !== "data"));
  });
});
