/** Shared helpers of the end-to-end tests: ports, temporary folders, polling, raw JSON-RPC, the CLI. */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import type { Provider, TransactionReceipt } from "ethers";
import { createLogger, type Logger } from "../../node/log";

export const ROOT = path.resolve(__dirname, "..", "..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const dirs: string[] = [];
export function tmpDir(prefix = "moveset-e2e-"): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
export function cleanupTmp(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false && v !== null) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The receipt of transaction `hash` once the chain has it: polls the receipt itself. Not ethers'
 * `waitForTransaction`, which checks the receipt and then waits for a *new* block, starting a fresh
 * block poller whose first poll only records the current number (ethers 6.17): a block that lands
 * between the check and that first poll is never announced, and moveset makes a block only when
 * there is something to batch, so on a quiet chain that wait times out with the receipt there.
 */
export function receiptOf(p: Provider, hash: string, timeoutMs = 30_000): Promise<TransactionReceipt> {
  return waitFor(`the receipt of ${hash}`, () => p.getTransactionReceipt(hash), timeoutMs);
}

export interface RpcReply {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export async function rawRpc(url: string, body: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcReply> {
  return (await rawRpc(url, { jsonrpc: "2.0", id: 1, method, params })).json as RpcReply;
}

/** Runs `moveset <args>` in a child process (without this process's Hardhat and ts-node settings). */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const e = { ...process.env, ...env };
    for (const k of Object.keys(e)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete e[k];
    const p = spawn(process.execPath, [path.join(ROOT, "bin", "moveset.js"), ...args], { cwd: ROOT, env: e, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout!.on("data", (d) => (stdout += d));
    p.stderr!.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A logger (at `level`) whose JSON lines are kept, parsed, in `lines`. */
export function captureLogs(level = "info"): { lines: Record<string, unknown>[]; log: Logger } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n")) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, log: createLogger({ level, destination: sink }) };
}

/**
 * The next round of `wt` (Watchtower "tick") whose observation satisfies `pred`: what it saw and the
 * actions it took. Tests wait for a round that has seen a block rather than sleep.
 */
export function nextTick<O, A>(wt: { on(e: "tick", f: (o: O, a: A) => void): unknown; off(e: "tick", f: (o: O, a: A) => void): unknown }, pred: (o: O) => boolean, timeoutMs = 30_000): Promise<{ obs: O; actions: A }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      wt.off("tick", on);
      reject(new Error(`no watchtower round met the condition within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (obs: O, actions: A) => {
      if (!pred(obs)) return;
      clearTimeout(t);
      wt.off("tick", on);
      resolve({ obs, actions });
    };
    wt.on("tick", on);
  });
}

/** Starts `moveset <args>` in a child process (without this process's Hardhat and ts-node settings); its output so far, and its exit. */
export function spawnCli(args: string[], env: Record<string, string>): { p: ChildProcess; out: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  const e = { ...process.env, ...env };
  for (const k of Object.keys(e)) if (k.startsWith("HARDHAT_") || k.startsWith("TS_NODE_")) delete e[k];
  const p = spawn(process.execPath, [path.join(ROOT, "bin", "moveset.js"), ...args], { cwd: ROOT, env: e, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout!.on("data", (d) => (out += d));
  p.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => p.on("exit", (code, signal) => resolve({ code, signal })));
  return { p, out: () => out, exit };
}

/** How to get the Chromium the explorer's test drives. */
export const CHROMIUM_HOWTO = "install Debian's (`apt-get install -y chromium`; .ci/run does it when missing) or set MOVESET_CHROMIUM to a Chromium binary";

/**
 * The Chromium to drive: MOVESET_CHROMIUM if set (it must exist), else `chromium` (Debian's) or
 * `chromium-browser` on the PATH. None: an error that says how to install it (never a skip).
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const isFile = (f: string) => fs.existsSync(f) && fs.statSync(f).isFile();
  if (env.MOVESET_CHROMIUM) {
    if (!isFile(env.MOVESET_CHROMIUM)) throw new Error(`MOVESET_CHROMIUM names ${env.MOVESET_CHROMIUM}, which does not exist: ${CHROMIUM_HOWTO}`);
    return env.MOVESET_CHROMIUM;
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean))
    for (const name of ["chromium", "chromium-browser"]) if (isFile(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`no Chromium on the PATH for the explorer's test: ${CHROMIUM_HOWTO}`);
}
