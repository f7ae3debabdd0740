/**
 * What the explorer shows, from the node's own stores (no second index of the chain):
 *   - batches from the verifier (every batch L1 ever had, rolled-back ones too, with verdicts and
 *     faults) or, without one, from the chain store;
 *   - transactions, their moves and receipts from the chain store (a rolled-back batch's from the
 *     verifier's copy of its data);
 *   - a move's producer: the transaction with seq `intx`, found by bisecting the batches' first seqs;
 *   - a key's version history: its newest version from the latest index, then each version's
 *     consuming move names the seq that produced the one before (`intx`), back to genesis: the
 *     chain of versions is in the moves themselves;
 *   - deposits, claims, rollbacks, proofs and games from the L1 events (l1-events.ts); withdrawals
 *     from the chain store's withdrawal index.
 * Every answer is JSON with numbers as decimal strings and bytes as lower-case hex.
 */
import { bytesToHex } from "../../core/bytes";
import { decodeItem, splitBatchData, type BatchHeader } from "../../core/batch";
import { Mark, markName } from "../../core/keys";
import { decodeTx, TxType, codeHash, type Tx } from "../../core/tx";
import { depositTxIdHex, txIdHex } from "../../core/sign";
import { DecodeError } from "../../core/errors";
import type { ChainStore, StoredBatch, StoredReceipt } from "../state/chain-store";
import type { Deployment } from "../config";
import type { Coordinator } from "../coordinator/coordinator";
import { readKey, type LatestCache } from "../state/view";
import { txFields } from "../state/receipts";
import { headerToJson } from "../l1/contracts";
import { senderOf } from "../rpc/format";
import type { Verifier, BatchView } from "../verifier/verifier";
import type { L1Event, L1Events } from "./l1-events";

/** A bad request: the server answers 400 (or 404) with the message. */
export class ExplorerError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export interface ExplorerDeps {
  chain: ChainStore;
  cache: LatestCache;
  deployment: Deployment;
  events: L1Events;
  verifier?: Verifier;
  coordinator?: Coordinator;
}

/** The fraud-proof kinds by their number on L1 (IInbox.sol FaultKind). */
export const KIND_NAMES = ["malformed", "signature", "input", "double-use", "deposit", "rules", "execution"];

const MARKS: Record<string, number> = { s: Mark.Storage, b: Mark.Balance, n: Mark.Nonce, c: Mark.Code, f: Mark.Fee, w: Mark.Withdrawal };
const HAS_SLOT = new Set(["s", "f", "w"]);
const TX_TYPES: Record<number, string> = { [TxType.Deposit]: "deposit", [TxType.Move]: "move", [TxType.Wrapped]: "ethereum" };

const dec = (v: bigint | number) => BigInt(v).toString();
const isHash = (s: string) => /^0x[0-9a-f]{64}$/.test(s);
const isAddr = (s: string) => /^0x[0-9a-f]{40}$/.test(s);

function uintParam(v: string | undefined, what: string, max = 1n << 64n): bigint | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^\d{1,20}$/.test(v) || BigInt(v) >= max) throw new ExplorerError(`${what} must be a whole number`);
  return BigInt(v);
}

export class ExplorerData {
  constructor(private readonly d: ExplorerDeps) {}

  private get window(): bigint {
    return this.d.deployment.challengeWindow;
  }

  // ---- seqs ----------------------------------------------------------------------------------------

  /** The live batch holding `seq` and the transaction's position in it. */
  async locateSeq(seq: bigint): Promise<{ batch: StoredBatch; txIndex: number } | undefined> {
    const tip = this.d.chain.tip();
    if (!tip || seq < 1n || seq > tip.lastSeq) return undefined;
    let lo = 0n;
    let hi = tip.index;
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      const b = await this.d.chain.batch(mid);
      if (b && b.header.firstSeq <= seq) lo = mid;
      else hi = mid - 1n;
    }
    const b = await this.d.chain.batch(lo);
    if (!b || seq < b.header.firstSeq || seq >= b.header.firstSeq + b.header.txCount) return undefined;
    return { batch: b, txIndex: Number(seq - b.header.firstSeq) };
  }

  /** The transaction hash of `seq` (undefined for genesis and unknown seqs). */
  async hashOfSeq(seq: bigint): Promise<string | undefined> {
    const at = await this.locateSeq(seq);
    return at ? at.batch.txHashes[at.txIndex] : undefined;
  }

  async seq(n: string): Promise<Record<string, unknown>> {
    const seq = uintParam(n, "seq")!;
    const at = await this.locateSeq(seq);
    if (!at) throw new ExplorerError(seq === 0n ? "seq 0 is genesis: every key starts there at 0 (or its genesis value)" : `no live transaction has seq ${seq}`, 404);
    return { seq: dec(seq), hash: at.batch.txHashes[at.txIndex], batchIndex: dec(at.batch.header.index), txIndex: at.txIndex };
  }

  // ---- batches -------------------------------------------------------------------------------------

  private finality(postedAt: bigint | undefined): { finalAt: string | null; secondsLeft: number | null } {
    if (postedAt === undefined) return { finalAt: null, secondsLeft: null };
    const finalAt = postedAt + this.window;
    return { finalAt: dec(finalAt), secondsLeft: Math.max(0, Number(finalAt) - this.d.events.head.time) };
  }

  private rollbackOf(index: bigint, l1Block: number): L1Event | undefined {
    // The first rollback after the batch was posted whose range covers it.
    return this.d.events
      .of("Inbox", "BatchesRolledBack")
      .find((e) => e.block >= l1Block && BigInt(e.args.index as string) <= index && index < BigInt(e.args.index as string) + BigInt(e.args.removedCount as string));
  }

  private batchRow(v: BatchView): Record<string, unknown> {
    const rb = v.status === "rolled back" ? this.rollbackOf(v.index, v.l1Block) : undefined;
    return {
      index: dec(v.index),
      hash: v.headerHash,
      txCount: Number(v.txCount),
      status: v.status,
      verdict: v.verdict,
      fault: v.fault ? faultJson(v.fault) : null,
      faults: (v.faults ?? []).map(faultJson),
      unreadable: v.unreadable ?? null,
      poster: v.poster.toLowerCase(),
      l1Tx: v.l1TxHash,
      l1Block: v.l1Block,
      postedAt: dec(v.postedAt),
      ...(v.status === "pending" ? this.finality(v.postedAt) : { finalAt: dec(v.postedAt + this.window), secondsLeft: v.status === "final" ? 0 : null }),
      rolledBackBy: rb ? { l1Tx: rb.txHash, kind: KIND_NAMES[Number(rb.args.kind)] ?? String(rb.args.kind), challenger: rb.args.challenger, at: rb.time } : null,
    };
  }

  private storedRow(b: StoredBatch): Record<string, unknown> {
    return {
      index: dec(b.header.index),
      hash: b.hash,
      txCount: Number(b.header.txCount),
      status: b.l1?.postedAt !== undefined && b.l1.postedAt + this.window <= BigInt(this.d.events.head.time) ? "final" : "pending",
      verdict: "not verified",
      fault: null,
      faults: [],
      unreadable: null,
      poster: b.l1?.poster?.toLowerCase() ?? null,
      l1Tx: b.l1?.txHash ?? null,
      l1Block: b.l1?.blockNumber ?? null,
      postedAt: b.l1?.postedAt !== undefined ? dec(b.l1.postedAt) : null,
      ...this.finality(b.l1?.postedAt),
      rolledBackBy: null,
    };
  }

  /** Batches newest first: `limit` of them, below index `before` if given. Rolled-back ones too. */
  async batches(q: { limit?: string; before?: string }): Promise<Record<string, unknown>[]> {
    const limit = Number(uintParam(q.limit, "limit", 1001n) ?? 50n);
    const before = uintParam(q.before, "before");
    if (this.d.verifier) {
      const all = this.d.verifier.batches().filter((b) => before === undefined || b.index < before);
      return all
        .slice(-limit)
        .reverse()
        .map((b) => this.batchRow(b));
    }
    const out: Record<string, unknown>[] = [];
    const top = this.d.chain.tip()?.index;
    if (top === undefined) return out;
    for (let i = before !== undefined && before - 1n < top ? before - 1n : top; i >= 0n && out.length < limit; i--) {
      const b = await this.d.chain.batch(i);
      if (b) out.push(this.storedRow(b));
    }
    return out;
  }

  /** One batch by index (the live one, or the latest one posted at that index) or by header hash, with its transactions. */
  async batch(id: string): Promise<Record<string, unknown>> {
    const key = id.toLowerCase();
    let view: BatchView | undefined;
    if (this.d.verifier) {
      const all = this.d.verifier.batches();
      if (isHash(key)) view = all.find((b) => b.headerHash === key);
      else {
        const i = uintParam(key, "batch index")!;
        const at = all.filter((b) => b.index === i);
        view = at.find((b) => b.status !== "rolled back") ?? at[at.length - 1];
      }
    }
    let stored: StoredBatch | undefined;
    if (view) stored = view.status === "rolled back" ? undefined : await this.d.chain.batch(view.index);
    else if (isHash(key)) {
      const i = await this.d.chain.indexOfHash(key);
      stored = i === undefined ? undefined : await this.d.chain.batch(i);
    } else stored = await this.d.chain.batch(uintParam(key, "batch index")!);
    if (stored && view && stored.hash !== view.headerHash) stored = undefined; // the node is behind the verifier
    if (!view && !stored) {
      const last = this.d.verifier?.batches().at(-1)?.index ?? this.d.chain.tip()?.index;
      throw new ExplorerError(`no batch ${id}${last !== undefined ? `: the latest is ${last}` : ": L1 has none yet"}`, 404);
    }
    const row = view ? this.batchRow(view) : this.storedRow(stored!);
    const header: BatchHeader = view ? view.header : stored!.header;
    let txs: Record<string, unknown>[] = [];
    if (stored) {
      const all = await this.d.chain.batchTxs(stored.header.index);
      txs = all.map((t, i) => this.txRow(decodeTx(t.tx), t.receipt.txHash, stored!.header.firstSeq + BigInt(i), t.receipt));
    } else if (view) {
      try {
        const raw = splitBatchData(await this.d.verifier!.batchData(view.headerHash));
        const dict = this.d.verifier!.dictionary();
        txs = raw.map(({ tx: item }, i) => {
          try {
            // Items as posted: a compressed one expanded first (protocol.md §7.7); one that does not expand is undecodable.
            const tx = decodeItem(item, dict);
            return this.txRow(tx, txIdHex(tx), header.firstSeq + BigInt(i), undefined);
          } catch (e) {
            return { index: i, seq: dec(header.firstSeq + BigInt(i)), hash: null, type: "undecodable", error: e instanceof DecodeError ? `${e.code}: ${e.message}` : String(e) };
          }
        });
      } catch {
        txs = [];
      }
    }
    return { ...row, header: headerToJson(header), transactions: txs };
  }

  private txRow(tx: Tx, hash: string, seq: bigint, r: StoredReceipt | undefined): Record<string, unknown> {
    const from = senderOrNull(tx, r);
    return {
      seq: dec(seq),
      hash,
      type: TX_TYPES[tx.type] ?? String(tx.type),
      from: tx.type === TxType.Deposit ? bytesToHex(tx.from) : from,
      to: tx.type === TxType.Deposit ? bytesToHex(tx.to) : r?.to ?? txFields(tx).to,
      status: r ? r.status : null,
      moves: tx.moves.length,
      withdrawal: r && r.withdrawal > 0n ? dec(r.withdrawal) : null,
    };
  }

  // ---- transactions --------------------------------------------------------------------------------

  async tx(hashIn: string): Promise<Record<string, unknown>> {
    const hash = hashIn.toLowerCase();
    if (!isHash(hash)) throw new ExplorerError("a transaction hash is 0x and 64 hex digits");
    const loc = await this.d.chain.txLocation(hash);
    let tx: Tx;
    let place: Record<string, unknown>;
    let receipt: StoredReceipt | undefined;
    let seq: bigint | undefined;
    if (loc) {
      const [bt, t] = await Promise.all([this.d.chain.batch(loc.index), this.d.chain.txAt(loc.index, loc.txIndex)]);
      if (!bt || !t) throw new ExplorerError(`transaction ${hash} is being moved (a rollback?): try again`, 404);
      tx = decodeTx(t.tx);
      receipt = t.receipt;
      seq = bt.header.firstSeq + BigInt(loc.txIndex);
      place = { state: "in a batch", batchIndex: dec(loc.index), batchHash: bt.hash, txIndex: loc.txIndex, seq: dec(seq), ...this.batchState(bt) };
    } else {
      const p = await this.d.coordinator?.pendingTx(hash);
      if (!p) throw new ExplorerError(`no transaction ${hash} in the chain or the mempool`, 404);
      tx = p.tx;
      place = { state: "waiting for a batch" };
    }
    const moves = await Promise.all(
      tx.moves.map(async (m) => {
        const mark = markName(m.mark);
        return {
          mark,
          addr: bytesToHex(m.addr),
          slot: HAS_SLOT.has(mark) ? dec(m.slot) : null,
          intx: dec(m.intx),
          producer: m.intx === 0n ? "genesis" : (await this.hashOfSeq(m.intx)) ?? null,
          prev: dec(m.prev),
          next: dec(m.next),
          ref: m.ref,
          mask: m.mask,
        };
      }),
    );
    const from = senderOrNull(tx, receipt);
    const fields: Record<string, unknown> = { type: TX_TYPES[tx.type] ?? String(tx.type) };
    if (tx.type === TxType.Deposit) Object.assign(fields, { depositIndex: dec(tx.index), from: bytesToHex(tx.from), to: bytesToHex(tx.to), value: dec(tx.value) });
    else {
      const f = txFields(tx);
      Object.assign(fields, {
        from,
        to: f.to,
        value: dec(f.value),
        nonce: dec(f.nonce),
        gasLimit: dec(f.gasLimit),
        witness: tx.witness.map((c) => ({ hash: bytesToHex(codeHash(c)), bytes: c.length })),
      });
    }
    if (receipt) {
      Object.assign(fields, {
        to: fields.to ?? receipt.to,
        status: receipt.status,
        gasUsed: dec(receipt.gasUsed),
        fee: dec(receipt.fee),
        withdrawal: dec(receipt.withdrawal),
        contractAddress: receipt.contractAddress,
        logs: receipt.logs.length,
      });
    }
    return { hash, ...place, ...fields, moves, seq: seq !== undefined ? dec(seq) : null };
  }

  private batchState(b: StoredBatch): Record<string, unknown> {
    const v = this.d.verifier?.verdictOf(b.hash);
    return { batchStatus: v?.status === "invalid" ? "invalid" : this.storedRow(b).status, verdict: v?.status ?? (this.d.verifier ? "unchecked" : "not verified") };
  }

  // ---- keys ----------------------------------------------------------------------------------------

  /**
   * The version history of key (mark, addr, slot), newest first, `limit` versions from the version
   * produced by `from` (default: the newest). Each version is a consuming move; its `intx` is the
   * seq of the version before.
   */
  async key(markIn: string, addrIn: string, slotIn: string | undefined, q: { from?: string; limit?: string }): Promise<Record<string, unknown>> {
    const mark = MARKS[markIn];
    if (mark === undefined) throw new ExplorerError(`mark must be one of ${Object.keys(MARKS).join(", ")}`);
    const addr = addrIn.toLowerCase();
    if (!isAddr(addr)) throw new ExplorerError("an address is 0x and 40 hex digits");
    const slot = HAS_SLOT.has(markIn) ? uintParam(slotIn ?? "0", "slot", 1n << 256n) ?? 0n : 0n;
    if (!HAS_SLOT.has(markIn) && slotIn !== undefined && slotIn !== "" && slotIn !== "0") throw new ExplorerError(`mark ${markIn} has no slot`);
    const limit = Number(uintParam(q.limit, "limit", 201n) ?? 50n);
    const latest = await readKey(this.d.cache, [], mark, addr, slot);
    let seq = uintParam(q.from, "from") ?? latest.seq;
    const versions: Record<string, unknown>[] = [];
    while (seq > 0n && versions.length < limit) {
      const at = await this.locateSeq(seq);
      if (!at) break;
      const t = await this.d.chain.txAt(at.batch.header.index, at.txIndex);
      if (!t) break;
      const tx = decodeTx(t.tx);
      const m = tx.moves.find((x) => !x.ref && x.mark === mark && bytesToHex(x.addr) === addr && x.slot === slot);
      if (!m) break; // cannot happen in a valid chain: the latest index and every intx name a consuming move of the key
      versions.push({ seq: dec(seq), hash: at.batch.txHashes[at.txIndex], batchIndex: dec(at.batch.header.index), prev: dec(m.prev), next: dec(m.next), intx: dec(m.intx) });
      seq = m.intx;
    }
    return {
      mark: markIn,
      addr,
      slot: HAS_SLOT.has(markIn) ? dec(slot) : null,
      value: dec(latest.value),
      latestSeq: dec(latest.seq),
      versions,
      more: seq > 0n && versions.length >= limit ? dec(seq) : null,
    };
  }

  async address(addrIn: string): Promise<Record<string, unknown>> {
    const addr = addrIn.toLowerCase();
    if (!isAddr(addr)) throw new ExplorerError("an address is 0x and 40 hex digits");
    const [b, n, c] = await Promise.all([Mark.Balance, Mark.Nonce, Mark.Code].map((m) => readKey(this.d.cache, [], m, addr, 0n)));
    const withdrawals = await this.withdrawalRows(addr, 100);
    return {
      address: addr,
      balance: { value: dec(b.value), seq: dec(b.seq) },
      nonce: { value: dec(n.value), seq: dec(n.seq) },
      code: { value: "0x" + c.value.toString(16).padStart(64, "0"), seq: dec(c.seq), none: c.value === 0n },
      withdrawals,
      deposits: (await this.depositRows()).filter((x) => x.to === addr || x.from === addr),
    };
  }

  // ---- bridge --------------------------------------------------------------------------------------

  /** Every deposit of the L1 queue, oldest first; `included` once a live batch has consumed it (the chain's deposit cursor). */
  private async depositRows(): Promise<Record<string, unknown>[]> {
    const tip = this.d.chain.tip();
    const cursor = tip ? ((await this.d.chain.batch(tip.index))?.header.depositEnd ?? 0n) : 0n;
    return this.d.events.of("Bridge", "Deposited").map((e) => {
      const index = BigInt(e.args.index as string);
      return {
        index: dec(index),
        from: e.args.from,
        to: e.args.to,
        value: e.args.value,
        l1Tx: e.txHash,
        l1Block: e.block,
        time: e.time,
        l2Tx: depositTxIdHex(index),
        included: index < cursor,
      };
    });
  }

  private async withdrawalRows(addr: string | undefined, limit: number): Promise<Record<string, unknown>[]> {
    const claimed = new Map(this.d.events.of("Bridge", "WithdrawalClaimed").map((e) => [e.args.seq as string, e]));
    const out: Record<string, unknown>[] = [];
    for (const w of await this.d.chain.withdrawals(addr, limit)) {
      const [bt, t] = await Promise.all([this.d.chain.batch(w.index), this.d.chain.txAt(w.index, w.txIndex)]);
      if (!bt || !t) continue;
      const c = claimed.get(dec(w.seq));
      const st = this.batchState(bt);
      const fin = this.finality(bt.l1?.postedAt);
      out.push({
        seq: dec(w.seq),
        hash: t.receipt.txHash,
        from: t.receipt.from,
        amount: dec(t.receipt.withdrawal),
        batchIndex: dec(w.index),
        status: c ? "claimed" : st.batchStatus === "final" ? "claimable" : "challenge",
        ...fin,
        claimTx: c?.txHash ?? null,
      });
    }
    return out;
  }

  async bridge(): Promise<Record<string, unknown>> {
    const deposits = (await this.depositRows()).reverse().slice(0, 200);
    return { deposits, withdrawals: await this.withdrawalRows(undefined, 200) };
  }

  // ---- proofs and games ------------------------------------------------------------------------------

  proofs(): Record<string, unknown> {
    const ev = this.d.events;
    const rollbacks = ev.of("Inbox", "BatchesRolledBack").map((e) => ({
      index: e.args.index,
      removedCount: e.args.removedCount,
      kind: KIND_NAMES[Number(e.args.kind)] ?? String(e.args.kind),
      challenger: e.args.challenger,
      reward: e.args.reward,
      burned: e.args.burned,
      l1Tx: e.txHash,
      l1Block: e.block,
      time: e.time,
    }));
    const proverEvents = ev.events.filter((e) => /Prover$/.test(e.contract)).map((e) => ({ prover: e.contract, name: e.name, args: e.args, l1Tx: e.txHash, l1Block: e.block, time: e.time }));
    const games = new Map<
      string,
      {
        id: string;
        batchIndex?: string;
        txIndex?: string;
        challenger?: string;
        created?: number;
        status: string;
        winner?: string;
        rolledBack?: boolean;
        claims: number;
        steps: number;
        events: Record<string, unknown>[];
      }
    >();
    const STATUS: Record<string, string> = { "1": "in progress", "2": "challenger wins", "3": "defender wins" }; // IDisputeGame GameStatus
    for (const e of ev.of("DisputeGame")) {
      const id = e.args.gameId as string | undefined;
      if (id === undefined) continue;
      let g = games.get(id);
      if (!g) games.set(id, (g = { id, status: "in progress", claims: 0, steps: 0, events: [] }));
      g.events.push({ name: e.name, args: e.args, l1Tx: e.txHash, l1Block: e.block, time: e.time });
      if (e.name === "GameCreated") Object.assign(g, { batchIndex: e.args.batchIndex, txIndex: e.args.txIndex, challenger: e.args.challenger, created: e.time, claims: g.claims + 1 }); // the root; the challenger's first claim is a Moved
      if (e.name === "Moved") g.claims++;
      if (e.name === "Stepped") g.steps++;
      if (e.name === "GameResolved") Object.assign(g, { status: STATUS[String(e.args.status)] ?? String(e.args.status), winner: e.args.winner, rolledBack: e.args.rolledBack });
    }
    return { game: ev.game, rollbacks: rollbacks.reverse(), proverEvents: proverEvents.reverse(), games: [...games.values()].reverse() };
  }

  // ---- status and search ---------------------------------------------------------------------------

  status(): Record<string, unknown> {
    const tip = this.d.chain.tip();
    const c = this.d.coordinator;
    return {
      l1ChainId: dec(this.d.deployment.l1ChainId),
      l2ChainId: dec(this.d.deployment.l2ChainId),
      inbox: this.d.deployment.inbox.toLowerCase(),
      bridge: this.d.deployment.bridge.toLowerCase(),
      game: this.d.events.game,
      challengeWindow: dec(this.window),
      l1: { block: this.d.events.head.number, time: this.d.events.head.time },
      l2: { block: tip ? dec(tip.index + 1n) : "0", lastSeq: tip ? dec(tip.lastSeq) : "0" },
      mempool: c?.mempoolSize ?? null,
      halted: c?.haltedAt ? { index: dec(c.haltedAt.index), reason: c.haltedAt.reason } : null,
      version: this.d.events.version,
    };
  }

  /** Where a search goes: a transaction, a batch (hash or index), an address. */
  async search(qIn: string): Promise<{ route: string }> {
    const q = qIn.trim().toLowerCase();
    if (/^\d+$/.test(q)) return { route: `#/batch/${q}` };
    if (isAddr(q)) return { route: `#/address/${q}` };
    if (isHash(q)) {
      if (await this.d.chain.txLocation(q)) return { route: `#/tx/${q}` };
      if ((await this.d.coordinator?.pendingTx(q)) !== undefined) return { route: `#/tx/${q}` };
      if (this.d.verifier?.batches().some((b) => b.headerHash === q) || (await this.d.chain.indexOfHash(q)) !== undefined) return { route: `#/batch/${q}` };
      throw new ExplorerError(`nothing known by ${q}`, 404);
    }
    throw new ExplorerError("search for a transaction or batch hash, a batch index, or an address");
  }
}

/** The sender: from the receipt, else recovered from the signature (null if it does not recover: an invalid transaction of a rolled-back batch). */
function senderOrNull(tx: Tx, r: StoredReceipt | undefined): string | null {
  if (r?.from) return r.from;
  try {
    return senderOf(tx).toLowerCase();
  } catch {
    return null;
  }
}

function faultJson(f: NonNullable<BatchView["fault"]>): Record<string, unknown> {
  return { kind: f.kind, code: f.code, txIndex: f.txIndex, seq: dec(f.seq), message: f.message, moveIndex: f.moveIndex ?? null };
}
