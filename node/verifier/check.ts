/**
 * Checking one batch (protocol.md §6, §8, §11.3): every transaction standalone (context from the
 * header), the deposits against the L1 queue, and the double-use walk against the UTXO set. The
 * verdict is the first failing transaction as a TxFault (prover/fault.ts), or valid with every
 * transaction's outcome. Nothing is written: the caller applies a valid batch to its store.
 *
 * Order of checks per transaction: decoding (malformed) first, then the deposit queue (deposit),
 * then the rest of standalone validation; the walk runs over the transactions before the first
 * standalone fault, so the reported fault is the lowest transaction index that fails any check.
 *
 * Code (protocol.md §6.2): a transaction at seq s may use, besides its own witness, the code carried
 * by the witness of any transaction before it in the chain: earlier batches (the validator's known
 * code, given with addCodes) and the transactions before it in its own batch (the batch's code,
 * given to each validate call, each code tagged with the seq of the first transaction carrying it).
 */
import { splitBatchData, batchDataHash, txRootOf, type BatchHeader } from "../../core/batch";
import { bytesToHex, equalsBytes, hexToBytes } from "../../core/bytes";
import { DecodeError, InvalidTxError } from "../../core/errors";
import { Mark } from "../../core/keys";
import { decodeTx, TxType, type Tx } from "../../core/tx";
import { KnownCode, type PostedCode } from "../../core/known-code";
import { validateTx, checkDepositPosition, type TxOutcome } from "../../core/validate";
import { Executor } from "../../core/evm/execute";
import { L2_BLOCK_GAS_LIMIT } from "../../core/evm/chain";
import { batchTxContext, type TxContext } from "../../core/context";
import type { TxMoves, WalkFault } from "../../core/walk";
import type { Key } from "../../core/keys";
import type { TxFault } from "../../prover/fault";
import type { LevelUtxoStore } from "../store/utxo-store";
import type { Verdict } from "../validate-pool";

export interface QueueEntry {
  index: bigint;
  from: string;
  to: string;
  value: bigint;
}

/** The context of transaction `i` of a batch (protocol.md §7.2): the core's rule. */
export const txContext = batchTxContext;

// ---- standalone validation: a worker pool or this thread --------------------------------------------

export interface Validator {
  /**
   * Validates each item standalone. `batchCodes`: the code carried by the witnesses of the items'
   * batch, each with the seq of the first transaction carrying it; an item at seq s uses only those
   * below s.
   */
  validate(items: { tx: Uint8Array; ctx: TxContext }[], batchCodes?: KnownCode): Promise<Verdict[]>;
  /** Code carried by witnesses of the chain (by keccak256, 0x-hex), with the seq of the first carrying each. */
  addCodes(codes: Iterable<readonly [string, PostedCode]>): void;
  /** Forgets the code first carried at `seq` or later (those batches left the chain). */
  forgetCodes(seq: bigint): void;
  close(): Promise<void>;
}

/**
 * Validates in this thread with one reused Executor. Besides the code given with addCodes, code
 * can come from `fetchCode`: code carried by the chain before every transaction this validator is
 * given (a coordinator's chain store, whose tip the checked batch extends).
 */
export class InThreadValidator implements Validator {
  private readonly known = new KnownCode();
  private constructor(
    private readonly executor: Executor,
    private readonly fetchCode?: (hash: string) => Promise<Uint8Array | undefined>,
  ) {}

  static async create(chainId: bigint, fetchCode?: (hash: string) => Promise<Uint8Array | undefined>, executor?: Executor): Promise<InThreadValidator> {
    return new InThreadValidator(executor ?? (await Executor.create(chainId)), fetchCode);
  }

  addCodes(codes: Iterable<readonly [string, PostedCode]>): void {
    for (const [h, p] of codes) this.known.add(h, p.seq, p.code);
  }

  forgetCodes(seq: bigint): void {
    this.known.forgetFrom(seq);
  }

  async validate(items: { tx: Uint8Array; ctx: TxContext }[], batchCodes?: KnownCode): Promise<Verdict[]> {
    const out: Verdict[] = [];
    // Fetched for this call only: the source follows its chain, which may be rewound before the next.
    const fetched = new Map<string, Uint8Array>();
    for (const it of items) {
      let tx: Tx;
      try {
        tx = decodeTx(it.tx);
      } catch (e) {
        if (e instanceof DecodeError) {
          out.push({ valid: false, error: e });
          continue;
        }
        throw e;
      }
      const seq = it.ctx.seq;
      const lookup = (h: string) => batchCodes?.before(h, seq) ?? this.known.before(h, seq) ?? fetched.get(h);
      if (this.fetchCode && tx.type !== TxType.Deposit)
        // Code by hash beyond the witness: fetched ahead, since the lookup is synchronous.
        for (const m of tx.moves)
          if (m.mark === Mark.Code)
            for (const v of [m.prev, m.next]) {
              const h = "0x" + v.toString(16).padStart(64, "0");
              if (v === 0n || lookup(h)) continue;
              const c = await this.fetchCode(h);
              if (c) fetched.set(h, c);
            }
      try {
        const outcome = await validateTx(tx, it.ctx, this.executor, lookup);
        out.push({ valid: true, outcome });
      } catch (e) {
        if (e instanceof InvalidTxError || e instanceof DecodeError) out.push({ valid: false, error: e });
        else throw e;
      }
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** Validates on the ValidatePool's worker threads (node/validate-pool.ts). */
export class PoolValidator implements Validator {
  private constructor(private readonly pool: import("../validate-pool").ValidatePool) {}

  static async create(workers: number, chainId: bigint): Promise<PoolValidator> {
    const { ValidatePool } = await import("../validate-pool");
    return new PoolValidator(await ValidatePool.create(workers, { chainIds: [chainId] }));
  }

  validate(items: { tx: Uint8Array; ctx: TxContext }[], batchCodes?: KnownCode): Promise<Verdict[]> {
    return this.pool.validate(items, { codes: batchCodes });
  }

  addCodes(codes: Iterable<readonly [string, PostedCode]>): void {
    this.pool.addCodes(codes);
  }

  forgetCodes(seq: bigint): void {
    this.pool.forgetCodes(seq);
  }

  close(): Promise<void> {
    return this.pool.terminate();
  }
}

// ---- the walk without writing ------------------------------------------------------------------------

type Prior = { value?: bigint; spentBy?: bigint };
const opId = (k: Key, intx: bigint) => `${bytesToHex(k.addr)}/${k.mark}/${k.slot.toString(16)}@${intx}`;

/** What the store knows about the outpoints produced before this batch (seq ≤ its tip) that `txs` use. */
async function priorOutpoints(store: LevelUtxoStore, txs: readonly (TxMoves | undefined)[], base: bigint): Promise<Map<string, Prior>> {
  const prior = new Map<string, Prior>();
  const wanted: { id: string; key: Key; intx: bigint }[] = [];
  for (const t of txs) {
    if (!t) continue;
    for (const m of t.moves) {
      if (m.intx >= t.seq || m.intx > base) continue;
      const id = opId(m, m.intx);
      if (!prior.has(id)) {
        prior.set(id, {});
        wanted.push({ id, key: m, intx: m.intx });
      }
    }
  }
  await Promise.all(
    wanted.map(async (w) => {
      const [value, spentBy] = await Promise.all([store.get(w.intx, w.key), store.spentBy(w.intx, w.key)]);
      prior.set(w.id, { value, spentBy });
    }),
  );
  return prior;
}

/**
 * The double-use walk of `txs` (seq order) against the store, writing nothing: the same rules and
 * fault as LevelUtxoStore.applyBatch (core/walk.ts), used where the batch must not be applied.
 */
export async function dryWalk(store: LevelUtxoStore, txs: readonly TxMoves[]): Promise<WalkFault | undefined> {
  const base = store.tip()?.lastSeq ?? 0n;
  const prior = await priorOutpoints(store, txs, base);
  const consumed = new Map<string, bigint>();
  const created = new Map<string, bigint>();
  for (const { seq, moves } of txs) {
    for (let i = 0; i < moves.length; i++) {
      const m = moves[i];
      if (m.intx >= seq) return { kind: "input", seq, moveIndex: i, code: "intx-not-before" };
      const id = opId(m, m.intx);
      const by = consumed.get(id);
      if (by !== undefined) return { kind: "double-use", seq, moveIndex: i, code: m.ref ? "reference-after-consume" : "consumed", spentBy: by };
      let value: bigint | undefined;
      if (m.intx <= base) {
        const p = prior.get(id)!;
        if (p.spentBy !== undefined) return { kind: "double-use", seq, moveIndex: i, code: m.ref ? "reference-after-consume" : "consumed", spentBy: p.spentBy };
        value = p.value;
      } else value = created.get(id);
      if (value === undefined) return { kind: "input", seq, moveIndex: i, code: "no-such-outpoint" };
      if (value !== m.prev) return { kind: "input", seq, moveIndex: i, code: "prev-mismatch", expected: value };
      if (!m.ref) consumed.set(id, seq);
    }
    for (const m of moves) if (!m.ref) created.set(opId(m, seq), m.next);
  }
  return undefined;
}

/**
 * The walk faults of every transaction of a batch, each provable in one L1 transaction on its own
 * (protocol.md §7.4, "every fault"): unlike dryWalk it does not stop at the first fault. A
 * transaction's moves are applied as declared whether or not it is valid, since the one-step
 * proofs read posted data, not validity: a double use names any earlier consumer of the outpoint
 * (DoubleUseProver), an input fault compares with the producer's declared next (InputProver). So
 * every transaction that decodes consumes its consuming moves' outpoints (the first consumer is
 * kept) and creates its outputs (a repeated key: the first move, as the InputProver reads it). An
 * input against a producer of this batch that does not decode (`undefined` entry) is not reported:
 * no proof can decode that producer (its own malformed fault is reported instead). Entry i of the
 * result is the first walk fault of txs[i] (lowest move index), or undefined.
 */
export async function walkFaults(store: LevelUtxoStore, txs: readonly (TxMoves | undefined)[], firstSeq: bigint): Promise<(WalkFault | undefined)[]> {
  const base = store.tip()?.lastSeq ?? 0n;
  const prior = await priorOutpoints(store, txs, base);
  const consumed = new Map<string, bigint>();
  const created = new Map<string, bigint>();
  const out: (WalkFault | undefined)[] = new Array(txs.length).fill(undefined);
  for (let t = 0; t < txs.length; t++) {
    const tx = txs[t];
    if (!tx) continue;
    const { seq, moves } = tx;
    for (let i = 0; i < moves.length && !out[t]; i++) {
      const m = moves[i];
      if (m.intx >= seq) {
        out[t] = { kind: "input", seq, moveIndex: i, code: "intx-not-before" };
        break;
      }
      const id = opId(m, m.intx);
      const by = consumed.get(id);
      if (by !== undefined) {
        out[t] = { kind: "double-use", seq, moveIndex: i, code: m.ref ? "reference-after-consume" : "consumed", spentBy: by };
        break;
      }
      let value: bigint | undefined;
      if (m.intx <= base) {
        const p = prior.get(id)!;
        if (p.spentBy !== undefined) {
          out[t] = { kind: "double-use", seq, moveIndex: i, code: m.ref ? "reference-after-consume" : "consumed", spentBy: p.spentBy };
          break;
        }
        value = p.value;
      } else {
        // A producer of this batch that does not decode: no proof can read it.
        if (m.intx >= firstSeq && !txs[Number(m.intx - firstSeq)]) continue;
        value = created.get(id);
      }
      if (value === undefined) out[t] = { kind: "input", seq, moveIndex: i, code: "no-such-outpoint" };
      else if (value !== m.prev) out[t] = { kind: "input", seq, moveIndex: i, code: "prev-mismatch", expected: value };
    }
    for (const m of moves) {
      if (m.ref) continue;
      const id = opId(m, m.intx);
      if (!consumed.has(id)) consumed.set(id, seq);
      const own = opId(m, seq);
      if (!created.has(own)) created.set(own, m.next);
    }
  }
  return out;
}

export function walkFaultMessage(f: WalkFault): string {
  switch (f.code) {
    case "consumed":
      return `move ${f.moveIndex} consumes an outpoint already consumed by seq ${f.spentBy}`;
    case "reference-after-consume":
      return `move ${f.moveIndex} references an outpoint already consumed by seq ${f.spentBy}`;
    case "no-such-outpoint":
      return `move ${f.moveIndex} names an outpoint its producer never created`;
    case "prev-mismatch":
      return `move ${f.moveIndex} declares prev different from the outpoint's value ${f.expected}`;
    case "intx-not-before":
      return `move ${f.moveIndex} names a producer not before seq ${f.seq}`;
  }
}

// ---- the batch -----------------------------------------------------------------------------------------

export interface CheckResult {
  txs: Uint8Array[];
  decoded: (Tx | undefined)[];
  /** Outcome of every transaction that validated standalone. */
  outcomes: (TxOutcome | undefined)[];
  /** The first failing transaction; undefined if the batch is valid. */
  fault?: TxFault;
  /**
   * Every fault found in an invalid batch (undefined for a valid one), in transaction order: per
   * transaction its first standalone fault (decoding, the deposit queue, or validation) and its
   * first walk fault (walkFaults), so that a challenger can prove the cheapest one-step fault even
   * where the first fault needs the interactive game (protocol.md §7.4).
   */
  faults?: TxFault[];
  /** Code carried by the batch's witnesses, by hash, with the seq of the first transaction carrying each. */
  codes: KnownCode;
}

export class BatchDataError extends Error {}

export async function checkBatch(
  header: BatchHeader,
  data: Uint8Array,
  chainId: bigint,
  deposits: readonly QueueEntry[],
  validator: Validator,
  store: LevelUtxoStore,
): Promise<CheckResult> {
  // INVARIANT: the data is what the header commits to (L1 checked it when the batch was appended).
  if (!equalsBytes(batchDataHash(data), header.dataHash)) throw new BatchDataError(`batch ${header.index}: data does not hash to the header's dataHash`);
  const txs = splitBatchData(data);
  if (BigInt(txs.length) !== header.txCount || !equalsBytes(txRootOf(txs), header.txRoot)) throw new BatchDataError(`batch ${header.index}: data does not match the header's txCount/txRoot`);
  const nDeposits = Number(header.depositEnd - header.depositStart);
  if (deposits.length !== nDeposits) throw new Error(`batch ${header.index}: ${deposits.length} queue entries given for ${nDeposits} deposits`);

  const decoded: (Tx | undefined)[] = txs.map((t) => {
    try {
      return decodeTx(t);
    } catch {
      return undefined;
    }
  });
  const codes = new KnownCode();
  decoded.forEach((t, i) => t && codes.addTx(header.firstSeq + BigInt(i), t));
  const verdicts = await validator.validate(txs.map((tx, i) => ({ tx, ctx: txContext(header, chainId, i) })), codes);

  const fault = (i: number, kind: TxFault["kind"], code: string, message: string, moveIndex?: number, spentBy?: bigint): TxFault => ({
    batchIndex: header.index,
    txIndex: i,
    seq: header.firstSeq + BigInt(i),
    kind,
    code,
    message,
    ...(moveIndex !== undefined ? { moveIndex } : {}),
    ...(spentBy !== undefined ? { spentBy } : {}),
  });

  /** Transaction i's fault before the walk: decoding, the deposit queue, then standalone validation. */
  const standalone = (i: number): TxFault | undefined => {
    const v = verdicts[i];
    const t = decoded[i];
    if (!t) {
      const e = v.valid ? undefined : v.error;
      return fault(i, "malformed", e?.code ?? "malformed", e?.message ?? "does not decode");
    }
    try {
      const q = deposits[i];
      checkDepositPosition(t, i, header.depositStart, header.depositEnd, q && { from: hexToBytes(q.from as `0x${string}`), to: hexToBytes(q.to as `0x${string}`), value: q.value });
    } catch (e) {
      if (!(e instanceof InvalidTxError)) throw e;
      return fault(i, e.kind, e.code, e.message);
    }
    if (!v.valid) return fault(i, v.error.kind, v.error.code, v.error.message, v.error instanceof InvalidTxError ? v.error.moveIndex : undefined);
    return undefined;
  };

  let first: TxFault | undefined;
  const outcomes: (TxOutcome | undefined)[] = new Array(txs.length);
  for (let i = 0; i < txs.length && !first; i++) {
    first = standalone(i);
    const v = verdicts[i];
    if (!first && v.valid) outcomes[i] = v.outcome;
  }

  // The walk covers the transactions before the first standalone fault; where that fault needs the
  // interactive game (execution), the faulty transaction too, so that a one-step fault of it (input,
  // double-use) is preferred.
  const upTo = !first ? txs.length : first.kind === "execution" ? first.txIndex + 1 : first.txIndex;
  const walkTxs: TxMoves[] = [];
  for (let i = 0; i < upTo; i++) walkTxs.push({ seq: header.firstSeq + BigInt(i), moves: decoded[i]!.moves });
  const wf = await dryWalk(store, walkTxs);
  if (wf) {
    const i = Number(wf.seq - header.firstSeq);
    first = fault(i, wf.kind, wf.code, walkFaultMessage(wf), wf.moveIndex, wf.kind === "double-use" ? wf.spentBy : undefined);
  }
  const faults = first ? await everyFault(header, decoded, store, standalone, fault) : undefined;
  return { txs, decoded, outcomes, fault: first, faults, codes };
}

/** Every fault of an invalid batch (CheckResult.faults): each transaction's standalone fault, then its walk fault. */
async function everyFault(
  header: BatchHeader,
  decoded: readonly (Tx | undefined)[],
  store: LevelUtxoStore,
  standalone: (i: number) => TxFault | undefined,
  fault: (i: number, kind: TxFault["kind"], code: string, message: string, moveIndex?: number, spentBy?: bigint) => TxFault,
): Promise<TxFault[]> {
  const out: TxFault[] = [];
  const walk = await walkFaults(store, decoded.map((t, i) => t && { seq: header.firstSeq + BigInt(i), moves: t.moves }), header.firstSeq);
  for (let i = 0; i < decoded.length; i++) {
    const f = standalone(i);
    if (f) out.push(f);
    const wf = walk[i];
    if (wf) out.push(fault(i, wf.kind, wf.code, walkFaultMessage(wf), wf.moveIndex, wf.kind === "double-use" ? wf.spentBy : undefined));
  }
  return out;
}

/** Moves of a checked valid batch, for LevelUtxoStore.applyBatch. */
export function txMovesOf(header: BatchHeader, decoded: readonly (Tx | undefined)[]): TxMoves[] {
  return decoded.map((t, i) => ({ seq: header.firstSeq + BigInt(i), moves: t!.moves }));
}

export function hexBytes(h: string): Uint8Array {
  return hexToBytes(h as `0x${string}`);
}
