/**
 * The core's speed-ups change no result: native keccak and secp256k1 recovery (core/crypto/native.ts)
 * equal the JavaScript ones on valid and invalid input, and a pool whose workers run the plain core
 * (JavaScript crypto, no jump-analysis cache: test/fixtures/plain-core-preload.ts) gives the same
 * verdicts as the core in this thread, which has both.
 */
import { expect } from "chai";
import * as path from "path";
import { ethers } from "ethers";
import { ecrecover } from "@ethereumjs/util";
import { keccak256 as jsKeccak } from "ethereum-cryptography/keccak.js";
import { nativeCrypto } from "../../core/crypto/native";
import { generateWorkload } from "../../bench/workload";
import { fillWorkload, batchOfTx, txContext } from "../../bench/fill";
import { ValidatePool, type ValidateItem, type Verdict } from "../../node/validation/validate-pool";
import { Executor, InvalidTxError, DecodeError, decodeTx, encodeTx, validateTx, type WrappedTx } from "../../core";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function rand(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const outcomeOf = (f: () => Uint8Array): string => {
  try {
    return ethers.hexlify(f());
  } catch {
    return "throws";
  }
};

describe("core: native crypto and the jump-analysis cache change no result", function () {
  this.timeout(300_000);
  const nat = nativeCrypto();

  it("native keccak256 equals @noble's on every length around the rate", function () {
    if (!nat) this.skip();
    for (const n of [0, 1, 31, 32, 33, 55, 56, 64, 135, 136, 137, 271, 272, 273, 1000, 5000]) {
      const m = rand(n + 1, n);
      expect(ethers.hexlify(nat!.keccak256(m)), `length ${n}`).to.equal(ethers.hexlify(jsKeccak(m)));
      // Views into a larger buffer are hashed by their bytes only.
      const big = rand(7, n + 20);
      const view = big.subarray(10, 10 + n);
      expect(ethers.hexlify(nat!.keccak256(view))).to.equal(ethers.hexlify(jsKeccak(view)));
    }
  });

  it("native ecrecover equals @ethereumjs/util ecrecover, refusals included", async function () {
    if (!nat) this.skip();
    const wallet = new ethers.Wallet("0x" + "11".repeat(32));
    for (let i = 0; i < 20; i++) {
      const hash = rand(100 + i, 32);
      const sig = wallet.signingKey.sign(hash);
      const r = ethers.getBytes(sig.r);
      const s = ethers.getBytes(sig.s);
      const cases: Array<[bigint, Uint8Array, Uint8Array, bigint | undefined]> = [
        [BigInt(sig.yParity), r, s, undefined], // typed transactions: v = yParity
        [BigInt(27 + sig.yParity), r, s, undefined], // legacy
        [BigInt(901 * 2 + 35 + sig.yParity), r, s, 901n], // EIP-155
        [BigInt(sig.yParity ^ 1), r, s, undefined], // the other parity: another key, or none
        [5n, r, s, undefined], // bad v
        [BigInt(sig.yParity), new Uint8Array(32), s, undefined], // r = 0
        [BigInt(sig.yParity), r, new Uint8Array(32), undefined], // s = 0
        [BigInt(sig.yParity), ethers.getBytes(ethers.toBeHex(N, 32)), s, undefined], // r = n
        [BigInt(sig.yParity), r, ethers.getBytes(ethers.toBeHex(N - BigInt(sig.s), 32)), undefined], // high s: recovery still works
        [BigInt(sig.yParity), r.subarray(1), s, undefined], // short r
      ];
      for (const [k, [v, rr, ss, chainId]] of cases.entries()) {
        const js = outcomeOf(() => ecrecover(hash, v, rr, ss, chainId));
        const native = outcomeOf(() => nat!.ecrecover(hash, v, rr, ss, chainId));
        expect(native, `signature ${i} case ${k}`).to.equal(js);
      }
      expect(outcomeOf(() => nat!.ecrecover(hash, BigInt(sig.yParity), r, s))).to.equal(ethers.hexlify(ethers.getBytes(wallet.signingKey.publicKey).subarray(1)));
    }
  });

  it("a pool running the plain core (JavaScript crypto, no jump cache, ethereumjs loop and runTx) gives this thread's verdicts on a workload and on broken transactions", async function () {
    if (!nat) this.skip();
    const preload = path.resolve(__dirname, "../fixtures/plain-core-preload.ts");
    const poolP = ValidatePool.create(2, { chainIds: [901n], preload: [preload] });
    try {
      const w = await generateWorkload({ seed: "proposed", accounts: 8, txs: 60, batchSize: 20, traders: 3 });
      const ex = await Executor.create(w.chainId);
      const f = await fillWorkload(w, ex);
      const batchOf = batchOfTx(w);
      const items: ValidateItem[] = f.encoded.map((tx, i) => ({ tx, ctx: txContext(BigInt(i + 1), batchOf[i]) }));
      // Broken copies: another signer (a flipped signature byte), a wrong next, a stray witness byte.
      for (const i of [w.setupCount, w.setupCount + 5, w.txs.length - 1]) {
        const tx = decodeTx(f.encoded[i]) as WrappedTx;
        const raw = tx.raw.slice();
        raw[raw.length - 3] ^= 0x40;
        items.push({ tx: encodeTx({ ...tx, raw }), ctx: items[i].ctx });
        items.push({ tx: encodeTx({ ...tx, moves: tx.moves.map((m, j) => (j === 1 && !m.ref ? { ...m, next: m.next ^ 1n } : m)) }), ctx: items[i].ctx });
        items.push({ tx: f.encoded[i].subarray(0, f.encoded[i].length - 1), ctx: items[i].ctx });
      }
      const pool = await poolP;
      pool.addCodes(f.codes); // code carried by earlier witnesses (the workload's later calls leave it out)
      const got = await pool.validate(items);
      const plain = (v: Verdict) => (v.valid ? { valid: true, outcome: v.outcome } : { valid: false, kind: v.error.kind, code: v.error.code, message: v.error.message });
      let invalid = 0;
      let valid = 0;
      for (const [i, it] of items.entries()) {
        let want;
        try {
          want = { valid: true, outcome: await validateTx(decodeTx(it.tx), it.ctx, ex, (h) => f.codes.before(h, it.ctx.seq)) };
          if (i < f.encoded.length) valid++;
        } catch (e) {
          if (!(e instanceof InvalidTxError || e instanceof DecodeError)) throw e;
          want = { valid: false, kind: e.kind, code: e.code, message: e.message };
          invalid++;
        }
        expect(plain(got[i]), `item ${i}`).to.deep.equal(want);
      }
      expect(invalid).to.be.greaterThan(6);
      expect(valid, "the workload's own transactions execute for real").to.equal(f.encoded.length);
    } finally {
      await (await poolP).terminate();
    }
  });
});
