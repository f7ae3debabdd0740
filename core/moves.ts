/**
 * Moves: (mask, mark, intx, addr, slot, prev, next) plus the reference flag (docs/protocol.md §4).
 * A consuming move spends outpoint (intx, key) valued `prev` and creates (seq, key) valued `next`;
 * a reference move only requires (intx, key) unspent and has next == prev.
 */
import { Reader, Writer } from "./codec";
import { DecodeError, InvalidTxError } from "./errors";
import { Key, compareKeys, isKnownMark, markHasSlot, keyToString } from "./keys";
import { ZERO_ADDRESS, u256, toFixed, keccak256, concatBytes, compareBytes } from "./bytes";
import { hashTagged } from "./hash";

/** Mask bits: which fields the user's signature covers. */
export const MaskBit = {
  Mark: 0x01,
  Intx: 0x02,
  Addr: 0x04,
  Slot: 0x08,
  Prev: 0x10,
  Next: 0x20,
  /** The reference flag itself. */
  Kind: 0x40,
} as const;
export const MASK_ALL = 0x7f;
/** Flag bit in the encoded flags byte: this is a reference move. */
export const FLAG_REF = 0x80;
/**
 * Bit in the encoded mark byte (every mark is below 0x80): this move's address is the previous
 * move's in the same list, and the addr field is omitted (protocol.md §4.1).
 */
export const MARK_SAME_ADDR = 0x80;

export interface Move extends Key {
  /** Signature coverage bits (MaskBit); 0 = unsigned (coordinator-filled). */
  mask: number;
  /** Reference (read-only) move: not consumed, next == prev. */
  ref: boolean;
  /** Seq of the transaction that produced the consumed/referenced version (0 = genesis). */
  intx: bigint;
  prev: bigint;
  next: bigint;
}

/** Throws RangeError for a move the encoding cannot represent exactly (rather than silently changing it). */
export function checkEncodable(m: Move): void {
  if (!Number.isInteger(m.mask) || m.mask < 0 || m.mask > MASK_ALL) throw new RangeError(`mask ${m.mask} is outside 0..0x7f`);
  if (!Number.isInteger(m.mark) || m.mark < 0 || m.mark >= MARK_SAME_ADDR) throw new RangeError(`mark ${m.mark} is outside 0..0x7f`);
  if (m.ref && m.next !== m.prev) throw new RangeError("a reference move must have next == prev");
  if (!markHasSlot(m.mark) && m.slot !== 0n) throw new RangeError(`mark ${String.fromCharCode(m.mark)} has no slot, got ${m.slot}`);
  if (m.addr.length !== 20) throw new RangeError("addr must be 20 bytes");
}

/**
 * Encodes one move of a list (§4.1). `prevAddr` is the address of the previous move in the same list
 * (undefined for the first): when this move's address equals it, the mark byte carries
 * MARK_SAME_ADDR and the address is left out; otherwise the address is written.
 */
export function encodeMove(w: Writer, m: Move, prevAddr?: Uint8Array): void {
  checkEncodable(m);
  const same = prevAddr !== undefined && compareBytes(prevAddr, m.addr) === 0;
  w.u8((m.mask & MASK_ALL) | (m.ref ? FLAG_REF : 0));
  w.u8(m.mark | (same ? MARK_SAME_ADDR : 0));
  w.varint(m.intx);
  if (!same) w.fixed(m.addr, 20);
  if (markHasSlot(m.mark)) w.u256c(m.slot);
  w.u256c(m.prev);
  if (!m.ref) w.u256c(m.next);
}

/**
 * Decodes one move of a list (§4.1); `prevAddr` is the previous move's address (undefined for the
 * first). Canonical: MARK_SAME_ADDR is set exactly when the address equals the previous one. On the
 * first move the bit names no address, so the mark byte is not a mark: `invalid-value`, like an
 * unknown mark; an address written out that equals the previous one is `non-canonical`. Both at the
 * mark byte.
 */
export function decodeMove(r: Reader, prevAddr?: Uint8Array): Move {
  const at = r.pos;
  const flags = r.u8("move flags");
  const markByte = r.u8("move mark");
  const mark = markByte & ~MARK_SAME_ADDR;
  const same = (markByte & MARK_SAME_ADDR) !== 0;
  if (!isKnownMark(mark)) throw new DecodeError("invalid-value", `unknown mark 0x${mark.toString(16)}`, at + 1);
  if (same && prevAddr === undefined) throw new DecodeError("invalid-value", "the same-address bit on the first move of a list (there is no previous address)", at + 1);
  const intx = r.varint("move intx");
  let addr: Uint8Array;
  if (prevAddr !== undefined && same) addr = prevAddr.slice();
  else {
    addr = r.fixed(20, "move addr");
    if (prevAddr !== undefined && compareBytes(prevAddr, addr) === 0)
      throw new DecodeError("non-canonical", "address written out though it is the previous move's", at + 1);
  }
  const slot = markHasSlot(mark) ? r.u256c("move slot") : 0n;
  const prev = r.u256c("move prev");
  const ref = (flags & FLAG_REF) !== 0;
  const next = ref ? prev : r.u256c("move next");
  return { mask: flags & MASK_ALL, ref, mark, intx, addr, slot, prev, next };
}

/** A move list (§4.1): varint count, then each move encoded against the previous one's address. */
export function encodeMoves(w: Writer, moves: readonly Move[]): void {
  w.varint(moves.length);
  let prevAddr: Uint8Array | undefined;
  for (const m of moves) {
    encodeMove(w, m, prevAddr);
    prevAddr = m.addr;
  }
}

/** Decodes a move list of at most `max` moves (encodeMoves). */
export function decodeMoves(r: Reader, max: number): Move[] {
  const n = r.count(max, "move count");
  const out: Move[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = decodeMove(r, i > 0 ? out[i - 1].addr : undefined);
  return out;
}

/**
 * Structural rules for a transaction at sequence number `seq` (protocol.md §4.3): sorted strictly by
 * key (so each key once), every intx < seq. Reference moves have next == prev by construction.
 */
export function checkMovesStructure(moves: readonly Move[], seq: bigint | undefined): void {
  for (let i = 0; i < moves.length; i++) {
    const m = moves[i];
    if (i > 0) {
      const c = compareKeys(moves[i - 1], m);
      if (c === 0) throw new InvalidTxError("malformed", "duplicate-key", `key ${keyToString(m)} appears twice`, i);
      if (c > 0) throw new InvalidTxError("malformed", "moves-unsorted", `move ${i} (${keyToString(m)}) is out of order`, i);
    }
    if (seq !== undefined && m.intx >= seq)
      throw new InvalidTxError("input", "intx-not-before", `move ${i} names producer ${m.intx}, not before this transaction's seq ${seq}`, i, {
        intx: m.intx.toString(),
        seq: seq.toString(),
      });
  }
}

/**
 * Commitment to the signed part of one move: every field its mask does not select is zeroed, so a
 * coordinator may fill those fields without breaking the signature.
 */
export function moveSigCommitment(m: Move): Uint8Array {
  checkEncodable(m);
  const k = m.mask;
  return hashTagged(
    "moveSig",
    Uint8Array.of(k & MASK_ALL, k & MaskBit.Mark ? m.mark : 0, k & MaskBit.Kind ? (m.ref ? 1 : 0) : 0),
    toFixed(k & MaskBit.Intx ? m.intx : 0n, 8),
    k & MaskBit.Addr ? m.addr : ZERO_ADDRESS,
    u256(k & MaskBit.Slot ? m.slot : 0n),
    u256(k & MaskBit.Prev ? m.prev : 0n),
    u256(k & MaskBit.Next ? m.next : 0n),
  );
}

/**
 * The moves' part of the sighash: keccak256 over the sorted commitments of the signed moves
 * (mask != 0). Sorting makes it independent of where filled keys put the moves.
 */
export function movesSigDigest(moves: readonly Move[]): Uint8Array {
  const commits = moves.filter((m) => m.mask !== 0).map(moveSigCommitment);
  commits.sort((a, b) => {
    for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  });
  return keccak256(concatBytes(...commits));
}

export function sortMoves<T extends Key>(moves: T[]): T[] {
  return moves.sort(compareKeys);
}
