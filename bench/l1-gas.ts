/**
 * L1 gas of posting a batch (Inbox.appendBatch, per transaction) and of each kind of fraud proof.
 *
 * Not measured yet: the contracts (contracts/Inbox.sol, contracts/fraud/*) are being written. When
 * they land, this function deploys them on an in-process Hardhat/EVM chain, posts the benchmark's
 * batches and one proof of each kind, and returns the gas; `moveset bench` already prints and
 * reports whatever it returns (null: "not measured yet: contracts pending").
 */
export interface L1Gas {
  /** Gas of appendBatch divided by the batch's transaction count (calldata included). */
  appendGasPerTx: number;
  /** Gas of a successful fraud proof of each kind (reveal step), by kind name. */
  proofGas: Record<string, number>;
}

export const L1_GAS_PENDING_NOTE = "not measured yet: contracts pending";

export async function measureL1Gas(): Promise<L1Gas | null> {
  return null;
}
