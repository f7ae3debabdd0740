/**
 * core/crypto/kzg.ts: the native backend (rust-eth-kzg) and the WASM one (c-kzg) give the same commitments and
 * proofs, and the same answer from verifyPoint on every input, good or refused by the spec: the point-evaluation
 * precompile and the blob proofs do not depend on which one a process loaded.
 */
import { expect } from "chai";
import { bytesToHex, hexToBytes, toFixed } from "../../../core/bytes";
import { loadBackend, loadKzg, type Kzg } from "../../../core/crypto/kzg";
import { BLOB_BYTES } from "../../../core/blob";

/** BLS12-381's scalar field modulus. */
const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

describe("core/crypto/kzg: the two backends agree", function () {
  this.timeout(180_000);
  let native: Kzg;
  let wasm: Kzg;

  before(async () => {
    native = await loadBackend("native");
    wasm = await loadBackend("wasm");
  });

  /** A blob of canonical field elements from a seed. */
  function blobOf(seed: number): Uint8Array {
    const b = new Uint8Array(BLOB_BYTES);
    let x = seed >>> 0;
    for (let i = 0; i < b.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      b[i] = i % 32 === 0 ? 0 : x >>> 24; // top byte 0: every element < R
    }
    return b;
  }

  it("loadKzg takes the native backend on this platform", async () => {
    expect((await loadKzg()).backend).to.equal("native");
  });

  it("the same commitment and blob proof for random and edge blobs", () => {
    const max = new Uint8Array(BLOB_BYTES);
    for (let i = 0; i < 4096; i++) max.set(toFixed(R - 1n, 32), i * 32);
    for (const blob of [new Uint8Array(BLOB_BYTES), blobOf(1), blobOf(2), max]) {
      const c = native.commitment(blob);
      expect(bytesToHex(c)).to.equal(bytesToHex(wasm.commitment(blob)));
      expect(bytesToHex(native.blobProof(blob, c))).to.equal(bytesToHex(wasm.blobProof(blob, c)));
    }
  });

  it("a blob with a field element ≥ the modulus: both refuse it", () => {
    const bad = blobOf(3);
    bad.set(toFixed(R, 32), 64);
    expect(() => native.commitment(bad)).to.throw();
    expect(() => wasm.commitment(bad)).to.throw();
  });

  it("verifyPoint: the same answer on a good proof and on every kind of bad input", () => {
    // Points of a constant polynomial: every evaluation of it is its constant, and its proof at any z is the
    // identity (the quotient is 0), so a good (z, y, proof) needs no Fiat-Shamir point here.
    const blob = blobOf(4);
    const c = native.commitment(blob);
    const proof = native.blobProof(blob, c);
    const k = 7n;
    const constant = new Uint8Array(BLOB_BYTES);
    for (let i = 0; i < 4096; i++) constant.set(toFixed(k, 32), i * 32);
    const cc = native.commitment(constant);
    const cproof = native.blobProof(constant, cc); // the quotient of a constant polynomial is 0: the identity
    const z = toFixed(123456789n, 32);
    const cases: [string, Uint8Array, Uint8Array, Uint8Array, Uint8Array, boolean][] = [
      ["a good proof (constant polynomial)", cc, z, toFixed(k, 32), cproof, true],
      ["the wrong value", cc, z, toFixed(k + 1n, 32), cproof, false],
      ["z not canonical (= the modulus)", cc, toFixed(R, 32), toFixed(k, 32), cproof, false],
      ["y not canonical", cc, z, toFixed(R + k, 32), cproof, false],
      ["a commitment not on the curve", hexToBytes(("0x" + "a0" + "11".repeat(47)) as `0x${string}`), z, toFixed(k, 32), cproof, false],
      ["a proof not on the curve", cc, z, toFixed(k, 32), hexToBytes(("0x" + "a0" + "22".repeat(47)) as `0x${string}`), false],
      ["another blob's proof", c, z, toFixed(k, 32), proof, false],
    ];
    for (const [name, cm, zz, y, p, want] of cases) {
      expect(native.verifyPoint(cm, zz, y, p), `native: ${name}`).to.equal(want);
      expect(wasm.verifyPoint(cm, zz, y, p), `wasm: ${name}`).to.equal(want);
    }
  });
});
