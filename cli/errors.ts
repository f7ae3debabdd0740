/**
 * One clear line per failure. A command throws `CliError` with the whole story (what is wrong and
 * what to do); `oneLine` also turns the failures users keep meeting (an endpoint that does not
 * answer, a data folder another process holds, a revert with a custom error) into such a line, so
 * that no stack trace reaches a person for something they can fix.
 */
import { isLevelLocked, DatadirInUseError } from "../node/datadir";

export class CliError extends Error {}

/** The errno-style code of a failed fetch or socket (ECONNREFUSED, ENOTFOUND, ...), looking through causes. */
export function netCode(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, i = 0; x && i < 5; i++) {
    if (typeof x.code === "string" && /^E[A-Z]+$/.test(x.code)) return x.code;
    if (Array.isArray(x.errors) && x.errors.length) x = x.errors[0] as typeof x;
    else x = x.cause as typeof x;
  }
  return undefined;
}

const NET_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EHOSTUNREACH: "host unreachable",
  ETIMEDOUT: "timed out",
  EAI_AGAIN: "host not found",
};

/** Why an endpoint did not answer, in words. */
export function netReason(e: unknown): string {
  const c = netCode(e);
  if (c) return NET_WORDS[c] ?? c;
  const m = e instanceof Error ? e.message : String(e);
  if (/abort|timeout/i.test(m)) return "no answer in time";
  // undici says "fetch failed" and keeps the reason (a bad port, a bad URL) in its cause.
  const cause = (e as { cause?: unknown })?.cause;
  if (m === "fetch failed" && cause instanceof Error && cause.message) return cause.message.split("\n")[0];
  return m.split("\n")[0];
}

/** The one line for an error a person can act on, or undefined for a bug (which keeps its stack). */
export function oneLine(e: unknown): string | undefined {
  if (e instanceof CliError || e instanceof DatadirInUseError) return e.message;
  if (isLevelLocked(e)) return "a data folder is in use by another moveset process: stop it first, or pass another --datadir";
  const name = (e as { constructor?: { name?: string } })?.constructor?.name;
  // node/config.ts ConfigError, deploy/run.ts DeployError, node/sweep.ts SweepError, node/state/utxo-store.ts
  // StoreMismatchError, node/l1/beacon.ts BeaconError: messages written for people.
  if (name === "ConfigError" || name === "DeployError" || name === "SweepError" || name === "ClientError" || name === "StoreMismatchError" || name === "BeaconError") return (e as Error).message;
  if (netCode(e)) return `cannot reach an endpoint (${netReason(e)}): is the devnet or the node running? (\`npm start\` runs the devnet)`;
  return undefined;
}

/**
 * Runs a command's body: an error a person can act on is printed as one line and the process exits
 * with 1; anything else (a bug) keeps its stack.
 */
export async function guard(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const line = oneLine(e);
    if (line === undefined) throw e;
    console.error(`moveset: ${line}`);
    process.exit(1);
  }
}
