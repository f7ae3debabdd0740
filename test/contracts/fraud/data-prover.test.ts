/**
 * Batches in blobs on L1 (docs/protocol.md §14.5) on Hardhat's in-process network, which accepts type-3
 * transactions, serves BLOBHASH and runs the point-evaluation precompile: Inbox.appendBatchBlob's checks, the
 * DataProver on every vector of test/vectors/blob.json (fraud proven exactly where the core finds a `data` fault,
 * through the one penalty path), its refusal of every proof that does not show the blob, and BlobLib against the
 * vectors' challenge points and values.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { BlobHarness } from "../../../typechain-types";
import { bytesToHex, hexToBytes } from "../../../core/bytes";
import { encodeBatchData, batchGas, txRootOf, type BatchTx } from "../../../core/batch";
import { BLS_MODULUS, packBlob } from "../../../core/blob";
import { KIND_NUMBER } from "../../../core/errors";
import { DataSource } from "../../../node/l1/batch-source";
import { blobOfCase, type BlobCase } from "../../../scripts/gen-blob-vectors";
import { VECTOR_DIR } from "../../../scripts/gen-vectors";
import { BOND, BPS, nextBatch, post, transferTx } from "../../helpers/inbox";
import { blobFixture, nextBlobBatch, postBlob, sendBlobTx, dataProofArgs, proveData, loadBlobKzg } from "../../helpers/blob";
import type { BlobKzg } from "../../../node/l1/blob-kzg";

type Vector = BlobCase & { commitment: string; versionedHash: string; z: string; y: string; fault: string | null };
const vectors = (JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, "blob.json"), "utf8")) as { cases: Vector[] }).cases;
const declaredOf = (v: Vector) => ({ txCount: BigInt(v.declared.txCount), gas: BigInt(v.declared.gas), txRoot: hexToBytes(v.declared.txRoot as `0x${string}`) });

const txs: BatchTx[] = [
  { gas: 21_000n, tx: transferTx(1) },
  { gas: 21_000n, tx: transferTx(2) },
];
const honest = { txCount: 2n, gas: batchGas(txs), txRoot: txRootOf(txs) };
const honestBlob = () => packBlob(encodeBatchData(txs));

describe("DataProver and Inbox.appendBatchBlob (blobs, §14.5)", function () {
  this.timeout(300_000);
  let kzg: BlobKzg;
  before(async () => {
    kzg = await loadBlobKzg();
  });

  describe("appendBatchBlob", () => {
    it("appends a batch whose data is the transaction's one blob: BatchAppended says BLOB, the declared gas is recorded", async () => {
      const { inbox, poster } = await loadFixture(blobFixture);
      const b = await nextBlobBatch(inbox, kzg, honestBlob(), honest);
      const rc = await postBlob(inbox, poster, kzg, b);
      expect(rc.status).to.equal(1);
      const ev = rc.logs.map((l) => inbox.interface.parseLog(l)).find((e) => e?.name === "BatchAppended")!;
      expect(ev.args.headerHash).to.equal(b.hash);
      expect(Number(ev.args.dataSource)).to.equal(DataSource.Blob);
      expect(await inbox.batchCount()).to.equal(1n);
      expect((await inbox.batchGas(0)).gas).to.equal(42_000n);
      expect(await inbox.lockedBondOf(poster.address)).to.equal(BOND);
      const block = await ethers.provider.send("eth_getBlockByNumber", [ethers.toQuantity(rc.blockNumber), false]);
      expect(BigInt(block.blobGasUsed)).to.equal(131_072n);
    });

    it("reverts WrongBlob without a blob, with a blob whose versioned hash is not header.dataHash, and with two blobs", async () => {
      const { inbox, poster } = await loadFixture(blobFixture);
      const b = await nextBlobBatch(inbox, kzg, honestBlob(), honest);
      await expect(sendBlobTx(inbox, poster, kzg, b, [])).to.be.revertedWithCustomError(inbox, "WrongBlob");
      const other = packBlob(Uint8Array.of(9));
      await expect(sendBlobTx(inbox, poster, kzg, b, [other])).to.be.revertedWithCustomError(inbox, "WrongBlob");
      await expect(sendBlobTx(inbox, poster, kzg, b, [b.blob, other])).to.be.revertedWithCustomError(inbox, "WrongBlob");
      expect(await inbox.batchCount()).to.equal(0n);
      await postBlob(inbox, poster, kzg, b);
      expect(await inbox.batchCount()).to.equal(1n);
    });

    it("reverts BadDeclaration for 0 or more than MAX_BLOB_TXS transactions, or more than the batch gas limit", async () => {
      const { inbox, poster } = await loadFixture(blobFixture);
      for (const d of [{ txCount: 0n }, { txCount: 4097n }, { gas: 30_000_001n }]) {
        const b = await nextBlobBatch(inbox, kzg, honestBlob(), { ...honest, ...d });
        await expect(sendBlobTx(inbox, poster, kzg, b)).to.be.revertedWithCustomError(inbox, "BadDeclaration");
      }
      const edge = await nextBlobBatch(inbox, kzg, honestBlob(), { ...honest, txCount: 4096n, gas: 30_000_000n });
      expect((await postBlob(inbox, poster, kzg, edge)).status).to.equal(1);
    });

    it("runs the other checks of appendBatch (a stale parent reverts ParentNotTip), and the next base fee follows the declared gas", async () => {
      const { inbox, poster } = await loadFixture(blobFixture);
      const b = await nextBlobBatch(inbox, kzg, honestBlob(), { ...honest, gas: 30_000_000n });
      await postBlob(inbox, poster, kzg, b);
      await expect(sendBlobTx(inbox, poster, kzg, b)).to.be.revertedWithCustomError(inbox, "ParentNotTip");
      const { nextBaseFee } = await import("../../../core/gas");
      expect(await inbox.nextBaseFee()).to.equal(nextBaseFee(b.header.baseFee, 30_000_000n, 7n));
    });
  });

  describe("the data fault", () => {
    for (const v of vectors) {
      it(`vector "${v.name}": ${v.fault ? `proven (${v.fault})` : "no fault (NoFault)"}`, async () => {
        const { inbox, prover, poster, challenger } = await loadFixture(blobFixture);
        const blob = blobOfCase(v);
        const b = await nextBlobBatch(inbox, kzg, blob, declaredOf(v));
        expect(bytesToHex(b.commitment)).to.equal(v.commitment);
        expect(bytesToHex(b.header.dataHash)).to.equal(v.versionedHash);
        await postBlob(inbox, poster, kzg, b);
        const tx = proveData(prover, challenger, dataProofArgs(kzg, b));
        if (v.fault === null) {
          await expect(tx).to.be.revertedWithCustomError(prover, "NoFault");
          expect(await inbox.batchCount()).to.equal(1n);
        } else {
          await expect(tx).to.emit(inbox, "BatchesRolledBack").withArgs(0n, 1n, challenger.address, KIND_NUMBER.data, (BOND * BPS) / 10_000n, BOND - (BOND * BPS) / 10_000n);
          expect(await inbox.batchCount()).to.equal(0n);
        }
      });
    }

    it("refuses proofs that do not show the blob: another KZG proof, another blob under the commitment, another commitment, a non-canonical element, wrong lengths, no commitment, a calldata batch", async () => {
      const { inbox, prover, poster, challenger } = await loadFixture(blobFixture);
      // A batch with a fault (wrong root), so only the proof's own flaw can make it fail.
      const b = await nextBlobBatch(inbox, kzg, honestBlob(), { ...honest, txRoot: txRootOf([txs[1], txs[0]]) });
      await postBlob(inbox, poster, kzg, b);
      const otherBlob = packBlob(encodeBatchData([txs[0]]));
      const otherC = kzg.commitment(otherBlob);
      await expect(proveData(prover, challenger, dataProofArgs(kzg, b, { proof: kzg.blobProof(otherBlob, otherC) }), ethers.id("1")))
        .to.be.revertedWithCustomError(prover, "PrecompileFailed").withArgs("0x000000000000000000000000000000000000000A");
      const tweaked = b.blob.slice();
      tweaked[32 * 5 + 31] ^= 1;
      await expect(proveData(prover, challenger, dataProofArgs(kzg, b, { blob: tweaked }), ethers.id("2")))
        .to.be.revertedWithCustomError(prover, "PrecompileFailed");
      await expect(proveData(prover, challenger, dataProofArgs(kzg, b, { commitment: otherC, proof: kzg.blobProof(otherBlob, otherC), blob: otherBlob }), ethers.id("3")))
        .to.be.revertedWithCustomError(prover, "NotTheBlob");
      // Element 3 plus r: the same field element, other bytes (its top byte would then look like a fault).
      const lifted = b.blob.slice();
      const e3 = BigInt(bytesToHex(lifted.subarray(96, 128))) + BLS_MODULUS;
      lifted.set(hexToBytes(("0x" + e3.toString(16).padStart(64, "0")) as `0x${string}`), 96);
      await expect(proveData(prover, challenger, dataProofArgs(kzg, b, { blob: lifted }), ethers.id("4")))
        .to.be.revertedWithCustomError(prover, "NotCanonical").withArgs(3n);
      await expect(proveData(prover, challenger, dataProofArgs(kzg, b, { proof: new Uint8Array(47) }), ethers.id("5")))
        .to.be.revertedWithCustomError(prover, "BadLength");
      await expect(proveData(prover, challenger, dataProofArgs(kzg, b, { blob: b.blob.subarray(0, 131_040) }), ethers.id("6")))
        .to.be.revertedWithCustomError(prover, "BadLength");
      const a = dataProofArgs(kzg, b);
      await expect(prover.connect(challenger).prove(a.header, a.blob, a.commitment, a.proof, ethers.id("never"))).to.be.revertedWithCustomError(prover, "NotCommitted");
      // The honest proof works.
      await expect(proveData(prover, challenger, a, ethers.id("7"))).to.emit(inbox, "BatchesRolledBack");
      // A calldata batch has no blob: its dataHash is no versioned hash.
      const cd = await nextBatch(inbox, txs);
      await post(inbox, poster as never, cd);
      const asBlob = { header: cd.header, blob: b.blob, commitment: b.commitment, gas: honest.gas, hash: cd.hash };
      await expect(proveData(prover, challenger, dataProofArgs(kzg, asBlob, { proof: kzg.blobProof(b.blob, b.commitment) }), ethers.id("8")))
        .to.be.revertedWithCustomError(prover, "NotTheBlob");
    });
  });

  describe("BlobLib (test/vectors/blob.json)", () => {
    it("computes every vector's challenge point, value and versioned hash; unpacks and finds top bytes", async () => {
      const h = (await (await ethers.getContractFactory("BlobHarness")).deploy()) as unknown as BlobHarness;
      for (const v of vectors) {
        const blob = blobOfCase(v);
        const [z, y] = await h.evaluate(blob, v.commitment);
        expect(ethers.toBeHex(z, 32), v.name).to.equal(v.z);
        expect(ethers.toBeHex(y, 32), v.name).to.equal(v.y);
        expect(await h.versionedHash(v.commitment)).to.equal(v.versionedHash);
        const [bad] = await h.unpack(blob, 0, 126_976);
        expect(bad === ethers.MaxUint256, v.name).to.equal(v.fault !== "top-byte");
      }
      const data = encodeBatchData(txs);
      const [bad, head, zero] = await h.unpack(packBlob(data), data.length, data.length);
      expect(bad).to.equal(ethers.MaxUint256);
      expect(head).to.equal(bytesToHex(data));
      expect(zero).to.equal(true);
      const [, , notZero] = await h.unpack(packBlob(data), 0, data.length - 1);
      expect(notZero).to.equal(false);
      const r = ethers.toBeHex(BLS_MODULUS, 32);
      await expect(h.evaluateAt(r + "00".repeat(131_072 - 32), 5n)).to.be.revertedWithCustomError(h, "NotCanonical").withArgs(0n);
    });
  });
});

describe("DataProver's worst case (2^24 with EIP-7623's floor)", function () {
  this.timeout(300_000);
  it("the most expensive proofs the limits allow fit L1's per-transaction cap", async () => {
    const kzg = await loadBlobKzg();
    const { l1TxGas, executionGasOf } = await import("../../../prover/l1-pricing");
    const { inbox, prover, poster, challenger } = await loadFixture(blobFixture);
    // W1: MAX_BLOB_TXS transactions of nonzero bytes filling MAX_BATCH_BYTES exactly, a wrong root declared: the
    // whole evaluation, unpacking, framing, 4,096 leaves and the root.
    const list: BatchTx[] = Array.from({ length: 4096 }, (_, i) => ({ gas: 1n, tx: new Uint8Array(i < 4093 ? 28 : 27).fill(0xff) }));
    const full = encodeBatchData(list);
    expect(full.length).to.equal(122_880);
    // W2: every byte of the blob nonzero (top bytes 0x01: still below r): the largest calldata.
    const dense = new Uint8Array(131_072).fill(0xff);
    for (let i = 0; i < 4096; i++) dense[32 * i] = 0x01;
    const out: Record<string, number> = {};
    for (const [name, blob, declared] of [
      ["full parse", packBlob(full), { txCount: 4096n, gas: 4096n, txRoot: txRootOf(list.slice(1)) }],
      ["densest blob", dense, honest],
    ] as const) {
      const b = await nextBlobBatch(inbox, kzg, blob, declared);
      await postBlob(inbox, poster, kzg, b);
      const tx = await proveData(prover, challenger, dataProofArgs(kzg, b));
      const rc = (await tx.wait())!;
      expect(rc.logs.some((l) => inbox.interface.parseLog(l)?.name === "BatchesRolledBack")).to.equal(true);
      const data = hexToBytes(tx.data as `0x${string}`);
      out[name] = l1TxGas(data, executionGasOf(Number(rc.gasUsed), data));
      console.log(`      ${name}: execution ${executionGasOf(Number(rc.gasUsed), data)}, with the calldata floor ${out[name]}`);
      expect(out[name]).to.be.below(2 ** 24);
    }
  });
});
