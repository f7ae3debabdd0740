/**
 * Step 0 (docs/step-machine.md §5): the machine's start state as a function of the transaction,
 * its seq and its batch context alone. Only a transaction that passes the checks before execution
 * (core/validate.ts prepareTx: decoding, structure, masks, outputs, witness, signer) has a step 0;
 * the other faults have their one-step provers.
 */
import { isBlob4844Tx, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import type { Move } from "../moves";
import type { MoveTx, WrappedTx } from "../tx";
import type { TxContext } from "../context";
import { prepareTx, sweepCredit, type CodeLookup, type PreparedTx } from "../validate";
import { l1CostOf } from "../l1fee";
import { l1PricesOf } from "../context";
import { encodeTx } from "../tx";
import { FEE_VAULT } from "../evm/chain";
import { effectiveGasPrice, maxFeePerGas } from "../evm/ethtx";
import { Mem } from "./mem";
import { KeyTable, type Entry } from "./keytable";
import { FixedTree } from "./tree";
import { Machine, World, type CodeSource } from "./machine";
import { P, Pending, MODE_BLOB_FEE_CAP_LOW, MODE_ETHEREUM_FEES, MODE_STATE_TEST_BLOCKHASH, MODE_SWEEP_OVERFLOW, jumpdestMap, type CodeInfo, type Txc } from "./types";
import { H, MAX_U256, bytesWord, keccakBytes } from "./words";

export const ACL_DEPTH = 16;

/** The code registry as the stepper sees it: T's witness, earlier witnesses (lookup), and code learnt while running. */
export class Codes implements CodeSource {
  private readonly map = new Map<bigint, CodeInfo>();
  constructor(
    private readonly witness: Map<string, Uint8Array>,
    private readonly lookup?: CodeLookup,
  ) {}

  private hex(h: bigint): string {
    return "0x" + h.toString(16).padStart(64, "0");
  }

  get(h: bigint): CodeInfo | undefined {
    let c = this.map.get(h);
    if (c) return c;
    const hex = this.hex(h);
    const bytes = this.witness.get(hex) ?? this.lookup?.(hex);
    if (!bytes) return undefined;
    c = { bytes, jumpdests: jumpdestMap(bytes) };
    this.map.set(h, c);
    return c;
  }

  carried(h: bigint): boolean {
    const hex = this.hex(h);
    return this.witness.has(hex) || this.lookup?.(hex) !== undefined;
  }

  add(h: bigint, code: Uint8Array): void {
    if (!this.map.has(h)) this.map.set(h, { bytes: code, jumpdests: jumpdestMap(code) });
  }

  /**
   * Every code read or learnt so far (by hash), and whether a carrier makes it available: what a player registers
   * on L1 (bytes, and carriers for the carried ones) before the steps that read it.
   */
  usedCodes(): Array<{ hash: bigint; bytes: Uint8Array; carried: boolean }> {
    return [...this.map].map(([hash, c]) => ({ hash, bytes: c.bytes, carried: this.carried(hash) }));
  }
}

function entriesOf(moves: readonly Move[]): Entry[] {
  return moves.map((m) => ({ addr: bytesWord(m.addr), mark: m.mark, slot: m.slot, prev: m.prev, next: m.next, cur: m.prev, flags: 0n }));
}

interface AclItem {
  isSlot: boolean;
  addr: bigint;
  slot: bigint;
}

function aclItems(eth: TypedTransaction): AclItem[] {
  const out: AclItem[] = [];
  if (!("accessList" in eth) || !Array.isArray(eth.accessList)) return out;
  for (const item of eth.accessList as unknown[][]) {
    const [a, keys] = item as [Uint8Array, Uint8Array[] | Uint8Array];
    const addr = bytesWord(a);
    out.push({ isSlot: false, addr, slot: 0n });
    const list = Array.isArray(keys) ? keys : [];
    for (const k of list) out.push({ isSlot: true, addr, slot: bytesWord(k) });
  }
  return out;
}

export function aclLeaf(it: AclItem): bigint {
  return it.isSlot ? H("acl-slot", it.addr, it.slot) : H("acl-addr", it.addr);
}

/** EIP-4844's blob base fee of an excess blob gas (Cancun: minimum 1, update fraction 3338477). */
export function blobBaseFee(excess: bigint): bigint {
  const denominator = 3338477n;
  let i = 1n;
  let output = 0n;
  let acc = denominator;
  while (acc > 0n) {
    output += acc;
    acc = (acc * excess) / (denominator * i);
    i++;
  }
  return output / denominator;
}

/** TxConst of a prepared transaction (§3.1). */
export function txConstOf(p: PreparedTx, ctx: TxContext, dataRoot: bigint, aclRoot: bigint, aclCount: number, blobHashes: bigint[], l1Fee = 0n): Txc {
  const eth = p.eth;
  const env = ctx.env;
  const blobGasPrice = blobBaseFee(env.excessBlobGas);
  const maxFee = maxFeePerGas(eth);
  const gasPrice = effectiveGasPrice(eth, env.baseFee);
  const priorityFee = gasPrice >= env.baseFee ? gasPrice - env.baseFee : 0n;
  let maxCost = eth.value + eth.gasLimit * maxFee + l1Fee;
  let upfront = eth.gasLimit * gasPrice;
  let mode = 0n;
  if (ctx.feeMode === "ethereum") mode |= MODE_ETHEREUM_FEES;
  if (ctx.blockHash === "state-test") mode |= MODE_STATE_TEST_BLOCKHASH;
  if (isBlob4844Tx(eth)) {
    const blobGas = eth.common.param("blobGasPerBlob") * BigInt(eth.numBlobs());
    maxCost += blobGas * eth.maxFeePerBlobGas;
    upfront += blobGas * blobGasPrice;
    if (eth.maxFeePerBlobGas < blobGasPrice) mode |= MODE_BLOB_FEE_CAP_LOW;
  }
  const credit = sweepCredit(p.sweeps);
  if (credit > MAX_U256) mode |= MODE_SWEEP_OVERFLOW;
  const isCreate = eth.to === undefined;
  return {
    seq: ctx.seq,
    mode,
    chainId: env.chainId,
    number: env.number,
    timestamp: env.timestamp,
    coinbase: bytesWord(ctx.feeMode === "outputs" ? FEE_VAULT : env.coinbase),
    feeRecipient: bytesWord(env.coinbase),
    baseFee: env.baseFee,
    blockGasLimit: env.gasLimit,
    prevRandao: bytesWord(env.prevRandao),
    blobBaseFee: blobGasPrice,
    origin: bytesWord(p.sender.bytes),
    nonce: eth.nonce,
    gasPrice,
    priorityFee,
    maxFee,
    txGasLimit: eth.gasLimit,
    intrinsicGas: eth.getIntrinsicGas(),
    maxCost,
    upfront,
    sweepCredit: credit > MAX_U256 ? 0n : credit,
    isCreate: isCreate ? 1n : 0n,
    to: isCreate ? 0n : bytesWord(eth.to!.bytes),
    value: eth.value,
    dataRoot,
    dataLength: BigInt(eth.data.length),
    initcodeHash: isCreate ? keccakBytes(eth.data) : 0n,
    aclRoot,
    aclCount: BigInt(aclCount),
    blobHashes: H("blob-hashes", BigInt(blobHashes.length), ...blobHashes),
    l1Fee,
  };
}

/** The machine at step 0 for transaction `tx` in context `ctx` (throws InvalidTxError for faults before execution). */
export function initialMachine(tx: MoveTx | WrappedTx, ctx: TxContext, lookup?: CodeLookup, encoding?: Uint8Array): Machine {
  const p = prepareTx(tx, ctx, lookup);
  const data = Mem.fromBytes(p.eth.data);
  data.freeze();
  const acl = aclItems(p.eth);
  const aclTree = new FixedTree(ACL_DEPTH, acl.map(aclLeaf));
  const blobs = isBlob4844Tx(p.eth) ? p.eth.blobVersionedHashes.map((h) => (typeof h === "string" ? BigInt(h) : bytesWord(h as unknown as Uint8Array))) : [];
  // the L1 data fee (protocol.md §6.6), as the validator computes it
  const l1Fee = ctx.feeMode === "outputs" ? l1CostOf(tx, p.sender.bytes, ctx.env.coinbase, ctx.seq, l1PricesOf(ctx), encoding ?? encodeTx(tx)).l1Fee : 0n;
  const txc = txConstOf(p, ctx, data.root(), aclTree.root(), acl.length, blobs, l1Fee);
  const world = new World(KeyTable.create(entriesOf(tx.moves)), null, null, 0n, 0n, 0n);
  const codes = new Codes(p.codes, lookup);
  // a creation runs its data as code: the registry learns it like any initcode (it is not "carried")
  if (txc.isCreate === 1n && p.eth.data.length > 0) codes.add(txc.initcodeHash, p.eth.data);
  return new Machine(txc, world, null, null, Pending.of(P.Preamble), null, codes, data, blobs, acl, aclTree);
}

export { bytesToHex };
