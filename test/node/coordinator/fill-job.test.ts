/**
 * Filling a submitted transaction off the event loop (node/coordinator/fill-job.ts): the job, run on the
 * node's pool worker (node/rpc/call-pool.ts), reading state through this thread, fills exactly as the core's
 * filler does in this thread; `refit` accepts a fill only while every version it read is still the newest,
 * re-keying its outputs to the seq the transaction then takes.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { bytesToHex, hexToBytes } from "../../../core/bytes";
import { Mark } from "../../../core/keys";
import { MemoryState } from "../../../core/memory-state";
import { Executor } from "../../../core/evm/execute";
import { batchTxContext } from "../../../core/context";
import { fillMoves } from "../../../core/fill";
import { encodeTx, TxType, type Tx, type WrappedTx } from "../../../core/tx";
import type { BatchHeader } from "../../../core/batch";
import { refit, runFillJob, shiftedBalance, type FillJob, type FillSource } from "../../../node/coordinator/fill-job";
import type { Move } from "../../../core/moves";
import { CallPool, CallPoolError } from "../../../node/rpc/call-pool";
import { Worker } from "worker_threads";

const CHAIN = 901n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const bob = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
const carol = new ethers.Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const a = hexToBytes(alice.address.toLowerCase() as `0x${string}`);
const c = hexToBytes(carol.address.toLowerCase() as `0x${string}`);
const fee = hexToBytes("0x00000000000000000000000000000000000fee01");

function ctx(seq: bigint, l1BaseFee = 0n) {
  const h = { firstSeq: seq, number: 2n, timestamp: 100n, feeRecipient: fee, baseFee: 7n, parent: new Uint8Array(32), l1BaseFee, l1BlobBaseFee: 0n } as unknown as BatchHeader;
  return batchTxContext(h, CHAIN, 0);
}

async function payment(nonce: number, value = 5n, from: ethers.Wallet = alice, to = bob): Promise<WrappedTx> {
  const raw = await from.signTransaction({ chainId: CHAIN, type: 2, nonce, to, value, gasLimit: 30_000n, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n });
  return { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
}

/** Alice with 1 ETH (written by seq 1), nothing else. */
function state(): MemoryState {
  const s = new MemoryState();
  s.apply(1n, { type: TxType.Deposit, index: 0n, from: a, to: a, value: 10n ** 18n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: a, slot: 0n, prev: 0n, next: 10n ** 18n }] });
  return s;
}

function sourceOf(s: MemoryState, reads?: string[]): FillSource {
  return {
    latest: async (m, addr, slot) => {
      reads?.push(`${addr}/${m}/${slot}`);
      return s.latest(m, addr, slot);
    },
    code: async (h) => s.code(h),
    feeOutputs: async (addr, limit) => s.feeOutputs(addr, limit),
    omitCode: async () => false,
  };
}

const job = (tx: Tx, seq: bigint): FillJob => ({ op: "fill", tx: encodeTx(tx), ctx: ctx(seq), maxSweep: 16 });

describe("coordinator: fill jobs (a submitted transaction filled off the event loop)", function () {
  this.timeout(120_000);
  let ex: Executor;
  let pool: CallPool;

  before(async () => {
    ex = await Executor.create(CHAIN);
    pool = CallPool.create({ workers: 1, chainId: CHAIN, timeoutMs: 20_000, maxQueue: 1 });
  });
  after(() => pool.close());

  it("on the pool's worker, reading through this thread, it fills exactly as the core's filler here", async () => {
    const s = state();
    const tx = await payment(0);
    const here = encodeTx((await fillMoves(tx, s, ctx(2n), ex, { maxSweep: 16 })).tx);
    const reads: string[] = [];
    const there = await pool.run(job(tx, 2n), sourceOf(s, reads));
    expect(there).to.deep.equal({ type: "filled", tx: here });
    expect(reads).to.include(`${alice.address.toLowerCase()}/${Mark.Balance}/0`);
    expect(await runFillJob(ex, job(tx, 2n), sourceOf(s))).to.deep.equal({ type: "filled", tx: here });
  });

  it("with the sender the coordinator recovered: the same fill, the sender not recovered again, its accounts and fee outputs asked for at once", async () => {
    const s = state();
    const tx = await payment(0);
    const here = encodeTx((await fillMoves(tx, s, ctx(2n), ex, { maxSweep: 16 })).tx);
    const reads: string[] = [];
    let fees = 0;
    const src = sourceOf(s, reads);
    // Each read answered after its own wait, as the coordinator's store reads (LevelDB) are, each in a turn of its own.
    let wait = 0;
    const counted: FillSource = {
      ...src,
      latest: async (m, addr, slot) => {
        const v = await src.latest(m, addr, slot);
        await new Promise((r) => setTimeout(r, (wait = (wait % 5) + 1)));
        return v;
      },
      feeOutputs: (addr, limit) => (fees++, src.feeOutputs(addr, limit)),
    };
    // The answers this thread posts to the worker: those asked together go back together, in one message.
    const post = Worker.prototype.postMessage;
    let answers = 0;
    Worker.prototype.postMessage = function (this: Worker, m: unknown, ...rest: never[]) {
      if ((m as { type?: string })?.type === "values") answers++;
      return post.call(this, m, ...rest);
    };
    try {
      expect(await pool.run({ ...job(tx, 2n), sender: a }, counted)).to.deep.equal({ type: "filled", tx: here });
    } finally {
      Worker.prototype.postMessage = post;
    }
    expect(answers, "the prefetch's 7 answers in one message").to.equal(1);
    // Asked before execution: the sender's and the recipient's nonce, balance and code, in that order.
    const acct = (x: string) => [Mark.Nonce, Mark.Balance, Mark.Code].map((m) => `${x}/${m}/0`);
    expect(reads.slice(0, 6)).to.deep.equal([...acct(alice.address.toLowerCase()), ...acct(bob)]);
    expect(fees, "the sender's fee outputs, once").to.equal(1);
    // The sender it is handed is the one it runs: given another, it fills for that one (so it did not recover).
    const carol = hexToBytes("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
    const r = await runFillJob(ex, { ...job(tx, 2n), sender: carol }, sourceOf(s));
    expect(r).to.deep.include({ type: "invalid", kind: "rules", code: "insufficient-balance" });
  });

  it("a refusal comes back typed, as the filler's error; a job beyond the queue is refused at once", async () => {
    const s = state();
    const r = await pool.run(job(await payment(3), 2n), sourceOf(s));
    expect(r).to.deep.include({ type: "invalid", kind: "rules", code: "nonce" });
    const slow: FillSource = { ...sourceOf(s), latest: (m, addr, slot) => new Promise((res) => setTimeout(() => res(s.latest(m, addr, slot)), 300)) };
    const first = pool.run(job(await payment(0), 2n), slow);
    const waiting = pool.run(job(await payment(0), 2n), sourceOf(s));
    const e = await pool.run(job(await payment(0), 2n), sourceOf(s)).catch((x) => x);
    expect(e).to.be.instanceOf(CallPoolError);
    expect((e as CallPoolError).code).to.equal("busy");
    expect((e as Error).message).to.match(/too many pending transactions/);
    expect((await first).type).to.equal("filled");
    expect((await waiting).type).to.equal("filled");
  });

  it("refit: unchanged state gives the fill itself; another seq re-keys its outputs, as filling at that seq would", async () => {
    const s = state();
    const tx = await payment(0);
    const at2 = (await fillMoves(tx, s, ctx(2n), ex, { maxSweep: 16 })).tx;
    expect(encodeTx((await refit(at2, 2n, 2n, (m, addr, slot) => s.latest(m, addr, slot)))!)).to.deep.equal(encodeTx(at2));
    // Another transaction (seq 2) that touches none of its keys: the payment now takes seq 3.
    const carol = hexToBytes("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
    s.apply(2n, { type: TxType.Deposit, index: 1n, from: carol, to: carol, value: 1n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: carol, slot: 0n, prev: 0n, next: 1n }] });
    const at3 = (await fillMoves(tx, s, ctx(3n), ex, { maxSweep: 16 })).tx;
    expect(at2.moves.some((m) => m.mark === Mark.Fee && m.slot === 2n), "the fill has a fee output keyed by its seq").to.equal(true);
    expect(encodeTx((await refit(at2, 2n, 3n, (m, addr, slot) => s.latest(m, addr, slot)))!)).to.deep.equal(encodeTx(at3));
  });

  describe("refit re-pricing the L1 fee (the batch declares other L1 prices than the fill was made at)", () => {
    const P1 = { l1BaseFee: 2n ** 20n, l1BlobBaseFee: 0n };
    const P2 = { l1BaseFee: 2n ** 19n, l1BlobBaseFee: 0n };
    const rp = (from = P1, to = P2, sender: string = alice.address) => ({ sender: sender.toLowerCase(), feeRecipient: fee, from, to });
    const fill = async (tx: Tx, s: MemoryState, seq: bigint, p: bigint) => (await fillMoves(tx, s, ctx(seq, p), ex, { maxSweep: 16 })).tx;
    const latestOf = (s: MemoryState) => (m: number, addr: string, slot: bigint) => s.latest(m, addr, slot);

    it("a payment filled at one price and seq, refitted to another of each, is exactly its fill there", async () => {
      const s = state();
      const tx = await payment(0);
      const at2 = await fill(tx, s, 2n, P1.l1BaseFee);
      const carol = hexToBytes("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
      s.apply(2n, { type: TxType.Deposit, index: 1n, from: carol, to: carol, value: 1n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: carol, slot: 0n, prev: 0n, next: 1n }] });
      const at3 = await fill(tx, s, 3n, P2.l1BaseFee);
      expect(encodeTx(at3)).to.not.deep.equal(encodeTx((await refit(at2, 2n, 3n, latestOf(s)))!), "the fee differs: without re-pricing the refit is not the fill");
      expect(encodeTx((await refit(at2, 2n, 3n, latestOf(s), rp()))!)).to.deep.equal(encodeTx(at3));
      // Up as well as down, and at the same prices nothing changes.
      const up = await fill(tx, state(), 2n, P2.l1BaseFee);
      expect(encodeTx((await refit(up, 2n, 2n, latestOf(state()), rp(P2, P1)))!)).to.deep.equal(encodeTx(await fill(tx, state(), 2n, P1.l1BaseFee)));
      expect(encodeTx((await refit(up, 2n, 2n, latestOf(state()), rp(P2, P2)))!)).to.deep.equal(encodeTx(up));
    });

    it("a sender's later payment reads the balance its re-priced earlier one left: both refitted are the fills at the new price", async () => {
      const accepted = state();
      const t0 = await payment(0);
      const t1 = await payment(1);
      const f0 = await fill(t0, accepted, 2n, P1.l1BaseFee);
      accepted.apply(2n, f0);
      const f1 = await fill(t1, accepted, 3n, P1.l1BaseFee);
      // The batch, at P2: each refitted over the one before.
      const batch = state();
      const r0 = (await refit(f0, 2n, 2n, latestOf(batch), rp()))!;
      batch.apply(2n, r0);
      expect(await refit(f1, 3n, 3n, latestOf(batch)), "without re-pricing: the balance it read is not the one there (filled again)").to.equal(undefined);
      const r1 = (await refit(f1, 3n, 3n, latestOf(batch), rp()))!;
      const want = state();
      const w0 = await fill(t0, want, 2n, P2.l1BaseFee);
      want.apply(2n, w0);
      expect([encodeTx(r0), encodeTx(r1)]).to.deep.equal([encodeTx(w0), encodeTx(await fill(t1, want, 3n, P2.l1BaseFee))]);
    });

    it("a payment to a recipient whose own earlier payment was re-priced takes the balance that one left: both refitted are the fills at the new price", async () => {
      // Carol (1 ETH, seq 2) pays Bob; then Alice pays Carol: Alice's fill consumes the balance Carol's payment wrote.
      const funded = () => {
        const s = state();
        s.apply(2n, { type: TxType.Deposit, index: 1n, from: c, to: c, value: 10n ** 18n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: c, slot: 0n, prev: 0n, next: 10n ** 18n }] });
        return s;
      };
      const t0 = await payment(0, 5n, carol);
      const t1 = await payment(0, 7n, alice, carol.address.toLowerCase());
      const accepted = funded();
      const f0 = await fill(t0, accepted, 3n, P1.l1BaseFee);
      accepted.apply(3n, f0);
      const f1 = await fill(t1, accepted, 4n, P1.l1BaseFee);
      // The batch, at P2: Carol's payment re-priced moves her balance; Alice's is refitted over it.
      const batch = funded();
      let shifts = 0;
      const r0 = (await refit(f0, 3n, 3n, latestOf(batch), { ...rp(P1, P2, carol.address), onShift: () => shifts++ }))!;
      expect(shifts, "Carol's own payment read her balance as it was").to.equal(0);
      batch.apply(3n, r0);
      const r1 = (await refit(f1, 4n, 4n, latestOf(batch), { ...rp(P1, P2, alice.address), onShift: () => shifts++ }))!;
      expect(shifts, "Alice's payment consumed Carol's shifted balance").to.equal(1);
      const want = funded();
      const w0 = await fill(t0, want, 3n, P2.l1BaseFee);
      want.apply(3n, w0);
      expect([encodeTx(r0), encodeTx(r1)]).to.deep.equal([encodeTx(w0), encodeTx(await fill(t1, want, 4n, P2.l1BaseFee))]);
    });

    it("shiftedBalance: a consumed balance moves by the difference; bad input (not re-pricing, a reference, another mark, out of range) does not", () => {
      const m: Move = { mask: 0, ref: false, mark: Mark.Balance, intx: 3n, addr: c, slot: 0n, prev: 100n, next: 107n };
      expect(shiftedBalance(m, 90n, true)).to.equal(97n);
      expect(shiftedBalance(m, 130n, true)).to.equal(137n);
      expect(shiftedBalance(m, 90n, false), "not re-pricing").to.equal(undefined);
      expect(shiftedBalance({ ...m, ref: true, next: 100n }, 90n, true), "a reference: the execution read the value").to.equal(undefined);
      expect(shiftedBalance({ ...m, mark: Mark.Nonce }, 90n, true), "a nonce").to.equal(undefined);
      expect(shiftedBalance({ ...m, mark: Mark.Storage, slot: 1n }, 90n, true), "storage").to.equal(undefined);
      expect(shiftedBalance({ ...m, next: 3n }, 0n, true), "below zero").to.equal(undefined);
      expect(shiftedBalance({ ...m, next: 2n ** 256n - 1n }, 101n, true), "above 2^256 - 1").to.equal(undefined);
      expect(shiftedBalance({ ...m, next: 2n ** 256n - 2n }, 101n, true)).to.equal(2n ** 256n - 1n);
    });

    it("bad input: another key's value changed, a sender who cannot pay the higher fee, prices that start or stop charging: no fit (filled again)", async () => {
      const s = state();
      const f = await fill(await payment(0), s, 2n, P1.l1BaseFee);
      // Alice's nonce version holds another value than the fill read: only a consumed balance may differ.
      const nonce = f.moves.find((m) => m.mark === Mark.Nonce && bytesToHex(m.addr) === bytesToHex(a))!;
      const shifted = { ...f, moves: f.moves.map((m) => (m === nonce ? { ...m, prev: m.prev + 1n, next: m.next + 1n } : m)) } as Tx;
      expect(await refit(shifted, 2n, 2n, latestOf(s), rp())).to.equal(undefined);
      // Nor without re-pricing: Bob's balance holds another value than the fill read (a move transaction's moves are its own).
      const bobB = f.moves.find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bob)!;
      const bobShifted = { ...f, moves: f.moves.map((m) => (m === bobB ? { ...m, prev: m.prev + 1n, next: m.next + 1n } : m)) } as Tx;
      expect(await refit(bobShifted, 2n, 2n, latestOf(s))).to.equal(undefined);
      // A price so high the sender's balance cannot pay its L1 fee.
      expect(await refit(f, 2n, 2n, latestOf(s), rp(P1, { l1BaseFee: 2n ** 60n, l1BlobBaseFee: 0n }))).to.equal(undefined);
      // From charging to not (the fee output's existence depends on it, §6.6), and back.
      const zero = { l1BaseFee: 0n, l1BlobBaseFee: 0n };
      expect(await refit(f, 2n, 2n, latestOf(s), rp(P1, zero))).to.equal(undefined);
      expect(await refit(await fill(await payment(0), state(), 2n, 0n), 2n, 2n, latestOf(state()), rp(zero, P1))).to.equal(undefined);
    });
  });

  it("refit: a version it read is no longer the newest: no fit (it is filled again)", async () => {
    const s = state();
    const tx = await payment(0);
    const at2 = (await fillMoves(tx, s, ctx(2n), ex, { maxSweep: 16 })).tx;
    // Alice's first payment is accepted meanwhile (seq 2): her nonce and balance moved.
    s.apply(2n, at2);
    expect(await refit(at2, 2n, 3n, (m, addr, slot) => s.latest(m, addr, slot))).to.equal(undefined);
  });
});
