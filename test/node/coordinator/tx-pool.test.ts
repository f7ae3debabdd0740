/**
 * The pool's bookkeeping (node/coordinator/tx-pool.ts): geth's 10% price bump on fee cap and tip,
 * the queue's limits per sender and in all, its lifetime, and which transaction holds a nonce.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { hexToBytes } from "../../../core/bytes";
import { TxType, type WrappedTx } from "../../../core/tx";
import { outbids, QUEUE_LIFETIME_MS, QUEUE_PER_SENDER, TxPool, txMeta, type TxMeta } from "../../../node/coordinator/tx-pool";
import type { MempoolEntry } from "../../../node/state/chain-store";

const m = (sender: string, nonce: bigint, feeCap = 100n, tip = 10n): TxMeta => ({ sender, nonce, feeCap, tip });
const entry = (id: string, receivedAt = Date.now()): MempoolEntry => ({ key: id, id, tx: new Uint8Array(0), receivedAt });

describe("tx pool", () => {
  it("a replacement must raise both the fee cap and the tip by 10% (rounded up)", () => {
    const old = m("a", 0n, 100n, 10n);
    expect(outbids(m("a", 0n, 110n, 11n), old)).to.equal(true);
    expect(outbids(m("a", 0n, 109n, 20n), old)).to.equal(false);
    expect(outbids(m("a", 0n, 200n, 10n), old)).to.equal(false);
    expect(outbids(m("a", 0n, 2n, 2n), m("a", 0n, 1n, 1n))).to.equal(true); // 1.1 rounds up to 2
    expect(outbids(m("a", 0n, 1n, 1n), m("a", 0n, 1n, 1n))).to.equal(false);
  });

  it("knows who holds a nonce, queues within its limits, and expires the queue", () => {
    const p = new TxPool();
    p.addPending("p0", m("a", 0n));
    expect(p.holder(m("a", 0n), "new")).to.deep.include({ id: "p0", queued: false });
    expect(p.holder(m("a", 0n), "p0")).to.equal(undefined);
    for (let i = 0; i < QUEUE_PER_SENDER; i++) p.enqueue({ id: `q${i}`, meta: m("a", BigInt(i + 2)), entry: entry(`q${i}`, i === 0 ? Date.now() - QUEUE_LIFETIME_MS - 1 : Date.now()) });
    expect(p.full(m("a", 999n))).to.match(/full for a/);
    expect(p.full(m("b", 1n))).to.equal(undefined);
    expect(p.holder(m("a", 2n), "other")).to.deep.include({ id: "q0", queued: true });
    expect(p.queuedAt("a", 3n)!.id).to.equal("q1");
    expect(p.expire(Date.now()).map((q) => q.id)).to.deep.equal(["q0"]);
    expect(p.isQueued("q0")).to.equal(false);
    expect(p.queued()[0].meta.nonce).to.equal(3n);
  });

  it("reads sender, nonce and fees of a wrapped transaction; nothing for bytes that are not one", async () => {
    const w = Wallet.createRandom();
    const raw = await w.signTransaction({ chainId: 901, type: 2, nonce: 7, maxFeePerGas: 30n, maxPriorityFeePerGas: 3n, gasLimit: 21000n, to: w.address });
    const tx: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
    expect(txMeta(tx)).to.deep.equal({ sender: w.address.toLowerCase(), nonce: 7n, feeCap: 30n, tip: 3n });
    const legacy = await w.signTransaction({ chainId: 901, type: 0, nonce: 1, gasPrice: 5n, gasLimit: 21000n, to: w.address });
    expect(txMeta({ ...tx, raw: hexToBytes(legacy as `0x${string}`) })).to.deep.equal({ sender: w.address.toLowerCase(), nonce: 1n, feeCap: 5n, tip: 5n });
    expect(txMeta({ ...tx, raw: Uint8Array.of(1, 2, 3) })).to.equal(undefined);
  });
});
