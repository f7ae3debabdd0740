/**
 * contracts/Inbox.sol (docs/protocol.md §11.2): the header checks of appendBatch, the parent race, deposits
 * and forced inclusion (the oldest overdue deposits up to maxDepositsPerBatch), finality, the rollback penalty
 * path, plus the gas of appendBatch per transaction. Bonds: inbox-bonds.test.ts; where batch data is (the two
 * append paths): inbox-data-source.test.ts. Batches and headers are built with the TypeScript core
 * (test/helpers/inbox.ts), so both sides must agree byte for byte.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { bytesToHex, concatBytes, hexToBytes } from "../../core/bytes";
import { headerHash, txRootOf, MAX_BATCH_BYTES, MAX_TX_BYTES } from "../../core/batch";
import { batchTxOf, nextBaseFee, BATCH_GAS_LIMIT, GAS_TARGET } from "../../core/gas";
import { Writer } from "../../core/codec";
import {
  BOND, WINDOW, DELAY, BPS, MAX_DEPOSITS, MIN_BASE_FEE, L2_CHAIN_ID, DEAD, KIND_MALFORMED, KIND_DEPOSIT, DATA_CALLDATA,
  type Deposit, depositTx, addr, transferTx, sol, nextBatch, withField, post, postFiller, deployAll, deposit,
} from "../helpers/inbox";
import { EMPTY_GENESIS_ROOT } from "../../node/config";

const fixture = () => deployAll({ bonds: 4n });
const fixtureOddBpsOneBond = () => deployAll({ bps: 3333n });
const fixtureMax3 = () => deployAll({ bonds: 4n, maxDeposits: 3n });

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
      expect(await inbox.maxDepositsPerBatch()).to.equal(MAX_DEPOSITS);
      expect(await inbox.minBaseFee()).to.equal(MIN_BASE_FEE);
      expect(await inbox.nextBaseFee()).to.equal(MIN_BASE_FEE);
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
      const ok = [b, L2_CHAIN_ID, BOND, WINDOW, DELAY, BPS, MAX_DEPOSITS, MIN_BASE_FEE, EMPTY_GENESIS_ROOT, 0n] as const;
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
        [6, 0n, "maxDepositsPerBatch"],
        [6, 513n, "maxDepositsPerBatch"],
        [7, 0n, "minBaseFee"],
        [7, 2n ** 128n, "minBaseFee"],
        [8, ethers.ZeroHash, "genesis"], // no leaves, but not the empty tree's root
        [9, 3n, "genesis"], // leaves, but the empty tree's root
      ];
      for (const [i, v, name] of bad) {
        const args = [...ok] as unknown[];
        args[i] = v;
        await expect(F.deploy(...(args as Parameters<typeof F.deploy>)), name).to.be.revertedWithCustomError(F, "InvalidParameter").withArgs(name);
      }
      await expect(F.deploy(b, L2_CHAIN_ID, BOND, WINDOW, 0n, 10000n, 512n, 1n, EMPTY_GENESIS_ROOT, 0n)).not.to.be.reverted;
      await expect(F.deploy(b, L2_CHAIN_ID, BOND, WINDOW, 0n, 10000n, 1n, 2n ** 128n - 1n, ethers.id("a root"), 22n)).not.to.be.reverted;
    });
  });

  describe("provers", () => {
    it("are registered once, by the deployer, and must be distinct contracts", async () => {
      const { bridge, alice, prover } = await loadFixture(fixture);
      const F = await ethers.getContractFactory("Inbox");
      const inbox = await F.deploy(await bridge.getAddress(), L2_CHAIN_ID, BOND, WINDOW, DELAY, BPS, MAX_DEPOSITS, MIN_BASE_FEE, EMPTY_GENESIS_ROOT, 0n);
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

  describe("appendBatch", () => {
    it("stores the record and emits the full header", async () => {
      const { inbox, alice } = await loadFixture(fixture);
      const b = await nextBatch(inbox, [transferTx(1), transferTx(2), transferTx(3)]);
      const tx = await post(inbox, alice, b);
      await expect(tx)
        .to.emit(inbox, "BatchAppended")
        .withArgs(0n, b.hash, alice.address, Object.values(sol(b.header)), DATA_CALLDATA);
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
      await expect(post(inbox, alice, b1)).to.emit(inbox, "BatchAppended").withArgs(1n, b1.hash, alice.address, Object.values(sol(b1.header)), DATA_CALLDATA);
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
      await expect(post(inbox, bob, b2)).to.emit(inbox, "BatchAppended").withArgs(2n, b2.hash, bob.address, Object.values(sol(b2.header)), DATA_CALLDATA);
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
        const other = txRootOf([batchTxOf(transferTx(2)), batchTxOf(transferTx(1))]);
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
          [Uint8Array.of(1, 1, 1, 0), 4, 0], // unknown version (0x01: before declared gas)
          [concatBytes(b.data, Uint8Array.of(0)), 3, b.data.length], // trailing bytes
          [b.data.subarray(0, b.data.length - 1), 0, -1], // truncated inside the transaction
          [Uint8Array.of(2, 0x81, 0x00), 1, 1], // non-canonical count
        ];
        for (const [data, code] of cases) {
          await expect(inbox.connect(alice).appendBatch(sol(b.header), data), `code ${code}`).to.be.revertedWithCustomError(bridge, "DecodeError");
        }
        await expect(inbox.connect(alice).appendBatch(sol(b.header), Uint8Array.of(3))).to.be.revertedWithCustomError(bridge, "DecodeError").withArgs(4, 0);
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

  describe("limits (protocol.md §5.5, §7.5): size, declared gas, base fee", () => {
    // each live batch locks a bond: enough for the batches these tests post
    const fixtureManyBonds = () => deployAll({ bonds: 16n });
    /** A filler transaction of exactly `size` bytes (the Inbox does not decode transactions). */
    const blob = (size: number) => new Uint8Array(size).fill(0x11);
    const oversized = 2; // DecodeError code

    it("a transaction of MAX_TX_BYTES is accepted, one byte more is refused at its length", async () => {
      const { inbox, alice, bridge } = await loadFixture(fixtureManyBonds);
      const over = await nextBatch(inbox, [{ gas: 21_000n, tx: blob(MAX_TX_BYTES + 1) }].map((t) => ({ ...t })), {}).catch(() => undefined);
      expect(over, "the TS encoder refuses to build it").to.equal(undefined);
      // Built by hand: version, count, gas, length, bytes.
      const data = new Writer().u8(2).varint(1).varint(21_000).varint(MAX_TX_BYTES + 1).raw(blob(MAX_TX_BYTES + 1)).finish();
      const ok = await nextBatch(inbox, [{ gas: 21_000n, tx: blob(MAX_TX_BYTES) }]);
      // (4 = 1 version + 1 count + 3 gas: where the length starts)
      await expect(inbox.connect(alice).appendBatch(sol(ok.header), data)).to.be.revertedWithCustomError(bridge, "DecodeError").withArgs(oversized, 5);
      await expect(post(inbox, alice, ok)).to.emit(inbox, "BatchAppended");
    });

    it("batch data of MAX_BATCH_BYTES is accepted, one byte more is refused at byte 0", async () => {
      const { inbox, alice, bridge } = await loadFixture(fixtureManyBonds);
      // two transactions filling the data exactly: 1 + 1 + 2 × (1 gas + 3 length) + bytes
      const a = MAX_TX_BYTES;
      const b = MAX_BATCH_BYTES - 2 - 8 - a;
      const ok = await nextBatch(inbox, [{ gas: 0n, tx: blob(a) }, { gas: 0n, tx: blob(b) }]);
      expect(ok.data.length).to.equal(MAX_BATCH_BYTES);
      const over = new Writer().u8(2).varint(2).varint(0).bytes(blob(a)).varint(0).bytes(blob(b + 1)).finish();
      expect(over.length).to.equal(MAX_BATCH_BYTES + 1);
      await expect(inbox.connect(alice).appendBatch(sol(ok.header), over)).to.be.revertedWithCustomError(bridge, "DecodeError").withArgs(oversized, 0);
      await expect(post(inbox, alice, ok)).to.emit(inbox, "BatchAppended");
    });

    it("a batch declaring more than BATCH_GAS_LIMIT gas is refused at the gas that passes it; exactly the limit is accepted", async () => {
      const { inbox, alice, bridge } = await loadFixture(fixtureManyBonds);
      const t = transferTx(1);
      const ok = await nextBatch(inbox, [{ gas: GAS_TARGET, tx: t }, { gas: BATCH_GAS_LIMIT - GAS_TARGET, tx: t }]);
      const over = new Writer().u8(2).varint(2).varint(GAS_TARGET).bytes(t).varint(BATCH_GAS_LIMIT - GAS_TARGET + 1n).bytes(t).finish();
      const at = 2 + 4 + new Writer().varint(t.length).finish().length + t.length;
      await expect(inbox.connect(alice).appendBatch(sol(ok.header), over)).to.be.revertedWithCustomError(bridge, "DecodeError").withArgs(oversized, at);
      await expect(post(inbox, alice, ok)).to.emit(inbox, "BatchAppended");
      expect(await inbox.batchGas(0)).to.deep.equal([BATCH_GAS_LIMIT, MIN_BASE_FEE]);
    });

    it("the base fee: minBaseFee for batch 0, then EIP-1559's rule from the parent's declared gas; any other is refused, 0 included", async () => {
      const { inbox, alice } = await loadFixture(fixtureManyBonds);
      const t = transferTx(1);
      // batch 0 at the minimum; a header with 0 (or anything else) is refused
      const b0 = await nextBatch(inbox, [{ gas: BATCH_GAS_LIMIT, tx: t }]);
      expect(b0.header.baseFee).to.equal(MIN_BASE_FEE);
      for (const fee of [0n, MIN_BASE_FEE - 1n, MIN_BASE_FEE + 1n])
        await expect(post(inbox, alice, withField(b0, { baseFee: fee }))).to.be.revertedWithCustomError(inbox, "WrongBaseFee").withArgs(MIN_BASE_FEE, fee);
      await (await post(inbox, alice, b0)).wait();
      // a full parent raises it by 1/8 (at least 1 wei); an empty one lowers it by 1/8, not below the minimum
      let fee = MIN_BASE_FEE;
      let parentGas = BATCH_GAS_LIMIT;
      const fees: bigint[] = [];
      for (const gas of [BATCH_GAS_LIMIT, BATCH_GAS_LIMIT, GAS_TARGET, 0n, 0n, 0n, 0n]) {
        const want = nextBaseFee(fee, parentGas, MIN_BASE_FEE);
        expect(await inbox.nextBaseFee()).to.equal(want);
        expect((await inbox.batchGas((await inbox.batchCount()) - 1n))[0]).to.equal(parentGas);
        const b = await nextBatch(inbox, [{ gas, tx: t }]);
        expect(b.header.baseFee).to.equal(want);
        await expect(post(inbox, alice, withField(b, { baseFee: want + 1n }))).to.be.revertedWithCustomError(inbox, "WrongBaseFee").withArgs(want, want + 1n);
        await (await post(inbox, alice, b)).wait();
        fee = want;
        parentGas = gas;
        fees.push(want);
      }
      // after full parents 7 → 8 → 9 → 10 (1/8 of 7..9 rounds to 0: +1 wei); after the one at the target
      // 10 stays; after empty ones 10 → 9 (−1/8 rounded down: −1) → 8 → 7, and never below the minimum
      expect(fees).to.deep.equal([8n, 9n, 10n, 10n, 9n, 8n, 7n]);
    });

    it("the L1 prices a header declares: at most the appending block's base fee and blob base fee (L1PriceTooHigh), committed in the header hash", async () => {
      const { inbox, alice } = await loadFixture(fixtureManyBonds);
      const t = transferTx(1);
      const GWEI = 10n ** 9n;
      const nextBlockBaseFee = (v: bigint) => ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + v.toString(16)]);
      const b = await nextBatch(inbox, [{ gas: 21_000n, tx: t }]);
      // the block's base fee exactly is accepted, one wei more is refused; so is a blob base fee above the block's (1: no blobs)
      await nextBlockBaseFee(5n * GWEI);
      await expect(post(inbox, alice, withField(b, { l1BaseFee: 5n * GWEI + 1n }))).to.be.revertedWithCustomError(inbox, "L1PriceTooHigh").withArgs(0, 5n * GWEI, 5n * GWEI + 1n);
      await nextBlockBaseFee(5n * GWEI);
      await expect(post(inbox, alice, withField(b, { l1BaseFee: 1n, l1BlobBaseFee: 2n }))).to.be.revertedWithCustomError(inbox, "L1PriceTooHigh").withArgs(1, 1n, 2n);
      await nextBlockBaseFee(5n * GWEI);
      await expect(post(inbox, alice, withField(b, { l1BaseFee: 2n ** 200n }))).to.be.revertedWithCustomError(inbox, "L1PriceTooHigh");
      const ok = withField(b, { l1BaseFee: 5n * GWEI, l1BlobBaseFee: 1n });
      await nextBlockBaseFee(5n * GWEI);
      const r = await (await post(inbox, alice, ok)).wait();
      const ev = inbox.interface.parseLog(r!.logs.find((l) => l.address === inbox.target)!)!;
      expect(ev.name).to.equal("BatchAppended");
      expect(ev.args.header.l1BaseFee).to.equal(5n * GWEI);
      expect(ev.args.header.l1BlobBaseFee).to.equal(1n);
      expect(ev.args.headerHash).to.equal(bytesToHex(headerHash(ok.header)));
      expect(headerHash(ok.header)).to.not.deep.equal(headerHash(withField(ok, { l1BaseFee: 5n * GWEI - 1n }).header));
    });

    it("after a rollback the next batch's base fee follows the new tip", async () => {
      const { inbox, alice, bob, prover, challenger } = await loadFixture(fixtureManyBonds);
      const t = transferTx(1);
      await (await post(inbox, alice, await nextBatch(inbox, [{ gas: 0n, tx: t }]))).wait();
      await (await post(inbox, alice, await nextBatch(inbox, [{ gas: BATCH_GAS_LIMIT, tx: t }]))).wait();
      expect(await inbox.nextBaseFee()).to.equal(MIN_BASE_FEE + 1n);
      await (await prover.connect(challenger).settleUnchecked(1, KIND_MALFORMED)).wait();
      expect(await inbox.nextBaseFee()).to.equal(MIN_BASE_FEE);
      const again = await nextBatch(inbox, [{ gas: 0n, tx: t }]);
      await expect(post(inbox, bob, withField(again, { baseFee: MIN_BASE_FEE + 1n }))).to.be.revertedWithCustomError(inbox, "WrongBaseFee");
      await expect(post(inbox, bob, again)).to.emit(inbox, "BatchAppended");
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

    it("a backlog larger than one batch drains: each batch takes the oldest overdue deposits up to maxDepositsPerBatch", async () => {
      // Issue 10 finding 5: with "every overdue deposit" a backlog above what one batch may hold made every batch
      // unpostable for ever. maxDepositsPerBatch = 3 here, 8 deposits overdue.
      const { inbox, bridge, alice, bob } = await loadFixture(fixtureMax3);
      const ds: Deposit[] = [];
      for (let i = 0; i < 8; i++) ds.push(await deposit(bridge, bob, ethers.getAddress(bytesToHex(addr(100 + i))), BigInt(i + 1)));
      await time.increase(DELAY + 5n);
      const take = async (from: number, n: number) => nextBatch(inbox, [...ds.slice(from, from + n).map((d) => depositTx(d)), transferTx(from)], { deposits: BigInt(n) });
      // Fewer than the maximum while more are overdue: refused, naming the first one left out.
      await expect(post(inbox, alice, await take(0, 2))).to.be.revertedWithCustomError(inbox, "DepositOverdue").withArgs(2n);
      // More than the maximum: refused (a batch of the most deposits must always fit the batch limits).
      await expect(post(inbox, alice, await take(0, 4))).to.be.revertedWithCustomError(inbox, "TooManyDeposits").withArgs(4n, 3n);
      // Exactly the maximum, oldest first, although overdue ones remain: accepted, three times over.
      await expect(post(inbox, alice, await take(0, 3))).to.emit(inbox, "BatchAppended");
      await expect(post(inbox, alice, await take(3, 3))).to.emit(inbox, "BatchAppended");
      expect(await inbox.depositCursor()).to.equal(6n);
      // Two left, both overdue: fewer than the maximum must take them all.
      await expect(post(inbox, alice, await take(6, 1))).to.be.revertedWithCustomError(inbox, "DepositOverdue").withArgs(7n);
      await expect(post(inbox, alice, await take(6, 2))).to.emit(inbox, "BatchAppended");
      expect(await inbox.depositCursor()).to.equal(8n);
      const spans = await Promise.all([0, 1, 2].map(async (i) => { const r = await inbox.batch(i); return [r.depositStart, r.depositEnd]; }));
      expect(spans).to.deep.equal([[0n, 3n], [3n, 6n], [6n, 8n]]);
      // Drained: a batch without deposits is fine again.
      await expect(post(inbox, alice, await nextBatch(inbox, [transferTx(9)]))).to.emit(inbox, "BatchAppended");
    });

    it("no batch consumes more than maxDepositsPerBatch deposits, overdue or not; younger ones may wait", async () => {
      const { inbox, bridge, alice, bob } = await loadFixture(fixtureMax3);
      const ds: Deposit[] = [];
      for (let i = 0; i < 5; i++) ds.push(await deposit(bridge, bob, ethers.getAddress(bytesToHex(addr(200 + i))), 1n));
      const four = await nextBatch(inbox, ds.slice(0, 4).map((d) => depositTx(d)), { deposits: 4n });
      await expect(post(inbox, alice, four)).to.be.revertedWithCustomError(inbox, "TooManyDeposits").withArgs(4n, 3n);
      await expect(post(inbox, alice, await nextBatch(inbox, [depositTx(ds[0]), transferTx(1)], { deposits: 1n }))).to.emit(inbox, "BatchAppended");
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
      await expect(prover.connect(challenger).settleUnchecked(0, 8)).to.be.revertedWithCustomError(inbox, "UnknownKind").withArgs(8);
      await time.setNextBlockTimestamp((await inbox.batch(0)).postedAt + WINDOW - 1n);
      await expect(prover.connect(challenger).settleUnchecked(0, 7)).to.emit(inbox, "BatchesRolledBack"); // the largest kind (data), the last second of the window
      await postFiller(inbox, bob);
      await time.increaseTo((await inbox.batch(0)).postedAt + WINDOW);
      await expect(prover.connect(challenger).settleUnchecked(0, KIND_MALFORMED)).to.be.revertedWithCustomError(inbox, "BatchIsFinal").withArgs(0n);
    });

    it("removes the batch and every later one, slashes only its poster, pays and burns exactly", async () => {
      const { inbox, alice, bob, carol, prover, challenger } = await loadFixture(fixtureOddBpsOneBond);
      const bps = 3333n;
      await inbox.connect(alice).bond({ value: BOND }); // alice posts two batches: two bonds
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
      expect(await inbox.bondOf(alice.address)).to.equal(2n * BOND);
      expect(await inbox.bondOf(bob.address)).to.equal(0n);
      expect(await inbox.bondOf(carol.address)).to.equal(BOND);
      // carol's and alice's later batches are gone unslashed, their locks with them; batch 0 still locks alice's
      expect(await inbox.lockedBondOf(alice.address)).to.equal(BOND);
      expect(await inbox.lockedBondOf(carol.address)).to.equal(0n);
      // the chain continues from batch 0; the slashed poster cannot post
      const again = await nextBatch(inbox, [transferTx(9)]);
      expect(again.header.index).to.equal(1n);
      await expect(post(inbox, bob, again)).to.be.revertedWithCustomError(inbox, "NotBonded");
      await expect(post(inbox, carol, again)).to.emit(inbox, "BatchAppended");
    });
  });

  describe("gas", () => {
    it("appendBatch gas per transaction for 1, 10, 100 transactions", async function () {
      this.timeout(300_000);
      const { inbox, bridge, alice, bob } = await loadFixture(fixture);
      await inbox.connect(alice).bond({ value: 30n * BOND }); // each of the 25 batches locks a bond of its own
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
