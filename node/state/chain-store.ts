/**
 * The node's chain index in LevelDB: every batch it has applied (the header, the filled
 * transactions, their receipts and logs), transactions by hash, code by hash, and the
 * coordinator's durable state (its mempool, and the batch it is posting). The UTXO set and latest
 * index live in the LevelUtxoStore (node/state/utxo-store.ts), which applies a batch only after
 * this store has recorded it, so after a crash this store is never behind the UTXO store and
 * the node re-applies what the UTXO store lacks.
 *
 * Sublevels (utf8 keys; values JSON, bigints and bytes tagged, see `enc`):
 *   meta        tip                    -> { index, hash, lastSeq }   the last applied batch
 *               mempoolSeq             -> next mempool key number
 *               pending                -> PendingPost                the batch being posted (without its l1TxHash)
 *               pendingL1Tx            -> L1 transaction hash        where the pending post was sent (its l1TxHash)
 *               codeIndex              -> 1                          the code-seqs index is complete
               withdrawalIndex        -> 1                          the withdrawal indexes are complete
 *               txIdFilter             -> { tip, filter }             the id filter of tx-at's keys as the store was
 *                                                                     closed at tip hash `tip` (IdFilter bytes, base64)
 *   batches     <index 16 hex>         -> StoredBatch
 *   by-hash     <block hash>           -> index
 *   txs         <index 16 hex>:<i 6 hex> -> { tx: bytes (filled encoding), receipt: StoredReceipt, item?: bytes }
 *                                             (item: the item as posted where it is not `tx`, a compressed one, §7.7)
 *   tx-at       <tx hash>              -> [index, i]
 *   code        <code hash>            -> code bytes                 every code seen (kept across rewinds)
 *   code-seqs   <code hash>            -> seq (decimal)              the first witness of this chain carrying it
 *   mempool     <n 16 hex>             -> MempoolEntry               accepted, not yet in a batch
 *   mempool-ids <tx hash>              -> mempool key
 *   dropped     <tx hash>              -> { reason, at }             accepted, then dropped
 *   withdrawals <address>:<seq 16 hex> -> [index, i]                 a withdrawal output of <address>
 *   withdrawals-by-seq <seq 16 hex>    -> [index, i]                 every withdrawal output
 * A store written with hand-built prefixes (`meta:`, `b:`, ...) is moved into them on open.
 *
 * Every change that must be atomic (a batch with its mempool removals and the end of its pending
 * post) is one LevelDB write batch.
 *
 * Code by hash (`code`) is content: once seen it is kept, whatever happens to the batch that carried
 * it. Which code validators may take as known (protocol.md §6.2: carried by the witness of an
 * earlier transaction of the chain) is the `code-seqs` index, which follows the chain: committing a batch
 * adds the code it carries first, truncating removes the code first carried by the removed batches.
 */
import type { L1Cost } from "../../core/l1fee";
import { Level } from "level";
import type { BatchHeader } from "../../core/batch";
import { KnownCode, type PostedCode } from "../../core/known-code";
import { decodeTx } from "../../core/tx";
import { equalsBytes } from "../../core/bytes";
import { moveToSublevels, stringSublevel, type StringSublevel } from "./key-spaces";
import { IdFilter } from "./id-filter";

// ---- JSON with bigints and bytes ------------------------------------------------------------------

function replacer(this: unknown, _k: string, v: unknown): unknown {
  if (typeof v === "bigint") return { $n: v.toString(16) };
  if (v instanceof Uint8Array) return { $b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  return v;
}

function reviver(_k: string, v: unknown): unknown {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$n === "string") return BigInt("0x" + (o.$n || "0"));
    if (keys.length === 1 && typeof o.$b === "string") return new Uint8Array(Buffer.from(o.$b, "hex"));
  }
  return v;
}

export function enc(v: unknown): string {
  return JSON.stringify(v, replacer);
}

export function dec<T>(s: string): T {
  return JSON.parse(s, reviver) as T;
}

// ---- records --------------------------------------------------------------------------------------

export interface StoredLog {
  address: string;
  topics: string[];
  data: string;
}

export interface StoredReceipt {
  txHash: string;
  /** Ethereum-style type: 0, 1, 2 for wrapped transactions; 0x7e deposit; 0x7f move transaction. */
  type: number;
  from: string;
  to: string | null;
  contractAddress: string | null;
  status: 0 | 1;
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: StoredLog[];
  /** Block-wide index of this transaction's first log. */
  logIndexStart: number;
  /** Fee output created (wei). */
  fee: bigint;
  /** Withdrawal output created (wei). */
  withdrawal: bigint;
  /** The L1 data fee and its inputs (protocol.md §6.6), part of `fee`; absent for deposits. */
  l1?: L1Cost;
}

/** A transaction of an applied batch: its encoding (filled; a compressed item's expansion), receipt and item as posted. */
export interface StoredTx {
  tx: Uint8Array;
  receipt: StoredReceipt;
  /** The item as posted when it is not `tx` (a compressed item, protocol.md §7.7): what the batch's leaf hashes. */
  item?: Uint8Array;
}

/** The item as posted of a stored transaction (what its leaf hashes and what L1 proofs and claims carry, §7.7). */
export function postedItem(t: StoredTx): Uint8Array {
  return t.item ?? t.tx;
}

export interface StoredBatch {
  header: BatchHeader;
  hash: string;
  txHashes: string[];
  gasUsed: bigint;
  /** The gas its transactions declare (protocol.md §7.3): the next batch's base fee follows from it (§7.5). */
  gasDeclared: bigint;
  logsBloom: string;
  /** Bytes of batch data. */
  size: number;
  l1?: { txHash: string; blockNumber: number; poster: string; postedAt?: bigint };
}

export interface MempoolEntry {
  key: string;
  id: string;
  /** The transaction as submitted (canonical encoding, moves still open). */
  tx: Uint8Array;
  receivedAt: number;
}

/** A batch built and (about to be) posted: everything needed to commit it without re-executing. */
export interface PendingPost {
  batch: StoredBatch;
  txs: Uint8Array[];
  receipts: StoredReceipt[];
  data: Uint8Array;
  /** Mempool entries of the included transactions. */
  included: { key: string; id: string }[];
  /** Mempool entries found invalid while building: dropped when the batch commits. */
  dropped: { key: string; id: string; reason: string }[];
  l1TxHash?: string;
  /** Posted in a blob (the header's dataHash is the blob's versioned hash, protocol.md §14.5); else in calldata. */
  blob?: boolean;
  createdAt: number;
}

export interface ChainTip {
  index: bigint;
  hash: string;
  lastSeq: bigint;
}

const hex16 = (n: bigint | number) => BigInt(n).toString(16).padStart(16, "0");
const hex6 = (n: number) => n.toString(16).padStart(6, "0");

type Db = Level<string, string>;
type Sub = StringSublevel;
type Op = { type: "put"; key: string; value: string; sublevel: Sub } | { type: "del"; key: string; sublevel: Sub };

/** The store's key spaces: sublevel names, and the prefixes they had before they were sublevels. */
export const CHAIN_SUBLEVELS = {
  meta: ["meta", "meta:"],
  batches: ["batches", "b:"],
  byHash: ["by-hash", "h:"],
  txs: ["txs", "x:"],
  txAt: ["tx-at", "t:"],
  code: ["code", "k:"],
  codeSeqs: ["code-seqs", "ks:"],
  mempool: ["mempool", "p:"],
  mempoolIds: ["mempool-ids", "pi:"],
  dropped: ["dropped", "d:"],
  withdrawals: ["withdrawals", "w:"],
  withdrawalsBySeq: ["withdrawals-by-seq", "ws:"],
} as const;
type Space = keyof typeof CHAIN_SUBLEVELS;

/** A mempool key; a persisted reference written before the mempool was a sublevel has the old `p:` prefix. */
const mempoolKey = (k: string) => (k.startsWith("p:") ? k.slice(2) : k);

export class ChainStore {
  private _tip: ChainTip | undefined;
  private mempoolSeq = 0n;
  private codeCache = new Map<string, Uint8Array>();
  /** The ks: index in memory: code hash -> seq of the first witness of this chain that carries it. */
  private codeSeqs = new Map<string, bigint>();

  /** The key spaces. */
  private readonly s: Record<Space, Sub>;
  /**
   * The ids of the chain's transactions (txAt's keys), filtered in memory: txLocation asks the store only
   * when it says "maybe", so that asking for a transaction the chain does not hold (every submission, "already
   * known?"; a wallet polling a pending transaction's receipt) reads nothing. Given an id when its batch's write
   * is queued, before the write reaches the disk; never loses one (truncate leaves it: a "maybe").
   */
  private txIds = new IdFilter();

  private constructor(
    private readonly db: Db,
    private readonly sync: boolean,
  ) {
    this.s = Object.fromEntries(Object.entries(CHAIN_SUBLEVELS).map(([k, [name]]) => [k, stringSublevel(db, name)])) as Record<Space, Sub>;
  }

  /**
   * `genesisCodes`: the genesis allocation's code by hash (protocol.md §7.6): bytes this node knows
   * (kept in memory, not written), so that the first transaction running a predeploy carries them;
   * not code of the chain's witnesses (`codeSeq`), which only a witness makes.
   */
  static async open(path: string, opts: { sync?: boolean; genesisCodes?: ReadonlyMap<string, Uint8Array> } = {}): Promise<ChainStore> {
    const db: Db = new Level<string, string>(path, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await db.open();
    await moveToSublevels(db, Object.values(CHAIN_SUBLEVELS).map(([sublevel, prefix]) => ({ prefix, sublevel })));
    const s = new ChainStore(db, opts.sync ?? false);
    const t = await s.s.meta.get("tip");
    s._tip = t === undefined ? undefined : dec<ChainTip>(t);
    const m = await s.s.meta.get("mempoolSeq");
    s.mempoolSeq = m === undefined ? 0n : BigInt(m);
    if ((await s.s.meta.get("codeIndex")) === undefined) await s.indexCodes();
    else for await (const [k, v] of s.s.codeSeqs.iterator()) s.codeSeqs.set(k, BigInt(v));
    // Known bytes, not available code: the first transaction that runs a predeploy carries it (§7.6).
    for (const [h, c] of opts.genesisCodes ?? []) s.codeCache.set(h.toLowerCase(), c);
    if ((await s.s.meta.get("withdrawalIndex")) === undefined) await s.indexWithdrawals();
    s.txIds = (await s.savedIdFilter()) ?? (await s.scanIdFilter());
    return s;
  }

  /**
   * The id filter kept by the last close, if the store is still at the tip it was closed at (a tip hash names
   * the whole chain, hence tx-at's keys). A store written after that close without one (a crash; an older
   * version of the node) is at another tip, or at the same chain again: either way the filter holds every key.
   */
  private async savedIdFilter(): Promise<IdFilter | undefined> {
    const v = await this.s.meta.get("txIdFilter");
    if (v === undefined) return undefined;
    try {
      const saved = JSON.parse(v) as { tip?: unknown; filter?: unknown };
      if (saved.tip !== (this._tip?.hash ?? null) || typeof saved.filter !== "string") return undefined;
      return IdFilter.fromBytes(Buffer.from(saved.filter, "base64"));
    } catch {
      return undefined;
    }
  }

  /** The id filter from tx-at's keys (a read of every key). */
  private async scanIdFilter(): Promise<IdFilter> {
    const ids: string[] = [];
    for await (const k of this.s.txAt.keys()) ids.push(k);
    const f = new IdFilter(ids.length);
    for (const k of ids) f.add(k);
    return f;
  }

  /** The withdrawal index entries of transaction `i` of batch `index` (at `seq`), if its receipt has a withdrawal output. */
  private withdrawalOps(type: "put" | "del", index: bigint, i: number, seq: bigint, r: StoredReceipt): Op[] {
    if (!(r?.withdrawal > 0n)) return [];
    const keys: [string, Sub][] = [
      [`${r.from.toLowerCase()}:${hex16(seq)}`, this.s.withdrawals],
      [hex16(seq), this.s.withdrawalsBySeq],
    ];
    return keys.map(([key, sublevel]) => (type === "put" ? { type, key, value: enc([index, i]), sublevel } : { type, key, sublevel }));
  }

  /** Builds the withdrawal indexes from the receipts (a store written before they existed). */
  private async indexWithdrawals(): Promise<void> {
    const ops: Op[] = [{ type: "put", key: "withdrawalIndex", value: "1", sublevel: this.s.meta }];
    for (let i = 0n; i < this.nextIndex(); i++) {
      const b = await this.batch(i);
      if (!b) throw new Error(`batch ${i} is missing`);
      (await this.batchTxs(i)).forEach((t, j) => ops.push(...this.withdrawalOps("put", i, j, b.header.firstSeq + BigInt(j), t.receipt)));
    }
    await this.write(ops);
  }

  /** Builds the ks: index from the batches' witnesses (a store written before the index existed). */
  private async indexCodes(): Promise<void> {
    const known = new KnownCode();
    for (let i = 0n; i < this.nextIndex(); i++) {
      const b = await this.batch(i);
      if (!b) throw new Error(`batch ${i} is missing`);
      (await this.batchTxs(i)).forEach((t, j) => known.addTx(b.header.firstSeq + BigInt(j), decodeTx(t.tx)));
    }
    const ops: Op[] = [{ type: "put", key: "codeIndex", value: "1", sublevel: this.s.meta }];
    for (const [h, p] of known.entries()) {
      ops.push({ type: "put", key: h, value: p.seq.toString(), sublevel: this.s.codeSeqs });
      this.codeSeqs.set(h, p.seq);
    }
    await this.write(ops);
  }

  /** Closes the store once its writes are on disk, keeping the id filter for the next open (no scan of tx-at then). */
  async close(): Promise<void> {
    await this.settled();
    if (this.db.status === "open") {
      const filter = Buffer.from(this.txIds.toBytes()).toString("base64");
      // Not kept (a full disk): the next open reads tx-at's keys, as it would after a crash.
      await this.write([{ type: "put", key: "txIdFilter", value: JSON.stringify({ tip: this._tip?.hash ?? null, filter }), sublevel: this.s.meta }]).catch(() => undefined);
    }
    await this.db.close();
  }

  /** The LevelDB under this store, where other parts of the node keep sublevels (the L1 follower's). */
  get level(): Db {
    return this.db;
  }

  private async getJson<T>(space: Space, key: string): Promise<T | undefined> {
    const v = await this.s[space].get(key);
    return v === undefined ? undefined : dec<T>(v);
  }

  /**
   * Group commit: every write goes through one queue, in order; writes queued while one is on its way
   * to disk go together in the next LevelDB batch (one fsync with `sync`), so that many transactions
   * accepted at once cost one write, not one each. Each write resolves once it is on disk; one batch
   * is atomic, so each write is too (and ops of later writes apply after those of earlier ones).
   */
  private write(ops: Op[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ ops, resolve, reject });
      this.flush();
    });
  }

  private queued: { ops: Op[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;

  private flush(): void {
    if (this.flushing || this.queued.length === 0) return;
    const group = this.queued.splice(0);
    this.flushing = this.db
      .batch(
        group.flatMap((g) => g.ops),
        { sync: this.sync },
      )
      .then(
        () => group.forEach((g) => g.resolve()),
        (e) => group.forEach((g) => g.reject(e)),
      )
      .finally(() => {
        this.flushing = undefined;
        this.flush();
      });
  }

  /** Resolves once every write queued so far has reached the disk (or failed): reads see them after. */
  private async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  // ---- chain ------------------------------------------------------------------------------------

  tip(): ChainTip | undefined {
    return this._tip ? { ...this._tip } : undefined;
  }

  /** Index of the next batch (0 if none). */
  nextIndex(): bigint {
    return this._tip ? this._tip.index + 1n : 0n;
  }

  async batch(index: bigint): Promise<StoredBatch | undefined> {
    if (index < 0n) return undefined;
    return this.getJson<StoredBatch>("batches", hex16(index));
  }

  async indexOfHash(hash: string): Promise<bigint | undefined> {
    const v = await this.s.byHash.get(hash.toLowerCase());
    return v === undefined ? undefined : BigInt(v);
  }

  async txLocation(hash: string): Promise<{ index: bigint; txIndex: number } | undefined> {
    const h = hash.toLowerCase();
    if (!this.txIds.mayHave(h)) return undefined;
    const v = await this.getJson<[bigint, number]>("txAt", h);
    return v ? { index: v[0], txIndex: v[1] } : undefined;
  }

  async txAt(index: bigint, txIndex: number): Promise<StoredTx | undefined> {
    return this.getJson("txs", `${hex16(index)}:${hex6(txIndex)}`);
  }

  /** Every transaction of a batch with its receipt, in order. */
  async batchTxs(index: bigint): Promise<StoredTx[]> {
    const out: StoredTx[] = [];
    const p = `${hex16(index)}:`;
    for await (const v of this.s.txs.values({ gte: p, lt: p + "~" })) out.push(dec(v));
    return out;
  }

  async code(hash: string): Promise<Uint8Array | undefined> {
    const h = hash.toLowerCase();
    const c = this.codeCache.get(h);
    if (c) return c;
    const v = await this.getJson<Uint8Array>("code", h);
    if (v) this.codeCache.set(h, v);
    return v;
  }

  /** The seq of the first transaction of this chain whose witness carries code `hash` (protocol.md §6.2). */
  codeSeq(hash: string): bigint | undefined {
    return this.codeSeqs.get(hash.toLowerCase());
  }

  /** Code `hash` if a witness of this chain carries it (what validators of the next batch may take as known). */
  async postedCode(hash: string): Promise<Uint8Array | undefined> {
    return this.codeSeq(hash) === undefined ? undefined : this.code(hash);
  }

  /**
   * Withdrawal outputs in the chain, newest first, at most `limit`: of `address` (hex), or of
   * everyone. Each names its batch and position.
   */
  async withdrawals(address: string | undefined, limit: number): Promise<{ index: bigint; txIndex: number; seq: bigint }[]> {
    const p = address ? `${address.toLowerCase()}:` : "";
    const sub = address ? this.s.withdrawals : this.s.withdrawalsBySeq;
    const out: { index: bigint; txIndex: number; seq: bigint }[] = [];
    for await (const [k, v] of sub.iterator({ gte: p, lt: p + "~", reverse: true, limit })) {
      const [index, txIndex] = dec<[bigint, number]>(v);
      out.push({ index, txIndex, seq: BigInt("0x" + k.slice(p.length)) });
    }
    return out;
  }

  async dropped(hash: string): Promise<{ reason: string; at: number } | undefined> {
    return this.getJson("dropped", hash.toLowerCase());
  }

  /**
   * Records an applied batch atomically with: the code its witnesses carry (`codes`, by hash, with
   * the seq of the first transaction carrying each), removal of its mempool entries (`included` and
   * `dropped`), dropped reasons, the end of the pending post, and the new tip.
   */
  async commitBatch(b: {
    batch: StoredBatch;
    txs: Uint8Array[];
    /** The items as posted (protocol.md §7.7), where the batch has compressed ones; `txs` are then their expansions. */
    items?: Uint8Array[];
    receipts: StoredReceipt[];
    codes: Iterable<readonly [string, PostedCode]>;
    removeMempool?: { key: string; id: string }[];
    dropped?: { key: string; id: string; reason: string }[];
    clearPending?: boolean;
  }): Promise<void> {
    const { batch } = b;
    const index = batch.header.index;
    if (index !== this.nextIndex()) throw new RangeError(`batch ${index} is not the next batch ${this.nextIndex()}`);
    const ops: Op[] = [];
    ops.push({ type: "put", key: hex16(index), value: enc(batch), sublevel: this.s.batches });
    ops.push({ type: "put", key: batch.hash.toLowerCase(), value: index.toString(), sublevel: this.s.byHash });
    b.txs.forEach((tx, i) => {
      const item = b.items?.[i];
      const stored: StoredTx = item && !equalsBytes(item, tx) ? { tx, receipt: b.receipts[i], item } : { tx, receipt: b.receipts[i] };
      ops.push({ type: "put", key: `${hex16(index)}:${hex6(i)}`, value: enc(stored), sublevel: this.s.txs });
      ops.push({ type: "put", key: batch.txHashes[i].toLowerCase(), value: enc([index, i]), sublevel: this.s.txAt });
      this.txIds.add(batch.txHashes[i].toLowerCase());
      ops.push(...this.withdrawalOps("put", index, i, batch.header.firstSeq + BigInt(i), b.receipts[i]));
    });
    const firstSeen: [string, bigint][] = [];
    for (const [hash, p] of b.codes) {
      const h = hash.toLowerCase();
      if (!this.codeCache.has(h)) ops.push({ type: "put", key: h, value: enc(p.code), sublevel: this.s.code });
      if (!this.codeSeqs.has(h)) {
        ops.push({ type: "put", key: h, value: p.seq.toString(), sublevel: this.s.codeSeqs });
        firstSeen.push([h, p.seq]);
      }
    }
    for (const m of b.removeMempool ?? []) ops.push(...this.unqueueOps(m));
    for (const d of b.dropped ?? []) ops.push(...this.unqueueOps(d));
    if (b.clearPending) ops.push(...this.clearPendingOps());
    const tip: ChainTip = { index, hash: batch.hash.toLowerCase(), lastSeq: batch.header.firstSeq + batch.header.txCount - 1n };
    ops.push({ type: "put", key: "tip", value: enc(tip), sublevel: this.s.meta });
    await this.write(ops);
    this._tip = tip;
    for (const [h, seq] of firstSeen) this.codeSeqs.set(h, seq);
  }

  /**
   * Deletes batches `from` and later (an L1 rollback or reorg removed them) and, in the same atomic
   * write, puts `requeue(removed)` ahead of the mempool (so a crash cannot lose them in between).
   * `removed` are the deleted batches' transactions (filled encodings) in order. Returns them.
   * Code first carried by the deleted batches is no longer known to the chain (its bytes stay).
   */
  async truncate(from: bigint, requeue?: (removed: Uint8Array[]) => { id: string; tx: Uint8Array }[]): Promise<Uint8Array[]> {
    const removed: Uint8Array[] = [];
    const ops: Op[] = [];
    const last = this._tip?.index ?? -1n;
    const cut = (await this.batch(from))?.header.firstSeq;
    const unknown = cut === undefined ? [] : [...this.codeSeqs].filter(([, seq]) => seq >= cut).map(([h]) => h);
    for (const h of unknown) ops.push({ type: "del", key: h, sublevel: this.s.codeSeqs });
    for (let i = from; i <= last; i++) {
      const b = await this.batch(i);
      if (!b) continue;
      ops.push({ type: "del", key: hex16(i), sublevel: this.s.batches });
      ops.push({ type: "del", key: b.hash, sublevel: this.s.byHash });
      const txs = await this.batchTxs(i);
      txs.forEach((t, j) => {
        removed.push(t.tx);
        ops.push({ type: "del", key: `${hex16(i)}:${hex6(j)}`, sublevel: this.s.txs });
        ops.push({ type: "del", key: b.txHashes[j], sublevel: this.s.txAt });
        ops.push(...this.withdrawalOps("del", i, j, b.header.firstSeq + BigInt(j), t.receipt));
      });
    }
    let tip: ChainTip | undefined;
    if (from > 0n) {
      const prev = await this.batch(from - 1n);
      if (!prev) throw new Error(`batch ${from - 1n} is missing`);
      tip = { index: from - 1n, hash: prev.hash, lastSeq: prev.header.firstSeq + prev.header.txCount - 1n };
      ops.push({ type: "put", key: "tip", value: enc(tip), sublevel: this.s.meta });
    } else ops.push({ type: "del", key: "tip", sublevel: this.s.meta });
    const front = requeue?.(removed) ?? [];
    if (front.length) ops.push(...(await this.requeueOps(front)));
    await this.write(ops);
    this._tip = tip;
    for (const h of unknown) this.codeSeqs.delete(h);
    return removed;
  }

  // ---- mempool ----------------------------------------------------------------------------------

  async mempool(): Promise<MempoolEntry[]> {
    await this.settled();
    const out: MempoolEntry[] = [];
    for await (const [k, v] of this.s.mempool.iterator()) out.push({ ...dec<Omit<MempoolEntry, "key">>(v), key: k });
    return out;
  }

  async mempoolKeyOf(id: string): Promise<string | undefined> {
    const k = await this.s.mempoolIds.get(id.toLowerCase());
    return k === undefined ? undefined : mempoolKey(k);
  }

  async mempoolEntry(id: string): Promise<MempoolEntry | undefined> {
    await this.settled();
    const k = await this.mempoolKeyOf(id);
    if (!k) return undefined;
    const v = await this.getJson<Omit<MempoolEntry, "key">>("mempool", k);
    return v ? { ...v, key: k } : undefined;
  }

  /** Persists an accepted transaction; returns its entry. Durable when this resolves. */
  async addMempool(id: string, tx: Uint8Array): Promise<MempoolEntry> {
    const { entry, durable } = this.queueMempool(id, tx);
    await durable;
    return entry;
  }

  /**
   * Queues an accepted transaction's write (group commit) and returns its entry at once; `durable`
   * resolves once it is on disk. Writes are applied in the order they are queued.
   */
  queueMempool(id: string, tx: Uint8Array): { entry: MempoolEntry; durable: Promise<void> } {
    const key = hex16(this.mempoolSeq);
    this.mempoolSeq++;
    const entry: MempoolEntry = { key, id: id.toLowerCase(), tx, receivedAt: Date.now() };
    const durable = this.write([
      { type: "put", key, value: enc({ id: entry.id, tx, receivedAt: entry.receivedAt }), sublevel: this.s.mempool },
      { type: "put", key: entry.id, value: key, sublevel: this.s.mempoolIds },
      { type: "put", key: "mempoolSeq", value: this.mempoolSeq.toString(), sublevel: this.s.meta },
    ]);
    return { entry, durable };
  }

  /** Removes entries (and records why, for those dropped as invalid). */
  async removeMempool(entries: { key: string; id: string; reason?: string }[]): Promise<void> {
    const ops: Op[] = [];
    for (const e of entries) ops.push(...this.unqueueOps(e));
    if (ops.length) await this.write(ops);
  }

  /** Removing a mempool entry (and recording why, for one dropped as invalid). */
  private unqueueOps(e: { key: string; id: string; reason?: string }): Op[] {
    const ops: Op[] = [
      { type: "del", key: mempoolKey(e.key), sublevel: this.s.mempool },
      { type: "del", key: e.id, sublevel: this.s.mempoolIds },
    ];
    if (e.reason) ops.push({ type: "put", key: e.id, value: enc({ reason: e.reason, at: Date.now() }), sublevel: this.s.dropped });
    return ops;
  }

  /** Puts `front` (older transactions) ahead of every current entry, keeping the current order after them. */
  async requeueFront(front: { id: string; tx: Uint8Array }[]): Promise<void> {
    await this.write(await this.requeueOps(front));
  }

  private async requeueOps(front: { id: string; tx: Uint8Array }[]): Promise<Op[]> {
    const current = await this.mempool();
    const ops: Op[] = [];
    const seen = new Set<string>();
    for (const e of current) ops.push(...this.unqueueOps({ key: e.key, id: e.id }));
    const all = [...front.map((f) => ({ ...f, id: f.id.toLowerCase(), receivedAt: Date.now() })), ...current];
    for (const e of all) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      const key = hex16(this.mempoolSeq);
      this.mempoolSeq++;
      ops.push({ type: "put", key, value: enc({ id: e.id, tx: e.tx, receivedAt: e.receivedAt }), sublevel: this.s.mempool }, { type: "put", key: e.id, value: key, sublevel: this.s.mempoolIds });
    }
    ops.push({ type: "put", key: "mempoolSeq", value: this.mempoolSeq.toString(), sublevel: this.s.meta });
    return ops;
  }

  // ---- the batch being posted ---------------------------------------------------------------------

  /**
   * The batch being posted, with the L1 transaction it was sent in (`l1TxHash`) once that is recorded. The hash is
   * its own record (`pendingL1Tx`), so that recording it writes a hash, not the whole post again (its transactions,
   * receipts and data: ~3.7 KB a transaction); a post written with the hash inside (before) reads as it was.
   */
  async pending(): Promise<PendingPost | undefined> {
    const p = await this.getJson<PendingPost>("meta", "pending");
    if (!p) return undefined;
    const h = await this.s.meta.get("pendingL1Tx");
    return h === undefined ? p : { ...p, l1TxHash: h };
  }

  /** Records the batch being posted (its `l1TxHash`, if any, too); replaces any earlier one and the L1 hash recorded for it. */
  async setPending(p: PendingPost): Promise<void> {
    const { l1TxHash, ...post } = p;
    await this.write([
      { type: "put", key: "pending", value: enc(post), sublevel: this.s.meta },
      l1TxHash === undefined ? { type: "del", key: "pendingL1Tx", sublevel: this.s.meta } : { type: "put", key: "pendingL1Tx", value: l1TxHash, sublevel: this.s.meta },
    ]);
  }

  /** Records the L1 transaction the pending post was sent in (what `pending().l1TxHash` answers). Durable when this resolves. */
  async setPendingL1Tx(hash: string): Promise<void> {
    await this.write([{ type: "put", key: "pendingL1Tx", value: hash, sublevel: this.s.meta }]);
  }

  async clearPending(): Promise<void> {
    await this.write(this.clearPendingOps());
  }

  private clearPendingOps(): Op[] {
    return [
      { type: "del", key: "pending", sublevel: this.s.meta },
      { type: "del", key: "pendingL1Tx", sublevel: this.s.meta },
    ];
  }

  // ---- misc -------------------------------------------------------------------------------------

  async getMeta<T>(name: string): Promise<T | undefined> {
    return this.getJson<T>("meta", name);
  }

  async putMeta(name: string, v: unknown): Promise<void> {
    await this.write([{ type: "put", key: name, value: enc(v), sublevel: this.s.meta }]);
  }
}
