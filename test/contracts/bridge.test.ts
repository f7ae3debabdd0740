/**
 * contracts/Bridge.sol (docs/protocol.md §11.3): the deposit queue (entry hashes computed by the TypeScript
 * core's tags, times, views, events) and withdrawals claimed from final batches on a Merkle proof, once.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Bridge, Inbox, TestProver } from "../../typechain-types";
import { BatchHeader, batchDataHash, encodeBatchData, headerHash, txRootOf } from "../../core/batch";
import { headerToAbi } from "../../core/batch";
import { entryOf } from "../helpers/l2sim";
import { DepositTx, MoveTx, TxType, encodeTx } from "../../core/tx";
import { Mark } from "../../core/keys";
import { Move } from "../../core/moves";
import { DOMAINS } from "../../core/hash";
import { merkleProof, leafHash } from "../../core/merkle";
import { bytesToHex, hexToBytes, keccak256, concatBytes, compareBytes } from "../../core/bytes";
import { EMPTY_GENESIS_ROOT } from "../../node/config";
import { compressItem, expandItem, FLZ_ITEM } from "../../core/flz";
import { deployDictionary } from "../helpers/flz";

const BOND = ethers.parseEther("1");
const WINDOW = 1000n;
const DELAY = 100n;
const L2_CHAIN_ID = 901n;

const b20 = (a: string) => hexToBytes(a as `0x${string}`);

function sortMoves(moves: Move[]): Move[] {
  const key = (m: Move) => concatBytes(m.addr, Uint8Array.of(m.mark), hexToBytes(ethers.toBeHex(m.slot, 32) as `0x${string}`));
  return moves.sort((a, b) => compareBytes(key(a), key(b)));
}

function depositTx(index: bigint, from: string, to: string, value: bigint): Uint8Array {
  const tx: DepositTx = {
    type: TxType.Deposit,
    index,
    from: b20(from),
    to: b20(to),
    value,
    moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: b20(to), slot: 0n, prev: 0n, next: value }],
  };
  return encodeTx(tx);
}

/** A move transaction by `sender` that sends `amount` to the withdrawal vault: a withdrawal output at `seq`. */
function withdrawalTx(sender: string, seq: bigint, amount: bigint, nonce = 0n): Uint8Array {
  const s = b20(sender);
  const vault = b20("0x7700000000000000000000000000000000000000");
  const moves: Move[] = sortMoves([
    { mask: 0x7f, ref: false, mark: Mark.Balance, intx: 1n, addr: s, slot: 0n, prev: 10n ** 18n, next: 10n ** 18n - amount },
    { mask: 0, ref: true, mark: Mark.Code, intx: 0n, addr: s, slot: 0n, prev: 0n, next: 0n },
    { mask: 0x7f, ref: false, mark: Mark.Nonce, intx: 0n, addr: s, slot: 0n, prev: nonce, next: nonce + 1n },
    { mask: 0, ref: false, mark: Mark.Withdrawal, intx: 0n, addr: s, slot: seq, prev: 0n, next: amount },
  ]);
  const tx: MoveTx = {
    type: TxType.Move,
    chainId: L2_CHAIN_ID,
    nonce,
    maxPriorityFeePerGas: 0n,
    maxFeePerGas: 0n,
    gasLimit: 21000n,
    to: vault,
    value: amount,
    data: new Uint8Array(0),
    moves,
    witness: [],
    sig: { yParity: 0, r: 1n, s: 1n },
  };
  return encodeTx(tx);
}

const sol = headerToAbi;

/** Builds the next batch from the TypeScript core and posts it. */
/** The gas a batch declares for an encoded transaction: its gas limit (0 for a deposit). */
const gasOf = (tx: Uint8Array | string): bigint => entryOf(expandItem(typeof tx === "string" ? hexToBytes(tx as `0x${string}`) : tx, FLZ_DICT)).gas;
/** The dictionary of compressed items (protocol.md §7.7) the posted items are expanded with to read their gas. */
const FLZ_DICT = hexToBytes(("0x" + "00".repeat(20) + "7700000000000000000000000000000000000000") as `0x${string}`);
/** An item's batch entry: the gas its transaction declares, the item as posted. */
const itemEntry = (t: Uint8Array) => ({ gas: gasOf(t), tx: t });

async function postBatch(inbox: Inbox, who: HardhatEthersSigner, list: Uint8Array[], deposits = 0n): Promise<BatchHeader> {
  const [index, parent, firstSeq, depositStart, minTs] = await inbox.tip();
  const latest = BigInt(await time.latest());
  const txs = list.map(itemEntry);
  const data = encodeBatchData(txs);
  const header: BatchHeader = {
    index,
    parent: b20(parent),
    firstSeq,
    txCount: BigInt(txs.length),
    txRoot: txRootOf(txs),
    number: index + 1n,
    timestamp: latest > minTs ? latest : minTs,
    feeRecipient: b20("0x00000000000000000000000000000000000000fe"),
    baseFee: await inbox.nextBaseFee(),
    depositStart,
    depositEnd: depositStart + deposits,
    dataHash: batchDataHash(data),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
  await (await inbox.connect(who).appendBatch(sol(header), data)).wait();
  expect(await inbox.headerHash(index)).to.equal(bytesToHex(headerHash(header)));
  return header;
}

const proofOf = (txs: Uint8Array[], i: number) => merkleProof(txs.map((t) => leafHash(gasOf(t), t)), i).map(bytesToHex);

async function fixture() {
  const [deployer, alice, bob, carol, outsider] = await ethers.getSigners();
  const bridge = (await (await ethers.getContractFactory("Bridge")).deploy()) as unknown as Bridge;
  const inbox = (await (await ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), L2_CHAIN_ID, BOND, WINDOW, DELAY, 5000n, 256n, 1n, EMPTY_GENESIS_ROOT, 0n)) as unknown as Inbox;
  await bridge.setInbox(await inbox.getAddress());
  const prover = (await (await ethers.getContractFactory("TestProver")).deploy(await inbox.getAddress())) as unknown as TestProver;
  await prover.arm(true);
  await inbox.setProvers([await prover.getAddress()]);
  await inbox.connect(alice).bond({ value: 16n * BOND }); // each live, non-final batch locks one bond
  return { deployer, alice, bob, carol, outsider, bridge, inbox, prover };
}

describe("Bridge", () => {
  describe("binding the inbox", () => {
    it("only the deployer binds it, once, to a nonzero address", async () => {
      const [deployer, alice] = await ethers.getSigners();
      const bridge = await (await ethers.getContractFactory("Bridge")).deploy();
      expect(await bridge.deployer()).to.equal(deployer.address);
      expect(await bridge.deployedAtBlock()).to.be.greaterThan(0n);
      expect(await bridge.inbox()).to.equal(ethers.ZeroAddress);
      await expect(bridge.connect(alice).setInbox(alice.address)).to.be.revertedWithCustomError(bridge, "NotDeployer").withArgs(alice.address);
      await expect(bridge.setInbox(ethers.ZeroAddress)).to.be.revertedWithCustomError(bridge, "InboxAlreadySet");
      await expect(bridge.setInbox(alice.address)).to.emit(bridge, "InboxSet").withArgs(alice.address);
      await expect(bridge.setInbox(deployer.address)).to.be.revertedWithCustomError(bridge, "InboxAlreadySet");
    });
  });

  describe("deposits", () => {
    it("the tag is the core's deposit-entry tag", async () => {
      const { bridge } = await loadFixture(fixture);
      expect(await bridge.DEPOSIT_ENTRY_TAG()).to.equal(bytesToHex(DOMAINS.depositEntry));
      expect(await bridge.DEPOSIT_ENTRY_TAG()).to.equal(ethers.id("moveset/deposit-entry/v1"));
    });

    it("queues entries with the protocol hash, the time and an event", async () => {
      const { bridge, alice, bob } = await loadFixture(fixture);
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const times: bigint[] = [];
      for (let i = 0; i < 6; i++) {
        const from = i % 2 ? alice : bob;
        const to = ethers.getAddress(ethers.zeroPadValue(ethers.toBeHex(i + 0x100), 20));
        const value = 10n ** BigInt(i) + 7n;
        const ts = BigInt(await time.latest()) + 3n + BigInt(i);
        await time.setNextBlockTimestamp(ts);
        const want = bytesToHex(keccak256(concatBytes(DOMAINS.depositEntry, hexToBytes(coder.encode(["uint256", "address", "address", "uint256"], [i, from.address, to, value]) as `0x${string}`))));
        await expect(bridge.connect(from).deposit(to, { value }))
          .to.emit(bridge, "Deposited")
          .withArgs(BigInt(i), from.address, to, value, want, ts);
        expect(await bridge.depositHash(i)).to.equal(want);
        times.push(ts);
      }
      expect(await bridge.depositCount()).to.equal(6n);
      for (let i = 0; i < 6; i++) expect(await bridge.depositTime(i)).to.equal(times[i]);
      expect(await bridge.depositQueueInfo(4)).to.deep.equal([6n, times[4]]);
      expect(await bridge.depositQueueInfo(6)).to.deep.equal([6n, 0n]);
      await expect(bridge.depositHash(6)).to.be.revertedWithCustomError(bridge, "NoSuchDeposit").withArgs(6n, 6n);
      await expect(bridge.depositTime(6)).to.be.revertedWithCustomError(bridge, "NoSuchDeposit").withArgs(6n, 6n);
    });

    it("a deposit needs value, and the bridge holds it", async () => {
      const { bridge, alice } = await loadFixture(fixture);
      await expect(bridge.connect(alice).deposit(alice.address)).to.be.revertedWithCustomError(bridge, "ZeroValue");
      await expect(bridge.connect(alice).deposit(alice.address, { value: 5n })).to.changeEtherBalances([alice, bridge], [-5n, 5n]);
    });

    it("deposit transactions built from the queue are accepted by the inbox", async () => {
      const { bridge, inbox, alice, bob } = await loadFixture(fixture);
      await bridge.connect(bob).deposit(bob.address, { value: 3n });
      await postBatch(inbox, alice, [depositTx(0n, bob.address, bob.address, 3n)], 1n);
      expect(await inbox.depositCursor()).to.equal(1n);
    });
  });

  describe("withdrawals", () => {
    /** Batch 0: a deposit to carol, then carol's withdrawal of `amount` (seq 2), then a plain deposit tx. */
    async function withWithdrawal(amount = 12345n) {
      const f = await loadFixture(fixture);
      const { bridge, inbox, alice, carol } = f;
      await bridge.connect(carol).deposit(carol.address, { value: ethers.parseEther("2") });
      await bridge.connect(carol).deposit(carol.address, { value: 1n });
      const txs = [
        depositTx(0n, carol.address, carol.address, ethers.parseEther("2")),
        depositTx(1n, carol.address, carol.address, 1n),
        withdrawalTx(carol.address, 3n, amount),
      ];
      const header = await postBatch(inbox, alice, txs, 2n);
      return { ...f, txs, header, amount };
    }

    it("pays the output of a compressed item (protocol.md §7.7), expanded with the deployment's dictionary", async () => {
      const [deployer, alice, , carol, outsider] = await ethers.getSigners();
      const bridge = (await (await ethers.getContractFactory("Bridge")).deploy()) as unknown as Bridge;
      const inbox = (await (await ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), L2_CHAIN_ID, BOND, WINDOW, DELAY, 5000n, 256n, 1n, EMPTY_GENESIS_ROOT, 0n)) as unknown as Inbox;
      await bridge.setInbox(await inbox.getAddress());
      await inbox.connect(deployer).setDictionary(await deployDictionary(hre, FLZ_DICT));
      await inbox.setProvers([await (await (await ethers.getContractFactory("TestProver")).deploy(await inbox.getAddress())).getAddress()]);
      await inbox.connect(alice).bond({ value: 2n * BOND });
      await bridge.connect(carol).deposit(carol.address, { value: ethers.parseEther("2") });
      const raw = withdrawalTx(carol.address, 2n, 777n);
      const item = compressItem(raw, FLZ_DICT);
      expect(item[0]).to.equal(FLZ_ITEM);
      expect(item.length).to.be.below(raw.length);
      const txs = [depositTx(0n, carol.address, carol.address, ethers.parseEther("2")), item];
      const header = await postBatch(inbox, alice, txs, 1n);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      // the raw transaction is not the leaf; the posted item is
      await expect(bridge.connect(outsider).claimWithdrawal(sol(header), 1, gasOf(raw), raw, proofOf(txs, 1))).to.be.revertedWithCustomError(bridge, "NotInBatch");
      const claim = bridge.connect(outsider).claimWithdrawal(sol(header), 1, gasOf(item), item, proofOf(txs, 1));
      await expect(claim).to.emit(bridge, "WithdrawalClaimed").withArgs(2n, carol.address, 777n, 0n, 1n);
      await expect(claim).to.changeEtherBalances([carol, bridge], [777n, -777n]);
    });

    it("pays the output of a final batch once", async () => {
      const { bridge, inbox, carol, outsider, txs, header, amount } = await withWithdrawal();
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      const claim = bridge.connect(outsider).claimWithdrawal(sol(header), 2, gasOf(txs[2]), txs[2], proofOf(txs, 2));
      await expect(claim).to.emit(bridge, "WithdrawalClaimed").withArgs(3n, carol.address, amount, 0n, 2n);
      await expect(claim).to.changeEtherBalances([carol, bridge], [amount, -amount]);
      expect(await bridge.claimed(3)).to.equal(true);
      await expect(bridge.connect(outsider).claimWithdrawal(sol(header), 2, gasOf(txs[2]), txs[2], proofOf(txs, 2))).to.be.revertedWithCustomError(bridge, "AlreadyClaimed").withArgs(3n);
    });

    it("refuses a batch that is not final, or was rolled back", async () => {
      const { bridge, prover, outsider, txs, header } = await withWithdrawal();
      await expect(bridge.claimWithdrawal(sol(header), 2, gasOf(txs[2]), txs[2], proofOf(txs, 2))).to.be.revertedWithCustomError(bridge, "BatchNotFinal").withArgs(0n);
      await prover.connect(outsider).settleUnchecked(0, 0);
      await time.increase(WINDOW * 2n);
      await expect(bridge.claimWithdrawal(sol(header), 2, gasOf(txs[2]), txs[2], proofOf(txs, 2))).to.be.revertedWithCustomError(bridge, "BatchNotFinal").withArgs(0n);
    });

    it("refuses a header that is not the stored one", async () => {
      const { bridge, inbox, txs, header } = await withWithdrawal();
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      const forged = { ...header, baseFee: header.baseFee + 1n };
      await expect(bridge.claimWithdrawal(sol(forged), 2, gasOf(txs[2]), txs[2], proofOf(txs, 2)))
        .to.be.revertedWithCustomError(bridge, "HeaderMismatch")
        .withArgs(0n, bytesToHex(headerHash(header)), bytesToHex(headerHash(forged)));
    });

    it("refuses a transaction that is not at that index of the batch", async () => {
      const { bridge, inbox, carol, txs, header } = await withWithdrawal();
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      const h = sol(header);
      await expect(bridge.claimWithdrawal(h, 1, gasOf(txs[2]), txs[2], proofOf(txs, 2))).to.be.revertedWithCustomError(bridge, "NotInBatch").withArgs(0n, 1n);
      await expect(bridge.claimWithdrawal(h, 2, gasOf(txs[2]), txs[2], proofOf(txs, 1))).to.be.revertedWithCustomError(bridge, "NotInBatch");
      await expect(bridge.claimWithdrawal(h, 2, gasOf(txs[2]), txs[2], proofOf(txs, 2).slice(1))).to.be.revertedWithCustomError(bridge, "NotInBatch");
      await expect(bridge.claimWithdrawal(h, 3, gasOf(txs[2]), txs[2], [...proofOf(txs, 2)])).to.be.revertedWithCustomError(bridge, "NotInBatch");
      const other = withdrawalTx(carol.address, 3n, 10n ** 18n);
      await expect(bridge.claimWithdrawal(h, 2, gasOf(other), other, proofOf(txs, 2))).to.be.revertedWithCustomError(bridge, "NotInBatch");
      // the leaf commits to the declared gas too
      await expect(bridge.claimWithdrawal(h, 2, gasOf(txs[2]) + 1n, txs[2], proofOf(txs, 2))).to.be.revertedWithCustomError(bridge, "NotInBatch");
    });

    it("refuses a transaction without a withdrawal output", async () => {
      const { bridge, inbox, txs, header } = await withWithdrawal();
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(bridge.claimWithdrawal(sol(header), 0, gasOf(txs[0]), txs[0], proofOf(txs, 0))).to.be.revertedWithCustomError(bridge, "NoWithdrawal").withArgs(1n);
    });

    it("a withdrawal output keyed by another seq is not this transaction's", async () => {
      const { bridge, inbox, alice, carol } = await loadFixture(fixture);
      await bridge.connect(carol).deposit(carol.address, { value: 100n });
      const txs = [depositTx(0n, carol.address, carol.address, 100n), withdrawalTx(carol.address, 9n, 50n)];
      const header = await postBatch(inbox, alice, txs, 1n);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(bridge.claimWithdrawal(sol(header), 1, gasOf(txs[1]), txs[1], proofOf(txs, 1))).to.be.revertedWithCustomError(bridge, "NoWithdrawal").withArgs(2n);
    });

    it("a transaction that does not decode reverts with the decoder's error", async () => {
      const { bridge, inbox, alice } = await loadFixture(fixture);
      const txs = [Uint8Array.of(0x09, 1, 2, 3)];
      const header = await postBatch(inbox, alice, txs);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(bridge.claimWithdrawal(sol(header), 0, gasOf(txs[0]), txs[0], proofOf(txs, 0))).to.be.revertedWithCustomError(bridge, "DecodeError").withArgs(4, 0);
    });

    it("a recipient that refuses ether makes the claim revert (and it can be retried)", async () => {
      const { bridge, inbox, alice, prover } = await loadFixture(fixture);
      const sink = await prover.getAddress(); // a contract without receive()
      await bridge.connect(alice).deposit(sink, { value: 100n });
      const txs = [depositTx(0n, alice.address, sink, 100n), withdrawalTx(sink, 2n, 60n)];
      const header = await postBatch(inbox, alice, txs, 1n);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(bridge.claimWithdrawal(sol(header), 1, gasOf(txs[1]), txs[1], proofOf(txs, 1))).to.be.revertedWithCustomError(bridge, "TransferFailed").withArgs(sink, 60n);
      expect(await bridge.claimed(2)).to.equal(false);
    });

    it("without a bound inbox nothing can be claimed", async () => {
      const bridge = await (await ethers.getContractFactory("Bridge")).deploy();
      const h = {
        index: 0, parent: ethers.ZeroHash, firstSeq: 1, txCount: 1, txRoot: ethers.ZeroHash, number: 1, timestamp: 0,
        feeRecipient: ethers.ZeroAddress, baseFee: 0, depositStart: 0, depositEnd: 0, dataHash: ethers.ZeroHash, l1BaseFee: 0, l1BlobBaseFee: 0,
      };
      await expect(bridge.claimWithdrawal(h, 0, 0, "0x00", [])).to.be.revertedWithCustomError(bridge, "InboxNotSet");
    });
  });
});
