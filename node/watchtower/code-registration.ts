/**
 * What a game's player registers with the code registry before a step can need it (protocol.md §13.1): the bytes of
 * every code its trace reads (staged piece by piece when larger than one part), and for each code a witness carries, a
 * carrier: the disputed transaction itself or the earliest transaction before it that carries the code. The side that
 * claims the code is available shows it; what L1 has already is skipped (read at call time).
 */
import type { Contract } from "ethers";
import { decodeItem, headerToAbi, type BatchHeader, type BatchTx } from "../../core/batch";
import { bytesToHex } from "../../core/bytes";
import { codeHash, TxType } from "../../core/tx";
import { txProofArg } from "../../prover/build";
import type { StepTrace } from "../../prover/step-trace";
import type { Logger } from "../log";
import type { ChainView } from "../../prover/build";

/** Bytes per part of a registered code (CodeReader.PART) and the index of part 0's bitmap (CodeReader.BITMAP). */
const PART = 24_568;
const BITMAP = 128;

/** Where a carrier of code is found beyond the disputed transaction's batch: the chain's first carrier of each code. */
export interface CarrierSource {
  codeCarrierSeq(hash: string): bigint | undefined;
  chainView(): ChainView;
}

/** One registry call: its calldata and what it registers. */
export interface RegistrationCall {
  data: string;
  what: string;
}

/** The disputed transaction (its batch, position and seq) and its trace. */
export interface TracedTx {
  header: BatchHeader;
  /** The batch's items as posted (a carrier's proof carries its item as posted, protocol.md §7.7). */
  txs: BatchTx[];
  txIndex: number;
  seq: bigint;
  truth: StepTrace;
  /** The deployment's dictionary of compressed items (§7.7), to read the witnesses of compressed items; none if empty. */
  dictionary?: Uint8Array;
}

/** The registry calls, in order, that make the code `t`'s steps read available on L1, as far as L1 lacks them. */
export async function registrationCalls(registry: Contract, t: TracedTx, source?: CarrierSource, log?: Logger): Promise<RegistrationCall[]> {
  const r = registry.interface;
  const out: RegistrationCall[] = [];
  for (const c of t.truth.usedCode()) {
    if (!(await registry.getFunction("isRegistered")(c.hash))) {
      const bytes = bytesToHex(c.bytes);
      if (c.bytes.length > PART) {
        const parts = Math.ceil(c.bytes.length / PART);
        for (let i = 0; i < parts; i++) out.push({ data: r.encodeFunctionData("stage", [bytes, i]), what: `code ${c.hash} part ${i}` });
        for (let i = 0; i < parts; i++) out.push({ data: r.encodeFunctionData("stage", [bytes, BITMAP + i]), what: `code ${c.hash} bitmap ${i}` });
      }
      out.push({ data: r.encodeFunctionData("register", [bytes]), what: `code ${c.hash}` });
    }
    if (c.carried && !(await registry.getFunction("carriedBy")(c.hash, t.seq))) {
      const carrier = await carrierOf(c.hash, t, source);
      if (!carrier) {
        log?.error({ code: c.hash, seq: t.seq }, "no carrier found for code the trace reads as carried");
        continue;
      }
      out.push({ data: r.encodeFunctionData("registerCarrier", [headerToAbi(carrier.header), txProofArg(carrier.txs, carrier.txIndex), carrier.blob]), what: `carrier of ${c.hash}` });
    }
  }
  return out;
}

/** The witness blob of transaction `i` of `txs` (items as posted, expanded with `dict`) that carries `hash` (−1 if none). */
function blobOf(txs: BatchTx[], i: number, hash: string, dict: Uint8Array): number {
  try {
    const tx = decodeItem(txs[i].tx, dict);
    return tx.type === TxType.Deposit ? -1 : tx.witness.findIndex((w) => bytesToHex(codeHash(w)) === hash.toLowerCase());
  } catch {
    return -1;
  }
}

/** The transaction whose witness carries `hash` for `t`: in T's batch up to T (lowest first), else the chain's first. */
async function carrierOf(hash: string, t: TracedTx, source?: CarrierSource): Promise<{ header: BatchHeader; txs: BatchTx[]; txIndex: number; blob: number } | undefined> {
  const dict = t.dictionary ?? new Uint8Array(0);
  for (let i = 0; i <= t.txIndex; i++) {
    const blob = blobOf(t.txs, i, hash, dict);
    if (blob >= 0) return { header: t.header, txs: t.txs, txIndex: i, blob };
  }
  const seq = source?.codeCarrierSeq(hash);
  if (seq === undefined) return undefined;
  const view = source!.chainView();
  const at = await view.locate(seq);
  const b = await view.batch(at.batchIndex);
  const blob = blobOf(b.txs, at.txIndex, hash, view.dictionary ?? dict);
  return blob >= 0 ? { header: b.header, txs: b.txs, txIndex: at.txIndex, blob } : undefined;
}
