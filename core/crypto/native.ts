/**
 * Native secp256k1 recovery and keccak256: libsecp256k1 through the `secp256k1` package and the
 * Keccak reference code through the `keccak` package, both N-API bindings with prebuilt binaries
 * (no compiler needed at install). The core uses them when they load (core/bytes.ts keccak256,
 * core/sign.ts recovery, and the Common's customCrypto in core/evm/chain.ts, which ethereumjs uses
 * for transaction senders, ECRECOVER and KECCAK256); otherwise it stays on @noble (JavaScript).
 * Same inputs accepted and refused, same outputs: test/core/crypto/native.test.ts compares them.
 * Measured: validation 2.7x faster with them (docs/BENCHMARKS.md).
 *
 * Set MOVESET_NO_NATIVE_CRYPTO=1 to force the JavaScript versions.
 */
import * as path from "path";
import type { CustomCrypto } from "@ethereumjs/common";
import { setLengthLeft, concatBytes } from "@ethereumjs/util";

interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

interface Secp256k1Native {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array;
}

export interface NativeCrypto {
  keccak256: (msg: Uint8Array) => Uint8Array;
  /** As @ethereumjs/util ecrecover: 64-byte public key (no 0x04 prefix). */
  ecrecover: NonNullable<CustomCrypto["ecrecover"]>;
  /** 65-byte uncompressed public key. */
  ecdsaRecover: (sig: Uint8Array, recId: number, hash: Uint8Array) => Uint8Array;
}

let loaded: NativeCrypto | null | undefined;

function load(): NativeCrypto | null {
  if (process.env.MOVESET_NO_NATIVE_CRYPTO === "1") return null;
  let secp: Secp256k1Native;
  let KState: new () => KeccakState;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    secp = require("secp256k1/bindings"); // the N-API binding only (the package's index falls back to elliptic)
    KState = require("node-gyp-build")(path.dirname(require.resolve("keccak/package.json")));
    /* eslint-enable @typescript-eslint/no-require-imports */
    if (typeof KState !== "function") return null;
  } catch {
    return null;
  }
  const st = new KState();
  const keccak256 = (msg: Uint8Array): Uint8Array => {
    st.initialize(1088, 512);
    st.absorb(Buffer.isBuffer(msg) ? msg : Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength));
    st.absorbLastFewBits(0x01);
    const out = new Uint8Array(32);
    out.set(st.squeeze(32));
    return out;
  };
  const ecdsaRecover = (sig: Uint8Array, recId: number, hash: Uint8Array): Uint8Array => secp.ecdsaRecover(sig, recId, hash, false);
  const ecrecover = (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array => {
    // Exactly @ethereumjs/util ecrecover, with libsecp256k1 doing the recovery.
    const recovery = v === 0n || v === 1n ? v : chainId === undefined ? v - 27n : v - (chainId * 2n + 35n);
    if (recovery !== 0n && recovery !== 1n) throw new Error("Invalid signature v value");
    const sig = concatBytes(setLengthLeft(r, 32), setLengthLeft(s, 32));
    return ecdsaRecover(sig, Number(recovery), msgHash).subarray(1);
  };
  // Self-check against a known vector before anything relies on it.
  const kat = keccak256(new TextEncoder().encode("abc"));
  if (Buffer.from(kat).toString("hex") !== "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45") return null;
  return { keccak256, ecrecover, ecdsaRecover };
}

/** The native primitives, or undefined when a binding does not load on this machine. */
export function nativeCrypto(): NativeCrypto | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}
