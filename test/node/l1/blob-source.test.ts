/**
 * node/l1/batch-source.ts dataFromBlob and L1Client.readBatchData for a batch in a blob (protocol.md §14.5): the
 * blob must be the header's (its recomputed commitment's versioned hash), a blob that does not give the
 * declarations is a BlobDataFaultError (unreadable: nothing is built on it), and an L1 that serves no blob bytes
 * (Hardhat) leaves the batch unreadable with the reason, never a crash. Reading from anvil:
 * test/e2e/blob-anvil.test.ts.
 */
import { expect } from "chai";
import hre from "hardhat";
import { bytesToHex } from "../../../core/bytes";
import { encodeBatchData, batchGas, txRootOf, type BatchHeader } from "../../../core/batch";
import { packBlob, versionedHash } from "../../../core/blob";
import { BlobDataFaultError, DataSource, UnreadableBatch, dataFromBlob, type AppendRef } from "../../../node/l1/batch-source";
import { L1Client } from "../../../node/l1/client";
import { loadBlobKzg, type BlobKzg } from "../../../node/l1/blob-kzg";
import { startL1Server } from "../../../node/devnet/devnet";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";
import { blobFixture, nextBlobBatch, postBlob } from "../../helpers/blob";
import { BOND, WINDOW, DELAY, MAX_DEPOSITS, MIN_BASE_FEE, L2_CHAIN_ID } from "../../helpers/inbox";

const txs = [
  { gas: 21_000n, tx: Uint8Array.from({ length: 200 }, (_, i) => i & 0xff) },
  { gas: 0n, tx: Uint8Array.from({ length: 80 }, (_, i) => (i * 5) & 0xff) },
];
const data = encodeBatchData(txs);

function refOf(header: BatchHeader): AppendRef {
  return { index: 0n, headerHash: "0x", header, poster: "0x", dataSource: DataSource.Blob, l1TxHash: "0x", blockHash: "0x", blockNumber: 1, txIndex: 0, logIndex: 0 };
}

describe("node: batches in blobs (dataFromBlob, L1Client.readBatchData)", function () {
  this.timeout(120_000);
  let kzg: BlobKzg;
  before(async () => {
    kzg = await loadBlobKzg();
  });

  it("returns the batch data of the header's own blob, and refuses any other blob or a missing one", () => {
    const blob = packBlob(data);
    const c = kzg.commitment(blob);
    const header = { txCount: 2n, txRoot: txRootOf(txs), dataHash: versionedHash(c) } as BatchHeader;
    expect(bytesToHex(dataFromBlob(refOf(header), blob, c, batchGas(txs)))).to.equal(bytesToHex(data));
    expect(() => dataFromBlob(refOf(header), undefined, undefined, 0n)).to.throw(UnreadableBatch, "no blob");
    expect(() => dataFromBlob(refOf(header), blob.subarray(1), c, 0n)).to.throw(UnreadableBatch, "bytes for a blob");
    const other = packBlob(data.subarray(0, 100));
    expect(() => dataFromBlob(refOf(header), other, kzg.commitment(other), batchGas(txs))).to.throw(UnreadableBatch, "not the one");
  });

  it("a blob that does not give the declarations is a BlobDataFaultError with the fault, the blob and its commitment", () => {
    const blob = packBlob(data);
    const c = kzg.commitment(blob);
    const header = { txCount: 2n, txRoot: txRootOf(txs), dataHash: versionedHash(c) } as BatchHeader;
    let err: unknown;
    try {
      dataFromBlob(refOf(header), blob, c, 1n);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(BlobDataFaultError);
    expect((err as BlobDataFaultError).fault).to.deep.equal({ reason: "gas", gas: 21_000n });
    expect((err as BlobDataFaultError).commitment).to.equal(c);
  });

  it("on an L1 that serves no blob bytes (Hardhat), a blob batch is unreadable with the reason", async () => {
    const f = await blobFixture();
    const b = await nextBlobBatch(f.inbox, kzg, packBlob(data), { txCount: 2n, gas: batchGas(txs), txRoot: txRootOf(txs) });
    const rc = await postBlob(f.inbox, f.poster, kzg, b);
    const server = await startL1Server(hre, "127.0.0.1", 0);
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: L2_CHAIN_ID, inbox: await f.inbox.getAddress(), bridge: await f.bridge.getAddress(), deployedAt: 0,
      challengeWindow: WINDOW, bondSize: BOND, inclusionDelay: DELAY, maxDepositsPerBatch: MAX_DEPOSITS, minBaseFee: MIN_BASE_FEE, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
    };
    const l1 = await L1Client.connect(server.url, deployment);
    try {
      const log = rc.logs.find((l) => f.inbox.interface.parseLog(l)?.name === "BatchAppended")!;
      const ref = L1Client.parseAppend(log);
      expect(ref.dataSource).to.equal(DataSource.Blob);
      await l1.readBatchData(ref).then(
        () => expect.fail("read a blob Hardhat does not serve"),
        (e: unknown) => {
          expect(e).to.be.instanceOf(UnreadableBatch);
          expect((e as UnreadableBatch).reason).to.contain("anvil_getBlobByHash");
        },
      );
    } finally {
      l1.close();
      await server.close();
    }
  });
});
