/**
 * Sends the watchtower's L1 transactions: its own nonce bookkeeping, the signed transaction handed
 * to the caller to persist BEFORE it is broadcast, fee bumping (same nonce, higher fees) when it is
 * not mined in time, retries of the broadcast, and waiting for confirmations (a receipt that
 * disappears in a reorg is waited for again). A resumed send first looks for a receipt of any
 * version it signed before, then rebroadcasts the newest one: the same transaction is never
 * replaced by a different one.
 */
import { Transaction, type JsonRpcProvider, type Wallet, type TransactionReceipt } from "ethers";
import { errMsg, type Logger } from "../log";
import type { SentTx } from "./store";

export interface ResponderOptions {
  /** Confirmations before a transaction counts as done. */
  confirmations: number;
  pollMs: number;
  /** Bump the fees when not mined after this long. */
  bumpAfterMs: number;
  maxBumps: number;
  /** Give up waiting after this long (the caller retries on its next tick). */
  timeoutMs: number;
}

/** L1's gas cap per transaction (EIP-7825). */
export const TX_GAS_CAP = 1n << 24n;

export const DEFAULT_RESPONDER: ResponderOptions = { confirmations: 1, pollMs: 200, bumpAfterMs: 15_000, maxBumps: 5, timeoutMs: 120_000 };

export interface SendResult {
  hash: string;
  status: number;
  blockNumber: number;
  receipt: TransactionReceipt;
}

export class Responder {
  private nextNonce: number | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly wallet: Wallet,
    private readonly opts: ResponderOptions,
    private readonly log: Logger,
  ) {}

  get address(): string {
    return this.wallet.address;
  }

  private async takeNonce(): Promise<number> {
    const chain = await this.provider.getTransactionCount(this.wallet.address, "pending");
    const n = Math.max(chain, this.nextNonce ?? 0);
    this.nextNonce = n + 1;
    return n;
  }

  /**
   * Sends `to`/`data` (or resumes `existing`). `persist` is called with the signed transaction
   * before every broadcast (first send and each fee bump). Throws on a failed gas estimate (the
   * transaction would revert).
   */
  send(req: { to: string; data: string; value?: bigint; existing?: SentTx }, persist: (s: SentTx) => Promise<void>): Promise<SendResult> {
    const r = this.lock.then(() => this.sendNow(req, persist));
    this.lock = r.catch(() => undefined);
    return r;
  }

  private async sendNow(req: { to: string; data: string; value?: bigint; existing?: SentTx }, persist: (s: SentTx) => Promise<void>): Promise<SendResult> {
    let sent = req.existing;
    let tx: Transaction;
    if (sent) {
      const done = await this.findReceipt(sent);
      if (done) return this.confirm(done, sent);
      const used = await this.provider.getTransactionCount(this.wallet.address, "latest");
      if (used > sent.nonce) {
        // The nonce went to none of our versions (dropped and replaced): sign it again at a new nonce.
        this.log.warn({ nonce: sent.nonce }, "persisted transaction was dropped; signing it again");
        sent = undefined;
      }
    }
    if (!sent) {
      const value = req.value ?? 0n;
      const estimate = await this.provider.estimateGas({ from: this.wallet.address, to: req.to, data: req.data, value });
      // 20% headroom, but never above L1's per-transaction cap (EIP-7825) when the estimate fits under it.
      const padded = (estimate * 12n) / 10n;
      const gasLimit = estimate <= TX_GAS_CAP && padded > TX_GAS_CAP ? TX_GAS_CAP : padded;
      const fee = await this.provider.getFeeData();
      const nonce = await this.takeNonce();
      const network = await this.provider.getNetwork();
      const signed = await this.wallet.signTransaction({
        type: 2,
        chainId: network.chainId,
        to: req.to,
        data: req.data,
        value,
        nonce,
        gasLimit,
        maxFeePerGas: fee.maxFeePerGas ?? 2_000_000_000n,
        maxPriorityFeePerGas: fee.maxPriorityFeePerGas ?? 1_000_000_000n,
      });
      tx = Transaction.from(signed);
      sent = { nonce, hashes: [tx.hash!], raw: signed };
      await persist(sent);
    } else tx = Transaction.from(sent.raw);
    await this.broadcast(sent.raw);
    const start = Date.now();
    let lastBump = Date.now();
    let bumps = 0;
    for (;;) {
      const rc = await this.findReceipt(sent);
      if (rc) return this.confirm(rc, sent);
      if (Date.now() - start > this.opts.timeoutMs) throw new Error(`transaction at nonce ${sent.nonce} not mined after ${this.opts.timeoutMs} ms`);
      if (Date.now() - lastBump > this.opts.bumpAfterMs && bumps < this.opts.maxBumps) {
        bumps++;
        lastBump = Date.now();
        const fee = await this.provider.getFeeData();
        const bump = (x: bigint | null, floor: bigint | null | undefined) => {
          const b = ((x ?? 0n) * 1125n) / 1000n + 1n;
          return floor && floor > b ? floor : b;
        };
        const next = Transaction.from(sent.raw);
        next.maxPriorityFeePerGas = bump(tx.maxPriorityFeePerGas, fee.maxPriorityFeePerGas);
        next.maxFeePerGas = bump(tx.maxFeePerGas, fee.maxFeePerGas);
        if (next.maxFeePerGas < next.maxPriorityFeePerGas) next.maxFeePerGas = next.maxPriorityFeePerGas;
        next.signature = null;
        const raw = await this.wallet.signTransaction(next);
        tx = Transaction.from(raw);
        sent = { nonce: sent.nonce, hashes: [...sent.hashes, tx.hash!], raw };
        await persist(sent);
        this.log.warn({ nonce: sent.nonce, bump: bumps, maxFeePerGas: tx.maxFeePerGas }, "transaction not mined: bumping its fees");
        await this.broadcast(raw);
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs));
    }
  }

  private async broadcast(raw: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.provider.broadcastTransaction(raw);
        return;
      } catch (e) {
        const m = errMsg(e).toLowerCase();
        if (m.includes("already known") || m.includes("nonce too low") || m.includes("known transaction") || m.includes("replacement")) return;
        this.log.warn({ err: errMsg(e), attempt }, "broadcast failed; retrying");
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
  }

  private async findReceipt(s: SentTx): Promise<TransactionReceipt | undefined> {
    for (const h of s.hashes) {
      const r = await this.provider.getTransactionReceipt(h);
      if (r) return r;
    }
    return undefined;
  }

  /** Waits until `rc` has the configured confirmations (and is still on the chain). */
  private async confirm(rc: TransactionReceipt, s: SentTx): Promise<SendResult> {
    for (;;) {
      const cur = await this.findReceipt(s);
      if (cur) {
        const head = await this.provider.getBlockNumber();
        if (head - cur.blockNumber + 1 >= this.opts.confirmations) return { hash: cur.hash, status: cur.status ?? 0, blockNumber: cur.blockNumber, receipt: cur };
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs));
      void rc;
    }
  }
}
