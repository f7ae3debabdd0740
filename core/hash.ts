/**
 * Domain-separated hashing. Every hash the protocol defines is keccak256(tag || payload) where
 * tag = keccak256(utf8(name)) for one of the names below (docs/protocol.md §2). Solidity twins use
 * the same tags (contracts/lib/Domains.sol), checked by test/vectors/hashes.json.
 */
import { keccak256, concatBytes, bytesToHex } from "./bytes";

const utf8 = new TextEncoder();

export const DOMAIN_NAMES = {
  txLeaf: "moveset/tx-leaf/v2",
  merkleNode: "moveset/merkle-node/v1",
  merkleEmpty: "moveset/merkle-empty/v1",
  sighash: "moveset/sighash/v1",
  moveSig: "moveset/move-sig/v1",
  moveTxId: "moveset/move-txid/v1",
  depositId: "moveset/deposit-id/v1",
  depositEntry: "moveset/deposit-entry/v1",
  batchHeader: "moveset/batch-header/v1",
  batchData: "moveset/batch-data/v1",
  genesisLeaf: "moveset/genesis-leaf/v1",
} as const;

export type Domain = keyof typeof DOMAIN_NAMES;

export const DOMAINS: Record<Domain, Uint8Array> = Object.fromEntries(
  Object.entries(DOMAIN_NAMES).map(([k, name]) => [k, keccak256(utf8.encode(name))]),
) as Record<Domain, Uint8Array>;

/** keccak256(tag(domain) || parts...) */
export function hashTagged(domain: Domain, ...parts: Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(DOMAINS[domain], ...parts));
}

export function domainHex(domain: Domain): string {
  return bytesToHex(DOMAINS[domain]);
}
