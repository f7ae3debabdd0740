/**
 * A player of the dispute game (protocol.md §11.5): for each open game it reads from L1, the trace of the disputed
 * transaction from the stepper (prover/step-trace.ts, code as the validator sees it), the honest-play solver's
 * actions (node/watchtower/game-solver.ts, never against its own claims), and the L1 transactions that make them,
 * each resumable after a crash (node/watchtower/store.ts GameActionRecord: a step's salt before its commitment,
 * every signed transaction before its broadcast). Before a step can need it, the code its trace reads is registered
 * with the code registry, with a carrier for the code a witness carries (protocol.md §13.1): the side that claims
 * the code is available shows it.
 *
 * The same player opens games: the dispute of an execution fault (the watchtower's batch side decides which) is
 * built here from the trace (its opening claim S_{2^25}).
 */
import { Contract, ethers, type JsonRpcProvider } from "ethers";
import { decodeItem, headerHash, type BatchHeader, type BatchTx } from "../../core/batch";
import { bytesToHex } from "../../core/bytes";
import { batchTxContext } from "../../core/context";
import { InvalidTxError, DecodeError } from "../../core/errors";
import { KnownCode } from "../../core/known-code";
import { TxType, type MoveTx, type WrappedTx } from "../../core/tx";
import { MAX_DEPTH } from "../../core/game";
import { txProofArg } from "../../prover/build";
import { StepTrace } from "../../prover/step-trace";
import type { GameDeployment } from "../config";
import { abiOf, revertOf, gameInterface } from "../l1/contracts";
import { errMsg, type Logger } from "../log";
import { actionCalls, actionKey, disputeCalls } from "./game-actions";
import { registrationCalls, type CarrierSource } from "./code-registration";
import { readGame, readGameParams, type DisputeArgs, type L1Game } from "./game-l1";
import { openingClaim, solveGame, type GameAction, type GameParams, type TraceOracle } from "./game-solver";
import type { Responder } from "./responder";
import type { GameActionRecord, WatchStore } from "./store";

/** What the player reads of the rollup: batches by header hash, and the code the chain's witnesses carry. */
export interface TraceSource extends CarrierSource {
  /** `codesKnown`: every batch before it was checked, so codeBefore knows all the code carried before it. */
  /** `txs`: the items as posted; `dictionary`: the deployment's (protocol.md §7.7), to expand them. */
  appendedBatch(headerHash: string): Promise<{ header: BatchHeader; txs: BatchTx[]; live: boolean; codesKnown: boolean; dictionary: Uint8Array } | undefined>;
  codeBefore(hash: string, seq: bigint): Uint8Array | undefined;
}

/** The disputed transaction and the player's trace of it. */
export interface PlayerTrace {
  header: BatchHeader;
  txs: BatchTx[];
  txIndex: number;
  seq: bigint;
  /** The stepper's trace (the truth, and the proofs). */
  truth: StepTrace;
  /** The trace the player plays by: the truth for an honest player. */
  oracle: TraceOracle;
  /** The deployment's dictionary of compressed items (protocol.md §7.7). */
  dictionary?: Uint8Array;
}

export interface GamePlayerOptions {
  provider: JsonRpcProvider;
  game: GameDeployment;
  l2ChainId: bigint;
  responder: Responder;
  store: WatchStore;
  source: TraceSource;
  log: Logger;
  /** The trace a player plays by, from the true one (a dishonest player's lie); the truth by default. */
  strategy?: (truth: StepTrace, headerHash: string, txIndex: number) => TraceOracle;
  /** Testing: SIGKILL the process when its move number N is signed and persisted, before it is broadcast. */
  crashAfterMoves?: number;
}

const key = (hh: string, txIndex: number) => `${hh.toLowerCase()}:${txIndex}`;

export class GamePlayer {
  readonly game: Contract;
  readonly registry: Contract;
  private params: GameParams | undefined;
  private readonly traces = new Map<string, Promise<PlayerTrace | undefined>>();
  private readonly registered = new Set<string>();
  private readonly views = new Map<bigint, L1Game>();
  /** Actions that failed once (logged again only at debug level). */
  private readonly failed = new Set<string>();
  /** Which transaction (trace key) each game played disputes. */
  private readonly gameTx = new Map<bigint, string>();
  private movesMade = 0;

  constructor(private readonly o: GamePlayerOptions) {
    this.game = new Contract(o.game.address, abiOf("DisputeGame", "game"), o.provider);
    this.registry = new Contract(o.game.registry, abiOf("CodeRegistry", "step"), o.provider);
  }

  get address(): string {
    return this.o.responder.address;
  }

  async gameParams(): Promise<GameParams> {
    return (this.params ??= await readGameParams(this.game));
  }

  /** Game `id` as L1 shows it at `blockTag`, the moves to be made at `now`. */
  async view(id: bigint, now: bigint, blockTag?: number): Promise<L1Game> {
    const v = await readGame(this.game, id, await this.gameParams(), now, blockTag, this.views.get(id)?.claims);
    this.views.set(id, v);
    return v;
  }

  /**
   * The trace of transaction `txIndex` of the batch with header `headerHash` (cached); undefined when the player
   * does not hold the batch or the transaction cannot start the machine (its fault is a one-step one).
   */
  traceOf(hh: string, txIndex: number): Promise<PlayerTrace | undefined> {
    const k = key(hh, txIndex);
    let t = this.traces.get(k);
    if (!t) {
      t = this.buildTrace(hh, txIndex).catch((e) => {
        this.traces.delete(k);
        throw e;
      });
      this.traces.set(k, t);
    }
    return t;
  }

  private async buildTrace(headerHash: string, txIndex: number): Promise<PlayerTrace | undefined> {
    const b = await this.o.source.appendedBatch(headerHash);
    if (!b || txIndex >= b.txs.length || !b.codesKnown) {
      // Not held yet, or batches before it not checked (the code they carry is unknown: a trace could find code
      // missing that is not): ask again later.
      this.traces.delete(key(headerHash, txIndex));
      return undefined;
    }
    const seq = b.header.firstSeq + BigInt(txIndex);
    // Code carried by the transactions before it in its batch, then by the chain before the batch.
    const local = new KnownCode();
    for (let i = 0; i < txIndex; i++) {
      try {
        local.addTx(b.header.firstSeq + BigInt(i), decodeItem(b.txs[i].tx, b.dictionary));
      } catch {
        // a transaction that does not decode carries nothing
      }
    }
    const lookup = (h: string) => local.before(h, seq) ?? this.o.source.codeBefore(h, seq);
    let tx;
    try {
      // The expanded transaction starts the machine (L1's game expands the item too, §7.7); one that does not expand
      // is a one-step malformed fault.
      tx = decodeItem(b.txs[txIndex].tx, b.dictionary);
    } catch (e) {
      if (e instanceof DecodeError) return undefined;
      throw e;
    }
    if (tx.type === TxType.Deposit) return undefined;
    let truth: StepTrace;
    try {
      // Without the declared gas: L1 starts the machine whatever gas the batch declares (a wrong one is a rules fault).
      truth = await StepTrace.run(tx as MoveTx | WrappedTx, batchTxContext(b.header, this.o.l2ChainId, txIndex), lookup);
    } catch (e) {
      if (e instanceof InvalidTxError || e instanceof DecodeError) {
        this.o.log.warn({ headerHash, txIndex, err: errMsg(e) }, "the disputed transaction cannot start the step machine");
        return undefined;
      }
      throw e;
    }
    const oracle = this.o.strategy ? this.o.strategy(truth, headerHash, txIndex) : truth;
    this.o.log.info({ batch: b.header.index, txIndex, steps: truth.steps, status: truth.statusName }, "traced a disputed transaction");
    return { header: b.header, txs: b.txs, txIndex, seq, truth, oracle, dictionary: b.dictionary };
  }

  /** The dispute of transaction `txIndex` of `headerHash`, with the trace's opening claim. */
  async disputeArgs(headerHash: string, txIndex: number): Promise<{ args: DisputeArgs; trace: PlayerTrace } | undefined> {
    const t = await this.traceOf(headerHash, txIndex);
    if (!t) return undefined;
    return { trace: t, args: { header: t.header, proof: txProofArg(t.txs, txIndex), claim: openingClaim(t.oracle, MAX_DEPTH) } };
  }

  /** The dispute's calls (commitment, then the dispute with bond(1) and a hold hint read now). */
  async disputeCallsFor(args: DisputeArgs) {
    const params = await this.gameParams();
    const hint: bigint = await this.game.getFunction("holdHint")(args.header.index);
    return disputeCalls(args, params.bonds[1], hint);
  }

  /**
   * Registers the code the trace reads (bytes, staged when large) and a carrier for each carried code, unless L1 has
   * them (code-registration.ts). Once per transaction per process; L1 is asked each time, so a restart only re-checks.
   */
  async registerCode(t: PlayerTrace): Promise<void> {
    const k = key(bytesToHex(headerHash(t.header)), t.txIndex);
    if (this.registered.has(k)) return;
    for (const c of await registrationCalls(this.registry, t, this.o.source, this.o.log)) await this.send(this.registry, c.data, c.what);
    this.registered.add(k);
  }

  private async send(to: Contract, data: string, what: string, value = 0n): Promise<void> {
    const res = await this.o.responder.send({ to: await to.getAddress(), data, value }, async () => {});
    if (res.status !== 1) throw new Error(`${what}: transaction ${res.hash} reverted`);
    this.o.log.info({ what, tx: res.hash }, "registered with the code registry");
  }

  /**
   * One turn in game `g` (read at the confirmed block, `now` the time its moves land at the earliest): the solver's
   * actions for this player, each sent (or resumed) in turn. Returns what was done.
   */
  async play(g: L1Game): Promise<GameAction[]> {
    if (g.status !== "open") return [];
    const t = await this.traceOf(g.headerHash, g.txIndex);
    if (!t) return [];
    this.gameTx.set(g.id, key(g.headerHash, g.txIndex));
    // Registering never holds up the moves (a step that needs the code reverts until it is there, and is retried).
    await this.registerCode(t).catch((e) => this.o.log.error({ game: g.id, err: errMsg(e) }, "could not register the code the trace reads; retrying on the next turn"));
    const actions = solveGame(g, t.oracle, { self: this.address });
    const done: GameAction[] = [];
    for (const a of actions) {
      try {
        await this.act(g, a, t);
        done.push(a);
      } catch (e) {
        const rv = revertOf(e, [gameInterface()]);
        // Said once per action (an action L1 keeps refusing, a liar's step say, is retried quietly).
        const k = actionKey(g.id, a);
        const level = this.failed.has(k) ? "debug" : "warn";
        this.failed.add(k);
        this.o.log[level]({ game: g.id, action: a.type, claim: "claimIndex" in a ? a.claimIndex : a.parentIndex, err: rv?.name ?? errMsg(e) }, "game action not made (retried on the next turn if still due)");
      }
    }
    return done;
  }

  private async act(g: L1Game, a: GameAction, t: PlayerTrace): Promise<void> {
    const k = actionKey(g.id, a);
    const calls = actionCalls(g.id, a, t.truth);
    const store = this.o.store;
    const to = this.o.game.address;
    let r: GameActionRecord = (await store.getAction(k)) ?? { key: k, gameId: g.id, type: a.type, updatedAt: 0 };
    if (calls.kind === "reveal" && a.type === "step" && !r.commitTx) {
      // The view is a confirmed block old: a leaf this player just refuted may show as standing. A commitment costs
      // gas, so ask L1's latest state first.
      const leaf = await this.game.getFunction("claimAt")(g.id, a.claimIndex);
      if (String(leaf.counteredBy) !== ethers.ZeroAddress) return;
    }
    if (calls.kind === "reveal") {
      if (r.proofHash !== calls.proofHash) {
        // A fresh salt, durable before its commitment is sent.
        const salt = ethers.hexlify(ethers.randomBytes(32));
        r = { key: k, gameId: g.id, type: a.type, proofHash: calls.proofHash, salt, updatedAt: 0 };
        await store.putAction(r);
      }
      const commitData = calls.commitData(this.address, r.salt!);
      const commitment = gameInterface().decodeFunctionData("commit", commitData)[0] as string;
      const at = Number(await this.game.getFunction("committedAt")(this.address, commitment));
      if (at === 0) {
        const res = await this.o.responder.send({ to, data: commitData, existing: r.commitTx }, async (s) => {
          r.commitTx = s;
          await store.putAction(r);
        });
        if (res.status !== 1) {
          await store.deleteAction(k);
          throw new Error(`commitment ${res.hash} reverted`);
        }
      }
      await this.finish(r, calls.revealData(r.salt!), calls.value);
      this.o.log.info({ game: g.id, leaf: (a as { claimIndex: number }).claimIndex, attack: (a as { isAttack: boolean }).isAttack }, "stepped: leaf refuted on L1");
      return;
    }
    // The test hook counts moves that landed, not attempts: a move the view (a confirmed block old) still shows as due
    // is refused by L1 and retried, and must not bring the crash forward.
    const crash =
      a.type === "move" && this.o.crashAfterMoves !== undefined && this.movesMade + 1 >= this.o.crashAfterMoves
        ? () => {
            this.o.log.warn({ moves: this.movesMade + 1, key: k }, "test hook: SIGKILL in the middle of a game, a move signed and stored but not sent");
            process.kill(process.pid, "SIGKILL");
          }
        : undefined;
    await this.finish(r, calls.data, calls.value, crash);
    if (a.type === "move") this.movesMade++;
    if (a.type === "move") this.o.log.info({ game: g.id, parent: a.parentIndex, position: a.position, attack: a.isAttack }, "moved");
    else this.o.log.info({ game: g.id, claim: a.claimIndex }, "resolved a claim");
  }

  /** Drops the in-flight records of game `id` (it ended: nothing of it can be sent any more). */
  async forget(id: bigint): Promise<void> {
    for (const r of await this.o.store.allActions()) if (r.gameId === id) await this.o.store.deleteAction(r.key);
    this.views.delete(id);
    for (const k of this.failed) if (k.startsWith(`${id}/`)) this.failed.delete(k);
    // Its trace too (the machine copies it keeps are the player's largest memory), unless another open game uses it.
    const k = this.gameTx.get(id);
    this.gameTx.delete(id);
    if (k !== undefined && ![...this.gameTx.values()].includes(k)) {
      this.traces.delete(k);
      this.registered.delete(k);
    }
  }

  /** Sends (or resumes) the record's transaction; deletes the record once L1 has it, or if it reverted. */
  private async finish(r: GameActionRecord, data: string, value: bigint, afterPersist?: () => void): Promise<void> {
    const res = await this.o.responder.send({ to: this.o.game.address, data, value, existing: r.tx }, async (s) => {
      r.tx = s;
      await this.o.store.putAction(r);
      afterPersist?.();
    });
    await this.o.store.deleteAction(r.key);
    if (res.status !== 1) throw new Error(`${r.type} ${res.hash} reverted`);
  }
}

