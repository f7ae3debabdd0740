/**
 * Shared by the tests of contracts/Inbox.sol: its deployment with a TestProver, batches built on its tip with
 * the TypeScript core (core/batch.ts, core/tx.ts, so both sides must agree byte for byte), deposits and
 * plausible filler transactions.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Bridge, Inbox, TestProver } from "../../typechain-types";
import { BatchHeader, BatchTx, batchDataHash, encodeBatchData, headerHash, txRootOf, headerToAbi } from "../../core/batch";
import { batchTxOf } from "../../core/gas";
import { DepositTx, MoveTx, TxType, encodeTx } from "../../core/tx";
import { Mark } from "../../core/keys";
import { bytesToHex, hexToBytes, concatBytes } from "../../core/bytes";
import { DataSource } from "../../node/l1/batch-source";
import { EMPTY_GENESIS_ROOT } from "../../node/config";

export const BOND = ethers.parseEther("1");
export const WINDOW = 1000n;
export const DELAY = 100n;
export const BPS = 5000n;
export const MAX_DEPOSITS = 256n;
export const L2_CHAIN_ID = 901n;
export const MIN_BASE_FEE = 7n;
export const DEAD = "0x000000000000000000000000000000000000dEaD";
export const KIND_MALFORMED = 0;
export const KIND_DEPOSIT = 4;
/** DataSource of IInbox.sol (node/l1/batch-source.ts). */
export const DATA_CALLDATA = DataSource.Calldata;
export const DATA_EVENT = DataSource.Event;

export interface Deposit {
  index: bigint;
  from: string;
  to: string;
  value: bigint;
}

/** A deposit transaction exactly as a coordinator builds it: one move crediting `to`'s balance. */
export function depositTx(d: Deposit, prevBalance = 0n): Uint8Array {
  const tx: DepositTx = {
    type: TxType.Deposit,
    index: d.index,
    from: hexToBytes(d.from as `0x${string}`),
    to: hexToBytes(d.to as `0x${string}`),
    value: d.value,
    moves: [{ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: hexToBytes(d.to as `0x${string}`), slot: 0n, prev: prevBalance, next: prevBalance + d.value }],
  };
  return encodeTx(tx);
}

export const addr = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 31 + i * 7 + 1) & 0xff);

/** A plausible value transfer as a move transaction (the Inbox does not decode transactions; size matters). */
export function transferTx(n: number): Uint8Array {
  const from = addr(n);
  const to = addr(n + 1000);
  const fee = addr(7);
  const moves = [
    { mask: 0x7f, ref: false, mark: Mark.Balance, intx: BigInt(n + 1), addr: from, slot: 0n, prev: 10n ** 18n, next: 10n ** 18n - 10n ** 15n - 21000n * 2n * 10n ** 9n },
    { mask: 0, ref: true, mark: Mark.Code, intx: 0n, addr: from, slot: 0n, prev: 0n, next: 0n },
    { mask: 0x7f, ref: false, mark: Mark.Nonce, intx: BigInt(n + 1), addr: from, slot: 0n, prev: BigInt(n), next: BigInt(n + 1) },
    { mask: 0, ref: false, mark: Mark.Balance, intx: BigInt(n), addr: to, slot: 0n, prev: 5n * 10n ** 17n, next: 5n * 10n ** 17n + 10n ** 15n },
    { mask: 0, ref: true, mark: Mark.Code, intx: 0n, addr: to, slot: 0n, prev: 0n, next: 0n },
    { mask: 0, ref: false, mark: Mark.Fee, intx: 0n, addr: fee, slot: BigInt(n + 100), prev: 0n, next: 21000n * 10n ** 9n },
  ].sort((a, b) => Buffer.compare(Buffer.from(concatBytes(a.addr, Uint8Array.of(a.mark))), Buffer.from(concatBytes(b.addr, Uint8Array.of(b.mark)))));
  const tx: MoveTx = {
    type: TxType.Move,
    chainId: L2_CHAIN_ID,
    nonce: BigInt(n),
    maxPriorityFeePerGas: 10n ** 9n,
    maxFeePerGas: 2n * 10n ** 9n,
    gasLimit: 21000n,
    to,
    value: 10n ** 15n,
    data: new Uint8Array(0),
    moves,
    witness: [],
    sig: { yParity: 1, r: BigInt(ethers.keccak256(Uint8Array.of(n, 1))), s: BigInt(ethers.keccak256(Uint8Array.of(n, 2))) >> 2n },
  };
  return encodeTx(tx);
}

/** The header as the ABI takes it. */
export const sol = headerToAbi;

export interface Built {
  header: BatchHeader;
  data: Uint8Array;
  hash: string;
}

/**
 * Builds the next batch on the inbox's current tip from the TypeScript core: each transaction declares
 * its gas limit (0 for a deposit) unless given with its gas; the base fee is the one L1 requires.
 */
export async function nextBatch(inbox: Inbox, list: Array<Uint8Array | BatchTx>, o: { deposits?: bigint; timestamp?: bigint } = {}): Promise<Built> {
  const [index, parent, firstSeq, depositStart, minTs] = await inbox.tip();
  const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const txs = list.map((t) => (t instanceof Uint8Array ? batchTxOf(t) : t));
  const data = encodeBatchData(txs);
  const header: BatchHeader = {
    index,
    parent: hexToBytes(parent as `0x${string}`),
    firstSeq,
    txCount: BigInt(txs.length),
    txRoot: txRootOf(txs),
    number: index + 1n,
    timestamp: o.timestamp ?? (latest > minTs ? latest : minTs),
    feeRecipient: addr(7),
    baseFee: await inbox.nextBaseFee(),
    depositStart,
    depositEnd: depositStart + (o.deposits ?? 0n),
    dataHash: batchDataHash(data),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
  return { header, data, hash: bytesToHex(headerHash(header)) };
}

/** Re-hashes a header after a field was changed (the data commitments stay as they were). */
export function withField(b: Built, patch: Partial<BatchHeader>): Built {
  const header = { ...b.header, ...patch };
  return { header, data: b.data, hash: bytesToHex(headerHash(header)) };
}

export async function post(inbox: Inbox, who: HardhatEthersSigner, b: Built) {
  return inbox.connect(who).appendBatch(sol(b.header), b.data);
}

/** Posts a batch of `n` filler transactions (no deposits) and returns it. */
export async function postFiller(inbox: Inbox, who: HardhatEthersSigner, n = 1): Promise<Built> {
  const b = await nextBatch(inbox, Array.from({ length: n }, (_, i) => transferTx(i)));
  await (await post(inbox, who, b)).wait();
  return b;
}

/**
 * Bridge, Inbox (BOND, WINDOW, DELAY, `bps`, `maxDeposits`, MIN_BASE_FEE) and an armed TestProver; alice, bob and carol
 * each bonded `bonds` × BOND (each of their live, non-final batches locks one).
 */
export async function deployAll(params: { bps?: bigint; maxDeposits?: bigint; bonds?: bigint; genesis?: { root: string; count: bigint } } = {}) {
  const [deployer, alice, bob, carol, challenger, outsider] = await ethers.getSigners();
  const bridge = (await (await ethers.getContractFactory("Bridge")).deploy()) as unknown as Bridge;
  const inbox = (await (await ethers.getContractFactory("Inbox")).deploy(
    await bridge.getAddress(),
    L2_CHAIN_ID,
    BOND,
    WINDOW,
    DELAY,
    params.bps ?? BPS,
    params.maxDeposits ?? MAX_DEPOSITS,
    MIN_BASE_FEE,
    params.genesis?.root ?? EMPTY_GENESIS_ROOT,
    params.genesis?.count ?? 0n,
  )) as unknown as Inbox;
  await bridge.setInbox(await inbox.getAddress());
  const prover = (await (await ethers.getContractFactory("TestProver")).deploy(await inbox.getAddress())) as unknown as TestProver;
  await prover.arm(true);
  await inbox.setProvers([await prover.getAddress()]);
  for (const s of [alice, bob, carol]) await inbox.connect(s).bond({ value: BOND * (params.bonds ?? 1n) });
  return { deployer, alice, bob, carol, challenger, outsider, bridge, inbox, prover };
}


export async function deposit(bridge: Bridge, from: HardhatEthersSigner, to: string, value: bigint): Promise<Deposit> {
  const index = await bridge.depositCount();
  await (await bridge.connect(from).deposit(to, { value })).wait();
  return { index, from: from.address.toLowerCase(), to: to.toLowerCase(), value };
}
