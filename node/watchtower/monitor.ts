/**
 * The watchtower's eyes: on each new L1 head, brings its own Verifier (which revalidates every
 * batch on its own and follows L1 through the node's L1 follower, reorgs included) up to the
 * confirmed head (head − confirmations), then turns the verifier's view into ObservedBatch rows for
 * the solver. The block it acts at is the follower's cursor; the header of any batch it could act
 * on is read from the Inbox pinned to that block's HASH (EIP-1898), so a batch that is not
 * canonical at the confirmation depth is never acted on.
 */
import type { L1Client } from "../l1/client";
import { batchIsFinal } from "../../core/game/finality";
import { gameStatusName } from "../../core/game/status";
import { disputeOpen } from "../../core/game/clock";
import type { Verifier } from "../verifier/verifier";
import { errMsg, type Logger } from "../log";
import type { ObservedBatch } from "./solver";
import { postingId } from "./store";

export interface Observation {
  head: { number: number; hash: string; timestamp: bigint };
  latest: number;
  /** L1's latest block's time (moves and resolutions land at it or later). */
  latestTimestamp: bigint;
  batches: ObservedBatch[];
}

export class Monitor {
  private lastHead = -1;

  constructor(
    private readonly l1: L1Client,
    private readonly verifier: Verifier,
    private readonly confirmations: number,
    private readonly challengeWindow: bigint,
    private readonly log: Logger,
  ) {}

  /** True when L1 has a new head since the last observation. */
  async newHead(): Promise<boolean> {
    return (await this.l1.blockNumber()) !== this.lastHead;
  }

  async observe(): Promise<Observation> {
    await this.verifier.poll();
    const snap = this.verifier.l1;
    this.lastHead = snap.latest.number;
    const at = snap.at;
    const head = { number: at.block, hash: at.hash, timestamp: at.timestamp ?? (await this.l1.block(at.block)).timestamp };
    const views = this.verifier.batches();
    const heldFrom = snap.heldFrom();
    const gamesOf = new Map<string, { gameId: bigint; txIndex: number; status: "open" | "challenger-won" | "defender-won" }[]>();
    for (const g of snap.games().values()) {
      const list = gamesOf.get(g.created.headerHash) ?? [];
      list.push({ gameId: g.created.gameId, txIndex: g.created.txIndex, status: gameStatusName(g.ended?.status) });
      gamesOf.set(g.created.headerHash, list);
    }
    const rows: ObservedBatch[] = [];
    for (const v of views) {
      const live = v.status !== "rolled back";
      let canonical = false;
      let liveAtLatest: boolean | undefined;
      // Pinned reads only where the solver could act (an invalid batch).
      if (live && v.verdict === "invalid" && v.l1Block <= head.number) {
        canonical = (await this.headerHashAt(v.index, head.hash)) === v.headerHash;
        if (canonical) liveAtLatest = snap.latest.hash === head.hash ? true : await this.liveAt(v.index, v.headerHash, snap.latest.hash);
      }
      rows.push({
        index: v.index,
        headerHash: v.headerHash,
        posting: postingId(v.l1BlockHash ?? v.l1Block, v.l1LogIndex),
        l1Block: v.l1Block,
        live,
        final: batchIsFinal(v.index, v.postedAt, this.challengeWindow, head.timestamp, heldFrom),
        disputable: disputeOpen(v.postedAt, this.challengeWindow, head.timestamp),
        verdict: v.verdict,
        fault: v.fault,
        faults: v.faults,
        canonical,
        liveAtLatest,
        games: gamesOf.get(v.headerHash),
      });
    }
    return { head, latest: snap.latest.number, latestTimestamp: snap.latest.timestamp, batches: rows };
  }

  /** Whether `headerHash` is live at `index` at the block with this hash; undefined if the read failed (unknown). */
  private async liveAt(index: bigint, headerHash: string, blockHash: string): Promise<boolean | undefined> {
    try {
      return (await this.l1.headerHashPinned(index, blockHash)) === headerHash;
    } catch (e) {
      this.log.debug({ index, blockHash, err: errMsg(e) }, "pinned headerHash read at the latest block failed");
      return undefined;
    }
  }

  /** Inbox.headerHash(index) at the block with this hash; undefined if not live there (or the read failed). */
  async headerHashAt(index: bigint, blockHash: string): Promise<string | undefined> {
    try {
      return await this.l1.headerHashPinned(index, blockHash);
    } catch (e) {
      this.log.debug({ index, blockHash, err: errMsg(e) }, "pinned headerHash read failed");
      return undefined;
    }
  }
}
