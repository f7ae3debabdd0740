/**
 * The benchmark workload: one deterministic stream of standard signed Ethereum transactions
 * (EIP-1559, chain id 901, signed with ethers v6 Wallet.signTransaction), generated from a seed.
 *
 *   setup  (its own batches): the deployer deploys three ERC-20 tokens (contracts/test/Token.sol)
 *          and three constant-product pools (contracts/test/Pool.sol: A/B, B/C, C/A), seeds the
 *          pools with liquidity, airdrops every token to every account, and the traders (the
 *          first `traders` accounts) approve the pools they trade on.
 *   main   (what is timed): a seeded mix of ETH transfers, ERC-20 transfers between random
 *          accounts and swaps by the traders on the three pools (hot, contended state).
 *
 * ETH comes from a genesis allocation (balances of the deployer and of every account). Batches
 * have a fixed size; the main phase starts at a batch boundary. Nothing here depends on time or
 * on Math.random: the same parameters give the same bytes.
 */
import { GAS_TARGET } from "../core/gas";
import { ethers } from "ethers";
import { keccak256, hexToBytes, bytesToHex } from "../core/bytes";
import { Mark, type Key } from "../core/keys";
import { L2_BLOCK_GAS_LIMIT, type BlockEnv } from "../core/evm/chain";
import { loadBenchContracts } from "./contracts";

export const BENCH_CHAIN_ID = 901n;

export interface WorkloadParams {
  seed: string;
  /** Number of user accounts (the deployer comes on top). */
  accounts: number;
  /** Transactions in the main (timed) phase. */
  txs: number;
  /** Transactions per batch. */
  batchSize: number;
  /** Accounts that swap (they approve the pools in the setup). Default min(accounts, 50). */
  traders?: number;
  /** Shares of the main-phase mix (normalised). */
  mix?: { eth: number; erc20: number; swap: number };
}

export const DEFAULT_MIX = { eth: 0.3, erc20: 0.4, swap: 0.3 };

export type TxKind = "deploy-token" | "deploy-pool" | "approve" | "add-liquidity" | "airdrop" | "eth" | "erc20" | "swap";

export interface WorkloadTx {
  /** The signed Ethereum transaction, as a wallet sends it to eth_sendRawTransaction. */
  raw: Uint8Array;
  kind: TxKind;
  /** Its gas limit: the gas a batch declares for it (protocol.md §7.3). */
  gasLimit: bigint;
}

export interface BatchSpec {
  index: number;
  /** Index of the batch's first transaction in `txs`. */
  start: number;
  count: number;
  env: BlockEnv;
}

export interface PoolInfo {
  address: string;
  token0: string;
  token1: string;
}

export interface Workload {
  params: Required<WorkloadParams>;
  chainId: bigint;
  /** Lower-case 0x addresses. */
  deployer: string;
  accounts: string[];
  tokens: string[];
  pools: PoolInfo[];
  feeRecipient: string;
  /** ETH allocated at genesis to the deployer and every account (wei). */
  genesisBalance: bigint;
  txs: WorkloadTx[];
  /** txs[0, setupCount) are the setup; the main phase starts at a batch boundary. */
  setupCount: number;
  batches: BatchSpec[];
  /** Index of the first main-phase batch. */
  firstMainBatch: number;
}

/** Base fee of every batch (1 gwei), and the fee caps the workload signs. */
export const BASE_FEE = 1_000_000_000n;
const MAX_FEE = 3_000_000_000n;
const PRIORITY_FEE = 100_000_000n;
const TOKEN_SUPPLY = 10n ** 30n;
const AIRDROP_EACH = 10n ** 24n;
const POOL_LIQUIDITY = 10n ** 26n;
const AIRDROP_CHUNK = 150;
const GENESIS_BALANCE = 10n ** 22n; // 10,000 ETH
const MAX_UINT = (1n << 256n) - 1n;

const utf8 = new TextEncoder();

/** A small deterministic PRNG (sfc32) seeded from keccak(seed). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: string) {
    const h = keccak256(utf8.encode(`moveset-bench/rng/${seed}`));
    const v = new DataView(h.buffer, h.byteOffset, 16);
    this.a = v.getUint32(0);
    this.b = v.getUint32(4);
    this.c = v.getUint32(8);
    this.d = v.getUint32(12);
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  /** Uniform bigint in [lo, hi). */
  big(lo: bigint, hi: bigint): bigint {
    const r = (BigInt(this.u32()) << 64n) | (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    return lo + (r % (hi - lo));
  }
}

const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The private key of account `name` under `seed`. */
export function benchKey(seed: string, name: string): string {
  for (let i = 0; ; i++) {
    const k = keccak256(utf8.encode(`moveset-bench/key/${seed}/${name}/${i}`));
    const v = BigInt(bytesToHex(k));
    if (v > 0n && v < SECP_N) return bytesToHex(k);
  }
}

/** The block environment of batch `index` (number = index + 1, as L1 requires). */
export function batchEnv(seed: string, index: number, feeRecipient: string): BlockEnv {
  return {
    chainId: BENCH_CHAIN_ID,
    number: BigInt(index + 1),
    timestamp: 1_700_000_000n + 2n * BigInt(index),
    coinbase: hexToBytes(feeRecipient as `0x${string}`),
    baseFee: BASE_FEE,
    gasLimit: L2_BLOCK_GAS_LIMIT,
    prevRandao: keccak256(utf8.encode(`moveset-bench/parent/${seed}/${index}`)),
    excessBlobGas: 0n,
  };
}

/** The genesis allocation: ETH balances of the deployer and every account. */
export function genesisOf(w: Workload): Array<[Key, bigint]> {
  return [w.deployer, ...w.accounts].map((a) => [{ mark: Mark.Balance, addr: hexToBytes(a as `0x${string}`), slot: 0n }, w.genesisBalance]);
}

interface Signer {
  wallet: ethers.Wallet;
  address: string;
  nonce: number;
}

export async function generateWorkload(p: WorkloadParams): Promise<Workload> {
  const params: Required<WorkloadParams> = { mix: DEFAULT_MIX, traders: Math.min(p.accounts, 50), ...p };
  if (params.accounts < 2) throw new RangeError("need at least 2 accounts");
  if (params.traders < 1 || params.traders > params.accounts) throw new RangeError("traders must be in [1, accounts]");
  const { Token, Pool } = loadBenchContracts();
  const tokenIf = new ethers.Interface(Token.abi as ethers.InterfaceAbi);
  const poolIf = new ethers.Interface(Pool.abi as ethers.InterfaceAbi);
  const rng = new Rng(params.seed);
  const chainId = BENCH_CHAIN_ID;

  const signer = (name: string): Signer => {
    const wallet = new ethers.Wallet(benchKey(params.seed, name));
    return { wallet, address: wallet.address.toLowerCase(), nonce: 0 };
  };
  const deployer = signer("deployer");
  const users = Array.from({ length: params.accounts }, (_, i) => signer(`account-${i}`));
  const feeRecipient = ethers.getAddress("0x" + bytesToHex(keccak256(utf8.encode(`moveset-bench/fee/${params.seed}`))).slice(26)).toLowerCase();

  const txs: WorkloadTx[] = [];
  const send = async (s: Signer, kind: TxKind, to: string | null, data: string, gasLimit: bigint, value = 0n) => {
    const raw = await s.wallet.signTransaction({
      type: 2,
      chainId,
      nonce: s.nonce++,
      maxFeePerGas: MAX_FEE,
      maxPriorityFeePerGas: PRIORITY_FEE,
      gasLimit,
      to,
      value,
      data,
    });
    txs.push({ raw: ethers.getBytes(raw), kind, gasLimit });
  };

  // ---- setup ----
  const tokens: string[] = [];
  for (const sym of ["TKA", "TKB", "TKC"]) {
    tokens.push(ethers.getCreateAddress({ from: deployer.address, nonce: deployer.nonce }).toLowerCase());
    const init = ethers.concat([Token.bytecode, ethers.AbiCoder.defaultAbiCoder().encode(["string", "string", "uint256"], [`Bench ${sym}`, sym, TOKEN_SUPPLY])]);
    await send(deployer, "deploy-token", null, init, 2_000_000n);
  }
  const pools: PoolInfo[] = [];
  for (const [i, j] of [
    [0, 1],
    [1, 2],
    [2, 0],
  ]) {
    const address = ethers.getCreateAddress({ from: deployer.address, nonce: deployer.nonce }).toLowerCase();
    pools.push({ address, token0: tokens[i], token1: tokens[j] });
    const init = ethers.concat([Pool.bytecode, ethers.AbiCoder.defaultAbiCoder().encode(["address", "address"], [tokens[i], tokens[j]])]);
    await send(deployer, "deploy-pool", null, init, 2_000_000n);
  }
  for (const pool of pools) {
    for (const t of [pool.token0, pool.token1]) await send(deployer, "approve", t, tokenIf.encodeFunctionData("approve", [pool.address, MAX_UINT]), 60_000n);
    await send(deployer, "add-liquidity", pool.address, poolIf.encodeFunctionData("addLiquidity", [POOL_LIQUIDITY, POOL_LIQUIDITY]), 300_000n);
  }
  for (const t of tokens)
    for (let i = 0; i < users.length; i += AIRDROP_CHUNK) {
      const to = users.slice(i, i + AIRDROP_CHUNK).map((u) => u.address);
      await send(deployer, "airdrop", t, tokenIf.encodeFunctionData("airdrop", [to, AIRDROP_EACH]), 60_000n + 32_000n * BigInt(to.length));
    }
  for (let a = 0; a < params.traders; a++)
    for (const pool of pools)
      for (const t of [pool.token0, pool.token1]) await send(users[a], "approve", t, tokenIf.encodeFunctionData("approve", [pool.address, MAX_UINT]), 60_000n);
  const setupCount = txs.length;

  // ---- main phase ----
  const total = params.mix.eth + params.mix.erc20 + params.mix.swap;
  const other = (a: number) => (a + 1 + rng.int(users.length - 1)) % users.length;
  for (let main = 0; main < params.txs; main++) {
    const r = rng.float() * total;
    if (r < params.mix.eth) {
      const a = rng.int(users.length);
      const u = users[a];
      await send(u, "eth", users[other(a)].address, "0x", 21_000n, rng.big(10n ** 12n, 10n ** 16n));
    } else if (r < params.mix.eth + params.mix.erc20) {
      const a = rng.int(users.length);
      const u = users[a];
      const t = tokens[rng.int(tokens.length)];
      const data = tokenIf.encodeFunctionData("transfer", [users[other(a)].address, rng.big(10n ** 15n, 10n ** 20n)]);
      await send(u, "erc20", t, data, 80_000n);
    } else {
      const u = users[rng.int(params.traders)];
      const pool = pools[rng.int(pools.length)];
      const tokenIn = rng.int(2) === 0 ? pool.token0 : pool.token1;
      const data = poolIf.encodeFunctionData("swap", [tokenIn, rng.big(10n ** 15n, 10n ** 20n), 1n, u.address]);
      await send(u, "swap", pool.address, data, 160_000n);
    }
  }

  // ---- batches ----
  // Setup batches hold only setup transactions (the last may be short), so main starts on a boundary.
  // A batch holds at most batchSize transactions declaring at most GAS_TARGET gas together (protocol.md
  // §7.5): then every batch's base fee is the minimum, BASE_FEE, which the transactions were filled with.
  const batches: BatchSpec[] = [];
  const cut = (from: number, to: number) => {
    for (let s = from; s < to; ) {
      let count = 0;
      let gas = 0n;
      while (s + count < to && count < params.batchSize && gas + txs[s + count].gasLimit <= GAS_TARGET) gas += txs[s + count++].gasLimit;
      if (count === 0) throw new RangeError(`workload transaction ${s} declares more than ${GAS_TARGET} gas`);
      const index = batches.length;
      batches.push({ index, start: s, count, env: batchEnv(params.seed, index, feeRecipient) });
      s += count;
    }
  };
  cut(0, setupCount);
  const firstMainBatch = batches.length;
  cut(setupCount, txs.length);

  return {
    params,
    chainId,
    deployer: deployer.address,
    accounts: users.map((u) => u.address),
    tokens,
    pools,
    feeRecipient,
    genesisBalance: GENESIS_BALANCE,
    txs,
    setupCount,
    batches,
    firstMainBatch,
  };
}

/** A digest of the workload's bytes (transactions and batch environments), for determinism checks. */
export function workloadDigest(w: Workload): string {
  const parts: Uint8Array[] = [];
  for (const t of w.txs) parts.push(keccak256(t.raw));
  for (const b of w.batches) parts.push(keccak256(utf8.encode(`${b.start}/${b.count}/${b.env.number}/${b.env.timestamp}/${bytesToHex(b.env.prevRandao)}`)));
  const all = new Uint8Array(parts.length * 32);
  parts.forEach((p, i) => all.set(p, i * 32));
  return bytesToHex(keccak256(all));
}
