/**
 * Shared by the tests of the one-step verifier (contracts/step/): the verifier, its families and a
 * TestCodeRegistry deployed on the Hardhat network, bound to an Inbox of chain `chainId`.
 */
import hre from "hardhat";
import { deployStepVerifier, type StepVerifierDeployment } from "../../prover/osp-check";
import { EMPTY_GENESIS_ROOT } from "../../node/config";

export async function deployTestStepVerifier(chainId: bigint): Promise<StepVerifierDeployment> {
  const [signer] = await hre.ethers.getSigners();
  const bridge = await (await hre.ethers.getContractFactory("Bridge")).deploy();
  const inbox = await (await hre.ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), chainId, 10n ** 18n, 100n, 100n, 5000n, 256n, 7n, EMPTY_GENESIS_ROOT, 0n);
  return deployStepVerifier(signer, (n) => hre.artifacts.readArtifactSync(n) as never, await inbox.getAddress(), "TestCodeRegistry");
}
