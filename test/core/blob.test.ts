/**
 * core/blob.ts (docs/protocol.md §14.5): the packing of batch data into a blob, EIP-4844's challenge point and the
 * barycentric evaluation (checked against KZG itself: a proof of the computed value verifies, of any other value
 * does not), and the `data` fault's verdict; test/vectors/blob.json re-derived (regenerate on purpose:
 * npx ts-node --transpile-only scripts/gen-blob-vectors.ts).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { encodeBatchData, batchGas, txRootOf } from "../../core/batch";
import {
  BLOB_BYTES, BLOB_PAYLOAD_BYTES, BLS_MODULUS, ROOT_OF_UNITY, blobChallenge, blobDataFault, blobElements, evaluateBlob, packBlob, reverse12, unpackBlob, versionedHash,
} from "../../core/blob";
import { loadBlobKzg, type BlobKzg } from "../../node/l1/blob-kzg";
import { blobVectors } from "../../scripts/gen-blob-vectors";
import { VECTOR_DIR } from "../../scripts/gen-vectors";
import { rng } from "../../bench/rng";

const modPow = (b: bigint, e: bigint) => {
  let r = 1n;
  for (b %= BLS_MODULUS; e > 0n; e >>= 1n, b = (b * b) % BLS_MODULUS) if (e & 1n) r = (r * b) % BLS_MODULUS;
  return r;
};

describe("batches in blobs (core/blob.ts)", function () {
  this.timeout(120_000);
  let kzg: BlobKzg;
  before(async () => {
    kzg = await loadBlobKzg();
  });

  it("test/vectors/blob.json is what the core (and KZG) compute", async () => {
    expect(JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, "blob.json"), "utf8"))).to.deep.equal(JSON.parse(JSON.stringify(await blobVectors())));
  });

  it("packs 31 bytes per element, top byte 0, the rest of the blob zero, and unpacks them back (randomized)", () => {
    const r = rng(44);
    for (const len of [0, 1, 30, 31, 32, 62, 1000, BLOB_PAYLOAD_BYTES - 1, BLOB_PAYLOAD_BYTES]) {
      const data = Uint8Array.from({ length: len }, () => Math.floor(r() * 256));
      const blob = packBlob(data);
      expect(blob.length).to.equal(BLOB_BYTES);
      expect(blob.findIndex((b, i) => i % 32 === 0 && b !== 0)).to.equal(-1);
      expect(Buffer.from(blob.subarray(1, 32)).equals(new Uint8Array(31).map((_, i) => (i < len ? data[i] : 0)))).to.equal(true);
      const { payload, badTopByte } = unpackBlob(blob);
      expect(badTopByte).to.equal(undefined);
      expect(Buffer.from(payload.subarray(0, len)).equals(data)).to.equal(true);
      expect(payload.subarray(len).every((b) => b === 0)).to.equal(true);
    }
    expect(() => packBlob(new Uint8Array(BLOB_PAYLOAD_BYTES + 1))).to.throw(RangeError, "do not fit");
    const bad = packBlob(Uint8Array.of(1, 2, 3));
    bad[32 * 7] = 5;
    expect(unpackBlob(bad).badTopByte).to.equal(7);
  });

  it("the evaluation at EIP-4844's challenge is the value KZG proves: the blob proof verifies for it and for no other", () => {
    const r = rng(45);
    for (let k = 0; k < 3; k++) {
      const blob = packBlob(Uint8Array.from({ length: 1000 + k * 50_000 }, () => Math.floor(r() * 256)));
      const c = kzg.commitment(blob);
      const proof = kzg.blobProof(blob, c);
      const z = blobChallenge(blob, c);
      const y = evaluateBlob(blob, z);
      expect(kzg.verifyPoint(c, z, y, proof)).to.equal(true);
      expect(kzg.verifyPoint(c, z, (y + 1n) % BLS_MODULUS, proof)).to.equal(false);
      // Another blob under the same commitment: its value at its own challenge is not proven.
      const other = blob.slice();
      other[32 * 100 + 31] ^= 1;
      const z2 = blobChallenge(other, c);
      expect(kzg.verifyPoint(c, z2, evaluateBlob(other, z2), proof)).to.equal(false);
    }
  });

  it("the evaluation at a root of unity is that root's element (bit-reversed order), and a constant blob is constant", () => {
    const blob = packBlob(Uint8Array.from({ length: 4000 }, (_, i) => (i * 13 + 5) & 0xff));
    const f = blobElements(blob);
    for (const j of [0, 1, 2, 1000, 4095]) expect(evaluateBlob(blob, modPow(ROOT_OF_UNITY, BigInt(j)))).to.equal(f[reverse12(j)]);
    // Off the roots: the constant polynomial (every element c) is c everywhere.
    const constant = new Uint8Array(BLOB_BYTES);
    for (let i = 0; i < 4096; i++) constant[i * 32 + 31] = 9;
    expect(evaluateBlob(constant, 123456789n)).to.equal(9n);
    expect(reverse12(1)).to.equal(2048);
    expect(reverse12(0xabc)).to.equal(0x3d5);
  });

  it("refuses a field element not below the modulus, and a blob of the wrong size", () => {
    const blob = new Uint8Array(BLOB_BYTES);
    blob.set(hexToBytes(("0x" + BLS_MODULUS.toString(16)) as `0x${string}`), 32 * 3);
    expect(() => evaluateBlob(blob, 5n)).to.throw(RangeError, "field element 3");
    expect(() => evaluateBlob(new Uint8Array(BLOB_BYTES - 1), 5n)).to.throw(RangeError);
    expect(() => versionedHash(new Uint8Array(47))).to.throw(RangeError);
  });

  it("versionedHash is 0x01 || sha256(C)[1:]", () => {
    const blob = packBlob(Uint8Array.of(2, 1, 0, 0));
    const vh = versionedHash(kzg.commitment(blob));
    expect(vh[0]).to.equal(1);
    expect(bytesToHex(vh).length).to.equal(66);
  });

  it("the data fault: none for a batch's own blob; each declaration that differs, in order", () => {
    const txs = [
      { gas: 21_000n, tx: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) },
      { gas: 50_000n, tx: Uint8Array.from({ length: 500 }, (_, i) => (i * 3) & 0xff) },
    ];
    const blob = packBlob(encodeBatchData(txs));
    const d = { txCount: 2n, gas: batchGas(txs), txRoot: txRootOf(txs) };
    expect(blobDataFault(blob, d)).to.equal(undefined);
    expect(blobDataFault(blob, { ...d, txCount: 1n })).to.deep.include({ reason: "tx-count", count: 2 });
    expect(blobDataFault(blob, { ...d, gas: 1n })).to.deep.include({ reason: "gas", gas: 71_000n });
    expect(blobDataFault(blob, { ...d, txRoot: txRootOf([txs[0]]) })?.reason).to.equal("tx-root");
    // A trailing byte is found before a count mismatch.
    const trailing = blob.slice();
    trailing[32 * 4000 + 3] = 1;
    expect(blobDataFault(trailing, { ...d, txCount: 9n })?.reason).to.equal("trailing-bytes");
    const top = blob.slice();
    top[32 * 4095] = 1;
    expect(blobDataFault(top, d)).to.deep.equal({ reason: "top-byte", element: 4095 });
  });
});
