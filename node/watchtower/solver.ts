/**
 * The watchtower's rules of honest play, as a pure function: what it sees (confirmed, canonical
 * batches with the verifier's verdicts) and what it has done (its store) in, actions out. No I/O.
 *
 *   * A valid (or unchecked) batch is never challenged.
 *   * Only the EARLIEST live invalid batch is acted on: every later batch falls with it in the
 *     rollback. Of its faults (the verifier reports every one, check.ts) the cheapest one-step
 *     fault is proven (prover/fault.ts cheapestProvable), wherever it is in the batch: a first
 *     transaction with an execution fault does not hide a provable fault after it.
 *   * A one-step fault is proven by commit, then (in a later L1 block) reveal, each exactly once:
 *     a commit is re-issued only to resume the same persisted salt, a reveal only to resume the same
 *     signed transaction.
 *   * A batch whose every fault is an `execution` fault is disputed in the game (protocol.md §11.5): the
 *     dispute of its first such transaction is committed, then revealed, as a one-step proof is; the
 *     game itself is played by the game player (node/watchtower/game-player.ts), like every open game.
 *     If that transaction's game is open already (another challenger's), the batch is only joined: the
 *     player plays the game, and the batch falls when it resolves.
 *   * A batch seen rolled back is settled (won if our reveal landed, else lost).
 *   * A batch that is not canonical at the confirmation depth, or is final, is never acted on; nor is one
 *     already rolled back at L1's latest block (by another challenger, not yet confirmed): nothing is sent for it.
 *   * What it has done is keyed by the POSTING, not by the header hash alone (challengeKey): after a
 *     rollback the identical batch (same parent, seqs, data: the same header hash) can be posted again
 *     at the same index, and that live re-post is a new batch to challenge; a record settled against
 *     the first posting says nothing about it.
 */
import { cheapestProvable, type TxFault } from "../../prover/fault";
import { DONE_PHASES, challengeKey, type ChallengeRecord } from "./store";

/** The execution fault of the lowest transaction index, if any. */
function firstExecution(faults: readonly TxFault[]): TxFault | undefined {
  let best: TxFault | undefined;
  for (const f of faults) if (f.kind === "execution" && (!best || f.txIndex < best.txIndex)) best = f;
  return best;
}

export interface ObservedBatch {
  index: bigint;
  headerHash: string;
  /**
   * Which L1 append this is (postingId: the BatchAppended log's block hash and log index): one log
   * position holds one posting, so two postings of the same header never share it.
   */
  posting: string;
  l1Block: number;
  /** Live on L1 (not rolled back). */
  live: boolean;
  /** Past its challenge window. */
  final: boolean;
  verdict: "valid" | "invalid" | "unchecked";
  fault?: TxFault;
  /** Every fault of an invalid batch (the verifier's); `fault` alone if absent. */
  faults?: readonly TxFault[];
  /** Its header is the one L1 stores for its index at the confirmed head (pinned read). */
  canonical: boolean;
  /**
   * Its header is still the one L1 stores for its index at L1's LATEST block (pinned read; undefined: not read, or
   * the read failed). False: another challenger has rolled it back already, short of the confirmations: a commit or
   * reveal now would only pay gas for a transaction that reverts. If a reorg undoes that rollback, it reads true again.
   */
  liveAtLatest?: boolean;
  /** A dispute game may still open on it (inside its challenge window at the confirmed head; default true). */
  disputable?: boolean;
  /** The dispute games of its transactions (by the game events at the confirmed head). */
  games?: readonly { gameId: bigint; txIndex: number; status: "open" | "challenger-won" | "defender-won" }[];
}

export interface SolverInput {
  /** The confirmed L1 head (head − confirmations). */
  head: { number: number; hash: string };
  batches: readonly ObservedBatch[];
  records: ReadonlyMap<string, ChallengeRecord>;
}

/** The posting an action is about: its header hash, the posting, and its record's key (challengeKey). */
export type Target = { headerHash: string; posting: string; key: string };

export type Action =
  | ({ type: "commit"; fault: TxFault; resume: boolean } & Target)
  | ({ type: "reveal"; resume: boolean } & Target)
  /** The transaction's game is open already: record it, and let the game player play it. */
  | ({ type: "join"; fault: TxFault } & Target)
  | ({ type: "settle"; outcome: "won" | "lost"; reason: string } & Target)
  /** A reveal landed earlier but the rollback is not yet confirmed: nothing to send. */
  | ({ type: "wait"; reason: string } & Target);

export function solve(s: SolverInput): Action[] {
  const out: Action[] = [];
  // 1. Settle what L1 has rolled back (confirmed).
  for (const b of s.batches) {
    const key = challengeKey(b.headerHash, b.posting);
    const r = s.records.get(key);
    if (!r || DONE_PHASES.includes(r.phase)) continue;
    if (!b.live && b.l1Block <= s.head.number) {
      const won = r.phase === "revealing" && r.revealBlock !== undefined;
      out.push({ type: "settle", headerHash: b.headerHash, posting: b.posting, key, outcome: won ? "won" : "lost", reason: won ? "our proof rolled the batch back" : "rolled back by another challenger" });
    }
  }
  // 2. The earliest live invalid batch, canonical at the confirmed head, not final.
  const live = s.batches.filter((b) => b.live).sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  const target = live.find((b) => b.verdict === "invalid");
  if (!target || !target.fault) return out;
  if (!target.canonical || target.l1Block > s.head.number || target.final) return out;
  const t: Target = { headerHash: target.headerHash, posting: target.posting, key: challengeKey(target.headerHash, target.posting) };
  if (target.liveAtLatest === false) {
    out.push({ type: "wait", ...t, reason: "rolled back at L1's latest block, not yet confirmed" });
    return out;
  }
  let r = s.records.get(t.key);
  if (r?.phase === "reported") r = undefined; // reported by a watchtower before the game: prove or dispute it now
  // The fault already committed to stays (its salt and proof are on disk); otherwise the cheapest one-step fault, or
  // else the first execution fault (the game).
  const faults = target.faults ?? [target.fault];
  const f = r ? r.fault : (cheapestProvable(faults) ?? firstExecution(faults));
  if (!f) return out;
  if (r?.phase === "joined") return out;
  if (!r && f.kind === "execution") {
    // The transaction's latest game (a header hash can be posted again after a rollback: a game the challenger won
    // was about an earlier posting, and the new one may be disputed again).
    const g = (target.games ?? []).filter((x) => x.txIndex === f.txIndex).sort((a, b) => (a.gameId < b.gameId ? 1 : -1))[0];
    if (g?.status === "open") {
      out.push({ type: "join", ...t, fault: f });
      return out;
    }
    if (g?.status === "defender-won") return out; // the transaction was found ok: it cannot be disputed again
    if (target.disputable === false) return out; // its challenge window closed: no game opens on it any more
  }
  if (!r) {
    out.push({ type: "commit", ...t, fault: f, resume: false });
    return out;
  }
  switch (r.phase) {
    case "committing":
      out.push({ type: "commit", ...t, fault: f, resume: true });
      break;
    case "committed":
      // The reveal must land in a later block than the commitment.
      if (r.commitBlock !== undefined && s.head.number >= r.commitBlock) out.push({ type: "reveal", ...t, resume: false });
      break;
    case "revealing":
      if (r.revealBlock === undefined) out.push({ type: "reveal", ...t, resume: true });
      else out.push({ type: "wait", ...t, reason: "reveal landed; waiting for the rollback to confirm" });
      break;
    default:
      break;
  }
  return out;
}
