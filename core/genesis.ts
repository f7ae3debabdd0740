/**
 * The genesis allocation and its commitment (protocol.md §7.6): the keys that genesis sets to a
 * nonzero value, sorted by their canonical key bytes, as leaves of a Merkle tree (§2.2) whose root
 * and leaf count L1 stores (Inbox.genesisRoot, genesisCount). A proof of a key's genesis value is
 * its leaf (membership) or the leaves around where it would be (absence: value 0). Twin of
 * contracts/lib/Genesis.sol; vectors test/vectors/genesis.json.
 */
import { bytesToHex, toFixed } from "./bytes";
import { hashTagged } from "./hash";
import { keyBytes, type Key } from "./keys";
import { merkleProof, merkleRoot, verifyMerkleProof } from "./merkle";

export interface GenesisEntry {
  key: Key;
  value: bigint;
}

/** One leaf shown in a proof: its index, key, value and Merkle siblings. */
export interface GenesisLeafProof {
  index: number;
  key: Key;
  value: bigint;
  siblings: Uint8Array[];
}

export class GenesisError extends Error {}

const MAX_U256 = (1n << 256n) - 1n;

function cmp(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The leaf of a genesis entry: keccak(tag(genesis-leaf) || key bytes (53) || bytes32(value)). */
export function genesisLeaf(e: GenesisEntry): Uint8Array {
  return hashTagged("genesisLeaf", keyBytes(e.key), toFixed(e.value, 32));
}

/** The allocation in canonical form: zero values dropped, sorted by key bytes; a repeated key or a value beyond 256 bits throws. */
export function canonicalGenesis(entries: Iterable<GenesisEntry>): GenesisEntry[] {
  const out = [...entries].filter((e) => {
    if (e.value < 0n || e.value > MAX_U256) throw new GenesisError(`genesis value ${e.value} out of u256 range`);
    return e.value !== 0n;
  });
  out.sort((a, b) => cmp(keyBytes(a.key), keyBytes(b.key)));
  for (let i = 1; i < out.length; i++) if (cmp(keyBytes(out[i - 1].key), keyBytes(out[i].key)) === 0) throw new GenesisError(`genesis key ${bytesToHex(keyBytes(out[i].key))} appears twice`);
  return out;
}

/** What L1 stores of the allocation: the Merkle root of its leaves and their count. */
export function genesisCommitment(entries: Iterable<GenesisEntry>): { root: Uint8Array; count: number } {
  const g = canonicalGenesis(entries);
  return { root: merkleRoot(g.map(genesisLeaf)), count: g.length };
}

/**
 * The proof of `key`'s genesis value: its own leaf if the allocation sets it; otherwise the leaves
 * just below and above where it would be (one at either end, none for an empty allocation).
 */
export function genesisProof(entries: Iterable<GenesisEntry>, key: Key): GenesisLeafProof[] {
  const g = canonicalGenesis(entries);
  const leaves = g.map(genesisLeaf);
  const kb = keyBytes(key);
  const at = (i: number): GenesisLeafProof => ({ index: i, key: g[i].key, value: g[i].value, siblings: merkleProof(leaves, i) });
  let i = 0;
  while (i < g.length && cmp(keyBytes(g[i].key), kb) < 0) i++;
  if (i < g.length && cmp(keyBytes(g[i].key), kb) === 0) return [at(i)];
  const out: GenesisLeafProof[] = [];
  if (i > 0) out.push(at(i - 1));
  if (i < g.length) out.push(at(i));
  return out;
}

/**
 * The genesis value of `key` that `proof` shows against (`root`, `count`), or undefined if the
 * proof does not show one: a leaf of the key (its value), or adjacent leaves around it, the first
 * leaf above it, the last below it, or nothing for an empty tree (value 0). The rule L1's
 * InputProver applies (contracts/lib/Genesis.sol).
 */
export function genesisValue(root: Uint8Array, count: number, key: Key, proof: readonly GenesisLeafProof[]): bigint | undefined {
  for (const l of proof) if (!verifyMerkleProof(root, genesisLeaf(l), l.index, count, l.siblings)) return undefined;
  const kb = keyBytes(key);
  const c = proof.map((l) => cmp(keyBytes(l.key), kb));
  if (proof.length === 0) return count === 0 ? 0n : undefined;
  if (proof.length === 1) {
    if (c[0] === 0) return proof[0].value;
    if (c[0] > 0 && proof[0].index === 0) return 0n;
    if (c[0] < 0 && proof[0].index === count - 1) return 0n;
    return undefined;
  }
  if (proof.length === 2 && proof[1].index === proof[0].index + 1 && c[0] < 0 && c[1] > 0) return 0n;
  return undefined;
}
