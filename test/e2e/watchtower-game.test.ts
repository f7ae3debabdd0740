/**
 * End to end: the watchtower plays the dispute game (protocol.md §11.5) on an in-process devnet, with the real
 * one-step verifier. One devnet for all of it (clocks of three minutes; the test moves L1's clock forward once nothing but
 * a clock is left to run):
 *
 *   - an invalid batch of each execution kind (`execution`, `undeclared-key`, `missing-code`, as `devnet --byzantine`
 *     posts them): the watchtower disputes it, the offline poster's clock runs out, the game rolls the batch back;
 *     every bond and the reward go where they should, and the game contract is left empty;
 *   - a false challenge (dev account #3 disputing an honest transaction and playing by a lying trace, as
 *     `devnet --byzantine false-challenge`): the watchtower defends, the liar's step is refused, the liar loses every
 *     bond, and the batch becomes final once the game is over;
 *   - a watchtower SIGKILLed in the middle of a game against a lying poster resumes from its store and wins.
 */
import { expect } from "chai";
import hre from "hardhat";
import * as fs from "fs";
import * as path from "path";
import { Contract, JsonRpcProvider } from "ethers";
import { startDevnet, falselyChallenge, type DevnetHandle } from "../../node/devnet/devnet";
import { EXECUTION_KINDS, postInvalidBatch, type InvalidBatchKind } from "../../node/devnet/byzantine";
import { isCompressedItem } from "../../core/flz";
import { LyingPlayer } from "../../node/devnet/liar";
import { inboxAt, abiOf } from "../../node/l1/contracts";
import { WatchStore } from "../../node/watchtower/store";
import { cleanupTmp, freePort, spawnCli, tmpDir, waitFor } from "./helpers";

const WINDOW = 600n;
const CLOCK = 180n;


describe("e2e: the watchtower plays the dispute game", function () {
  this.timeout(600_000);

  let d: DevnetHandle;
  let l1: JsonRpcProvider;
  let game: Contract;
  let datadir: string;

  before(async () => {
    datadir = tmpDir("moveset-game-");
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({
      hre, datadir, l1Port, rpcPort, accounts: 8, challengeWindow: WINDOW, maxClockDuration: CLOCK, clockExtension: 10n, batchIntervalMs: 150, verifierWorkers: 0,
      watch: { account: 1, confirmations: 1 },
    });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    game = new Contract(d.deployment.game!.address, abiOf("DisputeGame", "game"), l1);
    // Blocks keep coming (the watchtower waits for one confirmation).
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [300] });
  });

  after(async () => {
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] }).catch(() => undefined);
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  /** Moves L1's clock forward (no clock is left to run but the one the test waits out). */
  async function fastForward(seconds: bigint): Promise<void> {
    await hre.network.provider.request({ method: "evm_increaseTime", params: [Number(seconds)] });
    await hre.network.provider.request({ method: "evm_mine", params: [] });
  }

  async function postInvalid(kind: InvalidBatchKind, sender = 6): Promise<{ hh: string; index: bigint; block: number; compressed: boolean[] }> {
    const r = await postInvalidBatch(kind, { l1, inbox: d.deployment.inbox, l2ChainId: d.deployment.l2ChainId, node: d.node, sender: d.accounts[sender], recipient: d.accounts[5].address, posterKey: d.accounts[2].privateKey });
    const inbox = inboxAt(d.deployment.inbox, l1);
    const logs = await inbox.queryFilter(inbox.filters.BatchAppended(r.index));
    return { hh: r.headerHash, index: r.index, block: logs[logs.length - 1].blockNumber, compressed: r.txs.map((t) => isCompressedItem(t.tx)) };
  }

  /** The game of `headerHash` (any transaction), once created. */
  async function gameOf(hh: string, fromBlock: number): Promise<{ id: bigint; txIndex: number; challenger: string }> {
    return waitFor(`a game on ${hh}`, async () => {
      const logs = await game.queryFilter(game.filters.GameCreated(), fromBlock);
      const l = logs.map((x) => game.interface.parseLog(x)!).find((p) => String(p.args.headerHash).toLowerCase() === hh.toLowerCase());
      return l ? { id: BigInt(l.args.gameId), txIndex: Number(l.args.txIndex), challenger: String(l.args.challenger).toLowerCase() } : undefined;
    }, 60_000, 200);
  }

  /** Every ClaimResolved of game `id`: claim index → (recipient, bond); and its GameResolved. */
  async function payouts(id: bigint, fromBlock: number) {
    const claims = new Map<number, { recipient: string; bond: bigint; countered: boolean }>();
    for (const l of await game.queryFilter(game.filters.ClaimResolved(id), fromBlock)) {
      const p = game.interface.parseLog(l)!;
      claims.set(Number(p.args.claimIndex), { recipient: String(p.args.recipient).toLowerCase(), bond: BigInt(p.args.bond), countered: Boolean(p.args.countered) });
    }
    const r = (await game.queryFilter(game.filters.GameResolved(id), fromBlock)).map((l) => game.interface.parseLog(l)!)[0];
    return { claims, resolved: r ? { status: Number(r.args.status), winner: String(r.args.winner).toLowerCase(), rolledBack: Boolean(r.args.rolledBack), reward: BigInt(r.args.reward) } : undefined };
  }

  async function claimsOf(id: bigint): Promise<{ claimant: string; bond: bigint; position: bigint }[]> {
    const n = Number(await game.claimCount(id));
    const out = [];
    for (let i = 0; i < n; i++) {
      const c = await game.claimAt(id, i);
      out.push({ claimant: String(c.claimant).toLowerCase(), bond: BigInt(c.bond), position: BigInt(c.position) });
    }
    return out;
  }

  it("each execution kind: disputed, the offline poster's clock runs out, rolled back; exact payouts; the game contract empty", async () => {
    const wt = d.watchtower!;
    const me = wt.address.toLowerCase();
    const reward = (d.deployment.bondSize * BigInt(d.record.parameters.rewardBps)) / 10000n;
    const bond1 = d.deployment.game!.bonds[1];
    const inbox = inboxAt(d.deployment.inbox, l1);
    for (const kind of EXECUTION_KINDS) {
      const p = await postInvalid(kind);
      const posterBond = await inbox.bondOf(d.accounts[2].address);
      const g = await gameOf(p.hh, p.block);
      expect(g.challenger, kind).to.equal(me);
      // The devnet binds the shipped dictionary (protocol.md §7.7): the game runs on a compressed item, which
      // L1 expands before the step machine's start state.
      expect(p.compressed[g.txIndex], `${kind}: the disputed item is compressed`).to.equal(true);
      const rec = (await wt.store.latest(p.hh))!;
      expect(rec.kind, `${kind}: ${rec.fault.code}`).to.equal("execution");
      expect(rec.fault.code).to.equal(kind === "execution" ? "withdrawal-output" : kind);
      // Held: not final, even though nobody answers; the node's view of the holds is L1's.
      expect(await inbox.isFinal(p.index)).to.equal(false);
      const held = await game.heldFrom();
      expect(held).to.be.at.most(p.index);
      await waitFor("the node's holds", async () => d.node.verifier!.l1.heldFrom() === held, 30_000, 100);
      // The poster never answers: its clock runs out; the watchtower resolves and wins.
      await fastForward(CLOCK + 1n);
      const won = await waitFor(`the ${kind} game won`, async () => ((await wt.store.latest(p.hh))?.phase === "won" ? true : undefined), 60_000, 200);
      expect(won).to.equal(true);
      const { claims, resolved } = await payouts(g.id, p.block);
      expect(resolved).to.deep.equal({ status: 2, winner: me, rolledBack: true, reward });
      expect((await claimsOf(g.id)).length, "root and the dispute only").to.equal(2);
      expect(claims.get(1)).to.deep.equal({ recipient: me, bond: bond1, countered: false }); // its own bond back
      expect(claims.get(0)).to.deep.include({ recipient: me, countered: true });
      expect(await l1.getBalance(d.deployment.game!.address)).to.equal(0n);
      expect(await inbox.bondOf(d.accounts[2].address)).to.equal(posterBond - d.deployment.bondSize); // slashed the batch's lock
      await waitFor("the coordinator resumes", async () => d.node.coordinator.haltedAt === undefined);
    }
  });

  it("a false challenge of an honest transaction: the watchtower defends, the liar loses every bond, the batch becomes final", async () => {
    const wt = d.watchtower!;
    const me = wt.address.toLowerCase();
    const liar = await LyingPlayer.start({ l1Url: d.l1Url, deployment: d.deployment, key: d.accounts[3].privateKey, source: d.node.verifier!, datadir: tmpDir("moveset-liar-"), mode: "challenge" });
    try {
      const from = await l1.getBlockNumber();
      const at = await falselyChallenge(liar, d.node, d.deployment, d.accounts[3], d.accounts[4].address);
      // Both play down to the leaf (the watchtower's, at depth 26); the liar's step from the agreed state is refused.
      await waitFor("the game at its leaf", async () => ((await game.claimCount(at.game)) === 27n ? true : undefined), 120_000, 200);
      await fastForward(CLOCK + 1n);
      const { claims, resolved } = await waitFor("the game resolved", async () => {
        const r = await payouts(at.game, from);
        return r.resolved ? r : undefined;
      }, 60_000, 300);
      expect(resolved).to.deep.equal({ status: 3, winner: "0x0000000000000000000000000000000000000000", rolledBack: false, reward: 0n });
      const all = await claimsOf(at.game);
      const liarAddr = liar.address.toLowerCase();
      expect(new Set(all.slice(1).map((c) => c.claimant))).to.deep.equal(new Set([me, liarAddr]));
      // Every claim's bond went to the watchtower: its own back, the liar's as their counterer.
      for (let i = 1; i < all.length; i++) expect(claims.get(i), `claim ${i}`).to.deep.include({ recipient: me, bond: all[i].bond });
      expect(await l1.getBalance(d.deployment.game!.address)).to.equal(0n);
      const inbox = inboxAt(d.deployment.inbox, l1);
      expect(await inbox.batchCount()).to.be.greaterThan(at.batch);
      await fastForward(WINDOW);
      expect(await inbox.isFinal(at.batch)).to.equal(true);
      await waitFor("the node's view: final", async () => d.node.verifier!.batches().find((b) => b.index === at.batch && b.status !== "rolled back")?.status === "final", 30_000, 200);
    } finally {
      await liar.stop();
    }
  });

  it("a watchtower SIGKILLed in the middle of a game against a lying poster resumes from its store and wins", async () => {
    await d.watchtower!.stop();
    const dir = tmpDir("moveset-game-cli-");
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(d.record));
    const wdir = path.join(dir, "wt");
    const key = { WT_KEY: d.accounts[7].privateKey };
    const args = ["watch", "--l1", d.l1Url, "--deployment", dep, "--key", "WT_KEY", "--datadir", wdir, "--confirmations", "1", "--poll", "200"];
    const first = spawnCli(args, { ...key, MOVESET_WATCH_CRASH_AFTER_MOVES: "3", MOVESET_LOG_LEVEL: "info" });
    const poster = await LyingPlayer.start({ l1Url: d.l1Url, deployment: d.deployment, key: d.accounts[2].privateKey, source: d.node.verifier!, datadir: tmpDir("moveset-liar-"), mode: "defend" });
    let second: ReturnType<typeof spawnCli> | undefined;
    try {
      await waitFor("the watchtower ready", async () => first.out().includes("watchtower ready"), 60_000);
      const p = await postInvalid("execution");
      const ex = await Promise.race([first.exit, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("not killed: " + first.out().slice(-3000))), 180_000))]);
      expect(ex.signal).to.equal("SIGKILL");
      const g = await gameOf(p.hh, p.block);
      const me = d.accounts[7].address.toLowerCase();
      expect(g.challenger).to.equal(me);
      // Killed with its third move signed and stored, not sent: L1 has the dispute and two moves.
      expect((await claimsOf(g.id)).filter((c) => c.claimant === me).length, "the dispute and two moves").to.equal(3);
      const s0 = await WatchStore.open(path.join(wdir, "watchtower"));
      const inFlight = await s0.allActions();
      await s0.close();
      expect(inFlight.length).to.equal(1);
      expect(inFlight[0].type).to.equal("move");
      const signed = inFlight[0].tx!.hashes[0];

      second = spawnCli(args, { ...key, MOVESET_LOG_LEVEL: "info" });
      // It resumes that very transaction (not a second, different one).
      const moved = await waitFor("the stored move on L1", async () => l1.getTransactionReceipt(signed), 60_000, 200);
      expect(moved!.status).to.equal(1);
      await waitFor("the game at its leaf, stepped", async () => ((await game.claimAt(g.id, Number(await game.claimCount(g.id)) - 1)).counteredBy !== "0x0000000000000000000000000000000000000000" ? true : undefined), 180_000, 300).catch((e) => {
        throw new Error(`${(e as Error).message}\n${second!.out().slice(-4000)}`, { cause: e });
      });
      await fastForward(CLOCK + 1n);
      const { resolved } = await waitFor("the game resolved", async () => {
        const r = await payouts(g.id, p.block);
        return r.resolved ? r : undefined;
      }, 90_000, 300);
      expect(resolved).to.deep.include({ status: 2, winner: me, rolledBack: true });
      expect(await l1.getBalance(d.deployment.game!.address)).to.equal(0n);
      await waitFor("the record settled", async () => second!.out().includes("challenge won"), 30_000);
      second.p.kill("SIGTERM");
      await second.exit;
      const s = await WatchStore.open(path.join(wdir, "watchtower"));
      try {
        expect((await s.latest(p.hh))!.phase).to.equal("won");
        expect(await s.allActions()).to.deep.equal([]); // nothing left in flight
      } finally {
        await s.close();
      }
    } finally {
      second?.p.kill("SIGTERM");
      await second?.exit;
      first.p.kill("SIGKILL");
      await poster.stop();
    }
  });

  it("from the command line: `challenge --dry-run` describes the dispute, `challenge` plays the game to its end against a move made by hand (`game-move`); `games` and `status --json` list it", async () => {
    await d.watchtower!.stop(); // nobody else disputes (stopped already if the previous test ran)
    const dir = tmpDir("moveset-game-cli2-");
    const dep = path.join(dir, "deployment.json");
    fs.writeFileSync(dep, JSON.stringify(d.record));
    const env = { CH_KEY: d.accounts[7].privateKey, MOVESET_LOG_LEVEL: "warn" };
    const p = await postInvalid("undeclared-key");
    const common = ["--batch", p.index.toString(), "--l1", d.l1Url, "--deployment", dep, "--json"];
    const dry = spawnCli(["challenge", ...common, "--dry-run", "--datadir", path.join(dir, "dry")], env);
    expect((await dry.exit).code, dry.out()).to.equal(0);
    const j = JSON.parse(dry.out().trim().split("\n").filter((l) => l.startsWith("{")).pop()!);
    expect(j).to.deep.include({ batch: Number(p.index), tx: 0, kind: "execution", code: "undeclared-key", machineEnds: "undeclared-key", game: null });
    expect(BigInt(j.disputeGas)).to.be.greaterThan(21_000n);
    expect(j.gasMethod).to.be.a("string");
    expect(BigInt(j.bond)).to.equal(d.deployment.game!.bonds[1]);

    const ch = spawnCli(["challenge", ...common, "--key", "CH_KEY", "--datadir", path.join(dir, "ch")], env);
    const g = await gameOf(p.hh, p.block);
    expect(g.challenger).to.equal(d.accounts[7].address.toLowerCase());
    // By hand: resolving before the clock ran out is refused in one line; the poster answers the dispute with a
    // made-up state, and the command-line challenger answers that in turn.
    const early = spawnCli(["game-resolve", "--game", g.id.toString(), "--claim", "1", "--l1", d.l1Url, "--deployment", dep, "--key", "CH_KEY"], env);
    expect((await early.exit).code).to.equal(1);
    expect(early.out()).to.match(/ClockNotExpired/);
    const lie = "0x00" + "ab".repeat(31);
    const mv = spawnCli(["game-move", "--game", g.id.toString(), "--claim", "1", "--value", lie, "--l1", d.l1Url, "--deployment", dep, "--key", "POSTER_KEY", "--json"], { ...env, POSTER_KEY: d.accounts[2].privateKey });
    expect((await mv.exit).code, mv.out()).to.equal(0);
    expect(JSON.parse(mv.out().trim().split("\n").filter((l) => l.startsWith("{")).pop()!)).to.deep.include({ game: Number(g.id), action: "move", status: 1 });
    await waitFor("the challenger's answer", async () => ((await game.claimCount(g.id)) >= 4n ? true : undefined), 60_000, 200);
    await fastForward(CLOCK + 1n);
    const ex = await Promise.race([ch.exit, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("challenge did not end: " + ch.out().slice(-3000))), 120_000))]);
    expect(ex.code, ch.out()).to.equal(0);
    const r = JSON.parse(ch.out().trim().split("\n").filter((l) => l.startsWith("{")).pop()!);
    expect(r).to.deep.include({ game: Number(g.id), status: "challenger-won", claims: 3 });

    const games = spawnCli(["games", "--l1", d.l1Url, "--deployment", dep, "--json"], env);
    expect((await games.exit).code, games.out()).to.equal(0);
    const rows = JSON.parse(games.out().trim().split("\n").filter((l) => l.startsWith("[")).pop()!) as { game: number; batch: number; status: string; bonds: string }[];
    expect(rows.find((x) => x.game === Number(g.id))).to.deep.include({ batch: Number(p.index), status: "challenger-won", bonds: "0" });
    expect(rows.length).to.equal(Number(await game.gameCount()));
    const st = await waitFor("the node's games", async () => {
      const s = spawnCli(["status", "--rpc", d.rpcUrl, "--json"], env);
      await s.exit;
      const o = JSON.parse(s.out().slice(s.out().indexOf("{"))) as { games: { game: number; batch: number; tx: number; status: string; moves: number }[] };
      return o.games.find((x) => x.game === Number(g.id) && x.status === "challenger-won");
    }, 60_000, 500);
    expect(st).to.deep.include({ batch: Number(p.index), tx: 0, moves: 3 });
  });
});
