/**
 * contracts/Bridge.sol deposit recipients (protocol.md §11.3; issue 10 finding 8): a deposit to an
 * L2 address that can never move what it receives is refused, so no deposit is lost: the zero
 * address, the precompiles 0x01-0x0a, the fee vault and the withdrawal vault (not accounts on L2:
 * they read as empty in every transaction, so a balance credited to them is never spendable). The
 * first address after the precompiles, and any ordinary address, are accepted.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { FEE_VAULT_HEX, WITHDRAWAL_VAULT_HEX } from "../../core/evm/chain";

describe("Bridge: deposits only to recipients that can use them", () => {
  it("refuses the zero address, the precompiles, the fee vault and the withdrawal vault; accepts others", async () => {
    const [alice] = await ethers.getSigners();
    const bridge = await (await ethers.getContractFactory("Bridge")).deploy();
    const at = (n: number) => ethers.getAddress(ethers.toBeHex(n, 20));
    for (const to of [at(0), at(1), at(9), at(10), ethers.getAddress(FEE_VAULT_HEX), ethers.getAddress(WITHDRAWAL_VAULT_HEX)])
      await expect(bridge.connect(alice).deposit(to, { value: 1n }), to).to.be.revertedWithCustomError(bridge, "UnusableRecipient").withArgs(to);
    expect(await bridge.depositCount()).to.equal(0n);
    for (const to of [at(11), alice.address, "0xfee0000000000000000000000000000000000001", "0x7700000000000000000000000000000000000001"])
      await expect(bridge.connect(alice).deposit(to, { value: 1n })).to.emit(bridge, "Deposited");
    expect(await bridge.depositCount()).to.equal(4n);
  });
});
