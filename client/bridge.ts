/**
 * Moving ETH between L1 and L2 (protocol.md §11.3, §6.5):
 *   deposit   Bridge.deposit(to) on L1 queues it; a batch must consume the queue in order, so it
 *             arrives on L2 as the deposit transaction whose id is keccak(tag(deposit-id) || index);
 *   withdraw  an L2 transaction that sends ETH to the withdrawal vault; its batch final, the Bridge
 *             pays it on L1 (client/withdrawals.ts).
 */
import { JsonRpcProvider, Wallet, getAddress, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { WITHDRAWAL_VAULT_HEX } from "../core/evm/chain";
import { depositTxIdHex } from "../core/sign";
import type { Deployment } from "../node/config";
import { bridgeOf, send, ClientError, eth, eventIn } from "./contracts";

/** Addresses the Bridge refuses as recipients (protocol.md §11.3): nobody can ever move what they receive. */
export function unusableRecipient(to: string): string | undefined {
  const a = BigInt(to);
  if (a === 0n) return "the zero address";
  if (a >= 1n && a <= 0x0an) return "a precompile";
  if (a === BigInt("0xfee0000000000000000000000000000000000000")) return "the fee vault";
  if (a === BigInt(WITHDRAWAL_VAULT_HEX)) return "the withdrawal vault";
  return undefined;
}


export interface DepositResult {
  l1Tx: string;
  index: bigint;
  to: string;
  amount: bigint;
  /** The deposit's L2 transaction id. */
  l2Tx: string;
}

/** Queues a deposit of `amount` wei to L2 address `to` from `signer` (checks what the Bridge would refuse first). */
export async function deposit(signer: Signer, d: Deployment, to: string, amount: bigint): Promise<DepositResult> {
  if (amount <= 0n) throw new ClientError("the amount must be more than 0");
  const why = unusableRecipient(to);
  if (why) throw new ClientError(`--to ${to} is ${why}: nobody could ever move ETH sent there on L2`);
  const from = await signer.getAddress();
  const bal = await signer.provider!.getBalance(from);
  if (bal < amount) throw new ClientError(`${from} has ${eth(bal)} on L1, less than the ${eth(amount)} to deposit`);
  const bridge = bridgeOf(d, signer);
  const tx = await send(
    "deposit",
    () => bridge.deposit(to, { value: amount }),
    (name) => (name === "UnusableRecipient" ? `--to ${to} can never spend on L2: the Bridge refuses it` : undefined),
  );
  const r = (await tx.wait()) as TransactionReceipt | null;
  if (!r || r.status !== 1) throw new ClientError(`the deposit ${tx.hash} failed on L1`);
  const ev = eventIn(r, d.bridge, bridge.interface, "Deposited");
  if (!ev) throw new Error(`deposit ${tx.hash} logged no Deposited event`);
  const index = BigInt(ev.args.index);
  return { l1Tx: tx.hash, index, to: getAddress(to), amount, l2Tx: depositTxIdHex(index) };
}

/**
 * Waits until L2 has the deposit's transaction; `tick(waitedSeconds)` runs about every second.
 * Returns its receipt (block number and status).
 */
export async function waitForL2Tx(l2: JsonRpcProvider, hash: string, timeoutMs: number, tick?: (waited: number) => void): Promise<{ blockNumber: number; status: number }> {
  const t0 = Date.now();
  for (;;) {
    const r = (await l2.send("eth_getTransactionReceipt", [hash])) as { blockNumber: string; status: string } | null;
    if (r) return { blockNumber: Number(r.blockNumber), status: Number(r.status) };
    const waited = (Date.now() - t0) / 1000;
    if (Date.now() - t0 > timeoutMs) throw new ClientError(`${hash} is not on L2 after ${Math.round(waited)} s: is the coordinator posting? (\`moveset status\`)`);
    tick?.(waited);
    await new Promise((res) => setTimeout(res, 500));
  }
}

export interface WithdrawResult {
  l2Tx: string;
  from: string;
  amount: bigint;
}

/** Sends `amount` wei to the withdrawal vault from `key` on L2 (a plain transfer: any wallet can do the same). */
export async function withdraw(l2: JsonRpcProvider, key: string, amount: bigint): Promise<WithdrawResult> {
  if (amount <= 0n) throw new ClientError("the amount must be more than 0");
  const w = new Wallet(key, l2);
  const bal = await l2.getBalance(w.address);
  if (bal < amount) throw new ClientError(`${w.address} has ${eth(bal)} on L2, less than the ${eth(amount)} to withdraw (deposit first: \`moveset deposit\`)`);
  let tx;
  try {
    tx = await w.sendTransaction({ to: WITHDRAWAL_VAULT_HEX, value: amount });
  } catch (e) {
    const m = (e as { info?: { error?: { message?: string } }; shortMessage?: string }).info?.error?.message ?? (e as Error).message;
    throw new ClientError(`the L2 node refused the withdrawal: ${m.split("\n")[0]}`);
  }
  return { l2Tx: tx.hash, from: w.address, amount };
}

/** An L2 provider for a known chain (no network detection: a dead endpoint fails the first call). */
export function l2Provider(url: string, chainId: bigint): JsonRpcProvider {
  return new JsonRpcProvider(url, Number(chainId), { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
}

/** An L1 provider likewise. */
export function l1Provider(url: string, chainId: bigint): JsonRpcProvider {
  return new JsonRpcProvider(url, Number(chainId), { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
}

export type { Provider };
