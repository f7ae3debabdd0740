/**
 * The standalone validator (protocol.md §6): is one transaction valid, given nothing but the
 * transaction, its code witness and its context (seq, block environment)? The EVM sees exactly
 * the declared keys at their prev values; any other access, and any final value that differs
 * from the declared next, makes the transaction invalid. Reasons are typed by fault kind.
 */
import { bytesToHex } from "./bytes";
import { InvalidTxError } from "./errors";
import { Mark, keyIdOf, keyToString } from "./keys";
import { Move, checkMovesStructure } from "./moves";
import { Tx, TxType, DepositTx, MoveTx, WrappedTx, codeHash } from "./tx";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { Address } from "@ethereumjs/util";
import { MAX_U256 } from "./bytes";
import { Executor, Log } from "./evm/execute";
import { StateSource, UndeclaredKeyError } from "./evm/state";
import { toRunnable } from "./evm/ethtx";
import { TxContext, l1PricesOf, policyOf } from "./context";
import { l1CostOf, type L1Cost } from "./l1fee";
import { FEE_VAULT_HEX, WITHDRAWAL_VAULT_HEX } from "./evm/chain";

export interface TxOutcome {
  /** 0x-hex address of the signer (L1 sender for deposits). */
  sender: string;
  status: 0 | 1;
  gasUsed: bigint;
  logs: Log[];
  createdAddress?: string;
  /** Fee output created (fee-output mode), 0 if none: the priority fee, the L1 data fee, anything sent to COINBASE. */
  fee: bigint;
  /** The L1 data fee and its inputs (protocol.md §6.6); absent for deposits and in Ethereum mode. */
  l1?: L1Cost;
  /** Withdrawal output created (fee-output mode), 0 if none. */
  withdrawal: bigint;
}

/** Looks up code by hash beyond the transaction's own witness (e.g. a verifier's code store). */
export type CodeLookup = (hashHex: string) => Uint8Array | undefined;

/**
 * The outputs a transaction creates in fee-output mode (protocol.md §6.5): what the fee vault and the
 * withdrawal vault hold at the end of execution, as fresh outputs keyed by this transaction's seq.
 */
export function expectedOutputs(ctx: TxContext, sender: Uint8Array, fee: bigint, withdrawal: bigint): Move[] {
  const out: Move[] = [];
  const fresh = (mark: number, addr: Uint8Array, next: bigint): Move => ({ mask: 0, ref: false, mark, intx: 0n, addr, slot: ctx.seq, prev: 0n, next });
  if (fee > 0n) out.push(fresh(Mark.Fee, ctx.env.coinbase, fee));
  if (withdrawal > 0n) out.push(fresh(Mark.Withdrawal, sender, withdrawal));
  return out;
}

/**
 * Structural rules for moves of marks f and w, before execution (protocol.md §4.3 rule 3): each is
 * an output of this transaction (keyed by its seq), or a fee sweep (an f move keyed by an earlier
 * seq: it consumes that fee output and empties it). Returns the outputs and the sweeps.
 */
function checkOutputs(moves: readonly Move[], ctx: TxContext): { outputs: Move[]; sweeps: Move[] } {
  const outputs: Move[] = [];
  const sweeps: Move[] = [];
  moves.forEach((m, i) => {
    if (m.mark !== Mark.Fee && m.mark !== Mark.Withdrawal) return;
    if (ctx.feeMode === "outputs" && m.mark === Mark.Fee && m.slot !== ctx.seq) {
      // INVARIANT: a sweep consumes the fee output it names, created by its seq, and leaves it empty.
      if (m.ref || m.intx !== m.slot || m.next !== 0n) throw new InvalidTxError("malformed", "bad-sweep", `move ${i}: a fee sweep consumes the output of seq ${m.slot} (intx = slot) and leaves 0`, i);
      sweeps.push(m);
      return;
    }
    // INVARIANT: outputs exist only in fee-output mode, keyed by this transaction's seq; fees go to the batch's fee recipient.
    if (ctx.feeMode !== "outputs" || m.slot !== ctx.seq || (m.mark === Mark.Fee && bytesToHex(m.addr) !== bytesToHex(ctx.env.coinbase)))
      throw new InvalidTxError("malformed", "unexpected-output", `move ${i} (${keyToString(m)}) is not an output of this transaction`, i);
    // INVARIANT: an output is fresh: it consumes the genesis version (intx 0, value 0).
    if (m.ref || m.intx !== 0n || m.prev !== 0n) throw new InvalidTxError("malformed", "bad-output", `move ${i}: an output consumes the genesis version of its key`, i);
    outputs.push(m);
  });
  return { outputs, sweeps };
}

/** What a transaction's fee sweeps credit to its sender before execution: the sum of their prev values. */
export function sweepCredit(sweeps: readonly Move[]): bigint {
  let c = 0n;
  for (const m of sweeps) c += m.prev;
  return c;
}

/** The batch's declared gas for the transaction (protocol.md §7.3) is its gas limit (0 for a deposit). */
function checkDeclaredGas(ctx: TxContext, gasLimit: bigint): void {
  // INVARIANT: the gas the batch declares for a transaction is its gas limit (L1 caps the batch's sum).
  if (ctx.declaredGas !== undefined && ctx.declaredGas !== gasLimit)
    throw new InvalidTxError("rules", "declared-gas", `the batch declares ${ctx.declaredGas} gas for a transaction whose gas limit is ${gasLimit}`);
}

export function checkMasks(tx: Tx): void {
  if (tx.type === TxType.Move) return; // covered by the signature
  tx.moves.forEach((m, i) => {
    // INVARIANT: deposits and wrapped Ethereum transactions carry no user-signed moves.
    if (m.mask !== 0) throw new InvalidTxError("signature", "mask-on-unsigned", `move ${i} has mask ${m.mask} in an unsigned-moves transaction`, i);
  });
}

function declaredSource(moves: readonly Move[], codes: Map<string, Uint8Array>, lookup?: CodeLookup): StateSource {
  const prev = new Map<string, bigint>();
  const slots = new Map<string, bigint[]>();
  for (const m of moves) {
    if (m.mark === Mark.Fee || m.mark === Mark.Withdrawal) continue;
    const a = bytesToHex(m.addr);
    prev.set(keyIdOf(a, m.mark, m.slot), m.prev);
    if (m.mark === Mark.Storage) (slots.get(a) ?? slots.set(a, []).get(a)!).push(m.slot);
  }
  return {
    read(id) {
      const v = prev.get(id);
      if (v === undefined) throw new UndeclaredKeyError(id);
      return v;
    },
    code: (h) => codes.get(h) ?? lookup?.(h),
    declaredSlots: (a) => slots.get(a) ?? [],
  };
}

function witnessMap(tx: Tx): Map<string, Uint8Array> {
  const codes = new Map<string, Uint8Array>();
  if (tx.type === TxType.Deposit) return codes;
  const declared = new Set<string>();
  for (const m of tx.moves) if (m.mark === Mark.Code) for (const v of [m.prev, m.next]) if (v !== 0n) declared.add("0x" + v.toString(16).padStart(64, "0"));
  tx.witness.forEach((c, i) => {
    const h = bytesToHex(codeHash(c));
    // INVARIANT: every witness blob is the code of a declared code hash.
    if (!declared.has(h)) throw new InvalidTxError("malformed", "unused-witness", `witness blob ${i} (${h}) matches no declared code hash`);
    codes.set(h, c);
  });
  return codes;
}

export function validateDeposit(tx: DepositTx, ctx: TxContext): TxOutcome {
  checkMovesStructure(tx.moves, ctx.seq);
  checkMasks(tx);
  // INVARIANT: a deposit has exactly one move: the recipient's balance, consumed.
  if (tx.moves.length !== 1 || tx.moves[0].mark !== Mark.Balance || bytesToHex(tx.moves[0].addr) !== bytesToHex(tx.to) || tx.moves[0].ref)
    throw new InvalidTxError("deposit", "deposit-moves", "a deposit must consume exactly the recipient's balance");
  const m = tx.moves[0];
  // INVARIANT: the recipient's balance grows by exactly the deposited value.
  if (m.prev + tx.value > MAX_U256 || m.next !== m.prev + tx.value)
    throw new InvalidTxError("deposit", "deposit-amount", `balance ${m.prev} + ${tx.value} is not the declared ${m.next}`, 0);
  checkDeclaredGas(ctx, 0n);
  return { sender: bytesToHex(tx.from), status: 1, gasUsed: 0n, logs: [], fee: 0n, withdrawal: 0n };
}

/** A transaction that passed every check before execution (protocol.md §6 items 1–7 but the rules the EVM checks). */
export interface PreparedTx {
  eth: TypedTransaction;
  sender: Address;
  /** The declared output moves (marks f and w keyed by this transaction's seq). */
  outputs: Move[];
  /** The fee sweeps (f moves of earlier seqs): their prev values are credited to the sender before execution. */
  sweeps: Move[];
  /** The witness: code by 0x-hash. */
  codes: Map<string, Uint8Array>;
  source: StateSource;
}

/**
 * The checks of protocol.md §6 before execution, in the validator's order: structure, masks,
 * outputs, witness, signer, withdrawal-output owner, and that the sender's n, b and c are declared.
 * Throws InvalidTxError. The step machine starts only from a prepared transaction (its step 0).
 */
export function prepareTx(tx: MoveTx | WrappedTx, ctx: TxContext, lookup?: CodeLookup, knownSender?: Uint8Array): PreparedTx {
  checkMovesStructure(tx.moves, ctx.seq);
  checkMasks(tx);
  const { outputs, sweeps } = checkOutputs(tx.moves, ctx);
  const codes = witnessMap(tx);
  const { eth, sender } = toRunnable(tx, policyOf(ctx), knownSender);
  tx.moves.forEach((m, i) => {
    // INVARIANT: a withdrawal output belongs to the transaction's sender, and so does every fee output it sweeps.
    if ((m.mark === Mark.Withdrawal || (m.mark === Mark.Fee && m.slot !== ctx.seq)) && bytesToHex(m.addr) !== sender.toString())
      throw new InvalidTxError("malformed", "unexpected-output", `${m.mark === Mark.Withdrawal ? "withdrawal output" : "swept fee output"} ${keyToString(m)} is not the sender's`, i);
  });
  checkDeclaredGas(ctx, eth.gasLimit);
  const source = declaredSource(tx.moves, codes, lookup);
  return { eth, sender, outputs, sweeps, codes, source };
}

/** Throws `sender-undeclared` unless the sender's n, b and c keys are declared. */
export function checkSenderDeclared(p: PreparedTx): void {
  const senderHex = p.sender.toString();
  for (const mark of [Mark.Nonce, Mark.Balance, Mark.Code]) {
    try {
      p.source.read(keyIdOf(senderHex, mark, 0n), mark, senderHex, 0n);
    } catch {
      // INVARIANT: the sender's nonce, balance and code hash are declared (the rules are checked against them).
      throw new InvalidTxError("rules", "sender-undeclared", `the sender's ${String.fromCharCode(mark)} key is not declared`);
    }
  }
}

/**
 * Validates one transaction standalone. Returns its outcome, or throws InvalidTxError.
 * `executor` is reused across calls (one per thread).
 *
 * The order of its checks is protocol.md §6's, and this function is its one definition: structure,
 * masks, outputs and sweeps, witness, the Ethereum transaction's decoding, the signature (a move
 * transaction's before its chain id), the outputs' owner, the declared gas, the sender's keys, the
 * rules, execution (prepareTx holds the checks before the sender's keys). Each fraud prover may rely
 * on every check before its own kind's (the rules and the owner proofs recover the signer), so the
 * first failure is the one to name: test/prover/provable-faults.test.ts proves every code on L1, each
 * combined with later faults.
 *
 * `knownSender` (a wrapped transaction's): the sender this node itself recovered from the same raw bytes
 * under the same policy (core/evm/ethtx.ts decodeWrapped), not recovered again; a coordinator's
 * self-check of its own mempool's transactions. Never one that came from outside: a verifier passes none.
 */
export async function validateTx(tx: Tx, ctx: TxContext, executor: Executor, lookup?: CodeLookup, encoding?: Uint8Array, knownSender?: Uint8Array): Promise<TxOutcome> {
  if (tx.type === TxType.Deposit) return validateDeposit(tx, ctx);
  const prepared = prepareTx(tx, ctx, lookup, knownSender);
  checkSenderDeclared(prepared);
  const { eth, sender, outputs, sweeps, source } = prepared;
  // The L1 data fee (protocol.md §6.6): from the posted bytes and the header's L1 prices alone.
  const l1 = ctx.feeMode === "outputs" ? l1CostOf(tx, sender.bytes, ctx.env.coinbase, ctx.seq, l1PricesOf(ctx), encoding) : undefined;
  const res = await executor.run(eth, sender, source, ctx.env, ctx.feeMode, ctx.blockHash, sweepCredit(sweeps), l1?.l1Fee ?? 0n);
  const sm = res.sm;
  tx.moves.forEach((m, i) => {
    if (m.mark === Mark.Fee || m.mark === Mark.Withdrawal) return;
    const id = keyIdOf(bytesToHex(m.addr), m.mark, m.slot);
    const final = sm.accessed.has(id) ? sm.finalValue(id) : m.prev;
    // INVARIANT: every declared key ends at its declared next value.
    if (final !== m.next)
      throw new InvalidTxError("execution", "next-mismatch", `move ${i} (${keyToString(m)}) declares next ${m.next}, execution gives ${final}`, i, {
        declared: m.next.toString(),
        computed: final.toString(),
      });
  });
  const fee = sm.vaultBalance(FEE_VAULT_HEX) + (l1?.l1Fee ?? 0n);
  const withdrawal = sm.vaultBalance(WITHDRAWAL_VAULT_HEX);
  if (ctx.feeMode === "outputs") {
    const want = expectedOutputs(ctx, sender.bytes, fee, withdrawal);
    for (const mark of [Mark.Fee, Mark.Withdrawal]) {
      const w = want.find((m) => m.mark === mark);
      const d = outputs.find((m) => m.mark === mark);
      // INVARIANT: each output is declared iff execution creates it, with exactly its value.
      if ((w?.next ?? 0n) !== (d?.next ?? 0n))
        throw new InvalidTxError("execution", mark === Mark.Fee ? "fee-output" : "withdrawal-output", `${mark === Mark.Fee ? "fee" : "withdrawal"} output declares ${d?.next ?? 0n}, execution gives ${w?.next ?? 0n}`);
    }
  }
  return {
    sender: sender.toString(),
    status: res.status,
    gasUsed: res.gasUsed,
    logs: res.logs,
    createdAddress: res.createdAddress ? bytesToHex(res.createdAddress) : undefined,
    fee,
    withdrawal,
    ...(l1 ? { l1 } : {}),
  };
}

/** An L1 deposit queue entry as the bridge recorded it. */
export interface DepositEntry {
  from: Uint8Array;
  to: Uint8Array;
  value: bigint;
}

/**
 * The batch-level deposit rule (protocol.md §11.3): in a batch consuming deposits [start, end), the
 * transaction at position i < end − start is deposit start + i exactly as queued (`entry`), and no
 * later transaction is a deposit. Throws InvalidTxError("deposit", ...).
 */
export function checkDepositPosition(tx: Tx, position: number, depositStart: bigint, depositEnd: bigint, entry?: DepositEntry): void {
  const n = depositEnd - depositStart;
  if (BigInt(position) < n) {
    const index = depositStart + BigInt(position);
    if (!entry) throw new RangeError(`deposit ${index} is needed to check position ${position}`);
    // INVARIANT: the batch's first transactions are its deposits, in queue order, exactly as queued.
    if (tx.type !== TxType.Deposit) throw new InvalidTxError("deposit", "not-a-deposit", `transaction ${position} should be deposit ${index} of the L1 queue`);
    if (tx.index !== index || bytesToHex(tx.from) !== bytesToHex(entry.from) || bytesToHex(tx.to) !== bytesToHex(entry.to) || tx.value !== entry.value)
      throw new InvalidTxError(
        "deposit",
        "deposit-mismatch",
        `deposit ${tx.index} (${bytesToHex(tx.from)} -> ${bytesToHex(tx.to)}, ${tx.value}) differs from queue entry ${index} (${bytesToHex(entry.from)} -> ${bytesToHex(entry.to)}, ${entry.value})`,
      );
  } else if (tx.type === TxType.Deposit) {
    // INVARIANT: a batch contains no deposit outside its deposit range.
    throw new InvalidTxError("deposit", "unexpected-deposit", `transaction ${position} is a deposit outside the batch's range`);
  }
}
