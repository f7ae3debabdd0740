/**
 * Posting (L1Client.appendBatch): the appendBatch transaction is built and signed once as raw bytes
 * (node/l1/raw-tx.ts, contracts.ts appendBatchCalldata) and sent with eth_sendRawTransaction. Its
 * calldata is byte for byte ethers' ABI encoding, its signature ethers' (the sender recovers to the
 * poster), L1 appends the batch, and a revert found while estimating is a typed L1RevertError. The
 * devnet's L1 journal records such a transaction with exactly the bytes that were sent.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Transaction, Wallet } from "ethers";
import { bytesToHex } from "../../../core/bytes";
import { L1Client, L1RevertError } from "../../../node/l1/client";
import { appendBatchCalldata, inboxInterface } from "../../../node/l1/contracts";
import { signEip1559 } from "../../../node/l1/raw-tx";
import { startL1Server } from "../../../node/devnet/devnet";
import { devAccounts } from "../../../node/devnet/accounts";
import { L1Journal, type Request } from "../../../node/devnet/journal";
import { rootLogger } from "../../../node/log";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";
import type { Inbox } from "../../../typechain-types";
import { deployDictionary } from "../../helpers/flz";
import { BOND, WINDOW, DELAY, MAX_DEPOSITS, MIN_BASE_FEE, L2_CHAIN_ID, sol, nextBatch, transferTx, deployAll } from "../../helpers/inbox";

describe("node: posting appendBatch as one signed raw transaction (L1Client)", function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startL1Server>>;
  let l1: L1Client;
  let inbox: Inbox;
  let journal: L1Journal;
  let dir: string;
  const request: Request = (method, params) => hre.network.provider.request({ method, params: params ?? [] });

  before(async () => {
    const f = await deployAll({ bonds: 4n });
    inbox = f.inbox;
    const key = devAccounts(2)[1];
    expect(key.address).to.equal(f.alice.address, "alice is dev account #1");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-l1client-"));
    journal = L1Journal.open(path.join(dir, "journal.jsonl"));
    server = await startL1Server(hre, "127.0.0.1", 0, journal);
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: L2_CHAIN_ID, inbox: await inbox.getAddress(), bridge: await f.bridge.getAddress(), deployedAt: 0,
      challengeWindow: WINDOW, bondSize: BOND, inclusionDelay: DELAY, maxDepositsPerBatch: MAX_DEPOSITS, minBaseFee: MIN_BASE_FEE, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
    };
    l1 = await L1Client.connect(server.url, deployment, key.privateKey);
  });

  after(async () => {
    l1?.close();
    await server?.close();
    await journal?.stop(request);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("dictionary(): empty while none is bound, then the holder's code less its STOP; kept once final, read again until then", async () => {
    // The provers are locked: no dictionary can be bound any more, so the empty one is kept.
    expect(await l1.dictionary()).to.deep.equal(new Uint8Array(0));
    const kept = l1.dictionary();
    expect(l1.dictionary()).to.equal(kept, "final: kept");
    // Each transaction waited for: the shared in-process L1 may be mining on an interval (an e2e file before this one).
    const bridge = await (await (await ethers.getContractFactory("Bridge")).deploy()).waitForDeployment();
    const fresh = (await (await (await ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), L2_CHAIN_ID, BOND, WINDOW, DELAY, 5000n, 256n, 1n, EMPTY_GENESIS_ROOT, 0n)).waitForDeployment()) as unknown as Inbox;
    const c = await L1Client.connect(server.url, { ...l1.deployment, inbox: await fresh.getAddress(), bridge: await bridge.getAddress() });
    try {
      expect(await c.dictionary()).to.deep.equal(new Uint8Array(0));
      const before = c.dictionary();
      expect(c.dictionary()).to.not.equal(before, "not final (no batch, provers not locked): read again, never shared");
      expect(await before).to.deep.equal(new Uint8Array(0));
      const dict = Uint8Array.from({ length: 300 }, (_, i) => (i * 13 + 1) & 0xff);
      await (await fresh.setDictionary(await deployDictionary(hre, dict))).wait();
      expect(await c.dictionary()).to.deep.equal(dict, "a client started before the binding sees it");
      const bound = c.dictionary();
      expect(c.dictionary()).to.equal(bound, "bound: kept");
      expect(await bound).to.deep.equal(dict);
    } finally {
      c.close();
    }
  });

  it("appendBatchCalldata is ethers' ABI encoding, for data of every length modulo a word (and none)", async () => {
    const b = await nextBatch(inbox, [transferTx(1)]);
    for (const n of [0, 1, 31, 32, 33, 300, 40_000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
      expect(bytesToHex(appendBatchCalldata(b.header, data))).to.equal(inboxInterface().encodeFunctionData("appendBatch", [sol(b.header), data]));
    }
  });

  it("signEip1559: ethers reads the bytes back to the same fields, hash and signer", () => {
    const key = devAccounts(3)[2];
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const to = new Uint8Array(20).fill(0x11);
    const s = signEip1559({ chainId: 31337n, nonce: 5n, gasLimit: 100_000n, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, to, value: 7n, data }, ethers.getBytes(key.privateKey));
    const t = Transaction.from(bytesToHex(s.raw));
    expect(t.from).to.equal(key.address);
    expect(t.hash).to.equal(s.hash);
    expect([t.type, t.chainId, t.nonce, t.gasLimit, t.maxFeePerGas, t.maxPriorityFeePerGas, t.to, t.value, t.data]).to.deep.equal([
      2, 31337n, 5, 100_000n, 3_000_000_000n, 1_000_000_000n, bytesToHex(to), 7n, bytesToHex(data),
    ]);
    // Zero fields are the empty string (ethers re-serializes exactly the same bytes), and a wrong-size recipient is refused.
    const z = signEip1559({ chainId: 1n, nonce: 0n, gasLimit: 21_000n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, to, value: 0n, data: new Uint8Array(0) }, ethers.getBytes(key.privateKey));
    const tz = Transaction.from(bytesToHex(z.raw));
    expect([tz.from, tz.hash, tz.serialized]).to.deep.equal([key.address, z.hash, bytesToHex(z.raw)]);
    expect(Transaction.from(bytesToHex(s.raw)).serialized).to.equal(bytesToHex(s.raw));
    expect(() => signEip1559({ chainId: 1n, nonce: 0n, gasLimit: 21_000n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, to: new Uint8Array(19), value: 0n, data: new Uint8Array(0) }, ethers.getBytes(key.privateKey))).to.throw(RangeError);
  });

  it("appendBatch: L1 appends the batch from the poster; the receipt is waited for; the journal records the bytes sent", async () => {
    await journal.startRecording(request, 50, rootLogger());
    const b = await nextBatch(inbox, Array.from({ length: 40 }, (_, i) => transferTx(10 + i)));
    const sent = await l1.appendBatch(b.header, b.data);
    const mined = await l1.wait(sent, 30_000);
    expect(mined.status).to.equal(1);
    expect(await inbox.tipHash()).to.equal(b.hash);
    const onL1 = (await l1.provider.getTransaction(sent.hash))!;
    expect(onL1.from).to.equal(l1.address);
    expect(onL1.data).to.equal(inboxInterface().encodeFunctionData("appendBatch", [sol(b.header), b.data]));
    await journal.stop(request);
    const lines = fs.readFileSync(journal.file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { t: string; n?: number; txs?: { raw?: string }[] });
    const block = lines.find((l) => l.t === "block" && l.n === mined.blockNumber)!;
    expect(block.txs).to.deep.equal([{ raw: bytesToHex(sent.raw) }]);
  });

  it("a revert found while estimating is an L1RevertError with the contract's error (nothing is sent)", async () => {
    const b = await nextBatch(inbox, [transferTx(90)]);
    const stale = { ...b.header, parent: new Uint8Array(32).fill(9) };
    const nonce = await l1.provider.getTransactionCount(l1.address!, "pending");
    let err: unknown;
    await l1.appendBatch(stale, b.data).catch((e) => (err = e));
    expect(err).to.be.instanceOf(L1RevertError);
    expect((err as L1RevertError).name_).to.equal("ParentNotTip");
    expect(await l1.provider.getTransactionCount(l1.address!, "pending")).to.equal(nonce);
  });

  it("a post L1 mined and reverted for its L1 prices is told apart (L1PriceTooHigh from its block's base fee), any other mined revert is Reverted", async () => {
    const b = await nextBatch(inbox, [transferTx(91)]);
    // appendBatch would not send it (its pending-block check): sent as is, with a gas limit, it is mined and reverts.
    const declared = 10n ** 15n;
    const header = { ...b.header, l1BaseFee: declared };
    let refused: unknown;
    await l1.appendBatch(header, b.data).catch((e) => (refused = e));
    expect((refused as L1RevertError).name_).to.equal("L1PriceTooHigh");
    const poster = new Wallet(devAccounts(2)[1].privateKey, l1.provider);
    // Hardhat refuses a reverting transaction at send while it mines on each: mined by hand instead.
    await request("evm_setAutomine", [false]);
    let sent;
    try {
      sent = await poster.sendTransaction({ to: await inbox.getAddress(), data: bytesToHex(appendBatchCalldata(header, b.data)), gasLimit: 3_000_000 });
      await request("evm_mine");
    } finally {
      await request("evm_setAutomine", [true]);
    }
    let err: unknown;
    await l1.wait(sent, 30_000, header).catch((e) => (err = e));
    expect(err).to.be.instanceOf(L1RevertError);
    const rc = (await l1.provider.getTransactionReceipt(sent.hash))!;
    expect(rc.status).to.equal(0);
    const baseFee = (await l1.provider.getBlock(rc.blockNumber))!.baseFeePerGas!;
    expect((err as L1RevertError).name_).to.equal("L1PriceTooHigh");
    expect((err as L1RevertError).args).to.deep.equal([0n, baseFee, declared]);
    // Declared within the block's prices (or not given), the revert has no known reason.
    for (const d of [{ l1BaseFee: baseFee, l1BlobBaseFee: 0n }, undefined]) {
      err = undefined;
      await l1.wait(sent, 30_000, d).catch((e) => (err = e));
      expect((err as L1RevertError).name_).to.equal("Reverted");
    }
  });
});
