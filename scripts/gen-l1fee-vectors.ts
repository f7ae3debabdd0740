/**
 * Generates test/vectors/l1fee.json: the L1 data fee of protocol.md §6.6 on known inputs, which the
 * TypeScript core (core/l1fee.ts; test/core/l1fee.test.ts) and its Solidity twin (contracts/lib/L1Fee.sol,
 * through CoreHarness; test/contracts/lib/l1fee.test.ts) must both reproduce: EIP-7623 tokens of bytes,
 * tokens of u256c values, the Ecotone formula with arbitrary scalars, and the charged tokens and fee of
 * whole transactions (the fee-dependent `next` values at VALUE_TOKENS).
 *
 *   npx ts-node --transpile-only scripts/gen-l1fee-vectors.ts
 */
import * as fs from "fs";
import * as path from "path";
import { Wallet } from "ethers";
import { bytesToHex, hexToBytes, MAX_U256 } from "../core/bytes";
import { Mark } from "../core/keys";
import { sortMoves, type Move } from "../core/moves";
import { encodeTx, TxType, type Tx } from "../core/tx";
import { calldataTokens, feeDependentMoves, l1FeeOfTokens, l1Tokens, u256cTokens, L1_SCALARS, MAX_L1_PRICE } from "../core/l1fee";

export const L1FEE_VECTORS = path.join(__dirname, "..", "test", "vectors", "l1fee.json");

const dec = (v: bigint) => v.toString(10);
const addr = (b: number) => new Uint8Array(20).fill(b);

export interface L1FeeVectors {
  tokens: { bytes: string; tokens: string }[];
  u256cTokens: { value: string; tokens: string }[];
  formula: { tokens: string; l1BaseFee: string; l1BlobBaseFee: string; baseScalar: string; blobScalar: string; l1Fee: string; l1GasUsed: string }[];
  txs: { name: string; tx: string; sender: string; feeRecipient: string; seq: string; l1BaseFee: string; l1BlobBaseFee: string; tokens: string; l1Fee: string; l1GasUsed: string }[];
}

async function main(): Promise<void> {
  const tokens = [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(1), Uint8Array.of(0, 0xff, 0, 7), new Uint8Array(33).fill(0x80), new Uint8Array(65).map((_, i) => (i % 3 === 0 ? 0 : i))].map((b) => ({
    bytes: bytesToHex(b),
    tokens: dec(calldataTokens(b)),
  }));
  const values = [0n, 1n, 0xffn, 0x100n, 0x10000n, 10n ** 18n, 0x0100000000000000n, (1n << 64n) - 1n, 1n << 255n, MAX_U256];
  const u = values.map((v) => ({ value: dec(v), tokens: dec(u256cTokens(v)) }));
  const formulaInputs: [bigint, bigint, bigint, bigint, bigint][] = [
    [0n, 30n * 10n ** 9n, 1n, 2_000_000n, 0n],
    [1_500n, 30n * 10n ** 9n, 1n, 2_000_000n, 0n],
    [1_500n, 30n * 10n ** 9n, 5n * 10n ** 9n, 1_368n, 810_949n], // Base's Ecotone scalars
    [1n, 1n, 1n, 1n, 1n], // rounds to 0
    [393_216n, MAX_L1_PRICE, MAX_L1_PRICE, 0xffffffffn, 0xffffffffn], // the largest: a 96 KiB transaction of nonzero bytes
  ];
  const formula = formulaInputs.map(([t, b, bb, s, bs]) => {
    const r = l1FeeOfTokens(t, { l1BaseFee: b, l1BlobBaseFee: bb }, { baseFeeScalar: s, blobBaseFeeScalar: bs });
    return { tokens: dec(t), l1BaseFee: dec(b), l1BlobBaseFee: dec(bb), baseScalar: dec(s), blobScalar: dec(bs), l1Fee: dec(r.l1Fee), l1GasUsed: dec(r.l1GasUsed) };
  });

  const w = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  const sender = hexToBytes(w.address.toLowerCase() as `0x${string}`);
  const fr = addr(0xfe);
  const raw = hexToBytes((await w.signTransaction({ chainId: 31337n, type: 2, nonce: 3, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 10n ** 8n, gasLimit: 21_000n, to: bytesToHex(addr(0xb0)), value: 10n ** 15n })) as `0x${string}`);
  const seq = 77n;
  const mv = (mark: number, a: Uint8Array, slot: bigint, prev: bigint, next: bigint, ref = false, intx = 5n): Move => ({ mask: 0, ref, mark, intx, addr: a, slot, prev, next: ref ? prev : next });
  const base = (senderNext: bigint, feeNext: bigint | undefined, senderRef = false): Tx => {
    const moves = [
      mv(Mark.Nonce, sender, 0n, 3n, 4n),
      mv(Mark.Balance, sender, 0n, 10n ** 18n, senderNext, senderRef),
      mv(Mark.Code, sender, 0n, 0n, 0n, true),
      mv(Mark.Balance, addr(0xb0), 0n, 0n, 10n ** 15n, false, 0n),
      ...(feeNext === undefined ? [] : [mv(Mark.Fee, fr, seq, 0n, feeNext, false, 0n)]),
      mv(Mark.Fee, sender, 12n, 9n, 0n, false, 12n), // a sweep: an f move of another seq, counted as posted
    ];
    return { type: TxType.Wrapped, raw, moves: sortMoves(moves), witness: [] };
  };
  const cases: [string, Tx, bigint, bigint][] = [
    ["a transfer with a fee output", base(10n ** 18n - 10n ** 15n - 123_456_789n, 2_100_000_000_000n), 30n * 10n ** 9n, 1n],
    ["the same with other fee-dependent values: the same tokens", base(1n, 0xff00ff00ff00ff00ffn), 30n * 10n ** 9n, 1n],
    ["no fee output, a reference sender balance (nothing fee-dependent)", base(0n, undefined, true), 7n, 0n],
    ["zero prices", base(5n, 5n), 0n, 0n],
    ["the largest prices", base(2n, 3n), MAX_L1_PRICE, MAX_L1_PRICE],
  ];
  const txs = cases.map(([name, tx, b, bb]) => {
    const enc = encodeTx(tx);
    const t = l1Tokens(enc, feeDependentMoves(tx.moves, sender, fr, seq));
    const r = l1FeeOfTokens(t, { l1BaseFee: b, l1BlobBaseFee: bb }, L1_SCALARS);
    return { name, tx: bytesToHex(enc), sender: bytesToHex(sender), feeRecipient: bytesToHex(fr), seq: dec(seq), l1BaseFee: dec(b), l1BlobBaseFee: dec(bb), tokens: dec(t), l1Fee: dec(r.l1Fee), l1GasUsed: dec(r.l1GasUsed) };
  });
  const out: L1FeeVectors = { tokens, u256cTokens: u, formula, txs };
  fs.writeFileSync(L1FEE_VECTORS, JSON.stringify(out, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), L1FEE_VECTORS)}`);
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
