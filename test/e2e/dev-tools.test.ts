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
import { createVM, runTx } from "@ethereumjs/vm";
import { createTxFromRLP } from "@ethereumjs/tx";
import { createBlock } from "@ethereumjs/block";
import { Account, Address, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { cancunCommon, FEE_VAULT } from "../../core/evm/chain";
import { decodeTx, TxType } from "../../core/tx";
import { ROOT, cleanupTmp, freePort, rawRpc, rpc, tmpDir, waitFor } from "./helpers";
import WebSocket from "ws";
import { createPublicClient, defineChain, http, webSocket, parseAbi, type Hex } from "viem";

/** Runs a command in a child process without this process's Hardhat and ts-node settings. */
function run(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 180_000, cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const e: Record<string, string | undefined> = { ...process.env };
    for (const k of Object.keys(e)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete e[k];
    Object.assign(e, env);
    const p = spawn(cmd, args, { cwd, env: e as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
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

const FUND = 10n ** 19n;

describe("e2e: developers' tools", function () {
  this.timeout(300_000);

  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  const w = (i: number) => new Wallet(d.accounts[i].privateKey, l2);

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    // A body limit above the default, for the 6 MB eth_call below. 10 ETH each on L2: the suite's
    // devnets share one L1 and its dev accounts' 10,000 ETH.
    d = await startDevnet({ hre, datadir: tmpDir(), l1Port, rpcPort, accounts: 6, challengeWindow: 30n, batchIntervalMs: 100, verifierWorkers: 0, fund: FUND, rpc: { maxBodyBytes: 8 * 1024 * 1024 } });
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
      expect(await l2.getBalance(alice, 1)).to.equal(FUND); // the deposits' block
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

  describe("traces from a transaction's own moves", () => {
    let fwd: Contract;
    let counter: Contract;
    let multiHash = "";
    let multiBlock = 0;
    let revertHash = "";

    before(async () => {
      const bob = w(3);
      const c = artifact("Counter");
      const f = artifact("SafeLikeForwarder");
      counter = (await (await new ContractFactory(c.abi as never, c.bytecode, bob).deploy()).waitForDeployment()) as Contract;
      fwd = (await (await new ContractFactory(f.abi as never, f.bytecode, bob).deploy(bob.address)).waitForDeployment()) as Contract;
      const to = await counter.getAddress();
      const r = (await (await fwd.getFunction("execMany")([to, to], [7n, 0n], [counter.interface.encodeFunctionData("bump", [2]), counter.interface.encodeFunctionData("count")], { value: 7n })).wait())!;
      multiHash = r.hash;
      multiBlock = r.blockNumber;
      // A reverted transaction: the forwarder passes on Counter's TooLarge.
      const tx = await fwd.getFunction("exec").populateTransaction(to, 0n, counter.interface.encodeFunctionData("bump", [5000]));
      const sent = await bob.sendTransaction({ ...tx, gasLimit: 200_000n });
      revertHash = sent.hash;
      await sent.wait().catch(() => undefined);
      // Later blocks: the traced transactions are in earlier batches.
      await (await bob.sendTransaction({ to: d.accounts[4].address, value: 1n })).wait();
    });

    /** The call tree of the transaction as a plain ethereumjs VM runs it over its declared pre-state (its moves' prev values). */
    async function localCallTree(hash: string): Promise<Record<string, unknown>> {
      const mv = (await rpc(d.rpcUrl, "moveset_getMoves", [hash])).result as { blockNumber: string; encoded: string; moves: { mark: string; addr: string; slot: string; prev: string }[] };
      const tx = decodeTx(hexToBytes(mv.encoded as `0x${string}`));
      if (tx.type !== TxType.Wrapped) throw new Error("not a wrapped transaction");
      const block = (await l2.getBlock(Number(mv.blockNumber)))!;
      const common = cancunCommon(d.deployment.l2ChainId);
      const vm = await createVM({ common });
      const sm = vm.stateManager;
      const accounts = new Map<string, Account>();
      const prevBlock = Number(mv.blockNumber) - 1;
      for (const m of mv.moves) {
        if (!["b", "n", "c", "s"].includes(m.mark)) continue;
        const a = createAddressFromString(m.addr);
        if (!accounts.has(m.addr)) accounts.set(m.addr, new Account(0n, 0n));
        const acc = accounts.get(m.addr)!;
        if (m.mark === "b") acc.balance = BigInt(m.prev);
        if (m.mark === "n") acc.nonce = BigInt(m.prev);
        if (m.mark === "c" && BigInt(m.prev) !== 0n) {
          await sm.putAccount(a, acc);
          const code = await l2.getCode(m.addr, prevBlock);
          expect(ethers.keccak256(code)).to.equal(ethers.toBeHex(BigInt(m.prev), 32));
          await sm.putCode(a, hexToBytes(code as `0x${string}`));
        }
      }
      for (const [addr, acc] of accounts) {
        const a = createAddressFromString(addr);
        const cur = (await sm.getAccount(a)) ?? new Account();
        cur.nonce = acc.nonce;
        cur.balance = acc.balance;
        await sm.putAccount(a, cur);
      }
      for (const m of mv.moves)
        if (m.mark === "s" && BigInt(m.prev) !== 0n) await sm.putStorage(createAddressFromString(m.addr), hexToBytes(ethers.toBeHex(BigInt(m.slot), 32) as `0x${string}`), hexToBytes(ethers.toBeHex(BigInt(m.prev)) as `0x${string}`));
      const blk = createBlock(
        { header: { number: BigInt(block.number), timestamp: BigInt(block.timestamp), coinbase: new Address(FEE_VAULT), baseFeePerGas: block.baseFeePerGas!, gasLimit: 30_000_000n, mixHash: hexToBytes(block.parentHash as `0x${string}`), excessBlobGas: 0n, blobGasUsed: 0n, parentBeaconBlockRoot: new Uint8Array(32) } },
        { common, skipConsensusFormatValidation: true },
      );
      // The call tree, built from the EVM's message events alone.
      type Node = { from: string; to: string; value: bigint; input: string; gasUsed: bigint; output: string; failed: boolean; calls: Node[] };
      const stack: Node[] = [];
      let root: Node | undefined;
      vm.evm.events!.on("beforeMessage", (m: { caller: Address; to?: Address; codeAddress: Address; delegatecall: boolean; value: bigint; data: Uint8Array }) => {
        stack.push({ from: m.caller.toString(), to: (m.delegatecall ? m.codeAddress : m.to)?.toString() ?? "", value: m.value, input: ethers.hexlify(m.data), gasUsed: 0n, output: "0x", failed: false, calls: [] });
      });
      vm.evm.events!.on("afterMessage", (r: { createdAddress?: Address; execResult: { executionGasUsed: bigint; returnValue: Uint8Array; exceptionError?: unknown } }) => {
        const n = stack.pop()!;
        n.gasUsed = r.execResult.executionGasUsed;
        n.output = ethers.hexlify(r.execResult.returnValue);
        n.failed = r.execResult.exceptionError !== undefined;
        if (stack.length) stack[stack.length - 1].calls.push(n);
        else root = n;
      });
      const eth = createTxFromRLP(tx.raw, { common });
      const res = await runTx(vm, { tx: eth, block: blk, skipHardForkValidation: true, skipBalance: false });
      const conv = (n: Node, top: boolean): Record<string, unknown> => ({
        from: n.from,
        to: n.to,
        value: n.value,
        input: n.input,
        gasUsed: top ? res.totalGasSpent : n.gasUsed,
        output: n.output,
        failed: n.failed,
        calls: n.calls.map((c) => conv(c, false)),
      });
      return conv(root!, true);
    }

    type Frame = { type: string; from: string; to: string; value?: string; input: string; gasUsed: string; output?: string; error?: string; calls?: Frame[] };
    const shape = (f: Frame): Record<string, unknown> => ({
      from: f.from,
      to: f.to,
      value: BigInt(f.value ?? 0),
      input: f.input,
      gasUsed: BigInt(f.gasUsed),
      output: f.output ?? "0x",
      failed: f.error !== undefined,
      calls: (f.calls ?? []).map(shape),
    });

    it("debug_traceTransaction with callTracer gives the call tree a local ethereumjs execution gives (nested calls, a reverted one)", async () => {
      for (const h of [multiHash, revertHash]) {
        const t = await rpc(d.rpcUrl, "debug_traceTransaction", [h, { tracer: "callTracer" }]);
        expect(t.error, JSON.stringify(t.error)).to.equal(undefined);
        const got = t.result as Frame;
        expect(shape(got)).to.deep.equal(await localCallTree(h));
        expect(BigInt(got.gasUsed)).to.equal((await l2.getTransactionReceipt(h))!.gasUsed);
      }
      const multi = (await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { tracer: "callTracer" }])).result as Frame;
      expect(multi.type).to.equal("CALL");
      expect(multi.calls!.map((c) => c.type)).to.deep.equal(["CALL", "CALL"]);
      expect(multi.calls![1].output).to.equal(ethers.toBeHex(2n, 32));
      const rev = (await rpc(d.rpcUrl, "debug_traceTransaction", [revertHash, { tracer: "callTracer" }])).result as Frame & { revertReason?: string };
      expect(rev.error).to.equal("execution reverted");
      expect(rev.calls![0].error).to.equal("execution reverted");
    });

    it("the struct logger and prestateTracer: steps with gas and stack, the pre-state is the moves' prev values", async () => {
      const sl = (await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash])).result as { gas: number; failed: boolean; structLogs: { op: string; gas: number; gasCost: number; depth: number; stack?: string[]; storage?: Record<string, string> }[] };
      expect(sl.failed).to.equal(false);
      expect(BigInt(sl.gas)).to.equal((await l2.getTransactionReceipt(multiHash))!.gasUsed);
      expect(sl.structLogs.length).to.be.greaterThan(100);
      expect(sl.structLogs[0]).to.deep.include({ pc: 0, op: "PUSH1", depth: 1 });
      expect(new Set(sl.structLogs.map((x) => x.depth))).to.deep.equal(new Set([1, 2]));
      const sstore = sl.structLogs.find((x) => x.op === "SSTORE")!;
      expect(sstore.storage).to.not.equal(undefined);
      const limited = (await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { limit: 10, disableStack: true }])).result as typeof sl;
      expect(limited.structLogs.length).to.equal(10);
      expect(limited.structLogs[0].stack).to.equal(undefined);
      const pre = (await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { tracer: "prestateTracer" }])).result as Record<string, { balance: string; nonce?: number; code?: string; storage?: Record<string, string> }>;
      const mv = (await rpc(d.rpcUrl, "moveset_getMoves", [multiHash])).result as { moves: { mark: string; addr: string; slot: string; prev: string }[] };
      for (const m of mv.moves) {
        if (m.mark === "b") expect(BigInt(pre[m.addr].balance), m.addr).to.equal(BigInt(m.prev));
        if (m.mark === "n") expect(BigInt(pre[m.addr].nonce ?? 0), m.addr).to.equal(BigInt(m.prev));
        if (m.mark === "s") expect(BigInt(pre[m.addr].storage![ethers.toBeHex(BigInt(m.slot), 32)]), m.slot).to.equal(BigInt(m.prev));
      }
      expect(pre[(await counter.getAddress()).toLowerCase()].code).to.equal(await l2.getCode(await counter.getAddress()));
      const diff = (await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { tracer: "prestateTracer", tracerConfig: { diffMode: true } }])).result as { pre: Record<string, unknown>; post: Record<string, { storage?: Record<string, string> }> };
      expect(BigInt(diff.post[(await counter.getAddress()).toLowerCase()].storage![ethers.toBeHex(0n, 32)])).to.equal(await counter.getFunction("count")({ blockTag: multiBlock }));
    });

    it("debug_traceBlockByNumber / ByHash and debug_traceCall at a past block", async () => {
      const byNum = (await rpc(d.rpcUrl, "debug_traceBlockByNumber", [ethers.toQuantity(multiBlock), { tracer: "callTracer" }])).result as { txHash: string; result: Frame }[];
      const blk = (await l2.getBlock(multiBlock))!;
      expect(byNum.map((x) => x.txHash)).to.deep.equal(blk.transactions);
      const byHash = (await rpc(d.rpcUrl, "debug_traceBlockByHash", [blk.hash, { tracer: "callTracer" }])).result;
      expect(byHash).to.deep.equal(byNum);
      expect((await rpc(d.rpcUrl, "debug_traceBlockByNumber", ["0x0"])).result).to.deep.equal([]);
      const call = { from: d.accounts[3].address, to: await counter.getAddress(), data: counter.interface.encodeFunctionData("count") };
      const tc = (await rpc(d.rpcUrl, "debug_traceCall", [call, ethers.toQuantity(multiBlock - 1), { tracer: "callTracer" }])).result as Frame;
      expect(BigInt(tc.output!)).to.equal(await counter.getFunction("count")({ blockTag: multiBlock - 1 }));
      const now = (await rpc(d.rpcUrl, "debug_traceCall", [call, "latest", { tracer: "callTracer" }])).result as Frame;
      expect(BigInt(now.output!)).to.equal(await counter.getFunction("count")());
    });

    it("bad trace requests: unknown transaction, JavaScript tracer, unknown option, a timeout above the node's", async () => {
      expect((await rpc(d.rpcUrl, "debug_traceTransaction", ["0x" + "12".repeat(32)])).error).to.deep.include({ code: -32000, message: "transaction not found" });
      expect((await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { tracer: "{step: function() {}}" }])).error?.message).to.match(/not supported/);
      expect((await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { tracer: "callTracer", tracerConfig: { bogus: true } }])).error?.message).to.match(/tracerConfig.bogus is not supported/);
      expect((await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { frobnicate: 1 }])).error?.code).to.equal(-32602);
      expect((await rpc(d.rpcUrl, "debug_traceTransaction", [multiHash, { timeout: "1h" }])).error?.message).to.match(/above this node's limit/);
      expect((await rpc(d.rpcUrl, "debug_traceBlockByNumber", ["0xfffff"])).error?.message).to.match(/not found/);
    });

    it("cast run replays a transaction of an earlier batch; cast call --block answers at a past block", async () => {
      const r = await run(process.execPath, [path.join(ROOT, "node_modules", "@foundry-rs", "cast", "bin.mjs"), "run", multiHash, "--rpc-url", d.rpcUrl], {}, 120_000);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.match(/Transaction successfully executed/);
      expect(r.stdout.toLowerCase()).to.include((await counter.getAddress()).toLowerCase().slice(2, 10));
      const c = await run(process.execPath, [path.join(ROOT, "node_modules", "@foundry-rs", "cast", "bin.mjs"), "call", await counter.getAddress(), "count()(uint256)", "--block", String(multiBlock - 1), "--rpc-url", d.rpcUrl], {}, 60_000);
      expect(c.code, c.stdout + c.stderr).to.equal(0);
      // Before execMany the count was 0; now it is 2: the answer is the past block's.
      expect(BigInt(c.stdout.trim().split(" ")[0])).to.equal(0n);
      expect(await counter.getFunction("count")()).to.equal(2n);
    });

    it("the README lists the JSON-RPC methods the node serves, no more and no fewer", async () => {
      const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
      const table = readme.slice(readme.indexOf("| group | methods |"));
      const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
      expect(rows.length).to.be.greaterThan(5);
      const listed: string[] = [];
      for (const row of rows)
        for (const [, name] of row.split("|")[2].matchAll(/`([^`]+)`/g)) {
          // `eth_xByNumber`/`ByHash`: the second name is the first one's with its By... suffix replaced.
          if (/^By[A-Za-z]+$/.test(name)) listed.push(listed[listed.length - 1].replace(/By[A-Za-z]*$/, name));
          else if (/^[a-z0-9]+_[A-Za-z0-9]+\*?$/.test(name)) listed.push(name);
        }
      const served = Object.keys(d.node.rpc.methods);
      const covers = (name: string, m: string) => (name.endsWith("*") ? m.startsWith(name.slice(0, -1)) : m === name);
      expect(served.filter((m) => !listed.some((n) => covers(n, m))), "served but not in the README").to.deep.equal([]);
      expect(listed.filter((n) => !served.some((m) => covers(n, m))), "in the README but not served").to.deep.equal([]);
      // And over the wire: none of them is an unknown method (eth_subscribe's -32601 over HTTP is geth's "notifications not supported").
      const unknown = (m: string) => `the method ${m} does not exist/is not available`;
      for (const m of served) expect((await rpc(d.rpcUrl, m, [])).error?.message, m).to.not.equal(unknown(m));
      expect((await rpc(d.rpcUrl, "eth_signTransaction", [])).error).to.deep.include({ code: -32601, message: unknown("eth_signTransaction") });
    });

    it("the README's Foundry and Hardhat configurations work as written (only the devnet's port differs here)", async () => {
      const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
      const toml = /```toml\n([\s\S]*?)```/.exec(readme)![1];
      expect(toml).to.include("http://127.0.0.1:8547");
      const dir = tmpDir("moveset-foundry-");
      fs.writeFileSync(path.join(dir, "foundry.toml"), toml.split("http://127.0.0.1:8547").join(d.rpcUrl));
      const cast = path.join(ROOT, "node_modules", "@foundry-rs", "cast", "bin.mjs");
      const id = await run(process.execPath, [cast, "chain-id"], {}, 60_000, dir);
      expect(id.code, id.stderr).to.equal(0);
      expect(id.stdout.trim()).to.equal("901");
      const bal = await run(process.execPath, [cast, "balance", d.accounts[1].address, "--rpc-url", "moveset", "--block", "1"], {}, 60_000, dir);
      expect(bal.code, bal.stderr).to.equal(0);
      expect(BigInt(bal.stdout.trim())).to.equal(FUND);
      // The README's Hardhat networks block, as the whole network configuration of a new Hardhat project
      // (hardhat-toolbox, nothing else, in the TypeScript project `npx hardhat init` makes): a script run on movesetDevnet signs with the mnemonic's first
      // account, sends ETH and deploys Counter (its compiled bytecode, copied).
      const ts = /```ts\n([\s\S]*?)```/.exec(readme)![1];
      expect(ts).to.include('url: "http://127.0.0.1:8547"');
      const proj = tmpDir("moveset-hardhat-");
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(proj, "node_modules"), "dir");
      fs.writeFileSync(path.join(proj, "hardhat.config.ts"), `import "@nomicfoundation/hardhat-toolbox";\nexport default {\n${ts.split("http://127.0.0.1:8547").join(d.rpcUrl)}};\n`);
      // The tsconfig.json of `npx hardhat init`'s TypeScript project.
      fs.writeFileSync(path.join(proj, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "es2020", module: "commonjs", esModuleInterop: true, forceConsistentCasingInFileNames: true, strict: true, skipLibCheck: true, resolveJsonModule: true } }));
      fs.writeFileSync(path.join(proj, "Counter.json"), JSON.stringify(artifact("Counter")));
      fs.writeFileSync(
        path.join(proj, "use.js"),
        `const hre = require("hardhat");
const art = require("./Counter.json");
(async () => {
  const [me] = await hre.ethers.getSigners();
  const before = await hre.ethers.provider.getBalance("0x000000000000000000000000000000000000dEaD");
  await (await me.sendTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: 5n })).wait();
  const counter = await (await new hre.ethers.ContractFactory(art.abi, art.bytecode, me).deploy()).waitForDeployment();
  await (await counter.bump(4n)).wait();
  const after = await hre.ethers.provider.getBalance("0x000000000000000000000000000000000000dEaD");
  console.log(JSON.stringify({ network: hre.network.name, chainId: Number((await hre.ethers.provider.getNetwork()).chainId), from: me.address, sent: (after - before).toString(), counter: await counter.getAddress(), count: (await counter.count()).toString() }));
})().catch((e) => { console.error(e); process.exit(1); });
`,
      );
      const hh = await run(process.execPath, [path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "cli.js"), "run", "--no-compile", "--network", "movesetDevnet", "use.js"], {}, 180_000, proj);
      expect(hh.code, hh.stdout + hh.stderr).to.equal(0);
      const out = JSON.parse(hh.stdout.trim().split("\n").pop()!) as { network: string; chainId: number; from: string; sent: string; counter: string; count: string };
      expect(out).to.deep.include({ network: "movesetDevnet", chainId: 901, from: d.accounts[0].address, sent: "5", count: "4" });
      expect(await new Contract(out.counter, artifact("Counter").abi as never, l2).getFunction("count")()).to.equal(4n);
      // The repository's own hardhat.config.ts (the Ignition deploy above) has the same network.
      const config = fs.readFileSync(path.join(ROOT, "hardhat.config.ts"), "utf8");
      for (const line of ["movesetDevnet: {", 'accounts: { mnemonic: "test test test test test test test test test test test junk" },']) {
        expect(ts).to.include(line);
        expect(config).to.include(line);
      }
    });
  });

  describe("receipts, access lists, overrides, filters, WebSocket subscriptions, geth's errors", () => {
    let counter: Contract;
    const wsUrl = () => d.rpcUrl.replace(/^http/, "ws");

    before(async () => {
      const c = artifact("Counter");
      counter = (await (await new ContractFactory(c.abi as never, c.bytecode, w(4)).deploy()).waitForDeployment()) as Contract;
    });

    it("eth_getBlockReceipts: every receipt of a block, by number and by hash", async () => {
      const r = (await (await counter.getFunction("bump")(1)).wait())!;
      const blk = (await l2.getBlock(r.blockNumber))!;
      const byNum = (await rpc(d.rpcUrl, "eth_getBlockReceipts", [ethers.toQuantity(r.blockNumber)])).result as { transactionHash: string }[];
      expect(byNum.map((x) => x.transactionHash)).to.deep.equal(blk.transactions);
      for (const x of byNum) expect(x).to.deep.equal((await rpc(d.rpcUrl, "eth_getTransactionReceipt", [x.transactionHash])).result);
      expect((await rpc(d.rpcUrl, "eth_getBlockReceipts", [blk.hash])).result).to.deep.equal(byNum);
      expect((await rpc(d.rpcUrl, "eth_getBlockReceipts", ["0xffffff"])).result).to.equal(null);
    });

    it("eth_createAccessList: the keys the call touches; the call with that list uses the gas it says (viem)", async () => {
      const to = (await counter.getAddress()).toLowerCase();
      const from = d.accounts[4].address;
      const data = counter.interface.encodeFunctionData("bump", [1]);
      const al = (await rpc(d.rpcUrl, "eth_createAccessList", [{ from, to, data }])).result as { accessList: { address: string; storageKeys: string[] }[]; gasUsed: string };
      const entry = al.accessList.find((e) => e.address === to)!;
      expect(entry.storageKeys).to.include(ethers.toBeHex(0n, 32)); // count
      expect(al.accessList.some((e) => e.address === from.toLowerCase())).to.equal(false);
      const pub = createPublicClient({ transport: http(d.rpcUrl) });
      const viaViem = await pub.createAccessList({ account: from as Hex, to: to as Hex, data: data as Hex });
      expect(viaViem.gasUsed).to.equal(BigInt(al.gasUsed));
      const est = await rpc(d.rpcUrl, "eth_estimateGas", [{ from, to, data, accessList: al.accessList }]);
      expect(BigInt(est.result as string)).to.be.at.least(BigInt(al.gasUsed));
      const reverted = (await rpc(d.rpcUrl, "eth_createAccessList", [{ from, to, data: counter.interface.encodeFunctionData("bump", [5000]) }])).result as { error?: string };
      expect(reverted.error).to.equal("execution reverted");
    });

    it("state overrides in eth_call / eth_estimateGas / debug_traceCall are honoured, and refused where impossible", async () => {
      const to = await counter.getAddress();
      const count = { to, data: counter.interface.encodeFunctionData("count") };
      const slot0 = ethers.toBeHex(0n, 32);
      expect(BigInt((await rpc(d.rpcUrl, "eth_call", [count, "latest", { [to]: { stateDiff: { [slot0]: ethers.toBeHex(42n, 32) } } }])).result as string)).to.equal(42n);
      expect(BigInt((await rpc(d.rpcUrl, "eth_call", [count, "latest", { [to]: { state: {} } }])).result as string)).to.equal(0n);
      // Code at an address that has none: Counter's runtime code answers there.
      const empty = "0x00000000000000000000000000000000000c0de1";
      expect(BigInt((await rpc(d.rpcUrl, "eth_call", [{ ...count, to: empty }, "latest", { [empty]: { code: await l2.getCode(to) } }])).result as string)).to.equal(0n);
      expect((await rpc(d.rpcUrl, "eth_call", [{ ...count, to: empty }, "latest"])).result).to.equal("0x");
      // A balance override makes a transfer from an empty account affordable.
      const poor = ethers.Wallet.createRandom().address;
      const send = { from: poor, to: d.accounts[1].address, value: ethers.toQuantity(ethers.parseEther("1")) };
      expect((await rpc(d.rpcUrl, "eth_estimateGas", [send, "latest"])).error?.message).to.match(/insufficient funds/);
      expect(BigInt((await rpc(d.rpcUrl, "eth_estimateGas", [send, "latest", { [poor]: { balance: ethers.toQuantity(ethers.parseEther("2")) } }])).result as string)).to.equal(21000n);
      const tc = (await rpc(d.rpcUrl, "debug_traceCall", [count, "latest", { tracer: "callTracer", stateOverrides: { [to]: { stateDiff: { [slot0]: ethers.toBeHex(7n, 32) } } } }])).result as { output: string };
      expect(BigInt(tc.output)).to.equal(7n);
      // What cannot be done is an error, never silently ignored.
      expect((await rpc(d.rpcUrl, "eth_call", [count, "latest", { [to]: { movePrecompileToAddress: empty } }])).error?.message).to.match(/not supported/);
      expect((await rpc(d.rpcUrl, "eth_call", [count, "latest", { [to]: { state: {}, stateDiff: {} } }])).error?.message).to.equal(`account ${to.toLowerCase()} has both 'state' and 'stateDiff'`);
      expect((await rpc(d.rpcUrl, "eth_call", [count, "latest", { [to]: { storage: {} } }])).error?.code).to.equal(-32602);
    });

    it("geth's errors: a transaction for another chain, a 6 MB eth_call, eth_getLogs with fromBlock > toBlock, eth_subscribe over HTTP", async () => {
      const alice = new Wallet(d.accounts[5].privateKey);
      const raw = await alice.signTransaction({ chainId: 1, to: alice.address, value: 1, gasLimit: 21000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1, nonce: 0, type: 2 });
      const wrong = await rpc(d.rpcUrl, "eth_sendRawTransaction", [raw]);
      expect(wrong.error).to.deep.include({ code: -32000, message: "invalid sender: invalid chain id for signer: have 1 want 901" });
      const big = "0x" + "ab".repeat(3 * 1024 * 1024);
      const r = await rawRpc(d.rpcUrl, { jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: d.accounts[1].address, data: big }, "latest"] });
      const e = (r.json as { error?: { code: number; message: string } }).error!;
      expect(e.code).to.equal(-32000);
      expect(e.message).to.match(/^intrinsic gas too low/);
      const n = await l2.getBlockNumber();
      expect((await rpc(d.rpcUrl, "eth_getLogs", [{ fromBlock: ethers.toQuantity(n), toBlock: ethers.toQuantity(n - 1) }])).error).to.deep.include({ code: -32000, message: "invalid block range params" });
      expect((await rpc(d.rpcUrl, "eth_getLogs", [{ fromBlock: ethers.toQuantity(n - 1), toBlock: ethers.toQuantity(n) }])).error).to.equal(undefined);
      expect((await rpc(d.rpcUrl, "eth_subscribe", ["newHeads"])).error).to.deep.include({ code: -32601, message: "notifications not supported" });
    });

    it("filters: blocks, logs and pending transactions, polled; uninstalled and unknown filters", async () => {
      const blockF = (await rpc(d.rpcUrl, "eth_newBlockFilter")).result as string;
      const logF = (await rpc(d.rpcUrl, "eth_newFilter", [{ address: await counter.getAddress(), topics: [counter.interface.getEvent("Bumped")!.topicHash] }])).result as string;
      const pendF = (await rpc(d.rpcUrl, "eth_newPendingTransactionFilter")).result as string;
      const sent = await counter.getFunction("bump")(2);
      const r = (await sent.wait())!;
      expect((await rpc(d.rpcUrl, "eth_getFilterChanges", [pendF])).result).to.include(sent.hash);
      const blocks = (await rpc(d.rpcUrl, "eth_getFilterChanges", [blockF])).result as string[];
      expect(blocks).to.include(r.blockHash);
      expect((await rpc(d.rpcUrl, "eth_getFilterChanges", [blockF])).result).to.deep.equal([]);
      const logs = (await rpc(d.rpcUrl, "eth_getFilterChanges", [logF])).result as { transactionHash: string }[];
      expect(logs.map((l) => l.transactionHash)).to.deep.equal([sent.hash]);
      expect(((await rpc(d.rpcUrl, "eth_getFilterLogs", [logF])).result as unknown[]).length).to.equal(1);
      expect((await rpc(d.rpcUrl, "eth_uninstallFilter", [logF])).result).to.equal(true);
      expect((await rpc(d.rpcUrl, "eth_uninstallFilter", [logF])).result).to.equal(false);
      expect((await rpc(d.rpcUrl, "eth_getFilterChanges", [logF])).error).to.deep.include({ code: -32000, message: "filter not found" });
      expect((await rpc(d.rpcUrl, "eth_newFilter", [{ fromBlock: "0x5", toBlock: "0x4" }])).error?.message).to.equal("invalid block range params");
    });

    it("WebSocket on the RPC port: viem's webSocket() transport watches blocks and events; subscriptions are bounded per connection", async () => {
      const client = createPublicClient({ transport: webSocket(wsUrl()) });
      try {
        expect(await client.getChainId()).to.equal(901);
        const heads: bigint[] = [];
        const events: bigint[] = [];
        const unwatchB = client.watchBlocks({ onBlock: (b) => void heads.push(b.number) });
        const unwatchE = client.watchContractEvent({ address: (await counter.getAddress()) as Hex, abi: parseAbi(["event Bumped(address indexed by, uint256 count)"]), eventName: "Bumped", onLogs: (ls) => ls.forEach((l) => events.push(l.args.count!)) });
        // Subscriptions are set up before the transaction.
        await new Promise((r) => setTimeout(r, 300));
        const r = (await (await counter.getFunction("bump")(3)).wait())!;
        await waitFor("newHeads and logs notifications", async () => heads.includes(BigInt(r.blockNumber)) && events.includes(await counter.getFunction("count")()));
        unwatchB();
        unwatchE();
      } finally {
        await client.transport.getRpcClient().then((c) => c.close());
      }
      // Raw: newPendingTransactions, an unknown kind, the per-connection limit.
      const sock = new WebSocket(wsUrl());
      await new Promise((res, rej) => sock.once("open", res).once("error", rej));
      type Reply = { result?: string; error?: { code: number; message: string } };
      const waiting = new Map<number, (r: Reply) => void>();
      const notes: { subscription: string; result: unknown }[] = [];
      sock.on("message", (m) => {
        const x = JSON.parse(m.toString());
        if (x.method === "eth_subscription") notes.push(x.params);
        else waiting.get(x.id)?.(x);
      });
      const call = (id: number, method: string, params: unknown[]) =>
        new Promise<Reply>((res) => {
          waiting.set(id, res);
          sock.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
        });
      const pend = (await call(1, "eth_subscribe", ["newPendingTransactions"])).result!;
      expect((await call(2, "eth_subscribe", ["nonsense"])).error?.code).to.equal(-32601);
      expect((await call(3, "eth_blockNumber", [])).result).to.equal(ethers.toQuantity(await l2.getBlockNumber()));
      const sent = await counter.getFunction("bump")(1);
      await waitFor("pending notification", async () => notes.some((n) => n.subscription === pend && n.result === sent.hash));
      await sent.wait();
      for (let i = 0; i < 127; i++) expect((await call(10 + i, "eth_subscribe", ["newHeads"])).result).to.match(/^0x[0-9a-f]{32}$/);
      expect((await call(200, "eth_subscribe", ["newHeads"])).error?.code).to.equal(-32005);
      expect((await call(201, "eth_unsubscribe", [pend])).result).to.equal(true);
      expect((await call(202, "eth_subscribe", ["newHeads"])).result).to.match(/^0x/);
      sock.close();
      // A browser page of an origin the node does not allow cannot connect.
      const foreign = new WebSocket(wsUrl(), { origin: "https://evil.example" });
      const code = await new Promise<number>((res) => foreign.once("unexpected-response", (_req, resp) => res(resp.statusCode ?? 0)).once("error", () => res(-1)));
      expect(code).to.equal(403);
    });
  });

  describe("predeploys", () => {
    it("viem's multicall works (Multicall3 at its canonical address); the CREATE2 deployer deploys where CREATE2 says; Permit2 knows the chain", async () => {
      const c = artifact("Counter");
      const counter = (await (await new ContractFactory(c.abi as never, c.bytecode, w(2)).deploy()).waitForDeployment()) as Contract;
      await (await counter.getFunction("bump")(9)).wait();
      const chain = defineChain({
        id: 901,
        name: "moveset devnet",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [d.rpcUrl] } },
        contracts: { multicall3: { address: "0xcA11bde05977b3631167028862bE2a173976CA11" } },
      });
      const pub = createPublicClient({ chain, transport: http(d.rpcUrl) });
      const abi = parseAbi(["function count() view returns (uint256)", "function paid(address) view returns (uint256)"]);
      const address = (await counter.getAddress()) as Hex;
      const results = await pub.multicall({ contracts: [{ address, abi, functionName: "count" }, { address, abi, functionName: "paid", args: [d.accounts[2].address as Hex] }] });
      expect(results).to.deep.equal([
        { status: "success", result: 9n },
        { status: "success", result: 0n },
      ]);
      // The deterministic deployer: salt || initcode, deployed at CREATE2(deployer, salt, keccak(initcode)).
      const deployer = "0x4e59b44847b379578588920ca78fbf26c0b4956c";
      const salt = ethers.id("moveset");
      const sent = await w(2).sendTransaction({ to: deployer, data: ethers.concat([salt, c.bytecode]) });
      await sent.wait();
      const at = ethers.getCreate2Address(deployer, salt, ethers.keccak256(c.bytecode));
      expect(await l2.getCode(at)).to.equal(await l2.getCode(address));
      // Permit2's EIP-712 domain separator is this chain's.
      const permit2 = new Contract("0x000000000022D473030F116dDEE9F6B43aC78BA3", ["function DOMAIN_SEPARATOR() view returns (bytes32)"], l2);
      const domain = ethers.TypedDataEncoder.hashDomain({ name: "Permit2", chainId: 901, verifyingContract: "0x000000000022D473030F116dDEE9F6B43aC78BA3" });
      expect(await permit2.getFunction("DOMAIN_SEPARATOR")()).to.equal(domain);
      // At genesis already (block 0), with nonce 1.
      expect(await l2.getTransactionCount(deployer, 0)).to.equal(1);
      expect(await l2.getCode(deployer, 0)).to.equal("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3");
    });
  });

  describe("the pool, as geth's", () => {
    // Fee cap and tip grow together (a replacement must outbid both by 10%).
    const fee = (tip: bigint) => ({ maxFeePerGas: 10n * tip, maxPriorityFeePerGas: tip, gasLimit: 21000n, chainId: 901n, type: 2 });
    const send = (raw: string) => rpc(d.rpcUrl, "eth_sendRawTransaction", [raw]);

    it("a nonce gap is queued until it closes; a queued or pending transaction is replaced only by a 10% higher fee; a resent mined one is 'already known'", async () => {
      const carol = new Wallet(d.accounts[5].privateKey, l2);
      const to = d.accounts[0].address;
      const n = await l2.getTransactionCount(carol.address, "pending");
      // Nonce n + 1 first: queued (accepted, not pending: the pending nonce stays n).
      const ahead = await carol.signTransaction({ ...fee(10n ** 9n), to, value: 1n, nonce: n + 1 });
      const aheadHash = (await send(ahead)).result as string;
      expect(aheadHash).to.equal(ethers.keccak256(ahead));
      expect(await l2.getTransactionCount(carol.address, "pending")).to.equal(n);
      expect((await rpc(d.rpcUrl, "eth_getTransactionByHash", [aheadHash])).result).to.include({ hash: aheadHash, blockNumber: null });
      // Replacing the queued one: 5% more is underpriced, 10% more replaces it.
      const cheap = await carol.signTransaction({ ...fee((10n ** 9n * 105n) / 100n), to, value: 2n, nonce: n + 1 });
      expect((await send(cheap)).error).to.deep.include({ code: -32000, message: "replacement transaction underpriced" });
      const better = await carol.signTransaction({ ...fee((10n ** 9n * 110n) / 100n), to, value: 3n, nonce: n + 1 });
      const replaced = await send(better);
      expect(replaced.error).to.equal(undefined);
      const betterHash = replaced.result as string;
      expect((await rpc(d.rpcUrl, "eth_getTransactionByHash", [aheadHash])).result).to.equal(null);
      // Replacing a pending one: the first and its replacement in one JSON-RPC batch (handled in order, before any block).
      const first = await carol.signTransaction({ ...fee(10n ** 9n), to, value: 4n, nonce: n });
      const second = await carol.signTransaction({ ...fee(2n * 10n ** 9n), to, value: 5n, nonce: n });
      const both = (await rawRpc(d.rpcUrl, [
        { jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [first] },
        { jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: [second] },
      ])).json as { id: number; result?: string; error?: { message: string } }[];
      expect(both.map((x) => x.error)).to.deep.equal([undefined, undefined]);
      // The gap closed: the replacement of n and the replacement of n + 1 are mined, the replaced ones never.
      const r2 = await waitFor("the queued transaction mined", async () => l2.getTransactionReceipt(betterHash), 60_000);
      const r1 = (await l2.getTransactionReceipt(both[1].result!))!;
      expect(r1.status).to.equal(1);
      expect(r2.status).to.equal(1);
      expect(await l2.getTransactionReceipt(both[0].result!)).to.equal(null);
      expect(await l2.getTransactionReceipt(aheadHash)).to.equal(null);
      expect(await l2.getTransactionCount(carol.address)).to.equal(n + 2);
      // Sent again once mined: already known.
      expect((await send(second)).error).to.deep.include({ code: -32000, message: "already known" });
      expect((await send(better)).error).to.deep.include({ code: -32000, message: "already known" });
    });
  });
});

