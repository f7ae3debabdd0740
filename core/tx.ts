/**
 * The three transaction shapes and their canonical encoding (docs/protocol.md §5):
 *   0x00 deposit   — an L1 deposit queue entry, credited to an L2 balance; unsigned.
 *   0x01 move tx   — moveset-native: Ethereum-like fields plus moves, signed over a mask-aware sighash.
 *   0x02 wrapped   — a standard signed Ethereum transaction (legacy, 2930, 1559) as a wallet made it,
 *                    with coordinator-filled (unsigned) moves.
 * Every shape carries its moves; move and wrapped transactions carry a code witness.
 */
import { Reader, Writer, MAX_BYTES } from "./codec";
import { DecodeError } from "./errors";
import { Move, decodeMoves as decodeMoveList, encodeMoves } from "./moves";
import { keccak256, compareBytes, bytesToHex } from "./bytes";
import { leafHash } from "./merkle";
import { toFixed } from "./bytes";

export const TxType = { Deposit: 0x00, Move: 0x01, Wrapped: 0x02 } as const;

/** Limits of the strict decoder, and the largest encoding a batch may carry (protocol.md §5.5). */
export const LIMITS = {
  maxMoves: 1024,
  maxWitness: 256,
  /** Largest code blob in a witness (Ethereum's initcode cap, EIP-3860, covers any deployed code). */
  maxCode: 49152,
  maxData: MAX_BYTES,
  /**
   * Largest transaction encoding in a batch (L1 refuses a batch carrying a larger one): a proof
   * carrying two such transactions fits far below L1's 2^24 gas per transaction (EIP-7825).
   */
  maxTxBytes: 98_304,
} as const;

export interface Signature {
  yParity: number;
  r: bigint;
  s: bigint;
}

export interface DepositTx {
  type: typeof TxType.Deposit;
  /** Position in the L1 deposit queue. */
  index: bigint;
  /** L1 sender. */
  from: Uint8Array;
  /** L2 recipient. */
  to: Uint8Array;
  value: bigint;
  moves: Move[];
}

export interface MoveTx {
  type: typeof TxType.Move;
  chainId: bigint;
  nonce: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  gasLimit: bigint;
  /** null: contract creation. */
  to: Uint8Array | null;
  value: bigint;
  data: Uint8Array;
  moves: Move[];
  /** Code blobs, sorted by keccak256, each distinct. */
  witness: Uint8Array[];
  sig: Signature;
}

export interface WrappedTx {
  type: typeof TxType.Wrapped;
  /** The signed Ethereum transaction, byte for byte as eth_sendRawTransaction received it. */
  raw: Uint8Array;
  moves: Move[];
  witness: Uint8Array[];
}

export type Tx = DepositTx | MoveTx | WrappedTx;

function decodeMoves(r: Reader): Move[] {
  return decodeMoveList(r, LIMITS.maxMoves);
}

function encodeWitness(w: Writer, witness: readonly Uint8Array[]): void {
  w.varint(witness.length);
  for (const c of witness) w.bytes(c);
}

const codeHashes = new WeakMap<Uint8Array, Uint8Array>();

/**
 * keccak256 of a code blob, computed once per blob object: the decoder hashes every blob to check
 * the witness order and the validator needs the same hashes to match blobs to code moves. Blobs
 * are never mutated once built or decoded.
 */
export function codeHash(code: Uint8Array): Uint8Array {
  let h = codeHashes.get(code);
  if (!h) codeHashes.set(code, (h = keccak256(code)));
  return h;
}

function decodeWitness(r: Reader): Uint8Array[] {
  const n = r.count(LIMITS.maxWitness, "witness count");
  const out: Uint8Array[] = [];
  let prevHash: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const code = r.bytes("witness code", LIMITS.maxCode);
    if (code.length === 0) throw new DecodeError("non-canonical", "empty code in witness", at);
    const h = codeHash(code);
    if (prevHash && compareBytes(prevHash, h) >= 0) throw new DecodeError("non-canonical", "witness not sorted by code hash, or repeated", at);
    prevHash = h;
    out.push(code);
  }
  return out;
}

/** Sorts and de-duplicates code blobs into canonical witness order. */
export function canonicalWitness(codes: Iterable<Uint8Array>): Uint8Array[] {
  const byHash = new Map<string, Uint8Array>();
  for (const c of codes) if (c.length > 0) byHash.set(bytesToHex(codeHash(c)), c);
  return [...byHash.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
}

export function encodeTx(tx: Tx): Uint8Array {
  const w = new Writer();
  w.u8(tx.type);
  switch (tx.type) {
    case TxType.Deposit:
      w.varint(tx.index).fixed(tx.from, 20).fixed(tx.to, 20).u256c(tx.value);
      encodeMoves(w, tx.moves);
      break;
    case TxType.Move:
      w.varint(tx.chainId).varint(tx.nonce).u256c(tx.maxPriorityFeePerGas).u256c(tx.maxFeePerGas).varint(tx.gasLimit);
      if (tx.to) w.u8(1).fixed(tx.to, 20);
      else w.u8(0);
      w.u256c(tx.value).bytes(tx.data);
      encodeMoves(w, tx.moves);
      encodeWitness(w, tx.witness);
      w.u8(tx.sig.yParity).fixed(toFixed(tx.sig.r, 32), 32).fixed(toFixed(tx.sig.s, 32), 32);
      break;
    case TxType.Wrapped:
      w.bytes(tx.raw);
      encodeMoves(w, tx.moves);
      encodeWitness(w, tx.witness);
      break;
    default:
      throw new RangeError(`unknown transaction type ${(tx as { type: number }).type}`);
  }
  return w.finish();
}

/** Strict decoder: the input must be exactly one canonical transaction. */
export function decodeTx(bytes: Uint8Array): Tx {
  const r = new Reader(bytes);
  const tx = readTx(r);
  r.end("transaction");
  return tx;
}

export function readTx(r: Reader): Tx {
  const at = r.pos;
  const type = r.u8("tx type");
  switch (type) {
    case TxType.Deposit: {
      const index = r.varint("deposit index");
      const from = r.fixed(20, "deposit from");
      const to = r.fixed(20, "deposit to");
      const value = r.u256c("deposit value");
      return { type, index, from, to, value, moves: decodeMoves(r) };
    }
    case TxType.Move: {
      const chainId = r.varint("chainId");
      const nonce = r.varint("nonce");
      const maxPriorityFeePerGas = r.u256c("maxPriorityFeePerGas");
      const maxFeePerGas = r.u256c("maxFeePerGas");
      const gasLimit = r.varint("gasLimit");
      const toAt = r.pos;
      const toFlag = r.u8("to flag");
      if (toFlag > 1) throw new DecodeError("invalid-value", `to flag must be 0 or 1, got ${toFlag}`, toAt);
      const to = toFlag === 1 ? r.fixed(20, "to") : null;
      const value = r.u256c("value");
      const data = r.bytes("data", LIMITS.maxData);
      const moves = decodeMoves(r);
      const witness = decodeWitness(r);
      const yAt = r.pos;
      const yParity = r.u8("yParity");
      if (yParity > 1) throw new DecodeError("invalid-value", `yParity must be 0 or 1, got ${yParity}`, yAt);
      const rr = BigInt(bytesToHex(r.fixed(32, "r")));
      const ss = BigInt(bytesToHex(r.fixed(32, "s")));
      return { type, chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, moves, witness, sig: { yParity, r: rr, s: ss } };
    }
    case TxType.Wrapped: {
      const rawAt = r.pos;
      const raw = r.bytes("raw transaction", LIMITS.maxData);
      if (raw.length === 0) throw new DecodeError("invalid-value", "empty raw transaction", rawAt);
      return { type, raw, moves: decodeMoves(r), witness: decodeWitness(r) };
    }
    default:
      throw new DecodeError("unknown-type", `unknown transaction type 0x${type.toString(16)}`, at);
  }
}

/** The transaction's Merkle leaf, declaring `gas` to its batch: H_leaf(bytes8(gas) || encoding). */
export function txLeaf(tx: Tx | Uint8Array, gas: bigint): Uint8Array {
  return leafHash(gas, tx instanceof Uint8Array ? tx : encodeTx(tx));
}
