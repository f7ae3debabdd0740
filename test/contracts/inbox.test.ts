/**
 * contracts/Inbox.sol (docs/protocol.md §11.2): bonds, the header checks of appendBatch, the parent race,
 * deposits and forced inclusion, finality, the rollback penalty path and bond reconciliation, plus the gas
 * of appendBatch per transaction. Batches and headers are built with the TypeScript core (core/batch.ts,
 * core/tx.ts), so both sides must agree byte for byte.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Bridge, Inbox, TestProver } from "../../typechain-types";
import { BatchHeader, headerHash, txRootOf } from "../../core/batch";
import { headerToAbi } from "../../core/batch";
import { DepositTx, MoveTx, TxType, encodeTx } from "../../core/tx";
import { Mark } from "../../core/keys";
import { bytesToHex, hexToBytes, concatBytes } from "../../core/bytes";
import { tipBatch } from "../helpers/tip-batch";

const BOND = ethers.parseEther("1");
const WINDOW = 1000n;
const DELAY = 100n;
const BPS = 5000n;
const L2_CHAIN_ID = 901n;
const DEAD = "0x000000000000000000000000000000000000dEaD";
const KIND_MALFORMED = 0;
const KIND_DEPOSIT = 4;

// ------------------------------------------------------------------------------------------------ helpers

interface Deposit {
  index: bigint;
  from: string;
  to: string;
  value: bigint;
}

/** A deposit transaction exactly as a coordinator builds it: one move crediting `to`'s balance. */
function depositTx(d: Deposit, prevBalance = 0n): Uint8Array {
  const tx: DepositTx = {
    type: TxType.Deposit,
    index: d.index,
    from: hexToBytes(d.from as `0x${string}`),
    to: hexToBytes(d.to as `0x${string}`),
    value: d.value,
    moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: hexToBytes(d.to as `0x${string}`), slot: 0n, prev: prevBalance, next: prevBalance + d.value }],
  };
  return encodeTx(tx);
}

const addr = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 31 + i * 7 + 1) & 0xff);

/** A plausible value transfer as a move transaction (the Inbox does not decode transactions; size matters). */
function transferTx(n: number): Uint8Array {
  const from = addr(n);
  const to = addr(n + 1000);
  const fee = addr(7);
  const moves = [
    { mask: 0x7f, ref: false, mark: Mark.Balance, intx: BigInt(n + 1), addr: from, slot: 0n, prev: 10n ** 18n, next: 10n ** 18n - 10n ** 15n - 21000n * 2n * 10n ** 9n },
    { mask: 0, ref: true, mark: Mark.Code, intx: 0n, addr: from, slot: 0n, prev: 0n, next: 0n },
    { mask: 0x7f, ref: false, mark: Mark.Nonce, intx: BigInt(n + 1), addr: from, slot: 0n, prev: BigInt(n), next: BigInt(n + 1) },
    { mask: 0, ref: false, mark: Mark.Balance, intx: BigInt(n), addr: to, slot: 0n, prev: 5n * 10n ** 17n, next: 5n * 10n ** 17n + 10n ** 15n },
    { mask: 0, ref: true, mark: Mark.Code, intx: 0n, addr: to, slot: 0n, prev: 0n, next: 0n },
    { mask: 0, ref: false, mark: Mark.Fee, intx: 0n, addr: fee, slot: BigInt(n + 100), prev: 0n, next: 21000n * 10n ** 9n },
  ].sort((a, b) => Buffer.compare(Buffer.from(concatBytes(a.addr, Uint8Array.of(a.mark))), Buffer.from(concatBytes(b.addr, Uint8Array.of(b.mark)))));
  const tx: MoveTx = {
    type: TxType.Move,
    chainId: L2_CHAIN_ID,
    nonce: BigInt(n),
    maxPriorityFeePerGas: 10n ** 9n,
    maxFeePerGas: 2n * 10n ** 9n,
    gasLimit: 21000n,
    to,
    value: 10n ** 15n,
    data: new Uint8Array(0),
    moves,
    witness: [],
    sig: { yParity: 1, r: BigInt(ethers.keccak256(Uint8Array.of(n, 1))), s: BigInt(ethers.keccak256(Uint8Array.of(n, 2))) >> 2n },
  };
  return encodeTx(tx);
}

/** The header as the ABI takes it. */
const sol = headerToAbi;

interface Built {
  header: BatchHeader;
  data: Uint8Array;
  hash: string;
}

/** Builds the next batch on the inbox's current tip from the TypeScript core. */
async function nextBatch(inbox: Inbox, txs: Uint8Array[], o: { deposits?: bigint; timestamp?: bigint } = {}): Promise<Built> {
  const { header, data } = await tipBatch(inbox, txs, { ...o, feeRecipient: addr(7), baseFee: 7n });
  return { header, data, hash: bytesToHex(headerHash(header)) };
}

/** Re-hashes a header after a field was changed (the data commitments stay as they were). */
function withField(b: Built, patch: Partial<BatchHeader>): Built {
  const header = { ...b.header, ...patch };
  return { header, data: b.data, hash: bytesToHex(headerHash(header)) };
}

async function post(inbox: Inbox, who: HardhatEthersSigner, b: Built) {
  return inbox.connect(who).appendBatch(sol(b.header), b.data);
}

/** Posts a batch of `n` filler transactions (no deposits) and returns it. */
async function postFiller(inbox: Inbox, who: HardhatEthersSigner, n = 1): Promise<Built> {
  const b = await nextBatch(inbox, Array.from({ length: n }, (_, i) => transferTx(i)));
  await (await post(inbox, who, b)).wait();
  return b;
}

async function deployAll(params: { bps?: bigint } = {}) {
  const [deployer, alice, bob, carol, challenger, outsider] = await ethers.getSigners();
  const bridge = (await (await ethers.getContractFactory("Bridge")).deploy()) as unknown as Bridge;
  const inbox = (await (await ethers.getContractFactory("Inbox")).deploy(
    await bridge.getAddress(),
    L2_CHAIN_ID,
    BOND,
    WINDOW,
    DELAY,
    params.bps ?? BPS,
  )) as unknown as Inbox;
  await bridge.setInbox(await inbox.getAddress());
  const prover = (await (await ethers.getContractFactory("TestProver")).deploy(await inbox.getAddress())) as unknown as TestProver;
  await prover.arm(true);
  await inbox.setProvers([await prover.getAddress()]);
  for (const s of [alice, bob, carol]) await inbox.connect(s).bond({ value: BOND });
  return { deployer, alice, bob, carol, challenger, outsider, bridge, inbox, prover };
}

const fixture = () => deployAll();
const fixtureOddBps = () => deployAll({ bps: 3333n });

async function deposit(bridge: Bridge, from: HardhatEthersSigner, to: string, value: bigint): Promise<Deposit> {
  const index = await bridge.depositCount();
  await (await bridge.connect(from).deposit(to, { value })).wait();
  return { index, from: from.address.toLowerCase(), to: to.toLowerCase(), value };
}

// ------------------------------------------------------------------------------------------------ tests

describe("Inbox", () => {
  describe("deployment", () => {
    it("exposes its parameters", async () => {
      const { inbox, bridge, deployer } = await loadFixture(fixture);
      expect(await inbox.bridge()).to.equal(await bridge.getAddress());
      expect(await inbox.l2ChainId()).to.equal(L2_CHAIN_ID);
      expect(await inbox.bondSize()).to.equal(BOND);
      expect(await inbox.challengeWindow()).to.equal(WINDOW);
      expect(await inbox.inclusionDelay()).to.equal(DELAY);
      expect(await inbox.rewardBps()).to.equal(BPS);
      expect(await inbox.deployer()).to.equal(deployer.address);
      expect(await inbox.deployedAtBlock()).to.be.greaterThan(0n);
      expect(await inbox.batchCount()).to.equal(0n);
      expect(await inbox.nextSeq()).to.equal(1n);
      expect(await inbox.depositCursor()).to.equal(0n);
      expect(await inbox.tipHash()).to.equal(ethers.ZeroHash);
    });

    it("refuses out-of-range parameters", async () => {
      const { bridge } = await loadFixture(fixture);
      const F = await ethers.getContractFactory("Inbox");
      const b = await bridge.getAddress();
      const ok = [b, L2_CHAIN_ID, BOND, WINDOW, DELAY, BPS] as const;
      const bad: [number, unknown, string][] = [
        [0, ethers.ZeroAddress, "bridge"],
        [0, (await ethers.getSigners())[1].address, "bridge"],
        [1, 0n, "l2ChainId"],
        [1, 2n ** 64n, "l2ChainId"],
        [2, 0n, "bondSize"],
        [2, 2n ** 128n, "bondSize"],
        [3, 0n, "challengeWindow"],
        [3, 2n ** 64n, "challengeWindow"],
        [4, 2n ** 64n, "inclusionDelay"],
        [5, 10001n, "rewardBps"],
      ];
      for (const [i, v, name] of bad) {
        const args = [...ok] as unknown[];
        args[i] = v;
        await expect(F.deploy(...(args as Parameters<typeof F.deploy>)), name).to.be.revertedWithCustomError(F, "InvalidParameter").withArgs(name);
      }
      await expect(F.deploy(b, L2_CHAIN_ID, BOND, WINDOW, 0n, 10000n)).not.to.be.reverted;
    });
  });

  describe("provers", () => {
    it("are registered once, by the deployer, and must be distinct contracts", async () => {
      const { bridge, alice, prover } = await loadFixture(fixture);
      const F = await ethers.getContractFactory("Inbox");
      const inbox = await F.deploy(await bridge.getAddress(), L2_CHAIN_ID, BOND, WINDOW, DELAY, BPS);
      const p = await prover.getAddress();
      expect(await inbox.proversLocked()).to.equal(false);
      await expect(inbox.connect(alice).setProvers([p])).to.be.revertedWithCustomError(inbox, "NotDeployer").withArgs(alice.address);
      await expect(inbox.setProvers([])).to.be.revertedWithCustomError(inbox, "InvalidProver").withArgs(ethers.ZeroAddress);
      await expect(inbox.setProvers([alice.address])).to.be.revertedWithCustomError(inbox, "InvalidProver").withArgs(alice.address);
      await expect(inbox.setProvers([p, p])).to.be.revertedWithCustomError(inbox, "InvalidProver").withArgs(p);
      await expect(inbox.setProvers([p])).to.emit(inbox, "ProversSet").withArgs([p]);
      expect(await inbox.isProver(p)).to.equal(true);
      expect(await inbox.proversLocked()).to.equal(true);
      await expect(inbox.setProvers([await bridge.getAddress()])).to.be.revertedWithCustomError(inbox, "ProversLocked");
    });
  });

  describe("bonds", () => {
    it("bond() adds to the caller's bond", async () => {
      const { inbox, alice } = await loadFixture(fixture);
      await expect(inbox.connect(alice).bond({ value: 5n })).to.emit(inbox, "Bonded").withArgs(alice.address, 5n, BOND + 5n);
      expect(await inbox.bondOf(alice.address)).to.equal(BOND + 5n);
      await expect(inbox.connect(alice).bond()).to.be.revertedWithCustomError(inbox, "ZeroValue");
    });

    it("posting needs a bond of at least bondSize", async () => {
      const { inbox, outsider } = await loadFixture(fixture);
      const b = await nextBatch(inbox, [transferTx(1)]);
      await expect(post(inbox, outsider, b)).to.be.revertedWithCustomError(inbox, "NotBonded").withArgs(outsider.address, 0n, BOND);
      await inbox.connect(outsider).bond({ value: BOND - 1n });
      await expect(post(inbox, outsider, b)).to.be.revertedWithCustomError(inbox, "NotBonded").withArgs(outsider.address, BOND - 1n, BOND);
      await inbox.connect(outsider).bond({ value: 1n });
      await expect(post(inbox, outsider, b)).to.emit(inbox, "BatchAppended");
    });

    it("unbond without a bond reverts", async () => {
      const { inbox, outsider } = await loadFixture(fixture);
      await expect(inbox.connect(outsider).unbond()).to.be.revertedWithCustomError(inbox, "NothingToUnbond");
    });

    it("unbond with nothing posted returns the bond at once", async () => {
      const { inbox, alice } = await loadFixture(fixture);
      await expect(inbox.connect(alice).unbond()).to.changeEtherBalances([alice, inbox], [BOND, -BOND]);
      expect(await inbox.bondOf(alice.address)).to.equal(0n);
    });

    it("unbond while a posted batch is pending reverts, and succeeds once it is final", async () => {
      const { inbox, alice } = await loadFixture(fixture);
      await postFiller(inbox, alice);
      const postedAt = (await inbox.batch(0)).postedAt;
      await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(0n, postedAt + WINDOW);
      await time.setNextBlockTimestamp(postedAt + WINDOW - 1n);
      await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked");
      await time.setNextBlockTimestamp(postedAt + WINDOW);
      await expect(inbox.connect(alice).unbond()).to.emit(inbox, "Unbonded").withArgs(alice.address, BOND);
      expect(await inbox.bondOf(alice.address)).to.equal(0n);
      // unbonded: can no longer post; bonding again works
      const b = await nextBatch(inbox, [transferTx(2)]);
      await expect(post(inbox, alice, b)).to.be.revertedWithCustomError(inbox, "NotBonded");
      await inbox.connect(alice).bond({ value: BOND });
      await expect(post(inbox, alice, b)).to.emit(inbox, "BatchAppended");
    });

    it("the latest of several pending batches decides", async () => {
      const { inbox, alice, bob } = await loadFixture(fixture);
      await postFiller(inbox, alice); // 0
      await postFiller(inbox, bob); // 1
      await time.increase(WINDOW / 2n);
      await postFiller(inbox, alice); // 2
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      expect(await inbox.isFinal(0)).to.equal(true);
      const finalAt2 = (await inbox.batch(2)).postedAt + WINDOW;
      await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(2n, finalAt2);
      await expect(inbox.connect(bob).unbond()).to.emit(inbox, "Unbonded");
      await time.increaseTo(finalAt2);
      await expect(inbox.connect(alice).unbond()).to.emit(inbox, "Unbonded").withArgs(alice.address, BOND);
    });

    it("unbond after its only batch was rolled back returns what is left at once", async () => {
      const { inbox, alice, prover, challenger } = await loadFixture(fixture);
      await inbox.connect(alice).bond({ value: BOND }); // 2 × bond
      await postFiller(inbox, alice);
      await prover.connect(challenger).settleUnchecked(0, KIND_MALFORMED);
      expect(await inbox.bondOf(alice.address)).to.equal(BOND);
      await expect(inbox.connect(alice).unbond()).to.changeEtherBalances([alice, inbox], [BOND, -BOND]);
    });

    it("after a rollback, an older live batch of the poster still locks its bond", async () => {
      const { inbox, alice, bob, prover, challenger } = await loadFixture(fixture);
      await inbox.connect(alice).bond({ value: BOND });
      await postFiller(inbox, alice); // 0
      await postFiller(inbox, bob); // 1
      await postFiller(inbox, alice); // 2
      await prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED); // deletes 1 (bob, slashed) and 2 (alice, not slashed)
      expect(await inbox.bondOf(alice.address)).to.equal(2n * BOND);
      expect(await inbox.bondOf(bob.address)).to.equal(0n);
      const finalAt0 = (await inbox.batch(0)).postedAt + WINDOW;
      await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(0n, finalAt0);
      await time.increaseTo(finalAt0);
      await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, 2n * BOND);
    });

    it("stale postings are skipped after re-posts overwrite rolled-back records", async () => {
      const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(fixture);
      await inbox.connect(alice).bond({ value: BOND });
      await postFiller(inbox, alice); // 0
      await postFiller(inbox, alice); // 1
      await postFiller(inbox, alice); // 2
      await prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED); // alice slashed once; 1 and 2 deleted
      await postFiller(inbox, bob); // 1 (overwrites alice's dead record)
      await postFiller(inbox, carol); // 2
      await postFiller(inbox, carol); // 3
      const finalAt0 = (await inbox.batch(0)).postedAt + WINDOW;
      await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(0n, finalAt0);
      await time.increaseTo(finalAt0);
      // bob's and carol's batches are still pending; alice's only live batch is final
      await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, BOND);
      await expect(inbox.connect(bob).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked");
    });

    it("a poster that re-posts at the same index after a rollback is locked by the new batch", async () => {
      const { inbox, alice, prover, challenger } = await loadFixture(fixture);
      await inbox.connect(alice).bond({ value: 2n * BOND });
      await postFiller(inbox, alice); // 0
      await time.increase(WINDOW / 2n);
      await postFiller(inbox, alice); // 1
      await prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED);
      await time.increase(WINDOW / 2n + 1n);
      await postFiller(inbox, alice); // 1 again
      expect(await inbox.isFinal(0)).to.equal(true);
      const finalAt1 = (await inbox.batch(1)).postedAt + WINDOW;
      await expect(inbox.connect(alice).unbond()).to.be.revertedWithCustomError(inbox, "BondLocked").withArgs(1n, finalAt1);
      await time.increaseTo(finalAt1);
      await expect(inbox.connect(alice).unbond()).to.changeEtherBalance(alice, 2n * BOND);
    });
  });

  describe("appendBatch", () => {
    it("stores the record and emits the full header", async () => {
      const { inbox, alice } = await loadFixture(fixture);
      const b = await nextBatch(inbox, [transferTx(1), transferTx(2), transferTx(3)]);
      const tx = await post(inbox, alice, b);
      await expect(tx)
        .to.emit(inbox, "BatchAppended")
        .withArgs(0n, b.hash, alice.address, Object.values(sol(b.header)));
      const blockTs = BigInt((await (await tx.wait())!.getBlock()).timestamp);
      const r = await inbox.batch(0);
      expect(r.headerHash).to.equal(b.hash);
      expect(r.firstSeq).to.equal(1n);
      expect(r.txCount).to.equal(3n);
      expect(r.depositStart).to.equal(0n);
      expect(r.depositEnd).to.equal(0n);
      expect(r.timestamp).to.equal(b.header.timestamp);
      expect(r.poster).to.equal(alice.address);
      expect(r.postedAt).to.equal(blockTs);
      expect(await inbox.headerHash(0)).to.equal(b.hash);
      expect(await inbox.tipHash()).to.equal(b.hash);
      expect(await inbox.batchCount()).to.equal(1n);
      expect(await inbox.nextSeq()).to.equal(4n);
      const b1 = await nextBatch(inbox, [transferTx(4)]);
      expect(b1.header.firstSeq).to.equal(4n);
      expect(bytesToHex(b1.header.parent)).to.equal(b.hash);
      await expect(post(inbox, alice, b1)).to.emit(inbox, "BatchAppended").withArgs(1n, b1.hash, alice.address, Object.values(sol(b1.header)));
      await expect(inbox.batch(2)).to.be.revertedWithCustomError(inbox, "BatchNotLive").withArgs(2n, 2n);
      await expect(inbox.headerHash(2)).to.be.revertedWithCustomError(inbox, "BatchNotLive").withArgs(2n, 2n);
    });

    it("parent race: the second poster gets ParentNotTip, re-reads the tip and succeeds", async () => {
      const { inbox, alice, bob } = await loadFixture(fixture);
      await postFiller(inbox, alice);
      const tip = await inbox.tipHash();
      const a = await nextBatch(inbox, [transferTx(10)]);
      const b = await nextBatch(inbox, [transferTx(20), transferTx(21)]);
      expect(bytesToHex(a.header.parent)).to.equal(tip);
      expect(bytesToHex(b.header.parent)).to.equal(tip);
      await post(inbox, alice, a);
      await expect(post(inbox, bob, b)).to.be.revertedWithCustomError(inbox, "ParentNotTip").withArgs(a.hash, tip);
      const b2 = await nextBatch(inbox, [transferTx(20), transferTx(21)]);
      expect(bytesToHex(b2.header.parent)).to.equal(a.hash);
      await expect(post(inbox, bob, b2)).to.emit(inbox, "BatchAppended").withArgs(2n, b2.hash, bob.address, Object.values(sol(b2.header)));
    });

    it("parent race within one block: one lands, the other reverts with ParentNotTip", async () => {
      const { inbox, alice, bob } = await loadFixture(fixture);
      const a = await nextBatch(inbox, [transferTx(10)]);
      const b = await nextBatch(inbox, [transferTx(20)]);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const ta = await inbox.connect(alice).appendBatch(sol(a.header), a.data, { gasLimit: 1_000_000 });
        const tb = await inbox.connect(bob).appendBatch(sol(b.header), b.data, { gasLimit: 1_000_000 });
        await ethers.provider.send("evm_mine", []);
        expect((await ethers.provider.getTransactionReceipt(ta.hash))!.status).to.equal(1);
        expect((await ethers.provider.getTransactionReceipt(tb.hash))!.status).to.equal(0);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      expect(await inbox.tipHash()).to.equal(a.hash);
      await expect(inbox.connect(bob).appendBatch.staticCall(sol(b.header), b.data)).to.be.revertedWithCustomError(inbox, "ParentNotTip").withArgs(a.hash, ethers.ZeroHash);
    });

    describe("header checks: each invalid field reverts", () => {
      async function ready() {
        const f = await loadFixture(fixture);
        await postFiller(f.inbox, f.alice, 2); // batch 0: seqs 1..2, so nothing is trivially zero
        await time.increase(10);
        return f;
      }

      it("index", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        await expect(post(inbox, alice, withField(b, { index: 2n }))).to.be.revertedWithCustomError(inbox, "WrongIndex").withArgs(1n, 2n);
        await expect(post(inbox, alice, withField(b, { index: 0n }))).to.be.revertedWithCustomError(inbox, "WrongIndex").withArgs(1n, 0n);
      });

      it("parent", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        const wrong = hexToBytes(ethers.keccak256("0x01") as `0x${string}`);
        await expect(post(inbox, alice, withField(b, { parent: wrong }))).to.be.revertedWithCustomError(inbox, "ParentNotTip").withArgs(bytesToHex(b.header.parent), bytesToHex(wrong));
        await expect(post(inbox, alice, withField(b, { parent: new Uint8Array(32) }))).to.be.revertedWithCustomError(inbox, "ParentNotTip");
      });

      it("parent of batch 0 must be ZERO", async () => {
        const { inbox, alice } = await loadFixture(fixture);
        const b = await nextBatch(inbox, [transferTx(1)]);
        await expect(post(inbox, alice, withField(b, { parent: Uint8Array.from({ length: 32 }, () => 1) }))).to.be.revertedWithCustomError(inbox, "ParentNotTip");
      });

      it("firstSeq", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        expect(b.header.firstSeq).to.equal(3n);
        for (const s of [2n, 4n, 0n]) await expect(post(inbox, alice, withField(b, { firstSeq: s }))).to.be.revertedWithCustomError(inbox, "WrongFirstSeq").withArgs(3n, s);
      });

      it("firstSeq of batch 0 is 1", async () => {
        const { inbox, alice } = await loadFixture(fixture);
        const b = await nextBatch(inbox, [transferTx(1)]);
        await expect(post(inbox, alice, withField(b, { firstSeq: 0n }))).to.be.revertedWithCustomError(inbox, "WrongFirstSeq").withArgs(1n, 0n);
      });

      it("number", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        await expect(post(inbox, alice, withField(b, { number: 1n }))).to.be.revertedWithCustomError(inbox, "WrongNumber").withArgs(2n, 1n);
        await expect(post(inbox, alice, withField(b, { number: 3n }))).to.be.revertedWithCustomError(inbox, "WrongNumber").withArgs(2n, 3n);
      });

      it("timestamp before the parent's", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        const parentTs = (await inbox.batch(0)).timestamp;
        await expect(post(inbox, alice, withField(b, { timestamp: parentTs - 1n }))).to.be.revertedWithCustomError(inbox, "TimestampBeforeParent").withArgs(parentTs, parentTs - 1n);
        await expect(post(inbox, alice, withField(b, { timestamp: parentTs }))).to.emit(inbox, "BatchAppended");
      });

      it("timestamp after the L1 block's", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        const next = BigInt(await time.latest()) + 5n;
        await time.setNextBlockTimestamp(next);
        await expect(post(inbox, alice, withField(b, { timestamp: next + 1n }))).to.be.revertedWithCustomError(inbox, "TimestampInFuture").withArgs(next, next + 1n);
        await time.setNextBlockTimestamp(next + 1n);
        await expect(post(inbox, alice, withField(b, { timestamp: next + 1n }))).to.emit(inbox, "BatchAppended");
      });

      it("txCount", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1), transferTx(2)]);
        await expect(post(inbox, alice, withField(b, { txCount: 3n }))).to.be.revertedWithCustomError(inbox, "TxCountMismatch").withArgs(3n, 2n);
        await expect(post(inbox, alice, withField(b, { txCount: 1n }))).to.be.revertedWithCustomError(inbox, "TxCountMismatch").withArgs(1n, 2n);
      });

      it("an empty batch", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, []);
        expect(b.header.txCount).to.equal(0n);
        await expect(post(inbox, alice, b)).to.be.revertedWithCustomError(inbox, "EmptyBatch");
      });

      it("txRoot", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1), transferTx(2)]);
        const other = txRootOf([transferTx(2), transferTx(1)]);
        await expect(post(inbox, alice, withField(b, { txRoot: other }))).to.be.revertedWithCustomError(inbox, "TxRootMismatch").withArgs(bytesToHex(b.header.txRoot), bytesToHex(other));
      });

      it("dataHash", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        const other = hexToBytes(ethers.keccak256(b.data) as `0x${string}`); // untagged: wrong
        await expect(post(inbox, alice, withField(b, { dataHash: other }))).to.be.revertedWithCustomError(inbox, "DataHashMismatch").withArgs(bytesToHex(b.header.dataHash), bytesToHex(other));
      });

      it("data that does not parse as batch data reverts with the decoder's DecodeError", async () => {
        const { inbox, alice, bridge } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        const cases: [Uint8Array, number, number][] = [
          [new Uint8Array(0), 0, 0], // truncated at 0
          [Uint8Array.of(2, 1, 1, 0), 4, 0], // unknown version
          [concatBytes(b.data, Uint8Array.of(0)), 3, b.data.length], // trailing bytes
          [b.data.subarray(0, b.data.length - 1), 0, -1], // truncated inside the transaction
          [Uint8Array.of(1, 0x81, 0x00), 1, 1], // non-canonical count
        ];
        for (const [data, code] of cases) {
          await expect(inbox.connect(alice).appendBatch(sol(b.header), data), `code ${code}`).to.be.revertedWithCustomError(bridge, "DecodeError");
        }
        await expect(inbox.connect(alice).appendBatch(sol(b.header), Uint8Array.of(2))).to.be.revertedWithCustomError(bridge, "DecodeError").withArgs(4, 0);
      });

      it("feeRecipient with dirty high bytes is refused (its hash could not be reproduced)", async () => {
        const { inbox, alice } = await ready();
        const b = await nextBatch(inbox, [transferTx(1)]);
        const calldata = inbox.interface.encodeFunctionData("appendBatch", [sol(b.header), b.data]);
        // selector (4) + head: header words 0..11 start at byte 4; feeRecipient is word 7.
        const bytes = ethers.getBytes(calldata);
        bytes[4 + 7 * 32] = 0x01;
        // the ABI decoder's own validation: a revert without data
        await expect(alice.sendTransaction({ to: await inbox.getAddress(), data: ethers.hexlify(bytes) })).to.be.revertedWithoutReason();
        await expect(post(inbox, alice, b)).to.emit(inbox, "BatchAppended");
      });

      it("depositStart", async () => {
        const { inbox, alice, bridge } = await ready();
        await deposit(bridge, alice, alice.address, 1n);
        const b = await nextBatch(inbox, [transferTx(1)]);
        await expect(post(inbox, alice, withField(b, { depositStart: 1n, depositEnd: 1n }))).to.be.revertedWithCustomError(inbox, "WrongDepositStart").withArgs(0n, 1n);
      });

      it("depositEnd past the queue, or before depositStart", async () => {
        const { inbox, alice, bridge } = await ready();
        const d = await deposit(bridge, alice, alice.address, 1n);
        const b = await nextBatch(inbox, [depositTx(d), transferTx(1)], { deposits: 1n });
        await expect(post(inbox, alice, withField(b, { depositEnd: 2n }))).to.be.revertedWithCustomError(inbox, "BadDepositRange").withArgs(0n, 2n, 1n);
        await postFiller(inbox, alice); // nothing consumed
        await expect(post(inbox, alice, withField(await nextBatch(inbox, [depositTx(d)], { deposits: 1n }), {}))).to.emit(inbox, "BatchAppended");
        expect(await inbox.depositCursor()).to.equal(1n);
        const c = await nextBatch(inbox, [transferTx(3)]);
        await expect(post(inbox, alice, withField(c, { depositEnd: 0n }))).to.be.revertedWithCustomError(inbox, "BadDepositRange").withArgs(1n, 0n, 1n);
      });

      it("fewer transactions than deposits", async () => {
        const { inbox, alice, bridge } = await ready();
        const d0 = await deposit(bridge, alice, alice.address, 1n);
        const d1 = await deposit(bridge, alice, alice.address, 2n);
        const b = await nextBatch(inbox, [depositTx(d0)], { deposits: 1n });
        await expect(post(inbox, alice, withField(b, { depositEnd: 2n }))).to.be.revertedWithCustomError(inbox, "TooFewTxsForDeposits").withArgs(1n, 2n);
        const ok = await nextBatch(inbox, [depositTx(d0), depositTx(d1)], { deposits: 2n });
        await expect(post(inbox, alice, ok)).to.emit(inbox, "BatchAppended");
      });
    });
  });

  describe("deposits and forced inclusion", () => {
    it("a batch may leave out deposits younger than the inclusion delay", async () => {
      const { inbox, bridge, alice, bob } = await loadFixture(fixture);
      await deposit(bridge, bob, bob.address, 10n);
      await postFiller(inbox, alice);
      expect(await inbox.depositCursor()).to.equal(0n);
    });

    it("a batch that skips an overdue deposit reverts; one that includes it passes", async () => {
      const { inbox, bridge, alice, bob } = await loadFixture(fixture);
      const d = await deposit(bridge, bob, bob.address, 10n);
      const t = await bridge.depositTime(0);
      await time.increaseTo(t + DELAY - 1n);
      const skip = await nextBatch(inbox, [transferTx(1)]); // age = delay: still allowed
      await time.setNextBlockTimestamp(t + DELAY);
      await expect(post(inbox, alice, skip)).to.emit(inbox, "BatchAppended");
      const skip2 = await nextBatch(inbox, [transferTx(2)]);
      await time.setNextBlockTimestamp(t + DELAY + 1n); // age = delay + 1: overdue
      await expect(post(inbox, alice, skip2)).to.be.revertedWithCustomError(inbox, "DepositOverdue").withArgs(0n);
      const incl = await nextBatch(inbox, [depositTx(d), transferTx(2)], { deposits: 1n });
      await expect(post(inbox, alice, incl)).to.emit(inbox, "BatchAppended");
      expect(await inbox.depositCursor()).to.equal(1n);
      const r = await inbox.batch(1);
      expect([r.depositStart, r.depositEnd]).to.deep.equal([0n, 1n]);
    });

    it("including only some overdue deposits reverts with the first one left out", async () => {
      const { inbox, bridge, alice, bob } = await loadFixture(fixture);
      const ds = [];
      for (let i = 0; i < 3; i++) ds.push(await deposit(bridge, bob, bob.address, BigInt(i + 1)));
      await time.increase(DELAY + 5n);
      const part = await nextBatch(inbox, [depositTx(ds[0])], { deposits: 1n });
      await expect(post(inbox, alice, part)).to.be.revertedWithCustomError(inbox, "DepositOverdue").withArgs(1n);
      const all = await nextBatch(inbox, [depositTx(ds[0]), depositTx(ds[1], 1n), depositTx(ds[2], 3n), transferTx(1)], { deposits: 3n });
      await expect(post(inbox, alice, all)).to.emit(inbox, "BatchAppended");
    });

    it("a rollback returns the deposit cursor to the rolled-back batch's start", async () => {
      const { inbox, bridge, alice, bob, prover, challenger } = await loadFixture(fixture);
      const d0 = await deposit(bridge, bob, bob.address, 1n);
      const d1 = await deposit(bridge, bob, bob.address, 2n);
      await post(inbox, alice, await nextBatch(inbox, [depositTx(d0)], { deposits: 1n }));
      await post(inbox, bob, await nextBatch(inbox, [depositTx(d1, 1n)], { deposits: 1n }));
      expect(await inbox.depositCursor()).to.equal(2n);
      await prover.connect(challenger).settleUnchecked(1, KIND_DEPOSIT);
      expect(await inbox.depositCursor()).to.equal(1n);
      expect(await inbox.nextSeq()).to.equal(2n);
      await expect(post(inbox, alice, await nextBatch(inbox, [depositTx(d1, 1n)], { deposits: 1n }))).to.emit(inbox, "BatchAppended");
    });
  });

  describe("finality", () => {
    it("a batch is final exactly challengeWindow after it was posted", async () => {
      const { inbox, alice } = await loadFixture(fixture);
      await postFiller(inbox, alice);
      const postedAt = (await inbox.batch(0)).postedAt;
      expect(await inbox.isFinal(0)).to.equal(false);
      await time.increaseTo(postedAt + WINDOW - 1n);
      expect(await inbox.isFinal(0)).to.equal(false);
      await time.increaseTo(postedAt + WINDOW);
      expect(await inbox.isFinal(0)).to.equal(true);
      expect(await inbox.isFinal(1)).to.equal(false); // not live
    });

    it("a rolled-back batch is not final", async () => {
      const { inbox, alice, prover, challenger } = await loadFixture(fixture);
      await postFiller(inbox, alice);
      await prover.connect(challenger).settleUnchecked(0, KIND_MALFORMED);
      await time.increase(WINDOW * 2n);
      expect(await inbox.isFinal(0)).to.equal(false);
    });
  });

  describe("rollback", () => {
    it("only registered provers may roll back", async () => {
      const { inbox, alice, deployer, challenger } = await loadFixture(fixture);
      await postFiller(inbox, alice);
      for (const s of [deployer, alice, challenger])
        await expect(inbox.connect(s).rollback(0, s.address, KIND_MALFORMED)).to.be.revertedWithCustomError(inbox, "NotProver").withArgs(s.address);
    });

    it("refuses a final batch, an index that is not live, an unknown kind", async () => {
      const { inbox, alice, bob, prover, challenger } = await loadFixture(fixture);
      await postFiller(inbox, alice);
      await expect(prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED)).to.be.revertedWithCustomError(inbox, "BatchNotLive").withArgs(1n, 1n);
      await expect(prover.connect(challenger).settleUnchecked(0, 7)).to.be.revertedWithCustomError(inbox, "UnknownKind").withArgs(7);
      await time.setNextBlockTimestamp((await inbox.batch(0)).postedAt + WINDOW - 1n);
      await expect(prover.connect(challenger).settleUnchecked(0, 6)).to.emit(inbox, "BatchesRolledBack"); // last second of the window
      await postFiller(inbox, bob);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(prover.connect(challenger).settleUnchecked(0, KIND_MALFORMED)).to.be.revertedWithCustomError(inbox, "BatchIsFinal").withArgs(0n);
    });

    it("removes the batch and every later one, slashes only its poster, pays and burns exactly", async () => {
      const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(fixtureOddBps);
      const bps = 3333n;
      const b0 = await postFiller(inbox, alice); // 0
      await postFiller(inbox, bob); // 1  <- fraudulent
      await postFiller(inbox, carol, 3); // 2
      await postFiller(inbox, alice); // 3
      expect(await inbox.batchCount()).to.equal(4n);
      const reward = (BOND * bps) / 10000n;
      const burned = BOND - reward;
      const tx = prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED);
      await expect(tx).to.emit(inbox, "BatchesRolledBack").withArgs(1n, 3n, challenger.address, KIND_MALFORMED, reward, burned);
      await expect(tx).to.emit(inbox, "BondSlashed").withArgs(bob.address, 1n, BOND, 0n);
      await expect(tx).to.changeEtherBalances([challenger, DEAD, inbox], [reward, burned, -BOND]);
      expect(await inbox.batchCount()).to.equal(1n);
      expect(await inbox.tipHash()).to.equal(b0.hash);
      expect(await inbox.nextSeq()).to.equal(2n);
      for (const i of [1, 2, 3]) await expect(inbox.headerHash(i)).to.be.revertedWithCustomError(inbox, "BatchNotLive");
      expect(await inbox.bondOf(alice.address)).to.equal(BOND);
      expect(await inbox.bondOf(bob.address)).to.equal(0n);
      expect(await inbox.bondOf(carol.address)).to.equal(BOND);
      // the chain continues from batch 0; the slashed poster cannot post
      const again = await nextBatch(inbox, [transferTx(9)]);
      expect(again.header.index).to.equal(1n);
      await expect(post(inbox, bob, again)).to.be.revertedWithCustomError(inbox, "NotBonded");
      await expect(post(inbox, carol, again)).to.emit(inbox, "BatchAppended");
    });

    it("a poster slashed twice in one window loses at most its bond", async () => {
      const { inbox, alice, bob, prover, challenger } = await loadFixture(fixture);
      await inbox.connect(alice).bond({ value: BOND / 2n }); // 1.5 bonds
      await postFiller(inbox, alice); // 0
      await postFiller(inbox, bob); // 1
      await postFiller(inbox, alice); // 2
      await prover.connect(challenger).settleUnchecked(2, KIND_MALFORMED);
      expect(await inbox.bondOf(alice.address)).to.equal(BOND / 2n);
      const tx = prover.connect(challenger).settleUnchecked(0, KIND_MALFORMED);
      await expect(tx).to.emit(inbox, "BatchesRolledBack").withArgs(0n, 2n, challenger.address, KIND_MALFORMED, BOND / 4n, BOND / 4n);
      await expect(tx).to.changeEtherBalances([challenger, DEAD], [BOND / 4n, BOND / 4n]);
      expect(await inbox.bondOf(alice.address)).to.equal(0n);
      expect(await inbox.bondOf(bob.address)).to.equal(BOND);
    });

    it("bonds reconcile: every wei is held as a bond, paid out, or burned", async () => {
      const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(fixtureOddBps);
      const inboxAddr = await inbox.getAddress();
      const posters = [alice, bob, carol];
      let bonded = 3n * BOND; // from the fixture
      for (const [s, v] of [[alice, 12345n], [bob, BOND], [carol, 7n]] as const) {
        await inbox.connect(s).bond({ value: v });
        bonded += v;
      }
      let paid = 0n;
      let burned = 0n;
      let returned = 0n;
      const sumBonds = async () => (await Promise.all(posters.map((p) => inbox.bondOf(p.address)))).reduce((a, b) => a + b, 0n);
      const check = async () => {
        const held = await sumBonds();
        expect(await ethers.provider.getBalance(inboxAddr), "inbox balance = bonds held").to.equal(held);
        expect(held + paid + burned + returned, "bonded = held + paid + burned + returned").to.equal(bonded);
      };
      const rollbackAt = async (i: number) => {
        const rc = await (await prover.connect(challenger).settleUnchecked(i, KIND_MALFORMED)).wait();
        const ev = rc!.logs.map((l) => { try { return inbox.interface.parseLog(l); } catch { return null; } }).find((e) => e?.name === "BatchesRolledBack")!;
        paid += ev.args.reward as bigint;
        burned += ev.args.burned as bigint;
      };
      await postFiller(inbox, alice);
      await postFiller(inbox, bob);
      await postFiller(inbox, carol);
      await check();
      await rollbackAt(1);
      await check();
      await postFiller(inbox, alice);
      await postFiller(inbox, alice);
      await rollbackAt(2);
      await check();
      await rollbackAt(1);
      await check();
      await time.increase(WINDOW);
      for (const p of posters) {
        const b = await inbox.bondOf(p.address);
        if (b > 0n) {
          await inbox.connect(p).unbond();
          returned += b;
        }
      }
      await check();
      expect(await ethers.provider.getBalance(inboxAddr)).to.equal(0n);
    });
  });

  describe("gas", () => {
    it("appendBatch gas per transaction for 1, 10, 100 transactions", async function () {
      this.timeout(300_000);
      const { inbox, bridge, alice, bob } = await loadFixture(fixture);
      await postFiller(inbox, alice); // batch 0, so later ones have a real parent
      // Each configuration is posted 4 times in a row and averaged: a poster's stack of posted indices packs four
      // entries per storage word, so one batch in four pays for a fresh word (about +17k gas).
      const REPEAT = 4;
      const rows: string[] = [];
      for (const n of [1, 10, 100]) {
        let gd = 0n;
        let gm = 0n;
        let bd = 0;
        let bm = 0;
        for (let r = 0; r < REPEAT; r++) {
          // deposit-only batches (each deposit queued on L1 first)
          const ds: Deposit[] = [];
          for (let i = 0; i < n; i++) ds.push(await deposit(bridge, bob, ethers.getAddress(bytesToHex(addr(i))), 1000n + BigInt(i)));
          const dtxs = ds.map((x) => depositTx(x));
          const d = await nextBatch(inbox, dtxs, { deposits: BigInt(n) });
          gd += (await (await post(inbox, alice, d)).wait())!.gasUsed;
          bd += dtxs.reduce((a, x) => a + x.length, 0);
        }
        for (let r = 0; r < REPEAT; r++) {
          // move-transaction batches (value transfers with 6 moves)
          const txs = Array.from({ length: n }, (_, i) => transferTx(i + r));
          const m = await nextBatch(inbox, txs);
          gm += (await (await post(inbox, alice, m)).wait())!.gasUsed;
          bm += txs.reduce((a, x) => a + x.length, 0);
        }
        const per = (g: bigint) => g / BigInt(REPEAT * n);
        rows.push(
          `${String(n).padStart(4)} txs | deposits (${Math.round(bd / (REPEAT * n))} B/tx): ${gd / BigInt(REPEAT)} gas/batch, ${per(gd)} gas/tx` +
            ` | transfers (${Math.round(bm / (REPEAT * n))} B/tx): ${gm / BigInt(REPEAT)} gas/batch, ${per(gm)} gas/tx`,
        );
      }
      console.log("      appendBatch gas (mean of 4 batches each):\n" + rows.map((r) => "        " + r).join("\n"));
    });
  });
});
