/**
 * The verifier's store: one written with hand-built key prefixes (cursor, bh:, ev:, data:, verdict:,
 * ap:, c:) opens with its key spaces moved into sublevels, and the verifier sees the same L1 events,
 * verdicts, applied batches and code as before; the old keys are gone.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import hre from "hardhat";
import { Level } from "level";
import { enc } from "../../../node/state/chain-store";
import { L1Client } from "../../../node/l1/client";
import { startL1Server } from "../../../node/devnet/devnet";
import { rootLogger } from "../../../node/log";
import { DEFAULT_VERIFIER, EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";
import { Verifier, type VEvent } from "../../../node/verifier/verifier";
import { encodeBatchData, batchDataHash, headerHash, txRootOf, type BatchHeader } from "../../../core/batch";
import { bytesToHex } from "../../../core/bytes";
import { transferTx } from "../../helpers/inbox";
import { batchTxOf } from "../../../core/gas";

describe("node: the verifier's store layout", function () {
  this.timeout(60_000);

  it("a store with hand-built prefixes opens with its key spaces as sublevels, the same state visible", async () => {
    const server = await startL1Server(hre, "127.0.0.1", 0);
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: 901n, inbox: "0x" + "11".repeat(20), bridge: "0x" + "22".repeat(20), deployedAt: 0,
      challengeWindow: 100n, bondSize: 1n, inclusionDelay: 10n, maxDepositsPerBatch: 256n, minBaseFee: 7n, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
    };
    // L1Client.connect checks that an Inbox exists: give the address some code, which answers 32 zero bytes to any call
    // (the verifier reads Inbox.dictionary() at start: none bound).
    await hre.network.provider.send("hardhat_setCode", [deployment.inbox, "0x60206000f3"]);
    const l1 = await L1Client.connect(server.url, deployment);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-vlayout-"));
    const dbPath = path.join(dir, "db");
    try {
      const txs = [batchTxOf(transferTx(1))];
      const data = encodeBatchData(txs);
      const header: BatchHeader = {
        index: 0n, parent: new Uint8Array(32), firstSeq: 1n, txCount: 1n, txRoot: txRootOf(txs), number: 1n, timestamp: 5n,
        feeRecipient: new Uint8Array(20), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: batchDataHash(data), l1BaseFee: 0n, l1BlobBaseFee: 0n,
      };
      const hh = bytesToHex(headerHash(header));
      const append: VEvent = { type: "append", block: 3, logIndex: 0, index: 0n, headerHash: hh, header, l1TxHash: "0x" + "33".repeat(32), poster: "0x" + "44".repeat(20), postedAt: 5n };
      const deposit: VEvent = { type: "deposit", block: 2, logIndex: 1, index: 0n, from: "0x" + "55".repeat(20), to: "0x" + "66".repeat(20), value: 9n };
      const verdict = { status: "invalid", fault: { batchIndex: 0n, txIndex: 0, seq: 1n, kind: "rules", code: "nonce", message: "m" }, checkedAt: 1 };
      const old = new Level<string, string>(dbPath);
      await old.batch([
        { type: "put", key: "cursor", value: enc({ block: 3, hash: "0x" + "77".repeat(32) }) },
        { type: "put", key: "bh:000000000003", value: "0x" + "77".repeat(32) },
        { type: "put", key: "ev:000000000002:00000001", value: enc(deposit) },
        { type: "put", key: "ev:000000000003:00000000", value: enc(append) },
        { type: "put", key: `data:${hh}`, value: enc(data) },
        { type: "put", key: `verdict:${hh}`, value: enc(verdict) },
      ]);
      await old.close();

      const v = await Verifier.open({ l1, deployment, dbPath, utxoPath: path.join(dir, "utxo"), opts: { ...DEFAULT_VERIFIER, workers: 0 }, log: rootLogger() });
      try {
        expect(v.cursorBlock).to.equal(3);
        expect(v.l1.events).to.deep.equal([deposit, append]);
        const [b] = v.batches();
        expect(b).to.deep.include({ index: 0n, headerHash: hh, verdict: "invalid", status: "invalid" });
        expect(b.fault).to.deep.include({ kind: "rules", code: "nonce" });
        expect((await v.chainView().batch(0n)).txs).to.deep.equal(txs);
      } finally {
        await v.close();
      }
      const after = new Level<string, string>(dbPath);
      for await (const k of after.keys()) expect(k.startsWith("!"), `key ${k} left outside the sublevels`).to.equal(true);
      await after.close();
    } finally {
      l1.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
