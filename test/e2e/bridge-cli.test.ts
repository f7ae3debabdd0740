/**
 * End to end through the `moveset` command alone, as a person would use it against a running devnet
 * (found through its datadir's devnet.json: no --l1, --rpc or --deployment anywhere): a deposit, a
 * withdrawal followed by `withdrawals --json` through every status (waiting for its batch, the
 * challenge window with the time left, claimable, claimed), its claim by someone else, a bond and an
 * unbond; `moveset node` with an unbonded key says so once and posts once bonded; and every failure
 * a user has met is one line that says what to do.
 */
import { expect } from "chai";
import hre from "hardhat";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { JsonRpcProvider, getBytes, parseEther } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { l1Views } from "../../client/withdrawals";
import { LevelUtxoStore } from "../../node/state/utxo-store";
import { Mark } from "../../core/keys";
import { ROOT, cleanupTmp, freePort, runCli, tmpDir, waitFor } from "./helpers";

const WINDOW = 60n;
const FUND = parseEther("10");

type Out = { code: number | null; stdout: string; stderr: string };

/** The one line a failure prints (no stack trace, nothing else). */
function oneLine(r: Out): string {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(1);
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^moveset: /);
  return lines[0];
}

function json<T>(r: Out): T {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

interface W {
  hash: string;
  status: string;
  amount: string;
  secondsLeft?: number;
  note?: string;
}

describe("e2e: the bridge and bonds through the CLI alone", function () {
  this.timeout(300_000);

  let d: DevnetHandle;
  let datadir: string;
  let l1: JsonRpcProvider;
  let l2: JsonRpcProvider;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    datadir = tmpDir("moveset-cli-");
    // 10 ETH each on L2: the suite's devnets share one L1 and its dev accounts' 10,000 ETH.
    d = await startDevnet({ hre, datadir, l1Port: await freePort(), rpcPort: await freePort(), accounts: 10, fund: FUND, challengeWindow: WINDOW, batchIntervalMs: 150, verifierWorkers: 0, l1BlockTimeMs: 500 });
    // Only the devnet's datadir: the commands find L1, L2 and the deployment in its devnet.json.
    env = { MOVESET_DEVNET: datadir, MOVESET_LOG_LEVEL: "warn", MOVESET_L1_URL: "", MOVESET_L2_URL: "", MOVESET_DEPLOYMENT: "" };
    l1 = new JsonRpcProvider(d.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  });

  after(async () => {
    l1?.destroy();
    l2?.destroy();
    await d?.stop();
    expect(fs.existsSync(path.join(datadir, "devnet.json")), "the devnet's card goes when it stops").to.equal(false);
    cleanupTmp();
  });

  it("deposits, withdraws, lists the withdrawal through every status, and claims it", async () => {
    const six = d.accounts[6].address;
    const dep = json<{ l2Block: number | null; index: string; to: string }>(await cli("deposit", "--amount", "2", "--key", "6", "--json"));
    expect(dep.l2Block).to.be.a("number");
    expect(dep.to).to.equal(six);
    expect(await l2.getBalance(six)).to.equal(FUND + parseEther("2"));

    // Hold the next batch between building and posting: the withdrawal waits for it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    d.node.coordinator.beforePost = () => gate;
    let hash: string;
    try {
      hash = json<{ l2Tx: string }>(await cli("withdraw", "--amount", "0.5", "--key", "6", "--no-wait", "--json")).l2Tx;
      const waiting = json<W[]>(await cli("withdrawals", "--key", "6", "--json"));
      expect(waiting.map((w) => [w.hash, w.status, w.amount])).to.deep.equal([[hash, "waiting", parseEther("0.5").toString()]]);
    } finally {
      d.node.coordinator.beforePost = undefined;
      release();
    }
    await waitFor("the withdrawal's batch", () => l2.getTransactionReceipt(hash), 60_000);

    const open = json<W[]>(await cli("withdrawals", "--key", "6", "--json"));
    expect(open[0].status).to.equal("challenge");
    expect(open[0].secondsLeft).to.be.greaterThan(0).and.at.most(Number(WINDOW));
    const human = await cli("withdrawals", "--key", "6");
    expect(human.stdout).to.match(/challenge window .* left/);
    const early = oneLine(await cli("claim", "--key", "7", "--tx", hash));
    expect(early).to.match(/not final yet: .* left; add --wait/);

    // Past the window on L1's clock.
    await hre.network.provider.request({ method: "evm_increaseTime", params: [Number(WINDOW) + 1] });
    await hre.network.provider.request({ method: "evm_mine", params: [] });
    expect(json<W[]>(await cli("withdrawals", "--key", "6", "--json"))[0].status).to.equal("claimable");

    // Anyone may claim; the Bridge pays the owner exactly the amount.
    const before = await l1.getBalance(six);
    const claimed = json<{ claimed: { l2Tx: string; amount: string; recipient: string }[] }>(await cli("claim", "--key", "7", "--tx", hash, "--json"));
    expect(claimed.claimed.map((c) => [c.l2Tx, c.amount, c.recipient.toLowerCase()])).to.deep.equal([[hash, parseEther("0.5").toString(), six.toLowerCase()]]);
    expect((await l1.getBalance(six)) - before).to.equal(parseEther("0.5"));
    expect(json<W[]>(await cli("withdrawals", "--key", "6", "--json"))[0].status).to.equal("claimed");
    expect(oneLine(await cli("claim", "--key", "6", "--tx", hash))).to.contain("already claimed");
  });

  it("L1's view of a withdrawal: a batch past the live chain is not live (BatchNotLive); a failed read is an error, never a rollback", async () => {
    const gone = { hash: "0x" + "01".repeat(32), seq: "999999", amount: "1", state: "posted" as const, batchIndex: "999999", txIndex: "0", headerHash: "0x" + "ab".repeat(32), postedAt: 1, finalAt: 2 };
    const [v] = await l1Views(l1, d.deployment, [gone]);
    expect(v).to.include({ live: false, final: false, claimed: false });
    // An Inbox that answers nothing decodable (no code there): an error, where a catch-all would have said "rolled back".
    let err: unknown;
    await l1Views(l1, { ...d.deployment, inbox: "0x" + "5a".repeat(20) }, [gone]).catch((e) => (err = e));
    expect(err, "an unreadable answer is not a rolled-back batch").to.be.instanceOf(Error);
    expect((err as { code?: string }).code).to.equal("BAD_DATA");
  });

  it("bonds, shows the bond, unbonds", async () => {
    const b0 = json<{ bond: string }>(await cli("bonds", "--key", "7", "--json"));
    expect(b0.bond).to.equal("0");
    const b1 = json<{ bond: string; free: string; batches: number }>(await cli("bond", "--key", "7", "--amount", "3", "--json"));
    expect([b1.bond, b1.free, b1.batches]).to.deep.equal([parseEther("3").toString(), parseEther("3").toString(), 3]);
    const u = json<{ withdrawn: string; bond: string }>(await cli("unbond", "--key", "7", "--json"));
    expect([u.withdrawn, u.bond]).to.deep.equal([parseEther("3").toString(), "0"]);
    expect(oneLine(await cli("unbond", "--key", "7"))).to.contain("has no bond in the Inbox");
  });

  it("moveset node with an unbonded key says so once, how to bond, and posts once bonded", async () => {
    const nodeDir = tmpDir("moveset-cli-node-");
    const e: NodeJS.ProcessEnv = { ...process.env, ...env, MOVESET_LOG_LEVEL: "info", MOVESET_LOG_FORMAT: "json" };
    for (const k of Object.keys(e)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete e[k];
    const p = spawn(process.execPath, [path.join(ROOT, "bin", "moveset.js"), "node", "--key", "8", "--datadir", nodeDir, "--rpc-port", String(await freePort()), "--batch-interval", "100"], {
      cwd: ROOT,
      env: e,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout!.on("data", (x) => (out += x));
    p.stderr!.on("data", (x) => (err += x));
    try {
      await waitFor("the node to start", async () => out.includes("L2 JSON-RPC at"), 60_000);
      await new Promise((r) => setTimeout(r, 2000)); // a few dozen coordinator ticks
      const said = err.split("\n").filter((l) => l.includes("has no bond in the Inbox"));
      expect(said, err).to.have.length(1);
      expect(said[0]).to.contain("npx moveset bond --key 8");
      expect(
        out.split("\n").filter((l) => l.includes("free bond below the bond size")),
        "the coordinator says it once",
      ).to.have.length(1);
      expect(out.split("\n").filter((l) => l.trim()).length, "a quiet wait, not a stream of lines").to.be.below(12);
      json(await cli("bond", "--key", "8", "--json"));
      await waitFor("the node to notice its bond", async () => out.includes("free bond covers another batch"), 30_000);
    } finally {
      p.kill("SIGTERM");
      await new Promise((r) => p.once("exit", r));
    }
  });

  it("every failure a user has met is one line that says what to do", async () => {
    const nowhere = tmpDir("moveset-cli-none-");
    const closed = await freePort();
    const someone = d.accounts[9].address;
    // A record of a deployment L1 no longer has (a local node restarted since): its Inbox has no code.
    const stale = path.join(nowhere, "stale.json");
    const gone = "0x" + "5a".repeat(20);
    fs.writeFileSync(stale, JSON.stringify({ ...d.record, contracts: { ...d.record.contracts, Inbox: gone } }));
    // A challenge data folder synced for another chain (another genesis allocation).
    const otherChain = path.join(nowhere, "other-chain");
    const foreign = await LevelUtxoStore.open(path.join(otherChain, "verifier", "utxo"), { genesis: [[{ addr: getBytes(someone), mark: Mark.Balance, slot: 0n }, 1n]] });
    await foreign.close();
    const [noDevnet, noFile, noL1, noBatch, inUse, rawKey, staleRecord, wrongStore] = await Promise.all([
      runCli(["challenge", "--batch", "0", "--dry-run"], { ...env, MOVESET_DEVNET: nowhere }),
      cli("bonds", "--address", someone, "--deployment", path.join(nowhere, "localhost.json")),
      cli("bonds", "--address", someone, "--l1", `http://127.0.0.1:${closed}`),
      cli("challenge", "--batch", "999", "--dry-run"),
      cli("devnet", "--datadir", datadir, "--l1-port", "0", "--rpc-port", "0", "--no-explorer"),
      cli("bonds", "--key", d.accounts[9].privateKey),
      cli("bonds", "--address", someone, "--deployment", stale),
      cli("challenge", "--batch", "0", "--dry-run", "--datadir", otherChain),
    ]);
    expect(oneLine(noDevnet)).to.match(
      /missing --l1 <url> \(the L1 JSON-RPC\) and --deployment <file> \(the deployment record\): no devnet runs from .*npm start.*MOVESET_L1_URL and MOVESET_DEPLOYMENT/,
    );
    expect(oneLine(noFile)).to.match(/deployment file .*localhost\.json does not exist: deploy with `npx moveset deploy --network localhost`/);
    expect(oneLine(noL1)).to.contain(`cannot reach L1 at http://127.0.0.1:${closed} (connection refused): is it running?`);
    const latest = (await d.node.chain.tip())!.index;
    expect(oneLine(noBatch)).to.contain(`no batch 999: the latest batch is ${latest}`);
    expect(oneLine(inUse)).to.contain(`is in use by another moveset process (pid ${process.pid}): stop it first, or pass another --datadir`);
    const raw = oneLine(rawKey);
    expect(raw).to.contain("never the key itself");
    expect(raw + rawKey.stdout).not.to.contain(d.accounts[9].privateKey.slice(2, 20));
    expect(oneLine(staleRecord)).to.contain(`names an Inbox at ${gone} that L1 at ${d.l1Url} does not have (the chain was restarted or reset since): deploy again`);
    expect(oneLine(wrongStore)).to.contain(`the UTXO store at ${path.join(otherChain, "verifier", "utxo")} was created for another genesis allocation (another chain or deployment): pass another --datadir`);
  });
});
