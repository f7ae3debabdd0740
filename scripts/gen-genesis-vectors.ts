/**
 * Shared vectors of the genesis allocation's commitment (core/genesis.ts and its Solidity twin
 * contracts/lib/Genesis.sol): leaves, root and count of a small allocation, proofs of a key's genesis
 * value (its leaf, or the leaves around where it would be) and proofs that show nothing, the empty
 * allocation, and the commitment of the predeploys (core/predeploys.ts) for chain id 901.
 *
 *   npx ts-node --transpile-only scripts/gen-genesis-vectors.ts
 *
 * writes test/vectors/genesis.json. test/core/genesis.test.ts re-derives it from the core (and fails
 * until it is regenerated on purpose); test/contracts/lib/genesis.test.ts runs it through
 * contracts/test/CoreHarness.sol.
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToHex, hexToBytes, keccak256 } from "../core/bytes";
import { domainHex } from "../core/hash";
import { Mark, type Key } from "../core/keys";
import { canonicalGenesis, genesisCommitment, genesisLeaf, genesisProof, genesisValue, type GenesisEntry, type GenesisLeafProof } from "../core/genesis";
import { predeployAllocation } from "../core/predeploys";
import { VECTOR_DIR, serialize } from "./gen-vectors";

type Hex = string;
const a = (n: number) => hexToBytes(("0x" + n.toString(16).padStart(40, "0")) as `0x${string}`);
const keyJson = (k: Key) => ({ addr: bytesToHex(k.addr), mark: k.mark, slot: "0x" + k.slot.toString(16) });
const proofJson = (p: GenesisLeafProof[]) => p.map((l) => ({ index: l.index, ...keyJson(l.key), value: "0x" + l.value.toString(16), siblings: l.siblings.map((s) => bytesToHex(s)) }));

export function genesisVectors() {
  const alloc: GenesisEntry[] = [
    { key: { mark: Mark.Nonce, addr: a(0x30), slot: 0n }, value: 1n },
    { key: { mark: Mark.Code, addr: a(0x10), slot: 0n }, value: BigInt(bytesToHex(keccak256(Uint8Array.of(0x00)))) },
    { key: { mark: Mark.Nonce, addr: a(0x10), slot: 0n }, value: 1n },
    { key: { mark: Mark.Balance, addr: a(0x20), slot: 0n }, value: 5n },
    { key: { mark: Mark.Storage, addr: a(0x20), slot: 7n }, value: (1n << 256n) - 1n },
    { key: { mark: Mark.Balance, addr: a(0x40), slot: 0n }, value: 0n }, // zero: not a leaf
  ];
  const { root, count } = genesisCommitment(alloc);
  const sorted = canonicalGenesis(alloc);
  const queries: { name: string; key: Key; proof: GenesisLeafProof[] }[] = [];
  const honest = (name: string, key: Key) => queries.push({ name, key, proof: genesisProof(alloc, key) });
  honest("a member (storage slot)", { mark: Mark.Storage, addr: a(0x20), slot: 7n });
  honest("a member (the first leaf)", { mark: Mark.Code, addr: a(0x10), slot: 0n });
  honest("a member (the last leaf)", { mark: Mark.Nonce, addr: a(0x30), slot: 0n });
  honest("absent, between two leaves of one address", { mark: Mark.Storage, addr: a(0x20), slot: 6n });
  honest("absent, between two addresses", { mark: Mark.Balance, addr: a(0x25), slot: 0n });
  honest("absent, below the first leaf", { mark: Mark.Balance, addr: a(0x01), slot: 0n });
  honest("absent, above the last leaf", { mark: Mark.Balance, addr: a(0x40), slot: 0n });
  const between = genesisProof(alloc, { mark: Mark.Balance, addr: a(0x25), slot: 0n });
  const first = genesisProof(alloc, { mark: Mark.Code, addr: a(0x10), slot: 0n });
  const last = genesisProof(alloc, { mark: Mark.Nonce, addr: a(0x30), slot: 0n });
  const mid = genesisProof(alloc, { mark: Mark.Balance, addr: a(0x20), slot: 0n });
  queries.push({ name: "absent shown by leaves that are not adjacent", key: { mark: Mark.Balance, addr: a(0x25), slot: 0n }, proof: [first[0], last[0]] });
  queries.push({ name: "absent shown by one inner leaf above it", key: { mark: Mark.Balance, addr: a(0x15), slot: 0n }, proof: [mid[0]] });
  queries.push({ name: "a member shown by its neighbours (they do not bracket it)", key: { mark: Mark.Balance, addr: a(0x20), slot: 0n }, proof: between });
  queries.push({ name: "a leaf with a wrong value", key: { mark: Mark.Storage, addr: a(0x20), slot: 7n }, proof: [{ ...genesisProof(alloc, { mark: Mark.Storage, addr: a(0x20), slot: 7n })[0], value: 4n }] });
  queries.push({ name: "no leaf for a nonempty allocation", key: { mark: Mark.Balance, addr: a(0x25), slot: 0n }, proof: [] });
  queries.push({ name: "the leaves in the wrong order", key: { mark: Mark.Balance, addr: a(0x25), slot: 0n }, proof: [between[1], between[0]] });
  const empty = genesisCommitment([]);
  const pre = predeployAllocation(901n);
  const preC = genesisCommitment(pre.entries);
  return {
    description:
      "The genesis allocation's commitment: the keys genesis sets to a nonzero value sorted by their canonical key bytes (addr || mark || slot), leaves keccak256(tag(genesis-leaf) || key bytes || bytes32(value)) of the Merkle tree of merkle.json, its root and leaf count. A proof of a key's genesis value is its leaf, or (value 0) the two adjacent leaves around where it would be, the first leaf when it is below it, the last when it is above it, or no leaf for an empty allocation; `shown` false for anything else. Then the commitment of the predeploys for chain id 901.",
    tag: domainHex("genesisLeaf"),
    allocation: {
      entries: alloc.map((e) => ({ ...keyJson(e.key), value: "0x" + e.value.toString(16) })),
      leaves: sorted.map((e) => ({ ...keyJson(e.key), value: "0x" + e.value.toString(16), hash: bytesToHex(genesisLeaf(e)) })),
      root: bytesToHex(root) as Hex,
      count,
    },
    queries: queries.map((q) => {
      const v = genesisValue(root, count, q.key, q.proof);
      return { name: q.name, key: keyJson(q.key), proof: proofJson(q.proof), shown: v !== undefined, value: "0x" + (v ?? 0n).toString(16) };
    }),
    empty: { root: bytesToHex(empty.root), count: empty.count, key: keyJson({ mark: Mark.Balance, addr: a(0x20), slot: 0n }), shown: genesisValue(empty.root, 0, { mark: Mark.Balance, addr: a(0x20), slot: 0n }, []) !== undefined },
    predeploys901: { root: bytesToHex(preC.root), count: preC.count },
  };
}

if (require.main === module) {
  const file = path.join(VECTOR_DIR, "genesis.json");
  fs.writeFileSync(file, serialize(genesisVectors()));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
