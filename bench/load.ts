/**
 * `moveset load`: a seeded load against any Ethereum JSON-RPC endpoint (moveset's L2, a Hardhat
 * node, anvil), measured from outside as a wallet sees it (docs/BENCHMARKS.md, "Load").
 *
 *   setup (untimed): a funder (a key the caller names, by default a dev account of Hardhat's
 *          mnemonic, which the devnet, a Hardhat node and anvil all fund) sends every load account
 *          the ETH its transactions can cost; for ERC-20 transfers and swaps it deploys three tokens
 *          (contracts/test/Token.sol) and three pools (contracts/test/Pool.sol: A/B, B/C, C/A),
 *          seeds the pools and airdrops the tokens; for swaps every account approves the pools.
 *   load (timed): every transaction pre-signed (EIP-1559, the chain's id, fixed gas limits), then
 *          each account sends its own in nonce order, every account at once; a watcher polls the
 *          chain's new blocks for them.
 *
 * Accepted: the node answered eth_sendRawTransaction with the hash (a send refused with "limit
 * exceeded", -32005, or told to try again, waits a little and goes again, as a well-behaved client does). Included: the transaction is in
 * a block the watcher has seen. Rates are transactions over the time from the first send to the
 * last acceptance (inclusion); latency is from a transaction's send to the poll that saw its block.
 * Afterwards (untimed) every receipt is read: a load whose transactions revert or are refused fails.
 *
 * Nothing depends on the clock or Math.random: the same seed, chain and nonces give the same bytes.
 */
import { ethers } from "ethers";
import { Rng, benchKey } from "./workload";
import { loadBenchContracts } from "./contracts";

export type LoadKind = "eth" | "erc20" | "swap";
export const LOAD_KINDS: readonly LoadKind[] = ["eth", "erc20", "swap"];
export type LoadMix = Record<LoadKind, number>;

/** A load that cannot run or did not go as planned, said in one line for a person. */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoadError";
  }
}

/**
 * `--mix`: kinds separated by commas, each with an optional weight (`eth,erc20,swap` is an even
 * mix; `eth:3,erc20:4,swap:3` the bench's). Throws a RangeError that says what is wrong.
 */
export function parseMix(s: string): LoadMix {
  const mix: LoadMix = { eth: 0, erc20: 0, swap: 0 };
  const items = s.split(",").map((x) => x.trim());
  if (items.length === 0 || items.some((x) => x === "")) throw new RangeError(`"${s}" is not a list of kinds (eth, erc20, swap), e.g. eth,erc20,swap or eth:3,swap:1`);
  for (const item of items) {
    const m = /^([a-z0-9]+)(?::(\d+(?:\.\d+)?))?$/.exec(item);
    if (!m || !(LOAD_KINDS as readonly string[]).includes(m[1])) throw new RangeError(`"${item}" is not a kind of transaction: the kinds are ${LOAD_KINDS.join(", ")} (each with an optional :weight)`);
    const w = m[2] === undefined ? 1 : Number(m[2]);
    if (!(w > 0)) throw new RangeError(`the weight of ${m[1]} must be above 0`);
    if (mix[m[1] as LoadKind] > 0) throw new RangeError(`${m[1]} is named twice`);
    mix[m[1] as LoadKind] = w;
  }
  return mix;
}

/** Nearest-rank percentile (p in (0, 100]) of numbers sorted ascending; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

// ---- JSON-RPC ------------------------------------------------------------------------------------------

export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sends of one call whose connection failed (fetch's "fetch failed"): the first and two more. */
const TRANSPORT_ATTEMPTS = 3;

/** fetch's failure to exchange a request at all (a reset, refused or closed connection), not a timeout. */
export function isTransportError(e: unknown): boolean {
  return e instanceof TypeError && e.message === "fetch failed";
}

/** A node's answer to a transaction it has already: the first send of it got through before its connection failed. */
const ALREADY_KNOWN = /already known|known transaction|already imported/i;

/**
 * A bare JSON-RPC client: one request per call, kept-alive connections (fetch), a time limit. A call whose
 * connection fails is sent again (twice at most): under a load of thousands of requests, a server or the OS
 * drops a kept-alive connection now and then, and one dropped request must not end a run.
 */
export class Rpc {
  private id = 0;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Calls that failed in transport (a connection reset or refused, not an answer) and were sent again. */
  transportRetries = 0;

  /** `meta.retries` counts this call's sends after a dropped connection. */
  async call<T = unknown>(method: string, params: unknown[] = [], meta?: { retries: number }): Promise<T> {
    const body = JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params });
    let res: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await fetch(this.url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(this.timeoutMs) });
        break;
      } catch (e) {
        // A connection the server (or the OS, under load) dropped: sent again, up to TRANSPORT_ATTEMPTS times.
        // Only transport failures: a timeout, or a node that never answers, is not retried.
        if (!isTransportError(e) || attempt >= TRANSPORT_ATTEMPTS) throw e;
        this.transportRetries++;
        if (meta) meta.retries++;
        await sleep(25 * 4 ** (attempt - 1));
      }
    }
    const text = await res.text();
    let j: { result?: T; error?: { code?: number; message?: string } };
    try {
      j = JSON.parse(text);
    } catch {
      throw new LoadError(`${this.url} answered ${method} with HTTP ${res.status} and no JSON-RPC: is it an Ethereum JSON-RPC endpoint?`);
    }
    if (j.error) throw new RpcCallError(method, j.error.code ?? 0, j.error.message ?? "error");
    return j.result as T;
  }
}

// ---- the plan -----------------------------------------------------------------------------------------

export interface LoadParams {
  rpcUrl: string;
  txs: number;
  accounts: number;
  mix: LoadMix;
  seed: string;
  /** The private key that pays for the setup. */
  funderKey: string;
  /** How long the load may take to be included (ms). */
  timeoutMs?: number;
  /** Progress lines (stderr). */
  say?: (line: string) => void;
}

export interface LoadResult {
  url: string;
  chainId: bigint;
  txs: number;
  accounts: number;
  mix: LoadMix;
  /** Transactions of each kind in the load. */
  kinds: LoadMix;
  acceptedTps: number;
  includedTps: number;
  /** From the first send to the last acceptance / inclusion (ms). */
  acceptMs: number;
  includeMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Blocks that held the load's transactions. */
  blocks: number;
  /** Setup transactions (funding, deployments, approvals), untimed. */
  setupTxs: number;
  /** Sends the node answered "limit exceeded" (-32005) or "try again", each sent again after a short wait. */
  busy: number;
  /** JSON-RPC requests sent again after their connection dropped (Rpc.transportRetries). */
  resent: number;
}

/** Gas limits the load signs (the bench workload's: every transaction of its kind fits). */
export const GAS = { eth: 21_000n, erc20: 80_000n, swap: 160_000n, approve: 60_000n, deploy: 2_000_000n, addLiquidity: 300_000n, airdropBase: 60_000n, airdropEach: 32_000n } as const;
const PRIORITY_FEE = 1_000_000_000n;
const TOKEN_SUPPLY = 10n ** 30n;
const POOL_LIQUIDITY = 10n ** 27n;
const AIRDROP_EACH = 10n ** 25n;
const AIRDROP_CHUNK = 100;
const MAX_UINT = (1n << 256n) - 1n;

interface Account {
  wallet: ethers.Wallet;
  address: string;
  nonce: number;
}

export interface PlannedTx {
  kind: LoadKind;
  from: number;
  raw: string;
  hash: string;
  gasLimit: bigint;
  value: bigint;
}

/** The load accounts' keys under `seed` (never the funder's). */
export function loadAccountKey(seed: string, i: number): string {
  return benchKey(seed, `load-account-${i}`);
}

/**
 * Which account sends and what, for transaction k of the load: account k mod accounts (each sends
 * its share), the kind drawn by the mix's weights, the rest from the seed.
 */
export function planKinds(seed: string, txs: number, mix: LoadMix): LoadKind[] {
  const rng = new Rng(`load/${seed}`);
  const total = mix.eth + mix.erc20 + mix.swap;
  return Array.from({ length: txs }, () => {
    const r = rng.float() * total;
    return r < mix.eth ? "eth" : r < mix.eth + mix.erc20 ? "erc20" : "swap";
  });
}

const tokenIfc = () => new ethers.Interface(loadBenchContracts().Token.abi as ethers.InterfaceAbi);
const poolIfc = () => new ethers.Interface(loadBenchContracts().Pool.abi as ethers.InterfaceAbi);

/** Sends signed transactions in order; returns their hashes. A refusal is a LoadError naming it. */
async function sendInOrder(rpc: Rpc, raws: string[], what: string): Promise<string[]> {
  const out: string[] = [];
  for (const raw of raws) {
    try {
      out.push(await sendBackingOff(rpc, raw, () => undefined, () => false));
    } catch (e) {
      if (e instanceof RpcCallError) throw new LoadError(`${rpc.url} refused a ${what} transaction: ${e.message}`);
      throw e;
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** JSON-RPC's "limit exceeded": the node is busy (a full queue, too many submissions from one client). */
export const LIMIT_EXCEEDED = -32005;

/** A refusal that asks the client to send again: moveset's "contended" (the state it read kept changing). */
const TRY_AGAIN = /: try again\b/;

/**
 * Sends one signed transaction as a well-behaved client does: refused with "limit exceeded"
 * (-32005: the node's queue is full, or this client has too many submissions in progress) or told to
 * try again, it waits a little and sends it again, until accepted, refused otherwise, or `stop()`.
 */
export async function sendBackingOff(rpc: Rpc, raw: string, onBusy: () => void, stop: () => boolean): Promise<string> {
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    const meta = { retries: 0 };
    try {
      return await rpc.call<string>("eth_sendRawTransaction", [raw], meta);
    } catch (e) {
      // Sent again after a dropped connection, and the node has it: the first send was accepted.
      if (e instanceof RpcCallError && meta.retries > 0 && ALREADY_KNOWN.test(e.message)) return ethers.keccak256(raw);
      if (!(e instanceof RpcCallError) || !(e.code === LIMIT_EXCEEDED || TRY_AGAIN.test(e.message)) || stop()) throw e;
      onBusy();
      await sleep(wait);
    }
  }
}

/** Waits until every hash has a receipt; a reverted one is a LoadError naming `what`. */
async function waitReceipts(rpc: Rpc, hashes: string[], what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = [...hashes];
  while (left.length) {
    const next: string[] = [];
    for (let i = 0; i < left.length; i += 32) {
      const part = left.slice(i, i + 32);
      const rs = await Promise.all(part.map((h) => rpc.call<{ status?: string } | null>("eth_getTransactionReceipt", [h])));
      rs.forEach((r, j) => {
        if (!r) next.push(part[j]);
        else if (r.status !== undefined && BigInt(r.status) !== 1n) throw new LoadError(`a ${what} transaction reverted on ${rpc.url}: ${part[j]}`);
      });
    }
    left = next;
    if (!left.length) break;
    if (Date.now() > deadline) throw new LoadError(`${left.length} ${what} transactions of ${hashes.length} have no receipt after ${Math.round(timeoutMs / 1000)} s on ${rpc.url}`);
    await sleep(50);
  }
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/**
 * The fee caps every transaction signs: ten times the latest base fee plus 10 gwei, so that a base
 * fee that rises while the load runs (full blocks or batches) never prices a signed transaction out.
 */
async function feesOf(rpc: Rpc): Promise<Fees> {
  const b = await rpc.call<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", ["latest", false]);
  const base = b?.baseFeePerGas !== undefined ? BigInt(b.baseFeePerGas) : 1_000_000_000n;
  return { maxFeePerGas: base * 10n + 10n * PRIORITY_FEE, maxPriorityFeePerGas: PRIORITY_FEE };
}

async function sign(a: Account, chainId: bigint, fees: Fees, to: string | null, data: string, gasLimit: bigint, value = 0n): Promise<string> {
  return a.wallet.signTransaction({ type: 2, chainId, nonce: a.nonce++, ...fees, gasLimit, to, value, data });
}

async function account(rpc: Rpc, key: string): Promise<Account> {
  const wallet = new ethers.Wallet(key);
  const nonce = Number(BigInt(await rpc.call<string>("eth_getTransactionCount", [wallet.address, "pending"])));
  return { wallet, address: wallet.address, nonce };
}

// ---- the run ------------------------------------------------------------------------------------------

export async function runLoad(p: LoadParams): Promise<LoadResult> {
  const say = p.say ?? (() => {});
  const timeoutMs = p.timeoutMs ?? 300_000;
  const rpc = new Rpc(p.rpcUrl);
  const chainId = BigInt(await rpc.call<string>("eth_chainId"));
  const fees = await feesOf(rpc);
  const kinds = planKinds(p.seed, p.txs, p.mix);
  const count: LoadMix = { eth: 0, erc20: 0, swap: 0 };
  for (const k of kinds) count[k]++;
  const tokensNeeded = count.erc20 + count.swap > 0;

  const funder = await account(rpc, p.funderKey);
  const users = await Promise.all(Array.from({ length: p.accounts }, (_, i) => account(rpc, loadAccountKey(p.seed, i))));
  const rng = new Rng(`load/${p.seed}/fields`);
  const other = (a: number) => (a + 1 + rng.int(users.length - 1)) % users.length;

  // ---- setup: contracts, tokens, approvals, ETH ----
  const { Token, Pool } = loadBenchContracts();
  const tIf = tokenIfc();
  const pIf = poolIfc();
  const setup: string[] = [];
  let setupCost = 0n;
  const fund = async (to: string | null, data: string, gasLimit: bigint, value = 0n) => {
    setupCost += gasLimit * fees.maxFeePerGas + value;
    setup.push(await sign(funder, chainId, fees, to, data, gasLimit, value));
  };
  const tokens: string[] = [];
  const pools: { address: string; token0: string; token1: string }[] = [];
  if (tokensNeeded) {
    for (const sym of ["LTA", "LTB", "LTC"]) {
      tokens.push(ethers.getCreateAddress({ from: funder.address, nonce: funder.nonce }));
      const init = ethers.concat([Token.bytecode, ethers.AbiCoder.defaultAbiCoder().encode(["string", "string", "uint256"], [`Load ${sym}`, sym, TOKEN_SUPPLY])]);
      await fund(null, init, GAS.deploy);
    }
    if (count.swap > 0)
      for (const [i, j] of [
        [0, 1],
        [1, 2],
        [2, 0],
      ]) {
        const address = ethers.getCreateAddress({ from: funder.address, nonce: funder.nonce });
        pools.push({ address, token0: tokens[i], token1: tokens[j] });
        const init = ethers.concat([Pool.bytecode, ethers.AbiCoder.defaultAbiCoder().encode(["address", "address"], [tokens[i], tokens[j]])]);
        await fund(null, init, GAS.deploy);
      }
    for (const pool of pools) {
      for (const t of [pool.token0, pool.token1]) await fund(t, tIf.encodeFunctionData("approve", [pool.address, MAX_UINT]), GAS.approve);
      await fund(pool.address, pIf.encodeFunctionData("addLiquidity", [POOL_LIQUIDITY, POOL_LIQUIDITY]), GAS.addLiquidity);
    }
    for (const t of tokens)
      for (let i = 0; i < users.length; i += AIRDROP_CHUNK) {
        const to = users.slice(i, i + AIRDROP_CHUNK).map((u) => u.address);
        await fund(t, tIf.encodeFunctionData("airdrop", [to, AIRDROP_EACH]), GAS.airdropBase + GAS.airdropEach * BigInt(to.length));
      }
  }

  // The main phase, planned now so that each account is funded for exactly what it will send.
  const approvals = count.swap > 0 ? pools.length * 2 : 0;
  const cost = new Array<bigint>(users.length).fill(BigInt(approvals) * GAS.approve * fees.maxFeePerGas);
  const body: { kind: LoadKind; from: number; to: string; data: string; gasLimit: bigint; value: bigint }[] = kinds.map((kind, k) => {
    const a = k % users.length;
    if (kind === "eth") return { kind, from: a, to: users[other(a)].address, data: "0x", gasLimit: GAS.eth, value: rng.big(10n ** 12n, 10n ** 13n) };
    if (kind === "erc20")
      return { kind, from: a, to: tokens[rng.int(tokens.length)], data: tIf.encodeFunctionData("transfer", [users[other(a)].address, rng.big(10n ** 15n, 10n ** 18n)]), gasLimit: GAS.erc20, value: 0n };
    const pool = pools[rng.int(pools.length)];
    const tokenIn = rng.int(2) === 0 ? pool.token0 : pool.token1;
    return { kind, from: a, to: pool.address, data: pIf.encodeFunctionData("swap", [tokenIn, rng.big(10n ** 15n, 10n ** 18n), 1n, users[a].address]), gasLimit: GAS.swap, value: 0n };
  });
  for (const t of body) cost[t.from] += t.gasLimit * fees.maxFeePerGas + t.value;
  const balances = await Promise.all(users.map((u) => rpc.call<string>("eth_getBalance", [u.address, "latest"]).then(BigInt)));
  for (let i = 0; i < users.length; i++) if (balances[i] < cost[i]) await fund(users[i].address, "0x", GAS.eth, cost[i] - balances[i]);
  const funderBalance = BigInt(await rpc.call<string>("eth_getBalance", [funder.address, "latest"]));
  const funderNeeds = setupCost;
  if (funderBalance < funderNeeds)
    throw new LoadError(`the funder ${funder.address} holds ${ethers.formatEther(funderBalance)} ETH on ${p.rpcUrl}, the setup may need ${ethers.formatEther(funderNeeds)} ETH: fund it or pass another --key`);
  if (setup.length) {
    say(`setup: ${setup.length} transactions from the funder ${funder.address}`);
    const hashes = await sendInOrder(rpc, setup, "setup");
    await waitReceipts(rpc, hashes, "setup", timeoutMs);
  }
  if (approvals > 0) {
    const per = await Promise.all(
      users.map(async (u) => {
        const raws: string[] = [];
        for (const pool of pools) for (const t of [pool.token0, pool.token1]) raws.push(await sign(u, chainId, fees, t, tIf.encodeFunctionData("approve", [pool.address, MAX_UINT]), GAS.approve));
        return raws;
      }),
    );
    say(`setup: ${per.flat().length} approvals by the load accounts`);
    const hashes = (await Promise.all(per.map((raws) => sendInOrder(rpc, raws, "setup approval")))).flat();
    await waitReceipts(rpc, hashes, "setup approval", timeoutMs);
  }

  // ---- pre-sign ----
  const planned: PlannedTx[] = [];
  for (const t of body) {
    const raw = await sign(users[t.from], chainId, fees, t.to, t.data, t.gasLimit, t.value);
    planned.push({ kind: t.kind, from: t.from, raw, hash: ethers.keccak256(raw), gasLimit: t.gasLimit, value: t.value });
  }
  const byAccount: number[][] = users.map(() => []);
  planned.forEach((t, i) => byAccount[t.from].push(i));

  // ---- the timed load ----
  say(`load: ${planned.length} transactions from ${users.length} accounts, all at once`);
  const startBlock = BigInt(await rpc.call<string>("eth_blockNumber"));
  const sentAt = new Array<number>(planned.length).fill(NaN);
  const acceptedAt = new Array<number>(planned.length).fill(NaN);
  const includedAt = new Array<number>(planned.length).fill(NaN);
  const index = new Map<string, number>(planned.map((t, i) => [t.hash.toLowerCase(), i]));
  const refused: string[] = [];
  let included = 0;
  let blocks = 0;
  let sending = true;
  let failed = false;
  let busy = 0;
  const t0 = performance.now();

  const senders = byAccount.map(async (idx) => {
    for (const i of idx) {
      if (failed) return;
      sentAt[i] = performance.now();
      try {
        const h = (await sendBackingOff(rpc, planned[i].raw, () => void busy++, () => failed)).toLowerCase();
        acceptedAt[i] = performance.now();
        if (h !== planned[i].hash.toLowerCase()) {
          index.delete(planned[i].hash.toLowerCase());
          index.set(h, i);
        }
      } catch (e) {
        if (!(e instanceof RpcCallError)) throw e;
        refused.push(`${planned[i].kind} transaction ${i} from ${users[planned[i].from].address}: ${e.message}`);
        return; // its later nonces cannot be included
      }
    }
  });

  const watcher = async () => {
    let seen = startBlock;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = BigInt(await rpc.call<string>("eth_blockNumber"));
      const at = performance.now();
      for (let n = seen + 1n; n <= head; ) {
        const part: bigint[] = [];
        for (; n <= head && part.length < 16; n++) part.push(n);
        const bs = await Promise.all(part.map((x) => rpc.call<{ transactions: string[] } | null>("eth_getBlockByNumber", ["0x" + x.toString(16), false])));
        for (const b of bs) {
          let mine = 0;
          for (const h of b?.transactions ?? []) {
            const i = index.get(h.toLowerCase());
            if (i !== undefined && Number.isNaN(includedAt[i])) {
              includedAt[i] = at;
              included++;
              mine++;
            }
          }
          if (mine) blocks++;
        }
      }
      seen = head;
      // Done once everything sent is in: after a refusal nothing more comes from that account.
      if (included >= planned.length || (!sending && included >= acceptedAt.filter((x) => !Number.isNaN(x)).length)) return;
      if (failed || Date.now() > deadline) return;
      await sleep(10);
    }
  };

  const watching = watcher().catch((e) => {
    failed = true;
    throw e;
  });
  try {
    await Promise.all(senders);
  } catch (e) {
    failed = true;
    await watching.catch(() => {});
    throw e;
  } finally {
    sending = false;
  }
  await watching;
  if (refused.length) throw new LoadError(`${rpc.url} refused ${refused.length} of ${planned.length} load transactions (first: ${refused[0]})`);
  if (included < planned.length) throw new LoadError(`${planned.length - included} of ${planned.length} load transactions were not included within ${Math.round(timeoutMs / 1000)} s on ${rpc.url}`);

  const lastAccept = Math.max(...acceptedAt);
  const lastInclude = Math.max(...includedAt);
  const lat = planned.map((_, i) => includedAt[i] - sentAt[i]).sort((a, b) => a - b);

  // ---- afterwards: every transaction must have succeeded ----
  await waitReceipts(rpc, [...index.keys()], "load", timeoutMs);

  const acceptMs = lastAccept - t0;
  const includeMs = lastInclude - t0;
  return {
    url: p.rpcUrl,
    chainId,
    txs: planned.length,
    accounts: users.length,
    mix: p.mix,
    kinds: count,
    acceptedTps: planned.length / (acceptMs / 1000),
    includedTps: planned.length / (includeMs / 1000),
    acceptMs,
    includeMs,
    p50Ms: percentile(lat, 50),
    p90Ms: percentile(lat, 90),
    p99Ms: percentile(lat, 99),
    maxMs: lat[lat.length - 1],
    blocks,
    setupTxs: setup.length + approvals * users.length,
    busy,
    resent: rpc.transportRetries,
  };
}

/** The last line of `--json`. */
export function loadJson(r: LoadResult): { acceptedTps: number; includedTps: number; p50Ms: number; p99Ms: number } {
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return { acceptedTps: r1(r.acceptedTps), includedTps: r1(r.includedTps), p50Ms: Math.round(r.p50Ms), p99Ms: Math.round(r.p99Ms) };
}

export function formatLoad(r: LoadResult): string {
  const f = (x: number) => x.toFixed(1);
  const kinds = LOAD_KINDS.filter((k) => r.kinds[k] > 0)
    .map((k) => `${r.kinds[k]} ${k}`)
    .join(", ");
  return [
    `load on ${r.url} (chain ${r.chainId}): ${r.txs} transactions (${kinds}) from ${r.accounts} accounts, pre-signed, sent at once (${r.setupTxs} setup transactions before, untimed)`,
    `  accepted  ${f(r.acceptedTps)} tx/s  (last accepted after ${Math.round(r.acceptMs)} ms)`,
    `  included  ${f(r.includedTps)} tx/s  (last included after ${Math.round(r.includeMs)} ms, in ${r.blocks} blocks)`,
    `  latency   p50 ${Math.round(r.p50Ms)} ms, p90 ${Math.round(r.p90Ms)} ms, p99 ${Math.round(r.p99Ms)} ms, max ${Math.round(r.maxMs)} ms (send to inclusion seen)`,
    ...(r.resent ? [`  ${r.resent} requests were sent again after their connection dropped`] : []),
    ...(r.busy ? [`  the node answered "limit exceeded" (-32005) or "try again" ${r.busy} times: each such transaction was sent again after a short wait (counted in its latency)`] : []),
  ].join("\n");
}
