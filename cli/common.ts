/** What the `moveset` subcommands share: argument parsers, failing with a message, compiled artifacts. */
import * as path from "path";
import { InvalidArgumentError } from "commander";

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

export function fail(msg: string): never {
  console.error(`moveset: ${msg}`);
  process.exit(1);
}

/** Compiles the contracts when their artifacts (the ABIs the node reads) are missing. */
export async function ensureArtifacts(): Promise<void> {
  const { artifactsPresent } = await import("../node/l1/contracts");
  if (artifactsPresent()) return;
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
