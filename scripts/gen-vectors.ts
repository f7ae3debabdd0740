/**
 * Shared test vectors for the TypeScript core and its Solidity twins.
 *
 *   npx ts-node --transpile-only scripts/gen-vectors.ts
 *
 * writes test/vectors/{hashes,merkle,tx,moves,invalid}.json from fixed keys and inputs, so the
 * output is byte-for-byte reproducible. test/core/vectors.test.ts re-derives every vector from the
 * core and fails until the vectors are regenerated on purpose after a change to an encoding or hash.
 *
 * JSON conventions: byte strings are 0x-prefixed lower-case hex; integers that may exceed 2^53
 * (every protocol integer: seqs, values, slots, fees, r, s) are decimal strings; small enumerations
 * (tx type, mark, mask, yParity) are JSON numbers; absent `to` (contract creation) is null.
 */
import * as fs from "fs";
import * as path from "path";
import { Wallet, Transaction, getBytes } from "ethers";
import { Writer, Reader } from "../core/codec";
import { DecodeError, DecodeCode } from "../core/errors";
import { bytesToHex, hexToBytes, keccak256, concatBytes, u256, toFixed, MAX_U256, MAX_U64, ZERO32 } from "../core/bytes";
import { DOMAIN_NAMES, DOMAINS, Domain, hashTagged } from "../core/hash";
import { Key, Mark, keyBytes } from "../core/keys";
import { Move, MASK_ALL, MaskBit, MARK_SAME_ADDR, encodeMove, decodeMove, encodeMoves, decodeMoves, moveSigCommitment, movesSigDigest } from "../core/moves";
import { DepositTx, MoveTx, Tx, TxType, LIMITS, encodeTx, decodeTx, canonicalWitness, txLeaf } from "../core/tx";
import { moveTxSighash, signMoveTx, recoverMoveTxSender, txId } from "../core/sign";
import { merkleRoot, merkleProof, merkleNode, leafHash } from "../core/merkle";
import { BatchHeader, BatchTx, headerHash, encodeBatchData, splitBatchData, batchDataHash, txRootOf, MAX_BATCH_TXS, MAX_BATCH_BYTES, MAX_TX_BYTES } from "../core/batch";
import { declaredGas, nextBaseFee, BATCH_GAS_LIMIT, GAS_TARGET, MAX_BASE_FEE } from "../core/gas";

/** Hardhat's first two dev keys: public, fixed, never for real funds. */
export const DEV_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
] as const;
export const VECTOR_CHAIN_ID = 31337n;
export const VECTOR_FILES = ["hashes.json", "merkle.json", "moves.json", "tx.json", "invalid.json"] as const;
export type VectorFile = (typeof VECTOR_FILES)[number];

// ---------------------------------------------------------------------------------------------
// JSON forms

export type Hex = string;
export type Dec = string;

export interface MoveJson {
  mask: number;
  ref: boolean;
  mark: number;
  intx: Dec;
  addr: Hex;
  slot: Dec;
  prev: Dec;
  next: Dec;
}

export type TxJson =
  | { type: 0; index: Dec; from: Hex; to: Hex; value: Dec; moves: MoveJson[] }
  | {
      type: 1;
      chainId: Dec;
      nonce: Dec;
      maxPriorityFeePerGas: Dec;
      maxFeePerGas: Dec;
      gasLimit: Dec;
      to: Hex | null;
      value: Dec;
      data: Hex;
      moves: MoveJson[];
      witness: Hex[];
      sig: { yParity: number; r: Dec; s: Dec };
    }
  | { type: 2; raw: Hex; moves: MoveJson[]; witness: Hex[] };

export interface HeaderJson {
  index: Dec;
  parent: Hex;
  firstSeq: Dec;
  txCount: Dec;
  txRoot: Hex;
  number: Dec;
  timestamp: Dec;
  feeRecipient: Hex;
  baseFee: Dec;
  depositStart: Dec;
  depositEnd: Dec;
  dataHash: Hex;
  l1BaseFee: Dec;
  l1BlobBaseFee: Dec;
}

export type Decoder = "varint" | "u256c" | "move" | "moves" | "tx" | "batchData";

const hex = (b: Uint8Array): Hex => bytesToHex(b);
const dec = (v: bigint): Dec => v.toString(10);
const bytes = (h: Hex): Uint8Array => hexToBytes(h as `0x${string}`);
const big = (d: Dec): bigint => BigInt(d);

export function moveToJson(m: Move): MoveJson {
  return { mask: m.mask, ref: m.ref, mark: m.mark, intx: dec(m.intx), addr: hex(m.addr), slot: dec(m.slot), prev: dec(m.prev), next: dec(m.next) };
}

export function moveFromJson(j: MoveJson): Move {
  return { mask: j.mask, ref: j.ref, mark: j.mark, intx: big(j.intx), addr: bytes(j.addr), slot: big(j.slot), prev: big(j.prev), next: big(j.next) };
}

export function txToJson(tx: Tx): TxJson {
  switch (tx.type) {
    case TxType.Deposit:
      return { type: 0, index: dec(tx.index), from: hex(tx.from), to: hex(tx.to), value: dec(tx.value), moves: tx.moves.map(moveToJson) };
    case TxType.Move:
      return {
        type: 1,
        chainId: dec(tx.chainId),
        nonce: dec(tx.nonce),
        maxPriorityFeePerGas: dec(tx.maxPriorityFeePerGas),
        maxFeePerGas: dec(tx.maxFeePerGas),
        gasLimit: dec(tx.gasLimit),
        to: tx.to ? hex(tx.to) : null,
        value: dec(tx.value),
        data: hex(tx.data),
        moves: tx.moves.map(moveToJson),
        witness: tx.witness.map(hex),
        sig: { yParity: tx.sig.yParity, r: dec(tx.sig.r), s: dec(tx.sig.s) },
      };
    case TxType.Wrapped:
      return { type: 2, raw: hex(tx.raw), moves: tx.moves.map(moveToJson), witness: tx.witness.map(hex) };
  }
}

export function txFromJson(j: TxJson): Tx {
  switch (j.type) {
    case 0:
      return { type: TxType.Deposit, index: big(j.index), from: bytes(j.from), to: bytes(j.to), value: big(j.value), moves: j.moves.map(moveFromJson) };
    case 1:
      return {
        type: TxType.Move,
        chainId: big(j.chainId),
        nonce: big(j.nonce),
        maxPriorityFeePerGas: big(j.maxPriorityFeePerGas),
        maxFeePerGas: big(j.maxFeePerGas),
        gasLimit: big(j.gasLimit),
        to: j.to === null ? null : bytes(j.to),
        value: big(j.value),
        data: bytes(j.data),
        moves: j.moves.map(moveFromJson),
        witness: j.witness.map(bytes),
        sig: { yParity: j.sig.yParity, r: big(j.sig.r), s: big(j.sig.s) },
      };
    case 2:
      return { type: TxType.Wrapped, raw: bytes(j.raw), moves: j.moves.map(moveFromJson), witness: j.witness.map(bytes) };
  }
}

export function headerToJson(h: BatchHeader): HeaderJson {
  return {
    index: dec(h.index),
    parent: hex(h.parent),
    firstSeq: dec(h.firstSeq),
    txCount: dec(h.txCount),
    txRoot: hex(h.txRoot),
    number: dec(h.number),
    timestamp: dec(h.timestamp),
    feeRecipient: hex(h.feeRecipient),
    baseFee: dec(h.baseFee),
    depositStart: dec(h.depositStart),
    depositEnd: dec(h.depositEnd),
    dataHash: hex(h.dataHash),
    l1BaseFee: dec(h.l1BaseFee),
    l1BlobBaseFee: dec(h.l1BlobBaseFee),
  };
}

export function headerFromJson(j: HeaderJson): BatchHeader {
  return {
    index: big(j.index),
    parent: bytes(j.parent),
    firstSeq: big(j.firstSeq),
    txCount: big(j.txCount),
    txRoot: bytes(j.txRoot),
    number: big(j.number),
    timestamp: big(j.timestamp),
    feeRecipient: bytes(j.feeRecipient),
    baseFee: big(j.baseFee),
    depositStart: big(j.depositStart),
    depositEnd: big(j.depositEnd),
    dataHash: bytes(j.dataHash),
    l1BaseFee: big(j.l1BaseFee),
    l1BlobBaseFee: big(j.l1BlobBaseFee),
  };
}

/** The 14 header words exactly as Solidity's abi.encode(fields) lays them out (the hash preimage after the tag). */
export function headerWords(h: BatchHeader): Uint8Array {
  return concatBytes(
    u256(h.index),
    h.parent,
    u256(h.firstSeq),
    u256(h.txCount),
    h.txRoot,
    u256(h.number),
    u256(h.timestamp),
    concatBytes(new Uint8Array(12), h.feeRecipient),
    u256(h.baseFee),
    u256(h.depositStart),
    u256(h.depositEnd),
    h.dataHash,
    u256(h.l1BaseFee),
    u256(h.l1BlobBaseFee),
  );
}

/** One move encoded alone (as the first of a list). */
export function encodeMoveBytes(m: Move): Uint8Array {
  const w = new Writer();
  encodeMove(w, m);
  return w.finish();
}

/** A move list: varint count, then the moves, each against the previous one's address. */
export function encodeMovesBytes(moves: readonly Move[]): Uint8Array {
  const w = new Writer();
  encodeMoves(w, moves);
  return w.finish();
}

/** `b` followed by zero bytes up to `length` (an invalid vector's padTo). */
export function padded(b: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(b);
  return out;
}

/** Runs the named strict decoder over `b` to the end; throws what the decoder throws. */
export function runDecoder(decoder: Decoder, b: Uint8Array): unknown {
  switch (decoder) {
    case "tx":
      return decodeTx(b);
    case "batchData":
      return splitBatchData(b);
    default: {
      const r = new Reader(b);
      const v =
        decoder === "varint" ? r.varint() : decoder === "u256c" ? r.u256c() : decoder === "move" ? decodeMove(r) : decodeMoves(r, LIMITS.maxMoves);
      r.end();
      return v;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fixed inputs

/** A recognisable fixed address: byte i = (tag * 16 + i) mod 256. */
const addr = (tag: number) => Uint8Array.from({ length: 20 }, (_, i) => (tag * 16 + i) & 0xff);
const utf8 = (s: string) => new TextEncoder().encode(s);
const ALICE = addr(0xa);
const POOL = addr(0xb);
const TOKEN = addr(0xc);
const L1_SENDER = addr(0xd);
const FEE_RECIPIENT = addr(0xe);
const ALL_FF = new Uint8Array(20).fill(0xff);
const ZERO_ADDR = new Uint8Array(20);
/** Stand-ins for contract code (their content only has to hash). */
const CODE_POOL = Uint8Array.from([0x60, 0x80, 0x60, 0x40, 0x52, ...utf8("pool")]);
const CODE_TOKEN = Uint8Array.from([0x60, 0x80, 0x60, 0x40, 0x52, ...utf8("token")]);

function mv(p: Partial<Move> & Pick<Move, "mark" | "addr">): Move {
  const prev = p.prev ?? 0n;
  return { mask: 0, ref: false, intx: 0n, slot: 0n, prev, next: p.ref ? prev : (p.next ?? 0n), ...p };
}

const codeHash = (c: Uint8Array) => BigInt(hex(keccak256(c)));
const KEY_PART = MaskBit.Mark | MaskBit.Addr | MaskBit.Slot | MaskBit.Kind;

/** Named moves covering every mark, both kinds, and a spread of masks and value sizes. */
function fixedMoves(): { name: string; move: Move }[] {
  return [
    { name: "balance, fully signed", move: mv({ mark: Mark.Balance, addr: ALICE, intx: 5n, prev: 10n ** 18n, next: 10n ** 18n - 21_000n * 10n ** 9n, mask: MASK_ALL }) },
    { name: "nonce, all but intx signed", move: mv({ mark: Mark.Nonce, addr: ALICE, intx: 5n, prev: 0n, next: 1n, mask: MASK_ALL & ~MaskBit.Intx }) },
    { name: "code reference, key signed", move: mv({ mark: Mark.Code, addr: POOL, intx: 2n, prev: codeHash(CODE_POOL), ref: true, mask: KEY_PART }) },
    { name: "storage, key signed, values filled", move: mv({ mark: Mark.Storage, addr: POOL, intx: 3n, slot: 0n, prev: 5000n, next: 4000n, mask: KEY_PART }) },
    { name: "storage, next signed", move: mv({ mark: Mark.Storage, addr: POOL, intx: 4n, slot: 1n, prev: 7n, next: 8n, mask: MaskBit.Addr | MaskBit.Slot | MaskBit.Next }) },
    { name: "storage reference, prev signed", move: mv({ mark: Mark.Storage, addr: TOKEN, intx: 6n, slot: 2n ** 255n, prev: 1n, ref: true, mask: MaskBit.Prev }) },
    { name: "storage, unsigned, extremes", move: mv({ mark: Mark.Storage, addr: TOKEN, intx: MAX_U64, slot: MAX_U256, prev: MAX_U256, next: 0n }) },
    { name: "fee output, unsigned", move: mv({ mark: Mark.Fee, addr: FEE_RECIPIENT, intx: 0n, slot: 9n, prev: 0n, next: 21_000n }) },
    { name: "withdrawal output, fully signed", move: mv({ mark: Mark.Withdrawal, addr: ALL_FF, intx: 0n, slot: 9n, prev: 0n, next: 10n ** 17n, mask: MASK_ALL }) },
    { name: "balance reference, all bits but kind", move: mv({ mark: Mark.Balance, addr: TOKEN, intx: 1n, prev: 123n, ref: true, mask: MASK_ALL & ~MaskBit.Kind }) },
  ];
}

/** Named move lists: address back-references used, not used, and around the zero address. */
function moveLists(): { name: string; moves: Move[] }[] {
  const all = fixedMoves().map((f) => f.move);
  const acct = (addr: Uint8Array, intx: bigint): Move[] => [
    mv({ mark: Mark.Balance, addr, intx, prev: 100n, next: 90n }),
    mv({ mark: Mark.Code, addr, intx: 0n, prev: 0n, ref: true }),
    mv({ mark: Mark.Nonce, addr, intx, prev: 3n, next: 4n }),
  ];
  return [
    { name: "empty", moves: [] },
    { name: "one move", moves: [all[0]] },
    { name: "every fixed move, sorted by key (back-references within each address)", moves: sorted(all) },
    { name: "an account's b, c, n keys (two back-references)", moves: acct(ALICE, 5n) },
    {
      name: "a contract's code and three storage slots after its caller's account (back-references, a large intx)",
      moves: sorted([
        ...acct(ALICE, 300n),
        mv({ mark: Mark.Code, addr: POOL, intx: 2n, prev: codeHash(CODE_POOL), ref: true }),
        ...[0n, 1n, 2n ** 200n].map((slot) => mv({ mark: Mark.Storage, addr: POOL, intx: 300n, slot, prev: slot + 1n, next: slot + 2n })),
      ]),
    },
    { name: "the zero address, its b, c, n keys (back-references to address 0)", moves: acct(ZERO_ADDR, 1n) },
    {
      name: "unsorted: an address again after another one is written out again",
      moves: [mv({ mark: Mark.Balance, addr: ALICE, prev: 1n }), mv({ mark: Mark.Balance, addr: POOL, prev: 2n }), mv({ mark: Mark.Nonce, addr: ALICE, prev: 3n })],
    },
    { name: "a repeated key (decodes; the structural rules reject it)", moves: [all[3], all[3]] },
  ];
}

function sorted(moves: Move[]): Move[] {
  return moves.slice().sort((a, b) => {
    const ka = hex(keyBytes(a));
    const kb = hex(keyBytes(b));
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

interface NamedTx {
  name: string;
  tx: Tx;
  note?: string;
}

async function fixedTxs(): Promise<NamedTx[]> {
  const key0 = getBytes(DEV_KEYS[0]);
  const key1 = getBytes(DEV_KEYS[1]);
  const sender0 = new Wallet(DEV_KEYS[0]).address;
  const s0 = getBytes(sender0);
  const ms = fixedMoves().map((f) => f.move);

  const out: NamedTx[] = [];
  out.push({
    name: "deposit",
    tx: {
      type: TxType.Deposit,
      index: 0n,
      from: L1_SENDER,
      to: s0,
      value: 10n ** 18n,
      moves: [mv({ mark: Mark.Balance, addr: s0, intx: 0n, prev: 0n, next: 10n ** 18n })],
    },
  });
  out.push({
    name: "deposit, extremes",
    tx: { type: TxType.Deposit, index: MAX_U64, from: ALL_FF, to: ALICE, value: MAX_U256, moves: [] },
  });

  const call: MoveTx = signMoveTx(
    {
      type: TxType.Move,
      chainId: VECTOR_CHAIN_ID,
      nonce: 0n,
      maxPriorityFeePerGas: 10n ** 9n,
      maxFeePerGas: 3n * 10n ** 9n,
      gasLimit: 200_000n,
      to: POOL,
      value: 0n,
      data: Uint8Array.from([0x02, 0x2c, 0x0d, 0x9f, ...u256(1000n)]),
      moves: sorted(ms.slice(0, 6)),
      witness: canonicalWitness([CODE_POOL, CODE_TOKEN]),
      sig: { yParity: 0, r: 0n, s: 0n },
    },
    key0,
  );
  out.push({ name: "move tx, call", tx: call });

  // The same signed transaction after a coordinator filled it: the open fields of the pool slot
  // changed and an unsigned fee output was appended. Same sighash, signer and txId; other leaf.
  const filled: MoveTx = structuredClone(call);
  const pool = filled.moves.find((m) => m.mark === Mark.Storage && m.slot === 0n)!;
  Object.assign(pool, { intx: 41n, prev: 6000n, next: 4800n });
  filled.moves = sorted([...filled.moves, ms[7]]);
  out.push({ name: "move tx, call, coordinator-filled", tx: filled, note: "same signature as 'move tx, call': only mask-open fields and unsigned moves differ" });

  out.push({
    name: "move tx, create",
    tx: signMoveTx(
      {
        type: TxType.Move,
        chainId: VECTOR_CHAIN_ID,
        nonce: 1n,
        maxPriorityFeePerGas: 0n,
        maxFeePerGas: 10n ** 9n,
        gasLimit: 1_000_000n,
        to: null,
        value: 0n,
        data: CODE_TOKEN,
        moves: [],
        witness: [],
        sig: { yParity: 0, r: 0n, s: 0n },
      },
      key0,
    ),
  });
  out.push({
    name: "move tx, extremes, second key",
    tx: signMoveTx(
      {
        type: TxType.Move,
        chainId: MAX_U64,
        nonce: MAX_U64,
        maxPriorityFeePerGas: MAX_U256,
        maxFeePerGas: MAX_U256,
        gasLimit: MAX_U64,
        to: ALL_FF,
        value: MAX_U256,
        data: new Uint8Array(0),
        moves: sorted(ms.slice(6)),
        witness: canonicalWitness([CODE_TOKEN]),
        sig: { yParity: 0, r: 0n, s: 0n },
      },
      key1,
    ),
  });

  const wallet = new Wallet(DEV_KEYS[0]);
  const to = bytesToHex(POOL);
  const common = { chainId: VECTOR_CHAIN_ID, gasLimit: 100_000n, value: 1n, data: "0x022c0d9f" };
  const unsignedMoves = sorted([ms[2], ms[3], ms[7]].map((m) => ({ ...m, mask: 0 })));
  const eth: [string, object][] = [
    ["wrapped legacy (type 0)", { ...common, type: 0, nonce: 2, to, gasPrice: 2n * 10n ** 9n }],
    [
      "wrapped EIP-2930 (type 1)",
      { ...common, type: 1, nonce: 3, to, gasPrice: 2n * 10n ** 9n, accessList: [{ address: bytesToHex(TOKEN), storageKeys: [bytesToHex(u256(2n))] }] },
    ],
    ["wrapped EIP-1559 (type 2)", { ...common, type: 2, nonce: 4, to, maxFeePerGas: 3n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n }],
    ["wrapped EIP-1559 create", { ...common, type: 2, nonce: 5, to: null, data: bytesToHex(CODE_TOKEN), maxFeePerGas: 3n * 10n ** 9n, maxPriorityFeePerGas: 0n }],
  ];
  for (const [name, req] of eth) {
    const raw = getBytes(await wallet.signTransaction(req));
    const create = name.endsWith("create");
    out.push({
      name,
      tx: { type: TxType.Wrapped, raw, moves: create ? [] : unsignedMoves, witness: create ? [] : canonicalWitness([CODE_POOL]) },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The vector files

/** Signer of a signed transaction as a lower-case 0x address; null for deposits. */
export function signerOf(tx: Tx): Hex | null {
  switch (tx.type) {
    case TxType.Deposit:
      return null;
    case TxType.Move:
      return hex(recoverMoveTxSender(tx));
    case TxType.Wrapped:
      return Transaction.from(hex(tx.raw)).from!.toLowerCase();
  }
}

function txVector(n: NamedTx) {
  const encoded = encodeTx(n.tx);
  const v: Record<string, unknown> = { name: n.name };
  if (n.note) v.note = n.note;
  v.encoded = hex(encoded);
  v.tx = txToJson(n.tx);
  v.declaredGas = dec(declaredGas(n.tx));
  v.leafHash = hex(txLeaf(encoded, declaredGas(n.tx)));
  v.txId = hex(txId(n.tx));
  if (n.tx.type === TxType.Move) {
    v.movesSigDigest = hex(movesSigDigest(n.tx.moves));
    v.sighash = hex(moveTxSighash(n.tx));
  }
  if (n.tx.type === TxType.Wrapped) v.ethType = Transaction.from(hex(n.tx.raw)).type;
  v.signer = signerOf(n.tx);
  return v;
}

function movesFile() {
  const fixed = fixedMoves();
  const moves = fixed.map(({ name, move }) => ({
    name,
    move: moveToJson(move),
    key: hex(keyBytes(move as Key)),
    encoding: hex(encodeMoveBytes(move)),
    sigCommitment: hex(moveSigCommitment(move)),
  }));
  const all = fixed.map((f) => f.move);
  const digestSets: [string, number[]][] = [
    ["none", []],
    ["one unsigned move only", [6]],
    ["one signed move", [0]],
    ["all moves in list order", all.map((_, i) => i)],
    ["all moves reversed (same digest: commitments are sorted)", all.map((_, i) => all.length - 1 - i)],
    ["signed moves only (same digest: unsigned moves are left out)", all.flatMap((m, i) => (m.mask !== 0 ? [i] : []))],
  ];
  return {
    description:
      "Move encodings (flags, mark, varint intx, addr, [u256c slot], u256c prev, [u256c next]) of each move alone (the first of a list), canonical 53-byte keys, mask-aware signature commitments, the moves' sighash digest, and move lists (varint count, then the moves; a move whose address is the previous move's sets bit 0x80 of its mark byte and omits the address).",
    moves,
    digests: digestSets.map(([name, indices]) => ({ name, indices, digest: hex(movesSigDigest(indices.map((i) => all[i]))) })),
    lists: moveLists().map(({ name, moves: ms }) => ({ name, moves: ms.map(moveToJson), encoding: hex(encodeMovesBytes(ms)) })),
  };
}

function hashesFile(txs: NamedTx[]) {
  const tagged: [Domain, Uint8Array][] = [
    // a leaf's payload: bytes8(declared gas) || the transaction
    ["txLeaf", new Uint8Array(8)],
    ["txLeaf", concatBytes(toFixed(21_000n, 8), Uint8Array.of(0x00))],
    ["batchData", Uint8Array.of(0x02, 0x00)],
    ["depositId", new Uint8Array(8)],
  ];
  // Every transaction vector, in tx.json order, but those whose gas limit would take the batch over its
  // gas limit (vectors with gas limits up to 2^64-1 exist).
  const encoded: BatchTx[] = [];
  let room = BATCH_GAS_LIMIT;
  for (const t of txs) {
    const gas = declaredGas(t.tx);
    if (gas > room) continue;
    room -= gas;
    encoded.push({ gas, tx: encodeTx(t.tx) });
  }
  const batches: [string, BatchTx[]][] = [
    ["empty", []],
    ["one deposit", [encoded[0]]],
    ["every transaction vector whose gas fits, in tx.json order", encoded],
    // The data stays the same but for the declared gas, so its hash and root change with it.
    ["one deposit declaring 21000 gas (an invalid batch: the leaf commits to the lie)", [{ ...encoded[0], gas: 21_000n }]],
    ["declared gas at the batch limit", [{ ...encoded[0], gas: BATCH_GAS_LIMIT - 1n }, { ...encoded[0], gas: 1n }]],
  ];
  const batchData = batches.map(([name, list]) => {
    const data = encodeBatchData(list);
    return {
      name,
      txs: list.map((t) => ({ gas: dec(t.gas), tx: hex(t.tx) })),
      data: hex(data),
      dataHash: hex(batchDataHash(data)),
      txRoot: hex(txRootOf(list)),
      gas: dec(list.reduce((a, t) => a + t.gas, 0n)),
    };
  });
  // The base fee rule (§7.5): a spread of parents, around the target, at the limit, at the floor and the cap.
  const minFees = [1n, 7n, 10n ** 9n];
  const parents: [bigint, bigint][] = [
    [10n ** 9n, GAS_TARGET],
    [10n ** 9n, 0n],
    [10n ** 9n, BATCH_GAS_LIMIT],
    [10n ** 9n, GAS_TARGET + 1n],
    [10n ** 9n, GAS_TARGET - 1n],
    [7n, BATCH_GAS_LIMIT],
    [1n, GAS_TARGET + 1n],
    [8n, GAS_TARGET + 1n],
    [123_456_789_012n, 21_000n],
    [MAX_BASE_FEE, BATCH_GAS_LIMIT],
    [MAX_BASE_FEE - 1n, GAS_TARGET + 1n],
    [MAX_BASE_FEE, 0n],
  ];
  const baseFeeRule = minFees.flatMap((min) =>
    parents.map(([fee, g]) => ({ parentBaseFee: dec(fee), parentGas: dec(g), minBaseFee: dec(min), next: dec(nextBaseFee(fee, g, min)) })),
  );

  const empty = encodeBatchData([]);
  const full = encodeBatchData(encoded);
  const h0: BatchHeader = {
    index: 0n,
    parent: ZERO32,
    firstSeq: 1n,
    txCount: 0n,
    txRoot: txRootOf([]),
    number: 1n,
    timestamp: 1_700_000_000n,
    feeRecipient: FEE_RECIPIENT,
    baseFee: 10n ** 9n,
    depositStart: 0n,
    depositEnd: 0n,
    dataHash: batchDataHash(empty),
    l1BaseFee: 0n,
    l1BlobBaseFee: 0n,
  };
  const h1: BatchHeader = {
    index: 1n,
    parent: headerHash(h0),
    firstSeq: 1n,
    txCount: BigInt(encoded.length),
    txRoot: txRootOf(encoded),
    number: 2n,
    timestamp: 1_700_000_012n,
    feeRecipient: ALICE,
    baseFee: 875_000_000n,
    depositStart: 0n,
    depositEnd: 1n,
    dataHash: batchDataHash(full),
    l1BaseFee: 12_345_678_901n,
    l1BlobBaseFee: 1n,
  };
  const hMax: BatchHeader = {
    index: MAX_U256,
    parent: new Uint8Array(32).fill(0xff),
    firstSeq: MAX_U256,
    txCount: MAX_U256,
    txRoot: new Uint8Array(32).fill(0xee),
    number: MAX_U256,
    timestamp: MAX_U256,
    feeRecipient: ALL_FF,
    baseFee: MAX_U256,
    depositStart: MAX_U256,
    depositEnd: MAX_U256,
    dataHash: new Uint8Array(32).fill(0xdd),
    l1BaseFee: MAX_U256,
    l1BlobBaseFee: MAX_U256 - 1n,
  };
  const headers: [string, BatchHeader][] = [
    ["batch 0 (empty)", h0],
    ["batch 1 (child of batch 0, every transaction vector)", h1],
    ["every word at its maximum", hMax],
  ];
  return {
    description:
      "Domain tags (tag = keccak256(utf8(name)); a tagged hash is keccak256(tag || payload)), batch header hashes (payload: the 12 fields as abi.encode words), batch data (0x02, varint count, then per transaction its declared gas as a varint and its length-prefixed encoding) with its hash, tx root (leaves keccak256(tag(tx-leaf) || bytes8(gas) || tx)) and total declared gas, and the base fee rule: next = nextBaseFee(parentBaseFee, parentGas, minBaseFee) (EIP-1559 towards 15,000,000, denominator 8, at least minBaseFee, at most 2^128-1).",
    domains: (Object.keys(DOMAIN_NAMES) as Domain[]).map((id) => ({ id, name: DOMAIN_NAMES[id], tag: hex(DOMAINS[id]) })),
    tagged: tagged.map(([domain, payload]) => ({ domain, payload: hex(payload), hash: hex(hashTagged(domain, payload)) })),
    headers: headers.map(([name, h]) => ({ name, header: headerToJson(h), words: hex(headerWords(h)), hash: hex(headerHash(h)) })),
    batchData,
    baseFeeRule,
  };
}

function merkleFile() {
  const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(0n, Uint8Array.of(0x01, i)));
  const sizes = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17];
  const [a, b] = leaves(2);
  const ls5 = leaves(5);
  const root5 = merkleRoot(ls5);
  const p5 = merkleProof(ls5, 2);
  const ls3 = leaves(3);
  const invalid: { name: string; root: Hex; leaf: Hex; index: number; count: number; proof: Hex[] }[] = [
    { name: "wrong index", root: hex(root5), leaf: hex(ls5[2]), index: 3, count: 5, proof: p5.map(hex) },
    { name: "index not below count", root: hex(root5), leaf: hex(ls5[2]), index: 2, count: 2, proof: p5.map(hex) },
    { name: "count of another depth", root: hex(root5), leaf: hex(ls5[2]), index: 2, count: 9, proof: p5.map(hex) },
    { name: "tampered sibling", root: hex(root5), leaf: hex(ls5[2]), index: 2, count: 5, proof: [hex(keccak256(p5[0])), ...p5.slice(1).map(hex)] },
    { name: "extra sibling", root: hex(root5), leaf: hex(ls5[2]), index: 2, count: 5, proof: [...p5, ZERO32].map(hex) },
    { name: "missing sibling", root: hex(root5), leaf: hex(ls5[2]), index: 2, count: 5, proof: p5.slice(0, -1).map(hex) },
    { name: "wrong leaf", root: hex(root5), leaf: hex(ls5[3]), index: 2, count: 5, proof: p5.map(hex) },
    {
      name: "zero leaf at a padding position (its path does hash to the root)",
      root: hex(merkleRoot(ls3)),
      leaf: hex(ZERO32),
      index: 3,
      count: 4,
      proof: [ls3[2], merkleNode(ls3[0], ls3[1])].map(hex),
    },
  ];
  return {
    description:
      "Binary Merkle tree over 32-byte leaves, padded with zero to a power of two; node = keccak256(tag(merkle-node) || left || right), but two zero children give zero; the empty tree's root is tag(merkle-empty); a one-leaf tree's root is the leaf. A proof lists siblings from the leaf up, exactly depth(count) = ceil(log2(count)) of them; index < count; a zero leaf never verifies. Leaves here are the leaves of the transactions 0x01 || i declaring 0 gas.",
    emptyRoot: hex(merkleRoot([])),
    nodes: [
      { left: hex(a), right: hex(b), hash: hex(merkleNode(a, b)) },
      { left: hex(a), right: hex(ZERO32), hash: hex(merkleNode(a, ZERO32)) },
      { left: hex(ZERO32), right: hex(a), hash: hex(merkleNode(ZERO32, a)) },
      { left: hex(ZERO32), right: hex(ZERO32), hash: hex(merkleNode(ZERO32, ZERO32)) },
    ],
    trees: sizes.map((n) => {
      const ls = leaves(n);
      return { count: n, leaves: ls.map(hex), root: hex(merkleRoot(ls)), proofs: ls.map((_, i) => merkleProof(ls, i).map(hex)) };
    }),
    invalidProofs: invalid,
  };
}

function invalidFile(txs: NamedTx[]) {
  const out: { name: string; decoder: Decoder; bytes: Hex; padTo?: number; code: DecodeCode; offset: number }[] = [];
  const add = (name: string, decoder: Decoder, b: Uint8Array, padTo?: number) => {
    try {
      runDecoder(decoder, padTo === undefined ? b : padded(b, padTo));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      out.push({ name, decoder, bytes: hex(b), ...(padTo !== undefined ? { padTo } : {}), code: e.code, offset: e.offset });
      return;
    }
    throw new Error(`invalid vector '${name}' decodes`);
  };
  const addPadded = (name: string, decoder: Decoder, b: Uint8Array, padTo: number) => add(name, decoder, b, padTo);
  const h = (s: string) => bytes("0x" + s);
  const W = () => new Writer();

  add("varint: empty", "varint", new Uint8Array(0));
  add("varint: unterminated", "varint", h("80"));
  add("varint: redundant zero group (0 as 0x80 0x00)", "varint", h("8000"));
  add("varint: redundant zero group (127 as 0xff 0x00)", "varint", h("ff00"));
  add("varint: 2^64", "varint", h("80808080808080808002"));
  add("varint: 11 bytes", "varint", h("8080808080808080808001"));
  add("varint: trailing byte", "varint", h("0000"));
  add("u256c: empty", "u256c", new Uint8Array(0));
  add("u256c: leading zero byte", "u256c", h("020001"));
  add("u256c: single zero byte (0 must be length 0)", "u256c", h("0100"));
  add("u256c: length 33", "u256c", h("21" + "01".repeat(33)));
  add("u256c: value bytes missing", "u256c", h("02ff"));
  add("u256c: trailing byte", "u256c", h("0000"));

  const goodMove = encodeMoveBytes(fixedMoves()[3].move);
  add("move: unknown mark 'x'", "move", Uint8Array.from([goodMove[0], 0x78, ...goodMove.subarray(2)]));
  add("move: truncated", "move", goodMove.subarray(0, goodMove.length - 1));
  add("move: trailing byte", "move", Uint8Array.from([...goodMove, 0]));

  const enc = Object.fromEntries(txs.map((t) => [t.name, encodeTx(t.tx)]));
  const call = enc["move tx, call"];
  const callTx = txs.find((t) => t.name === "move tx, call")!.tx as MoveTx;
  const wrapped = txs.find((t) => t.name === "wrapped EIP-1559 (type 2)")!.tx;
  const raw = wrapped.type === TxType.Wrapped ? wrapped.raw : new Uint8Array(0);
  const toAt = W().u8(1).varint(callTx.chainId).varint(callTx.nonce).u256c(callTx.maxPriorityFeePerGas).u256c(callTx.maxFeePerGas).varint(callTx.gasLimit).finish().length;
  const patch = (b: Uint8Array, at: number, v: number) => {
    const c = Uint8Array.from(b);
    c[at] = v;
    return c;
  };
  const [lo, hi] = canonicalWitness([CODE_POOL, CODE_TOKEN]);
  const wrappedWith = (witness: Uint8Array[]) => encodeTx({ type: TxType.Wrapped, raw, moves: [], witness });
  const A20 = ALICE;

  add("tx: empty", "tx", new Uint8Array(0));
  add("tx: unknown type 0x03", "tx", h("03"));
  add("tx: unknown type 0xff", "tx", patch(enc["deposit"], 0, 0xff));
  add("tx: move tx cut in the signature", "tx", call.subarray(0, call.length - 1));
  add("tx: move tx cut in the call data", "tx", call.subarray(0, toAt + 40));
  add("tx: deposit cut in its only move", "tx", enc["deposit"].subarray(0, enc["deposit"].length - 3));
  add("tx: trailing byte", "tx", Uint8Array.from([...call, 0]));
  add("tx: to flag 2", "tx", patch(call, toAt, 2));
  add("tx: yParity 2", "tx", patch(call, call.length - 65, 2));
  add("tx: yParity 27", "tx", patch(call, call.length - 65, 27));
  add("tx: witness not sorted by keccak256", "tx", wrappedWith([hi, lo]));
  add("tx: witness repeated", "tx", wrappedWith([lo, lo]));
  add("tx: empty code in witness", "tx", wrappedWith([new Uint8Array(0)]));
  add("tx: wrapped with empty raw transaction", "tx", W().u8(2).bytes(new Uint8Array(0)).varint(0).varint(0).finish());
  add("tx: move count over the limit", "tx", W().u8(2).bytes(raw).varint(LIMITS.maxMoves + 1).finish());
  add("tx: witness count over the limit", "tx", W().u8(2).bytes(raw).varint(0).varint(LIMITS.maxWitness + 1).finish());
  add("tx: code length over the limit", "tx", W().u8(2).bytes(raw).varint(0).varint(1).varint(LIMITS.maxCode + 1).finish());
  add("tx: raw length over the limit", "tx", W().u8(2).varint(LIMITS.maxData + 1).finish());
  add("tx: data length over the limit", "tx", W().u8(1).varint(1).varint(0).u256c(0n).u256c(0n).varint(0).u8(0).u256c(0n).varint(LIMITS.maxData + 1).finish());
  add("tx: deposit index as 0x80 0x00", "tx", Uint8Array.from([0x00, 0x80, 0x00, ...A20, ...A20, 0x00, 0x00]));
  add("tx: deposit value with a leading zero byte", "tx", Uint8Array.from([0x00, 0x00, ...A20, ...A20, 0x02, 0x00, 0x05, 0x00]));
  add("tx: deposit move with unknown mark", "tx", W().u8(0).varint(0).fixed(A20, 20).fixed(A20, 20).u256c(0n).varint(1).u8(0).u8(0x78).finish());
  add("tx: deposit move count as 0x81 0x00", "tx", Uint8Array.from([0x00, 0x00, ...A20, ...A20, 0x00, 0x81, 0x00]));

  // Address back-references (§4.1): bit 0x80 of the mark byte. `list` is [ALICE b, ALICE n, POOL s],
  // its second move refers back to ALICE.
  add("move: address back-reference on a move alone (no previous move)", "move", patch(goodMove, 1, goodMove[1] | MARK_SAME_ADDR));
  add("move: unknown mark 'x' with the back-reference bit", "move", patch(goodMove, 1, 0x78 | MARK_SAME_ADDR));
  const [ab, an, ps] = [mv({ mark: Mark.Balance, addr: ALICE, prev: 1n, next: 2n }), mv({ mark: Mark.Nonce, addr: ALICE, prev: 3n }), mv({ mark: Mark.Storage, addr: POOL, slot: 4n, prev: 5n })];
  const list = encodeMovesBytes([ab, an, ps]);
  const second = 1 + encodeMoveBytes(ab).length; // the second move's flags byte
  /** A move list with the address of move `at` written out though it repeats the previous one's. */
  const withAddrAgain = (moves: Move[], at: number) => {
    const w = W().varint(moves.length);
    moves.forEach((m, i) => encodeMove(w, m, i > 0 && i !== at ? moves[i - 1].addr : undefined));
    return w.finish();
  };
  add("moves: back-reference on the first move", "moves", patch(list, 2, list[2] | MARK_SAME_ADDR));
  add("moves: the previous move's address written out", "moves", withAddrAgain([ab, an, ps], 1));
  add("moves: the zero address written out twice", "moves", withAddrAgain([mv({ mark: Mark.Balance, addr: ZERO_ADDR }), mv({ mark: Mark.Nonce, addr: ZERO_ADDR })], 1));
  add("moves: the previous address written out, cut right after it (non-canonical first)", "moves", withAddrAgain([ab, an, ps], 1).subarray(0, second + 23));
  add("moves: back-reference move cut in its prev", "moves", list.subarray(0, second + 3));
  add("moves: back-reference move with unknown mark 'x'", "moves", patch(list, second + 1, 0x78 | MARK_SAME_ADDR));
  add("moves: count larger than the moves present", "moves", patch(list, 0, 4));
  const dep = enc["deposit"];
  const depMark = dep.length - encodeMoveBytes((txs[0].tx as DepositTx).moves[0]).length + 1; // its only move's mark byte
  add("tx: deposit whose only move refers back", "tx", patch(dep, depMark, dep[depMark] | MARK_SAME_ADDR));
  add("tx: wrapped, a move's address written out though it is the previous one's", "tx", concatBytes(W().u8(2).bytes(raw).finish(), withAddrAgain([ab, an, ps], 1), W().varint(0).finish()));

  const data = encodeBatchData([{ gas: 0n, tx: enc["deposit"] }]);
  add("batchData: unknown version (0x01, before declared gas)", "batchData", patch(data, 0, 0x01));
  add("batchData: empty", "batchData", new Uint8Array(0));
  add("batchData: truncated", "batchData", data.subarray(0, data.length - 1));
  add("batchData: trailing byte", "batchData", Uint8Array.from([...data, 0]));
  add("batchData: tx count over the limit", "batchData", W().u8(2).varint(MAX_BATCH_TXS + 1).finish());
  add("batchData: cut inside a declared gas", "batchData", W().u8(2).varint(1).u8(0x80).finish());
  add("batchData: declared gas as 0x80 0x00", "batchData", concatBytes(W().u8(2).varint(1).finish(), h("8000"), W().bytes(enc["deposit"]).finish()));
  add("batchData: declared gas over the batch limit", "batchData", W().u8(2).varint(1).varint(BATCH_GAS_LIMIT + 1n).bytes(enc["deposit"]).finish());
  add("batchData: declared gas summing past the batch limit", "batchData", W().u8(2).varint(2).varint(GAS_TARGET).bytes(enc["deposit"]).varint(GAS_TARGET + 1n).bytes(enc["deposit"]).finish());
  add("batchData: a transaction over the size limit (only its length is read)", "batchData", W().u8(2).varint(1).varint(0).varint(MAX_TX_BYTES + 1).finish());
  add("batchData: a transaction of the largest size, cut", "batchData", concatBytes(W().u8(2).varint(1).varint(0).varint(MAX_TX_BYTES).finish(), new Uint8Array(100)));
  // Data over the size limit is refused at byte 0 whatever it holds: the vector lists its first
  // bytes and `padTo`, the length it has once padded with zero bytes.
  addPadded("batchData: data over the size limit", "batchData", data, MAX_BATCH_BYTES + 1);
  return {
    description: "Byte strings every strict decoder must reject, with the DecodeError code and the byte offset the TypeScript core reports. decoder: varint | u256c | move (one move, as the first of a list) | moves (a move list: varint count, then the moves) | tx (one transaction) | batchData (with the limits of protocol.md §5.5 and §7.5); each must consume its input exactly. padTo: the input is `bytes` followed by zero bytes up to that length.",
    vectors: out,
  };
}

export async function buildVectors(): Promise<Record<VectorFile, unknown>> {
  const txs = await fixedTxs();
  return {
    "hashes.json": hashesFile(txs),
    "merkle.json": merkleFile(),
    "moves.json": movesFile(),
    "tx.json": {
      description:
        "One vector per transaction shape and variant: canonical encoding, decoded fields, the gas a batch declares for it (its gas limit, 0 for a deposit), Merkle leaf (keccak256(tag(tx-leaf) || bytes8(declaredGas) || encoding)), txId, for move txs the moves' digest and sighash, and the signer (null for deposits). Keys: Hardhat dev keys 0 and 1.",
      vectors: txs.map(txVector),
    },
    "invalid.json": invalidFile(txs),
  };
}

export function serialize(v: unknown): string {
  return JSON.stringify(v, null, 2) + "\n";
}

export const VECTOR_DIR = path.join(__dirname, "..", "test", "vectors");

async function main(): Promise<void> {
  const files = await buildVectors();
  fs.mkdirSync(VECTOR_DIR, { recursive: true });
  for (const name of VECTOR_FILES) {
    fs.writeFileSync(path.join(VECTOR_DIR, name), serialize(files[name]));
    console.log(`wrote ${path.relative(process.cwd(), path.join(VECTOR_DIR, name))}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
