/**
 * The L1 data fee (docs/protocol.md §6.6): what a transaction pays for the bytes a poster puts on L1,
 * from its posted size and the L1 prices its batch header declares (which L1 bounds at append time by
 * its own base fee and blob base fee, §11.2). The formula is the OP Stack's Ecotone formula over the
 * transaction's encoding, with two fee-dependent values counted at a fixed size:
 *
 *   tokens    = EIP-7623 tokens of the encoding (a zero byte 1, any other 4), where the `next` of the
 *               sender's consuming `b` move and of the transaction's own fee output count as
 *               VALUE_TOKENS each instead of the tokens of their u256c
 *   l1GasUsed = 4 × tokens                     (16 per nonzero byte, 4 per zero byte: OP's l1GasUsed)
 *   l1Fee     = l1GasUsed × (16 × baseFeeScalar × l1BaseFee + blobBaseFeeScalar × l1BlobBaseFee) / 16e6
 *
 * One definition: the validator (core/validate.ts), the filler (core/fill.ts), the step machine's
 * start state (core/step/init.ts) and its Solidity twins (contracts/lib/L1Fee.sol: StepStart,
 * RulesProver) all compute it here or there, and both suites run test/vectors/l1fee.json. Pure.
 */
import { Writer } from "./codec";
import { bytesToHex } from "./bytes";
import { Mark } from "./keys";
import type { Move } from "./moves";
import { encodeTx, TxType, type Tx } from "./tx";

/** baseFeeScalar, in millionths (OP's unit): see protocol.md §6.6 for how it was measured. */
export const L1_BASE_FEE_SCALAR = 2_000_000n;
/** blobBaseFeeScalar, in millionths: 0 while batches are posted as calldata (blobs: §14). */
export const L1_BLOB_BASE_FEE_SCALAR = 0n;
/** Tokens a fee-dependent value counts for: a u256c of 8 nonzero bytes (length byte included), 9 × 4. */
export const VALUE_TOKENS = 36n;
/** The largest L1 price a header may declare (L1 refuses more, §11.2): keeps the fee's arithmetic in 256 bits. */
export const MAX_L1_PRICE = (1n << 128n) - 1n;

/** The L1 prices a batch header declares (§7.1). */
export interface L1Prices {
  l1BaseFee: bigint;
  l1BlobBaseFee: bigint;
}

export interface L1Scalars {
  baseFeeScalar: bigint;
  blobBaseFeeScalar: bigint;
}

export const L1_SCALARS: L1Scalars = { baseFeeScalar: L1_BASE_FEE_SCALAR, blobBaseFeeScalar: L1_BLOB_BASE_FEE_SCALAR };

/** A transaction's L1 fee and its inputs, as receipts report them (OP's l1Fee, l1GasUsed, l1GasPrice, l1BlobBaseFee). */
export interface L1Cost {
  l1Fee: bigint;
  l1GasUsed: bigint;
  l1GasPrice: bigint;
  l1BlobBaseFee: bigint;
}

/** EIP-7623 tokens of `b`: a zero byte 1, any other byte 4. */
export function calldataTokens(b: Uint8Array): bigint {
  let nonZero = 0;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) nonZero++;
  return BigInt(b.length + 3 * nonZero);
}

/** Tokens of the u256c encoding of `v` (§3.2). */
export function u256cTokens(v: bigint): bigint {
  return calldataTokens(new Writer().u256c(v).finish());
}

/**
 * The moves whose `next` depends on the L1 fee (§6.6): the sender's consuming `b` move and the
 * transaction's own fee output (`f`, the fee recipient, slot = seq), each if declared.
 */
export function feeDependentMoves(moves: readonly Move[], sender: Uint8Array, feeRecipient: Uint8Array, seq: bigint): Move[] {
  const s = bytesToHex(sender);
  const r = bytesToHex(feeRecipient);
  return moves.filter((m) => !m.ref && ((m.mark === Mark.Balance && m.slot === 0n && bytesToHex(m.addr) === s) || (m.mark === Mark.Fee && m.slot === seq && bytesToHex(m.addr) === r)));
}

/** The tokens §6.6 charges for: the encoding's, with the fee-dependent values at VALUE_TOKENS each. */
export function l1Tokens(encoding: Uint8Array, dependent: readonly Move[]): bigint {
  let t = calldataTokens(encoding);
  for (const m of dependent) t = t - u256cTokens(m.next) + VALUE_TOKENS;
  return t;
}

/** The Ecotone formula on `tokens`: the fee and OP's l1GasUsed. */
export function l1FeeOfTokens(tokens: bigint, prices: L1Prices, scalars: L1Scalars = L1_SCALARS): { l1Fee: bigint; l1GasUsed: bigint } {
  const l1GasUsed = 4n * tokens;
  const l1Fee = (l1GasUsed * (16n * scalars.baseFeeScalar * prices.l1BaseFee + scalars.blobBaseFeeScalar * prices.l1BlobBaseFee)) / 16_000_000n;
  return { l1Fee, l1GasUsed };
}

/**
 * The L1 cost of transaction `tx` from `sender` at `seq` in a batch with fee recipient `feeRecipient`
 * and L1 prices `prices`. Deposits pay none (their L1 transaction paid for them). `encoding`: the
 * transaction's bytes when the caller has them (they are encodeTx(tx) otherwise).
 */
export function l1CostOf(tx: Tx, sender: Uint8Array, feeRecipient: Uint8Array, seq: bigint, prices: L1Prices, encoding?: Uint8Array, scalars: L1Scalars = L1_SCALARS): L1Cost {
  const zero = { l1Fee: 0n, l1GasUsed: 0n, l1GasPrice: prices.l1BaseFee, l1BlobBaseFee: prices.l1BlobBaseFee };
  if (tx.type === TxType.Deposit) return zero;
  const tokens = l1Tokens(encoding ?? encodeTx(tx), feeDependentMoves(tx.moves, sender, feeRecipient, seq));
  return { ...l1FeeOfTokens(tokens, prices, scalars), l1GasPrice: prices.l1BaseFee, l1BlobBaseFee: prices.l1BlobBaseFee };
}

/**
 * Steps per doubling of the grid a coordinator's declared L1 prices are rounded down to (policy, not
 * protocol; protocol.md §11.2): 1, powers of 2. A declared price then stays put while L1's moves within
 * a step, so a transaction filled at acceptance is still the batch's when it is built (its L1 fee is
 * part of its moves), where 7/8 of the latest base fee changed with every L1 block.
 */
export const L1_PRICE_STEPS_PER_OCTAVE = 1;

/**
 * The largest value of the grid {floor(2^e × 2^(k/n)) : e ≥ 0, 0 ≤ k < n} not above `v` (0 for 0):
 * `v` rounded down to a step of a grid with `n` steps per doubling. Halving a grid value gives the grid
 * value one doubling below (floor(floor(x) / 2) = floor(x / 2)), so halvings stay on the grid.
 */
export function priceStep(v: bigint, n = L1_PRICE_STEPS_PER_OCTAVE): bigint {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`steps per doubling must be an integer in 1..64, not ${n}`);
  if (v <= 0n) return 0n;
  const e = BigInt(v.toString(2).length - 1);
  for (let k = n - 1; k > 0; k--) {
    // 2^(k/n) in 64 fractional bits (52 of them from the double: a policy's rounding, not consensus).
    const g = ((1n << e) * (BigInt(Math.round(2 ** (k / n) * 2 ** 52)) << 12n)) >> 64n;
    if (g <= v) return g;
  }
  return 1n << e;
}

/**
 * The L1 prices a coordinator declares for a batch it posts now (policy, not protocol): 7/8 of L1's
 * latest base fee and 7/8 of its next blob base fee, rounded down to a step of the grid of `priceStep`
 * (powers of 2), so the block that appends the batch accepts them (L1 refuses more than its own, §11.2)
 * even if each fell by 1/8 meanwhile, and they change only when L1's prices cross a step; halved
 * `halvings` times more (at most 128: then 0, as every price is below 2^128, which every block accepts). A coordinator whose post L1
 * refused for its prices (`L1PriceTooHigh`: L1's base fee fell faster than it posts, e.g. empty blocks
 * while its transaction waited) declares half as much on each retry, so it always posts in the end.
 */
export function declaredL1Prices(latestBaseFee: bigint, nextBlobBaseFee: bigint, halvings = 0, stepsPerOctave = L1_PRICE_STEPS_PER_OCTAVE): L1Prices {
  const h = BigInt(Math.max(0, Math.min(128, Math.floor(halvings))));
  const cap = (v: bigint) => (v > MAX_L1_PRICE ? MAX_L1_PRICE : v);
  const declare = (v: bigint) => priceStep(cap((v * 7n) / 8n), stepsPerOctave) >> h;
  return { l1BaseFee: declare(latestBaseFee), l1BlobBaseFee: declare(nextBlobBaseFee) };
}

/** Whether the prices and scalars charge anything (a transaction then always has a fee output). */
export function chargesL1(prices: L1Prices, scalars: L1Scalars = L1_SCALARS): boolean {
  return scalars.baseFeeScalar * prices.l1BaseFee + scalars.blobBaseFeeScalar * prices.l1BlobBaseFee > 0n;
}
