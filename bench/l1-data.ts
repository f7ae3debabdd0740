/**
 * L1 data per transaction, per batch:
 *  - moveset: the batch data exactly as the coordinator posts it (protocol.md §7.3): encodeBatchData
 *    over the canonical encodings of the filled wrapped transactions (raw tx + moves + code witness,
 *    which carries only code that no earlier witness carried, bench/fill.ts);
 *  - Ethereum, OP-style: the same signed transactions, RLP list per batch, zlib (best compression)
 *    per batch, as an OP Stack batcher compresses a channel.
 * Also a breakdown of moveset's bytes (raw transaction, moves, witness, framing), and a hypothetical
 * encoding (not the protocol's; it only shows where the bytes are):
 *  - compactEstimate: a per-batch dictionary of addresses (20 bytes each, then a 1-2 byte index per
 *    move) and of storage slots (33 bytes each, then a 2-byte index), no prev values (a proof fetches
 *    them from the producing transaction), the raw transaction and the witness as they are, flags
 *    and mark 2 bytes, intx and next as today.
 * Blob gas (prover/l1-pricing.ts, its rounding rule): each batch's data (moveset's, and the zlib
 * baseline's) in whole 31-byte field elements, blobs filled back to back: 32 blob gas per element.
 */
import { calldataTokens } from "../core/l1fee";
import * as zlib from "zlib";
import { RLP } from "@ethereumjs/rlp";
import { encodeBatchData } from "../core/batch";
import { Writer } from "../core/codec";
import { encodeMoves, type Move } from "../core/moves";
import { Mark } from "../core/keys";
import { decodeTx, TxType } from "../core/tx";
import type { Workload } from "./workload";
import { batchTxs, type FilledWorkload } from "./fill";
import { blobGasOf, wholeBlobs } from "../prover/l1-pricing";
import { compressItem, FLZ_ITEM, MAX_FLZ_DICT_BYTES } from "../core/flz";
import { concatBytes } from "../core/bytes";

export interface L1DataResult {
  txs: number;
  /** moveset batch data bytes per transaction. */
  bytesPerTx: number;
  /** zlib(RLP([raw...])) bytes per transaction. */
  ethZlibBytesPerTx: number;
  /** Blob gas per transaction of moveset's batch data in blobs (prover/l1-pricing.ts blobGasOf, per batch). */
  blobGasPerTx: number;
  /** The same for zlib(RLP([raw...])) per batch: the OP-style baseline. */
  ethZlibBlobGasPerTx: number;
  /** Blobs per batch when each batch takes blobs of its own (wholeBlobs), moveset and the baseline, averaged over the batches. */
  wholeBlobsPerBatch: { moveset: number; ethZlib: number };
  /** Uncompressed signed Ethereum transactions, bytes per transaction. */
  ethRawBytesPerTx: number;
  /** Where moveset's bytes go, per transaction. */
  breakdown: { raw: number; moves: number; witness: number; framing: number };
  /** Moves per transaction. */
  movesPerTx: number;
  /** Hypothetical: a compact encoding (see the top of this file), bytes per transaction. */
  bytesPerTxCompactEstimate: number;
  /** Moves per transaction by mark (b, n, c, s, f), references counted apart ("c-ref"). */
  movesByMark: Record<string, number>;
  /**
   * Calldata gas (EIP-2028: 4 × EIP-7623 tokens) of the batch data per transaction: OP's l1GasUsed unit, the one
   * the L1 data fee charges for (protocol.md §6.6); appendGasPerTx over it is what baseFeeScalar must cover.
   */
  calldataGasPerTx: number;
  /**
   * Compressed items (protocol.md §7.7): the same batches with each transaction posted as core/flz.ts `compressItem`
   * makes it (compressed where that is shorter, else raw), with a dictionary of the last 8,191 bytes of the encodings
   * of the batches before the measured ones (known before them, as a deployment's dictionary must be; trained on
   * this workload, so an upper bound of what a dictionary chosen before a chain's traffic gives).
   */
  compressed: CompressedL1Data;
  /**
   * The same with the dictionary a deployment ships with (deploy/flz-dictionary.hex, scripts/gen-dictionary.ts:
   * trained on another seed's workload, chosen before this chain's traffic), when one is given.
   */
  compressedShipped?: CompressedL1Data;
}

/** Compressed items' L1 data per transaction with one dictionary. */
export interface CompressedL1Data {
  bytesPerTx: number;
  blobGasPerTx: number;
  calldataGasPerTx: number;
  /** Share of items posted compressed (the rest are shorter raw). */
  compressedShare: number;
  dictBytes: number;
}

/** The dictionary the bench's compressed batches use: the last MAX_FLZ_DICT_BYTES − 1 bytes of the encodings before batch `fromBatch`. */
export function trainedDictionary(w: Workload, f: FilledWorkload, fromBatch: number): Uint8Array {
  const before = w.batches.slice(0, fromBatch).flatMap((b) => f.encoded.slice(b.start, b.start + b.count));
  const all = concatBytes(...before);
  return all.slice(Math.max(0, all.length - (MAX_FLZ_DICT_BYTES - 1)));
}

const varintLen = (v: bigint | number): number => new Writer().varint(v).finish().length;
const u256cLen = (v: bigint): number => new Writer().u256c(v).finish().length;

function movesBytes(moves: readonly Move[]): number {
  const w = new Writer();
  encodeMoves(w, moves);
  return w.finish().length;
}

/** Batches [fromBatch, end) with each transaction posted as compressItem(enc, dict) makes it. */
export function measureCompressed(w: Workload, f: FilledWorkload, fromBatch: number, dict: Uint8Array): CompressedL1Data {
  const cz = { txs: 0, bytes: 0, blobGas: 0, tokens: 0n, compressed: 0 };
  for (const b of w.batches.slice(fromBatch)) {
    const items = batchTxs(w, f, b).map((e) => ({ gas: e.gas, tx: compressItem(e.tx, dict) }));
    const cdata = encodeBatchData(items);
    cz.txs += b.count;
    cz.bytes += cdata.length;
    cz.blobGas += blobGasOf(cdata.length);
    cz.tokens += calldataTokens(cdata);
    cz.compressed += items.filter((i) => i.tx[0] === FLZ_ITEM).length;
  }
  const per = (n: number) => n / cz.txs;
  return { bytesPerTx: per(cz.bytes), blobGasPerTx: per(cz.blobGas), calldataGasPerTx: per(4 * Number(cz.tokens)), compressedShare: per(cz.compressed), dictBytes: dict.length };
}

/** Measures batches [fromBatch, end); with `shipped`, compressed items with that dictionary too. */
export function measureL1Data(w: Workload, f: FilledWorkload, fromBatch: number, shipped?: Uint8Array): L1DataResult {
  let txs = 0;
  let ms = 0;
  let tokens = 0n;
  let eth = 0;
  let ethRaw = 0;
  let blobGas = 0;
  let ethBlobGas = 0;
  const blobs = { moveset: 0, ethZlib: 0 };
  let batches = 0;
  let compact = 0;
  let moveCount = 0;
  const byMark: Record<string, number> = {};
  const br = { raw: 0, moves: 0, witness: 0, framing: 0 };
  for (const b of w.batches.slice(fromBatch)) {
    const enc = f.encoded.slice(b.start, b.start + b.count);
    const raws = w.txs.slice(b.start, b.start + b.count).map((t) => t.raw);
    const entries = batchTxs(w, f, b);
    const data = encodeBatchData(entries);
    const z = zlib.deflateSync(RLP.encode(raws), { level: zlib.constants.Z_BEST_COMPRESSION }).length;
    ms += data.length;
    tokens += calldataTokens(data);
    eth += z;
    blobGas += blobGasOf(data.length);
    ethBlobGas += blobGasOf(z);
    blobs.moveset += wholeBlobs(data.length);
    blobs.ethZlib += wholeBlobs(z);
    batches++;
    for (const r of raws) ethRaw += r.length;
    let inner = 0;
    const addrs = new Set<string>();
    const slots = new Set<string>();
    compact += 1 + varintLen(enc.length);
    for (const [j, e] of enc.entries()) {
      const tx = decodeTx(e);
      compact += varintLen(w.txs[b.start + j].gasLimit); // declared gas (protocol.md §7.3)
      if (tx.type !== TxType.Wrapped) throw new Error("the workload has only wrapped transactions");
      const mb = movesBytes(tx.moves);
      let wb = 0;
      for (const c of tx.witness) wb += c.length;
      br.raw += tx.raw.length;
      br.moves += mb;
      br.witness += wb;
      inner += tx.raw.length + mb + wb;
      moveCount += tx.moves.length;
      compact += 2 + varintLen(tx.raw.length) + tx.raw.length + varintLen(tx.moves.length); // type, length, raw, move count
      compact += varintLen(tx.witness.length) + tx.witness.reduce((n, c) => n + varintLen(c.length) + c.length, 0);
      for (const m of tx.moves) {
        const k = `${String.fromCharCode(m.mark)}${m.ref ? "-ref" : ""}`;
        byMark[k] = (byMark[k] ?? 0) + 1;
        const a = Buffer.from(m.addr).toString("hex");
        addrs.add(a);
        compact += 2 + varintLen(m.intx) + (addrs.size > 128 ? 2 : 1);
        if (m.mark === Mark.Storage) {
          slots.add(`${a}/${m.slot.toString(16)}`);
          compact += 2;
        } else if (m.mark === Mark.Fee || m.mark === Mark.Withdrawal) compact += u256cLen(m.slot);
        if (!m.ref) compact += u256cLen(m.next);
      }
    }
    compact += 20 * addrs.size + 33 * slots.size;
    br.framing += data.length - inner;
    txs += b.count;
  }
  const per = (n: number) => n / txs;
  return {
    txs,
    bytesPerTx: per(ms),
    ethZlibBytesPerTx: per(eth),
    blobGasPerTx: per(blobGas),
    ethZlibBlobGasPerTx: per(ethBlobGas),
    wholeBlobsPerBatch: { moveset: blobs.moveset / batches, ethZlib: blobs.ethZlib / batches },
    ethRawBytesPerTx: per(ethRaw),
    breakdown: { raw: per(br.raw), moves: per(br.moves), witness: per(br.witness), framing: per(br.framing) },
    movesPerTx: per(moveCount),
    bytesPerTxCompactEstimate: per(compact),
    movesByMark: Object.fromEntries(Object.entries(byMark).map(([k, n]) => [k, per(n)])),
    calldataGasPerTx: per(4 * Number(tokens)),
    compressed: measureCompressed(w, f, fromBatch, trainedDictionary(w, f, fromBatch)),
    ...(shipped ? { compressedShipped: measureCompressed(w, f, fromBatch, shipped) } : {}),
  };
}
