/**
 * Developers' tools against the L2, on one devnet (issue 16): state at any block (the version
 * index), Hardhat Ignition's default deploy, traces, `cast`, viem, WebSocket subscriptions.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { ethers, JsonRpcProvider, Wallet, Contract, ContractFactory } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { ROOT, cleanupTmp, freePort, rpc, tmpDir } from "./helpers";

/** Runs a command in a child process without this process's Hardhat and ts-node settings. */
function run(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const e: Record<string, string | undefined> = { ...process.env };
    for (const k of Object.keys(e)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete e[k];
    Object.assign(e, env);
    const p = spawn(cmd, args, { cwd: ROOT, env: e as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.stdout!.on("data", (d) => (stdout += d));
    p.stderr!.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const artifact = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, `artifacts/contracts/test/${name}.sol/${name}.json`), "utf8")) as { abi: unknown[]; bytecode: string };

describe("e2e: developers' tools", function () {
  this.timeout(300_000);

  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  const w = (i: number) => new Wallet(d.accounts[i].privateKey, l2);

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir(), l1Port, rpcPort, accounts: 6, challengeWindow: 30n, batchIntervalMs: 100, verifierWorkers: 0 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  });

  after(async () => {
    l2?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  describe("history: every state method at any block", () => {
    let counter: Contract;
    const at: { block: number; count: bigint; balance: bigint; nonce: number }[] = [];

    before(async () => {
      const alice = w(1);
      const art = artifact("Counter");
      counter = (await (await new ContractFactory(art.abi as never, art.bytecode, alice).deploy()).waitForDeployment()) as Contract;
      for (const by of [3n, 4n]) {
        const r = (await (await counter.getFunction("bump")(by)).wait())!;
        at.push({ block: r.blockNumber, count: await counter.getFunction("count")({ blockTag: r.blockNumber }), balance: await l2.getBalance(alice.address, r.blockNumber), nonce: await l2.getTransactionCount(alice.address, r.blockNumber) });
      }
      // A later block, so that both are in the past.
      await (await alice.sendTransaction({ to: d.accounts[2].address, value: 1n })).wait();
    });

    it("eth_getBalance / eth_getTransactionCount / eth_getStorageAt / eth_getCode / eth_call at past numbers and hashes", async () => {
      const alice = d.accounts[1].address;
      const [a, b] = at;
      expect(a.count).to.equal(3n);
      expect(b.count).to.equal(7n);
      expect(b.nonce).to.equal(a.nonce + 1);
      // Reads at a block do not change with later blocks.
      expect(await l2.getBalance(alice, a.block)).to.equal(a.balance);
      expect(await l2.getTransactionCount(alice, a.block)).to.equal(a.nonce);
      expect(BigInt(await l2.getStorage(await counter.getAddress(), 0, a.block))).to.equal(3n);
      expect(await counter.getFunction("count")({ blockTag: a.block })).to.equal(3n);
      expect(await counter.getFunction("count")()).to.equal(7n);
      // EIP-1898: by block hash.
      const hashA = (await l2.getBlock(a.block))!.hash!;
      expect((await rpc(d.rpcUrl, "eth_getBalance", [alice, { blockHash: hashA }])).result).to.equal(ethers.toQuantity(a.balance));
      const call = await rpc(d.rpcUrl, "eth_call", [{ to: await counter.getAddress(), data: counter.interface.encodeFunctionData("count") }, { blockHash: hashA }]);
      expect(BigInt(call.result as string)).to.equal(3n);
      // Before the deployment the contract has no code; at genesis nobody has anything.
      expect(await l2.getCode(await counter.getAddress(), a.block - 2)).to.equal("0x");
      expect(await l2.getCode(await counter.getAddress(), a.block)).to.not.equal("0x");
      expect(await l2.getBalance(alice, "earliest")).to.equal(0n);
      expect(await l2.getBalance(alice, 1)).to.equal(ethers.parseEther("1000")); // the deposits' block
      // estimateGas at a past block runs against that block's state.
      const est = await rpc(d.rpcUrl, "eth_estimateGas", [{ from: alice, to: await counter.getAddress(), data: counter.interface.encodeFunctionData("bump", [1]) }, ethers.toQuantity(a.block)]);
      expect(BigInt(est.result as string)).to.be.greaterThan(21000n);
    });

    it("bad block parameters: beyond the chain, an unknown hash, a malformed tag", async () => {
      const alice = d.accounts[1].address;
      const far = await rpc(d.rpcUrl, "eth_getBalance", [alice, "0xffffff"]);
      expect(far.error).to.deep.include({ code: -32000, message: "header not found" });
      const unknown = await rpc(d.rpcUrl, "eth_call", [{ to: alice }, { blockHash: "0x" + "ab".repeat(32) }]);
      expect(unknown.error?.code).to.equal(-32000);
      expect(unknown.error?.message).to.match(/not found/);
      const junk = await rpc(d.rpcUrl, "eth_getTransactionCount", [alice, "yesterday"]);
      expect(junk.error?.code).to.equal(-32602);
    });

    it("Hardhat Ignition deploys to the L2 with its default settings (npx hardhat ignition deploy)", async function () {
      const id = `e2e-${process.pid}-${Date.now()}`;
      const dir = path.join(ROOT, "ignition", "deployments", id);
      try {
        const r = await run(process.execPath, [path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "cli.js"), "ignition", "deploy", "ignition/modules/Counter.ts", "--network", "movesetDevnet", "--deployment-id", id], {
          MOVESET_L2_RPC_URL: d.rpcUrl,
          // Answers Ignition's "Confirm deploy to network movesetDevnet?" (no terminal here); its deploy settings stay the defaults.
          HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "false",
        });
        expect(r.code, r.stdout + r.stderr).to.equal(0);
        const deployed = JSON.parse(fs.readFileSync(path.join(dir, "deployed_addresses.json"), "utf8")) as Record<string, string>;
        const c = new Contract(deployed["Counter#Counter"], artifact("Counter").abi as never, l2);
        expect(await c.getFunction("count")()).to.equal(5n);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
