/**
 * State views over the node's stores, for move filling (core fillMoves) and for eth_call.
 *
 * The latest index lives in LevelDB (LevelUtxoStore.latest), which answers asynchronously, while
 * core's StateView (core/fill.ts) is synchronous. `LatestCache` keeps the versions the node has
 * read, and is updated by every batch the node applies, so it never goes stale. `fillFromStore`
 * runs fillMoves against a `LayeredView` that answers from overlays and the cache; a key or code
 * it does not have yet is recorded as a miss (and read as zero / absent); after the run the misses
 * are loaded and the fill is repeated, until a run has no miss. Only a run that read nothing but
 * real values is returned, so the result is exactly what a synchronous view would give. (Core
 * change that would make this loop unnecessary: let StateView.latest/code return a Promise, as
 * StateSource.read/code already may; see the report.)
 *
 * Overlays hold versions not yet in the store: the batch being built (so its transactions see each
 * other's writes), the batch being posted, and the mempool's simulated effects ("pending").
 */
import { bytesToHex, hexToBytes } from "../../core/bytes";
import { Mark, keyIdOf, type Key } from "../../core/keys";
import type { Move } from "../../core/moves";
import { TxType, codeHash, type Tx } from "../../core/tx";
import { fillMoves, type Filled, type FillOptions, type StateView } from "../../core/fill";
import type { StateSource } from "../../core/evm/state";
import type { Executor } from "../../core/evm/execute";
import type { TxContext } from "../../core/context";
import type { UtxoHandle } from "./utxo-handle";
import type { ChainStore } from "./chain-store";

export interface Version {
  seq: bigint;
  value: bigint;
}

const ZERO: Version = { seq: 0n, value: 0n }; // a key never written

/** Versions (and code) written by transactions that are not in the store yet. */
export class Overlay {
  readonly values = new Map<string, Version>();
  readonly codes = new Map<string, Uint8Array>();
  /** Fee keys written, by recipient: slot → the output's value (0 once swept). */
  readonly fees = new Map<string, Map<bigint, bigint>>();

  /** Records the moves of transaction `seq` (consuming moves create versions) and its witness. */
  apply(seq: bigint, tx: Tx): void {
    for (const m of tx.moves as Move[]) {
      if (m.ref) continue;
      const a = bytesToHex(m.addr);
      this.values.set(keyIdOf(a, m.mark, m.slot), { seq, value: m.next });
      if (m.mark === Mark.Fee) {
        let f = this.fees.get(a);
        if (!f) this.fees.set(a, (f = new Map()));
        f.set(m.slot, m.slot === seq ? m.next : 0n);
      }
    }
    if (tx.type !== TxType.Deposit) for (const c of tx.witness) this.codes.set(bytesToHex(codeHash(c)), c);
  }

  clear(): void {
    this.values.clear();
    this.codes.clear();
    this.fees.clear();
  }
}

/**
 * The unspent fee outputs of `addrHex` through overlays (newest first) and the store, oldest
 * first, at most `limit` (protocol.md §6.5): what a transaction of that address may sweep.
 */
export async function feeOutputsOf(cache: LatestCache, layers: readonly Overlay[], addrHex: string, limit: number): Promise<Version[]> {
  const a = addrHex.toLowerCase();
  const seen = new Map<bigint, bigint>();
  for (const l of layers) for (const [slot, value] of l.fees.get(a) ?? []) if (!seen.has(slot)) seen.set(slot, value);
  // Ask the store for enough that the ones the overlays have swept cannot hide the rest.
  for (const o of await cache.feeOutputs(a, limit + seen.size)) if (!seen.has(o.seq)) seen.set(o.seq, o.value);
  return [...seen]
    .filter(([, value]) => value > 0n)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .slice(0, limit)
    .map(([seq, value]) => ({ seq, value }));
}

interface Miss {
  mark: number;
  addrHex: string;
  slot: bigint;
}

/** The latest index and code, cached in memory over the stores. */
export class LatestCache {
  private values = new Map<string, Version>();
  private codes = new Map<string, Uint8Array>();
  /** Bumped when the store is rewound, so that reads begun before do not land after. */
  private epoch = 0;

  constructor(
    private readonly utxo: UtxoHandle,
    private readonly chain: ChainStore,
    private readonly maxEntries = 2_000_000,
  ) {}

  peek(id: string): Version | undefined {
    return this.values.get(id);
  }

  peekCode(hash: string): Uint8Array | undefined {
    return this.codes.get(hash);
  }

  async get(mark: number, addrHex: string, slot: bigint): Promise<Version> {
    const id = keyIdOf(addrHex, mark, slot);
    const v = this.values.get(id);
    if (v) return v;
    await this.load([{ mark, addrHex, slot }], []);
    // Not cached only if the store was rewound meanwhile: read it again.
    return this.values.get(id) ?? (await this.utxo.store.latest({ mark, addr: hexToBytes(addrHex as `0x${string}`), slot }));
  }

  /**
   * The store's unspent fee outputs of `addrHex`, oldest first (not cached: they change with every
   * batch), except that an address the store has none for is remembered until a batch applied here
   * gives it one (applyTxs) or the store is rewound (clear): most senders never hold fee outputs, and
   * every fill asks for its sender's.
   */
  async feeOutputs(addrHex: string, limit: number): Promise<Version[]> {
    const a = addrHex.toLowerCase();
    if (this.noFees.has(a)) return [];
    const epoch = this.epoch;
    const gen = this.feesGen;
    const out = await this.utxo.store.feeOutputs(hexToBytes(a as `0x${string}`), limit);
    // Remembered only if no batch was applied and no rewind happened during the read.
    if (out.length === 0 && epoch === this.epoch && gen === this.feesGen) {
      if (this.noFees.size > 100_000) this.noFees.clear();
      this.noFees.add(a);
    }
    return out;
  }

  /** Addresses the store holds no fee output of (see feeOutputs). */
  private noFees = new Set<string>();
  /** Bumped by every batch applied here. */
  private feesGen = 0;

  async getCode(hash: string): Promise<Uint8Array | undefined> {
    const c = this.codes.get(hash);
    if (c) return c;
    const got = await this.chain.code(hash);
    if (got) this.codes.set(hash, got);
    return got;
  }

  async load(keys: Iterable<Miss>, codes: Iterable<string>): Promise<void> {
    if (this.values.size > this.maxEntries) this.values.clear();
    const epoch = this.epoch;
    await Promise.all([
      ...[...keys].map(async (k) => {
        const key: Key = { mark: k.mark, addr: hexToBytes(k.addrHex as `0x${string}`), slot: k.slot };
        const v = await this.utxo.store.latest(key);
        // A batch applied meanwhile already set the newer version: keep it.
        const id = keyIdOf(k.addrHex, k.mark, k.slot);
        if (epoch === this.epoch && !this.values.has(id)) this.values.set(id, v);
      }),
      ...[...codes].map(async (h) => {
        const c = await this.chain.code(h);
        if (c) this.codes.set(h, c);
      }),
    ]);
  }

  /** Applies the moves of a batch the node has just written to the stores. */
  applyTxs(txs: readonly { seq: bigint; tx: Tx }[]): void {
    this.feesGen++;
    for (const { seq, tx } of txs) {
      for (const m of tx.moves) {
        if (m.ref) continue;
        const a = bytesToHex(m.addr);
        this.values.set(keyIdOf(a, m.mark, m.slot), { seq, value: m.next });
        if (m.mark === Mark.Fee && m.next > 0n) this.noFees.delete(a.toLowerCase());
      }
      if (tx.type !== TxType.Deposit) for (const c of tx.witness) this.codes.set(bytesToHex(codeHash(c)), c);
    }
  }

  /** Forgets every version (after the store was rewound). */
  clear(): void {
    this.values.clear();
    this.noFees.clear();
    this.epoch++;
  }
}

/** A synchronous StateView: overlays (first match wins), then the cache; misses are recorded. */
export class LayeredView implements StateView {
  readonly missKeys = new Map<string, Miss>();
  readonly missCodes = new Set<string>();

  constructor(
    private readonly cache: LatestCache,
    private readonly layers: readonly Overlay[],
  ) {}

  latest(mark: number, addrHex: string, slot: bigint): Version {
    const a = addrHex.toLowerCase();
    const id = keyIdOf(a, mark, slot);
    for (const l of this.layers) {
      const v = l.values.get(id);
      if (v) return v;
    }
    const v = this.cache.peek(id);
    if (v) return v;
    this.missKeys.set(id, { mark, addrHex: a, slot });
    return ZERO;
  }

  code(hashHex: string): Uint8Array | undefined {
    const h = hashHex.toLowerCase();
    for (const l of this.layers) {
      const c = l.codes.get(h);
      if (c) return c;
    }
    const c = this.cache.peekCode(h);
    if (c) return c;
    this.missCodes.add(h);
    return undefined;
  }

  feeOutputs(addrHex: string, limit: number): Promise<Version[]> {
    return feeOutputsOf(this.cache, this.layers, addrHex, limit);
  }

  get missed(): boolean {
    return this.missKeys.size > 0 || this.missCodes.size > 0;
  }
}

const MAX_ROUNDS = 256;

/**
 * fillMoves against overlays over the store: repeats the fill until it ran without a cache miss.
 * Throws what fillMoves throws (InvalidTxError, FillError) for the complete run.
 */
export async function fillFromStore(tx: Tx, cache: LatestCache, layers: readonly Overlay[], ctx: TxContext, executor: Executor, opts?: FillOptions): Promise<Filled> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const view = new LayeredView(cache, layers);
    let result: Filled | undefined;
    let error: unknown;
    try {
      result = await fillMoves(tx, view, ctx, executor, opts);
    } catch (e) {
      error = e;
    }
    if (view.missed) {
      await cache.load(view.missKeys.values(), view.missCodes);
      continue;
    }
    if (error !== undefined) throw error;
    return result!;
  }
  throw new Error(`filling did not settle after ${MAX_ROUNDS} rounds of state reads`);
}

/** An asynchronous StateSource (eth_call, eth_estimateGas): overlays, then the cache, loading on miss. */
export function storeSource(cache: LatestCache, layers: readonly Overlay[]): StateSource {
  return {
    read(id, mark, addrHex, slot) {
      for (const l of layers) {
        const v = l.values.get(id);
        if (v) return v.value;
      }
      const v = cache.peek(id);
      if (v) return v.value;
      return cache.get(mark, addrHex, slot).then((x) => x.value);
    },
    code(h) {
      for (const l of layers) {
        const c = l.codes.get(h);
        if (c) return c;
      }
      return cache.peekCode(h) ?? cache.getCode(h);
    },
  };
}

/** Reads one key through overlays and the cache. */
export async function readKey(cache: LatestCache, layers: readonly Overlay[], mark: number, addrHex: string, slot: bigint): Promise<Version> {
  const id = keyIdOf(addrHex.toLowerCase(), mark, slot);
  for (const l of layers) {
    const v = l.values.get(id);
    if (v) return v;
  }
  return cache.get(mark, addrHex.toLowerCase(), slot);
}

export async function readCode(cache: LatestCache, layers: readonly Overlay[], hash: string): Promise<Uint8Array | undefined> {
  for (const l of layers) {
    const c = l.codes.get(hash);
    if (c) return c;
  }
  return cache.peekCode(hash) ?? cache.getCode(hash);
}

/**
 * The state at the end of the block whose last seq is `lastSeq`, from the version index
 * (LevelUtxoStore.versionAt): a StateSource for any state method at a past block. Code by hash
 * comes from the chain store, which keeps every code it has seen.
 */
export function historicalSource(utxo: UtxoHandle, chain: ChainStore, lastSeq: bigint): StateSource {
  return {
    read: (_id, mark, addrHex, slot) => utxo.store.versionAt({ mark, addr: hexToBytes(addrHex as `0x${string}`), slot }, lastSeq).then((v) => v.value),
    code: (h) => chain.code(h),
  };
}
