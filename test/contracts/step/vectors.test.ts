/**
 * The shared step vectors (test/vectors/step/steps.json, scripts/gen-step-vectors.ts) through the
 * Solidity one-step verifier: on every vector the verifier's post-state is the TypeScript verifier's
 * (test/core/step/proof.test.ts runs the same file), and a proof with a word changed, cut short or
 * lengthened is refused (reverts, or proves another state). The TypeScript test changes every word of
 * every vector; here every fourth word of each, starting at a residue that changes from one vector to
 * the next, to keep the suite's time.
 *
 *   npx hardhat test test/contracts/step/vectors.test.ts
 */
import { expect } from "chai";
import hre from "hardhat";
import type { Contract } from "ethers";
import { type StepVerifierDeployment } from "../../../prover/osp-check";
import { deployTestStepVerifier } from "../../helpers/step-verifier";
import { loadStepVectors, type StepVector as V } from "../../vectors/step/vectors";

const doc = loadStepVectors();
const CHAIN = 901n;

describe("contracts/step: the shared step vectors through the one-step verifier", function () {
  this.timeout(0);
  let d: StepVerifierDeployment;
  let harness: Contract;
  const carried = new Map<string, boolean>();

  /** The registry answers `carriedBy` as the vector was made with. */
  async function carry(v: V) {
    const on: string[] = [];
    const off: string[] = [];
    for (const [h, b] of Object.entries(v.carried)) {
      if ((carried.get(h) ?? false) === b) continue;
      (b ? on : off).push(h);
      carried.set(h, b);
    }
    if (on.length) await (await d.registry.getFunction("setCarried")(on)).wait();
    if (off.length) await (await d.registry.getFunction("unsetCarried")(off)).wait();
  }

  before(async () => {
    d = await deployTestStepVerifier(CHAIN);
    harness = (await (await hre.ethers.getContractFactory("StepMutationHarness")).deploy()) as unknown as Contract;
    for (const code of Object.values(doc.codes)) if (code.length > 2) await (await d.registry.register(code, { gasLimit: 16_000_000 })).wait();
  });

  it("every proof applied to its pre-state gives the TypeScript verifier's post-state", async () => {
    expect(doc.vectors.length).to.be.greaterThan(500);
    for (const v of doc.vectors) {
      await carry(v);
      expect(await d.verifier.step(v.pre, v.proof), v.name).to.equal(v.post);
    }
  });

  it("a proof with a word changed (every fourth word), cut short or lengthened is refused", async () => {
    const verifier = await d.verifier.getAddress();
    for (const [i, v] of doc.vectors.entries()) {
      await carry(v);
      const [first, cut, long] = (await harness.firstAccepted(verifier, v.pre, v.proof, v.post, i % 4, 4)) as [bigint, boolean, boolean];
      expect(first, `${v.name}: word ${first} changed still proves the post-state`).to.equal(2n ** 256n - 1n);
      expect(cut, `${v.name}: cut short`).to.equal(true);
      expect(long, `${v.name}: lengthened`).to.equal(true);
    }
  });

  it("a proof against another pre-state is refused", async () => {
    const v = doc.vectors.find((x) => x.kind.startsWith("op-ADD"))!;
    const other = "0x" + (BigInt(v.pre) ^ 1n).toString(16).padStart(64, "0");
    await expect(d.verifier.step(other, v.proof)).to.be.reverted;
  });
});
