/**
 * Node configuration: where L1 is and what is deployed there (a deployment record, as `moveset
 * deploy` writes it), where the node keeps its data, and the coordinator's, verifier's and
 * JSON-RPC server's knobs. Every number has a default that suits a local devnet.
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToHex } from "../core/bytes";
import { genesisCommitment } from "../core/genesis";
/** What `moveset deploy` writes (deployments/<network>.json): the deployed contracts and parameters. */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  l2ChainId: number;
  contracts: Record<string, string>;
  parameters: {
    l2ChainId: number;
    bondSize: string;
    challengeWindow: number;
    inclusionDelay: number;
    rewardBps: number;
    maxDepositsPerBatch: number;
    minBaseFee: string;
    /** The genesis allocation's commitment (protocol.md §7.6); absent in records of deployments without one (an empty allocation). */
    genesisRoot?: string;
    genesisCount?: number;
    /** The dispute game's clocks (seconds) and bonds of depths 1 … 26 (wei); absent in records written before the game. */
    maxClockDuration?: number;
    clockExtension?: number;
    gameBonds?: string[];
  };
  /** L1 block in which the first contract (the Bridge) was deployed: where watchers start scanning. */
  deployedAt: number;
  deploymentId: string;
  deployer: string;
  /** A devnet's L1 when it is not the Hardhat network (`moveset devnet --l1 anvil`): a restart must run the same. */
  l1?: "anvil";
}

/** The L1 contracts and rollup parameters a node works with. */
export interface Deployment {
  l1ChainId: bigint;
  l2ChainId: bigint;
  inbox: string;
  bridge: string;
  /** L1 block of the first contract: where scans start. */
  deployedAt: number;
  challengeWindow: bigint;
  bondSize: bigint;
  inclusionDelay: bigint;
  /** Most deposits a batch consumes (the Inbox's; forced inclusion takes the oldest overdue up to it). */
  maxDepositsPerBatch: bigint;
  /** Lowest L2 base fee, and batch 0's (protocol.md §7.5). */
  minBaseFee: bigint;
  /** The genesis allocation's commitment on L1 (protocol.md §7.6): Merkle root and leaf count. */
  genesisRoot: string;
  genesisCount: bigint;
  /** The dispute game of execution faults (protocol.md §11.5), when deployed. */
  game?: GameDeployment;
}

/** The dispute game's address, the one-step verifier's code registry, and the game's parameters. */
export interface GameDeployment {
  address: string;
  registry: string;
  maxClockDuration: bigint;
  clockExtension: bigint;
  /** bonds[d] is the bond of depth d (bonds[0] = 0, unused). */
  bonds: bigint[];
}

export class ConfigError extends Error {}

/** The root of an empty genesis allocation (the empty Merkle tree's, protocol.md §2.2). */
export const EMPTY_GENESIS_ROOT = bytesToHex(genesisCommitment([]).root);

/** Reads a deployment record (deployments/<network>.json, or the devnet's datadir/deployment.json). */
export function loadDeployment(file: string): Deployment {
  let raw: DeploymentRecord;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord;
  } catch (e) {
    throw new ConfigError(`cannot read deployment file ${file}: ${(e as Error).message}`);
  }
  return deploymentFromRecord(raw, file);
}

export function deploymentFromRecord(raw: DeploymentRecord, what = "deployment record"): Deployment {
  const need = (ok: unknown, field: string) => {
    if (!ok) throw new ConfigError(`${what}: missing or invalid ${field}`);
  };
  need(raw && typeof raw === "object", "object");
  need(raw.contracts && /^0x[0-9a-fA-F]{40}$/.test(raw.contracts.Inbox ?? ""), "contracts.Inbox");
  need(/^0x[0-9a-fA-F]{40}$/.test(raw.contracts.Bridge ?? ""), "contracts.Bridge");
  need(raw.parameters, "parameters");
  need(Number.isInteger(raw.deployedAt) && raw.deployedAt >= 0, "deployedAt");
  need(Number.isSafeInteger(raw.parameters.maxDepositsPerBatch) && raw.parameters.maxDepositsPerBatch > 0, "parameters.maxDepositsPerBatch");
  need(/^[1-9][0-9]*$/.test(String(raw.parameters?.minBaseFee ?? "")), "parameters.minBaseFee");
  need(raw.parameters.genesisRoot === undefined || /^0x[0-9a-fA-F]{64}$/.test(raw.parameters.genesisRoot), "parameters.genesisRoot");
  need(raw.parameters.genesisCount === undefined || (Number.isSafeInteger(raw.parameters.genesisCount) && raw.parameters.genesisCount >= 0), "parameters.genesisCount");
  let game: GameDeployment | undefined;
  if (raw.contracts.DisputeGame !== undefined) {
    const p = raw.parameters;
    need(/^0x[0-9a-fA-F]{40}$/.test(raw.contracts.DisputeGame), "contracts.DisputeGame");
    need(/^0x[0-9a-fA-F]{40}$/.test(raw.contracts.CodeRegistry ?? ""), "contracts.CodeRegistry");
    need(Number.isSafeInteger(p.maxClockDuration) && p.maxClockDuration! > 0, "parameters.maxClockDuration");
    need(Number.isSafeInteger(p.clockExtension) && p.clockExtension! > 0, "parameters.clockExtension");
    need(Array.isArray(p.gameBonds) && p.gameBonds.every((b) => /^[1-9][0-9]*$/.test(String(b))), "parameters.gameBonds");
    game = {
      address: raw.contracts.DisputeGame,
      registry: raw.contracts.CodeRegistry,
      maxClockDuration: BigInt(p.maxClockDuration!),
      clockExtension: BigInt(p.clockExtension!),
      bonds: [0n, ...p.gameBonds!.map((b) => BigInt(b))],
    };
  }
  return {
    l1ChainId: BigInt(raw.chainId),
    l2ChainId: BigInt(raw.l2ChainId ?? raw.parameters.l2ChainId),
    inbox: raw.contracts.Inbox,
    bridge: raw.contracts.Bridge,
    deployedAt: raw.deployedAt,
    challengeWindow: BigInt(raw.parameters.challengeWindow),
    bondSize: BigInt(raw.parameters.bondSize),
    inclusionDelay: BigInt(raw.parameters.inclusionDelay),
    maxDepositsPerBatch: BigInt(raw.parameters.maxDepositsPerBatch),
    minBaseFee: BigInt(raw.parameters.minBaseFee),
    genesisRoot: (raw.parameters.genesisRoot ?? EMPTY_GENESIS_ROOT).toLowerCase(),
    genesisCount: BigInt(raw.parameters.genesisCount ?? 0),
    ...(game ? { game } : {}),
  };
}

/** Where the coordinator posts batches (node/coordinator/post-mode.ts, protocol.md §12.11). */
export const POST_MODES = ["calldata", "blob", "auto"] as const;
export type PostMode = (typeof POST_MODES)[number];

export interface CoordinatorOptions {
  /** Post a batch once it holds this many transactions... */
  maxBatchTxs: number;
  /** ...or this many bytes of batch data (at most MAX_BATCH_BYTES, protocol.md §5.5)... */
  maxBatchBytes: number;
  /** ...or when its oldest transaction (or deposit) has waited this long. */
  batchIntervalMs: number;
  /** How often the coordinator looks at its triggers and at L1. */
  pollMs: number;
  /** Priority fee the RPC suggests (eth_maxPriorityFeePerGas). */
  suggestedTip: bigint;
  /** Fee recipient of the batches (default: the coordinator's address). */
  feeRecipient?: string;
  /** Most transactions the mempool holds. */
  mempoolMax: number;
  /** fsync every mempool write (survives power loss, not just a crash). */
  syncWrites: boolean;
  /** How long to wait for an L1 receipt of a posted batch before re-checking the tip. */
  l1TimeoutMs: number;
  /**
   * A transaction whose sender has unspent fee outputs sweeps up to this many of them, oldest
   * first, into its balance (protocol.md §6.5); 0: never.
   */
  sweepMax: number;
  /** Where batches are posted (node/coordinator/post-mode.ts, protocol.md §12.11): calldata, blob, or auto. */
  postMode: PostMode;
}

export interface VerifierOptions {
  /** L1 blocks an event must be buried under before the verifier acts on it. */
  confirmations: number;
  pollMs: number;
  /** Validation worker threads (0: validate in this thread). */
  workers: number;
  /** Largest L1 block range per eth_getLogs. */
  logRange: number;
}

export interface RpcOptions {
  host: string;
  port: number;
  /** Largest eth_getLogs block range. */
  maxLogRange: number;
  /** Largest JSON-RPC batch (geth --rpc.batch-request-limit). */
  maxBatch: number;
  /** Largest response in bytes, a batch's together (geth --rpc.batch-response-max-size). */
  maxResponseBytes: number;
  /** Largest request body in bytes (geth's HTTP body limit). */
  maxBodyBytes: number;
  /** Most gas an eth_call / eth_estimateGas runs with (geth --rpc.gascap). */
  gasCap: bigint;
  /** Time limit of one eth_call / eth_estimateGas in ms (geth --rpc.evmtimeout). */
  evmTimeoutMs: number;
  /** Worker threads that run calls. */
  callWorkers: number;
  /** Calls that may wait for a call worker; more are refused (-32005). */
  callQueue: number;
  /** Worker threads that fill (execute) submitted transactions, off the event loop. */
  fillWorkers: number;
  /** Submitted transactions that may wait for a fill worker; more are refused (-32005). */
  fillQueue: number;
  /** Time limit of one submitted transaction's fill in ms; the work is stopped and the transaction refused. */
  fillTimeoutMs: number;
  /** Submissions one client (remote address) may have in progress at once; more are refused (-32005). */
  submitsPerClient: number;
  /** Origins that get CORS headers: exact origins, "scheme://host:*", or "*" (geth --http.corsdomain). */
  cors: string[];
  /** Accept legacy transactions without a chain id (geth --rpc.allow-unprotected-txs). */
  allowUnprotectedTxs: boolean;
  /** Filters installed at once (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter). */
  maxFilters: number;
  /** Filters one client (remote address) may hold at once; a full node evicts from the client holding the most. */
  maxFiltersPerClient: number;
  /** A filter not polled for this long is forgotten (geth: 5 minutes). */
  filterTtlMs: number;
  /** WebSocket connections at once, and subscriptions per connection. */
  wsMaxConnections: number;
  wsMaxSubscriptions: number;
  /** Bytes queued for one WebSocket connection before it is closed (a subscriber that does not read). */
  wsMaxBufferedBytes: number;
}

export const DEFAULT_COORDINATOR: CoordinatorOptions = {
  maxBatchTxs: 256,
  maxBatchBytes: 96 * 1024,
  batchIntervalMs: 1000,
  pollMs: 100,
  suggestedTip: 100_000_000n,
  mempoolMax: 10_000,
  syncWrites: false,
  l1TimeoutMs: 120_000,
  sweepMax: 256,
  postMode: "calldata",
};

export const DEFAULT_VERIFIER: VerifierOptions = { confirmations: 1, pollMs: 500, workers: 1, logRange: 5000 };

export const DEFAULT_RPC: RpcOptions = {
  host: "127.0.0.1",
  port: 8547,
  maxLogRange: 10_000,
  maxBatch: 1000,
  maxResponseBytes: 25_000_000,
  maxBodyBytes: 5 * 1024 * 1024,
  gasCap: 30_000_000n,
  evmTimeoutMs: 5000,
  callWorkers: 1,
  callQueue: 64,
  fillWorkers: 1,
  fillQueue: 64,
  fillTimeoutMs: 10_000,
  submitsPerClient: 16,
  cors: [],
  allowUnprotectedTxs: false,
  maxFilters: 1000,
  maxFiltersPerClient: 100,
  filterTtlMs: 5 * 60_000,
  wsMaxConnections: 100,
  wsMaxSubscriptions: 128,
  wsMaxBufferedBytes: 16 * 1024 * 1024,
};

/**
 * Submissions one client may have in progress on the devnet (`moveset devnet`; a node's is
 * DEFAULT_RPC.submitsPerClient). The per-client limit shares a public node's fill pool among its clients
 * (16 of the 64 waiting fills: four clients at least are always served); a local devnet has one client, this
 * machine (its tests, scripts, dapp, a load), as a Hardhat node or anvil, which have no such limit. So its limit
 * only bounds a runaway script: the fill queue (64 waiting fills) and the mempool (10,000) bound the rest. A
 * load of 20 senders in flight was refused 991 of 2,000 sends under 16 (docs/BENCHMARKS.md, seventh pass).
 */
export const DEVNET_SUBMITS_PER_CLIENT = 1024;

/** The devnet's CORS origins: pages served from this machine (a local dapp), nothing else. */
export const DEVNET_CORS = ["http://localhost:*", "http://127.0.0.1:*"];

export const CLIENT_VERSION = "moveset/0.1.0";

/** Data folder layout. */
export function dataPaths(datadir: string) {
  const d = path.resolve(datadir);
  return {
    root: d,
    chain: path.join(d, "node", "chain"),
    utxo: path.join(d, "node", "utxo"),
    verifier: path.join(d, "verifier", "db"),
    verifierUtxo: path.join(d, "verifier", "utxo"),
    l1Journal: path.join(d, "l1", "journal.jsonl"),
    /** The devnet's anvil L1 state (`--l1 anvil`: anvil's --state file). */
    anvilState: path.join(d, "l1", "anvil-state.json"),
    deployment: path.join(d, "deployment.json"),
  };
}
