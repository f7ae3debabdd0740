/**
 * State views over the stores (node/state/view.ts): filling against LevelDB through the
 * cache (with its miss-and-retry loop) and in-batch overlays gives exactly what core's fillMoves
 * gives against an in-memory view of the same state; the chain store keeps batches, the mempool
 * and the pending post across reopening, and truncates; its index of the code the chain's witnesses
 * carry follows commits and truncation, and lets a fill leave known code out of the witness.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import * as fs from "fs";
import * as path from "path";
import {
  Executor, MemoryState, Mark, TxType, encodeTx, decodeTx, fillMoves, hexToBytes, bytesToHex, keccak256, encodeBatchData, txRootOf, batchDataHash,
  type BatchHeader, type Tx, type WrappedTx, type DepositTx,
} from "../../../core";
import { declaredGas } from "../../../core/gas";
import { stringSublevel } from "../../../node/state/key-spaces";
import { CHAIN_SUBLEVELS, ChainStore } from "../../../node/state/chain-store";
import { buildBatchRecord } from "../../../node/state/receipts";
import { UtxoHandle } from "../../../node/state/utxo-handle";
import { fillFromStore, LatestCache, Overlay } from "../../../node/state/view";
import { txContext } from "../../../node/validation/check";
import { KnownCode } from "../../../core/known-code";
import { cleanupTmp, ROOT, tmpDir } from "../../e2e/helpers";

const CHAIN = 901n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const counterArt = () => JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/Counter.sol/Counter.json"), "utf8"));

function header(index: bigint, firstSeq: bigint, n: number): BatchHeader {
  const txs = Array.from({ length: n }, () => ({ gas: 0n, tx: new Uint8Array([0]) }));
  return {
    index, parent: new Uint8Array(32), firstSeq, txCount: BigInt(n), txRoot: txRootOf(txs), number: index + 1n, timestamp: 1_800_000_000n,
    feeRecipient: hexToBytes("0x00000000000000000000000000000000000fee01"), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: batchDataHash(encodeBatchData(txs)), l1BaseFee: 0n, l1BlobBaseFee: 0n,
  };
}

describe("node: state views and the chain store", function () {
  this.timeout(120_000);
  let ex: Executor;
  let chain: ChainStore;
  let utxo: UtxoHandle;
  let mem: MemoryState;
  let nonce = 0;
  let seq = 1n;
  let index = 0n;

  const wrap = async (fields: ethers.TransactionRequest): Promise<WrappedTx> => ({
    type: TxType.Wrapped,
    raw: hexToBytes((await alice.signTransaction({ chainId: CHAIN, type: 2, nonce: nonce++, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 1_000_000n, ...fields })) as `0x${string}`),
    moves: [],
    witness: [],
  });

  /** Fills `txs` as one batch both ways (memory, and store + overlay with a cold cache), checks they agree, applies. */
  async function batch(txs: Tx[]): Promise<Tx[]> {
    const h = header(index, seq, txs.length);
    const cache = new LatestCache(utxo, chain);
    const overlay = new Overlay();
    const filled: Tx[] = [];
    const outcomes = [];
    for (let i = 0; i < txs.length; i++) {
      const ctx = txContext(h, CHAIN, i);
      const want = await fillMoves(txs[i], mem, ctx, ex);
      const got = await fillFromStore(txs[i], cache, [overlay], ctx, ex);
      expect(bytesToHex(encodeTx(got.tx)), `tx ${i} of batch ${index}`).to.equal(bytesToHex(encodeTx(want.tx)));
      expect(got.outcome.status).to.equal(want.outcome.status);
      expect(got.outcome.gasUsed).to.equal(want.outcome.gasUsed);
      mem.apply(ctx.seq, want.tx);
      overlay.apply(ctx.seq, got.tx);
      filled.push(got.tx);
      outcomes.push(got.outcome);
    }
    const enc = filled.map(encodeTx);
    const { batch: rec, receipts } = buildBatchRecord(h, filled, outcomes, encodeBatchData(enc.map((tx, i) => ({ gas: declaredGas(filled[i]), tx }))).length);
    const codes = new KnownCode();
    filled.forEach((t, i) => codes.addTx(seq + BigInt(i), t));
    await chain.commitBatch({ batch: rec, txs: enc, receipts, codes });
    expect(await utxo.store.applyBatch(index, filled.map((t, i) => ({ seq: seq + BigInt(i), moves: t.moves })))).to.equal(undefined);
    seq += BigInt(txs.length);
    index++;
    return filled;
  }

  before(async () => {
    ex = await Executor.create(CHAIN);
    const dir = tmpDir();
    chain = await ChainStore.open(path.join(dir, "chain"));
    utxo = await UtxoHandle.open(path.join(dir, "utxo"));
    mem = new MemoryState();
  });

  after(async () => {
    await chain.close();
    await utxo.close();
    cleanupTmp();
  });

  it("fills exactly as an in-memory view: a deposit, a deployment, calls (code from the store), several per batch", async () => {
    const dep: DepositTx = { type: TxType.Deposit, index: 0n, from: hexToBytes(alice.address as `0x${string}`), to: hexToBytes(alice.address.toLowerCase() as `0x${string}`), value: 10n ** 18n, moves: [] };
    await batch([dep]);
    const art = counterArt();
    const [deploy] = await batch([await wrap({ data: art.bytecode })]);
    const counter = ethers.getCreateAddress({ from: alice.address, nonce: 0 });
    const iface = new ethers.Interface(art.abi);
    // Two calls in one batch: the second sees the first's writes through the overlay.
    await batch([await wrap({ to: counter, data: iface.encodeFunctionData("bump", [3n]), value: 1n }), await wrap({ to: counter, data: iface.encodeFunctionData("bump", [4n]) })]);
    // A call in a later batch: the code comes from the chain store (the deployment's witness).
    const [call] = await batch([await wrap({ to: counter, data: iface.encodeFunctionData("bump", [5n]) })]);
    expect(call.type === TxType.Wrapped && call.witness.length).to.equal(1);
    expect(deploy.type === TxType.Wrapped && deploy.witness.length).to.equal(1);
    const cache = new LatestCache(utxo, chain);
    expect((await cache.get(0x73, counter.toLowerCase(), 0n)).value).to.equal(12n);
  });

  it("the chain store keeps batches, receipts, the mempool and the pending post across reopening; truncate removes batches", async () => {
    const tip = chain.tip()!;
    expect(tip.index).to.equal(3n);
    const e1 = await chain.addMempool("0x" + "11".repeat(32), Uint8Array.of(1));
    const e2 = await chain.addMempool("0x" + "22".repeat(32), Uint8Array.of(2));
    const b3 = (await chain.batch(3n))!;
    await chain.setPending({ batch: b3, txs: [], receipts: [], data: new Uint8Array(0), included: [{ key: e1.key, id: e1.id }], dropped: [], createdAt: 1 });
    const dir = path.dirname((chain as unknown as { db: { location: string } }).db.location);
    await chain.close();
    chain = await ChainStore.open(path.join(dir, "chain"));
    expect(chain.tip()).to.deep.equal(tip);
    expect((await chain.mempool()).map((e) => e.id)).to.deep.equal([e1.id, e2.id]);
    expect((await chain.pending())!.included).to.deep.equal([{ key: e1.key, id: e1.id }]);
    const loc = await chain.txLocation(b3.txHashes[0]);
    expect(loc).to.deep.equal({ index: 3n, txIndex: 0 });
    expect((await chain.txAt(3n, 0))!.receipt.status).to.equal(1);
    // Requeue puts older transactions first.
    await chain.requeueFront([{ id: "0x" + "33".repeat(32), tx: Uint8Array.of(3) }]);
    expect((await chain.mempool()).map((e) => e.id)).to.deep.equal(["0x" + "33".repeat(32), e1.id, e2.id]);
    const removed = await chain.truncate(2n);
    expect(removed.length).to.equal(3);
    expect(decodeTx(removed[0]).type).to.equal(TxType.Wrapped);
    expect(chain.tip()!.index).to.equal(1n);
    expect(await chain.txLocation(b3.txHashes[0])).to.equal(undefined);
    expect(await chain.batch(2n)).to.equal(undefined);
    await chain.removeMempool([{ key: e2.key, id: e2.id, reason: "test" }]);
    expect((await chain.dropped(e2.id))!.reason).to.equal("test");
  });

  it("the code index: known from the first witness carrying it; a fill leaving known code out carries none; kept on reopening, rebuilt for an older store; truncation makes the code travel again", async () => {
    const deployTx = decodeTx((await chain.txAt(1n, 0))!.tx) as WrappedTx;
    expect(deployTx.witness.length).to.equal(1);
    const [code] = deployTx.witness;
    const hash = bytesToHex(keccak256(code));
    expect(chain.codeSeq(hash)).to.equal(2n); // batch 1's only transaction
    expect(await chain.postedCode(hash)).to.deep.equal(code);
    const art = counterArt();
    const counter = ethers.getCreateAddress({ from: alice.address, nonce: 0 });
    const call = await wrap({ to: counter, data: new ethers.Interface(art.abi).encodeFunctionData("bump", [1n]) });
    const omitCode = (h: string) => chain.codeSeq(h) !== undefined;
    const fillCall = async () => {
      const h = header(9n, 100n, 1); // (the UTXO store is not rewound here: a seq after all it holds)
      return (await fillFromStore(call, new LatestCache(utxo, chain), [], txContext(h, CHAIN, 0), ex, { omitCode })).tx as WrappedTx;
    };
    expect((await fillCall()).witness).to.deep.equal([]);
    // Reopened: the same index; a store written before the index existed gets it rebuilt.
    const dir = path.dirname((chain as unknown as { db: { location: string } }).db.location);
    await chain.close();
    chain = await ChainStore.open(path.join(dir, "chain"));
    expect(chain.codeSeq(hash)).to.equal(2n);
    // (The store's layout: its code-seqs index and the flag that says it is complete.)
    const db = chain.level;
    await stringSublevel(db, CHAIN_SUBLEVELS.codeSeqs[0]).del(hash);
    await stringSublevel(db, CHAIN_SUBLEVELS.meta[0]).del("codeIndex");
    await chain.close();
    chain = await ChainStore.open(path.join(dir, "chain"));
    expect(chain.codeSeq(hash)).to.equal(2n);
    // The deployment's batch removed (a rollback or reorg): the code is no longer known to the chain,
    // though the store still has its bytes, and the next transaction that needs it carries it.
    await chain.truncate(1n);
    expect(chain.codeSeq(hash)).to.equal(undefined);
    expect(await chain.postedCode(hash)).to.equal(undefined);
    expect(await chain.code(hash)).to.deep.equal(code);
    expect((await fillCall()).witness).to.deep.equal([code]);
    await chain.close();
    chain = await ChainStore.open(path.join(dir, "chain"));
    expect(chain.codeSeq(hash)).to.equal(undefined);
  });

  it("the cache remembers an address without fee outputs until a batch applied here gives it one, or the store is rewound", async () => {
    let calls = 0;
    let held: { seq: bigint; value: bigint }[] = [];
    const utxo = { store: { feeOutputs: async () => (calls++, held) } } as unknown as UtxoHandle;
    const cache = new LatestCache(utxo, {} as ChainStore);
    const who = "0x00000000000000000000000000000000000FEE01";
    expect(await cache.feeOutputs(who, 8)).to.deep.equal([]);
    expect(await cache.feeOutputs(who.toLowerCase(), 8)).to.deep.equal([]);
    expect(calls, "the store asked once").to.equal(1);
    // A batch creates a fee output of it: asked again.
    held = [{ seq: 5n, value: 9n }];
    const out = { mask: 0, ref: false, mark: Mark.Fee, intx: 0n, addr: hexToBytes(who.toLowerCase() as `0x${string}`), slot: 5n, prev: 0n, next: 9n };
    cache.applyTxs([{ seq: 5n, tx: { type: TxType.Deposit, index: 0n, from: out.addr, to: out.addr, value: 0n, moves: [out] } as DepositTx }]);
    expect(await cache.feeOutputs(who, 8)).to.deep.equal(held);
    expect(await cache.feeOutputs(who, 8)).to.deep.equal(held);
    expect(calls, "held outputs are never remembered").to.equal(3);
    // Swept, remembered as empty again; a rewind forgets that.
    held = [];
    expect(await cache.feeOutputs(who, 8)).to.deep.equal([]);
    expect(await cache.feeOutputs(who, 8)).to.deep.equal([]);
    expect(calls).to.equal(4);
    cache.clear();
    held = [{ seq: 3n, value: 1n }];
    expect(await cache.feeOutputs(who, 8)).to.deep.equal(held);
  });
});
