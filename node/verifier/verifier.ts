/**
 * The verifier: follows the Inbox and the Bridge on L1 (with confirmations, surviving reorgs),
 * reads each appended batch's data where its BatchAppended event says it is (L1Client.readBatchData:
 * the appending transaction's calldata or its BatchData event), checks
 * it (node/validation/check.ts: every transaction standalone, the deposits against the L1 queue, the
 * double-use walk) and records a verdict per batch: valid, or invalid with the first failing
 * transaction as a TxFault (prover/fault.ts), which it also emits ("fault") for a challenger.
 *
 * Following L1 never stops on one transaction: a batch whose data cannot be read (an L1 endpoint
 * that fails or lies; the Inbox itself accepts no batch whose data is not on L1) is logged with the
 * reason and read again on every poll; checking waits at it (nothing after it can be checked), while
 * events (later appends, rollbacks, deposits) keep being followed. An Inbox log that does not parse
 * is logged and skipped.
 *
 * State is a function of the L1 event log, which the node's L1 follower keeps (node/l1/follower.ts:
 * batch appends, rollbacks and deposits in L1 order up to a block `confirmations` deep, reorg-aware
 * and resumable); the live chain of batches is the appends minus the rollbacks. Its UTXO set (a
 * LevelUtxoStore) holds exactly a prefix of the live chain; when the live chain stops extending that
 * prefix (rollback, reorg) the set is rebuilt from the batches that remain (their verdicts are
 * kept: a header hash fixes the whole history before it).
 *
 * Sublevels of its LevelDB store (utf8 keys, JSON values with bigints and bytes tagged as in
 * chain-store.ts), besides the follower's:
 *   data      <header hash>     -> batch data bytes
 *   verdicts  <header hash>     -> Verdict
 *   applied   <index 16 hex>    -> header hash       batches applied to the UTXO set
 *   codes     <code hash>       -> { seq, code }     code carried by the applied batches' witnesses,
 *                                                    with the seq of the first transaction carrying it
 *   meta      dictionary        -> bytes             the deployment's dictionary of compressed items (§7.7), kept
 *                                                    with the first verdict (bound before any batch, it cannot change)
 *   blobs     <header hash>     -> { blob, commitment, fault }   the blob of a blob batch with a `data` fault
 *                                                    (protocol.md §14.5), kept for its proof (a blob endpoint
 *                                                    prunes blobs; the proof needs it until the batch falls)
 * A store written with hand-built prefixes (`ev:`, `verdict:`, ...) is moved into them on open.
 *
 * A blob batch whose blob does not give its declarations (batch-source.ts BlobDataFaultError: the blob is the
 * batch's, its commitment recomputed here) is invalid with its `data` fault (kind 7, §14.5) when checking reaches
 * it: the batch's own fault, before any transaction's; its blob is stored for the proof (chainView().faultyBlob).
 *
 * Compressed items (protocol.md §7.7): every item read from batch data is expanded with the deployment's dictionary
 * (read from L1 once, at start, and kept) before it is decoded (core/batch.ts decodeItem, expandBatchItem); leaves,
 * txRoot and the proofs are of the items as posted.
 *
 * Code (protocol.md §6.2): a transaction may use, besides its own witness, code carried by the
 * witness of an earlier transaction of the chain. The verifier's known code is exactly that of the
 * applied batches (an invalid batch adds none); when the applied prefix is cut back, the code first
 * carried by the batches cut off is forgotten. Within a batch, the check gives each transaction the
 * code of the batch's earlier transactions only (check.ts).
 */
import { EventEmitter } from "events";
import { Level } from "level";
import { decodeItem, splitBatchData, type BatchHeader, type BatchTx } from "../../core/batch";
import { hexToBytes } from "../../core/bytes";
import { KnownCode, type PostedCode } from "../../core/known-code";
import type { TxFault } from "../../prover/fault";
import type { ChainView } from "../../prover/build";
import { dec, enc } from "../state/chain-store";
import type { Deployment, VerifierOptions } from "../config";
import type { L1Client } from "../l1/client";
import { BlobDataFaultError, UnreadableBatch, type AppendRef } from "../l1/batch-source";
import { BeaconError } from "../l1/beacon";
import { dataFault } from "../../core/blob";
import { loadBlobKzg } from "../l1/blob-kzg";
import { headerToJson } from "../l1/contracts";
import { appendRef, FOLLOWER_SUBLEVELS, L1Follower, type AppendEvent, type Cursor, type L1Event, type L1Snapshot } from "../l1/follower";
import { moveToSublevels, stringSublevel, type StringSublevel } from "../state/key-spaces";
import { errMsg, type Logger } from "../log";
import { UtxoHandle } from "../state/utxo-handle";
import { nodeGenesis, storeGenesis } from "../state/genesis";
import type { GenesisEntry } from "../../core/genesis";
import type { VerdictMemo } from "../validation/memo";
import { checkBatch, InThreadValidator, PoolValidator, txMovesOf, type QueueEntry, type Validator } from "../validation/check";
import { Waker } from "../waker";
import { batchIsFinal } from "../../core/game/finality";

/** An L1 event as the verifier keeps it (the follower's). */
export type VEvent = L1Event;

/** An invalid verdict names the first fault and (verdicts since issue 10) every fault found (check.ts CheckResult.faults). */
export type Verdict = { status: "valid"; checkedAt: number } | { status: "invalid"; fault: TxFault; faults?: TxFault[]; checkedAt: number };

export type BatchStatus = "pending" | "final" | "invalid" | "rolled back";

export interface BatchView {
  index: bigint;
  headerHash: string;
  txCount: bigint;
  poster: string;
  l1Block: number;
  /** The BatchAppended log's block hash (absent for events stored before it was kept) and index in its block. */
  l1BlockHash?: string;
  l1LogIndex: number;
  l1TxHash: string;
  postedAt: bigint;
  status: BatchStatus;
  /** "valid", "invalid", "unchecked" (not yet, after an invalid batch, or its data could not be read). */
  verdict: "valid" | "invalid" | "unchecked";
  fault?: TxFault;
  /** Every fault of an invalid batch (the first one alone for verdicts recorded before they were kept). */
  faults?: TxFault[];
  /** Why its data could not be read (so far). */
  unreadable?: string;
  header: BatchHeader;
}

const hex16 = (n: bigint) => n.toString(16).padStart(16, "0");

type Db = Level<string, string>;
type Sub = StringSublevel;
type Op = { type: "put"; key: string; value: string; sublevel: Sub } | { type: "del"; key: string; sublevel: Sub };

/** The verifier's key spaces before they were sublevels, and where they went. */
const LEGACY_KEY_SPACES = [
  { prefix: "cursor", sublevel: FOLLOWER_SUBLEVELS.meta, exact: { key: "cursor" } },
  { prefix: "bh:", sublevel: FOLLOWER_SUBLEVELS.blocks },
  { prefix: "ev:", sublevel: FOLLOWER_SUBLEVELS.events },
  { prefix: "data:", sublevel: "data" },
  { prefix: "verdict:", sublevel: "verdicts" },
  { prefix: "ap:", sublevel: "applied" },
  { prefix: "c:", sublevel: "codes" },
];

export interface VerifierDeps {
  l1: L1Client;
  deployment: Deployment;
  dbPath: string;
  utxoPath: string;
  opts: VerifierOptions;
  log: Logger;
  /**
   * The verdicts of the build's self-check of a coordinator in the same process (node/validation/memo.ts): a
   * transaction validated there with exactly the same inputs is not validated again. None: every one in full.
   */
  memo?: VerdictMemo;
}

export class Verifier extends EventEmitter {
  /** L1 as the follower last read it. */
  private snap: L1Snapshot;
  private applied: string[] = [];
  private verdicts = new Map<string, Verdict>();
  /** Batches whose data could not be read yet, with the reason last logged. */
  private unreadable = new Map<string, string>();
  /** Code carried by the applied batches, with the seq of the first transaction carrying each (the c: keys). */
  private readonly codes = new KnownCode();
  private l1Time = 0n;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private readonly waker = new Waker();
  private busy: Promise<void> = Promise.resolve();

  private readonly sub: { data: Sub; verdicts: Sub; applied: Sub; codes: Sub; blobs: Sub; meta: Sub };
  /** The deployment's dictionary of compressed items (protocol.md §7.7); empty when none is bound. */
  private dict: Uint8Array = new Uint8Array(0);
  /** Whether the store keeps `dict` (from the first verdict on). */
  private dictKept = false;
  /** The genesis allocation (protocol.md §7.6), for proofs about genesis values. */
  private genesis: GenesisEntry[] = [];

  private constructor(
    private readonly d: VerifierDeps,
    private readonly db: Db,
    private readonly follower: L1Follower,
    private readonly utxo: UtxoHandle,
    private readonly validator: Validator,
  ) {
    super();
    const sub = (name: string): Sub => stringSublevel(db, name);
    this.sub = { data: sub("data"), verdicts: sub("verdicts"), applied: sub("applied"), codes: sub("codes"), blobs: sub("blobs"), meta: sub("meta") };
    this.snap = follower.snapshot();
  }

  static async open(d: VerifierDeps): Promise<Verifier> {
    const db: Db = new Level<string, string>(d.dbPath, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await db.open();
    const moved = await moveToSublevels(db, LEGACY_KEY_SPACES);
    if (moved) d.log.info({ records: moved }, "verifier store: key spaces moved into sublevels");
    const follower = await L1Follower.open(d.l1, db, { confirmations: d.opts.confirmations, logRange: d.opts.logRange }, d.log);
    const genesis = nodeGenesis(d.deployment);
    // A verifier reads only outpoints: no latest or fee-output index (a third of the records a batch writes).
    const utxo = await UtxoHandle.open(d.utxoPath, storeGenesis(genesis), { indexes: false });
    const inner: Validator = d.opts.workers > 0 ? await PoolValidator.create(d.opts.workers, d.deployment.l2ChainId) : await InThreadValidator.create(d.deployment.l2ChainId);
    // Neither validator fetches code: the memo's wrapper knows exactly what each lookup has (addCodes, each call's).
    const validator = d.memo ? d.memo.using(inner) : inner;
    const v = new Verifier(d, db, follower, utxo, validator);
    v.genesis = genesis.entries;
    v.dict = await v.loadDictionary();
    await v.load();
    return v;
  }

  /**
   * The dictionary (protocol.md §7.7): kept in the store, else read from L1 (L1Client.dictionary) at start and again
   * before the first verdict. The Inbox binds it before any batch and never again (the deployment module does it
   * before the provers lock), so it is kept with the first verdict (`process`) and never read again.
   */
  private async loadDictionary(): Promise<Uint8Array> {
    const kept = await this.sub.meta.get("dictionary");
    this.dictKept = kept !== undefined;
    if (kept !== undefined) return dec<Uint8Array>(kept);
    const dict = await this.d.l1.dictionary();
    this.d.log.info({ bytes: dict.length }, "compressed-item dictionary read from L1");
    return dict;
  }

  /** The deployment's dictionary of compressed items (protocol.md §7.7), as read at start; empty when none is bound. */
  dictionary(): Uint8Array {
    return this.dict;
  }

  private async load(): Promise<void> {
    for await (const [k, v] of this.sub.verdicts.iterator()) this.verdicts.set(k, dec<Verdict>(v));
    for await (const v of this.sub.applied.values()) this.applied.push(v);
    for await (const [k, v] of this.sub.codes.iterator()) {
      const p = dec<PostedCode>(v);
      this.codes.add(k, p.seq, p.code);
    }
    await this.migrateCodes();
    this.validator.addCodes(this.codes);
    // The UTXO set must hold exactly the applied batches (a crash may fall between the two writes).
    const tip = this.utxo.store.tip();
    const n = tip ? Number(tip.batchIndex) + 1 : 0;
    if (n !== this.applied.length) await this.rebuildUtxo(Math.min(n, this.applied.length));
  }

  /**
   * A store written before code was tagged with seqs (k:<hash> -> code, from every batch checked,
   * applied or not): replaced by the code of the applied batches, read from their data.
   */
  private async migrateCodes(): Promise<void> {
    const legacy: string[] = [];
    for await (const k of this.db.keys({ gte: "k:", lt: "k;" })) legacy.push(k);
    if (!legacy.length) return;
    const headers = this.appendHeaders();
    for (const hh of this.applied) {
      const header = headers.get(hh);
      if (!header) throw new Error(`header ${hh} is not in the event log`);
      splitBatchData(await this.batchData(hh)).forEach((t, i) => this.codes.addTx(header.firstSeq + BigInt(i), decodeItem(t.tx, this.dict)));
    }
    const wb = this.db.batch();
    for (const k of legacy) wb.del(k);
    for (const [h, p] of this.codes) wb.put(h, enc(p), { sublevel: this.sub.codes });
    await wb.write();
    this.d.log.info({ codes: this.codes.size }, "verifier code store migrated: code tagged with the seq of its first witness");
  }

  /** Records `codes` (and gives the validator those it does not know yet); adds their puts to `ops`. */
  private addCodes(codes: Iterable<readonly [string, PostedCode]>, ops: Op[]): void {
    const fresh: [string, PostedCode][] = [];
    for (const [h, p] of codes)
      if (this.codes.add(h, p.seq, p.code)) {
        fresh.push([h, p]);
        ops.push({ type: "put", key: h, value: enc(p), sublevel: this.sub.codes });
      }
    if (fresh.length) this.validator.addCodes(fresh);
  }

  /** The L1 block read up to. */
  get cursorBlock(): number {
    return this.snap.at.block;
  }

  /** L1 as the verifier last read it (the follower's snapshot at its cursor). */
  get l1(): L1Snapshot {
    return this.snap;
  }

  /** L1 confirmations this verifier waits before checking a batch. */
  get confirmations(): number {
    return this.d.opts.confirmations;
  }

  async start(): Promise<void> {
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    await this.loopDone;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.busy.catch(() => undefined);
    await this.validator.close();
    await this.utxo.close();
    await this.db.close();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.poll();
      } catch (e) {
        this.d.log.error({ err: errMsg(e) }, "verifier poll failed");
      }
      if (!this.running) break;
      await this.waker.sleep(this.d.opts.pollMs);
    }
  }

  /** Follows L1 up to its head minus the confirmations, then checks what is new. Serialized. */
  poll(): Promise<void> {
    const r = this.busy.then(() => this.pollNow());
    this.busy = r.catch(() => undefined);
    return r;
  }

  /** Polls until the cursor reaches L1's confirmed head. */
  async syncToHead(): Promise<void> {
    for (;;) {
      await this.poll();
      const head = (await this.d.l1.blockNumber()) - this.d.opts.confirmations;
      if (this.snap.at.block >= head) return;
    }
  }

  private async pollNow(): Promise<void> {
    const before: Cursor = this.snap.at;
    // One log range per poll, so checking goes on while a long history is read.
    this.snap = await this.follower.poll(this.d.opts.logRange);
    this.l1Time = this.snap.latest.timestamp;
    // The data of each new batch is read as it is seen (an unreadable one is logged now, not when
    // checking reaches it).
    const ops: Op[] = [];
    for (const e of this.snap.events) {
      if (e.type !== "append" || (e.block <= before.block && before.hash !== "")) continue;
      if ((await this.sub.data.get(e.headerHash)) || (await this.sub.blobs.get(e.headerHash))) continue;
      const ref = appendRef(e);
      const data = ref && (await this.readData(ref, this.follower.recentLogs));
      if (data) ops.push({ type: "put", key: e.headerHash, value: enc(data), sublevel: this.sub.data });
    }
    if (ops.length) await this.db.batch(ops);
    await this.process();
  }

  /**
   * The data of an appended batch, or undefined (logged with the reason, once per reason) when it
   * cannot be read: the caller goes on following L1 and asks again later.
   */
  private async readData(ref: AppendRef, logs: readonly import("../l1/raw-rpc").L1Log[] = []): Promise<Uint8Array | undefined> {
    try {
      const data = await this.d.l1.readBatchData(ref, logs);
      if (this.unreadable.delete(ref.headerHash)) this.d.log.info({ index: ref.index, l1Tx: ref.l1TxHash }, "batch data read after all");
      return data;
    } catch (e) {
      if (e instanceof BlobDataFaultError) {
        // The blob is the batch's (its commitment recomputed) and does not give the declarations: kept for the proof.
        const fault = dataFault(ref.index, ref.header.firstSeq, e.fault);
        await this.sub.blobs.put(ref.headerHash, enc({ blob: e.blob, commitment: e.commitment, fault }));
        if (this.unreadable.get(ref.headerHash) !== e.reason) this.d.log.warn({ index: ref.index, headerHash: ref.headerHash, l1Tx: ref.l1TxHash, fault: fault.code }, "blob batch with a data fault: its blob is kept for the proof");
        this.unreadable.set(ref.headerHash, e.reason);
        return undefined;
      }
      // A beacon's failure (node/l1/beacon.ts: down, a wrong blob, pruned) says itself what went wrong and what to do.
      const reason = e instanceof UnreadableBatch ? e.reason : e instanceof BeaconError ? e.message : `L1 could not be asked: ${errMsg(e)}`;
      if (this.unreadable.get(ref.headerHash) !== reason) {
        this.d.log.error(
          { index: ref.index, headerHash: ref.headerHash, l1Tx: ref.l1TxHash, block: ref.blockNumber, dataSource: ref.dataSource, reason },
          "cannot read the data of a batch: skipped for now (following L1 goes on; batches after it wait, and it is read again on the next poll)",
        );
        this.unreadable.set(ref.headerHash, reason);
      }
      return undefined;
    }
  }

  /** The live chain: the append event of each live batch, by index. */
  private liveChain(): AppendEvent[] {
    return this.snap.live();
  }

  private deposits(): Map<bigint, QueueEntry> {
    const m = new Map<bigint, QueueEntry>();
    for (const [i, e] of this.snap.deposits()) m.set(i, { index: e.index, from: e.from, to: e.to, value: e.value });
    return m;
  }

  /** The data of a batch this verifier read, live or rolled back (the explorer shows both). */
  async batchData(hh: string): Promise<Uint8Array> {
    const v = await this.sub.data.get(hh);
    if (!v) throw new Error(`data of batch ${hh} is missing`);
    return dec<Uint8Array>(v);
  }

  /** The kept blob of a blob batch with a `data` fault (readData), if it has one. */
  private async faultyBlobOf(hh: string): Promise<{ blob: Uint8Array; commitment: Uint8Array; fault: TxFault } | undefined> {
    const v = await this.sub.blobs.get(hh);
    return v ? dec<{ blob: Uint8Array; commitment: Uint8Array; fault: TxFault }>(v) : undefined;
  }

  /** The data of a live batch: stored, or read from L1 again (stored if found); undefined if still unreadable. */
  private async liveBatchData(ev: AppendEvent): Promise<Uint8Array | undefined> {
    const v = await this.sub.data.get(ev.headerHash);
    if (v) return dec<Uint8Array>(v);
    const ref = appendRef(ev);
    if (!ref) {
      const reason = "its event was stored without the data's location, and its data is missing";
      if (this.unreadable.get(ev.headerHash) !== reason) this.d.log.error({ index: ev.index, headerHash: ev.headerHash, reason }, "cannot read the data of a batch");
      this.unreadable.set(ev.headerHash, reason);
      return undefined;
    }
    const data = await this.readData(ref);
    if (data) await this.sub.data.put(ev.headerHash, enc(data));
    return data;
  }

  private appendHeaders(): Map<string, BatchHeader> {
    const headers = new Map<string, BatchHeader>();
    for (const e of this.snap.events) if (e.type === "append") headers.set(e.headerHash, e.header);
    return headers;
  }

  /** Cuts the applied prefix back to `keep` batches: the UTXO set is rebuilt, later batches' code forgotten. */
  private async rebuildUtxo(keep: number): Promise<void> {
    const hashes = this.applied.slice(0, keep);
    const headers = this.appendHeaders();
    const batchData = (hh: string) => this.batchData(hh);
    const dict = this.dict;
    async function* batches() {
      for (const hh of hashes) {
        const header = headers.get(hh);
        if (!header) throw new Error(`header ${hh} is not in the event log`);
        const data = await batchData(hh);
        yield txMovesOf(header, splitBatchData(data).map((t) => decodeItem(t.tx, dict)));
      }
    }
    await this.utxo.rebuild(batches());
    const ops: Op[] = [];
    for (let i = keep; i < this.applied.length; i++) ops.push({ type: "del", key: hex16(BigInt(i)), sublevel: this.sub.applied });
    const cut = keep < this.applied.length ? headers.get(this.applied[keep])?.firstSeq : undefined;
    if (cut !== undefined) {
      for (const h of this.codes.forgetFrom(cut)) ops.push({ type: "del", key: h, sublevel: this.sub.codes });
      this.validator.forgetCodes(cut);
    }
    await this.db.batch(ops);
    this.applied = hashes;
  }

  /** Checks the live batches beyond the applied prefix, in order. */
  private async process(): Promise<void> {
    const live = this.liveChain();
    let k = 0;
    while (k < this.applied.length && k < live.length && this.applied[k] === live[k].headerHash) k++;
    if (k < this.applied.length) {
      this.d.log.warn({ keep: k, applied: this.applied.length }, "live chain changed under the verifier: rebuilding its UTXO set");
      await this.rebuildUtxo(k);
    }
    const deposits = this.deposits();
    for (let i = this.applied.length; i < live.length; i++) {
      const ev = live[i];
      const known = this.verdicts.get(ev.headerHash);
      if (known?.status === "invalid") break; // nothing after an invalid batch can be checked
      const h = ev.header;
      const q: QueueEntry[] = [];
      for (let j = h.depositStart; j < h.depositEnd; j++) {
        const d = deposits.get(j);
        if (!d) throw new Error(`deposit ${j} (used by batch ${h.index}) is not in the event log`);
        q.push(d);
      }
      // A blob batch's data fault is the batch's and comes before any transaction's (§14.5): it has no data to check.
      const blobFault = (await this.faultyBlobOf(ev.headerHash))?.fault;
      const data = blobFault ? undefined : await this.liveBatchData(ev);
      if (!data && !blobFault) break; // logged; read again on the next poll
      const t0 = Date.now();
      const hits0 = this.d.memo?.stats().hits;
      // Not kept yet: read again now that a batch is on L1, when it can no longer change (a start before the Inbox
      // bound it read an empty one).
      if (!this.dictKept) this.dict = await this.d.l1.dictionary();
      const res = data ? await checkBatch(h, data, this.d.deployment.l2ChainId, q, this.validator, this.utxo.store, this.dict) : { fault: blobFault, faults: blobFault && [blobFault], decoded: [], codes: [] };
      const ops: Op[] = [];
      if (!this.dictKept) ops.push({ type: "put", key: "dictionary", value: enc(this.dict), sublevel: this.sub.meta });
      if (res.fault) {
        const verdict: Verdict = { status: "invalid", fault: res.fault, faults: res.faults, checkedAt: Date.now() };
        ops.push({ type: "put", key: ev.headerHash, value: enc(verdict), sublevel: this.sub.verdicts });
        await this.db.batch(ops);
        this.dictKept = true;
        this.verdicts.set(ev.headerHash, verdict);
        this.d.log.warn({ index: h.index, fault: res.fault }, "batch is INVALID");
        this.emit("fault", res.fault, ev);
        this.emit("verdict", h.index, verdict);
        break;
      }
      const f = await this.utxo.store.applyBatch(h.index, txMovesOf(h, res.decoded));
      if (f) throw new Error(`batch ${h.index} passed the dry walk but not the UTXO store: ${f.kind}/${f.code} at seq ${f.seq}`);
      const verdict: Verdict = { status: "valid", checkedAt: Date.now() };
      ops.push({ type: "put", key: ev.headerHash, value: enc(verdict), sublevel: this.sub.verdicts });
      ops.push({ type: "put", key: hex16(h.index), value: ev.headerHash, sublevel: this.sub.applied });
      this.addCodes(res.codes, ops);
      await this.db.batch(ops);
      this.dictKept = true;
      this.verdicts.set(ev.headerHash, verdict);
      this.applied.push(ev.headerHash);
      // `reused`: verdicts taken from the build's self-check (node/validation/memo.ts), not validated again.
      this.d.log.info({ index: h.index, txs: Number(h.txCount), ms: Date.now() - t0, ...(hits0 !== undefined ? { reused: this.d.memo!.stats().hits - hits0 } : {}) }, "batch valid");
      this.emit("verdict", h.index, verdict);
    }
  }

  // ---- views --------------------------------------------------------------------------------------

  /** Every batch appended on L1 (including rolled-back ones), by index then L1 order. */
  batches(): BatchView[] {
    const live = new Set(this.liveChain().map((e) => `${e.block}:${e.logIndex}`));
    const heldFrom = this.snap.heldFrom();
    const out: BatchView[] = [];
    for (const e of this.snap.events) {
      if (e.type !== "append") continue;
      const isLive = live.has(`${e.block}:${e.logIndex}`);
      const v = this.verdicts.get(e.headerHash);
      const final = batchIsFinal(e.index, e.postedAt, this.d.deployment.challengeWindow, this.l1Time, heldFrom);
      const status: BatchStatus = !isLive ? "rolled back" : v?.status === "invalid" ? "invalid" : final ? "final" : "pending";
      out.push({
        index: e.index,
        headerHash: e.headerHash,
        txCount: e.header.txCount,
        poster: e.poster,
        l1Block: e.block,
        l1BlockHash: e.blockHash,
        l1LogIndex: e.logIndex,
        l1TxHash: e.l1TxHash,
        postedAt: e.postedAt,
        status,
        verdict: v?.status ?? "unchecked",
        fault: v?.status === "invalid" ? v.fault : undefined,
        faults: v?.status === "invalid" ? (v.faults ?? [v.fault]) : undefined,
        unreadable: this.unreadable.get(e.headerHash),
        header: e.header,
      });
    }
    out.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : a.l1Block - b.l1Block));
    return out;
  }

  /**
   * What a challenger needs to build a proof (prover/build.ts ChainView), from this verifier's copy
   * of L1: live batches with their transactions, seqs located in them, and the deposit queue.
   */
  chainView(): ChainView {
    const live = () => this.liveChain();
    return {
      genesis: this.genesis,
      dictionary: this.dict,
      batch: async (index) => {
        const e = live()[Number(index)];
        if (!e) throw new Error(`batch ${index} is not live`);
        return { header: e.header, txs: splitBatchData(await this.batchData(e.headerHash)) };
      },
      locate: async (seq) => {
        for (const e of live())
          if (seq >= e.header.firstSeq && seq < e.header.firstSeq + e.header.txCount) return { batchIndex: e.index, txIndex: Number(seq - e.header.firstSeq) };
        throw new Error(`seq ${seq} is in no live batch`);
      },
      deposit: async (index) => {
        const d = this.deposits().get(index);
        if (!d) throw new Error(`deposit ${index} is not in the event log`);
        return { from: hexToBytes(d.from as `0x${string}`), to: hexToBytes(d.to as `0x${string}`), value: d.value };
      },
      faultyBlob: async (index) => {
        const e = live()[Number(index)];
        if (!e) throw new Error(`batch ${index} is not live`);
        const b = await this.faultyBlobOf(e.headerHash);
        if (!b) throw new Error(`batch ${index} has no blob with a data fault`);
        return { header: e.header, blob: b.blob, commitment: b.commitment, kzgProof: (await loadBlobKzg()).blobProof(b.blob, b.commitment) };
      },
    };
  }

  /**
   * An appended batch by header hash (live or rolled back) with its transactions, if this verifier holds its data:
   * what a dispute game's player needs to run the disputed transaction.
   */
  async appendedBatch(headerHash: string): Promise<{ header: BatchHeader; txs: BatchTx[]; live: boolean; codesKnown: boolean; dictionary: Uint8Array } | undefined> {
    const hh = headerHash.toLowerCase();
    const e = this.snap.events.find((x): x is AppendEvent => x.type === "append" && x.headerHash === hh);
    if (!e) return undefined;
    const live = this.snap.headerHashAt(e.index) === hh;
    const data = live ? await this.liveBatchData(e) : await this.sub.data.get(hh).then((v) => (v ? dec<Uint8Array>(v) : undefined));
    // The code carried before it is known only if every earlier batch was checked (and found valid).
    return data ? { header: e.header, txs: splitBatchData(data), live, codesKnown: e.index <= BigInt(this.applied.length), dictionary: this.dict } : undefined;
  }

  /** Code carried by the witness of a transaction of the checked chain before `seq` (the validator's lookup). */
  codeBefore(hash: string, seq: bigint): Uint8Array | undefined {
    return this.codes.before(hash.toLowerCase(), seq);
  }

  /** The seq of the first transaction of the checked chain whose witness carries `hash`. */
  codeCarrierSeq(hash: string): bigint | undefined {
    return this.codes.seqOf(hash);
  }

  verdictOf(headerHash: string): Verdict | undefined {
    return this.verdicts.get(headerHash.toLowerCase());
  }

  get latestL1Time(): bigint {
    return this.l1Time;
  }

  /** JSON-friendly form of a batch view. */
  static viewJson(b: BatchView): Record<string, unknown> {
    return {
      index: Number(b.index),
      hash: b.headerHash,
      txCount: Number(b.txCount),
      status: b.status,
      verdict: b.verdict,
      fault: b.fault ? { ...b.fault, batchIndex: Number(b.fault.batchIndex), seq: b.fault.seq.toString(), spentBy: b.fault.spentBy?.toString() } : undefined,
      unreadable: b.unreadable,
      poster: b.poster,
      l1Block: b.l1Block,
      l1Tx: b.l1TxHash,
      postedAt: Number(b.postedAt),
      header: headerToJson(b.header),
    };
  }
}

