/**
 * Batches in EIP-4844 blobs (docs/protocol.md §14.5), pure: the packing of batch data into a blob's field
 * elements and back, the blob's versioned hash, the point at which the `data` fault evaluates the blob (EIP-4844's
 * own Fiat–Shamir challenge) and the barycentric evaluation itself. The Solidity twin is
 * contracts/fraud/DataProver.sol with contracts/lib/BlobLib.sol; both run test/vectors/blob.json
 * (scripts/gen-blob-vectors.ts). KZG commitments and proofs are not computed here (a KZG library does that:
 * node/l1/blob-kzg.ts); this module only checks what L1 checks.
 */
import { sha256 } from "ethereum-cryptography/sha256.js";
import { concatBytes, toFixed } from "./bytes";
import { MAX_BATCH_BYTES, batchGas, splitBatchData, txRootOf, type BatchTx } from "./batch";
import { DecodeError, type TxFault } from "./errors";

/** Most transactions in a blob batch (§14.5): bounds the `data` proof's work; every valid transaction has more
 *  than 30 bytes, so no valid batch of MAX_BATCH_BYTES has more. */
export const MAX_BLOB_TXS = 4096;
/** Field elements per blob (EIP-4844 FIELD_ELEMENTS_PER_BLOB). */
export const BLOB_ELEMENTS = 4096;
/** Bytes of a blob. */
export const BLOB_BYTES = BLOB_ELEMENTS * 32;
/** Batch bytes carried by one field element (its low 31 bytes; the top byte is 0). */
export const BYTES_PER_ELEMENT = 31;
/** Batch bytes a blob can carry (126,976: more than MAX_BATCH_BYTES, so a batch always fits one blob). */
export const BLOB_PAYLOAD_BYTES = BLOB_ELEMENTS * BYTES_PER_ELEMENT;
/** The BLS12-381 scalar field's modulus r (EIP-4844 BLS_MODULUS). */
export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
/** A primitive 4096th root of unity: 7^((r − 1) / 4096) mod r (EIP-4844 compute_roots_of_unity). */
export const ROOT_OF_UNITY = modPow(7n, (BLS_MODULUS - 1n) / BigInt(BLOB_ELEMENTS), BLS_MODULUS);
/** EIP-4844 FIAT_SHAMIR_PROTOCOL_DOMAIN. */
const FIAT_SHAMIR_DOMAIN = new TextEncoder().encode("FSBLOBVERIFY_V1_");
/** EIP-4844 VERSIONED_HASH_VERSION_KZG. */
export const VERSIONED_HASH_VERSION_KZG = 0x01;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** Batch data packed into a blob: 31 bytes into the low bytes of each field element from element 0, the rest 0. */
export function packBlob(data: Uint8Array): Uint8Array {
  if (data.length > BLOB_PAYLOAD_BYTES) throw new RangeError(`${data.length} bytes do not fit one blob (${BLOB_PAYLOAD_BYTES})`);
  const blob = new Uint8Array(BLOB_BYTES);
  for (let i = 0, off = 0; off < data.length; i++, off += BYTES_PER_ELEMENT) {
    blob.set(data.subarray(off, off + BYTES_PER_ELEMENT), i * 32 + 1);
  }
  return blob;
}

/** The blob's payload (the low 31 bytes of each element, in order) and the first element whose top byte is not 0. */
export function unpackBlob(blob: Uint8Array): { payload: Uint8Array; badTopByte?: number } {
  if (blob.length !== BLOB_BYTES) throw new RangeError(`a blob has ${BLOB_BYTES} bytes, not ${blob.length}`);
  const payload = new Uint8Array(BLOB_PAYLOAD_BYTES);
  let badTopByte: number | undefined;
  for (let i = 0; i < BLOB_ELEMENTS; i++) {
    if (blob[i * 32] !== 0 && badTopByte === undefined) badTopByte = i;
    payload.set(blob.subarray(i * 32 + 1, i * 32 + 32), i * BYTES_PER_ELEMENT);
  }
  return { payload, badTopByte };
}

/** Why a blob's bytes are not the batch its header declares (the `data` fault), or undefined if they are. */
export type BlobDataFault =
  | { reason: "top-byte"; element: number }
  | { reason: "framing"; error: DecodeError }
  | { reason: "trailing-bytes"; offset: number }
  | { reason: "tx-count"; count: number }
  | { reason: "gas"; gas: bigint }
  | { reason: "tx-root"; root: Uint8Array };

/**
 * The batch data a blob carries (§14.5): the payload's prefix that the framing of §7.3 spans, parsed from
 * `payload[0, MAX_BATCH_BYTES)` with every limit of §7.3 and at most MAX_BLOB_TXS transactions; the bytes after it
 * must be zero. Throws DecodeError if the
 * framing fails; returns the offset of the first nonzero byte after the data as `trailing`.
 */
export function blobBatch(payload: Uint8Array): { txs: BatchTx[]; data: Uint8Array; trailing?: number } {
  const window = payload.subarray(0, Math.min(payload.length, MAX_BATCH_BYTES));
  const end = framingEnd(window);
  const data = window.subarray(0, end);
  const txs = splitBatchData(data);
  if (txs.length > MAX_BLOB_TXS) throw new DecodeError("oversized", `${txs.length} transactions: more than ${MAX_BLOB_TXS} in a blob batch`, 1);
  let trailing: number | undefined;
  for (let i = end; i < payload.length; i++) {
    if (payload[i] !== 0) {
      trailing = i;
      break;
    }
  }
  return { txs, data, trailing };
}

/**
 * Where the framing `version count (gas len tx)*` ends in `b`, read loosely (the strict checks are
 * splitBatchData's, run on the prefix): a length prefix or count that runs past `b` ends it at `b.length`,
 * so splitBatchData then reports the truncation.
 */
function framingEnd(b: Uint8Array): number {
  let pos = 1;
  const varint = (): bigint => {
    let v = 0n;
    for (let i = 0; i < 10 && pos < b.length; i++) {
      const x = b[pos++];
      v |= BigInt(x & 0x7f) << BigInt(7 * i);
      if ((x & 0x80) === 0) return v;
    }
    pos = b.length;
    return -1n;
  };
  if (b.length === 0) return 0;
  const n = varint();
  if (n < 0n || n > 1n << 16n) return b.length;
  for (let i = 0n; i < n; i++) {
    if (varint() < 0n) return b.length;
    const len = varint();
    if (len < 0n || BigInt(pos) + len > BigInt(b.length)) return b.length;
    pos += Number(len);
  }
  return pos;
}

/**
 * The `data` fault of a blob batch (§14.5): undefined iff the blob's bytes give exactly the declared transaction
 * count, gas and root. Checked in this order: a top byte not 0, the framing, nonzero bytes after the data, the
 * count, the gas, the root.
 */
export function blobDataFault(blob: Uint8Array, declared: { txCount: bigint; gas: bigint; txRoot: Uint8Array }): BlobDataFault | undefined {
  const { payload, badTopByte } = unpackBlob(blob);
  if (badTopByte !== undefined) return { reason: "top-byte", element: badTopByte };
  let parsed: ReturnType<typeof blobBatch>;
  try {
    parsed = blobBatch(payload);
  } catch (e) {
    if (e instanceof DecodeError) return { reason: "framing", error: e };
    throw e;
  }
  if (parsed.trailing !== undefined) return { reason: "trailing-bytes", offset: parsed.trailing };
  const { txs } = parsed;
  if (BigInt(txs.length) !== declared.txCount) return { reason: "tx-count", count: txs.length };
  const gas = batchGas(txs);
  if (gas !== declared.gas) return { reason: "gas", gas };
  const root = txRootOf(txs);
  if (!eq(root, declared.txRoot)) return { reason: "tx-root", root };
  return undefined;
}

/**
 * A blob batch's `data` fault in the form a verifier reports every fault (TxFault): the batch's, so it names no
 * transaction (transaction 0, the batch's first seq) and its `code` is the reason (`top-byte`, `framing`,
 * `trailing-bytes`, `tx-count`, `gas`, `tx-root`).
 */
export function dataFault(batchIndex: bigint, firstSeq: bigint, f: BlobDataFault): TxFault {
  const what =
    f.reason === "top-byte" ? `field element ${f.element} has a nonzero top byte`
    : f.reason === "framing" ? `the batch data does not decode (${f.error.code}: ${f.error.message})`
    : f.reason === "trailing-bytes" ? `payload byte ${f.offset}, after the data, is not 0`
    : f.reason === "tx-count" ? `the blob holds ${f.count} transactions, not the declared count`
    : f.reason === "gas" ? `the blob's transactions declare ${f.gas} gas, not the declared gas`
    : `the blob's transactions have root 0x${Buffer.from(f.root).toString("hex")}, not the declared txRoot`;
  return { batchIndex, txIndex: 0, seq: firstSeq, kind: "data", code: f.reason, message: `the blob does not give the batch's declarations: ${what}` };
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** EIP-4844 kzg_to_versioned_hash: 0x01 || sha256(commitment)[1:]. */
export function versionedHash(commitment: Uint8Array): Uint8Array {
  if (commitment.length !== 48) throw new RangeError("a KZG commitment has 48 bytes");
  const h = sha256(commitment);
  h[0] = VERSIONED_HASH_VERSION_KZG;
  return h;
}

/**
 * The point the `data` fault evaluates the blob at: EIP-4844's compute_challenge,
 * `sha256("FSBLOBVERIFY_V1_" || uint128be(4096) || blob || commitment) mod r`. *Why EIP-4844's own:* the KZG
 * proof at that point is what every KZG library computes for a blob (`compute_blob_kzg_proof`), and it binds
 * the blob and the commitment as any Fiat–Shamir hash would.
 */
export function blobChallenge(blob: Uint8Array, commitment: Uint8Array): bigint {
  if (blob.length !== BLOB_BYTES) throw new RangeError(`a blob has ${BLOB_BYTES} bytes, not ${blob.length}`);
  const h = sha256(concatBytes(FIAT_SHAMIR_DOMAIN, toFixed(BigInt(BLOB_ELEMENTS), 16), blob, commitment));
  return BigInt("0x" + Buffer.from(h).toString("hex")) % BLS_MODULUS;
}

/** The blob's field elements; throws if one is not below r (no L1 client accepts such a blob). */
export function blobElements(blob: Uint8Array): bigint[] {
  if (blob.length !== BLOB_BYTES) throw new RangeError(`a blob has ${BLOB_BYTES} bytes, not ${blob.length}`);
  const out: bigint[] = [];
  for (let i = 0; i < BLOB_ELEMENTS; i++) {
    const v = BigInt("0x" + Buffer.from(blob.subarray(i * 32, i * 32 + 32)).toString("hex"));
    if (v >= BLS_MODULUS) throw new RangeError(`field element ${i} is not below the BLS modulus`);
    out.push(v);
  }
  return out;
}

/** Bit reversal of the low 12 bits (the order of EIP-4844's roots of unity). */
export function reverse12(j: number): number {
  let r = 0;
  for (let b = 0; b < 12; b++) r |= ((j >> b) & 1) << (11 - b);
  return r;
}

/**
 * The blob's polynomial at `z` (EIP-4844 evaluate_polynomial_in_evaluation_form): element i is its value at
 * ω^reverse12(i). Barycentric: `p(z) = (z^4096 − 1) / 4096 · Σ f_i·ω_i / (z − ω_i)`, the sum kept as one fraction
 * (one inversion in all), or `f_i` if z is the root ω_i. The Solidity twin walks j = 0 … 4095 with root ω^j and
 * element reverse12(j), exactly as here.
 */
export function evaluateBlob(blob: Uint8Array, z: bigint): bigint {
  const r = BLS_MODULUS;
  if (z < 0n || z >= r) throw new RangeError("z is not a field element");
  const f = blobElements(blob);
  let num = 0n;
  let den = 1n;
  let root = 1n;
  for (let j = 0; j < BLOB_ELEMENTS; j++) {
    const fi = f[reverse12(j)];
    const d = (z - root + r) % r;
    if (d === 0n) return fi;
    // num/den + fi·root/d = (num·d + fi·root·den) / (den·d)
    num = (num * d + ((fi * root) % r) * den) % r;
    den = (den * d) % r;
    root = (root * ROOT_OF_UNITY) % r;
  }
  const zn = (modPow(z, BigInt(BLOB_ELEMENTS), r) - 1n + r) % r;
  const invWidth = modPow(BigInt(BLOB_ELEMENTS), r - 2n, r);
  return (((num * modPow(den, r - 2n, r)) % r) * zn % r) * invWidth % r;
}
