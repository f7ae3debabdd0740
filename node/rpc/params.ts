/**
 * Parameters of JSON-RPC methods: positional or named, each checked and converted, with a
 * -32602 "invalid params" error naming what is wrong. Hex is checked by scanning, never by a
 * regular expression with a repeated group (which overflows V8's stack on a few MB of data).
 */
import { hexToBytes } from "../../core/bytes";
import { Mark } from "../../core/keys";
import { INVALID_PARAMS, RpcError } from "./server";

export function bad(msg: string): never {
  throw new RpcError(INVALID_PARAMS, `invalid params: ${msg}`);
}

export function arg(params: unknown[] | Record<string, unknown>, i: number, name: string, required = true): unknown {
  const v = Array.isArray(params) ? params[i] : params[name];
  if (required && (v === undefined || v === null)) bad(`missing ${name} (parameter ${i})`);
  return v === null ? undefined : v;
}

/** Whether `s` is "0x" followed only by hex digits (at least `min` of them). */
function isHex(s: string, min: number): boolean {
  if (s.length < 2 + min || s.charCodeAt(0) !== 0x30 || (s.charCodeAt(1) | 0x20) !== 0x78) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20; // lower case for letters
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

export function quantity(v: unknown, name: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "string" || !isHex(v, 1) || v.length > 66) bad(`${name} must be a hex quantity`);
  return BigInt(v as string);
}

export function dataArg(v: unknown, name: string): Uint8Array {
  if (typeof v !== "string" || !isHex(v, 0) || v.length % 2 !== 0) bad(`${name} must be hex data`);
  return hexToBytes(v as `0x${string}`);
}

export function addressArg(v: unknown, name: string): string {
  if (typeof v !== "string" || v.length !== 42 || !isHex(v, 40)) bad(`${name} must be a 20-byte address`);
  return (v as string).toLowerCase();
}

export function hashArg(v: unknown, name: string): string {
  if (typeof v !== "string" || v.length !== 66 || !isHex(v, 64)) bad(`${name} must be a 32-byte hash`);
  return (v as string).toLowerCase();
}

export function boolArg(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") bad(`${name} must be a boolean`);
  return v as boolean;
}

export function objectArg(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${name} must be an object`);
  return v as Record<string, unknown>;
}

const MARKS: Record<string, number> = { s: Mark.Storage, b: Mark.Balance, n: Mark.Nonce, c: Mark.Code, f: Mark.Fee, w: Mark.Withdrawal };

export function markArg(v: unknown): number {
  if (typeof v === "string" && MARKS[v] !== undefined) return MARKS[v];
  if (typeof v === "number" && Object.values(MARKS).includes(v)) return v;
  return bad(`mark must be one of ${Object.keys(MARKS).join(", ")}`);
}
