/**
 * `moveset devnet` (what `npm start` runs) as a user runs it: a child process on its own ports and
 * data folder; stopped with Ctrl-C (SIGINT) and started again, it resumes: the L1 journal replays
 * the in-process L1 (contracts, deposits, batches), the L2 state and chain continue, and code posted
 * before the restart stays known (a call after it carries no code, and the verifier, with a worker
 * thread, finds it valid).
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ethers, JsonRpcProvider, Wallet } from "ethers";
import { devAccounts } from "../../node/devnet/devnet";
import { ROOT, cleanupTmp, freePort, rpc, tmpDir, waitFor } from "./helpers";

describe("e2e: moveset devnet restarts where it stopped", function () {
  this.timeout(240_000);

  let proc: ChildProcess | undefined;
  let out = "";

  async function start(datadir: string, l1Port: number, rpcPort: number, explorerPort: number): Promise<void> {
    out = "";
    const env: NodeJS.ProcessEnv = { ...process.env, MOVESET_LOG_LEVEL: "info" };
    for (const k of Object.keys(env)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete env[k];
    proc = spawn(process.execPath, [path.join(ROOT, "bin", "moveset.js"), "devnet", "--datadir", datadir, "--l1-port", String(l1Port), "--rpc-port", String(rpcPort), "--explorer-port", String(explorerPort), "--accounts", "3", "--workers", "1", "--batch-interval", "200"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    const p = proc;
    await waitFor("devnet ready", async () => {
      if (p.exitCode !== null) throw new Error(`devnet exited ${p.exitCode}:\n${out}`);
      return out.includes('"msg":"devnet ready"');
    }, 150_000, 200);
  }

  async function stop(): Promise<number | null> {
    const p = proc!;
    const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
    p.kill("SIGINT");
    const code = await exited;
    proc = undefined;
    return code;
  }

  after(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill("SIGKILL");
      await new Promise((r) => proc!.on("exit", r));
    }
    cleanupTmp();
  });

  it("prints endpoints and accounts, serves L1 and L2; after Ctrl-C and a restart the state is all there", async () => {
    const datadir = tmpDir();
    const [l1Port, rpcPort, explorerPort] = [await freePort(), await freePort(), await freePort()];
    await start(datadir, l1Port, rpcPort, explorerPort);
    expect(out).to.contain(`http://127.0.0.1:${rpcPort}   chain id 901`);
    expect(out).to.contain(`http://127.0.0.1:${l1Port}   chain id 31337`);
    expect(out).to.contain(`explorer              http://127.0.0.1:${explorerPort}`);
    // The card the CLI finds the devnet by.
    expect(JSON.parse(fs.readFileSync(path.join(datadir, "devnet.json"), "utf8"))).to.deep.include({ pid: proc!.pid, l1Url: `http://127.0.0.1:${l1Port}`, rpcUrl: `http://127.0.0.1:${rpcPort}`, explorerUrl: `http://127.0.0.1:${explorerPort}` });
    const [a0, a1] = devAccounts(2);
    expect(out).to.contain(a1.address);
    expect(out).to.contain(a1.privateKey);
    const l2 = new JsonRpcProvider(`http://127.0.0.1:${rpcPort}`, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    const sink = ethers.Wallet.createRandom().address;
    const w = new Wallet(a1.privateKey, l2);
    const r = await (await w.sendTransaction({ to: sink, value: 123n })).wait();
    expect(r!.status).to.equal(1);
    // A contract whose runtime code returns 0x42; its deployment carries that code.
    const runtime = "0x60425f5260205ff3";
    const witnessOf = async (url: string, hash: string) => ((await rpc(url, "moveset_getMoves", [hash])).result as { witness: string[] }).witness;
    const dep = (await (await w.sendTransaction({ data: ethers.concat(["0x67", runtime, "0x5f5260086018f3"]) })).wait())!;
    expect(await witnessOf(`http://127.0.0.1:${rpcPort}`, dep.hash)).to.deep.equal([ethers.keccak256(runtime)]);
    const blocks = await l2.getBlockNumber();
    const b1 = (await l2.getBlock(blocks))!.hash;
    const l1 = new JsonRpcProvider(`http://127.0.0.1:${l1Port}`, undefined, { cacheTimeout: -1 });
    const l1Blocks = await l1.getBlockNumber();
    const l1Balance = await l1.getBalance(a0.address);
    l2.destroy();
    l1.destroy();
    expect(await stop()).to.equal(0);
    expect(fs.existsSync(path.join(datadir, "devnet.json")), "removed when the devnet stops").to.equal(false);

    await start(datadir, l1Port, rpcPort, explorerPort);
    expect(out).to.contain("L1 journal replayed");
    expect(out).to.contain('"hashMismatches":0');
    const l2b = new JsonRpcProvider(`http://127.0.0.1:${rpcPort}`, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    const l1b = new JsonRpcProvider(`http://127.0.0.1:${l1Port}`, undefined, { cacheTimeout: -1 });
    try {
      expect(await l1b.getBlockNumber()).to.be.greaterThanOrEqual(l1Blocks);
      expect(await l1b.getBalance(a0.address)).to.equal(l1Balance);
      expect(await l2b.getBlockNumber()).to.equal(blocks);
      expect((await l2b.getBlock(blocks))!.hash).to.equal(b1);
      expect(await l2b.getBalance(sink)).to.equal(123n);
      const w2 = new Wallet(a1.privateKey, l2b);
      const r2 = await (await w2.sendTransaction({ to: sink, value: 1n })).wait();
      expect(r2!.blockNumber).to.equal(blocks + 1);
      expect(await l2b.getBalance(sink)).to.equal(124n);
      // A call to the contract deployed before the restart: its code is known, not carried again.
      const call = (await (await w2.sendTransaction({ to: dep.contractAddress!, data: "0x" })).wait())!;
      expect(call.status).to.equal(1);
      expect(await witnessOf(`http://127.0.0.1:${rpcPort}`, call.hash)).to.deep.equal([]);
      expect(await l2b.call({ to: dep.contractAddress!, data: "0x" })).to.equal(ethers.toBeHex(0x42, 32));
      await waitFor("the verifier's verdict on the call's batch", async () => {
        const b = (await rpc(`http://127.0.0.1:${rpcPort}`, "moveset_getBatch", [ethers.toQuantity(call.blockNumber - 1)])).result as { verdict: string };
        if (b.verdict === "invalid") throw new Error(`the call's batch is invalid: ${JSON.stringify(b)}`);
        return b.verdict === "valid";
      }, 60_000, 200);
      expect(await l2b.getTransactionCount(a1.address)).to.equal(4);
    } finally {
      l2b.destroy();
      l1b.destroy();
    }
    expect(await stop()).to.equal(0);
  });
});
