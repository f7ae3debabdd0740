/**
 * KZG (EIP-4844), one per process, for the EVM's point-evaluation precompile (core/evm/chain.ts) and for batches
 * in blobs (node/l1/blob-kzg.ts): a blob's commitment, the proof of its value at its challenge point, and the
 * check precompile 0x0a makes.
 *
 * Two backends of the same consensus-spec functions, over the ceremony's trusted setup:
 *  - "native": @crate-crypto/node-eth-kzg (rust-eth-kzg, a prebuilt N-API addon). Its setup takes ~2.5 CPU-s.
 *  - "wasm": kzg-wasm (c-kzg compiled to WebAssembly). Its setup takes ~16 CPU-s: it also builds the EIP-7594
 *    tables, which nothing here uses.
 * `loadKzg()` takes the native one when its binary loads on this platform, else the WASM one.
 * `verifyPoint` answers false for every input the spec refuses (a point not on the curve, a non-canonical field
 * element), as kzg-wasm does: the precompile's result never depends on the backend (test/core/crypto/kzg.test.ts).
 */
import { bytesToHex, hexToBytes } from "../bytes";

export type KzgBackend = "native" | "wasm";

export interface Kzg {
  readonly backend: KzgBackend;
  /** The blob's KZG commitment (48 bytes). Throws on a blob with a non-canonical field element. */
  commitment(blob: Uint8Array): Uint8Array;
  /** EIP-4844 compute_blob_kzg_proof: the proof of the blob's value at its challenge point (48 bytes). */
  blobProof(blob: Uint8Array, commitment: Uint8Array): Uint8Array;
  /** verify_kzg_proof: whether `proof` shows that the polynomial of `commitment` is `y` at `z` (32-byte words). */
  verifyPoint(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean;
}

const loading = new Map<KzgBackend | "auto", Promise<Kzg>>();

/** The process's KZG (idempotent): the native backend if it loads here, else WASM. */
export function loadKzg(): Promise<Kzg> {
  let p = loading.get("auto");
  if (!p) {
    p = loadBackend("native").catch(() => loadBackend("wasm"));
    loading.set("auto", p);
  }
  return p;
}

/** One backend (idempotent); rejects if it does not load on this platform. */
export function loadBackend(backend: KzgBackend): Promise<Kzg> {
  let p = loading.get(backend);
  if (!p) {
    p = backend === "native" ? loadNative() : loadWasm();
    loading.set(backend, p);
    p.catch(() => loading.delete(backend));
  }
  return p;
}

async function loadNative(): Promise<Kzg> {
  const { DasContextJs } = await import("@crate-crypto/node-eth-kzg");
  // Without the fixed-base tables: a commitment takes ~50 ms either way, and the setup is a second shorter.
  const ctx = DasContextJs.create({ usePrecomp: false });
  return {
    backend: "native",
    commitment: (blob) => ctx.blobToKzgCommitment(blob),
    blobProof: (blob, c) => ctx.computeBlobKzgProof(blob, c),
    verifyPoint: (c, z, y, proof) => {
      try {
        return ctx.verifyKzgProof(c, z, y, proof);
      } catch {
        return false; // input the spec refuses (rust-eth-kzg throws; kzg-wasm answers false)
      }
    },
  };
}

async function loadWasm(): Promise<Kzg> {
  const { loadKZG } = await import("kzg-wasm");
  const k = await loadKZG();
  const hex = bytesToHex;
  const bytes = (h: string) => hexToBytes(h as `0x${string}`);
  return {
    backend: "wasm",
    commitment: (blob) => bytes(k.blobToKZGCommitment(hex(blob))),
    blobProof: (blob, c) => bytes(k.computeBlobKZGProof(hex(blob), hex(c))),
    verifyPoint: (c, z, y, proof) => k.verifyKZGProof(hex(c), hex(z), hex(y), hex(proof)),
  };
}
