/**
 * `moveset deploy` (cli/deploy.ts, deploy/run.ts) end to end: starts `npx hardhat node` on a free local port, runs
 * `node bin/moveset.js deploy --network localhost --rpc-url http://127.0.0.1:<port>` against it (the
 * --rpc-url flag is how a local node on another port is reached), then checks deployments/<network>.json
 * (written to a temporary --out folder) and that the deployed contracts answer. Also: the Sepolia
 * variables are named when missing. The node is killed and the Ignition journal removed afterwards.
 */
import { expect } from "chai";
import { spawn, spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ethers } from "ethers";
import { MAX_DEPOSITS_PER_BATCH_CAP } from "../../deploy/run";
import { genesisParameters } from "../../deploy/Moveset";
import { bondsForGasPrice } from "../../core/game/bonds";
import { deploymentFromRecord } from "../../node/config";
import { defaultDictionary } from "../../deploy/dictionary";
import { bytesToHex } from "../../core/bytes";

const ROOT = path.resolve(__dirname, "..", "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Environment for child processes, without anything that would pick another network or project. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete env[k];
  return { ...env, ...extra };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, "bin", "moveset.js"), ...args], { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitForRpc(url: string, node: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (node.exitCode !== null) throw new Error(`hardhat node exited with ${node.exitCode}`);
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`hardhat node did not answer at ${url} within ${timeoutMs} ms`);
}

const abi = (name: string, sub = "") => JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts", "contracts", sub, `${name}.sol`, `${name}.json`), "utf8")).abi;

describe("moveset deploy", function () {
  this.timeout(300_000);

  let node: ChildProcess | undefined;
  let nodeLog = "";
  let url = "";
  let tmp = "";
  let deploymentId = "";

  let port = 0;

  async function startHardhatNode(): Promise<void> {
    node = spawn("npx", ["hardhat", "node", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: ROOT,
      env: childEnv(),
      detached: true, // its own process group, so the whole npx → hardhat tree is stopped after
      stdio: ["ignore", "pipe", "pipe"],
    });
    node.stdout!.on("data", (d) => (nodeLog += d));
    node.stderr!.on("data", (d) => (nodeLog += d));
    await waitForRpc(url, node, 120_000);
  }

  async function stopHardhatNode(): Promise<void> {
    if (node?.pid !== undefined && node.exitCode === null) {
      const exited = new Promise((r) => node!.once("exit", r));
      try {
        process.kill(-node.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await exited;
    }
  }

  before(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    deploymentId = `deploy-test-${port}-${process.pid}`;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-deploy-"));
    await startHardhatNode();
  });

  after(async () => {
    await stopHardhatNode();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (deploymentId) fs.rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    // remove the folders the journal created, if nothing else lives there
    for (const d of [path.join(ROOT, "ignition", "deployments"), path.join(ROOT, "ignition")]) {
      try {
        fs.rmdirSync(d);
      } catch {
        // not empty or not there
      }
    }
  });

  it("deploys to a local node on another port and writes <network>.json; the contracts answer", async () => {
    const paramsFile = path.join(tmp, "params.json");
    fs.writeFileSync(paramsFile, JSON.stringify({ Moveset: { bondSize: "2000000000000000000n", rewardBps: 2500, inclusionDelay: 600 } }));
    const argsWith = (window: string) => [
      "deploy", "--network", "localhost", "--rpc-url", url, "--params", paramsFile, "--challenge-window", window, "--inclusion-delay", "60", "--max-deposits-per-batch", "100", "--min-base-fee", "7",
      "--max-clock-duration", "600", "--clock-extension", "30", "--game-gas-price", "2000000000", "--deployment-id", deploymentId, "--out", tmp, "--dictionary", "none",
    ];
    const args = argsWith("30");
    const r = await runCli(args);
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}\nnode:\n${nodeLog.slice(-2000)}`).to.equal(0);

    const file = path.join(tmp, "localhost.json");
    const rec = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(rec.network).to.equal("localhost");
    expect(rec.chainId).to.equal(31337);
    expect(rec.l2ChainId).to.equal(901);
    expect(rec.deploymentId).to.equal(deploymentId);
    // Every production prover, and never the TestProver.
    expect(Object.keys(rec.contracts).sort()).to.deep.equal(
      ["Bridge", "CodeRegistry", "DataProver", "DepositProver", "DisputeGame", "DoubleUseProver", "Inbox", "InputProver", "MalformedProver", "OneStepVerifier", "RulesProver", "SignatureProver", "StepCall", "StepHash", "StepRun", "StepStart", "StepState", "StepTx"].sort(),
    );
    const gameBonds = bondsForGasPrice(2_000_000_000n);
    expect(rec.parameters).to.deep.equal({
      l2ChainId: 901, bondSize: "2000000000000000000", challengeWindow: 30, inclusionDelay: 60, rewardBps: 2500, maxDepositsPerBatch: 100, minBaseFee: "7",
      maxClockDuration: 600, clockExtension: 30, gameBonds: gameBonds.map(String),
      // The genesis commitment is the predeploys' for the chain id (protocol.md §7.6), read back from the Inbox.
      genesisRoot: genesisParameters(901n).genesisRoot, genesisCount: Number(genesisParameters(901n).genesisCount),
    });

    const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      const head = await provider.getBlockNumber();
      expect(rec.deployedAt).to.be.greaterThan(0);
      expect(rec.deployedAt).to.be.at.most(head);
      for (const a of Object.values(rec.contracts) as string[]) expect(await provider.getCode(a)).to.not.equal("0x");
      expect(await provider.getCode(rec.contracts.Bridge, rec.deployedAt - 1)).to.equal("0x");

      const inbox = new ethers.Contract(rec.contracts.Inbox, abi("Inbox"), provider);
      const bridge = new ethers.Contract(rec.contracts.Bridge, abi("Bridge"), provider);
      expect(await inbox.bridge()).to.equal(rec.contracts.Bridge);
      expect(await bridge.inbox()).to.equal(rec.contracts.Inbox);
      expect(await inbox.bondSize()).to.equal(2n * 10n ** 18n);
      expect(await inbox.challengeWindow()).to.equal(30n);
      expect(await inbox.inclusionDelay()).to.equal(60n);
      expect(await inbox.rewardBps()).to.equal(2500n);
      expect(await inbox.maxDepositsPerBatch()).to.equal(100n);
      // the one-step verifier is wired to its registry, the registry to the Inbox
      const verifier = new ethers.Contract(rec.contracts.OneStepVerifier, abi("OneStepVerifier", "step"), provider);
      const registry = new ethers.Contract(rec.contracts.CodeRegistry, abi("CodeRegistry", "step"), provider);
      expect(await verifier.registry()).to.equal(rec.contracts.CodeRegistry);
      expect(await verifier.stepRun()).to.equal(rec.contracts.StepRun);
      expect(await verifier.stepStart()).to.equal(rec.contracts.StepStart);
      expect(await registry.inbox()).to.equal(rec.contracts.Inbox);
      // the dispute game runs on that verifier and is the Inbox's game (a prover too)
      const game = new ethers.Contract(rec.contracts.DisputeGame, abi("DisputeGame", "game"), provider);
      expect(await inbox.game()).to.equal(rec.contracts.DisputeGame);
      expect(await inbox.isProver(rec.contracts.DisputeGame)).to.equal(true);
      expect(await game.verifier()).to.equal(rec.contracts.OneStepVerifier);
      expect(await game.inbox()).to.equal(rec.contracts.Inbox);
      expect(await game.maxClockDuration()).to.equal(600n);
      expect(await game.clockExtension()).to.equal(30n);
      for (let d = 1; d <= 26; d++) expect(await game.bondAt(d)).to.equal(gameBonds[d - 1]);
      expect(deploymentFromRecord(rec).game).to.deep.equal({
        address: rec.contracts.DisputeGame, registry: rec.contracts.CodeRegistry, maxClockDuration: 600n, clockExtension: 30n, bonds: [0n, ...gameBonds],
      });
      expect(await inbox.MAX_DEPOSITS_PER_BATCH_CAP()).to.equal(MAX_DEPOSITS_PER_BATCH_CAP); // the CLI's early check is the contract's bound
      expect(await inbox.l2ChainId()).to.equal(901n);
      expect(await inbox.minBaseFee()).to.equal(7n);
      expect(await inbox.nextBaseFee()).to.equal(7n);
      expect(await inbox.proversLocked()).to.equal(true); // the production provers are registered, for ever
      for (const name of ["MalformedProver", "SignatureProver", "InputProver", "DoubleUseProver", "DepositProver", "RulesProver", "DataProver"]) expect(await inbox.isProver(rec.contracts[name])).to.equal(true);
      expect(await inbox.deployer()).to.equal(rec.deployer);
      expect(await inbox.batchCount()).to.equal(0n);
      expect(await inbox.dictionary()).to.equal(ethers.ZeroAddress, "--dictionary none: none bound (protocol.md §7.7)");

      // the contracts take transactions: a deposit and a bond from one of the node's accounts
      const user = await provider.getSigner(1);
      await (await (bridge.connect(user) as ethers.Contract).deposit(await user.getAddress(), { value: 1234n })).wait();
      expect(await bridge.depositCount()).to.equal(1n);
      await (await (inbox.connect(user) as ethers.Contract).bond({ value: 2n * 10n ** 18n })).wait();
      expect(await inbox.bondOf(await user.getAddress())).to.equal(2n * 10n ** 18n);
    } finally {
      provider.destroy();
    }

    // same id, same parameters: Ignition finds everything done and the same addresses are written
    const again = await runCli(args);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).contracts).to.deep.equal(rec.contracts);

    // same id, other parameters: refused rather than silently describing the old deployment
    const other = await runCli(argsWith("31"));
    expect(other.code).to.equal(1);
    expect(other.stderr).to.contain("--reset");
    expect(JSON.parse(fs.readFileSync(file, "utf8")).parameters.challengeWindow).to.equal(30);
  });

  it("run again against a restarted node: the stale journal is set aside and the contracts are deployed anew", async () => {
    const file = path.join(tmp, "localhost.json");
    const old = JSON.parse(fs.readFileSync(file, "utf8"));
    await stopHardhatNode();
    await startHardhatNode(); // same port, same chain id 31337, none of the contracts
    const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      expect(await provider.getCode(old.contracts.Inbox)).to.equal("0x");
      // This time with the shipped dictionary of compressed items (protocol.md §7.7), the default: no --dictionary.
      const args = ["deploy", "--network", "localhost", "--rpc-url", url, "--challenge-window", "30", "--deployment-id", deploymentId, "--out", tmp];
      const r = await runCli(args);
      expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
      expect(r.stderr).to.match(/moveset deploy: the Ignition journal \S+ records \d+ contracts \(.*\) that are not on localhost \(chain 31337\): the node was restarted; deploying anew/);
      expect(r.stderr).not.to.match(/BAD_DATA|\n\s+at /);
      const rec = JSON.parse(fs.readFileSync(file, "utf8"));
      for (const a of Object.values(rec.contracts) as string[]) expect(await provider.getCode(a)).to.not.equal("0x");
      expect(rec.parameters.challengeWindow).to.equal(30);
      // By default a FlzDictionary whose code is 0x00 || the shipped dictionary, bound by the Inbox.
      const inbox = new ethers.Contract(rec.contracts.Inbox, abi("Inbox"), provider);
      expect(await inbox.dictionary()).to.equal(rec.contracts.FlzDictionary);
      expect(await provider.getCode(rec.contracts.FlzDictionary)).to.equal("0x00" + bytesToHex(defaultDictionary()).slice(2));
      // The same id asked without it: refused, not a record of what is not there.
      const none = await runCli([...args, "--dictionary", "none"]);
      expect(none.code).to.equal(1);
      expect(none.stderr).to.contain("--reset");
    } finally {
      provider.destroy();
    }
  });

  it("keeps its Ignition journals out of git", () => {
    const r = spawnSync("git", ["check-ignore", "-q", path.join("ignition", "deployments", deploymentId, "journal.jsonl")], { cwd: ROOT });
    expect(r.status, "ignition/deployments/ is git-ignored").to.equal(0);
  });

  it("refuses sepolia without its variables, naming them", async () => {
    const r = await runCli(["deploy", "--network", "sepolia"], { SEPOLIA_RPC_URL: "", SEPOLIA_PRIVATE_KEY: "" });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("SEPOLIA_RPC_URL");
    expect(r.stderr).to.contain("SEPOLIA_PRIVATE_KEY");
    expect(r.stderr).not.to.match(/\n\s+at /); // a message, not a stack trace

    const k = await runCli(["deploy", "--network", "sepolia"], { SEPOLIA_RPC_URL: "http://127.0.0.1:9", SEPOLIA_PRIVATE_KEY: "" });
    expect(k.code).to.equal(1);
    expect(k.stderr).to.contain("SEPOLIA_PRIVATE_KEY");
  });

  it("refuses an unknown network and bad parameters", async () => {
    const r = await runCli(["deploy", "--network", "nowhere"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('unknown network "nowhere"');
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ Moveset: { bondsize: 1 } }));
    const b = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--params", bad]);
    expect(b.code).to.equal(1);
    expect(b.stderr).to.contain('unknown parameter "bondsize"');
    const c = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--challenge-window", "0"]);
    expect(c.code).to.equal(1);
    expect(c.stderr).to.contain("challengeWindow");
    for (const m of ["0", "513"]) {
      const d = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--max-deposits-per-batch", m]);
      expect(d.code).to.equal(1);
      expect(d.stderr).to.contain("maxDepositsPerBatch must be in 1..512");
    }
    // a free L2 (base fee 0) is refused before anything is sent
    const z = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--min-base-fee", "0"]);
    expect(z.code).to.equal(1);
    expect(z.stderr).to.contain("minBaseFee");
    // the game's clock must leave room for a doubled extension, and its bonds must be positive
    const e = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--max-clock-duration", "100", "--clock-extension", "51"]);
    expect(e.code).to.equal(1);
    expect(e.stderr).to.contain("clockExtension must be in 1..maxClockDuration/2");
    const g = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--game-gas-price", "0"]);
    expect(g.code).to.equal(1);
    expect(g.stderr).to.contain("gameGasPrice");
    // a dictionary that cannot be bound (protocol.md §7.7): missing, not hex, over 8,192 bytes
    fs.writeFileSync(path.join(tmp, "nothex.hex"), "0xzz");
    fs.writeFileSync(path.join(tmp, "big.hex"), "01".repeat(8193));
    for (const [f, msg] of [["missing.hex", "does not exist"], ["nothex.hex", "not hex"], ["big.hex", "8193 bytes, over the limit of 8192"]]) {
      const d = await runCli(["deploy", "--network", "localhost", "--rpc-url", url, "--dictionary", path.join(tmp, f)]);
      expect(d.code).to.equal(1);
      expect(d.stderr).to.contain(msg);
      expect(d.stderr).not.to.match(/\n\s+at /);
    }
  });
});
