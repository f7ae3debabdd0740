/**
 * Running the node, and the whole local system.
 *
 * `startNode`: the L2 node against an L1 that exists: chain store and UTXO store in the datadir,
 * the coordinator (with a key it posts batches; without, it only follows L1), optionally a
 * verifier, and the JSON-RPC server.
 *
 * `startDevnet` (`moveset devnet`, `npm start`): an in-process L1 (the Hardhat network, served on
 * JSON-RPC at 127.0.0.1:8545), the contracts deployed with the project's Ignition module
 * (deploy/Moveset.ts) with a challenge window of a few seconds, the coordinator (dev account #0)
 * bonded, Hardhat's default dev accounts funded on L2 through L1 deposits, then `startNode` with a
 * verifier, the L2 RPC on 127.0.0.1:8547. The datadir keeps the L2 state and an L1 journal
 * (node/l1/journal.ts), so a restart resumes.
 */
import { postInvalidBatch, type ByzantineKind } from "./byzantine";
import * as fs from "fs";
import * as path from "path";
import { HDNodeWallet, JsonRpcProvider, Wallet, Contract, Network } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { hexToBytes } from "../core/bytes";
import { Executor } from "../core/evm/execute";
import type { DeploymentRecord } from "../cli/deploy";
import { ChainStore } from "./chain-store";
import {
  dataPaths,
  deploymentFromRecord,
  DEFAULT_COORDINATOR,
  DEFAULT_RPC,
  DEFAULT_VERIFIER,
  DEVNET_CORS,
  type CoordinatorOptions,
  type Deployment,
  type RpcOptions,
  type VerifierOptions,
} from "./config";
import { Coordinator } from "./coordinator/coordinator";
import { UtxoHandle } from "./coordinator/utxo";
import { LatestCache } from "./coordinator/view";
import { L1Client } from "./l1/client";
import { abiOf } from "./l1/contracts";
import { L1Journal, type Request } from "./l1/journal";
import { componentLogger, errMsg, rootLogger, type Logger } from "./log";
import { ethMethods } from "./rpc/eth";
import { RpcServer } from "./rpc/server";
import { CallPool } from "./rpc/call-pool";
import { Verifier } from "./verifier/verifier";

export interface NodeOptions {
  l1Url: string;
  deployment: Deployment;
  /** Coordinator key: with it the node posts batches, without it only follows L1. */
  key?: string;
  datadir: string;
  rpc?: Partial<RpcOptions>;
  coordinator?: Partial<CoordinatorOptions>;
  /** Run a verifier too (its own stores under <datadir>/verifier). */
  verifier?: Partial<VerifierOptions> | false;
  l1Clock?: "latest" | "pending";
  l1PollMs?: number;
  log?: Logger;
}

export interface NodeHandle {
  rpcUrl: string;
  l1: L1Client;
  chain: ChainStore;
  utxo: UtxoHandle;
  coordinator: Coordinator;
  verifier?: Verifier;
  rpc: RpcServer;
  stop(): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<NodeHandle> {
  const log = o.log ?? rootLogger();
  const paths = dataPaths(o.datadir);
  fs.mkdirSync(path.dirname(paths.chain), { recursive: true });
  const copts: CoordinatorOptions = { ...DEFAULT_COORDINATOR, ...(o.coordinator ?? {}) };
  const ropts: RpcOptions = { ...DEFAULT_RPC, ...(o.rpc ?? {}) };
  const l1 = await L1Client.connect(o.l1Url, o.deployment, o.key);
  const chain = await ChainStore.open(paths.chain, { sync: copts.syncWrites });
  const utxo = await UtxoHandle.open(paths.utxo);
  const cleanup: (() => Promise<void>)[] = [async () => l1.close(), () => chain.close(), () => utxo.close()];
  const closeAll = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  };
  try {
    const cache = new LatestCache(utxo, chain);
    const executor = await Executor.create(o.deployment.l2ChainId);
    const feeRecipient = hexToBytes((copts.feeRecipient ?? l1.address ?? "0x" + "00".repeat(20)).toLowerCase() as `0x${string}`);
    const coordinator = new Coordinator({
      chain,
      utxo,
      cache,
      l1,
      deployment: o.deployment,
      opts: copts,
      log: componentLogger("coordinator", log),
      executor,
      feeRecipient,
      l1Clock: o.l1Clock,
      l1PollMs: o.l1PollMs,
    });
    await coordinator.start();
    cleanup.push(() => coordinator.stop());
    let verifier: Verifier | undefined;
    if (o.verifier !== false && o.verifier !== undefined) {
      verifier = await Verifier.open({
        l1,
        deployment: o.deployment,
        dbPath: paths.verifier,
        utxoPath: paths.verifierUtxo,
        opts: { ...DEFAULT_VERIFIER, ...o.verifier },
        log: componentLogger("verifier", log),
      });
      await verifier.start();
      cleanup.push(() => verifier!.close());
    }
    const calls = CallPool.create({ workers: ropts.callWorkers, chainId: o.deployment.l2ChainId, timeoutMs: ropts.evmTimeoutMs, maxQueue: ropts.callQueue });
    cleanup.push(() => calls.close());
    const rpc = new RpcServer(
      ethMethods({
        deployment: o.deployment,
        chain,
        cache,
        utxo,
        coordinator: l1.signer ? coordinator : undefined,
        verifier,
        baseFee: copts.baseFee,
        suggestedTip: copts.suggestedTip,
        feeRecipient,
        l1Time: () => coordinator.l1Clock ?? verifier?.latestL1Time,
        maxLogRange: ropts.maxLogRange,
        calls,
        gasCap: ropts.gasCap,
        allowUnprotectedTxs: ropts.allowUnprotectedTxs,
      }),
      { host: ropts.host, port: ropts.port, maxBatch: ropts.maxBatch, maxBodyBytes: ropts.maxBodyBytes, maxResponseBytes: ropts.maxResponseBytes, cors: ropts.cors, log: componentLogger("rpc", log) },
    );
    const addr = await rpc.listen();
    cleanup.push(() => rpc.close());
    const rpcUrl = `http://${addr.address}:${addr.port}`;
    log.info({ component: "node", rpc: rpcUrl, l1: o.l1Url, l2ChainId: o.deployment.l2ChainId, coordinator: l1.address ?? null, verifier: !!verifier }, "node started");
    let stopped = false;
    return {
      rpcUrl,
      l1,
      chain,
      utxo,
      coordinator,
      verifier,
      rpc,
      async stop() {
        if (stopped) return;
        stopped = true;
        await closeAll();
      },
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

// ---- the devnet ---------------------------------------------------------------------------------------

export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's default dev accounts (m/44'/60'/0'/0/i of the dev mnemonic). */
export function devAccounts(n: number): { address: string; privateKey: string }[] {
  const root = HDNodeWallet.fromPhrase(DEV_MNEMONIC, "", "m/44'/60'/0'/0");
  return Array.from({ length: n }, (_, i) => {
    const w = root.deriveChild(i);
    return { address: w.address, privateKey: w.privateKey };
  });
}

export interface DevnetOptions extends DeployParams {
  datadir: string;
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
  /** Post one invalid batch of this kind among the honest ones (from dev account #2), for the watchtower to win. */
  byzantine?: ByzantineKind;
  /** L2 JSON-RPC limits and policy (host and port come from rpcHost/rpcPort); CORS defaults to DEVNET_CORS. */
  rpc?: Partial<RpcOptions>;
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
  watchtower?: import("./watchtower/watchtower").Watchtower;
  stop(): Promise<void>;
}

/** This process's Hardhat runtime on its in-process network ("hardhat"), with the project's config. */
export function loadHardhat(): HardhatRuntimeEnvironment {
  process.env.HARDHAT_NETWORK = "hardhat";
  if (!process.env.HARDHAT_CONFIG) process.env.HARDHAT_CONFIG = path.join(__dirname, "..", "hardhat.config.ts");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("hardhat") as HardhatRuntimeEnvironment;
}

/** Serves the Hardhat network of `hre` on JSON-RPC (what `npx hardhat node` does, in this process). */
export async function startL1Server(hre: HardhatRuntimeEnvironment, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const { TASK_NODE_CREATE_SERVER } = await import("hardhat/builtin-tasks/task-names");
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: host, port, provider: hre.network.provider })) as {
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
    throw new Error(`cannot serve L1 on ${host}:${port}: ${errMsg(e)}`);
  }
  return { url: `http://${addr.address}:${addr.port}`, close: () => server.close() };
}

export interface DeployParams {
  l2ChainId?: bigint;
  challengeWindow?: bigint;
  inclusionDelay?: bigint;
  bondSize?: bigint;
  maxDepositsPerBatch?: bigint;
  /** Fraud provers to deploy and register (default: the module's production list). Tests pass ["TestProver"]. */
  provers?: string[];
}

/** Deploys the contracts with the project's Ignition module on `hre`'s network; returns the deployment record. */
export async function deployMoveset(hre: HardhatRuntimeEnvironment, p: DeployParams, deployer: string): Promise<DeploymentRecord> {
  const { movesetModule, DEFAULT_PARAMETERS, MODULE_ID, PROVERS } = await import("../deploy/Moveset");
  const params = {
    ...DEFAULT_PARAMETERS,
    l2ChainId: p.l2ChainId ?? DEFAULT_PARAMETERS.l2ChainId,
    challengeWindow: p.challengeWindow ?? 5n,
    inclusionDelay: p.inclusionDelay ?? 60n,
    bondSize: p.bondSize ?? 10n ** 18n,
    maxDepositsPerBatch: p.maxDepositsPerBatch ?? DEFAULT_PARAMETERS.maxDepositsPerBatch,
  };
  const request: Request = (method, params) => hre.network.provider.request({ method, params: params ?? [] });
  const startBlock = Number(await request("eth_blockNumber")) + 1;
  const l1ChainId = BigInt((await request("eth_chainId")) as string);
  // A fresh module object per call: Ignition refuses to deploy the same module instance twice in one process.
  const deployed = (await (hre as unknown as { ignition: { deploy: (m: unknown, o: unknown) => Promise<Record<string, { getAddress(): Promise<string> }>> } }).ignition.deploy(movesetModule(MODULE_ID, p.provers ?? PROVERS), {
    parameters: { [MODULE_ID]: params },
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
  const inbox = new Contract(deployment.inbox, abiOf("Inbox"), new Wallet(poster, l1));
  const posterAddr = new Wallet(poster).address;
  const want = bonds * deployment.bondSize;
  const held = BigInt(await inbox.getFunction("bondOf").staticCall(posterAddr));
  if (held < want) {
    await (await inbox.getFunction("bond")({ value: want - held })).wait();
    log?.info({ poster: posterAddr, bond: want, batches: bonds }, "coordinator bonded");
  }
  const bridgeRead = new Contract(deployment.bridge, abiOf("Bridge"), l1);
  const queued = Number(await bridgeRead.getFunction("depositCount").staticCall());
  for (let i = queued; i < accounts.length; i++) {
    const bridge = new Contract(deployment.bridge, abiOf("Bridge"), new Wallet(accounts[i].privateKey, l1));
    await (await bridge.getFunction("deposit")(accounts[i].address, { value: fund })).wait();
  }
  if (queued < accounts.length) log?.info({ accounts: accounts.length - queued, each: fund }, "dev accounts funded through L1 deposits");
}

export async function startDevnet(o: DevnetOptions): Promise<DevnetHandle> {
  const log = o.log ?? rootLogger();
  const dlog = componentLogger("devnet", log);
  const paths = dataPaths(o.datadir);
  if (o.fresh) fs.rmSync(paths.root, { recursive: true, force: true });
  fs.mkdirSync(paths.root, { recursive: true });

  const ownHre = !o.hre;
  const hre = o.hre ?? loadHardhat();
  const journal = ownHre ? L1Journal.open(paths.l1Journal) : undefined;
  if (ownHre) {
    const net = hre.config.networks.hardhat as unknown as { initialDate?: string; loggingEnabled: boolean; mining: { auto: boolean; interval: number; mempool: { order: string } } };
    net.loggingEnabled = false;
    net.mining = { ...net.mining, auto: true, interval: 0, mempool: { order: "fifo" } };
    const date = journal!.initialDate();
    if (date) net.initialDate = date;
    await hre.run("compile", { quiet: true });
  }
  const provider = hre.network.provider;
  const request: Request = (method, params) => provider.request({ method, params: params ?? [] });

  const l1Server = await startL1Server(hre, o.l1Host ?? "127.0.0.1", o.l1Port ?? 8545);
  const l1Url = l1Server.url;
  const stops: (() => Promise<void>)[] = [() => l1Server.close()];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e) => dlog.error({ err: errMsg(e) }, "while stopping"));
  };

  try {
    let replayed: { blocks: number; hashMismatches: number } | undefined;
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

    const l1 = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    stops.push(async () => l1.destroy());
    const accounts = devAccounts(o.accounts ?? 20);
    const coordinatorKey = accounts[0].privateKey;

    let record: DeploymentRecord;
    if (fs.existsSync(paths.deployment)) {
      record = JSON.parse(fs.readFileSync(paths.deployment, "utf8")) as DeploymentRecord;
      if ((await l1.getCode(record.contracts.Inbox)) === "0x")
        throw new Error(`the Inbox of ${paths.deployment} is not on L1 (the L1 state was not restored); start over with --fresh`);
    } else {
      dlog.info({}, "deploying the L1 contracts (Ignition)");
      record = await deployMoveset(hre, o, accounts[0].address);
      fs.writeFileSync(paths.deployment, JSON.stringify(record, null, 2) + "\n");
    }
    const deployment = deploymentFromRecord(record, paths.deployment);
    await bondAndFund(l1, deployment, coordinatorKey, accounts, o.fund ?? 1000n * 10n ** 18n, dlog);

    const node = await startNode({
      l1Url,
      deployment,
      key: coordinatorKey,
      datadir: o.datadir,
      rpc: { cors: DEVNET_CORS, ...(o.rpc ?? {}), host: o.rpcHost ?? "127.0.0.1", port: o.rpcPort ?? 8547 },
      coordinator: { batchIntervalMs: o.batchIntervalMs ?? 500, pollMs: 50 },
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

    const watchtower = await startDevnetWatchtower(o, l1Url, deployment, record, accounts, log);
    if (watchtower) stops.push(() => watchtower.stop());
    if (o.byzantine) scheduleByzantine(o.byzantine, l1Url, deployment, accounts, node, log, stops);

    return { l1Url, rpcUrl: node.rpcUrl, deployment, record, accounts, node, replayed, watchtower, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

// ---- byzantine poster (issue #5) ----------------------------------------------------------------------

/** A few seconds after start, dev account #2 posts one invalid batch of `kind` (node/byzantine.ts). */
function scheduleByzantine(
  kind: ByzantineKind,
  l1Url: string,
  deployment: Deployment,
  accounts: { address: string; privateKey: string }[],
  node: NodeHandle,
  log: Logger,
  stops: (() => Promise<void>)[],
): void {
  const l1 = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true });
  const timer = setTimeout(() => {
    postInvalidBatch(kind, {
      l1,
      inbox: deployment.inbox,
      l2ChainId: deployment.l2ChainId,
      node,
      sender: accounts[3],
      recipient: accounts[4].address,
      posterKey: accounts[2].privateKey,
    }).then(
      (r) => log.warn({ event: "byzantine-batch", kind, index: r.index.toString(), headerHash: r.headerHash, poster: accounts[2].address }, `byzantine: posted an invalid batch (${kind}) at index ${r.index}`),
      (e) => log.error({ event: "byzantine-failed", kind, err: (e as Error).message }, "byzantine: could not post the invalid batch"),
    );
  }, 3000);
  stops.push(async () => {
    clearTimeout(timer);
    l1.destroy();
  });
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
  log: Logger,
): Promise<import("./watchtower/watchtower").Watchtower | undefined> {
  const on = o.watch ?? process.env.MOVESET_DEVNET_WATCH === "1";
  if (!on) return undefined;
  const wo: DevnetWatchOptions = typeof on === "object" ? on : {};
  const { Watchtower } = await import("./watchtower/watchtower");
  return Watchtower.start({
    l1Url,
    deployment,
    contracts: record.contracts,
    key: accounts[wo.account ?? 1].privateKey,
    datadir: path.join(dataPaths(o.datadir).root, "watchtower"),
    confirmations: wo.confirmations ?? 0,
    pollMs: 200,
    metricsPort: wo.metricsPort,
    log,
  });
}

/** The human summary `moveset devnet` prints. */
export function devnetBanner(d: DevnetHandle, datadir: string): string {
  const lines = [
    "",
    "moveset devnet is running",
    "",
    `  L1 (Hardhat network)  ${d.l1Url}   chain id ${d.deployment.l1ChainId}`,
    `  L2 (moveset RPC)      ${d.rpcUrl}   chain id ${d.deployment.l2ChainId}`,
    `  Inbox                 ${d.deployment.inbox}`,
    `  Bridge                ${d.deployment.bridge}`,
    `  challenge window      ${d.deployment.challengeWindow} s`,
    `  withdrawal vault      0x7700000000000000000000000000000000000000 (send ETH there on L2, claim on L1 when final)`,
    `  data                  ${path.resolve(datadir)}`,
    "",
    `Accounts (mnemonic "${DEV_MNEMONIC}"), funded on L1 and L2; #0 is the coordinator:`,
    ...d.accounts.map((a, i) => `  #${String(i).padEnd(2)} ${a.address}  ${a.privateKey}`),
    "",
    "Press Ctrl-C to stop; run again with the same --datadir to resume.",
    "",
  ];
  return lines.join("\n");
}
