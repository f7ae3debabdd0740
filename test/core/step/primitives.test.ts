/**
 * The step machine's hashing primitives (docs/step-machine.md §2): hashes computed in steps
 * against whole-input hashes, the compact SMT against its definition, memory trees and the key
 * table against a plain fixed-depth tree, stacks against their hash chain, copy-on-write memories.
 */
import { expect } from "chai";
import { sha256 } from "ethereum-cryptography/sha256.js";
import { ripemd160 } from "ethereum-cryptography/ripemd160.js";
import { keccak256 } from "../../../core/bytes";
import { Hasher, ALGO_KECCAK, ALGO_SHA256, ALGO_RIPEMD160 } from "../../../core/step/hashers";
import { smtGet, smtHash, smtItem, smtItemRoot, smtItemSet, smtItemValue, smtLeafHash, smtSet, keyBit, type Smt } from "../../../core/step/smt";
import { Mem, rootFromPath, MEM_DEPTH } from "../../../core/step/mem";
import { FixedTree } from "../../../core/step/tree";
import { KeyTable, entryHash, type Entry } from "../../../core/step/keytable";
import { ConsStack, StackView, emptyStackHash } from "../../../core/step/stack";
import { bytesWord, keccakBytes, keccakWords, node, tag, wordAt } from "../../../core/step/words";
import { blobBaseFee } from "../../../core/step/init";
import { blockFromEnv } from "../../../core/evm/chain";

/** A deterministic byte stream. */
function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function word(seed: number): bigint {
  return bytesWord(bytes(32, seed));
}

/** Absorbs `data` as the machine does: up to the end of each 32-byte word of its source, starting at `base`. */
function stepped(algo: number, data: Uint8Array, base: number): bigint {
  let h = new Hasher(algo);
  let pos = 0;
  while (pos < data.length) {
    const a = base + pos;
    const n = Math.min(32 - (a % 32), data.length - pos);
    h.absorb(data.subarray(pos, pos + n));
    // the state survives a round trip through its words after every step
    h = Hasher.fromWords(algo, h.pos, false, h.words());
    pos += n;
  }
  h.finalize();
  return h.digest();
}

describe("core/step primitives", () => {
  it("Keccak-256, SHA-256 and RIPEMD-160 computed in steps equal the whole-input hashes", () => {
    for (const len of [0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 119, 120, 135, 136, 137, 200, 271, 272, 273, 1000]) {
      for (const base of [0, 5, 31]) {
        const d = bytes(len, len + base);
        expect(stepped(ALGO_KECCAK, d, base), `keccak ${len}/${base}`).to.equal(keccakBytes(d));
        expect(stepped(ALGO_SHA256, d, base), `sha256 ${len}/${base}`).to.equal(bytesWord(sha256(d)));
        expect(stepped(ALGO_RIPEMD160, d, base), `ripemd160 ${len}/${base}`).to.equal(bytesWord(ripemd160(d)));
      }
    }
  });

  it("node() is ZERO on two ZERO children and keccak otherwise", () => {
    expect(node(0n, 0n)).to.equal(0n);
    expect(node(1n, 0n)).to.equal(keccakWords(1n, 0n));
    expect(node(0n, 1n)).to.equal(keccakWords(0n, 1n));
  });

  it("the compact SMT's root is its definition, and its items prove, refuse and update", () => {
    /** The definition: empty ZERO, one pair its leaf, otherwise node(left, right). */
    const def = (pairs: [bigint, bigint][], depth: number): bigint => {
      if (pairs.length === 0) return 0n;
      if (pairs.length === 1) return smtLeafHash(pairs[0][0], pairs[0][1]);
      return node(
        def(
          pairs.filter(([k]) => keyBit(k, depth) === 0),
          depth + 1,
        ),
        def(
          pairs.filter(([k]) => keyBit(k, depth) === 1),
          depth + 1,
        ),
      );
    };
    let t: Smt = null;
    const pairs = new Map<bigint, bigint>();
    // keys with long shared prefixes too (same top bits), to exercise the wrapping on insertion
    const keys = [...Array.from({ length: 40 }, (_, i) => word(i)), (1n << 255n) | 1n, (1n << 255n) | 2n, (1n << 255n) | 3n, 5n, 6n];
    for (const [i, k] of keys.entries()) {
      const before = smtHash(t);
      const it = smtItem(t, k);
      expect(smtItemRoot(k, it)).to.equal(before);
      expect(smtItemValue(k, it)).to.equal(pairs.get(k));
      const v = BigInt(i + 1);
      t = smtSet(t, k, v);
      pairs.set(k, v);
      expect(smtItemSet(k, v, it)).to.equal(smtHash(t));
      expect(smtHash(t)).to.equal(def([...pairs], 0));
    }
    // updates, a value of 0 included (the pair stays)
    for (const k of keys.slice(0, 10)) {
      const it = smtItem(t, k);
      expect(smtItemValue(k, it)).to.equal(pairs.get(k));
      t = smtSet(t, k, 0n);
      pairs.set(k, 0n);
      expect(smtItemSet(k, 0n, it)).to.equal(smtHash(t));
      expect(smtGet(t, k)).to.equal(0n);
    }
    expect(smtHash(t)).to.equal(def([...pairs], 0));
    // an item with a sibling changed no longer opens
    const it = smtItem(t, keys[3]);
    it.siblings[0] ^= 1n;
    expect(smtItemRoot(keys[3], it)).to.not.equal(smtHash(t));
  });

  it("a memory tree's root and openings are those of the fixed-depth tree of its words", () => {
    const m = Mem.empty();
    m.writeBytes(3, bytes(100, 1));
    m.writeBytes(5000, bytes(40, 2));
    m.writeBytes(70000, bytes(1, 3));
    const words: bigint[] = [];
    const top = Math.ceil(70001 / 32);
    for (let i = 0; i < top; i++) words.push(wordAt(m.read(i * 32, 32), 0));
    const ref = new FixedTree(MEM_DEPTH, words);
    expect(m.root()).to.equal(ref.root());
    for (const i of [0, 1, 3, 4, 150, 157, 2187, top - 1, top + 5]) {
      expect(m.siblings(i)).to.deep.equal(ref.siblings(i));
      expect(rootFromPath(i, m.readWord(i), m.siblings(i))).to.equal(m.root());
    }
    expect(Mem.empty().root()).to.equal(0n);
  });

  it("snapshots and forks of a memory are independent copy-on-write copies", () => {
    const m = Mem.empty();
    m.writeBytes(0, bytes(3000, 9));
    const rootBefore = m.root();
    const snap = m.snapshot();
    const fork = m.fork();
    m.writeBytes(10, bytes(5, 1));
    fork.writeBytes(2000, bytes(5, 2));
    expect(snap.root()).to.equal(rootBefore);
    expect(m.root()).to.not.equal(rootBefore);
    expect(fork.root()).to.not.equal(rootBefore);
    expect(fork.root()).to.not.equal(m.root());
    expect(snap.read(0, 3000)).to.deep.equal(bytes(3000, 9));
    expect(() => snap.writeBytes(0, new Uint8Array([1]))).to.throw();
  });

  it("the key table's root and openings are those of the depth-12 tree of its entry hashes, and writes copy only their path", () => {
    const entries: Entry[] = Array.from({ length: 37 }, (_, i) => ({ addr: BigInt(1000 + i), mark: 0x62, slot: 0n, prev: BigInt(i), next: BigInt(i), cur: BigInt(i), flags: 0n }));
    const t = KeyTable.create(entries);
    const ref = (es: Entry[]) => new FixedTree(12, es.map(entryHash));
    expect(t.root()).to.equal(ref(entries).root());
    for (const i of [0, 5, 36, 37, 4095]) expect(t.siblings(i)).to.deep.equal(ref(entries).siblings(i));
    const e2 = { ...entries[5], cur: 99n, flags: 3n, h: undefined };
    const t2 = t.set(5, e2);
    const after = entries.map((e, i) => (i === 5 ? e2 : e));
    expect(t2.root()).to.equal(ref(after).root());
    expect(t.root()).to.equal(ref(entries).root());
    expect(t2.index.lowerBound(1005n, 0x62, 0n)).to.equal(5);
    expect(t2.index.lowerBound(1005n, 0x63, 0n)).to.equal(6);
    expect(t2.index.find(1005n, 0x63, 0n)).to.equal(-1);
  });

  it("a stack hashes as its chain from tag(stack); SWAP and DUP move items; a view checks what it reveals", () => {
    const s = new ConsStack();
    const items = Array.from({ length: 20 }, (_, i) => word(100 + i));
    for (const x of items) s.push(x);
    let h = tag("stack");
    for (const x of items) h = keccakWords(h, x);
    expect(emptyStackHash()).to.equal(tag("stack"));
    expect(s.hash()).to.equal(h);
    s.swap(16);
    expect(s.peek(0)).to.equal(items[3]);
    expect(s.peek(16)).to.equal(items[19]);
    s.dup(5);
    expect(s.peek(0)).to.equal(s.peek(5));
    expect(s.size).to.equal(21);
    // the verifier's view: reveal 3 items (top first) and the chain below
    const words = [...s.items(3), s.hashBelow(3)];
    let i = 0;
    const v = new StackView(s.hash(), s.size, () => words[i++]);
    expect(v.need(3)).to.equal(true);
    const a = v.pop();
    v.push(a + 1n);
    s.pop();
    s.push(a + 1n);
    expect(v.hash()).to.equal(s.hash());
    words[1] ^= 1n;
    i = 0;
    expect(() => new StackView(s.hash(), s.size, () => words[i++]).need(3)).to.throw(/stack items do not match/);
  });

  it("the blob base fee of TxConst is EIP-4844's (ethereumjs's header computation)", () => {
    for (const x of [0n, 1n, 3338477n, 10n ** 7n, 123456789n, 10n ** 9n]) {
      const b = blockFromEnv({ chainId: 1n, number: 1n, timestamp: 1n, coinbase: new Uint8Array(20), baseFee: 7n, gasLimit: 30_000_000n, prevRandao: new Uint8Array(32), excessBlobGas: x }, "ethereum");
      expect(blobBaseFee(x)).to.equal(b.header.getBlobGasPrice());
    }
  });

  it("domain tags are keccak of moveset/step/<name>/v1", () => {
    expect(tag("state")).to.equal(bytesWord(keccak256(new TextEncoder().encode("moveset/step/state/v1"))));
  });
});
