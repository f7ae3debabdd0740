/**
 * The self-check verdict memo (node/validation/memo.ts): a verifier beside a coordinator takes the verdict the
 * build's self-check computed for exactly the same inputs, and validates anything else in full. Each part of the
 * key is tested with a poisoned entry (a made-up outcome recorded for the original inputs, as a lying self-check
 * would): a transaction that differs in that part alone must be validated in full and get its true verdict, while
 * the original inputs do take the poisoned entry (so the memo is in use, and the test fails without that part).
 */
import { expect } from "chai";
import { ethers } from "ethers";
import * as path from "path";
import { Executor, MemoryState, TxType, Mark, encodeTx, decodeTx, fillMoves, hexToBytes, bytesToHex, keccak256, encodeBatchData, txRootOf, batchDataHash, type BatchHeader, type Tx, type WrappedTx } from "../../../core";
import { KnownCode } from "../../../core/known-code";
import type { TxContext } from "../../../core/context";
import type { TxOutcome } from "../../../core/validate";
import { checkBatch, InThreadValidator, txContext, type Validator, type ValidatorItem } from "../../../node/validation/check";
import type { Verdict } from "../../../node/validation/validate-pool";
import { VerdictMemo, canonical, memoKey } from "../../../node/validation/memo";
import { LevelUtxoStore } from "../../../node/state/utxo-store";
import { NO_DICTIONARY } from "../../../core/flz";
import { cleanupTmp, tmpDir } from "../../e2e/helpers";

const CHAIN = 901n;
const FEE = hexToBytes("0x00000000000000000000000000000000000fee01");
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const ALICE = alice.address.toLowerCase();
const bob = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
/** A contract whose code is one STOP: calls to it name its code hash. */
const CONTRACT = "0x00000000000000000000000000000000000c0de1";
const CODE = Uint8Array.of(0x00);
const CODE_HASH = bytesToHex(keccak256(CODE));

/** Counts the transactions it validates. */
class Counting implements Validator {
  validated = 0;
  constructor(private readonly inner: Validator) {}
  validate(items: ValidatorItem[], codes?: KnownCode): Promise<Verdict[]> {
    this.validated += items.length;
    return this.inner.validate(items, codes);
  }
  addCodes(codes: Iterable<readonly [string, import("../../../core/known-code").PostedCode]>): void {
    this.inner.addCodes(codes);
  }
  forgetCodes(seq: bigint): void {
    this.inner.forgetCodes(seq);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A lying self-check: every transaction valid with `outcome` (gasUsed 1: no real transaction's). */
function liar(outcome: TxOutcome): Validator {
  return {
    validate: async (items) => items.map(() => ({ valid: true, outcome: structuredClone(outcome) })),
    addCodes: () => undefined,
    forgetCodes: () => undefined,
    close: async () => undefined,
  };
}
const poison = (sender = ALICE): TxOutcome => ({ sender, status: 1, gasUsed: 1n, logs: [], fee: 0n, withdrawal: 0n });

function headerAt(firstSeq: bigint, data: Uint8Array = encodeBatchData([]), txs: { gas: bigint; tx: Uint8Array }[] = []): BatchHeader {
  return {
    index: 1n,
    parent: new Uint8Array(32).fill(1),
    firstSeq,
    txCount: BigInt(txs.length),
    txRoot: txRootOf(txs),
    number: 2n,
    timestamp: 1_800_000_000n,
    feeRecipient: FEE,
    baseFee: 1_000_000_000n,
    depositStart: 0n,
    depositEnd: 0n,
    dataHash: batchDataHash(data),
    l1BaseFee: 3n,
    l1BlobBaseFee: 1n,
  };
}

describe("node: the self-check verdict memo (a coordinator's verifier)", function () {
  this.timeout(120_000);
  let ex: Executor;
  let inner: Counting;
  let state: MemoryState;
  const SEQ = 5n;
  const header = headerAt(SEQ);
  const ctxAt = (i: number, gas = 21_000n): TxContext => txContext(header, CHAIN, i, gas);

  const signed = async (nonce: number, to = bob, gasLimit = 21_000n, value = 1000n): Promise<WrappedTx> => ({
    type: TxType.Wrapped,
    raw: hexToBytes((await alice.signTransaction({ to, value, nonce, gasLimit, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, chainId: CHAIN, type: 2 })) as `0x${string}`),
    moves: [],
    witness: [],
  });
  const fill = async (tx: Tx, ctx: TxContext): Promise<Tx> => (await fillMoves(tx, state, ctx, ex)).tx;

  before(async () => {
    ex = await Executor.create(CHAIN);
    inner = new Counting(await InThreadValidator.create(CHAIN, undefined, ex));
    state = new MemoryState();
    state.setGenesis({ addr: hexToBytes(ALICE as `0x${string}`), mark: Mark.Balance, slot: 0n }, 10n ** 19n);
    state.setGenesis({ addr: hexToBytes(CONTRACT), mark: Mark.Code, slot: 0n }, BigInt(CODE_HASH));
    state.addCode(CODE);
  });

  after(() => cleanupTmp());

  it("an honest self-check's verdicts are taken for the same inputs: one validation saved per transaction, each entry dropped when used", async () => {
    const memo = new VerdictMemo();
    const t0 = encodeTx(await fill(await signed(0), ctxAt(0)));
    const items = [{ tx: t0, ctx: ctxAt(0) }];
    const truth = await inner.validate(items);
    expect(truth[0].valid).to.equal(true);
    const selfCheck = memo.recording(inner);
    const verifier = memo.using(inner);
    await selfCheck.validate(items);
    expect(memo.stats()).to.deep.include({ recorded: 1, size: 1 });
    const before = inner.validated;
    const got = await verifier.validate(items);
    expect(inner.validated, "not validated again").to.equal(before);
    expect(got).to.deep.equal(truth);
    expect(memo.stats()).to.deep.include({ hits: 1, size: 0 });
    // Used once: a second check (a rebuilt UTXO set, a reorg) validates in full.
    await verifier.validate(items);
    expect(inner.validated).to.equal(before + 1);
    expect(memo.stats()).to.deep.include({ hits: 1, misses: 1 });
  });

  it("the key covers the bytes and every field of the context: any difference is validated in full, with its true verdict", async () => {
    const tx = await fill(await signed(0), ctxAt(0));
    const bytes = encodeTx(tx);
    const base = ctxAt(0);
    const mutated = decodeTx(bytes);
    const j = mutated.moves.findIndex((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bob);
    mutated.moves[j] = { ...mutated.moves[j], next: mutated.moves[j].next + 1n };
    const env = (over: Partial<TxContext["env"]>): TxContext => ({ ...base, env: { ...base.env, ...over } });
    const variants: [string, Uint8Array, TxContext][] = [
      ["posted bytes", encodeTx(mutated), base],
      ["seq", bytes, { ...base, seq: base.seq + 1n }],
      ["chain id", bytes, env({ chainId: CHAIN + 1n })],
      ["number", bytes, env({ number: base.env.number + 1n })],
      ["timestamp", bytes, env({ timestamp: base.env.timestamp + 1n })],
      ["fee recipient", bytes, env({ coinbase: hexToBytes(bob) })],
      ["base fee", bytes, env({ baseFee: base.env.baseFee + 1n })],
      ["base fee above the cap", bytes, env({ baseFee: 3_000_000_000n })],
      ["gas limit", bytes, env({ gasLimit: 20_000n })],
      ["prevrandao", bytes, env({ prevRandao: new Uint8Array(32).fill(9) })],
      ["excess blob gas", bytes, env({ excessBlobGas: 1n })],
      ["fee mode", bytes, { ...base, feeMode: "ethereum" as TxContext["feeMode"] }],
      ["block-hash mode", bytes, { ...base, blockHash: "state-test" as TxContext["blockHash"] }],
      ["unprotected policy", bytes, { ...base, allowUnprotected: false }],
      ["blob policy", bytes, { ...base, allowBlobTx: true }],
      ["declared gas", bytes, { ...base, declaredGas: 20_999n }],
      ["no declared gas", bytes, { ...base, declaredGas: undefined }],
      ["L1 base fee", bytes, { ...base, l1Prices: { ...base.l1Prices!, l1BaseFee: 4n } }],
      ["L1 blob base fee", bytes, { ...base, l1Prices: { ...base.l1Prices!, l1BlobBaseFee: 2n } }],
    ];
    for (const [what, b, ctx] of variants) {
      const memo = new VerdictMemo();
      await memo.recording(liar(poison())).validate([{ tx: bytes, ctx: base }]);
      const truth = await inner.validate([{ tx: b, ctx }]).catch((e: Error) => e.message);
      const n = inner.validated;
      const got = await memo.using(inner).validate([{ tx: b, ctx }]).catch((e: Error) => e.message);
      expect(got, what).to.deep.equal(truth);
      expect(inner.validated, `${what}: validated in full`).to.equal(n + 1);
      expect(memo.stats(), what).to.deep.include({ hits: 0, size: 1 });
      // The same inputs take the (poisoned) entry: the memo is in use, only the difference missed.
      const same = await memo.using(inner).validate([{ tx: bytes, ctx: base }]);
      expect(same[0].valid && same[0].outcome.gasUsed, `${what}: original hit`).to.equal(1n);
    }
  });

  it("the key covers the code the validator may use: a hash available to the self-check but not to the verifier (or the reverse) is a miss", async () => {
    // A call to the contract without its code in the witness: it validates only where the code is known before its seq.
    const filled = (await fillMoves(await signed(0, CONTRACT, 50_000n), state, ctxAt(0, 50_000n), ex, { omitCode: () => true })).tx;
    expect((filled as WrappedTx).witness).to.deep.equal([]);
    const bytes = encodeTx(filled);
    const ctx = ctxAt(0, 50_000n);
    const codes = new KnownCode();
    codes.add(CODE_HASH, SEQ - 1n, CODE);
    const later = new KnownCode();
    later.add(CODE_HASH, SEQ, CODE); // carried at the transaction's own seq: not before it
    const withCode = await inner.validate([{ tx: bytes, ctx }], codes);
    const without = await inner.validate([{ tx: bytes, ctx }]);
    expect(withCode[0].valid, JSON.stringify(withCode[0], (_, v) => (typeof v === "bigint" ? String(v) : v))).to.equal(true);
    expect(without[0].valid).to.equal(false);

    // Recorded with the code available (the batch's); the verifier has none, or only from the seq on.
    let memo = new VerdictMemo();
    await memo.recording(liar(poison())).validate([{ tx: bytes, ctx }], codes);
    expect(await memo.using(inner).validate([{ tx: bytes, ctx }])).to.deep.equal(without);
    expect(await memo.using(inner).validate([{ tx: bytes, ctx }], later)).to.deep.equal(without);
    expect(memo.stats()).to.deep.include({ hits: 0, size: 1 });
    // The chain's code (addCodes) counts as the batch's does; forgotten, it is gone.
    const v = memo.using(inner);
    v.addCodes([[CODE_HASH, { seq: 1n, code: CODE }]]);
    v.forgetCodes(1n);
    expect(await v.validate([{ tx: bytes, ctx }])).to.deep.equal(without);
    v.addCodes([[CODE_HASH, { seq: 1n, code: CODE }]]);
    const hit = await v.validate([{ tx: bytes, ctx }]);
    expect(hit[0].valid && hit[0].outcome.gasUsed, "available before its seq: the entry").to.equal(1n);
    v.forgetCodes(1n);

    // Recorded without the code; the verifier has it.
    memo = new VerdictMemo();
    await memo.recording(liar(poison())).validate([{ tx: bytes, ctx }]);
    expect(await memo.using(inner).validate([{ tx: bytes, ctx }], codes)).to.deep.equal(withCode);
    expect(memo.stats()).to.deep.include({ hits: 0, size: 1 });
  });

  it("a wrapped transaction's sender is checked beside the key: a self-check run with another sender is never taken; a sender handed to the verifier is validated in full", async () => {
    const bytes = encodeTx(await fill(await signed(0), ctxAt(0)));
    const ctx = ctxAt(0);
    const truth = await inner.validate([{ tx: bytes, ctx }]);
    const memo = new VerdictMemo();
    await memo.recording(liar(poison(bob))).validate([{ tx: bytes, ctx }]);
    expect(await memo.using(inner).validate([{ tx: bytes, ctx }])).to.deep.equal(truth);
    // The key matched, the sender did not: a miss, and the entry is dropped.
    expect(memo.stats()).to.deep.include({ hits: 0, misses: 1, size: 0 });
    // Recorded with the sender the verifier recovers: taken; but not where the caller hands in a sender of its own.
    await memo.recording(liar(poison(ALICE))).validate([{ tx: bytes, ctx }]);
    const handed = await memo.using(inner).validate([{ tx: bytes, ctx, sender: hexToBytes(ALICE as `0x${string}`) }]);
    expect(handed).to.deep.equal(truth);
    const hit = await memo.using(inner).validate([{ tx: bytes, ctx }]);
    expect(hit[0].valid && hit[0].outcome.gasUsed).to.equal(1n);
  });

  it("invalid self-check verdicts and deposits are never recorded; the memo is bounded (least recently recorded dropped)", async () => {
    const memo = new VerdictMemo(3);
    const ctx = ctxAt(0);
    const bytes = encodeTx(await fill(await signed(0), ctx));
    await memo.recording(inner).validate([{ tx: bytes, ctx: { ...ctx, declaredGas: 1n } }]);
    const dep = encodeTx({ type: TxType.Deposit, index: 0n, from: hexToBytes(bob), to: hexToBytes(ALICE as `0x${string}`), value: 1n, moves: [] });
    await memo.recording(liar(poison())).validate([{ tx: dep, ctx }]);
    expect(memo.stats()).to.deep.include({ recorded: 0, size: 0 });
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) txs.push(encodeTx(await fill(await signed(0, bob, 21_000n, 1000n + BigInt(i)), ctx)));
    await memo.recording(liar(poison())).validate(txs.map((tx) => ({ tx, ctx })));
    expect(memo.stats()).to.deep.include({ recorded: 5, evicted: 2, size: 3 });
    const got = await memo.using(inner).validate(txs.map((tx) => ({ tx, ctx })));
    expect(got.map((v) => v.valid && v.outcome.gasUsed === 1n)).to.deep.equal([false, false, true, true, true]);
    expect(memo.stats()).to.deep.include({ hits: 3, size: 0 });
    expect(() => new VerdictMemo(0)).to.throw(RangeError);
  });

  it("checkBatch through the memo: an honest batch takes every verdict; a posted item that differs from what the self-check validated gets its true fault", async () => {
    const store = await LevelUtxoStore.open(path.join(tmpDir(), "utxo"), { genesis: [[{ addr: hexToBytes(ALICE as `0x${string}`), mark: Mark.Balance, slot: 0n }, 10n ** 19n]] });
    try {
      const s = new MemoryState();
      s.setGenesis({ addr: hexToBytes(ALICE as `0x${string}`), mark: Mark.Balance, slot: 0n }, 10n ** 19n);
      const shell = headerAt(1n);
      const txs: Uint8Array[] = [];
      for (let i = 0; i < 3; i++) {
        const c = txContext(shell, CHAIN, i, 21_000n);
        const f = (await fillMoves(await signed(i), s, c, ex)).tx;
        s.apply(c.seq, f);
        txs.push(encodeTx(f));
      }
      const entries = txs.map((tx) => ({ gas: 21_000n, tx }));
      const data = encodeBatchData(entries);
      const h = headerAt(1n, data, entries);
      const memo = new VerdictMemo();
      // The self-check: each transaction in its batch context (the header is the one posted).
      await memo.recording(inner).validate(txs.map((tx, i) => ({ tx, ctx: txContext(h, CHAIN, i, 21_000n) })));
      const n = inner.validated;
      const res = await checkBatch(h, data, CHAIN, [], memo.using(inner), store, NO_DICTIONARY);
      expect(res.fault).to.equal(undefined);
      expect(inner.validated, "no transaction validated again").to.equal(n);
      expect(memo.stats()).to.deep.include({ hits: 3, size: 0 });
      const plain = await checkBatch(h, data, CHAIN, [], inner, store, NO_DICTIONARY);
      expect(canonical(res.outcomes)).to.equal(canonical(plain.outcomes));

      // Posted with another declared gas for tx 1 than the self-check validated: that one is validated in full.
      await memo.recording(inner).validate(txs.map((tx, i) => ({ tx, ctx: txContext(h, CHAIN, i, 21_000n) })));
      const lying = entries.map((e, i) => (i === 1 ? { ...e, gas: 30_000n } : e));
      const ldata = encodeBatchData(lying);
      const lh = headerAt(1n, ldata, lying);
      const m = inner.validated;
      const bad = await checkBatch(lh, ldata, CHAIN, [], memo.using(inner), store, NO_DICTIONARY);
      expect(bad.fault).to.deep.include({ txIndex: 1, kind: "rules", code: "declared-gas" });
      expect(inner.validated - m).to.equal(1);
    } finally {
      await store.close();
    }
  });

  it("memoKey: one key per input, undefined for a deposit", async () => {
    const tx = await fill(await signed(0), ctxAt(0));
    const bytes = encodeTx(tx);
    const k = memoKey(bytes, tx, ctxAt(0), () => false);
    expect(k).to.match(/^0x[0-9a-f]{64}$/);
    expect(memoKey(bytes, tx, { ...ctxAt(0) }, () => false)).to.equal(k);
    expect(memoKey(bytes, tx, ctxAt(1), () => false)).to.not.equal(k);
    expect(memoKey(encodeTx({ type: TxType.Deposit, index: 0n, from: hexToBytes(bob), to: hexToBytes(bob), value: 1n, moves: [] }), { type: TxType.Deposit, index: 0n, from: hexToBytes(bob), to: hexToBytes(bob), value: 1n, moves: [] }, ctxAt(0), () => false)).to.equal(undefined);
    // Canonical: field order does not matter, a field set to undefined is one left out, types are told apart.
    expect(canonical({ a: 1n, b: "x" })).to.equal(canonical({ b: "x", a: 1n }));
    expect(canonical({ a: 1n, c: undefined })).to.equal(canonical({ a: 1n }));
    expect(canonical({ a: 1n })).to.not.equal(canonical({ a: 1 }));
    expect(canonical({ a: Uint8Array.of(1) })).to.not.equal(canonical({ a: "0x01" }));
  });
});
