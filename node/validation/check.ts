/**
 * Checking one batch (protocol.md §6, §8, §11.3): every transaction standalone (context from the
 * header), the deposits against the L1 queue, and the double-use walk against the UTXO set. The
 * verdict is the core's (core/batch-validity.ts, protocol.md §7.4): the first failing transaction
 * as a TxFault and every fault, or valid with every transaction's outcome. Nothing is written: the
 * caller applies a valid batch to its store.
 *
 * Code (protocol.md §6.2): a transaction at seq s may use, besides its own witness, the code carried
 * by the witness of any transaction before it in the chain: earlier batches (the validator's known
 * code, given with addCodes) and the transactions before it in its own batch (the batch's code,
 * given to each validate call, each code tagged with the seq of the first transaction carrying it).
 */
import { splitBatchData, batchDataHash, txRootOf, expandBatchItem, type BatchHeader } from "../../core/batch";
import { equalsBytes, hexToBytes } from "../../core/bytes";
import { BLOB_PAYLOAD_BYTES, VERSIONED_HASH_VERSION_KZG, packBlob, versionedHash } from "../../core/blob";
import { loadBlobKzg } from "../l1/blob-kzg";
import { DecodeError, InvalidTxError, type TxFault } from "../../core/errors";
import { Mark } from "../../core/keys";
import { decodeTx, TxType, type Tx } from "../../core/tx";
import { KnownCode, type PostedCode } from "../../core/known-code";
import { validateTx, type TxOutcome } from "../../core/validate";
import { Executor } from "../../core/evm/execute";
import { batchTxContext, type TxContext } from "../../core/context";
import { UtxoOverlay, walkSequential, type TxMoves, type WalkFault } from "../../core/walk";
import { judgeBatch } from "../../core/batch-validity";
import type { LevelUtxoStore } from "../state/utxo-store";
import type { Verdict } from "./validate-pool";

export interface QueueEntry {
  index: bigint;
  from: string;
  to: string;
  value: bigint;
}

/** The context of transaction `i` of a batch (protocol.md §7.2): the core's rule. */
export const txContext = batchTxContext;

// ---- standalone validation: a worker pool or this thread --------------------------------------------

/** A transaction to validate, its context, and code it may use beyond its witness whatever its seq (trusted: the chain's, before its batch). */
export interface ValidatorItem {
  tx: Uint8Array;
  ctx: TxContext;
  codes?: Record<string, Uint8Array>;
  /** A wrapped transaction's sender as this node recovered it from the same bytes (validate-pool.ts ValidateItem.sender). */
  sender?: Uint8Array;
  /** `decodeTx(tx)` where the caller has it (the memo, node/validation/memo.ts, then does not decode again); never sent to a worker. */
  decoded?: Tx;
}

export interface Validator {
  /**
   * Validates each item standalone. `batchCodes`: the code carried by the witnesses of the items'
   * batch, each with the seq of the first transaction carrying it; an item at seq s uses only those
   * below s.
   */
  validate(items: ValidatorItem[], batchCodes?: KnownCode): Promise<Verdict[]>;
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

  async validate(items: ValidatorItem[], batchCodes?: KnownCode): Promise<Verdict[]> {
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
      const lookup = (h: string) => batchCodes?.before(h, seq) ?? this.known.before(h, seq) ?? it.codes?.[h] ?? fetched.get(h);
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
        const outcome = await validateTx(tx, it.ctx, this.executor, lookup, it.tx, it.sender);
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

/** Validates on the ValidatePool's worker threads (node/validation/validate-pool.ts). */
export class PoolValidator implements Validator {
  private constructor(private readonly pool: import("./validate-pool").ValidatePool) {}

  static async create(workers: number, chainId: bigint): Promise<PoolValidator> {
    const { ValidatePool } = await import("./validate-pool");
    return new PoolValidator(await ValidatePool.create(workers, { chainIds: [chainId] }));
  }

  validate(items: ValidatorItem[], batchCodes?: KnownCode): Promise<Verdict[]> {
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

/**
 * The double-use walk of `txs` (seq order) against the store, writing nothing: core/walk.ts's walk
 * over the store's view, as LevelUtxoStore.applyBatch runs it, where the batch must not be applied.
 */
export async function dryWalk(store: LevelUtxoStore, txs: readonly TxMoves[]): Promise<WalkFault | undefined> {
  return walkSequential(new UtxoOverlay(await store.view(txs)), txs);
}

// ---- the batch -----------------------------------------------------------------------------------------

export interface CheckResult {
  /** Each transaction's encoding (protocol.md §7.7: a compressed item expanded; an item that does not expand, as posted). */
  txs: Uint8Array[];
  /** Each item as posted: what its leaf hashes (differs from `txs[i]` for a compressed item). */
  items: Uint8Array[];
  decoded: (Tx | undefined)[];
  /** Outcome of every transaction that validated standalone. */
  outcomes: (TxOutcome | undefined)[];
  /** The first failing transaction; undefined if the batch is valid. */
  fault?: TxFault;
  /**
   * Every fault found in an invalid batch (undefined for a valid one), in transaction order: per
   * transaction its first standalone fault (decoding, the deposit queue, or validation) and its
   * first walk fault (core walkEvery), so that a challenger can prove the cheapest one-step fault even
   * where the first fault needs the interactive game (protocol.md §7.4).
   */
  faults?: TxFault[];
  /** Code carried by the batch's witnesses, by hash, with the seq of the first transaction carrying each. */
  codes: KnownCode;
}

export class BatchDataError extends Error {}

/** Whether `dataHash` is the versioned hash of the blob carrying exactly `data` (a blob batch's, §14.5). */
async function isBlobOf(data: Uint8Array, dataHash: Uint8Array): Promise<boolean> {
  if (dataHash[0] !== VERSIONED_HASH_VERSION_KZG || data.length > BLOB_PAYLOAD_BYTES) return false;
  const blob = packBlob(data);
  return equalsBytes(versionedHash((await loadBlobKzg()).commitment(blob)), dataHash);
}

/**
 * Checks batch `header` with its `data` (protocol.md §7.4, core/batch-validity.ts): the data against
 * the header, each item expanded with the deployment's dictionary `dict` (§7.7: one that does not expand is
 * malformed, `not-expandable`, as one that does not decode), each transaction decoded and validated standalone
 * (`validator`), the store's view of the outpoints the batch names read ahead, then the core's judgement.
 */
export async function checkBatch(
  header: BatchHeader,
  data: Uint8Array,
  chainId: bigint,
  deposits: readonly QueueEntry[],
  validator: Validator,
  store: LevelUtxoStore,
  /** The deployment's dictionary (§7.7; NO_DICTIONARY when none is bound): required, so no reader forgets it. */
  dict: Uint8Array,
): Promise<CheckResult> {
  // INVARIANT: the data is what the header commits to (L1 checked it when the batch was appended): its keccak, or for
  // a blob batch the versioned hash of the blob that carries exactly it (protocol.md §14.5).
  if (!equalsBytes(batchDataHash(data), header.dataHash) && !(await isBlobOf(data, header.dataHash)))
    throw new BatchDataError(`batch ${header.index}: data does not hash to the header's dataHash`);
  const entries = splitBatchData(data);
  // txRoot is of the items as posted (§7.7).
  if (BigInt(entries.length) !== header.txCount || !equalsBytes(txRootOf(entries), header.txRoot)) throw new BatchDataError(`batch ${header.index}: data does not match the header's txCount/txRoot`);
  const expanded = entries.map((e) => expandBatchItem(e, dict));
  const items = entries.map((e) => e.tx);
  const txs = expanded.map((e) => e.tx ?? e.item);
  const nDeposits = Number(header.depositEnd - header.depositStart);
  if (deposits.length !== nDeposits) throw new Error(`batch ${header.index}: ${deposits.length} queue entries given for ${nDeposits} deposits`);

  const decoded: (Tx | undefined)[] = expanded.map((e) => {
    if (!e.tx) return undefined;
    try {
      return decodeTx(e.tx);
    } catch {
      return undefined;
    }
  });
  const codes = new KnownCode();
  decoded.forEach((t, i) => t && codes.addTx(header.firstSeq + BigInt(i), t));
  // Each transaction is checked against the gas the batch declares for it (protocol.md §7.3); an item that does not
  // expand is not given to the validator: its verdict is its expansion error.
  const toValidate = expanded.flatMap((e, i) => (e.tx ? [{ tx: e.tx, ctx: txContext(header, chainId, i, e.gas), ...(decoded[i] ? { decoded: decoded[i] } : {}) }] : []));
  const validated = await validator.validate(toValidate, codes);
  let k = 0;
  const verdicts: Verdict[] = expanded.map((e) => (e.error ? { valid: false, error: e.error } : validated[k++]));
  const view = await store.view(decoded.map((t, i) => t && { seq: header.firstSeq + BigInt(i), moves: t.moves }));
  const queue = deposits.map((q) => ({ from: hexBytes(q.from), to: hexBytes(q.to), value: q.value }));
  const { fault, faults, outcomes } = judgeBatch(header, decoded, verdicts, queue, view);
  return { txs, items, decoded, outcomes, fault, faults, codes };
}

/** Moves of a checked valid batch, for LevelUtxoStore.applyBatch. */
export function txMovesOf(header: BatchHeader, decoded: readonly (Tx | undefined)[]): TxMoves[] {
  return decoded.map((t, i) => ({ seq: header.firstSeq + BigInt(i), moves: t!.moves }));
}

export function hexBytes(h: string): Uint8Array {
  return hexToBytes(h as `0x${string}`);
}
