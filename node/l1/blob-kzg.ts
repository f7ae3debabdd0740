/**
 * KZG for batches in blobs (docs/protocol.md §14.5): a blob's commitment and the KZG proof of its value at
 * EIP-4844's challenge point (the proof the `data` fault sends, and the one a type-3 transaction carries), with
 * the process's KZG (core/crypto/kzg.ts, which the point-evaluation precompile uses too), and the adapter ethers v6
 * takes to build a blob transaction. Loaded lazily (its trusted setup takes seconds), once per process.
 */
import { toFixed } from "../../core/bytes";
import { loadKzg } from "../../core/crypto/kzg";
import type { KzgLibraryLike } from "ethers";

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

/** Loads KZG (idempotent). */
export async function loadBlobKzg(): Promise<BlobKzg> {
  const k = await loadKzg();
  const commitment = (blob: Uint8Array) => k.commitment(blob);
  const blobProof = (blob: Uint8Array, c: Uint8Array) => k.blobProof(blob, c);
  return {
    commitment,
    blobProof,
    verifyPoint: (c, z, y, proof) => z < 1n << 256n && y < 1n << 256n && z >= 0n && y >= 0n && k.verifyPoint(c, toFixed(z, 32), toFixed(y, 32), proof),
    ethers: { blobToKzgCommitment: commitment, computeBlobKzgProof: blobProof },
  };
}
