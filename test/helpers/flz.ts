/** Deploys a dictionary holder (contracts/FlzDictionary.sol, protocol.md §7.7): a contract whose code is 0x00 || dictionary. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { bytesToHex } from "../../core/bytes";

export async function deployDictionary(hre: HardhatRuntimeEnvironment, dict: string | Uint8Array): Promise<string> {
  const f = await hre.ethers.getContractFactory("FlzDictionary");
  const c = await f.deploy(typeof dict === "string" ? dict : bytesToHex(dict));
  await c.waitForDeployment();
  return c.getAddress();
}
