/** Hardhat's dev accounts, which the devnet funds on L1 and L2 (and the CLI's `--key <index>` names). */
import { HDNodeWallet } from "ethers";

export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's default dev accounts (m/44'/60'/0'/0/i of the dev mnemonic). */
export function devAccounts(n: number): { address: string; privateKey: string }[] {
  const root = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "", "m/44'/60'/0'/0");
  return Array.from({ length: n }, (_, i) => {
    const w = root.deriveChild(i);
    return { address: w.address, privateKey: w.privateKey };
  });
}
