/**
 * Move filling (protocol.md §6.4): run a transaction against a full state view, record every key
 * it reads or writes, and declare them as moves: a key only read becomes a reference move, a key
 * written a consuming move. Signed moves of a move transaction keep their signed fields; filling
 * only sets the open ones, and a conflict is an error. The witness gets the code of every declared
 * code hash (code the transaction creates included), except code the caller says validators
 * already have (`omitCode`, protocol.md §6.2).
 */
import { bytesToHex, hexToBytes } from "./bytes";
import { InvalidTxError, MovesetError } from "./errors";
import { Mark, keyIdOf, keyId, keyToString, markHasSlot } from "./keys";
import { Move, MaskBit, sortMoves, checkMovesStructure } from "./moves";
import { Tx, TxType, DepositTx, canonicalWitness, encodeTx, LIMITS } from "./tx";
import { Executor } from "./evm/execute";
import { StateSource } from "./evm/state";
import { toRunnable } from "./evm/ethtx";
import { TxContext, l1PricesOf, policyOf } from "./context";
import { chargesL1, l1CostOf, type L1Cost } from "./l1fee";
import { maxFeePerGas } from "./evm/ethtx";
import { TxOutcome, checkMasks, expectedOutputs, sweepCredit } from "./validate";
import { FEE_VAULT_HEX, WITHDRAWAL_VAULT_HEX } from "./evm/chain";

/** The newest version of every key (the latest index), as a coordinator or the conformance runner has it. */
export interface StateView {
  /** Newest version of the key: the seq that wrote it (0 = genesis) and its value. May answer with a promise (a store). */
  latest(mark: number, addrHex: string, slot: bigint): Version | Promise<Version>;
  code(hashHex: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /**
   * The unspent fee outputs of `addrHex` (protocol.md §6.5), oldest first, at most `limit`: the seq
   * that created each (its key's slot) and its value. A view without it sweeps nothing.
   */
  feeOutputs?(addrHex: string, limit: number): Version[] | Promise<Version[]>;
}

export interface Version {
  seq: bigint;
  value: bigint;
}

export class FillError extends MovesetError {}

function viewSource(view: StateView, intx: Map<string, bigint>): StateSource {
  return {
    read(id, mark, addrHex, slot) {
      const v = view.latest(mark, addrHex, slot);
      if (v instanceof Promise)
        return v.then((x) => {
          intx.set(id, x.seq);
          return x.value;
        });
      intx.set(id, v.seq);
      return v.value;
    },
    code: (h) => view.code(h),
  };
}

async function fillDeposit(tx: DepositTx, view: StateView): Promise<DepositTx> {
  const to = bytesToHex(tx.to);
  const v = await view.latest(Mark.Balance, to, 0n);
  return { ...tx, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: v.seq, addr: tx.to, slot: 0n, prev: v.value, next: v.value + tx.value }] };
}

/** Sets the open fields of `signed` from `computed`; throws if a signed field disagrees. */
function mergeSigned(signed: Move, computed: Move | undefined, i: number): Move {
  const out: Move = { ...signed };
  const fields: Array<[number, keyof Move]> = [
    [MaskBit.Intx, "intx"],
    [MaskBit.Prev, "prev"],
    [MaskBit.Next, "next"],
    [MaskBit.Kind, "ref"],
  ];
  const src = computed ?? { ...signed, next: signed.prev, ref: true };
  for (const [bit, f] of fields) {
    if (signed.mask & bit) {
      if (computed && signed[f] !== computed[f] && !(f === "ref" && !signed.ref && computed.ref))
        throw new FillError("signed-conflict", `signed move ${i} (${keyToString(signed)}): ${String(f)} is signed as ${signed[f]}, execution needs ${computed[f]}`);
    } else (out as unknown as Record<string, unknown>)[f] = src[f];
  }
  if (!(signed.mask & MaskBit.Kind) && computed) out.ref = computed.ref;
  if (!out.ref && signed.mask & MaskBit.Kind) out.ref = false;
  if (out.ref) out.next = out.prev;
  return out;
}

export interface Filled {
  tx: Tx;
  outcome: TxOutcome;
}

export interface FillOptions {
  /**
   * Sweep at most this many of the sender's unspent fee outputs (oldest first, from the view's
   * feeOutputs) into its balance (protocol.md §6.5). Default 0: none. A move transaction that signs
   * fee sweeps itself gets exactly those.
   */
  maxSweep?: number;
  /**
   * True for a code hash that validators of this transaction already have: code carried by the
   * witness of a transaction with a lower seq in the chain (protocol.md §6.2). Such code is left out
   * of the witness. Default: none is, every code travels.
   */
  omitCode?: (hashHex: string) => boolean | Promise<boolean>;
  /**
   * A wrapped transaction's sender as this node already recovered it from the same bytes under the
   * context's policy (ethtx.ts decodeWrapped): not recovered again. Never a sender from outside.
   */
  sender?: Uint8Array;
}

/** Fills the moves (and code witness) of `tx` from `view`. Throws InvalidTxError if it cannot be included. */
export async function fillMoves(tx: Tx, view: StateView, ctx: TxContext, executor: Executor, opts: FillOptions = {}): Promise<Filled> {
  if (tx.type === TxType.Deposit) {
    const filled = await fillDeposit(tx, view);
    return { tx: filled, outcome: { sender: bytesToHex(tx.from), status: 1, gasUsed: 0n, logs: [], fee: 0n, withdrawal: 0n } };
  }
  checkMasks(tx);
  const { eth, sender } = toRunnable(tx, policyOf(ctx), opts.sender);
  const signed = tx.type === TxType.Move ? tx.moves.filter((m) => m.mask !== 0) : [];
  const sweeps = await fillSweeps(signed, sender.toString(), sender.bytes, view, ctx, opts.maxSweep ?? 0);
  const intx = new Map<string, bigint>();
  const res = await executor.run(eth, sender, viewSource(view, intx), ctx.env, ctx.feeMode, ctx.blockHash, sweepCredit(sweeps));
  const sm = res.sm;
  const computed = new Map<string, Move>();
  const codes: Uint8Array[] = [];
  for (const [id, a] of sm.accessed) {
    const written = sm.wasWritten(id);
    const next = sm.finalValue(id);
    const m: Move = { mask: 0, ref: !written, mark: a.mark, intx: intx.get(id) ?? 0n, addr: hexToBytes(a.addrHex as `0x${string}`), slot: a.slot, prev: a.prev, next };
    computed.set(id, m);
    if (a.mark === Mark.Code)
      for (const h of [a.prev, next]) {
        if (h === 0n) continue;
        const hex = "0x" + h.toString(16).padStart(64, "0");
        if (await opts.omitCode?.(hex)) continue;
        const c = sm.created.get(hex) ?? (await view.code(hex));
        if (c) codes.push(c);
      }
  }
  const moves: Move[] = [...sweeps];
  for (const [i, s] of signed.entries()) {
    if (isSweep(s, ctx)) continue; // filled by fillSweeps
    if (!(s.mask & MaskBit.Mark) || !(s.mask & MaskBit.Addr) || (markHasSlot(s.mark) && !(s.mask & MaskBit.Slot)))
      throw new FillError("open-key", `signed move ${i} leaves its key open; this coordinator fills only values`);
    const id = keyId(s);
    let c = computed.get(id);
    if (!c) {
      const v = await view.latest(s.mark, bytesToHex(s.addr), s.slot);
      c = { ...s, mask: 0, ref: true, intx: v.seq, prev: v.value, next: v.value };
    }
    moves.push(mergeSigned(s, c, i));
    computed.delete(id);
  }
  moves.push(...computed.values());
  let fee = sm.vaultBalance(FEE_VAULT_HEX);
  const withdrawal = sm.vaultBalance(WITHDRAWAL_VAULT_HEX);
  const witness = canonicalWitness(codes);
  let l1: L1Cost | undefined;
  if (ctx.feeMode === "outputs") {
    // The L1 data fee (protocol.md §6.6): execution never sees it, so it is added to what the run gave.
    const charged = addL1Fee(tx, moves, witness, sender.bytes, ctx, fee, withdrawal);
    l1 = charged.l1;
    fee += l1.l1Fee;
    moves.splice(0, moves.length, ...charged.moves);
    const senderB = moves.find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === sender.toString());
    const cost = eth.value + eth.gasLimit * maxFeePerGas(eth) + l1.l1Fee;
    const balance = (senderB?.prev ?? 0n) + sweepCredit(sweeps);
    // INVARIANT: the balance covers the L1 data fee too (the validator's insufficient-balance rule).
    if (balance < cost) throw new InvalidTxError("rules", "insufficient-balance", `balance ${balance} is below the maximum cost ${cost} (the L1 data fee ${l1.l1Fee} included)`);
  } else sortMoves(moves);
  checkMovesStructure(moves, ctx.seq);
  // INVARIANT: the filled transaction fits the encoding's limits (protocol.md §5.5), or it cannot be posted.
  if (moves.length > LIMITS.maxMoves || witness.length > LIMITS.maxWitness || witness.some((c) => c.length > LIMITS.maxCode))
    throw new InvalidTxError(
      "malformed",
      "over-limit",
      `the transaction needs ${moves.length} moves and ${witness.length} code blobs (largest ${Math.max(0, ...witness.map((c) => c.length))} bytes): over the limits of ${LIMITS.maxMoves}, ${LIMITS.maxWitness} and ${LIMITS.maxCode}`,
    );
  const filled: Tx = { ...tx, moves, witness } as Tx;
  const size = encodeTx(filled).length;
  // INVARIANT: a batch can carry the filled transaction (protocol.md §5.5), or it cannot be posted.
  if (size > LIMITS.maxTxBytes)
    throw new InvalidTxError("malformed", "over-limit", `the filled transaction takes ${size} bytes: over the limit of ${LIMITS.maxTxBytes} per transaction`);
  return {
    tx: filled,
    outcome: {
      sender: sender.toString(),
      status: res.status,
      gasUsed: res.gasUsed,
      logs: res.logs,
      createdAddress: res.createdAddress ? bytesToHex(res.createdAddress) : undefined,
      fee,
      withdrawal,
      ...(l1 ? { l1 } : {}),
    },
  };
}

/**
 * The moves of a filled transaction with its L1 data fee (protocol.md §6.6) taken from the sender's
 * balance and added to its fee output (the run gave `vault` in the fee vault). The fee counts the
 * sender's `b` and the fee output at a fixed size, so it does not depend on their values; whether they
 * are posted at all (a consuming `b`, a fee output declared iff nonzero) does, and is settled by trying
 * the shape with both first: if the fee is 0 there, it is 0 without them too (fewer bytes).
 */
function addL1Fee(tx: Tx, base: readonly Move[], witness: Uint8Array[], sender: Uint8Array, ctx: TxContext, vault: bigint, withdrawal: bigint): { moves: Move[]; l1: L1Cost } {
  const prices = l1PricesOf(ctx);
  const senderHex = bytesToHex(sender);
  const shape = (l1Fee: bigint, charge: boolean): Move[] => {
    const moves = base.map((m) => {
      if (m.mark !== Mark.Balance || bytesToHex(m.addr) !== senderHex) return m;
      const next = (m.ref ? m.prev : m.next) - l1Fee;
      return charge && m.ref ? { ...m, ref: false, next } : { ...m, next };
    });
    moves.push(...expectedOutputs(ctx, sender, charge && vault + l1Fee === 0n ? 1n : vault + l1Fee, withdrawal)); // 1: a placeholder, not counted
    return sortMoves(moves);
  };
  const costOf = (moves: Move[]) => l1CostOf({ ...tx, moves, witness } as Tx, sender, ctx.env.coinbase, ctx.seq, prices);
  if (chargesL1(prices)) {
    const l1 = costOf(shape(0n, true));
    if (l1.l1Fee > 0n) return { moves: shape(l1.l1Fee, true), l1 };
  }
  const moves = shape(0n, false);
  return { moves, l1: costOf(moves) };
}

/** A move that sweeps a fee output (protocol.md §4.3 rule 3): mark f, keyed by an earlier seq. */
function isSweep(m: Move, ctx: TxContext): boolean {
  return ctx.feeMode === "outputs" && m.mark === Mark.Fee && m.slot < ctx.seq;
}

/**
 * The fee sweeps of a transaction: the ones a move transaction signs (their open fields filled:
 * intx = slot, prev = the output's value, next = 0), or else up to `max` of the sender's unspent
 * fee outputs from the view, oldest first.
 */
async function fillSweeps(signed: readonly Move[], senderHex: string, sender: Uint8Array, view: StateView, ctx: TxContext, max: number): Promise<Move[]> {
  if (ctx.feeMode !== "outputs") return [];
  const own = signed.map((s, i) => [s, i] as const).filter(([s]) => isSweep(s, ctx));
  if (own.length) {
    const out: Move[] = [];
    for (const [s, i] of own) {
      const v = await view.latest(Mark.Fee, bytesToHex(s.addr), s.slot);
      out.push(mergeSigned(s, { ...s, mask: 0, ref: false, intx: s.slot, prev: v.value, next: 0n }, i));
    }
    return out;
  }
  if (max <= 0 || !view.feeOutputs) return [];
  const outs = await view.feeOutputs(senderHex, max);
  return outs
    .filter((o) => o.seq > 0n && o.seq < ctx.seq && o.value > 0n)
    .slice(0, max)
    .map((o) => ({ mask: 0, ref: false, mark: Mark.Fee, intx: o.seq, addr: sender, slot: o.seq, prev: o.value, next: 0n }));
}

export { keyIdOf, InvalidTxError };
