/**
 * `moveset devnet --l1 anvil` as a user runs it (a child process on its own ports and data folder): the L1 is anvil
 * (node/devnet/anvil.ts), the contracts deployed as `moveset deploy` does, the batches posted in blobs (post mode blob,
 * the anvil devnet's default) and read back valid; with `--byzantine blob`, dev account #2 posts a blob batch whose
 * blob does not give its declarations and the devnet's watchtower proves the data fault (the batch rolls back on L1,
 * kind data, the reward to the watchtower's account; `moveset status` shows it rolled back). Ctrl-C and a restart on
 * the same datadir resume with anvil's state, and so does a restart after the devnet was SIGKILLed (the anvil it left
 * running is stopped first); anvil killed under a running devnet makes it stop with exit code 1 and say how to resume. Bad flags: a clear message, nothing started.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { JsonRpcProvider, Network, Wallet } from "ethers";
import { devAccounts } from "../../node/devnet/devnet";
import { DataSource } from "../../node/l1/batch-source";
import { inboxInterface } from "../../node/l1/contracts";
import { KIND_NUMBER } from "../../core/errors";
import { cleanupTmp, freePort, receiptOf, runCli, spawnCli, tmpDir, waitFor } from "./helpers";

describe("e2e: moveset devnet --l1 anvil (batches in blobs, the blob data fault proven, restart)", function () {
  this.timeout(600_000);

  let dev: ReturnType<typeof spawnCli> | undefined;
  let datadir: string;
  let l1Port: number;
  let rpcPort: number;
  let l1: JsonRpcProvider;
  let l2: JsonRpcProvider;
  const accounts = devAccounts(6);

  async function start(extra: string[]): Promise<ReturnType<typeof spawnCli>> {
    const d = spawnCli(["devnet", "--l1", "anvil", "--datadir", datadir, "--l1-port", String(l1Port), "--rpc-port", String(rpcPort), "--no-explorer", "--accounts", "6", "--batch-interval", "200", ...extra], { MOVESET_LOG_LEVEL: "info" });
    await waitFor("devnet ready", async () => {
      if (d.p.exitCode !== null) throw new Error(`devnet exited ${d.p.exitCode}:\n${d.out().slice(-4000)}`);
      return d.out().includes('"msg":"devnet ready"');
    }, 400_000, 250);
    return d;
  }

  async function stop(d: ReturnType<typeof spawnCli>): Promise<number | null> {
    d.p.kill("SIGINT");
    return (await d.exit).code;
  }

  const appends = async () =>
    (await l1.getLogs({ address: inbox(), fromBlock: 0, topics: [inboxInterface().getEvent("BatchAppended")!.topicHash] })).map((l) => inboxInterface().parseLog(l)!);
  const rollbacks = async () =>
    (await l1.getLogs({ address: inbox(), fromBlock: 0, topics: [inboxInterface().getEvent("BatchesRolledBack")!.topicHash] })).map((l) => inboxInterface().parseLog(l)!);
  const inbox = () => (JSON.parse(fs.readFileSync(path.join(datadir, "deployment.json"), "utf8")) as { contracts: { Inbox: string } }).contracts.Inbox;

  before(async () => {
    datadir = tmpDir("moveset-devnet-anvil-");
    [l1Port, rpcPort] = [await freePort(), await freePort()];
    l1 = new JsonRpcProvider(`http://127.0.0.1:${l1Port}`, Network.from(31337n), { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    l2 = new JsonRpcProvider(`http://127.0.0.1:${rpcPort}`, Network.from(901n), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100, cacheTimeout: -1 });
  });

  after(async () => {
    if (dev && dev.p.exitCode === null) {
      dev.p.kill("SIGINT");
      await dev.exit;
    }
    l1?.destroy();
    l2?.destroy();
    cleanupTmp();
  });

  it("refuses bad flags with a clear message: an unknown L1, --byzantine blob on Hardhat's L1, anvil missing", async () => {
    const foo = await runCli(["devnet", "--l1", "foo", "--datadir", tmpDir()], {});
    expect(foo.code).to.not.equal(0);
    expect(foo.stderr).to.match(/--l1 <which>.*foo.*hardhat, anvil/s);

    const blob = await runCli(["devnet", "--byzantine", "blob", "--datadir", tmpDir(), "--l1-port", String(await freePort()), "--rpc-port", String(await freePort()), "--no-explorer"], {});
    expect(blob.code).to.equal(1);
    expect(blob.stderr).to.contain("--byzantine blob").and.to.contain("--l1 anvil");

    const none = await runCli(["devnet", "--l1", "anvil", "--datadir", tmpDir(), "--l1-port", String(await freePort()), "--rpc-port", String(await freePort()), "--no-explorer"], { MOVESET_ANVIL: "/nonexistent/anvil" });
    expect(none.code).to.equal(1);
    expect(none.stderr).to.contain("/nonexistent/anvil").and.to.contain("npm install").and.to.contain("foundryup");
  });

  it("--byzantine blob: honest transactions go in blobs and are read back valid; the watchtower proves the blob batch's data fault on L1", async () => {
    dev = await start(["--byzantine", "blob", "--fresh"]);
    expect(dev.out()).to.contain("L1 (anvil)");

    // An honest L2 transaction: its batch is posted in a blob (dataSource 2) and the devnet's verifier finds it valid.
    const from = new Wallet(accounts[5].privateKey, l2);
    const rc = await receiptOf(l2, (await from.sendTransaction({ to: accounts[4].address, value: 12345n })).hash, 120_000);
    expect(rc.status).to.equal(1);
    const batch = BigInt(rc.blockNumber) - 1n;
    const ev = await waitFor("its batch on L1", async () => (await appends()).find((e) => e.args.index === batch && e.args.poster.toLowerCase() === accounts[0].address.toLowerCase()), 120_000, 250);
    expect(Number(ev.args.dataSource), "posted in a blob").to.equal(DataSource.Blob);
    await waitFor("the verifier reads it back from its blob: valid", async () => /"msg":"batch valid"/.test(dev!.out()) && dev!.out().includes(`"component":"verifier","index":"${batch}"`), 120_000, 250);

    // The byzantine blob batch (dev account #2) rolls back with the data fault, proven by the watchtower (dev account #1).
    const posted = await waitFor("the byzantine blob batch", async () => /"event":"byzantine-batch","kind":"blob","index":"(\d+)"/.exec(dev!.out()) ?? undefined, 120_000, 250);
    const index = BigInt(posted[1]);
    const bad = (await appends()).find((e) => e.args.index === index && e.args.poster.toLowerCase() === accounts[2].address.toLowerCase())!;
    expect(Number(bad.args.dataSource)).to.equal(DataSource.Blob);
    const rolled = await waitFor("the rollback on L1", async () => (await rollbacks()).find((e) => e.args.index === index), 180_000, 500);
    expect(Number(rolled.args.kind)).to.equal(KIND_NUMBER.data);
    expect(String(rolled.args.challenger).toLowerCase()).to.equal(accounts[1].address.toLowerCase());
    expect(rolled.args.reward).to.equal(10n ** 18n / 2n);
    await waitFor("the watchtower's log line", async () => /"component":"watchtower","batch":"\d+","kind":"data","outcome":"won"[^\n]*"msg":"challenge won: batch rolled back"/.test(dev!.out()), 60_000, 250);

    const status = await runCli(["status", "--rpc", `http://127.0.0.1:${rpcPort}`, "--json"], {});
    expect(status.code, status.stderr).to.equal(0);
    const rows = (JSON.parse(status.stdout) as { batches: { index: number; status: string }[] }).batches;
    expect(rows.find((r) => BigInt(r.index) === index)?.status, JSON.stringify(rows)).to.equal("rolled back");

    // The coordinator's first blob posts: L1's base fee falls fast on a fresh anvil (1/8 a block, a block per
    // transaction), so a post may declare more than L1 takes; it is refused before it is sent (the pending
    // block's prices), or, mined, told apart as L1PriceTooHigh (then declared at half), never an unexplained revert.
    const first = dev.out().split("\n").filter((l) => l.includes('"component":"coordinator"') && /"index":"[01]"/.test(l));
    expect(first.some((l) => l.includes('"msg":"batch included on L1"') && l.includes('"index":"0"')), first.join("\n")).to.equal(true);
    expect(first.filter((l) => l.includes('"why":"Reverted"')), first.join("\n")).to.deep.equal([]);
  });

  it("after Ctrl-C, a restart on the same datadir resumes with anvil's L1 state; new batches go in blobs too", async () => {
    const before = { block: await l1.getBlockNumber(), batches: (await appends()).length, balance: await l2.getBalance(accounts[4].address) };
    expect(await stop(dev!)).to.equal(0);
    dev = await start([]);
    expect(await l1.getBlockNumber()).to.be.at.least(before.block);
    expect((await appends()).length).to.be.at.least(before.batches);
    expect(await l2.getBalance(accounts[4].address)).to.equal(before.balance);

    const from = new Wallet(accounts[5].privateKey, l2);
    const rc = await receiptOf(l2, (await from.sendTransaction({ to: accounts[4].address, value: 1n })).hash, 120_000);
    expect(rc.status).to.equal(1);
    const ev = await waitFor("the new batch on L1", async () => (await appends()).find((e) => e.args.index === BigInt(rc.blockNumber) - 1n), 120_000, 250);
    expect(Number(ev.args.dataSource)).to.equal(DataSource.Blob);
    expect(await l2.getBalance(accounts[4].address)).to.equal(before.balance + 1n);
  });

  it("a devnet killed outright (SIGKILL) leaves its anvil running: the next start on the datadir stops that anvil first and resumes", async () => {
    const left = Number(/"anvilPid":(\d+),"url"/.exec(dev!.out())![1]);
    const balance = await l2.getBalance(accounts[4].address);
    dev!.p.kill("SIGKILL");
    await dev!.exit;
    expect(fs.existsSync(`/proc/${left}`), "anvil outlives a SIGKILLed devnet (its own process group)").to.equal(true);
    dev = await start([]);
    expect(dev.out()).to.contain(`"anvilPid":${left},"msg":"L1: stopping the anvil a killed devnet left running on this datadir"`);
    expect(fs.existsSync(`/proc/${left}`)).to.equal(false);
    expect(await l2.getBalance(accounts[4].address)).to.equal(balance);
  });

  it("anvil killed under the devnet: it stops with exit code 1 and says how to resume", async () => {
    const pid = Number(/"anvilPid":(\d+),"url"/.exec(dev!.out())![1]);
    process.kill(pid, "SIGKILL");
    const ex = await dev!.exit;
    expect(ex.code, dev!.out().slice(-3000)).to.equal(1);
    expect(dev!.out()).to.contain(`the L1 (anvil, pid ${pid}) killed by SIGKILL`).and.to.contain("same --datadir to resume");
  });
});
