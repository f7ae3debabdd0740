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
 *   * A batch whose every fault is an `execution` fault is reported once ("execution fault:
 *     interactive proof not yet supported"), never proven.
 *   * A batch seen rolled back is settled (won if our reveal landed, else lost).
 *   * A batch that is not canonical at the confirmation depth, or is final, is never acted on.
 */
import { cheapestProvable, type TxFault } from "../../prover/fault";
import { DONE_PHASES, type ChallengeRecord } from "./store";

export interface ObservedBatch {
  index: bigint;
  headerHash: string;
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
}

export interface SolverInput {
  /** The confirmed L1 head (head − confirmations). */
  head: { number: number; hash: string };
  batches: readonly ObservedBatch[];
  records: ReadonlyMap<string, ChallengeRecord>;
}

export type Action =
  | { type: "commit"; headerHash: string; fault: TxFault; resume: boolean }
  | { type: "reveal"; headerHash: string; resume: boolean }
  | { type: "report"; headerHash: string; fault: TxFault }
  | { type: "settle"; headerHash: string; outcome: "won" | "lost"; reason: string }
  /** A reveal landed earlier but the rollback is not yet confirmed: nothing to send. */
  | { type: "wait"; headerHash: string; reason: string };

export function solve(s: SolverInput): Action[] {
  const out: Action[] = [];
  // 1. Settle what L1 has rolled back (confirmed).
  for (const b of s.batches) {
    const r = s.records.get(b.headerHash);
    if (!r || DONE_PHASES.includes(r.phase)) continue;
    if (!b.live && b.l1Block <= s.head.number) {
      const won = r.phase === "revealing" && r.revealBlock !== undefined;
      out.push({ type: "settle", headerHash: b.headerHash, outcome: won ? "won" : "lost", reason: won ? "our proof rolled the batch back" : "rolled back by another challenger" });
    }
  }
  // 2. The earliest live invalid batch, canonical at the confirmed head, not final.
  const live = s.batches.filter((b) => b.live).sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  const target = live.find((b) => b.verdict === "invalid");
  if (!target || !target.fault) return out;
  if (!target.canonical || target.l1Block > s.head.number || target.final) return out;
  let r = s.records.get(target.headerHash);
  // The fault already committed to stays (its salt and proof are on disk); otherwise the cheapest.
  const f = r && r.phase !== "reported" ? r.fault : cheapestProvable(target.faults ?? [target.fault]);
  if (!f) {
    if (!r) out.push({ type: "report", headerHash: target.headerHash, fault: target.fault });
    return out;
  }
  if (r?.phase === "reported") r = undefined; // reported before a provable fault was known: prove it now
  if (!r) {
    out.push({ type: "commit", headerHash: target.headerHash, fault: f, resume: false });
    return out;
  }
  switch (r.phase) {
    case "committing":
      out.push({ type: "commit", headerHash: target.headerHash, fault: f, resume: true });
      break;
    case "committed":
      // The reveal must land in a later block than the commitment.
      if (r.commitBlock !== undefined && s.head.number >= r.commitBlock) out.push({ type: "reveal", headerHash: target.headerHash, resume: false });
      break;
    case "revealing":
      if (r.revealBlock === undefined) out.push({ type: "reveal", headerHash: target.headerHash, resume: true });
      else out.push({ type: "wait", headerHash: target.headerHash, reason: "reveal landed; waiting for the rollback to confirm" });
      break;
    default:
      break;
  }
  return out;
}
