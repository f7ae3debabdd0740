/**
 * A byzantine poster for devnets and tests: builds and posts one invalid batch of a chosen kind on
 * the current L1 tip, from honest transactions mutated the way a dishonest coordinator would: a
 * one-step kind (docs/protocol.md §9), or an execution fault that only the dispute game refutes
 * (§11.5): `execution` (a withdrawal output of 1000 ETH for 99 wei sent to the withdrawal vault),
 * `undeclared-key` (a transfer without its recipient's balance key), `missing-code` (a call to a
 * contract created just before it, neither transaction's witness carrying its code).
 * `moveset devnet --byzantine <kind>` uses it so anyone can watch the watchtower win; it posts from
 * its own bonded account so the honest coordinator keeps its bond.
 */
import { JsonRpcProvider, Wallet, Transaction, getCreateAddress } from "ethers";
import {
  Executor, TxType, Mark, MaskBit, encodeTx, decodeTx, hexToBytes, bytesToHex, sortMoves, encodeBatchData, txRootOf, batchDataHash, headerHash, batchTxOf, declaredGas,
  type BatchHeader, type BatchTx, type WrappedTx, type DepositTx, type Tx,
} from "../../core";
import { batchTxContext } from "../../core/context";
import { ONE_STEP_KINDS, type OneStepKind } from "../../core/errors";
import { fillMoves, type StateView } from "../../core/fill";
import type { BlockEnv } from "../../core/evm/chain";
import { headerToSol, inboxAt, readDictionary } from "../l1/contracts";
import { compressItem } from "../../core/flz";
import { fillFromStore, LatestCache, Overlay } from "../state/view";
import { WITHDRAWAL_VAULT_HEX } from "../../core/evm/chain";
import { keyIdOf } from "../../core/keys";
import type { NodeHandle } from "../node";
import type { Deployment } from "../config";
import { L1Client } from "../l1/client";

/** Every one-step kind (core/errors.ts ONE_STEP_KINDS). */
export const BYZANTINE_KINDS = ONE_STEP_KINDS;
export type ByzantineKind = OneStepKind;

/** Invalid batches whose fault is an execution fault: refuted by the dispute game only. */
export const EXECUTION_KINDS = ["execution", "undeclared-key", "missing-code"] as const;
export type ExecutionKind = (typeof EXECUTION_KINDS)[number];
export type InvalidBatchKind = ByzantineKind | ExecutionKind;

/**
 * What `moveset devnet --byzantine` takes: an invalid batch of any kind, a blob batch whose blob does not give its
 * declarations (`blob`: the `data` fault, protocol.md §14.5; needs an L1 that takes blobs, `--l1 anvil`), or a false
 * challenge of an honest one.
 */
export const DEVNET_BYZANTINE_KINDS = [...BYZANTINE_KINDS, ...EXECUTION_KINDS, "blob", "false-challenge"] as const;
export type DevnetByzantineKind = (typeof DEVNET_BYZANTINE_KINDS)[number];

/** What a withdrawal forged by the `execution` kind declares: 1000 ETH. */
export const FORGED_WITHDRAWAL = 1000n * 10n ** 18n;

export interface ByzantineEnv {
  l1: JsonRpcProvider;
  inbox: string;
  l2ChainId: bigint;
  /**
   * The L2 state at the tip that the honest transactions are filled against: a node's stores, or
   * a state view held in memory (`moveset bench` passes its MemoryState).
   */
  node: Pick<NodeHandle, "utxo" | "chain"> | StateView;
  /** Signs the honest L2 transfers that get mutated (an account funded on L2). */
  sender: { privateKey: string; address: string };
  /** Receives the transfers. */
  recipient: string;
  /** The byzantine poster's L1 key (bonded here if needed). */
  posterKey: string;
}

/**
 * The next batch on the L1 tip, holding `txs` (no deposits). Timestamp and base fee from `block`,
 * by default the latest L1 block's timestamp (or the tip's, if later) and the base fee L1 requires
 * (Inbox.nextBaseFee).
 */
export async function batchOnTip(
  env: Pick<ByzantineEnv, "l1" | "inbox">,
  txs: BatchTx[],
  feeRecipient: string,
  block?: Pick<BlockEnv, "timestamp" | "baseFee">,
): Promise<{ header: BatchHeader; data: Uint8Array }> {
  const inbox = inboxAt(env.inbox, env.l1);
  const [index, parent, firstSeq, depositStart, minTs] = await inbox.tip();
  const baseFee: bigint = block?.baseFee ?? (await inbox.nextBaseFee());
  const latest = block?.timestamp ?? BigInt((await env.l1.getBlock("latest"))!.timestamp);
  const data = encodeBatchData(txs);
  const header: BatchHeader = {
    index, parent: hexToBytes(parent as `0x${string}`), firstSeq, txCount: BigInt(txs.length), txRoot: txRootOf(txs), number: index + 1n,
    timestamp: latest > minTs ? latest : minTs, feeRecipient: hexToBytes(feeRecipient.toLowerCase() as `0x${string}`), baseFee,
    depositStart, depositEnd: depositStart, dataHash: batchDataHash(data), l1BaseFee: 0n, l1BlobBaseFee: 0n,
  };
  return { header, data };
}

/**
 * An honest transfer of `value` wei from the sender (or `from`, to `to`), filled against the node's
 * state at the tip as the batch's first transaction.
 */
export async function honestTransfer(env: ByzantineEnv, feeRecipient: string, value: bigint, ex: Executor, from = env.sender, to = env.recipient): Promise<WrappedTx> {
  return honestTx(env, feeRecipient, ex, { to, value, gasLimit: 21000n }, from);
}

/**
 * An honest transaction of `from` with `fields` (to, value, data, gas limit), filled as transaction `position` of the
 * next batch, after `before` (the batch's earlier transactions, whose writes and witnesses it sees).
 */
export async function honestTx(
  env: ByzantineEnv,
  feeRecipient: string,
  ex: Executor,
  fields: { to?: string; value?: bigint; data?: string; gasLimit: bigint },
  from = env.sender,
  before: Tx[] = [],
): Promise<WrappedTx> {
  const shell = await batchOnTip(env, [], feeRecipient);
  const ctx = batchTxContext(shell.header, env.l2ChainId, before.length);
  const sender = from.address.toLowerCase();
  const w = new Wallet(from.privateKey);
  const overlay = new Overlay();
  before.forEach((t, i) => overlay.apply(shell.header.firstSeq + BigInt(i), t));
  const sign = async (nonce: bigint): Promise<WrappedTx> => {
    const raw = await w.signTransaction({ ...fields, nonce: Number(nonce), maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 1n, chainId: env.l2ChainId, type: 2 });
    return { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
  };
  if ("latest" in env.node) {
    const view = overlaid(env.node, overlay);
    return (await fillMoves(await sign((await view.latest(Mark.Nonce, sender, 0n)).value), view, ctx, ex)).tx as WrappedTx;
  }
  const cache = new LatestCache(env.node.utxo, env.node.chain);
  const nonce = overlay.values.get(keyIdOf(sender, Mark.Nonce, 0n))?.value ?? (await cache.get(Mark.Nonce, sender, 0n)).value;
  return (await fillFromStore(await sign(nonce), cache, [overlay], ctx, ex)).tx as WrappedTx;
}

/** A state view with `overlay`'s writes and witnesses over `base`. */
function overlaid(base: StateView, overlay: Overlay): StateView {
  return {
    latest: (mark, addrHex, slot) => overlay.values.get(keyIdOf(addrHex.toLowerCase(), mark, slot)) ?? base.latest(mark, addrHex, slot),
    code: (h) => overlay.codes.get(h.toLowerCase()) ?? base.code(h),
    feeOutputs: base.feeOutputs?.bind(base),
  };
}

/** The contract the `missing-code` kind calls: runtime code STOP, returned by its initcode. */
export const STOP_INITCODE = "0x600060005360016000f3";

/** The transactions of an invalid batch of `kind` (the invalid one is the last), each declaring its gas limit. */
export async function invalidTxs(kind: InvalidBatchKind, env: ByzantineEnv, feeRecipient: string): Promise<BatchTx[]> {
  const ex = await Executor.create(env.l2ChainId);
  const to = env.recipient.toLowerCase();
  switch (kind) {
    case "execution": {
      // 99 wei sent to the withdrawal vault, declared as a withdrawal output of 1000 ETH.
      const w = await honestTransfer(env, feeRecipient, 99n, ex, env.sender, WITHDRAWAL_VAULT_HEX);
      return [batchTxOf(encodeTx({ ...w, moves: w.moves.map((m) => (m.mark === Mark.Withdrawal ? { ...m, next: FORGED_WITHDRAWAL } : m)) }))];
    }
    case "undeclared-key": {
      // The recipient's balance, which the value transfer writes, is not declared.
      const u = await honestTransfer(env, feeRecipient, 99n, ex);
      return [batchTxOf(encodeTx({ ...u, moves: u.moves.filter((m) => !(m.mark === Mark.Balance && bytesToHex(m.addr) === to)) }))];
    }
    case "missing-code": {
      // A contract created, then called, in the same batch; the code travels in neither witness (the creation does
      // not need it: it created it), so the call finds its code nowhere (protocol.md §6.2).
      const create = await honestTx(env, feeRecipient, ex, { data: STOP_INITCODE, gasLimit: 100_000n });
      const created = getCreateAddress({ from: env.sender.address, nonce: Transaction.from(bytesToHex(create.raw)).nonce });
      const call = await honestTx(env, feeRecipient, ex, { to: created, gasLimit: 50_000n }, env.sender, [create]);
      return [batchTxOf(encodeTx({ ...create, witness: [] })), batchTxOf(encodeTx({ ...call, witness: [] }))];
    }
  }
  const t = await honestTransfer(env, feeRecipient, 99n, ex);
  switch (kind) {
    case "malformed":
      return [{ gas: declaredGas(t), tx: Uint8Array.from([...encodeTx(t), 0x00]) }]; // trailing byte: does not decode
    case "signature":
      return [batchTxOf(encodeTx({ ...t, moves: t.moves.map((m, i) => (i === 0 ? { ...m, mask: MaskBit.Next } : m)) }))];
    case "input":
      // The recipient's code key was never written (genesis); name seq 1 as its producer.
      return [batchTxOf(encodeTx({ ...t, moves: t.moves.map((m) => (m.mark === Mark.Code && bytesToHex(m.addr) === to ? { ...m, intx: 1n } : m)) }))];
    case "double-use": {
      // A second transfer with the same nonce, filled against the same state: both consume the
      // sender's nonce and balance. Its outputs are re-keyed to its seq (position 1).
      const u = await honestTransfer(env, feeRecipient, 98n, ex);
      const moves = sortMoves(u.moves.map((m) => (m.mark === Mark.Fee || m.mark === Mark.Withdrawal ? { ...m, slot: m.slot + 1n } : m)));
      return [batchTxOf(encodeTx(t)), batchTxOf(encodeTx({ ...u, moves } as Tx))];
    }
    case "deposit": {
      const a = hexToBytes(to as `0x${string}`);
      const dep: DepositTx = { type: TxType.Deposit, index: 999_999n, from: a, to: a, value: 1n, moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: a, slot: 0n, prev: 0n, next: 1n }] };
      return [batchTxOf(encodeTx(dep))]; // a deposit outside the batch's (empty) deposit range
    }
    case "rules": {
      // Signed with a nonce ahead of the declared one.
      const w = new Wallet(env.sender.privateKey);
      const raw = await w.signTransaction({ to: env.recipient, value: 99n, nonce: 1_000_000, gasLimit: 21000n, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 1n, chainId: env.l2ChainId, type: 2 });
      return [batchTxOf(encodeTx({ ...t, raw: hexToBytes(raw as `0x${string}`) }))];
    }
  }
}

/**
 * The transactions of `invalidTxs(kind)` behind a first transaction whose only fault needs the
 * interactive game: a self-transfer of `other` (an account funded on L2 other than the sender, so
 * that the two touch no common key) declaring a fee output one wei too large (execution,
 * `fee-output`). The outputs of the others are re-keyed to their new seqs.
 */
export async function behindExecutionFault(kind: InvalidBatchKind, env: ByzantineEnv, feeRecipient: string, other: { privateKey: string; address: string }): Promise<BatchTx[]> {
  const ex = await Executor.create(env.l2ChainId);
  const first = await honestTransfer(env, feeRecipient, 1n, ex, other, other.address);
  const lead = batchTxOf(encodeTx({ ...first, moves: first.moves.map((m) => (m.mark === Mark.Fee ? { ...m, next: m.next + 1n } : m)) }));
  const rest = (await invalidTxs(kind, env, feeRecipient)).map((e): BatchTx => {
    let t: Tx;
    try {
      t = decodeTx(e.tx);
    } catch {
      return e; // does not decode: nothing to re-key
    }
    return { gas: e.gas, tx: encodeTx({ ...t, moves: sortMoves(t.moves.map((m) => (m.mark === Mark.Fee || m.mark === Mark.Withdrawal ? { ...m, slot: m.slot + 1n } : m))) } as Tx) };
  });
  return [lead, ...rest];
}

/**
 * Builds and posts an invalid batch of `kind` on the current tip (retrying if an honest batch takes it first).
 * With `behind`, the batch's first transaction has an execution fault (behindExecutionFault).
 * Its items are compressed where the deployment has a dictionary and that is shorter (protocol.md §7.7), as the
 * coordinator posts them. Returns its header and its items as posted too (what a proof needs).
 */
export async function postInvalidBatch(
  kind: InvalidBatchKind,
  env: ByzantineEnv,
  behind?: { privateKey: string; address: string },
): Promise<{ index: bigint; headerHash: string; header: BatchHeader; txs: BatchTx[] }> {
  if (behind && (EXECUTION_KINDS as readonly string[]).includes(kind)) throw new Error(`${kind} is an execution fault already`);
  const poster = new Wallet(env.posterKey, env.l1);
  const inbox = inboxAt(env.inbox, poster);
  await bondOneBatch(env);
  const dict = await readDictionary(env.inbox, env.l1);
  for (let attempt = 0; ; attempt++) {
    const built = behind ? await behindExecutionFault(kind, env, poster.address, behind) : await invalidTxs(kind, env, poster.address);
    // Posted as an honest coordinator posts them (protocol.md §7.7): compressed where the deployment has a dictionary
    // and that is shorter, so every fault is proven on the items a real chain carries.
    const txs = dict.length ? built.map((t): BatchTx => ({ gas: t.gas, tx: compressItem(t.tx, dict) })) : built;
    const b = await batchOnTip(env, txs, poster.address);
    try {
      await inbox.appendBatch.staticCall(headerToSol(b.header), bytesToHex(b.data));
      await (await inbox.appendBatch(headerToSol(b.header), bytesToHex(b.data))).wait();
      return { index: b.header.index, headerHash: bytesToHex(headerHash(b.header)), header: b.header, txs };
    } catch (e) {
      if (attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Each live, non-final batch locks a bond of its own: the byzantine poster bonds one more if none is free. */
async function bondOneBatch(env: Pick<ByzantineEnv, "l1" | "inbox" | "posterKey">): Promise<void> {
  const poster = new Wallet(env.posterKey, env.l1);
  const inbox = inboxAt(env.inbox, poster);
  const bondSize = await inbox.bondSize();
  if ((await inbox.freeBondOf(poster.address)) < bondSize) await (await inbox.bond({ value: bondSize })).wait();
}

/**
 * Posts, in a blob, a batch whose blob does not give its declarations (the `data` fault, protocol.md §14.5): the blob
 * holds an honest transfer, the header declares the root of that transfer with one more gas declared (reason
 * `tx-root`). Needs an L1 that takes blob transactions (anvil). Retries if an honest batch takes the tip first.
 */
export async function postBlobDataFault(env: ByzantineEnv, deployment: Deployment, l1Url: string): Promise<{ index: bigint; headerHash: string; header: BatchHeader; l1TxHash: string }> {
  const posterAddr = new Wallet(env.posterKey).address;
  await bondOneBatch(env);
  const client = await L1Client.connect(l1Url, deployment, env.posterKey);
  try {
    for (let attempt = 0; ; attempt++) {
      const t = batchTxOf(encodeTx(await honestTransfer(env, posterAddr, 99n, await Executor.create(env.l2ChainId))));
      const b = await batchOnTip(env, [t], posterAddr);
      const declared = { ...b.header, txRoot: txRootOf([{ gas: t.gas + 1n, tx: t.tx }]) };
      try {
        const blob = await client.blobBatch(declared, b.data);
        const sent = await client.appendBatchBlob(blob.header, blob.blob, blob.gas);
        await client.wait(sent, 60_000);
        return { index: blob.header.index, headerHash: bytesToHex(headerHash(blob.header)), header: blob.header, l1TxHash: sent.hash };
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  } finally {
    client.close();
  }
}
