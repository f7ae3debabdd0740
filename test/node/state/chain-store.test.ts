/**
 * The chain store's layout (node/state/chain-store.ts): a store written with hand-built key prefixes
 * (meta:, b:, h:, x:, t:, k:, ks:, p:, pi:, d:) opens with every key space moved into its
 * sublevel, and shows the same chain, code, mempool, dropped reasons and pending post; a pending
 * post's mempool references written then (`p:` keys) still remove their entries when it commits.
 * The withdrawal index (what moveset_getWithdrawals reads) follows commits and truncations, and a
 * store written before it existed builds it on open.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Level } from "level";
import { ChainStore, enc, type PendingPost, type StoredBatch, type StoredReceipt } from "../../../node/state/chain-store";
import { KnownCode } from "../../../core/known-code";
import { bytesToHex, keccak256 } from "../../../core/bytes";
import { stringSublevel } from "../../../node/state/key-spaces";

const hex16 = (n: number) => n.toString(16).padStart(16, "0");

/** A stored batch: `index`, its transactions' hashes, its own hash. */
function storedBatch(index: number, txHashes: string[], hash: string): StoredBatch {
  const z32 = new Uint8Array(32);
  return {
    header: { index: BigInt(index), parent: z32, firstSeq: BigInt(1 + index * 100), txCount: BigInt(txHashes.length), txRoot: z32, number: 1n, timestamp: 5n, feeRecipient: new Uint8Array(20), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: z32, l1BaseFee: 0n, l1BlobBaseFee: 0n },
    hash,
    txHashes,
    gasUsed: 21000n,
    gasDeclared: 21000n,
    logsBloom: "0x",
    size: 10,
  };
}

/** A receipt of a plain transfer with hash `h`. */
const receiptOf = (h: string): StoredReceipt => ({ txHash: h, type: 2, from: "0x" + "01".repeat(20), to: null, contractAddress: null, status: 1, gasUsed: 21000n, cumulativeGasUsed: 21000n, effectiveGasPrice: 7n, logs: [], logIndexStart: 0, fee: 0n, withdrawal: 0n });

describe("node: the chain store's layout", () => {
  it("a store with hand-built prefixes opens with its key spaces as sublevels, all of it visible", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chain-layout-"));
    const z32 = new Uint8Array(32);
    const batch: StoredBatch = {
      header: { index: 0n, parent: z32, firstSeq: 1n, txCount: 1n, txRoot: z32, number: 1n, timestamp: 5n, feeRecipient: new Uint8Array(20), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: z32, l1BaseFee: 0n, l1BlobBaseFee: 0n },
      hash: "0x" + "aa".repeat(32),
      txHashes: ["0x" + "bb".repeat(32)],
      gasUsed: 21000n,
      gasDeclared: 21000n,
      logsBloom: "0x",
      size: 10,
    };
    const codeHash = "0x" + "cc".repeat(32);
    const mem = { id: "0x" + "dd".repeat(32), tx: Uint8Array.of(1, 2, 3), receivedAt: 9 };
    const mem2 = { id: "0x" + "ee".repeat(32), tx: Uint8Array.of(4), receivedAt: 10 };
    const pending = { batch: { ...batch, header: { ...batch.header, index: 1n, firstSeq: 2n }, hash: "0x" + "ab".repeat(32), txHashes: [mem.id] }, txs: [mem.tx], receipts: [], data: Uint8Array.of(9), included: [{ key: `p:${hex16(0)}`, id: mem.id }], dropped: [], createdAt: 1 } as unknown as PendingPost;
    const old = new Level<string, string>(path.join(dir, "chain"));
    await old.batch([
      { type: "put", key: "meta:tip", value: enc({ index: 0n, hash: batch.hash, lastSeq: 1n }) },
      { type: "put", key: "meta:mempoolSeq", value: "2" },
      { type: "put", key: "meta:codeIndex", value: "1" },
      { type: "put", key: "meta:pending", value: enc(pending) },
      { type: "put", key: `b:${hex16(0)}`, value: enc(batch) },
      { type: "put", key: `h:${batch.hash}`, value: "0" },
      { type: "put", key: `x:${hex16(0)}:000000`, value: enc({ tx: Uint8Array.of(7), receipt: { txHash: batch.txHashes[0] } }) },
      { type: "put", key: `t:${batch.txHashes[0]}`, value: enc([0n, 0]) },
      { type: "put", key: `k:${codeHash}`, value: enc(Uint8Array.of(0x60, 0x00)) },
      { type: "put", key: `ks:${codeHash}`, value: "1" },
      { type: "put", key: `p:${hex16(0)}`, value: enc(mem) },
      { type: "put", key: `pi:${mem.id}`, value: `p:${hex16(0)}` },
      { type: "put", key: `p:${hex16(1)}`, value: enc(mem2) },
      { type: "put", key: `pi:${mem2.id}`, value: `p:${hex16(1)}` },
      { type: "put", key: `d:${"0x" + "ff".repeat(32)}`, value: enc({ reason: "nonce too low", at: 3 }) },
    ]);
    await old.close();

    let chain = await ChainStore.open(path.join(dir, "chain"));
    try {
      expect(chain.tip()).to.deep.equal({ index: 0n, hash: batch.hash, lastSeq: 1n });
      expect(await chain.batch(0n)).to.deep.equal(batch);
      expect(await chain.indexOfHash(batch.hash)).to.equal(0n);
      expect(await chain.txLocation(batch.txHashes[0])).to.deep.equal({ index: 0n, txIndex: 0 });
      expect((await chain.batchTxs(0n)).map((t) => t.tx)).to.deep.equal([Uint8Array.of(7)]);
      expect(await chain.code(codeHash)).to.deep.equal(Uint8Array.of(0x60, 0x00));
      expect(chain.codeSeq(codeHash)).to.equal(1n);
      expect((await chain.mempool()).map((e) => e.id)).to.deep.equal([mem.id, mem2.id]);
      expect((await chain.mempoolEntry(mem2.id))!.tx).to.deep.equal(mem2.tx);
      expect(await chain.dropped("0x" + "ff".repeat(32))).to.deep.equal({ reason: "nonce too low", at: 3 });
      const p = (await chain.pending())!;
      expect(p.included).to.deep.equal(pending.included);
      // The pending post commits: its old-style mempool reference removes its entry.
      await chain.commitBatch({ batch: p.batch, txs: p.txs, receipts: p.receipts, codes: new KnownCode(), removeMempool: p.included, clearPending: true });
      expect((await chain.mempool()).map((e) => e.id)).to.deep.equal([mem2.id]);
      expect(await chain.mempoolEntry(mem.id)).to.equal(undefined);
      // New entries continue the old numbering.
      expect((await chain.addMempool("0x" + "12".repeat(32), Uint8Array.of(5))).key).to.equal(hex16(2));
      await chain.close();
      const raw = new Level<string, string>(path.join(dir, "chain"));
      for await (const k of raw.keys()) expect(k.startsWith("!"), `key ${k} left outside the sublevels`).to.equal(true);
      await raw.close();
      chain = await ChainStore.open(path.join(dir, "chain"));
      expect(chain.tip()!.index).to.equal(1n);
      expect((await chain.mempool()).map((e) => e.id)).to.deep.equal([mem2.id, "0x" + "12".repeat(32)]);
    } finally {
      await chain.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("indexes withdrawal outputs by owner and by seq: commits add, truncations remove, an older store builds the index on open", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chain-withdrawals-"));
    const z32 = new Uint8Array(32);
    const A = "0x" + "a1".repeat(20);
    const B = "0x" + "b2".repeat(20);
    const receipt = (from: string, withdrawal: bigint, n: number): StoredReceipt => ({
      txHash: "0x" + n.toString(16).padStart(64, "0"),
      type: 2,
      from,
      to: null,
      contractAddress: null,
      status: 1,
      gasUsed: 21000n,
      cumulativeGasUsed: 21000n,
      effectiveGasPrice: 1n,
      logs: [],
      logIndexStart: 0,
      fee: 0n,
      withdrawal,
    });
    const batch = (index: bigint, firstSeq: bigint, rs: StoredReceipt[]) => ({
      batch: {
        header: { index, parent: z32, firstSeq, txCount: BigInt(rs.length), txRoot: z32, number: index + 1n, timestamp: 5n, feeRecipient: new Uint8Array(20), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: z32, l1BaseFee: 0n, l1BlobBaseFee: 0n },
        hash: "0x" + (Number(index) + 1).toString(16).padStart(64, "0"),
        txHashes: rs.map((r) => r.txHash),
        gasUsed: 0n,
        gasDeclared: 0n,
        logsBloom: "0x",
        size: 1,
      } as StoredBatch,
      txs: rs.map(() => Uint8Array.of(1)),
      receipts: rs,
      codes: new KnownCode(),
    });
    // Batch 0: seq 1 A withdraws 5, seq 2 B sends (no withdrawal), seq 3 B withdraws 7. Batch 1: seq 4 A withdraws 9.
    const b0 = batch(0n, 1n, [receipt(A, 5n, 1), receipt(B, 0n, 2), receipt(B, 7n, 3)]);
    const b1 = batch(1n, 4n, [receipt(A.toUpperCase().replace("0X", "0x"), 9n, 4)]);
    let chain = await ChainStore.open(path.join(dir, "chain"));
    try {
      await chain.commitBatch(b0);
      await chain.commitBatch(b1);
      expect(await chain.withdrawals(A, 10)).to.deep.equal([
        { index: 1n, txIndex: 0, seq: 4n },
        { index: 0n, txIndex: 0, seq: 1n },
      ]);
      expect(await chain.withdrawals(A, 1)).to.deep.equal([{ index: 1n, txIndex: 0, seq: 4n }]);
      expect(await chain.withdrawals(B.toUpperCase().replace("0X", "0x"), 10)).to.deep.equal([{ index: 0n, txIndex: 2, seq: 3n }]);
      expect((await chain.withdrawals(undefined, 10)).map((w) => w.seq)).to.deep.equal([4n, 3n, 1n]);
      expect(await chain.withdrawals("0x" + "cc".repeat(20), 10)).to.deep.equal([]);
      // A rollback of batch 1 takes its withdrawal out of the index.
      await chain.truncate(1n);
      expect((await chain.withdrawals(A, 10)).map((w) => w.seq)).to.deep.equal([1n]);
      expect((await chain.withdrawals(undefined, 10)).map((w) => w.seq)).to.deep.equal([3n, 1n]);
      await chain.close();

      // A store written before the index: its entries and its completion mark removed; reopening rebuilds them.
      const raw = new Level<string, string>(path.join(dir, "chain"));
      for (const name of ["withdrawals", "withdrawals-by-seq"]) await stringSublevel(raw, name).clear();
      await stringSublevel(raw, "meta").del("withdrawalIndex");
      await raw.close();
      chain = await ChainStore.open(path.join(dir, "chain"));
      expect(await chain.withdrawals(A, 10)).to.deep.equal([{ index: 0n, txIndex: 0, seq: 1n }]);
      expect((await chain.withdrawals(undefined, 10)).map((w) => w.seq)).to.deep.equal([3n, 1n]);
    } finally {
      await chain.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("group commit: writes queued together go to disk in one LevelDB batch, in order, each answered once durable; reads see them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chain-group-"));
    try {
      const chain = await ChainStore.open(path.join(dir, "chain"));
      const db = chain.level as unknown as { batch: (...a: unknown[]) => Promise<void> };
      const orig = db.batch.bind(db);
      let batches = 0;
      db.batch = (...a: unknown[]) => {
        batches++;
        return orig(...a);
      };
      // 50 transactions accepted at once; the second half removed by writes queued right behind them.
      const queued = Array.from({ length: 50 }, (_, i) => chain.queueMempool("0x" + i.toString(16).padStart(64, "0"), Uint8Array.of(i)));
      const removal = chain.removeMempool(queued.slice(25).map((q) => q.entry));
      expect(queued.map((q) => q.entry.key), "keys are given at once, in order").to.deep.equal([...queued.map((q) => q.entry.key)].sort());
      await Promise.all([...queued.map((q) => q.durable), removal]);
      expect(batches, "at most the first write alone, then the rest together").to.be.at.most(2);
      expect((await chain.mempool()).map((e) => e.id)).to.deep.equal(queued.slice(0, 25).map((q) => q.entry.id));
      // A read right after queueing waits for the write.
      const more = chain.queueMempool("0x" + "ff".repeat(32), Uint8Array.of(7));
      expect((await chain.mempoolEntry(more.entry.id))?.tx).to.deep.equal(Uint8Array.of(7));
      await chain.close();
      const again = await ChainStore.open(path.join(dir, "chain"));
      expect((await again.mempool()).length, "durable across reopening").to.equal(26);
      const next = again.queueMempool("0x" + "fe".repeat(32), Uint8Array.of(8));
      expect(next.entry.key > more.entry.key, "the mempool's numbering resumes after the last write").to.equal(true);
      await next.durable;
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("the pending post's L1 hash is a record of its own: recording it writes the hash, not the post; a new post, an abandoned one and a committed one leave none behind", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chain-pending-"));
    try {
      const batch = storedBatch(0, ["0x" + "bb".repeat(32)], "0x" + "aa".repeat(32));
      const post: PendingPost = { batch, txs: [Uint8Array.of(1, 2, 3)], receipts: [], data: new Uint8Array(3000).fill(5), included: [], dropped: [], createdAt: 1 };
      const l1Tx = "0x" + "12".repeat(32);
      let chain = await ChainStore.open(path.join(dir, "chain"));
      let raw = stringSublevel(chain.level, "meta");
      await chain.setPending(post);
      const stored = await raw.get("pending");
      const db = chain.level as unknown as { batch: (ops: { value?: string }[], o?: unknown) => Promise<void> };
      const orig = db.batch.bind(db);
      let written = 0;
      db.batch = (ops, o) => {
        for (const op of ops) written += op.value?.length ?? 0;
        return orig(ops, o);
      };
      await chain.setPendingL1Tx(l1Tx);
      expect(written, "the hash alone is written").to.be.below(100);
      expect(await raw.get("pending"), "the post is not written again").to.equal(stored);
      expect((await chain.pending())?.l1TxHash).to.equal(l1Tx);
      await chain.close();
      chain = await ChainStore.open(path.join(dir, "chain"));
      raw = stringSublevel(chain.level, "meta");
      const again = (await chain.pending())!;
      expect(again.l1TxHash, "durable across reopening").to.equal(l1Tx);
      expect(again.data).to.deep.equal(post.data);
      // A new post replaces the old one with its hash.
      await chain.setPending({ ...post, createdAt: 2 });
      expect((await chain.pending())?.l1TxHash, "a new post has no L1 hash yet").to.equal(undefined);
      await chain.setPending({ ...post, l1TxHash: l1Tx });
      expect((await chain.pending())?.l1TxHash, "a post given with its hash keeps it").to.equal(l1Tx);
      await chain.clearPending();
      expect(await chain.pending()).to.equal(undefined);
      expect(await raw.get("pendingL1Tx"), "abandoning a post forgets its hash").to.equal(undefined);
      // A post written with its hash inside (before the hash was a record of its own) reads with it, and commits clean.
      await raw.put("pending", enc({ ...post, l1TxHash: l1Tx }));
      expect((await chain.pending())?.l1TxHash).to.equal(l1Tx);
      await chain.setPendingL1Tx(l1Tx);
      await chain.commitBatch({ batch, txs: post.txs, receipts: [receiptOf(batch.txHashes[0])], codes: new KnownCode(), clearPending: true });
      expect(await chain.pending(), "committing the post clears it").to.equal(undefined);
      expect(await raw.get("pendingL1Tx"), "and its hash").to.equal(undefined);
      await chain.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("keeps its id filter across a close: a reopened store answers every transaction's location exactly without reading tx-at's keys; after a crash it reads them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chain-ids-"));
    // Ids are hashes (the filter's bits are theirs).
    const txHash = (i: number) => bytesToHex(keccak256(Uint8Array.of(i)));
    const commit = async (chain: ChainStore, index: number, ids: string[]) =>
      chain.commitBatch({ batch: storedBatch(index, ids, "0x" + (index + 0xa0).toString(16).repeat(32)), txs: ids.map(() => Uint8Array.of(1)), receipts: ids.map(receiptOf), codes: new KnownCode() });
    try {
      const file = path.join(dir, "chain");
      let chain = await ChainStore.open(file);
      await commit(chain, 0, [txHash(1), txHash(2)]);
      await chain.close();
      // Written behind the store's back (not in its filter): a reopened store that read tx-at's keys would find it.
      const unseen = txHash(99);
      let raw = new Level<string, string>(file);
      await stringSublevel(raw, "tx-at").put(unseen, enc([0n, 1]));
      await raw.close();
      chain = await ChainStore.open(file);
      expect(await chain.txLocation(txHash(1))).to.deep.equal({ index: 0n, txIndex: 0 });
      expect(await chain.txLocation(txHash(2))).to.deep.equal({ index: 0n, txIndex: 1 });
      expect(await chain.txLocation(txHash(3))).to.equal(undefined);
      expect(await chain.txLocation(unseen), "the kept filter was used: tx-at was not read").to.equal(undefined);
      // A crash after a commit (closed without keeping the filter): the store is at another tip and reads tx-at.
      await commit(chain, 1, [txHash(4)]);
      await chain.level.close();
      chain = await ChainStore.open(file);
      expect(await chain.txLocation(txHash(4))).to.deep.equal({ index: 1n, txIndex: 0 });
      expect(await chain.txLocation(unseen), "a tip that is not the kept one: tx-at read").to.deep.equal({ index: 0n, txIndex: 1 });
      expect(await chain.txLocation(txHash(1))).to.deep.equal({ index: 0n, txIndex: 0 });
      // A truncation then the same tip again: every id of the chain answered.
      await chain.close();
      chain = await ChainStore.open(file);
      await chain.truncate(1n);
      await commit(chain, 1, [txHash(5)]);
      await chain.close();
      raw = new Level<string, string>(file);
      expect(JSON.parse((await stringSublevel(raw, "meta").get("txIdFilter"))!).tip, "kept at the tip it was closed at").to.equal("0x" + "a1".repeat(32));
      await raw.close();
      chain = await ChainStore.open(file);
      expect(await chain.txLocation(txHash(5))).to.deep.equal({ index: 1n, txIndex: 0 });
      expect(await chain.txLocation(txHash(4)), "truncated").to.equal(undefined);
      await chain.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
