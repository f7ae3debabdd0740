/**
 * Attack (medium): the base fee is driven by declared gas, but paid on gas used.
 *
 * L1 computes the next base fee from the gas a batch's transactions declare (protocol.md §7.5), while a transaction
 * burns the base fee only on the gas it uses. One transaction declaring 30M gas and using 21,000 fills a batch: the
 * coordinator packs batches by declared gas (a FIFO mempool), so each such transaction takes a batch of its own and
 * raises the next base fee by 12.5%, for 21,000 × base fee. Twenty of them raise the base fee tenfold, pricing out
 * every wallet that sets the usual 2× cap, at about 1/700 of what EIP-1559 makes the same rise cost (the gas above
 * the target, at the base fee, in every batch). The capital it needs (30M × fee cap) is never spent.
 *
 * Safe behaviour asserted: raising the base fee costs the raiser at least EIP-1559's price for it.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { Executor, MemoryState, TxType, fillMoves, hexToBytes, batchTxContext, nextBaseFee, GAS_TARGET, BATCH_GAS_LIMIT, type BatchHeader, type DepositTx, type WrappedTx } from "../../core";

const CHAIN = 901n;
const MIN_BASE_FEE = 1_000_000_000n;

describe("security: base fee raised by declared gas, paid on gas used", function () {
  this.timeout(60_000);

  it("raising the L2 base fee tenfold costs at least EIP-1559's price for it", async () => {
    const ex = await Executor.create(CHAIN);
    const state = new MemoryState();
    const attacker = ethers.Wallet.createRandom();
    const me = hexToBytes(attacker.address.toLowerCase() as `0x${string}`);
    const header = (i: number, baseFee: bigint) =>
      ({ firstSeq: BigInt(i + 1), number: BigInt(i + 1), timestamp: 1_800_000_000n + BigInt(i), feeRecipient: hexToBytes("0x00000000000000000000000000000000000fee01"), baseFee, parent: new Uint8Array(32) }) as BatchHeader;
    // 1 ETH arrives by deposit (seq 1): 30M gas at up to 33 gwei, never spent.
    const dep: DepositTx = { type: TxType.Deposit, index: 0n, from: me, to: me, value: 10n ** 18n, moves: [] };
    state.apply(1n, (await fillMoves(dep, state, batchTxContext(header(0, MIN_BASE_FEE), CHAIN, 0), ex)).tx);

    let baseFee = MIN_BASE_FEE;
    let burned = 0n;
    let eip1559Price = 0n;
    for (let i = 1; i <= 20; i++) {
      const raw = await attacker.signTransaction({ type: 2, chainId: CHAIN, nonce: i - 1, to: attacker.address, value: 0n, gasLimit: BATCH_GAS_LIMIT, maxFeePerGas: baseFee, maxPriorityFeePerGas: 0n });
      const tx: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
      const f = await fillMoves(tx, state, batchTxContext(header(i, baseFee), CHAIN, 0, BATCH_GAS_LIMIT), ex);
      state.apply(BigInt(i + 1), f.tx);
      burned += f.outcome.gasUsed * baseFee;
      // The batch holds this transaction alone and declares BATCH_GAS_LIMIT.
      eip1559Price += (BATCH_GAS_LIMIT - GAS_TARGET) * baseFee;
      baseFee = nextBaseFee(baseFee, BATCH_GAS_LIMIT, MIN_BASE_FEE);
    }
    expect(baseFee >= 10n * MIN_BASE_FEE, `base fee ${baseFee}`).to.equal(true);
    expect(burned, `the base fee rose ${Number((baseFee * 100n) / MIN_BASE_FEE) / 100}× for ${ethers.formatEther(burned)} ETH (EIP-1559 price ${ethers.formatEther(eip1559Price)} ETH)`).to.be.at.least(eip1559Price);
  });
});
