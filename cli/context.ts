/**
 * Where a command's L1, L2 and deployment are, found by itself: a flag wins, then the environment
 * (MOVESET_L1_URL, MOVESET_L2_URL, MOVESET_DEPLOYMENT), then the running devnet's card
 * (<devnet datadir>/devnet.json, the datadir being MOVESET_DEVNET or .moveset/devnet). What is still
 * missing is reported all at once, in one line that says how to supply it.
 */
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_DEVNET_DIR, readDevnetInfo, type DevnetInfo } from "../node/devnet/info";
import { deploymentFromRecord, type Deployment, type DeploymentRecord } from "../node/config";
import { CliError, netReason } from "./errors";
import { BeaconError, parseBeaconUrl } from "../node/l1/beacon";

export type Need = "l1" | "l2" | "deployment";

export interface EndpointFlags {
  l1?: string;
  /** The L2 JSON-RPC (`--rpc` on the commands that have it). */
  rpc?: string;
  deployment?: string;
  /** A beacon API for blob batches (`--l1-beacon` on the commands that read batches). */
  l1Beacon?: string;
}

export interface Context {
  command: string;
  l1Url?: string;
  l2Url?: string;
  /** The beacon API blobs are read from (`--l1-beacon`, else MOVESET_L1_BEACON); none: `anvil_getBlobByHash` on L1. */
  l1BeaconUrl?: string;
  deploymentFile?: string;
  record?: DeploymentRecord;
  deployment?: Deployment;
  /** The running devnet, when one was found. */
  devnet?: DevnetInfo;
  /** The deployment is a devnet's (its dev accounts may be named by index). */
  isDevnet: boolean;
}

/** The devnet datadir the CLI looks in. */
export function devnetDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MOVESET_DEVNET || DEFAULT_DEVNET_DIR;
}

/** The L2 RPC when nothing else names one: the devnet's default port. */
export const DEFAULT_L2_URL = "http://127.0.0.1:8547";

const WHAT: Record<Need, { flag: string; env: string; words: string }> = {
  l1: { flag: "--l1 <url>", env: "MOVESET_L1_URL", words: "the L1 JSON-RPC" },
  l2: { flag: "--rpc <url>", env: "MOVESET_L2_URL", words: "the L2 JSON-RPC" },
  deployment: { flag: "--deployment <file>", env: "MOVESET_DEPLOYMENT", words: "the deployment record" },
};

function and(xs: string[]): string {
  return xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** Reads a deployment record, or says in one line why not and where one comes from. */
export function readRecord(file: string): DeploymentRecord {
  if (!fs.existsSync(file))
    throw new CliError(
      `deployment file ${file} does not exist: deploy with \`npx moveset deploy --network localhost\` (it writes deployments/localhost.json), or start the devnet with \`npm start\` (its record is ${path.join(
        DEFAULT_DEVNET_DIR,
        "deployment.json",
      )})`,
    );
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord;
  } catch (e) {
    throw new CliError(`deployment file ${file} is not JSON (${(e as Error).message.split("\n")[0]}): pass the file \`moveset deploy\` wrote`);
  }
}

/**
 * Finds what `need` lists; throws one CliError naming everything missing. L2 falls back to the
 * devnet's default port (it is never missing).
 */
export function resolveContext(command: string, flags: EndpointFlags, need: Need[], env: NodeJS.ProcessEnv = process.env, alsoMissing: string[] = []): Context {
  const dir = devnetDir(env);
  const devnet = readDevnetInfo(dir);
  const ctx: Context = { command, isDevnet: false, devnet };
  ctx.l1Url = flags.l1 || env.MOVESET_L1_URL || devnet?.l1Url;
  ctx.l2Url = flags.rpc || env.MOVESET_L2_URL || devnet?.rpcUrl || DEFAULT_L2_URL;
  ctx.deploymentFile = flags.deployment || env.MOVESET_DEPLOYMENT || devnet?.deployment;
  ctx.l1BeaconUrl = flags.l1Beacon || env.MOVESET_L1_BEACON || undefined;
  if (ctx.l1BeaconUrl)
    try {
      parseBeaconUrl(ctx.l1BeaconUrl);
    } catch (e) {
      throw new CliError(`${command}: ${(e as BeaconError).message}${flags.l1Beacon ? "" : " (from MOVESET_L1_BEACON)"}`);
    }
  // A stopped devnet still has its record: enough for commands that only need the deployment.
  if (!ctx.deploymentFile && !need.includes("l1") && fs.existsSync(path.join(dir, "deployment.json"))) ctx.deploymentFile = path.join(dir, "deployment.json");

  const missing = need.filter((n) => (n === "l1" ? !ctx.l1Url : n === "deployment" ? !ctx.deploymentFile : false));
  if (missing.length === 0 && alsoMissing.length) throw new CliError(`${command}: missing ${and(alsoMissing)}`);
  if (missing.length) {
    const running = fs.existsSync(path.join(dir, "deployment.json"))
      ? `the devnet in ${dir} is not running (start it with \`npm start\`)`
      : `no devnet runs from ${dir} (start one with \`npm start\`, or set MOVESET_DEVNET to its --datadir)`;
    throw new CliError(
      `${command}: missing ${and([...missing.map((m) => `${WHAT[m].flag} (${WHAT[m].words})`), ...alsoMissing])}: ${running}; or pass ${missing.length > 1 ? "them" : "it"}, or set ${and(
        missing.map((m) => WHAT[m].env),
      )}`,
    );
  }
  if (ctx.deploymentFile) {
    ctx.record = readRecord(ctx.deploymentFile);
    try {
      ctx.deployment = deploymentFromRecord(ctx.record, ctx.deploymentFile);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    ctx.isDevnet = ctx.record.network === "devnet";
  }
  return ctx;
}

/** One JSON-RPC call with a time limit; a refusal or silence becomes a CliError that names `what`. */
export async function probe(url: string, what: string, method = "eth_chainId", timeoutMs = 5000, params: unknown[] = []): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${what} at ${url} (${netReason(e)}): is it running? (\`npm start\` runs the devnet)`);
  }
  let j: { result?: unknown; error?: { message?: string } };
  try {
    j = (await res.json()) as typeof j;
  } catch {
    throw new CliError(`${what} at ${url} answered HTTP ${res.status} without JSON-RPC: is that the right URL?`);
  }
  if (j.error) throw new CliError(`${what} at ${url} refused ${method}: ${j.error.message ?? "error"}`);
  return j.result;
}

/**
 * Checks that L1 answers, is the deployment's chain, and has the deployment's Inbox (a local node
 * restarted since the deployment keeps its chain id but not its contracts).
 */
export async function checkL1(ctx: Context): Promise<void> {
  const id = BigInt((await probe(ctx.l1Url!, "L1")) as string);
  if (!ctx.deployment) return;
  if (id !== ctx.deployment.l1ChainId)
    throw new CliError(`L1 at ${ctx.l1Url} is chain ${id}, but ${ctx.deploymentFile} is a deployment on chain ${ctx.deployment.l1ChainId}: pass the matching --l1 or --deployment`);
  const code = await probe(ctx.l1Url!, "L1", "eth_getCode", 5000, [ctx.deployment.inbox, "latest"]);
  if (code === "0x")
    throw new CliError(
      `${ctx.deploymentFile} names an Inbox at ${ctx.deployment.inbox} that L1 at ${ctx.l1Url} does not have (the chain was restarted or reset since): deploy again (\`npx moveset deploy --network localhost\`), or start the devnet (\`npm start\`)`,
    );
}

/** Checks that the L2 node answers and is the deployment's rollup. */
export async function checkL2(ctx: Context): Promise<void> {
  const id = BigInt((await probe(ctx.l2Url!, "the L2 node")) as string);
  if (ctx.deployment && id !== ctx.deployment.l2ChainId)
    throw new CliError(`the L2 node at ${ctx.l2Url} is chain ${id}, but ${ctx.deploymentFile} is rollup ${ctx.deployment.l2ChainId}: pass the matching --rpc or --deployment`);
}

/** The `--l1-beacon` option of the commands that read batches (node, verify, watch, challenge). */
export const L1_BEACON_OPTION = "--l1-beacon <url>";
export const L1_BEACON_HELP =
  "beacon API (consensus layer) to read blob batches' blobs from, as op-node's --l1.beacon: needed on a public network, whose execution RPC serves no blobs; an archive beacon or blob archiver for blobs older than ~18 days (default: $MOVESET_L1_BEACON; none: anvil_getBlobByHash on --l1)";

/** Adds --l1, --rpc and --deployment (each optional: found by itself otherwise) to a command. */
export function endpointOptions<T extends import("commander").Command>(cmd: T, which: Need[]): T {
  if (which.includes("l1")) cmd.option("--l1 <url>", "L1 JSON-RPC URL (default: $MOVESET_L1_URL, or the running devnet's)");
  if (which.includes("l2")) cmd.option("--rpc <url>", `L2 JSON-RPC URL (default: $MOVESET_L2_URL, the running devnet's, or ${DEFAULT_L2_URL})`);
  if (which.includes("deployment")) cmd.option("--deployment <file>", "deployment record (default: $MOVESET_DEPLOYMENT, or the running devnet's)");
  return cmd;
}
