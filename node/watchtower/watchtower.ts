/**
 * The watchtower (issue #5): monitor (node/watchtower/monitor.ts) → pure solver (solver.ts) →
 * responder (responder.ts), with its state in LevelDB (store.ts), pino logs and Prometheus metrics
 * (metrics.ts). It runs its own Verifier under <datadir>/verifier, revalidating every batch itself, or
 * shares one it is given (the devnet's: the node's verifier, in the same process, with the same rules).
 *
 * Execution faults go to the dispute game (protocol.md §11.5): the watchtower disputes the first
 * faulty transaction of the earliest invalid batch (commit, then reveal, as a one-step proof), and on
 * every round plays every open game it can trace (node/watchtower/game-player.ts): it attacks
 * invalid transactions and defends honest ones against false challenges, whoever posted them.
 *
 * Crash safety: the salt is persisted before the commit is sent, every signed transaction before it
 * is broadcast; a restart reads the store and the solver resumes where it stopped.
 */
import { EventEmitter } from "events";
import * as fs from "fs";
import * as path from "path";
import { ethers, Wallet } from "ethers";
import { buildProof, commitmentOf } from "../../prover/build";
import type { TxFault } from "../../prover/fault";
import type { Deployment } from "../config";
import { DEFAULT_VERIFIER } from "../config";
import { L1Client } from "../l1/client";
import { inboxInterface, proverAt, revertOf } from "../l1/contracts";
import { headerHash } from "../../core/batch";
import { bytesToHex } from "../../core/bytes";
import { GamePlayer } from "./game-player";
import type { L1Game } from "./game-l1";
import { componentLogger, errMsg, rootLogger, type Logger } from "../log";
import { Verifier } from "../verifier/verifier";
import { watchtowerMetrics, type Metrics } from "./metrics";
import { Monitor, type Observation } from "./monitor";
import { DEFAULT_RESPONDER, Responder, type ResponderOptions } from "./responder";
import { solve, type Action } from "./solver";
import { WatchStore, recordKey, type ChallengeRecord } from "./store";

export interface WatchtowerOptions {
  l1Url: string;
  /** A beacon API to read blob batches' blobs from (`--l1-beacon`, node/l1/beacon.ts); none: `anvil_getBlobByHash` on L1. */
  l1Beacon?: string;
  deployment: Deployment;
  /** Prover contract addresses by name (the deployment record's `contracts`). */
  contracts: Record<string, string>;
  key: string;
  datadir: string;
  /** L1 confirmations before acting on a batch (and for the verifier). */
  confirmations?: number;
  pollMs?: number;
  metricsPort?: number;
  metricsHost?: string;
  responder?: Partial<ResponderOptions>;
  verifierWorkers?: number;
  /**
   * A running verifier to use instead of opening one (the devnet passes its node's: one process validates each
   * batch once, not twice). It must follow the same L1 and deployment, waiting exactly `confirmations` (the
   * monitor's head is the verifier's cursor); the watchtower polls it and never closes it.
   */
  verifier?: Verifier;
  log?: Logger;
  /** Testing: kill the process (SIGKILL) at this point. */
  crashAt?: "after-commit" | "before-reveal-broadcast";
  /** Testing: kill the process (SIGKILL) once it has made this many moves in games. */
  crashAfterMoves?: number;
}

/**
 * Emits "tick" (observation, actions) after each round, once its actions were tried: what it saw
 * and did, so that a caller (a test) can wait for a round instead of a time.
 */
export class Watchtower extends EventEmitter {
  /** Rounds completed. */
  ticks = 0;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private metricsPortBound: number | undefined;
  lastObservation: Observation | undefined;

  private constructor(
    private readonly o: WatchtowerOptions,
    readonly l1: L1Client,
    readonly verifier: Verifier,
    readonly store: WatchStore,
    readonly responder: Responder,
    readonly monitor: Monitor,
    readonly metrics: Metrics,
    private readonly log: Logger,
    /** The player of the dispute games (when the deployment has the game). */
    readonly player: GamePlayer | undefined,
  ) {
    super();
  }

  get address(): string {
    return this.responder.address;
  }

  get metricsPort(): number | undefined {
    return this.metricsPortBound;
  }

  static async start(o: WatchtowerOptions): Promise<Watchtower> {
    const log = componentLogger("watchtower", o.log ?? rootLogger());
    const confirmations = o.confirmations ?? 1;
    const shared = o.verifier;
    // The monitor's head is the verifier's cursor: a shared verifier must wait exactly the watchtower's confirmations.
    if (shared && shared.confirmations !== confirmations)
      throw new Error(`the shared verifier waits ${shared.confirmations} L1 confirmations, the watchtower ${confirmations}: give it its own verifier`);
    const l1 = await L1Client.connect(o.l1Url, o.deployment, undefined, { beacon: o.l1Beacon, beaconOptions: { log: componentLogger("beacon", o.log ?? rootLogger()) } });
    if (!shared) fs.mkdirSync(path.join(o.datadir, "verifier"), { recursive: true });
    const verifier =
      shared ??
      (await Verifier.open({
        l1,
        deployment: o.deployment,
        dbPath: path.join(o.datadir, "verifier", "db"),
        utxoPath: path.join(o.datadir, "verifier", "utxo"),
        opts: { ...DEFAULT_VERIFIER, confirmations, pollMs: o.pollMs ?? 250, workers: o.verifierWorkers ?? 0 },
        log: componentLogger("watchtower-verifier", o.log ?? rootLogger()),
      }));
    const store = await WatchStore.open(path.join(o.datadir, "watchtower"));
    const wallet = new Wallet(o.key, l1.provider);
    const responder = new Responder(l1.provider, wallet, { ...DEFAULT_RESPONDER, ...(o.responder ?? {}) }, log);
    const monitor = new Monitor(l1, verifier, confirmations, o.deployment.challengeWindow, log);
    const metrics = watchtowerMetrics();
    const player = o.deployment.game
      ? new GamePlayer({
          provider: l1.provider, game: o.deployment.game, l2ChainId: o.deployment.l2ChainId, responder, store, source: verifier, log: componentLogger("watchtower-game", o.log ?? rootLogger()), crashAfterMoves: o.crashAfterMoves,
        })
      : undefined;
    const w = new Watchtower(o, l1, verifier, store, responder, monitor, metrics, log, player);
    if (o.metricsPort !== undefined) w.metricsPortBound = await metrics.listen(o.metricsPort, o.metricsHost);
    w.running = true;
    w.loopDone = w.loop();
    log.info({ address: wallet.address, confirmations, metrics: w.metricsPortBound ?? null, datadir: o.datadir, verifier: shared ? "shared" : "own" }, "watchtower started");
    return w;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loopDone;
    await this.metrics.close();
    if (!this.o.verifier) await this.verifier.close();
    await this.store.close();
    this.l1.close();
  }

  private async loop(): Promise<void> {
    let idle = 0;
    while (this.running) {
      try {
        // Act on each new head; also re-check now and then (the verifier may still be catching up).
        if ((await this.monitor.newHead()) || idle++ > 4 || this.pending) {
          idle = 0;
          await this.tick();
        }
      } catch (e) {
        this.metrics.inc("moveset_watchtower_errors_total");
        this.log.error({ err: errMsg(e) }, "watchtower tick failed");
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollMs ?? 250);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private pending = false;

  /** One round: observe, solve, act. */
  async tick(): Promise<Action[]> {
    const obs = await this.monitor.observe();
    this.lastObservation = obs;
    const records = await this.store.all();
    const actions = solve({ head: obs.head, batches: obs.batches, records });
    this.pending = actions.some((a) => a.type !== "wait");
    for (const a of actions) {
      try {
        await this.act(a, records.get(a.key), obs);
      } catch (e) {
        this.metrics.inc("moveset_watchtower_errors_total");
        this.log.error({ action: a.type, headerHash: a.headerHash, err: errMsg(e) }, "watchtower action failed; retrying on the next head");
      }
    }
    await this.playGames(obs);
    await this.updateMetrics(obs);
    this.ticks++;
    this.emit("tick", obs, actions);
    return actions;
  }

  /** Games seen at the confirmed head: open ones and their last views (for metrics and `moveset games`). */
  readonly games = new Map<bigint, L1Game>();

  /** One turn in every open game (at the confirmed head; moves land at L1's time now, at the earliest). */
  private async playGames(obs: Observation): Promise<void> {
    const p = this.player;
    if (!p) return;
    const now = obs.latestTimestamp > obs.head.timestamp ? obs.latestTimestamp : obs.head.timestamp;
    const games = this.verifier.l1.games();
    // Actions still on disk for games that ended (a crash, or a step made twice from a stale view) are dropped.
    for (const r of await this.store.allActions()) if (games.get(r.gameId)?.ended) await p.forget(r.gameId);
    for (const [id, g] of games) {
      if (g.ended && this.games.get(id)?.status !== "open") continue;
      try {
        const view = await p.view(id, now + 1n, obs.head.number);
        this.games.set(id, view);
        if (view.status !== "open") {
          await p.forget(id);
          continue;
        }
        const done = await p.play(view);
        if (done.length) this.pending = true;
      } catch (e) {
        this.metrics.inc("moveset_watchtower_errors_total");
        this.log.error({ game: id, err: errMsg(e) }, "game turn failed; retrying on the next head");
      }
    }
  }

  private proverAddress(name: string): string {
    const a = this.o.contracts[name];
    if (!a) throw new Error(`the deployment has no ${name}`);
    return a;
  }

  private async act(a: Action, r: ChallengeRecord | undefined, obs: Observation): Promise<void> {
    const batch = obs.batches.find((b) => b.headerHash === a.headerHash && b.posting === a.posting);
    switch (a.type) {
      case "join": {
        this.log.warn({ batch: batch?.index, fault: a.fault }, "execution fault: its transaction's game is open already; playing it");
        await this.store.put({ headerHash: a.headerHash, posting: a.posting, batchIndex: a.fault.batchIndex, kind: a.fault.kind, fault: a.fault, phase: "joined", reason: "another challenger's game", updatedAt: 0 });
        return;
      }
      case "settle": {
        if (!r) return;
        r.phase = a.outcome;
        r.reason = a.reason;
        await this.store.put(r);
        this.log.info({ batch: r.batchIndex, kind: r.kind, outcome: a.outcome, reward: r.reward }, a.outcome === "won" ? "challenge won: batch rolled back" : "batch rolled back by another challenger");
        return;
      }
      case "wait":
        return;
      case "commit":
        // A fresh commit replaces a record that only reported an execution fault (a watchtower before the game).
        return this.commit(a.headerHash, a.posting, a.fault, a.resume ? r : undefined);
      case "reveal":
        return this.reveal(r!);
    }
  }

  /**
   * What the watchtower commits to for a fault: a one-step proof (prover/build.ts), or for an execution fault the
   * dispute that opens the game on its transaction (undefined if the stepper does not find the fault: then the
   * transaction is not disputed).
   */
  private async proofFor(fault: TxFault): Promise<{ prover: string; proofHash: string; reveal: (salt: string) => { data: string; value: bigint } } | undefined> {
    if (fault.kind !== "execution") {
      const call = await buildProof(fault, this.verifier.chainView());
      return { ...call, reveal: (salt) => ({ data: proverAt(call.prover, this.proverAddress(call.prover), this.l1.provider).interface.encodeFunctionData(call.method as never, [...call.args, salt] as never), value: 0n }) };
    }
    const p = this.player;
    if (!p) throw new Error("an execution fault needs the dispute game, which the deployment lacks");
    const hh = (await this.verifier.chainView().batch(fault.batchIndex)).header;
    const d = await p.disputeArgs(bytesToHex(headerHash(hh)), fault.txIndex);
    if (!d) throw new Error(`cannot trace transaction ${fault.txIndex} of batch ${fault.batchIndex}`);
    if (d.trace.truth.ok) {
      this.log.error({ batch: fault.batchIndex, txIndex: fault.txIndex, validator: fault.code }, "the step machine ends ok where the validator finds an execution fault: not disputing");
      return undefined;
    }
    const calls = await p.disputeCallsFor(d.args);
    return { prover: "DisputeGame", proofHash: calls.proofHash, reveal: (salt) => ({ data: calls.revealData(salt), value: calls.value }) };
  }

  private async commit(headerHash: string, posting: string, fault: TxFault, r: ChallengeRecord | undefined): Promise<void> {
    const me = this.address;
    if (!r) {
      const call = await this.proofFor(fault);
      if (!call) {
        await this.store.put({ headerHash, posting, batchIndex: fault.batchIndex, kind: fault.kind, fault, phase: "lost", reason: "the step machine does not find the fault", updatedAt: 0 });
        return;
      }
      const salt = ethers.hexlify(ethers.randomBytes(32));
      r = {
        headerHash,
        posting,
        batchIndex: fault.batchIndex,
        kind: fault.kind,
        fault,
        phase: "committing",
        prover: call.prover,
        proverAddress: this.proverAddress(call.prover),
        proofHash: call.proofHash,
        salt,
        commitment: commitmentOf(me, call.proofHash, salt),
        updatedAt: 0,
      };
      // The salt is durable before anything is sent.
      await this.store.put(r);
      this.log.warn({ batch: fault.batchIndex, fault }, "invalid batch: committing to a fraud proof");
    }
    const prover = proverAt(r.prover!, r.proverAddress!, this.l1.provider);
    const at = Number(await prover.committedAt(me, r.commitment!));
    if (at === 0) {
      const res = await this.responder.send({ to: r.proverAddress!, data: prover.interface.encodeFunctionData("commit", [r.commitment!]), existing: r.commitTx }, async (s) => {
        r!.commitTx = s;
        await this.store.put(r!);
      });
      if (res.status !== 1) throw new Error(`commit transaction ${res.hash} reverted`);
      r.commitBlock = res.blockNumber;
    } else r.commitBlock = at;
    r.phase = "committed";
    await this.store.put(r);
    this.log.info({ batch: r.batchIndex, kind: r.kind, commitBlock: r.commitBlock, commitment: r.commitment }, "commitment on L1");
    if (this.o.crashAt === "after-commit") {
      this.log.warn({}, "test hook: SIGKILL after commit");
      process.kill(process.pid, "SIGKILL");
    }
  }

  private async reveal(r: ChallengeRecord): Promise<void> {
    const call = await this.proofFor(r.fault);
    if (!call) return;
    if (call.proofHash !== r.proofHash) {
      // The chain view changed under the proof (should not happen for a fixed header): commit again.
      this.log.error({ batch: r.batchIndex, committed: r.proofHash, now: call.proofHash }, "proof changed since the commitment; committing again");
      await this.store.put({ ...r, phase: "committing", proofHash: call.proofHash, salt: ethers.hexlify(ethers.randomBytes(32)), commitTx: undefined, commitBlock: undefined, commitment: undefined });
      const fresh = (await this.store.get(recordKey(r)))!;
      fresh.commitment = commitmentOf(this.address, fresh.proofHash!, fresh.salt!);
      await this.store.put(fresh);
      return;
    }
    // The kind's prove takes the arguments buildProof made for it (its own ABI); a dispute is the game's.
    const prover = proverAt(r.prover!, r.proverAddress!, this.l1.provider);
    const { data, value } = call.reveal(r.salt!);
    let res;
    try {
      res = await this.responder.send({ to: r.proverAddress!, data, value, existing: r.revealTx }, async (s) => {
        r.revealTx = s;
        r.phase = "revealing";
        await this.store.put(r);
        if (this.o.crashAt === "before-reveal-broadcast") process.kill(process.pid, "SIGKILL");
      });
    } catch (e) {
      const rv = revertOf(e, [inboxInterface(), prover.interface]);
      if (rv?.name === "GameExists") {
        r.phase = "joined";
        r.reason = "another challenger opened the game first";
        await this.store.put(r);
        this.log.warn({ batch: r.batchIndex }, "the transaction's game is open already: playing it");
        return;
      }
      if (rv && ["BatchNotLive", "BatchIsFinal", "HeaderMismatch", "ChallengeWindowClosed"].includes(rv.name)) {
        r.phase = "lost";
        r.reason = `reveal would revert: ${rv.name}`;
        await this.store.put(r);
        this.log.warn({ batch: r.batchIndex, reason: r.reason }, "challenge lost");
        return;
      }
      throw e;
    }
    if (res.status !== 1) {
      r.phase = "lost";
      r.reason = `reveal ${res.hash} reverted`;
      await this.store.put(r);
      this.log.error({ batch: r.batchIndex, tx: res.hash }, "reveal reverted");
      return;
    }
    const ii = inboxInterface();
    for (const l of res.receipt.logs) {
      if (l.address.toLowerCase() !== this.o.deployment.inbox.toLowerCase()) continue;
      const p = ii.parseLog(l);
      if (p?.name === "BatchesRolledBack" && String(p.args.challenger).toLowerCase() === this.address.toLowerCase()) r.reward = BigInt(p.args.reward);
    }
    r.revealBlock = res.blockNumber;
    r.phase = "revealing";
    await this.store.put(r);
    if (r.prover === "DisputeGame") this.log.info({ batch: r.batchIndex, txIndex: r.fault.txIndex, tx: res.hash }, "execution fault disputed on L1: the game is open");
    else this.log.info({ batch: r.batchIndex, kind: r.kind, tx: res.hash, reward: r.reward }, "fraud proven on L1");
  }

  private async updateMetrics(obs: Observation): Promise<void> {
    const m = this.metrics;
    m.set("moveset_watchtower_batches_seen", obs.batches.length);
    for (const v of ["valid", "invalid", "unchecked"]) m.set("moveset_watchtower_verdicts", obs.batches.filter((b) => b.verdict === v).length, { verdict: v });
    m.set("moveset_watchtower_l1_head", obs.head.number);
    const recs = [...(await this.store.all()).values()];
    const kinds = new Set(recs.map((r) => r.kind));
    let rewards = 0n;
    for (const k of kinds) {
      const of = recs.filter((r) => r.kind === k);
      m.set("moveset_watchtower_proofs_sent", of.filter((r) => r.revealTx).length, { kind: k });
      m.set("moveset_watchtower_proofs_won", of.filter((r) => r.phase === "won").length, { kind: k });
    }
    for (const r of recs) if (r.phase === "won" && r.reward) rewards += r.reward;
    m.set("moveset_watchtower_commits_sent", recs.filter((r) => r.commitBlock !== undefined).length);
    m.set("moveset_watchtower_faults_reported", recs.filter((r) => r.phase === "reported").length);
    const games = [...this.games.values()];
    for (const st of ["open", "challenger-won", "defender-won"]) m.set("moveset_watchtower_games", games.filter((g) => g.status === st).length, { status: st });
    m.set("moveset_watchtower_rewards_wei", rewards);
    m.set("moveset_watchtower_bond_wei", await this.l1.bondOf(this.address));
    m.set("moveset_watchtower_balance_wei", await this.l1.provider.getBalance(this.address));
  }
}
