/**
 * End to end: the watchtower (node/watchtower) against an in-process devnet. Invalid batches of each
 * one-step kind are posted among honest ones; each is rolled back by the watchtower within a few L1
 * blocks with the bond share paid to its account, no honest batch is challenged, and a watchtower
 * SIGKILLed after its commit (before its reveal) resumes from its LevelDB state and still wins.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import { JsonRpcProvider, Wallet } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { inboxAt } from "../../node/l1/contracts";
import { WatchStore } from "../../node/watchtower/store";
import { cleanupTmp, freePort, nextTick, spawnCli, tmpDir, waitFor } from "./helpers";
import type { Observation } from "../../node/watchtower/monitor";
import type { Action } from "../../node/watchtower/solver";
import { BYZANTINE_KINDS, postInvalidBatch, type ByzantineKind } from "../../node/devnet/byzantine";
import { isCompressedItem } from "../../core/flz";

const WINDOW = 300n;


describe("e2e: watchtower", function () {
  this.timeout(240_000);

  let d: DevnetHandle;
  let l2: JsonRpcProvider;
  let l1: JsonRpcProvider;
  let datadir: string;
  const w = (i: number) => new Wallet(d.accounts[i].privateKey, l2);
  const w1 = (i: number) => new Wallet(d.accounts[i].privateKey, l1);
  const posted: string[] = [];

  before(async () => {
    datadir = tmpDir("moveset-wt-");
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir, l1Port, rpcPort, accounts: 8, challengeWindow: WINDOW, batchIntervalMs: 150, verifierWorkers: 0, watch: { account: 1, confirmations: 1, metricsPort: 0 } });
    l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    // Blocks keep coming (the watchtower waits for one confirmation).
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [300] });
    const t = await w(5).sendTransaction({ to: d.accounts[4].address, value: 1234n });
    await t.wait();
    const inbox = inboxAt(d.deployment.inbox, w1(2));
    await (await inbox.bond({ value: d.deployment.bondSize })).wait();
  });

  after(async () => {
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] }).catch(() => undefined);
    l2?.destroy();
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  /** Posts an invalid batch of `kind` from the byzantine poster (#2) with node/devnet/byzantine.ts (what `devnet --byzantine` uses). */
  async function postInvalid(kind: ByzantineKind): Promise<{ hh: string; index: bigint; block: number; compressed: number }> {
    const r = await postInvalidBatch(kind, {
      l1,
      inbox: d.deployment.inbox,
      l2ChainId: d.deployment.l2ChainId,
      node: d.node,
      sender: d.accounts[6],
      recipient: d.accounts[5].address,
      posterKey: d.accounts[2].privateKey,
    });
    posted.push(r.headerHash);
    const inbox = inboxAt(d.deployment.inbox, l1);
    const logs = await inbox.queryFilter(inbox.filters.BatchAppended(r.index));
    return { hh: r.headerHash, index: r.index, block: logs[logs.length - 1].blockNumber, compressed: r.txs.filter((t) => isCompressedItem(t.tx)).length };
  }

  async function rollbackOf(index: bigint, fromBlock: number): Promise<{ challenger: string; reward: bigint; block: number }> {
    const inbox = inboxAt(d.deployment.inbox, l1);
    const logs = await inbox.queryFilter(inbox.filters.BatchesRolledBack(), fromBlock);
    const l = logs.map((x) => ({ x, p: inbox.interface.parseLog(x)! })).find(({ p }) => BigInt(p.args.index) === index);
    if (!l) throw new Error("no rollback");
    return { challenger: String(l.p.args.challenger), reward: BigInt(l.p.args.reward), block: l.x.blockNumber };
  }

  it("rolls back an invalid batch of each one-step kind within a few L1 blocks, paid the bond share; honest batches are never challenged", async () => {
    const wt = d.watchtower!;
    const expectedReward = (d.deployment.bondSize * BigInt(d.record.parameters.rewardBps)) / 10000n;
    for (const kind of BYZANTINE_KINDS) {
      // An honest transaction first: its batch must stay.
      const ok = await (await w(7).sendTransaction({ to: d.accounts[7].address, value: 1n })).wait();
      const p = await postInvalid(kind);
      // The devnet binds the shipped dictionary (protocol.md §7.7): the fault is proven on compressed items.
      expect(p.compressed, `${kind}: compressed items in the invalid batch`).to.be.greaterThan(0);
      const rec = await waitFor(`the ${kind} challenge won`, async () => {
        const r = await wt.store.latest(p.hh);
        return r?.phase === "won" ? r : undefined;
      }, 60_000, 100);
      expect(rec.kind, `${kind}: ${rec.fault.code} ${rec.fault.message}`).to.equal(kind);
      const rb = await rollbackOf(p.index, p.block);
      expect(rb.challenger.toLowerCase()).to.equal(wt.address.toLowerCase());
      expect(rb.reward).to.equal(expectedReward);
      expect(rec.reward).to.equal(expectedReward);
      expect(rb.block - p.block, `${kind}: rolled back ${rb.block - p.block} blocks after posting`).to.be.at.most(12);
      expect(d.node.verifier!.verdictOf(ok!.blockHash)?.status).to.equal("valid");
      await waitFor("the coordinator resumes", async () => d.node.coordinator.haltedAt === undefined);
    }
    const recs = await wt.store.all();
    expect([...recs.values()].map((r) => r.headerHash).sort()).to.deep.equal([...posted].sort());
    for (const b of d.node.verifier!.batches()) if (b.verdict === "valid") expect([...recs.values()].some((r) => r.headerHash === b.headerHash)).to.equal(false);
    const text = await (await fetch(`http://127.0.0.1:${wt.metricsPort}/metrics`)).text();
    expect(text).to.match(/moveset_watchtower_proofs_won\{kind="rules"\} 1/);
    expect(text).to.match(/moveset_watchtower_proofs_sent\{kind="double-use"\} 1/);
    expect(text).to.match(/moveset_watchtower_verdicts\{verdict="invalid"\} 6/);
    expect(text).to.match(/moveset_watchtower_balance_wei \d+/);
  });

  it("a watchtower SIGKILLed after its commit (before its reveal) resumes from its state and still wins; `challenge --dry-run` describes the proof", async () => {
    await d.watchtower!.stop();
    const dir = tmpDir("moveset-wt-cli-");
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(d.record));
    const wdir = path.join(dir, "wt");
    const key = { WT_KEY: d.accounts[3].privateKey };
    const args = ["watch", "--l1", d.l1Url, "--deployment", dep, "--key", "WT_KEY", "--datadir", wdir, "--confirmations", "1", "--poll", "200"];
    const first = spawnCli(args, { ...key, MOVESET_WATCH_CRASH_AT: "after-commit", MOVESET_LOG_LEVEL: "info" });
    await waitFor("the watchtower ready", async () => first.out().includes("watchtower ready"), 60_000);
    const p = await postInvalid("signature");
    const ex = await Promise.race([first.exit, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("not killed: " + first.out().slice(-2000))), 60_000))]);
    expect(ex.signal).to.equal("SIGKILL");
    // Killed with the salt and the commitment on disk, nothing revealed.
    const s = await WatchStore.open(path.join(wdir, "watchtower"));
    const r = (await s.latest(p.hh))!;
    await s.close();
    expect(r.phase).to.equal("committed");
    expect(r.salt).to.match(/^0x[0-9a-f]{64}$/);
    expect(r.revealTx).to.equal(undefined);
    // The node's own verifier agrees (it may judge the batch after the watchtower process, under load).
    await waitFor("the node's verifier finds the batch invalid", async () => d.node.verifier!.batches().find((b) => b.headerHash === p.hh)?.status === "invalid", 60_000);

    const dry = spawnCli(["challenge", "--batch", p.index.toString(), "--dry-run", "--json", "--l1", d.l1Url, "--deployment", dep, "--datadir", path.join(dir, "ch")], {});
    const de = await dry.exit;
    expect(de.code, dry.out()).to.equal(0);
    const j = JSON.parse(dry.out().trim().split("\n").filter((l) => l.startsWith("{\"batch\"")).pop()!);
    expect(j).to.deep.include({ kind: "signature", prover: "SignatureProver", tx: 0 });
    expect(j.proofBytes).to.be.greaterThan(0);
    expect(BigInt(j.estimatedGas)).to.be.greaterThan(21000n);

    const second = spawnCli([...args, "--metrics-port", "0"], { ...key, MOVESET_LOG_LEVEL: "info" });
    try {
      const rb = await waitFor("the rollback by the restarted watchtower", async () => rollbackOf(p.index, p.block).catch(() => undefined), 90_000, 250);
      expect(rb.challenger.toLowerCase()).to.equal(d.accounts[3].address.toLowerCase());
      // Exactly one reveal: the commitment is consumed and no other proof went out.
      await waitFor("the record settled", async () => second.out().includes("challenge won"), 30_000);
    } finally {
      second.p.kill("SIGTERM");
      await second.exit;
    }
    const s2 = await WatchStore.open(path.join(wdir, "watchtower"));
    const r2 = (await s2.latest(p.hh))!;
    await s2.close();
    expect(r2.phase).to.equal("won");
    expect(r2.salt).to.equal(r.salt);
    expect(r2.revealTx!.hashes.length).to.equal(1);
    await waitFor("the coordinator resumes", async () => d.node.coordinator.haltedAt === undefined);
  });

  it("a watchtower waiting more confirmations than the node's verifier keeps its own; one given a verifier that waits otherwise is refused", async () => {
    expect(d.watchtower!.verifier).to.not.equal(d.node.verifier);
    expect(d.node.verifier!.confirmations).to.equal(0);
    const { Watchtower } = await import("../../node/watchtower/watchtower");
    const dir = tmpDir("moveset-wt-shared-");
    const err = await Watchtower.start({ l1Url: d.l1Url, deployment: d.deployment, contracts: d.record.contracts, key: d.accounts[4].privateKey, datadir: dir, confirmations: 1, verifier: d.node.verifier }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.equal("the shared verifier waits 0 L1 confirmations, the watchtower 1: give it its own verifier");
    expect(fs.existsSync(path.join(dir, "verifier")), "nothing opened").to.equal(false);
  });

  it("a batch another challenger rolled back, short of this watchtower's confirmations: it sends nothing for it", async () => {
    const provider = hre.network.provider;
    const mine = () => provider.request({ method: "evm_mine", params: [] });
    const blockNumber = async () => Number(await provider.request({ method: "eth_blockNumber", params: [] }));
    // Blocks only when something is sent or mined here, so the rollback stays short of 3 confirmations.
    await provider.request({ method: "evm_setIntervalMining", params: [0] });
    const { Watchtower } = await import("../../node/watchtower/watchtower");
    const dir = tmpDir("moveset-wt-other-");
    // The other challenger: a watchtower with 1 confirmation (the devnet's own was stopped by the test before).
    const other = await Watchtower.start({ l1Url: d.l1Url, deployment: d.deployment, contracts: d.record.contracts, key: d.accounts[1].privateKey, datadir: tmpDir("moveset-wt-first-"), confirmations: 1, pollMs: 100 });
    try {
      const p = await postInvalid("rules");
      // A block is mined only while the rollback is not there.
      const rb = await waitFor("the other challenger's rollback", async () => {
        const r = await rollbackOf(p.index, p.block).catch(() => undefined);
        if (!r) await mine();
        return r;
      }, 60_000, 200);
      await other.stop();
      expect(rb.challenger.toLowerCase()).to.equal(d.accounts[1].address.toLowerCase());
      const latest = await blockNumber();
      expect(latest - rb.block, "the rollback is less than 3 blocks deep").to.be.lessThan(3);
      const wt = await Watchtower.start({ l1Url: d.l1Url, deployment: d.deployment, contracts: d.record.contracts, key: d.accounts[4].privateKey, datadir: dir, confirmations: 3, pollMs: 100 });
      try {
        const nonceOf = () => provider.request({ method: "eth_getTransactionCount", params: [d.accounts[4].address, "latest"] });
        const nonceBefore = await nonceOf();
        // At its confirmed head the batch is live, invalid and canonical; at L1's latest block it is rolled back.
        for (let round = 0; round < 3; round++) {
          const { obs, actions } = await nextTick<Observation, Action[]>(wt, (o) => o.latest >= latest && o.batches.some((b) => b.headerHash === p.hh));
          const seen = obs.batches.find((b) => b.headerHash === p.hh)!;
          expect({ live: seen.live, verdict: seen.verdict, canonical: seen.canonical, liveAtLatest: seen.liveAtLatest }).to.deep.equal({ live: true, verdict: "invalid", canonical: true, liveAtLatest: false });
          expect(actions.filter((a) => a.headerHash === p.hh).map((a) => a.type)).to.deep.equal(["wait"]);
        }
        expect(await wt.store.latest(p.hh), "no record, no commitment").to.equal(undefined);
        expect(await nonceOf(), "the watchtower sent nothing").to.equal(nonceBefore);
      } finally {
        await wt.stop();
      }
    } finally {
      await other.stop();
      await provider.request({ method: "evm_setIntervalMining", params: [300] });
    }
  });

  it("an L1 reorg drops an invalid batch before its confirmations: the watchtower does not act on the orphaned batch", async () => {
    const provider = hre.network.provider;
    // Blocks only when something is sent, so the invalid batch stays short of its confirmations.
    await provider.request({ method: "evm_setIntervalMining", params: [0] });
    const { Watchtower } = await import("../../node/watchtower/watchtower");
    const dir = tmpDir("moveset-wt-reorg-");
    const wt = await Watchtower.start({
      l1Url: d.l1Url,
      deployment: d.deployment,
      contracts: d.record.contracts,
      key: d.accounts[4].privateKey,
      datadir: dir,
      confirmations: 3,
      pollMs: 100,
    });
    try {
      // Control: it follows L1 (it has checked the batches already there).
      await waitFor("the watchtower in sync", async () => wt.verifier.batches().some((b) => b.verdict === "valid"), 30_000, 100);
      const nonceOf = () => provider.request({ method: "eth_getTransactionCount", params: [d.accounts[4].address, "latest"] });
      const nonceBefore = await nonceOf();
      const snap = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
      const p = await postInvalid("signature");
      await provider.request({ method: "evm_mine", params: [] }); // 2 blocks deep: one short
      const short = Number(await provider.request({ method: "eth_blockNumber", params: [] }));
      // Two rounds that saw that head: neither acts on the batch.
      for (let round = 0; round < 2; round++) {
        const { actions } = await nextTick<Observation, Action[]>(wt, (o) => o.latest >= short);
        expect(actions.filter((a) => a.headerHash === p.hh), "no action on a batch short of its confirmations").to.deep.equal([]);
      }
      expect((await wt.store.latest(p.hh))?.commitTx).to.equal(undefined);
      // The reorg: L1 goes back to before the batch, then moves on without it, well past 3 blocks.
      expect(await provider.request({ method: "evm_revert", params: [snap] })).to.equal(true);
      for (let i = 0; i < 6; i++) await provider.request({ method: "evm_mine", params: [] });
      const past = Number(await provider.request({ method: "eth_blockNumber", params: [] }));
      // Rounds that saw L1 well past the reorg, its verifier at the confirmed head: no action on the orphan.
      const { obs } = await nextTick<Observation, Action[]>(wt, (o) => o.latest >= past && o.head.number >= past - 3);
      expect(obs.batches.some((b) => b.headerHash === p.hh), "the orphaned batch is not observed").to.equal(false);
      const { actions } = await nextTick<Observation, Action[]>(wt, (o) => o.latest >= past);
      expect(actions.filter((a) => a.headerHash === p.hh)).to.deep.equal([]);
      const rec = await wt.store.latest(p.hh);
      expect(rec?.commitTx, "no commitment for an orphaned batch").to.equal(undefined);
      expect(rec?.revealTx).to.equal(undefined);
      expect(await nonceOf(), "the watchtower sent nothing").to.equal(nonceBefore);
      // The watchtower was following L1 all along: it has verdicts for the batches that stayed.
      expect(wt.verifier.batches().some((b) => b.verdict === "valid")).to.equal(true);
    } finally {
      await wt.stop();
      await provider.request({ method: "evm_setIntervalMining", params: [300] });
    }
  });
});
