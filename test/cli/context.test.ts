/**
 * cli/context.ts: a command finds L1, L2 and the deployment by itself (flag, then MOVESET_*, then the
 * running devnet's card), and what is missing is named all at once, in one line that says how to
 * supply it. A card left by a dead process does not count.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveContext, devnetDir, DEFAULT_L2_URL } from "../../cli/context";
import { CliError } from "../../cli/errors";
import { readDevnetInfo, writeDevnetInfo, removeDevnetInfo, devnetInfoPath } from "../../node/devnet/info";

const RECORD = {
  network: "devnet",
  chainId: 31337,
  l2ChainId: 901,
  contracts: { Inbox: "0x" + "11".repeat(20), Bridge: "0x" + "22".repeat(20) },
  parameters: { l2ChainId: 901, bondSize: "1000000000000000000", challengeWindow: 5, inclusionDelay: 60, rewardBps: 5000, maxDepositsPerBatch: 256, minBaseFee: "1000000000" },
  deployedAt: 1,
  deploymentId: "moveset-devnet",
  deployer: "0x" + "33".repeat(20),
};

/** The pid of a process that has ended. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}

describe("cli/context: finding the devnet, the environment, the flags", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-ctx-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fail = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).to.be.instanceOf(CliError);
      expect((e as Error).message).not.to.contain("\n");
      return (e as Error).message;
    }
    throw new Error("did not fail");
  };

  it("names everything missing at once, with where it comes from", () => {
    const m = fail(() => resolveContext("moveset challenge", {}, ["l1", "deployment"], { MOVESET_DEVNET: dir }, ["--key <key>"]));
    expect(m).to.equal(
      `moveset challenge: missing --l1 <url> (the L1 JSON-RPC), --deployment <file> (the deployment record) and --key <key>: no devnet runs from ${dir} (start one with \`npm start\`, or set MOVESET_DEVNET to its --datadir); or pass them, or set MOVESET_L1_URL and MOVESET_DEPLOYMENT`,
    );
    fs.writeFileSync(path.join(dir, "deployment.json"), JSON.stringify(RECORD));
    expect(fail(() => resolveContext("moveset verify", {}, ["l1"], { MOVESET_DEVNET: dir }))).to.contain(`the devnet in ${dir} is not running (start it with \`npm start\`)`);
  });

  it("finds a running devnet by its card; the environment and the flags win over it", () => {
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(RECORD));
    writeDevnetInfo(dir, { pid: process.pid, l1Url: "http://127.0.0.1:1111", rpcUrl: "http://127.0.0.1:2222", deployment: dep, startedAt: new Date().toISOString() });
    const c = resolveContext("x", {}, ["l1", "l2", "deployment"], { MOVESET_DEVNET: dir });
    expect([c.l1Url, c.l2Url, c.deploymentFile, c.isDevnet, c.deployment!.l2ChainId]).to.deep.equal(["http://127.0.0.1:1111", "http://127.0.0.1:2222", dep, true, 901n]);
    const e = resolveContext("x", {}, ["l1"], { MOVESET_DEVNET: dir, MOVESET_L1_URL: "http://env:1", MOVESET_L2_URL: "http://env:2" });
    expect([e.l1Url, e.l2Url]).to.deep.equal(["http://env:1", "http://env:2"]);
    const f = resolveContext("x", { l1: "http://flag:1", rpc: "http://flag:2" }, ["l1"], { MOVESET_DEVNET: dir, MOVESET_L1_URL: "http://env:1" });
    expect([f.l1Url, f.l2Url]).to.deep.equal(["http://flag:1", "http://flag:2"]);
    removeDevnetInfo(dir);
    expect(fs.existsSync(devnetInfoPath(dir))).to.equal(false);
  });

  it("--l1-beacon (or MOVESET_L1_BEACON, the flag first) names the beacon API; one that is not an http(s) URL stops the command with why", () => {
    const none = resolveContext("x", {}, [], { MOVESET_DEVNET: dir });
    expect(none.l1BeaconUrl).to.equal(undefined);
    expect(resolveContext("x", {}, [], { MOVESET_DEVNET: dir, MOVESET_L1_BEACON: "http://env:5052" }).l1BeaconUrl).to.equal("http://env:5052");
    expect(resolveContext("x", { l1Beacon: "https://flag:5052" }, [], { MOVESET_DEVNET: dir, MOVESET_L1_BEACON: "http://env:5052" }).l1BeaconUrl).to.equal("https://flag:5052");
    expect(fail(() => resolveContext("moveset verify", { l1Beacon: "ftp://beacon" }, [], { MOVESET_DEVNET: dir }))).to.equal("moveset verify: --l1-beacon ftp://beacon: a beacon API is served over http or https, not ftp");
    expect(fail(() => resolveContext("moveset watch", {}, [], { MOVESET_DEVNET: dir, MOVESET_L1_BEACON: "localhost 5052" }))).to.equal(
      'moveset watch: --l1-beacon "localhost 5052" is not a URL: pass a beacon API\'s base URL, such as http://127.0.0.1:5052 (from MOVESET_L1_BEACON)',
    );
  });

  it("a card whose process is gone is stale; the L2 URL falls back to the devnet's default port", () => {
    writeDevnetInfo(dir, { pid: deadPid(), l1Url: "http://127.0.0.1:1111", rpcUrl: "http://127.0.0.1:2222", deployment: path.join(dir, "deployment.json"), startedAt: "" });
    expect(readDevnetInfo(dir)).to.equal(undefined);
    expect(resolveContext("x", {}, [], { MOVESET_DEVNET: dir }).l2Url).to.equal(DEFAULT_L2_URL);
    fs.writeFileSync(devnetInfoPath(dir), "{not json");
    expect(readDevnetInfo(dir)).to.equal(undefined);
    expect(devnetDir({})).to.equal(".moveset/devnet");
  });

  it("a deployment file that is missing, not JSON or incomplete says so and what to do", () => {
    expect(fail(() => resolveContext("x", { deployment: path.join(dir, "none.json") }, ["deployment"], { MOVESET_DEVNET: dir }))).to.match(
      /deployment file .*none\.json does not exist: deploy with `npx moveset deploy --network localhost`/,
    );
    fs.writeFileSync(path.join(dir, "bad.json"), "{");
    expect(fail(() => resolveContext("x", { deployment: path.join(dir, "bad.json") }, ["deployment"], {}))).to.contain("is not JSON");
    fs.writeFileSync(path.join(dir, "half.json"), JSON.stringify({ ...RECORD, contracts: {} }));
    expect(fail(() => resolveContext("x", { deployment: path.join(dir, "half.json") }, ["deployment"], {}))).to.contain("missing or invalid contracts.Inbox");
  });
});
