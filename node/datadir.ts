/**
 * A node's data folder held by another process: a devnet's card names it at once
 * (node/devnet/info.ts), and LevelDB refuses to open a database another process holds.
 */
import * as path from "path";

/** Thrown when another live process already runs a devnet (or node) on this datadir. */
export class DatadirInUseError extends Error {
  constructor(readonly datadir: string, readonly pid?: number) {
    super(`the data folder ${path.resolve(datadir)} is in use by another moveset process${pid ? ` (pid ${pid})` : ""}: stop it first, or pass another --datadir`);
  }
}

/** LevelDB's refusal to open a database another process holds (classic-level: LEVEL_LOCKED under LEVEL_DATABASE_NOT_OPEN). */
export function isLevelLocked(e: unknown): boolean {
  for (let x = e as { code?: string; cause?: unknown; message?: string } | undefined, i = 0; x && i < 4; x = x.cause as typeof x, i++) {
    if (x.code === "LEVEL_LOCKED") return true;
    if (typeof x.message === "string" && /\bLOCK\b.*(temporarily unavailable|already held)/i.test(x.message)) return true;
  }
  return false;
}
