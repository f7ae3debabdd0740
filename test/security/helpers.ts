/** Shared by the attack tests: the deployment with the six real provers, and a proof sent as a challenger would. */
import { ethers, ignition } from "hardhat";
import type { Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { movesetModule, PROVERS } from "../../deploy/Moveset";
import { L2_CHAIN_ID, BASE_FEE } from "../helpers/l2sim";
import { commitmentOf, type ProofCall } from "../../prover/build";

export const WINDOW = 3600n;

/** Bridge, Inbox and the six provers (deploy/Moveset.ts); `poster` bonded for `bonds` batches. */
export async function deployProvers(id: string, poster: HardhatEthersSigner, bonds = 1n): Promise<Record<string, Contract>> {
  const params = { [id]: { l2ChainId: L2_CHAIN_ID, bondSize: ethers.parseEther("1"), challengeWindow: WINDOW, inclusionDelay: 86_400n, rewardBps: 5000n, minBaseFee: BASE_FEE } };
  const c = (await ignition.deploy(movesetModule(id, PROVERS), { parameters: params })) as unknown as Record<string, Contract>;
  await (await c.Inbox.connect(poster).getFunction("bond")({ value: bonds * ethers.parseEther("1") })).wait();
  return c;
}

/** Commits, mines a block, reveals: "rolled back", or why the reveal reverted. */
export async function prove(c: Record<string, Contract>, who: HardhatEthersSigner, proof: ProofCall): Promise<string> {
  const salt = ethers.hexlify(ethers.randomBytes(32));
  const p = c[proof.prover].connect(who);
  await (await p.getFunction("commit")(commitmentOf(who.address, proof.proofHash, salt))).wait();
  await mine(1);
  try {
    await (await p.getFunction(proof.method)(...proof.args, salt)).wait();
    return "rolled back";
  } catch (e) {
    return `${proof.prover} reverted: ${(e as Error).message.slice(0, 120)}`;
  }
}
