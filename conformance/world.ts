/**
 * The conformance world: a vector's pre-state seen as moveset state (every key at its genesis
 * version, seq 0), the application of a transaction's moves, and the Merkle-Patricia root that is
 * computed only to compare with Ethereum's expected `hash`.
 */
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Account, KECCAK256_NULL, KECCAK256_RLP, bigIntToBytes, bytesToHex, setLengthLeft } from "@ethereumjs/util";
import { RLP } from "@ethereumjs/rlp";
import { keccak256, hexToBytes } from "../core/bytes";
import { Key, Mark } from "../core/keys";
import type { Move } from "../core/moves";
import type { StateView } from "../core/fill";
import type { Log } from "../core/evm/execute";
import type { WorldState } from "./load";

const codeHashOf = (code: Uint8Array): bigint => (code.length === 0 ? 0n : BigInt(bytesToHex(keccak256(code))));

export function preStateView(pre: WorldState): StateView {
  const codes = new Map<string, Uint8Array>();
  for (const a of pre.values()) if (a.code.length) codes.set(bytesToHex(keccak256(a.code)), a.code);
  return {
    latest(mark, addrHex, slot) {
      const a = pre.get(addrHex);
      if (!a) return { seq: 0n, value: 0n };
      switch (mark) {
        case Mark.Nonce:
          return { seq: 0n, value: a.nonce };
        case Mark.Balance:
          return { seq: 0n, value: a.balance };
        case Mark.Code:
          return { seq: 0n, value: codeHashOf(a.code) };
        case Mark.Storage:
          return { seq: 0n, value: a.storage.get(slot) ?? 0n };
        default:
          return { seq: 0n, value: 0n };
      }
    },
    code: (h) => codes.get(h),
  };
}

/** The genesis allocation of the pre-state: every nonzero key. */
export function genesisOf(pre: WorldState): Array<[Key, bigint]> {
  const out: Array<[Key, bigint]> = [];
  for (const [addrHex, a] of pre) {
    const addr = hexToBytes(addrHex as `0x${string}`);
    if (a.nonce) out.push([{ mark: Mark.Nonce, addr, slot: 0n }, a.nonce]);
    if (a.balance) out.push([{ mark: Mark.Balance, addr, slot: 0n }, a.balance]);
    if (a.code.length) out.push([{ mark: Mark.Code, addr, slot: 0n }, codeHashOf(a.code)]);
    for (const [s, v] of a.storage) out.push([{ mark: Mark.Storage, addr, slot: s }, v]);
  }
  return out;
}

interface PostAccount {
  nonce: bigint;
  balance: bigint;
  codeHash: bigint;
  storage: Map<bigint, bigint>;
}

/**
 * Applies moves to the pre-state. An account some consuming move touched and that ends empty
 * (nonce, balance and code all zero) no longer exists: that is EIP-161 seen through moves.
 */
export function applyMoves(pre: WorldState, moves: readonly Move[]): Map<string, PostAccount> {
  const post = new Map<string, PostAccount>();
  for (const [a, acc] of pre) post.set(a, { nonce: acc.nonce, balance: acc.balance, codeHash: codeHashOf(acc.code), storage: new Map(acc.storage) });
  const touched = new Set<string>();
  for (const m of moves) {
    const a = bytesToHex(m.addr);
    let acc = post.get(a);
    if (!acc) post.set(a, (acc = { nonce: 0n, balance: 0n, codeHash: 0n, storage: new Map() }));
    if (!m.ref) touched.add(a);
    switch (m.mark) {
      case Mark.Nonce:
        acc.nonce = m.next;
        break;
      case Mark.Balance:
        acc.balance = m.next;
        break;
      case Mark.Code:
        acc.codeHash = m.next;
        break;
      case Mark.Storage:
        if (m.next === 0n) acc.storage.delete(m.slot);
        else acc.storage.set(m.slot, m.next);
        break;
    }
  }
  for (const [a, acc] of post) {
    const empty = acc.nonce === 0n && acc.balance === 0n && acc.codeHash === 0n;
    if (empty && (touched.has(a) || !pre.has(a))) post.delete(a);
  }
  return post;
}

const u = (v: bigint): Uint8Array => (v === 0n ? new Uint8Array(0) : bigIntToBytes(v));

export async function stateRoot(post: Map<string, PostAccount>): Promise<string> {
  const trie = new MerklePatriciaTrie({ useKeyHashing: true });
  for (const [a, acc] of post) {
    let storageRoot = KECCAK256_RLP;
    if (acc.storage.size) {
      const st = new MerklePatriciaTrie({ useKeyHashing: true });
      for (const [k, v] of acc.storage) await st.put(setLengthLeft(bigIntToBytes(k), 32), RLP.encode(u(v)));
      storageRoot = st.root();
    }
    const account = new Account(acc.nonce, acc.balance, storageRoot, acc.codeHash === 0n ? KECCAK256_NULL : setLengthLeft(bigIntToBytes(acc.codeHash), 32));
    await trie.put(hexToBytes(a as `0x${string}`), account.serialize());
  }
  return bytesToHex(trie.root());
}

export function logsHash(logs: readonly Log[]): string {
  return bytesToHex(keccak256(RLP.encode(logs.map(([addr, topics, data]) => [addr, topics, data]))));
}
