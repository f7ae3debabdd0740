/**
 * Reading a batch's data where its BatchAppended event says it is (node/l1/batch-source.ts, L1Client): the
 * calldata of an `appendBatch` transaction, decoded as Solidity decodes it (also a non-canonical encoding that
 * L1 accepted), or the BatchData event of `appendBatchFromContract` (also several batches in one transaction).
 * Anything that is not the batch's data (another target, out-of-bounds offsets, bytes that do not hash to the
 * header's dataHash, a missing event) is an UnreadableBatch with its reason, never a wrong batch.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { concatBytes, hexToBytes, bytesToHex, u256 } from "../../../core/bytes";
import { encodeBatchData } from "../../../core/batch";
import { inboxInterface } from "../../../node/l1/contracts";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Level } from "level";
import { L1Client } from "../../../node/l1/client";
import { L1Follower } from "../../../node/l1/follower";
import { rootLogger } from "../../../node/log";
import {
  APPEND_BATCH_SELECTOR, DataSource, UnreadableBatch, dataFromAppendCalldata, dataFromEvent, dataFromTx, type AppendRef,
} from "../../../node/l1/batch-source";
import { startL1Server } from "../../../node/devnet/devnet";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";
import type { Inbox, SafeLikeForwarder } from "../../../typechain-types";
import { BOND, WINDOW, DELAY, MAX_DEPOSITS, MIN_BASE_FEE, L2_CHAIN_ID, sol, nextBatch, transferTx, deployAll, type Built } from "../../helpers/inbox";

/** appendBatch calldata with the data placed `gapWords` words after the head (Solidity reads it; canonical is 0). */
function calldataWithGap(b: Built, gapWords: number): Uint8Array {
  const canonical = hexToBytes(inboxInterface().encodeFunctionData("appendBatch", [sol(b.header), b.data]) as `0x${string}`);
  const head = canonical.subarray(4, 4 + 14 * 32);
  const tail = canonical.subarray(4 + 15 * 32); // length word, data, padding
  const junk = new Uint8Array(gapWords * 32).fill(0xab);
  return concatBytes(hexToBytes(APPEND_BATCH_SELECTOR as `0x${string}`), head, u256(BigInt(15 * 32 + gapWords * 32)), junk, tail);
}

describe("node: where batch data is (batch-source, L1Client.readBatchData)", function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startL1Server>>;
  let l1: L1Client;
  let inbox: Inbox;
  let forwarder: SafeLikeForwarder;
  let alice: Awaited<ReturnType<typeof deployAll>>["alice"];
  let db: Level<string, string>;
  let follower: L1Follower;
  /** Live batch `index` as posted, read through the node's L1 follower. */
  const postedBatch = async (index: bigint) => follower.posted(await follower.poll(), index);

  before(async () => {
    const f = await deployAll({ bonds: 8n });
    inbox = f.inbox;
    alice = f.alice;
    forwarder = (await (await ethers.getContractFactory("SafeLikeForwarder")).deploy(alice.address)) as unknown as SafeLikeForwarder;
    await (await forwarder.connect(alice).exec(await inbox.getAddress(), 4n * BOND, inbox.interface.encodeFunctionData("bond"), { value: 4n * BOND })).wait();
    server = await startL1Server(hre, "127.0.0.1", 0);
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: L2_CHAIN_ID, inbox: await inbox.getAddress(), bridge: await f.bridge.getAddress(), deployedAt: 0,
      challengeWindow: WINDOW, bondSize: BOND, inclusionDelay: DELAY, maxDepositsPerBatch: MAX_DEPOSITS, minBaseFee: MIN_BASE_FEE, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n,
    };
    l1 = await L1Client.connect(server.url, deployment);
    db = new Level<string, string>(fs.mkdtempSync(path.join(os.tmpdir(), "moveset-bs-")));
    follower = await L1Follower.open(l1, db, { confirmations: 0, logRange: 5000 }, rootLogger());
  });

  after(async () => {
    await db?.close();
    l1?.close();
    await server?.close();
  });

  /** The AppendRef of the last BatchAppended of transaction `hash`. */
  async function refOf(hash: string, index?: bigint): Promise<{ ref: AppendRef; logs: import("ethers").Log[] }> {
    const rc = (await l1.provider.getTransactionReceipt(hash))!;
    const logs = [...rc.logs];
    const appends = logs.filter((l) => l.topics[0] === inboxInterface().getEvent("BatchAppended")!.topicHash).map((l) => L1Client.parseAppend(l));
    return { ref: appends.filter((a) => index === undefined || a.index === index).pop()!, logs };
  }

  it("the selector and data sources are the contract's", () => {
    expect(APPEND_BATCH_SELECTOR).to.equal(inboxInterface().getFunction("appendBatch")!.selector);
    expect(DataSource).to.deep.equal({ Calldata: 0, Event: 1, Blob: 2 });
  });

  it("calldata: a canonical appendBatch is read back, from the block and the transaction's index", async () => {
    const b = await nextBatch(inbox, [transferTx(1), transferTx(2)]);
    const tx = await inbox.connect(alice).appendBatch(sol(b.header), b.data);
    await tx.wait();
    const { ref } = await refOf(tx.hash);
    expect(ref.dataSource).to.equal(DataSource.Calldata);
    expect(bytesToHex(await l1.readBatchData(ref))).to.equal(bytesToHex(b.data));
    const posted = (await postedBatch(ref.index))!;
    expect(bytesToHex(posted.data!)).to.equal(bytesToHex(b.data));
    expect(posted.unreadable).to.equal(undefined);
    expect(posted.poster).to.equal(alice.address.toLowerCase());
  });

  it("calldata: a non-canonical encoding that Solidity accepts (data offset past junk words) is read exactly as L1 read it", async () => {
    const b = await nextBatch(inbox, [transferTx(3)]);
    const input = calldataWithGap(b, 3);
    const tx = await alice.sendTransaction({ to: await inbox.getAddress(), data: bytesToHex(input) });
    const rc = (await tx.wait())!;
    expect(rc.status).to.equal(1);
    expect(await inbox.tipHash()).to.equal(b.hash);
    const { ref } = await refOf(tx.hash);
    expect(bytesToHex(await l1.readBatchData(ref))).to.equal(bytesToHex(b.data));
  });

  it("event: one batch, and two batches in one transaction, through a Safe-like account", async () => {
    const inboxAddr = await inbox.getAddress();
    const b0 = await nextBatch(inbox, [transferTx(4)]);
    const t0 = await forwarder.connect(alice).exec(inboxAddr, 0n, inbox.interface.encodeFunctionData("appendBatchFromContract", [sol(b0.header), b0.data]));
    await t0.wait();
    const { ref: r0 } = await refOf(t0.hash);
    expect(r0.dataSource).to.equal(DataSource.Event);
    expect(r0.poster).to.equal((await forwarder.getAddress()).toLowerCase());
    // Without the logs at hand it asks L1 for the BatchData of that block.
    expect(bytesToHex(await l1.readBatchData(r0))).to.equal(bytesToHex(b0.data));
    expect(bytesToHex((await postedBatch(r0.index))!.data!)).to.equal(bytesToHex(b0.data));

    // Two in one transaction: the second builds on the first; each gets its own data.
    const { headerHash, txRootOf, batchDataHash } = await import("../../../core/batch");
    const b1 = await nextBatch(inbox, [transferTx(5)]);
    const { batchTxOf } = await import("../../../core/gas");
    const txs2 = [transferTx(6), transferTx(7)].map((t) => batchTxOf(t));
    const d2 = encodeBatchData(txs2);
    const h2 = { ...b1.header, index: b1.header.index + 1n, parent: headerHash(b1.header), firstSeq: b1.header.firstSeq + 1n, txCount: 2n, txRoot: txRootOf(txs2), number: b1.header.number + 1n, dataHash: batchDataHash(d2) };
    const calls = [sol(b1.header), sol(h2)].map((h, i) => inbox.interface.encodeFunctionData("appendBatchFromContract", [h, i === 0 ? b1.data : d2]));
    const t1 = await forwarder.connect(alice).execMany([inboxAddr, inboxAddr], [0n, 0n], calls);
    await t1.wait();
    const first = await refOf(t1.hash, b1.header.index);
    const second = await refOf(t1.hash, h2.index);
    expect(bytesToHex(await l1.readBatchData(first.ref, first.logs))).to.equal(bytesToHex(b1.data));
    expect(bytesToHex(await l1.readBatchData(second.ref, second.logs))).to.equal(bytesToHex(d2));
    expect(bytesToHex(await l1.readBatchData(second.ref))).to.equal(bytesToHex(d2));
  });

  it("anything but the batch's data is an UnreadableBatch with its reason", async () => {
    const b = await nextBatch(inbox, [transferTx(9)]);
    const good = hexToBytes(inboxInterface().encodeFunctionData("appendBatch", [sol(b.header), b.data]) as `0x${string}`);
    expect(bytesToHex(dataFromAppendCalldata(good))).to.equal(bytesToHex(b.data));
    const unreadable = (f: () => unknown, re: RegExp) => {
      expect(f).to.throw(UnreadableBatch, re);
    };
    const withWord = (at: number, v: bigint) => {
      const c = Uint8Array.from(good);
      c.set(u256(v), 4 + at);
      return c;
    };
    unreadable(() => dataFromAppendCalldata(Uint8Array.of(1, 2, 3)), /does not call appendBatch/);
    unreadable(() => dataFromAppendCalldata(hexToBytes(inboxInterface().encodeFunctionData("bond") as `0x${string}`)), /does not call appendBatch/);
    unreadable(() => dataFromAppendCalldata(good.subarray(0, 4 + 14 * 32)), /shorter than its head/);
    unreadable(() => dataFromAppendCalldata(withWord(14 * 32, 1n << 64n)), /offset .* out of bounds/);
    unreadable(() => dataFromAppendCalldata(withWord(14 * 32, BigInt(good.length))), /offset .* out of bounds/);
    unreadable(() => dataFromAppendCalldata(withWord(15 * 32, BigInt(good.length))), /length .* out of bounds/);
    const ref: AppendRef = {
      index: b.header.index, headerHash: b.hash, header: b.header, poster: alice.address.toLowerCase(), dataSource: DataSource.Calldata,
      l1TxHash: "0x" + "11".repeat(32), blockHash: "0x" + "22".repeat(32), blockNumber: 1, txIndex: 0, logIndex: 0,
    };
    const inboxAddr = await inbox.getAddress();
    unreadable(() => dataFromTx(ref, { hash: ref.l1TxHash, to: alice.address, input: good }, inboxAddr), /not the Inbox/);
    unreadable(() => dataFromTx(ref, { hash: ref.l1TxHash, to: null, input: good }, inboxAddr), /not the Inbox/);
    unreadable(() => dataFromTx(ref, { hash: "0x" + "33".repeat(32), to: inboxAddr, input: good }, inboxAddr), /expected/);
    // Another batch's calldata: bytes that do not hash to this header's dataHash.
    const other = await nextBatch(inbox, [transferTx(10)]);
    const otherCalldata = hexToBytes(inboxInterface().encodeFunctionData("appendBatch", [sol(other.header), other.data]) as `0x${string}`);
    unreadable(() => dataFromTx(ref, { hash: ref.l1TxHash, to: inboxAddr, input: otherCalldata }, inboxAddr), /does not hash to the header's dataHash/);
    expect(bytesToHex(dataFromTx(ref, { hash: ref.l1TxHash, to: inboxAddr.toLowerCase(), input: good }, inboxAddr))).to.equal(bytesToHex(b.data));
    unreadable(() => dataFromEvent({ ...ref, dataSource: DataSource.Event }, undefined), /no BatchData event/);
    unreadable(() => dataFromEvent({ ...ref, dataSource: DataSource.Event }, other.data), /does not hash/);
    // An event that names another source than the two known.
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const e7 = await failure(l1.readBatchData({ ...ref, dataSource: 7 }));
    expect(e7).to.be.instanceOf(UnreadableBatch);
    expect((e7 as Error).message).to.match(/unknown data source 7/);
    // A BatchAppended whose calldata transaction L1 does not have at that place: an error (asked again later), not a wrong batch.
    expect(await failure(l1.readBatchData(ref))).to.be.instanceOf(Error);
  });
});
