/**
 * Batch checking (node/validation/check.ts): the verdict is the first failing transaction as a
 * TxFault, whatever check finds it (decoding, the deposit queue, standalone validation, the
 * double-use walk), and a valid batch's outcomes; a transaction uses code of earlier witnesses only
 * (of its batch, or known from earlier batches), never of a later one; the walk without writing
 * agrees with LevelUtxoStore.applyBatch on random batches.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import * as fs from "fs";
import * as path from "path";
import {
  Executor, MemoryState, TxType, Mark, encodeTx, decodeTx, fillMoves, hexToBytes, bytesToHex, keccak256, encodeBatchData, txRootOf, batchDataHash,
  type BatchHeader, type BatchTx, type Tx, type WrappedTx, type DepositTx, type Move, type TxMoves,
} from "../../../core";
import { entryOf } from "../../helpers/l2sim";
import { LevelUtxoStore } from "../../../node/state/utxo-store";
import { BatchDataError, checkBatch, dryWalk, InThreadValidator, txContext, type QueueEntry } from "../../../node/validation/check";
import { packBlob, versionedHash } from "../../../core/blob";
import { loadBlobKzg } from "../../../node/l1/blob-kzg";
import { KnownCode } from "../../../core/known-code";
import { cleanupTmp, ROOT, tmpDir } from "../../e2e/helpers";
import { NO_DICTIONARY } from "../../../core/flz";

const CHAIN = 901n;
const FEE = hexToBytes("0x00000000000000000000000000000000000fee01");
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const bob = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

/** An independent copy of a MemoryState. */
function clone(s: MemoryState): MemoryState {
  const c = new MemoryState();
  const src = s as unknown as { values: Map<string, unknown>; codes: Map<string, unknown> };
  const dst = c as unknown as { values: Map<string, unknown>; codes: Map<string, unknown> };
  dst.values = new Map(src.values);
  dst.codes = new Map(src.codes);
  return c;
}

/** Each transaction declaring its gas limit, unless given as a BatchTx (0 if it does not decode). */
const entries = (txs: Array<Uint8Array | BatchTx>): BatchTx[] => txs.map(entryOf);

function headerFor(index: bigint, firstSeq: bigint, list: Array<Uint8Array | BatchTx>, deposits: [bigint, bigint]): BatchHeader {
  const txs = entries(list);
  const data = encodeBatchData(txs);
  return {
    index,
    parent: new Uint8Array(32).fill(Number(index)),
    firstSeq,
    txCount: BigInt(txs.length),
    txRoot: txRootOf(txs),
    number: index + 1n,
    timestamp: 1_800_000_000n,
    feeRecipient: FEE,
    baseFee: 1_000_000_000n,
    depositStart: deposits[0],
    depositEnd: deposits[1],
    dataHash: batchDataHash(data),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
}

describe("node: batch checking (verifier)", function () {
  this.timeout(120_000);
  let ex: Executor;
  let validator: InThreadValidator;
  let store: LevelUtxoStore;
  let state: MemoryState;
  const queue: QueueEntry[] = [
    { index: 0n, from: bob, to: alice.address.toLowerCase(), value: 10n ** 19n },
    { index: 1n, from: bob, to: bob, value: 5n },
  ];

  const deposit = (q: QueueEntry, over: Partial<DepositTx> = {}): DepositTx => ({
    type: TxType.Deposit, index: q.index, from: hexToBytes(q.from as `0x${string}`), to: hexToBytes(q.to as `0x${string}`), value: q.value, moves: [], ...over,
  });
  const transfer = async (nonce: number, value = 1000n): Promise<WrappedTx> => ({
    type: TxType.Wrapped,
    raw: hexToBytes((await alice.signTransaction({ to: bob, value, nonce, gasLimit: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, chainId: CHAIN, type: 2 })) as `0x${string}`),
    moves: [],
    witness: [],
  });

  /** Fills `txs` in order as a coordinator would (on a copy of `state`), returning their encodings. */
  async function fill(header: BatchHeader, txs: Tx[], s: MemoryState = state): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let i = 0; i < txs.length; i++) {
      const ctx = txContext(header, CHAIN, i);
      const f = await fillMoves(txs[i], s, ctx, ex);
      s.apply(ctx.seq, f.tx);
      out.push(encodeTx(f.tx));
    }
    return out;
  }

  /** A header whose commitments match `txs`, then the check. */
  async function check(index: bigint, firstSeq: bigint, txs: Array<Uint8Array | BatchTx>, deposits: [bigint, bigint] = [0n, 0n], q = queue.slice(Number(deposits[0]), Number(deposits[1]))) {
    const h = headerFor(index, firstSeq, txs, deposits);
    return { h, res: await checkBatch(h, encodeBatchData(entries(txs)), CHAIN, q, validator, store, NO_DICTIONARY) };
  }

  before(async () => {
    ex = await Executor.create(CHAIN);
    validator = await InThreadValidator.create(CHAIN, undefined, ex);
    store = await LevelUtxoStore.open(path.join(tmpDir(), "utxo"), { genesis: [] });
    state = new MemoryState();
    // Batch 0: the two deposits, valid.
    const shell = headerFor(0n, 1n, [new Uint8Array([0])], [0n, 2n]);
    const txs = await fill(shell, [deposit(queue[0]), deposit(queue[1])]);
    const { h, res } = await check(0n, 1n, txs, [0n, 2n]);
    expect(res.fault).to.equal(undefined);
    expect(res.outcomes.every((o) => o?.status === 1)).to.equal(true);
    expect(await store.applyBatch(h.index, res.decoded.map((t, i) => ({ seq: 1n + BigInt(i), moves: t!.moves })))).to.equal(undefined);
  });

  after(async () => {
    await store.close();
    cleanupTmp();
  });

  it("a valid batch: no fault, an outcome per transaction, the witnesses' code", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    const s = clone(state);
    const txs = await fill(shell, [await transfer(0), await transfer(1)], s);
    const { res } = await check(1n, 3n, txs, [2n, 2n], []);
    expect(res.fault).to.equal(undefined);
    expect(res.outcomes.map((o) => o!.gasUsed)).to.deep.equal([21000n, 21000n]);
    expect(res.outcomes[0]!.fee).to.equal(21000n);
  });

  it("the data against the header: its keccak, or a blob batch's versioned hash of the blob carrying exactly it (protocol.md §14.5)", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    const txs = await fill(shell, [await transfer(0)], clone(state));
    const data = encodeBatchData(entries(txs));
    const h = headerFor(1n, 3n, txs, [2n, 2n]);
    const kzg = await loadBlobKzg();
    const inBlob = { ...h, dataHash: versionedHash(kzg.commitment(packBlob(data))) };
    expect((await checkBatch(inBlob, data, CHAIN, [], validator, store, NO_DICTIONARY)).fault).to.equal(undefined);
    // Another blob's versioned hash (the data with one more zero byte after it: not what the blob carries exactly).
    const other = { ...h, dataHash: versionedHash(kzg.commitment(packBlob(Uint8Array.from([...data, 0, 1])))) };
    await checkBatch(other, data, CHAIN, [], validator, store, NO_DICTIONARY).then(() => expect.fail("accepted another blob"), (e: unknown) => expect(e).to.be.instanceOf(BatchDataError));
    await checkBatch({ ...h, dataHash: keccak256(Uint8Array.of(1)) }, data, CHAIN, [], validator, store, NO_DICTIONARY).then(() => expect.fail("accepted another hash"), (e: unknown) => expect(e).to.be.instanceOf(BatchDataError));
  });

  it("deposits against the L1 queue: not a deposit, a mismatch, a deposit outside the range", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    const q2: QueueEntry = { index: 2n, from: bob, to: bob, value: 7n };
    const t = await fill(shell, [await transfer(0)], clone(state));
    let { res } = await check(1n, 3n, t, [2n, 3n], [q2]);
    expect(res.fault).to.deep.include({ batchIndex: 1n, txIndex: 0, seq: 3n, kind: "deposit", code: "not-a-deposit" });
    const wrong = await fill(shell, [deposit(q2, { value: 8n })], clone(state));
    ({ res } = await check(1n, 3n, wrong, [2n, 3n], [q2]));
    expect(res.fault).to.deep.include({ txIndex: 0, kind: "deposit", code: "deposit-mismatch" });
    const extra = await fill(shell, [await transfer(0), deposit(q2)], clone(state));
    ({ res } = await check(1n, 3n, extra, [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 1, seq: 4n, kind: "deposit", code: "unexpected-deposit" });
  });

  it("standalone faults: an undecodable transaction, a wrong declared next", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    const good = await fill(shell, [await transfer(0)], clone(state));
    let { res } = await check(1n, 3n, [good[0], Uint8Array.of(0x09, 0x01)], [2n, 2n], []);
    expect(res.fault).to.deep.include({ txIndex: 1, kind: "malformed", code: "unknown-type" });
    const wrong = (await import("../../../core")).decodeTx(good[0]);
    const i = wrong.moves.findIndex((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bob);
    wrong.moves[i] = { ...wrong.moves[i], next: wrong.moves[i].next + 1n };
    ({ res } = await check(1n, 3n, [encodeTx(wrong)], [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 0, kind: "execution", code: "next-mismatch", moveIndex: i });
  });

  it("declared gas: a transaction or a deposit whose declared gas is not its gas limit is a rules fault (protocol.md §7.3)", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    const good = await fill(shell, [await transfer(0), await transfer(1)], clone(state));
    // honest: each declares 21000, its gas limit
    let { res } = await check(1n, 3n, good, [2n, 2n], []);
    expect(res.fault).to.equal(undefined);
    ({ res } = await check(1n, 3n, [good[0], { gas: 20_999n, tx: good[1] }], [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 1, seq: 4n, kind: "rules", code: "declared-gas" });
    ({ res } = await check(1n, 3n, [{ gas: 0n, tx: good[0] }, good[1]], [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 0, kind: "rules", code: "declared-gas" });
    const q2: QueueEntry = { index: 2n, from: bob, to: bob, value: 7n };
    const dep = await fill(shell, [deposit(q2)], clone(state));
    ({ res } = await check(1n, 3n, [{ gas: 21_000n, tx: dep[0] }], [2n, 3n], [q2]));
    expect(res.fault).to.deep.include({ txIndex: 0, kind: "rules", code: "declared-gas" });
    ({ res } = await check(1n, 3n, [{ gas: 0n, tx: dep[0] }], [2n, 3n], [q2]));
    expect(res.fault).to.equal(undefined);
  });

  it("walk faults: a double use inside the batch names the first consumer; an earlier walk fault beats a later standalone fault", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    // The same transfer filled twice on the same state: the second consumes what the first consumed.
    const t0 = await fill(shell, [await transfer(0)], clone(state));
    const t1 = (await import("../../../core")).decodeTx(t0[0]);
    t1.moves = t1.moves.map((m) => (m.mark === Mark.Fee ? { ...m, slot: 4n } : m));
    let { res } = await check(1n, 3n, [t0[0], encodeTx(t1)], [2n, 2n], []);
    expect(res.fault).to.deep.include({ txIndex: 1, seq: 4n, kind: "double-use", code: "consumed", spentBy: 3n });
    // tx 0 is valid alone but declares a prev its outpoint does not hold; tx 1 does not even decode: tx 0 fails first.
    const bad = (await import("../../../core")).decodeTx(t0[0]);
    const j = bad.moves.findIndex((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bob);
    const m: Move = bad.moves[j];
    bad.moves[j] = { ...m, prev: m.prev + 5n, next: m.next + 5n };
    ({ res } = await check(1n, 3n, [encodeTx(bad), Uint8Array.of(0x09)], [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 0, kind: "input", code: "prev-mismatch", moveIndex: j });
  });

  it("every fault of an invalid batch: an execution fault first does not hide the one-step faults after it", async () => {
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    const s = clone(state);
    const [t0, t1] = await fill(shell, [await transfer(0), await transfer(1)], s);
    // tx 0: a wrong declared next (execution); tx 1: valid alone; tx 2: nonce far ahead (rules);
    // tx 3: tx 1 again, re-keyed outputs (double use of what tx 1 consumed); tx 4: does not decode;
    // tx 5: names tx 4 as a producer (no proof could read tx 4: not reported).
    const bad0 = decodeTx(t0);
    const i = bad0.moves.findIndex((m) => m.mark === Mark.Fee);
    bad0.moves[i] = { ...bad0.moves[i], next: bad0.moves[i].next + 1n };
    const ahead = decodeTx((await fill(shell, [await transfer(0)], clone(state)))[0]) as WrappedTx;
    ahead.raw = (await transfer(7)).raw;
    ahead.moves = ahead.moves.map((m) => (m.mark === Mark.Fee ? { ...m, slot: 5n } : m));
    const again = decodeTx(t1);
    again.moves = again.moves.map((m) => (m.mark === Mark.Fee ? { ...m, slot: 6n } : m));
    const orphan = decodeTx(t1);
    orphan.moves = orphan.moves.map((m) => (m.mark === Mark.Fee ? { ...m, slot: 8n } : m.mark === Mark.Balance && bytesToHex(m.addr) === bob ? { ...m, intx: 7n } : m));
    const txs = [encodeTx(bad0), t1, encodeTx(ahead), encodeTx(again), Uint8Array.of(0x09), encodeTx(orphan)];
    const { res } = await check(1n, 3n, txs, [2n, 2n], []);
    expect(res.fault).to.deep.include({ txIndex: 0, kind: "execution", code: "fee-output" });
    const got = res.faults!.map((f) => `${f.txIndex}:${f.kind}/${f.code}`);
    expect(got).to.include.members(["0:execution/fee-output", "2:rules/nonce", "3:double-use/consumed", "4:malformed/unknown-type"]);
    expect(res.faults!.find((f) => f.txIndex === 3)).to.deep.include({ spentBy: 4n });
    // tx 5's own faults are reported (it double-uses tx 1's outpoints too), never an input fault about tx 4.
    expect(res.faults!.filter((f) => f.txIndex === 5 && f.kind === "input")).to.deep.equal([]);
    // Valid transactions have none; a valid batch reports no list.
    expect(res.faults!.some((f) => f.txIndex === 1)).to.equal(false);
    const ok = await check(1n, 3n, [t0, t1], [2n, 2n], []);
    expect(ok.res.faults).to.equal(undefined);
  });

  it("code: a transaction uses the code of its batch's earlier witnesses and of the known chain, never of a later witness or of none", async () => {
    const art = JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/Counter.sol/Counter.json"), "utf8"));
    const iface = new ethers.Interface(art.abi);
    const counter = ethers.getCreateAddress({ from: alice.address, nonce: 0 });
    const wrap = async (nonce: number, to: string | null, data: string): Promise<WrappedTx> => ({
      type: TxType.Wrapped,
      raw: hexToBytes((await alice.signTransaction({ to, data, nonce, gasLimit: 1_000_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, chainId: CHAIN, type: 2 })) as `0x${string}`),
      moves: [],
      witness: [],
    });
    const shell = headerFor(1n, 3n, [new Uint8Array([0])], [2n, 2n]);
    // Filled with every code in every witness: the deployment (its created code), then two calls.
    const txs = [await wrap(0, null, art.bytecode), await wrap(1, counter, iface.encodeFunctionData("bump", [1n])), await wrap(2, counter, iface.encodeFunctionData("bump", [2n]))];
    const full = (await fill(shell, txs, clone(state))).map((t) => decodeTx(t) as WrappedTx);
    expect(full.map((t) => t.witness.length)).to.deep.equal([1, 1, 1]);
    const [code] = full[0].witness;
    const hash = bytesToHex(keccak256(code));
    /** The three transactions, each with its code (1) or without (0). */
    const batch = (...carry: number[]) => full.map((t, i) => encodeTx({ ...t, witness: carry[i] ? t.witness : [] }));

    // Carried by the deployment: the calls after it need no witness.
    let { res } = await check(1n, 3n, batch(1, 0, 0), [2n, 2n], []);
    expect(res.fault).to.equal(undefined);
    expect([...res.codes].map(([h, p]) => [h, p.seq])).to.deep.equal([[hash, 3n]]);
    // Carried only by a later transaction of the batch: the first call fails.
    ({ res } = await check(1n, 3n, batch(0, 0, 1), [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 1, seq: 4n, kind: "execution", code: "missing-code" });
    ({ res } = await check(1n, 3n, batch(0, 1, 0), [2n, 2n], []));
    expect(res.fault).to.equal(undefined);
    // Carried by none.
    ({ res } = await check(1n, 3n, batch(0, 0, 0), [2n, 2n], []));
    expect(res.fault).to.deep.include({ txIndex: 1, kind: "execution", code: "missing-code" });
    // Known from an earlier batch (seq 2): fine; once that batch is forgotten, missing again.
    validator.addCodes([[hash, { seq: 2n, code }]]);
    try {
      ({ res } = await check(1n, 3n, batch(0, 0, 0), [2n, 2n], []));
      expect(res.fault).to.equal(undefined);
      validator.forgetCodes(3n); // (code first carried at seq 3 or later only)
      ({ res } = await check(1n, 3n, batch(0, 0, 0), [2n, 2n], []));
      expect(res.fault).to.equal(undefined);
      validator.forgetCodes(2n);
      ({ res } = await check(1n, 3n, batch(0, 0, 0), [2n, 2n], []));
      expect(res.fault).to.deep.include({ txIndex: 1, kind: "execution", code: "missing-code" });
      // Known only from a later seq (a batch after this one): not usable.
      validator.addCodes(new KnownCode([[hash, { seq: 5n, code }]]));
      ({ res } = await check(1n, 3n, batch(0, 0, 0), [2n, 2n], []));
      expect(res.fault).to.deep.include({ txIndex: 1, kind: "execution", code: "missing-code" });
    } finally {
      validator.forgetCodes(0n);
    }
  });

  it("the walk without writing gives LevelUtxoStore.applyBatch's verdict on random batches", async () => {
    const s = await LevelUtxoStore.open(path.join(tmpDir(), "walk"), { genesis: [] });
    const addr = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (i === 19 ? n : 0));
    // The truth per key: the unspent version (seq, value) and every spent one.
    const live = new Map<number, { seq: bigint; value: bigint }>();
    const spent: { k: number; seq: bigint; value: bigint }[] = [];
    let seq = 1n;
    let rnd = 12345;
    const rand = (n: number) => {
      // mulberry32
      rnd = (rnd + 0x6d2b79f5) | 0;
      let t = Math.imul(rnd ^ (rnd >>> 15), 1 | rnd);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    let faults = 0;
    const codes = new Set<string>();
    for (let b = 0n; b < 60n; ) {
      const txs: TxMoves[] = [];
      const pending = new Map(live);
      for (let t = 0; t < 1 + rand(4); t++) {
        const moves: Move[] = [];
        const keys = [...new Set([rand(6), rand(6), rand(6)])].sort((x, y) => x - y);
        for (const k of keys) {
          const cur = pending.get(k) ?? { seq: 0n, value: 0n };
          let intx = cur.seq;
          let prev = cur.value;
          const r = rand(20);
          const old = spent.filter((x) => x.k === k);
          if (r === 0 && old.length) ({ seq: intx, value: prev } = old[rand(old.length)]); // a spent version
          else if (r === 1) prev += 1n; // wrong value
          else if (r === 2) intx = seq + 1n; // not before
          const ref = rand(4) === 0;
          const next = ref ? prev : BigInt(rand(1000));
          moves.push({ mask: 0, ref, mark: Mark.Balance, intx, addr: addr(k), slot: 0n, prev, next });
          if (!ref) pending.set(k, { seq, value: next });
        }
        txs.push({ seq, moves });
        seq++;
      }
      const dry = await dryWalk(s, txs);
      const real = await s.applyBatch(b, txs);
      expect(dry, `batch ${b}`).to.deep.equal(real);
      if (real) {
        faults++;
        codes.add(real.code);
        seq = txs[0].seq; // nothing applied: reuse the seqs
        continue;
      }
      for (const t of txs)
        for (const m of t.moves) {
          if (m.ref) continue;
          const k = m.addr[19];
          spent.push({ k, ...(live.get(k) ?? { seq: 0n, value: 0n }) });
          live.set(k, { seq: t.seq, value: m.next });
        }
      b++;
    }
    expect(faults).to.be.greaterThan(5);
    expect(codes.has("consumed") || codes.has("reference-after-consume")).to.equal(true);
    expect(codes.has("prev-mismatch")).to.equal(true);
    await s.close();
  });
});
