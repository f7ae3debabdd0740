/**
 * Filling a submitted transaction off the event loop (issue 10: eth_sendRawTransaction ran the EVM on
 * the node's main thread, so a transaction refused only after running 30M gas froze the RPC and batch
 * production for free).
 *
 * The fill is a job (plain data in, plain data out) that a worker thread runs (node/rpc/call-pool.ts,
 * the pool that runs eth_call), reading state through the coordinator's thread: the newest version of
 * each key (pending overlays, then the store), code, the sender's unspent fee outputs, and whether the
 * chain already carries a code (left out of the witness). The worker's time limit stops it.
 *
 * The coordinator fills optimistically (node/coordinator/coordinator.ts submit): the job runs without the
 * coordinator's lock, against the state as it is while the job reads it; then, under the lock, `refit`
 * accepts the result only if every version it consumes or references is still the newest one (the fill
 * would come out the same now), its outputs re-keyed to the seq the transaction takes.
 */
import { bytesToHex, equalsBytes, hexToBytes } from "../../core/bytes";
import { chargesL1, l1CostOf, type L1Prices } from "../../core/l1fee";
import { DecodeError, InvalidTxError, type FaultKind } from "../../core/errors";
import { fillMoves, FillError, type StateView, type Version } from "../../core/fill";
import type { Executor } from "../../core/evm/execute";
import type { TxContext } from "../../core/context";
import { Mark, keyIdOf } from "../../core/keys";
import { RLP } from "@ethereumjs/rlp";
import { checkMovesStructure, sortMoves, type Move } from "../../core/moves";
import { decodeTx, encodeTx, LIMITS, TxType, type Tx } from "../../core/tx";

export interface FillJob {
  op: "fill";
  /** The transaction as submitted (encoded). */
  tx: Uint8Array;
  /** The context of the seq it would take. */
  ctx: TxContext;
  /** Fee outputs of the sender to sweep at most (protocol.md §6.5). */
  maxSweep: number;
  /**
   * A wrapped transaction's sender as the coordinator's thread recovered it (natively) from the same
   * bytes under the same policy: the worker does not recover it again (core/fill.ts FillOptions.sender).
   */
  sender?: Uint8Array;
}

export type FillResult =
  | { type: "filled"; tx: Uint8Array }
  /** Refused by a validity rule (InvalidTxError, DecodeError). */
  | { type: "invalid"; kind: FaultKind; code: string; message: string; moveIndex?: number; detail: Record<string, string> }
  /** Refused by the filler (FillError: a signed field the execution contradicts, an open key). */
  | { type: "refused"; code: string; message: string };

/** What a fill job reads, answered by the coordinator's thread. */
export interface FillSource {
  /** The newest version of a key: pending overlays first, then the store. */
  latest(mark: number, addrHex: string, slot: bigint): Version | Promise<Version>;
  code(hashHex: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  feeOutputs(addrHex: string, limit: number): Version[] | Promise<Version[]>;
  /** Code the chain carries already (protocol.md §6.2 rule 3): it stays out of the witness. */
  omitCode(hashHex: string): boolean | Promise<boolean>;
}

/**
 * The recipient of a raw Ethereum transaction (legacy, EIP-2930, EIP-1559), or undefined (a creation,
 * or bytes that do not parse: the fill says why).
 */
function recipientOf(raw: Uint8Array): string | undefined {
  try {
    const typed = raw.length > 0 && raw[0] <= 0x7f;
    const f = RLP.decode(typed ? raw.subarray(1) : raw) as unknown;
    const to = Array.isArray(f) ? f[typed ? (raw[0] === 2 ? 5 : 4) : 3] : undefined;
    return to instanceof Uint8Array && to.length === 20 ? bytesToHex(to) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What every fill of `tx` from `sender` reads, asked for all at once when the job starts (one round
 * trip to the coordinator's thread instead of one per key as the EVM meets them): the sender's and
 * the recipient's nonce, balance and code hash, and the sender's fee outputs.
 */
function prefetch(job: FillJob, source: FillSource): { versions: Map<string, Promise<Version>>; fees?: Promise<Version[]> } {
  const versions = new Map<string, Promise<Version>>();
  if (job.sender === undefined) return { versions };
  const tx = decodeTx(job.tx);
  const addrs: string[] = [bytesToHex(job.sender)];
  const to = tx.type === TxType.Wrapped ? recipientOf(tx.raw) : undefined;
  if (to !== undefined && to !== addrs[0]) addrs.push(to);
  for (const a of addrs) for (const m of [Mark.Nonce, Mark.Balance, Mark.Code]) versions.set(keyIdOf(a, m, 0n), Promise.resolve(source.latest(m, a, 0n)));
  const fees = job.maxSweep > 0 && job.ctx.feeMode === "outputs" ? Promise.resolve(source.feeOutputs(addrs[0], job.maxSweep)) : undefined;
  // Read or not, none may reject unheard.
  for (const p of [...versions.values(), ...(fees ? [fees] : [])]) p.catch(() => undefined);
  return { versions, fees };
}

/** Runs a fill job. Only a failure of the node itself throws; every answer about the transaction is a FillResult. */
export async function runFillJob(ex: Executor, job: FillJob, source: FillSource): Promise<FillResult> {
  try {
    const pre = prefetch(job, source);
    const sender = job.sender && bytesToHex(job.sender);
    const view: StateView = {
      latest: (m, a, s) => pre.versions.get(keyIdOf(a.toLowerCase(), m, s)) ?? source.latest(m, a, s),
      code: (h) => source.code(h),
      feeOutputs: (a, l) => (pre.fees !== undefined && l === job.maxSweep && a.toLowerCase() === sender ? pre.fees : source.feeOutputs(a, l)),
    };
    const f = await fillMoves(decodeTx(job.tx), view, job.ctx, ex, { omitCode: (h) => source.omitCode(h), maxSweep: job.maxSweep, sender: job.sender });
    return { type: "filled", tx: encodeTx(f.tx) };
  } catch (e) {
    if (e instanceof InvalidTxError) return { type: "invalid", kind: e.kind, code: e.code, message: e.message, moveIndex: e.moveIndex, detail: e.detail };
    if (e instanceof DecodeError) return { type: "invalid", kind: "malformed", code: e.code, message: e.message, detail: {} };
    if (e instanceof FillError) return { type: "refused", code: e.code, message: e.message };
    throw e;
  }
}

/** The typed error a refusal stands for (as the in-thread filler would have thrown it). */
export function refusalOf(r: Exclude<FillResult, { type: "filled" }>): InvalidTxError | FillError {
  return r.type === "invalid" ? new InvalidTxError(r.kind, r.code, r.message, r.moveIndex, r.detail) : new FillError(r.code, r.message);
}

/** An output of the transaction at `seq` (protocol.md §4.3 rule 3): a fee or withdrawal output keyed by its seq. */
function isOutputOf(m: Move, seq: bigint): boolean {
  return (m.mark === Mark.Fee || m.mark === Mark.Withdrawal) && m.slot === seq;
}

/**
 * The `next` of consuming move `m` when its key's newest version holds `value` instead of the `prev` the
 * fill read (its writer was re-priced, protocol.md §12.4): moved by the same difference; undefined where
 * no shift applies (not re-pricing, a reference, anything but a balance, a result outside 0..2^256-1).
 */
export function shiftedBalance(m: Move, value: bigint, repricing: boolean): bigint | undefined {
  if (!repricing || m.ref || m.mark !== Mark.Balance || m.slot !== 0n) return undefined;
  const next = m.next + value - m.prev;
  return next < 0n || next > MAX_UINT256 ? undefined : next;
}

const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * What a wrapped transaction's fill was made with, and what it is refitted to (refit's `reprice`): its
 * sender (lowercase hex), the fee recipient, and the L1 prices of the fill and of the seq it now takes.
 */
export interface Reprice {
  sender: string;
  feeRecipient: Uint8Array;
  from: L1Prices;
  to: L1Prices;
  /** What the caller does to the refitted transaction before it is posted (e.g. drops witness code the batch carries): priced after it. */
  finish?: (tx: Tx) => Tx;
  /** Called once when a balance the fill consumed was shifted (its writer was re-priced). */
  onShift?: () => void;
}

/**
 * A transaction filled at seq `from` against some state, made to fit seq `to` of the current state, or
 * undefined if it does not: every move but its outputs must consume or reference the newest version
 * of its key (`latest`), with its value; then the filler's result is what filling now would give but
 * for the outputs' key (the seq), which are re-keyed to `to`. Throws the filler's over-limit refusal if
 * the re-keyed transaction is over MAX_TX_BYTES (a longer seq can add a byte to each output's slot).
 *
 * With `reprice` (a wrapped transaction), two more differences are carried over instead of filling it
 * again: a balance version it consumes (the sender's, a recipient's) may hold another value than the fill
 * read (the transaction that wrote it was re-priced, or consumed one so shifted), its `prev` and `next`
 * then move by the difference (`shiftedBalance`); and the L1 fee
 * (protocol.md §6.6) is that of the refitted transaction at `reprice.to` (it is linear in the prices over
 * a token count that does not depend on the fee-dependent values), the sender's balance `next` and the
 * fee output's moving by the difference. Both are what filling again gives unless the execution observed
 * a shifted balance or the fee recipient's (BALANCE, SELFBALANCE, a balance check that flips): the
 * build's self-check validates every reused fill exactly as verifiers do and fills such a one again.
 */
export async function refit(filled: Tx, from: bigint, to: bigint, latest: (mark: number, addrHex: string, slot: bigint) => Version | Promise<Version>, reprice?: Reprice): Promise<Tx | undefined> {
  if (filled.type === TxType.Deposit) throw new RangeError("deposits are not submitted");
  const rp = filled.type === TxType.Wrapped ? reprice : undefined;
  const senderBalance = (m: Move) => rp !== undefined && !m.ref && m.mark === Mark.Balance && m.slot === 0n && bytesToHex(m.addr) === rp.sender;
  const moves: Move[] = [];
  let shifted = false;
  for (const m of filled.moves) {
    if (isOutputOf(m, from)) {
      moves.push({ ...m, slot: to });
      continue;
    }
    const v = await latest(m.mark, bytesToHex(m.addr), m.slot);
    // INVARIANT: the fill read exactly the current newest versions (else it is filled again), but for the
    // value of a balance it consumes when re-pricing (its writer was re-priced; the self-check proves the
    // execution did not read the value).
    if (v.seq !== m.intx) return undefined;
    if (v.value !== m.prev) {
      const next = shiftedBalance(m, v.value, rp !== undefined);
      if (next === undefined) return undefined;
      moves.push({ ...m, prev: v.value, next });
      shifted = true;
      continue;
    }
    moves.push(m);
  }
  if (from !== to || shifted) {
    sortMoves(moves);
    try {
      checkMovesStructure(moves, to);
    } catch {
      return undefined; // a version at or after `to`: the state moved back (a rollback); fill again
    }
  }
  let out = { ...filled, moves } as Tx;
  if (rp) {
    if (rp.finish) out = rp.finish(out);
    // INVARIANT: a transaction's fee output exists iff the prices charge (§6.6): no re-pricing across that.
    if (chargesL1(rp.from) !== chargesL1(rp.to)) return undefined;
    const sender = hexToBytes(rp.sender as `0x${string}`);
    const d = l1CostOf(out, sender, rp.feeRecipient, to, rp.to).l1Fee - l1CostOf(filled, sender, rp.feeRecipient, from, rp.from).l1Fee;
    if (d !== 0n) {
      let paid = false;
      let got = false;
      const repriced: Move[] = [];
      for (const m of out.moves) {
        if (senderBalance(m) && !paid) {
          if (m.next < d) return undefined;
          repriced.push({ ...m, next: m.next - d });
          paid = true;
        } else if (!m.ref && m.mark === Mark.Fee && m.slot === to && equalsBytes(m.addr, rp.feeRecipient) && !got) {
          repriced.push({ ...m, next: m.next + d });
          got = true;
        } else repriced.push(m);
      }
      if (!paid || !got) return undefined;
      out = { ...out, moves: repriced } as Tx;
    }
  }
  const size = encodeTx(out).length;
  // INVARIANT: a batch can carry the filled transaction (protocol.md §5.5), as fillMoves requires.
  if (size > LIMITS.maxTxBytes) throw new InvalidTxError("malformed", "over-limit", `the filled transaction takes ${size} bytes: over the limit of ${LIMITS.maxTxBytes} per transaction`);
  if (shifted) rp?.onShift?.();
  return out;
}
