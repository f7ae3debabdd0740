/**
 * The devnet's L1 on anvil (`moveset devnet --l1 anvil`): anvil (npm @foundry-rs/anvil, or MOVESET_ANVIL) as a child
 * process, the L1 that accepts blob transactions and serves blobs back (`anvil_getBlobByHash`, protocol.md §14.5),
 * which Hardhat 2's network does not. Chain id 31337 and the dev mnemonic's accounts, as the Hardhat network's, so
 * the devnet's accounts and `--key N` stay the same; a block at once for each transaction and one every block time
 * besides (`--mixed-mining`, as the Hardhat path's automine plus interval mining).
 *
 * Its state (accounts, code, storage, blocks and their logs, and the states of the last ANVIL_STATES_KEPT blocks, which
 * the node's calls pinned to a block hash read) lives in one file of the datadir (`--state`, `--preserve-historical-states`,
 * `--prune-history`): loaded at
 * start, written every few seconds and when anvil stops (SIGINT). Anvil runs in its own process group, so a Ctrl-C
 * in the terminal reaches the devnet only, which stops its node first and anvil last; a devnet killed outright leaves
 * it running, and the next start on the datadir stops it first. Blobs are not in that file
 * (anvil keeps them in memory): after a restart the blobs of earlier batches are gone, which only matters for a
 * batch not yet read (its reader waits, protocol.md §14.5 "Reading").
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DEV_MNEMONIC } from "./accounts";
import type { Logger } from "../log";

/** The devnet's L1s: Hardhat's network in this process (the default), or anvil as a child process (blobs). */
export const DEVNET_L1S = ["hardhat", "anvil"] as const;
export type DevnetL1 = (typeof DEVNET_L1S)[number];

/** The devnet's L1 chain id on either L1 (the Hardhat network's and anvil's default). */
export const DEVNET_L1_CHAIN_ID = 31337;

/** Seconds between anvil's writes of its state file (it also writes it when it stops). */
export const ANVIL_STATE_INTERVAL_S = 5;

/**
 * The past blocks' states anvil keeps (`--prune-history`), in memory and in its state file. All of them made the
 * file grow by ~0.8 MB a block (the devnet's contracts in each state, a block a second): 4 GB after 80 minutes,
 * rewritten every 5 s. The node pins its calls to blocks it has just read (a few blocks old at most).
 */
export const ANVIL_STATES_KEPT = 32;

/** A devnet option that cannot be used (a clear message, no stack trace). */
export class DevnetOptionError extends Error {}

/** How to get anvil, for the message when it is missing. */
export const ANVIL_HOWTO =
  "install the project's dev dependencies (`npm install`: @foundry-rs/anvil ships anvil's binary), or install Foundry (https://getfoundry.sh: `foundryup`) and set MOVESET_ANVIL to the anvil binary";

/** The anvil binary: MOVESET_ANVIL, else the one of npm's @foundry-rs/anvil-<platform>-<arch>. Throws DevnetOptionError, saying how to install it. */
export function anvilBinary(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.MOVESET_ANVIL;
  if (own) {
    if (!fs.existsSync(own)) throw new DevnetOptionError(`MOVESET_ANVIL is ${own}, which does not exist: ${ANVIL_HOWTO}`);
    return own;
  }
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new DevnetOptionError(`anvil is not installed (no ${pkg}): ${ANVIL_HOWTO}`);
  }
  const bin = path.join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!fs.existsSync(bin)) throw new DevnetOptionError(`anvil's binary is missing from ${pkg} (${bin}): ${ANVIL_HOWTO}`);
  return bin;
}

export interface AnvilOptions {
  host: string;
  port: number;
  /** The state file (loaded if present, written every ANVIL_STATE_INTERVAL_S and on exit). */
  stateFile: string;
  /** Dev accounts anvil funds (from the dev mnemonic). */
  accounts: number;
  /** A block every this many ms besides one per transaction; 0: one per transaction only. Rounded up to whole seconds. */
  blockTimeMs: number;
  log: Logger;
  binary?: string;
}

export interface AnvilL1 {
  url: string;
  pid: number;
  /** Settles with how anvil exited when it exits without stop() (it died or was killed). */
  died: Promise<string>;
  /** Stops anvil (SIGINT: it writes its state file first) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The arguments anvil runs with. */
export function anvilArgs(o: Omit<AnvilOptions, "log" | "binary">): string[] {
  const args = [
    "--host", o.host, "--port", String(o.port), "--chain-id", String(DEVNET_L1_CHAIN_ID), "--hardfork", "prague",
    "--mnemonic", DEV_MNEMONIC, "--accounts", String(Math.max(o.accounts, 10)),
    "--state", o.stateFile, "--state-interval", String(ANVIL_STATE_INTERVAL_S), "--preserve-historical-states",
    "--prune-history", String(ANVIL_STATES_KEPT), "--silent",
  ];
  if (o.blockTimeMs > 0) args.push("--block-time", String(Math.max(1, Math.ceil(o.blockTimeMs / 1000))), "--mixed-mining");
  return args;
}

/** The file beside the state file where a running anvil's process id is kept. */
const pidFileOf = (stateFile: string) => stateFile + ".pid";

/**
 * A devnet killed without stopping (SIGKILL) leaves its anvil running, in its own process group, holding the port:
 * the next start on that datadir stops it first (SIGINT: it writes its state file), if the recorded process is still
 * an anvil of this state file.
 */
async function stopLeftover(stateFile: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFileOf(stateFile), "utf8").trim());
  } catch {
    return;
  }
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return; // gone (or no /proc: nothing to check it by)
  }
  if (!/anvil/.test(cmdline) || !cmdline.includes(stateFile)) return;
  log.warn({ anvilPid: pid }, "L1: stopping the anvil a killed devnet left running on this datadir");
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 300 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Starts anvil and waits until it answers JSON-RPC (or exits: its output in the error). */
export async function startAnvil(o: AnvilOptions): Promise<AnvilL1> {
  const bin = o.binary ?? anvilBinary();
  const args = anvilArgs(o);
  fs.mkdirSync(path.dirname(o.stateFile), { recursive: true });
  await stopLeftover(o.stateFile, o.log);
  let child: ChildProcess;
  try {
    // Its own process group: a terminal's Ctrl-C stops the devnet, which stops anvil after its node.
    child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  } catch (e) {
    throw new DevnetOptionError(`cannot run anvil (${bin}): ${(e as Error).message}; ${ANVIL_HOWTO}`);
  }
  let out = "";
  const keep = (d: Buffer) => (out = (out + String(d)).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let stopping = false;
  const exited = new Promise<string>((resolve) => {
    child.on("error", (e) => resolve(`could not run: ${e.message}`));
    child.on("exit", (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
  });
  // A devnet that exits without stopping it (an uncaught error) does not leave it running.
  const onExit = () => child.kill("SIGINT");
  process.once("exit", onExit);
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${o.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const why = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 100))]);
    if (why !== undefined) {
      process.off("exit", onExit);
      const busy = /address already in use|Address in use/i.test(out);
      throw new DevnetOptionError(
        busy
          ? `anvil could not listen on ${o.host}:${o.port} (EADDRINUSE): another program (another devnet?) has the port; stop it, or pass --l1-port`
          : `anvil ${why}${why.startsWith("could not run") ? `; ${ANVIL_HOWTO}` : ""}:\n${out.trim()}`,
      );
    }
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      process.off("exit", onExit);
      throw new DevnetOptionError(`anvil did not answer on ${url} within 30 s:\n${out.trim()}`);
    }
  }
  fs.writeFileSync(pidFileOf(o.stateFile), `${child.pid}\n`);
  o.log.info({ anvilPid: child.pid, url, state: o.stateFile, args: args.filter((a) => a !== DEV_MNEMONIC) }, "L1: anvil started");
  const died = exited.then((why) => (stopping ? new Promise<string>(() => undefined) : why));
  return {
    url,
    pid: child.pid!,
    died,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT");
      const t = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(t);
      fs.rmSync(pidFileOf(o.stateFile), { force: true });
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    return r.ok;
  } catch {
    return false;
  }
}
