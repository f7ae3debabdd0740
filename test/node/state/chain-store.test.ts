/**
 * The chain store's layout (node/state/chain-store.ts): a store written with hand-built key prefixes
 * (meta:, b:, h:, x:, t:, k:, ks:, p:, pi:, d:) opens with every key space moved into its
 * sublevel, and shows the same chain, code, mempool, dropped reasons and pending post; a pending
 * post's mempool references written then (`p:` keys) still remove their entries when it commits.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Level } from "level";
import { ChainStore, enc, type PendingPost, type StoredBatch } from "../../../node/state/chain-store";
import { KnownCode } from "../../../core/known-code";

const hex16 = (n: number) => n.toString(16).padStart(16, "0");

describe("node: the chain store's layout", () => {
  it("a store with hand-built prefixes opens with its key spaces as sublevels, all of it visible", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chain-layout-"));
    const z32 = new Uint8Array(32);
    const batch: StoredBatch = {
      header: { index: 0n, parent: z32, firstSeq: 1n, txCount: 1n, txRoot: z32, number: 1n, timestamp: 5n, feeRecipient: new Uint8Array(20), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: z32 },
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
});
