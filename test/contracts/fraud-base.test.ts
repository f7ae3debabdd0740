/**
 * contracts/fraud/FraudProver.sol, the base of every per-kind prover (docs/protocol.md §11.4), through the
 * test-only contracts/test/TestProver.sol: commit-then-reveal, the header check against the Inbox, and the
 * shared settlement (Inbox.rollback with msg.sender as the challenger). The contracts are deployed with
 * the Ignition module (deploy/Moveset.ts) and the TestProver in its prover list.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Bridge, Inbox, TestProver } from "../../typechain-types";
import { movesetModule } from "../../deploy/Moveset";
import { BatchHeader, batchDataHash, encodeBatchData, headerHash, txRootOf } from "../../core/batch";
import { headerToAbi } from "../../core/batch";
import { DepositTx, TxType, encodeTx } from "../../core/tx";
import { Mark } from "../../core/keys";
import { bytesToHex, hexToBytes } from "../../core/bytes";

const BOND = ethers.parseEther("1");
const WINDOW = 1000n;
const KIND_SIGNATURE = 1;
const coder = ethers.AbiCoder.defaultAbiCoder();
const HEADER_TUPLE = "tuple(uint256,bytes32,uint256,uint256,bytes32,uint256,uint256,address,uint256,uint256,uint256,bytes32,uint256,uint256)";

const sol = headerToAbi;

/** keccak256(abi.encode(header, kind)), the proof hash TestProver.prove reveals. */
function proofHash(h: BatchHeader, kind: number): string {
  const s = sol(h);
  return ethers.keccak256(coder.encode([HEADER_TUPLE, "uint8"], [Object.values(s), kind]));
}

/** keccak256(abi.encode(challenger, proofHash, salt)). */
const commitmentFor = (challenger: string, ph: string, salt: string) => ethers.keccak256(coder.encode(["address", "bytes32", "bytes32"], [challenger, ph, salt]));

function fillerTx(n: number): Uint8Array {
  const to = Uint8Array.from({ length: 20 }, (_, i) => (n + i) & 0xff);
  const tx: DepositTx = { type: TxType.Deposit, index: BigInt(n), from: to, to, value: 1n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: to, slot: 0n, prev: 0n, next: 1n }] };
  return encodeTx(tx);
}

async function postBatch(inbox: Inbox, who: HardhatEthersSigner, n: number): Promise<BatchHeader> {
  const [index, parent, firstSeq, depositStart, minTs] = await inbox.tip();
  const latest = BigInt(await time.latest());
  // deposits, declaring 0 gas
  const txs = Array.from({ length: n }, (_, i) => ({ gas: 0n, tx: fillerTx(i) }));
  const data = encodeBatchData(txs);
  const header: BatchHeader = {
    index,
    parent: hexToBytes(parent as `0x${string}`),
    firstSeq,
    txCount: BigInt(n),
    txRoot: txRootOf(txs),
    number: index + 1n,
    timestamp: latest > minTs ? latest : minTs,
    feeRecipient: new Uint8Array(20).fill(0xfe),
    baseFee: await inbox.nextBaseFee(),
    depositStart,
    depositEnd: depositStart,
    dataHash: batchDataHash(data),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
  await (await inbox.connect(who).appendBatch(sol(header), data)).wait();
  return header;
}

async function fixture() {
  const [deployer, alice, bob, challenger, other] = await ethers.getSigners();
  const deployed = await hre.ignition.deploy(movesetModule("MovesetTest", ["TestProver"]), {
    parameters: { MovesetTest: { challengeWindow: WINDOW, inclusionDelay: 100n, bondSize: BOND, rewardBps: 5000n } },
  });
  const { Inbox: inboxC, Bridge: bridgeC, TestProver: proverC } = deployed as unknown as Record<string, unknown>;
  const inbox = inboxC as unknown as Inbox;
  const bridge = bridgeC as unknown as Bridge;
  const prover = proverC as unknown as TestProver;
  await prover.arm(true);
  await inbox.connect(alice).bond({ value: BOND });
  await inbox.connect(bob).bond({ value: BOND });
  const h0 = await postBatch(inbox, alice, 2);
  const h1 = await postBatch(inbox, bob, 1);
  return { deployer, alice, bob, challenger, other, inbox, bridge, prover, h0, h1 };
}

/** Commits to a proof of `h` with `kind`, returning the salt; mines the commitment into its own block. */
async function commitProof(prover: TestProver, who: HardhatEthersSigner, h: BatchHeader, kind: number, salt = ethers.id("salt")) {
  const c = commitmentFor(who.address, proofHash(h, kind), salt);
  await (await prover.connect(who).commit(c)).wait();
  return { salt, c };
}

describe("FraudProver base (via TestProver)", () => {
  describe("the Ignition module wires the test prover", () => {
    it("binds bridge and inbox, registers the prover, applies the parameters", async () => {
      const { inbox, bridge, prover } = await loadFixture(fixture);
      expect(await bridge.inbox()).to.equal(await inbox.getAddress());
      expect(await inbox.bridge()).to.equal(await bridge.getAddress());
      expect(await inbox.isProver(await prover.getAddress())).to.equal(true);
      expect(await inbox.proversLocked()).to.equal(true);
      expect(await prover.inbox()).to.equal(await inbox.getAddress());
      expect(await inbox.challengeWindow()).to.equal(WINDOW);
      expect(await inbox.l2ChainId()).to.equal(901n); // default
    });
  });

  describe("commit", () => {
    it("records the caller's commitment with its block, once", async () => {
      const { prover, challenger } = await loadFixture(fixture);
      const c = commitmentFor(challenger.address, ethers.id("proof"), ethers.id("salt"));
      expect(await prover.commitmentFor(challenger.address, ethers.id("proof"), ethers.id("salt"))).to.equal(c);
      const tx = await prover.connect(challenger).commit(c);
      const bn = BigInt((await tx.wait())!.blockNumber);
      await expect(tx).to.emit(prover, "Committed").withArgs(challenger.address, c, bn);
      expect(await prover.committedAt(challenger.address, c)).to.equal(bn);
      await expect(prover.connect(challenger).commit(c)).to.be.revertedWithCustomError(prover, "AlreadyCommitted").withArgs(c);
      await expect(prover.connect(challenger).commit(ethers.ZeroHash)).to.be.revertedWithCustomError(prover, "ZeroCommitment");
    });
  });

  describe("reveal", () => {
    it("without a commitment reverts", async () => {
      const { prover, challenger, h1 } = await loadFixture(fixture);
      const salt = ethers.id("s");
      await expect(prover.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt))
        .to.be.revertedWithCustomError(prover, "NotCommitted")
        .withArgs(challenger.address, commitmentFor(challenger.address, proofHash(h1, KIND_SIGNATURE), salt));
      await expect(prover.connect(challenger).revealOnly("0x1234", salt)).to.be.revertedWithCustomError(prover, "NotCommitted");
    });

    it("in the commitment's own block reverts", async () => {
      const { prover, challenger } = await loadFixture(fixture);
      const salt = ethers.id("s");
      const c = commitmentFor(challenger.address, ethers.keccak256("0x1234"), salt);
      // same transaction
      await expect(prover.connect(challenger).commitAndReveal(c, "0x1234", salt))
        .to.be.revertedWithCustomError(prover, "RevealTooEarly")
        .withArgs(c, BigInt(await ethers.provider.getBlockNumber()) + 1n);
      // same block, two transactions
      await ethers.provider.send("evm_setAutomine", [false]);
      let commitHash: string, revealHash: string;
      try {
        commitHash = (await prover.connect(challenger).commit(c, { gasLimit: 200_000 })).hash;
        revealHash = (await prover.connect(challenger).revealOnly("0x1234", salt, { gasLimit: 200_000 })).hash;
        await mine(1);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      const rc = await ethers.provider.getTransactionReceipt(commitHash);
      const rr = await ethers.provider.getTransactionReceipt(revealHash);
      expect(rc!.blockNumber).to.equal(rr!.blockNumber);
      expect(rc!.status).to.equal(1);
      expect(rr!.status).to.equal(0);
      // one block later the same reveal succeeds, and consumes the commitment
      await expect(prover.connect(challenger).revealOnly("0x1234", salt)).to.emit(prover, "Revealed").withArgs(challenger.address, c, ethers.keccak256("0x1234"));
      expect(await prover.committedAt(challenger.address, c)).to.equal(0n);
    });

    it("with another sender's commitment reverts", async () => {
      const { prover, challenger, other, h1 } = await loadFixture(fixture);
      const { salt } = await commitProof(prover, challenger, h1, KIND_SIGNATURE);
      // `other` copies the proof and salt from the mempool: its own commitment does not exist
      await expect(prover.connect(other).prove(sol(h1), KIND_SIGNATURE, salt))
        .to.be.revertedWithCustomError(prover, "NotCommitted")
        .withArgs(other.address, commitmentFor(other.address, proofHash(h1, KIND_SIGNATURE), salt));
      // a commitment made by `challenger` on `other`'s behalf is still not `other`'s
      const forOther = commitmentFor(other.address, proofHash(h1, KIND_SIGNATURE), salt);
      await prover.connect(challenger).commit(forOther);
      await expect(prover.connect(other).prove(sol(h1), KIND_SIGNATURE, salt)).to.be.revertedWithCustomError(prover, "NotCommitted").withArgs(other.address, forOther);
      // the rightful challenger still can
      await expect(prover.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt)).to.emit(prover, "FraudProven");
    });

    it("cannot be replayed", async () => {
      const { prover, challenger } = await loadFixture(fixture);
      const salt = ethers.id("r");
      await prover.connect(challenger).commit(commitmentFor(challenger.address, ethers.keccak256("0xabcd"), salt));
      await expect(prover.connect(challenger).revealOnly("0xabcd", salt)).to.emit(prover, "Revealed");
      await expect(prover.connect(challenger).revealOnly("0xabcd", salt)).to.be.revertedWithCustomError(prover, "NotCommitted");
    });

    it("a successful proof cannot be replayed, and a failed one keeps the commitment", async () => {
      const { inbox, prover, challenger, h0, h1 } = await loadFixture(fixture);
      const { salt, c } = await commitProof(prover, challenger, h1, KIND_SIGNATURE);
      await expect(prover.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt)).to.emit(inbox, "BatchesRolledBack");
      await expect(prover.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt)).to.be.revertedWithCustomError(prover, "NotCommitted").withArgs(challenger.address, c);
      // a proof that fails after the reveal leaves the commitment in place (the whole call reverts)
      const bad = { ...h0, baseFee: 99n };
      const k = await commitProof(prover, challenger, bad, KIND_SIGNATURE);
      await expect(prover.connect(challenger).prove(sol(bad), KIND_SIGNATURE, k.salt)).to.be.revertedWithCustomError(prover, "HeaderMismatch");
      expect(await prover.committedAt(challenger.address, k.c)).to.not.equal(0n);
    });
  });

  describe("header check", () => {
    it("accepts the stored header and refuses any other", async () => {
      const { prover, h0, h1 } = await loadFixture(fixture);
      expect(await prover.checkBatch(sol(h1))).to.equal(bytesToHex(headerHash(h1)));
      const fields: Partial<BatchHeader>[] = [
        { parent: new Uint8Array(32).fill(1) },
        { firstSeq: 4n },
        { txCount: 2n },
        { txRoot: new Uint8Array(32).fill(2) },
        { number: 3n },
        { timestamp: h1.timestamp + 1n },
        { feeRecipient: new Uint8Array(20).fill(3) },
        { baseFee: 2n },
        { depositStart: 1n },
        { depositEnd: 1n },
        { dataHash: new Uint8Array(32).fill(4) },
      ];
      for (const f of fields) {
        const forged = { ...h1, ...f };
        await expect(prover.checkBatch(sol(forged)), Object.keys(f)[0])
          .to.be.revertedWithCustomError(prover, "HeaderMismatch")
          .withArgs(1n, bytesToHex(headerHash(h1)), bytesToHex(headerHash(forged)));
      }
      // index: batch 0's header under index 1 is not batch 1's
      await expect(prover.checkBatch(sol({ ...h0, index: 1n }))).to.be.revertedWithCustomError(prover, "HeaderMismatch");
    });

    it("refuses a batch that is not live or is final", async () => {
      const { inbox, prover, h0, h1 } = await loadFixture(fixture);
      await expect(prover.checkBatch(sol({ ...h1, index: 2n }))).to.be.revertedWithCustomError(prover, "BatchNotLive").withArgs(2n, 2n);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(prover.checkBatch(sol(h0))).to.be.revertedWithCustomError(prover, "BatchIsFinal").withArgs(0n);
    });
  });

  describe("settle", () => {
    it("rolls back through the Inbox with msg.sender as the challenger", async () => {
      const { inbox, prover, challenger, h0 } = await loadFixture(fixture);
      const { salt } = await commitProof(prover, challenger, h0, KIND_SIGNATURE);
      const tx = prover.connect(challenger).prove(sol(h0), KIND_SIGNATURE, salt);
      await expect(tx).to.emit(prover, "FraudProven").withArgs(0n, challenger.address, KIND_SIGNATURE);
      await expect(tx).to.emit(inbox, "BatchesRolledBack").withArgs(0n, 2n, challenger.address, KIND_SIGNATURE, BOND / 2n, BOND / 2n);
      await expect(tx).to.changeEtherBalance(challenger, BOND / 2n);
      expect(await inbox.batchCount()).to.equal(0n);
    });

    it("a prover the Inbox does not list cannot roll back", async () => {
      const { inbox, challenger, h1 } = await loadFixture(fixture);
      const stray = (await (await ethers.getContractFactory("TestProver")).deploy(await inbox.getAddress())) as unknown as TestProver;
      await stray.arm(true);
      const { salt } = await commitProof(stray, challenger, h1, KIND_SIGNATURE);
      await expect(stray.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt)).to.be.revertedWithCustomError(inbox, "NotProver").withArgs(await stray.getAddress());
    });

    it("the test prover works only while armed, and only its deployer arms it", async () => {
      const { prover, challenger, h1, deployer } = await loadFixture(fixture);
      await expect(prover.connect(challenger).arm(true)).to.be.revertedWithCustomError(prover, "NotOwner").withArgs(challenger.address);
      await prover.connect(deployer).arm(false);
      const { salt } = await commitProof(prover, challenger, h1, KIND_SIGNATURE);
      await expect(prover.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt)).to.be.revertedWithCustomError(prover, "NotArmed");
      await expect(prover.connect(challenger).settleUnchecked(1, KIND_SIGNATURE)).to.be.revertedWithCustomError(prover, "NotArmed");
      await prover.connect(deployer).arm(true);
      await expect(prover.connect(challenger).prove(sol(h1), KIND_SIGNATURE, salt)).to.emit(prover, "FraudProven");
    });
  });
});
