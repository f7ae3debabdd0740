/**
 * Batches in blobs end to end on anvil, an L1 that keeps blobs (`anvil_getBlobByHash`; Hardhat does not:
 * protocol.md §14.5): the node's L1 client posts a batch in a blob (the posting hook, `blobBatch` and
 * `appendBatchBlob`), reads it back from where its BatchAppended event says (dataSource 2: the blob, whose
 * commitment the client recomputes), and a batch whose blob does not give its declarations is unreadable with
 * the data fault, which the DataProver proves on the same L1 from the blob the client read. The watchtower
 * (node/watchtower) finds such a batch invalid with its `data` fault and proves it itself (commit, reveal: the batch
 * rolls back, the reward paid to it), and `moveset challenge --dry-run` describes that proof. A node whose
 * coordinator posts in blobs (`postMode` blob and auto) posts its batches there, and its verifier reads them back; in
 * `auto`, a blob post that fails sends that batch in calldata instead (the back-off, protocol.md §12.11). With
 * `--l1-beacon` a node reads blobs from anvil's beacon API only (node/l1/beacon.ts), through a proxy that refuses
 * `anvil_getBlobByHash` and can make the beacon lie or fail.
 */
import * as fs from "fs";
import * as http from "http";
import { expect } from "chai";
import * as path from "path";
import { spawn, type ChildProcess } from "child_process";
import { ContractFactory, JsonRpcProvider, Network, Wallet, type Contract, id } from "ethers";
import hre from "hardhat";
import { captureLogs, cleanupTmp, freePort, receiptOf, spawnCli, tmpDir, waitFor } from "./helpers";
import { L1Client } from "../../node/l1/client";
import { BlobDataFaultError, DataSource, UnreadableBatch, type AppendRef } from "../../node/l1/batch-source";
import { EMPTY_GENESIS_ROOT, deploymentFromRecord, type Deployment, type DeploymentRecord } from "../../node/config";
import { Watchtower } from "../../node/watchtower/watchtower";
import { startNode } from "../../node/node";
import { encodeBatchData, txRootOf, type BatchHeader, type BatchTx } from "../../core/batch";
import { bytesToHex, hexToBytes, keccak256 } from "../../core/bytes";
import { KIND_NUMBER } from "../../core/errors";
import { bridgeAt, headerFromSol, headerToSol, inboxAt, inboxInterface } from "../../node/l1/contracts";
import { loadBlobKzg } from "../../node/l1/blob-kzg";
import { packBlob } from "../../core/blob";

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

const REWARD_BPS = 5000n;

/** Bridge, Inbox and DataProver on `signer`'s L1, with the deployment record a node and the CLI read. */
async function deployBlobRollup(signer: Wallet): Promise<{ inbox: Contract; prover: Contract; record: DeploymentRecord; deployment: Deployment }> {
  const deployedAt = await signer.provider!.getBlockNumber();
  const bridge = await deploy("Bridge", signer, []);
  const inbox = await deploy("Inbox", signer, [await bridge.getAddress(), 901n, BOND, 3600n, 86_400n, REWARD_BPS, 256n, 7n, EMPTY_GENESIS_ROOT, 0n]);
  await (await bridge.getFunction("setInbox")(await inbox.getAddress())).wait();
  const prover = await deploy("DataProver", signer, [await inbox.getAddress()]);
  await (await inbox.getFunction("setProvers")([await prover.getAddress()])).wait();
  const record: DeploymentRecord = {
    network: "anvil", chainId: 31337, l2ChainId: 901, deployedAt, deploymentId: "blob-anvil", deployer: signer.address,
    contracts: { Bridge: await bridge.getAddress(), Inbox: await inbox.getAddress(), DataProver: await prover.getAddress() },
    parameters: { l2ChainId: 901, bondSize: BOND.toString(), challengeWindow: 3600, inclusionDelay: 86_400, rewardBps: Number(REWARD_BPS), maxDepositsPerBatch: 256, minBaseFee: "7", genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0 },
  };
  return { inbox, prover, record, deployment: deploymentFromRecord(record) };
}

/** Posts `txs` in a blob as the next batch, declaring `declaredRoot` and the true count (or `txCount`); its AppendRef. */
async function postBlobBatch(client: L1Client, inbox: Contract, provider: JsonRpcProvider, txs: BatchTx[], declaredRoot: Uint8Array, txCount = BigInt(txs.length)): Promise<{ ref: AppendRef }> {
  const [index, parent, firstSeq, depositStart, minTs] = (await inbox.getFunction("tip")()) as [bigint, string, bigint, bigint, bigint];
  const ts = BigInt((await provider.getBlock("latest"))!.timestamp);
  const base: BatchHeader = {
    index, parent: hexToBytes(parent as `0x${string}`), firstSeq, txCount, txRoot: declaredRoot, number: index + 1n, timestamp: ts > minTs ? ts : minTs,
    feeRecipient: new Uint8Array(20), baseFee: (await inbox.getFunction("nextBaseFee")()) as bigint, depositStart, depositEnd: depositStart, dataHash: new Uint8Array(32), l1BaseFee: 0n, l1BlobBaseFee: 0n,
  };
  const b = await client.blobBatch(base, encodeBatchData(txs));
  const tx = await client.appendBatchBlob(b.header, b.blob, b.gas);
  const rc = await receiptOf(provider, tx.hash);
  expect(rc.status).to.equal(1);
  const log = rc.logs.find((l) => inboxInterface().parseLog(l)?.name === "BatchAppended")!;
  const ev = inboxInterface().parseLog(log)!;
  expect(Number(ev.args.dataSource)).to.equal(DataSource.Blob);
  return {
    ref: {
      index, headerHash: String(ev.args.headerHash).toLowerCase(), header: headerFromSol(ev.args.header), poster: client.address!, dataSource: Number(ev.args.dataSource),
      l1TxHash: rc.hash.toLowerCase(), blockHash: rc.blockHash, blockNumber: rc.blockNumber, txIndex: rc.index, logIndex: log.index,
    },
  };
}

/**
 * A proxy in front of anvil: JSON-RPC (POST) passes through except `anvil_getBlobByHash`, which it refuses and
 * counts (a node that reads a blob batch through it reads blobs from the beacon API); the beacon API (GET) passes
 * through, or, by `mode`, answers a valid blob that is not the one asked for (`lie`) or HTTP 503 (`down`);
 * `rpc-down` drops every JSON-RPC connection (L1's endpoint down).
 */
type ProxyMode = "honest" | "lie" | "down" | "rpc-down";
async function anvilProxy(target: string): Promise<{ url: string; mode: ProxyMode; rpcBlobCalls: number; beaconPaths: string[]; close(): Promise<void> }> {
  const other = "0x" + Buffer.from(packBlob(Uint8Array.of(2, 0, 0, 0))).toString("hex");
  const state = { url: "", mode: "honest" as ProxyMode, rpcBlobCalls: 0, beaconPaths: [] as string[], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const reply = (status: number, text: string) => res.writeHead(status, { "content-type": "application/json" }).end(text);
        if (req.method === "POST") {
          if (state.mode === "rpc-down") return void req.socket.destroy();
          const j = JSON.parse(body) as { id: unknown; method: string };
          if (j.method === "anvil_getBlobByHash") {
            state.rpcBlobCalls++;
            return reply(200, JSON.stringify({ jsonrpc: "2.0", id: j.id, error: { code: -32601, message: "the method anvil_getBlobByHash does not exist (proxy)" } }));
          }
          const r = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
          return reply(r.status, await r.text());
        }
        state.beaconPaths.push(req.url!);
        if (state.mode === "down" && req.url!.startsWith("/eth/v1/beacon/blobs/")) return reply(503, JSON.stringify({ code: 503, message: "down (proxy)" }));
        const r = await fetch(target + req.url, { headers: { accept: "application/json" } });
        let text = await r.text();
        if (state.mode === "lie" && r.status === 200 && req.url!.startsWith("/eth/v1/beacon/blobs/")) {
          const j = JSON.parse(text) as { data: string[] };
          text = JSON.stringify({ ...j, data: j.data.map(() => other) });
        }
        reply(r.status, text);
      })().catch((e: unknown) => res.writeHead(502).end(String(e)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  state.close = () => new Promise<undefined>((r) => server.close(() => r(undefined)));
  return state;
}

/** Two transactions of arbitrary bytes (the `data` fault is about the blob, not what the transactions say). */
const TXS: BatchTx[] = [
  { gas: 21_000n, tx: Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff) },
  { gas: 40_000n, tx: Uint8Array.from({ length: 900 }, (_, i) => (i * 3 + 2) & 0xff) },
];

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
    cleanupTmp();
  });

  it("posts a blob batch, reads it back through its event, and proves a wrong declaration with the blob it read", async () => {
    const poster = new Wallet(POSTER, provider);
    const challenger = new Wallet(CHALLENGER, provider);
    const { inbox, prover, deployment } = await deployBlobRollup(poster);
    const client = await L1Client.connect(url, deployment, POSTER);
    try {
      await client.bond(2n * BOND);
      const txs = TXS;
      const data = encodeBatchData(txs);
      const appended = (declaredRoot: Uint8Array) => postBlobBatch(client, inbox, provider, txs, declaredRoot);

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

  it("the watchtower proves a blob batch's data fault itself (commit, reveal: the batch rolls back, the reward is its); `moveset challenge --dry-run` describes the proof", async () => {
    const poster = new Wallet(POSTER, provider);
    const { inbox, record, deployment } = await deployBlobRollup(poster);
    const client = await L1Client.connect(url, deployment, POSTER);
    const dir = tmpDir("moveset-blob-wt-");
    let wt: Watchtower | undefined;
    try {
      await client.bond(2n * BOND);
      // The blob holds two transactions of arbitrary bytes (each would be malformed), the header declares one: the
      // data fault is the batch's, and it is the one proven (no transaction of a blob that lies is looked at).
      const lying = await postBlobBatch(client, inbox, provider, TXS, txRootOf(TXS.slice(0, 1)), 1n);
      const dep = path.join(dir, "deployment.json");
      fs.writeFileSync(dep, JSON.stringify(record));

      const dry = spawnCli(["challenge", "--batch", "0", "--dry-run", "--json", "--l1", url, "--deployment", dep, "--datadir", path.join(dir, "ch")], {});
      const de = await dry.exit;
      expect(de.code, dry.out()).to.equal(0);
      const j = JSON.parse(dry.out().trim().split("\n").filter((l) => l.startsWith("{\"batch\"")).pop()!);
      expect(j).to.deep.include({ batch: 0, kind: "data", code: "tx-count", prover: "DataProver", tx: 0 });
      expect(j.proofBytes, "header, blob, commitment and KZG proof").to.be.greaterThan(131_072);
      expect(BigInt(j.estimatedGas)).to.be.greaterThan(21_000n);

      // Blocks keep coming (the watchtower acts one confirmation deep).
      await provider.send("evm_setIntervalMining", [1]);
      wt = await Watchtower.start({ l1Url: url, deployment, contracts: record.contracts, key: CHALLENGER, datadir: path.join(dir, "wt"), confirmations: 1, pollMs: 200, verifierWorkers: 0 });
      const rec = await waitFor("the watchtower wins the data fault", async () => {
        const r = await wt!.store.latest(lying.ref.headerHash);
        return r?.phase === "won" ? r : undefined;
      }, 120_000, 200);
      expect(rec.kind).to.equal("data");
      expect(rec.fault).to.deep.include({ kind: "data", code: "tx-count", batchIndex: 0n });
      expect(rec.prover).to.equal("DataProver");
      const view = wt.verifier.batches().find((b) => b.headerHash === lying.ref.headerHash)!;
      expect(view.verdict).to.equal("invalid");
      expect(view.fault?.kind).to.equal("data");
      const logs = await provider.getLogs({ address: deployment.inbox, fromBlock: lying.ref.blockNumber, topics: [inboxInterface().getEvent("BatchesRolledBack")!.topicHash] });
      const rolled = inboxInterface().parseLog(logs[0])!;
      expect(Number(rolled.args.kind)).to.equal(KIND_NUMBER.data);
      expect(rolled.args.index).to.equal(0n);
      expect(String(rolled.args.challenger).toLowerCase()).to.equal(wt.address.toLowerCase());
      expect(rolled.args.reward).to.equal((BOND * REWARD_BPS) / 10_000n);
      expect(rec.reward).to.equal((BOND * REWARD_BPS) / 10_000n);
      expect(await inbox.getFunction("batchCount")()).to.equal(0n);
    } finally {
      await wt?.stop();
      // Back to a block per transaction (anvil leaves automining off after interval mining).
      await provider.send("evm_setIntervalMining", [0]).catch(() => undefined);
      await provider.send("evm_setAutomine", [true]);
      client.close();
    }
  });

  for (const postMode of ["blob", "auto"] as const) {
    it(`a coordinator in post mode ${postMode} posts its batches in blobs on an L1 that serves them, and its verifier reads them back valid`, async () => {
      const poster = new Wallet(POSTER, provider);
      const { deployment } = await deployBlobRollup(poster);
      await (await inboxAt(deployment.inbox, poster).bond({ value: 4n * BOND })).wait();
      const node = await startNode({
        l1Url: url, deployment, key: POSTER, datadir: tmpDir("moveset-blob-node-"), rpc: { port: await freePort() },
        coordinator: { batchIntervalMs: 100, pollMs: 50, postMode }, verifier: { confirmations: 0, pollMs: 100, workers: 0 },
      });
      try {
        // Two deposits, then a batch of each.
        for (const [i, value] of [10n ** 15n, 2n * 10n ** 15n].entries()) {
          await (await bridgeAt(deployment.bridge, new Wallet(CHALLENGER, provider)).deposit(poster.address, { value })).wait();
          await waitFor(`batch ${i}, with the deposit`, async () => (node.chain.tip()?.index ?? -1n) >= BigInt(i), 60_000);
        }
        const logs = await provider.getLogs({ address: deployment.inbox, fromBlock: deployment.deployedAt, topics: [inboxInterface().getEvent("BatchAppended")!.topicHash] });
        expect(logs.length).to.be.greaterThan(0);
        for (const l of logs) expect(Number(inboxInterface().parseLog(l)!.args.dataSource), "posted in a blob").to.equal(DataSource.Blob);
        await waitFor("the verifier reads every batch back from its blob and finds it valid", async () => {
          const bs = node.verifier!.batches();
          return bs.length === logs.length && bs.every((b) => b.verdict === "valid");
        }, 60_000);
      } finally {
        await node.stop();
      }
    });
  }

  it("with --l1-beacon a node reads blob batches from the beacon API only (never anvil_getBlobByHash): a lying or failing beacon is refused and asked again, then the batches are valid", async () => {
    const poster = new Wallet(POSTER, provider);
    const { deployment, record } = await deployBlobRollup(poster);
    await (await inboxAt(deployment.inbox, poster).bond({ value: 4n * BOND })).wait();
    const proxy = await anvilProxy(url);
    proxy.mode = "lie";
    const { lines, log } = captureLogs("info");
    const node = await startNode({
      l1Url: proxy.url, l1Beacon: proxy.url, deployment, key: POSTER, datadir: tmpDir("moveset-beacon-node-"), rpc: { port: await freePort() },
      coordinator: { batchIntervalMs: 100, pollMs: 50, postMode: "auto" }, verifier: { confirmations: 0, pollMs: 100, workers: 0 }, log,
    });
    try {
      expect(node.l1.beacon?.mode?.kind, "anvil's beacon API: no /eth/v1/config/spec, genesis = block 0").to.equal("execution-block");
      expect(await node.l1.servesBlobs(), "auto: blobs come back through the beacon").to.equal(true);
      await (await bridgeAt(deployment.bridge, new Wallet(CHALLENGER, provider)).deposit(poster.address, { value: 10n ** 15n })).wait();
      await waitFor("batch 0 posted", async () => (node.chain.tip()?.index ?? -1n) >= 0n, 60_000);
      const appended = await provider.getLogs({ address: deployment.inbox, fromBlock: deployment.deployedAt, topics: [inboxInterface().getEvent("BatchAppended")!.topicHash] });
      expect(appended.map((l) => Number(inboxInterface().parseLog(l)!.args.dataSource)), "auto posts in a blob").to.deep.equal([DataSource.Blob]);
      // The beacon answers another (valid) blob: refused, logged, the batch stays unchecked and is asked again.
      const refused = await waitFor("the verifier refuses the lying beacon's blob", async () => lines.find((l) => l.msg === "cannot read the data of a batch: skipped for now (following L1 goes on; batches after it wait, and it is read again on the next poll)" && /does not give versioned hash/.test(String(l.reason))), 60_000);
      expect(String(refused.reason)).to.contain(proxy.url.replace(/\/$/, ""));
      expect(lines.some((l) => l.msg === "the beacon answered a blob that is not the one asked for: refused")).to.equal(true);
      expect(node.verifier!.batches().some((b) => b.verdict === "valid")).to.equal(false);
      // Down (HTTP 503, retried in the call, then on the next poll), then honest: the batch is read and valid.
      proxy.mode = "down";
      await waitFor("the verifier says the beacon is down", async () => lines.find((l) => /HTTP 503/.test(String(l.reason ?? ""))), 60_000);
      proxy.mode = "honest";
      await waitFor("the verifier reads batch 0 from the beacon and finds it valid", async () => node.verifier!.batches().some((b) => b.index === 0n && b.verdict === "valid"), 60_000);
      expect(lines.some((l) => l.msg === "batch data read after all")).to.equal(true);
      expect(proxy.rpcBlobCalls, "anvil_getBlobByHash never asked").to.equal(0);

      // L1's endpoint down for 4 s: the coordinator's failed rounds back off (tick-backoff.ts: 1 s, 2 s, 4 s, then
      // every 5 s; without it, one each L1 poll of 500 ms: 8), and it posts again once L1 answers.
      const before = lines.length;
      proxy.mode = "rpc-down";
      await new Promise((r) => setTimeout(r, 4000));
      proxy.mode = "honest";
      const failed = lines.slice(before).filter((l) => l.msg === "coordinator tick failed; retrying");
      expect(failed.length, "the coordinator's rounds failed while L1 was down").to.be.at.least(1);
      expect(failed.length, "failed rounds logged in 4 s").to.be.at.most(4);
      expect(failed.map((l) => l.retryInMs)).to.deep.equal(failed.map((_l, i) => Math.min(500 * 2 ** (i + 1), 5000)));
      const tip = node.chain.tip()!.index;
      await (await bridgeAt(deployment.bridge, new Wallet(CHALLENGER, provider)).deposit(poster.address, { value: 10n ** 15n })).wait();
      await waitFor("a batch posted after L1 came back", async () => node.chain.tip()!.index > tip, 60_000);
      expect(lines.some((l) => l.msg === "coordinator round succeeded again")).to.equal(true);
      expect(proxy.beaconPaths.some((p) => p.startsWith(`/eth/v1/beacon/blobs/${appended[0].blockHash.toLowerCase()}?versioned_hashes=0x01`)), proxy.beaconPaths.join(" ")).to.equal(true);

      // Without a beacon, on an L1 that serves no blobs: unreadable, and the reason names --l1-beacon.
      const plain = await L1Client.connect(proxy.url, deployment);
      try {
        const ref = L1Client.parseAppend({ ...appended[0], transactionHash: appended[0].transactionHash, blockHash: appended[0].blockHash, index: appended[0].index, transactionIndex: appended[0].transactionIndex, topics: [...appended[0].topics] });
        await plain.readBatchData(ref).then(() => expect.fail("read a blob without a source"), (e: unknown) => {
          expect(e).to.be.instanceOf(UnreadableBatch);
          expect((e as UnreadableBatch).reason).to.contain("--l1-beacon");
        });
        expect(await plain.servesBlobs()).to.equal(false);
      } finally {
        plain.close();
      }

      // The CLI: `moveset verify --l1-beacon` reads it valid through the proxy (a bad --l1-beacon: test/cli/context.test.ts).
      const dir = tmpDir("moveset-beacon-cli-");
      const dep = path.join(dir, "deployment.json");
      fs.writeFileSync(dep, JSON.stringify(record));
      const calls = proxy.rpcBlobCalls;
      const v = spawnCli(["verify", "--once", "--json", "--l1", proxy.url, "--l1-beacon", proxy.url, "--deployment", dep, "--datadir", path.join(dir, "v"), "--confirmations", "0", "--workers", "0"], {});
      const ve = await v.exit;
      expect(ve.code, v.out()).to.equal(0);
      const rows = JSON.parse(v.out().slice(v.out().indexOf("[\n"))) as { index: number; verdict: string }[];
      expect(rows.map((r) => [r.index, r.verdict])).to.deep.equal([[0, "valid"], [1, "valid"]]);
      expect(proxy.rpcBlobCalls).to.equal(calls);
    } finally {
      await node.stop();
      await proxy.close();
    }
  });

  it("post mode auto: a blob post that fails makes the coordinator post that batch again in calldata (the back-off), which its verifier reads back valid", async () => {
    const poster = new Wallet(POSTER, provider);
    const { deployment } = await deployBlobRollup(poster);
    await (await inboxAt(deployment.inbox, poster).bond({ value: 4n * BOND })).wait();
    const { lines, log } = captureLogs("info");
    const node = await startNode({
      l1Url: url, deployment, key: POSTER, datadir: tmpDir("moveset-blob-fallback-"), rpc: { port: await freePort() },
      coordinator: { batchIntervalMs: 100, pollMs: 50, postMode: "auto" }, verifier: { confirmations: 0, pollMs: 100, workers: 0 }, log,
    });
    // The first blob post fails before it reaches L1 (as an L1 that refuses the type-3 transaction); nothing else does.
    const tried: boolean[] = [];
    node.coordinator.beforePost = async (post) => {
      tried.push(!!post.blob);
      if (post.blob && tried.filter(Boolean).length === 1) throw new Error("L1 refused the blob transaction (test)");
    };
    try {
      await (await bridgeAt(deployment.bridge, new Wallet(CHALLENGER, provider)).deposit(poster.address, { value: 10n ** 15n })).wait();
      await waitFor("batch 0", async () => (node.chain.tip()?.index ?? -1n) >= 0n, 60_000);
      expect(tried, "a blob first (auto, on an L1 that serves blobs at a low blob price), then calldata").to.deep.equal([true, false]);
      expect(lines.some((l) => l.msg === "blob post failed" && l.mode === "auto")).to.equal(true);
      const logs = await provider.getLogs({ address: deployment.inbox, fromBlock: deployment.deployedAt, topics: [inboxInterface().getEvent("BatchAppended")!.topicHash] });
      expect(logs.map((l) => Number(inboxInterface().parseLog(l)!.args.dataSource))).to.deep.equal([DataSource.Calldata]);
      await waitFor("the verifier finds it valid", async () => node.verifier!.batches().some((b) => b.verdict === "valid"), 60_000);
    } finally {
      node.coordinator.beforePost = undefined;
      await node.stop();
    }
  });

  it("`moveset node --post-mode blob` SIGKILLed right after sending a blob batch resumes: the batch is committed once, the next one goes in a blob too", async function () {
    // Two fresh CLI processes, each loading KZG (16 CPU-s, 40 s on a loaded machine) before its first blob post.
    this.timeout(600_000);
    const poster = new Wallet(POSTER, provider);
    const { deployment, record } = await deployBlobRollup(poster);
    const inbox = inboxAt(deployment.inbox, poster);
    await (await inbox.bond({ value: 4n * BOND })).wait();
    const dir = tmpDir("moveset-blob-crash-");
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(record));
    const port = await freePort();
    const args = ["node", "--l1", url, "--deployment", dep, "--key", "NODE_KEY", "--datadir", path.join(dir, "node"), "--rpc-port", String(port), "--batch-interval", "100", "--post-mode", "blob"];
    const deposit = async (value: bigint) => (await bridgeAt(deployment.bridge, new Wallet(CHALLENGER, provider)).deposit(poster.address, { value })).wait();
    const appends = async () => (await provider.getLogs({ address: deployment.inbox, fromBlock: deployment.deployedAt, topics: [inboxInterface().getEvent("BatchAppended")!.topicHash] })).map((l) => inboxInterface().parseLog(l)!);

    await deposit(10n ** 15n);
    const first = spawnCli(args, { NODE_KEY: POSTER, MOVESET_CRASH_AT: "after-send", MOVESET_LOG_LEVEL: "info" });
    const ex = await Promise.race([first.exit, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("not killed: " + first.out().slice(-3000))), 240_000))]);
    expect(ex.signal, first.out().slice(-3000)).to.equal("SIGKILL");
    expect(first.out()).to.contain("failpoint after-send");
    await waitFor("the blob batch on L1", async () => (await inbox.batchCount()) === 1n, 30_000);

    const second = spawnCli(args, { NODE_KEY: POSTER, MOVESET_LOG_LEVEL: "info" });
    try {
      const l2 = new JsonRpcProvider(`http://127.0.0.1:${port}`, Network.from(901n), { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
      try {
        await waitFor("the restarted node has batch 0 as its block 1", async () => (await l2.getBlockNumber().catch(() => -1)) >= 1, 90_000, 250);
        await deposit(2n * 10n ** 15n);
        await waitFor("batch 1", async () => (await inbox.batchCount()) === 2n && (await l2.getBlockNumber()) >= 2, 90_000, 250);
        expect(await l2.getBalance(poster.address)).to.equal(3n * 10n ** 15n);
      } finally {
        l2.destroy();
      }
      const a = await appends();
      expect(a.map((e) => Number(e.args.index)), "each batch appended once").to.deep.equal([0, 1]);
      for (const e of a) expect(Number(e.args.dataSource)).to.equal(DataSource.Blob);
      expect(second.out()).to.contain("committed the batch that was being posted before the restart");
    } finally {
      second.p.kill("SIGTERM");
      await second.exit;
    }
  });
});
