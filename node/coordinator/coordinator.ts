/**
 * The coordinator (protocol.md §6.4, §7, §11): accepts transactions into a durable mempool, fills
 * their moves from the latest index, builds batches (the L1 deposit queue first, then the mempool
 * in arrival order) and posts them with Inbox.appendBatch; once L1 has a batch, it records it in
 * the chain store and applies it to the UTXO store.
 *
 * Durability (a crash neither loses nor doubles an accepted transaction):
 *   - a transaction is accepted only once it is written to the mempool (chain store);
 *   - a built batch is written as the pending post before it is sent to L1;
 *   - committing a batch (its record, receipts, removal of its mempool entries, end of the pending
 *     post) is one atomic write; the UTXO store is applied after it and re-applied on start if the
 *     process died in between;
 *   - on start, the pending post is settled against L1: committed if L1 has its header hash,
 *     forgotten otherwise (its transactions are still in the mempool);
 *   - a batch on L1 that this node does not know (another poster, or its own post forgotten after
 *     a crash) is validated and applied, and the mempool entries it includes are removed; a mempool
 *     entry that can no longer be included (its nonce is used) is dropped when it is re-simulated;
 *   - a batch on L1 that is invalid, or whose data cannot be read (L1Client.readBatchData), halts
 *     building (nothing can be built on it) but not following: every tick re-reads it and checks
 *     whether it was rolled back.
 *
 * L1 (protocol.md §11.2): the node's L1 follower (node/l1/follower.ts, at L1's latest block) gives
 * each tick one snapshot, from which the live chain, the tip, the deposit queue and the appends'
 * data locations are read, so no decision mixes answers from different blocks; the free bond is
 * read at the snapshot's block hash.
 *
 * Bonds (protocol.md §11.2): each batch locks a bond until it is final, so the coordinator builds
 * only while its free bond covers one more; short of it, it waits (and says so once).
 *
 * Concurrency: one mutex serializes everything that changes state (accepting, building,
 * committing, syncing); waiting for L1 happens outside it, so transactions are accepted while a
 * batch is in flight (they see its effects through its overlay).
 *
 * Accepting: a submitted transaction is filled (executed) on a worker thread (`filler`, the node's
 * fill pool, with its time limit: node/coordinator/fill-job.ts), never on this thread, so a
 * transaction that runs 30M gas and is then refused costs the event loop nothing. The fill runs
 * without the lock against the state as it is, and is accepted under the lock if every version it
 * read is still the newest (refit); a fill that read state which changed meanwhile is filled again.
 * One sender's transactions are filled in the order they arrive. The lock is never held while a
 * submitted transaction executes.
 *
 * Code (protocol.md §6.2): a built transaction's witness leaves out the code that the witness of an
 * earlier transaction of the chain carries: of a committed batch (the chain store's index, which a
 * rewind cuts back) or of an earlier transaction of the batch being built. Code known only from a
 * batch that is gone (rolled back, reorged out, or built and abandoned) travels again.
 */
import { EventEmitter } from "events";
import { batchDataHash, batchDataSize, batchEntrySize, encodeBatchData, headerHash, splitBatchData, txRootOf, MAX_BATCH_BYTES, type BatchHeader, type BatchTx } from "../../core/batch";
import { BATCH_GAS_LIMIT, declaredGas, nextBaseFee } from "../../core/gas";
import { l1CostOf, type L1Cost, type L1Prices } from "../../core/l1fee";
import { bytesToHex, equalsBytes, hexToBytes } from "../../core/bytes";
import { DecodeError, InvalidTxError } from "../../core/errors";
import { FillError, type Version } from "../../core/fill";
import { txIdHex } from "../../core/sign";
import { l1PricesOf } from "../../core/context";
import { codeHash, decodeTx, encodeTx, TxType, type DepositTx, type Tx, type WrappedTx } from "../../core/tx";
import type { BlockEnv } from "../../core/evm/chain";
import type { TxOutcome } from "../../core/validate";
import type { Verdict } from "../validation/validate-pool";
import { KnownCode } from "../../core/known-code";
import { Mark, keyIdOf } from "../../core/keys";
import type { Executor } from "../../core/evm/execute";
import type { TxContext } from "../../core/context";
import type { ChainStore, MempoolEntry, PendingPost, StoredBatch } from "../state/chain-store";
import type { CoordinatorOptions, Deployment } from "../config";
import { L1RevertError, type L1Client, type L1Tip } from "../l1/client";
import type { AppendEvent, L1Follower, L1Snapshot } from "../l1/follower";
import { errMsg, type Logger } from "../log";
import { buildBatchRecord } from "../state/receipts";
import { Failpoints, Mutex } from "./mutex";
import { outbids, QUEUE_LIFETIME_MS, TxPool, txMeta, type TxMeta } from "./tx-pool";
import { feeOutputsOf, fillFromStore, Overlay, type LatestCache } from "../state/view";
import { refit, refusalOf, type FillJob, type FillResult, type FillSource, type Reprice } from "./fill-job";
import type { UtxoHandle } from "../state/utxo-handle";
import { checkBatch, InThreadValidator, txContext, txMovesOf, type Validator, type ValidatorItem } from "../validation/check";
import { Waker } from "../waker";
import { BLOB_BACKOFF_MS, postsInBlob } from "./post-mode";
import { tickBackoffMs } from "./tick-backoff";
import { MAX_BLOB_TXS } from "../../core/blob";
import { compressItem } from "../../core/flz";

/** A transaction refused at submission. `code` -32000 on JSON-RPC. */
export class SubmitError extends Error {
  constructor(
    message: string,
    readonly kind?: string,
    readonly reason?: string,
    readonly moveIndex?: number,
  ) {
    super(message);
  }
}

export interface CoordinatorDeps {
  chain: ChainStore;
  utxo: UtxoHandle;
  cache: LatestCache;
  l1: L1Client;
  /** The node's view of L1 (confirmations 0: the coordinator builds on L1's latest tip). */
  follower: L1Follower;
  deployment: Deployment;
  opts: CoordinatorOptions;
  log: Logger;
  executor: Executor;
  feeRecipient: Uint8Array;
  /** Header timestamps from L1's latest block (safe anywhere) or its pending block (a local automining node). */
  l1Clock?: "latest" | "pending";
  /** How often L1 is polled (tip, deposit queue, clock). */
  l1PollMs?: number;
  /**
   * Runs the fill of a submitted transaction off this thread (the node's fill pool). Without it,
   * submissions are filled on this thread (tests, tools). It may reject with an error whose `code` is
   * "timeout" or "busy" (the pool's time limit, its full queue): the transaction is refused with it.
   */
  filler?: (job: FillJob, source: FillSource) => Promise<FillResult>;
  /**
   * Runs the build's self-check (every transaction of a batch validated standalone, as verifiers will)
   * off this thread: the node's own validation pool, which knows no code of its own (the coordinator
   * hands each transaction the chain's code it needs). Without it, the self-check runs on this thread.
   */
  checker?: Validator;
}

/**
 * A mempool entry's fill as it was accepted (or re-simulated): the filled transaction, the seq it was
 * filled as, and the block environment it ran in. The build reuses it when the batch's state and
 * environment are those it was filled in (reusable), and the self-check proves it.
 */
interface PendingFill {
  tx: Tx;
  seq: bigint;
  env: BlockEnv;
  /** The L1 prices it was filled at (its L1 fee, protocol.md §6.6): refit re-prices it to the batch's. */
  l1: L1Prices;
  /** Its sender (lowercase hex), when it is a wrapped transaction (re-pricing moves the sender's balance). */
  sender?: string;
  /** Its sender, nonce and fees as the pool orders it (txMeta, recovered once when it was accepted): not recovered again. */
  meta?: TxMeta;
}

/**
 * How a mempool transaction of a round got its fill (Coordinator.assemble): its accepted fill reused
 * (refitted: re-priced, a balance shifted), or filled fresh because its accepted fill read a version
 * that is no longer the batch's (stale), or filled fresh in round 2 although round 1 reused its accepted
 * fill (refilled: the self-check refused it or it is not as round 1 checked it); `kept`: round 2 kept the
 * fill round 1's self-check validated.
 */
interface FillHow {
  reused: boolean;
  repriced: boolean;
  shifted: boolean;
  stale: boolean;
  refilled: boolean;
  kept: boolean;
}

/**
 * A mempool transaction of a round, to self-check: where in the batch, its seq, its entry, how it was
 * filled, the code available to it (codesBefore), and a wrapped transaction's sender as this node
 * recovered it when it was accepted (the self-check does not recover it again).
 */
interface Check {
  at: number;
  seq: bigint;
  entry: MempoolEntry;
  how: FillHow;
  codes: string;
  sender?: string;
}

/** A fill round 1's self-check ruled on: round 2 keeps it if it is valid and the batch before it gives it the same versions and code. */
interface CheckedFill {
  tx: Tx;
  seq: bigint;
  codes: string;
  valid: boolean;
  how: FillHow;
}

/** One round of a batch's assembly (Coordinator.assemble). */
interface Assembled {
  filled: Tx[];
  /** Each transaction's encoding (what the chain store keeps) with the gas it declares. */
  entries: BatchTx[];
  /**
   * The items as posted (protocol.md §7.7): each entry's encoding compressed where the deployment has a dictionary
   * and that is shorter, else as it is. The batch data, txRoot and size limit are of these.
   */
  items: BatchTx[];
  /** Deposits' from their fill; mempool transactions' from the self-check. */
  outcomes: TxOutcome[];
  included: { key: string; id: string }[];
  /** The mempool transactions to self-check, in batch order (one per `included`). */
  checks: Check[];
  overlay: Overlay;
  batchCodes: KnownCode;
  nIncluded: bigint;
}

/**
 * What a build did (the coordinator's "built" event), counted over the mempool transactions of the batch
 * as posted: those whose accepted fill was reused (of them, re-priced and shifted), those filled fresh
 * because the state they read changed (stale), how many times the batch was assembled and self-checked
 * (rounds: at most 2, protocol.md §12.4), and those round 2 filled fresh although round 1 reused them.
 */
export interface BuildStats {
  index: bigint;
  txs: number;
  reused: number;
  stale: number;
  /** Of the reused, those whose L1 fee was re-priced (the batch declares other L1 prices than they were filled at). */
  repriced: number;
  /** Of the reused, those a balance of which they consume was shifted: an earlier transaction that wrote it was re-priced (node/coordinator/fill-job.ts refit). */
  shifted: number;
  rounds: number;
  refilled: number;
}

/**
 * The code hashes a transaction's `c` moves name that the witness of an earlier transaction of the batch
 * carries (`batchCodes` holds the batch's witnesses before it): with the transaction's bytes and seq, all
 * the self-check's verdict depends on (the chain's code does not change while a batch is built).
 */
function codesBefore(tx: Tx, batchCodes: KnownCode, seq: bigint): string {
  if (tx.type === TxType.Deposit) return "";
  const out: string[] = [];
  for (const m of tx.moves)
    if (m.mark === Mark.Code)
      for (const v of [m.prev, m.next]) {
        const h = "0x" + v.toString(16).padStart(64, "0");
        if (v !== 0n && batchCodes.before(h, seq)) out.push(h);
      }
  return out.join(",");
}

/** The batch of `a` cut before its mempool transaction `j` (in `checks`): what comes after waits for the next batch. */
function cutBefore(a: Assembled, j: number, firstSeq: bigint): Assembled {
  const at = a.checks[j].at;
  const filled = a.filled.slice(0, at);
  const overlay = new Overlay();
  filled.forEach((tx, i) => overlay.apply(firstSeq + BigInt(i), tx));
  return { ...a, filled, entries: a.entries.slice(0, at), items: a.items.slice(0, at), outcomes: a.outcomes.slice(0, at), included: a.included.slice(0, j), checks: a.checks.slice(0, j), overlay };
}

/** Whether two contexts declare the same L1 prices (a fill's L1 fee then stands as it is). */
function samePrices(a: L1Prices, b: L1Prices): boolean {
  return a.l1BaseFee === b.l1BaseFee && a.l1BlobBaseFee === b.l1BlobBaseFee;
}

/** How refit re-prices fill `p` for context `ctx` (node/coordinator/fill-job.ts `Reprice`), when its sender is known. */
function repriceOf(p: PendingFill, ctx: TxContext): Reprice | undefined {
  return p.sender === undefined ? undefined : { sender: p.sender, feeRecipient: ctx.env.coinbase, from: p.l1, to: l1PricesOf(ctx) };
}

/**
 * Whether a fill made in `a` may be reused in `b`: the same block environment but for the timestamp.
 * The timestamp moves with L1's clock between acceptance and building, and almost no transaction reads
 * it; one that does comes out differently, which the build's self-check finds (then it is filled again).
 */
function reusableEnv(a: BlockEnv, b: BlockEnv): boolean {
  return (
    a.chainId === b.chainId &&
    a.number === b.number &&
    a.baseFee === b.baseFee &&
    a.gasLimit === b.gasLimit &&
    a.excessBlobGas === b.excessBlobGas &&
    equalsBytes(a.coinbase, b.coinbase) &&
    equalsBytes(a.prevRandao, b.prevRandao)
  );
}

/** `tx` without the witness blobs `omit` says validators have already (protocol.md §6.2), as a fill with that `omit` would leave them out. */
function withoutKnownCode(tx: Tx, omit: (h: string) => boolean): Tx {
  if (tx.type === TxType.Deposit || !tx.witness.some((c) => omit(bytesToHex(codeHash(c))))) return tx;
  return { ...tx, witness: tx.witness.filter((c) => !omit(bytesToHex(codeHash(c)))) };
}

/** Fills of one submission at most, each against the state as it then is (protocol.md §12.4). */
const OPTIMISTIC_FILLS = 5;

/** A version a fill read. */
interface Read {
  mark: number;
  addr: string;
  slot: bigint;
  version: Version;
}

/**
 * The signer of a submitted transaction as the pool's bookkeeping (txMeta) recovered it, once, on this
 * thread (native secp256k1), from its bytes: the fill worker is handed it and does not recover it again.
 * Undefined if it has none (its fill refuses it). The worker's decodeWrapped applies the rollup's policy
 * (the chain id it names, no blobs, replay protection, the access list's shape) before it takes a known
 * sender, so one the policy refuses is refused as before; and one the policy accepts names the policy's
 * chain id (or none, a legacy one without replay protection, whose signing hash has none), so txMeta's
 * recovery, under the chain id it names, is the policy's.
 */
function senderOf(tx: Tx, recovered: string | undefined): Uint8Array | undefined {
  if (tx.type !== TxType.Move && tx.type !== TxType.Wrapped) return undefined;
  return recovered === undefined ? undefined : hexToBytes(recovered as `0x${string}`);
}

interface Inflight {
  post: PendingPost;
  overlay: Overlay;
  keys: Set<string>;
  ids: Set<string>;
  sentAt?: number;
}

interface L1State {
  snap: L1Snapshot;
  tip: L1Tip;
  depositCount: bigint;
  clock: bigint;
  /** The base fee L1 requires of the next batch. */
  baseFee: bigint;
  /** The L1 prices the next batch declares (protocol.md §6.6): its transactions' L1 data fees are filled with them. */
  l1Prices: L1Prices;
  at: number;
  /** The poster's free bond (undefined without a key). */
  freeBond?: bigint;
}

/** Ethereum-style wording first (wallets and ethers key on it), then the typed reason. */
export function submitMessage(e: InvalidTxError | FillError | DecodeError): string {
  const typed = e instanceof InvalidTxError ? `${e.kind}/${e.code}` : e instanceof DecodeError ? `malformed/${e.code}` : `fill/${e.code}`;
  let lead = "";
  if (e instanceof InvalidTxError) {
    if (e.code === "insufficient-balance") lead = "insufficient funds for gas * price + value: ";
    else if (e.code === "nonce") {
      // The rule's data (core/evm/execute.ts): the transaction's nonce and the sender's.
      const { nonce, expected } = e.detail;
      lead = nonce !== undefined && expected !== undefined && BigInt(nonce) < BigInt(expected) ? "nonce too low: " : "nonce too high: ";
    } else if (e.code === "intrinsic-gas") lead = "intrinsic gas too low: ";
    else if (e.code === "fee-cap") lead = "max fee per gas less than block base fee: ";
    else if (e.code === "gas-limit") lead = "exceeds block gas limit: ";
  }
  return `${lead}${e.message} (${typed})`;
}

function isTxRefusal(e: unknown): e is InvalidTxError | FillError | DecodeError {
  return e instanceof InvalidTxError || e instanceof FillError || e instanceof DecodeError;
}

/** The SubmitError the RPC answers a refused transaction with. */
function submitErrorOf(e: InvalidTxError | FillError | DecodeError): SubmitError {
  return new SubmitError(submitMessage(e), e instanceof InvalidTxError ? e.kind : "malformed", e.code, e instanceof InvalidTxError ? e.moveIndex : undefined);
}

/** Whether a refusal says the transaction's nonce is ahead of its sender's (it may wait in the queue). */
function nonceTooHigh(e: unknown): boolean {
  return e instanceof SubmitError && e.reason === "nonce" && e.message.startsWith("nonce too high");
}

/** Runs `f`; a transaction refusal it throws becomes the SubmitError the RPC answers with. */
async function refused<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isTxRefusal(e)) throw submitErrorOf(e);
    throw e;
  }
}

export class Coordinator extends EventEmitter {
  private readonly lock = new Mutex();
  /** Pending and queued transactions by sender and nonce (replacement, nonce gaps). */
  private readonly pool = new TxPool();
  private readonly fail = new Failpoints();
  private pending = new Overlay();
  private pendingEntries: MempoolEntry[] = [];
  /** The fill of each pending entry (same order), for the build to reuse. */
  private pendingFills: PendingFill[] = [];
  /** The base fee L1 requires after the last batch this node committed, until L1 is read again. */
  private committedNext: { nextIndex: bigint; baseFee: bigint } | undefined;
  private pendingIds = new Set<string>();
  private pendingBytes = 0;
  private pendingSeq = 1n;
  /** Fills handed to the fill pool and not answered yet. */
  private fillsInFlight = 0;
  /** Per sender, the end of its submissions in progress (they are filled in arrival order). */
  private readonly bySender = new Map<string, Promise<void>>();
  private inflight: Inflight | undefined;
  /** Posts L1 refused in a row for their L1 prices (`L1PriceTooHigh`): the next build declares 2^-n of them. */
  private l1PriceHalvings = 0;
  private l1state: L1State | undefined;
  private depositsSeenAt: number | undefined;
  private halted: { index: bigint; hash: string; reason: string; unreadable?: boolean } | undefined;
  private bondShort = false;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private readonly waker = new Waker();
  private validator: InThreadValidator | undefined;
  private readonly chainId: bigint;
  /** Whether L1 serves blobs back (probed once, for the `auto` post mode). */
  private blobsReadable: boolean | undefined;
  /** When a blob post last failed (the `auto` post mode then posts calldata for BLOB_BACKOFF_MS). */
  private blobFailedAt: number | undefined;
  /**
   * The deployment's dictionary of compressed items (protocol.md §7.7), read from L1 at start; undefined when none
   * is bound (then every item is posted raw).
   */
  private dictionary: Uint8Array | undefined;
  /** Test seam: runs after a batch is built and recorded, before it is sent to L1. */
  beforePost: ((post: PendingPost) => Promise<void>) | undefined;

  constructor(private readonly d: CoordinatorDeps) {
    super();
    this.chainId = d.deployment.l2ChainId;
    // INVARIANT: the coordinator never builds batch data L1 refuses (protocol.md §5.5), and a batch of
    // the most deposits forced inclusion may demand always fits (a deposit takes at most 183 bytes, and 3
    // of framing: protocol.md §11.1).
    const minBytes = batchDataSize(Number(d.deployment.maxDepositsPerBatch), 186 * Number(d.deployment.maxDepositsPerBatch));
    if (!Number.isInteger(d.opts.maxBatchBytes) || d.opts.maxBatchBytes < minBytes || d.opts.maxBatchBytes > MAX_BATCH_BYTES)
      throw new RangeError(`maxBatchBytes must be in ${minBytes}..${MAX_BATCH_BYTES} (room for ${d.deployment.maxDepositsPerBatch} deposits, within the protocol's limit), got ${d.opts.maxBatchBytes}`);
    // INVARIANT: a batch that may go in a blob has at most MAX_BLOB_TXS transactions (L1 refuses more, §14.5).
    if ((d.opts.postMode ?? "calldata") !== "calldata" && d.opts.maxBatchTxs > MAX_BLOB_TXS)
      throw new RangeError(`maxBatchTxs must be at most ${MAX_BLOB_TXS} when batches may be posted in blobs (post mode ${d.opts.postMode}), got ${d.opts.maxBatchTxs}`);
  }

  /**
   * The base fee the next batch to build will carry (protocol.md §7.5): what L1 requires of its next
   * batch, or, while a batch is in flight, what the rule gives after it.
   */
  private nextBatchBaseFee(): bigint {
    const min = this.d.deployment.minBaseFee;
    const inf = this.inflight;
    if (inf) return nextBaseFee(inf.post.batch.header.baseFee, inf.post.batch.gasDeclared, min);
    // Just after a commit, L1's answer read before it is for the committed batch: the rule gives the next.
    const c = this.committedNext;
    if (c && c.nextIndex === this.d.chain.nextIndex() && (this.l1state === undefined || this.l1state.tip.index < c.nextIndex)) return c.baseFee;
    return this.l1state?.baseFee ?? min;
  }

  get address(): string {
    return bytesToHex(this.d.feeRecipient);
  }

  /** Why the coordinator stopped posting (an invalid batch on L1 that it cannot build on). */
  get haltedAt(): { index: bigint; reason: string } | undefined {
    return this.halted;
  }

  /** Overlays of state not yet in the store, newest first: the mempool's effects, the batch in flight. */
  pendingLayers(): Overlay[] {
    return this.inflight ? [this.pending, this.inflight.overlay] : [this.pending];
  }

  /** Mempool entry (or in-flight transaction) by id. */
  async pendingTx(id: string): Promise<{ tx: Tx } | undefined> {
    const e = await this.d.chain.mempoolEntry(id);
    if (e) return { tx: decodeTx(e.tx) };
    const i = this.inflight?.post.batch.txHashes.indexOf(id.toLowerCase()) ?? -1;
    if (i >= 0) return { tx: decodeTx(this.inflight!.post.txs[i]) };
    return undefined;
  }

  /**
   * Withdrawal outputs of `addrHex` not yet on L1, oldest first: in the batch in flight, then in the
   * mempool (whose seqs are provisional until a batch takes them).
   */
  pendingWithdrawals(addrHex: string): { id: string; seq: bigint; amount: bigint; inflight: boolean }[] {
    const a = addrHex.toLowerCase();
    const out: { id: string; seq: bigint; amount: bigint; inflight: boolean }[] = [];
    const f = this.inflight;
    if (f)
      f.post.batch.txHashes.forEach((id, i) => {
        const seq = f.post.batch.header.firstSeq + BigInt(i);
        const v = f.overlay.values.get(keyIdOf(a, Mark.Withdrawal, seq));
        if (v && v.value > 0n) out.push({ id, seq, amount: v.value, inflight: true });
      });
    const start = this.pendingSeq - BigInt(this.pendingEntries.length);
    this.pendingEntries.forEach((e, i) => {
      const v = this.pending.values.get(keyIdOf(a, Mark.Withdrawal, start + BigInt(i)));
      if (v && v.value > 0n) out.push({ id: e.id, seq: start + BigInt(i), amount: v.value, inflight: false });
    });
    return out;
  }

  get mempoolSize(): number {
    return this.pendingEntries.length;
  }

  /** The latest L1 clock seen (seconds), for the RPC's idea of "now". */
  get l1Clock(): bigint | undefined {
    return this.l1state?.clock;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  async start(): Promise<void> {
    // Bound before any batch (protocol.md §7.7), so read once: with one, items are posted compressed where shorter.
    const dict = await this.d.l1.dictionary();
    this.dictionary = dict.length > 0 ? dict : undefined;
    if (this.dictionary) this.d.log.info({ dictionaryBytes: dict.length }, "the deployment has a dictionary: posting compressed items where shorter");
    // Code from the chain store only as far as the chain carries it: a checked batch extends its tip.
    this.validator = await InThreadValidator.create(this.chainId, (h) => this.d.chain.postedCode(h), this.d.executor);
    await this.lock.run(() => this.recover());
    // Blob posting may come: KZG starts loading now, beside whatever comes first (calldata never needs it).
    if (this.mayPostBlobs) void this.d.l1.blobsReady().catch(() => undefined);
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    await this.loopDone;
  }

  private wake(): void {
    this.waker.wake();
  }

  private async loop(): Promise<void> {
    let lastL1 = 0;
    const l1Every = this.d.l1PollMs ?? 500;
    // Failed rounds in a row, and when the next round may run (tick-backoff.ts): a wake-up by a new transaction
    // does not make an outage retried (and logged) every poll.
    let failures = 0;
    let retryAt = 0;
    while (this.running) {
      try {
        const now = Date.now();
        if (now >= retryAt && (now - lastL1 >= l1Every || this.shouldBuild(now))) {
          lastL1 = now;
          await this.refreshL1();
          await this.lock.run(() => this.syncL1());
          if (this.inflight) await this.settleInflight();
          else if (!this.halted && this.shouldBuild(Date.now())) await this.buildAndPost();
          if (failures > 0) this.d.log.info({ failures }, "coordinator round succeeded again");
          failures = 0;
        }
      } catch (e) {
        failures++;
        const retryInMs = tickBackoffMs(l1Every, failures);
        retryAt = Date.now() + retryInMs;
        this.d.log.error({ err: errMsg(e), failures, retryInMs }, "coordinator tick failed; retrying");
      }
      if (!this.running) break;
      await this.waker.sleep(this.d.opts.pollMs);
    }
  }

  // ---- accepting ----------------------------------------------------------------------------------

  private provisionalCtx(seq: bigint): TxContext {
    const nextIndex = this.d.chain.nextIndex() + (this.inflight ? 1n : 0n);
    const parent = this.inflight ? this.inflight.post.batch.hash : (this.d.chain.tip()?.hash ?? "0x" + "00".repeat(32));
    const header: BatchHeader = {
      index: nextIndex,
      parent: hexToBytes(parent as `0x${string}`),
      firstSeq: seq,
      txCount: 1n,
      txRoot: new Uint8Array(32),
      number: nextIndex + 1n,
      timestamp: this.l1state?.clock ?? BigInt(Math.floor(Date.now() / 1000)),
      feeRecipient: this.d.feeRecipient,
      baseFee: this.nextBatchBaseFee(),
      depositStart: 0n,
      depositEnd: 0n,
      dataHash: new Uint8Array(32),
      ...(this.l1state?.l1Prices ?? { l1BaseFee: 0n, l1BlobBaseFee: 0n }),
    };
    return txContext(header, this.chainId, 0);
  }

  /**
   * Accepts a move or wrapped transaction: fills it against the latest state plus everything
   * accepted before it, and stores it durably. Returns its id. As geth's pool (protocol.md §12.9): a
   * transaction the node has already (pending, queued or in a batch) is refused as "already known";
   * one with the nonce of a pending or queued transaction of its sender replaces it if it pays at least
   * 10% more (fee cap and tip), else is "replacement transaction underpriced"; one whose nonce is
   * ahead of its sender's is queued until the gap closes.
   */
  async submit(tx: Tx): Promise<string> {
    if (!this.d.l1.signer) throw new SubmitError("this node only follows L1 (no coordinator key): it does not accept transactions", undefined, "read-only");
    if (tx.type === TxType.Deposit) throw new SubmitError("deposits come from the L1 bridge, not from RPC", "malformed", "deposit-via-rpc");
    const id = txIdHex(tx);
    if (this.pool.isQueued(id) || (await this.known(id))) throw new SubmitError("already known", undefined, "already-known");
    const meta = txMeta(tx);
    if (meta) await this.lock.run(() => this.replaceFor(meta, id));
    try {
      return await this.fillAndAccept(tx, id, undefined, meta);
    } catch (e) {
      if (meta && nonceTooHigh(e)) return this.lock.run(() => this.enqueue(id, tx, meta));
      throw e;
    }
  }

  /**
   * Fills `tx` and accepts it (`existing`: its mempool entry already, a queued transaction being promoted;
   * `meta`: its sender, nonce and fees as this node recovered them from the same bytes, txMeta, so that they are
   * not recovered again; undefined: it has none, its fill refuses it).
   */
  private async fillAndAccept(tx: Tx, id: string, existing: MempoolEntry | undefined, meta: TxMeta | undefined): Promise<string> {
    const filler = this.d.filler;
    if (!filler)
      return this.lock.run(async () => {
        if (await this.known(id)) return id;
        this.checkRoom();
        const seq = this.pendingSeq;
        const ctx = this.provisionalCtx(seq);
        // Code the chain carries stays out of the witness, as it will when the batch is built, so the
        // size limit (protocol.md §5.5) is checked on what will be posted (or more).
        const filled = await refused(() => fillFromStore(tx, this.d.cache, this.pendingLayers(), ctx, this.d.executor, { omitCode: this.chainCode, maxSweep: this.d.opts.sweepMax }));
        return this.answered(this.accept(id, tx, { tx: filled.tx, seq, env: ctx.env, l1: l1PricesOf(ctx), meta }, existing));
      });
    // One sender's transactions in the order they arrive: each is filled once the one before is answered.
    const sender = senderOf(tx, meta?.sender);
    return this.inSenderOrder(sender && bytesToHex(sender), () => this.submitFilled(filler, tx, id, tx.type === TxType.Wrapped ? sender : undefined, existing, meta));
  }

  /**
   * The L1 data fee `tx` would pay if it were accepted now (protocol.md §6.6, §12.10): filled as a
   * submission is, on the fill pool when there is one, against the pending state, as sent by `sender`.
   * An estimate: its signature is not checked, and it is neither accepted nor stored.
   */
  async estimateL1(tx: WrappedTx, sender: Uint8Array): Promise<L1Cost> {
    const seq = this.pendingSeq;
    const ctx = this.provisionalCtx(seq);
    const filler = this.d.filler;
    const r = filler
      ? await this.fillRemote(filler, tx, seq, sender)
      : await this.lock.run(async () => ({ tx: (await refused(() => fillFromStore(tx, this.d.cache, this.pendingLayers(), ctx, this.d.executor, { omitCode: this.chainCode, maxSweep: this.d.opts.sweepMax, sender }))).tx }));
    if ("refusal" in r) throw r.refusal;
    return l1CostOf(r.tx, sender, ctx.env.coinbase, seq, l1PricesOf(ctx));
  }

  /** Makes room for `meta`'s nonce (lock held): the pending or queued transaction holding it is replaced if `meta` outbids it. */
  private async replaceFor(meta: TxMeta, id: string): Promise<void> {
    const h = this.pool.holder(meta, id);
    if (!h) return;
    if (!outbids(meta, h.meta)) throw new SubmitError("replacement transaction underpriced", undefined, "underpriced");
    const reason = `replaced by ${id}`;
    this.d.log.info({ id, replaced: h.id }, "transaction replaced by one with a higher fee");
    if (h.queued) {
      const q = this.pool.unqueue(h.id)!;
      await this.d.chain.removeMempool([{ key: q.entry.key, id: q.id, reason }]);
      return;
    }
    const e = this.pendingEntries.find((x) => x.id === h.id);
    if (!e) return;
    await this.d.chain.removeMempool([{ key: e.key, id: e.id, reason }]);
    await this.recomputePending();
  }

  /** Queues a transaction whose nonce is ahead of its sender's (lock held): durable, not pending until the gap closes. */
  private async enqueue(id: string, tx: Tx, meta: TxMeta): Promise<string> {
    if (this.pool.isQueued(id) || (await this.known(id))) return id;
    const full = this.pool.full(meta);
    if (full) throw new SubmitError(full, undefined, "queue-full");
    const entry = await this.d.chain.addMempool(id, encodeTx(tx));
    this.pool.enqueue({ id, meta, entry });
    this.d.log.debug({ id, sender: meta.sender, nonce: meta.nonce }, "queued transaction (its nonce is ahead of its sender's)");
    // The gap may have closed while it was filled: then it is promoted at once.
    if (this.pool.holder({ ...meta, nonce: meta.nonce - 1n }, id)) setImmediate(() => void this.promote(id));
    return id;
  }

  /** Moves a queued transaction into the pending ones, if its nonce is now its sender's next. */
  private async promote(id: string): Promise<void> {
    const q = this.pool.unqueue(id);
    if (!q) return;
    try {
      await this.fillAndAccept(decodeTx(q.entry.tx), id, q.entry, q.meta);
    } catch (e) {
      if (nonceTooHigh(e)) {
        this.pool.enqueue(q);
        return;
      }
      if (!(e instanceof SubmitError)) {
        this.d.log.error({ id, err: errMsg(e) }, "promoting a queued transaction failed");
        this.pool.enqueue(q);
        return;
      }
      this.d.log.warn({ id, reason: e.message }, "dropped queued transaction");
      await this.lock.run(() => this.d.chain.removeMempool([{ key: q.entry.key, id, reason: e.message }]));
    }
  }

  /**
   * Fills `tx` off this thread without the lock, against the state as it is while the fill reads it, and
   * accepts it under the lock if that state is still the newest (refit). A fill that read state which
   * changed meanwhile, accepted or refused, is filled again; after OPTIMISTIC_FILLS the transaction is
   * refused as contended. The lock is never held while a transaction executes.
   */
  private async submitFilled(filler: NonNullable<CoordinatorDeps["filler"]>, tx: Tx, id: string, sender: Uint8Array | undefined, existing: MempoolEntry | undefined, meta: TxMeta | undefined): Promise<string> {
    for (let attempt = 0; attempt < OPTIMISTIC_FILLS; attempt++) {
      // The chain store is asked once (submit asked it already; a promoted transaction here), then only
      // memory: a batch of this node that takes it is there, and one of another poster that takes it
      // meanwhile leaves its fill refused at the build (what it consumes is spent), so it is dropped from
      // the mempool and in the chain once. (A LevelDB read per attempt was 7% of this thread under load.)
      if (attempt === 0 && existing ? await this.known(id) : this.knownInMemory(id)) return id;
      this.checkRoom();
      // The seq it would take if every fill ahead of it were accepted first: the versions those write
      // are then below it, as they will be below the seq it takes (refit re-keys its outputs to that).
      const from = this.pendingSeq + BigInt(this.fillsInFlight);
      this.fillsInFlight++;
      let r: Awaited<ReturnType<Coordinator["fillRemote"]>>;
      try {
        r = await this.fillRemote(filler, tx, from, sender);
      } finally {
        this.fillsInFlight--;
      }
      // Pipelined: from the fill's answer to its effects in the pending state nothing waits for I/O
      // (the durable write is queued, and awaited after the lock), so the effects are in before this
      // thread serves the next fill's first read: a worker filling one transaction after another
      // reads what the one before wrote, and its fills do not go stale.
      const done = await this.lock.run(async () => {
        if (this.knownInMemory(id)) return { id };
        if ("refusal" in r) {
          // Refused against the state it read: final if that state is still the newest (a fill now would
          // be refused the same), else stale (say "nonce too high" before another sender's transaction it
          // depended on was accepted): filled again.
          if (await this.stillNewest(r.reads, from)) throw r.refusal;
          return undefined;
        }
        this.checkRoom();
        const to = this.pendingSeq;
        // Filled for the batch before the one it now waits for (a batch was built meanwhile): filled again
        // on the worker, so that the build can reuse it rather than fill it again on this thread.
        const toCtx = this.provisionalCtx(to);
        if (!reusableEnv(r.env, toCtx.env)) return undefined;
        const layers = this.pendingLayers();
        const who = sender === undefined || tx.type !== TxType.Wrapped ? undefined : bytesToHex(sender).toLowerCase();
        const rp = repriceOf({ tx: r.tx, seq: from, env: r.env, l1: r.l1, sender: who }, toCtx);
        const fitted = await refused(() => refit(r.tx, from, to, (m, a, s) => this.latestIn(layers, m, a, s), rp));
        return fitted && this.accept(id, tx, { tx: fitted, seq: to, env: r.env, l1: l1PricesOf(toCtx), sender: who, meta }, existing);
      });
      if (done !== undefined) return "durable" in done ? this.answered(done) : done.id;
      this.d.log.debug({ id, attempt }, "the state a submitted transaction read changed during its fill: filling it again");
    }
    throw new SubmitError(`the state this transaction reads changed during each of its ${OPTIMISTIC_FILLS} fills: try again`, undefined, "contended");
  }

  /** Runs `f` after every earlier submission of `sender` (undefined: no order to keep) has been answered. */
  private async inSenderOrder<T>(sender: string | undefined, f: () => Promise<T>): Promise<T> {
    if (sender === undefined) return f();
    const run = (this.bySender.get(sender) ?? Promise.resolve()).then(f);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.bySender.set(sender, tail);
    try {
      return await run;
    } finally {
      if (this.bySender.get(sender) === tail) this.bySender.delete(sender);
    }
  }

  /** Whether every version a fill read is still the newest of its key, and was written before seq `from` (lock held). */
  private async stillNewest(reads: ReadonlyMap<string, Read>, from: bigint): Promise<boolean> {
    const layers = this.pendingLayers();
    for (const x of reads.values()) {
      const v = await this.latestIn(layers, x.mark, x.addr, x.slot);
      if (x.version.seq >= from || v.seq !== x.version.seq || v.value !== x.version.value) return false;
    }
    return true;
  }

  /** Whether a transaction is known already: in the mempool, in flight, or in a batch. */
  private async known(id: string): Promise<boolean> {
    return this.knownInMemory(id) || !!(await this.d.chain.txLocation(id));
  }

  /** In the mempool or in flight (no I/O). */
  private knownInMemory(id: string): boolean {
    return this.pendingIds.has(id) || !!this.inflight?.ids.has(id);
  }

  private checkRoom(): void {
    if (this.pendingEntries.length >= this.d.opts.mempoolMax) throw new SubmitError("mempool is full, try again later", undefined, "mempool-full");
  }

  /**
   * Accepts a filled transaction at `seq` (lock held): its effects at once, its mempool entry queued
   * for the disk (group commit, node/state/chain-store.ts), unless `existing` is its entry already (a
   * queued transaction promoted). The submitter is answered once the entry is durable (`answered`,
   * outside the lock): a transaction is accepted only once it survives a crash. Until then it may
   * already be built into a batch; the batch's writes come after the entry's, in order, so nothing is
   * left behind. Then the sender's queued transaction with the next nonce, if any, is promoted.
   */
  private accept(id: string, tx: Tx, fill: PendingFill, existing?: MempoolEntry): { id: string; durable: Promise<void> } {
    const bytes = encodeTx(tx);
    const { entry, durable } = existing ? { entry: existing, durable: Promise.resolve() } : this.d.chain.queueMempool(id, bytes);
    const seq = fill.seq;
    const meta = fill.meta;
    this.pending.apply(seq, fill.tx);
    this.pendingEntries.push(entry);
    this.pendingFills.push(tx.type === TxType.Wrapped ? { ...fill, sender: fill.sender ?? meta?.sender } : fill);
    this.pendingIds.add(entry.id);
    this.pendingBytes += bytes.length;
    this.pendingSeq = seq + 1n;
    this.pool.addPending(entry.id, meta);
    this.d.log.debug({ id, seq }, "accepted transaction");
    this.wake();
    const next = meta && this.pool.queuedAt(meta.sender, meta.nonce + 1n);
    if (next) setImmediate(() => void this.promote(next.id));
    return { id: entry.id, durable };
  }

  /** The submitter's answer: the id, once its mempool entry is on disk (then it is announced as pending). */
  private async answered(a: { id: string; durable: Promise<void> }): Promise<string> {
    await a.durable;
    this.fail.hit("after-accept");
    this.emit("pending", a.id);
    return a.id;
  }

  /** The newest version of a key through `layers` (newest first), then the store. */
  private latestIn(layers: readonly Overlay[], mark: number, addrHex: string, slot: bigint): Version | Promise<Version> {
    const a = addrHex.toLowerCase();
    const id = keyIdOf(a, mark, slot);
    for (const l of layers) {
      const v = l.values.get(id);
      if (v) return v;
    }
    return this.d.cache.peek(id) ?? this.d.cache.get(mark, a, slot);
  }

  /**
   * Fills `tx` as seq `seq` on the fill pool, reading through `layers`: the filled transaction, or its
   * refusal with every version the fill read. The pool's own refusals (its time limit, its full queue)
   * are thrown as the transaction's answer.
   */
  private async fillRemote(filler: NonNullable<CoordinatorDeps["filler"]>, tx: Tx, seq: bigint, sender?: Uint8Array): Promise<{ tx: Tx; env: BlockEnv; l1: L1Prices } | { refusal: SubmitError; reads: Map<string, Read> }> {
    const reads = new Map<string, Read>();
    // Every read sees the pending state as it is then (a batch built meanwhile replaced the overlays):
    // the freshest the fill can be; refit checks what it read when it is accepted.
    const source: FillSource = {
      latest: async (mark, addr, slot) => {
        const version = await this.latestIn(this.pendingLayers(), mark, addr, slot);
        const k = keyIdOf(addr.toLowerCase(), mark, slot);
        if (!reads.has(k)) reads.set(k, { mark, addr, slot, version });
        return version;
      },
      code: (h) => {
        for (const l of this.pendingLayers()) {
          const c = l.codes.get(h);
          if (c) return c;
        }
        return this.d.cache.peekCode(h) ?? this.d.cache.getCode(h);
      },
      feeOutputs: (a, limit) => feeOutputsOf(this.d.cache, this.pendingLayers(), a, limit),
      omitCode: this.chainCode,
    };
    let r: FillResult;
    const ctx = this.provisionalCtx(seq);
    try {
      r = await filler({ op: "fill", tx: encodeTx(tx), ctx, maxSweep: this.d.opts.sweepMax, sender }, source);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === "timeout" || code === "busy") throw new SubmitError((e as Error).message, undefined, code);
      throw e;
    }
    return r.type === "filled" ? { tx: decodeTx(r.tx), env: ctx.env, l1: l1PricesOf(ctx) } : { refusal: submitErrorOf(refusalOf(r)), reads };
  }

  /**
   * Re-simulates the mempool on top of the store and the batch in flight; drops what no longer fits,
   * keeps queued what waits for a nonce gap to close (until its lifetime ends), and promotes what the
   * gaps closed allow.
   */
  private async recomputePending(): Promise<void> {
    // The fills so far, reused where the state and environment they were made in are still the pending ones.
    const prior = new Map(this.pendingEntries.map((e, i) => [e.id, this.pendingFills[i]]));
    this.pending = new Overlay();
    this.pendingEntries = [];
    this.pendingFills = [];
    this.pendingIds = new Set();
    this.pendingBytes = 0;
    this.pool.clearPending();
    for (const q of this.pool.queued()) this.pool.unqueue(q.id);
    const inflight = this.inflight;
    let seq = inflight ? inflight.post.batch.header.firstSeq + inflight.post.batch.header.txCount : (this.d.chain.tip()?.lastSeq ?? 0n) + 1n;
    const drop: { key: string; id: string; reason: string }[] = [];
    const now = Date.now();
    /** Fills entry `e` at the next seq: true if it became pending, false if it waits in the queue. */
    const tryPending = async (e: MempoolEntry): Promise<boolean> => {
      let tx: Tx;
      let fill: PendingFill;
      try {
        tx = decodeTx(e.tx);
        const ctx = this.provisionalCtx(seq);
        const layers = this.pendingLayers();
        const p = prior.get(e.id);
        const reused = p && reusableEnv(p.env, ctx.env) ? await refit(p.tx, p.seq, seq, (m, a, s) => this.latestIn(layers, m, a, s), repriceOf(p, ctx)).catch(() => undefined) : undefined;
        const filled = reused ?? (await fillFromStore(tx, this.d.cache, layers, ctx, this.d.executor, { omitCode: this.chainCode, maxSweep: this.d.opts.sweepMax })).tx;
        // The pool's view of it, recovered when it was accepted (txMeta is a function of its bytes).
        fill = { tx: filled, seq, env: reused ? p!.env : ctx.env, l1: l1PricesOf(ctx), sender: p?.sender, meta: p ? p.meta : txMeta(tx) };
        this.pending.apply(seq, filled);
      } catch (err) {
        if (!isTxRefusal(err)) throw err;
        const meta = err instanceof InvalidTxError && err.code === "nonce" && nonceTooHigh(submitErrorOf(err)) ? txMeta(decodeTx(e.tx)) : undefined;
        if (meta && now - e.receivedAt <= QUEUE_LIFETIME_MS && !this.pool.full(meta)) this.pool.enqueue({ id: e.id, meta, entry: e });
        else drop.push({ key: e.key, id: e.id, reason: meta ? `queued for longer than ${QUEUE_LIFETIME_MS / 3600_000} hours: ${submitMessage(err)}` : submitMessage(err) });
        return false;
      }
      const meta = fill.meta;
      this.pendingEntries.push(e);
      this.pendingFills.push(tx.type === TxType.Wrapped ? { ...fill, sender: fill.sender ?? meta?.sender } : fill);
      this.pendingIds.add(e.id);
      this.pendingBytes += e.tx.length;
      this.pool.addPending(e.id, meta);
      seq++;
      return true;
    };
    for (const e of await this.d.chain.mempool()) {
      if (inflight?.keys.has(e.key)) continue;
      await tryPending(e);
    }
    // Queued transactions whose gap the others closed, until none moves.
    for (let moved = true; moved; ) {
      moved = false;
      for (const q of this.pool.queued()) {
        this.pool.unqueue(q.id);
        if (await tryPending(q.entry)) moved = true;
      }
    }
    this.pendingSeq = seq;
    if (drop.length) {
      for (const x of drop) this.d.log.warn({ id: x.id, reason: x.reason }, "dropped mempool transaction");
      await this.d.chain.removeMempool(drop);
    }
  }

  /** Code carried by the witnesses of the chain this node applied (protocol.md §6.2 rule 3). */
  private readonly chainCode = (h: string): boolean => this.d.chain.codeSeq(h) !== undefined;

  // ---- L1 -----------------------------------------------------------------------------------------

  private async refreshL1(): Promise<void> {
    const me = this.d.l1.address;
    const snap = await this.d.follower.poll();
    const tip = snap.tip();
    const depositCount = snap.depositCount();
    const [clock, freeBond, baseFee, l1Prices] = await Promise.all([
      this.d.l1Clock === "pending" ? this.d.l1.block("pending") : Promise.resolve(snap.latest),
      me ? this.d.l1.freeBondPinned(me, snap.at.hash) : Promise.resolve(undefined),
      this.d.l1.nextBaseFeePinned(snap.at.hash),
      this.d.l1.l1Prices(this.l1PriceHalvings),
    ]);
    this.l1state = { snap, tip, depositCount, clock: clock.timestamp, baseFee, l1Prices, at: Date.now(), freeBond };
    const short = freeBond !== undefined && freeBond < this.d.deployment.bondSize;
    if (short && !this.bondShort)
      this.d.log.warn({ freeBond, bondSize: this.d.deployment.bondSize }, "free bond below the bond size: not posting until an earlier batch is final or more is bonded (`npx moveset bond`)");
    else if (!short && this.bondShort) this.d.log.info({ freeBond }, "free bond covers another batch: posting again");
    this.bondShort = short;
    if (depositCount > tip.depositStart) this.depositsSeenAt ??= Date.now();
    else this.depositsSeenAt = undefined;
  }

  private shouldBuild(now: number): boolean {
    if (this.inflight || this.halted || this.bondShort || !this.d.l1.signer) return false;
    const n = this.pendingEntries.length;
    const deposits = this.l1state !== undefined && this.l1state.depositCount > this.l1state.tip.depositStart;
    if (n === 0 && !deposits) return false;
    if (n >= this.d.opts.maxBatchTxs || this.pendingBytes >= this.d.opts.maxBatchBytes) return true;
    const oldest = Math.min(this.pendingEntries[0]?.receivedAt ?? Infinity, deposits ? (this.depositsSeenAt ?? now) : Infinity);
    return now - oldest >= this.d.opts.batchIntervalMs;
  }

  /**
   * Brings the local chain in line with L1 (lock held): rewinds batches L1 no longer has, then
   * applies batches L1 has and this node lacks (its own pending post, or another poster's).
   */
  private async syncL1(): Promise<void> {
    const s = this.l1state;
    if (!s) return;
    const snap = s.snap;
    const local = this.d.chain.tip();
    if (local && snap.headerHashAt(local.index) !== local.hash) {
      await this.rewind(snap);
      return;
    }
    if (this.halted && (s.tip.index <= this.halted.index || snap.headerHashAt(this.halted.index) !== this.halted.hash)) {
      this.d.log.warn({ index: this.halted.index }, `the ${this.halted.unreadable ? "unreadable" : "invalid"} batch is no longer on L1 (rolled back): building again`);
      this.halted = undefined;
    }
    for (let i = this.d.chain.nextIndex(); i < s.tip.index; i = this.d.chain.nextIndex()) {
      const hash = snap.headerHashAt(i)!;
      const own = this.inflight?.post ?? (await this.d.chain.pending());
      if (own && own.batch.hash === hash) {
        await this.commitOwn(own, l1Record(snap.append(i)!));
        continue;
      }
      const posted = (await this.d.follower.posted(snap, i))!;
      if (this.inflight) {
        // Someone else got batch i in first: our post cannot land any more.
        await this.abandon(`batch ${i} was posted by ${posted.poster}`);
      }
      if (this.halted && !this.halted.unreadable && (this.halted.index < i || (this.halted.index === i && this.halted.hash === hash))) break;
      if (!posted.data) {
        if (this.halted?.hash !== hash || this.halted.reason !== posted.unreadable)
          this.d.log.error({ index: i, headerHash: hash, l1Tx: posted.l1TxHash, reason: posted.unreadable }, "cannot read the data of a batch on L1: not building on it (following L1 goes on; read again every tick)");
        this.halted = { index: i, hash, reason: posted.unreadable ?? "unreadable", unreadable: true };
        break;
      }
      const ok = await this.applyForeign(posted.header, posted.data, l1Record(snap.append(i)!), snap);
      if (!ok) break;
    }
  }

  /** Validates and applies a batch this node did not build. Returns false (and halts) if it is invalid. */
  private async applyForeign(header: BatchHeader, data: Uint8Array, l1: StoredBatch["l1"], snap: L1Snapshot): Promise<boolean> {
    const deposits = snap.depositRange(header.depositStart, header.depositEnd);
    const res = await checkBatch(header, data, this.chainId, deposits, this.validator!, this.d.utxo.store, await this.d.l1.dictionary());
    if (res.fault) {
      const reason = `${res.fault.kind}/${res.fault.code} at transaction ${res.fault.txIndex}: ${res.fault.message}`;
      if (!this.halted || this.halted.index !== header.index) this.d.log.error({ index: header.index, fault: res.fault }, "batch on L1 is invalid: not building on it until it is rolled back");
      this.halted = { index: header.index, hash: bytesToHex(headerHash(header)), reason };
      return false;
    }
    this.halted = undefined;
    const decoded = res.decoded as Tx[];
    const { batch, receipts } = buildBatchRecord(header, decoded, res.outcomes as TxOutcome[], data.length, l1);
    const ids = new Set(batch.txHashes);
    const remove = (await this.d.chain.mempool()).filter((e) => ids.has(e.id));
    await this.d.chain.commitBatch({ batch, txs: res.txs, items: res.items, receipts, codes: res.codes, removeMempool: remove });
    const f = await this.d.utxo.store.applyBatch(header.index, txMovesOf(header, decoded));
    if (f) throw new Error(`batch ${header.index} passed the check but the UTXO store refused it: ${f.kind}/${f.code}`);
    this.d.cache.applyTxs(decoded.map((tx, i) => ({ seq: header.firstSeq + BigInt(i), tx })));
    this.d.log.info({ index: header.index, txs: decoded.length, poster: l1?.poster, removedFromMempool: remove.length }, "applied batch from another poster");
    await this.recomputePending();
    this.emit("batch", { index: header.index, hash: batch.hash, txCount: decoded.length, own: false });
    return true;
  }

  /** L1 no longer has the local tip (rollback or reorg): go back to the last batch both agree on. */
  private async rewind(snap: L1Snapshot): Promise<void> {
    const local = this.d.chain.tip()!;
    let keep = -1n;
    for (let i = local.index; i >= 0n; i--) {
      const b = await this.d.chain.batch(i);
      if (b && snap.headerHashAt(i) === b.hash) {
        keep = i;
        break;
      }
    }
    this.d.log.warn({ localTip: local.index, keepThrough: keep }, "L1 no longer has this node's latest batches: rewinding");
    if (this.inflight) await this.abandon("rewind");
    // Their transactions go back to the front of the mempool, in the same write that deletes the
    // batches (deposits come back from the L1 queue).
    await this.d.chain.truncate(keep + 1n, (removed) => {
      const requeue: { id: string; tx: Uint8Array }[] = [];
      for (const raw of removed) {
        const tx = decodeTx(raw);
        if (tx.type === TxType.Deposit) continue;
        const open: Tx = tx.type === TxType.Wrapped ? { ...tx, moves: [], witness: [] } : { ...tx, moves: tx.moves.filter((m) => m.mask !== 0), witness: [] };
        requeue.push({ id: txIdHex(open), tx: encodeTx(open) });
      }
      return requeue;
    });
    await this.rebuildUtxo();
    this.halted = undefined;
    await this.recomputePending();
  }

  /** Wipes the UTXO store and applies the chain store's batches again (a crash meanwhile: start-up does it again). */
  private async rebuildUtxo(): Promise<void> {
    const chain = this.d.chain;
    const last = chain.tip()?.index ?? -1n;
    async function* batches() {
      for (let i = 0n; i <= last; i++) {
        const b = (await chain.batch(i))!;
        const txs = await chain.batchTxs(i);
        yield txs.map((t, j) => ({ seq: b.header.firstSeq + BigInt(j), moves: decodeTx(t.tx).moves }));
      }
    }
    await this.d.utxo.rebuild(batches());
    this.d.cache.clear();
  }

  // ---- building and posting ---------------------------------------------------------------------

  private async buildAndPost(): Promise<void> {
    // KZG (seconds to load, ~40 s on a loaded machine) is loaded before the build, outside the lock: loaded
    // inside it, the build held the lock that long and declared L1 prices read before it (the first blob
    // post on a fresh devnet was refused with L1PriceTooHigh: L1's base fee had fallen meanwhile).
    if (this.mayPostBlobs) await this.d.l1.blobsReady();
    const post = await this.lock.run(() => this.build());
    if (!post) return;
    const { header } = post.batch;
    let sent;
    try {
      await this.beforePost?.(post);
      sent = post.blob ? await this.postBlob(header, post.data) : await this.d.l1.appendBatch(header, post.data);
    } catch (e) {
      this.onPriceRefused(e);
      if (post.blob && !(e instanceof L1RevertError && e.name_ === "L1PriceTooHigh")) {
        // The next build posts calldata under `auto` (for BLOB_BACKOFF_MS); `blob` tries a blob again.
        this.blobFailedAt = Date.now();
        this.d.log.warn({ index: header.index, mode: this.d.opts.postMode, err: errMsg(e) }, "blob post failed");
      }
      await this.lock.run(() => this.abandon(e instanceof L1RevertError ? e.name_ : errMsg(e)));
      if (e instanceof L1RevertError) this.wake();
      return;
    }
    this.inflight!.sentAt = Date.now();
    post.l1TxHash = sent.hash;
    await this.d.chain.setPendingL1Tx(sent.hash);
    this.fail.hit("after-send");
    this.d.log.info({ index: header.index, txs: post.txs.length, bytes: post.data.length, l1Tx: sent.hash, in: post.blob ? "blob" : "calldata" }, "posted batch");
    let mined;
    try {
      mined = await this.d.l1.wait(sent, this.d.opts.l1TimeoutMs, header);
    } catch (e) {
      if (e instanceof L1RevertError) {
        this.onPriceRefused(e);
        await this.lock.run(() => this.abandon(e.name_));
        this.wake();
      } else this.d.log.warn({ index: header.index, err: errMsg(e) }, "no receipt yet for the batch; will check L1 again");
      return;
    }
    this.fail.hit("after-mined");
    const postedAt = (await this.d.l1.block(mined.blockNumber)).timestamp;
    await this.lock.run(async () => {
      if (this.inflight?.post !== post) return; // settled meanwhile
      await this.commitOwn(post, { txHash: sent.hash.toLowerCase(), blockNumber: mined.blockNumber, poster: this.address, postedAt });
    });
  }

  /** Sends a batch built for a blob (its header's dataHash the blob's versioned hash): appendBatchBlob. */
  private async postBlob(header: BatchHeader, data: Uint8Array): Promise<{ hash: string }> {
    const b = await this.d.l1.blobBatch(header, data);
    // INVARIANT: the blob sent is the one the header (recorded as the pending post) commits to.
    if (!equalsBytes(b.header.dataHash, header.dataHash)) throw new Error("the blob's versioned hash is not the built header's dataHash");
    const tx = await this.d.l1.appendBatchBlob(header, b.blob, b.gas);
    return { hash: tx.hash.toLowerCase() };
  }

  /** Whether the post mode may put a batch in a blob (`blob` or `auto`). */
  private get mayPostBlobs(): boolean {
    return (this.d.opts.postMode ?? "calldata") !== "calldata";
  }

  /** Whether the batch `data` goes in a blob (node/coordinator/post-mode.ts), at the prices the header declares. */
  private async postsInBlob(data: Uint8Array, prices: L1Prices): Promise<boolean> {
    const mode = this.d.opts.postMode ?? "calldata";
    if (mode === "calldata") return false;
    if (mode === "auto") this.blobsReadable ??= await this.d.l1.servesBlobs();
    const blobBackoff = this.blobFailedAt !== undefined && Date.now() - this.blobFailedAt < BLOB_BACKOFF_MS;
    return postsInBlob(mode, data, { baseFee: prices.l1BaseFee, blobBaseFee: prices.l1BlobBaseFee, blobsReadable: this.blobsReadable ?? false, blobBackoff });
  }

  /**
   * L1 refused a post for its L1 prices (they fell faster than the batch got in): the next build declares
   * half as much again (core/l1fee.ts `declaredL1Prices`), so posting goes on however L1's fees move.
   */
  private onPriceRefused(e: unknown): void {
    if (!(e instanceof L1RevertError) || e.name_ !== "L1PriceTooHigh") return;
    if (this.l1PriceHalvings < 128) this.l1PriceHalvings++;
    this.d.log.warn({ halvings: this.l1PriceHalvings, args: e.args.map(String) }, "L1 refused the batch's L1 prices (L1's fees fell meanwhile): declaring half as much");
  }

  /** A post whose receipt did not come: settle it against L1. */
  private async settleInflight(): Promise<void> {
    const inf = this.inflight;
    if (!inf?.post.l1TxHash) return;
    const status = await this.d.l1.receiptStatus(inf.post.l1TxHash);
    if (status === 0) await this.lock.run(() => this.abandon("reverted on L1"));
    else if (status === undefined && inf.sentAt && Date.now() - inf.sentAt > this.d.opts.l1TimeoutMs * 2) await this.lock.run(() => this.abandon("no receipt"));
    // Mined successfully: syncL1 commits it.
  }

  /** Forgets the batch being posted (lock held); its transactions are still in the mempool. */
  private async abandon(why: string): Promise<void> {
    const inf = this.inflight;
    this.inflight = undefined;
    await this.d.chain.clearPending();
    if (inf) this.d.log.warn({ index: inf.post.batch.header.index, why }, "batch not posted; rebuilding");
    await this.recomputePending();
  }

  /** Builds the next batch on L1's tip (lock held) and records it as the pending post. */
  private async build(): Promise<PendingPost | undefined> {
    if (this.inflight || this.halted) return undefined;
    const t0 = performance.now();
    // A fresh snapshot: the batch extends L1's latest tip as the follower reads it.
    const snap = await this.d.follower.poll();
    const tip = snap.tip();
    const depositCount = snap.depositCount();
    const [clock, baseFee, l1Prices] = await Promise.all([this.d.l1Clock === "pending" ? this.d.l1.block("pending") : Promise.resolve(snap.latest), this.d.l1.nextBaseFeePinned(snap.at.hash), this.d.l1.l1Prices(this.l1PriceHalvings)]);
    const local = this.d.chain.tip();
    // INVARIANT: the batch extends exactly what this node has applied (else sync first).
    if (tip.index !== this.d.chain.nextIndex() || tip.parent !== (local?.hash ?? "0x" + "00".repeat(32))) return undefined;
    const timestamp = clock.timestamp > tip.minTimestamp ? clock.timestamp : tip.minTimestamp;
    const header: BatchHeader = {
      index: tip.index,
      parent: hexToBytes(tip.parent as `0x${string}`),
      firstSeq: tip.firstSeq,
      txCount: 0n,
      txRoot: new Uint8Array(32),
      number: tip.index + 1n,
      timestamp,
      feeRecipient: this.d.feeRecipient,
      // INVARIANT: the header carries the base fee L1 requires (protocol.md §7.5).
      baseFee,
      depositStart: tip.depositStart,
      depositEnd: tip.depositStart,
      dataHash: new Uint8Array(32),
      // The L1 prices its L1 data fees are filled with (protocol.md §6.6): what L1 will accept, so the
      // coordinator is paid for the data it posts.
      ...l1Prices,
    };
    // The oldest pending deposits, as many as a batch may take (protocol.md §11.2: forced inclusion needs
    // at least min(maxDepositsPerBatch, overdue); taking the most keeps the queue short).
    const maxDeposits = this.d.deployment.maxDepositsPerBatch;
    const nDeposits = depositCount - tip.depositStart > maxDeposits ? maxDeposits : depositCount - tip.depositStart;
    const deposits = snap.depositRange(tip.depositStart, tip.depositStart + nDeposits);
    const ctxOf = (s: bigint, g?: bigint) => txContext(header, this.chainId, Number(s - header.firstSeq), g);
    // At most two rounds (protocol.md §12.4). Round 1 reuses each transaction's accepted fill where the
    // batch's state and environment are those it was filled in (refit), else fills it again on this
    // thread; then the whole batch is self-checked (off this thread with a checker). If the self-check
    // refused any, round 2 keeps only the fills round 1's self-check validated that still read exactly the
    // batch's versions and code, and fills every other again: a re-priced or shifted fill is not reused a
    // second time, so one transaction filled again cannot shift the next one's fill into a third round.
    // Round 2's batch is cut before the first transaction its self-check refuses. A fresh fill the
    // self-check refuses is dropped, as is one the filler refuses.
    const dropped: { key: string; id: string; reason: string }[] = [];
    const droppedIds = new Set<string>();
    const drop = (e: MempoolEntry, reason: string) => {
      droppedIds.add(e.id);
      dropped.push({ key: e.key, id: e.id, reason });
    };
    const check = (x: Assembled) => this.selfCheck(x.checks.map((c) => ({ tx: x.entries[c.at].tx, ctx: ctxOf(c.seq, x.entries[c.at].gas), moves: x.filled[c.at], sender: c.sender })), x.batchCodes);
    let a = await this.assemble(header, deposits, ctxOf, droppedIds, dropped);
    let verdicts = await check(a);
    let rounds = 1;
    if (verdicts.some((v) => !v.valid)) {
      const first = new Map<string, CheckedFill>();
      verdicts.forEach((v, i) => {
        const c = a.checks[i];
        first.set(c.entry.id, { tx: a.filled[c.at], seq: c.seq, codes: c.codes, valid: v.valid, how: c.how });
        if (!v.valid && !c.how.reused) drop(c.entry, submitMessage(v.error));
      });
      this.d.log.debug({ index: header.index, refused: verdicts.filter((v) => !v.valid).length, dropped: dropped.length }, "the build's self-check refused a fill: assembling the batch again");
      rounds = 2;
      a = await this.assemble(header, deposits, ctxOf, droppedIds, dropped, first);
      verdicts = await check(a);
      const j = verdicts.findIndex((v) => !v.valid);
      if (j >= 0) {
        // Only a fresh fill can be refused here (a kept one is exactly as round 1 validated it): dropped.
        const c = a.checks[j];
        const v = verdicts[j] as Extract<Verdict, { valid: false }>;
        if (!c.how.kept) drop(c.entry, submitMessage(v.error));
        this.d.log.warn({ index: header.index, id: c.entry.id, kept: c.how.kept, reason: submitMessage(v.error), waiting: a.checks.length - j - 1 }, "the build's second self-check refused a fill: the batch ends before it");
        a = cutBefore(a, j, header.firstSeq);
        verdicts = verdicts.slice(0, j);
      }
    }
    for (const [i, v] of verdicts.entries()) if (v.valid) a.outcomes[a.checks[i].at] = v.outcome;
    const { filled, entries, outcomes, included, overlay, nIncluded } = a;
    if (filled.length === 0) {
      if (dropped.length) {
        for (const x of dropped) this.d.log.warn({ id: x.id, reason: x.reason }, "dropped mempool transaction");
        await this.d.chain.removeMempool(dropped);
        await this.recomputePending();
      }
      return undefined;
    }
    // The data and its root are of the items as posted (compressed or raw, protocol.md §7.7); the chain store keeps
    // the transactions' encodings (post.txs).
    const data = encodeBatchData(a.items);
    header.txCount = BigInt(filled.length);
    header.txRoot = txRootOf(a.items);
    header.depositEnd = tip.depositStart + nIncluded;
    // In calldata the data's keccak; in a blob the blob's versioned hash (protocol.md §14.5).
    const blob = await this.postsInBlob(data, l1Prices);
    header.dataHash = blob ? (await this.d.l1.blobBatch(header, data)).header.dataHash : batchDataHash(data);
    const { batch, receipts } = buildBatchRecord(header, filled, outcomes, data.length);
    const post: PendingPost = { batch, txs: entries.map((x) => x.tx), receipts, data, included, dropped, createdAt: Date.now(), ...(blob ? { blob } : {}) };
    await this.d.chain.setPending(post);
    this.fail.hit("after-pending");
    const keys = new Set([...included.map((x) => x.key), ...dropped.map((x) => x.key)]);
    this.inflight = { post, overlay, keys, ids: new Set(batch.txHashes) };
    const t1 = performance.now();
    await this.recomputePending();
    const count = (k: keyof FillHow) => a.checks.filter((c) => c.how[k]).length;
    const stats: BuildStats = { index: header.index, txs: filled.length, reused: count("reused"), stale: count("stale"), repriced: count("repriced"), shifted: count("shifted"), rounds, refilled: count("refilled") };
    this.emit("built", stats);
    this.d.log.debug({ ...stats, buildMs: Math.round(t1 - t0), recomputeMs: Math.round(performance.now() - t1), mempool: this.pendingEntries.length }, "built batch");
    return post;
  }

  /**
   * One round of assembling the batch on `header` (lock held): the deposits, then the mempool in order.
   * Round 1 (no `first`): each entry's accepted fill is reused if it fits the batch's state (refit
   * against the batch so far over the store, the environment the same but for the timestamp), else it is
   * filled again here. Round 2 (`first`, round 1's fills and verdicts): an entry keeps its round-1 fill if
   * round 1's self-check validated it and it still reads exactly the newest versions, at the same seq,
   * with the same code available (then its verdict is the same); every other entry is filled again here.
   * Entries in `droppedIds` are left out; those the filler refuses are added to them.
   * The batch stays within the limits L1 enforces (protocol.md §5.5, §7.5): data bytes (counted exactly,
   * framing included) and declared gas. Outcomes of mempool transactions come from the self-check.
   */
  private async assemble(
    header: BatchHeader,
    deposits: ReturnType<L1Snapshot["depositRange"]>,
    ctxOf: (s: bigint, g?: bigint) => TxContext,
    droppedIds: Set<string>,
    dropped: { key: string; id: string; reason: string }[],
    first?: ReadonlyMap<string, CheckedFill>,
  ): Promise<Assembled> {
    const o = this.d.opts;
    const overlay = new Overlay();
    const a: Assembled = { filled: [], entries: [], items: [], outcomes: [], included: [], checks: [], overlay, batchCodes: new KnownCode(), nIncluded: 0n };
    const maxBytes = o.maxBatchBytes;
    let entryBytes = 0;
    let gas = 0n;
    // Sizes are of the items as posted (`item`: the entry compressed or not, protocol.md §7.7).
    const fits = (item: BatchTx) => batchDataSize(a.entries.length + 1, entryBytes + batchEntrySize(item)) <= maxBytes && gas + item.gas <= BATCH_GAS_LIMIT;
    const add = (tx: Tx, e: BatchTx, item: BatchTx, outcome: TxOutcome | undefined) => {
      a.filled.push(tx);
      a.entries.push(e);
      a.items.push(item);
      a.outcomes.push(outcome as TxOutcome);
      entryBytes += batchEntrySize(item);
      gas += item.gas;
    };
    let seq = header.firstSeq;
    // Code carried by the witnesses of this batch so far; with the chain store's, what needs no witness.
    const batchCodes = a.batchCodes;
    const omitCode = (h: string) => batchCodes.seqOf(h) !== undefined || this.d.chain.codeSeq(h) !== undefined;
    for (const d of deposits) {
      const tx: DepositTx = { type: TxType.Deposit, index: d.index, from: hexToBytes(d.from as `0x${string}`), to: hexToBytes(d.to as `0x${string}`), value: d.value, moves: [] };
      const f = await fillFromStore(tx, this.d.cache, [overlay], ctxOf(seq), this.d.executor);
      const e: BatchTx = { gas: 0n, tx: encodeTx(f.tx) };
      const item = this.postedItem(e);
      // Deposits are consumed in queue order: the first that does not fit ends the range.
      if (!fits(item)) break;
      add(f.tx, e, item, f.outcome);
      overlay.apply(seq, f.tx);
      seq++;
      a.nIncluded++;
    }
    for (const [i, e] of this.pendingEntries.entries()) {
      if (a.filled.length >= o.maxBatchTxs) break;
      if (droppedIds.has(e.id)) continue;
      try {
        const ctx = ctxOf(seq);
        const latest = (m: number, ad: string, sl: bigint) => this.latestIn([overlay], m, ad, sl);
        const how: FillHow = { reused: false, repriced: false, shifted: false, stale: false, refilled: false, kept: false };
        let got: Tx | undefined;
        if (first) {
          const r = first.get(e.id);
          if (r?.valid && r.seq === seq && r.codes === codesBefore(r.tx, batchCodes, seq) && (await refit(r.tx, seq, seq, latest).catch(() => undefined))) {
            got = r.tx;
            Object.assign(how, r.how, { kept: true });
          } else Object.assign(how, { stale: r?.how.stale ?? false, refilled: r?.how.reused ?? false });
        } else {
          const p = this.pendingFills[i];
          if (p !== undefined && reusableEnv(p.env, ctx.env)) {
            const rp = repriceOf(p, ctx);
            const refitted = await refit(p.tx, p.seq, seq, latest, rp && { ...rp, finish: (t) => withoutKnownCode(t, omitCode), onShift: () => (how.shifted = true) }).catch(() => undefined);
            if (refitted) {
              got = withoutKnownCode(refitted, omitCode);
              Object.assign(how, { reused: true, repriced: !samePrices(p.l1, l1PricesOf(ctx)) });
            } else how.stale = true;
          }
        }
        const tx = got ?? (await fillFromStore(decodeTx(e.tx), this.d.cache, [overlay], ctx, this.d.executor, { omitCode, maxSweep: o.sweepMax })).tx;
        const entry: BatchTx = { gas: declaredGas(tx), tx: encodeTx(tx) };
        const item = this.postedItem(entry);
        // Full: it waits for the next batch (a transaction that fits no batch was refused by the filler).
        if (!fits(item)) break;
        a.checks.push({ at: a.entries.length, seq, entry: e, how, codes: codesBefore(tx, batchCodes, seq), sender: this.pendingFills[i]?.sender });
        batchCodes.addTx(seq, tx);
        add(tx, entry, item, undefined);
        a.included.push({ key: e.key, id: e.id });
        overlay.apply(seq, tx);
        seq++;
      } catch (err) {
        if (!isTxRefusal(err)) throw err;
        droppedIds.add(e.id);
        dropped.push({ key: e.key, id: e.id, reason: submitMessage(err) });
      }
    }
    return a;
  }

  /**
   * The item a batch posts for `e` (protocol.md §7.7): compressed with the deployment's dictionary when it has one
   * and that is shorter (core/flz.ts compressItem: at most MAX_FLZ_ITEM_BYTES, else raw), else the encoding itself.
   */
  private postedItem(e: BatchTx): BatchTx {
    return this.dictionary ? { gas: e.gas, tx: compressItem(e.tx, this.dictionary) } : e;
  }

  /**
   * The build's self-check: each transaction must validate standalone, exactly as verifiers will, with
   * the code of the chain and of the batch's earlier witnesses and nothing else. On the checker (a
   * validation pool that knows no code), each is handed the chain's code its code moves name; in thread,
   * the validator fetches it from the chain store. A wrapped transaction's sender is the one this node
   * recovered from the same bytes when it accepted it (`sender`): not recovered again (protocol.md §12.4).
   */
  private async selfCheck(items: { tx: Uint8Array; ctx: TxContext; moves: Tx; sender?: string }[], batchCodes: KnownCode): Promise<Verdict[]> {
    if (items.length === 0) return [];
    const checker = this.d.checker;
    const recovered = (s?: string) => (s === undefined ? {} : { sender: hexToBytes(s as `0x${string}`) });
    if (!checker) return this.validator!.validate(items.map(({ tx, ctx, sender }) => ({ tx, ctx, ...recovered(sender) })), batchCodes);
    const out: ValidatorItem[] = [];
    for (const { tx, ctx, moves, sender } of items) {
      let codes: Record<string, Uint8Array> | undefined;
      if (moves.type !== TxType.Deposit)
        for (const m of moves.moves)
          if (m.mark === Mark.Code)
            for (const v of [m.prev, m.next]) {
              if (v === 0n) continue;
              const h = "0x" + v.toString(16).padStart(64, "0");
              if (codes?.[h] || batchCodes.before(h, ctx.seq)) continue;
              const c = await this.d.chain.postedCode(h);
              if (c) (codes ??= {})[h] = c;
            }
      out.push({ tx, ctx, decoded: moves, ...(codes ? { codes } : {}), ...recovered(sender) });
    }
    return checker.validate(out, batchCodes);
  }

  /** Records a batch of ours that L1 has (lock held): chain store first, then the UTXO store. */
  private async commitOwn(post: PendingPost, l1: StoredBatch["l1"]): Promise<void> {
    const { header } = post.batch;
    const decoded = post.txs.map((t) => decodeTx(t));
    const codes = new KnownCode();
    decoded.forEach((t, i) => codes.addTx(header.firstSeq + BigInt(i), t));
    await this.d.chain.commitBatch({
      batch: { ...post.batch, l1 },
      txs: post.txs,
      // The items as posted (protocol.md §7.7): where compressed, the leaves a withdrawal proof shows.
      items: splitBatchData(post.data).map((t) => t.tx),
      receipts: post.receipts,
      codes,
      removeMempool: post.included,
      dropped: post.dropped,
      clearPending: true,
    });
    this.fail.hit("after-commit");
    this.l1PriceHalvings = 0;
    const f = await this.d.utxo.store.applyBatch(header.index, txMovesOf(header, decoded));
    if (f) throw new Error(`own batch ${header.index} does not apply to the UTXO store: ${f.kind}/${f.code} at seq ${f.seq}`);
    this.d.cache.applyTxs(decoded.map((tx, i) => ({ seq: header.firstSeq + BigInt(i), tx })));
    for (const x of post.dropped) this.d.log.warn({ id: x.id, reason: x.reason }, "dropped mempool transaction");
    this.d.log.info({ index: header.index, hash: post.batch.hash, txs: decoded.length, l1Block: l1?.blockNumber }, "batch included on L1");
    this.committedNext = { nextIndex: header.index + 1n, baseFee: nextBaseFee(header.baseFee, post.batch.gasDeclared, this.d.deployment.minBaseFee) };
    this.inflight = undefined;
    await this.recomputePending();
    this.emit("batch", { index: header.index, hash: post.batch.hash, txCount: decoded.length, own: true });
  }

  /** Start-up (lock held): UTXO store caught up with the chain store, pending post settled, L1 synced, mempool simulated. */
  private async recover(): Promise<void> {
    const chain = this.d.chain;
    const ct = chain.tip();
    const ut = this.d.utxo.store.tip();
    if (ut && (!ct || ut.batchIndex > ct.index)) {
      // Only after a crash in the middle of a rewind: the chain store was cut back, the UTXO store not yet.
      this.d.log.warn({ utxo: ut.batchIndex, chain: ct?.index ?? null }, "the UTXO store is ahead of the chain store: rebuilding it");
      await this.rebuildUtxo();
    }
    const ut2 = this.d.utxo.store.tip();
    for (let i = ut2 ? ut2.batchIndex + 1n : 0n; ct && i <= ct.index; i++) {
      const b = (await chain.batch(i))!;
      const txs = (await chain.batchTxs(i)).map((t) => decodeTx(t.tx));
      const f = await this.d.utxo.store.applyBatch(i, txMovesOf(b.header, txs));
      if (f) throw new Error(`re-applying batch ${i} to the UTXO store failed: ${f.kind}/${f.code}`);
      this.d.log.info({ index: i }, "re-applied batch to the UTXO store after a restart");
      this.d.cache.clear();
    }
    const p = await chain.pending();
    if (p) {
      const index = p.batch.header.index;
      let snap = await this.d.follower.poll();
      let onL1 = snap.headerHashAt(index) === p.batch.hash;
      if (!onL1 && p.l1TxHash) {
        // Sent before the crash: wait for its fate.
        const r = await this.d.l1.provider.waitForTransaction(p.l1TxHash, 1, this.d.opts.l1TimeoutMs).catch(() => null);
        if (r && r.status === 1) {
          snap = await this.d.follower.poll();
          onL1 = snap.headerHashAt(index) === p.batch.hash;
        }
      }
      if (onL1 && chain.nextIndex() === index) {
        await this.commitOwn(p, l1Record(snap.append(index)!));
        this.d.log.info({ index }, "committed the batch that was being posted before the restart");
      } else {
        await chain.clearPending();
        this.d.log.info({ index }, "the batch being posted before the restart is not on L1: rebuilding it");
      }
    }
    await this.refreshL1();
    await this.syncL1();
    await this.recomputePending();
    this.d.log.info({ tip: chain.tip()?.index, mempool: this.pendingEntries.length }, "coordinator ready");
  }
}

/** Where L1 recorded a batch, for its stored record. */
function l1Record(ev: AppendEvent): NonNullable<StoredBatch["l1"]> {
  return { txHash: ev.l1TxHash, blockNumber: ev.block, poster: ev.poster, postedAt: ev.postedAt };
}
