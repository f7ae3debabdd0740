/**
 * The verifier: follows the Inbox and the Bridge on L1 (with confirmations, surviving reorgs),
 * reads each appended batch's data where its BatchAppended event says it is (L1Client.readBatchData:
 * the appending transaction's calldata or its BatchData event), checks
 * it (node/verifier/check.ts: every transaction standalone, the deposits against the L1 queue, the
 * double-use walk) and records a verdict per batch: valid, or invalid with the first failing
 * transaction as a TxFault (prover/fault.ts), which it also emits ("fault") for a challenger.
 *
 * Following L1 never stops on one transaction: a batch whose data cannot be read (an L1 endpoint
 * that fails or lies; the Inbox itself accepts no batch whose data is not on L1) is logged with the
 * reason and read again on every poll; checking waits at it (nothing after it can be checked), while
 * events (later appends, rollbacks, deposits) keep being followed. An Inbox log that does not parse
 * is logged and skipped.
 *
 * State is a function of the L1 event log, which it keeps (LevelDB): batch appends, rollbacks and
 * deposits in L1 order, plus the hashes of the blocks it has seen. On a reorg it drops the events
 * after the fork point and recomputes; the live chain of batches is the appends minus the
 * rollbacks. Its UTXO set (a LevelUtxoStore) holds exactly a prefix of the live chain; when the
 * live chain stops extending that prefix (rollback, reorg) the set is rebuilt from the batches
 * that remain (their verdicts are kept: a header hash fixes the whole history before it).
 *
 * Keys (utf8, JSON values with bigints and bytes tagged as in chain-store.ts):
 *   cursor                      -> { block, hash }   last L1 block fully processed
 *   bh:<block 12 hex>           -> block hash        blocks seen (reorg detection)
 *   ev:<block 12 hex>:<log 8 hex> -> VEvent
 *   data:<header hash>          -> batch data bytes
 *   verdict:<header hash>       -> Verdict
 *   ap:<index 16 hex>           -> header hash       batches applied to the UTXO set
 *   c:<code hash>               -> { seq, code }     code carried by the applied batches' witnesses,
 *                                                    with the seq of the first transaction carrying it
 *
 * Code (protocol.md §6.2): a transaction may use, besides its own witness, code carried by the
 * witness of an earlier transaction of the chain. The verifier's known code is exactly that of the
 * applied batches (an invalid batch adds none); when the applied prefix is cut back, the code first
 * carried by the batches cut off is forgotten. Within a batch, the check gives each transaction the
 * code of the batch's earlier transactions only (check.ts).
 */
import { EventEmitter } from "events";
import { Level } from "level";
import type { Log } from "ethers";
import { headerHash, splitBatchData, type BatchHeader } from "../../core/batch";
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { decodeTx } from "../../core/tx";
import { KnownCode, type PostedCode } from "../../core/known-code";
import type { TxFault } from "../../prover/fault";
import type { ChainView } from "../../prover/build";
import { dec, enc } from "../chain-store";
import type { Deployment, VerifierOptions } from "../config";
import { L1Client } from "../l1/client";
import { UnreadableBatch, type AppendRef } from "../l1/batch-source";
import { bridgeInterface, headerFromSol, headerToJson, inboxInterface } from "../l1/contracts";
import { errMsg, type Logger } from "../log";
import { UtxoHandle } from "../coordinator/utxo";
import { checkBatch, InThreadValidator, PoolValidator, txMovesOf, type QueueEntry, type Validator } from "./check";
import { Waker } from "../waker";

export type VEvent =
  | {
      type: "append";
      block: number;
      logIndex: number;
      index: bigint;
      headerHash: string;
      header: BatchHeader;
      l1TxHash: string;
      poster: string;
      postedAt: bigint;
      /** Where the data is (an AppendRef's fields; absent in events stored before data sources existed). */
      blockHash?: string;
      txIndex?: number;
      dataSource?: number;
    }
  | { type: "rollback"; block: number; logIndex: number; index: bigint; removedCount: bigint; kind: number; challenger: string }
  | { type: "deposit"; block: number; logIndex: number; index: bigint; from: string; to: string; value: bigint };

/** An invalid verdict names the first fault and (verdicts since issue 10) every fault found (check.ts CheckResult.faults). */
export type Verdict = { status: "valid"; checkedAt: number } | { status: "invalid"; fault: TxFault; faults?: TxFault[]; checkedAt: number };

export type BatchStatus = "pending" | "final" | "invalid" | "rolled back";

export interface BatchView {
  index: bigint;
  headerHash: string;
  txCount: bigint;
  poster: string;
  l1Block: number;
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

const hex12 = (n: number) => n.toString(16).padStart(12, "0");
const hex8 = (n: number) => n.toString(16).padStart(8, "0");
const hex16 = (n: bigint) => n.toString(16).padStart(16, "0");
const HASH_WINDOW = 4096;

type Db = Level<string, string>;
type Op = { type: "put"; key: string; value: string } | { type: "del"; key: string };

export interface VerifierDeps {
  l1: L1Client;
  deployment: Deployment;
  dbPath: string;
  utxoPath: string;
  opts: VerifierOptions;
  log: Logger;
}

export class Verifier extends EventEmitter {
  private events: VEvent[] = [];
  private applied: string[] = [];
  private verdicts = new Map<string, Verdict>();
  /** Batches whose data could not be read yet, with the reason last logged. */
  private unreadable = new Map<string, string>();
  /** Code carried by the applied batches, with the seq of the first transaction carrying each (the c: keys). */
  private readonly codes = new KnownCode();
  private cursor: { block: number; hash: string };
  private l1Time = 0n;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private readonly waker = new Waker();
  private busy: Promise<void> = Promise.resolve();

  private constructor(
    private readonly d: VerifierDeps,
    private readonly db: Db,
    private readonly utxo: UtxoHandle,
    private readonly validator: Validator,
  ) {
    super();
    this.cursor = { block: d.deployment.deployedAt - 1, hash: "" };
  }

  static async open(d: VerifierDeps): Promise<Verifier> {
    const db: Db = new Level<string, string>(d.dbPath, { keyEncoding: "utf8", valueEncoding: "utf8" });
    await db.open();
    const utxo = await UtxoHandle.open(d.utxoPath);
    const validator: Validator = d.opts.workers > 0 ? await PoolValidator.create(d.opts.workers, d.deployment.l2ChainId) : await InThreadValidator.create(d.deployment.l2ChainId);
    const v = new Verifier(d, db, utxo, validator);
    await v.load();
    return v;
  }

  private async load(): Promise<void> {
    const c = await this.db.get("cursor");
    if (c) this.cursor = dec(c);
    for await (const v of this.db.values({ gte: "ev:", lt: "ev;" })) this.events.push(dec<VEvent>(v));
    for await (const [k, v] of this.db.iterator({ gte: "verdict:", lt: "verdict;" })) this.verdicts.set(k.slice(8), dec<Verdict>(v));
    for await (const v of this.db.values({ gte: "ap:", lt: "ap;" })) this.applied.push(v);
    for await (const [k, v] of this.db.iterator({ gte: "c:", lt: "c;" })) {
      const p = dec<PostedCode>(v);
      this.codes.add(k.slice(2), p.seq, p.code);
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
    const legacy: Op[] = [];
    for await (const k of this.db.keys({ gte: "k:", lt: "k;" })) legacy.push({ type: "del", key: k });
    if (!legacy.length) return;
    const headers = this.appendHeaders();
    for (const hh of this.applied) {
      const header = headers.get(hh);
      if (!header) throw new Error(`header ${hh} is not in the event log`);
      splitBatchData(await this.batchData(hh)).forEach((t, i) => this.codes.addTx(header.firstSeq + BigInt(i), decodeTx(t)));
    }
    await this.db.batch([...legacy, ...[...this.codes].map(([h, p]): Op => ({ type: "put", key: `c:${h}`, value: enc(p) }))]);
    this.d.log.info({ codes: this.codes.size }, "verifier code store migrated: code tagged with the seq of its first witness");
  }

  /** Records `codes` (and gives the validator those it does not know yet); adds their puts to `ops`. */
  private addCodes(codes: Iterable<readonly [string, PostedCode]>, ops: Op[]): void {
    const fresh: [string, PostedCode][] = [];
    for (const [h, p] of codes)
      if (this.codes.add(h, p.seq, p.code)) {
        fresh.push([h, p]);
        ops.push({ type: "put", key: `c:${h}`, value: enc(p) });
      }
    if (fresh.length) this.validator.addCodes(fresh);
  }

  get cursorBlock(): number {
    return this.cursor.block;
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
      if (this.cursor.block >= head) return;
    }
  }

  private async pollNow(): Promise<void> {
    const l1 = this.d.l1;
    const latest = await l1.block("latest");
    this.l1Time = latest.timestamp;
    if (this.cursor.hash) {
      const at = this.cursor.block <= latest.number ? await l1.block(this.cursor.block).catch(() => undefined) : undefined;
      if (!at || at.hash !== this.cursor.hash) await this.handleReorg(latest.number);
    }
    const head = latest.number - this.d.opts.confirmations;
    if (head > this.cursor.block) {
      const from = this.cursor.block + 1;
      const to = Math.min(head, this.cursor.block + this.d.opts.logRange);
      await this.ingest(from, to);
    }
    await this.process();
  }

  private async ingest(from: number, to: number): Promise<void> {
    const l1 = this.d.l1;
    const ii = inboxInterface();
    const bi = bridgeInterface();
    const appended = ii.getEvent("BatchAppended")!.topicHash;
    const rolled = ii.getEvent("BatchesRolledBack")!.topicHash;
    const batchData = ii.getEvent("BatchData")!.topicHash;
    const deposited = bi.getEvent("Deposited")!.topicHash;
    const [inboxLogs, bridgeLogs] = await Promise.all([
      l1.logs(this.d.deployment.inbox, from, to, [[appended, rolled, batchData]], this.d.opts.logRange),
      l1.logs(this.d.deployment.bridge, from, to, [deposited], this.d.opts.logRange),
    ]);
    const logs: Log[] = [...inboxLogs, ...bridgeLogs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const ops: Op[] = [];
    const fresh: VEvent[] = [];
    const blockTimes = new Map<number, bigint>();
    for (const log of logs) {
      let ev: VEvent;
      if (log.topics[0] === batchData) continue; // read with its BatchAppended
      if (log.topics[0] === deposited) {
        const d = L1Client.parseDeposit(log);
        ev = { type: "deposit", block: log.blockNumber, logIndex: log.index, index: d.index, from: d.from, to: d.to, value: d.value };
      } else if (log.topics[0] === rolled) {
        const p = ii.parseLog(log)!;
        ev = { type: "rollback", block: log.blockNumber, logIndex: log.index, index: BigInt(p.args.index), removedCount: BigInt(p.args.removedCount), kind: Number(p.args.kind), challenger: String(p.args.challenger).toLowerCase() };
      } else {
        let ref: AppendRef;
        try {
          ref = L1Client.parseAppend(log);
        } catch (e) {
          this.d.log.error({ l1Tx: log.transactionHash, block: log.blockNumber, logIndex: log.index, err: errMsg(e) }, "skipped an Inbox log that does not parse as BatchAppended");
          continue;
        }
        if (!(await this.db.get(`data:${ref.headerHash}`))) {
          const data = await this.readData(ref, inboxLogs);
          if (data) ops.push({ type: "put", key: `data:${ref.headerHash}`, value: enc(data) });
        }
        let t = blockTimes.get(log.blockNumber);
        if (t === undefined) blockTimes.set(log.blockNumber, (t = (await l1.block(log.blockNumber)).timestamp));
        ev = {
          type: "append", block: log.blockNumber, logIndex: log.index, index: ref.index, headerHash: ref.headerHash, header: ref.header, l1TxHash: ref.l1TxHash, poster: ref.poster, postedAt: t,
          blockHash: ref.blockHash, txIndex: ref.txIndex, dataSource: ref.dataSource,
        };
      }
      fresh.push(ev);
      ops.push({ type: "put", key: `ev:${hex12(ev.block)}:${hex8(ev.logIndex)}`, value: enc(ev) });
      ops.push({ type: "put", key: `bh:${hex12(log.blockNumber)}`, value: log.blockHash.toLowerCase() });
    }
    const end = await l1.block(to);
    ops.push({ type: "put", key: `bh:${hex12(to)}`, value: end.hash });
    ops.push({ type: "put", key: "cursor", value: enc({ block: to, hash: end.hash }) });
    if (to - HASH_WINDOW > 0) ops.push({ type: "del", key: `bh:${hex12(to - HASH_WINDOW)}` });
    await this.db.batch(ops);
    this.events.push(...fresh);
    this.cursor = { block: to, hash: end.hash };
    if (fresh.length) this.d.log.debug({ from, to, events: fresh.length }, "verifier read L1 events");
  }

  /**
   * The data of an appended batch, or undefined (logged with the reason, once per reason) when it
   * cannot be read: the caller goes on following L1 and asks again later.
   */
  private async readData(ref: AppendRef, logs: readonly Log[] = []): Promise<Uint8Array | undefined> {
    try {
      const data = await this.d.l1.readBatchData(ref, logs);
      if (this.unreadable.delete(ref.headerHash)) this.d.log.info({ index: ref.index, l1Tx: ref.l1TxHash }, "batch data read after all");
      return data;
    } catch (e) {
      const reason = e instanceof UnreadableBatch ? e.reason : `L1 could not be asked: ${errMsg(e)}`;
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

  /** The cursor's block is no longer on L1: go back to the newest block both agree on. */
  private async handleReorg(latest: number): Promise<void> {
    const l1 = this.d.l1;
    let fork = this.d.deployment.deployedAt - 1;
    let forkHash = "";
    for await (const [k, v] of this.db.iterator({ gte: "bh:", lt: "bh;", reverse: true })) {
      const n = parseInt(k.slice(3), 16);
      if (n > latest) continue;
      const b = await l1.block(n).catch(() => undefined);
      if (b && b.hash === v) {
        fork = n;
        forkHash = v;
        break;
      }
    }
    this.d.log.warn({ from: this.cursor.block, to: fork }, "L1 reorganized: dropping events after the fork point");
    const ops: Op[] = [];
    for await (const k of this.db.keys({ gt: `ev:${hex12(fork)}:~`, lt: "ev;" })) ops.push({ type: "del", key: k });
    for await (const k of this.db.keys({ gt: `bh:${hex12(fork)}`, lt: "bh;" })) ops.push({ type: "del", key: k });
    ops.push({ type: "put", key: "cursor", value: enc({ block: fork, hash: forkHash }) });
    await this.db.batch(ops);
    this.events = this.events.filter((e) => e.block <= fork);
    this.cursor = { block: fork, hash: forkHash };
  }

  /** The live chain (header hashes by index) and the append event of each. */
  private liveChain(): VEvent[] {
    const live: VEvent[] = [];
    for (const e of this.events) {
      if (e.type === "append") {
        if (e.index === BigInt(live.length)) live.push(e);
        else this.d.log.error({ index: e.index, live: live.length }, "BatchAppended out of order in the event log");
      } else if (e.type === "rollback") live.length = Math.min(live.length, Number(e.index));
    }
    return live;
  }

  private deposits(): Map<bigint, QueueEntry> {
    const m = new Map<bigint, QueueEntry>();
    for (const e of this.events) if (e.type === "deposit") m.set(e.index, { index: e.index, from: e.from, to: e.to, value: e.value });
    return m;
  }

  private async batchData(hh: string): Promise<Uint8Array> {
    const v = await this.db.get(`data:${hh}`);
    if (!v) throw new Error(`data of batch ${hh} is missing`);
    return dec<Uint8Array>(v);
  }

  /** The data of a live batch: stored, or read from L1 again (stored if found); undefined if still unreadable. */
  private async liveBatchData(ev: Extract<VEvent, { type: "append" }>): Promise<Uint8Array | undefined> {
    const v = await this.db.get(`data:${ev.headerHash}`);
    if (v) return dec<Uint8Array>(v);
    if (ev.blockHash === undefined || ev.txIndex === undefined || ev.dataSource === undefined) {
      const reason = "its event was stored without the data's location, and its data is missing";
      if (this.unreadable.get(ev.headerHash) !== reason) this.d.log.error({ index: ev.index, headerHash: ev.headerHash, reason }, "cannot read the data of a batch");
      this.unreadable.set(ev.headerHash, reason);
      return undefined;
    }
    const data = await this.readData({
      index: ev.index, headerHash: ev.headerHash, header: ev.header, poster: ev.poster, dataSource: ev.dataSource, l1TxHash: ev.l1TxHash,
      blockHash: ev.blockHash, blockNumber: ev.block, txIndex: ev.txIndex, logIndex: ev.logIndex,
    });
    if (data) await this.db.put(`data:${ev.headerHash}`, enc(data));
    return data;
  }

  private appendHeaders(): Map<string, BatchHeader> {
    const headers = new Map<string, BatchHeader>();
    for (const e of this.events) if (e.type === "append") headers.set(e.headerHash, e.header);
    return headers;
  }

  /** Cuts the applied prefix back to `keep` batches: the UTXO set is rebuilt, later batches' code forgotten. */
  private async rebuildUtxo(keep: number): Promise<void> {
    const hashes = this.applied.slice(0, keep);
    const headers = this.appendHeaders();
    const self = this;
    async function* batches() {
      for (const hh of hashes) {
        const header = headers.get(hh);
        if (!header) throw new Error(`header ${hh} is not in the event log`);
        const data = await self.batchData(hh);
        yield txMovesOf(header, splitBatchData(data).map((t) => decodeTx(t)));
      }
    }
    await this.utxo.rebuild(batches());
    const ops: Op[] = [];
    for (let i = keep; i < this.applied.length; i++) ops.push({ type: "del", key: `ap:${hex16(BigInt(i))}` });
    const cut = keep < this.applied.length ? headers.get(this.applied[keep])?.firstSeq : undefined;
    if (cut !== undefined) {
      for (const h of this.codes.forgetFrom(cut)) ops.push({ type: "del", key: `c:${h}` });
      this.validator.forgetCodes(cut);
    }
    await this.db.batch(ops);
    this.applied = hashes;
  }

  /** Checks the live batches beyond the applied prefix, in order. */
  private async process(): Promise<void> {
    const live = this.liveChain() as Extract<VEvent, { type: "append" }>[];
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
      const data = await this.liveBatchData(ev);
      if (!data) break; // logged; read again on the next poll
      const t0 = Date.now();
      const res = await checkBatch(h, data, this.d.deployment.l2ChainId, q, this.validator, this.utxo.store);
      const ops: Op[] = [];
      if (res.fault) {
        const verdict: Verdict = { status: "invalid", fault: res.fault, faults: res.faults, checkedAt: Date.now() };
        ops.push({ type: "put", key: `verdict:${ev.headerHash}`, value: enc(verdict) });
        await this.db.batch(ops);
        this.verdicts.set(ev.headerHash, verdict);
        this.d.log.warn({ index: h.index, fault: res.fault }, "batch is INVALID");
        this.emit("fault", res.fault, ev);
        this.emit("verdict", h.index, verdict);
        break;
      }
      const f = await this.utxo.store.applyBatch(h.index, txMovesOf(h, res.decoded));
      if (f) throw new Error(`batch ${h.index} passed the dry walk but not the UTXO store: ${f.kind}/${f.code} at seq ${f.seq}`);
      const verdict: Verdict = { status: "valid", checkedAt: Date.now() };
      ops.push({ type: "put", key: `verdict:${ev.headerHash}`, value: enc(verdict) });
      ops.push({ type: "put", key: `ap:${hex16(h.index)}`, value: ev.headerHash });
      this.addCodes(res.codes, ops);
      await this.db.batch(ops);
      this.verdicts.set(ev.headerHash, verdict);
      this.applied.push(ev.headerHash);
      this.d.log.info({ index: h.index, txs: Number(h.txCount), ms: Date.now() - t0 }, "batch valid");
      this.emit("verdict", h.index, verdict);
    }
  }

  // ---- views --------------------------------------------------------------------------------------

  /** Every batch appended on L1 (including rolled-back ones), by index then L1 order. */
  batches(): BatchView[] {
    const live = new Set((this.liveChain() as Extract<VEvent, { type: "append" }>[]).map((e) => `${e.block}:${e.logIndex}`));
    const out: BatchView[] = [];
    for (const e of this.events) {
      if (e.type !== "append") continue;
      const isLive = live.has(`${e.block}:${e.logIndex}`);
      const v = this.verdicts.get(e.headerHash);
      const final = e.postedAt + this.d.deployment.challengeWindow <= this.l1Time;
      const status: BatchStatus = !isLive ? "rolled back" : v?.status === "invalid" ? "invalid" : final ? "final" : "pending";
      out.push({
        index: e.index,
        headerHash: e.headerHash,
        txCount: e.header.txCount,
        poster: e.poster,
        l1Block: e.block,
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
    const live = () => this.liveChain() as Extract<VEvent, { type: "append" }>[];
    return {
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
    };
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

