/**
 * The running devnet's address card: `<datadir>/devnet.json`, written by `moveset devnet` once it
 * is ready and removed when it stops. The CLI reads it to find the devnet by itself (L1 and L2
 * URLs, the deployment record, the explorer), and a second devnet on the same datadir reads it to
 * refuse at once, before it touches the datadir's databases.
 *
 *   { "pid": 123, "l1Url": "http://127.0.0.1:8545", "rpcUrl": "http://127.0.0.1:8547",
 *     "explorerUrl": "http://127.0.0.1:8548", "deployment": "/abs/datadir/deployment.json",
 *     "startedAt": "2026-01-01T00:00:00.000Z" }
 *
 * A file left by a process that died without stopping (SIGKILL) names a pid that is gone: it is
 * stale, and treated as absent.
 */
import * as fs from "fs";
import * as path from "path";

export interface DevnetInfo {
  pid: number;
  l1Url: string;
  rpcUrl: string;
  explorerUrl?: string;
  /** Absolute path of the deployment record (<datadir>/deployment.json). */
  deployment: string;
  startedAt: string;
}

/** The devnet's default data folder (relative to the working directory, as `npm start` runs it). */
export const DEFAULT_DEVNET_DIR = ".moveset/devnet";

export function devnetInfoPath(datadir: string): string {
  return path.join(path.resolve(datadir), "devnet.json");
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is someone else's.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The card of a devnet that is running from `datadir`, or undefined (none, unreadable, or stale). */
export function readDevnetInfo(datadir: string): DevnetInfo | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(devnetInfoPath(datadir), "utf8"));
  } catch {
    return undefined;
  }
  const o = raw as Partial<DevnetInfo>;
  if (typeof o !== "object" || o === null || typeof o.pid !== "number" || typeof o.l1Url !== "string" || typeof o.rpcUrl !== "string" || typeof o.deployment !== "string") return undefined;
  if (!pidAlive(o.pid)) return undefined;
  return o as DevnetInfo;
}

export function writeDevnetInfo(datadir: string, info: DevnetInfo): void {
  const file = devnetInfoPath(datadir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** Removes the card if it is this process's. */
export function removeDevnetInfo(datadir: string, pid = process.pid): void {
  const file = devnetInfoPath(datadir);
  try {
    const o = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<DevnetInfo>;
    if (o.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // gone or unreadable: nothing of ours
  }
}
