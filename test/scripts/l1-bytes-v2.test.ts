/**
 * The encoding-v2 byte accounting (scripts/l1-bytes-v2.ts): with every idea off it reproduces the live
 * encoding byte for byte, each idea saves bytes on the workload, the nonce move and fee output are
 * derivable on every transaction, and the FastLZ blocks with a dictionary decode with Solady's decoder.
 */
import { expect } from "chai";
import { LibZip } from "solady";
import { generateWorkload, type Workload } from "../../bench/workload";
import { fillWorkload, type FilledWorkload } from "../../bench/fill";
import { Executor, decodeTx, encodeTx, type WrappedTx } from "../../core";
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { encodeV2, flzCompressWithDict, flzLiterals, IDEAS, measureV2, REJECTED, V1 } from "../../scripts/l1-bytes-v2";
import { rng } from "../../bench/rng";

const SMALL = { seed: "v2", accounts: 12, txs: 90, batchSize: 30, traders: 4 };

const flzDecode = (dict: Uint8Array, blocks: Uint8Array): Uint8Array => {
  const all = new Uint8Array(flzLiterals(dict).length + blocks.length);
  all.set(flzLiterals(dict), 0);
  all.set(blocks, flzLiterals(dict).length);
  return hexToBytes(LibZip.flzDecompress(bytesToHex(all)) as `0x${string}`).subarray(dict.length);
};

describe("scripts/l1-bytes-v2: the encoding-v2 byte accounting", function () {
  this.timeout(120_000);
  let w: Workload;
  let f: FilledWorkload;

  before(async () => {
    w = await generateWorkload(SMALL);
    f = await fillWorkload(w, await Executor.create(w.chainId));
  });

  it("reproduces the live encoding byte for byte with every idea off", () => {
    const registry = new Map<string, number>();
    const feeRecipient = hexToBytes(w.feeRecipient as `0x${string}`);
    for (const [i, e] of f.encoded.entries()) {
      const tx = decodeTx(e) as WrappedTx;
      expect(bytesToHex(encodeV2(tx, { seq: BigInt(i + 1), feeRecipient, baseFee: 1_000_000_000n, gasUsed: f.gasUsed[i], registry }, V1)), `tx ${i}`).to.equal(bytesToHex(encodeTx(tx)));
    }
  });

  it("measures every idea saving bytes, alone and in turn, and derives every nonce move and fee output", () => {
    const m = measureV2(w, f, [0, 2048]);
    expect(m.txs).to.equal(SMALL.txs - SMALL.batchSize);
    expect(m.rows).to.have.length(IDEAS.length + 1);
    // each idea kept saves bytes on what the ones before it left; a rejected one saves (about) nothing
    let last = m.rows[0].bytesPerTx;
    for (const [i, k] of IDEAS.entries()) {
      const r = m.rows[i + 1];
      if (REJECTED.includes(k)) {
        expect(r.name).to.equal(`(+ ${k}, rejected)`);
        expect(r.bytesPerTx, r.name).to.be.within(last - 1, last + 10);
        expect(m.alone[k], k).to.be.below(1);
      } else {
        expect(r.bytesPerTx, r.name).to.be.below(last);
        expect(m.alone[k], k).to.be.greaterThan(0);
        last = r.bytesPerTx;
      }
    }
    expect(m.notDerived).to.equal(0);
    // the dictionary helps, and with it compression wins against the uncompressed v2
    expect(m.compressed[1].bytesPerTx).to.be.below(m.compressed[0].bytesPerTx);
    expect(m.compressed[1].bytesPerTx).to.be.below(m.rows[m.rows.length - 1].bytesPerTx);
    // the stages, each compressed: keeping prev saves less than every idea, and posting no next values saves more
    const st = m.stages;
    expect(st.dictBytes).to.equal(2048);
    expect(st.all).to.equal(m.compressed[1].bytesPerTx);
    expect(st.keepPrev).to.be.below(st.v1);
    expect(st.all).to.be.below(st.keepPrev);
    expect(st.noNextEstimate).to.be.below(st.all);
  });

  it("writes FastLZ blocks that Solady's decoder reads, with and without a dictionary", () => {
    const r = rng(7);
    const random = Uint8Array.from({ length: 3000 }, () => Math.floor(r() * 256));
    const text = new TextEncoder().encode("the quick brown fox jumps over the lazy dog; ".repeat(40) + "a".repeat(700));
    for (const input of [new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(1, 2, 3), random, text]) {
      for (const dict of [new Uint8Array(0), text.subarray(0, 500), random.subarray(0, 8191)]) {
        const out = flzCompressWithDict(input, dict);
        expect(bytesToHex(flzDecode(dict, out)), `${input.length} bytes, dict ${dict.length}`).to.equal(bytesToHex(input));
      }
    }
    expect(flzCompressWithDict(text).length).to.be.below(text.length / 5);
    // input that repeats the dictionary compresses to a few matches
    expect(flzCompressWithDict(random.subarray(100, 1100), random.subarray(0, 2000)).length).to.be.below(20);
    expect(flzCompressWithDict(random.subarray(100, 1100)).length).to.be.above(1000);
  });
});
