/**
 * Attack (medium, fixed): the base fee is driven by declared gas, but was paid on gas used.
 *
 * L1 computes the next base fee from the gas a batch's transactions declare (protocol.md §7.5). While a
 * transaction burned the base fee only on the gas it used, one transaction declaring 30M gas and using
 * 21,000 filled a batch (the coordinator packs batches by declared gas, a FIFO mempool), so each such
 * transaction took a batch of its own and raised the next base fee by 12.5% for 21,000 × base fee:
 * twenty of them raised the base fee tenfold, pricing out every wallet that sets the usual 2× cap, at
 * about 1/700 of what EIP-1559 makes the same rise cost. The fix (§6.5): in fee-output mode the sender
 * pays the base fee on its declared gas (gasLimit × baseFee) and the priority fee on the gas used.
 *
 * Safe behaviour asserted: raising the base fee costs the raiser (what leaves its balance) at least
 * EIP-1559's price for it.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { Executor, MemoryState, Mark, TxType, fillMoves, hexToBytes, batchTxContext, nextBaseFee, GAS_TARGET, BATCH_GAS_LIMIT, type BatchHeader, type DepositTx, type WrappedTx } from "../../core";

const CHAIN = 901n;
const MIN_BASE_FEE = 1_000_000_000n;

describe("security: the base fee, raised by declared gas, is paid on declared gas", function () {
  this.timeout(60_000);

  it("raising the L2 base fee tenfold costs at least EIP-1559's price for it", async () => {
    const ex = await Executor.create(CHAIN);
    const state = new MemoryState();
    const attacker = ethers.Wallet.createRandom();
    const me = hexToBytes(attacker.address.toLowerCase() as `0x${string}`);
    const header = (i: number, baseFee: bigint) =>
      ({ firstSeq: BigInt(i + 1), number: BigInt(i + 1), timestamp: 1_800_000_000n + BigInt(i), feeRecipient: hexToBytes("0x00000000000000000000000000000000000fee01"), baseFee, parent: new Uint8Array(32), l1BaseFee: 0n, l1BlobBaseFee: 0n }) as BatchHeader;
    // 10 ETH arrive by deposit (seq 1): enough for twenty batches of 30M gas at the rising base fee.
    const funds = 10n * 10n ** 18n;
    const dep: DepositTx = { type: TxType.Deposit, index: 0n, from: me, to: me, value: funds, moves: [] };
    state.apply(1n, (await fillMoves(dep, state, batchTxContext(header(0, MIN_BASE_FEE), CHAIN, 0), ex)).tx);

    let baseFee = MIN_BASE_FEE;
    let eip1559Price = 0n;
    for (let i = 1; i <= 20; i++) {
      const raw = await attacker.signTransaction({ type: 2, chainId: CHAIN, nonce: i - 1, to: attacker.address, value: 0n, gasLimit: BATCH_GAS_LIMIT, maxFeePerGas: baseFee, maxPriorityFeePerGas: 0n });
      const tx: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
      const f = await fillMoves(tx, state, batchTxContext(header(i, baseFee), CHAIN, 0, BATCH_GAS_LIMIT), ex);
      state.apply(BigInt(i + 1), f.tx);
      // The batch holds this transaction alone and declares BATCH_GAS_LIMIT.
      eip1559Price += (BATCH_GAS_LIMIT - GAS_TARGET) * baseFee;
      baseFee = nextBaseFee(baseFee, BATCH_GAS_LIMIT, MIN_BASE_FEE);
    }
    expect(baseFee >= 10n * MIN_BASE_FEE, `base fee ${baseFee}`).to.equal(true);
    // what the attacker paid: its balance's drop (it sent nothing anywhere but to itself)
    const burned = funds - state.latest(Mark.Balance, attacker.address.toLowerCase(), 0n).value;
    expect(burned, `the base fee rose ${Number((baseFee * 100n) / MIN_BASE_FEE) / 100}× for ${ethers.formatEther(burned)} ETH (EIP-1559 price ${ethers.formatEther(eip1559Price)} ETH)`).to.be.at.least(eip1559Price);
  });
});
