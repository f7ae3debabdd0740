/**
 * The transaction Merkle tree (core/merkle.ts): roots against an independent reference, proofs
 * for every leaf, and the ways a proof must fail.
 */
import { expect } from "chai";
import { keccak256, concatBytes, bytesToHex, ZERO32, equalsBytes } from "../../core/bytes";
import { DOMAINS } from "../../core/hash";
import { merkleRoot, merkleProof, verifyMerkleProof, merkleNode, merkleDepth, leafHash } from "../../core/merkle";

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(BigInt(i), Uint8Array.of(0x01, i)));

/** Reference: pad to a power of two with zero, hash pairs, two zero children give zero. */
function refRoot(ls: Uint8Array[]): Uint8Array {
  if (ls.length === 0) return DOMAINS.merkleEmpty;
  let size = 1;
  while (size < ls.length) size *= 2;
  let level = [...ls, ...Array.from({ length: size - ls.length }, () => new Uint8Array(32))];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const [l, r] = [level[i], level[i + 1]];
      next.push(l.every((x) => x === 0) && r.every((x) => x === 0) ? new Uint8Array(32) : keccak256(concatBytes(DOMAINS.merkleNode, l, r)));
    }
    level = next;
  }
  return level[0];
}

const hex = bytesToHex;
/** Sizes for the quadratic failure loops: edges around powers of two. */
const SIZES = [2, 3, 4, 5, 7, 8, 9, 16, 17];

describe("core/merkle", () => {
  it("depth is ceil(log2 n)", () => {
    const expected = [0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5];
    expect(Array.from({ length: 18 }, (_, n) => merkleDepth(n))).to.deep.equal(expected);
  });

  it("depth of large counts", () => {
    expect(merkleDepth(1 << 16)).to.equal(16);
    expect(merkleDepth((1 << 16) + 1)).to.equal(17);
    expect(merkleDepth(2 ** 30)).to.equal(30);
  });

  // Regression: merkleDepth once used a 32-bit shift and never returned for n > 2^30.
  it("depth terminates above 2^30; non-integer counts and indexes are refused", () => {
    expect(merkleDepth(2 ** 30 + 1)).to.equal(31);
    expect(merkleDepth(2 ** 32)).to.equal(32);
    expect(verifyMerkleProof(ZERO32, leaves(1)[0], 0, 2 ** 31, [])).to.equal(false);
    const [l] = leaves(1);
    expect(verifyMerkleProof(l, l, 7, NaN, [])).to.equal(false);
    expect(verifyMerkleProof(l, l, 0, 1.5, [])).to.equal(false);
    expect(() => merkleDepth(NaN)).to.throw(RangeError);
  });

  it("node hashing: tagged, with the zero-zero rule", () => {
    const [a, b] = leaves(2);
    expect(hex(merkleNode(a, b))).to.equal(hex(keccak256(concatBytes(DOMAINS.merkleNode, a, b))));
    expect(hex(merkleNode(ZERO32, ZERO32))).to.equal(hex(ZERO32));
    expect(hex(merkleNode(a, ZERO32))).to.equal(hex(keccak256(concatBytes(DOMAINS.merkleNode, a, ZERO32))));
    expect(hex(merkleNode(ZERO32, a))).to.not.equal(hex(merkleNode(a, ZERO32)));
  });

  it("roots for 0..17 leaves match the reference, and differ from each other", () => {
    const seen = new Set<string>();
    for (let n = 0; n <= 17; n++) {
      const root = merkleRoot(leaves(n));
      expect(hex(root), `n=${n}`).to.equal(hex(refRoot(leaves(n))));
      seen.add(hex(root));
    }
    expect(seen.size).to.equal(18);
    expect(hex(merkleRoot([]))).to.equal(hex(DOMAINS.merkleEmpty));
    const [one] = leaves(1);
    expect(hex(merkleRoot([one]))).to.equal(hex(one));
  });

  it("the root depends on every leaf and on their order", () => {
    const ls = leaves(5);
    const root = hex(merkleRoot(ls));
    for (let i = 0; i < ls.length; i++) {
      const t = ls.slice();
      t[i] = leafHash(BigInt(i), Uint8Array.of(0xff, i));
      expect(hex(merkleRoot(t))).to.not.equal(root);
    }
    expect(hex(merkleRoot([ls[1], ls[0], ...ls.slice(2)]))).to.not.equal(root);
  });

  it("merkleRoot does not mutate its input", () => {
    const ls = leaves(5);
    const copy = ls.map((l) => Uint8Array.from(l));
    merkleRoot(ls);
    merkleProof(ls, 3);
    expect(ls).to.deep.equal(copy);
  });

  it("proofs for every leaf of 1..17 leaves verify, with depth(n) siblings", () => {
    for (let n = 1; n <= 17; n++) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(ls, i);
        expect(proof.length).to.equal(merkleDepth(n));
        expect(verifyMerkleProof(root, ls[i], i, n, proof), `n=${n} i=${i}`).to.equal(true);
      }
    }
  });

  it("merkleProof rejects an index out of range", () => {
    expect(() => merkleProof(leaves(3), 3)).to.throw(RangeError);
    expect(() => merkleProof(leaves(3), -1)).to.throw(RangeError);
    expect(() => merkleProof([], 0)).to.throw(RangeError);
  });

  it("fails with a wrong leaf or a wrong index", () => {
    for (const n of SIZES) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(ls, i);
        for (const j of new Set([i ^ 1, (i + 1) % n, n - 1 - i, 0, n - 1]))
          if (j !== i && j < n) expect(verifyMerkleProof(root, ls[i], j, n, proof), `n=${n} i=${i} j=${j}`).to.equal(false);
        expect(verifyMerkleProof(root, ls[(i + 1) % n], i, n, proof)).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], -1, n, proof)).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], i + (1 << proof.length), n, proof)).to.equal(false);
      }
    }
  });

  it("fails with a wrong count", () => {
    for (let n = 1; n <= 17; n++) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(ls, i);
        // index not below the count
        expect(verifyMerkleProof(root, ls[i], i, i, proof)).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], i, 0, proof)).to.equal(false);
        // any count of another depth
        const smaller = merkleDepth(n) > 0 ? Math.max(i + 1, 1 << (merkleDepth(n) - 1)) : 0;
        for (const c of [n * 2 + 1, (1 << merkleDepth(n)) + 1, smaller]) {
          if (merkleDepth(c) === merkleDepth(n) || c <= i) continue;
          expect(verifyMerkleProof(root, ls[i], i, c, proof), `n=${n} i=${i} c=${c}`).to.equal(false);
        }
      }
    }
  });

  it("a count of the same depth is not committed by the root (the header's txCount must be used)", () => {
    // Documented property: the root commits to the padded leaf list, not to the count. A verifier
    // must take the count from the header; with it, index < count and the depth are enforced.
    const ls = leaves(5);
    expect(verifyMerkleProof(merkleRoot(ls), ls[2], 2, 8, merkleProof(ls, 2))).to.equal(true);
    expect(verifyMerkleProof(merkleRoot(ls), ls[2], 2, 9, merkleProof(ls, 2))).to.equal(false);
  });

  it("fails with a tampered, extra or missing sibling", () => {
    for (const n of SIZES) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(ls, i);
        for (let k = 0; k < proof.length; k++) {
          for (const flip of [0, 31]) {
            const t = proof.map((p) => Uint8Array.from(p));
            t[k][flip] ^= 0x01;
            expect(verifyMerkleProof(root, ls[i], i, n, t), `n=${n} i=${i} k=${k}`).to.equal(false);
          }
          // a zero sibling swapped for a nonzero one and vice versa
          const z = proof.slice();
          z[k] = equalsBytes(z[k], ZERO32) ? ls[i] : ZERO32;
          expect(verifyMerkleProof(root, ls[i], i, n, z)).to.equal(false);
        }
        expect(verifyMerkleProof(root, ls[i], i, n, [...proof, ZERO32])).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], i, n, [...proof, ls[0]])).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], i, n, [ZERO32, ...proof])).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], i, n, proof.slice(1))).to.equal(false);
        expect(verifyMerkleProof(root, ls[i], i, n, proof.slice(0, -1))).to.equal(false);
      }
    }
  });

  it("an inner node cannot pass as a leaf under the true count", () => {
    const ls = leaves(4);
    const root = merkleRoot(ls);
    const inner = merkleNode(ls[0], ls[1]);
    const upper = [merkleNode(ls[2], ls[3])];
    expect(verifyMerkleProof(root, inner, 0, 4, upper)).to.equal(false);
    expect(verifyMerkleProof(root, inner, 0, 4, [ls[1], ...upper])).to.equal(false);
    // Under a smaller count it does: again the count must be the header's, and leaves must be
    // leafHash outputs (domain-separated from nodes), never caller-chosen 32-byte values.
    expect(verifyMerkleProof(root, inner, 0, 2, upper)).to.equal(true);
  });

  it("rejects a zero leaf, even at a padding position whose path does hash to the root", () => {
    const ls = leaves(3);
    const root = merkleRoot(ls);
    // leaf 3 is padding: its siblings are leaf 2 and node(0, 1)
    const proof = [ls[2], merkleNode(ls[0], ls[1])];
    expect(hex(merkleNode(merkleNode(ls[0], ls[1]), merkleNode(ls[2], ZERO32)))).to.equal(hex(root));
    expect(verifyMerkleProof(root, ZERO32, 3, 4, proof)).to.equal(false);
    // zero leaf in a one-leaf and a real position
    expect(verifyMerkleProof(ZERO32, ZERO32, 0, 1, [])).to.equal(false);
    const withZero = [ls[0], ZERO32];
    expect(verifyMerkleProof(merkleRoot(withZero), ZERO32, 1, 2, [ls[0]])).to.equal(false);
  });

  it("a one-leaf tree: the root is the leaf and the proof is empty", () => {
    const [l] = leaves(1);
    expect(merkleProof([l], 0)).to.deep.equal([]);
    expect(verifyMerkleProof(l, l, 0, 1, [])).to.equal(true);
    expect(verifyMerkleProof(l, l, 0, 1, [ZERO32])).to.equal(false);
    expect(verifyMerkleProof(l, l, 0, 2, [ZERO32])).to.equal(false);
  });
});
