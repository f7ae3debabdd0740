/**
 * Binary Merkle tree over 32-byte leaves (docs/protocol.md §2.2). Leaves are padded to a power of
 * two with ZERO; a node is H_node(left || right), except that two ZERO children give ZERO, so
 * padding costs nothing. The empty tree's root is the merkleEmpty tag. Twin: contracts/lib/Merkle.sol.
 */
import { ZERO32, equalsBytes, concatBytes, keccak256, toFixed } from "./bytes";
import { DOMAINS, hashTagged } from "./hash";

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

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return DOMAINS.merkleEmpty;
  let level: Uint8Array[] = leaves.slice();
  const depth = merkleDepth(level.length);
  for (let d = 0; d < depth; d++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleNode(level[i], i + 1 < level.length ? level[i + 1] : ZERO32));
    level = next;
  }
  return level[0];
}

/** Siblings from the leaf up to the root. */
export function merkleProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} out of range 0..${leaves.length - 1}`);
  const proof: Uint8Array[] = [];
  let level: Uint8Array[] = leaves.slice();
  let i = index;
  const depth = merkleDepth(level.length);
  for (let d = 0; d < depth; d++) {
    const sib = i ^ 1;
    proof.push(sib < level.length ? level[sib] : ZERO32);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(merkleNode(level[j], j + 1 < level.length ? level[j + 1] : ZERO32));
    level = next;
    i >>= 1;
  }
  return proof;
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
