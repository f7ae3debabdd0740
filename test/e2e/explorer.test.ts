/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The explorer in a real browser: headless Chromium (Debian's `chromium`, which .ci/run installs)
 * driven by puppeteer-core, against an in-process devnet where a byzantine poster's invalid batch
 * (double-use) is proven by the watchtower and rolled back, a contract is deployed and called, and
 * ETH is withdrawn. Each view is checked for what it shows, links are followed (a move's intx to its
 * producing transaction), the batches view is watched updating by itself, the narrow layout is
 * checked for overflow, and no script error or CSP violation occurs. A screenshot of each view is
 * taken; with MOVESET_SCREENSHOTS=1 they are written to docs/explorer/ (the ones the README shows).
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ContractFactory, JsonRpcProvider, Wallet, parseEther, type Contract } from "ethers";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { eth } from "../../client/contracts";
import { ROOT, chromiumPath, cleanupTmp, freePort, tmpDir, waitFor } from "./helpers";

const VAULT = "0x7700000000000000000000000000000000000000";

describe("e2e: finding the explorer test's Chromium", () => {
  it("MOVESET_CHROMIUM, else chromium on the PATH; none is an error that says how to install it", () => {
    const bin = tmpDir("moveset-chromium-path-");
    const fake = path.join(bin, "chromium");
    fs.writeFileSync(fake, "#!/bin/sh\n", { mode: 0o755 });
    expect(chromiumPath({ PATH: `/nonexistent${path.delimiter}${bin}` })).to.equal(fake);
    expect(chromiumPath({ PATH: "/nonexistent", MOVESET_CHROMIUM: fake })).to.equal(fake);
    expect(() => chromiumPath({ PATH: "/nonexistent" })).to.throw("no Chromium on the PATH for the explorer's test: install Debian's (`apt-get install -y chromium`");
    expect(() => chromiumPath({ PATH: bin, MOVESET_CHROMIUM: path.join(bin, "nope") })).to.throw(/MOVESET_CHROMIUM names .*nope, which does not exist: install Debian's/);
  });
});

describe("e2e: the explorer in headless Chromium", function () {
  this.timeout(300_000);

  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let shots: string;
  let counter: Contract;
  let deployHash = "";
  let bumpHash = "";
  let firstBumpHash = "";
  let withdrawHash = "";

  const api = async <T>(p: string): Promise<T> => (await (await fetch(`${d.explorerUrl}/api/${p}`)).json()) as T;

  async function show(route: string, width = 1200): Promise<void> {
    await page.setViewport({ width, height: 900 });
    await page.goto(`${d.explorerUrl}/${route}`);
    // The view of this route, not the one before it: a hash change is drawn after goto returns.
    await page.waitForFunction(
      (r) => {
        const m = document.querySelector("main");
        return m?.getAttribute("data-route") === r && m.getAttribute("data-view") !== "loading";
      },
      {},
      route,
    );
  }

  const text = () => page.$eval("main", (m) => (m as HTMLElement).innerText);

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  }

  before(async function () {
    // No Chromium fails here with how to install it: the explorer's test is never skipped.
    const chromium = chromiumPath();
    shots = process.env.MOVESET_SCREENSHOTS === "1" ? path.join(ROOT, "docs", "explorer") : tmpDir("moveset-shots-");
    fs.mkdirSync(shots, { recursive: true });
    d = await startDevnet({
      hre,
      datadir: tmpDir("moveset-explorer-"),
      l1Port: await freePort(),
      rpcPort: await freePort(),
      explorerPort: 0,
      accounts: 6,
      fund: parseEther("10"), // the suite's devnets share one L1 and its dev accounts' 10,000 ETH
      challengeWindow: 30n,
      batchIntervalMs: 150,
      verifierWorkers: 0,
      l1BlockTimeMs: 300,
      watch: { account: 1, confirmations: 0 },
      byzantine: "double-use",
    });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    // The byzantine batch and the watchtower's proof first: the rollback also removes later batches (re-posted after).
    await waitFor("the rollback of the invalid batch", async () => (await api<{ rollbacks: unknown[] }>("proofs")).rollbacks.length > 0, 120_000, 500);
    const receipt = async (h: string) => waitFor(`receipt of ${h}`, () => l2.getTransactionReceipt(h), 60_000);
    // A contract, called twice (its slot gets versions), and a withdrawal.
    const art = JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/Counter.sol/Counter.json"), "utf8"));
    const alice = new Wallet(d.accounts[4].privateKey, l2);
    const c = await new ContractFactory(art.abi, art.bytecode, alice).deploy();
    deployHash = c.deploymentTransaction()!.hash;
    await receipt(deployHash);
    counter = c as unknown as Contract;
    for (const by of [5, 7]) {
      const t = await counter.getFunction("bump")(by);
      [firstBumpHash, bumpHash] = [bumpHash, t.hash];
      await receipt(t.hash);
    }
    const w = await alice.sendTransaction({ to: VAULT, value: parseEther("0.5") });
    withdrawHash = w.hash;
    await receipt(w.hash);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-chromium-"));
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${dir}`,
      ],
    });
    page = await browser.newPage();
    page.on("pageerror", (e) => problems.push(`page error: ${String(e)}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(d.explorerUrl!)) problems.push(`a request off the explorer's origin: ${r.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    l2?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  it("batches: status, poster, L1 tx and verdict, the rolled-back batch too", async () => {
    await show("#/");
    await page.waitForSelector('tr[data-status="rolled back"]');
    const rows = await page.$$eval("tbody tr", (trs) =>
      trs.map((tr) => ({ status: tr.getAttribute("data-status"), cells: [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText) })),
    );
    const rb = rows.find((r) => r.status === "rolled back")!;
    expect(rb.cells[1]).to.contain("rolled back").and.contain("by a double-use proof");
    expect(rb.cells[5]).to.match(/^invalid: double-use\//);
    expect(rb.cells[3]).to.match(/^0x3c44cddd…/i); // dev account #2, the byzantine poster
    expect(rb.cells[4]).to.match(/^0x[0-9a-f]{8}…[0-9a-f]{6}$/);
    const valid = rows.filter((r) => r.cells[5] === "valid");
    expect(valid.length).to.be.at.least(4);
    expect(valid.every((r) => /final|pending/.test(r.cells[1]))).to.equal(true);
    await shot("batches");
  });

  it("the rolled-back batch: its fault and who proved it", async () => {
    await page.click('tr[data-status="rolled back"] td a');
    await page.waitForFunction(() => document.querySelector("main")?.getAttribute("data-view") === "batch");
    const t = await text();
    expect(t).to.match(/Batch #\d+\s*rolled back/);
    expect(t).to.contain("by a double-use proof of 0x70997970"); // the watchtower, dev account #1
    // With as many confirmations as the node's verifier (0), the devnet's watchtower shares it: the proof above
    // came from verdicts the node's verifier reached, each batch validated once in the process.
    expect(d.watchtower!.verifier).to.equal(d.node.verifier);
    expect(t).to.match(/invalid: double-use\/\S+ at tx \d+/);
    expect(await page.$$("tr.faulty")).to.have.length.at.least(1);
    await shot("batch-rolled-back");
  });

  it("a transaction with its moves; an intx leads to the producing transaction", async () => {
    await show(`#/tx/${bumpHash}`);
    const moves = await page.$$eval("tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText)));
    const slot = moves.find((m) => m[0].startsWith("s"))!;
    expect(slot, JSON.stringify(moves)).to.exist;
    expect(slot[1]).to.equal("consume");
    expect(slot[3]).to.match(/^5 → 12$/);
    expect(moves.find((m) => m[0].startsWith("c") && m[0].includes(counter.target.toString().slice(2, 10).toLowerCase()))![1]).to.equal("reference");
    await shot("transaction");
    // The slot's intx is the first bump; its intx in turn is the deployment.
    await page.click("tbody tr td a.intx");
    await page.waitForFunction((h) => location.hash !== `#/tx/${h}` && document.querySelector("main")?.getAttribute("data-view") === "tx", {}, bumpHash);
    const first = await page.evaluate(() => location.hash.slice("#/tx/".length));
    expect(first).to.equal(firstBumpHash);
    const firstMoves = (await api<{ moves: { mark: string; producer: string }[] }>(`tx/${first}`)).moves;
    expect(
      firstMoves.some((m) => m.producer === deployHash),
      "the first bump's moves name the deployment as a producer",
    ).to.equal(true);
  });

  it("a key's version history, back to genesis", async () => {
    await show(`#/key/s/${counter.target.toString().toLowerCase()}/0`);
    const rows = await page.$$eval("tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText)));
    expect(rows.map((r) => r[3])).to.deep.equal(["5 → 12", "0 → 5"]);
    expect(rows[1][4]).to.equal("genesis");
    expect(await text()).to.match(/value now\s+12\b/);
    await shot("key-history");
  });

  it("a slow answer for the page left behind never replaces the page shown", async () => {
    const txRoute = `#/tx/${bumpHash}`;
    const keyRoute = `#/key/s/${counter.target.toString().toLowerCase()}/0`;
    await show(txRoute);
    // The next periodic refresh of the transaction's page is held for 3 s; meanwhile the user
    // goes to the key's page, which answers at once.
    let held!: () => void;
    const heldSeen = new Promise<void>((r) => (held = r));
    let released!: () => void;
    const heldDone = new Promise<void>((r) => (released = r));
    await page.setRequestInterception(true);
    const onRequest = (req: import("puppeteer-core").HTTPRequest) => {
      if (req.url().includes(`/api/tx/${bumpHash}`)) {
        held();
        setTimeout(() => {
          void req.continue().finally(() => setTimeout(released, 500));
        }, 3_000);
      } else void req.continue();
    };
    page.on("request", onRequest);
    try {
      await heldSeen;
      await show(keyRoute);
      await heldDone;
      const shown = await page.$eval("main", (m) => [m.getAttribute("data-view"), m.getAttribute("data-route")]);
      expect(shown).to.deep.equal(["key", keyRoute]);
      const rows = await page.$$eval("tbody tr", (trs) => trs.map((tr) => (tr.querySelectorAll("td")[3] as HTMLElement).innerText));
      expect(rows).to.deep.equal(["5 → 12", "0 → 5"]);
    } finally {
      page.off("request", onRequest);
      await page.setRequestInterception(false);
    }
  });

  it("an address: balance, nonce and code with their histories, its withdrawals and deposits", async () => {
    const alice = d.accounts[4].address.toLowerCase();
    await show(`#/address/${alice}`);
    const t = await text();
    expect(t).to.match(new RegExp(`balance\\s+${eth(await l2.getBalance(alice)).replace(".", "\\.")} history`));
    expect(t).to.match(/nonce\s+4 history/); // the deployment, two bumps, the withdrawal
    const links = await page.$$eval("main dl a", (as) => as.map((a) => a.getAttribute("href")));
    expect(links).to.include.members([`#/key/b/${alice}`, `#/key/n/${alice}`, `#/key/c/${alice}`]);
    expect(await page.$$("main tr[data-status]")).to.have.length(1); // its withdrawal
    await shot("address");
  });

  it("deposits and withdrawals", async () => {
    await show("#/bridge");
    const t = await text();
    expect(t).to.contain("Withdrawals").and.contain("Deposits");
    const w = await page.$$eval("#withdrawals + .table-wrap tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText)));
    expect(w).to.have.length(1);
    expect(w[0][0]).to.equal(`${withdrawHash.slice(0, 10)}…${withdrawHash.slice(-6)}`);
    expect(w[0][2]).to.equal("0.5 ETH");
    expect(w[0][4]).to.match(/^challenge window\s+\d+s left$|^claimable$/);
    const deps = await page.$$eval("#deposits + .table-wrap tbody tr", (trs) => trs.length);
    expect(deps).to.equal(6);
    await shot("bridge");
  });

  it("fraud proofs and games", async () => {
    await show("#/proofs");
    const rows = await page.$$eval("tr[data-kind]", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText)));
    expect(rows).to.have.length(1);
    expect(rows[0][1]).to.equal("double-use");
    expect(rows[0][3]).to.match(/^0x70997970…/i);
    // The deployment registers a dispute game with the Inbox; a one-step fault plays none.
    expect(await text()).to.match(/No game yet \(dispute game 0x[0-9a-fA-F]{40}\)/);
    await shot("proofs");
  });

  it("updates by itself as batches come, and fits a narrow window", async () => {
    await show("#/", 390);
    const before = await page.$$eval("tbody tr", (trs) => trs.length);
    const t = await new Wallet(d.accounts[5].privateKey, l2).sendTransaction({ to: d.accounts[3].address, value: 1n });
    await waitFor("the new batch on the page", async () => (await page.$$eval("tbody tr", (trs) => trs.length)) > before, 30_000, 250);
    expect(await l2.getTransactionReceipt(t.hash)).to.not.equal(null);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "no sideways scrolling at 390 px").to.be.at.most(0);
    await shot("batches-narrow");
    await show(`#/tx/${bumpHash}`, 390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).to.be.at.most(0);
    await shot("transaction-narrow");
  });

  it("refuses what it does not know, in words", async () => {
    await show("#/batch/9999");
    expect(await text()).to.match(/no batch 9999: the latest is \d+/);
    await show("#/tx/0x" + "ab".repeat(32));
    expect(await text()).to.contain("no transaction 0x" + "ab".repeat(32));
    expect((await fetch(`${d.explorerUrl}/api/key/x/0x00`)).status).to.equal(400);
    expect((await fetch(`${d.explorerUrl}/api/status`, { method: "POST" })).status).to.equal(405);
    expect((await fetch(`${d.explorerUrl}/api/tx/%E0%A4%A`)).status, "a malformed escape is refused, the server lives on").to.equal(400);
    expect((await fetch(`${d.explorerUrl}/api/status`)).status).to.equal(200);
    expect(
      problems.filter((p) => !/status of 404|status of 400/.test(p)),
      problems.join("\n"),
    ).to.deep.equal([]);
  });
});
