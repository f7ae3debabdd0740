/**
 * Batches in blobs end to end on anvil, an L1 that keeps blobs (`anvil_getBlobByHash`; Hardhat does not:
 * protocol.md §14.5): the node's L1 client posts a batch in a blob (the posting hook, `blobBatch` and
 * `appendBatchBlob`), reads it back from where its BatchAppended event says (dataSource 2: the blob, whose
 * commitment the client recomputes), and a batch whose blob does not give its declarations is unreadable with
 * the data fault, which the DataProver proves on the same L1 from the blob the client read.
 */
import { expect } from "chai";
import * as path from "path";
import { spawn, type ChildProcess } from "child_process";
import { ContractFactory, JsonRpcProvider, Network, Wallet, type Contract, id } from "ethers";
import hre from "hardhat";
import { freePort, receiptOf, waitFor } from "./helpers";
import { L1Client } from "../../node/l1/client";
import { BlobDataFaultError, DataSource, UnreadableBatch, type AppendRef } from "../../node/l1/batch-source";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../node/config";
import { encodeBatchData, txRootOf, type BatchHeader, type BatchTx } from "../../core/batch";
import { bytesToHex, hexToBytes, keccak256 } from "../../core/bytes";
import { KIND_NUMBER } from "../../core/errors";
import { headerFromSol, headerToSol, inboxInterface } from "../../node/l1/contracts";
import { loadBlobKzg } from "../../node/l1/blob-kzg";

/** Anvil's (and Hardhat's) dev accounts 0 and 4: public, fixed, never for real funds. */
const POSTER = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const CHALLENGER = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const BOND = 10n ** 18n;

async function deploy(name: string, signer: Wallet, args: unknown[]): Promise<Contract> {
  const a = await hre.artifacts.readArtifact(name);
  const c = await new ContractFactory(a.abi, a.bytecode, signer).deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

describe("batches in blobs on anvil (post, read back, prove a data fault)", function () {
  this.timeout(180_000);
  let anvil: ChildProcess;
  let url: string;
  let provider: JsonRpcProvider;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const bin = path.join(path.dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
    anvil = spawn(bin, ["--port", String(port), "--hardfork", "prague", "--silent"], { stdio: "ignore" });
    provider = new JsonRpcProvider(url, Network.from(31337n), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100, cacheTimeout: -1 });
    await waitFor("anvil", () => provider.getBlockNumber().then(() => true).catch(() => false), 30_000);
  });

  after(() => {
    provider?.destroy();
    anvil?.kill();
  });

  it("posts a blob batch, reads it back through its event, and proves a wrong declaration with the blob it read", async () => {
    const poster = new Wallet(POSTER, provider);
    const challenger = new Wallet(CHALLENGER, provider);
    const bridge = await deploy("Bridge", poster, []);
    const inbox = await deploy("Inbox", poster, [await bridge.getAddress(), 901n, BOND, 3600n, 86_400n, 5000n, 256n, 7n, EMPTY_GENESIS_ROOT, 0n]);
    await (await bridge.getFunction("setInbox")(await inbox.getAddress())).wait();
    const prover = await deploy("DataProver", poster, [await inbox.getAddress()]);
    await (await inbox.getFunction("setProvers")([await prover.getAddress()])).wait();
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: 901n, inbox: await inbox.getAddress(), bridge: await bridge.getAddress(), deployedAt: 0,
      challengeWindow: 3600n, bondSize: BOND, inclusionDelay: 86_400n, maxDepositsPerBatch: 256n, minBaseFee: 7n, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
    };
    const client = await L1Client.connect(url, deployment, POSTER);
    try {
      await client.bond(2n * BOND);
      const txs: BatchTx[] = [
        { gas: 21_000n, tx: Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff) },
        { gas: 40_000n, tx: Uint8Array.from({ length: 900 }, (_, i) => (i * 3 + 2) & 0xff) },
      ];
      const data = encodeBatchData(txs);
      const appended = async (declaredRoot: Uint8Array): Promise<{ ref: AppendRef }> => {
        const [index, parent, firstSeq, depositStart, minTs] = (await inbox.getFunction("tip")()) as [bigint, string, bigint, bigint, bigint];
        const ts = BigInt((await provider.getBlock("latest"))!.timestamp);
        const base: BatchHeader = {
          index, parent: hexToBytes(parent as `0x${string}`), firstSeq, txCount: 2n, txRoot: declaredRoot, number: index + 1n, timestamp: ts > minTs ? ts : minTs,
          feeRecipient: new Uint8Array(20), baseFee: (await inbox.getFunction("nextBaseFee")()) as bigint, depositStart, depositEnd: depositStart, dataHash: new Uint8Array(32), l1BaseFee: 0n, l1BlobBaseFee: 0n,
        };
        const b = await client.blobBatch(base, data);
        const tx = await client.appendBatchBlob(b.header, b.blob, b.gas);
        const rc = await receiptOf(provider, tx.hash);
        expect(rc.status).to.equal(1);
        const log = rc.logs.find((l) => inboxInterface().parseLog(l)?.name === "BatchAppended")!;
        const ev = inboxInterface().parseLog(log)!;
        expect(Number(ev.args.dataSource)).to.equal(DataSource.Blob);
        return {
          ref: {
            index, headerHash: String(ev.args.headerHash).toLowerCase(), header: headerFromSol(ev.args.header), poster: poster.address, dataSource: Number(ev.args.dataSource),
            l1TxHash: rc.hash.toLowerCase(), blockHash: rc.blockHash, blockNumber: rc.blockNumber, txIndex: rc.index, logIndex: log.index,
          },
        };
      };

      // An honest batch: the node reads exactly its data back from the blob.
      const honest = await appended(txRootOf(txs));
      expect(bytesToHex(await client.readBatchData(honest.ref))).to.equal(bytesToHex(data));

      // A lying batch (another root declared): unreadable, with the data fault and the blob.
      const lying = await appended(txRootOf([txs[1], txs[0]]));
      let err: unknown;
      await client.readBatchData(lying.ref).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(BlobDataFaultError);
      const f = err as BlobDataFaultError;
      expect(f.fault.reason).to.equal("tx-root");

      // An unknown versioned hash: unreadable, never a crash.
      const bogus = { ...lying.ref, header: { ...lying.ref.header, dataHash: keccak256(Uint8Array.of(1)) } };
      await client.readBatchData(bogus).then(() => expect.fail("read a blob that is not there"), (e: unknown) => expect(e).to.be.instanceOf(UnreadableBatch));

      // The challenger proves it with the blob and commitment the client read.
      const kzg = await loadBlobKzg();
      const h = headerToSol(lying.ref.header);
      const proof = bytesToHex(kzg.blobProof(f.blob, f.commitment));
      const dp = prover.connect(challenger) as Contract;
      const ph = await dp.getFunction("proofHash")(h, bytesToHex(keccak256(f.blob)), bytesToHex(f.commitment), proof);
      const salt = id("anvil");
      await (await dp.getFunction("commit")(await dp.getFunction("commitmentFor")(challenger.address, ph, salt))).wait();
      await provider.send("evm_mine", []);
      const rc = await receiptOf(provider, (await dp.getFunction("prove")(h, bytesToHex(f.blob), bytesToHex(f.commitment), proof, salt, { gasLimit: 16_000_000n })).hash);
      expect(rc.status).to.equal(1);
      const rolled = rc.logs.map((l) => { try { return inboxInterface().parseLog(l); } catch { return null; } }).find((e) => e?.name === "BatchesRolledBack")!;
      expect(Number(rolled.args.kind)).to.equal(KIND_NUMBER.data);
      expect(rolled.args.index).to.equal(1n);
      expect(await inbox.getFunction("batchCount")()).to.equal(1n);
    } finally {
      client.close();
    }
  });
});
