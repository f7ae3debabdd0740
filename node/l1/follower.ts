/**
 * The node's one L1 follower: the coordinator, the verifier and (through its verifier) the
 * watchtower's monitor see L1 through it. It keeps the Inbox's and the Bridge's events (batch
 * appends, rollbacks, deposits) in L1 order up to a cursor block `confirmations` below L1's head,
 * with the hashes of the blocks it has read, in LevelDB sublevels of its owner's store:
 *
 *   meta    cursor                 -> { block, hash, timestamp }   last L1 block fully read
 *   blocks  <block 12 hex>         -> block hash                   blocks seen (reorg detection)
 *   events  <block 12 hex>:<log 8 hex> -> L1Event
 *
 * - Pinned: every answer comes from one snapshot at the cursor block (L1Snapshot: the live chain,
 *   its tip, the deposit queue), never from calls that may land on different blocks; a read the
 *   events do not answer goes to the cursor block's hash (L1Client.pinned).
 * - Reorg-aware: each poll first checks that the cursor block is still L1's; if not, it drops the
 *   events after the newest block both agree on and reads again from there.
 * - Resumable: it starts from its stored cursor.
 *
 * A log that does not parse is logged and skipped: following L1 never stops on one transaction.
 */
import type { L1Log } from "./raw-rpc";
import { stringSublevel, type StringDb, type StringSublevel } from "../state/key-spaces";
import type { BatchHeader } from "../../core/batch";
import { dec, enc } from "../state/chain-store";
import type { Logger } from "../log";
import { errMsg } from "../log";
import { UnreadableBatch, type AppendRef } from "./batch-source";
import { NOT_HELD } from "../../core/game/finality";
import { L1Client, type DepositEntry, type L1Block, type L1Tip, type PostedBatch } from "./client";
import { bridgeInterface, gameInterface, inboxInterface } from "./contracts";

export type AppendEvent = {
  type: "append";
  block: number;
  logIndex: number;
  index: bigint;
  headerHash: string;
  header: BatchHeader;
  l1TxHash: string;
  poster: string;
  postedAt: bigint;
  /** Where the data is (an AppendRef's fields; absent in events stored before data sources existed). */
  blockHash?: string;
  txIndex?: number;
  dataSource?: number;
};
export type RollbackEvent = { type: "rollback"; block: number; logIndex: number; index: bigint; removedCount: bigint; kind: number; challenger: string };
export type DepositEvent = {
  type: "deposit";
  block: number;
  logIndex: number;
  index: bigint;
  from: string;
  to: string;
  value: bigint;
  /** The Bridge's entry hash and queue time (absent in events stored before the follower kept them). */
  entryHash?: string;
  time?: bigint;
};
/** A dispute game opened on transaction `txIndex` of batch `batchIndex` (DisputeGame's GameCreated). */
export type GameEvent = { type: "game"; block: number; logIndex: number; gameId: bigint; batchIndex: bigint; headerHash: string; txIndex: number; challenger: string };
/** A claim made in a dispute game (Moved: the dispute's first claim and every move). */
export type GameMoveEvent = { type: "game-move"; block: number; logIndex: number; gameId: bigint; claimIndex: number; claimant: string };
/** A dispute game ended (GameResolved): status 2 the challenger won, 3 the defender. */
export type GameEndEvent = { type: "game-end"; block: number; logIndex: number; gameId: bigint; status: number; winner: string; rolledBack: boolean; reward: bigint };
export type L1Event = AppendEvent | RollbackEvent | DepositEvent | GameEvent | GameMoveEvent | GameEndEvent;

/** A dispute game as the events show it: its creation, how many claims were made in it, its end. */
export interface GameRecord {
  created: GameEvent;
  /** Claims made after the root (the dispute's and every move). */
  claims: number;
  ended?: GameEndEvent;
}

/** The block the follower has read up to. */
export interface Cursor {
  block: number;
  hash: string;
  timestamp?: bigint;
}

export interface FollowerOptions {
  /** L1 blocks an event must be buried under before the follower takes it (0: L1's latest block). */
  confirmations: number;
  /** Largest L1 block range per eth_getLogs. */
  logRange: number;
}

/** A string-keyed LevelDB (the owner's store, in which the follower's sublevels live). */
export type RootDb = StringDb;
type Db = StringSublevel;
type Store = { root: RootDb; meta: Db; blocks: Db; events: Db };

/** The sublevels the follower keeps in its owner's store. */
export const FOLLOWER_SUBLEVELS = { meta: "l1-meta", blocks: "l1-blocks", events: "l1-events" } as const;

const hex12 = (n: number) => n.toString(16).padStart(12, "0");
const hex8 = (n: number) => n.toString(16).padStart(8, "0");
/** Block hashes kept for reorg detection. */
const HASH_WINDOW = 4096;

/** L1 as the follower read it at one block: the live chain, its tip and the deposit queue. */
export class L1Snapshot {
  private liveCache: AppendEvent[] | undefined;
  private depositCache: Map<bigint, DepositEvent> | undefined;
  private gameCache: Map<bigint, GameRecord> | undefined;

  constructor(
    /** The block read up to. */
    readonly at: Cursor,
    /** L1's latest block when the snapshot was taken. */
    readonly latest: L1Block,
    readonly events: readonly L1Event[],
    private readonly log?: Logger,
  ) {}

  /** The live batches by index: the appends minus the rollbacks. */
  live(): AppendEvent[] {
    if (this.liveCache) return this.liveCache;
    const live: AppendEvent[] = [];
    for (const e of this.events) {
      if (e.type === "append") {
        if (e.index === BigInt(live.length)) live.push(e);
        else this.log?.error({ index: e.index, live: live.length }, "BatchAppended out of order in the event log");
      } else if (e.type === "rollback") live.length = Math.min(live.length, Number(e.index));
    }
    return (this.liveCache = live);
  }

  /** Header hash of live batch `index`, or undefined. */
  headerHashAt(index: bigint): string | undefined {
    return index < 0n ? undefined : this.live()[Number(index)]?.headerHash;
  }

  /** The append of live batch `index`, or undefined. */
  append(index: bigint): AppendEvent | undefined {
    return index < 0n ? undefined : this.live()[Number(index)];
  }

  /** What Inbox.tip() returns at this block, from the events. */
  tip(): L1Tip {
    const live = this.live();
    const last = live[live.length - 1];
    if (!last) return { index: 0n, parent: "0x" + "00".repeat(32), firstSeq: 1n, depositStart: 0n, minTimestamp: 0n };
    const h = last.header;
    return { index: BigInt(live.length), parent: last.headerHash, firstSeq: h.firstSeq + h.txCount, depositStart: h.depositEnd, minTimestamp: h.timestamp };
  }

  deposits(): Map<bigint, DepositEvent> {
    if (this.depositCache) return this.depositCache;
    const m = new Map<bigint, DepositEvent>();
    for (const e of this.events) if (e.type === "deposit") m.set(e.index, e);
    return (this.depositCache = m);
  }

  depositCount(): bigint {
    return BigInt(this.deposits().size);
  }

  /** Every dispute game created up to this block, by id, with its claim count and its end if it ended. */
  games(): Map<bigint, GameRecord> {
    if (this.gameCache) return this.gameCache;
    const m = new Map<bigint, GameRecord>();
    for (const e of this.events) {
      if (e.type === "game") m.set(e.gameId, { created: e, claims: 0 });
      else if (e.type === "game-move") {
        const g = m.get(e.gameId);
        if (g) g.claims++;
      } else if (e.type === "game-end") {
        const g = m.get(e.gameId);
        if (g) g.ended = e;
      }
    }
    return (this.gameCache = m);
  }

  /**
   * The lowest batch index an open game holds (DisputeGame.heldFrom, protocol.md §11.5.6), from the game events:
   * 2^256 − 1 when no game is open.
   */
  heldFrom(): bigint {
    let low = NOT_HELD;
    for (const g of this.games().values()) if (!g.ended && g.created.batchIndex < low) low = g.created.batchIndex;
    return low;
  }

  /** Deposit queue entries [start, end); throws if one is not in the events. */
  depositRange(start: bigint, end: bigint): DepositEntry[] {
    const out: DepositEntry[] = [];
    for (let i = start; i < end; i++) {
      const d = this.deposits().get(i);
      if (!d) throw new Error(`deposit ${i} is not in the event log`);
      out.push({ index: d.index, from: d.from, to: d.to, value: d.value, entryHash: d.entryHash ?? "", time: d.time ?? 0n, blockNumber: d.block });
    }
    return out;
  }
}

/** Where an append's data is, as batch-source.ts reads it; undefined for events stored without it. */
export function appendRef(e: AppendEvent): AppendRef | undefined {
  if (e.blockHash === undefined || e.txIndex === undefined || e.dataSource === undefined) return undefined;
  return {
    index: e.index, headerHash: e.headerHash, header: e.header, poster: e.poster, dataSource: e.dataSource, l1TxHash: e.l1TxHash,
    blockHash: e.blockHash, blockNumber: e.block, txIndex: e.txIndex, logIndex: e.logIndex,
  };
}

let topics: { appended: string; rolled: string; batchData: string; deposited: string; created: string; moved: string; resolved: string } | undefined;

/** The topics of the events the follower reads, hashed once (ethers hashes an event's signature with JavaScript keccak on every `topicHash`). */
function followedTopics(): NonNullable<typeof topics> {
  if (topics) return topics;
  const ii = inboxInterface();
  const gi = gameInterface();
  return (topics = {
    appended: ii.getEvent("BatchAppended")!.topicHash,
    rolled: ii.getEvent("BatchesRolledBack")!.topicHash,
    batchData: ii.getEvent("BatchData")!.topicHash,
    deposited: bridgeInterface().getEvent("Deposited")!.topicHash,
    created: gi.getEvent("GameCreated")!.topicHash,
    moved: gi.getEvent("Moved")!.topicHash,
    resolved: gi.getEvent("GameResolved")!.topicHash,
  });
}

export class L1Follower {
  private events: L1Event[] = [];
  private cursor: Cursor;
  private latestSeen: L1Block | undefined;
  /** The Inbox logs of the last read (a BatchData log is looked for there before asking L1 again). */
  recentLogs: readonly L1Log[] = [];
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly l1: L1Client,
    private readonly db: Store,
    readonly opts: FollowerOptions,
    private readonly log: Logger,
  ) {
    this.cursor = { block: l1.deployment.deployedAt - 1, hash: "" };
  }

  /** Opens the follower on sublevels of `root` (meta, blocks, events), resuming from what they hold. */
  static async open(l1: L1Client, root: RootDb, opts: FollowerOptions, log: Logger): Promise<L1Follower> {
    const sub = (name: string) => stringSublevel(root, name);
    const f = new L1Follower(l1, { root, meta: sub(FOLLOWER_SUBLEVELS.meta), blocks: sub(FOLLOWER_SUBLEVELS.blocks), events: sub(FOLLOWER_SUBLEVELS.events) }, opts, log);
    const c = await f.db.meta.get("cursor");
    if (c) f.cursor = dec<Cursor>(c);
    for await (const v of f.db.events.values()) f.events.push(dec<L1Event>(v));
    return f;
  }

  /** The block read up to. */
  get at(): Cursor {
    return { ...this.cursor };
  }

  /** The snapshot at the cursor (as of the last poll). */
  snapshot(): L1Snapshot {
    return new L1Snapshot({ ...this.cursor }, this.latestSeen ?? { number: this.cursor.block, hash: this.cursor.hash, timestamp: this.cursor.timestamp ?? 0n }, this.events.slice(), this.log);
  }

  /**
   * Follows L1 up to its head minus the confirmations (at most `maxBlocks` blocks this call,
   * default: all of them, `logRange` per read), first dropping what a reorg took away. Serialized.
   */
  poll(maxBlocks = Infinity): Promise<L1Snapshot> {
    const r = this.busy.then(() => this.pollNow(maxBlocks));
    this.busy = r.catch(() => undefined);
    return r;
  }

  private async pollNow(maxBlocks: number): Promise<L1Snapshot> {
    const latest = await this.l1.block("latest");
    this.latestSeen = latest;
    if (this.cursor.hash) {
      // Nothing new on L1 (the common case: every consumer polls more often than L1 makes blocks): the
      // latest block is the cursor's, no second read.
      const at =
        this.cursor.block === latest.number ? latest : this.cursor.block < latest.number ? await this.l1.block(this.cursor.block).catch(() => undefined) : undefined;
      if (!at || at.hash !== this.cursor.hash) await this.handleReorg(latest.number);
    }
    const head = latest.number - this.opts.confirmations;
    const stop = Math.min(head, this.cursor.block + maxBlocks);
    while (this.cursor.block < stop) {
      const from = this.cursor.block + 1;
      const to = Math.min(stop, this.cursor.block + this.opts.logRange);
      await this.ingest(from, to);
    }
    return this.snapshot();
  }

  private async ingest(from: number, to: number): Promise<void> {
    const l1 = this.l1;
    const ii = inboxInterface();
    const gi = gameInterface();
    const { appended, rolled, batchData, deposited, created, moved, resolved } = followedTopics();
    const game = l1.deployment.game?.address;
    const [inboxLogs, bridgeLogs, gameLogs] = await Promise.all([
      l1.logs(l1.deployment.inbox, from, to, [[appended, rolled, batchData]], this.opts.logRange),
      l1.logs(l1.deployment.bridge, from, to, [deposited], this.opts.logRange),
      game ? l1.logs(game, from, to, [[created, moved, resolved]], this.opts.logRange) : Promise.resolve([] as L1Log[]),
    ]);
    const logs: L1Log[] = [...inboxLogs, ...bridgeLogs, ...gameLogs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const { events, blocks, meta } = this.db;
    const wb = this.db.root.batch();
    const fresh: L1Event[] = [];
    const blockTimes = new Map<number, bigint>();
    for (const log of logs) {
      let ev: L1Event;
      if (log.topics[0] === batchData) continue; // read with its BatchAppended
      try {
        if (log.topics[0] === deposited) {
          const d = L1Client.parseDeposit(log);
          ev = { type: "deposit", block: log.blockNumber, logIndex: log.index, index: d.index, from: d.from, to: d.to, value: d.value, entryHash: d.entryHash, time: d.time };
        } else if (log.topics[0] === created && log.address.toLowerCase() === game?.toLowerCase()) {
          const p = gi.parseLog(log)!;
          ev = {
            type: "game", block: log.blockNumber, logIndex: log.index, gameId: BigInt(p.args.gameId), batchIndex: BigInt(p.args.batchIndex),
            headerHash: String(p.args.headerHash).toLowerCase(), txIndex: Number(p.args.txIndex), challenger: String(p.args.challenger).toLowerCase(),
          };
        } else if (log.topics[0] === moved && log.address.toLowerCase() === game?.toLowerCase()) {
          const p = gi.parseLog(log)!;
          ev = { type: "game-move", block: log.blockNumber, logIndex: log.index, gameId: BigInt(p.args.gameId), claimIndex: Number(p.args.claimIndex), claimant: String(p.args.claimant).toLowerCase() };
        } else if (log.topics[0] === resolved && log.address.toLowerCase() === game?.toLowerCase()) {
          const p = gi.parseLog(log)!;
          ev = {
            type: "game-end", block: log.blockNumber, logIndex: log.index, gameId: BigInt(p.args.gameId), status: Number(p.args.status),
            winner: String(p.args.winner).toLowerCase(), rolledBack: Boolean(p.args.rolledBack), reward: BigInt(p.args.reward),
          };
        } else if (log.topics[0] === rolled) {
          const p = ii.parseLog(log)!;
          ev = { type: "rollback", block: log.blockNumber, logIndex: log.index, index: BigInt(p.args.index), removedCount: BigInt(p.args.removedCount), kind: Number(p.args.kind), challenger: String(p.args.challenger).toLowerCase() };
        } else {
          const ref = L1Client.parseAppend(log);
          let t = blockTimes.get(log.blockNumber);
          if (t === undefined) blockTimes.set(log.blockNumber, (t = (await l1.block(log.blockNumber)).timestamp));
          ev = {
            type: "append", block: log.blockNumber, logIndex: log.index, index: ref.index, headerHash: ref.headerHash, header: ref.header, l1TxHash: ref.l1TxHash, poster: ref.poster, postedAt: t,
            blockHash: ref.blockHash, txIndex: ref.txIndex, dataSource: ref.dataSource,
          };
        }
      } catch (e) {
        this.log.error({ l1Tx: log.transactionHash, block: log.blockNumber, logIndex: log.index, err: errMsg(e) }, "skipped an L1 log that does not parse");
        continue;
      }
      fresh.push(ev);
      wb.put(`${hex12(ev.block)}:${hex8(ev.logIndex)}`, enc(ev), { sublevel: events });
      wb.put(hex12(log.blockNumber), log.blockHash.toLowerCase(), { sublevel: blocks });
    }
    const end = await l1.block(to);
    wb.put(hex12(to), end.hash, { sublevel: blocks });
    if (to - HASH_WINDOW > 0) wb.del(hex12(to - HASH_WINDOW), { sublevel: blocks });
    const cursor: Cursor = { block: to, hash: end.hash, timestamp: end.timestamp };
    // Events, block hashes and the cursor in one atomic write.
    wb.put("cursor", enc(cursor), { sublevel: meta });
    await wb.write();
    this.events.push(...fresh);
    this.cursor = cursor;
    this.recentLogs = inboxLogs;
    if (fresh.length) this.log.debug({ from, to, events: fresh.length }, "read L1 events");
  }

  /**
   * Live batch `index` of `snap` as posted: its append, and its data read where the event says it
   * is (undefined data with the reason when L1 does not hold it there); undefined if not live.
   */
  async posted(snap: L1Snapshot, index: bigint): Promise<PostedBatch | undefined> {
    const ev = snap.append(index);
    if (!ev) return undefined;
    let data: Uint8Array | undefined;
    let unreadable: string | undefined;
    const ref = appendRef(ev);
    if (!ref) unreadable = "its event was stored without the data's location";
    else
      try {
        data = await this.l1.readBatchData(ref, this.recentLogs);
      } catch (e) {
        if (!(e instanceof UnreadableBatch)) throw e;
        unreadable = e.reason;
      }
    return { header: ev.header, data, unreadable, headerHash: ev.headerHash, poster: ev.poster, l1TxHash: ev.l1TxHash, l1Block: ev.block, logIndex: ev.logIndex, postedAt: ev.postedAt };
  }

  /** The cursor's block is no longer on L1: go back to the newest block both agree on. */
  private async handleReorg(latest: number): Promise<void> {
    const l1 = this.l1;
    let fork: Cursor = { block: l1.deployment.deployedAt - 1, hash: "" };
    for await (const [k, v] of this.db.blocks.iterator({ reverse: true })) {
      const n = parseInt(k, 16);
      if (n > latest) continue;
      const b = await l1.block(n).catch(() => undefined);
      if (b && b.hash === v) {
        fork = { block: n, hash: v, timestamp: b.timestamp };
        break;
      }
    }
    this.log.warn({ from: this.cursor.block, to: fork.block }, "L1 reorganized: dropping events after the fork point");
    const { events, blocks, meta } = this.db;
    const wb = this.db.root.batch();
    for await (const k of events.keys({ gt: `${hex12(fork.block)}:~` })) wb.del(k, { sublevel: events });
    for await (const k of blocks.keys({ gt: hex12(fork.block) })) wb.del(k, { sublevel: blocks });
    wb.put("cursor", enc(fork), { sublevel: meta });
    await wb.write();
    this.events = this.events.filter((e) => e.block <= fork.block);
    this.cursor = fork;
    this.recentLogs = [];
  }
}
