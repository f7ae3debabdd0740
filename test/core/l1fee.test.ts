/**
 * The L1 data fee (protocol.md §6.6, core/l1fee.ts): the shared vectors, and the rule where fees are
 * checked: the filler charges exactly it, the validator refuses a fee output or a sender balance that
 * does not match it and a balance that cannot cover it, and it does not depend on the values it changes.
 */
import { expect } from "chai";
import * as fs from "fs";
import { ethers } from "ethers";
import {
  Executor, MemoryState, Mark, TxContext, Tx, InvalidTxError, L2_BLOCK_GAS_LIMIT,
  fillMoves, validateTx, encodeTx, decodeTx, hexToBytes, bytesToHex,
  calldataTokens, u256cTokens, l1FeeOfTokens, l1Tokens, feeDependentMoves, l1CostOf, declaredL1Prices, priceStep, L1_PRICE_STEPS_PER_OCTAVE, L1_SCALARS, VALUE_TOKENS,
} from "../../core";
import { L1FEE_VECTORS, type L1FeeVectors } from "../../scripts/gen-l1fee-vectors";
import { verdictOf, wrap } from "../helpers/verdict";

const CHAIN = 31337n;
const alice = new ethers.Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const aliceBytes = hexToBytes(alice.address.toLowerCase() as `0x${string}`);
const bob = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const feeRecipient = hexToBytes("0x00000000000000000000000000000000000fee01");
const L1_BASE_FEE = 20n * 10n ** 9n;

function ctx(seq: bigint, l1BaseFee = L1_BASE_FEE): TxContext {
  return {
    seq,
    env: { chainId: CHAIN, number: 5n, timestamp: 1_700_000_000n, coinbase: feeRecipient, baseFee: 7n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: new Uint8Array(32), excessBlobGas: 0n },
    feeMode: "outputs",
    blockHash: "zero",
    allowUnprotected: false,
    allowBlobTx: false,
    l1Prices: { l1BaseFee, l1BlobBaseFee: 1n },
  };
}


const roundTrip = (tx: Tx): Tx => decodeTx(encodeTx(tx));
const sign = (fields: ethers.TransactionRequest) => alice.signTransaction({ chainId: CHAIN, type: 2, nonce: 0, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 21_000n, to: bob, value: 1000n, ...fields });

describe("core: the L1 data fee", function () {
  describe("the shared vectors (Solidity: test/contracts/lib/l1fee.test.ts)", function () {
    const v = JSON.parse(fs.readFileSync(L1FEE_VECTORS, "utf8")) as L1FeeVectors;
    it("tokens, u256c tokens, the formula and whole transactions", () => {
      for (const x of v.tokens) expect(calldataTokens(hexToBytes(x.bytes as `0x${string}`))).to.equal(BigInt(x.tokens));
      for (const x of v.u256cTokens) expect(u256cTokens(BigInt(x.value))).to.equal(BigInt(x.tokens));
      for (const x of v.formula) {
        const r = l1FeeOfTokens(BigInt(x.tokens), { l1BaseFee: BigInt(x.l1BaseFee), l1BlobBaseFee: BigInt(x.l1BlobBaseFee) }, { baseFeeScalar: BigInt(x.baseScalar), blobBaseFeeScalar: BigInt(x.blobScalar) });
        expect(r.l1Fee).to.equal(BigInt(x.l1Fee));
        expect(r.l1GasUsed).to.equal(BigInt(x.l1GasUsed));
      }
      for (const x of v.txs) {
        const tx = decodeTx(hexToBytes(x.tx as `0x${string}`));
        const c = l1CostOf(tx, hexToBytes(x.sender as `0x${string}`), hexToBytes(x.feeRecipient as `0x${string}`), BigInt(x.seq), { l1BaseFee: BigInt(x.l1BaseFee), l1BlobBaseFee: BigInt(x.l1BlobBaseFee) });
        expect(c.l1Fee, x.name).to.equal(BigInt(x.l1Fee));
        expect(c.l1GasUsed, x.name).to.equal(BigInt(x.l1GasUsed));
      }
    });
  });

  it("known inputs: 4 × tokens of L1 gas at 2 × the L1 base fee per 16 (baseFeeScalar 2.0, blobs not charged)", () => {
    expect(calldataTokens(Uint8Array.of(0, 0, 5, 0xff))).to.equal(10n);
    expect(u256cTokens(0n)).to.equal(1n); // the length byte 0x00
    expect(u256cTokens(0x0100n)).to.equal(4n + 4n + 1n);
    expect(l1FeeOfTokens(1000n, { l1BaseFee: 10n ** 9n, l1BlobBaseFee: 10n ** 9n })).to.deep.equal({ l1Fee: 4000n * 2n * 10n ** 9n, l1GasUsed: 4000n });
    expect(L1_SCALARS.blobBaseFeeScalar).to.equal(0n);
    // the coordinator declares 7/8 of the latest values, rounded down to a power of 2 (700 -> 512, 7 -> 4)
    expect(L1_PRICE_STEPS_PER_OCTAVE).to.equal(1);
    expect(declaredL1Prices(800n, 9n)).to.deep.equal({ l1BaseFee: 512n, l1BlobBaseFee: 4n });
    expect(declaredL1Prices(800n, 9n, 0, 4)).to.deep.equal({ l1BaseFee: 608n, l1BlobBaseFee: 6n });
    expect(declaredL1Prices(0n, 1n)).to.deep.equal({ l1BaseFee: 0n, l1BlobBaseFee: 0n });
  });

  it("declared prices are a step of a grid: never above 7/8 of L1's, less than one step below it, and unchanged while L1's stay within the step", () => {
    let x = 7n;
    const next = () => (x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 256n);
    for (const n of [1, 2, 4]) {
      const up = 2 ** (1 / n);
      for (let i = 0; i < 400; i++) {
        const latest = next() >> (next() % 256n);
        const d = declaredL1Prices(latest, latest, 0, n).l1BaseFee;
        const seven8 = (latest * 7n) / 8n > (1n << 128n) - 1n ? (1n << 128n) - 1n : (latest * 7n) / 8n;
        expect(d <= seven8, `${latest}`).to.equal(true);
        if (seven8 > 0n) expect(Number(d) * up * 1.000001 > Number(seven8), `${latest} (${n} a doubling)`).to.equal(true);
        expect(priceStep(d, n), "a grid value is its own step").to.equal(d);
      }
    }
    // L1's base fee falling 1/8 a block (empty blocks) from 2^31 × 8/7: the declared price moves once every
    // 5 or 6 blocks (8/7 to the power 5.19 is 2): 5 times in 26 blocks, where 7/8 of the latest moved with every block.
    let latest = (2n ** 31n * 8n) / 7n + 1n;
    const seen: bigint[] = [];
    for (let b = 0; b < 26; b++, latest -= latest / 8n) seen.push(declaredL1Prices(latest, 0n).l1BaseFee);
    const changes = seen.filter((v, i) => i > 0 && v !== seen[i - 1]).length;
    expect(changes).to.equal(5);
    expect(new Set(seen)).to.deep.equal(new Set([2n ** 31n, 2n ** 30n, 2n ** 29n, 2n ** 28n, 2n ** 27n, 2n ** 26n]));
    // One wei across a step's edge changes the price a whole step.
    expect(declaredL1Prices((2n ** 30n * 8n) / 7n + 1n, 0n).l1BaseFee).to.equal(2n ** 30n);
    expect(declaredL1Prices((2n ** 30n * 8n) / 7n - 1n, 0n).l1BaseFee).to.equal(2n ** 29n);
  });

  it("steps per doubling must be an integer in 1..64", () => {
    for (const n of [0, -1, 1.5, 65, NaN]) expect(() => priceStep(5n, n), String(n)).to.throw(RangeError, /steps per doubling/);
    expect(() => declaredL1Prices(800n, 9n, 0, 0)).to.throw(RangeError);
  });

  it("after L1 refused a post for its prices, each retry declares half as much (a step lower); 128 halvings or more declare 0 (every price is below 2^128)", () => {
    expect(declaredL1Prices(800n, 90n, 1)).to.deep.equal({ l1BaseFee: 256n, l1BlobBaseFee: 32n });
    expect(declaredL1Prices(800n, 90n, 4)).to.deep.equal({ l1BaseFee: 32n, l1BlobBaseFee: 4n });
    for (const n of [1, 2, 4]) for (let h = 0; h < 8; h++) expect(priceStep(declaredL1Prices(10n ** 12n, 0n, h, n).l1BaseFee, n), "halvings stay on the grid").to.equal(declaredL1Prices(10n ** 12n, 0n, h, n).l1BaseFee);
    expect(declaredL1Prices(2n ** 127n, 2n ** 127n, 64)).to.deep.equal({ l1BaseFee: 1n << 62n, l1BlobBaseFee: 1n << 62n });
    expect(declaredL1Prices(2n ** 200n, 2n ** 200n, 0)).to.deep.equal({ l1BaseFee: 1n << 127n, l1BlobBaseFee: 1n << 127n });
    expect(declaredL1Prices(2n ** 200n, 2n ** 200n, 128)).to.deep.equal({ l1BaseFee: 0n, l1BlobBaseFee: 0n });
    expect(declaredL1Prices(2n ** 127n, 2n ** 127n, 1e9)).to.deep.equal({ l1BaseFee: 0n, l1BlobBaseFee: 0n });
    expect(declaredL1Prices(800n, 90n, -3)).to.deep.equal(declaredL1Prices(800n, 90n));
  });

  describe("where fees are checked", function () {
    let ex: Executor;
    let state: MemoryState;
    const BAL = 10n ** 18n;

    before(async () => {
      ex = await Executor.create(CHAIN);
    });
    beforeEach(() => {
      state = new MemoryState().setGenesis({ mark: Mark.Balance, addr: aliceBytes, slot: 0n }, BAL);
    });

    it("the filler charges exactly the fee: the sender's balance drops by value + gas + L1 fee, the fee output gains it, and it validates", async () => {
      const f = await fillMoves(wrap(await sign({})), state, ctx(1n), ex);
      const tx = roundTrip(f.tx);
      const l1 = l1CostOf(tx, aliceBytes, feeRecipient, 1n, ctx(1n).l1Prices!);
      expect(l1.l1Fee > 0n).to.equal(true);
      expect(f.outcome.l1).to.deep.equal(l1);
      const b = tx.moves.find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === alice.address.toLowerCase())!;
      const fo = tx.moves.find((m) => m.mark === Mark.Fee)!;
      // gas: 21,000 × baseFee 7 burned (the declared gas) + 21,000 × priority fee 2 to the fee output
      expect(BAL - b.next).to.equal(1000n + 21_000n * 9n + l1.l1Fee);
      expect(fo.next).to.equal(21_000n * 2n + l1.l1Fee);
      const out = await validateTx(tx, ctx(1n), ex);
      expect(out.fee).to.equal(fo.next);
      expect(out.l1).to.deep.equal(l1);
    });

    it("the fee does not depend on the values it changes: both fee-dependent nexts count VALUE_TOKENS", async () => {
      const tx = roundTrip((await fillMoves(wrap(await sign({})), state, ctx(1n), ex)).tx);
      const dep = feeDependentMoves(tx.moves, aliceBytes, feeRecipient, 1n);
      expect(dep.map((m) => m.mark).sort()).to.deep.equal([Mark.Balance, Mark.Fee].sort());
      const changed = { ...tx, moves: tx.moves.map((m) => (dep.includes(m) ? { ...m, next: m.next * 977n + 12345n } : m)) } as Tx;
      expect(encodeTx(changed)).to.not.deep.equal(encodeTx(tx));
      expect(l1Tokens(encodeTx(changed), feeDependentMoves(changed.moves, aliceBytes, feeRecipient, 1n))).to.equal(l1Tokens(encodeTx(tx), dep));
      expect(l1Tokens(encodeTx(tx), dep)).to.equal(calldataTokens(encodeTx(tx)) - u256cTokens(dep[0].next) - u256cTokens(dep[1].next) + 2n * VALUE_TOKENS);
    });

    it("the validator refuses a fee output without the L1 fee, or a sender balance that did not pay it (execution)", async () => {
      const tx = roundTrip((await fillMoves(wrap(await sign({})), state, ctx(1n), ex)).tx);
      const l1 = l1CostOf(tx, aliceBytes, feeRecipient, 1n, ctx(1n).l1Prices!).l1Fee;
      const bump = (mark: number, by: bigint) => ({ ...tx, moves: tx.moves.map((m) => (m.mark === mark && (mark === Mark.Fee || bytesToHex(m.addr) === alice.address.toLowerCase()) ? { ...m, next: m.next + by } : m)) }) as Tx;
      expect(await verdictOf(validateTx(bump(Mark.Fee, -l1), ctx(1n), ex))).to.equal("execution/fee-output");
      expect(await verdictOf(validateTx(bump(Mark.Fee, -1n), ctx(1n), ex))).to.equal("execution/fee-output");
      expect(await verdictOf(validateTx(bump(Mark.Balance, l1), ctx(1n), ex))).to.equal("execution/next-mismatch");
      // the same transaction at other L1 prices owes another fee
      expect(await verdictOf(validateTx(tx, ctx(1n, L1_BASE_FEE + 1n), ex))).to.equal("execution/next-mismatch");
      expect(await verdictOf(validateTx(tx, ctx(1n), ex))).to.equal("valid");
    });

    it("a balance that covers value and gas but not the L1 fee: insufficient-balance (rules), in the filler and the validator", async () => {
      const need = 1000n + 21_000n * 100n; // value + gasLimit × feeCap
      const fund = (v: bigint) => (state = new MemoryState().setGenesis({ mark: Mark.Balance, addr: aliceBytes, slot: 0n }, v));
      // The fee counts the posted prev of the sender's balance, so the balance that falls 1 wei short is found by iterating.
      let balance = need + 10n ** 15n;
      let ok: Tx | undefined;
      let verdict = "valid";
      for (let k = 0; k < 6 && verdict === "valid"; k++) {
        fund(balance);
        try {
          const f = await fillMoves(wrap(await sign({})), state, ctx(1n), ex);
          ok = roundTrip(f.tx);
          balance = need + f.outcome.l1!.l1Fee - 1n;
        } catch (e) {
          if (!(e instanceof InvalidTxError)) throw e;
          verdict = `${e.kind}/${e.code}`;
        }
      }
      expect(verdict).to.equal("rules/insufficient-balance");
      // the same moves declared with that balance: the validator names the same rule
      const poor = { ...ok!, moves: ok!.moves.map((m) => (m.mark === Mark.Balance && bytesToHex(m.addr) === alice.address.toLowerCase() ? { ...m, prev: balance } : m)) } as Tx;
      const l1 = l1CostOf(poor, aliceBytes, feeRecipient, 1n, ctx(1n).l1Prices!).l1Fee;
      expect(balance).to.be.lessThan(need + l1);
      expect(balance).to.be.greaterThanOrEqual(need);
      expect(await verdictOf(validateTx(poor, ctx(1n), ex))).to.equal("rules/insufficient-balance");
      fund(need + 2n * l1);
      expect(await verdictOf(fillMoves(wrap(await sign({})), state, ctx(1n), ex))).to.equal("valid");
    });

    it("no L1 prices (Ethereum mode, conformance): no L1 fee", async () => {
      const tx = roundTrip((await fillMoves(wrap(await sign({})), state, ctx(1n, 0n), ex)).tx);
      const out = await validateTx(tx, ctx(1n, 0n), ex);
      expect(out.l1?.l1Fee).to.equal(0n);
      expect(out.fee).to.equal(21_000n * 2n);
    });
  });
});
