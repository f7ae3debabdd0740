/**
 * A dishonest player of the dispute game, for devnets and tests: it plays by a trace that agrees with the stepper's up
 * to some step and then lies (made-up states ending in the status it wants), with the honest-play solver and the
 * watchtower's own game player (node/watchtower/game-player.ts), so it moves, and tries to step, exactly where an
 * adversary that knows the rules would. It loses every game an honest player keeps its clock in:
 *
 *   - `defend`: a poster defending its invalid transactions (root claims it made), claiming they end ok;
 *   - `challenge`: a false challenger (`moveset devnet --byzantine false-challenge`, dev account #3): it disputes an
 *     honest transaction (`dispute`) and plays the games it opened, claiming the epilogue finds a mismatch.
 */
import * as path from "path";
import { AbiCoder, JsonRpcProvider, Wallet, ethers, keccak256 } from "ethers";
import type { TraceOracle } from "../watchtower/game-solver";
import { STATUS_OK } from "../../core/game";
import { GamePlayer, type TraceSource } from "../watchtower/game-player";
import { Responder, DEFAULT_RESPONDER } from "../watchtower/responder";
import { WatchStore } from "../watchtower/store";
import type { Deployment } from "../config";
import { componentLogger, errMsg, type Logger } from "../log";
import { Status } from "../../core/step/types";
import type { StepTrace } from "../../prover/step-trace";
import type { L1Snapshot } from "../l1/follower";

const LOW = (1n << 248n) - 1n;
const abi = AbiCoder.defaultAbiCoder();

/**
 * `truth` up to state `from − 1`, then made-up states: running until `from + 3`, then status `endStatus` (a lying
 * poster claims ok on a faulty transaction; a lying challenger a fault on an honest one).
 */
export function lieAfter(truth: TraceOracle, from: bigint, endStatus: number, salt = "lie"): TraceOracle {
  const fake = (k: bigint, status: number) => {
    const low = BigInt(keccak256(abi.encode(["string", "uint256"], [salt, k]))) & LOW;
    return "0x" + ((BigInt(status) << 248n) | low).toString(16).padStart(64, "0");
  };
  return {
    stateAt: (k) => {
      if (k < from) return truth.stateAt(k);
      const end = from + 3n;
      return k < end ? fake(k, 0) : fake(end, endStatus);
    },
  };
}

export type LiarMode = "defend" | "challenge";

export interface LiarOptions {
  l1Url: string;
  deployment: Deployment;
  key: string;
  /** The rollup as the liar reads it (a devnet node's verifier). */
  source: TraceSource & { l1: L1Snapshot; poll(): Promise<void> };
  datadir: string;
  mode: LiarMode;
  pollMs?: number;
  log?: Logger;
}

/** The lie for a transaction: a defender lies from midway to "ok"; a challenger from the last step to a mismatch. */
export function lieFor(mode: LiarMode, truth: StepTrace): TraceOracle {
  return mode === "defend" ? lieAfter(truth, BigInt(Math.max(1, Math.floor(truth.steps / 2))), STATUS_OK, "defend") : lieAfter(truth, BigInt(truth.steps), Status.NextMismatch, "challenge");
}

export class LyingPlayer {
  private running = false;
  private loopDone: Promise<void> | undefined;
  /** Actions L1 refused (a liar's steps do not refute honest leaves). */
  refused = 0;

  private constructor(
    private readonly o: LiarOptions,
    readonly player: GamePlayer,
    private readonly store: WatchStore,
    private readonly provider: JsonRpcProvider,
    private readonly log: Logger,
  ) {}

  get address(): string {
    return this.player.address;
  }

  static async start(o: LiarOptions): Promise<LyingPlayer> {
    if (!o.deployment.game) throw new Error("the deployment has no dispute game");
    const log = componentLogger(`liar-${o.mode}`, o.log);
    const provider = new JsonRpcProvider(o.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const store = await WatchStore.open(path.join(o.datadir, "liar"));
    const responder = new Responder(provider, new Wallet(o.key, provider), { ...DEFAULT_RESPONDER, pollMs: 100 }, log);
    const player = new GamePlayer({
      provider, game: o.deployment.game, l2ChainId: o.deployment.l2ChainId, responder, store, source: o.source, log,
      strategy: (truth) => lieFor(o.mode, truth),
    });
    const l = new LyingPlayer(o, player, store, provider, log);
    l.running = true;
    l.loopDone = l.loop();
    return l;
  }

  /** Opens a game on transaction `txIndex` of the batch with header `headerHash` (commit, then dispute). */
  async dispute(headerHash: string, txIndex: number): Promise<bigint> {
    const d = await this.player.disputeArgs(headerHash, txIndex);
    if (!d) throw new Error(`cannot trace transaction ${txIndex} of ${headerHash}`);
    const calls = await this.player.disputeCallsFor(d.args);
    const salt = ethers.hexlify(ethers.randomBytes(32));
    const w = new Wallet(this.o.key, this.provider);
    const to = this.o.deployment.game!.address;
    await (await w.sendTransaction({ to, data: calls.commitData(w.address, salt) })).wait();
    const rc = await (await w.sendTransaction({ to, data: calls.revealData(salt), value: calls.value })).wait();
    const ev = rc!.logs.map((x) => this.player.game.interface.parseLog(x)).find((x) => x?.name === "GameCreated");
    const id = ev!.args.gameId as bigint;
    this.log.warn({ game: id, headerHash, txIndex }, "byzantine: disputed an honest transaction");
    return id;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.o.source.poll();
        const latest = await this.provider.getBlock("latest");
        const now = BigInt(Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)));
        for (const [id, g] of this.o.source.l1.games()) {
          if (g.ended) continue;
          const view = await this.player.view(id, now + 1n);
          if (view.status !== "open") continue;
          const mine = this.o.mode === "defend" ? view.claims[0].claimant : view.claims[1]?.claimant;
          if (mine !== this.address.toLowerCase()) continue;
          await this.player.play(view);
        }
      } catch (e) {
        this.log.warn({ err: errMsg(e) }, "liar turn failed");
      }
      await new Promise((r) => setTimeout(r, this.o.pollMs ?? 200));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loopDone;
    await this.store.close();
    this.provider.destroy();
  }
}
