/** What the `moveset` subcommands share: argument parsers, failing with a message, compiled artifacts. */
import * as path from "path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { DEFAULT_RPC as D, type RpcOptions } from "../node/config";

export const ROOT = path.resolve(__dirname, "..");

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive whole number");
  return n;
}

export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number ≥ 0");
  return n;
}

/** A whole number of any size, as a bigint. */
export function uint(v: string): bigint {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError("must be a whole number");
  return BigInt(v);
}

/** An amount of ETH in decimal ("1.5", "0.001"), as wei. */
export function ethAmount(v: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(v.trim())) throw new InvalidArgumentError('must be an amount of ETH such as 1.5 (at most 18 decimals)');
  const [w, f = ""] = v.trim().split(".");
  return BigInt(w) * 10n ** 18n + BigInt((f + "0".repeat(18)).slice(0, 18));
}

/** A 20-byte hex address. */
export function address(v: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v.trim())) throw new InvalidArgumentError("must be a 20-byte hex address (0x and 40 hex digits)");
  return v.trim();
}

/** A 32-byte hex hash. */
export function hash32(v: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v.trim())) throw new InvalidArgumentError("must be a 32-byte hex hash (0x and 64 hex digits)");
  return v.trim().toLowerCase();
}

export function fail(msg: string): never {
  console.error(`moveset: ${msg}`);
  process.exit(1);
}

/** Compiles the contracts when their artifacts (the ABIs the node reads) are missing. */
export async function ensureArtifacts(): Promise<void> {
  const { artifactsPresent } = await import("../node/l1/contracts");
  if (artifactsPresent()) return;
  process.stderr.write("moveset: compiling the contracts (first run: about a minute)\n");
  process.env.HARDHAT_NETWORK ??= "hardhat";
  if (!process.env.HARDHAT_CONFIG) process.env.HARDHAT_CONFIG = path.join(ROOT, "hardhat.config.ts");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat");
  await hre.run("compile", { quiet: true });
}

/** One JSON-RPC call to a running node. */
export async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const j = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

/** A comma-separated list of CORS origins ("" for none). */
function originList(v: string): string[] {
  const list = v.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
  for (const o of list)
    if (o !== "*" && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s,]+$/i.test(o)) throw new InvalidArgumentError(`"${o}" is not an origin (scheme://host[:port], scheme://host:* or *)`);
  return list;
}

/**
 * The L2 JSON-RPC's limits and policy flags, shared by `moveset node` and `moveset devnet` (defaults: node/config.ts
 * DEFAULT_RPC, but the CORS origins and the submissions per client, which the devnet sets apart: DEVNET_CORS,
 * DEVNET_SUBMITS_PER_CLIENT).
 */
export function addRpcOptions(cmd: Command, corsDefault: string, submitsPerClient = D.submitsPerClient): Command {
  return cmd
    .addOption(new Option("--rpc-gascap <gas>", "most gas an eth_call / eth_estimateGas runs with (more is capped)").argParser(uint).default(D.gasCap, D.gasCap.toString()))
    .option("--rpc-evmtimeout <ms>", "time limit of one eth_call / eth_estimateGas; the work is stopped", positiveInt, D.evmTimeoutMs)
    .option("--rpc-call-workers <n>", "worker threads running eth_call / eth_estimateGas", positiveInt, D.callWorkers)
    .option("--rpc-call-queue <n>", "calls that may wait for a call worker (more are refused with -32005)", nonNegativeInt, D.callQueue)
    .option("--rpc-fill-workers <n>", "worker threads filling (executing) submitted transactions", positiveInt, D.fillWorkers)
    .option("--rpc-fill-queue <n>", "submitted transactions that may wait for a fill worker (more are refused with -32005)", nonNegativeInt, D.fillQueue)
    .option("--rpc-fill-timeout <ms>", "time limit of one submitted transaction's fill; the work is stopped and the transaction refused", positiveInt, D.fillTimeoutMs)
    .option("--rpc-submits-per-client <n>", "submissions one client address may have in progress (more are refused with -32005)", positiveInt, submitsPerClient)
    .option("--rpc-batch-limit <n>", "most requests in one JSON-RPC batch", positiveInt, D.maxBatch)
    .option("--rpc-batch-response-max <bytes>", "largest JSON-RPC response (a batch's together)", positiveInt, D.maxResponseBytes)
    .option("--rpc-body-limit <bytes>", "largest JSON-RPC request body", positiveInt, D.maxBodyBytes)
    .addOption(new Option("--rpc-cors <origins>", 'origins allowed by CORS, comma-separated ("scheme://host:*" for any port, "*" for all, "" for none)').argParser(originList).default(originList(corsDefault), corsDefault === "" ? '"" (none)' : corsDefault))
    .option("--rpc-allow-unprotected-txs", "accept legacy transactions without a chain id (replayable from any chain)")
    .option("--rpc-max-filters <n>", "filters (eth_newFilter, ...) installed at once on the node (when full, the client holding the most gives up its least recently polled one)", positiveInt, D.maxFilters)
    .option("--rpc-max-filters-per-client <n>", "filters one client address may hold at once (more are refused with -32005)", positiveInt, D.maxFiltersPerClient)
    .option("--rpc-ws-max-connections <n>", "WebSocket connections at once", positiveInt, D.wsMaxConnections)
    .option("--rpc-ws-max-subscriptions <n>", "subscriptions per WebSocket connection", positiveInt, D.wsMaxSubscriptions);
}

export interface RpcFlags {
  rpcGascap: bigint;
  rpcEvmtimeout: number;
  rpcCallWorkers: number;
  rpcCallQueue: number;
  rpcFillWorkers: number;
  rpcFillQueue: number;
  rpcFillTimeout: number;
  rpcSubmitsPerClient: number;
  rpcBatchLimit: number;
  rpcBatchResponseMax: number;
  rpcBodyLimit: number;
  rpcCors: string[];
  rpcAllowUnprotectedTxs?: boolean;
  rpcMaxFilters: number;
  rpcMaxFiltersPerClient: number;
  rpcWsMaxConnections: number;
  rpcWsMaxSubscriptions: number;
}

export function rpcOptionsFrom(o: RpcFlags): Partial<RpcOptions> {
  return {
    gasCap: o.rpcGascap,
    evmTimeoutMs: o.rpcEvmtimeout,
    callWorkers: o.rpcCallWorkers,
    callQueue: o.rpcCallQueue,
    fillWorkers: o.rpcFillWorkers,
    fillQueue: o.rpcFillQueue,
    fillTimeoutMs: o.rpcFillTimeout,
    submitsPerClient: o.rpcSubmitsPerClient,
    maxBatch: o.rpcBatchLimit,
    maxResponseBytes: o.rpcBatchResponseMax,
    maxBodyBytes: o.rpcBodyLimit,
    cors: o.rpcCors,
    allowUnprotectedTxs: !!o.rpcAllowUnprotectedTxs,
    maxFilters: o.rpcMaxFilters,
    maxFiltersPerClient: o.rpcMaxFiltersPerClient,
    wsMaxConnections: o.rpcWsMaxConnections,
    wsMaxSubscriptions: o.rpcWsMaxSubscriptions,
  };
}
