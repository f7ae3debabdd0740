/**
 * contracts/Inbox.sol, where a batch's data is (docs/protocol.md §11.2, issue 10 finding 1): `appendBatch` only
 * for an account without code calling the Inbox as its L1 transaction (the data is that calldata), and
 * `appendBatchFromContract` for anyone else (Safes, smart accounts, proxies), which logs the data in BatchData.
 * BatchAppended says which. A contract calling `appendBatch` (the attack that wedged every node) now reverts.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Inbox, SafeLikeForwarder } from "../../typechain-types";
import { bytesToHex } from "../../core/bytes";
import { BOND, DATA_CALLDATA, DATA_EVENT, sol, nextBatch, transferTx, post, deployAll, type Built } from "../helpers/inbox";

async function fixture() {
  const f = await deployAll({ bonds: 2n });
  const forwarder = (await (await ethers.getContractFactory("SafeLikeForwarder")).deploy(f.alice.address)) as unknown as SafeLikeForwarder;
  const inboxAddr = await f.inbox.getAddress();
  await (await forwarder.connect(f.alice).exec(inboxAddr, 2n * BOND, f.inbox.interface.encodeFunctionData("bond"), { value: 2n * BOND })).wait();
  return { ...f, forwarder, inboxAddr };
}

const appendCall = (inbox: Inbox, fn: "appendBatch" | "appendBatchFromContract", b: Built) =>
  fn === "appendBatch" ? inbox.interface.encodeFunctionData("appendBatch", [sol(b.header), b.data]) : inbox.interface.encodeFunctionData("appendBatchFromContract", [sol(b.header), b.data]);

describe("Inbox data sources", () => {
  it("appendBatch by an account without code: BatchAppended says CALLDATA, no BatchData is logged", async () => {
    const { inbox, alice } = await loadFixture(fixture);
    const b = await nextBatch(inbox, [transferTx(1)]);
    const tx = post(inbox, alice, b);
    await expect(tx).to.emit(inbox, "BatchAppended").withArgs(0n, b.hash, alice.address, Object.values(sol(b.header)), DATA_CALLDATA);
    await expect(tx).not.to.emit(inbox, "BatchData");
  });

  it("appendBatch called by a contract reverts with NotDirectCall (its data would not be in the transaction's calldata)", async () => {
    const { inbox, alice, forwarder, inboxAddr } = await loadFixture(fixture);
    const b = await nextBatch(inbox, [transferTx(1)]);
    const f = await forwarder.getAddress();
    await expect(forwarder.connect(alice).exec(inboxAddr, 0n, appendCall(inbox, "appendBatch", b))).to.be.revertedWithCustomError(inbox, "NotDirectCall").withArgs(f);
    expect(await inbox.batchCount()).to.equal(0n);
  });

  it("appendBatch by an account with code (an EIP-7702 delegated EOA) reverts with NotDirectCall", async () => {
    const { inbox, bob, forwarder } = await loadFixture(fixture);
    const b = await nextBatch(inbox, [transferTx(1)]);
    // bob is bonded; give it a delegation designator (0xef0100 || target) as EIP-7702 would.
    await network.provider.send("hardhat_setCode", [bob.address, "0xef0100" + (await forwarder.getAddress()).slice(2)]);
    await network.provider.send("hardhat_impersonateAccount", [bob.address]);
    try {
      const signer = await ethers.getSigner(bob.address);
      await expect(inbox.connect(signer).appendBatch(sol(b.header), b.data)).to.be.revertedWithCustomError(inbox, "NotDirectCall").withArgs(bob.address);
    } finally {
      await network.provider.send("hardhat_stopImpersonatingAccount", [bob.address]);
      await network.provider.send("hardhat_setCode", [bob.address, "0x"]);
    }
    await expect(post(inbox, bob, b)).to.emit(inbox, "BatchAppended");
  });

  it("appendBatchFromContract through a Safe-like account: the same checks, the data in BatchData, BatchAppended says EVENT", async () => {
    const { inbox, alice, forwarder, inboxAddr } = await loadFixture(fixture);
    const f = await forwarder.getAddress();
    const b = await nextBatch(inbox, [transferTx(1), transferTx(2)]);
    // A wrong parent reverts as on the EOA path (the checks are shared).
    const stale = { ...b, header: { ...b.header, parent: new Uint8Array(32).fill(1) } };
    await expect(forwarder.connect(alice).exec(inboxAddr, 0n, appendCall(inbox, "appendBatchFromContract", stale))).to.be.revertedWithCustomError(inbox, "ParentNotTip");
    const tx = forwarder.connect(alice).exec(inboxAddr, 0n, appendCall(inbox, "appendBatchFromContract", b));
    await expect(tx).to.emit(inbox, "BatchData").withArgs(0n, b.hash, bytesToHex(b.data));
    await expect(tx).to.emit(inbox, "BatchAppended").withArgs(0n, b.hash, f, Object.values(sol(b.header)), DATA_EVENT);
    const rc = (await (await tx).wait())!;
    const names = rc.logs.map((l) => inbox.interface.parseLog(l)?.name);
    expect(names).to.deep.equal(["BatchData", "BatchAppended"]);
    expect((await inbox.batch(0)).poster).to.equal(f);
    expect(await inbox.lockedBondOf(f)).to.equal(BOND);
  });

  it("two batches in one L1 transaction through a contract: each has its own BatchData", async () => {
    const { inbox, alice, forwarder, inboxAddr } = await loadFixture(fixture);
    const b0 = await nextBatch(inbox, [transferTx(1)]);
    const b1h = { ...b0.header }; // the second builds on the first
    const { headerHash, txRootOf, encodeBatchData, batchDataHash } = await import("../../core/batch");
    const { batchTxOf } = await import("../../core/gas");
    const txs1 = [transferTx(7), transferTx(8)].map((t) => batchTxOf(t));
    const data1 = encodeBatchData(txs1);
    const h1 = { ...b1h, index: 1n, parent: headerHash(b0.header), firstSeq: 2n, txCount: 2n, txRoot: txRootOf(txs1), number: 2n, dataHash: batchDataHash(data1) };
    const b1: Built = { header: h1, data: data1, hash: bytesToHex(headerHash(h1)) };
    const rc = (await (await forwarder.connect(alice).execMany([inboxAddr, inboxAddr], [0n, 0n], [appendCall(inbox, "appendBatchFromContract", b0), appendCall(inbox, "appendBatchFromContract", b1)])).wait())!;
    const evs = rc.logs.map((l) => inbox.interface.parseLog(l)!);
    expect(evs.map((e) => [e.name, e.args.index])).to.deep.equal([["BatchData", 0n], ["BatchAppended", 0n], ["BatchData", 1n], ["BatchAppended", 1n]]);
    expect(evs[2].args.data).to.equal(bytesToHex(data1));
    expect(evs[2].args.headerHash).to.equal(b1.hash);
    expect(await inbox.batchCount()).to.equal(2n);
  });

  it("an account without code may use appendBatchFromContract too", async () => {
    const { inbox, bob } = await loadFixture(fixture);
    const b = await nextBatch(inbox, [transferTx(1)]);
    await expect(inbox.connect(bob).appendBatchFromContract(sol(b.header), b.data)).to.emit(inbox, "BatchAppended").withArgs(0n, b.hash, bob.address, Object.values(sol(b.header)), DATA_EVENT);
  });

  it("a contract poster gets its free bond back", async () => {
    const { inbox, alice, forwarder, inboxAddr } = await loadFixture(fixture);
    const f = await forwarder.getAddress();
    await (await forwarder.connect(alice).exec(inboxAddr, 0n, appendCall(inbox, "appendBatchFromContract", await nextBatch(inbox, [transferTx(1)])))).wait();
    await expect(forwarder.connect(alice).exec(inboxAddr, 0n, inbox.interface.encodeFunctionData("unbond"))).to.changeEtherBalance(f, BOND);
    expect(await inbox.bondOf(f)).to.equal(BOND);
  });

  it("gas: the event path costs the log of the data on top", async () => {
    const { inbox, alice, bob } = await loadFixture(fixture);
    const txs = Array.from({ length: 20 }, (_, i) => transferTx(i));
    const a = await nextBatch(inbox, txs);
    const ga = (await (await post(inbox, alice, a)).wait())!.gasUsed;
    const b = await nextBatch(inbox, txs);
    const gb = (await (await inbox.connect(bob).appendBatchFromContract(sol(b.header), b.data)).wait())!.gasUsed;
    console.log(`      ${b.data.length} bytes of data: appendBatch ${ga} gas, appendBatchFromContract ${gb} gas (+${Number(gb - ga) / b.data.length} per byte)`);
    expect(gb).to.be.greaterThan(ga);
    expect(gb - ga).to.be.lessThan(BigInt(b.data.length) * 12n + 5000n);
  });
});
