/**
 * End to end (issue 10, finding 7): replay of transactions signed without a chain id. A legacy
 * transaction without EIP-155 protection is valid on every chain, so whoever saw it (on mainnet,
 * years ago) could replay it on L2 once its sender holds funds there. The RPC refuses it by
 * default with geth's words; an operator who opts in (--rpc-allow-unprotected-txs, e.g. for a
 * keyless deployment) gets it included, and the protocol accepts it in a batch (verifier: valid),
 * as Ethereum does (protocol.md §5.4).
 */
import { expect } from "chai";
import hre from "hardhat";
import { JsonRpcProvider, Transaction, Wallet } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { ethMethods, UNPROTECTED_MESSAGE } from "../../node/rpc/eth";
import { RpcServer } from "../../node/rpc/server";
import { LatestCache } from "../../node/state/view";
import { encodeTx, hexToBytes, bytesToHex, TxType } from "../../core";
import { cleanupTmp, freePort, receiptOf, rpc, tmpDir, waitFor } from "./helpers";

describe("e2e: legacy transactions without replay protection", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  const victim = Wallet.createRandom();
  let raw: string;

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-unprot-"), l1Port, rpcPort, accounts: 4, batchIntervalMs: 150 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    await (await new Wallet(d.accounts[1].privateKey, l2).sendTransaction({ to: victim.address, value: 10n ** 17n })).wait();
    // What the victim once signed on a chain without EIP-155: valid on every chain.
    raw = await victim.signTransaction({ type: 0, to: d.accounts[2].address, value: 12345n, nonce: 0, gasLimit: 21000n, gasPrice: 2_000_000_000n, chainId: 0n });
    expect(Transaction.from(raw).chainId).to.equal(0n);
  });

  after(async () => {
    l2?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("refused by default, through eth_sendRawTransaction and as a wrapped move transaction, with geth's message", async () => {
    const r = await rpc(d.rpcUrl, "eth_sendRawTransaction", [raw]);
    expect(r.error).to.deep.include({ code: -32000, message: "only replay-protected (EIP-155) transactions allowed over RPC" });
    const wrapped = bytesToHex(encodeTx({ type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] }));
    const m = await rpc(d.rpcUrl, "moveset_sendMoveTransaction", [wrapped]);
    expect(m.error?.message).to.equal(UNPROTECTED_MESSAGE);
    expect(await l2.getTransactionCount(victim.address)).to.equal(0);
    // A protected transaction of the same sender goes through.
    const ok = await victim.connect(l2).sendTransaction({ type: 0, to: d.accounts[2].address, value: 1n, gasLimit: 21000n, gasPrice: 2_000_000_000n, nonce: 0 });
    expect((await ok.wait())!.status).to.equal(1);
  });

  it("with the operator's opt-in it is accepted, included, and the verifier finds the batch valid (the protocol accepts it)", async () => {
    const replay = await victim.signTransaction({ type: 0, to: d.accounts[2].address, value: 777n, nonce: 1, gasLimit: 21000n, gasPrice: 2_000_000_000n, chainId: 0n });
    const n = d.node;
    const optIn = new RpcServer(
      ethMethods({
        deployment: d.deployment, chain: n.chain, cache: new LatestCache(n.utxo, n.chain), utxo: n.utxo, coordinator: n.coordinator, verifier: n.verifier,
        suggestedTip: 0n, feeRecipient: new Uint8Array(20), maxLogRange: 100, gasCap: 30_000_000n, allowUnprotectedTxs: true,
        calls: { run: () => Promise.reject(new Error("no calls here")) },
      }),
      { host: "127.0.0.1", port: await freePort() },
    );
    await optIn.listen();
    try {
      const r = await rpc(optIn.url, "eth_sendRawTransaction", [replay]);
      expect(r.error, JSON.stringify(r.error)).to.equal(undefined);
      const rec = await receiptOf(l2, r.result as string);
      expect(rec.status).to.equal(1);
      const batch = (await n.chain.txLocation(String(r.result)))!;
      const bt = (await n.chain.batch(batch.index))!;
      await waitFor("the verifier's verdict", async () => n.verifier!.verdictOf(bt.hash));
      expect(n.verifier!.verdictOf(bt.hash)!.status).to.equal("valid");
    } finally {
      await optIn.close();
    }
  });
});
