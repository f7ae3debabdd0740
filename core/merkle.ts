/**
 * Binary Merkle tree over 32-byte leaves (docs/protocol.md §2.2). Leaves are padded to a power of
 * two with ZERO; a node is H_node(left || right), except that two ZERO children give ZERO, so
 * padding costs nothing. The empty tree's root is the merkleEmpty tag. Twin: contracts/lib/Merkle.sol.
 *
 * The tree and its inclusion proofs are built by merkletreejs: its hash function is merkleNode on
 * the concatenated pair (which carries the domain tag and ZERO-on-ZERO), its default leaf ZERO pads
 * to a power of two. The verifier (verifyMerkleProof) is the protocol's own: it checks what the
 * Solidity twin checks (the index below the count, exactly depth siblings, a nonzero leaf).
 */
import { MerkleTree } from "merkletreejs";
import { ZERO32, equalsBytes, concatBytes, keccak256, toFixed } from "./bytes";
import { DOMAINS, hashTagged } from "./hash";

/** A node from its children (the padding rule: two ZERO children give ZERO). */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (isZero(left) && isZero(right)) return ZERO32;
  return keccak256(concatBytes(DOMAINS.merkleNode, left, right));
}

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Number of levels: ceil(log2(n)), 0 for n <= 1. */
export function merkleDepth(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`leaf count ${n} is not a whole number`);
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

const ZERO_LEAF = Buffer.alloc(32);

/** merkletreejs's hash function: a node from its concatenated children. */
function nodeOfPair(pair: Buffer): Buffer {
  const h = merkleNode(pair.subarray(0, 32), pair.subarray(32, 64));
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength);
}

/** A tree over `leaves` (§2.2), built once: its root and any leaf's proof. */
export class MerkleTreeOf {
  private readonly tree: MerkleTree | undefined;

  constructor(private readonly leaves: readonly Uint8Array[]) {
    for (const l of leaves) if (l.length !== 32) throw new RangeError(`a leaf of ${l.length} bytes, not 32`);
    this.tree = leaves.length === 0 ? undefined : new MerkleTree(leaves.map((l) => Buffer.from(l)), nodeOfPair, { fillDefaultHash: ZERO_LEAF });
  }

  root(): Uint8Array {
    return this.tree === undefined ? DOMAINS.merkleEmpty : new Uint8Array(this.tree.getRoot());
  }

  /** Siblings of leaf `index` from the leaf up to the root: depth(n) of them. */
  proof(index: number): Uint8Array[] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.leaves.length) throw new RangeError(`leaf ${index} out of range 0..${this.leaves.length - 1}`);
    return this.tree!.getProof(Buffer.from(this.leaves[index]), index).map((p) => new Uint8Array(p.data));
  }
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return new MerkleTreeOf(leaves).root();
}

/** Siblings from the leaf up to the root. */
export function merkleProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  return new MerkleTreeOf(leaves).proof(index);
}

/**
 * Verifies that `leaf` is leaf `index` of a tree of `count` leaves with root `root`. The proof must
 * have exactly depth(count) siblings and index < count, so no leaf has two positions.
 */
export function verifyMerkleProof(root: Uint8Array, leaf: Uint8Array, index: number, count: number, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || index >= count) return false;
  if (proof.length !== merkleDepth(count)) return false;
  if (isZero(leaf)) return false;
  let h = leaf;
  let i = index;
  for (const sib of proof) {
    h = i & 1 ? merkleNode(sib, h) : merkleNode(h, sib);
    i >>= 1;
  }
  return equalsBytes(h, root);
}

/** A transaction's Merkle leaf (protocol.md §5.6): keccak(tag(tx-leaf) || bytes8(declared gas) || encoding). */
export function leafHash(gas: bigint, encodedTx: Uint8Array): Uint8Array {
  return hashTagged("txLeaf", toFixed(gas, 8), encodedTx);
}
