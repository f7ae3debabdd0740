/**
 * The lean reading of a signed EIP-1559 transaction's sender, nonce and fees (core/evm/ethtx.ts
 * leanEthTxOrder: one RLP decode, one native recovery, no ethereumjs object), which the mempool's
 * bookkeeping takes on every submission. Whenever it answers, ethereumjs (ethTxFields, the one parser)
 * answers the same; it answers every transaction of the common shape a wallet signs, and nothing
 * ethereumjs refuses: checked on random valid transactions, on edge values signed anew, and on mutations
 * of valid bytes (leading zeros, oversized fields, a high s, bad y-parities, other shapes, random flips).
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { RLP } from "@ethereumjs/rlp";
import { ethTxFields, ethTxOrder, leanEthTxOrder } from "../../../core/evm/ethtx";
import { keccak256, hexToBytes } from "../../../core/bytes";
import { nativeCrypto } from "../../../core/crypto/native";

const wallet = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
}
const int = (v: bigint): Uint8Array => (v === 0n ? new Uint8Array(0) : hexToBytes(("0x" + (v.toString(16).length % 2 ? "0" : "") + v.toString(16)) as `0x${string}`));
type Field = Uint8Array | Field[];

/** A type-2 transaction of `fields` (the 9 signed ones) signed by `wallet`. */
function sign(fields: Field[]): Uint8Array {
  const hash = keccak256(Uint8Array.from([2, ...RLP.encode(fields as never)]));
  const sig = wallet.signingKey.sign(hash);
  return encode([...fields, int(BigInt(sig.yParity)), int(BigInt(sig.r)), int(BigInt(sig.s))]);
}
const encode = (all: Field[]): Uint8Array => Uint8Array.from([2, ...RLP.encode(all as never)]);
const decode = (raw: Uint8Array): Field[] => RLP.decode(raw.subarray(1)) as Field[];

interface Case {
  name: string;
  raw: Uint8Array;
}

/** ethereumjs's answer (ethTxFields), or undefined where it refuses. */
function reference(raw: Uint8Array) {
  try {
    const f = ethTxFields(raw);
    return { from: f.from, nonce: f.nonce, maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas };
  } catch {
    return undefined;
  }
}

describe("core/evm/ethtx: the lean reading of a transaction's sender, nonce and fees", function () {
  this.timeout(120_000);
  if (!nativeCrypto()) it.skip("needs native secp256k1 (it reads nothing without)");

  const rnd = prng(5);
  const big = (bits: number) => {
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
    return v & ((1n << BigInt(bits)) - 1n);
  };
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const randomFields = (): Field[] => {
    const cap = big(1 + Math.floor(rnd() * 80));
    const tip = cap === 0n ? 0n : big(64) % (cap + 1n);
    return [int([1n, 1337n, 420420n, (1n << 48n) - 1n][Math.floor(rnd() * 4)]), int(big(Math.floor(rnd() * 48))), int(tip), int(cap), int(21_000n + big(23)), bytes(20), int(big(Math.floor(rnd() * 200))), bytes(Math.floor(rnd() * 300)), []];
  };
  const valid: Case[] = Array.from({ length: 150 }, (_, i) => ({ name: `valid ${i}`, raw: sign(randomFields()) }));

  it("answers every valid transaction of the common shape, as ethereumjs", () => {
    let parity1 = 0;
    for (const c of valid) {
      const lean = leanEthTxOrder(c.raw);
      expect(lean, c.name).to.not.equal(undefined);
      expect(lean, c.name).to.deep.equal(reference(c.raw));
      expect(ethTxOrder(c.raw)).to.deep.equal(lean);
      if (decode(c.raw)[9].length) parity1++;
    }
    expect(parity1).to.be.within(30, 120); // both y-parities
  });

  it("never answers where ethereumjs refuses or answers otherwise: edge values signed anew, mutations of valid bytes", () => {
    const base = decode(valid[0].raw).slice(0, 9);
    const set = (f: Field[], i: number, v: Field) => f.map((x, j) => (j === i ? v : x));
    const cases: Case[] = [];
    const signed = (name: string, f: Field[]) => cases.push({ name, raw: sign(f) });
    signed("gas 2^24", set(base, 4, int(1n << 24n)));
    signed("gas 2^24 + 1", set(base, 4, int((1n << 24n) + 1n)));
    signed("gas 2^64", set(base, 4, int(1n << 64n)));
    signed("cap below tip", set(set(base, 2, int(10n)), 3, int(9n)));
    signed("gas x cap past 2^256", set(set(set(base, 2, int(1n)), 3, int((1n << 256n) - 1n)), 4, int(21_000n)));
    signed("cap 2^256 - 1, gas 1", set(set(set(base, 2, int(1n)), 3, int((1n << 256n) - 1n)), 4, int(1n)));
    signed("value 2^256 - 1", set(base, 6, int((1n << 256n) - 1n)));
    signed("value 2^256", set(base, 6, int(1n << 256n)));
    signed("nonce 2^56 - 1", set(base, 1, int((1n << 56n) - 1n)));
    signed("nonce 2^64 - 1", set(base, 1, int((1n << 64n) - 1n)));
    signed("chain id 0", set(base, 0, int(0n)));
    signed("chain id 2^48 - 1", set(base, 0, int((1n << 48n) - 1n)));
    signed("chain id 2^53 + 1", set(base, 0, int((1n << 53n) + 1n)));
    signed("chain id 2^64 - 1", set(base, 0, int((1n << 64n) - 1n)));
    signed("chain id 2^64", set(base, 0, int(1n << 64n)));
    signed("chain id with a leading zero", set(base, 0, Uint8Array.from([0, 5])));
    signed("a contract creation", set(base, 5, new Uint8Array(0)));
    signed("to of 19 bytes", set(base, 5, bytes(19)));
    signed("to of 21 bytes", set(base, 5, bytes(21)));
    signed("an access list", set(base, 8, [[bytes(20), [bytes(32)]]]));
    signed("an access list entry without keys", set(base, 8, [[bytes(20), []]]));
    signed("the access list as bytes", set(base, 8, new Uint8Array(0)));
    signed("data of 40 KB", set(base, 7, bytes(40_000)));
    signed("to as a list", set(base, 5, [bytes(20)]));
    for (const i of [0, 1, 2, 3, 4, 6]) signed(`field ${i} with a leading zero`, set(base, i, Uint8Array.from([0, ...(base[i] as Uint8Array)])));
    for (const i of [0, 1, 2, 3, 4, 6]) signed(`field ${i} of 33 bytes`, set(base, i, Uint8Array.from([1, ...new Uint8Array(32)])));
    const full = decode(valid[1].raw);
    const s = BigInt("0x" + Buffer.from(full[11] as Uint8Array).toString("hex"));
    const r = BigInt("0x" + Buffer.from(full[10] as Uint8Array).toString("hex"));
    const parity = (full[9] as Uint8Array).length;
    const raw = (name: string, f: Field[]) => cases.push({ name, raw: encode(f) });
    raw("high s (the other parity: the same signer on a malleable chain)", set(set(full, 11, int(N - s)), 9, int(BigInt(1 - parity))));
    raw("s = 0", set(full, 11, int(0n)));
    raw("r = 0", set(full, 10, int(0n)));
    raw("r = n", set(full, 10, int(N)));
    raw("r = n + r", set(full, 10, int(N + r)));
    raw("s = n/2 + 1", set(full, 11, int((N >> 1n) + 1n)));
    raw("y-parity 0x00", set(full, 9, Uint8Array.from([0])));
    raw("y-parity 2", set(full, 9, int(2n)));
    raw("y-parity 27", set(full, 9, int(27n)));
    raw("y-parity of 2 bytes", set(full, 9, Uint8Array.from([1, 0])));
    raw("y-parity flipped", set(full, 9, int(BigInt(1 - parity))));
    raw("r with a leading zero", set(full, 10, Uint8Array.from([0, ...(full[10] as Uint8Array)])));
    raw("s with a leading zero", set(full, 11, Uint8Array.from([0, ...(full[11] as Uint8Array)])));
    raw("r of 33 bytes", set(full, 10, Uint8Array.from([1, ...new Uint8Array(32)])));
    raw("a 13th field", [...full, new Uint8Array(0)]);
    raw("11 fields", full.slice(0, 11));
    raw("unsigned (9 fields)", full.slice(0, 9));
    raw("r as a list", set(full, 10, [full[10]]));
    cases.push({ name: "type 1 byte", raw: Uint8Array.from([1, ...valid[2].raw.subarray(1)]) });
    cases.push({ name: "trailing byte", raw: Uint8Array.from([...valid[2].raw, 0]) });
    cases.push({ name: "truncated", raw: valid[2].raw.subarray(0, valid[2].raw.length - 1) });
    cases.push({ name: "type only", raw: Uint8Array.from([2]) });
    for (let k = 0; k < 600; k++) {
      const v = valid[k % valid.length].raw.slice();
      const at = Math.floor(rnd() * v.length);
      v[at] ^= 1 << Math.floor(rnd() * 8);
      cases.push({ name: `flip ${k} at ${at}`, raw: v });
    }
    let answered = 0;
    let refused = 0;
    for (const c of cases) {
      const lean = leanEthTxOrder(c.raw);
      const ref = reference(c.raw);
      if (ref === undefined) refused++;
      if (lean === undefined) continue;
      answered++;
      expect(ref, `${c.name}: the lean reading answers what ethereumjs refuses`).to.not.equal(undefined);
      expect(lean, c.name).to.deep.equal(ref);
    }
    // Both sides of the comparison were exercised: transactions it reads, and ones ethereumjs refuses.
    expect(answered).to.be.above(300);
    expect(refused).to.be.above(50);
    // Where it does not answer, the caller's answer is still ethereumjs's.
    for (const c of cases.slice(0, 60)) {
      const ref = reference(c.raw);
      if (ref) expect(ethTxOrder(c.raw), c.name).to.deep.equal({ ...ref, maxFeePerGas: ref.maxFeePerGas, maxPriorityFeePerGas: ref.maxPriorityFeePerGas });
      else expect(() => ethTxOrder(c.raw), c.name).to.throw();
    }
  });
});
