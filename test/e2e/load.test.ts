/**
 * `moveset load` through the command, as a person runs it: a small seeded load of every kind
 * (ETH transfers, ERC-20 transfers, swaps) against the devnet's L2 and against a Hardhat node (the
 * devnet's L1: Hardhat's network served over JSON-RPC, as `npx hardhat node` serves it); each run
 * prints its figures with the JSON object on the last line, and the chain shows every planned
 * transaction sent by its account. Bad input is one line: an endpoint that does not answer, bad
 * flags, a funder without funds. No timing is asserted.
 */
import { expect } from "chai";
import hre from "hardhat";
import { ethers, parseEther } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { loadAccountKey, planKinds } from "../../bench/load";
import { cleanupTmp, freePort, rpc, runCli, tmpDir } from "./helpers";

type Out = { code: number | null; stdout: string; stderr: string };

/** The one line a failure prints: nothing on stdout, one line on stderr, exit code 1. */
function oneLine(r: Out): string {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(1);
  expect(r.stdout.trim()).to.equal("");
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, r.stderr).to.have.length(1);
  return lines[0];
}

interface Figures {
  acceptedTps: number;
  includedTps: number;
  p50Ms: number;
  p99Ms: number;
}

function figures(r: Out): Figures {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).to.equal(0);
  const lines = r.stdout.trim().split("\n");
  expect(lines[0]).to.match(/^load on http:\/\/127\.0\.0\.1:\d+ \(chain \d+\): 24 transactions .* from 3 accounts/);
  const j = JSON.parse(lines[lines.length - 1]) as Figures;
  expect(Object.keys(j).sort()).to.deep.equal(["acceptedTps", "includedTps", "p50Ms", "p99Ms"]);
  for (const v of Object.values(j)) expect(v).to.be.a("number").and.to.be.above(0);
  expect(j.p99Ms).to.be.at.least(j.p50Ms);
  return j;
}

describe("e2e: moveset load against the devnet and a Hardhat node", function () {
  this.timeout(300_000);
  const MIX = "eth,erc20,swap";
  const TXS = 24;
  const ACCOUNTS = 3;
  let d: DevnetHandle;
  const env = { MOVESET_LOG_LEVEL: "warn", MOVESET_L2_URL: "", MOVESET_DEVNET: "/nonexistent" };
  const load = (url: string, seed: string, ...more: string[]) => runCli(["load", "--rpc", url, "--txs", String(TXS), "--accounts", String(ACCOUNTS), "--mix", MIX, "--seed", seed, "--json", ...more], env);

  /** Every load account sent its six approvals and then its share of the load, in order. */
  async function expectAllSent(url: string, seed: string) {
    const kinds = planKinds(seed, TXS, { eth: 1, erc20: 1, swap: 1 });
    expect(new Set(kinds).size, "the seed's plan has every kind").to.equal(3);
    for (let i = 0; i < ACCOUNTS; i++) {
      const share = kinds.filter((_, k) => k % ACCOUNTS === i).length;
      const nonce = BigInt((await rpc(url, "eth_getTransactionCount", [new ethers.Wallet(loadAccountKey(seed, i)).address, "latest"])).result as string);
      expect(nonce, `load account ${i}`).to.equal(BigInt(6 + share));
    }
  }

  before(async () => {
    d = await startDevnet({ hre, datadir: tmpDir("moveset-load-"), l1Port: await freePort(), rpcPort: await freePort(), accounts: 3, fund: parseEther("10"), batchIntervalMs: 150, verifierWorkers: 0 });
  });

  after(async () => {
    await d?.stop();
    cleanupTmp();
  });

  it("runs against the devnet's L2: every transaction included, the figures on the last line", async () => {
    figures(await load(d.rpcUrl, "e2e-l2"));
    await expectAllSent(d.rpcUrl, "e2e-l2");
  });

  it("runs against a Hardhat node the same way", async () => {
    figures(await load(d.l1Url, "e2e-hardhat"));
    await expectAllSent(d.l1Url, "e2e-hardhat");
  });

  it("an endpoint that does not answer, bad flags, an unfunded funder: one line each", async () => {
    const port = await freePort();
    expect(oneLine(await load(`http://127.0.0.1:${port}`, "x"))).to.equal(
      `moveset: cannot reach the JSON-RPC endpoint at http://127.0.0.1:${port} (connection refused): is it running? (\`npm start\` runs the devnet)`,
    );
    expect(oneLine(await load("ftp://127.0.0.1", "x"))).to.equal('moveset: --rpc "ftp://127.0.0.1" is not an http(s) URL');
    expect(oneLine(await load(d.rpcUrl, "x", "--txs", "0"))).to.match(/^error: option '--txs <n>' argument '0' is invalid\. must be a positive whole number$/);
    expect(oneLine(await runCli(["load", "--rpc", d.rpcUrl, "--mix", "eth,nft"], env))).to.match(/^error: option '--mix <kinds>' argument 'eth,nft' is invalid\. "nft" is not a kind of transaction/);
    expect(oneLine(await runCli(["load", "--rpc", d.rpcUrl, "--accounts", "-2"], env))).to.match(/^error: option '--accounts <n>' argument '-2' is invalid/);
    // A funder with nothing, on a seed whose accounts were never funded.
    const empty = ethers.Wallet.createRandom();
    const r = await runCli(["load", "--rpc", d.rpcUrl, "--txs", "4", "--accounts", "2", "--seed", "unfunded", "--key", "EMPTY_FUNDER"], { ...env, EMPTY_FUNDER: empty.privateKey });
    const line = oneLine(r);
    expect(line).to.match(/^moveset: the funder 0x[0-9a-fA-F]{40} holds 0\.0 ETH on http:\/\/127\.0\.0\.1:\d+, the setup may need [\d.]+ ETH: fund it or pass another --key$/);
    expect(line).to.contain(empty.address);
  });
});
