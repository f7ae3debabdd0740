/**
 * What the RPC methods share about blocks and state: block tags to numbers (a batch is block
 * index + 1, block 0 is genesis), the state at a block (the latest index with the pending overlays,
 * or a past block's from the version index), a block's environment for calls, and the next base fee.
 */
import { hexToBytes } from "../../core/bytes";
import { requiredBaseFee } from "../../core/gas";
import { L2_BLOCK_GAS_LIMIT, type BlockEnv } from "../../core/evm/chain";
import type { StateSource } from "../../core/evm/state";
import type { ChainStore, StoredBatch } from "../state/chain-store";
import type { Deployment } from "../config";
import type { Coordinator } from "../coordinator/coordinator";
import type { UtxoHandle } from "../state/utxo-handle";
import { historicalSource, storeSource, type LatestCache, type Overlay } from "../state/view";
import { HistoryUnavailableError } from "../state/utxo-store";
import { ZERO_HASH } from "./format";
import { hashArg, quantity } from "./params";
import { RpcError, SERVER_ERROR } from "./server";

export interface ChainViewDeps {
  deployment: Deployment;
  chain: ChainStore;
  cache: LatestCache;
  utxo: UtxoHandle;
  coordinator?: Coordinator;
  feeRecipient: Uint8Array;
  /** The newest L1 time known (seconds). */
  l1Time?: () => bigint | undefined;
  /** The verifier, whose L1 time decides finality when there is one. */
  verifier?: { latestL1Time: bigint };
}

/** The state a method reads: a source, and the block it belongs to (undefined: the latest index, or pending). */
export interface StateAt {
  source: StateSource;
  /** The block whose end state this is, when it is not the latest index. */
  block?: bigint;
  /** The overlays over the latest index (latest: none; pending: the batch in flight and the mempool). */
  layers?: Overlay[];
}

export class ChainView {
  constructor(readonly d: ChainViewDeps) {}

  latestNumber(): bigint {
    const t = this.d.chain.tip();
    return t ? t.index + 1n : 0n;
  }

  now(): bigint {
    return this.d.l1Time?.() ?? BigInt(Math.floor(Date.now() / 1000));
  }

  /** Batch record of block `n` (n ≥ 1). */
  batchOf(n: bigint): Promise<StoredBatch | undefined> {
    return n >= 1n ? this.d.chain.batch(n - 1n) : Promise.resolve(undefined);
  }

  /** The base fee of the next block (protocol.md §7.5): L1's rule on the latest batch. */
  async nextBaseFee(): Promise<bigint> {
    const tip = this.d.chain.tip();
    const bt = tip ? await this.d.chain.batch(tip.index) : undefined;
    return requiredBaseFee(bt ? { baseFee: bt.header.baseFee, gas: bt.gasDeclared } : undefined, this.d.deployment.minBaseFee);
  }

  /**
   * "Now" for finality: L1's latest block time as the verifier last read it (what Inbox.isFinal sees,
   * and what moveset_batches uses), else the node's L1 clock. One clock, so that every method agrees.
   */
  finalityNow(): bigint {
    const v = this.d.verifier;
    return (v && v.latestL1Time > 0n ? v.latestL1Time : this.d.l1Time?.()) ?? BigInt(Math.floor(Date.now() / 1000));
  }

  async finalizedNumber(): Promise<bigint> {
    const now = this.finalityNow();
    for (let n = this.latestNumber(); n >= 1n; n--) {
      const bt = await this.batchOf(n);
      if (bt?.l1?.postedAt !== undefined && bt.l1.postedAt + this.d.deployment.challengeWindow <= now) return n;
    }
    return 0n;
  }

  /** A block tag (or EIP-1898 object) to its number: undefined if beyond the chain. */
  async blockNumberOf(tag: unknown): Promise<bigint | undefined> {
    if (tag === undefined || tag === "latest" || tag === "pending" || tag === "safe") return this.latestNumber();
    if (tag === "earliest") return 0n;
    if (tag === "finalized") return this.finalizedNumber();
    if (typeof tag === "object" && tag !== null) {
      const o = tag as Record<string, unknown>;
      if (o.blockHash !== undefined) {
        const n = await this.numberOfHash(hashArg(o.blockHash, "blockHash"));
        if (n === undefined) throw new RpcError(SERVER_ERROR, `block ${String(o.blockHash).toLowerCase()} not found`);
        return n;
      }
      if (o.blockNumber !== undefined) return this.blockNumberOf(o.blockNumber);
    }
    const n = quantity(tag, "block tag");
    return n > this.latestNumber() ? undefined : n;
  }

  /** The number of the block with hash `h` (genesis: ZERO_HASH), if this chain has it. */
  async numberOfHash(h: string): Promise<bigint | undefined> {
    if (h === ZERO_HASH) return 0n;
    const i = await this.d.chain.indexOfHash(h);
    return i === undefined ? undefined : i + 1n;
  }

  /** The last seq of block `n` (0 for genesis). */
  async lastSeqOf(n: bigint): Promise<bigint> {
    if (n === 0n) return 0n;
    const bt = await this.batchOf(n);
    if (!bt) throw new RpcError(SERVER_ERROR, "header not found");
    return bt.header.firstSeq + bt.header.txCount - 1n;
  }

  /**
   * The state for a state method's block parameter: "pending" (or nothing, where pending is the
   * default) the latest index with the batch in flight and the mempool; "latest", "safe" or the
   * latest block's number/hash the latest index; any older block its end state from the version
   * index.
   */
  async stateAt(tag: unknown, defaultPending = false): Promise<StateAt> {
    if (tag === "pending" || (tag === undefined && defaultPending)) {
      const layers = this.d.coordinator?.pendingLayers() ?? [];
      return { source: storeSource(this.d.cache, layers), layers };
    }
    if (tag === undefined || tag === "latest" || tag === "safe") return { source: storeSource(this.d.cache, []), layers: [] };
    const n = await this.blockNumberOf(tag);
    if (n === undefined) throw new RpcError(SERVER_ERROR, "header not found");
    if (n === this.latestNumber()) return { source: storeSource(this.d.cache, []), layers: [] };
    return { source: this.historical(await this.lastSeqOf(n)), block: n };
  }

  /** The end state of the transaction with seq `lastSeq` (a state before a block's transaction, for traces). */
  historical(lastSeq: bigint): StateSource {
    const src = historicalSource(this.d.utxo, this.d.chain, lastSeq);
    const read: StateSource["read"] = (id, mark, addr, slot) =>
      (src.read(id, mark, addr, slot) as Promise<bigint>).catch((e) => {
        throw historyError(e);
      });
    return { read, code: src.code };
  }

  /** The environment of block `n` (≥ 1, or 0 for genesis) as a call at it runs; the base fee 0 unless `withBaseFee`. */
  async blockEnv(n: bigint, withBaseFee: boolean): Promise<BlockEnv> {
    const chainId = this.d.deployment.l2ChainId;
    if (n === 0n)
      return { chainId, number: 0n, timestamp: 0n, coinbase: this.d.feeRecipient, baseFee: withBaseFee ? this.d.deployment.minBaseFee : 0n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: new Uint8Array(32), excessBlobGas: 0n };
    const bt = await this.batchOf(n);
    if (!bt) throw new RpcError(SERVER_ERROR, "header not found");
    const h = bt.header;
    return { chainId, number: h.number, timestamp: h.timestamp, coinbase: h.feeRecipient, baseFee: withBaseFee ? h.baseFee : 0n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: h.parent, excessBlobGas: 0n };
  }

  /** The environment of the next block (calls at latest or pending). */
  nextEnv(baseFee: bigint): BlockEnv {
    const tip = this.d.chain.tip();
    return {
      chainId: this.d.deployment.l2ChainId,
      number: this.latestNumber() + 1n,
      timestamp: this.now(),
      coinbase: this.d.feeRecipient,
      baseFee,
      gasLimit: L2_BLOCK_GAS_LIMIT,
      prevRandao: hexToBytes((tip?.hash ?? ZERO_HASH) as `0x${string}`),
      excessBlobGas: 0n,
    };
  }
}

/** A failure to read past state, as the RPC answers it. */
export function historyError(e: unknown): unknown {
  if (e instanceof HistoryUnavailableError) return new RpcError(SERVER_ERROR, `missing trie node: ${e.message}`);
  if (e instanceof RangeError) return new RpcError(SERVER_ERROR, `state not yet indexed: ${e.message}`);
  return e;
}
