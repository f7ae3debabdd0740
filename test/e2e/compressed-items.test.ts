/**
 * End to end (issue #15 stage 2, protocol.md §7.7): a devnet deployed with the shipped dictionary (`compress`)
 * binds it in the Inbox, and its coordinator posts compressed items that L1 appends: the header's txRoot is of the
 * items as posted, each posted item expands (core/flz.ts expandItem) to exactly the encoding the chain store keeps,
 * an item is compressed exactly where compressItem makes it shorter, and a transaction whose encoding does not
 * compress (8,000 bytes of random calldata) is posted raw.
 */
import { expect } from "chai";
import hre from "hardhat";
import { JsonRpcProvider, Wallet } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { inboxInterface } from "../../node/l1/contracts";
import { splitBatchData, txRootOf } from "../../core/batch";
import { compressItem, expandItem, FLZ_ITEM } from "../../core/flz";
import { bytesToHex, hexToBytes, keccak256 } from "../../core/bytes";
import { txIdHex } from "../../core/sign";
import { decodeTx } from "../../core/tx";
import { defaultDictionary } from "../../deploy/dictionary";
import { cleanupTmp, freePort, receiptOf, tmpDir, waitFor } from "./helpers";

/** `n` bytes that do not compress: keccak in counter mode. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 32) out.set(keccak256(Uint8Array.of(i >> 8, i & 255, 0x5e)).subarray(0, Math.min(32, n - i)), i);
  return out;
}

describe("e2e: the coordinator posts compressed items on a deployment with a dictionary", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;
  const dict = defaultDictionary();

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-compress-"), l1Port, rpcPort, accounts: 3, batchIntervalMs: 150, fund: 10n * 10n ** 18n, compress: true });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  });

  after(async () => {
    l2?.destroy();
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("binds the shipped dictionary; posted items are compressed where shorter, expand to the stored encodings, and L1 appends them", async () => {
    // The deployment binds the dictionary: the Inbox names a holder whose code is 0x00 || DICT.
    const holder = String((await l1.call({ to: d.deployment.inbox, data: inboxInterface().encodeFunctionData("dictionary") })).replace(/^0x0{24}/, "0x"));
    expect(await l1.getCode(holder)).to.equal("0x00" + bytesToHex(dict).slice(2));
    expect(await d.node.l1.dictionary()).to.deep.equal(dict);

    const a = new Wallet(d.accounts[1].privateKey, l2);
    const b = new Wallet(d.accounts[2].privateKey, l2);
    await waitFor("the accounts' deposits", async () => (await l2.getBalance(a.address)) > 0n && (await l2.getBalance(b.address)) > 0n, 60_000, 200);
    const fees = { maxPriorityFeePerGas: 1_000_000_000n, maxFeePerGas: 50_000_000_000n };
    const small = await a.sendTransaction({ to: b.address, value: 1n, gasLimit: 21_000n, ...fees });
    const big = await b.sendTransaction({ to: a.address, value: 2n, data: bytesToHex(noise(8000)), gasLimit: 400_000n, ...fees });
    for (const s of [small, big]) expect((await receiptOf(l2, s.hash, 60_000)).status).to.equal(1);

    // Every batch L1 appended: its data as posted (appendBatch's calldata), against what the chain store keeps.
    const appended = await l1.getLogs({ address: d.deployment.inbox, topics: [inboxInterface().getEvent("BatchAppended")!.topicHash], fromBlock: 0 });
    expect(appended.length).to.be.greaterThan(0);
    const posted = new Map<string, Uint8Array>();
    let compressed = 0;
    for (const log of appended) {
      const ev = inboxInterface().parseLog(log)!;
      const tx = (await l1.getTransaction(log.transactionHash))!;
      const call = inboxInterface().parseTransaction({ data: tx.data })!;
      expect(call.name).to.equal("appendBatch");
      const items = splitBatchData(hexToBytes(call.args[1] as `0x${string}`));
      // L1 accepted a header whose txRoot is of the items as posted.
      expect(bytesToHex(txRootOf(items))).to.equal((ev.args.header as { txRoot: string }).txRoot);
      const stored = await d.node.chain.batchTxs(BigInt(ev.args.index));
      expect(items.length).to.equal(stored.length);
      items.forEach((it, j) => {
        const enc = stored[j].tx;
        expect(bytesToHex(expandItem(it.tx, dict))).to.equal(bytesToHex(enc), `batch ${ev.args.index} item ${j} expands to the stored encoding`);
        expect(bytesToHex(it.tx)).to.equal(bytesToHex(compressItem(enc, dict)), "compressed exactly where that is shorter");
        if (it.tx[0] === FLZ_ITEM) compressed++;
        posted.set(txIdHex(decodeTx(enc)), it.tx);
      });
    }
    // The transfer went compressed (a wrapped transfer's ~270 bytes shrink with the dictionary), as did the deposits.
    expect(compressed).to.be.greaterThan(1);
    const smallItem = posted.get(small.hash.toLowerCase())!;
    expect(smallItem[0]).to.equal(FLZ_ITEM);
    // The random calldata does not compress: posted raw, the transaction's encoding itself.
    const bigItem = posted.get(big.hash.toLowerCase())!;
    expect(bigItem[0]).to.equal(2, "a wrapped transaction, raw");
    expect(bigItem.length).to.be.greaterThan(8000);
  });
});
