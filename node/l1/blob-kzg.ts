/**
 * KZG for batches in blobs (docs/protocol.md §14.5): a blob's commitment and the KZG proof of its value at
 * EIP-4844's challenge point (the proof the `data` fault sends, and the one a type-3 transaction carries), with
 * kzg-wasm (the library core/evm/chain.ts uses for the point-evaluation precompile), and the adapter ethers v6
 * takes to build a blob transaction. Loaded lazily (its WASM and trusted setup take seconds), once per process.
 */
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { loadKZG } from "kzg-wasm";
import type { KzgLibraryLike } from "ethers";

type Wasm = Awaited<ReturnType<typeof loadKZG>>;
let loading: Promise<Wasm> | undefined;

export interface BlobKzg {
  /** The blob's KZG commitment (48 bytes). */
  commitment(blob: Uint8Array): Uint8Array;
  /** EIP-4844 compute_blob_kzg_proof: the proof of the blob's value at its challenge point (48 bytes). */
  blobProof(blob: Uint8Array, commitment: Uint8Array): Uint8Array;
  /** Whether `proof` shows that the blob of `commitment` is `y` at `z` (what precompile 0x0a checks). */
  verifyPoint(commitment: Uint8Array, z: bigint, y: bigint, proof: Uint8Array): boolean;
  /** For ethers v6's blob transactions (`kzg` of a type-3 TransactionRequest). */
  readonly ethers: KzgLibraryLike;
}

const word = (v: bigint) => "0x" + v.toString(16).padStart(64, "0");

/** Loads KZG (idempotent). */
export async function loadBlobKzg(): Promise<BlobKzg> {
  loading ??= loadKZG();
  const k = await loading;
  const commitment = (blob: Uint8Array) => hexToBytes(k.blobToKZGCommitment(bytesToHex(blob)) as `0x${string}`);
  const blobProof = (blob: Uint8Array, c: Uint8Array) => hexToBytes(k.computeBlobKZGProof(bytesToHex(blob), bytesToHex(c)) as `0x${string}`);
  return {
    commitment,
    blobProof,
    verifyPoint: (c, z, y, proof) => k.verifyKZGProof(bytesToHex(c), word(z), word(y), bytesToHex(proof)),
    ethers: { blobToKzgCommitment: commitment, computeBlobKzgProof: blobProof },
  };
}
