/**
 * The watchtower's durable state (LevelDB): one record per challenged batch, keyed by header hash.
 *
 * The salt (and the proof hash it commits to) is written BEFORE the commit transaction is sent, and
 * every signed transaction is written BEFORE it is broadcast, so a process killed at any moment
 * resumes with the same commitment and never sends a second, different proof.
 *
 * Sublevel `challenges` (utf8 keys, JSON values with bigints and bytes tagged as in node/state/chain-store.ts):
 *   <header hash>  -> ChallengeRecord
 * A store written with the hand-built prefix `ch:` is moved into it on open.
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
  /** An execution fault: reported, not proven (interactive proof not yet supported). */
  | "reported";

export interface SentTx {
  nonce: number;
  /** Every signed version (fee bumps), newest last. */
  hashes: string[];
  raw: string;
}

export interface ChallengeRecord {
  headerHash: string;
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

export const DONE_PHASES: readonly Phase[] = ["won", "lost", "reported"];

export class WatchStore {
  private readonly challenges: StringSublevel;

  private constructor(private readonly db: Level<string, string>) {
    this.challenges = stringSublevel(db, "challenges");
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

  async get(headerHash: string): Promise<ChallengeRecord | undefined> {
    const v = await this.challenges.get(headerHash.toLowerCase());
    return v ? dec<ChallengeRecord>(v) : undefined;
  }

  /** Durable write (LevelDB sync) of one record. */
  async put(r: ChallengeRecord): Promise<void> {
    r.updatedAt = Date.now();
    await this.challenges.put(r.headerHash.toLowerCase(), enc(r), { sync: true } as never);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
