/**
 * Withdrawals as their owner sees them (protocol.md §6.5, §11.3): ETH sent to the withdrawal vault
 * on L2 becomes a withdrawal output of the sender, which L1's Bridge pays once the output's batch is
 * final. Each has one status:
 *
 *   waiting     accepted by the node, not yet in a batch on L1 (in the mempool, or in a batch being
 *               posted); also when its batch was rolled back and the node re-queued it
 *   challenge   its batch is on L1 and not final: the challenge window runs (`secondsLeft`), or a
 *               dispute game holds the batch past it (`note`)
 *   claimable   its batch is final on L1 and the Bridge has not paid it
 *   claimed     the Bridge paid it
 *
 * The list comes from the L2 node (moveset_getWithdrawals); finality, the time and the payments
 * from L1 itself (Inbox.isFinal, the latest block's time, Bridge.claimed), so the status is what a
 * claim would meet.
 */
import { JsonRpcProvider, type Provider, type Signer } from "ethers";
import type { BatchLib } from "../typechain-types/Bridge";
import type { Deployment } from "../node/config";
import { revertOf } from "../node/l1/contracts";
import { bridgeOf, inboxOf, send, ClientError } from "./contracts";

export type WithdrawalStatus = "waiting" | "challenge" | "claimable" | "claimed";

export const WITHDRAWAL_STATUSES: readonly WithdrawalStatus[] = ["waiting", "challenge", "claimable", "claimed"];

/** One withdrawal as moveset_getWithdrawals returns it. */
export interface NodeWithdrawal {
  hash: string;
  seq: string;
  amount: string;
  state: "pending" | "posting" | "posted";
  batchIndex: string | null;
  txIndex: string | null;
  headerHash: string | null;
  postedAt: number | null;
  finalAt: number | null;
  verdict?: string;
}

export interface Withdrawal {
  hash: string;
  /** Its transaction's seq (provisional while waiting). */
  seq: bigint;
  amount: bigint;
  status: WithdrawalStatus;
  batchIndex?: number;
  txIndex?: number;
  postedAt?: number;
  /** When the challenge window ends (L1 time, seconds). */
  finalAt?: number;
  /** Seconds of the challenge window left, by L1's clock (challenge only). */
  secondsLeft?: number;
  /** What else a person should know (held by a game, judged invalid, in a batch being posted). */
  note?: string;
}

/** What L1 says about one posted withdrawal. */
export interface L1View {
  /** L1's latest block time (seconds). */
  now: number;
  /** The batch at its index is still the one that holds it (same header hash). */
  live: boolean;
  final: boolean;
  claimed: boolean;
}

/** The status of a withdrawal from the node's record and L1's view (pure: the rules of the file comment). */
export function statusOf(w: NodeWithdrawal, l1: L1View | undefined, window: number): Pick<Withdrawal, "status" | "secondsLeft" | "note" | "finalAt"> {
  if (l1?.claimed) return { status: "claimed" };
  if (w.state !== "posted" || !l1 || !l1.live)
    return { status: "waiting", note: w.state === "posting" ? "in a batch being posted" : w.state === "posted" ? "its batch left L1: the node re-queues it" : undefined };
  if (l1.final) return { status: "claimable" };
  const finalAt = (w.postedAt ?? l1.now) + window;
  const left = Math.max(0, finalAt - l1.now);
  const note = w.verdict === "invalid" ? "its batch is invalid and will be rolled back" : left === 0 ? "the window has passed; a dispute game holds the batch" : undefined;
  return { status: "challenge", secondsLeft: left, finalAt, note };
}

/** Reads what L1 says about posted withdrawals (one round of calls each). */
export async function l1Views(l1: Provider, d: Deployment, ws: NodeWithdrawal[]): Promise<(L1View | undefined)[]> {
  const inbox = inboxOf(d, l1);
  const bridge = bridgeOf(d, l1);
  const head = await l1.getBlock("latest");
  const now = Number(head!.timestamp);
  return Promise.all(
    ws.map(async (w) => {
      if (w.state !== "posted" || w.batchIndex === null) return undefined;
      const claimed = await bridge.claimed(BigInt(w.seq), { blockTag: head!.number });
      // A batch index past the live chain reverts BatchNotLive (rolled back); anything else is an error.
      const hh = await inbox.headerHash(BigInt(w.batchIndex), { blockTag: head!.number }).catch((e: unknown) => {
        if (revertOf(e)?.name === "BatchNotLive") return undefined;
        throw e;
      });
      const live = hh !== undefined && hh.toLowerCase() === (w.headerHash ?? "").toLowerCase();
      const final = live ? await inbox.isFinal(BigInt(w.batchIndex), { blockTag: head!.number }) : false;
      return { now, live, final, claimed };
    }),
  );
}

/** Every withdrawal of `address` the node knows (newest `limit`), oldest first, with its status. */
export async function listWithdrawals(l1: Provider, l2: JsonRpcProvider, d: Deployment, address: string, limit = 256): Promise<Withdrawal[]> {
  const r = (await l2.send("moveset_getWithdrawals", [address.toLowerCase(), "0x" + limit.toString(16)])) as { withdrawals: NodeWithdrawal[] };
  const views = await l1Views(l1, d, r.withdrawals);
  return r.withdrawals.map((w, i) => {
    const s = statusOf(w, views[i], Number(d.challengeWindow));
    return {
      hash: w.hash,
      seq: BigInt(w.seq),
      amount: BigInt(w.amount),
      batchIndex: w.batchIndex === null ? undefined : Number(w.batchIndex),
      txIndex: w.txIndex === null ? undefined : Number(w.txIndex),
      postedAt: w.postedAt ?? undefined,
      ...s,
    };
  });
}

/** JSON of a withdrawal: wei as decimal strings. */
export function withdrawalJson(w: Withdrawal): Record<string, unknown> {
  return { ...w, seq: w.seq.toString(), amount: w.amount.toString() };
}

/** moveset_getWithdrawalProof's answer. */
export interface WithdrawalProof {
  batchIndex: string;
  txIndex: string;
  seq: string;
  /** The batch header as named fields (quantities as hex strings), the Bridge's BatchLib.BatchHeader. */
  header: BatchLib.BatchHeaderStruct;
  tx: string;
  proof: string[];
  recipient: string | null;
  amount: string;
  status: string;
  finalAt: number | null;
  /** The transaction's declared gas (protocol.md §7.3), which the Bridge's inclusion check takes. */
  gas: string;
}

/** Claims the withdrawal of L2 transaction `hash` on L1 (anyone may; the Bridge pays the owner). */
export async function claimWithdrawal(signer: Signer, l2: JsonRpcProvider, d: Deployment, hash: string): Promise<{ l1Tx: string; amount: bigint; recipient: string }> {
  const p = (await l2.send("moveset_getWithdrawalProof", [hash])) as WithdrawalProof | null;
  if (!p) throw new ClientError(`the node knows no posted transaction ${hash}`);
  if (!p.recipient || BigInt(p.amount) === 0n) throw new ClientError(`transaction ${hash} withdrew nothing (it sent no ETH to the withdrawal vault)`);
  const bridge = bridgeOf(d, signer);
  const tx = await send(
    "claimWithdrawal",
    () => bridge.claimWithdrawal(p.header, BigInt(p.txIndex), BigInt(p.gas), p.tx, p.proof),
    (name, a) => {
      if (name === "BatchNotFinal") return `the withdrawal's batch ${a[0]} is not final yet: wait for the challenge window (\`moveset claim --wait\`)`;
      if (name === "AlreadyClaimed") return `the withdrawal of ${hash} was already claimed`;
      if (name === "HeaderMismatch") return `the withdrawal's batch ${a[0]} is no longer the one on L1 (rolled back): wait until it is posted again`;
      return undefined;
    },
  );
  const r = await tx.wait();
  if (!r || r.status !== 1) throw new ClientError(`the claim ${tx.hash} failed on L1`);
  return { l1Tx: tx.hash, amount: BigInt(p.amount), recipient: p.recipient };
}
