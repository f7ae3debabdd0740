/**
 * Log queries, shared by eth_getLogs, log filters (eth_newFilter) and `logs` subscriptions: a
 * filter's criteria (addresses, topics by position, each position a set of alternatives or any),
 * checked against a block's bloom first and then each log.
 */
import { hexToBytes } from "../../core/bytes";
import type { ChainStore, StoredBatch, StoredLog } from "../state/chain-store";
import { LogBloom } from "../state/receipts";
import { formatLog } from "./format";
import { addressArg, bad, hashArg } from "./params";

export interface LogCriteria {
  addrs: string[];
  /** Per position: null (any) or the alternatives. */
  topics: (string[] | null)[];
}

/** The address and topics of a filter object (eth_getLogs, eth_newFilter, the `logs` subscription). */
export function logCriteria(o: Record<string, unknown>): LogCriteria {
  const addrs = o.address === undefined || o.address === null ? [] : (Array.isArray(o.address) ? o.address : [o.address]).map((a) => addressArg(a, "address"));
  if (o.topics !== undefined && o.topics !== null && !Array.isArray(o.topics)) bad("topics must be an array");
  const topics = ((o.topics as unknown[] | null | undefined) ?? []).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).map((x) => hashArg(x, "topic"))));
  if (topics.length > 4) bad("at most 4 topic positions");
  return { addrs, topics: topics.map((t) => (t !== null && t.length === 0 ? null : t)) };
}

export function matchLog(l: StoredLog, c: LogCriteria): boolean {
  if (c.addrs.length && !c.addrs.includes(l.address)) return false;
  for (let k = 0; k < c.topics.length; k++) {
    const alts = c.topics[k];
    if (alts === null) continue;
    if (k >= l.topics.length || !alts.includes(l.topics[k])) return false;
  }
  return true;
}

/** Whether block `bt` may hold a matching log (its bloom). */
export function bloomMay(bt: StoredBatch, c: LogCriteria): boolean {
  const bloom = LogBloom.fromHex(bt.logsBloom);
  if (c.addrs.length && !c.addrs.some((a) => bloom.has(hexToBytes(a as `0x${string}`)))) return false;
  return c.topics.every((alts) => alts === null || alts.some((t) => bloom.has(hexToBytes(t as `0x${string}`))));
}

/** The matching logs of block `bt`, as JSON-RPC shows them. */
export async function blockLogs(chain: ChainStore, bt: StoredBatch, c: LogCriteria): Promise<Record<string, unknown>[]> {
  if (!bloomMay(bt, c)) return [];
  const out: Record<string, unknown>[] = [];
  (await chain.batchTxs(bt.header.index)).forEach((t, i) =>
    t.receipt.logs.forEach((l, j) => {
      if (matchLog(l, c)) out.push(formatLog(t.receipt, j, bt, i));
    }),
  );
  return out;
}

/** The matching logs of blocks [from, to] (numbers; block 0 has none). */
export async function rangeLogs(chain: ChainStore, from: bigint, to: bigint, c: LogCriteria): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let n = from < 1n ? 1n : from; n <= to; n++) {
    const bt = await chain.batch(n - 1n);
    if (!bt) break;
    out.push(...(await blockLogs(chain, bt, c)));
  }
  return out;
}
