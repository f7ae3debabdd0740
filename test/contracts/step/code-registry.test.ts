/**
 * The code registry (contracts/step/CodeRegistry.sol): code bytes stored SSTORE2-style and read back the
 * way a step reads them (contracts/step/lib/CodeReader.sol), the jump-destination bitmap against the TS twin
 * (core/evm/jumpdest.ts) on the shared vectors, the gas of registering the largest code, and carriers:
 * inclusion against a live batch's stored header, the lowest live seq kept, and a rolled-back carrier no
 * longer counting.
 *
 *   npx hardhat test test/contracts/step/code-registry.test.ts
 */
import { expect } from "chai";
import * as fs from "fs";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { CodeRegistry, Inbox, StepCodeHarness } from "../../../typechain-types";
import { BatchHeader, headerToAbi } from "../../../core/batch";
import { nextBatch, deployAll, BOND } from "../../helpers/inbox";
import { MoveTx, TxType, canonicalWitness, encodeTx } from "../../../core/tx";
import { batchTxOf } from "../../../core/gas";
import { txProofArg } from "../../../prover/build";
import { bytesToHex, hexToBytes, keccak256 } from "../../../core/bytes";
import { jumpdestBitmap, isJumpdest } from "../../../core/evm/jumpdest";
import { CODE_VECTORS_FILE, CodeVectors } from "../../../scripts/gen-code-vectors";
import { rng } from "../../../bench/rng";

const hex = bytesToHex;
const CAP = 1 << 24;
const r = rng(0x7e6);
const rand = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));

/** A move transaction that only carries code (the registry decodes it; validity is not its business). */
function carrierTx(codes: Uint8Array[], nonce: bigint): Uint8Array {
  const tx: MoveTx = {
    type: TxType.Move,
    chainId: 901n,
    nonce,
    maxPriorityFeePerGas: 1n,
    maxFeePerGas: 2n,
    gasLimit: 100_000n,
    to: new Uint8Array(20).fill(0x42),
    value: 0n,
    data: new Uint8Array(0),
    moves: [],
    witness: canonicalWitness(codes),
    sig: { yParity: 0, r: 1n, s: 1n },
  };
  return encodeTx(tx);
}

async function deploy() {
  const base = await deployAll({ bonds: 4n });
  const poster = base.alice;
  const registry = (await (await ethers.getContractFactory("CodeRegistry")).deploy(await base.inbox.getAddress())) as unknown as CodeRegistry;
  const harness = (await (await ethers.getContractFactory("StepCodeHarness")).deploy(await registry.getAddress())) as unknown as StepCodeHarness;
  return { ...base, poster, registry, harness };
}

interface Posted {
  header: BatchHeader;
  txs: Uint8Array[];
}

async function postBatch(inbox: Inbox, poster: Awaited<ReturnType<typeof deploy>>["poster"], txs: Uint8Array[]): Promise<Posted> {
  const { header, data } = await nextBatch(inbox, txs);
  await (await inbox.connect(poster).appendBatch(headerToAbi(header), data)).wait();
  return { header, txs };
}

function carrierArgs(b: Posted, txIndex: number, blobIndex: number) {
  return [headerToAbi(b.header), txProofArg(b.txs.map(batchTxOf), txIndex), blobIndex] as const;
}

/** Index of `code` in the canonical witness of a carrier transaction built from `codes`. */
const blobIndexOf = (codes: Uint8Array[], code: Uint8Array) => canonicalWitness(codes).findIndex((c) => hex(c) === hex(code));

describe("CodeRegistry", () => {
  describe("code bytes", () => {
    it("stores code SSTORE2-style (0x00 first) and a step reads back every byte, zero past the end", async () => {
      const { registry, harness } = await loadFixture(deploy);
      const code = rand(1000);
      const h = hex(keccak256(code));
      expect(await harness.size(h)).to.equal(0n);
      expect(await harness.read(h, 0, 4)).to.equal("0x00000000");
      await expect(registry.register(code)).to.emit(registry, "CodeRegistered").withArgs(h, 1000);
      expect(await harness.size(h)).to.equal(1000n);
      expect(await ethers.provider.getCode(await registry.dataAddress(h, 0))).to.equal(hex(Uint8Array.from([0, ...code])));
      expect(await ethers.provider.getCode(await registry.dataAddress(h, 1))).to.equal("0x");
      expect(await harness.read(h, 0, 1000)).to.equal(hex(code));
      expect(await harness.read(h, 990, 20)).to.equal(hex(Uint8Array.from([...code.slice(990), ...new Uint8Array(10)])));
      expect(await harness.read(h, 5000, 4)).to.equal("0x00000000");
      expect(await harness.word(h, 984)).to.equal(hex(Uint8Array.from([...code.slice(984), ...new Uint8Array(16)])));
      expect(await registry.isRegistered(h)).to.equal(true);
      expect(await registry.isRegistered(ethers.ZeroHash)).to.equal(false);
    });

    it("registering again changes nothing and costs little", async () => {
      const { registry } = await loadFixture(deploy);
      const code = rand(300);
      await (await registry.register(code)).wait();
      const rc = await (await registry.register(code)).wait();
      expect(rc!.gasUsed).to.be.below(40_000n);
      expect(rc!.logs.length).to.equal(0);
    });

    it("refuses empty code, code over 49,152 bytes, pieces it does not have, and a bitmap piece out of order", async () => {
      const { registry } = await loadFixture(deploy);
      await expect(registry.register("0x")).to.be.revertedWithCustomError(registry, "BadSize").withArgs(0);
      await expect(registry.register(new Uint8Array(49_153))).to.be.revertedWithCustomError(registry, "BadSize").withArgs(49_153);
      await expect(registry.stage("0x", 0)).to.be.revertedWithCustomError(registry, "BadSize").withArgs(0);
      await expect(registry.stage(new Uint8Array(24_568), 1)).to.be.revertedWithCustomError(registry, "NoSuchPiece").withArgs(1);
      await expect(registry.stage(new Uint8Array(24_569), 2)).to.be.revertedWithCustomError(registry, "NoSuchPiece").withArgs(2);
      await expect(registry.stage(new Uint8Array(24_569), 3)).to.be.revertedWithCustomError(registry, "NoSuchPiece").withArgs(3);
      await expect(registry.stage(new Uint8Array(24_569), 130)).to.be.revertedWithCustomError(registry, "NoSuchPiece").withArgs(130);
      // a part's bitmap needs the previous part's bitmap (its carry)
      await expect(registry.stage(new Uint8Array(24_569), 129)).to.be.revertedWithCustomError(registry, "NoSuchPiece").withArgs(128);
    });

    it("the jump-destination bitmap matches the TS twin on every shared vector, at every pc", async () => {
      const { registry, harness } = await loadFixture(deploy);
      const v = JSON.parse(fs.readFileSync(CODE_VECTORS_FILE, "utf8")) as CodeVectors;
      for (const t of v.jumpdests) {
        expect(await harness.bitmap(t.code), t.name).to.equal(t.bitmap);
        await (await registry.register(t.code)).wait();
        const h = keccak256(hexToBytes(t.code as `0x${string}`));
        const n0 = (t.code.length - 2) / 2;
        expect(await ethers.provider.getCode(await registry.dataAddress(h, 255)), t.name).to.equal("0x00" + n0.toString(16).padStart(8, "0"));
        expect((await ethers.provider.getCode(await registry.dataAddress(h, 128))).slice(6), t.name).to.equal(t.bitmap.slice(2));
        const bm = hexToBytes(t.bitmap as `0x${string}`);
        const n = (t.code.length - 2) / 2;
        for (const pc of [0, 1, 2, n - 1, n, n + 8, ...Array.from({ length: 12 }, () => Math.floor(r() * n))]) {
          expect(await harness.isJumpdest(h, pc), `${t.name} pc ${pc}`).to.equal(isJumpdest(bm, BigInt(pc)));
        }
      }
    });

    it("the largest code (49,152 bytes): three parts read seamlessly; its bitmap; gas in one transaction and staged", async () => {
      const { registry, harness } = await loadFixture(deploy);
      const code = rand(49_152);
      const h = hex(keccak256(code));
      // staged: parts 0 and 1 and their bitmaps one transaction each, then the registration creates the rest
      const gas: bigint[] = [];
      for (const piece of [0, 1, 128, 129]) gas.push((await (await registry.stage(code, piece)).wait())!.gasUsed);
      expect((await (await registry.stage(code, 1)).wait())!.logs.length).to.equal(0); // already there
      expect(await registry.isRegistered(h)).to.equal(false);
      gas.push((await (await registry.register(code)).wait())!.gasUsed);
      console.log(`      register 49,152 random bytes staged: ${gas.join(", ")} gas`);
      for (const g of gas) expect(g).to.be.below(7_000_000n);
      expect(await registry.isRegistered(h)).to.equal(true);
      expect(await harness.size(h)).to.equal(49_152n);
      expect(await ethers.provider.getCode(await registry.dataAddress(h, 2))).to.equal(hex(Uint8Array.from([0, ...code.slice(2 * 24_568)])));
      expect(await harness.read(h, 24_560, 32)).to.equal(hex(code.slice(24_560, 24_592)));
      expect(await harness.read(h, 49_140, 40)).to.equal(hex(Uint8Array.from([...code.slice(49_140), ...new Uint8Array(28)])));
      expect(await harness.read(h, 49_149, 3)).to.equal(hex(code.slice(49_149)));
      expect(await harness.read(h, 0, 49_152)).to.equal(hex(code));
      expect(await harness.read(h, 49_140, 32)).to.equal(hex(Uint8Array.from([...code.slice(49_140), ...new Uint8Array(20)])));
      const bm = jumpdestBitmap(code);
      for (let i = 0; i < 40; i++) {
        const pc = Math.floor(r() * 49_152);
        expect(await harness.isJumpdest(h, pc)).to.equal(isJumpdest(bm, BigInt(pc)));
      }
      // the bitmap's worst case, every byte a JUMPDEST: each staged piece is still far below 2^24
      const worst = new Uint8Array(49_152).fill(0x5b);
      const wg: bigint[] = [];
      for (const piece of [0, 1, 128, 129]) wg.push((await (await registry.stage(worst, piece)).wait())!.gasUsed);
      wg.push((await (await registry.register(worst)).wait())!.gasUsed);
      console.log(`      register 49,152 JUMPDESTs staged: ${wg.join(", ")} gas`);
      for (const g of wg) expect(g).to.be.below(7_000_000n);
      const hw = hex(keccak256(worst));
      for (const pc of [0, 24_567, 24_568, 49_151, 49_152]) expect(await harness.isJumpdest(hw, pc), `pc ${pc}`).to.equal(pc < 49_152);
      // PUSH data carried from part 0 into part 1: its JUMPDEST bytes are data, the next one is real
      const spill = new Uint8Array(30_000);
      spill[24_560] = 0x7f; // PUSH32: data 24,561 … 24,592
      for (const i of [24_570, 24_580, 24_592, 24_593]) spill[i] = 0x5b;
      await (await registry.register(spill)).wait();
      const hs = hex(keccak256(spill));
      const sbm = jumpdestBitmap(spill);
      for (const pc of [24_570, 24_580, 24_592, 24_593]) expect(await harness.isJumpdest(hs, pc), `pc ${pc}`).to.equal(isJumpdest(sbm, BigInt(pc)));
      expect(isJumpdest(sbm, 24_592n)).to.equal(false);
      expect(isJumpdest(sbm, 24_593n)).to.equal(true);
      // the largest deployable contract (24,576 bytes, EIP-170) in one transaction
      const deployed = rand(24_576);
      const g = (await (await registry.register(deployed)).wait())!.gasUsed;
      console.log(`      register 24,576 random bytes in one transaction: ${g} gas`);
      expect(g).to.be.below(BigInt(CAP) / 2n);
    });
  });

  describe("carriers", () => {
    it("keeps the lowest live carrier; a rolled-back one stops counting; a live one replaces it", async () => {
      const { registry, inbox, poster, prover } = await loadFixture(deploy);
      const A = rand(200);
      const B = rand(300);
      const hA = hex(keccak256(A));
      const b0 = await postBatch(inbox, poster, [carrierTx([A], 0n), carrierTx([A, B], 1n)]); // seqs 1, 2
      const b1 = await postBatch(inbox, poster, [carrierTx([A], 2n)]); // seq 3
      expect(await registry.carriedBy(hA, 10)).to.equal(false);

      const tx1 = await registry.registerCarrier(...carrierArgs(b1, 0, 0));
      await expect(tx1).to.emit(registry, "CarrierRegistered").withArgs(hA, 3, 1);
      console.log(`      registerCarrier: ${(await tx1.wait())!.gasUsed} gas`);
      expect(await registry.carriedBy(hA, 2)).to.equal(false);
      expect(await registry.carriedBy(hA, 3)).to.equal(true);
      // a lower seq replaces it
      await expect(registry.registerCarrier(...carrierArgs(b0, 1, blobIndexOf([A, B], A)))).to.emit(registry, "CarrierRegistered").withArgs(hA, 2, 0);
      await expect(registry.registerCarrier(...carrierArgs(b0, 0, 0))).to.emit(registry, "CarrierRegistered").withArgs(hA, 1, 0);
      // a higher one does not
      await expect(registry.registerCarrier(...carrierArgs(b1, 0, 0))).not.to.emit(registry, "CarrierRegistered");
      const [c, live0] = await registry.carrier(hA);
      expect([c.seq, c.batchIndex, live0]).to.deep.equal([1n, 0n, true]);
      expect(await registry.carriedBy(hA, 1)).to.equal(true);
      expect(await registry.carriedBy(hA, 0)).to.equal(false);

      // batch 0 (and 1) rolled back: the carrier is dead
      await (await prover.settleUnchecked(0, 0)).wait();
      const [, live] = await registry.carrier(hA);
      expect(live).to.equal(false);
      expect(await registry.carriedBy(hA, 100)).to.equal(false);
      await expect(registry.registerCarrier(...carrierArgs(b1, 0, 0))).to.be.revertedWithCustomError(registry, "NotLive").withArgs(1);
      // a new batch 0 (another header) carrying A at a higher position replaces the dead carrier
      await (await inbox.connect(poster).bond({ value: BOND })).wait(); // the rollback slashed the poster
      const b0b = await postBatch(inbox, poster, [carrierTx([B], 5n), carrierTx([A], 6n)]);
      await expect(registry.registerCarrier(...carrierArgs(b0b, 1, 0))).to.emit(registry, "CarrierRegistered").withArgs(hA, 2, 0);
      expect(await registry.carriedBy(hA, 2)).to.equal(true);
    });

    it("refuses a header that is not stored, a wrong inclusion proof and a missing blob", async () => {
      const { registry, inbox, poster } = await loadFixture(deploy);
      const A = rand(100);
      const b0 = await postBatch(inbox, poster, [carrierTx([A], 0n), carrierTx([], 1n)]);
      const args = carrierArgs(b0, 0, 0);
      const forged = { ...b0.header, baseFee: 8n };
      await expect(registry.registerCarrier(headerToAbi(forged), args[1], args[2])).to.be.revertedWithCustomError(registry, "NotLive");
      const future = { ...b0.header, index: 5n };
      await expect(registry.registerCarrier(headerToAbi(future), args[1], args[2])).to.be.revertedWithCustomError(registry, "NotLive");
      await expect(registry.registerCarrier(args[0], { ...args[1], txIndex: 1n }, args[2])).to.be.revertedWithCustomError(registry, "NotInBatch");
      await expect(registry.registerCarrier(args[0], { ...args[1], tx: hex(carrierTx([A], 9n)) }, args[2])).to.be.revertedWithCustomError(registry, "NotInBatch");
      await expect(registry.registerCarrier(args[0], { ...args[1], gas: args[1].gas + 1n }, args[2])).to.be.revertedWithCustomError(registry, "NotInBatch");
      await expect(registry.registerCarrier(args[0], { ...args[1], siblings: [] }, args[2])).to.be.revertedWithCustomError(registry, "NotInBatch");
      await expect(registry.registerCarrier(args[0], args[1], 1)).to.be.revertedWithCustomError(registry, "NoSuchBlob").withArgs(1);
      await expect(registry.registerCarrier(...carrierArgs(b0, 1, 0))).to.be.revertedWithCustomError(registry, "NoSuchBlob").withArgs(0);
    });

    it("refuses a non-contract inbox", async () => {
      const F = await ethers.getContractFactory("CodeRegistry");
      await expect(F.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(F, "BadInbox");
    });
  });
});
