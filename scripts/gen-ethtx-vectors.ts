/**
 * Test vectors for the Solidity Ethereum-transaction decoder (contracts/lib/EthTx.sol, Rlp.sol).
 *
 *   npx ts-node --transpile-only scripts/gen-ethtx-vectors.ts
 *
 * writes test/vectors/ethtx.json. Everything is deterministic: fixed keys, RFC 6979 signatures,
 * a seeded PRNG. The reference is ethereumjs exactly as the TypeScript core uses it
 * (core/evm/ethtx.ts): `createTxFromRLP(raw, {common})` with a Cancun Common for the vector's chain
 * id, then `getSenderAddress()`, `getHashedMessageToSign()` and `getIntrinsicGas()`. Each vector is
 * also run through the core's own `decodeWrapped` (rollup policy: unprotected legacy allowed, blobs
 * refused) and the generator asserts that its verdict has the expected fault kind.
 *
 *  - valid: decodes, and the sender recovers. `fields`, `signingHash`, `sender`, `intrinsicGas` are
 *    what ethereumjs computes. `quirk` marks encodings that only ethereumjs's leniency accepts.
 *  - invalid, stage "decode": createTxFromRLP throws (fault malformed); `reason` is the custom error
 *    EthTx.decodeFor must revert with.
 *  - invalid, stage "sender": createTxFromRLP accepts, getSenderAddress throws (fault signature);
 *    EthTx.sender must return address(0). `reason` is a label only.
 *  - invalid, stage "refused": the rollup refuses them as malformed although ethereumjs may decode
 *    them: type 3 (blob) and 4 (set code), EthTx reverts RefusedTxType (even for a blob tx that
 *    ethereumjs with KZG decodes); an access-list address written as a list of 20 items or a key as a
 *    list of 32 (protocol.md §5.4), EthTx reverts with `reason`.
 *
 * JSON conventions as in scripts/gen-vectors.ts: 0x-prefixed lower-case hex, integers as decimal
 * strings, absent `to` is null.
 */
import * as fs from "fs";
import * as path from "path";
import { Capability, createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { Common, Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { SigningKey, Transaction, Wallet, computeAddress, getBytes, hexlify, keccak256 } from "ethers";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { decodeWrapped } from "../core/evm/ethtx";
import { loadCrypto } from "../core/evm/chain";
import { InvalidTxError } from "../core/errors";
import { TxType } from "../core/tx";

export const ETHTX_VECTOR_FILE = path.join(__dirname, "..", "test", "vectors", "ethtx.json");

/** Hardhat's first three dev keys: public, fixed, never for real funds. */
export const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9ad8ab2a7db3f",
].map((k) => new SigningKey(k));

export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SECP256K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
export const MAX_U256 = (1n << 256n) - 1n;
export const MAX_U64 = (1n << 64n) - 1n;
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

// ---------------------------------------------------------------------------------------------
// JSON forms

export interface FieldsJson {
  txType: number;
  eip155: boolean;
  signed: boolean;
  chainId: string;
  nonce: string;
  maxPriorityFeePerGas: string;
  maxFeePerGas: string;
  gasLimit: string;
  isCreate: boolean;
  to: string | null;
  value: string;
  data: string;
  accessListAddresses: number;
  accessListStorageKeys: number;
  v: string;
  r: string;
  s: string;
}

export interface ValidVector {
  name: string;
  chainId: string;
  raw: string;
  quirk?: string;
  fields: FieldsJson;
  signingHash: string;
  sender: string;
  intrinsicGas: string;
}

export type Stage = "decode" | "sender" | "refused";

export interface InvalidVector {
  name: string;
  chainId: string;
  raw: string;
  stage: Stage;
  reason: string;
  /** What ethereumjs (or the core, for "refused") said. */
  ethereumjs: string;
}

export interface EthTxVectors {
  description: string;
  valid: ValidVector[];
  invalid: InvalidVector[];
}

// ---------------------------------------------------------------------------------------------
// The reference: ethereumjs as the core uses it

const commons = new Map<bigint, Common>();

/** Cancun Common for a chain id: Mainnet for 1, a custom chain otherwise (no KZG: blobs do not decode). */
export function commonFor(chainId: bigint): Common {
  let c = commons.get(chainId);
  if (!c) {
    c =
      chainId === 1n
        ? new Common({ chain: Mainnet, hardfork: Hardfork.Cancun })
        : createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Cancun });
    commons.set(chainId, c);
  }
  return c;
}

export type EthjsView =
  | { ok: true; tx: TypedTransaction; fields: FieldsJson; signingHash: string; sender: string; senderError?: string; intrinsicGas: string }
  | { ok: false; error: string };

const errMsg = (e: unknown) => ((e as Error)?.message ?? String(e)).split("\n")[0].slice(0, 200);

/**
 * What ethereumjs makes of `raw` on chain `chainId` under the rollup's access-list shape rule
 * (protocol.md §5.4: 20-byte addresses, 32-byte keys, which ethereumjs alone does not require): the
 * fields EthTx.decodeFor returns, or its error.
 */
export function ethjsInspect(raw: Uint8Array, chainId: bigint, rollupShape = true): EthjsView {
  let tx: TypedTransaction;
  try {
    tx = createTxFromRLP(raw, { common: commonFor(chainId) }) as TypedTransaction;
  } catch (e) {
    return { ok: false, error: errMsg(e) };
  }
  if (rollupShape && listShapedAccessList(tx)) return { ok: false, error: "rollup: an access-list address or key is a list (ethereumjs decodes it)" };
  let sender = ZERO_ADDRESS;
  let senderError: string | undefined;
  try {
    sender = tx.getSenderAddress().toString();
  } catch (e) {
    senderError = errMsg(e);
  }
  return {
    ok: true,
    tx,
    fields: fieldsOf(tx),
    signingHash: hexlify(tx.getHashedMessageToSign()),
    sender,
    senderError,
    intrinsicGas: tx.getIntrinsicGas().toString(),
  };
}

/** An access list that names an address as a list of 20 items or a key as a list of 32: ethereumjs decodes it, the rollup refuses it. */
function listShapedAccessList(tx: TypedTransaction): boolean {
  const al = (tx.type !== 0 ? ((tx as unknown as { accessList?: ArrayLike<unknown> }).accessList as ArrayLike<unknown>) : []) ?? [];
  for (let i = 0; i < al.length; i++) {
    const item = al[i] as [unknown, ArrayLike<unknown>];
    if (Array.isArray(item[0])) return true;
    for (let j = 0; j < item[1].length; j++) if (Array.isArray(item[1][j])) return true;
  }
  return false;
}

function fieldsOf(tx: TypedTransaction): FieldsJson {
  const typed = tx.type !== 0;
  const eip155 = !typed && tx.supports(Capability.EIP155ReplayProtection);
  const chainId = typed || eip155 ? tx.common.chainId() : 0n;
  const t = tx as unknown as {
    gasPrice?: bigint;
    maxFeePerGas?: bigint;
    maxPriorityFeePerGas?: bigint;
    accessList?: unknown[];
  };
  const maxFee = t.maxFeePerGas ?? t.gasPrice!;
  const prio = t.maxPriorityFeePerGas ?? t.gasPrice!;
  // The access list as ethereumjs holds it after decoding: an array (or the empty string 0x80).
  const al = (typed ? (t.accessList as unknown as ArrayLike<unknown>) : []) ?? [];
  let keys = 0;
  for (let i = 0; i < al.length; i++) keys += (al[i] as [unknown, ArrayLike<unknown>])[1].length;
  return {
    txType: tx.type,
    eip155,
    signed: tx.isSigned(),
    chainId: chainId.toString(),
    nonce: tx.nonce.toString(),
    maxPriorityFeePerGas: prio.toString(),
    maxFeePerGas: maxFee.toString(),
    gasLimit: tx.gasLimit.toString(),
    isCreate: tx.to === undefined,
    to: tx.to === undefined ? null : tx.to.toString(),
    value: tx.value.toString(),
    data: hexlify(tx.data),
    accessListAddresses: al.length,
    accessListStorageKeys: keys,
    v: (tx.v ?? 0n).toString(),
    r: (tx.r ?? 0n).toString(),
    s: (tx.s ?? 0n).toString(),
  };
}

/** The core's verdict (rollup policy): undefined if accepted, else the fault kind and code. */
export function coreVerdict(raw: Uint8Array, chainId: bigint): { kind: string; code: string; message: string } | undefined {
  try {
    decodeWrapped({ type: TxType.Wrapped, raw, moves: [], witness: [] }, { chainId, allowUnprotected: true, allowBlobTx: false });
    return undefined;
  } catch (e) {
    if (!(e instanceof InvalidTxError)) throw e;
    return { kind: e.kind, code: e.code, message: e.message };
  }
}

// ---------------------------------------------------------------------------------------------
// RLP building, including non-canonical pieces

/** A byte string, a list, or bytes inserted verbatim (to build non-canonical encodings). */
export type Node = Uint8Array | Node[] | { verbatim: Uint8Array };

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function beBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  let h = n.toString(16);
  if (h.length % 2) h = "0" + h;
  return getBytes("0x" + h);
}

function lengthPrefix(len: number, offset: number): Uint8Array {
  if (len < 56) return Uint8Array.of(offset + len);
  const l = beBytes(BigInt(len));
  return cat(Uint8Array.of(offset + 55 + l.length), l);
}

export function rlp(n: Node): Uint8Array {
  if (n instanceof Uint8Array) {
    if (n.length === 1 && n[0] < 0x80) return n;
    return cat(lengthPrefix(n.length, 0x80), n);
  }
  if (Array.isArray(n)) {
    const body = cat(...n.map(rlp));
    return cat(lengthPrefix(body.length, 0xc0), body);
  }
  return n.verbatim;
}

/** Canonical integer bytes (empty for 0). */
export const u = (n: bigint | number): Uint8Array => beBytes(BigInt(n));
const hexb = (h: string): Uint8Array => getBytes(h);
const verb = (h: string | Uint8Array): { verbatim: Uint8Array } => ({ verbatim: typeof h === "string" ? getBytes(h) : h });

/** Decodes `raw` (with type byte if typed) into its type and items, for mutation. */
export function itemsOf(raw: Uint8Array): { type: number; items: Node[] } {
  const type = raw[0] < 0x80 ? raw[0] : 0;
  const body = type === 0 ? raw : raw.subarray(1);
  return { type, items: RLP.decode(body) as unknown as Node[] };
}

export function assemble(type: number, items: Node[] | Node): Uint8Array {
  const body = rlp(items);
  return type === 0 ? body : cat(Uint8Array.of(type), body);
}

// ---------------------------------------------------------------------------------------------
// Signing transactions built field by field (the quirks, nonces above 2^53 that ethers refuses)

/**
 * Signs the unsigned item list `items` of a transaction of `type` with `key`: the signing hash is
 * computed here (keccak over the canonical re-encoding, as ethereumjs does) and checked against
 * ethereumjs's own getHashedMessageToSign(). Legacy: `chainId` 0 signs without EIP-155.
 */
export function signItems(type: number, items: Node[], key: SigningKey, chainId: bigint, canonicalPrefix?: Node[]): Uint8Array {
  // The hash covers the canonical chain id (typed) or EIP-155 suffix (legacy).
  let pre: Uint8Array;
  if (type === 0) pre = rlp(chainId === 0n ? items : [...items, u(chainId), u(0), u(0)]);
  else pre = cat(Uint8Array.of(type), rlp(canonicalPrefix ?? items));
  const hash = keccak256(pre);
  const sig = key.sign(hash);
  const v = type === 0 ? (chainId === 0n ? 27n + BigInt(sig.yParity) : 35n + 2n * chainId + BigInt(sig.yParity)) : BigInt(sig.yParity);
  const raw = assemble(type, [...items, u(v), u(BigInt(sig.r)), u(BigInt(sig.s))]);
  const view = ethjsInspect(raw, chainId === 0n ? 1n : chainId, false);
  if (!view.ok) throw new Error(`signItems: ethereumjs rejects: ${view.error}`);
  if (view.signingHash !== hash) throw new Error(`signItems: signing hash ${hash} is not ethereumjs's ${view.signingHash}`);
  if (view.sender.toLowerCase() !== computeAddress(key.publicKey).toLowerCase()) throw new Error(`signItems: sender mismatch (${view.senderError})`);
  return raw;
}

/** A transaction signed by an ethers v6 Wallet (no provider: every field is given). */
export async function signEthers(txData: Record<string, unknown>, key: SigningKey): Promise<Uint8Array> {
  return getBytes(await new Wallet(key).signTransaction(txData));
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG

export class Prng {
  private s: bigint;
  constructor(seed: bigint) {
    this.s = seed & MAX_U64;
  }
  /** splitmix64 */
  next64(): bigint {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & MAX_U64;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MAX_U64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MAX_U64;
    return z ^ (z >> 31n);
  }
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bits(b: number): bigint {
    let x = 0n;
    for (let i = 0; i < b; i += 64) x = (x << 64n) | this.next64();
    return b === 0 ? 0n : x & ((1n << BigInt(b)) - 1n);
  }
  bytes(n: number, zeroShare = 0.3): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.chance(zeroShare) ? 0 : 1 + this.int(255);
    return out;
  }
}

/** An integer of a random bit length up to `maxBits`, often at a boundary. */
export function randomUint(rng: Prng, maxBits: number): bigint {
  const edges = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, (1n << BigInt(maxBits)) - 1n];
  if (rng.chance(0.3)) return rng.pick(edges);
  return rng.bits(1 + rng.int(maxBits));
}

export const RANDOM_CHAIN_IDS = [1n, 10n, 31337n, 0x7fffffffn, (1n << 40n) + 7n] as const;

/**
 * A random well-formed signed transaction (legacy with or without EIP-155, 2930, 1559) and its chain
 * id. Built field by field (so nonces up to 2^64−2 and gas limits up to 2^64−1 are reachable) and
 * signed with an ethers SigningKey; every one is checked against ethereumjs by signItems.
 */
export function randomTx(rng: Prng): { raw: Uint8Array; chainId: bigint } {
  const kind = rng.int(4); // 0 legacy unprotected, 1 legacy EIP-155, 2 type 1, 3 type 2
  const type = kind <= 1 ? 0 : kind - 1;
  const chainId = kind === 0 ? 0n : rng.pick(RANDOM_CHAIN_IDS);
  const nonce = rng.chance(0.1) ? MAX_U64 - 1n : randomUint(rng, 63);
  const gasLimit = rng.chance(0.1) ? MAX_U64 : rng.chance(0.5) ? BigInt(21000 + rng.int(30_000_000)) : randomUint(rng, 64);
  const glBits = gasLimit === 0n ? 0 : gasLimit.toString(2).length;
  const feeBits = Math.max(1, 256 - glBits);
  const maxFee = randomUint(rng, feeBits);
  const prio = maxFee === 0n ? 0n : rng.chance(0.2) ? maxFee : rng.bits(256) % (maxFee + 1n);
  const create = rng.chance(0.15);
  const to = create ? new Uint8Array(0) : rng.chance(0.2) ? cat(new Uint8Array(1 + rng.int(4)), rng.bytes(20)).subarray(0, 20) : rng.bytes(20, 0.05);
  const value = randomUint(rng, 256);
  const dataLen = rng.chance(0.3) ? 0 : rng.chance(0.7) ? rng.int(70) : rng.int(create ? 3000 : 1500);
  const data = rng.bytes(dataLen, rng.pick([0, 0.3, 0.9]));
  const al: Node[] = [];
  if (type !== 0) {
    const entries = rng.chance(0.4) ? 0 : 1 + rng.int(3);
    for (let i = 0; i < entries; i++) {
      const keys: Node[] = [];
      const nk = rng.int(5);
      for (let j = 0; j < nk; j++) keys.push(rng.bytes(32, 0.5));
      al.push([rng.bytes(20, 0.05), keys]);
    }
  }
  const key = rng.pick(KEYS);
  let items: Node[];
  if (type === 0) items = [u(nonce), u(maxFee), u(gasLimit), to, u(value), data];
  else if (type === 1) items = [u(chainId), u(nonce), u(maxFee), u(gasLimit), to, u(value), data, al];
  else items = [u(chainId), u(nonce), u(prio), u(maxFee), u(gasLimit), to, u(value), data, al];
  return { raw: signItems(type, items, key, chainId), chainId: chainId === 0n ? rng.pick(RANDOM_CHAIN_IDS) : chainId };
}

// ---------------------------------------------------------------------------------------------
// Mutations (shared with the randomized test)

/** A random RLP item: strings of interesting sizes, lists, and sometimes non-canonical pieces. */
export function randomNode(rng: Prng, depth = 0): Node {
  const r = rng.int(12);
  if (r === 0 && depth < 3) {
    const n = rng.int(4);
    return Array.from({ length: n }, () => randomNode(rng, depth + 1));
  }
  if (r === 1) return verb(rng.pick(["0x8100", "0x817f", "0xb801ff", "0xb90001ff", "0xf800", "0x00", "0xc180"]));
  const len = rng.pick([0, 1, 1, 2, 8, 9, 19, 20, 21, 31, 32, 33, 56]);
  const b = rng.bytes(len, 0.2);
  if (len > 0 && rng.chance(0.5)) b[0] = rng.chance(0.5) ? 0 : 1 + rng.int(255);
  return b;
}

/** One random mutation of a valid transaction: byte-level or field-level. */
export function mutate(rng: Prng, raw: Uint8Array): Uint8Array {
  const m = rng.int(8);
  const b = Uint8Array.from(raw);
  switch (m) {
    case 0: {
      b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 1:
      return b.subarray(0, rng.int(b.length));
    case 2: {
      const i = rng.int(b.length + 1);
      return cat(b.subarray(0, i), Uint8Array.of(rng.int(256)), b.subarray(i));
    }
    case 3: {
      const i = rng.int(b.length);
      return cat(b.subarray(0, i), b.subarray(i + 1));
    }
    case 4: {
      // Another type byte.
      const t = rng.pick([0, 1, 2, 3, 4, 5, 0x7f]);
      return raw[0] < 0x80 ? cat(Uint8Array.of(t), b.subarray(1)) : cat(Uint8Array.of(t), b);
    }
    default: {
      // Replace, drop or add a field (or an access-list element) with a random item.
      let parsed: { type: number; items: Node[] };
      try {
        parsed = itemsOf(raw);
      } catch {
        parsed = { type: 0, items: [] };
      }
      const { type, items } = parsed;
      if (!Array.isArray(items) || items.length === 0) {
        b[rng.int(b.length)] ^= 1 << rng.int(8);
        return b;
      }
      const i = rng.int(items.length);
      const op = rng.int(4);
      if (op === 0) items.splice(i, 1);
      else if (op === 1) items.splice(i, 0, randomNode(rng));
      else if (op === 2 && type !== 0 && Array.isArray(items[type === 2 ? 8 : 7])) {
        const al = items[type === 2 ? 8 : 7] as Node[];
        al.push(rng.chance(0.5) ? [randomNode(rng), randomNode(rng)] : randomNode(rng));
      } else items[i] = randomNode(rng);
      return assemble(type, items);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The vectors

function fieldsMatchNode(v: ValidVector): void {
  // Sanity: every valid vector's fields are consistent with its raw data.
  if (!v.raw.includes(v.fields.data.slice(2))) throw new Error(`${v.name}: data not in raw`);
}

export async function buildEthTxVectors(): Promise<EthTxVectors> {
  await loadCrypto();
  const valid: ValidVector[] = [];
  const invalid: InvalidVector[] = [];
  const seen = new Set<string>();

  const addValid = (name: string, raw: Uint8Array, chainId: bigint, quirk?: string) => {
    const view = ethjsInspect(raw, chainId);
    if (!view.ok) throw new Error(`valid ${name}: ethereumjs rejects: ${view.error}`);
    if (view.senderError) throw new Error(`valid ${name}: sender does not recover: ${view.senderError}`);
    const core = coreVerdict(raw, chainId);
    if (core) throw new Error(`valid ${name}: the core says ${core.kind}/${core.code}`);
    const vec: ValidVector = {
      name,
      chainId: chainId.toString(),
      raw: hexlify(raw),
      ...(quirk ? { quirk } : {}),
      fields: view.fields,
      signingHash: view.signingHash,
      sender: view.sender,
      intrinsicGas: view.intrinsicGas,
    };
    fieldsMatchNode(vec);
    if (seen.has(name)) throw new Error(`duplicate vector ${name}`);
    seen.add(name);
    valid.push(vec);
  };

  const addInvalid = (name: string, raw: Uint8Array, chainId: bigint, stage: Stage, reason: string) => {
    const view = ethjsInspect(raw, chainId);
    const core = coreVerdict(raw, chainId);
    let said: string;
    if (stage === "decode") {
      // ASSERT: ethereumjs refuses to decode it; the core calls it malformed.
      if (view.ok) throw new Error(`invalid ${name}: ethereumjs ACCEPTS it (sender ${view.sender})`);
      if (core?.kind !== "malformed") throw new Error(`invalid ${name}: core verdict ${JSON.stringify(core)}`);
      said = view.error;
    } else if (stage === "sender") {
      // ASSERT: ethereumjs decodes it but recovers no sender; the core calls it a signature fault.
      if (!view.ok) throw new Error(`invalid ${name}: ethereumjs does not decode it: ${view.error}`);
      if (!view.senderError) throw new Error(`invalid ${name}: ethereumjs RECOVERS ${view.sender}`);
      if (core?.kind !== "signature") throw new Error(`invalid ${name}: core verdict ${JSON.stringify(core)}`);
      said = view.senderError;
    } else {
      // ASSERT: the rollup (the core's decodeWrapped) refuses it as malformed (protocol.md §9).
      if (core?.kind !== "malformed") throw new Error(`invalid ${name}: core verdict ${JSON.stringify(core)}`);
      said = `core: ${core.kind}/${core.code}; ethereumjs without KZG: ${view.ok ? "accepts" : view.error}`;
    }
    if (seen.has(name)) throw new Error(`duplicate vector ${name}`);
    seen.add(name);
    invalid.push({ name, chainId: chainId.toString(), raw: hexlify(raw), stage, reason, ethereumjs: said });
  };

  const [k0, k1, k2] = KEYS;
  const TO = "0x" + "11".repeat(20);
  const TO_LZ = "0x0000" + "ab".repeat(18);
  const rng = new Prng(0xe7e7e7n);
  const dataMixed = hexlify(rng.bytes(100, 0.4));
  const initcode = hexlify(rng.bytes(333, 0.3));
  const al1 = [
    { address: "0x" + "aa".repeat(20), storageKeys: [] as string[] },
    { address: "0x" + "bb".repeat(20), storageKeys: ["0x" + "00".repeat(32), "0x" + "01".repeat(32), "0x" + "ff".repeat(32)] },
  ];

  // ---- valid: ethers-signed -------------------------------------------------------------------
  addValid("legacy-unprotected-transfer", await signEthers({ type: 0, chainId: 0, nonce: 0, gasPrice: 1_000_000_000n, gasLimit: 21000, to: TO, value: 10n ** 18n, data: "0x" }, k0), 1n);
  addValid("legacy-unprotected-data", await signEthers({ type: 0, chainId: 0, nonce: 7, gasPrice: 1, gasLimit: 100000, to: TO_LZ, value: 0, data: dataMixed }, k1), 31337n);
  addValid("legacy-eip155-chain1-transfer", await signEthers({ type: 0, chainId: 1, nonce: 1, gasPrice: 20_000_000_000n, gasLimit: 21000, to: TO, value: 12345n, data: "0x" }, k0), 1n);
  addValid("legacy-eip155-chain31337-data", await signEthers({ type: 0, chainId: 31337, nonce: 300, gasPrice: 7, gasLimit: 90000, to: TO, value: 0, data: dataMixed }, k1), 31337n);
  addValid("legacy-eip155-create", await signEthers({ type: 0, chainId: 1, nonce: 2, gasPrice: 1, gasLimit: 500000, to: null, value: 0, data: initcode }, k2), 1n);
  addValid("legacy-eip155-big-chain", await signEthers({ type: 0, chainId: (1n << 40n) + 7n, nonce: 0, gasPrice: 1, gasLimit: 21000, to: TO, value: 1, data: "0x00" }, k0), (1n << 40n) + 7n);
  addValid("eip2930-access-list", await signEthers({ type: 1, chainId: 1, nonce: 3, gasPrice: 5, gasLimit: 80000, to: TO, value: 1, data: "0x01020000", accessList: al1 }, k0), 1n);
  addValid("eip2930-create-empty-list", await signEthers({ type: 1, chainId: 31337, nonce: 0, gasPrice: 0, gasLimit: 100000, to: null, value: 0, data: initcode, accessList: [] }, k1), 31337n);
  addValid("eip1559-transfer", await signEthers({ type: 2, chainId: 1, nonce: 5, maxPriorityFeePerGas: 1_000_000_000n, maxFeePerGas: 30_000_000_000n, gasLimit: 21000, to: TO, value: 10n ** 17n, data: "0x", accessList: [] }, k0), 1n);
  addValid("eip1559-call-zero-data", await signEthers({ type: 2, chainId: 1, nonce: 6, maxPriorityFeePerGas: 0, maxFeePerGas: 0, gasLimit: 50000, to: TO, value: 0, data: "0x" + "00".repeat(40), accessList: [] }, k1), 1n);
  addValid("eip1559-call-nonzero-data", await signEthers({ type: 2, chainId: 1, nonce: 6, maxPriorityFeePerGas: 2, maxFeePerGas: 3, gasLimit: 50000, to: TO, value: 0, data: "0x" + "ff".repeat(33), accessList: [] }, k1), 1n);
  addValid("eip1559-create", await signEthers({ type: 2, chainId: 1, nonce: 9, maxPriorityFeePerGas: 1, maxFeePerGas: 100, gasLimit: 1_000_000, to: null, value: 5, data: initcode, accessList: [] }, k2), 1n);
  addValid("eip1559-create-empty-initcode", await signEthers({ type: 2, chainId: 1, nonce: 9, maxPriorityFeePerGas: 1, maxFeePerGas: 100, gasLimit: 60000, to: null, value: 0, data: "0x", accessList: [] }, k2), 1n);
  addValid("eip1559-create-max-initcode", await signEthers({ type: 2, chainId: 1, nonce: 10, maxPriorityFeePerGas: 1, maxFeePerGas: 1, gasLimit: 30_000_000, to: null, value: 0, data: hexlify(rng.bytes(49152, 0.5)), accessList: [] }, k0), 1n);
  addValid("eip1559-large-values", await signEthers({ type: 2, chainId: 31337, nonce: 2 ** 53 - 1, maxPriorityFeePerGas: 1n << 200n, maxFeePerGas: 1n << 200n, gasLimit: 30_000_000, to: TO, value: MAX_U256, data: dataMixed, accessList: al1 }, k1), 31337n);
  addValid("eip1559-access-list-big-chain", await signEthers({ type: 2, chainId: 0x7fffffff, nonce: 1, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 200000, to: TO_LZ, value: 0, data: "0x", accessList: [...al1, { address: TO, storageKeys: Array.from({ length: 5 }, (_, i) => "0x" + i.toString(16).padStart(64, "0")) }] }, k2), 0x7fffffffn);
  // Both y parities for both typed and legacy signatures.
  for (const type of [0, 1, 2]) {
    const got = new Set<number>();
    for (let nonce = 100; got.size < 2; nonce++) {
      const base: Record<string, unknown> = { type, chainId: 1, nonce, gasLimit: 21000, to: TO, value: 1, data: "0x" };
      if (type === 2) Object.assign(base, { maxPriorityFeePerGas: 1, maxFeePerGas: 1 });
      else base.gasPrice = 1;
      const t = Transaction.from(base);
      const sig = k0.sign(t.unsignedHash);
      if (got.has(sig.yParity)) continue;
      got.add(sig.yParity);
      addValid(`type${type}-yparity-${sig.yParity}`, await signEthers(base, k0), 1n);
    }
  }
  // ---- valid: built field by field (ethers caps nonces at 2^53) -------------------------------
  addValid("legacy-max-fields", signItems(0, [u(MAX_U64 - 1n), u(1n << 192n), u(MAX_U64), hexb(TO), u(MAX_U256), hexb(dataMixed)], k0, 1n), 1n);
  addValid("eip1559-max-nonce-gas", signItems(2, [u(1), u(MAX_U64 - 1n), u(1), u(1n << 190n), u(MAX_U64), hexb(TO), u(0), new Uint8Array(0), []], k1, 1n), 1n);
  addValid("eip1559-zero-everything", signItems(2, [u(1), u(0), u(0), u(0), u(0), hexb(TO), u(0), new Uint8Array(0), []], k2, 1n), 1n);
  addValid("eip2930-create-zero-gas", signItems(1, [u(1), u(0), u(0), u(0), new Uint8Array(0), u(0), new Uint8Array(0), []], k2, 1n), 1n);

  // ---- valid: quirks only ethereumjs's leniency accepts ---------------------------------------
  const t2 = (chainIdItem: Node, al: Node, key = k0): Uint8Array =>
    signItems(2, [chainIdItem, u(1), u(1), u(2), u(100000), hexb(TO), u(1), hexb("0x1234"), al], key, 1n, [u(1), u(1), u(1), u(2), u(100000), hexb(TO), u(1), hexb("0x1234"), al]);
  addValid("quirk-chainid-leading-zero", t2(hexb("0x0001"), []), 1n, "typed chain id with a leading zero byte");
  addValid("quirk-chainid-40-bytes", t2(cat(new Uint8Array(39), Uint8Array.of(1)), []), 1n, "typed chain id of 40 bytes (leading zeros)");
  addValid("quirk-access-list-empty-string", t2(u(1), new Uint8Array(0)), 1n, "access list is the empty string 0x80");
  addValid("quirk-storage-keys-empty-string", t2(u(1), [[hexb(TO), new Uint8Array(0)]]), 1n, "an entry's storage keys are the empty string 0x80");
  // Quirks ethereumjs decodes (and its VM cannot run) that the rollup refuses as malformed (protocol.md §5.4):
  // an access-list address written as a list of 20 items, a key as a list of 32.
  const refusedShapes: [string, Uint8Array, string][] = [
    ["quirk-address-as-list", t2(u(1), [[Array.from({ length: 20 }, () => u(1)), []]]), "AccessListAddressLength"],
    ["quirk-slot-as-list", t2(u(1), [[hexb(TO), [Array.from({ length: 32 }, () => new Uint8Array(0))]]]), "AccessListSlotLength"],
  ];
  let deep: Node = [];
  for (let i = 0; i < 200; i++) deep = [deep];
  refusedShapes.push(["quirk-address-list-deep-nesting", t2(u(1), [[[deep, ...Array.from({ length: 19 }, () => hexb("0x" + "77".repeat(40)))], []]]), "AccessListAddressLength"]);
  refusedShapes.push([
    "quirk-eip2930-slot-list-and-empty-keys",
    signItems(1, [u(1), u(0), u(1), u(60000), hexb(TO), u(0), new Uint8Array(0), [[hexb(TO), new Uint8Array(0)], [hexb(TO), [hexb("0x" + "00".repeat(32)), Array.from({ length: 32 }, () => u(5))]]]], k1, 1n),
    "AccessListSlotLength",
  ]);

  // ---- invalid: decode stage ----------------------------------------------------------------
  const base: Record<number, Uint8Array> = {
    0: await signEthers({ type: 0, chainId: 1, nonce: 1, gasPrice: 20, gasLimit: 30000, to: TO, value: 1, data: "0xaabb" }, k0),
    1: await signEthers({ type: 1, chainId: 1, nonce: 1, gasPrice: 20, gasLimit: 30000, to: TO, value: 1, data: "0xaabb", accessList: al1 }, k0),
    2: await signEthers({ type: 2, chainId: 1, nonce: 1, maxPriorityFeePerGas: 1, maxFeePerGas: 20, gasLimit: 30000, to: TO, value: 1, data: "0xaabb", accessList: al1 }, k0),
  };
  /** `base[type]` with its item list edited. */
  const edit = (type: number, f: (items: Node[]) => Node[] | void): Uint8Array => {
    const { items } = itemsOf(base[type]);
    return assemble(type, f(items) ?? items);
  };
  const names: Record<number, string[]> = {
    0: ["nonce", "gasPrice", "gasLimit", "to", "value", "data", "v", "r", "s"],
    1: ["chainId", "nonce", "gasPrice", "gasLimit", "to", "value", "data", "accessList", "v", "r", "s"],
    2: ["chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gasLimit", "to", "value", "data", "accessList", "v", "r", "s"],
  };
  const intFields: Record<number, string[]> = {
    0: ["nonce", "gasPrice", "gasLimit", "value", "v", "r", "s"],
    1: ["nonce", "gasPrice", "gasLimit", "value", "v", "r", "s"],
    2: ["nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gasLimit", "value", "v", "r", "s"],
  };
  for (const type of [0, 1, 2]) {
    const T = `t${type}`;
    const idx = (n: string) => names[type].indexOf(n);
    // Non-canonical RLP in each position.
    names[type].forEach((n, i) => {
      addInvalid(`${T}-${n}-single-byte-wrapped`, edit(type, (it) => void (it[i] = verb("0x8105"))), 1n, "decode", "RlpNonCanonicalSingleByte");
      const orig = rlp(itemsOf(base[type]).items[i]);
      const isList = orig[0] >= 0xc0;
      const payload = isList ? orig.subarray(1) : orig[0] < 0x80 ? orig : orig.subarray(1);
      if (orig[0] >= 0xf8 || (orig[0] >= 0xb8 && orig[0] < 0xc0)) {
        // Already long: put a leading zero into its length instead.
        addInvalid(`${T}-${n}-length-leading-zero`, edit(type, (it) => void (it[i] = verb(cat(Uint8Array.of(orig[0] + 1, 0), orig.subarray(1))))), 1n, "decode", "RlpLeadingZeroLength");
      } else {
        const longForm = payload.length === 0 ? (isList ? hexb("0xf801c0") : hexb("0xb801ff")) : cat(Uint8Array.of(isList ? 0xf8 : 0xb8, payload.length), payload);
        addInvalid(`${T}-${n}-long-form-short`, edit(type, (it) => void (it[i] = verb(longForm))), 1n, "decode", "RlpNonCanonicalLength");
        addInvalid(`${T}-${n}-length-leading-zero`, edit(type, (it) => void (it[i] = verb(cat(Uint8Array.of(isList ? 0xf9 : 0xb9, 0, 56), new Uint8Array(56))))), 1n, "decode", "RlpLeadingZeroLength");
      }
      addInvalid(`${T}-${n}-overruns-list`, edit(type, (it) => { it.splice(i); return [...it, verb("0xb8ff")]; }), 1n, "decode", "RlpTruncated");
    });
    // Leading zeros in every integer field.
    for (const n of intFields[type]) {
      const i = idx(n);
      addInvalid(`${T}-${n}-leading-zero`, edit(type, (it) => void (it[i] = cat(Uint8Array.of(0), it[i] as Uint8Array))), 1n, "decode", "LeadingZero");
    }
    // Field counts.
    const signedCount = names[type].length;
    for (const c of [0, 1, signedCount - 4, signedCount - 2, signedCount - 1, signedCount + 1, signedCount + 3]) {
      if (c === signedCount - 3) continue;
      addInvalid(`${T}-field-count-${c}`, edit(type, (it) => (c <= it.length ? it.slice(0, c) : [...it, ...Array.from({ length: c - it.length }, () => new Uint8Array(0))])), 1n, "decode", "WrongFieldCount");
    }
    // Scalars given as lists.
    for (const n of names[type]) {
      if (n === "accessList") continue;
      addInvalid(`${T}-${n}-is-list`, edit(type, (it) => void (it[idx(n)] = [])), 1n, "decode", "FieldIsList");
    }
    // `to` length.
    for (const len of [1, 19, 21, 32]) addInvalid(`${T}-to-${len}-bytes`, edit(type, (it) => void (it[idx("to")] = new Uint8Array(len).fill(0x11))), 1n, "decode", "BadToLength");
    // Integers too large.
    const bigFields = type === 2 ? ["value", "maxFeePerGas", "maxPriorityFeePerGas", "r", "s"] : ["value", "gasPrice", "r", "s"];
    for (const n of bigFields) addInvalid(`${T}-${n}-33-bytes`, edit(type, (it) => void (it[idx(n)] = new Uint8Array(33).fill(1))), 1n, "decode", "IntegerTooLarge");
    addInvalid(`${T}-nonce-2^64-1`, edit(type, (it) => void (it[idx("nonce")] = u(MAX_U64))), 1n, "decode", "NonceTooLarge");
    addInvalid(`${T}-nonce-9-bytes`, edit(type, (it) => void (it[idx("nonce")] = u(1n << 64n))), 1n, "decode", "NonceTooLarge");
    addInvalid(`${T}-gas-limit-2^64`, edit(type, (it) => void (it[idx("gasLimit")] = u(1n << 64n))), 1n, "decode", "GasLimitTooLarge");
    addInvalid(`${T}-initcode-49153`, edit(type, (it) => { it[idx("to")] = new Uint8Array(0); it[idx("data")] = new Uint8Array(49153).fill(1); }), 1n, "decode", "InitcodeTooLarge");
    const feeField = type === 2 ? "maxFeePerGas" : "gasPrice";
    addInvalid(`${T}-fee-overflow`, edit(type, (it) => { it[idx("gasLimit")] = u(MAX_U64); it[idx(feeField)] = u(1n << 193n); if (type === 2) it[idx("maxPriorityFeePerGas")] = u(1); }), 1n, "decode", "FeeOverflow");
    // Trailing bytes and truncation.
    addInvalid(`${T}-trailing-byte`, cat(base[type], Uint8Array.of(0)), 1n, "decode", "RlpTrailingBytes");
    addInvalid(`${T}-trailing-item`, cat(base[type], hexb("0xc0")), 1n, "decode", "RlpTrailingBytes");
    addInvalid(`${T}-truncated-last-byte`, base[type].subarray(0, base[type].length - 1), 1n, "decode", "RlpTruncated");
    addInvalid(`${T}-truncated-half`, base[type].subarray(0, base[type].length >> 1), 1n, "decode", "RlpTruncated");
    addInvalid(`${T}-truncated-header`, base[type].subarray(0, type === 0 ? 1 : 2), 1n, "decode", "RlpTruncated");
    // Outer list non-canonical.
    {
      const body = type === 0 ? base[type] : base[type].subarray(1);
      const pre = type === 0 ? new Uint8Array(0) : Uint8Array.of(type);
      addInvalid(`${T}-outer-length-leading-zero`, cat(pre, Uint8Array.of(body[0] + 1, 0), body.subarray(1)), 1n, "decode", "RlpLeadingZeroLength");
      addInvalid(`${T}-outer-is-string`, cat(pre, rlp(body.subarray(1))), 1n, "decode", "TxNotList");
    }
    // A chain that does not match.
    if (type === 0) {
      addInvalid(`${T}-eip155-other-chain`, base[0], 5n, "decode", "ChainIdMismatch");
    } else {
      addInvalid(`${T}-chain-id-other`, edit(type, (it) => void (it[0] = u(5))), 1n, "decode", "ChainIdMismatch");
      addInvalid(`${T}-chain-id-zero`, edit(type, (it) => void (it[0] = u(0))), 1n, "decode", "ChainIdMismatch");
      addInvalid(`${T}-chain-id-33-bytes`, edit(type, (it) => void (it[0] = new Uint8Array(33).fill(1))), 1n, "decode", "ChainIdMismatch");
      // yParity.
      for (const v of [2n, 27n, 256n]) addInvalid(`${T}-yparity-${v}`, edit(type, (it) => void (it[idx("v")] = u(v))), 1n, "decode", "InvalidYParity");
      // High s: the same signature with s' = n − s (and the other parity) is a decode error in typed txs.
      addInvalid(`${T}-high-s`, edit(type, (it) => {
        const s = BigInt(hexlify(it[idx("s")] as Uint8Array));
        it[idx("s")] = u(SECP256K1_N - s);
        it[idx("v")] = u(1n - BigInt((it[idx("v")] as Uint8Array).length ? 1 : 0));
      }), 1n, "decode", "HighS");
      // Access-list shapes.
      const a = idx("accessList");
      const ADDR = hexb(TO);
      const KEY = new Uint8Array(32).fill(2);
      const alCases: [string, Node, string][] = [
        ["string", hexb("0x1234"), "AccessListNotList"],
        ["single-byte", u(1), "AccessListNotList"],
        ["first-entry-string", [ADDR, [ADDR, []]], "AccessListItemNotList"],
        ["second-entry-string", [[ADDR, []], hexb("0xaabb")], "AccessListItemNotList"],
        ["second-entry-empty-string", [[ADDR, []], new Uint8Array(0)], "AccessListItemNotList"],
        ["entry-1-element", [[ADDR]], "AccessListItemSize"],
        ["entry-3-elements", [[ADDR, [], []]], "AccessListItemSize"],
        ["entry-empty", [[]], "AccessListItemSize"],
        ["address-19-bytes", [[ADDR.subarray(1), []]], "AccessListAddressLength"],
        ["address-empty", [[new Uint8Array(0), []]], "AccessListAddressLength"],
        ["address-list-of-19", [[Array.from({ length: 19 }, () => u(1)), []]], "AccessListAddressLength"],
        ["keys-string", [[ADDR, hexb("0xaa")]], "AccessListSlotsNotList"],
        ["keys-32-byte-string", [[ADDR, KEY]], "AccessListSlotsNotList"],
        ["key-31-bytes", [[ADDR, [KEY.subarray(1)]]], "AccessListSlotLength"],
        ["key-33-bytes", [[ADDR, [KEY, cat(KEY, Uint8Array.of(1))]]], "AccessListSlotLength"],
        ["key-list-of-31", [[ADDR, [Array.from({ length: 31 }, () => u(1))]]], "AccessListSlotLength"],
      ];
      for (const [n, al, reason] of alCases) addInvalid(`${T}-access-list-${n}`, edit(type, (it) => void (it[a] = al)), 1n, "decode", reason);
    }
    if (type === 2) {
      addInvalid(`${T}-priority-above-max`, edit(type, (it) => { it[idx("maxPriorityFeePerGas")] = u(21); it[idx("maxFeePerGas")] = u(20); }), 1n, "decode", "PriorityFeeAboveMaxFee");
      addInvalid(`${T}-unsigned-priority-above-max`, edit(type, (it) => { it[idx("maxPriorityFeePerGas")] = u(1n << 100n); return it.slice(0, 9); }), 1n, "decode", "PriorityFeeAboveMaxFee");
    }
  }
  // Legacy v.
  for (const v of [1n, 26n, 29n, 30n, 35n, 36n]) addInvalid(`t0-v-${v}`, edit(0, (it) => void (it[6] = u(v))), 1n, "decode", "InvalidV");
  addInvalid("t0-v-39-on-chain-1", edit(0, (it) => void (it[6] = u(39))), 1n, "decode", "ChainIdMismatch");
  addInvalid("t0-v-33-bytes", edit(0, (it) => void (it[6] = new Uint8Array(33).fill(1))), 1n, "decode", "ChainIdMismatch");
  addInvalid("t0-v-27-as-list", edit(0, (it) => void (it[6] = [u(27)])), 1n, "decode", "FieldIsList");
  // Whole-input shapes.
  addInvalid("empty", new Uint8Array(0), 1n, "decode", "EmptyTx");
  for (const t of [0x00, 0x05, 0x7f]) addInvalid(`type-byte-${t}`, cat(Uint8Array.of(t), base[2].subarray(1)), 1n, "decode", "UnknownTxType");
  addInvalid("type-byte-only-1", Uint8Array.of(1), 1n, "decode", "TxNotList");
  addInvalid("type-byte-only-2", Uint8Array.of(2), 1n, "decode", "TxNotList");
  addInvalid("legacy-string", hexb("0x83010203"), 1n, "decode", "TxNotList");
  addInvalid("legacy-single-byte-80", hexb("0x80"), 1n, "decode", "TxNotList");
  addInvalid("legacy-empty-list", hexb("0xc0"), 1n, "decode", "WrongFieldCount");
  addInvalid("legacy-6-fields-long-form", hexb("0xf806808080808080"), 1n, "decode", "RlpNonCanonicalLength");
  addInvalid("typed-payload-string", cat(Uint8Array.of(2), rlp(hexb("0x1234"))), 1n, "decode", "TxNotList");
  addInvalid("nested-truncated-deep", (() => {
    // An address list whose deepest list claims more bytes than it has.
    let d: Node = verb("0xc2c0");
    for (let i = 0; i < 50; i++) d = [d];
    return edit(2, (it) => void (it[8] = [[[d, ...Array.from({ length: 19 }, () => u(1))], []]]));
  })(), 1n, "decode", "AccessListAddressLength");

  // ---- invalid: sender stage ----------------------------------------------------------------
  addInvalid("t0-unsigned-6-fields", edit(0, (it) => it.slice(0, 6)), 1n, "sender", "Unsigned");
  addInvalid("t0-v-empty", edit(0, (it) => void (it[6] = new Uint8Array(0))), 1n, "sender", "Unsigned");
  addInvalid("t0-r-zero", edit(0, (it) => void (it[7] = new Uint8Array(0))), 1n, "sender", "Unsigned");
  addInvalid("t0-s-zero", edit(0, (it) => void (it[8] = new Uint8Array(0))), 1n, "sender", "Unsigned");
  addInvalid("t0-unprotected-r-zero", itemsOfEdit(await signEthers({ type: 0, chainId: 0, nonce: 1, gasPrice: 1, gasLimit: 21000, to: TO, value: 1, data: "0x" }, k0), (it) => void (it[7] = new Uint8Array(0))), 1n, "sender", "Unsigned");
  addInvalid("t1-unsigned-8-fields", edit(1, (it) => it.slice(0, 8)), 1n, "sender", "Unsigned");
  addInvalid("t2-unsigned-9-fields", edit(2, (it) => it.slice(0, 9)), 1n, "sender", "Unsigned");
  addInvalid("t1-r-zero", edit(1, (it) => void (it[9] = new Uint8Array(0))), 1n, "sender", "Unsigned");
  addInvalid("t2-s-zero", edit(2, (it) => void (it[11] = new Uint8Array(0))), 1n, "sender", "Unsigned");
  addInvalid("t0-high-s", edit(0, (it) => {
    const s = BigInt(hexlify(it[8] as Uint8Array));
    const v = BigInt(hexlify(it[6] as Uint8Array));
    it[8] = u(SECP256K1_N - s);
    it[6] = u(v === 37n ? 38n : 37n);
  }), 1n, "sender", "HighS");
  addInvalid("t0-unprotected-high-s", itemsOfEdit(await signEthers({ type: 0, chainId: 0, nonce: 1, gasPrice: 1, gasLimit: 21000, to: TO, value: 1, data: "0x" }, k0), (it) => {
    const s = BigInt(hexlify(it[8] as Uint8Array));
    const v = BigInt(hexlify(it[6] as Uint8Array));
    it[8] = u(SECP256K1_N - s);
    it[6] = u(v === 27n ? 28n : 27n);
  }), 1n, "sender", "HighS");
  addInvalid("t0-s-is-n", edit(0, (it) => void (it[8] = u(SECP256K1_N))), 1n, "sender", "HighS");
  addInvalid("t0-r-is-n", edit(0, (it) => void (it[7] = u(SECP256K1_N))), 1n, "sender", "RNotBelowN");
  addInvalid("t2-r-is-n", edit(2, (it) => void (it[10] = u(SECP256K1_N))), 1n, "sender", "RNotBelowN");
  addInvalid("t1-r-max", edit(1, (it) => void (it[9] = u(MAX_U256))), 1n, "sender", "RNotBelowN");
  const offCurve = firstXOffCurve();
  addInvalid("t2-r-not-on-curve", edit(2, (it) => void (it[10] = u(offCurve))), 1n, "sender", "NoRecovery");
  addInvalid("t0-r-not-on-curve", edit(0, (it) => void (it[7] = u(offCurve))), 1n, "sender", "NoRecovery");
  addInvalid("t2-recovers-infinity", infinitySignature(2, [u(1), u(1), u(1), u(20), u(30000), hexb(TO), u(1), hexb("0xaabb"), []]), 1n, "sender", "NoRecovery");
  addInvalid("t0-recovers-infinity", infinitySignature(0, [u(1), u(20), u(30000), hexb(TO), u(1), hexb("0xaabb")]), 1n, "sender", "NoRecovery");

  // ---- invalid: refused by the rollup, decoded by ethereumjs ------------------------------------
  for (const [n, raw, reason] of refusedShapes) addInvalid(n, raw, 1n, "refused", reason);

  // ---- invalid: refused types ---------------------------------------------------------------
  const blob = await signEthers(
    { type: 3, chainId: 1, nonce: 1, maxPriorityFeePerGas: 1, maxFeePerGas: 20, gasLimit: 30000, to: TO, value: 1, data: "0x", accessList: [], maxFeePerBlobGas: 1, blobVersionedHashes: ["0x01" + "22".repeat(31)] },
    k0,
  );
  // With KZG loaded ethereumjs decodes this blob tx; the core then refuses it itself.
  const withKzg = coreVerdict(blob, 1n);
  if (!withKzg || !/blob/i.test(withKzg.message)) throw new Error(`blob tx: core verdict ${JSON.stringify(withKzg)} (KZG loaded?)`);
  addInvalid("blob-type-3", blob, 1n, "refused", "RefusedTxType");
  addInvalid("blob-type-3-garbage", hexb("0x03c0"), 1n, "refused", "RefusedTxType");
  addInvalid("set-code-type-4", cat(Uint8Array.of(4), base[2].subarray(1)), 1n, "refused", "RefusedTxType");

  return {
    description:
      "Signed Ethereum transactions for contracts/lib/EthTx.sol, checked against ethereumjs createTxFromRLP (Cancun Common of chainId) and the core's decodeWrapped. " +
      "valid: fields/signingHash/sender/intrinsicGas as ethereumjs computes them (chainId: typed field; legacy EIP-155 chain, else 0; v: legacy v or yParity; absent r/s/v are 0). " +
      "invalid stage decode: EthTx.decodeFor(raw, chainId) reverts with the custom error `reason`; stage sender: decodes, EthTx.sender returns address(0); stage refused: ethereumjs may decode it but the rollup refuses it (type 3/4: RefusedTxType; an access-list address or key written as a list: the reason). " +
      "Regenerate: npx ts-node --transpile-only scripts/gen-ethtx-vectors.ts",
    valid,
    invalid,
  };

  function itemsOfEdit(raw: Uint8Array, f: (items: Node[]) => Node[] | void): Uint8Array {
    const { type, items } = itemsOf(raw);
    return assemble(type, f(items) ?? items);
  }
}

/** The smallest x ≥ 1 with x^3 + 7 not a square mod p: an r from which no point R lifts. */
function firstXOffCurve(): bigint {
  const pow = (b: bigint, e: bigint, m: bigint) => {
    let r = 1n;
    b %= m;
    for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
    return r;
  };
  for (let x = 1n; ; x++) {
    const y2 = (x * x * x + 7n) % SECP256K1_P;
    if (pow(y2, (SECP256K1_P - 1n) / 2n, SECP256K1_P) !== 1n) return x;
  }
}

/**
 * A signature over the unsigned `items` whose recovery gives the point at infinity: R = kG,
 * s = e/k, so s·R − e·G = 0. ethereumjs throws; the ecrecover precompile returns nothing.
 */
function infinitySignature(type: number, items: Node[]): Uint8Array {
  const n = SECP256K1_N;
  const chainId = 1n;
  const pre = type === 0 ? rlp([...items, u(chainId), u(0), u(0)]) : cat(Uint8Array.of(type), rlp(items));
  const e = BigInt(keccak256(pre)) % n;
  const inv = (a: bigint) => {
    let [t, nt, r, nr] = [0n, 1n, n, a % n];
    while (nr !== 0n) {
      const q = r / nr;
      [t, nt] = [nt, t - q * nt];
      [r, nr] = [nr, r - q * nr];
    }
    return ((t % n) + n) % n;
  };
  for (let k = 2n; ; k++) {
    const R = secp256k1.Point.BASE.multiply(k).toAffine();
    if (R.x >= n) continue;
    const s = (e * inv(k)) % n;
    if (s === 0n || s > n / 2n) continue;
    const parity = R.y & 1n;
    const v = type === 0 ? 35n + 2n * chainId + parity : parity;
    return assemble(type, [...items, u(v), u(R.x), u(s)]);
  }
}

if (require.main === module) {
  buildEthTxVectors()
    .then((v) => {
      fs.writeFileSync(ETHTX_VECTOR_FILE, JSON.stringify(v, null, 2) + "\n");
      console.log(`wrote ${ETHTX_VECTOR_FILE}: ${v.valid.length} valid, ${v.invalid.length} invalid`);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
