/**
 * End to end (issue 10, finding 6): the L2 RPC under a denial-of-service attempt. While a flood of
 * heavy calls (a contract hashing or recovering signatures until its 30M gas run out) keeps the
 * call worker and its queue full, the node still accepts transactions and includes them; calls
 * past the time limit are stopped with geth's "execution aborted (timeout = …)", calls beyond the
 * queue get -32005, gas beyond the cap is capped; batches, bodies and CORS follow the limits.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import { ContractFactory, JsonRpcProvider, Wallet, ethers } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { cleanupTmp, freePort, rawRpc, receiptOf, ROOT, rpc, tmpDir, waitFor } from "./helpers";

describe("e2e: RPC limits under a flood of heavy calls", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let burner: string;
  const art = JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/Burner.sol/Burner.json"), "utf8"));
  const iface = new ethers.Interface(art.abi);

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-rpc-"), l1Port, rpcPort, accounts: 6, batchIntervalMs: 150, rpc: { evmTimeoutMs: 1000, callQueue: 4 } });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    const c = await new ContractFactory(art.abi, art.bytecode, new Wallet(d.accounts[3].privateKey, l2)).deploy();
    await c.waitForDeployment();
    burner = await c.getAddress();
  });

  after(async () => {
    l2?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("keeps accepting and including transactions while heavy calls flood it; the calls are stopped or refused with geth-like errors", async () => {
    const errors: { code: number; message: string }[] = [];
    let stop = false;
    const flooder = async (fn: string) => {
      while (!stop) {
        const r = await rpc(d.rpcUrl, "eth_call", [{ to: burner, data: iface.encodeFunctionData(fn) }, "latest"]);
        if (r.error) errors.push(r.error);
      }
    };
    const flood = Array.from({ length: 12 }, (_, i) => flooder(i % 2 ? "hashes" : "recovers"));
    const aborted = (e: { code: number; message: string }) => e.code === -32000 && e.message === "execution aborted (timeout = 1s)";
    const queueFull = (e: { code: number; message: string }) => e.code === -32005 && /too many pending calls/.test(e.message);
    try {
      // The flood is on once the call queue overflows.
      await waitFor("the call queue full", async () => errors.some(queueFull));
      const w = new Wallet(d.accounts[4].privateKey, l2);
      const fees = { gasLimit: 21000n, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 100_000_000n };
      for (let i = 0; i < 3; i++) {
        const tx = await w.sendTransaction({ to: d.accounts[5].address, value: 1000n + BigInt(i), ...fees });
        const r = await receiptOf(l2, tx.hash);
        expect(r.status, `transfer ${i} included during the flood`).to.equal(1);
      }
      // Calls run past the time limit are stopped with geth's error while the flood lasts (a call runs 1 s first).
      await waitFor("a call stopped at the time limit", async () => errors.some(aborted));
    } finally {
      stop = true;
      await Promise.all(flood);
    }
    // Afterwards calls work again; gas above the cap is capped (geth's --rpc.gascap), not refused.
    const r = await rpc(d.rpcUrl, "eth_call", [{ to: burner, data: iface.encodeFunctionData("gas"), gas: "0x" + (100_000_000).toString(16) }, "latest"]);
    const left = BigInt(r.result as string);
    expect(left > 29_000_000n && left <= 30_000_000n, String(left)).to.equal(true);
    const est = await rpc(d.rpcUrl, "eth_estimateGas", [{ from: d.accounts[4].address, to: d.accounts[5].address, value: "0x1" }]);
    expect(est.result).to.equal("0x5208");
  });

  it("batch, body and CORS limits with the defaults", async () => {
    const big = Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "eth_chainId" }));
    expect((await rawRpc(d.rpcUrl, big)).json).to.deep.equal([{ jsonrpc: "2.0", id: 1, error: { code: -32600, message: "batch too large" } }]);
    const ok = (await rawRpc(d.rpcUrl, big.slice(0, 1000))).json as unknown[];
    expect(ok).to.have.length(1000);
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: ["0x" + "00".repeat(3 * 1024 * 1024)] });
    expect((await rawRpc(d.rpcUrl, body)).status).to.equal(413);
    const pre = async (origin: string) => (await fetch(d.rpcUrl, { method: "OPTIONS", headers: { origin } })).headers.get("access-control-allow-origin");
    expect(await pre("http://localhost:5173")).to.equal("http://localhost:5173");
    expect(await pre("https://evil.example")).to.equal(null);
  });
});
