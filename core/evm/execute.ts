/**
 * Runs one transaction in @ethereumjs/vm (Cancun) against a MoveStateManager. One Executor owns
 * one VM and one state manager and is reused for every transaction (no per-transaction setup).
 *
 * Before the EVM runs, the transaction-level rules are checked here in Ethereum's order, so a
 * refusal carries a precise `rules` reason (these become the rules fraud proof).
 */
import { createVM, runTx, type VM } from "@ethereumjs/vm";
import { Capability, isBlob4844Tx, type TypedTransaction } from "@ethereumjs/tx";
import { Address, bytesToHex } from "@ethereumjs/util";
import type { Block } from "@ethereumjs/block";
import type { InterpreterStep } from "@ethereumjs/evm";
import { InvalidTxError } from "../errors";
import { MoveStateManager, StateSource, UndeclaredKeyError, MissingCodeError } from "./state";
import { BlockEnv, BlockHashMode, FeeMode, FEE_VAULT_HEX, WITHDRAWAL_VAULT_HEX, blockFromEnv, blockHashFor, cancunCommon, loadCrypto, kzgMissing, unusedGasPrice } from "./chain";
import { MAX_U64, MAX_U256 } from "../bytes";
import { Mark } from "../keys";
import { installJumpdestCache } from "./jumpdest";
import { installFastInterpreter } from "./fast-interpreter";
import { driveTx, driverSupports } from "./driver";
import { effectiveGasPrice } from "./ethtx";
import { limitedPrecompiles } from "../step/precompiles";

export type Log = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array];

export interface ExecResult {
  /** 1 success, 0 reverted or halted (still a valid transaction). */
  status: 0 | 1;
  gasUsed: bigint;
  logs: Log[];
  createdAddress?: Uint8Array;
  returnValue: Uint8Array;
  error?: string;
  /** The state manager holding the accessed keys and final values. Valid until the next run. */
  sm: MoveStateManager;
}

class SwitchableBlockchain {
  mode: BlockHashMode = "zero";
  async getBlock(n: number | bigint) {
    const h = blockHashFor(this.mode, BigInt(n));
    return { hash: () => h };
  }
  async putBlock() {}
  shallowCopy() {
    return this;
  }
}

const MAX_INITCODE = 49152n;

/**
 * Listeners on the EVM while one transaction runs (tracers): ethereumjs's `step` (before each
 * instruction, awaited), `beforeMessage` and `afterMessage` (each call frame). `start` runs before
 * each attempt of the transaction (the Executor may run it twice, see `run`).
 */
export interface EvmListeners {
  start?(): void;
  step?(e: unknown): void | Promise<void>;
  beforeMessage?(m: unknown): void;
  afterMessage?(r: unknown): void;
}

export class Executor {
  private blocks = new Map<string, Block>();
  /** Listeners for the next runs (a tracer), or none. */
  listeners: EvmListeners | undefined;
  /** The result of the last run that completed (its state manager valid until the next run). */
  lastRun: ExecResult | undefined;
  private constructor(
    private readonly vm: VM,
    private readonly sm: MoveStateManager,
    private readonly chain: SwitchableBlockchain,
    /** Runs transactions with moveset's own driver (core/evm/driver.ts), else with ethereumjs runTx. */
    readonly driven: boolean,
  ) {}

  /**
   * `opts.runTx` (or MOVESET_NO_TX_DRIVER=1): run transactions with ethereumjs `runTx` instead of the
   * driver (tests compare the two).
   */
  static async create(chainId: bigint, opts: { runTx?: boolean } = {}): Promise<Executor> {
    installJumpdestCache();
    installFastInterpreter();
    const sm = new MoveStateManager({ read: () => 0n, code: () => undefined });
    const chain = new SwitchableBlockchain();
    // The rollup's precompile limits (core/step/precompiles.ts): the step machine proves every call.
    const vm = await createVM({ common: cancunCommon(chainId), stateManager: sm, blockchain: chain as never, evmOpts: { customPrecompiles: limitedPrecompiles() as never } });
    return new Executor(vm, sm, chain, !opts.runTx && process.env.MOVESET_NO_TX_DRIVER !== "1" && driverSupports(vm.common));
  }

  /** The keys the last run accessed (ids of core/keys.ts keyIdOf). */
  lastAccessed(): string[] {
    return [...this.sm.accessed.keys()];
  }

  /** Listens to the EVM's per-instruction `step` events (the step machine's differential check). */
  onStep(cb: ((ev: InterpreterStep) => void) | null): void {
    const ev = (this.vm.evm as unknown as { events: { on(n: string, f: unknown): void; removeAllListeners(n: string): void } }).events;
    ev.removeAllListeners("step");
    if (cb) ev.on("step", cb);
  }

  private block(env: BlockEnv, feeMode: FeeMode): Block {
    const k = `${env.chainId}|${env.number}|${env.timestamp}|${bytesToHex(env.coinbase)}|${env.baseFee}|${env.gasLimit}|${bytesToHex(env.prevRandao)}|${env.excessBlobGas}|${feeMode}`;
    let b = this.blocks.get(k);
    if (!b) {
      if (this.blocks.size > 64) this.blocks.clear();
      b = blockFromEnv(env, feeMode);
      this.blocks.set(k, b);
    }
    return b;
  }

  /**
   * Checks the transaction-level rules against the sender's declared state, in Ethereum's order.
   * Throws InvalidTxError("rules", ...).
   */
  private async checkRules(eth: TypedTransaction, sender: Address, block: Block, l1Fee: bigint): Promise<void> {
    const h = block.header;
    // INVARIANT: the transaction fits the block gas limit.
    if (eth.gasLimit > h.gasLimit) throw new InvalidTxError("rules", "gas-limit", `gas limit ${eth.gasLimit} exceeds the block's ${h.gasLimit}`);
    // INVARIANT: the nonce can still be incremented (EIP-2681).
    if (eth.nonce >= MAX_U64) throw new InvalidTxError("rules", "nonce-max", "nonce is 2^64-1");
    // INVARIANT: initcode is at most 49152 bytes (EIP-3860).
    if (eth.to === undefined && BigInt(eth.data.length) > MAX_INITCODE)
      throw new InvalidTxError("rules", "initcode-size", `initcode of ${eth.data.length} bytes exceeds ${MAX_INITCODE}`);
    const intrinsic = eth.getIntrinsicGas();
    // INVARIANT: the gas limit covers the intrinsic gas.
    if (eth.gasLimit < intrinsic) throw new InvalidTxError("rules", "intrinsic-gas", `gas limit ${eth.gasLimit} is below the intrinsic gas ${intrinsic}`);
    const maxFee = "maxFeePerGas" in eth ? eth.maxFeePerGas : eth.gasPrice;
    const baseFee = h.baseFeePerGas ?? 0n;
    // INVARIANT: the fee cap covers the base fee.
    if (maxFee < baseFee) throw new InvalidTxError("rules", "fee-cap", `fee cap ${maxFee} is below the base fee ${baseFee}`);
    const acc = await this.sm.getAccount(sender);
    const nonce = acc?.nonce ?? 0n;
    const balance = acc?.balance ?? 0n;
    // INVARIANT: the sender has no code (EIP-3607).
    if (acc && bytesToHex(acc.codeHash) !== "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
      throw new InvalidTxError("rules", "sender-not-eoa", "the sender has code");
    // The L1 data fee (protocol.md §6.6) is part of the cost the balance must cover upfront.
    let maxCost = eth.value + (eth.supports(Capability.EIP1559FeeMarket) ? eth.gasLimit * maxFee : eth.gasLimit * maxFee) + l1Fee;
    if (isBlob4844Tx(eth)) {
      const blobGas = eth.common.param("blobGasPerBlob") * BigInt(eth.numBlobs());
      const blobPrice = h.getBlobGasPrice();
      // INVARIANT: the blob fee cap covers the blob base fee.
      if (eth.maxFeePerBlobGas < blobPrice) throw new InvalidTxError("rules", "blob-fee-cap", `blob fee cap ${eth.maxFeePerBlobGas} is below ${blobPrice}`);
      maxCost += blobGas * eth.maxFeePerBlobGas;
    }
    // INVARIANT: the sender can pay value plus the maximum fee.
    if (balance < maxCost) throw new InvalidTxError("rules", "insufficient-balance", `balance ${balance} is below the maximum cost ${maxCost}`);
    // INVARIANT: the nonce is the sender's next nonce.
    if (nonce !== eth.nonce) throw new InvalidTxError("rules", "nonce", `nonce ${eth.nonce} is not the sender's nonce ${nonce}`, undefined, { nonce: eth.nonce.toString(), expected: nonce.toString() });
  }

  /**
   * Runs `eth` from `sender` with state read from `source`. Throws InvalidTxError for transactions
   * that cannot be included (rules), and for an access outside the source (execution). `credit`:
   * fee outputs the transaction sweeps, added to the sender's balance before the rules are checked.
   * `l1Fee` (fee-output mode): the L1 data fee (protocol.md §6.6), which the rules require the balance to
   * cover upfront and which is taken from the sender's balance at settlement, after the refund; the
   * caller adds it to the fee output. Execution never sees it, so a filler may run with 0 and add it after.
   */
  async run(eth: TypedTransaction, sender: Address, source: StateSource, env: BlockEnv, feeMode: FeeMode, blockHash: BlockHashMode, credit = 0n, l1Fee = 0n): Promise<ExecResult> {
    try {
      const r = await this.runOnce(eth, sender, source, env, feeMode, blockHash, credit, l1Fee);
      if (!kzgMissing()) return r;
    } catch (e) {
      if (!kzgMissing()) throw e;
    }
    // The transaction reached the point-evaluation precompile before KZG was loaded: load, run again.
    await loadCrypto();
    return this.runOnce(eth, sender, source, env, feeMode, blockHash, credit, l1Fee);
  }

  private async runOnce(eth: TypedTransaction, sender: Address, source: StateSource, env: BlockEnv, feeMode: FeeMode, blockHash: BlockHashMode, credit: bigint, l1Fee: bigint): Promise<ExecResult> {
    const sm = this.sm;
    this.lastRun = undefined;
    sm.reset(source, feeMode === "outputs" ? [FEE_VAULT_HEX, WITHDRAWAL_VAULT_HEX] : []);
    // Transient storage is cleared when a transaction's top call ends; a run that stopped on an
    // undeclared key or missing code never got there: nothing may carry over to this one.
    (this.vm.evm as unknown as { transientStorage: { clear(): void } }).transientStorage.clear();
    this.chain.mode = blockHash;
    const block = this.block(env, feeMode);
    try {
      if (credit > 0n) {
        // Fee sweeps (protocol.md §6.5): the swept outputs are the sender's balance before anything else.
        const a = sender.toString();
        const bal = await sm.getKey(Mark.Balance, a, 0n);
        // INVARIANT: the credited balance fits 256 bits.
        if (bal + credit > MAX_U256) throw new InvalidTxError("rules", "sweep-overflow", `balance ${bal} plus swept fees ${credit} exceeds 2^256-1`);
        await sm.setKey(Mark.Balance, a, 0n, bal + credit);
      }
      await this.checkRules(eth, sender, block, feeMode === "outputs" ? l1Fee : 0n);
    } catch (e) {
      throw translate(e, sm);
    }
    let r;
    const detach = this.attach();
    try {
      r = this.driven ? await driveTx(this.vm, eth, sender, block) : await runTx(this.vm, { tx: eth, block, skipHardForkValidation: true });
    } catch (e) {
      throw translate(e, sm, true);
    } finally {
      detach();
    }
    // INVARIANT: the EVM read or wrote no key outside the declared ones, and found all code.
    if (sm.violation) throw translate(sm.violation, sm);
    if (feeMode === "outputs") {
      // ethereumjs returned the unused gas at the gas price; the rollup returns it at unusedGasPrice
      const baseFee = block.header.baseFeePerGas ?? 0n;
      const gasPrice = effectiveGasPrice(eth, baseFee);
      // and takes the L1 data fee (protocol.md §6.6): the rules made sure the balance covers it
      const kept = (eth.gasLimit - r.totalGasSpent) * (gasPrice - unusedGasPrice(feeMode, gasPrice, baseFee)) + l1Fee;
      if (kept !== 0n) {
        const a = sender.toString();
        await sm.setKey(Mark.Balance, a, 0n, (await sm.getKey(Mark.Balance, a, 0n)) - kept);
      }
    }
    const ex = r.execResult;
    this.lastRun = {
      status: ex.exceptionError ? 0 : 1,
      gasUsed: r.totalGasSpent,
      logs: (ex.logs ?? []) as Log[],
      createdAddress: r.createdAddress?.bytes,
      returnValue: ex.returnValue,
      error: ex.exceptionError?.error,
      sm,
    };
    return this.lastRun;
  }

  /** Puts the listeners on the EVM; returns what takes them off. */
  private attach(): () => void {
    const l = this.listeners;
    if (!l) return () => {};
    l.start?.();
    const ev = this.vm.evm.events as unknown as { on(t: string, f: (...a: never[]) => void): void; off(t: string, f: (...a: never[]) => void): void };
    // A listener with two parameters is awaited by the EVM (ethereumjs's convention).
    const step = (e: unknown, done: () => void) => {
      Promise.resolve(l.step!(e)).then(done, done);
    };
    const before = (m: unknown) => l.beforeMessage!(m);
    const after = (r: unknown) => l.afterMessage!(r);
    if (l.step) ev.on("step", step as never);
    if (l.beforeMessage) ev.on("beforeMessage", before as never);
    if (l.afterMessage) ev.on("afterMessage", after as never);
    return () => {
      ev.off("step", step as never);
      ev.off("beforeMessage", before as never);
      ev.off("afterMessage", after as never);
    };
  }
}

function translate(e: unknown, sm: MoveStateManager, fromEvm = false): Error {
  const v = sm.violation ?? e;
  if (v instanceof InvalidTxError) return v;
  if (v instanceof UndeclaredKeyError) return new InvalidTxError("execution", "undeclared-key", `execution touches undeclared key ${v.keyId}`, undefined, { key: v.keyId });
  if (v instanceof MissingCodeError) return new InvalidTxError("execution", "missing-code", `code ${v.codeHash} is needed but not in the witness`, undefined, { codeHash: v.codeHash });
  const msg = (v as Error)?.message ?? String(v);
  if (fromEvm) return new InvalidTxError("rules", "rejected", `the EVM refused the transaction: ${msg.split(" -> ")[0].slice(0, 300)}`);
  return v instanceof Error ? v : new Error(msg);
}
