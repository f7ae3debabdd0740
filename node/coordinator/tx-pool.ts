/**
 * The mempool's bookkeeping by sender and nonce, as geth's transaction pool keeps it (protocol.md
 * §12.9): which pending transaction holds a sender's nonce (a later one with the same nonce replaces
 * it only if it pays at least PRICE_BUMP_PERCENT more, fee cap and tip alike), and the *queued*
 * transactions, whose nonce is ahead of the sender's (a gap): kept, bounded per sender and in all,
 * promoted when the gap closes, dropped after QUEUE_LIFETIME_MS. Pure bookkeeping: the coordinator
 * fills, accepts and stores.
 */
import { bytesToHex } from "../../core/bytes";
import { recoverMoveTxSender } from "../../core/sign";
import { TxType, type Tx } from "../../core/tx";
import { ethTxOrder } from "../../core/evm/ethtx";
import type { MempoolEntry } from "../state/chain-store";

/** geth's txpool.pricebump. */
export const PRICE_BUMP_PERCENT = 10n;
/** geth's txpool.accountqueue and txpool.globalqueue. */
export const QUEUE_PER_SENDER = 64;
export const QUEUE_TOTAL = 1024;
/** geth's txpool.lifetime: a queued transaction not promoted within it is dropped. */
export const QUEUE_LIFETIME_MS = 3 * 3600_000;

/** What the pool orders a transaction by. */
export interface TxMeta {
  sender: string;
  nonce: bigint;
  feeCap: bigint;
  tip: bigint;
}

/** The sender, nonce and fees of a move or wrapped transaction (undefined if its signature does not recover: its fill refuses it). */
export function txMeta(tx: Tx): TxMeta | undefined {
  try {
    if (tx.type === TxType.Move) return { sender: bytesToHex(recoverMoveTxSender(tx)), nonce: tx.nonce, feeCap: tx.maxFeePerGas, tip: tx.maxPriorityFeePerGas };
    if (tx.type !== TxType.Wrapped) return undefined;
    // The common shape read leanly (one RLP decode, one native recovery), anything else by ethereumjs.
    const o = ethTxOrder(tx.raw);
    return { sender: o.from, nonce: o.nonce, feeCap: o.maxFeePerGas, tip: o.maxPriorityFeePerGas };
  } catch {
    return undefined;
  }
}

/** Whether `next` may replace `old` (the same sender and nonce): both its fee cap and its tip at least PRICE_BUMP_PERCENT higher. */
export function outbids(next: TxMeta, old: TxMeta): boolean {
  const bumped = (x: bigint) => (x * (100n + PRICE_BUMP_PERCENT) + 99n) / 100n;
  return next.feeCap >= bumped(old.feeCap) && next.tip >= bumped(old.tip);
}

const slotOf = (m: { sender: string; nonce: bigint }) => `${m.sender}:${m.nonce}`;

export interface Held {
  id: string;
  meta: TxMeta;
}

export interface QueuedTx extends Held {
  entry: MempoolEntry;
}

export class TxPool {
  /** The pending transaction holding each sender's nonce. */
  private readonly pending = new Map<string, Held>();
  private readonly queue = new Map<string, QueuedTx>();
  private readonly queueIds = new Map<string, string>();

  get queuedCount(): number {
    return this.queue.size;
  }

  clearPending(): void {
    this.pending.clear();
  }

  addPending(id: string, meta: TxMeta | undefined): void {
    if (meta) this.pending.set(slotOf(meta), { id, meta });
  }

  /** The transaction (pending or queued) that holds `meta`'s sender and nonce, if another than `id`. */
  holder(meta: TxMeta, id: string): (Held & { queued: boolean }) | undefined {
    const q = this.queue.get(slotOf(meta));
    if (q && q.id !== id) return { ...q, queued: true };
    const p = this.pending.get(slotOf(meta));
    if (p && p.id !== id) return { ...p, queued: false };
    return undefined;
  }

  isQueued(id: string): boolean {
    return this.queueIds.has(id);
  }

  /** Why `meta` cannot be queued now (a full queue), or undefined. */
  full(meta: TxMeta): string | undefined {
    if (this.queue.size >= QUEUE_TOTAL) return `txpool is full (${QUEUE_TOTAL} queued transactions)`;
    let n = 0;
    for (const q of this.queue.values()) if (q.meta.sender === meta.sender) n++;
    if (n >= QUEUE_PER_SENDER) return `txpool is full for ${meta.sender} (${QUEUE_PER_SENDER} queued transactions)`;
    return undefined;
  }

  enqueue(q: QueuedTx): void {
    this.queue.set(slotOf(q.meta), q);
    this.queueIds.set(q.id, slotOf(q.meta));
  }

  unqueue(id: string): QueuedTx | undefined {
    const s = this.queueIds.get(id);
    if (s === undefined) return undefined;
    const q = this.queue.get(s);
    this.queue.delete(s);
    this.queueIds.delete(id);
    return q;
  }

  /** The queued transaction of `sender` with `nonce`, if any. */
  queuedAt(sender: string, nonce: bigint): QueuedTx | undefined {
    return this.queue.get(slotOf({ sender, nonce }));
  }

  /** Queued transactions, oldest nonce first per sender. */
  queued(): QueuedTx[] {
    return [...this.queue.values()].sort((a, b) => (a.meta.sender < b.meta.sender ? -1 : a.meta.sender > b.meta.sender ? 1 : a.meta.nonce < b.meta.nonce ? -1 : a.meta.nonce > b.meta.nonce ? 1 : 0));
  }

  /** Queued transactions older than the lifetime (received before `now - QUEUE_LIFETIME_MS`), removed. */
  expire(now: number): QueuedTx[] {
    const out = [...this.queue.values()].filter((q) => now - q.entry.receivedAt > QUEUE_LIFETIME_MS);
    for (const q of out) this.unqueue(q.id);
    return out;
  }
}
