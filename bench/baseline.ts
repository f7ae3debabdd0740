/**
 * The baseline: a conventional Ethereum node's sequential re-execution of the same transactions.
 * @ethereumjs/vm runTx over a Merkle-Patricia state (@ethereumjs/statemanager MerkleStateManager
 * with its account, storage and code caches, trie in memory), each transaction decoded from its
 * raw bytes and its sender recovered, the priority fee paid to the coinbase as Ethereum does, the
 * base fee charged on the declared gas as the rollup does (protocol.md §6.5: the unused gas comes back
 * at the priority fee only), and the state root computed at the end of every batch (one block per
 * batch). As ethereumjs does, the state
 * manager writes each transaction's changes into the trie when the transaction commits.
 *
 * It is given every advantage a single node has: the trie lives in memory (no disk), and no
 * receipt trie or block hash is computed. By default it has the speed-ups of the moveset core that
 * any ethereumjs node can have (native keccak and secp256k1, transaction parameters merged once, the
 * jump-analysis cache, the interpreter's faster loop), so that the ratio measures the design, not
 * the libraries. It keeps ethereumjs `runTx`, which builds the receipt a node serves: moveset's
 * validator runs its own driver (core/evm/driver.ts), which needs none.
 */
import { createCustomCommon, Hardfork, Mainnet, type Common, type CustomCrypto } from "@ethereumjs/common";
import { MerkleStateManager, Caches } from "@ethereumjs/statemanager";
import { createVM, runTx, type VM } from "@ethereumjs/vm";
import { createBlock, type Block } from "@ethereumjs/block";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { Account, Address, setLengthLeft, bytesToBigInt } from "@ethereumjs/util";
import { hexToBytes } from "../core/bytes";
import type { Workload, BatchSpec } from "./workload";
import { mergeTxParamsOnce, unusedGasPrice } from "../core/evm/chain";
import { effectiveGasPrice } from "../core/evm/ethtx";
import { installJumpdestCache } from "../core/evm/jumpdest";
import { installFastInterpreter } from "../core/evm/fast-interpreter";
import { nativeCrypto } from "../core/crypto/native";

export interface BaselineRun {
  /** Transactions timed (those of batches from `fromBatch` on). */
  txs: number;
  /** Wall time of the timed part, ms. */
  ms: number;
  /** CPU time of the process during the timed part, ms (user + system, all threads). */
  cpuMs: number;
  /**
   * Wall time of the timed part spent writing the state into the trie and hashing it, ms: the
   * MerkleStateManager flushes its caches into the trie when a transaction's outermost checkpoint
   * commits (and for the root at the end of each batch).
   */
  trieMs: number;
  /** State root after every batch. */
  stateRoots: Uint8Array[];
  /** The final state, for comparisons. */
  state: MerkleStateManager;
}

export interface BaselineOptions {
  /** Crypto primitives for the Common (ecrecover, keccak256); default: the core's native ones when they load, else ethereumjs' own (@noble). */
  crypto?: CustomCrypto;
  /** Merge the transaction parameters into the Common once instead of once per transaction (core/evm/chain.ts mergeTxParamsOnce); default true. */
  txParamsOnce?: boolean;
  /** First batch that is timed (earlier batches run untimed); default 0. */
  fromBatch?: number;
  /** Stop after this batch (exclusive); default all. */
  toBatch?: number;
}

/** CPU time used by this process so far (all threads), ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function baselineCommon(chainId: bigint, crypto: CustomCrypto | undefined = nativeCrypto(), txParamsOnce = true): Common {
  installJumpdestCache(); // process-wide, as in the core
  installFastInterpreter(); // the same: the interpreter's loop and EIP lookups
  const c = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Cancun, customCrypto: { ...(crypto ?? {}) } });
  if (txParamsOnce) mergeTxParamsOnce(c);
  return c;
}

function blockOf(b: BatchSpec, common: Common): Block {
  const e = b.env;
  return createBlock(
    {
      header: {
        number: e.number,
        timestamp: e.timestamp,
        coinbase: new Address(e.coinbase),
        baseFeePerGas: e.baseFee,
        gasLimit: e.gasLimit,
        mixHash: e.prevRandao,
        difficulty: 0n,
        excessBlobGas: e.excessBlobGas,
        blobGasUsed: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
      },
    },
    { common, skipConsensusFormatValidation: true },
  );
}

/** A fresh baseline node at genesis: the workload's allocation in a Merkle-Patricia state. */
export async function baselineGenesis(w: Workload, opts: BaselineOptions = {}): Promise<{ vm: VM; sm: MerkleStateManager; common: Common }> {
  const common = baselineCommon(w.chainId, opts.crypto, opts.txParamsOnce);
  const sm = new MerkleStateManager({ common, caches: new Caches() });
  for (const a of [w.deployer, ...w.accounts]) await sm.putAccount(new Address(hexToBytes(a as `0x${string}`)), new Account(0n, w.genesisBalance));
  await sm.getStateRoot();
  const vm = await createVM({ common, stateManager: sm });
  return { vm, sm, common };
}

async function runBatch(vm: VM, common: Common, w: Workload, b: BatchSpec): Promise<void> {
  const block = blockOf(b, common);
  for (let i = b.start; i < b.start + b.count; i++) {
    const tx = createTxFromRLP(w.txs[i].raw, { common }) as TypedTransaction;
    const r = await runTx(vm, { tx, block, skipHardForkValidation: true });
    if (r.execResult.exceptionError) throw new Error(`baseline: workload tx ${i} (${w.txs[i].kind}) failed: ${r.execResult.exceptionError.error}`);
    // the rollup's fee rule: runTx returned the unused gas at the gas price, the rollup at unusedGasPrice
    const price = effectiveGasPrice(tx, b.env.baseFee);
    const kept = (tx.gasLimit - r.totalGasSpent) * (price - unusedGasPrice("outputs", price, b.env.baseFee));
    if (kept !== 0n) {
      const from = tx.getSenderAddress();
      const acc = (await vm.stateManager.getAccount(from))!;
      acc.balance -= kept;
      await vm.stateManager.putAccount(from, acc);
    }
  }
}

/** Runs the workload sequentially; times the batches from `fromBatch` on. */
export async function runBaseline(w: Workload, opts: BaselineOptions = {}): Promise<BaselineRun> {
  const { vm, sm, common } = await baselineGenesis(w, opts);
  const from = opts.fromBatch ?? 0;
  const to = Math.min(opts.toBatch ?? w.batches.length, w.batches.length);
  const stateRoots: Uint8Array[] = [];
  let t0 = performance.now();
  let c0 = cpuMs();
  let txs = 0;
  let trieMs = 0;
  let timing = false;
  const flush = sm.flush.bind(sm);
  sm.flush = async () => {
    const f0 = performance.now();
    await flush();
    if (timing) trieMs += performance.now() - f0;
  };
  for (let bi = 0; bi < to; bi++) {
    if (bi === from) {
      timing = true;
      t0 = performance.now();
      c0 = cpuMs();
    }
    const b = w.batches[bi];
    await runBatch(vm, common, w, b);
    stateRoots.push(await sm.getStateRoot());
    if (bi >= from) txs += b.count;
  }
  return { txs, ms: performance.now() - t0, cpuMs: cpuMs() - c0, trieMs, stateRoots, state: sm };
}

/** Reads an account's balance and nonce and some storage slots from the baseline's state. */
export async function baselineRead(sm: MerkleStateManager, addrHex: string, slots: bigint[] = []): Promise<{ nonce: bigint; balance: bigint; storage: bigint[] }> {
  const addr = new Address(hexToBytes(addrHex as `0x${string}`));
  const acc = await sm.getAccount(addr);
  const storage: bigint[] = [];
  for (const s of slots) {
    const v = await sm.getStorage(addr, setLengthLeft(hexToBytes(("0x" + s.toString(16).padStart(64, "0")) as `0x${string}`), 32));
    storage.push(v.length ? bytesToBigInt(v) : 0n);
  }
  return { nonce: acc?.nonce ?? 0n, balance: acc?.balance ?? 0n, storage };
}
