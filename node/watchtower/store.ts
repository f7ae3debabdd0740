/**
 * The watchtower's durable state (LevelDB): one record per challenged posting of a batch, keyed by
 * header hash and posting (challengeKey: an identical batch re-posted after its rollback
 * has the same header hash and is challenged again, under its own record).
 *
 * The salt (and the proof hash it commits to) is written BEFORE the commit transaction is sent, and
 * every signed transaction is written BEFORE it is broadcast, so a process killed at any moment
 * resumes with the same commitment and never sends a second, different proof.
 *
 * Sublevels (utf8 keys, JSON values with bigints and bytes tagged as in node/state/chain-store.ts):
 *   challenges    <header hash>@<posting>  -> ChallengeRecord    (a one-step proof, or the dispute that opens a game)
 *   game-actions  <action key>             -> GameActionRecord   (a move, step or resolution in flight; deleted once on L1)
 * A store written with the hand-built prefix `ch:` is moved into it on open. Records written before
 * postings were kept (key: the header hash alone, no `posting`) stay readable and match no posting:
 * a batch they were about, if still live and invalid, is challenged afresh.
 */
import { Level } from "level";
import { dec, enc } from "../state/chain-store";
import { moveToSublevels, stringSublevel, type StringSublevel } from "../state/key-spaces";
import type { TxFault } from "../../prover/fault";

export type Phase =
  /** Salt chosen and persisted; the commit transaction may or may not have been sent. */
  | "committing"
  /** The commitment is on L1 (block `commitBlock`). */
  | "committed"
  /** The reveal (prove) transaction was signed and persisted; it may or may not have been sent. */
  | "revealing"
  /** The reveal landed (status 1): L1 rolled the batch back and paid us. */
  | "won"
  /** The batch was rolled back by someone else, or the reveal reverted. */
  | "lost"
  /** An execution fault reported by a watchtower that predates the game (kept readable; never written now). */
  | "reported"
  /** The dispute found the transaction's game open already (another challenger's): the watchtower plays it. */
  | "joined";

export interface SentTx {
  nonce: number;
  /** Every signed version (fee bumps), newest last. */
  hashes: string[];
  raw: string;
}

export interface ChallengeRecord {
  headerHash: string;
  /** The posting challenged (postingId); absent in records written before postings were kept. */
  posting?: string;
  batchIndex: bigint;
  kind: string;
  fault: TxFault;
  phase: Phase;
  prover?: string;
  proverAddress?: string;
  proofHash?: string;
  salt?: string;
  commitment?: string;
  commitTx?: SentTx;
  commitBlock?: number;
  revealTx?: SentTx;
  revealBlock?: number;
  reward?: bigint;
  reason?: string;
  updatedAt: number;
}

export const DONE_PHASES: readonly Phase[] = ["won", "lost", "reported", "joined"];

/**
 * A game action in flight (node/watchtower/game-player.ts): the salt of a step's commitment is written before the
 * commitment is sent, every signed transaction before it is broadcast; the record is deleted once L1 has the action,
 * so a restart resumes exactly the actions it had started and re-solves the rest from L1.
 */
export interface GameActionRecord {
  /** node/watchtower/game-actions.ts actionKey. */
  key: string;
  gameId: bigint;
  type: "move" | "step" | "resolve";
  /** A step's proof hash, salt and commitment. */
  proofHash?: string;
  salt?: string;
  commitment?: string;
  commitTx?: SentTx;
  /** The move, resolution or step reveal. */
  tx?: SentTx;
  updatedAt: number;
}

/** Where an append log is on L1: its block (by hash where known, else by number) and its index in the block. */
export function postingId(block: string | number, logIndex: number): string {
  return `${typeof block === "string" ? block.toLowerCase() : block}:${logIndex}`;
}

/** The key of the challenge record of one posting of a batch. */
export function challengeKey(headerHash: string, posting: string): string {
  return `${headerHash.toLowerCase()}@${posting}`;
}

/** The key a record is stored under: its posting's challengeKey (the header hash alone for a record without one). */
export function recordKey(r: Pick<ChallengeRecord, "headerHash" | "posting">): string {
  return r.posting === undefined ? r.headerHash.toLowerCase() : challengeKey(r.headerHash, r.posting);
}

export class WatchStore {
  private readonly challenges: StringSublevel;
  private readonly actions: StringSublevel;

  private constructor(private readonly db: Level<string, string>) {
    this.challenges = stringSublevel(db, "challenges");
    this.actions = stringSublevel(db, "game-actions");
  }

  static async open(path: string): Promise<WatchStore> {
    const db = new Level<string, string>(path, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await db.open();
    await moveToSublevels(db, [{ prefix: "ch:", sublevel: "challenges" }]);
    return new WatchStore(db);
  }

  async all(): Promise<Map<string, ChallengeRecord>> {
    const m = new Map<string, ChallengeRecord>();
    for await (const [k, v] of this.challenges.iterator()) m.set(k, dec<ChallengeRecord>(v));
    return m;
  }

  /** The record under `key` (recordKey). */
  async get(key: string): Promise<ChallengeRecord | undefined> {
    const v = await this.challenges.get(key.toLowerCase());
    return v ? dec<ChallengeRecord>(v) : undefined;
  }

  /** The records of every posting of batch `headerHash`, the most recently written last. */
  async ofHeader(headerHash: string): Promise<ChallengeRecord[]> {
    const h = headerHash.toLowerCase();
    const out: ChallengeRecord[] = [];
    for await (const [k, v] of this.challenges.iterator({ gte: h, lt: h + "\uffff" })) if (k === h || k.startsWith(h + "@")) out.push(dec<ChallengeRecord>(v));
    return out.sort((a, b) => a.updatedAt - b.updatedAt);
  }

  /** The record of the most recent challenge of batch `headerHash` (any posting). */
  async latest(headerHash: string): Promise<ChallengeRecord | undefined> {
    return (await this.ofHeader(headerHash)).at(-1);
  }

  /** Durable write (LevelDB sync) of one record. */
  async put(r: ChallengeRecord): Promise<void> {
    r.updatedAt = Date.now();
    await this.challenges.put(recordKey(r), enc(r), { sync: true } as never);
  }

  async getAction(key: string): Promise<GameActionRecord | undefined> {
    const v = await this.actions.get(key);
    return v ? dec<GameActionRecord>(v) : undefined;
  }

  /** Durable write of a game action's record. */
  async putAction(r: GameActionRecord): Promise<void> {
    r.updatedAt = Date.now();
    await this.actions.put(r.key, enc(r), { sync: true } as never);
  }

  async deleteAction(key: string): Promise<void> {
    await this.actions.del(key, { sync: true } as never);
  }

  /** Every game action in flight. */
  async allActions(): Promise<GameActionRecord[]> {
    const out: GameActionRecord[] = [];
    for await (const v of this.actions.values()) out.push(dec<GameActionRecord>(v));
    return out;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
