/**
 * A node that is both coordinator and verifier validates each of its transactions twice: the build's
 * self-check (node/coordinator/coordinator.ts) and, once the batch is on L1, its verifier (check.ts checkBatch).
 * Standalone validation (core validateTx, protocol.md §6) is a pure function of its inputs, so the verifier may
 * take a verdict the self-check computed in the same process **for exactly the same inputs**: an implementation
 * cache, nothing normative (no verdict changes; a miss is validated in full).
 *
 * What a standalone verdict (valid with its outcome: sender, status, gas, logs, fee, L1 cost, withdrawal) depends on,
 * and so what the key covers (memoKey, a keccak256 over a canonical encoding of all of it; the sender is checked beside it):
 *   - the transaction's encoding as the validator is given it: for the verifier the item as decoded from L1 and
 *     expanded with the dictionary (protocol.md §7.7). The dictionary itself is not an input: validateTx sees only
 *     the expanded bytes, and the L1 data fee is computed from them (core/l1fee.ts l1CostOf);
 *   - every field of the TxContext (seq, the whole block environment: chain id, number, timestamp, fee recipient,
 *     base fee, gas limit, PREVRANDAO, excess blob gas; fee mode, block-hash mode, the unprotected and blob
 *     policies, the declared gas, the L1 prices), encoded field by field whatever fields it has (canonical());
 *   - the code the validator may use beyond the witness: for every code hash the transaction's code moves name
 *     (the only hashes validation ever looks up: an undeclared code key is refused before any lookup), whether the
 *     validator's lookup has it (the chain's code first carried below the seq, the batch's, the item's own). Code is
 *     content-addressed (each store keeps a blob under its keccak256), so availability is all that can differ;
 *   - the sender of a wrapped Ethereum transaction: the self-check is handed the sender the node recovered when it
 *     accepted the transaction (not recovered again), the verifier recovers it. So an entry keeps the sender its
 *     verdict was computed with, and is taken only if the sender the verifier recovers natively from the raw bytes
 *     (core/evm/ethtx.ts leanEthTxOrder, which answers only where ethereumjs answers the same) is that one: a
 *     self-check run with a wrong sender is never reused, and where the lean reading does not answer (a contract
 *     creation, an access list, another type) the transaction is validated in full. Checked on a key match only, so
 *     a miss costs no recovery. A move transaction's signers are recovered from its own bytes by every validator.
 * Deposits are not memoised (the self-check does not validate them). Only valid verdicts are recorded (an honest
 * build posts no transaction its self-check refused); an invalid batch is always validated in full.
 *
 * Memory is bounded: an entry is dropped when used, and the least recently recorded are dropped past `cap`
 * (entries of transactions never posted, of a batch rolled back or lost a race, or checked by no verifier). The
 * memo lives in memory only: a restarted node validates in full.
 */
import { bytesToHex, keccak256 } from "../../core/bytes";
import { Mark } from "../../core/keys";
import { decodeTx, TxType, type Tx } from "../../core/tx";
import { KnownCode, type PostedCode } from "../../core/known-code";
import { leanEthTxOrder } from "../../core/evm/ethtx";
import type { TxContext } from "../../core/context";
import type { TxOutcome } from "../../core/validate";
import type { Validator, ValidatorItem } from "./check";
import type { Verdict } from "./validate-pool";

/** Default number of entries kept (16 batches of the default 256 transactions). */
export const DEFAULT_MEMO_CAP = 4096;

/** A value as canonical text: object keys sorted, undefined fields left out, each scalar tagged with its type. */
export function canonical(v: unknown): string {
  if (v === undefined) return "u";
  if (v === null) return "z";
  switch (typeof v) {
    case "bigint":
      return "i" + v.toString(16);
    case "number":
      return "n" + String(v);
    case "boolean":
      return v ? "T" : "F";
    case "string":
      return "s" + JSON.stringify(v);
    case "object":
      break;
    default:
      throw new TypeError(`cannot key a ${typeof v}`);
  }
  if (v instanceof Uint8Array) return "b" + bytesToHex(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(o[k])).join(",") + "}";
}

/** The distinct non-zero code hashes a transaction's code moves name (0x-hex, lower case), sorted. */
export function namedCodeHashes(tx: Tx): string[] {
  if (tx.type === TxType.Deposit) return [];
  const out = new Set<string>();
  for (const m of tx.moves) if (m.mark === Mark.Code) for (const v of [m.prev, m.next]) if (v !== 0n) out.add("0x" + v.toString(16).padStart(64, "0"));
  return [...out].sort();
}

const enc = new TextEncoder();

/**
 * The memo key of validating `bytes` (which decode to `tx`) in `ctx`, with `available` telling whether the
 * validator's code lookup has a hash: keccak256 over a canonical encoding of all of them (0x-hex). A wrapped
 * transaction's sender is checked beside the key (VerdictMemo.take). Undefined for a deposit (never memoised).
 */
export function memoKey(bytes: Uint8Array, tx: Tx, ctx: TxContext, available: (hash: string) => boolean): string | undefined {
  if (tx.type === TxType.Deposit) return undefined;
  const code = namedCodeHashes(tx).map((h) => h + (available(h) ? "+" : "-"));
  const head = enc.encode(canonical({ v: 1, ctx, code, len: bytes.length }) + "|");
  const msg = new Uint8Array(head.length + bytes.length);
  msg.set(head);
  msg.set(bytes, head.length);
  return bytesToHex(keccak256(msg));
}

export interface MemoStats {
  /** Valid self-check verdicts recorded. */
  recorded: number;
  /** Verdicts the verifier took from the memo (validations saved). */
  hits: number;
  /** Transactions the verifier looked up and validated in full. */
  misses: number;
  /** Entries dropped unused past the cap. */
  evicted: number;
  /** Entries held now. */
  size: number;
}

/** The shared memo of one process: self-check verdicts by key, taken (and dropped) by the verifier. */
export class VerdictMemo {
  /** Insertion order is recording order: the first entry is the least recently recorded. */
  private readonly entries = new Map<string, Entry>();
  private readonly counts = { recorded: 0, hits: 0, misses: 0, evicted: 0 };

  constructor(readonly cap = DEFAULT_MEMO_CAP) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`memo cap must be a positive integer, got ${cap}`);
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): MemoStats {
    return { ...this.counts, size: this.entries.size };
  }

  /**
   * Records a valid verdict's outcome under `key` (a copy: the caller keeps its own); `sender`: a wrapped
   * transaction's, as the validation ran with it (lower-case 0x-hex), which a taker must recover again.
   */
  record(key: string, outcome: TxOutcome, sender?: string): void {
    this.entries.delete(key);
    this.entries.set(key, { outcome: structuredClone(outcome), sender: sender?.toLowerCase() });
    this.counts.recorded++;
    while (this.entries.size > this.cap) {
      this.entries.delete(this.entries.keys().next().value!);
      this.counts.evicted++;
    }
  }

  /**
   * The outcome recorded under `key`, dropped from the memo; undefined (a miss) if none, or if it was recorded
   * with a sender and `recover()` (the taker's own recovery, asked only then) does not give that sender.
   */
  take(key: string | undefined, recover: () => string | undefined): TxOutcome | undefined {
    const e = key === undefined ? undefined : this.entries.get(key);
    if (e !== undefined) this.entries.delete(key!);
    if (e === undefined || (e.sender !== undefined && recover()?.toLowerCase() !== e.sender)) {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    return e.outcome;
  }

  /** Counts `n` transactions validated in full without a look-up (the memo was empty). */
  missed(n: number): void {
    this.counts.misses += n;
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The self-check's validator: validates with `inner` (which must look up code only as this wrapper is told,
   * with addCodes, forgetCodes and each call's code: a PoolValidator, or an InThreadValidator without a fetchCode)
   * and records every valid verdict.
   */
  recording(inner: Validator): Validator {
    return new MemoValidator(inner, this, "record");
  }

  /** The verifier's validator: takes a recorded verdict where the key matches, validates the rest with `inner` (as `recording`). */
  using(inner: Validator): Validator {
    return new MemoValidator(inner, this, "use");
  }
}

interface Entry {
  outcome: TxOutcome;
  /** A wrapped transaction's sender as the validation ran with it. */
  sender?: string;
}

class MemoValidator implements Validator {
  /** The chain's code as `inner` knows it (addCodes, forgetCodes pass through). */
  private readonly known = new KnownCode();

  constructor(
    private readonly inner: Validator,
    private readonly memo: VerdictMemo,
    private readonly mode: "record" | "use",
  ) {}

  addCodes(codes: Iterable<readonly [string, PostedCode]>): void {
    const list = [...codes];
    for (const [h, p] of list) this.known.add(h, p.seq, p.code);
    this.inner.addCodes(list);
  }

  forgetCodes(seq: bigint): void {
    this.known.forgetFrom(seq);
    this.inner.forgetCodes(seq);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The decoding of `it` (its own, or decoded here); undefined if it does not decode. */
  private decoded(it: ValidatorItem): Tx | undefined {
    if (it.decoded) return it.decoded;
    try {
      return decodeTx(it.tx);
    } catch {
      return undefined;
    }
  }

  /** The key of `it` (decoding to `tx`) as `inner` would validate it. */
  private keyOf(it: ValidatorItem, tx: Tx, batchCodes: KnownCode | undefined): string | undefined {
    const seq = it.ctx.seq;
    const available = (h: string) => (batchCodes?.before(h, seq) ?? this.known.before(h, seq) ?? it.codes?.[h]) !== undefined;
    return memoKey(it.tx, tx, it.ctx, available);
  }

  async validate(items: ValidatorItem[], batchCodes?: KnownCode): Promise<Verdict[]> {
    if (this.mode === "record") {
      const verdicts = await this.inner.validate(items, batchCodes);
      verdicts.forEach((v, i) => {
        const tx = v.valid ? this.decoded(items[i]) : undefined;
        const key = tx && this.keyOf(items[i], tx, batchCodes);
        if (key !== undefined) this.memo.record(key, (v as Extract<Verdict, { valid: true }>).outcome, tx!.type === TxType.Wrapped ? (v as Extract<Verdict, { valid: true }>).outcome.sender : undefined);
      });
      return verdicts;
    }
    if (this.memo.size === 0) {
      this.memo.missed(items.length);
      return this.inner.validate(items, batchCodes);
    }
    const out: Verdict[] = new Array(items.length);
    const rest: ValidatorItem[] = [];
    const at: number[] = [];
    items.forEach((it, i) => {
      // A sender handed in is what `inner` would run with: never second-guessed here, validated in full.
      const tx = it.sender ? undefined : this.decoded(it);
      const outcome = tx && this.memo.take(this.keyOf(it, tx, batchCodes), () => (tx.type === TxType.Wrapped ? leanEthTxOrder(tx.raw)?.from : undefined));
      if (!tx) this.memo.missed(1);
      if (outcome) out[i] = { valid: true, outcome };
      else {
        rest.push(it);
        at.push(i);
      }
    });
    if (rest.length) (await this.inner.validate(rest, batchCodes)).forEach((v, k) => (out[at[k]] = v));
    return out;
  }
}
