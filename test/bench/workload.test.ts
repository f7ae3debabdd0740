/**
 * The benchmark's workload and its two executions (bench/*): the generator is deterministic, and
 * moveset (fill, validate, walk) and the baseline (ethereumjs runTx over a Merkle-Patricia state)
 * agree on the final state of a small workload. No timing is asserted here.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { Address } from "@ethereumjs/util";
import { generateWorkload, workloadDigest, type Workload } from "../../bench/workload";
import { fillWorkload, batchOfTx, txContext, type FilledWorkload } from "../../bench/fill";
import { runBaseline, baselineRead, type BaselineRun } from "../../bench/baseline";
import { trainedDictionary, measureL1Data } from "../../bench/l1-data";
import { prepareMemoryWalk, walkMemoryOnce, walkLevelOnce } from "../../bench/walk";
import { Executor, Mark, decodeTx, validateTx, keccak256, hexToBytes } from "../../core";
import { bytesToHex } from "../../core/bytes";
import { compressItem, expandItem, MAX_FLZ_DICT_BYTES } from "../../core/flz";

const SMALL = { seed: "test", accounts: 12, txs: 90, batchSize: 25, traders: 4 };

/** Storage slot of mapping entry `key` of a mapping at slot `base` (Solidity layout). */
function mappingSlot(key: string, base: bigint): bigint {
  return BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [key, base])));
}
// Token: name 0, symbol 1, totalSupply 2, balanceOf 3, allowance 4. Pool: reserves 0, totalShares 1, shares 2.
const BALANCE_OF = 3n;

describe("bench: workload, moveset and baseline", function () {
  this.timeout(600_000);
  let w: Workload;
  let f: FilledWorkload;
  let ex: Executor;
  let base: BaselineRun;

  before(async () => {
    w = await generateWorkload(SMALL);
    ex = await Executor.create(w.chainId);
    f = await fillWorkload(w, ex);
    base = await runBaseline(w);
  });

  it("generates the same bytes from the same seed, and other bytes from another", async () => {
    const again = await generateWorkload(SMALL);
    expect(workloadDigest(again)).to.equal(workloadDigest(w));
    expect(again.txs.map((t) => ethers.hexlify(t.raw))).to.deep.equal(w.txs.map((t) => ethers.hexlify(t.raw)));
    const other = await generateWorkload({ ...SMALL, seed: "other" });
    expect(workloadDigest(other)).to.not.equal(workloadDigest(w));
  });

  it("has the announced shape: setup batches, then a main phase of transfers and swaps, all standard signed transactions", () => {
    expect(w.txs.length - w.setupCount).to.equal(SMALL.txs);
    expect(w.batches[w.firstMainBatch].start).to.equal(w.setupCount);
    for (const b of w.batches) expect(b.count).to.be.within(1, SMALL.batchSize);
    const kinds = new Set(w.txs.slice(w.setupCount).map((t) => t.kind));
    expect([...kinds].sort()).to.deep.equal(["erc20", "eth", "swap"]);
    for (const t of w.txs) {
      const tx = ethers.Transaction.from(ethers.hexlify(t.raw));
      expect(tx.chainId).to.equal(901n);
      expect(tx.type).to.equal(2);
    }
  });

  it("validates every filled transaction standalone and walks all moves without a fault", async () => {
    const batchOf = batchOfTx(w);
    for (let i = 0; i < f.encoded.length; i++) {
      const seq = BigInt(i + 1);
      await validateTx(decodeTx(f.encoded[i]), txContext(seq, batchOf[i]), ex, (h) => f.codes.before(h, seq));
    }
    // The witnesses leave out the code earlier ones carry: without it, a token transfer cannot run.
    const i = w.txs.findIndex((t, j) => j >= w.setupCount && t.kind === "erc20");
    const missing = await validateTx(decodeTx(f.encoded[i]), txContext(BigInt(i + 1), batchOf[i]), ex).then(() => undefined, (e) => e);
    expect(missing?.code).to.equal("missing-code");
    const { base: set, main } = prepareMemoryWalk(w, f);
    expect(walkMemoryOnce(set, main).moves).to.be.greaterThan(SMALL.txs * 5);
    expect((await walkLevelOnce(w, f)).moves).to.equal(main.reduce((n, t) => n + t.moves.length, 0));
  });

  it("agrees with the baseline on balances, nonces and contract storage", async () => {
    const latest = (mark: number, addr: string, slot = 0n) => f.state.latest(mark, addr, slot).value;
    const watched = [w.deployer, ...w.accounts.slice(0, 6), ...w.pools.map((p) => p.address), ...w.tokens];
    for (const a of watched) {
      const got = await baselineRead(base.state, a);
      expect(latest(Mark.Balance, a), `balance of ${a}`).to.equal(got.balance);
      expect(latest(Mark.Nonce, a), `nonce of ${a}`).to.equal(got.nonce);
    }
    for (const t of w.tokens) {
      const holders = [w.deployer, ...w.accounts.slice(0, 6), ...w.pools.map((p) => p.address)];
      const slots = holders.map((h) => mappingSlot(h, BALANCE_OF));
      const got = await baselineRead(base.state, t, slots);
      expect(slots.map((s) => latest(Mark.Storage, t, s)), `balances in ${t}`).to.deep.equal(got.storage);
      expect(got.storage.some((v, i) => i > 0 && v > 0n)).to.equal(true);
    }
    for (const p of w.pools) {
      const got = await baselineRead(base.state, p.address, [0n, 1n]);
      expect([latest(Mark.Storage, p.address, 0n), latest(Mark.Storage, p.address, 1n)], `reserves of ${p.address}`).to.deep.equal(got.storage);
    }
    // The contracts' code is the same too.
    for (const a of [...w.tokens, ...w.pools.map((p) => p.address)]) {
      const code = await base.state.getCode(new Address(hexToBytes(a as `0x${string}`)));
      expect(latest(Mark.Code, a)).to.equal(BigInt(ethers.hexlify(keccak256(code))));
    }
    // Ethereum pays the priority fees to the coinbase; moveset makes them fee outputs: same total.
    expect((await baselineRead(base.state, w.feeRecipient)).balance).to.equal(f.feeOutputs);
    expect(latest(Mark.Balance, w.feeRecipient)).to.equal(0n);
    expect(base.stateRoots).to.have.length(w.batches.length);
  });

  it("measures L1 bytes consistently", async () => {
    const l1 = measureL1Data(w, f, w.firstMainBatch);
    expect(l1.txs).to.equal(SMALL.txs);
    const b = l1.breakdown;
    expect(b.raw + b.moves + b.witness + b.framing).to.be.closeTo(l1.bytesPerTx, 1e-9);
    expect(b.framing, "each part counted as encoded").to.be.within(0, 10);
    // Every contract is deployed in the setup, whose witnesses carry its code: the main phase carries none.
    expect(b.witness).to.equal(0);
    expect([...f.codes].every(([, p]) => p.seq <= w.setupCount)).to.equal(true);
    expect(f.codes.size).to.be.greaterThan(0);
    expect(l1.ethZlibBytesPerTx).to.be.below(l1.ethRawBytesPerTx);
    // Blob gas: 32 per started 31-byte field element of each batch (less than 32 per batch above 32/31 per byte).
    expect(l1.blobGasPerTx).to.be.within((l1.bytesPerTx * 32) / 31, (l1.bytesPerTx * 32) / 31 + 32);
    expect(l1.ethZlibBlobGasPerTx).to.be.within((l1.ethZlibBytesPerTx * 32) / 31, (l1.ethZlibBytesPerTx * 32) / 31 + 32);
    expect(l1.wholeBlobsPerBatch.moveset).to.be.at.least(1);
    // Compressed items (protocol.md §7.7): fewer bytes, each item expands back to its transaction's encoding.
    const cz = l1.compressed;
    expect(cz.bytesPerTx).to.be.below(l1.bytesPerTx);
    expect(cz.compressedShare).to.be.within(0.5, 1);
    expect(cz.blobGasPerTx).to.be.within((cz.bytesPerTx * 32) / 31, (cz.bytesPerTx * 32) / 31 + 32);
    const dict = trainedDictionary(w, f, w.firstMainBatch);
    expect(dict.length).to.be.within(1, MAX_FLZ_DICT_BYTES);
    for (const b of w.batches.slice(w.firstMainBatch, w.firstMainBatch + 2))
      for (const e of f.encoded.slice(b.start, b.start + b.count)) expect(bytesToHex(expandItem(compressItem(e, dict), dict))).to.equal(bytesToHex(e));
  });
});
