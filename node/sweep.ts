/**
 * The fee recipient's sweep (protocol.md §6.5), as a client of a node's JSON-RPC: any transaction
 * of the fee recipient sweeps its unspent fee outputs into its balance (the node's filler adds the
 * f moves, up to its --sweep-max), so the sweep is a zero-value transfer to itself; with
 * `withdraw`, a second transaction then sends the whole balance (less its gas) to the withdrawal
 * vault, from where L1 pays it once the batch is final (Bridge.claimWithdrawal). `moveset sweep`.
 */
import { JsonRpcProvider, Network, Wallet } from "ethers";
import { WITHDRAWAL_VAULT_HEX } from "../core/evm/chain";
import { Mark } from "../core/keys";

export interface SweepResult {
  address: string;
  /** Unspent fee outputs before the sweep, and their total (wei). */
  outputs: number;
  available: bigint;
  sweepTx?: string;
  /** Outputs and wei the sweep transaction consumed. */
  swept: number;
  sweptValue: bigint;
  balance: bigint;
  withdrawTx?: string;
  withdrawn?: bigint;
}

export class SweepError extends Error {}

interface MoveJson {
  mark: string;
  addr: string;
  slot: string;
  prev: string;
  next: string;
  ref: boolean;
  intx: string;
}

export async function sweepFees(o: { rpcUrl: string; key: string; withdraw?: boolean; timeoutMs?: number }): Promise<SweepResult> {
  const probe = new JsonRpcProvider(o.rpcUrl);
  let chainId: bigint;
  try {
    chainId = BigInt(await probe.send("eth_chainId", []));
  } catch (e) {
    throw new SweepError(`cannot reach ${o.rpcUrl}: ${(e as Error).message}`);
  } finally {
    probe.destroy();
  }
  const l2 = new JsonRpcProvider(o.rpcUrl, Network.from(chainId), { staticNetwork: true, pollingInterval: 250 });
  try {
    const w = new Wallet(o.key, l2);
    const me = w.address.toLowerCase();
    const before = (await l2.send("moveset_getFeeOutputs", [me, "0x1000"])) as { outputs: unknown[]; total: string };
    const res: SweepResult = { address: me, outputs: before.outputs.length, available: BigInt(before.total), swept: 0, sweptValue: 0n, balance: await l2.getBalance(me) };
    const timeout = o.timeoutMs ?? 120_000;
    if (before.outputs.length > 0) {
      const tx = await w.sendTransaction({ to: me, value: 0n });
      const r = await l2.waitForTransaction(tx.hash, 1, timeout);
      if (!r || r.status !== 1) throw new SweepError(`the sweep transaction ${tx.hash} was not included`);
      res.sweepTx = tx.hash;
      const mv = (await l2.send("moveset_getMoves", [tx.hash])) as { moves: MoveJson[] };
      for (const m of mv.moves)
        if (m.mark === String.fromCharCode(Mark.Fee) && m.addr === me && !m.ref && BigInt(m.slot) === BigInt(m.intx) && BigInt(m.next) === 0n) {
          res.swept++;
          res.sweptValue += BigInt(m.prev);
        }
      res.balance = await l2.getBalance(me);
    }
    if (o.withdraw && res.balance > 0n) {
      const fee = await l2.getFeeData();
      const maxFee = fee.maxFeePerGas ?? fee.gasPrice ?? 0n;
      const gas = 21_000n;
      const value = res.balance - gas * maxFee;
      if (value <= 0n) throw new SweepError(`a balance of ${res.balance} wei does not cover the withdrawal's gas (${gas * maxFee} wei)`);
      const tx = await w.sendTransaction({ to: WITHDRAWAL_VAULT_HEX, value, gasLimit: gas, maxFeePerGas: maxFee, maxPriorityFeePerGas: fee.maxPriorityFeePerGas ?? 0n });
      const r = await l2.waitForTransaction(tx.hash, 1, timeout);
      if (!r || r.status !== 1) throw new SweepError(`the withdrawal transaction ${tx.hash} was not included`);
      res.withdrawTx = tx.hash;
      res.withdrawn = value;
      res.balance = await l2.getBalance(me);
    }
    return res;
  } finally {
    l2.destroy();
  }
}
