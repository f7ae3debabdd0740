/**
 * The L2 JSON-RPC methods: Ethereum's (blocks are batches: number = index + 1, hash = header
 * hash) and moveset's own (moves, outpoints, batches). State is the latest index (tag "latest" or
 * the latest block's number/hash) plus, for "pending", the batch in flight and the mempool's
 * simulated effects; an older block's state comes from the version index (node/rpc/chain-view.ts).
 */
import { batchIsFinal } from "../../core/game/finality";
import { gameStatusName } from "../../core/game/status";
import type { GameRecord } from "../l1/follower";
import { AbiCoder, Signature, Transaction } from "ethers";
import { bytesToHex, hexToBytes, keccak256 } from "../../core/bytes";
import { DecodeError, InvalidTxError } from "../../core/errors";
import { Mark, keyIdOf } from "../../core/keys";
import { decodeTx, TxType, codeHash, type Tx, type WrappedTx } from "../../core/tx";
import { leafHash, merkleProof } from "../../core/merkle";
import { declaredGas, requiredBaseFee } from "../../core/gas";
import { L2_BLOCK_GAS_LIMIT } from "../../core/evm/chain";
import { isUnprotectedRaw, namedChainId, wrongChainMessage } from "../../core/evm/ethtx";
import { postedItem, type ChainStore, type StoredBatch } from "../state/chain-store";
import { CLIENT_VERSION, DEFAULT_RPC, type Deployment } from "../config";
import { SubmitError, submitMessage, type Coordinator } from "../coordinator/coordinator";
import type { UtxoHandle } from "../state/utxo-handle";
import { feeOutputsOf, type LatestCache } from "../state/view";
import { Verifier } from "../verifier/verifier";
import { formatBlock, formatMove, formatReceipt, formatTx, genesisBlock, l1ReceiptFields, q, ZERO_HASH } from "./format";
import { INTERNAL_ERROR, LIMIT_EXCEEDED, METHOD_NOT_FOUND, RpcError, SERVER_ERROR, type Methods, type RequestContext } from "./server";
import { addressArg, arg, bad, boolArg, dataArg, hashArg, markArg, objectArg, quantity } from "./params";
import { ChainView, historyError, type StateAt } from "./chain-view";
import type { CallJob, CallRequest, CallResult, Job } from "./call";
import { CallPoolError } from "./call-pool";
import type { StateSource } from "../../core/evm/state";
import { debugMethods } from "./debug";
import { logCriteria, rangeLogs } from "./logs";
import { withOverrides } from "./overrides";
import type { FilterManager } from "./filters";

/** A dummy signature of a real one's size (every byte nonzero, s below n/2) for the L1 fee estimate. */
const DUMMY_R = "0x" + "7f".repeat(32);
const DUMMY_S = "0x" + "3f".repeat(32);

/** The source of a job that reads no state through this thread (a transaction traced from its own moves). */
const NO_STATE: StateSource = {
  read: () => {
    throw new Error("this job reads no state");
  },
  code: () => undefined,
};

/** Reads one key of a state (a past block's may be refused: historyError). */
export async function readAt(at: StateAt, mark: number, addr: string, slot: bigint): Promise<bigint> {
  try {
    return await at.source.read(keyIdOf(addr, mark, slot), mark, addr, slot);
  } catch (e) {
    throw historyError(e);
  }
}

export interface RpcBackend {
  deployment: Deployment;
  chain: ChainStore;
  cache: LatestCache;
  utxo: UtxoHandle;
  /** Accepts transactions; without it the node serves reads only. */
  coordinator?: Coordinator;
  verifier?: Verifier;
  suggestedTip: bigint;
  feeRecipient: Uint8Array;
  /** The newest L1 time known (seconds), for finality. */
  l1Time?: () => bigint | undefined;
  /** The lowest batch index an open dispute game holds (the L1 follower's view; none if absent). */
  l1HeldFrom?: () => bigint;
  /** The dispute games the L1 follower has seen, by id. */
  l1Games?: () => ReadonlyMap<bigint, GameRecord>;
  maxLogRange: number;
  /** Runs eth_call / eth_estimateGas jobs (a CallPool: off the event loop, with a time limit). */
  calls: { run(job: Job, source: StateSource): Promise<CallResult> };
  /** Most gas a call or estimate runs with (geth's --rpc.gascap); more is capped to it. */
  gasCap: bigint;
  /** The call pool's time limit (ms; geth's --rpc.evmtimeout): a trace may ask for less. */
  callTimeoutMs?: number;
  /** Accept legacy transactions without EIP-155 replay protection (geth's --rpc.allow-unprotected-txs). */
  allowUnprotectedTxs: boolean;
  /** Polled filters (eth_newFilter, ...); without it the node serves none. */
  filters?: FilterManager;
  /** Submissions one client may have in progress at once (default DEFAULT_RPC.submitsPerClient). */
  submitsPerClient?: number;
}

/** geth's refusal of a transaction without replay protection. */
export const UNPROTECTED_MESSAGE = "only replay-protected (EIP-155) transactions allowed over RPC";

// ---- the methods ------------------------------------------------------------------------------------

export function ethMethods(b: RpcBackend): Methods {
  const chainId = b.deployment.l2ChainId;
  const depositFrom = b.deployment.bridge.toLowerCase();

  const view = new ChainView(b);
  const latestNumber = () => view.latestNumber();
  const nextBaseFee = () => view.nextBaseFee();
  const batchOf = (n: bigint) => view.batchOf(n);
  const blockNumberOf = (tag: unknown) => view.blockNumberOf(tag);
  const finalityNow = () => view.finalityNow();

  async function blockJson(n: bigint | undefined, full: boolean): Promise<Record<string, unknown> | null> {
    if (n === undefined) return null;
    if (n === 0n) return genesisBlock(b.deployment.minBaseFee);
    const bt = await batchOf(n);
    if (!bt) return null;
    return blockJsonOf(bt, full);
  }

  async function blockJsonOf(bt: StoredBatch, full: boolean): Promise<Record<string, unknown>> {
    if (!full) return formatBlock(bt, bt.txHashes);
    const txs = await b.chain.batchTxs(bt.header.index);
    return formatBlock(
      bt,
      txs.map((t, i) => formatTx(decodeTx(t.tx), t.receipt.txHash, { block: bt, index: i, receipt: t.receipt }, depositFrom)),
    );
  }

  function callRequest(v: unknown): CallRequest {
    if (typeof v !== "object" || v === null) bad("transaction object expected");
    const o = v as Record<string, unknown>;
    const opt = (k: string) => (o[k] === undefined || o[k] === null ? undefined : quantity(o[k], k));
    const input = o.input ?? o.data;
    return {
      from: o.from ? addressArg(o.from, "from") : "0x" + "00".repeat(20),
      to: o.to ? addressArg(o.to, "to") : undefined,
      gas: opt("gas"),
      gasPrice: opt("gasPrice"),
      maxFeePerGas: opt("maxFeePerGas"),
      maxPriorityFeePerGas: opt("maxPriorityFeePerGas"),
      value: opt("value") ?? 0n,
      data: input === undefined || input === null ? new Uint8Array(0) : dataArg(input, "input"),
      ...(o.accessList !== undefined && o.accessList !== null ? { accessList: accessListArg(o.accessList) } : {}),
    };
  }

  function accessListArg(v: unknown): { address: string; storageKeys: string[] }[] {
    if (!Array.isArray(v)) bad("accessList must be an array");
    return (v as unknown[]).map((e, i) => {
      const o = objectArg(e, `accessList[${i}]`);
      const keys = o.storageKeys ?? [];
      if (!Array.isArray(keys)) bad(`accessList[${i}].storageKeys must be an array`);
      return { address: addressArg(o.address, `accessList[${i}].address`), storageKeys: (keys as unknown[]).map((k) => hashArg(k, `accessList[${i}] storage key`)) };
    });
  }

  /** The gas of a call: as asked, or the cap if none or more is asked (geth caps, it does not refuse). */
  const callGas = (asked: bigint | undefined) => {
    const cap = b.gasCap < L2_BLOCK_GAS_LIMIT ? b.gasCap : L2_BLOCK_GAS_LIMIT;
    return asked === undefined || asked === 0n ? cap : asked > b.gasCap ? b.gasCap : asked;
  };

  /** Runs a job in the call pool (off the event loop, with the node's time limit). */
  async function runInPool(job: Job, at: StateAt | undefined): Promise<CallResult> {
    try {
      return await b.calls.run(job, at?.source ?? NO_STATE);
    } catch (e) {
      if (!(e instanceof CallPoolError)) throw e;
      throw new RpcError(e.code === "timeout" ? SERVER_ERROR : e.code === "busy" ? LIMIT_EXCEEDED : INTERNAL_ERROR, e.message);
    }
  }

  /** The state and environment a call at block parameter `tag` runs in, with the request's state overrides. */
  async function callAt(tag: unknown, req: CallRequest, overrides: unknown, defaultPending = false): Promise<{ at: StateAt; env: CallJob["env"] }> {
    const at = await view.stateAt(tag, defaultPending);
    const feeGiven = req.gasPrice !== undefined || req.maxFeePerGas !== undefined;
    const env = at.block === undefined ? view.nextEnv(feeGiven ? await nextBaseFee() : 0n) : await view.blockEnv(at.block, feeGiven);
    return { at: { ...at, source: withOverrides(at.source, overrides) }, env };
  }

  /** Runs a call or an estimate as a job. */
  async function runJob(op: "call" | "estimate", req: CallRequest, tag: unknown, overrides: unknown): Promise<CallResult & { type: "return" | "gas" }> {
    const { at, env } = await callAt(tag, req, overrides, op === "estimate");
    const r = await runInPool({ op, req, env, gas: callGas(req.gas) }, at);
    switch (r.type) {
      case "return":
      case "gas":
        return r;
      case "revert":
        throw revertError(r.data, "revert");
      case "failed":
        throw new RpcError(SERVER_ERROR, r.message);
      case "invalid":
        throw new RpcError(SERVER_ERROR, submitMessage(new InvalidTxError(r.kind, r.code, r.message, undefined, r.detail)), { kind: r.kind, reason: r.code });
      case "trace":
      case "access-list":
        throw new Error(`a call job answered with ${r.type}`);
    }
  }

  function revertError(ret: Uint8Array, error?: string): RpcError {
    if (error !== "revert") return new RpcError(SERVER_ERROR, `execution failed: ${error ?? "unknown error"}`);
    let reason = "";
    const hex = bytesToHex(ret);
    if (hex.startsWith("0x08c379a0")) {
      try {
        reason = ": " + AbiCoder.defaultAbiCoder().decode(["string"], "0x" + hex.slice(10))[0];
      } catch {
        // not a well-formed Error(string)
      }
    }
    return new RpcError(3, `execution reverted${reason}`, hex);
  }

  /** Submissions in progress, by client (protocol.md §12.4). */
  const submitting = new Map<string, number>();
  const perClient = b.submitsPerClient ?? DEFAULT_RPC.submitsPerClient;

  async function submit(tx: Tx, ctx: RequestContext): Promise<string> {
    if (!b.coordinator) throw new RpcError(SERVER_ERROR, "this node does not accept transactions (no coordinator)");
    // INVARIANT: without the operator's opt-in, no transaction that can be replayed from another chain is accepted.
    if (tx.type === TxType.Wrapped && !b.allowUnprotectedTxs && isUnprotectedRaw(tx.raw, chainId)) throw new RpcError(SERVER_ERROR, UNPROTECTED_MESSAGE, { reason: "unprotected" });
    const n = submitting.get(ctx.client) ?? 0;
    // INVARIANT: one client never has more than `perClient` transactions being filled or waiting for it.
    if (n >= perClient) throw new RpcError(LIMIT_EXCEEDED, `too many transactions in progress from this client (${n}): wait for their answers`, { reason: "client-limit" });
    submitting.set(ctx.client, n + 1);
    try {
      return await b.coordinator.submit(tx);
    } catch (e) {
      if (e instanceof SubmitError) throw new RpcError(e.reason === "busy" ? LIMIT_EXCEEDED : SERVER_ERROR, e.message, { kind: e.kind, reason: e.reason, moveIndex: e.moveIndex });
      throw e;
    } finally {
      const left = (submitting.get(ctx.client) ?? 1) - 1;
      if (left > 0) submitting.set(ctx.client, left);
      else submitting.delete(ctx.client);
    }
  }

  async function txJson(hash: string): Promise<Record<string, unknown> | null> {
    const loc = await b.chain.txLocation(hash);
    if (loc) {
      const [bt, t] = await Promise.all([b.chain.batch(loc.index), b.chain.txAt(loc.index, loc.txIndex)]);
      if (bt && t) return formatTx(decodeTx(t.tx), hash, { block: bt, index: loc.txIndex, receipt: t.receipt }, depositFrom);
    }
    const p = await b.coordinator?.pendingTx(hash);
    return p ? formatTx(p.tx, hash, undefined, depositFrom) : null;
  }

  function batchStatus(bt: StoredBatch): { status: string; verdict: string; fault?: unknown } {
    const v = b.verifier?.verdictOf(bt.hash);
    const now = finalityNow();
    const final = bt.l1?.postedAt !== undefined && batchIsFinal(bt.header.index, bt.l1.postedAt, b.deployment.challengeWindow, now, b.l1HeldFrom?.());
    const status = v?.status === "invalid" ? "invalid" : final ? "final" : "pending";
    return { status, verdict: v ? v.status : b.verifier ? "unchecked" : "not verified", fault: v?.status === "invalid" ? v.fault : undefined };
  }

  const m: Methods = {
    web3_clientVersion: () => CLIENT_VERSION,
    web3_sha3: (p) => bytesToHex(keccak256(dataArg(arg(p, 0, "data"), "data"))),
    net_version: () => chainId.toString(),
    net_listening: () => true,
    net_peerCount: () => "0x0",
    eth_chainId: () => q(chainId),
    eth_syncing: () => false,
    eth_accounts: () => [],
    eth_coinbase: () => bytesToHex(b.feeRecipient),
    eth_mining: () => false,
    eth_hashrate: () => "0x0",
    eth_blockNumber: () => q(latestNumber()),
    eth_gasPrice: async () => q((await nextBaseFee()) + b.suggestedTip),
    eth_maxPriorityFeePerGas: () => q(b.suggestedTip),
    eth_blobBaseFee: () => "0x1",
    // A coordinator builds a block whenever it has transactions and never otherwise (a batch holds at
    // least one): as Hardhat's and Anvil's automine, a tool must not wait for later blocks to confirm
    // its own (Hardhat Ignition asks this to decide how many confirmations it waits for).
    ...(b.coordinator ? { hardhat_getAutomine: () => true } : {}),

    eth_getBalance: async (p) => {
      const a = addressArg(arg(p, 0, "address"), "address");
      return q(await readAt(await view.stateAt(arg(p, 1, "block", false)), Mark.Balance, a, 0n));
    },
    eth_getTransactionCount: async (p) => {
      const a = addressArg(arg(p, 0, "address"), "address");
      return q(await readAt(await view.stateAt(arg(p, 1, "block", false)), Mark.Nonce, a, 0n));
    },
    eth_getCode: async (p) => {
      const a = addressArg(arg(p, 0, "address"), "address");
      const at = await view.stateAt(arg(p, 1, "block", false));
      const h = await readAt(at, Mark.Code, a, 0n);
      if (h === 0n) return "0x";
      const code = await at.source.code("0x" + h.toString(16).padStart(64, "0"));
      if (!code) throw new RpcError(SERVER_ERROR, `code ${h.toString(16)} of ${a} is not known to this node`);
      return bytesToHex(code);
    },
    eth_getStorageAt: async (p) => {
      const a = addressArg(arg(p, 0, "address"), "address");
      const slot = quantity(arg(p, 1, "slot"), "slot");
      if (slot >= 1n << 256n) bad("slot exceeds 32 bytes");
      const v = await readAt(await view.stateAt(arg(p, 2, "block", false)), Mark.Storage, a, slot);
      return "0x" + v.toString(16).padStart(64, "0");
    },

    eth_call: async (p) => {
      const req = callRequest(arg(p, 0, "transaction"));
      const r = await runJob("call", req, arg(p, 1, "block", false), arg(p, 2, "state overrides", false));
      return bytesToHex(r.type === "return" ? r.data : new Uint8Array(0));
    },
    eth_estimateGas: async (p) => {
      const req = callRequest(arg(p, 0, "transaction"));
      const r = await runJob("estimate", req, arg(p, 1, "block", false), arg(p, 2, "state overrides", false));
      return q(r.type === "gas" ? r.gas : 0n);
    },

    // The L1 data fee a transaction would pay (protocol.md §6.6, §12.10): filled by the coordinator as if
    // submitted now, signed by nobody (a dummy signature of a real one's size), from `from`.
    moveset_estimateL1Fee: async (p) => {
      const c = b.coordinator;
      if (!c) throw new RpcError(SERVER_ERROR, "this node does not fill transactions (no coordinator key): ask the coordinator's RPC", { reason: "read-only" });
      const o = objectArg(arg(p, 0, "transaction"), "transaction");
      const req = callRequest(o);
      if (!o.from) bad("from is required: the fee depends on the sender's moves");
      const nonce = o.nonce === undefined || o.nonce === null ? await readAt(await view.stateAt("pending"), Mark.Nonce, req.from, 0n) : quantity(o.nonce, "nonce");
      let gas = req.gas;
      if (gas === undefined) {
        const r = await runJob("estimate", req, "pending", undefined);
        gas = r.type === "gas" ? r.gas : 21_000n;
      }
      const tip = req.maxPriorityFeePerGas ?? b.suggestedTip;
      const fields =
        req.gasPrice !== undefined
          ? { type: 0, gasPrice: req.gasPrice }
          : { type: 2, maxPriorityFeePerGas: tip, maxFeePerGas: req.maxFeePerGas ?? (await nextBaseFee()) * 2n + tip };
      const unsigned = Transaction.from({ chainId, nonce: Number(nonce), gasLimit: gas, to: req.to ?? null, value: req.value, data: bytesToHex(req.data), ...(req.accessList && fields.type === 2 ? { accessList: req.accessList } : {}), ...fields });
      unsigned.signature = Signature.from({ r: DUMMY_R, s: DUMMY_S, yParity: 1 });
      const tx: WrappedTx = { type: TxType.Wrapped, raw: hexToBytes(unsigned.serialized as `0x${string}`), moves: [], witness: [] };
      try {
        return l1ReceiptFields(await c.estimateL1(tx, hexToBytes(req.from as `0x${string}`)));
      } catch (e) {
        if (e instanceof SubmitError) throw new RpcError(SERVER_ERROR, e.message, { kind: e.kind, reason: e.reason });
        throw e;
      }
    },

    eth_createAccessList: async (p) => {
      const req = callRequest(arg(p, 0, "transaction"));
      const { at, env } = await callAt(arg(p, 1, "block", false), req, arg(p, 2, "state overrides", false), true);
      const r = await runInPool({ op: "access-list", req, env, gas: callGas(req.gas) }, at);
      if (r.type === "invalid") throw new RpcError(SERVER_ERROR, submitMessage(new InvalidTxError(r.kind, r.code, r.message, undefined, r.detail)), { kind: r.kind, reason: r.code });
      if (r.type === "failed") throw new RpcError(SERVER_ERROR, r.message);
      if (r.type !== "access-list") throw new Error(`an access-list job answered ${r.type}`);
      return { accessList: r.accessList, gasUsed: q(r.gasUsed), ...(r.error ? { error: r.error } : {}) };
    },

    eth_sendRawTransaction: async (p, ctx) => {
      const raw = dataArg(arg(p, 0, "data"), "data");
      if (raw.length === 0) bad("empty transaction");
      // geth's txpool words (types.Sender under the pool's signer).
      const named = namedChainId(raw);
      if (named !== undefined && named !== chainId) throw new RpcError(SERVER_ERROR, `invalid sender: ${wrongChainMessage(named, chainId)}`, { kind: "malformed", reason: "bad-ethereum-tx" });
      const tx: WrappedTx = { type: TxType.Wrapped, raw, moves: [], witness: [] };
      return submit(tx, ctx);
    },
    moveset_sendMoveTransaction: async (p, ctx) => {
      const bytes = dataArg(arg(p, 0, "data"), "data");
      let tx: Tx;
      try {
        tx = decodeTx(bytes);
      } catch (e) {
        if (e instanceof DecodeError) throw new RpcError(SERVER_ERROR, submitMessage(e), { kind: "malformed", reason: e.code });
        throw e;
      }
      if (tx.type === TxType.Deposit) throw new RpcError(SERVER_ERROR, "deposits come from the L1 bridge", { kind: "malformed", reason: "deposit-via-rpc" });
      // The same refusal as eth_sendRawTransaction's for a wrapped transaction signed for another chain.
      const named = tx.type === TxType.Wrapped ? namedChainId(tx.raw) : undefined;
      if (named !== undefined && named !== chainId) throw new RpcError(SERVER_ERROR, `invalid sender: ${wrongChainMessage(named, chainId)}`, { kind: "malformed", reason: "bad-ethereum-tx" });
      return submit(tx, ctx);
    },

    eth_getTransactionByHash: async (p) => txJson(hashArg(arg(p, 0, "hash"), "hash")),
    eth_getTransactionReceipt: async (p) => {
      const loc = await b.chain.txLocation(hashArg(arg(p, 0, "hash"), "hash"));
      if (!loc) return null;
      const [bt, t] = await Promise.all([b.chain.batch(loc.index), b.chain.txAt(loc.index, loc.txIndex)]);
      return bt && t ? formatReceipt(t.receipt, bt, loc.txIndex, depositFrom) : null;
    },
    eth_getBlockReceipts: async (p) => {
      const tag = arg(p, 0, "block");
      const n = typeof tag === "string" && tag.length === 66 ? await view.numberOfHash(hashArg(tag, "block hash")) : await blockNumberOf(tag);
      if (n === undefined) return null;
      if (n === 0n) return [];
      const bt = await batchOf(n);
      if (!bt) return null;
      return (await b.chain.batchTxs(bt.header.index)).map((t, i) => formatReceipt(t.receipt, bt, i, depositFrom));
    },
    eth_getBlockByNumber: async (p) => blockJson(await blockNumberOf(arg(p, 0, "block")), boolArg(arg(p, 1, "full", false), "full")),
    eth_getBlockByHash: async (p) => {
      const h = hashArg(arg(p, 0, "hash"), "hash");
      const full = boolArg(arg(p, 1, "full", false), "full");
      if (h === ZERO_HASH) return blockJson(0n, full);
      const i = await b.chain.indexOfHash(h);
      return i === undefined ? null : blockJson(i + 1n, full);
    },
    eth_getBlockTransactionCountByNumber: async (p) => {
      const n = await blockNumberOf(arg(p, 0, "block"));
      if (n === undefined) return null;
      return q(n === 0n ? 0n : ((await batchOf(n))?.header.txCount ?? 0n));
    },
    eth_getBlockTransactionCountByHash: async (p) => {
      const h = hashArg(arg(p, 0, "hash"), "hash");
      const i = await b.chain.indexOfHash(h);
      return i === undefined ? null : q((await b.chain.batch(i))!.header.txCount);
    },
    eth_getTransactionByBlockNumberAndIndex: async (p) => {
      const n = await blockNumberOf(arg(p, 0, "block"));
      const i = Number(quantity(arg(p, 1, "index"), "index"));
      if (n === undefined || n === 0n) return null;
      const bt = await batchOf(n);
      const t = bt ? await b.chain.txAt(bt.header.index, i) : undefined;
      return bt && t ? formatTx(decodeTx(t.tx), t.receipt.txHash, { block: bt, index: i, receipt: t.receipt }, depositFrom) : null;
    },
    eth_getTransactionByBlockHashAndIndex: async (p) => {
      const idx = await b.chain.indexOfHash(hashArg(arg(p, 0, "hash"), "hash"));
      const i = Number(quantity(arg(p, 1, "index"), "index"));
      if (idx === undefined) return null;
      const bt = await b.chain.batch(idx);
      const t = await b.chain.txAt(idx, i);
      return bt && t ? formatTx(decodeTx(t.tx), t.receipt.txHash, { block: bt, index: i, receipt: t.receipt }, depositFrom) : null;
    },
    eth_getUncleCountByBlockNumber: () => "0x0",
    eth_getUncleCountByBlockHash: () => "0x0",
    eth_getUncleByBlockNumberAndIndex: () => null,
    eth_getUncleByBlockHashAndIndex: () => null,

    eth_getLogs: async (p) => {
      const f = arg(p, 0, "filter");
      if (typeof f !== "object" || f === null) bad("filter object expected");
      const o = f as Record<string, unknown>;
      let from: bigint;
      let to: bigint;
      if (o.blockHash !== undefined) {
        if (o.fromBlock !== undefined || o.toBlock !== undefined) bad("blockHash excludes fromBlock/toBlock");
        const h = hashArg(o.blockHash, "blockHash");
        const i = h === ZERO_HASH ? -1n : await b.chain.indexOfHash(h);
        if (i === undefined) throw new RpcError(SERVER_ERROR, `block ${h} not found`);
        from = to = i + 1n;
      } else {
        // A number beyond the chain stands as given for the range check, then stops at the chain's end.
        const num = async (t: unknown) => (typeof t === "string" && t.startsWith("0x") ? quantity(t, "block number") : ((await blockNumberOf(t ?? "latest")) ?? latestNumber()));
        const [f, t] = [await num(o.fromBlock), await num(o.toBlock)];
        // geth: a range that ends before it starts is an error, not an empty answer.
        if (f > t) throw new RpcError(SERVER_ERROR, "invalid block range params");
        from = f;
        to = t > latestNumber() ? latestNumber() : t;
      }
      if (to - from + 1n > BigInt(b.maxLogRange)) throw new RpcError(SERVER_ERROR, `block range too large (at most ${b.maxLogRange} blocks)`);
      return rangeLogs(b.chain, from, to, logCriteria(o));
    },

    eth_feeHistory: async (p) => {
      const count = Number(quantity(arg(p, 0, "blockCount"), "blockCount"));
      if (count < 1 || count > 1024) bad("blockCount must be 1..1024");
      const newest = await blockNumberOf(arg(p, 1, "newestBlock"));
      if (newest === undefined) throw new RpcError(SERVER_ERROR, "newest block not found");
      const pct = arg(p, 2, "rewardPercentiles", false) as number[] | undefined;
      if (pct !== undefined && (!Array.isArray(pct) || pct.some((x, i) => typeof x !== "number" || x < 0 || x > 100 || (i > 0 && x < pct[i - 1])))) bad("rewardPercentiles must be increasing numbers in 0..100");
      const oldest = newest - BigInt(count) + 1n < 0n ? 0n : newest - BigInt(count) + 1n;
      const baseFees: string[] = [];
      const ratios: number[] = [];
      const rewards: string[][] = [];
      for (let n = oldest; n <= newest; n++) {
        const bt = await batchOf(n);
        baseFees.push(q(bt?.header.baseFee ?? b.deployment.minBaseFee));
        ratios.push(bt ? Number(bt.gasUsed) / Number(L2_BLOCK_GAS_LIMIT) : 0);
        if (pct) {
          const txs = bt ? await b.chain.batchTxs(bt.header.index) : [];
          const tips = txs
            .filter((t) => t.receipt.gasUsed > 0n)
            .map((t) => ({ tip: t.receipt.effectiveGasPrice - (bt!.header.baseFee < t.receipt.effectiveGasPrice ? bt!.header.baseFee : t.receipt.effectiveGasPrice), gas: t.receipt.gasUsed }))
            .sort((a, c) => (a.tip < c.tip ? -1 : a.tip > c.tip ? 1 : 0));
          const total = tips.reduce((s, t) => s + t.gas, 0n);
          rewards.push(
            pct.map((x) => {
              if (tips.length === 0) return "0x0";
              const threshold = (total * BigInt(Math.round(x * 100))) / 10000n;
              let acc = 0n;
              for (const t of tips) {
                acc += t.gas;
                if (acc >= threshold) return q(t.tip);
              }
              return q(tips[tips.length - 1].tip);
            }),
          );
        }
      }
      // The base fee after the newest block: the rule of §7.5 (the next block's, if `newest` is the latest).
      const nb = newest >= 1n ? await batchOf(newest) : undefined;
      baseFees.push(q(requiredBaseFee(nb ? { baseFee: nb.header.baseFee, gas: nb.gasDeclared } : undefined, b.deployment.minBaseFee)));
      return { oldestBlock: q(oldest), baseFeePerGas: baseFees, gasUsedRatio: ratios, ...(pct ? { reward: rewards } : {}) };
    },

    // ---- moveset ------------------------------------------------------------------------------------

    moveset_getMoves: async (p) => {
      const h = hashArg(arg(p, 0, "hash"), "hash");
      const loc = await b.chain.txLocation(h);
      if (loc) {
        const bt = (await b.chain.batch(loc.index))!;
        const t = (await b.chain.txAt(loc.index, loc.txIndex))!;
        const tx = decodeTx(t.tx);
        return {
          hash: h,
          seq: q(bt.header.firstSeq + BigInt(loc.txIndex)),
          blockNumber: q(loc.index + 1n),
          transactionIndex: q(loc.txIndex),
          type: tx.type,
          moves: tx.moves.map(formatMove),
          witness: tx.type === TxType.Deposit ? [] : tx.witness.map((c) => bytesToHex(codeHash(c))),
          encoded: bytesToHex(t.tx),
        };
      }
      const pend = await b.coordinator?.pendingTx(h);
      if (pend) return { hash: h, seq: null, pending: true, type: pend.tx.type, moves: pend.tx.moves.map(formatMove), witness: [] };
      return null;
    },
    /**
     * Transaction `txIndex` of batch `index` as the step machine needs it: its encoding, its batch
     * header, its seq and the code it may take from earlier witnesses (protocol.md §6.2).
     */
    moveset_getTransactionData: async (p) => {
      const index = quantity(arg(p, 0, "batch index"), "batch index");
      const txIndex = Number(quantity(arg(p, 1, "transaction index"), "transaction index"));
      const bt = await b.chain.batch(index);
      if (!bt || txIndex >= Number(bt.header.txCount)) return null;
      const t = (await b.chain.txAt(index, txIndex))!;
      const tx = decodeTx(t.tx);
      const seq = bt.header.firstSeq + BigInt(txIndex);
      const codes: { hash: string; seq: string; code: string }[] = [];
      if (tx.type !== TxType.Deposit)
        for (const m of tx.moves)
          if (m.mark === Mark.Code)
            for (const v of [m.prev, m.next]) {
              const h = "0x" + v.toString(16).padStart(64, "0");
              const at = b.chain.codeSeq(h);
              if (v === 0n || at === undefined || at >= seq || codes.some((c) => c.hash === h)) continue;
              const code = await b.chain.code(h);
              if (code) codes.push({ hash: h, seq: q(at), code: bytesToHex(code) });
            }
      const { headerToJson } = await import("../l1/contracts");
      return { batch: q(index), txIndex, seq: q(seq), chainId: q(chainId), header: headerToJson(bt.header), encoded: bytesToHex(t.tx), codes };
    },
    moveset_getWithdrawalProof: async (p) => {
      const h = hashArg(arg(p, 0, "hash"), "hash");
      const loc = await b.chain.txLocation(h);
      if (!loc) return null;
      const bt = (await b.chain.batch(loc.index))!;
      const txs = await b.chain.batchTxs(loc.index);
      const tx = decodeTx(txs[loc.txIndex].tx);
      const seq = bt.header.firstSeq + BigInt(loc.txIndex);
      const w = tx.moves.find((mv) => mv.mark === Mark.Withdrawal && !mv.ref && mv.slot === seq);
      const { headerToJson } = await import("../l1/contracts");
      const st = batchStatus(bt);
      return {
        batchIndex: q(loc.index),
        txIndex: q(loc.txIndex),
        seq: q(seq),
        header: headerToJson(bt.header),
        gas: q(declaredGas(tx)),
        // The item as posted (protocol.md §7.7: Bridge.claimWithdrawal expands a compressed one), and leaves of items.
        tx: bytesToHex(postedItem(txs[loc.txIndex])),
        // A stored batch is valid: each transaction declared its gas limit (protocol.md §7.3).
        proof: merkleProof(
          txs.map((t) => leafHash(declaredGas(decodeTx(t.tx)), postedItem(t))),
          loc.txIndex,
        ).map((x) => bytesToHex(x)),
        recipient: w ? bytesToHex(w.addr) : null,
        amount: q(w?.next ?? 0n),
        status: st.status,
        finalAt: bt.l1?.postedAt !== undefined ? Number(bt.l1.postedAt + b.deployment.challengeWindow) : null,
      };
    },
    moveset_getWithdrawals: async (p) => {
      const addr = addressArg(arg(p, 0, "address"), "address");
      const limitArg = arg(p, 1, "limit", false);
      const limit = limitArg === undefined ? 256 : Number(quantity(limitArg, "limit"));
      if (limit < 1 || limit > 4096) bad("limit must be 1..4096");
      const rows: Record<string, unknown>[] = [];
      for (const w of (await b.chain.withdrawals(addr, limit)).reverse()) {
        const [bt, t] = await Promise.all([b.chain.batch(w.index), b.chain.txAt(w.index, w.txIndex)]);
        if (!bt || !t) continue;
        rows.push({
          hash: t.receipt.txHash,
          seq: q(w.seq),
          amount: q(t.receipt.withdrawal),
          state: "posted",
          blockNumber: q(w.index + 1n),
          batchIndex: q(w.index),
          txIndex: q(w.txIndex),
          headerHash: bt.hash,
          postedAt: bt.l1?.postedAt !== undefined ? Number(bt.l1.postedAt) : null,
          finalAt: bt.l1?.postedAt !== undefined ? Number(bt.l1.postedAt + b.deployment.challengeWindow) : null,
          ...batchStatus(bt),
        });
      }
      for (const w of b.coordinator?.pendingWithdrawals(addr) ?? [])
        rows.push({ hash: w.id, seq: q(w.seq), amount: q(w.amount), state: w.inflight ? "posting" : "pending", blockNumber: null, batchIndex: null, txIndex: null, headerHash: null, postedAt: null, finalAt: null });
      return { address: addr, withdrawals: rows };
    },
    moveset_getOutpoint: async (p) => {
      const seq = quantity(arg(p, 0, "seq"), "seq");
      const mark = markArg(arg(p, 1, "mark"));
      const addr = addressArg(arg(p, 2, "address"), "address");
      const slotArg = arg(p, 3, "slot", false);
      const slot = slotArg === undefined ? 0n : quantity(slotArg, "slot");
      const key = { mark, addr: hexToBytes(addr as `0x${string}`), slot };
      const store = b.utxo.store;
      const [value, spentBy] = await Promise.all([store.get(seq, key), store.spentBy(seq, key)]);
      const base = { seq: q(seq), mark: String.fromCharCode(mark), address: addr, slot: q(slot) };
      if (spentBy !== undefined) return { ...base, state: "spent", spentBy: q(spentBy) };
      if (value !== undefined) return { ...base, state: "unspent", value: q(value) };
      return { ...base, state: "none" };
    },
    moveset_getFeeOutputs: async (p) => {
      const addr = addressArg(arg(p, 0, "address"), "address");
      const limitArg = arg(p, 1, "limit", false);
      const limit = limitArg === undefined ? 256 : Number(quantity(limitArg, "limit"));
      if (limit < 1 || limit > 4096) bad("limit must be 1..4096");
      const at = await view.stateAt(arg(p, 2, "block", false));
      // Fee outputs are an index of the latest state (what a transaction may sweep now).
      if (!at.layers) throw new RpcError(SERVER_ERROR, "fee outputs are known at the latest block and pending only");
      const outs = await feeOutputsOf(b.cache, at.layers, addr, limit);
      return { address: addr, outputs: outs.map((o) => ({ seq: q(o.seq), value: q(o.value) })), total: q(outs.reduce((t, o) => t + o.value, 0n)) };
    },
    moveset_getLatest: async (p) => {
      const mark = markArg(arg(p, 0, "mark"));
      const addr = addressArg(arg(p, 1, "address"), "address");
      const slotArg = arg(p, 2, "slot", false);
      const slot = slotArg === undefined ? 0n : quantity(slotArg, "slot");
      const v = await b.cache.get(mark, addr, slot);
      return { key: keyIdOf(addr, mark, slot), seq: q(v.seq), value: q(v.value) };
    },
    moveset_getBatch: async (p) => {
      const x = arg(p, 0, "index or hash");
      let idx: bigint | undefined;
      if (typeof x === "string" && /^0x[0-9a-fA-F]{64}$/.test(x)) idx = await b.chain.indexOfHash(x.toLowerCase());
      else idx = quantity(x, "index");
      const bt = idx === undefined ? undefined : await b.chain.batch(idx);
      if (!bt) return null;
      const { headerToJson } = await import("../l1/contracts");
      return {
        index: q(bt.header.index),
        hash: bt.hash,
        blockNumber: q(bt.header.index + 1n),
        header: headerToJson(bt.header),
        txCount: q(bt.header.txCount),
        transactions: bt.txHashes,
        l1: bt.l1 ? { txHash: bt.l1.txHash, blockNumber: bt.l1.blockNumber, poster: bt.l1.poster, postedAt: bt.l1.postedAt !== undefined ? Number(bt.l1.postedAt) : null } : null,
        ...batchStatus(bt),
      };
    },
    moveset_batches: async (p) => {
      const fromArg = arg(p, 0, "from", false);
      const countArg = arg(p, 1, "count", false);
      const count = countArg === undefined ? 100 : Number(quantity(countArg, "count"));
      if (b.verifier) {
        const all = b.verifier.batches();
        const from = fromArg === undefined ? (all.length > count ? all[all.length - count].index : 0n) : quantity(fromArg, "from");
        return all.filter((x) => x.index >= from).slice(0, count).map((x) => Verifier.viewJson(x));
      }
      const last = b.chain.tip()?.index ?? -1n;
      const from = fromArg === undefined ? (last - BigInt(count) + 1n < 0n ? 0n : last - BigInt(count) + 1n) : quantity(fromArg, "from");
      const out: Record<string, unknown>[] = [];
      for (let i = from; i <= last && out.length < count; i++) {
        const bt = await b.chain.batch(i);
        if (!bt) continue;
        const s = batchStatus(bt);
        out.push({ index: Number(i), hash: bt.hash, txCount: Number(bt.header.txCount), ...s, poster: bt.l1?.poster, l1Block: bt.l1?.blockNumber, l1Tx: bt.l1?.txHash, postedAt: bt.l1?.postedAt !== undefined ? Number(bt.l1.postedAt) : undefined });
      }
      return out;
    },
    ...(b.filters?.methods() ?? {}),
    // Subscriptions need a connection that stays open: the WebSocket endpoint (node/rpc/ws.ts) serves them.
    eth_subscribe: () => {
      throw new RpcError(METHOD_NOT_FOUND, "notifications not supported");
    },
    eth_unsubscribe: () => {
      throw new RpcError(METHOD_NOT_FOUND, "notifications not supported");
    },
    ...debugMethods({ view, run: runInPool, callRequest, callGas, callAt, depositFrom, timeoutMs: b.callTimeoutMs ?? DEFAULT_RPC.evmTimeoutMs }),

    moveset_games: async () =>
      [...(b.l1Games?.() ?? new Map<bigint, GameRecord>()).values()].map((g) => ({
        game: Number(g.created.gameId),
        batch: Number(g.created.batchIndex),
        tx: g.created.txIndex,
        headerHash: g.created.headerHash,
        status: gameStatusName(g.ended?.status),
        moves: g.claims,
        challenger: g.created.challenger,
        winner: g.ended && g.ended.status === 2 ? g.ended.winner : null,
        rolledBack: g.ended ? g.ended.rolledBack : null,
      })),
    moveset_status: async () => ({
      l2ChainId: Number(chainId),
      l1ChainId: Number(b.deployment.l1ChainId),
      inbox: b.deployment.inbox,
      bridge: b.deployment.bridge,
      challengeWindow: Number(b.deployment.challengeWindow),
      blockNumber: Number(latestNumber()),
      mempool: b.coordinator?.mempoolSize ?? null,
      coordinator: b.coordinator ? { address: b.coordinator.address, halted: b.coordinator.haltedAt ? { index: Number(b.coordinator.haltedAt.index), reason: b.coordinator.haltedAt.reason } : null } : null,
      verifier: b.verifier ? { l1Block: b.verifier.cursorBlock } : null,
    }),
  };
  return m;
}
