/**
 * The whole local system. `startDevnet` (`moveset devnet`, `npm start`): an in-process L1 (the Hardhat network, served on
 * JSON-RPC at 127.0.0.1:8545; or with `l1: "anvil"` anvil as a child process, node/devnet/anvil.ts, the L1 that takes
 * blob transactions), the contracts deployed with the project's Ignition module
 * (deploy/Moveset.ts) with a challenge window of a few seconds, the coordinator (dev account #0)
 * bonded, Hardhat's default dev accounts funded on L2 through L1 deposits, then `startNode`
 * (node/node.ts) with a
 * verifier, the L2 RPC on 127.0.0.1:8547. The datadir keeps the L2 state and an L1 journal
 * (node/devnet/journal.ts) or anvil's state file, so a restart resumes.
 */
import { postBlobDataFault, postInvalidBatch, type DevnetByzantineKind } from "./byzantine";
import { DEVNET_L1S, DevnetOptionError, startAnvil, type AnvilL1, type DevnetL1 } from "./anvil";
import * as fs from "fs";
import * as path from "path";
import { JsonRpcProvider, Wallet, Network } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { dataPaths, deploymentFromRecord, DEVNET_CORS, type Deployment, type DeploymentRecord, type RpcOptions } from "../config";
import { bridgeAt, inboxAt } from "../l1/contracts";
import { L1Journal, type Request } from "./journal";
import { componentLogger, errMsg, rootLogger, type Logger } from "../log";
import { startNode, type NodeHandle } from "../node";
import { bondsForGasPrice } from "../../core/game/bonds";
import { bytesToHex } from "../../core/bytes";
import { LyingPlayer } from "./liar";
import type { MovesetParameters } from "../../deploy/Moveset";
import { DatadirInUseError } from "../datadir";
import { readDevnetInfo, removeDevnetInfo, writeDevnetInfo } from "./info";

// ---- the devnet ---------------------------------------------------------------------------------------

export { DEV_MNEMONIC, devAccounts } from "./accounts";
import { DEV_MNEMONIC, devAccounts } from "./accounts";

export { DevnetOptionError, DEVNET_L1S, type DevnetL1 };

export interface DevnetOptions extends DeployParams {
  datadir: string;
  /** Which L1 (default hardhat). anvil takes blob transactions and serves blobs back; Hardhat 2's network does not. */
  l1?: DevnetL1;
  l1Host?: string;
  l1Port?: number;
  rpcHost?: string;
  rpcPort?: number;
  /** How many dev accounts get L2 funds, and how much each. */
  accounts?: number;
  fund?: bigint;
  batchIntervalMs?: number;
  verifierWorkers?: number;
  /** Wipe the datadir first. */
  fresh?: boolean;
  /** The Hardhat runtime to use (tests pass theirs; then no L1 journal is kept). */
  hre?: HardhatRuntimeEnvironment;
  log?: Logger;
  /** Watchtower hook (issue #5): start a watchtower (default dev account #1). Default: MOVESET_DEVNET_WATCH=1 (set by `moveset devnet` unless --no-watch). */
  watch?: boolean | DevnetWatchOptions;
  /**
   * Post one invalid batch of this kind among the honest ones (from dev account #2), for the watchtower to win; or
   * (`false-challenge`) dispute an honest transaction from dev account #3 and play the game dishonestly.
   */
  byzantine?: DevnetByzantineKind;
  /** Where the coordinator posts batches (node/coordinator/post-mode.ts; default calldata on Hardhat's L1, which keeps no blob bytes; blob on anvil). */
  postMode?: import("../coordinator/post-mode").PostMode;
  /** L2 JSON-RPC limits and policy (host and port come from rpcHost/rpcPort); CORS defaults to DEVNET_CORS. */
  rpc?: Partial<RpcOptions>;
  /** Serve the explorer on this port (0: any free port; undefined: no explorer), on rpcHost. */
  explorerPort?: number;
  /**
   * Mine an L1 block every this many ms even without transactions, so that L1's clock (and with it
   * finality) follows the wall clock. `moveset devnet` uses 1000; undefined or 0: blocks only for
   * transactions (tests that move time themselves).
   */
  l1BlockTimeMs?: number;
  /**
   * Compressed items (protocol.md §7.7): a new deployment binds the shipped dictionary (deploy/flz-dictionary.hex),
   * and the coordinator then posts each item compressed where that is shorter. On unless false (false: no
   * dictionary, every item raw). A kept deployment keeps what it was deployed with. `dictionary` names another one (false: none).
   */
  compress?: boolean;
}

export interface DevnetHandle {
  l1Url: string;
  rpcUrl: string;
  deployment: Deployment;
  record: DeploymentRecord;
  accounts: { address: string; privateKey: string }[];
  node: NodeHandle;
  replayed?: { blocks: number; hashMismatches: number };
  /** The devnet's watchtower (watchtower hook, issue #5). */
  watchtower?: import("../watchtower/watchtower").Watchtower;
  /** The explorer's URL, when it runs. */
  explorerUrl?: string;
  explorer?: import("../explorer").NodeExplorer;
  /** Which L1 runs, and (anvil) its process id. */
  l1: DevnetL1;
  l1Pid?: number;
  /** Settles with what happened if the L1 (anvil) dies while the devnet runs: the devnet cannot go on. */
  l1Died?: Promise<string>;
  stop(): Promise<void>;
}

/** This process's Hardhat runtime on its in-process network ("hardhat"), with the project's config. */
export function loadHardhat(): HardhatRuntimeEnvironment {
  process.env.HARDHAT_NETWORK = "hardhat";
  if (!process.env.HARDHAT_CONFIG) process.env.HARDHAT_CONFIG = path.join(__dirname, "..", "..", "hardhat.config.ts");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("hardhat") as HardhatRuntimeEnvironment;
}

/**
 * Serves the Hardhat network of `hre` on JSON-RPC (what `npx hardhat node` does, in this process).
 * With `journal`, the signed bytes of every transaction sent raw are handed to it as sent.
 */
export async function startL1Server(hre: HardhatRuntimeEnvironment, host: string, port: number, journal?: L1Journal): Promise<{ url: string; close(): Promise<void> }> {
  const { TASK_NODE_CREATE_SERVER } = await import("hardhat/builtin-tasks/task-names");
  const provider = journal ? journal.watchRawSends(hre.network.provider) : hre.network.provider;
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: host, port, provider })) as {
    listen(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  let addr: { address: string; port: number };
  try {
    // Hardhat's listen() never rejects: a busy port is an 'error' event on its HTTP server.
    const inner = server as unknown as { _httpServer?: import("events").EventEmitter; _wsServer?: import("events").EventEmitter };
    addr = await new Promise((resolve, reject) => {
      inner._httpServer?.once("error", reject);
      inner._wsServer?.once("error", reject);
      server.listen().then((a) => {
        inner._httpServer?.off("error", reject);
        inner._wsServer?.off("error", reject);
        resolve(a);
      }, reject);
    });
  } catch (e) {
    throw new Error(`cannot serve L1 on ${host}:${port}: ${errMsg(e)}`, { cause: e });
  }
  return { url: `http://${addr.address}:${addr.port}`, close: () => server.close() };
}

export interface DeployParams {
  l2ChainId?: bigint;
  challengeWindow?: bigint;
  inclusionDelay?: bigint;
  bondSize?: bigint;
  maxDepositsPerBatch?: bigint;
  /** Lowest L2 base fee (wei per gas; default the module's, 1 gwei). */
  minBaseFee?: bigint;
  /** The dispute game's chess clock and its extension (seconds; devnet defaults 60 and 5). */
  maxClockDuration?: bigint;
  clockExtension?: bigint;
  /** The L1 gas price its bonds are sized for (devnet default 1 gwei). */
  gameGasPrice?: bigint;
  /** Fraud provers to deploy and register (default: the module's production list). Tests pass ["TestProver"]. */
  provers?: string[];
  /** The compressed items' dictionary to bind (protocol.md §7.7, at most 8,192 bytes); undefined: none. */
  dictionary?: Uint8Array;
}

/** The devnet's dispute game: clocks of a minute (seconds of extension) and bonds sized for 1 gwei. */
export const DEVNET_GAME = { maxClockDuration: 60n, clockExtension: 5n, gameGasPrice: 10n ** 9n } as const;

/** Deploys the contracts with the project's Ignition module on `hre`'s network; returns the deployment record. */
export async function deployMoveset(hre: HardhatRuntimeEnvironment, p: DeployParams, deployer: string): Promise<DeploymentRecord> {
  const { movesetModule, DEFAULT_PARAMETERS, MODULE_ID, PROVERS, ignitionParameters, genesisParameters } = await import("../../deploy/Moveset");
  const params: MovesetParameters = {
    ...DEFAULT_PARAMETERS,
    l2ChainId: p.l2ChainId ?? DEFAULT_PARAMETERS.l2ChainId,
    challengeWindow: p.challengeWindow ?? 5n,
    inclusionDelay: p.inclusionDelay ?? 60n,
    bondSize: p.bondSize ?? 10n ** 18n,
    maxDepositsPerBatch: p.maxDepositsPerBatch ?? DEFAULT_PARAMETERS.maxDepositsPerBatch,
    minBaseFee: p.minBaseFee ?? DEFAULT_PARAMETERS.minBaseFee,
    maxClockDuration: p.maxClockDuration ?? DEVNET_GAME.maxClockDuration,
    clockExtension: p.clockExtension ?? DEVNET_GAME.clockExtension,
    gameGasPrice: p.gameGasPrice ?? DEVNET_GAME.gameGasPrice,
  };
  // The predeploys of the chain (protocol.md §7.6), committed in the Inbox.
  const genesis = genesisParameters(params.l2ChainId);
  const request: Request = (method, params) => hre.network.provider.request({ method, params: params ?? [] });
  const startBlock = Number(await request("eth_blockNumber")) + 1;
  const l1ChainId = BigInt((await request("eth_chainId")) as string);
  // A fresh module object per call: Ignition refuses to deploy the same module instance twice in one process.
  const module = movesetModule(MODULE_ID, p.provers ?? PROVERS, p.dictionary ? { dictionary: bytesToHex(p.dictionary) } : {});
  const deployed = (await (hre as unknown as { ignition: { deploy: (m: unknown, o: unknown) => Promise<Record<string, { getAddress(): Promise<string> }>> } }).ignition.deploy(module, {
    parameters: { [MODULE_ID]: { ...ignitionParameters(params), ...genesis } },
    displayUi: false,
  })) as Record<string, { getAddress(): Promise<string> }>;
  const contracts: Record<string, string> = {};
  for (const [name, c] of Object.entries(deployed)) contracts[name] = await c.getAddress();
  return {
    network: "devnet",
    chainId: Number(l1ChainId),
    l2ChainId: Number(params.l2ChainId),
    contracts,
    parameters: {
      l2ChainId: Number(params.l2ChainId),
      bondSize: params.bondSize.toString(),
      challengeWindow: Number(params.challengeWindow),
      inclusionDelay: Number(params.inclusionDelay),
      rewardBps: Number(params.rewardBps),
      maxDepositsPerBatch: Number(params.maxDepositsPerBatch),
      minBaseFee: params.minBaseFee.toString(),
      genesisRoot: genesis.genesisRoot,
      genesisCount: Number(genesis.genesisCount),
      maxClockDuration: Number(params.maxClockDuration),
      clockExtension: Number(params.clockExtension),
      gameBonds: bondsForGasPrice(params.gameGasPrice).map(String),
    },
    deployedAt: startBlock,
    deploymentId: "moveset-devnet",
    deployer,
  };
}

/** Bonds the devnet coordinator for this many batches in flight at once (each live, non-final batch locks one bond). */
export const DEVNET_BONDS = 64n;

/**
 * Bonds `poster` up to `bonds` × bondSize (if it holds less) and deposits `fund` for every account
 * from its own L1 balance (those not yet queued).
 */
export async function bondAndFund(l1: JsonRpcProvider, deployment: Deployment, poster: string, accounts: { address: string; privateKey: string }[], fund: bigint, log?: Logger, bonds = DEVNET_BONDS): Promise<void> {
  const inbox = inboxAt(deployment.inbox, new Wallet(poster, l1));
  const posterAddr = new Wallet(poster).address;
  const want = bonds * deployment.bondSize;
  const held = await inbox.bondOf(posterAddr);
  if (held < want) {
    await (await inbox.bond({ value: want - held })).wait();
    log?.info({ poster: posterAddr, bond: want, batches: bonds }, "coordinator bonded");
  }
  const queued = Number(await bridgeAt(deployment.bridge, l1).depositCount());
  for (let i = queued; i < accounts.length; i++) {
    const bridge = bridgeAt(deployment.bridge, new Wallet(accounts[i].privateKey, l1));
    await (await bridge.deposit(accounts[i].address, { value: fund })).wait();
  }
  if (queued < accounts.length) log?.info({ accounts: accounts.length - queued, each: fund }, "dev accounts funded through L1 deposits");
}

/**
 * The devnet's challenge window unless one is asked for: 5 s, and 30 s with `--byzantine blob`, whose proof (a commit,
 * then a reveal carrying the 128 KB blob and a KZG proof computed first) takes its watchtower several L1 blocks and,
 * on a busy machine, more than 5 s.
 */
export function devnetChallengeWindow(o: Pick<DevnetOptions, "byzantine">): bigint {
  return o.byzantine === "blob" ? 30n : 5n;
}

/** Checks the devnet's options that do not depend on L1 (typed errors, before anything starts). */
export function checkDevnetOptions(o: Pick<DevnetOptions, "l1" | "byzantine" | "hre">): DevnetL1 {
  const l1 = o.l1 ?? "hardhat";
  if (!(DEVNET_L1S as readonly string[]).includes(l1)) throw new DevnetOptionError(`unknown L1 "${l1}": choose one of ${DEVNET_L1S.join(", ")}`);
  if (o.byzantine === "blob" && l1 !== "anvil")
    throw new DevnetOptionError("--byzantine blob posts a batch in a blob, which Hardhat's L1 does not take: run it with --l1 anvil");
  if (l1 === "anvil" && o.hre) throw new DevnetOptionError("an anvil L1 runs in its own process: a Hardhat runtime cannot be passed");
  return l1;
}

export async function startDevnet(o: DevnetOptions): Promise<DevnetHandle> {
  const log = o.log ?? rootLogger();
  const dlog = componentLogger("devnet", log);
  const paths = dataPaths(o.datadir);
  const l1Kind = checkDevnetOptions(o);
  // Before anything touches the datadir (--fresh would wipe a running devnet's).
  const running = readDevnetInfo(o.datadir);
  if (running && running.pid !== process.pid) throw new DatadirInUseError(o.datadir, running.pid);
  if (o.fresh) fs.rmSync(paths.root, { recursive: true, force: true });
  fs.mkdirSync(paths.root, { recursive: true });
  const kept = fs.existsSync(paths.deployment) ? (JSON.parse(fs.readFileSync(paths.deployment, "utf8")) as DeploymentRecord) : undefined;
  const keptL1: DevnetL1 = kept?.l1 === "anvil" ? "anvil" : "hardhat";
  if (kept && keptL1 !== l1Kind) throw new DevnetOptionError(`the devnet in ${paths.root} runs on ${keptL1}'s L1: start it with --l1 ${keptL1}, or start over with --fresh`);

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e) => dlog.error({ err: errMsg(e) }, "while stopping"));
  };
  let l1Url: string;
  let anvil: AnvilL1 | undefined;
  let hre: HardhatRuntimeEnvironment | undefined;
  let replayed: { blocks: number; hashMismatches: number } | undefined;
  if (l1Kind === "anvil") {
    anvil = await startAnvil({ host: o.l1Host ?? "127.0.0.1", port: o.l1Port ?? 8545, stateFile: paths.anvilState, accounts: o.accounts ?? 20, blockTimeMs: o.l1BlockTimeMs ?? 0, log: dlog });
    stops.push(() => anvil!.stop());
    l1Url = anvil.url;
  } else {
    const started = await startHardhatL1(o, paths, dlog, stops);
    ({ l1Url, hre, replayed } = started);
  }

  try {
    const l1 = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    stops.push(async () => l1.destroy());
    const accounts = devAccounts(o.accounts ?? 20);
    const coordinatorKey = accounts[0].privateKey;

    let record: DeploymentRecord;
    // compress false: none, whatever `dictionary` says; else (the default) `dictionary` or the shipped one.
    const dictionary = o.compress === false ? undefined : (o.dictionary ?? (await import("../../deploy/dictionary")).defaultDictionary());
    if (kept && o.compress !== undefined) dlog.info({ compress: o.compress }, "a kept deployment keeps the dictionary it was deployed with (compressed items: protocol.md §7.7)");
    if (kept) {
      record = kept;
      if ((await l1.getCode(record.contracts.Inbox)) === "0x")
        throw new Error(`the Inbox of ${paths.deployment} is not on L1 (the L1 state was not restored); start over with --fresh`);
    } else if (hre) {
      dlog.info({}, "deploying the L1 contracts (Ignition)");
      record = await deployMoveset(hre, { ...o, dictionary }, accounts[0].address);
      fs.writeFileSync(paths.deployment, JSON.stringify(record, null, 2) + "\n");
    } else {
      dlog.info({}, "deploying the L1 contracts on anvil (Ignition, as `moveset deploy`)");
      record = await deployOnHttpL1(l1Url, { ...o, dictionary }, paths);
    }
    const deployment = deploymentFromRecord(record, paths.deployment);
    await bondAndFund(l1, deployment, coordinatorKey, accounts, o.fund ?? 1000n * 10n ** 18n, dlog);

    const postMode = o.postMode ?? (l1Kind === "anvil" ? "blob" : undefined);
    const node = await startNode({
      l1Url,
      deployment,
      key: coordinatorKey,
      datadir: o.datadir,
      rpc: { cors: DEVNET_CORS, ...(o.rpc ?? {}), host: o.rpcHost ?? "127.0.0.1", port: o.rpcPort ?? 8547 },
      coordinator: { batchIntervalMs: o.batchIntervalMs ?? 500, pollMs: 50, ...(postMode ? { postMode } : {}) },
      verifier: { confirmations: 0, pollMs: 250, workers: o.verifierWorkers ?? 1 },
      l1Clock: "pending",
      l1PollMs: 250,
      log,
    });
    stops.push(() => node.stop());

    // Ready once the deposits are on L2.
    const l2 = new JsonRpcProvider(node.rpcUrl, Network.from(deployment.l2ChainId), { staticNetwork: true });
    const deadline = Date.now() + 60_000;
    while (BigInt(await l2.getBalance(accounts[accounts.length - 1].address)) === 0n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    l2.destroy();

    const watchtower = await startDevnetWatchtower(o, l1Url, deployment, record, accounts, node, log);
    if (watchtower) stops.push(() => watchtower.stop());
    if (o.byzantine) scheduleByzantine(o.byzantine, l1Url, deployment, accounts, node, log, stops, o.datadir);

    let explorer: import("../explorer").NodeExplorer | undefined;
    if (o.explorerPort !== undefined) {
      const { startNodeExplorer } = await import("../explorer");
      explorer = await startNodeExplorer(node, record.contracts, { host: o.rpcHost ?? "127.0.0.1", port: o.explorerPort, log: componentLogger("explorer", log) });
      stops.push(() => explorer!.stop());
    }

    // The address card the CLI finds the devnet by (removed first when stopping).
    writeDevnetInfo(o.datadir, { pid: process.pid, l1Url, rpcUrl: node.rpcUrl, explorerUrl: explorer?.url, deployment: paths.deployment, startedAt: new Date().toISOString() });
    stops.push(async () => removeDevnetInfo(o.datadir));

    return { l1Url, rpcUrl: node.rpcUrl, deployment, record, accounts, node, replayed, watchtower, explorerUrl: explorer?.url, explorer, l1: l1Kind, l1Pid: anvil?.pid, l1Died: anvil?.died, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The Hardhat network in this process, served on JSON-RPC, its journal replayed (a restart) and recording. */
async function startHardhatL1(
  o: DevnetOptions,
  paths: ReturnType<typeof dataPaths>,
  dlog: Logger,
  stops: (() => Promise<void>)[],
): Promise<{ l1Url: string; hre: HardhatRuntimeEnvironment; replayed?: { blocks: number; hashMismatches: number } }> {
  const ownHre = !o.hre;
  const hre = o.hre ?? loadHardhat();
  const journal = ownHre ? L1Journal.open(paths.l1Journal) : undefined;
  if (ownHre) {
    const net = hre.config.networks.hardhat as unknown as { initialDate?: string; loggingEnabled: boolean; mining: { auto: boolean; interval: number; mempool: { order: string } } };
    net.loggingEnabled = false;
    net.mining = { ...net.mining, auto: true, interval: 0, mempool: { order: "fifo" } };
    const date = journal!.initialDate();
    if (date) net.initialDate = date;
    const { artifactsPresent } = await import("../l1/contracts");
    if (!artifactsPresent()) dlog.info({}, "compiling the contracts (first start: about a minute)");
    await hre.run("compile", { quiet: true });
  }
  const provider = hre.network.provider;
  const request: Request = (method, params) => provider.request({ method, params: params ?? [] });

  const l1Server = await startL1Server(hre, o.l1Host ?? "127.0.0.1", o.l1Port ?? 8545, journal);
  stops.push(() => l1Server.close());
  let replayed: { blocks: number; hashMismatches: number } | undefined;
  try {
    if (journal?.hasState) {
      dlog.info({ blocks: journal.blocks.length }, "replaying the L1 journal");
      replayed = await journal.replay(request, dlog);
      // Bring L1's clock back to now (the replay ends at the last recorded time).
      const last = journal.blocks.length ? journal.blocks[journal.blocks.length - 1].ts : journal.genesis!.ts;
      const now = Math.floor(Date.now() / 1000);
      if (now > last) await request("evm_mine", [now]);
      dlog.info(replayed, "L1 journal replayed");
    }
    if (journal) {
      await journal.startRecording(request, 200, dlog);
      stops.push(() => journal.stop(request));
    }
    if (o.l1BlockTimeMs) {
      // After the replay (which mines exactly the recorded blocks): from now on L1 has a block every interval.
      await request("evm_setIntervalMining", [o.l1BlockTimeMs]);
      if (!ownHre) stops.push(async () => void (await request("evm_setIntervalMining", [0])));
    }
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
    throw e;
  }
  return { l1Url: l1Server.url, hre, replayed };
}

/**
 * Deploys the contracts on an L1 served over HTTP (anvil) exactly as `moveset deploy` does (deploy/run.ts: Ignition
 * through the Hardhat runtime on the `localhost` network, its URL replaced), with the devnet's parameters; the
 * Ignition journal in the datadir (an interrupted deploy resumes, --fresh wipes it). The record is the devnet's.
 */
async function deployOnHttpL1(l1Url: string, p: DeployParams & Pick<DevnetOptions, "byzantine">, paths: ReturnType<typeof dataPaths>): Promise<DeploymentRecord> {
  const { runDeploy, DeployError } = await import("../../deploy/run");
  if (p.provers || p.l2ChainId !== undefined) throw new DevnetOptionError("the anvil devnet deploys the production provers on the default L2 chain id");
  let record: DeploymentRecord;
  try {
    record = await runDeploy({
      network: "localhost", rpcUrl: l1Url, deploymentId: "moveset-devnet", ignitionDir: path.join(paths.root, "l1", "ignition"), file: paths.deployment,
      confirmations: 1, quiet: true,
      challengeWindow: p.challengeWindow ?? devnetChallengeWindow(p), inclusionDelay: p.inclusionDelay ?? 60n, bond: p.bondSize ?? 10n ** 18n, maxDepositsPerBatch: p.maxDepositsPerBatch, minBaseFee: p.minBaseFee,
      maxClockDuration: p.maxClockDuration ?? DEVNET_GAME.maxClockDuration, clockExtension: p.clockExtension ?? DEVNET_GAME.clockExtension, gameGasPrice: p.gameGasPrice ?? DEVNET_GAME.gameGasPrice,
      ...(p.dictionary ? { dictionary: p.dictionary } : {}),
    });
  } catch (e) {
    if (e instanceof DeployError) throw new Error(`deploying on anvil: ${e.message}`, { cause: e });
    throw e;
  }
  // The devnet's record (the CLI knows dev accounts by it), and which L1 it is on (a restart must use the same).
  const own: DeploymentRecord = { ...record, network: "devnet", l1: "anvil" };
  fs.writeFileSync(paths.deployment, JSON.stringify(own, null, 2) + "\n");
  return own;
}

// ---- byzantine poster (issue #5) ----------------------------------------------------------------------

/**
 * A few seconds after start, dev account #2 posts one invalid batch of `kind` (node/devnet/byzantine.ts); for
 * `false-challenge`, dev account #3 sends an honest transfer, waits for its batch on L1 and disputes it, then plays the
 * game by a lying trace (node/devnet/liar.ts) until it loses.
 */
function scheduleByzantine(
  kind: DevnetByzantineKind,
  l1Url: string,
  deployment: Deployment,
  accounts: { address: string; privateKey: string }[],
  node: NodeHandle,
  log: Logger,
  stops: (() => Promise<void>)[],
  datadir: string,
): void {
  const l1 = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true });
  let liar: LyingPlayer | undefined;
  const run = async () => {
    if (kind === "blob") {
      const env = { l1, inbox: deployment.inbox, l2ChainId: deployment.l2ChainId, node, sender: accounts[3], recipient: accounts[4].address, posterKey: accounts[2].privateKey };
      const r = await postBlobDataFault(env, deployment, l1Url);
      log.warn({ event: "byzantine-batch", kind, index: r.index.toString(), headerHash: r.headerHash, l1Tx: r.l1TxHash, poster: accounts[2].address }, `byzantine: posted a blob batch whose blob does not give its declarations (data fault) at index ${r.index}`);
      return;
    }
    if (kind !== "false-challenge") {
      const r = await postInvalidBatch(kind, {
        l1,
        inbox: deployment.inbox,
        l2ChainId: deployment.l2ChainId,
        node,
        sender: accounts[3],
        recipient: accounts[4].address,
        posterKey: accounts[2].privateKey,
      });
      log.warn({ event: "byzantine-batch", kind, index: r.index.toString(), headerHash: r.headerHash, poster: accounts[2].address }, `byzantine: posted an invalid batch (${kind}) at index ${r.index}`);
      return;
    }
    const v = node.verifier;
    if (!v) throw new Error("false-challenge needs the node's verifier");
    liar = await LyingPlayer.start({ l1Url, deployment, key: accounts[3].privateKey, source: v, datadir: path.join(dataPaths(datadir).root, "byzantine"), mode: "challenge", log });
    const at = await falselyChallenge(liar, node, deployment, accounts[3], accounts[4].address);
    log.warn({ event: "byzantine-challenge", kind, batch: at.batch.toString(), txIndex: at.txIndex, game: at.game.toString(), challenger: accounts[3].address }, `byzantine: disputed transaction ${at.txIndex} of honest batch ${at.batch} (game ${at.game})`);
  };
  const timer = setTimeout(() => {
    run().catch((e) => log.error({ event: "byzantine-failed", kind, err: (e as Error).message }, "byzantine: failed"));
  }, 3000);
  stops.push(async () => {
    clearTimeout(timer);
    await liar?.stop();
    l1.destroy();
  });
}

/**
 * Sends an honest transfer from `from` on L2, waits until the node's verifier found its batch valid, and disputes it
 * with the liar. Returns where it is and the game.
 */
export async function falselyChallenge(
  liar: LyingPlayer,
  node: NodeHandle,
  deployment: Deployment,
  from: { address: string; privateKey: string },
  to: string,
): Promise<{ batch: bigint; txIndex: number; headerHash: string; game: bigint }> {
  const l2 = new JsonRpcProvider(node.rpcUrl, Network.from(deployment.l2ChainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  try {
    const rc = await (await new Wallet(from.privateKey, l2).sendTransaction({ to, value: 1n })).wait();
    const batch = BigInt(rc!.blockNumber) - 1n;
    const v = node.verifier!;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const b = v.batches().find((x) => x.index === batch && x.status !== "rolled back");
      if (b?.verdict === "valid") {
        const game = await liar.dispute(b.headerHash, rc!.index);
        return { batch, txIndex: rc!.index, headerHash: b.headerHash, game };
      }
      if (Date.now() > deadline) throw new Error(`batch ${batch} was not found valid in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    l2.destroy();
  }
}

// ---- watchtower hook (issue #5) ------------------------------------------------------------------------

export interface DevnetWatchOptions {
  /** Dev account index of the watchtower's key (default 1). */
  account?: number;
  confirmations?: number;
  metricsPort?: number;
}

async function startDevnetWatchtower(
  o: DevnetOptions,
  l1Url: string,
  deployment: Deployment,
  record: DeploymentRecord,
  accounts: { address: string; privateKey: string }[],
  node: NodeHandle,
  log: Logger,
): Promise<import("../watchtower/watchtower").Watchtower | undefined> {
  const on = o.watch ?? process.env.MOVESET_DEVNET_WATCH === "1";
  if (!on) return undefined;
  const wo: DevnetWatchOptions = typeof on === "object" ? on : {};
  const confirmations = wo.confirmations ?? 0;
  const { Watchtower } = await import("../watchtower/watchtower");
  return Watchtower.start({
    l1Url,
    deployment,
    contracts: record.contracts,
    key: accounts[wo.account ?? 1].privateKey,
    datadir: path.join(dataPaths(o.datadir).root, "watchtower"),
    confirmations,
    pollMs: 200,
    // The node's verifier (same process, same L1, same rules) when it waits as many confirmations: each batch is
    // validated once, not twice (issue #18: a second verifier was ~18% of the devnet's CPU under load).
    ...(node.verifier && node.verifier.confirmations === confirmations ? { verifier: node.verifier } : {}),
    // Off the devnet's main thread (which serves JSON-RPC) when the devnet's own verifier is.
    verifierWorkers: o.verifierWorkers === 0 ? 0 : 1,
    metricsPort: wo.metricsPort,
    log,
  });
}

/** The banner's examples, with dev account #k (none without a funded account besides the coordinator's). */
function tryLines(k: number): string[] {
  if (k < 1) return [];
  const c = (cmd: string, what: string) => `  ${cmd.replace("K", String(k)).padEnd(46)}${what}`;
  return [
    "Try (the commands find this devnet by themselves; --key N is dev account #N):",
    c("npx moveset deposit --amount 1 --key K", "L1 to L2"),
    c("npx moveset withdraw --amount 0.5 --key K", "L2 to L1, claimable once its batch is final"),
    c("npx moveset withdrawals --key K", "each withdrawal's status"),
    c("npx moveset claim --key K --wait", "claim on L1 (waits out the challenge window)"),
    c("npx moveset status", "batches and verdicts"),
    "",
  ];
}

/** The human summary `moveset devnet` prints. */
export function devnetBanner(d: DevnetHandle, datadir: string): string {
  const lines = [
    "",
    "moveset devnet is running",
    "",
    d.l1 === "anvil"
      ? `  L1 (anvil)            ${d.l1Url}   chain id ${d.deployment.l1ChainId}   (pid ${d.l1Pid}; batches posted in blobs unless --post-mode says otherwise)`
      : `  L1 (Hardhat network)  ${d.l1Url}   chain id ${d.deployment.l1ChainId}`,
    `  L2 (moveset RPC)      ${d.rpcUrl}   chain id ${d.deployment.l2ChainId}`,
    ...(d.explorerUrl ? [`  explorer              ${d.explorerUrl}   (batches, transactions and their moves, bridge, proofs and games)`] : []),
    `  Inbox                 ${d.deployment.inbox}`,
    `  Bridge                ${d.deployment.bridge}`,
    `  challenge window      ${d.deployment.challengeWindow} s`,
    `  withdrawal vault      0x7700000000000000000000000000000000000000 (send ETH there on L2, claim on L1 when final)`,
    `  data                  ${path.resolve(datadir)}`,
    "",
    `Accounts (mnemonic "${DEV_MNEMONIC}"), funded on L1 and L2; #0 is the coordinator:`,
    ...d.accounts.map((a, i) => `  #${String(i).padEnd(2)} ${a.address}  ${a.privateKey}`),
    "",
    ...tryLines(Math.min(5, d.accounts.length - 1)),
    "Press Ctrl-C to stop; run again with the same --datadir to resume.",
    "",
  ];
  return lines.join("\n");
}
