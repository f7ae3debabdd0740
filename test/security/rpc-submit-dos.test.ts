/**
 * Attack (high): eth_sendRawTransaction runs the EVM on the node's event loop, for free.
 *
 * Issue 10 finding 6 moved eth_call and eth_estimateGas to a worker with a time limit, but a submitted transaction is
 * still filled (executed up to its 30M gas) on the main thread, under the coordinator's lock (Coordinator.submit →
 * fillFromStore). A transaction that reads more keys than a transaction may declare is refused (over-limit) only
 * after it has run in full, so it costs its sender nothing: each one freezes the RPC and batch production for the
 * seconds its ecrecover loop takes, and a stream of them (each a new nonce-0 transaction with different data) stops
 * the coordinator.
 *
 * Safe behaviour asserted: while such transactions are submitted, the node answers other requests within 250 ms (one
 * such transaction stalled it for 0.4 to 1 s on the main thread, with native crypto).
 *
 * Fixed (issue 10): a submitted transaction is filled on a worker thread of the node's fill pool (node/coordinator/
 * fill-job.ts, node/rpc/call-pool.ts) with a time limit, a bounded queue and a per-client limit (protocol.md §12.4);
 * the coordinator's thread only answers its state reads. The refusals are still refusals, and still free to send:
 * what they no longer cost is the node's event loop.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import { ContractFactory, JsonRpcProvider, Wallet, ethers } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { cleanupTmp, freePort, receiptOf, ROOT, rpc, tmpDir } from "../e2e/helpers";

describe("security: free heavy transactions on the RPC's event loop", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l2: JsonRpcProvider;

  after(async () => {
    l2?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("the node keeps answering while refused 30M-gas transactions are submitted", async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-sec-rpc-"), l1Port, rpcPort, accounts: 4, batchIntervalMs: 200 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    const art = JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/security/RefusedBurner.sol/RefusedBurner.json"), "utf8"));
    const c = await new ContractFactory(art.abi, art.bytecode, new Wallet(d.accounts[1].privateKey, l2)).deploy();
    await c.waitForDeployment();
    const attacker = new Wallet(d.accounts[2].privateKey);
    const chainId = BigInt((await rpc(d.rpcUrl, "eth_chainId")).result as string);
    const nonce = await l2.getTransactionCount(attacker.address);
    const before = await l2.getBalance(attacker.address);
    const data = new ethers.Interface(art.abi).encodeFunctionData("run");

    let worst = 0;
    let stop = false;
    const prober = (async () => {
      while (!stop) {
        const t0 = Date.now();
        await rpc(d.rpcUrl, "eth_chainId");
        worst = Math.max(worst, Date.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const replies: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      // Same nonce, different data each time: each is a new transaction the node must run again.
      const raw = await attacker.signTransaction({ type: 2, chainId, nonce, to: await c.getAddress(), data: data + i.toString(16).padStart(2, "0"), gasLimit: 29_000_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n });
      const r = await rpc(d.rpcUrl, "eth_sendRawTransaction", [raw]);
      replies.push(r.error ? r.error.message.slice(0, 80) : `accepted ${String(r.result)}`);
    }
    const took = Date.now() - t0;
    stop = true;
    await prober;
    const paid = before - (await l2.getBalance(attacker.address));
    expect(
      worst,
      `3 submissions took ${took} ms and cost the attacker ${paid} wei; replies: ${JSON.stringify(replies)}; eth_chainId waited up to ${worst} ms`,
    ).to.be.below(250);
    // Still refused (over-limit: more keys than a transaction may declare), and the attacker paid nothing.
    for (const r of replies) expect(r).to.match(/needs \d+ moves/);
    expect(paid).to.equal(0n);
  });

  it("a wallet's transactions sent all at once (parallel requests, consecutive nonces) are all accepted and included", async () => {
    // Fills run off the event loop and concurrently with acceptance: the later nonces' fills may read the state
    // before the earlier ones are accepted, and are filled again rather than refused ("nonce too high").
    const w = new Wallet(d.accounts[3].privateKey);
    const chainId = BigInt((await rpc(d.rpcUrl, "eth_chainId")).result as string);
    const nonce = await l2.getTransactionCount(w.address);
    const raws = await Promise.all(
      Array.from({ length: 8 }, (_, i) => w.signTransaction({ type: 2, chainId, nonce: nonce + i, to: d.accounts[1].address, value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })),
    );
    const replies = await Promise.all(raws.map((r) => rpc(d.rpcUrl, "eth_sendRawTransaction", [r])));
    expect(replies.map((r) => r.error?.message ?? "ok")).to.deep.equal(raws.map(() => "ok"));
    for (const r of replies) expect((await receiptOf(l2, r.result as string, 60_000)).status).to.equal(1);
    expect(await l2.getTransactionCount(w.address)).to.equal(nonce + 8);
  });
});
