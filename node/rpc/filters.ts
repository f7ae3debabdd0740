/**
 * Polled filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter,
 * eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter), as geth keeps them: in memory,
 * each forgotten when not polled for `ttlMs` (geth: 5 minutes). Limits (protocol.md §12.1): at most
 * `maxFilters` at once on the node and `maxPerClient` per client (its address; more: -32005); when the
 * node is full, a client with fewer filters than the one holding the most takes that one's least
 * recently polled filter, so that no client can hold the node's filters against the others. A
 * pending-transaction filter keeps at most `maxPending` hashes between polls (the oldest are dropped).
 */
import { randomBytes } from "crypto";
import type { ChainView } from "./chain-view";
import { blockLogs, logCriteria, type LogCriteria } from "./logs";
import { arg, bad, objectArg } from "./params";
import { LIMIT_EXCEEDED, RpcError, SERVER_ERROR, type Methods, type RequestContext } from "./server";

export interface FilterOptions {
  maxFilters: number;
  /** Filters one client (one remote address) may hold at once. */
  maxPerClient: number;
  ttlMs: number;
  maxPending: number;
  /** Most blocks one poll of a filter covers (eth_getLogs' range limit). */
  maxRange: number;
}

type Filter = { client: string; polled: number } & (
  | { kind: "block"; next: bigint }
  | { kind: "pending"; hashes: string[] }
  | { kind: "logs"; next: bigint; from?: bigint; to?: bigint; criteria: LogCriteria }
);

export class FilterManager {
  private readonly filters = new Map<string, Filter>();
  /** Filters held per client. */
  private readonly held = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly view: ChainView,
    readonly o: FilterOptions,
  ) {
    this.timer = setInterval(() => this.expire(), Math.max(1000, Math.floor(o.ttlMs / 2)));
    this.timer.unref();
  }

  get size(): number {
    return this.filters.size;
  }

  close(): void {
    clearInterval(this.timer);
    this.filters.clear();
    this.held.clear();
  }

  /** Filters `client` holds. */
  heldBy(client: string): number {
    return this.held.get(client) ?? 0;
  }

  private remove(id: string): boolean {
    const f = this.filters.get(id);
    if (!f) return false;
    this.filters.delete(id);
    const n = this.heldBy(f.client) - 1;
    if (n > 0) this.held.set(f.client, n);
    else this.held.delete(f.client);
    return true;
  }

  /** Forgets the filters not polled within the time to live. */
  expire(now = Date.now()): void {
    for (const [id, f] of this.filters) if (now - f.polled > this.o.ttlMs) this.remove(id);
  }

  /** A transaction accepted into the mempool. */
  pending(hash: string): void {
    for (const f of this.filters.values()) {
      if (f.kind !== "pending") continue;
      f.hashes.push(hash);
      if (f.hashes.length > this.o.maxPending) f.hashes.splice(0, f.hashes.length - this.o.maxPending);
    }
  }

  private add(f: Filter): string {
    this.expire();
    const mine = this.heldBy(f.client);
    // INVARIANT: one client holds at most maxPerClient filters
    if (mine >= this.o.maxPerClient) throw new RpcError(LIMIT_EXCEEDED, `too many filters from this client (${this.o.maxPerClient}): uninstall some, or let them expire`);
    if (this.filters.size >= this.o.maxFilters) {
      // The node is full: the client holding the most gives up its least recently polled filter, if it
      // holds more than this client would after this one. Otherwise every client holds its fair share.
      let top = "";
      let most = 0;
      for (const [c, n] of this.held) if (n > most) [top, most] = [c, n];
      // INVARIANT: a full node evicts only from a client holding more than the requester would
      if (most <= mine + 1) throw new RpcError(LIMIT_EXCEEDED, `too many filters (${this.o.maxFilters} installed): uninstall some, or let them expire`);
      let oldest: string | undefined;
      let at = Infinity;
      for (const [id, g] of this.filters) if (g.client === top && g.polled < at) [oldest, at] = [id, g.polled];
      this.remove(oldest!);
    }
    const id = "0x" + randomBytes(16).toString("hex");
    this.filters.set(id, f);
    this.held.set(f.client, mine + 1);
    return id;
  }

  private get(id: unknown): Filter {
    if (typeof id !== "string") bad("filter id must be a string");
    const f = this.filters.get((id as string).toLowerCase());
    if (!f) throw new RpcError(SERVER_ERROR, "filter not found");
    f.polled = Date.now();
    return f;
  }

  /** Blocks not yet delivered by a filter at `next`, up to the latest (after a rewind: from the new tip). */
  private range(next: bigint): { from: bigint; to: bigint } {
    const latest = this.view.latestNumber();
    const from = next > latest + 1n ? latest + 1n : next;
    const to = latest - from + 1n > BigInt(this.o.maxRange) ? from + BigInt(this.o.maxRange) - 1n : latest;
    return { from, to };
  }

  async changes(id: unknown): Promise<unknown[]> {
    const f = this.get(id);
    if (f.kind === "pending") return f.hashes.splice(0);
    const { from, to } = this.range(f.next);
    f.next = to + 1n;
    const out: unknown[] = [];
    for (let n = from; n <= to; n++) {
      if (f.kind === "logs" && ((f.from !== undefined && n < f.from) || (f.to !== undefined && n > f.to))) continue;
      const bt = await this.view.batchOf(n);
      if (!bt) break;
      if (f.kind === "block") out.push(bt.hash);
      else out.push(...(await blockLogs(this.view.d.chain, bt, f.criteria)));
    }
    return out;
  }

  async logs(id: unknown): Promise<unknown[]> {
    const f = this.get(id);
    if (f.kind !== "logs") throw new RpcError(SERVER_ERROR, "filter not found");
    const latest = this.view.latestNumber();
    const from = f.from ?? latest;
    const to = f.to === undefined || f.to > latest ? latest : f.to;
    if (to - from + 1n > BigInt(this.o.maxRange)) throw new RpcError(SERVER_ERROR, `block range too large (at most ${this.o.maxRange} blocks)`);
    const out: unknown[] = [];
    for (let n = from < 1n ? 1n : from; n <= to; n++) {
      const bt = await this.view.batchOf(n);
      if (!bt) break;
      out.push(...(await blockLogs(this.view.d.chain, bt, f.criteria)));
    }
    return out;
  }

  methods(): Methods {
    const now = () => Date.now();
    const bound = async (t: unknown): Promise<bigint | undefined> => {
      if (t === undefined || t === null || t === "latest" || t === "pending") return undefined;
      if (typeof t === "string" && t.startsWith("0x")) return BigInt(t.length > 66 ? bad("block number too large") : t);
      return (await this.view.blockNumberOf(t)) ?? undefined;
    };
    return {
      eth_newFilter: async (p, ctx: RequestContext) => {
        const o = objectArg(arg(p, 0, "filter"), "filter");
        if (o.blockHash !== undefined) bad("a filter cannot name a blockHash (use eth_getLogs)");
        const criteria = logCriteria(o);
        const [from, to] = [await bound(o.fromBlock), await bound(o.toBlock)];
        if (from !== undefined && to !== undefined && from > to) throw new RpcError(SERVER_ERROR, "invalid block range params");
        return this.add({ kind: "logs", next: this.view.latestNumber() + 1n, from, to, criteria, polled: now(), client: ctx.client });
      },
      eth_newBlockFilter: (_p, ctx: RequestContext) => this.add({ kind: "block", next: this.view.latestNumber() + 1n, polled: now(), client: ctx.client }),
      eth_newPendingTransactionFilter: (_p, ctx: RequestContext) => this.add({ kind: "pending", hashes: [], polled: now(), client: ctx.client }),
      eth_getFilterChanges: (p) => this.changes(arg(p, 0, "filter id")),
      eth_getFilterLogs: (p) => this.logs(arg(p, 0, "filter id")),
      eth_uninstallFilter: (p) => {
        const id = arg(p, 0, "filter id");
        if (typeof id !== "string") bad("filter id must be a string");
        return this.remove((id as string).toLowerCase());
      },
    };
  }
}
