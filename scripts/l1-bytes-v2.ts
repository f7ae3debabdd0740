/**
 * Byte accounting for encoding v2 (issue 15; docs/protocol.md "Encoding v2 (draft, not yet in force)"):
 * what each idea saves on the bench workload, measured by encoding every filled transaction with the
 * idea on. Nothing here is the protocol: the live encoding is core/tx.ts; this only measures a draft.
 *
 *   npx ts-node --transpile-only scripts/l1-bytes-v2.ts [--full] [--seed S]
 *
 * `encodeV2(tx, ctx, opts)` with every option off is byte for byte `encodeTx(tx)` (a test checks it), so
 * each row of the table differs from the live encoding only by the ideas switched on:
 *   noPrev        a move's prev is not posted (a proof and a validator take the producer's next), but for
 *                 the sender's balance and fee sweeps (the rules before execution read them);
 *   derived       the sender's nonce move posts only its producer (prev = the raw transaction's nonce,
 *                 next = nonce + 1) and the fee output (next = gasUsed × priority fee, to the batch's fee
 *                 recipient) nothing; gasUsed is posted;
 *   producers     intx as seq − intx (0 for genesis): recent producers take one byte ("delta"); or a per-transaction
 *                 table of the distinct intx values (each as a delta), each move naming one by a u8 ("table");
 *   grouped       keys grouped per account: the address once, then a kinds byte (n, b, c each absent,
 *                 consumed or referenced; storage and other marks present), then the keys;
 *   addrRefs      an address as a 1-byte reference (sender, `to`, fee recipient, a 32-byte word of the
 *                 calldata) or a registry id (1 byte + varint), else 0x00 and 20 bytes;
 *   mappingSlots  a storage key as (kind, base) in the move's flags byte: the slot itself (0..31), a
 *                 mapping entry keccak(addr . base), a nested one keccak(b . keccak(a . base)), or a u256c;
 *   noRlp         the Ethereum transaction as fields without RLP: no chain id, no gas limit (it is the
 *                 batch's declared gas, §7.3), `to` by reference, a 64-byte signature (yParity in s's top bit);
 * and then per-transaction FastLZ (level 1, the format Solady's LibZip decodes) with a preset dictionary.
 */
import { flzCompress } from "../core/flz";
import * as zlib from "zlib";
import { Transaction } from "ethers";
import { RLP } from "@ethereumjs/rlp";
import { Writer } from "../core/codec";
import { bytesToHex, compareBytes, hexToBytes, keccak256, toFixed } from "../core/bytes";
import { encodeMoves, FLAG_REF, MARK_SAME_ADDR, type Move } from "../core/moves";
import { Mark, markHasSlot } from "../core/keys";
import { decodeTx, TxType, type WrappedTx } from "../core/tx";
import { encodeBatchData, type BatchTx } from "../core/batch";
import { Executor } from "../core/evm/execute";
import { generateWorkload, type Workload } from "../bench/workload";
import { fillWorkload, type FilledWorkload } from "../bench/fill";
import { FULL, QUICK } from "../bench/run";
import { blobGasOf } from "../prover/l1-pricing";

export interface V2Options {
  noPrev: boolean;
  derived: boolean;
  producers: false | "delta" | "table";
  grouped: boolean;
  addrRefs: boolean;
  mappingSlots: boolean;
  noRlp: boolean;
}

export const IDEAS: readonly (keyof V2Options)[] = ["noPrev", "derived", "producers", "grouped", "addrRefs", "mappingSlots", "noRlp"];
/** Ideas measured but left out of the draft (they save nothing here): their row is measured, the next rows go on without them. */
export const REJECTED: readonly (keyof V2Options)[] = ["producers"];
export const V1: V2Options = { noPrev: false, derived: false, producers: false, grouped: false, addrRefs: false, mappingSlots: false, noRlp: false };

/** What a v2 decoder knows besides the transaction: its seq, the batch's fee recipient and base fee, the address registry. */
export interface V2Context {
  seq: bigint;
  feeRecipient: Uint8Array;
  baseFee: bigint;
  /** Gas the transaction used (posted when the fee output is derived). */
  gasUsed: bigint;
  /** The chain-wide address registry: lower-case hex → id. */
  registry: Map<string, number>;
}

/** Address reference tags (addrRefs). */
export const AddrRef = { Literal: 0x00, Sender: 0x01, To: 0x02, FeeRecipient: 0x03, Registry: 0x04, CalldataWord: 0x20 } as const;
/** Storage key kinds in bits 5-6 of a storage move's flags byte (mappingSlots); bits 0-4 are the base. */
export const SlotKind = { Raw: 0, Mapping: 1, Nested: 2, Small: 3 } as const;

const word = (a: Uint8Array): Uint8Array => toFixed(BigInt(bytesToHex(a)), 32);
const catHash = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const x = new Uint8Array(64);
  x.set(a, 0);
  x.set(b, 32);
  return keccak256(x);
};

interface TxView {
  e: Transaction;
  sender: Uint8Array;
  to: Uint8Array | null;
  data: Uint8Array;
  priorityFee: bigint;
}

function viewOf(tx: WrappedTx, baseFee: bigint): TxView {
  const e = Transaction.from(bytesToHex(tx.raw));
  const price = e.type === 2 ? (e.maxPriorityFeePerGas! + baseFee < e.maxFeePerGas! ? e.maxPriorityFeePerGas! + baseFee : e.maxFeePerGas!) : e.gasPrice!;
  return { e, sender: hexToBytes(e.from!.toLowerCase() as `0x${string}`), to: e.to ? hexToBytes(e.to.toLowerCase() as `0x${string}`) : null, data: hexToBytes(e.data as `0x${string}`), priorityFee: price - baseFee };
}

/** The 1-byte references an address can take in this transaction, cheapest first (addrRefs). */
function refOf(a: Uint8Array, v: TxView, c: V2Context, allowTx: boolean): number[] | null {
  const eq = (b: Uint8Array | null) => b !== null && compareBytes(a, b) === 0;
  if (allowTx && eq(v.sender)) return [AddrRef.Sender];
  if (allowTx && eq(v.to)) return [AddrRef.To];
  if (eq(c.feeRecipient)) return [AddrRef.FeeRecipient];
  if (allowTx)
    for (let k = 0; k < 32 && 4 + 32 * k + 32 <= v.data.length; k++) {
      const w = v.data.subarray(4 + 32 * k, 4 + 32 * k + 32);
      if (w.subarray(0, 12).every((x) => x === 0) && compareBytes(w.subarray(12), a) === 0) return [AddrRef.CalldataWord + k];
    }
  const id = c.registry.get(bytesToHex(a));
  if (id !== undefined) return [AddrRef.Registry, id];
  return null;
}

function writeAddr(w: Writer, a: Uint8Array, v: TxView, c: V2Context, o: V2Options, allowTx = true): void {
  if (!o.addrRefs) return void w.fixed(a, 20);
  const r = refOf(a, v, c, allowTx);
  if (!r) return void w.u8(AddrRef.Literal).fixed(a, 20);
  w.u8(r[0]);
  if (r[0] === AddrRef.Registry) w.varint(r[1]);
}

/** How a storage key is written (mappingSlots): its kind and base, and the addresses it is derived from. */
interface SlotForm {
  kind: number;
  base: number;
  addrs: Uint8Array[];
}

/** Finds a storage key among the mapping entries of the transaction's candidate addresses (bases 0..31, nesting 2). */
function slotFormOf(slot: bigint, cands: Uint8Array[], cache: Map<string, SlotForm>): SlotForm {
  if (slot < 32n) return { kind: SlotKind.Small, base: Number(slot), addrs: [] };
  if (cache.size === 0) {
    const inner: [Uint8Array, SlotForm][] = [];
    for (const a of cands)
      for (let p = 0; p < 32; p++) {
        const h = catHash(word(a), toFixed(BigInt(p), 32));
        const f = { kind: SlotKind.Mapping, base: p, addrs: [a] };
        cache.set(bytesToHex(h), f);
        if (p < 8) inner.push([h, f]);
      }
    for (const [h, f] of inner) for (const b of cands) cache.set(bytesToHex(catHash(word(b), h)), { kind: SlotKind.Nested, base: f.base, addrs: [f.addrs[0], b] });
  }
  return cache.get(bytesToHex(toFixed(slot, 32))) ?? { kind: SlotKind.Raw, base: 0, addrs: [] };
}

/**
 * The moves v2 posts (derived: the fee output is dropped), and which of them post no value: with `derived`
 * the sender's nonce move (prev = the transaction's nonce, next = nonce + 1) posts only its producer.
 */
function postedMoves(tx: WrappedTx, v: TxView, c: V2Context, o: V2Options): { moves: Move[]; derivedNonce: Move | undefined } {
  if (!o.derived) return { moves: tx.moves, derivedNonce: undefined };
  const derivedNonce = tx.moves.find((m) => m.mark === Mark.Nonce && !m.ref && compareBytes(m.addr, v.sender) === 0 && m.prev === BigInt(v.e.nonce) && m.next === m.prev + 1n);
  const moves = tx.moves.filter((m) => !(m.mark === Mark.Fee && m.slot === c.seq && compareBytes(m.addr, c.feeRecipient) === 0 && m.intx === 0n && m.prev === 0n && m.next === c.gasUsed * v.priorityFee));
  return { moves, derivedNonce };
}

/**
 * Whether a move's prev is posted with noPrev on: only where a rule before execution reads it, the
 * sender's balance and each fee sweep (the sender's code prev is derived: 0).
 */
function prevPosted(m: Move, v: TxView, c: V2Context): boolean {
  if (m.mark === Mark.Fee) return m.slot !== c.seq;
  return m.mark === Mark.Balance && compareBytes(m.addr, v.sender) === 0;
}

/** The transaction in the draft encoding v2 with the ideas `o` on; all off: exactly encodeTx(tx). */
export function encodeV2(tx: WrappedTx, c: V2Context, o: V2Options): Uint8Array {
  const v = viewOf(tx, c.baseFee);
  const w = new Writer();
  w.u8(TxType.Wrapped);
  if (o.noRlp) writeEthTx(w, v, c, o);
  else w.bytes(tx.raw);
  const { moves, derivedNonce } = postedMoves(tx, v, c, o);
  if (o.derived) w.varint(c.gasUsed);
  const table = [...new Set(moves.map((m) => m.intx))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const delta = (t: bigint) => (t === 0n ? 0n : c.seq - t);
  if (o.producers === "table") {
    w.varint(table.length);
    for (const t of table) w.varint(delta(t));
  }
  const intx = (m: Move) => (o.producers === "table" ? w.u8(table.indexOf(m.intx)) : w.varint(o.producers === "delta" ? delta(m.intx) : m.intx));
  const values = (m: Move) => {
    if (m === derivedNonce) return;
    if (!o.noPrev || prevPosted(m, v, c)) w.u256c(m.prev);
    if (!m.ref) w.u256c(m.next);
  };
  const cands = [v.sender, ...(v.to ? [v.to] : []), ...moves.map((m) => m.addr)];
  const cache = new Map<string, SlotForm>();
  const storageHead = (m: Move) => {
    if (!o.mappingSlots) return void w.u8(m.ref ? FLAG_REF : 0);
    const f = slotFormOf(m.slot, cands, cache);
    w.u8((m.ref ? FLAG_REF : 0) | (f.kind << 5) | f.base);
    if (f.kind === SlotKind.Raw) w.u256c(m.slot);
    for (const a of f.addrs) writeAddr(w, a, v, c, o);
  };
  if (!o.grouped && !o.mappingSlots && !o.addrRefs && !o.producers && !o.noPrev && !o.derived) encodeMoves(w, moves);
  else if (!o.grouped) {
    w.varint(moves.length);
    let prevAddr: Uint8Array | undefined;
    for (const m of moves) {
      const same = prevAddr !== undefined && compareBytes(prevAddr, m.addr) === 0;
      if (m.mark === Mark.Storage && o.mappingSlots) storageHead(m);
      else w.u8(m.ref ? FLAG_REF : 0);
      w.u8(m.mark | (same ? MARK_SAME_ADDR : 0));
      intx(m);
      if (!same) writeAddr(w, m.addr, v, c, o);
      if (markHasSlot(m.mark) && !(m.mark === Mark.Storage && o.mappingSlots)) w.u256c(m.slot);
      values(m);
      prevAddr = m.addr;
    }
  } else {
    const groups: Move[][] = [];
    for (const m of moves) {
      const g = groups[groups.length - 1];
      if (g && compareBytes(g[0].addr, m.addr) === 0) g.push(m);
      else groups.push([m]);
    }
    w.varint(groups.length);
    for (const g of groups) {
      writeAddr(w, g[0].addr, v, c, o);
      const of = (mark: number) => g.find((m) => m.mark === mark);
      const state = (m: Move | undefined) => (m ? (m.ref ? 2 : 1) : 0);
      const storage = g.filter((m) => m.mark === Mark.Storage);
      const other = g.filter((m) => m.mark === Mark.Fee || m.mark === Mark.Withdrawal);
      w.u8(state(of(Mark.Nonce)) | (state(of(Mark.Balance)) << 2) | (state(of(Mark.Code)) << 4) | (storage.length ? 0x40 : 0) | (other.length ? 0x80 : 0));
      for (const mark of [Mark.Nonce, Mark.Balance, Mark.Code]) {
        const m = of(mark);
        if (m) {
          intx(m);
          values(m);
        }
      }
      if (storage.length) {
        w.varint(storage.length);
        for (const m of storage) {
          storageHead(m);
          if (!o.mappingSlots) w.u256c(m.slot);
          intx(m);
          values(m);
        }
      }
      if (other.length) {
        w.varint(other.length);
        for (const m of other) {
          w.u8(m.mark | (m.ref ? FLAG_REF : 0));
          w.u256c(m.slot);
          if (m.slot === c.seq) w.u256c(m.next); // an output: intx and prev are 0, not written
          else {
            intx(m);
            values(m);
          }
        }
      }
    }
  }
  w.varint(tx.witness.length);
  for (const code of tx.witness) w.bytes(code);
  return w.finish();
}

/** The Ethereum transaction without RLP (noRlp): see the top of this file. */
function writeEthTx(w: Writer, v: TxView, c: V2Context, o: V2Options): void {
  const e = v.e;
  const kind = e.type === 2 ? 3 : e.type === 1 ? 2 : e.chainId === 0n ? 0 : 1;
  w.u8(kind | (v.to ? 0x04 : 0));
  w.varint(e.nonce);
  if (e.type === 2) w.u256c(e.maxPriorityFeePerGas!).u256c(e.maxFeePerGas!);
  else w.u256c(e.gasPrice!);
  if (v.to) writeAddr(w, v.to, v, c, o, false);
  w.u256c(e.value);
  w.bytes(v.data);
  if (e.type !== 0) {
    const al = e.accessList ?? [];
    w.varint(al.length);
    for (const a of al) {
      writeAddr(w, hexToBytes(a.address.toLowerCase() as `0x${string}`), v, c, o, false);
      w.varint(a.storageKeys.length);
      for (const k of a.storageKeys) w.fixed(hexToBytes(k as `0x${string}`), 32);
    }
  }
  const sig = e.signature!;
  const s = toFixed(BigInt(sig.s), 32);
  if (sig.yParity) s[0] |= 0x80; // low s (< n/2) leaves the top bit free: EIP-2098
  w.fixed(toFixed(BigInt(sig.r), 32), 32).fixed(s, 32);
}

// ---- FastLZ (level 1) with a preset dictionary ---------------------------------------------------

/**
 * FastLZ level-1 blocks of `input` whose matches may also reach into `dict` (the reference encoder of compressed
 * items, core/flz.ts `flzCompress`, protocol.md §7.7): decoding is FastLZ's with the output starting as `dict`;
 * equivalently Solady's decoder over literalBlocks(dict) || this output, less the dict.
 */
export const flzCompressWithDict = flzCompress;

/** Literal FastLZ blocks of `b` (how a dictionary is prepended for a decoder without one). */
export function flzLiterals(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 32) {
    const run = b.subarray(i, i + 32);
    out.push(run.length - 1, ...run);
  }
  return Uint8Array.from(out);
}

// ---- the measurement ------------------------------------------------------------------------------

export interface Measured {
  txs: number;
  /** Batch data bytes per transaction (framing included) by configuration. */
  rows: { name: string; bytesPerTx: number }[];
  /** Each idea alone, saving from v1 (bytes per transaction). */
  alone: Record<string, number>;
  /** All ideas, then FastLZ per transaction with a dictionary of each size (0 = none). */
  compressed: { dictBytes: number; bytesPerTx: number; blobGasPerTx: number }[];
  ethZlibBytesPerTx: number;
  ethZlibBlobGasPerTx: number;
  v2ZlibPerBatchBytesPerTx: number;
  /** Every idea on but with an empty address registry (its part in addrRefs). */
  noRegistryBytesPerTx: number;
  /** Transactions whose nonce move or fee output could not be derived (they keep it posted). */
  notDerived: number;
  /**
   * Stages, each compressed with the largest dictionary measured (trained on its own encoding): v1; every
   * idea but `noPrev` (items that still expand to what v1 carries, so no new commitment is needed: the
   * proofs keep reading `prev` from the transaction); every idea; and every idea with each `next` value but
   * the derived ones written as one byte (0): an estimate of an encoding that posts no `next` values at all,
   * the only part of v2 left that the baseline does not carry.
   */
  stages: { v1: number; keepPrev: number; all: number; noNextEstimate: number; dictBytes: number };
}

export function measureV2(w: Workload, f: FilledWorkload, dictSizes = [0, 1024, 2048, 4096, 8191]): Measured {
  const registry = new Map<string, number>();
  for (const a of [...w.tokens, ...w.pools.map((p) => p.address)]) registry.set(a.toLowerCase(), registry.size);
  const feeRecipient = hexToBytes(w.feeRecipient.toLowerCase() as `0x${string}`);
  const ctxOf = (i: number, baseFee: bigint): V2Context => ({ seq: BigInt(i + 1), feeRecipient, baseFee, gasUsed: f.gasUsed[i], registry });
  const train = w.batches[w.firstMainBatch];
  const measured = w.batches.slice(w.firstMainBatch + 1);
  if (!measured.length) throw new Error("the workload needs two main batches: one trains the dictionary, the others are measured");
  const encodeBatches = (enc: (i: number, baseFee: bigint) => Uint8Array) => {
    let bytes = 0;
    let blob = 0;
    let txs = 0;
    for (const b of measured) {
      const bt: BatchTx[] = [];
      for (let i = b.start; i < b.start + b.count; i++) bt.push({ gas: w.txs[i].gasLimit, tx: enc(i, b.env.baseFee) });
      const d = encodeBatchData(bt);
      bytes += d.length;
      blob += blobGasOf(d.length);
      txs += b.count;
    }
    return { bytesPerTx: bytes / txs, blobGasPerTx: blob / txs, txs };
  };
  const wrapped = (i: number) => decodeTx(f.encoded[i]) as WrappedTx;
  const run = (o: V2Options) => encodeBatches((i, bf) => encodeV2(wrapped(i), ctxOf(i, bf), o)).bytesPerTx;
  const rows: Measured["rows"] = [{ name: "v1 (live)", bytesPerTx: run(V1) }];
  let o = { ...V1 };
  for (const k of IDEAS) {
    const with_ = { ...o, [k]: k === "producers" ? "delta" : true };
    rows.push({ name: REJECTED.includes(k) ? `(+ ${k}, rejected)` : `+ ${k}`, bytesPerTx: run(with_) });
    if (!REJECTED.includes(k)) o = with_;
  }
  const alone: Record<string, number> = {};
  for (const k of IDEAS) alone[k] = rows[0].bytesPerTx - run({ ...V1, [k]: k === "producers" ? "delta" : true });
  alone["producers (table)"] = rows[0].bytesPerTx - run({ ...V1, producers: "table" });
  const all = o;
  const noRegistryBytesPerTx = encodeBatches((i, bf) => encodeV2(wrapped(i), { ...ctxOf(i, bf), registry: new Map() }, all)).bytesPerTx;
  let notDerived = 0;
  for (const b of measured)
    for (let i = b.start; i < b.start + b.count; i++) {
      const t = wrapped(i);
      const d = postedMoves(t, viewOf(t, b.env.baseFee), ctxOf(i, b.env.baseFee), all);
      if (!d.derivedNonce || d.moves.length !== t.moves.length - 1) notDerived++;
    }
  // The dictionary: the v2 encodings of the training batch's transactions, most recent last, cut to size.
  const trainBytes: number[] = [];
  for (let i = train.start; i < train.start + train.count; i++) trainBytes.push(...encodeV2(wrapped(i), ctxOf(i, train.env.baseFee), all));
  const compressed = dictSizes.map((n) => {
    const dict = Uint8Array.from(trainBytes.slice(trainBytes.length - n));
    const r = encodeBatches((i, bf) => flzCompressWithDict(encodeV2(wrapped(i), ctxOf(i, bf), all), dict));
    return { dictBytes: n, bytesPerTx: r.bytesPerTx, blobGasPerTx: r.blobGasPerTx };
  });
  const dictN = Math.max(...dictSizes);
  const stage = (o: V2Options, strip = false) => {
    const enc = (i: number, bf: bigint) => {
      const t = wrapped(i);
      const c = ctxOf(i, bf);
      if (!strip) return encodeV2(t, c, o);
      const keep = postedMoves(t, viewOf(t, bf), c, o).derivedNonce;
      return encodeV2({ ...t, moves: t.moves.map((m) => (m === keep || (m.mark === Mark.Fee && m.slot === c.seq) ? m : { ...m, next: 0n })) }, c, o);
    };
    const tb: number[] = [];
    for (let i = train.start; i < train.start + train.count; i++) tb.push(...enc(i, train.env.baseFee));
    const dict = Uint8Array.from(tb.slice(tb.length - dictN));
    return encodeBatches((i, bf) => flzCompressWithDict(enc(i, bf), dict)).bytesPerTx;
  };
  const stages = { v1: stage(V1), keepPrev: stage({ ...all, noPrev: false }), all: stage(all), noNextEstimate: stage(all, true), dictBytes: dictN };
  let eth = 0;
  let ethBlob = 0;
  let v2z = 0;
  let txs = 0;
  for (const b of measured) {
    const raws = w.txs.slice(b.start, b.start + b.count).map((t) => t.raw);
    const z = zlib.deflateSync(RLP.encode(raws), { level: zlib.constants.Z_BEST_COMPRESSION }).length;
    eth += z;
    ethBlob += blobGasOf(z);
    const bt: BatchTx[] = [];
    for (let i = b.start; i < b.start + b.count; i++) bt.push({ gas: w.txs[i].gasLimit, tx: encodeV2(wrapped(i), ctxOf(i, b.env.baseFee), all) });
    v2z += zlib.deflateSync(encodeBatchData(bt), { level: zlib.constants.Z_BEST_COMPRESSION }).length;
    txs += b.count;
  }
  return { txs, rows, alone, compressed, ethZlibBytesPerTx: eth / txs, ethZlibBlobGasPerTx: ethBlob / txs, v2ZlibPerBatchBytesPerTx: v2z / txs, noRegistryBytesPerTx, notDerived, stages };
}

export function formatMeasured(m: Measured): string {
  const L: string[] = [`${m.txs} transactions measured (the main batches after the first, which trains the dictionary)`, "", "| encoding | bytes/tx | saved by the step | saved alone (from v1) |", "|---|---:|---:|---:|"];
  for (const [i, r] of m.rows.entries()) {
    const k = r.name.replace(/^\+ /, "");
    const k2 = k.replace(/^\(\+ (\w+), rejected\)$/, "$1");
    const before = m.rows.slice(0, i).filter((x) => !x.name.includes("rejected")).pop();
    L.push(`| ${r.name} | ${r.bytesPerTx.toFixed(1)} | ${before ? (before.bytesPerTx - r.bytesPerTx).toFixed(1) : ""} | ${i ? m.alone[k2].toFixed(1) : ""} |`);
  }
  for (const c of m.compressed) L.push(`| + FastLZ per tx, ${c.dictBytes ? `${c.dictBytes}-byte dictionary` : "no dictionary"} | ${c.bytesPerTx.toFixed(1)} | | |`);
  L.push("");
  L.push(`eth txs + zlib per batch: ${m.ethZlibBytesPerTx.toFixed(1)} bytes/tx, ${m.ethZlibBlobGasPerTx.toFixed(1)} blob gas/tx; v2 + zlib per batch (not decodable per transaction): ${m.v2ZlibPerBatchBytesPerTx.toFixed(1)} bytes/tx`);
  const best = m.compressed.reduce((a, b) => (b.bytesPerTx < a.bytesPerTx ? b : a));
  L.push(`best v2: ${best.bytesPerTx.toFixed(1)} bytes/tx (${(best.bytesPerTx / m.ethZlibBytesPerTx).toFixed(2)}x eth+zlib), ${best.blobGasPerTx.toFixed(1)} blob gas/tx (${(best.blobGasPerTx / m.ethZlibBlobGasPerTx).toFixed(2)}x)`);
  L.push(`intx as a per-transaction producer table (alone): saves ${m.alone["producers (table)"].toFixed(1)} bytes/tx`);
  L.push(`every idea but without the address registry (tokens and pools): ${m.noRegistryBytesPerTx.toFixed(1)} bytes/tx`);
  L.push(`transactions keeping a posted nonce move or fee output: ${m.notDerived}`);
  const st = m.stages;
  const x = (b: number) => `${b.toFixed(1)} bytes/tx (${(b / m.ethZlibBytesPerTx).toFixed(2)}x eth+zlib)`;
  L.push(`stages, FastLZ with a ${st.dictBytes}-byte dictionary each: v1 ${x(st.v1)}; every idea but noPrev ${x(st.keepPrev)}; every idea ${x(st.all)}; and without next values (estimate) ${x(st.noNextEstimate)}`);
  return L.join("\n");
}

async function main(): Promise<void> {
  const full = process.argv.includes("--full");
  const si = process.argv.indexOf("--seed");
  const preset = full ? FULL : QUICK;
  const w = await generateWorkload({ seed: si > 0 ? process.argv[si + 1] : "1", accounts: preset.accounts, txs: preset.txs, batchSize: preset.batchSize });
  const f = await fillWorkload(w, await Executor.create(w.chainId));
  console.log(formatMeasured(measureV2(w, f)));
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
