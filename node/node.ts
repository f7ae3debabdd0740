/**
 * The assembly of a node (`moveset node`, and the devnet's node): against an L1 that exists, the
 * chain store and the UTXO store in the datadir (node/state/), the L1 follower, the coordinator
 * (with a key it posts batches; without, it only follows L1), optionally a verifier, and the
 * JSON-RPC server.
 */
import * as fs from "fs";
import * as path from "path";
import { hexToBytes } from "../core/bytes";
import { Executor } from "../core/evm/execute";
import { dataPaths, DEFAULT_COORDINATOR, DEFAULT_RPC, DEFAULT_VERIFIER, type CoordinatorOptions, type Deployment, type RpcOptions, type VerifierOptions } from "./config";
import { Coordinator } from "./coordinator/coordinator";
import { L1Client } from "./l1/client";
import { L1Follower } from "./l1/follower";
import { componentLogger, errMsg, rootLogger, type Logger } from "./log";
import { ethMethods } from "./rpc/eth";
import { RpcServer } from "./rpc/server";
import { ChainView } from "./rpc/chain-view";
import { FilterManager } from "./rpc/filters";
import { WsGateway } from "./rpc/ws";
import { formatTx } from "./rpc/format";
import { CallPool } from "./rpc/call-pool";
import { PoolValidator } from "./validation/check";
import { VerdictMemo } from "./validation/memo";
import { ChainStore } from "./state/chain-store";
import { UtxoHandle } from "./state/utxo-handle";
import { nodeGenesis, storeGenesis } from "./state/genesis";
import { LatestCache } from "./state/view";
import { Verifier } from "./verifier/verifier";

export interface NodeOptions {
  l1Url: string;
  /** A beacon API to read blob batches' blobs from (`--l1-beacon`, node/l1/beacon.ts); none: `anvil_getBlobByHash` on L1. */
  l1Beacon?: string;
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
  /** The latest index over the stores (what the RPC and the explorer read). */
  cache: LatestCache;
  coordinator: Coordinator;
  verifier?: Verifier;
  /** The self-check verdicts the verifier reuses (a node with a key and a verifier), for its counts. */
  memo?: VerdictMemo;
  rpc: RpcServer;
  stop(): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<NodeHandle> {
  const log = o.log ?? rootLogger();
  const paths = dataPaths(o.datadir);
  fs.mkdirSync(path.dirname(paths.chain), { recursive: true });
  const copts: CoordinatorOptions = { ...DEFAULT_COORDINATOR, ...(o.coordinator ?? {}) };
  const ropts: RpcOptions = { ...DEFAULT_RPC, ...(o.rpc ?? {}) };
  const l1 = await L1Client.connect(o.l1Url, o.deployment, o.key, { beacon: o.l1Beacon, beaconOptions: { log: componentLogger("beacon", log) } });
  const genesis = nodeGenesis(o.deployment);
  const chain = await ChainStore.open(paths.chain, { sync: copts.syncWrites, genesisCodes: genesis.codes });
  const utxo = await UtxoHandle.open(paths.utxo, storeGenesis(genesis));
  const cleanup: (() => Promise<void>)[] = [async () => l1.close(), () => chain.close(), () => utxo.close()];
  const closeAll = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  };
  try {
    const cache = new LatestCache(utxo, chain);
    const executor = await Executor.create(o.deployment.l2ChainId);
    const feeRecipient = hexToBytes((copts.feeRecipient ?? l1.address ?? "0x" + "00".repeat(20)).toLowerCase() as `0x${string}`);
    // The coordinator follows L1's latest block (it builds on the latest tip), resuming from its chain store.
    const follower = await L1Follower.open(l1, chain.level, { confirmations: 0, logRange: DEFAULT_VERIFIER.logRange }, componentLogger("l1", log));
    // Submitted transactions are filled (executed) on their own pool, off the event loop (protocol.md §12.4).
    const fills = CallPool.create({ workers: ropts.fillWorkers, chainId: o.deployment.l2ChainId, timeoutMs: ropts.fillTimeoutMs, maxQueue: ropts.fillQueue });
    cleanup.push(() => fills.close());
    // The build's self-check runs on its own validation worker, off the event loop.
    const pool = await PoolValidator.create(1, o.deployment.l2ChainId);
    cleanup.push(() => pool.close());
    // A node that posts and verifies: its verifier takes the verdicts its self-check computed for exactly the same
    // inputs (node/validation/memo.ts), in memory only. The checker is told no code: the memo's wrapper knows its lookup.
    const withVerifier = o.verifier !== false && o.verifier !== undefined;
    const memo = l1.signer && withVerifier ? new VerdictMemo() : undefined;
    const checker = memo ? memo.recording(pool) : pool;
    const coordinator = new Coordinator({
      filler: (job, source) => fills.run(job, source),
      checker,
      chain,
      utxo,
      cache,
      l1,
      follower,
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
    if (withVerifier) {
      verifier = await Verifier.open({
        memo,
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
    const backend = {
      deployment: o.deployment,
      chain,
      cache,
      utxo,
      coordinator: l1.signer ? coordinator : undefined,
      verifier,
      suggestedTip: copts.suggestedTip,
      feeRecipient,
      l1Time: () => coordinator.l1Clock ?? verifier?.latestL1Time,
      l1HeldFrom: () => follower.snapshot().heldFrom(),
      l1Games: () => follower.snapshot().games(),
      maxLogRange: ropts.maxLogRange,
      calls,
      gasCap: ropts.gasCap,
      callTimeoutMs: ropts.evmTimeoutMs,
      allowUnprotectedTxs: ropts.allowUnprotectedTxs,
      submitsPerClient: ropts.submitsPerClient,
    };
    const view = new ChainView(backend);
    const filters = new FilterManager(view, { maxFilters: ropts.maxFilters, maxPerClient: ropts.maxFiltersPerClient, ttlMs: ropts.filterTtlMs, maxPending: 10_000, maxRange: ropts.maxLogRange });
    cleanup.push(async () => filters.close());
    // The gateway needs the server (its methods) and the server the gateway (upgrades): set just below.
    const upgrades: { to?: WsGateway } = {};
    const rpc = new RpcServer(ethMethods({ ...backend, filters }), {
      host: ropts.host,
      port: ropts.port,
      maxBatch: ropts.maxBatch,
      maxBodyBytes: ropts.maxBodyBytes,
      maxResponseBytes: ropts.maxResponseBytes,
      cors: ropts.cors,
      log: componentLogger("rpc", log),
      onUpgrade: (req, socket, head) => upgrades.to!.upgrade(req, socket, head),
    });
    const gateway = new WsGateway(rpc, view, { maxConnections: ropts.wsMaxConnections, maxSubscriptions: ropts.wsMaxSubscriptions, maxBufferedBytes: ropts.wsMaxBufferedBytes, maxPayload: ropts.maxBodyBytes, cors: ropts.cors, log: componentLogger("rpc", log) }, async (h) => {
      const p = await coordinator.pendingTx(h);
      return p ? formatTx(p.tx, h, undefined, o.deployment.bridge.toLowerCase()) : undefined;
    });
    upgrades.to = gateway;
    const rlog = componentLogger("rpc", log);
    coordinator.on("batch", (e: { index: bigint }) => void gateway.block(e.index).catch((err) => rlog.error({ err: errMsg(err) }, "newHeads/logs notification failed")));
    coordinator.on("pending", (id: string) => {
      filters.pending(id);
      void gateway.pending(id).catch((err) => rlog.error({ err: errMsg(err) }, "pending transaction notification failed"));
    });
    const addr = await rpc.listen();
    cleanup.push(() => rpc.close());
    // First at stop (cleanups run in reverse): the HTTP server's close waits for upgraded sockets too.
    cleanup.push(() => gateway.close());
    const rpcUrl = `http://${addr.address}:${addr.port}`;
    log.info({ component: "node", rpc: rpcUrl, l1: o.l1Url, l2ChainId: o.deployment.l2ChainId, coordinator: l1.address ?? null, verifier: !!verifier }, "node started");
    let stopped = false;
    return {
      rpcUrl,
      l1,
      chain,
      utxo,
      cache,
      coordinator,
      verifier,
      memo,
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
