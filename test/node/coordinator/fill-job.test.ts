/**
 * Filling a submitted transaction off the event loop (node/coordinator/fill-job.ts): the job, run on the
 * node's pool worker (node/rpc/call-pool.ts), reading state through this thread, fills exactly as the core's
 * filler does in this thread; `refit` accepts a fill only while every version it read is still the newest,
 * re-keying its outputs to the seq the transaction then takes.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { hexToBytes } from "../../../core/bytes";
import { Mark } from "../../../core/keys";
import { MemoryState } from "../../../core/memory-state";
import { Executor } from "../../../core/evm/execute";
import { batchTxContext } from "../../../core/context";
import { fillMoves } from "../../../core/fill";
import { encodeTx, TxType, type Tx, type WrappedTx } from "../../../core/tx";
import type { BatchHeader } from "../../../core/batch";
import { refit, runFillJob, type FillJob, type FillSource } from "../../../node/coordinator/fill-job";
import { CallPool, CallPoolError } from "../../../node/rpc/call-pool";

const CHAIN = 901n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const bob = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
const a = hexToBytes(alice.address.toLowerCase() as `0x${string}`);
const fee = hexToBytes("0x00000000000000000000000000000000000fee01");

function ctx(seq: bigint) {
  const h = { firstSeq: seq, number: 2n, timestamp: 100n, feeRecipient: fee, baseFee: 7n, parent: new Uint8Array(32), l1BaseFee: 0n, l1BlobBaseFee: 0n } as unknown as BatchHeader;
  return batchTxContext(h, CHAIN, 0);
}

async function payment(nonce: number, value = 5n): Promise<WrappedTx> {
  const raw = await alice.signTransaction({ chainId: CHAIN, type: 2, nonce, to: bob, value, gasLimit: 30_000n, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n });
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
    const counted: FillSource = { ...src, feeOutputs: (addr, limit) => (fees++, src.feeOutputs(addr, limit)) };
    expect(await pool.run({ ...job(tx, 2n), sender: a }, counted)).to.deep.equal({ type: "filled", tx: here });
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

  it("refit: a version it read is no longer the newest: no fit (it is filled again)", async () => {
    const s = state();
    const tx = await payment(0);
    const at2 = (await fillMoves(tx, s, ctx(2n), ex, { maxSweep: 16 })).tx;
    // Alice's first payment is accepted meanwhile (seq 2): her nonce and balance moved.
    s.apply(2n, at2);
    expect(await refit(at2, 2n, 3n, (m, addr, slot) => s.latest(m, addr, slot))).to.equal(undefined);
  });
});
