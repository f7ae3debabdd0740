/**
 * Batches in blobs on Hardhat's in-process L1 (docs/protocol.md §14.5): an Inbox whose one prover is the
 * DataProver, a poster wallet that sends type-3 transactions (ethers v6 with the process's KZG: node/l1/blob-kzg.ts), and
 * the DataProver's commit-then-reveal. Shared by test/contracts/fraud/data-prover.test.ts and the blob Inbox tests.
 */
import { ethers } from "hardhat";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import type { Wallet } from "ethers";
import type { Bridge, DataProver, Inbox } from "../../typechain-types";
import { bytesToHex, hexToBytes, keccak256 } from "../../core/bytes";
import { headerHash, type BatchHeader } from "../../core/batch";
import { versionedHash } from "../../core/blob";
import { loadBlobKzg, type BlobKzg } from "../../node/l1/blob-kzg";
import { BOND, WINDOW, DELAY, BPS, MAX_DEPOSITS, L2_CHAIN_ID, MIN_BASE_FEE, addr, sol } from "./inbox";
import { EMPTY_GENESIS_ROOT } from "../../node/config";
import { receiptOf } from "../e2e/helpers";

/** Hardhat's dev account 1 (public, fixed, never for real funds): signs the blob transactions itself. */
const POSTER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

export async function blobFixture() {
  const [deployer, , , , challenger] = await ethers.getSigners();
  const bridge = (await (await ethers.getContractFactory("Bridge")).deploy()) as unknown as Bridge;
  const inbox = (await (await ethers.getContractFactory("Inbox")).deploy(
    await bridge.getAddress(), L2_CHAIN_ID, BOND, WINDOW, DELAY, BPS, MAX_DEPOSITS, MIN_BASE_FEE, EMPTY_GENESIS_ROOT, 0n,
  )) as unknown as Inbox;
  await bridge.setInbox(await inbox.getAddress());
  const prover = (await (await ethers.getContractFactory("DataProver")).deploy(await inbox.getAddress())) as unknown as DataProver;
  await inbox.setProvers([await prover.getAddress()]);
  const poster = new ethers.Wallet(POSTER_KEY, ethers.provider);
  await (await inbox.connect(poster).bond({ value: 4n * BOND })).wait();
  return { deployer, challenger, bridge, inbox, prover, poster };
}

export interface BlobBatch {
  header: BatchHeader;
  blob: Uint8Array;
  commitment: Uint8Array;
  gas: bigint;
  hash: string;
}

/** The next batch on the Inbox's tip whose data is `blob`, declaring `declared` (what L1 cannot compute). */
export async function nextBlobBatch(inbox: Inbox, kzg: BlobKzg, blob: Uint8Array, declared: { txCount: bigint; gas: bigint; txRoot: Uint8Array }): Promise<BlobBatch> {
  const [index, parent, firstSeq, depositStart, minTs] = await inbox.tip();
  const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const commitment = kzg.commitment(blob);
  const header: BatchHeader = {
    index,
    parent: hexToBytes(parent as `0x${string}`),
    firstSeq,
    txCount: declared.txCount,
    txRoot: declared.txRoot,
    number: index + 1n,
    timestamp: latest > minTs ? latest : minTs,
    feeRecipient: addr(7),
    baseFee: await inbox.nextBaseFee(),
    depositStart,
    depositEnd: depositStart,
    dataHash: versionedHash(commitment),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
  return { header, blob, commitment, gas: declared.gas, hash: bytesToHex(headerHash(header)) };
}

/** Sends `appendBatchBlob(header, gas)` as a type-3 transaction carrying `blobs` (the batch's own blob by default). */
export async function sendBlobTx(inbox: Inbox, poster: Wallet, kzg: BlobKzg, b: BlobBatch, blobs: Uint8Array[] = [b.blob]) {
  const data = inbox.interface.encodeFunctionData("appendBatchBlob", [sol(b.header), b.gas]);
  const to = await inbox.getAddress();
  const common = { to, data, gasLimit: 3_000_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n };
  if (blobs.length === 0) return poster.sendTransaction({ ...common, type: 2 });
  return poster.sendTransaction({ ...common, type: 3, blobs, kzg: kzg.ethers, maxFeePerBlobGas: 10n ** 10n });
}

export async function postBlob(inbox: Inbox, poster: Wallet, kzg: BlobKzg, b: BlobBatch) {
  const tx = await sendBlobTx(inbox, poster, kzg, b);
  return receiptOf(ethers.provider, tx.hash);
}

/** The DataProver's arguments for batch `b` (its blob, commitment and the KZG blob proof unless given). */
export function dataProofArgs(kzg: BlobKzg, b: BlobBatch, o: { blob?: Uint8Array; commitment?: Uint8Array; proof?: Uint8Array } = {}) {
  const blob = o.blob ?? b.blob;
  const commitment = o.commitment ?? b.commitment;
  const proof = o.proof ?? kzg.blobProof(b.blob, b.commitment);
  return { header: sol(b.header), blob: bytesToHex(blob), commitment: bytesToHex(commitment), proof: bytesToHex(proof), blobHash: bytesToHex(keccak256(blob)) };
}

/** Commits (one block before) and reveals the DataProver proof; returns the reveal's transaction promise. */
export async function proveData(prover: DataProver, who: Awaited<ReturnType<typeof ethers.getSigners>>[number], a: ReturnType<typeof dataProofArgs>, salt = ethers.id("salt")) {
  const ph = await prover.proofHash(a.header, a.blobHash, a.commitment, a.proof);
  await (await prover.connect(who).commit(await prover.commitmentFor(who.address, ph, salt))).wait();
  await mine(1);
  return prover.connect(who).prove(a.header, a.blob, a.commitment, a.proof, salt, { gasLimit: 16_000_000n });
}

export { loadBlobKzg };
