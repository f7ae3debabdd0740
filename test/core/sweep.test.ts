/**
 * Fee sweeps (protocol.md §4.3 rule 3, §6.5; issue 10 finding 8): the fee recipient turns its fee
 * outputs into balance. A transaction of the recipient consumes its outputs (f moves keyed by the
 * seqs that created them: intx = slot, prev = the output's value, next = 0); their sum is credited
 * to its balance before the balance check. The filler adds them; the validator checks their shape,
 * owner and the credit; the walk stops a second sweep of the same output.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import {
  Executor, MemoryState, Mark, TxType, WrappedTx, MoveTx, Tx, Move,
  fillMoves, validateTx, encodeTx, decodeTx, signMoveTx, hexToBytes, bytesToHex, sortMoves, walkSequential, MemoryUtxoSet, MaskBit,
  MAX_U256, type TxContext, type BatchHeader,
} from "../../core";
import { batchTxContext } from "../../core/context";
import { verdictOf, wrap } from "../helpers/verdict";

const CHAIN = 31337n;
const alice = new ethers.Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const fr = new ethers.Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"); // the fee recipient
const FR = hexToBytes(fr.address.toLowerCase() as `0x${string}`);
const GENESIS: [{ mark: number; addr: Uint8Array; slot: bigint }, bigint][] = [[{ mark: Mark.Balance, addr: hexToBytes(alice.address.toLowerCase() as `0x${string}`), slot: 0n }, 10n ** 18n]];
const walk = (txs: { seq: bigint; moves: readonly Move[] }[]) => walkSequential(new MemoryUtxoSet(GENESIS), txs);
const bob = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
/** The fee recipient of the batches the sweeps run in (not the sweeper: its own new fee outputs stay out of the way). */
const OTHER = hexToBytes(`0x${"ee".repeat(20)}`);

/** The context of seq `seq` in a batch with fee recipient `coinbase` (the core's rule). */
function ctx(seq: bigint, coinbase: Uint8Array = FR): TxContext {
  return batchTxContext({ firstSeq: seq, number: 5n, timestamp: 1_700_000_000n, feeRecipient: coinbase, baseFee: 7n, parent: new Uint8Array(32), l1BaseFee: 0n, l1BlobBaseFee: 0n } as BatchHeader, CHAIN, 0);
}


const rt = (tx: Tx): Tx => decodeTx(encodeTx(tx));

describe("core: fee sweeps", function () {
  this.timeout(60_000);
  let ex: Executor;
  let state: MemoryState;
  let seq: bigint;
  const history: { seq: bigint; moves: readonly Move[] }[] = [];
  const outputs: { seq: bigint; value: bigint }[] = [];

  async function include(tx: Tx, maxSweep = 0, coinbase = FR): Promise<Tx> {
    const filled = rt((await fillMoves(tx, state, ctx(seq, coinbase), ex, { maxSweep })).tx);
    await validateTx(filled, ctx(seq, coinbase), ex);
    state.apply(seq, filled);
    history.push({ seq, moves: filled.moves });
    seq++;
    return filled;
  }

  before(async () => {
    ex = await Executor.create(CHAIN);
    state = new MemoryState().setGenesis(GENESIS[0][0], GENESIS[0][1]);
    seq = 1n;
    // Three transfers of alice, each paying a priority fee to the fee recipient: three fee outputs.
    for (let n = 0; n < 3; n++) {
      const t = await include(wrap(await alice.signTransaction({ chainId: CHAIN, type: 2, nonce: n, to: bob, value: 1n, gasLimit: 21000n, maxFeePerGas: 20_000n, maxPriorityFeePerGas: 10_000n + BigInt(n) })));
      const f = t.moves.find((m) => m.mark === Mark.Fee)!;
      expect(bytesToHex(f.addr)).to.equal(bytesToHex(FR));
      outputs.push({ seq: f.slot, value: f.next });
    }
    expect(state.feeOutputs(fr.address.toLowerCase(), 10)).to.deep.equal(outputs);
  });

  const frTransfer = (nonce: number, value = 5n) => fr.signTransaction({ chainId: CHAIN, type: 2, nonce, to: bob, value, gasLimit: 21000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 0n });

  it("without a sweep the fee recipient has no balance to send with", async () => {
    const err = await verdictOf(fillMoves(wrap(await frTransfer(0)), state, ctx(seq, OTHER), ex));
    expect(err).to.equal("rules/insufficient-balance");
  });

  it("a transaction of the fee recipient sweeps its outputs into its balance, and sends from it", async () => {
    const total = outputs.reduce((s, o) => s + o.value, 0n);
    const t = await include(wrap(await frTransfer(0)), 256, OTHER);
    const sweeps = t.moves.filter((m) => m.mark === Mark.Fee);
    expect(sweeps.map((m) => ({ intx: m.intx, slot: m.slot, prev: m.prev, next: m.next, ref: m.ref }))).to.deep.equal(outputs.map((o) => ({ intx: o.seq, slot: o.seq, prev: o.value, next: 0n, ref: false })));
    const b = t.moves.find((m) => m.mark === Mark.Balance && bytesToHex(m.addr) === bytesToHex(FR))!;

    expect(b.prev).to.equal(0n);
    expect(b.next).to.equal(total - 21000n * 7n - 5n); // swept, minus the base fee burned, minus the value
    expect(state.feeOutputs(fr.address.toLowerCase(), 10)).to.deep.equal([]);
    expect(walk(history)).to.equal(undefined);
  });

  it("the walk refuses a second sweep of the same output (double use)", () => {
    // The sweep transaction's moves once more at a later seq: its sweeps consume outputs already consumed.
    const again = history[history.length - 1].moves.filter((m) => m.mark === Mark.Fee);
    const f = walk([...history, { seq, moves: again }]);
    expect(f).to.deep.include({ kind: "double-use", code: "consumed" });
  });

  it("a move transaction that signs its own sweep gets exactly that sweep, filled and credited", async () => {
    // A new fee output for the recipient (alice pays a tip), then a move transaction of the recipient sweeping it by name.
    const t = await include(wrap(await alice.signTransaction({ chainId: CHAIN, type: 2, nonce: 3, to: bob, value: 1n, gasLimit: 21000n, maxFeePerGas: 20_000n, maxPriorityFeePerGas: 10_000n })));
    const out = t.moves.find((m) => m.mark === Mark.Fee)!;
    const mt: MoveTx = signMoveTx(
      {
        type: TxType.Move, chainId: CHAIN, nonce: 1n, maxPriorityFeePerGas: 0n, maxFeePerGas: 10n, gasLimit: 21000n, to: hexToBytes(bob as `0x${string}`), value: 1n, data: new Uint8Array(0),
        moves: [{ mask: MaskBit.Mark | MaskBit.Addr | MaskBit.Slot, ref: false, mark: Mark.Fee, intx: 0n, addr: FR, slot: out.slot, prev: 0n, next: 0n }],
        witness: [], sig: { yParity: 0, r: 1n, s: 1n },
      },
      hexToBytes(fr.privateKey as `0x${string}`),
    );
    const filled = await include(mt, 256, OTHER);
    const sweeps = filled.moves.filter((m) => m.mark === Mark.Fee);
    expect(sweeps).to.have.length(1);
    expect(sweeps[0]).to.deep.include({ intx: out.slot, slot: out.slot, prev: out.next, next: 0n });
  });

  describe("the validator's rules", () => {
    let base: WrappedTx;
    let at: bigint;
    before(async () => {
      // A sweep of a fresh output, filled but not applied.
      await include(wrap(await alice.signTransaction({ chainId: CHAIN, type: 2, nonce: 4, to: bob, value: 1n, gasLimit: 21000n, maxFeePerGas: 20_000n, maxPriorityFeePerGas: 10_000n })));
      at = seq;
      base = (await fillMoves(wrap(await frTransfer(2, 1n)), state, ctx(at, OTHER), ex, { maxSweep: 8 })).tx as WrappedTx;
      expect(base.moves.filter((m) => m.mark === Mark.Fee)).to.have.length(1);
    });
    const with_ = (f: (m: Move) => Move): WrappedTx => ({ ...base, moves: sortMoves(base.moves.map((m) => (m.mark === Mark.Fee ? f(m) : m))) });
    const check = (t: Tx) => verdictOf(validateTx(rt(t), ctx(at, OTHER), ex));

    it("a well-formed sweep is valid", async () => expect(await check(base)).to.equal("valid"));
    it("a sweep that leaves a value: bad-sweep (malformed)", async () => expect(await check(with_((m) => ({ ...m, next: 1n })))).to.equal("malformed/bad-sweep"));
    it("a sweep naming another producer than its slot: bad-sweep", async () => expect(await check(with_((m) => ({ ...m, intx: m.intx - 1n })))).to.equal("malformed/bad-sweep"));
    it("a sweep as a reference: bad-sweep", async () => expect(await check(with_((m) => ({ ...m, ref: true, next: m.prev })))).to.equal("malformed/bad-sweep"));
    it("a sweep of someone else's fee output: unexpected-output (malformed)", async () => expect(await check(with_((m) => ({ ...m, addr: hexToBytes(bob as `0x${string}`) })))).to.equal("malformed/unexpected-output"));
    it("a sweep credits exactly its prev: an overstated prev changes the computed balance (next-mismatch)", async () => expect(await check(with_((m) => ({ ...m, prev: m.prev + 1n })))).to.equal("execution/next-mismatch"));
    it("balance plus credit above 2^256-1: sweep-overflow (rules)", async () => expect(await check(with_((m) => ({ ...m, prev: MAX_U256 })))).to.equal("rules/sweep-overflow"));
    it("in Ethereum fee mode an f move is never a sweep", async () => {
      const e = { ...ctx(at), feeMode: "ethereum" as const };
      expect(await verdictOf(validateTx(rt(base), e, ex))).to.equal("malformed/unexpected-output");
    });
  });
});
