/**
 * Keys: (mark, addr, slot), one piece of state (docs/protocol.md §1). The canonical key bytes are
 * addr (20) || mark (1) || slot (32 big-endian): moves are sorted by them, so a transaction's moves
 * are grouped by account.
 */
import { bytesToHex, compareBytes, toFixed } from "./bytes";

export const Mark = {
  /** Storage slot `slot` of account `addr`. */
  Storage: 0x73, // 's'
  /** Balance of `addr` (slot 0). */
  Balance: 0x62, // 'b'
  /** Nonce of `addr` (slot 0). */
  Nonce: 0x6e, // 'n'
  /** Code hash of `addr` (slot 0); 0 means no code. */
  Code: 0x63, // 'c'
  /** Fee output of recipient `addr`, created by transaction `slot` (its seq). */
  Fee: 0x66, // 'f'
  /** Withdrawal output to L1 address `addr`, created by transaction `slot` (its seq). */
  Withdrawal: 0x77, // 'w'
} as const;

export type MarkValue = (typeof Mark)[keyof typeof Mark];

const MARKS = new Set<number>(Object.values(Mark));
/** Marks whose slot is always 0. */
const ACCOUNT_MARKS = new Set<number>([Mark.Balance, Mark.Nonce, Mark.Code]);

export function isKnownMark(m: number): m is MarkValue {
  return MARKS.has(m);
}

export function markHasSlot(m: number): boolean {
  return !ACCOUNT_MARKS.has(m);
}

export function markName(m: number): string {
  return isKnownMark(m) ? String.fromCharCode(m) : `0x${m.toString(16)}`;
}

export interface Key {
  mark: number;
  addr: Uint8Array;
  slot: bigint;
}

/** Canonical 53-byte key: addr || mark || slot. */
export function keyBytes(k: Key): Uint8Array {
  const out = new Uint8Array(53);
  out.set(k.addr, 0);
  out[20] = k.mark;
  out.set(toFixed(k.slot, 32), 21);
  return out;
}

export function compareKeys(a: Key, b: Key): number {
  const c = compareBytes(a.addr, b.addr);
  if (c !== 0) return c;
  if (a.mark !== b.mark) return a.mark - b.mark;
  return a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0;
}

/** A string form for maps: `0xaddr/m/slothex`. Unique per key. */
export function keyId(k: Key): string {
  return keyIdOf(bytesToHex(k.addr), k.mark, k.slot);
}

export function keyIdOf(addrHex: string, mark: number, slot: bigint): string {
  return `${addrHex}/${String.fromCharCode(mark)}/${slot.toString(16)}`;
}

export function keyToString(k: Key): string {
  return `${markName(k.mark)}:${bytesToHex(k.addr)}${markHasSlot(k.mark) ? `:${k.slot.toString(16)}` : ""}`;
}
