/**
 * State overrides of eth_call, eth_estimateGas and debug_traceCall (geth's third parameter): per
 * account a balance, a nonce, code, and either its whole storage (`state`) or some slots
 * (`stateDiff`), laid over the state a call reads. What the node cannot do (`movePrecompileToAddress`)
 * or does not know is refused with an error, never ignored.
 */
import { bytesToHex } from "../../core/bytes";
import { Mark } from "../../core/keys";
import { codeHash } from "../../core/tx";
import type { StateSource } from "../../core/evm/state";
import { addressArg, bad, dataArg, objectArg, quantity } from "./params";
import { RpcError, SERVER_ERROR } from "./server";

interface AccountOverride {
  balance?: bigint;
  nonce?: bigint;
  /** The code hash the account gets (0: no code). */
  codeHash?: bigint;
  /** `state`: every slot not listed reads 0. */
  state?: Map<bigint, bigint>;
  stateDiff?: Map<bigint, bigint>;
}

const FIELDS = new Set(["balance", "nonce", "code", "state", "stateDiff", "movePrecompileToAddress"]);

function slots(v: unknown, what: string): Map<bigint, bigint> {
  const o = objectArg(v, what);
  const m = new Map<bigint, bigint>();
  for (const [k, x] of Object.entries(o)) {
    const slot = quantity(k, `${what} key`);
    const value = quantity(x, `${what} value`);
    if (slot >= 1n << 256n || value >= 1n << 256n) bad(`${what} keys and values are 32 bytes`);
    m.set(slot, value);
  }
  return m;
}

/** The state `base` with `overrides` (the JSON parameter) laid over it; `base` itself if none. */
export function withOverrides(base: StateSource, overrides: unknown): StateSource {
  if (overrides === undefined || overrides === null) return base;
  const accounts = new Map<string, AccountOverride>();
  const codes = new Map<string, Uint8Array>();
  for (const [addrRaw, v] of Object.entries(objectArg(overrides, "state overrides"))) {
    const addr = addressArg(addrRaw, "state override address");
    const o = objectArg(v, `state override of ${addr}`);
    for (const k of Object.keys(o)) if (!FIELDS.has(k)) bad(`unknown field ${k} in the state override of ${addr}`);
    if (o.movePrecompileToAddress !== undefined && o.movePrecompileToAddress !== null) throw new RpcError(SERVER_ERROR, `movePrecompileToAddress (in the state override of ${addr}) is not supported by this node`);
    if (o.state != null && o.stateDiff != null) throw new RpcError(SERVER_ERROR, `account ${addr} has both 'state' and 'stateDiff'`);
    const a: AccountOverride = {};
    if (o.balance != null) a.balance = quantity(o.balance, "balance");
    if (o.nonce != null) a.nonce = quantity(o.nonce, "nonce");
    if (o.code != null) {
      const code = dataArg(o.code, "code");
      if (code.length === 0) a.codeHash = 0n;
      else {
        const h = bytesToHex(codeHash(code));
        codes.set(h, code);
        a.codeHash = BigInt(h);
      }
    }
    if (o.state != null) a.state = slots(o.state, "state");
    if (o.stateDiff != null) a.stateDiff = slots(o.stateDiff, "stateDiff");
    if (a.balance !== undefined && a.balance >= 1n << 256n) bad("balance exceeds 32 bytes");
    if (a.nonce !== undefined && a.nonce >= 1n << 64n) bad("nonce exceeds 64 bits");
    accounts.set(addr, a);
  }
  return {
    read(id, mark, addrHex, slot) {
      const a = accounts.get(addrHex);
      if (a) {
        if (mark === Mark.Balance && a.balance !== undefined) return a.balance;
        if (mark === Mark.Nonce && a.nonce !== undefined) return a.nonce;
        if (mark === Mark.Code && a.codeHash !== undefined) return a.codeHash;
        if (mark === Mark.Storage && a.state) return a.state.get(slot) ?? 0n;
        if (mark === Mark.Storage && a.stateDiff?.has(slot)) return a.stateDiff.get(slot)!;
      }
      return base.read(id, mark, addrHex, slot);
    },
    code: (h) => codes.get(h) ?? base.code(h),
  };
}
