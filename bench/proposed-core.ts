/**
 * The core changes this benchmark proposes (docs/BENCHMARKS.md, "Proposed core changes"), applied
 * as a monkeypatch so that they can be measured before core/ is edited. None changes what is valid:
 *
 *  1. native crypto: core/bytes keccak256 and the Common's customCrypto (keccak256, ecrecover,
 *     ecdsaRecover) use libsecp256k1 / native Keccak (bench/native-crypto.ts);
 *  2. tx params merged once: ethereumjs copies the Common for every decoded transaction and
 *     re-merges its transaction parameters (JSON round trips, params cache rebuilt); the
 *     rollup's Common gets them once and the per-transaction re-merge is skipped (same values);
 *  3. block memo: Executor reuses the Block of the previous transaction when the BlockEnv object is
 *     the same, instead of building a string key from every field for every transaction;
 *  4. witness hashed once: decodeTx hashes every witness blob (to check their order) and the
 *     validator hashes them again (to match them to code hashes); the hash is kept per blob;
 *  5. jump-destination analysis cached per code (installJumpdestCache), with the validator handing
 *     the EVM one code object per code hash.
 *
 * Must be installed in a thread before any Executor is created there (the pool's workers load
 * bench/proposed-core-preload.ts first). If the core already does (1), nothing is patched twice.
 */
import * as path from "path";
import { Common } from "@ethereumjs/common";
import { paramsTx } from "@ethereumjs/tx";
import { nativeCrypto } from "./native-crypto";

/** Merges the transaction parameters into `c` once and makes copies skip re-merging them (change 2). */
export function mergeTxParamsOnce(c: Common): void {
  c.updateParams(paramsTx);
  const merge = Common.prototype.updateParams;
  // An own property: Common.copy() (Object.assign) carries it to every per-transaction copy.
  (c as unknown as { updateParams: typeof merge }).updateParams = function (this: Common, params) {
    if (params !== paramsTx) merge.call(this, params);
  };
}

export const PROPOSED_CHANGES = ["native-crypto", "witness-hash-once", "tx-params-once", "block-memo", "jumpdest-cache"] as const;
export type ProposedChange = (typeof PROPOSED_CHANGES)[number];

let installed: string[] | undefined;

type Analysis = unknown;
let jumpdestInstalled = false;

/**
 * (5) The EVM's jump-destination analysis, kept per code object (and per EVM, whose opcode table
 * it refers to) instead of redone for every call frame. ethereumjs scans the whole code, converting
 * every PUSH immediate to a bigint, each time a frame starts. The analysis depends on the code
 * bytes only, and nothing writes to it. Process-wide: it speeds up every EVM in this thread,
 * the baseline's included.
 */
export function installJumpdestCache(): void {
  if (jumpdestInstalled) return;
  // Not exported by the package: load the module file itself (the same instance the EVM uses).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Interpreter } = require(path.join(path.dirname(require.resolve("@ethereumjs/evm")), "interpreter.js")) as {
    Interpreter: { prototype: { _getValidJumpDestinations: (code: Uint8Array) => Analysis; _evm: object } };
  };
  const analyse = Interpreter.prototype._getValidJumpDestinations;
  const byEvm = new WeakMap<object, WeakMap<Uint8Array, Analysis>>();
  Interpreter.prototype._getValidJumpDestinations = function (this: { _evm: object }, code: Uint8Array) {
    let byCode = byEvm.get(this._evm);
    if (!byCode) byEvm.set(this._evm, (byCode = new WeakMap()));
    let a = byCode.get(code);
    if (a === undefined) byCode.set(code, (a = analyse.call(this, code)));
    return a;
  };
  jumpdestInstalled = true;
}

/**
 * For (5) to hit across transactions, the validator hands the EVM one code object per code hash:
 * the witness blobs of each transaction are new objects, but their bytes were checked against the
 * hash, so the first object seen for a hash stands for all (bounded, least recently added out).
 */
function canonicalCode(exec: unknown): void {
  void exec;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MoveStateManager } = require("../core/evm/state") as typeof import("../core/evm/state");
  const getCode = MoveStateManager.prototype.getCode;
  const byHash = new Map<string, Uint8Array>();
  MoveStateManager.prototype.getCode = async function (this: InstanceType<typeof MoveStateManager>, address) {
    const code = await getCode.call(this, address);
    if (code.length === 0) return code;
    const h = (await this.getKey(0x63, address.toString(), 0n)).toString(16); // the code hash, checked against the bytes
    const seen = byHash.get(h);
    if (seen) return seen;
    if (byHash.size >= 4096) byHash.delete(byHash.keys().next().value as string);
    byHash.set(h, code);
    return code;
  };
}

/**
 * Installs the proposed changes (all, or those named) in this thread, once. Returns what was
 * installed (native crypto is left out when its bindings do not load here).
 */
export function installProposedCore(which: readonly ProposedChange[] = PROPOSED_CHANGES): string[] {
  if (installed) return installed;
  const done: string[] = [];
  const want = new Set<string>(which);
  const n = want.has("native-crypto") ? nativeCrypto() : undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const bytes = require("../core/bytes") as { keccak256: (m: Uint8Array) => Uint8Array };
  const chain = require("../core/evm/chain") as { cancunCommon: (id: bigint) => Common };
  const exec = require("../core/evm/execute") as { Executor: { prototype: Record<string, unknown> } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (n) {
    bytes.keccak256 = n.keccak256;
    done.push("native-crypto");
  }
  if (want.has("witness-hash-once")) {
    // (4) A blob's hash, kept by identity: the decoder and the validator hash the same witness object.
    const hash = bytes.keccak256;
    const byBlob = new WeakMap<Uint8Array, Uint8Array>();
    bytes.keccak256 = (m: Uint8Array) => {
      if (m.length < 1024) return hash(m);
      let h = byBlob.get(m);
      if (!h) byBlob.set(m, (h = hash(m)));
      return h.slice();
    };
    done.push("witness-hash-once");
  }
  const orig = chain.cancunCommon;
  const seen = new WeakSet<object>();
  chain.cancunCommon = (id: bigint) => {
    const c = orig(id);
    if (!seen.has(c)) {
      seen.add(c);
      if (n && !c.customCrypto.ecrecover) {
        c.customCrypto.keccak256 = n.keccak256;
        c.customCrypto.ecrecover = n.ecrecover;
        c.customCrypto.ecdsaRecover = n.ecdsaRecover;
      }
      if (want.has("tx-params-once")) mergeTxParamsOnce(c);
    }
    return c;
  };
  if (want.has("tx-params-once")) done.push("tx-params-once");
  if (want.has("jumpdest-cache")) {
    installJumpdestCache();
    canonicalCode(exec);
    done.push("jumpdest-cache");
  }
  if (!want.has("block-memo")) {
    installed = done;
    return done;
  }
  const block = exec.Executor.prototype.block as (this: object, env: object, feeMode: string) => unknown;
  type Memo = { env: object; feeMode: string; block: unknown };
  const memo = new WeakMap<object, Memo>();
  exec.Executor.prototype.block = function (this: object, env: object, feeMode: string) {
    const m = memo.get(this);
    if (m && m.env === env && m.feeMode === feeMode) return m.block;
    const b = block.call(this, env, feeMode);
    memo.set(this, { env, feeMode, block: b });
    return b;
  };
  done.push("block-memo");
  installed = done;
  return done;
}
