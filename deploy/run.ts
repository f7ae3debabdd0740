/**
 * What `moveset deploy` (cli/deploy.ts) runs, and `moveset devnet --l1 anvil` too (node/devnet/devnet.ts): deploys the L1 contracts (deploy/Moveset.ts, a Hardhat Ignition module) to a network
 * of hardhat.config.ts and writes deployments/<network>.json:
 *   { network, chainId, l2ChainId, contracts: { Inbox, Bridge, ...provers },
 *     parameters: { l2ChainId, bondSize, challengeWindow, inclusionDelay, rewardBps, maxDepositsPerBatch, minBaseFee,
 *                   maxClockDuration, clockExtension, gameBonds },
 *     deployedAt: <L1 block of the first contract>, deploymentId, deployer }
 * The parameters and addresses are read back from the chain, so the file describes what is deployed
 * (also when Ignition resumes or reuses an earlier deployment with the same id).
 *
 * `--dictionary default|none|<file>` (the CLI: `default` unless told) binds the compressed items' dictionary (protocol.md §7.7, deploy/dictionary.ts):
 * a FlzDictionary contract (`contracts.FlzDictionary` in the record) set with Inbox.setDictionary before the provers
 * lock; read back after the deploy like the parameters.
 *
 * Ignition runs in this process through the Hardhat runtime (hre.ignition.deploy): `npx hardhat ignition
 * deploy` only accepts module files under ignition/modules. Its journal goes to
 * ignition/deployments/<deployment id> (default `moveset-<network>-<chainId>`, git-ignored), so an
 * interrupted deploy resumes; a journal whose contracts are not on the chain is set aside on a local node
 * (restarted: its chain id stays 31337) and refused elsewhere (deploy/journal.ts); `--reset` wipes it.
 *
 * Local nodes on another port: `--rpc-url http://127.0.0.1:<port>` replaces the URL of the chosen HTTP
 * network (normally `localhost`) for this run.
 * Sepolia: hardhat.config.ts defines `sepolia` from SEPOLIA_RPC_URL and SEPOLIA_PRIVATE_KEY (environment, or
 * `npx hardhat vars set NAME`); without them the command stops with a message naming both.
 */
import * as fs from "fs";
import * as path from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { MovesetParameters } from "./Moveset";
import { bondsForGasPrice } from "../core/game/bonds";
import type { DeploymentRecord } from "../node/config";
import { DictionaryError, resolveDictionary } from "./dictionary";
import { bytesToHex, hexToBytes } from "../core/bytes";
import { MAX_FLZ_DICT_BYTES } from "../core/flz";

export type { DeploymentRecord };

const ROOT = path.resolve(__dirname, "..");

/** The parameter names of the Ignition module (deploy/Moveset.ts). */
export const PARAMETER_NAMES = [
  "l2ChainId", "bondSize", "challengeWindow", "inclusionDelay", "rewardBps", "maxDepositsPerBatch", "minBaseFee", "maxClockDuration", "clockExtension", "gameGasPrice",
] as const;
type ParameterName = (typeof PARAMETER_NAMES)[number];

/** Upper bound of maxDepositsPerBatch: Inbox.MAX_DEPOSITS_PER_BATCH_CAP (the contract enforces it; checked here to fail early). */
export const MAX_DEPOSITS_PER_BATCH_CAP = 512n;

/** An error whose message is the whole story (printed without a stack trace). */
export class DeployError extends Error {}

export interface DeployOptions {
  network: string;
  /** Ignition parameters file: { "Moveset": { name: value } } or a flat { name: value }. */
  params?: string;
  challengeWindow?: bigint;
  bond?: bigint;
  inclusionDelay?: bigint;
  maxDepositsPerBatch?: bigint;
  /** Lowest L2 base fee (wei per gas). */
  minBaseFee?: bigint;
  /** The dispute game's chess clock and its extension (seconds). */
  maxClockDuration?: bigint;
  clockExtension?: bigint;
  /** The L1 gas price (wei) the game's bonds are sized for. */
  gameGasPrice?: bigint;
  /** Replaces the network's JSON-RPC URL for this run. */
  rpcUrl?: string;
  deploymentId?: string;
  /** Wipe the Ignition journal of this deployment id first. */
  reset?: boolean;
  /** Folder of <network>.json (default: <project>/deployments). */
  out?: string;
  /** Write the record to this file instead of <out>/<network>.json (the devnet: its datadir's). */
  file?: string;
  /** Folder of the Ignition journals instead of the project's ignition/ (the devnet keeps its own in its datadir). */
  ignitionDir?: string;
  /** Confirmations Ignition waits for each transaction (default Ignition's: 1 on an automining node, else 5). */
  confirmations?: number;
  /** No Ignition progress display, no messages on stdout/stderr (the devnet logs instead). */
  quiet?: boolean;
  /**
   * The compressed items' dictionary to bind (protocol.md §7.7, deploy/dictionary.ts): `default` (the shipped
   * deploy/flz-dictionary.hex), `none`, or a file of hex; or its bytes (the anvil devnet). Absent: none.
   */
  dictionary?: string | Uint8Array;
}

/** A nonnegative whole number, decimal or 0x-hex (a trailing `n` is accepted, as Ignition writes bigints). */
export function parseUint(v: unknown, what: string): bigint {
  let s = typeof v === "number" || typeof v === "bigint" ? String(v) : typeof v === "string" ? v.trim() : "";
  if (/^\d+n$/.test(s)) s = s.slice(0, -1);
  if (typeof v === "number" && !Number.isSafeInteger(v)) throw new DeployError(`${what}: ${v} is not a safe integer; write it as a string`);
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(s)) throw new DeployError(`${what}: expected a nonnegative whole number, got ${JSON.stringify(v)}`);
  return BigInt(s);
}

/** Reads a parameters file: Ignition's { "<module id>": {...} } shape or a flat object. Unknown names are refused. */
export function readParametersFile(file: string, moduleId: string): Partial<MovesetParameters> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new DeployError(`cannot read parameters file ${file}: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new DeployError(`${file}: expected a JSON object`);
  let obj = raw as Record<string, unknown>;
  if (moduleId in obj && typeof obj[moduleId] === "object" && obj[moduleId] !== null) {
    const others = Object.keys(obj).filter((k) => k !== moduleId && k !== "$global");
    if (others.length > 0) throw new DeployError(`${file}: unknown module(s) ${others.join(", ")} (expected only "${moduleId}")`);
    obj = { ...((obj.$global as Record<string, unknown>) ?? {}), ...(obj[moduleId] as Record<string, unknown>) };
  }
  const out: Partial<MovesetParameters> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!(PARAMETER_NAMES as readonly string[]).includes(k)) throw new DeployError(`${file}: unknown parameter "${k}" (known: ${PARAMETER_NAMES.join(", ")})`);
    out[k as ParameterName] = parseUint(v, `${file}: ${k}`);
  }
  return out;
}

/** Defaults, then the parameters file, then the command-line flags. */
export function resolveParameters(defaults: MovesetParameters, o: DeployOptions, moduleId: string): MovesetParameters {
  const p: MovesetParameters = { ...defaults, ...(o.params ? readParametersFile(o.params, moduleId) : {}) };
  if (o.challengeWindow !== undefined) p.challengeWindow = o.challengeWindow;
  if (o.bond !== undefined) p.bondSize = o.bond;
  if (o.inclusionDelay !== undefined) p.inclusionDelay = o.inclusionDelay;
  if (o.maxDepositsPerBatch !== undefined) p.maxDepositsPerBatch = o.maxDepositsPerBatch;
  if (o.minBaseFee !== undefined) p.minBaseFee = o.minBaseFee;
  if (o.maxClockDuration !== undefined) p.maxClockDuration = o.maxClockDuration;
  if (o.clockExtension !== undefined) p.clockExtension = o.clockExtension;
  if (o.gameGasPrice !== undefined) p.gameGasPrice = o.gameGasPrice;
  // The contract checks these too; failing here saves a reverted deployment transaction.
  if (p.l2ChainId === 0n || p.l2ChainId >= 1n << 64n) throw new DeployError(`l2ChainId must be in 1..2^64-1, got ${p.l2ChainId}`);
  if (p.bondSize === 0n || p.bondSize >= 1n << 128n) throw new DeployError(`bondSize must be in 1..2^128-1 wei, got ${p.bondSize}`);
  if (p.challengeWindow === 0n || p.challengeWindow >= 1n << 64n) throw new DeployError(`challengeWindow must be in 1..2^64-1 seconds, got ${p.challengeWindow}`);
  if (p.inclusionDelay >= 1n << 64n) throw new DeployError(`inclusionDelay must be below 2^64 seconds, got ${p.inclusionDelay}`);
  if (p.rewardBps > 10_000n) throw new DeployError(`rewardBps must be at most 10000, got ${p.rewardBps}`);
  if (p.maxDepositsPerBatch === 0n || p.maxDepositsPerBatch > MAX_DEPOSITS_PER_BATCH_CAP)
    throw new DeployError(`maxDepositsPerBatch must be in 1..${MAX_DEPOSITS_PER_BATCH_CAP}, got ${p.maxDepositsPerBatch}`);
  if (p.minBaseFee === 0n || p.minBaseFee >= 1n << 128n) throw new DeployError(`minBaseFee must be in 1..2^128-1 wei, got ${p.minBaseFee}`);
  if (p.maxClockDuration === 0n || p.maxClockDuration >= 1n << 64n) throw new DeployError(`maxClockDuration must be in 1..2^64-1 seconds, got ${p.maxClockDuration}`);
  if (p.clockExtension === 0n || 2n * p.clockExtension > p.maxClockDuration)
    throw new DeployError(`clockExtension must be in 1..maxClockDuration/2 (${p.maxClockDuration / 2n}) seconds, got ${p.clockExtension}`);
  if (p.gameGasPrice === 0n) throw new DeployError("gameGasPrice must be at least 1 wei");
  try {
    bondsForGasPrice(p.gameGasPrice);
  } catch (e) {
    throw new DeployError(`gameGasPrice ${p.gameGasPrice}: ${(e as Error).message}`);
  }
  return p;
}

const SEPOLIA_VARS = ["SEPOLIA_RPC_URL", "SEPOLIA_PRIVATE_KEY"];
const sepoliaHelp = () =>
  `the sepolia network needs ${SEPOLIA_VARS.join(" and ")}: export them in the environment, ` +
  `or store them with \`npx hardhat vars set SEPOLIA_RPC_URL\` and \`npx hardhat vars set SEPOLIA_PRIVATE_KEY\``;

/** Loads the Hardhat runtime of this project on `network`. */
function loadHardhat(network: string): HardhatRuntimeEnvironment {
  process.env.HARDHAT_NETWORK = network;
  if (!process.env.HARDHAT_CONFIG) process.env.HARDHAT_CONFIG = path.join(ROOT, "hardhat.config.ts");
  let hre: HardhatRuntimeEnvironment;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    hre = require("hardhat");
  } catch (e) {
    const msg = (e as Error).message;
    if (network === "sepolia" && /network|HH100/i.test(msg)) throw new DeployError(`network sepolia is not configured: ${sepoliaHelp()}`);
    if (/HH100|doesn't exist/i.test(msg)) throw new DeployError(`unknown network "${network}": not defined in hardhat.config.ts`);
    throw e;
  }
  if (network === "sepolia") {
    const accounts = (hre.network.config as { accounts?: unknown }).accounts;
    if (!Array.isArray(accounts) || accounts.length === 0) throw new DeployError(`SEPOLIA_PRIVATE_KEY is not set: ${sepoliaHelp()}`);
  }
  return hre;
}

/** The dictionary `--dictionary <spec>` names (deploy/dictionary.ts), its errors DeployErrors. */
function deployDictionary(spec: string | Uint8Array | undefined): Uint8Array | undefined {
  if (spec === undefined) return undefined;
  if (spec instanceof Uint8Array) {
    if (spec.length === 0 || spec.length > MAX_FLZ_DICT_BYTES) throw new DeployError(`a dictionary of ${spec.length} bytes: it must be 1 to ${MAX_FLZ_DICT_BYTES}`);
    return spec;
  }
  try {
    return resolveDictionary(spec);
  } catch (e) {
    if (e instanceof DictionaryError) throw new DeployError(e.message);
    throw e;
  }
}

/** Deploys (or resumes) the module and writes <out>/<network>.json; returns what it wrote. */
export async function runDeploy(o: DeployOptions): Promise<DeploymentRecord> {
  if (!/^[A-Za-z0-9_-]+$/.test(o.network)) throw new DeployError(`invalid network name "${o.network}"`);
  if (o.network === "hardhat") throw new DeployError(`"hardhat" is an in-process network that ends with this command; start \`npx hardhat node\` and use --network localhost`);
  const outDir = path.resolve(o.out ?? path.join(ROOT, "deployments"));
  const paramsFile = o.params ? path.resolve(o.params) : undefined;
  // Before anything is reached: a bad dictionary fails with no network.
  const dictionary = deployDictionary(o.dictionary);

  const hre = loadHardhat(o.network);
  if (o.ignitionDir) hre.config.paths.ignition = path.resolve(o.ignitionDir);
  if (o.confirmations !== undefined) hre.config.ignition.requiredConfirmations = o.confirmations;
  const say: (line: string, err?: boolean) => void = o.quiet ? () => undefined : (line, err) => (err ? console.error(line) : console.log(line));
  const { DEFAULT_PARAMETERS, MODULE_ID, PROVERS, ignitionParameters, default: defaultModule, movesetModule: buildModule, genesisParameters } = await import("./Moveset");
  const parameters = resolveParameters({ ...DEFAULT_PARAMETERS }, { ...o, params: paramsFile }, MODULE_ID);
  const movesetModule = dictionary ? buildModule(MODULE_ID, PROVERS, { dictionary: bytesToHex(dictionary) }) : defaultModule;

  if (o.rpcUrl) {
    const net = hre.config.networks[o.network] as { url?: string };
    if (typeof net.url !== "string") throw new DeployError(`--rpc-url needs an HTTP network; "${o.network}" has no url`);
    net.url = o.rpcUrl;
  }

  let chainId: bigint;
  try {
    chainId = (await hre.ethers.provider.getNetwork()).chainId;
  } catch (e) {
    const url = (hre.config.networks[o.network] as { url?: string }).url;
    throw new DeployError(`cannot reach network ${o.network}${url ? ` at ${url}` : ""}: ${(e as Error).message}`);
  }
  const [signer] = await hre.ethers.getSigners();
  if (!signer) throw new DeployError(`network ${o.network} has no account to deploy from`);

  await hre.run("compile", { quiet: true });

  const deploymentId = o.deploymentId ?? `moveset-${o.network}-${chainId}`;
  if (!/^[A-Za-z0-9_-]+$/.test(deploymentId)) throw new DeployError(`invalid deployment id "${deploymentId}"`);
  const journal = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  if (o.reset) fs.rmSync(journal, { recursive: true, force: true });
  else {
    const { checkJournal } = await import("./journal");
    const v = await checkJournal(journal, o.network, chainId, (a) => hre.ethers.provider.getCode(a));
    if (v.action === "refuse") throw new DeployError(v.message);
    if (v.action === "restart") {
      say(`moveset deploy: ${v.message}`, true);
      fs.rmSync(journal, { recursive: true, force: true });
    }
  }

  say(`deploying to ${o.network} (chain ${chainId}) from ${signer.address}, deployment id ${deploymentId}`, true);
  let deployed: Record<string, unknown>;
  try {
    deployed = await hre.ignition.deploy(movesetModule, {
      // The predeploys of the chain id deployed, committed in the Inbox (protocol.md §7.6).
      parameters: { [MODULE_ID]: { ...ignitionParameters(parameters), ...genesisParameters(parameters.l2ChainId) } },
      deploymentId,
      displayUi: !o.quiet,
    });
  } catch (e) {
    const msg = (e as Error).message;
    const hint = /reconcil/i.test(msg)
      ? `\n(the Ignition journal ${journal} describes another deployment: use --reset to start over, or another --deployment-id)`
      : `\n(the journal in ${journal} lets a re-run resume)`;
    throw new DeployError(`Ignition deployment ${deploymentId} failed: ${msg}${hint}`);
  }

  const contracts: Record<string, string> = {};
  for (const [name, c] of Object.entries(deployed)) contracts[name] = await (c as { getAddress(): Promise<string> }).getAddress();
  const inbox = await hre.ethers.getContractAt("Inbox", contracts.Inbox);
  const bridge = await hre.ethers.getContractAt("Bridge", contracts.Bridge);
  const game = await hre.ethers.getContractAt("DisputeGame", contracts.DisputeGame);

  // Read back what is deployed (Ignition may have reused an earlier deployment under this id).
  const onChain: MovesetParameters = {
    l2ChainId: await inbox.l2ChainId(),
    bondSize: await inbox.bondSize(),
    challengeWindow: await inbox.challengeWindow(),
    inclusionDelay: await inbox.inclusionDelay(),
    rewardBps: await inbox.rewardBps(),
    maxDepositsPerBatch: await inbox.maxDepositsPerBatch(),
    minBaseFee: await inbox.minBaseFee(),
    maxClockDuration: await game.maxClockDuration(),
    clockExtension: await game.clockExtension(),
    gameGasPrice: parameters.gameGasPrice, // not on chain: the bonds it gives are compared below
  };
  const bonds: bigint[] = [];
  for (let d = 1n; d <= (await game.maxDepth()); d++) bonds.push(await game.bondAt(d));
  const asked = bondsForGasPrice(parameters.gameGasPrice);
  if (bonds.join() !== asked.join())
    throw new DeployError(`deployment ${deploymentId} already exists with other game bonds (asked for gameGasPrice ${parameters.gameGasPrice}); use --reset or another --deployment-id`);
  if ((await inbox.game()).toLowerCase() !== contracts.DisputeGame.toLowerCase()) throw new DeployError(`Inbox ${contracts.Inbox} does not list DisputeGame ${contracts.DisputeGame}`);
  for (const k of PARAMETER_NAMES)
    if (onChain[k] !== parameters[k])
      throw new DeployError(
        `deployment ${deploymentId} already exists with ${k} = ${onChain[k]} (asked for ${parameters[k]}); use --reset or another --deployment-id`,
      );
  // The dictionary bound is the one asked for (a deployment reused under this id may have another, or none).
  const holder = String(await inbox.dictionary());
  const boundDict = /^0x0{40}$/i.test(holder) ? undefined : hexToBytes((await hre.ethers.provider.getCode(holder)) as `0x${string}`).subarray(1);
  if ((boundDict ? bytesToHex(boundDict) : "none") !== (dictionary ? bytesToHex(dictionary) : "none"))
    throw new DeployError(
      `deployment ${deploymentId} already exists with ${boundDict ? `a dictionary of ${boundDict.length} bytes` : "no dictionary"} (asked for ${dictionary ? `one of ${dictionary.length} bytes` : "none"}); use --reset or another --deployment-id`,
    );
  const bound = await bridge.inbox();
  if (bound.toLowerCase() !== contracts.Inbox.toLowerCase()) throw new DeployError(`Bridge ${contracts.Bridge} is bound to ${bound}, not to Inbox ${contracts.Inbox}`);
  const deployedAt = Number(await bridge.deployedAtBlock());

  const record: DeploymentRecord = {
    network: o.network,
    chainId: Number(chainId),
    l2ChainId: Number(onChain.l2ChainId),
    contracts,
    parameters: {
      l2ChainId: Number(onChain.l2ChainId),
      bondSize: onChain.bondSize.toString(),
      challengeWindow: Number(onChain.challengeWindow),
      inclusionDelay: Number(onChain.inclusionDelay),
      rewardBps: Number(onChain.rewardBps),
      maxDepositsPerBatch: Number(onChain.maxDepositsPerBatch),
      minBaseFee: onChain.minBaseFee.toString(),
      genesisRoot: (await inbox.genesisRoot()).toLowerCase(),
      genesisCount: Number(await inbox.genesisCount()),
      maxClockDuration: Number(onChain.maxClockDuration),
      clockExtension: Number(onChain.clockExtension),
      gameBonds: bonds.map(String),
    },
    deployedAt,
    deploymentId,
    deployer: await inbox.deployer(),
  };
  const file = o.file ? path.resolve(o.file) : path.join(outDir, `${o.network}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  say(`wrote ${file}`);
  for (const [name, a] of Object.entries(contracts)) say(`  ${name.padEnd(12)} ${a}`);
  return record;
}
