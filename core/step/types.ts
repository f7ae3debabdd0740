/**
 * The shapes the step semantics (core/step/interp.ts) work on, shared by the stepper (concrete
 * structures, core/step/machine.ts) and the proof checker (structures read from a proof,
 * core/step/proof.ts): one definition of every step, two backends.
 */
import type { Stack } from "./stack";
import type { Entry } from "./keytable";
import { H, ZERO } from "./words";

export const Status = {
  Running: 0,
  Ok: 1,
  NextMismatch: 2,
  FeeOutput: 3,
  WithdrawalOutput: 4,
  UndeclaredKey: 5,
  MissingCode: 6,
  SenderUndeclared: 7,
  GasLimit: 8,
  NonceMax: 9,
  InitcodeSize: 10,
  IntrinsicGas: 11,
  FeeCap: 12,
  SenderNotEoa: 13,
  InsufficientBalance: 14,
  Nonce: 15,
  BlobFeeCap: 16,
  SweepOverflow: 17,
} as const;

/** Status code → the validator's reason name (core/evm, core/validate.ts). */
export const STATUS_NAMES: Record<number, string> = {
  0: "running",
  1: "ok",
  2: "next-mismatch",
  3: "fee-output",
  4: "withdrawal-output",
  5: "undeclared-key",
  6: "missing-code",
  7: "sender-undeclared",
  8: "gas-limit",
  9: "nonce-max",
  10: "initcode-size",
  11: "intrinsic-gas",
  12: "fee-cap",
  13: "sender-not-eoa",
  14: "insufficient-balance",
  15: "nonce",
  16: "blob-fee-cap",
  17: "sweep-overflow",
};

export const Stage = { Enter: 0, Run: 1, Halted: 2 } as const;
export const Result = { Success: 0, Revert: 1, Fail: 2, Deposited: 3 } as const;
export const Kind = { Call: 0, CallCode: 1, DelegateCall: 2, StaticCall: 3, Create: 4, Create2: 5 } as const;

export const P = {
  Preamble: 1,
  Acl: 2,
  Start: 3,
  Keccak: 4,
  Initcode: 5,
  Deposit: 6,
  PrecompileIn: 7,
  Sha256: 8,
  Ripemd160: 9,
  Copy: 10,
  Settle: 11,
  Pass: 12,
} as const;

/** TxConst (docs/step-machine.md §3.1), in hashing order. */
export interface Txc {
  seq: bigint;
  mode: bigint;
  chainId: bigint;
  number: bigint;
  timestamp: bigint;
  coinbase: bigint;
  feeRecipient: bigint;
  baseFee: bigint;
  blockGasLimit: bigint;
  prevRandao: bigint;
  blobBaseFee: bigint;
  origin: bigint;
  nonce: bigint;
  gasPrice: bigint;
  priorityFee: bigint;
  maxFee: bigint;
  txGasLimit: bigint;
  intrinsicGas: bigint;
  maxCost: bigint;
  upfront: bigint;
  sweepCredit: bigint;
  isCreate: bigint;
  to: bigint;
  value: bigint;
  dataRoot: bigint;
  dataLength: bigint;
  initcodeHash: bigint;
  aclRoot: bigint;
  aclCount: bigint;
  blobHashes: bigint;
  /** The L1 data fee (protocol.md §6.6; 0 in Ethereum mode): in maxCost, taken at settlement. */
  l1Fee: bigint;
}

export const TXC_FIELDS: (keyof Txc)[] = [
  "seq",
  "mode",
  "chainId",
  "number",
  "timestamp",
  "coinbase",
  "feeRecipient",
  "baseFee",
  "blockGasLimit",
  "prevRandao",
  "blobBaseFee",
  "origin",
  "nonce",
  "gasPrice",
  "priorityFee",
  "maxFee",
  "txGasLimit",
  "intrinsicGas",
  "maxCost",
  "upfront",
  "sweepCredit",
  "isCreate",
  "to",
  "value",
  "dataRoot",
  "dataLength",
  "initcodeHash",
  "aclRoot",
  "aclCount",
  "blobHashes",
  "l1Fee",
];

export const MODE_ETHEREUM_FEES = 1n;
export const MODE_STATE_TEST_BLOCKHASH = 2n;
/** Set at step 0 when a blob transaction's fee cap is below the blob base fee (conformance only). */
export const MODE_BLOB_FEE_CAP_LOW = 4n;
/** Set at step 0 when the fee sweeps' credit is 2^256 or more (TxConst `sweepCredit` is then 0). */
export const MODE_SWEEP_OVERFLOW = 8n;

export function txcHash(t: Txc): bigint {
  return H("txconst", ...TXC_FIELDS.map((k) => t[k]));
}

/**
 * A memory-shaped tree: a frame's memory, call data, return data. Reads and writes touch the
 * 32-byte words a byte range overlaps, each once, in increasing order: one MEM item per word.
 */
export interface Tree {
  readBytes(off: number, len: number): Uint8Array;
  writeBytes(off: number, b: Uint8Array): void;
  root(): bigint;
}

/** A reference (root, offset, length) into a tree (call data, return data). */
export interface Ref {
  tree: Tree;
  offset: number;
  length: number;
}

/** A World as the stepper holds it (an immutable object) or as a proof shows it (its hash). */
export type WorldRef = { hash(): bigint } | bigint;

export function worldRefHash(w: WorldRef): bigint {
  return typeof w === "bigint" ? w : w.hash();
}

/** The frame context (docs/step-machine.md §3.3): fixed for the frame's life. */
export class Ctx {
  private h?: bigint;
  constructor(
    readonly kind: number,
    readonly depth: number,
    readonly isStatic: boolean,
    readonly address: bigint,
    readonly codeAddress: bigint,
    readonly caller: bigint,
    readonly value: bigint,
    readonly cd: Ref,
    readonly snapshot: WorldRef,
    readonly retOffset: number,
    readonly retLength: number,
  ) {}

  fields(): bigint[] {
    return [
      BigInt(this.kind),
      BigInt(this.depth),
      this.isStatic ? 1n : 0n,
      this.address,
      this.codeAddress,
      this.caller,
      this.value,
      this.cd.tree.root(),
      BigInt(this.cd.offset),
      BigInt(this.cd.length),
      worldRefHash(this.snapshot),
      BigInt(this.retOffset),
      BigInt(this.retLength),
    ];
  }

  hash(): bigint {
    if (this.h === undefined) this.h = H("frame-ctx", ...this.fields());
    return this.h;
  }
}

export class Frame {
  constructor(
    /** The context, or its hash until a proof reveals it. */
    public ctx: Ctx | bigint,
    public stage: number,
    public result: number,
    public codeHash: bigint,
    public codeSize: number,
    public pc: number,
    public gas: bigint,
    public stack: Stack,
    public mem: Tree,
    public memSize: number,
    public rd: Ref,
    public outOffset: number,
    public outLength: number,
  ) {}

  ctxHash(): bigint {
    return typeof this.ctx === "bigint" ? this.ctx : this.ctx.hash();
  }

  /** The 15 fields after ctx. */
  fields(): bigint[] {
    return [
      BigInt(this.stage),
      BigInt(this.result),
      this.codeHash,
      BigInt(this.codeSize),
      BigInt(this.pc),
      this.gas,
      this.stack.hash(),
      BigInt(this.stack.size),
      this.mem.root(),
      BigInt(this.memSize),
      this.rd.tree.root(),
      BigInt(this.rd.offset),
      BigInt(this.rd.length),
      BigInt(this.outOffset),
      BigInt(this.outLength),
    ];
  }

  hash(): bigint {
    return H("frame", this.ctxHash(), ...this.fields());
  }
}

/** A pending operation (docs/step-machine.md §3.5). */
export class Pending {
  /** The stepper's digest of a finished hash (its state words are then materialized on demand). */
  digest?: bigint;
  constructor(
    public kind: number,
    public a: bigint[],
    /** h0…h6, or undefined while the stepper has not materialized a hash state. */
    public h: bigint[] | undefined,
  ) {}

  static of(kind: number, ...args: bigint[]): Pending {
    const a = new Array<bigint>(10).fill(0n);
    args.forEach((x, i) => (a[i] = x));
    return new Pending(kind, a, [0n, 0n, 0n, 0n, 0n, 0n, 0n]);
  }

  clone(): Pending {
    const p = new Pending(this.kind, this.a.slice(), this.h?.slice());
    p.digest = this.digest;
    return p;
  }
}

export function pendingHash(p: Pending | null, hwords?: bigint[]): bigint {
  if (p === null) return ZERO;
  return H("pending", BigInt(p.kind), ...p.a, ...(hwords ?? p.h!));
}

/** Code as the registry holds it. */
export interface CodeInfo {
  bytes: Uint8Array;
  /** 1 at every valid JUMPDEST. */
  jumpdests: Uint8Array;
}

export function jumpdestMap(code: Uint8Array): Uint8Array {
  const m = new Uint8Array(code.length);
  for (let i = 0; i < code.length; i++) {
    const op = code[i];
    if (op === 0x5b) m[i] = 1;
    else if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  return m;
}

/** A key-table entry as a step sees it. */
export type KeyEntry = Entry;

/** What the step semantics need from the machine (docs/step-machine.md §4: every call that reads a proof item is marked). */
export interface Host {
  status(): number;
  /** Ends the machine: the post-state is the terminal state of `status` (§7). */
  terminate(status: number): void;
  /** [TXC] */
  txc(): Txc;
  /** [BLOBS] */
  blobs(): bigint[];
  /** [WORLD] fields. */
  refund(): bigint;
  setRefund(v: bigint): void;
  vault(which: 0 | 1): bigint;
  setVault(which: 0 | 1, v: bigint): void;
  /** [KEY] The entry, or null if undeclared. */
  keyRead(addr: bigint, mark: number, slot: bigint): KeyEntry | null;
  /** [KEY] Writes a declared key (terminates undeclared-key otherwise). */
  keyWrite(addr: bigint, mark: number, slot: bigint, cur: bigint, flags: bigint): void;
  /** [ENTRY] Entry i by position (null past the end). */
  entryAt(i: number): KeyEntry | null;
  /** [ENTRY] Writes entry i's current value. */
  entryWrite(i: number, cur: bigint): void;
  /** [SMT warm] Whether the key was in the warm set; inserts it. */
  warmTouch(key: bigint): boolean;
  /** [SMT tstore] */
  tload(key: bigint): bigint;
  tstore(key: bigint, v: bigint): void;
  /** [SMT created] */
  createdHas(h: bigint): boolean;
  createdAdd(h: bigint): void;
  /** The current World, to record as a snapshot (no item). */
  worldRef(): WorldRef;
  restoreWorld(w: WorldRef): void;
  /** [FRAME] The current frame, or null outside execution. */
  frame(): Frame | null;
  /** [CTX] The current frame's context. */
  ctx(): Ctx;
  setFrame(f: Frame | null): void;
  /** Suspends the current frame under the new current frame. */
  pushFrame(child: Frame): void;
  /** [PARENT] Drops the current frame; its caller becomes current and is returned. */
  popFrame(): Frame;
  /** [PENDING] */
  pending(): Pending | null;
  setPending(p: Pending | null): void;
  /** [ACL] Access-list item i. */
  aclItem(i: number): { isSlot: boolean; addr: bigint; slot: bigint };
  /** [INPUT] The bytes a precompile step consumes, checked against `digest` (keccak of them). */
  input(digest: bigint, length: number): Uint8Array;
  /** Hash state of a pending hash operation (the stepper materializes it on demand). */
  hasher(p: Pending): import("./hashers").Hasher;
  setHasher(p: Pending, h: import("./hashers").Hasher): void;
  emptyTree(): Tree;
  /** The transaction's data as a tree (root TxConst dataRoot; no item). */
  txData(): Tree;
  snapshotTree(t: Tree): Tree;
  outputTree(bytes: Uint8Array): Tree;
  newStack(): Stack;
  /** The registry's code (no item: L1 reads it from the code registry). */
  code(h: bigint): CodeInfo;
  /** [TXC] Whether the registry holds a live carrier of `h` with seq ≤ T's seq (TxConst's seq). */
  carried(h: bigint): boolean;
  /** The stepper registers code it learns (initcode, created code); the verifier ignores it. */
  register(h: bigint, code: Uint8Array): void;
  /** Whether this backend materializes intermediate hash states (proof mode) or may shortcut. */
  readonly lazyHash: boolean;
}

/** Thrown to end the machine in a terminal status. */
export class Terminate extends Error {
  constructor(readonly status: number) {
    super(`machine ends: ${STATUS_NAMES[status] ?? status}`);
  }
}
