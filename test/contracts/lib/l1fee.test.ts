/**
 * The L1 data fee's Solidity twin (contracts/lib/L1Fee.sol, through CoreHarness) against the shared
 * vectors (test/vectors/l1fee.json, scripts/gen-l1fee-vectors.ts), which core/l1fee.ts also runs.
 */
import { expect } from "chai";
import * as fs from "fs";
import hre from "hardhat";
import type { CoreHarness } from "../../../typechain-types";
import { L1FEE_VECTORS, type L1FeeVectors } from "../../../scripts/gen-l1fee-vectors";

describe("contracts/lib/L1Fee.sol: the L1 data fee against the shared vectors", function () {
  const v = JSON.parse(fs.readFileSync(L1FEE_VECTORS, "utf8")) as L1FeeVectors;
  let h: CoreHarness;

  before(async () => {
    h = (await (await hre.ethers.getContractFactory("CoreHarness")).deploy()) as unknown as CoreHarness;
  });

  it("EIP-7623 tokens of bytes and of u256c values", async () => {
    for (const x of v.tokens) expect(await h.l1Tokens(x.bytes), x.bytes).to.equal(BigInt(x.tokens));
    for (const x of v.u256cTokens) expect(await h.l1U256cTokens(x.value), x.value).to.equal(BigInt(x.tokens));
  });

  it("the Ecotone formula with any scalars, up to the largest prices L1 lets a header declare", async () => {
    for (const x of v.formula) {
      const [fee, gasUsed] = await h.l1FeeOf(x.tokens, x.l1BaseFee, x.l1BlobBaseFee, x.baseScalar, x.blobScalar);
      expect(fee, JSON.stringify(x)).to.equal(BigInt(x.l1Fee));
      expect(gasUsed).to.equal(BigInt(x.l1GasUsed));
    }
  });

  it("the charged tokens and fee of whole transactions (fee-dependent values at a fixed size)", async () => {
    expect(v.txs.length).to.be.greaterThanOrEqual(4);
    for (const x of v.txs) {
      const [t, fee] = await h.l1TxFee(x.tx, x.sender, x.feeRecipient, x.seq, x.l1BaseFee, x.l1BlobBaseFee);
      expect(t, x.name).to.equal(BigInt(x.tokens));
      expect(fee, x.name).to.equal(BigInt(x.l1Fee));
    }
  });
});
