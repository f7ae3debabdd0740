/**
 * The worst case of every one-step fraud proof (docs/protocol.md §5.5, §9, §11.4): for each kind, a
 * byzantine poster appends batches holding the largest transactions the limits allow, shaped to make
 * that kind's prover do the most work it can be made to do, and a challenger proves them on the
 * in-process Hardhat network with the production contracts (Ignition module, as the devnet deploys
 * them). Each proof is sent with a gas limit of exactly 2^24 (L1's per-transaction cap, EIP-7825) and
 * must roll its batch back; its cost is max(receipt gasUsed, the EIP-7623 calldata floor of its
 * calldata: 21,000 + 10 per token, a zero byte 1 token, any other 4), since the network runs Cancun.
 *
 * Every transaction is MAX_TX_BYTES long (a deposit: as long as its encoding can be, 1,024 moves with
 * 32-byte values), carries MAX_MOVES moves, and fills the rest of its bytes with what its prover
 * reads most expensively: canonical access-list entries (one RLP list per 23 bytes, each walked) for a
 * wrapped transaction, data for a move transaction (hashed, and counted for intrinsic gas). The fault
 * each proof shows is the last thing its prover checks:
 *
 *   malformed   a withdrawal output that is not the (validly signed) sender's: full decode, structure,
 *               the raw Ethereum transaction, its signature, then the owner check (also with 1,023 fee
 *               sweeps, protocol.md §6.5, each checked for its shape and its owner);
 *   signature   a signature whose r is not on the curve: the signing hash (every move signed, for a move
 *               transaction) and ecrecover run, and recover nothing;
 *   input       (also: a move naming genesis for a key the predeploys leave at 0, shown by two leaves)
 *               a move naming as producer a transaction (of an earlier batch, as large) with no move of
 *               that key: both decoded, every produced move compared;
 *   double-use  a move consuming what an earlier transaction (of an earlier batch, as large) consumed;
 *   deposit     the queue's deposit exactly as queued, but with 1,024 moves (deposit-moves);
 *   rules       a nonce one below the declared one, every earlier rule passing (gas limit ≥ the
 *               intrinsic gas of the whole access list or data, fees, balance, no code; also with
 *               1,021 fee sweeps credited to the balance).
 *
 * Every shape is then posted again as the costliest compressed item the append-time limit admits (protocol.md
 * §7.7: at most MAX_FLZ_ITEM_BYTES, expanding to the same transaction; bench/flz-worst.ts), on a deployment binding
 * the shipped dictionary: its proof expands it (two, for input and double-use) and then does all the work above
 * (`proofGasMaxCompressed`). To make the shapes compressible, the access list names one address in every entry
 * (each is walked by its fixed shape whatever it names), and a deposit's addresses differ in their last two bytes
 * and share one value.
 *
 * The network is snapshotted first and reverted at the end.
 */
import { Contract, JsonRpcProvider, getBytes, hexlify, keccak256, toQuantity, toUtf8Bytes } from "ethers";
import { secp256k1 } from "ethereum-cryptography/secp256k1.js";
import { RLP } from "@ethereumjs/rlp";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { batchTxOf } from "../core/gas";
import { MAX_TX_BYTES, type BatchHeader, type BatchTx } from "../core/batch";
import { bytesToHex, hexToBytes, keccak256 as keccak } from "../core/bytes";
import { Mark, MASK_ALL, sortMoves, encodeTx, signMoveTx, LIMITS, TxType, type Move, type Tx, type WrappedTx, type MoveTx, type DepositTx } from "../core";
import { worstItem } from "./flz-worst";
import { defaultDictionary } from "../deploy/dictionary";
import { deployMoveset, devAccounts, loadHardhat, startL1Server } from "../node/devnet/devnet";
import { batchOnTip, BYZANTINE_KINDS, type ByzantineKind } from "../node/devnet/byzantine";
import { calldataFloor, executionGasOf } from "../prover/l1-pricing";
import { abiOf, headerToSol, inboxInterface } from "../node/l1/contracts";
import { buildProof, commitmentOf, memoryChainView } from "../prover/build";
import { predeployAllocation } from "../core/predeploys";
import type { TxFault } from "../prover/fault";

/** L1's gas cap per transaction (EIP-7825). */
export const L1_TX_GAS_CAP = 1 << 24;

export interface ProofGasCase {
  kind: ByzantineKind;
  /** Which transaction shape (the largest of a kind's shapes is its proofGasMax). */
  shape: string;
  /** Whether its transactions were posted as compressed items (protocol.md §7.7), the costliest bench/flz-worst.ts makes. */
  compressed: boolean;
  /** Bytes of the proven transaction (and of the earlier one, for input and double-use), expanded. */
  txBytes: number[];
  /** Bytes of their items as posted (txBytes where raw). */
  itemBytes: number[];
  moves: number[];
  /** The prove transaction's receipt gasUsed (Cancun rules). */
  gasUsed: number;
  /** EIP-7623's floor for its calldata. */
  floor: number;
  /** gasUsed less the transaction's intrinsic gas (21,000 and its calldata): the prover's work, the expansion included. */
  execution: number;
  /** max(gasUsed, floor): what it costs on an L1 with EIP-7623. */
  gas: number;
}

export interface ProofGasMax {
  /** Per kind, the most expensive of its shapes, posted as raw items. */
  proofGasMax: Record<ByzantineKind, number>;
  /** The same, posted as compressed items (at most MAX_FLZ_ITEM_BYTES each, expanding to the shapes). */
  proofGasMaxCompressed: Record<ByzantineKind, number>;
  cases: ProofGasCase[];
  seconds: number;
}

export class ProofGasError extends Error {}

type Request = (method: string, params?: unknown[]) => Promise<unknown>;

const CHAIN = 901n;
const addr = (tag: string) => hexToBytes(bytesToHex(keccak(toUtf8Bytes(tag))).slice(0, 42) as `0x${string}`);
/** The first address of all (sorts before every other): the moves that pad a transaction. */
const LOW = hexToBytes("0x0000000000000000000000000000000000000001");

/** `n` consuming storage moves of LOW (slots 1..n, intx 0), sorted: the cheapest bytes per move to decode. */
function padMoves(n: number, mask = 0): Move[] {
  return Array.from({ length: n }, (_, i) => ({ mask, ref: false, mark: Mark.Storage, intx: 0n, addr: LOW, slot: BigInt(i + 1), prev: 1n, next: 2n }));
}

/**
 * `n` fee sweeps of `owner` (protocol.md §6.5: f moves keyed by earlier seqs 1..n, consuming, intx =
 * slot, next 0), sorted: every check of sweeps runs on each (the seqs must be below the transaction's).
 */
function sweepMoves(n: number, owner: Uint8Array): Move[] {
  return Array.from({ length: n }, (_, i) => ({ mask: 0, ref: false, mark: Mark.Fee, intx: BigInt(i + 1), addr: owner, slot: BigInt(i + 1), prev: 1n, next: 0n }));
}

/** The smallest x with x^3 + 7 not a square mod p: an r from which no public key recovers. */
function offCurveX(): bigint {
  const p = 2n ** 256n - 2n ** 32n - 977n;
  const pow = (b: bigint, e: bigint) => {
    let r = 1n;
    for (b %= p; e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) r = (r * b) % p;
    return r;
  };
  for (let x = 1n; ; x++) if (pow((x * x * x + 7n) % p, (p - 1n) / 2n) !== 1n) return x;
}

interface WrappedSpec {
  key: string;
  nonce: number;
  gasLimit: bigint;
  maxFee: bigint;
  /** Replace the signature's r by an x off the curve (nothing recovers). */
  badR?: boolean;
  /** One address named by every access-list entry (a compressed item's shape: it repeats); default, each its own. */
  alAddr?: Uint8Array;
}

/** A quantity as RLP takes it: big-endian, no leading zero byte (0 is empty). */
function quantity(n: bigint | number): Uint8Array {
  const h = BigInt(n).toString(16);
  return n === 0 || n === 0n ? new Uint8Array(0) : hexToBytes(`0x${h.length % 2 ? "0" : ""}${h}` as `0x${string}`);
}

/**
 * An EIP-1559 raw transaction of `spec` with `entries` access-list entries and `dataLen` data bytes, signed as
 * ethers' `Wallet.signTransaction` signs it (the same bytes: RFC 6979, low s), built with RLP directly: ethers takes
 * seconds per transaction of thousands of access-list entries, and maxWrapped builds a dozen per shape.
 */
function rawOf(spec: WrappedSpec, entries: number, dataLen: number): Uint8Array {
  const accessList = Array.from({ length: entries }, (_, i) => [spec.alAddr ?? addr(`al/${i}`), []]);
  const fields = [quantity(CHAIN), quantity(spec.nonce), quantity(1n), quantity(spec.maxFee), quantity(spec.gasLimit), addr("to"), quantity(0n), new Uint8Array(dataLen).fill(0xab), accessList];
  const sig = secp256k1.sign(keccak(Uint8Array.from([2, ...RLP.encode(fields)])), hexToBytes(spec.key as `0x${string}`), { lowS: true });
  const r = spec.badR ? offCurveX() : sig.r;
  return Uint8Array.from([2, ...RLP.encode([...fields, quantity(sig.recovery), quantity(r), quantity(sig.s)])]);
}

/**
 * The largest wrapped transaction of `spec` with `moves`: as many access-list entries as fit, then data
 * bytes, to exactly MAX_TX_BYTES (or within a byte or two, where RLP lengths step).
 */
async function maxWrapped(spec: WrappedSpec, moves: Move[]): Promise<WrappedTx> {
  const make = async (k: number, d: number): Promise<WrappedTx> => ({ type: TxType.Wrapped, raw: rawOf(spec, k, d), moves, witness: [] });
  const size = async (k: number, d: number) => encodeTx(await make(k, d)).length;
  let k = Math.floor((MAX_TX_BYTES - (await size(0, 0))) / 23);
  while (k > 0 && (await size(k, 0)) > MAX_TX_BYTES) k--;
  let d = MAX_TX_BYTES - (await size(k, 0));
  for (let i = 0; i < 8 && d > 0; i++) {
    const s = await size(k, d);
    if (s === MAX_TX_BYTES) break;
    d += MAX_TX_BYTES - s;
  }
  while (d > 0 && (await size(k, d)) > MAX_TX_BYTES) d--;
  return make(k, Math.max(d, 0));
}

/** The largest move transaction with `moves`: data bytes to exactly MAX_TX_BYTES. */
function maxMoveTx(key: Uint8Array, nonce: bigint, moves: Move[], sig: "valid" | "badR"): MoveTx {
  const make = (d: number): MoveTx => {
    const tx: MoveTx = {
      type: TxType.Move, chainId: CHAIN, nonce, maxPriorityFeePerGas: 1n, maxFeePerGas: 2_000_000_000n, gasLimit: 25_000_000n, to: addr("to"),
      value: 0n, data: new Uint8Array(d).fill(0xab), moves, witness: [], sig: { yParity: 0, r: 1n, s: 1n },
    };
    if (sig === "valid") return signMoveTx(tx, key);
    tx.sig = { yParity: 0, r: offCurveX(), s: 1n };
    return tx;
  };
  let d = 0;
  for (let i = 0; i < 8; i++) {
    const s = encodeTx(make(d)).length;
    if (s === MAX_TX_BYTES) break;
    d += MAX_TX_BYTES - s;
  }
  while (d > 0 && encodeTx(make(d)).length > MAX_TX_BYTES) d--;
  return make(d);
}

/** Sends `fn(args)` from an unlocked dev account with a gas limit of L1_TX_GAS_CAP; the receipt and calldata. */
async function send(request: Request, what: string, from: string, c: Contract, fn: string, args: unknown[], value = 0n) {
  const data = c.interface.encodeFunctionData(fn, args);
  let rc: { status: string; gasUsed: string; logs: { address: string; topics: string[]; data: string }[] } | null;
  try {
    const hash = await request("eth_sendTransaction", [{ from, to: await c.getAddress(), data, value: toQuantity(value), gas: toQuantity(L1_TX_GAS_CAP) }]);
    rc = (await request("eth_getTransactionReceipt", [hash])) as typeof rc;
  } catch (e) {
    throw new ProofGasError(`${what} failed: ${(e as Error).message}`);
  }
  if (!rc || BigInt(rc.status) !== 1n) throw new ProofGasError(`${what} failed (status ${rc?.status})`);
  return { gasUsed: Number(BigInt(rc.gasUsed)), logs: rc.logs, calldata: getBytes(data) };
}

export interface ProofGasOptions {
  /** The Hardhat runtime whose in-process network is used (a test's); default this process's, compiled first. */
  hre?: HardhatRuntimeEnvironment;
  /**
   * Only the wrapped-transaction shape of each kind (`moveset bench --quick`): it is the costliest of
   * each kind's shapes in every full measurement so far (docs/BENCHMARKS.md), and takes half the time.
   */
  wrappedOnly?: boolean;
  log?: (s: string) => void;
}

export async function measureProofGasMax(o: ProofGasOptions = {}): Promise<ProofGasMax> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const hre = o.hre ?? loadHardhat();
  if (!o.hre) await hre.run("compile", { quiet: true });
  const request: Request = (method, params = []) => hre.network.provider.request({ method, params });
  const snapshot = await request("evm_snapshot");
  let server: Awaited<ReturnType<typeof startL1Server>> | undefined;
  let l1: JsonRpcProvider | undefined;
  try {
    server = await startL1Server(hre, "127.0.0.1", 0);
    l1 = new JsonRpcProvider(server.url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    const [poster, challenger, user] = devAccounts(3);
    // A long inclusion delay: the deposit case's deposit goes back to the queue when its batch is rolled
    // back, and must not become overdue for the batches after it.
    // The shipped dictionary (protocol.md §7.7), bound as `moveset deploy` binds it by default: raw items never read it.
    const dict = defaultDictionary();
    const record = await deployMoveset(hre, { l2ChainId: CHAIN, challengeWindow: 604_800n, inclusionDelay: 10n ** 9n, dictionary: dict }, poster.address);
    const inboxAddr = record.contracts.Inbox;
    const inbox = new Contract(inboxAddr, abiOf("Inbox"), l1);
    const bridge = new Contract(record.contracts.Bridge, abiOf("Bridge"), l1);
    // Every proof slashes one bond: enough for all of them.
    await send(request, "bond", poster.address, inbox, "bond", [], 32n * BigInt(record.parameters.bondSize));
    await request("hardhat_setBalance", [await inbox.getFunction("BURN_ADDRESS").staticCall(), "0x1"]);
    const posted: { header: BatchHeader; txs: BatchTx[] }[] = [];
    const env = { l1, inbox: inboxAddr };
    // The predeploys the deployment committed to (protocol.md §7.6): what a genesis input proof shows.
    const genesis = predeployAllocation(CHAIN).entries;

    // Whether the cases post compressed items (run, below), and the item each transaction was posted as.
    let mode = false;
    const itemOf = new Map<Tx, Uint8Array>();
    /** Appends a batch of `txs` (each declaring its gas limit) on the tip, as raw or the costliest compressed items; returns it. */
    const post = async (txs: Tx[], deposits = 0n, raw: BatchTx[] = []): Promise<{ header: BatchHeader; txs: BatchTx[] }> => {
      const entries = [
        ...raw,
        ...txs.map((t) => {
          const e = batchTxOf(encodeTx(t));
          const item = mode ? worstItem(e.tx, dict) : e.tx;
          itemOf.set(t, item);
          return { gas: e.gas, tx: item };
        }),
      ];
      const b = await batchOnTip(env, entries, poster.address);
      // The deposit range is in the header only (the data does not change).
      b.header.depositEnd = b.header.depositStart + deposits;
      await send(request, `appendBatch ${b.header.index}`, poster.address, inbox, "appendBatch", [headerToSol(b.header), hexlify(b.data)]);
      const p = { header: b.header, txs: entries };
      posted[Number(b.header.index)] = p;
      posted.length = Number(b.header.index) + 1;
      return p;
    };

    const cases: ProofGasCase[] = [];
    type Queued = { from: Uint8Array; to: Uint8Array; value: bigint };
    const prove = async (kind: ByzantineKind, shape: string, fault: Omit<TxFault, "message" | "code">, sizes: Tx[], queue: Queued[] = []) => {
      const call = await buildProof({ ...fault, code: "", message: "" }, memoryChainView(posted, queue, genesis, dict));
      const prover = new Contract(record.contracts[call.prover], abiOf(call.prover, "fraud"), l1);
      const salt = keccak256(toUtf8Bytes(`moveset-proof-gas/${kind}/${shape}`));
      await send(request, `commit (${kind}, ${shape})`, challenger.address, prover, "commit", [commitmentOf(challenger.address, call.proofHash, salt)]);
      const p = await send(request, `${call.prover}.prove (${kind}, ${shape})`, challenger.address, prover, call.method, [...call.args, salt]);
      const rolled = p.logs.map((l) => (l.address.toLowerCase() === inboxAddr.toLowerCase() ? inboxInterface().parseLog(l) : null)).find((e) => e?.name === "BatchesRolledBack");
      if (!rolled || BigInt(rolled.args[0]) !== fault.batchIndex) throw new ProofGasError(`the ${kind} proof (${shape}) did not roll batch ${fault.batchIndex} back`);
      posted.length = Number(fault.batchIndex);
      const floor = calldataFloor(p.calldata);
      const c: ProofGasCase = {
        kind, shape, compressed: mode, txBytes: sizes.map((t) => encodeTx(t).length), itemBytes: sizes.map((t) => itemOf.get(t)!.length), moves: sizes.map((t) => t.moves.length),
        gasUsed: p.gasUsed, floor, execution: executionGasOf(p.gasUsed, p.calldata), gas: Math.max(p.gasUsed, floor),
      };
      cases.push(c);
      const items = mode ? ` as compressed items of ${c.itemBytes.join(" + ")} bytes` : "";
      log(`proof gas: ${kind} (${shape}${mode ? ", compressed" : ""}): ${c.gas} (gasUsed ${c.gasUsed}, execution ${c.execution}, calldata floor ${floor}; tx ${c.txBytes.join(" + ")} bytes${items}, ${c.moves.join(" + ")} moves)`);
    };

    const M = LIMITS.maxMoves;
    // Sweeps name earlier seqs: a first batch of junk one-byte transactions (never proven) moves the
    // next seq past M, so a transaction may sweep M outputs.
    await post([], 0n, Array.from({ length: M + 8 }, () => ({ gas: 0n, tx: Uint8Array.of(0x09) })));
    const userKey = hexToBytes(user.privateKey as `0x${string}`);
    const userAddr = hexToBytes(user.address.toLowerCase() as `0x${string}`);
    const foreign = addr("foreign");
    /** Every case, posted as raw items or as the costliest compressed items (bench/flz-worst.ts). */
    const run = async (compressed: boolean) => {
      mode = compressed;
      // A compressed item must compress: one address repeated in the access list (the same walk of its shape).
      const alAddr = compressed ? new Uint8Array(20).fill(0x5a) : undefined;
      const loose: WrappedSpec = { key: user.privateKey, nonce: 0, gasLimit: 1_000_000n, maxFee: 2_000_000_000n, alAddr };

      // ---- malformed: a foreign withdrawal output, found after the signature ----
      {
        const seqOf = async () => BigInt(await inbox.getFunction("nextSeq").staticCall());
        const w = (seq: bigint): Move => ({ mask: 0, ref: false, mark: Mark.Withdrawal, intx: 0n, addr: foreign, slot: seq, prev: 0n, next: 5n });
        const seq = await seqOf();
        const t = await maxWrapped(loose, sortMoves([...padMoves(M - 1), w(seq)]));
        const b = await post([t]);
        await prove("malformed", "wrapped, access list", { kind: "malformed", batchIndex: b.header.index, txIndex: 0, seq }, [t]);
        const ts = await maxWrapped(loose, sortMoves([...sweepMoves(M - 1, userAddr), w(seq)]));
        const bs = await post([ts]);
        await prove("malformed", "wrapped, sweeps, access list", { kind: "malformed", batchIndex: bs.header.index, txIndex: 0, seq }, [ts]);
        if (!o.wrappedOnly) {
          const m = maxMoveTx(userKey, 0n, sortMoves([...padMoves(M - 1, MASK_ALL), w(seq)]), "valid");
          const b2 = await post([m]);
          await prove("malformed", "move tx, signed moves", { kind: "malformed", batchIndex: b2.header.index, txIndex: 0, seq }, [m]);
        }
      }
      // ---- signature: nothing recovers ----
      {
        const seq = BigInt(await inbox.getFunction("nextSeq").staticCall());
        const t = await maxWrapped({ ...loose, badR: true }, padMoves(M));
        const b = await post([t]);
        await prove("signature", "wrapped, access list", { kind: "signature", batchIndex: b.header.index, txIndex: 0, seq }, [t]);
        if (!o.wrappedOnly) {
          const m = maxMoveTx(userKey, 0n, padMoves(M, MASK_ALL), "badR");
          const b2 = await post([m]);
          await prove("signature", "move tx, signed moves", { kind: "signature", batchIndex: b2.header.index, txIndex: 0, seq }, [m]);
        }
      }
      // ---- input and double-use: two transactions of the largest size ----
      for (const kind of ["input", "double-use"] as const) {
        const pseq = BigInt(await inbox.getFunction("nextSeq").staticCall());
        const producer = await maxWrapped(loose, padMoves(M));
        await post([producer]);
        const seq = pseq + 1n;
        // input: the last move names the producer for a key it never wrote; double-use: it consumes
        // what the producer's last move consumed (LOW's slot M, genesis).
        const last: Move =
          kind === "input"
            ? { mask: 0, ref: false, mark: Mark.Storage, intx: pseq, addr: foreign, slot: 7n, prev: 5n, next: 6n }
            : { mask: 0, ref: false, mark: Mark.Storage, intx: 0n, addr: LOW, slot: BigInt(M), prev: 1n, next: 3n };
        const moves = kind === "input" ? sortMoves([...padMoves(M - 1), last]) : padMoves(M).map((m, i) => (i === M - 1 ? last : { ...m, slot: m.slot + 100_000n }));
        const t = await maxWrapped(loose, sortMoves(moves));
        const b = await post([t]);
        const mi = t.moves.findIndex((m) => m === last);
        await prove(kind, "wrapped, access list", { kind, batchIndex: b.header.index, txIndex: 0, seq, moveIndex: mi, ...(kind === "double-use" ? { spentBy: pseq } : {}) }, [t, producer]);
      }
      // ---- input (genesis): the last move names genesis for a key the allocation leaves at 0, between two leaves ----
      {
        const seq = BigInt(await inbox.getFunction("nextSeq").staticCall());
        // A storage slot of a predeploy: its key lies between that predeploy's nonce leaf and the next leaf, so
        // the proof carries two branches (the most a genesis proof carries).
        const pre = genesis.map((e) => e.key.addr).reduce((a, x) => (Buffer.compare(Buffer.from(x), Buffer.from(a)) < 0 ? x : a));
        const last: Move = { mask: 0, ref: false, mark: Mark.Storage, intx: 0n, addr: pre, slot: 7n, prev: 5n, next: 6n };
        const t = await maxWrapped(loose, sortMoves([...padMoves(M - 1), last]));
        const b = await post([t]);
        const mi = t.moves.findIndex((m) => m === last);
        await prove("input", "genesis, wrapped, access list", { kind: "input", batchIndex: b.header.index, txIndex: 0, seq, moveIndex: mi }, [t]);
      }
      // ---- deposit: as queued, but 1,024 moves ----
      {
        const value = 1_000_000_000n;
        const to = userAddr;
        // The next queue entry: the raw case's deposit, back in the queue after its batch was rolled back, or a new one.
        const index = BigInt((await inbox.getFunction("tip").staticCall())[3]);
        if (BigInt(await bridge.getFunction("depositCount").staticCall()) <= index) await send(request, "deposit", poster.address, bridge, "deposit", [user.address], value);
        const big = (i: number) => (1n << 255n) + BigInt(i);
        // Compressed: addresses that differ in their last two bytes and one value, so the item fits its limit.
        const depAddr = (i: number) => (compressed ? Uint8Array.from([...addr("dep").subarray(0, 18), i >> 8, i & 255]) : addr(`dep/${i}`));
        const value0 = (i: number) => (compressed ? big(0) : big(i));
        const moves: Move[] = sortMoves(Array.from({ length: M }, (_, i) => ({ mask: 0, ref: false, mark: Mark.Balance, intx: 0n, addr: depAddr(i), slot: 0n, prev: value0(i), next: value0(i) + 1n })));
        const dep: DepositTx = { type: TxType.Deposit, index, from: hexToBytes(poster.address.toLowerCase() as `0x${string}`), to, value, moves };
        const seq = BigInt(await inbox.getFunction("nextSeq").staticCall());
        if (encodeTx(dep).length > MAX_TX_BYTES) throw new ProofGasError("the deposit shape is over the size limit");
        const b = await post([dep], 1n);
        const queue: Queued[] = [];
        queue[Number(index)] = { from: dep.from, to, value };
        await prove("deposit", "1,024 moves, 32-byte values", { kind: "deposit", batchIndex: b.header.index, txIndex: 0, seq }, [dep], queue);
      }
      // ---- rules: every rule passes but the nonce (the last checked) ----
      {
        const seq = BigInt(await inbox.getFunction("nextSeq").staticCall());
        const sender = (nonce: bigint): Move[] => [
          { mask: 0, ref: true, mark: Mark.Balance, intx: 0n, addr: userAddr, slot: 0n, prev: 10n ** 24n, next: 10n ** 24n },
          { mask: 0, ref: true, mark: Mark.Code, intx: 0n, addr: userAddr, slot: 0n, prev: 0n, next: 0n },
          { mask: 0, ref: false, mark: Mark.Nonce, intx: 0n, addr: userAddr, slot: 0n, prev: nonce, next: nonce + 1n },
        ];
        const t = await maxWrapped({ key: user.privateKey, nonce: 5, gasLimit: 29_000_000n, maxFee: 2_000_000_000n, alAddr }, sortMoves([...padMoves(M - 3), ...sender(6n)]));
        const b = await post([t]);
        await prove("rules", "wrapped, access list", { kind: "rules", batchIndex: b.header.index, txIndex: 0, seq }, [t]);
        const ts = await maxWrapped({ key: user.privateKey, nonce: 5, gasLimit: 29_000_000n, maxFee: 2_000_000_000n, alAddr }, sortMoves([...sweepMoves(M - 3, userAddr), ...sender(6n)]));
        const bs = await post([ts]);
        await prove("rules", "wrapped, sweeps, access list", { kind: "rules", batchIndex: bs.header.index, txIndex: 0, seq }, [ts]);
        if (!o.wrappedOnly) {
          const m = maxMoveTx(userKey, 5n, sortMoves([...padMoves(M - 3), ...sender(6n)]), "valid");
          const b2 = await post([m]);
          await prove("rules", "move tx, data", { kind: "rules", batchIndex: b2.header.index, txIndex: 0, seq }, [m]);
        }
      }
    };
    await run(false);
    await run(true);

    const worst = (compressed: boolean) => {
      const r = {} as Record<ByzantineKind, number>;
      for (const k of BYZANTINE_KINDS) {
        const mine = cases.filter((c) => c.kind === k && c.compressed === compressed);
        if (!mine.length) throw new ProofGasError(`no ${k} case was measured${compressed ? " on compressed items" : ""}`);
        r[k] = Math.max(...mine.map((c) => c.gas));
      }
      return r;
    };
    return { proofGasMax: worst(false), proofGasMaxCompressed: worst(true), cases, seconds: (performance.now() - t0) / 1000 };
  } finally {
    l1?.destroy();
    await server?.close();
    await request("evm_revert", [snapshot]);
  }
}
