/**
 * The steps of the machine (docs/step-machine.md §5–6), written once against `Host`: the stepper
 * runs them on concrete structures, the proof checker on structures read from a proof. Every Host
 * call marked [ITEM] in core/step/types.ts reads one proof item, so the order of those calls here
 * is the order of the items in a proof.
 *
 * Semantics are Cancun as @ethereumjs/evm runs it against core/evm/state.ts MoveStateManager: the
 * same gas, the same keys read and written, and the same order of reads relative to the checks
 * that can halt a frame.
 */
import { Mark } from "../keys";
import { FEE_VAULT, WITHDRAWAL_VAULT, unusedGasPrice } from "../evm/chain";
import { Ctx, Frame, Host, Kind, P, Pending, Result, Stage, Status, Terminate, MODE_ETHEREUM_FEES, MODE_STATE_TEST_BLOCKHASH, MODE_BLOB_FEE_CAP_LOW, MODE_SWEEP_OVERFLOW, type Ref, type Tree, type KeyEntry } from "./types";
import { FLAG_CREATED, FLAG_DESTRUCTED, KEY_CAPACITY } from "./keytable";
import { ALGO_KECCAK, ALGO_RIPEMD160, ALGO_SHA256, Hasher } from "./hashers";
import { MachineLimitError, MAX_MEM_WORDS } from "./mem";
import { H, KECCAK_EMPTY, MASK_160, MAX_U256, bytesWord, keccakBytes, wordBytes, words as wordsOf } from "./words";
import { PRECOMPILE_CAP, runPrecompile } from "./precompiles";
import { STACK_LIMIT } from "./stack";
import { createAddress, create2Address } from "./address";
import { sha256 } from "ethereum-cryptography/sha256.js";
import { ripemd160 } from "ethereum-cryptography/ripemd160.js";

export const FEE_VAULT_W = bytesWord(FEE_VAULT);
export const WD_VAULT_W = bytesWord(WITHDRAWAL_VAULT);
const MAX_U64 = (1n << 64n) - 1n;
const MAX_CODE_SIZE = 24576;
const MAX_INITCODE_SIZE = 49152;
const STIPEND = 2300n;

/** Runs one step. */
export function step(h: Host): void {
  if (h.status() !== Status.Running) return;
  try {
    const p = h.pending();
    if (p !== null) return runPending(h, p);
    const f = h.frame();
    if (f === null) throw new Error("a running state has a frame or a pending operation");
    if (f.stage === Stage.Enter) return enter(h, f);
    if (f.stage === Stage.Run) return run(h, f);
    return unwind(h, f);
  } catch (e) {
    if (e instanceof Terminate) return h.terminate(e.status);
    throw e;
  }
}

function end(status: number): never {
  throw new Terminate(status);
}

// ---- small helpers -----------------------------------------------------------------------------

function memCost(w: bigint): bigint {
  return 3n * w + (w * w) / 512n;
}

/** Memory expansion to cover several ranges: returns [cost, new size in words]. */
function expansion(f: Frame, ranges: [bigint, bigint][]): [bigint, bigint] {
  const cur = BigInt(f.memSize);
  let w = cur;
  for (const [off, len] of ranges) {
    if (len === 0n) continue;
    const need = (off + len + 31n) / 32n;
    if (need > w) w = need;
  }
  return [memCost(w) - memCost(cur), w];
}

function setMemSize(f: Frame, w: bigint): void {
  if (w > BigInt(MAX_MEM_WORDS)) throw new MachineLimitError(`memory of ${w} words`);
  f.memSize = Number(w);
}

function fail(f: Frame): void {
  f.stage = Stage.Halted;
  f.result = Result.Fail;
  f.gas = 0n;
  f.outOffset = 0;
  f.outLength = 0;
}

function halt(f: Frame, result: number, off: number, len: number): void {
  f.stage = Stage.Halted;
  f.result = result;
  f.outOffset = len === 0 ? 0 : off;
  f.outLength = len;
}

/** Charges gas; on shortage the frame fails and false is returned. */
function charge(f: Frame, cost: bigint): boolean {
  if (cost > f.gas) {
    fail(f);
    return false;
  }
  f.gas -= cost;
  return true;
}

function emptyRef(h: Host): Ref {
  return { tree: h.emptyTree(), offset: 0, length: 0 };
}

/** Bytes [rel, rel+len) of a reference; bytes at or beyond its length are zero and not read. */
function readRef(ref: Ref, rel: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  if (rel >= BigInt(ref.length)) return out;
  const r = Number(rel);
  const avail = Math.min(len, ref.length - r);
  if (avail > 0) out.set(ref.tree.readBytes(ref.offset + r, avail));
  return out;
}

function isPrecompile(a: bigint): boolean {
  return a >= 1n && a <= 10n;
}

function isVault(h: Host, a: bigint): boolean {
  if (a !== FEE_VAULT_W && a !== WD_VAULT_W) return false;
  return (h.txc().mode & MODE_ETHEREUM_FEES) === 0n;
}

function warmAddress(h: Host, a: bigint): boolean {
  if (isPrecompile(a)) return true;
  const t = h.txc();
  if (a === t.origin || a === t.coinbase || (t.isCreate === 0n && a === t.to)) return true;
  return h.warmTouch(H("warm-addr", a));
}

function warmSlot(h: Host, a: bigint, slot: bigint): boolean {
  return h.warmTouch(H("warm-slot", a, slot));
}

interface Account {
  n: bigint;
  b: bigint;
  c: bigint;
}

/** An account read: its n, b and c keys, in that order (protocol.md §6.1). */
function readAccount(h: Host, a: bigint): Account {
  if (isVault(h, a)) return { n: 0n, b: h.vault(a === FEE_VAULT_W ? 0 : 1), c: 0n };
  const n = h.keyRead(a, Mark.Nonce, 0n);
  if (n === null) end(Status.UndeclaredKey);
  const b = h.keyRead(a, Mark.Balance, 0n);
  if (b === null) end(Status.UndeclaredKey);
  const c = h.keyRead(a, Mark.Code, 0n);
  if (c === null) end(Status.UndeclaredKey);
  return { n: n.cur, b: b.cur, c: c.cur };
}

function readKey(h: Host, a: bigint, mark: number, slot: bigint): KeyEntry {
  if (isVault(h, a)) return { addr: a, mark, slot, prev: 0n, next: 0n, cur: mark === Mark.Balance ? h.vault(a === FEE_VAULT_W ? 0 : 1) : 0n, flags: 0n };
  const e = h.keyRead(a, mark, slot);
  if (e === null) end(Status.UndeclaredKey);
  return e;
}

/** Writes a balance (a vault's goes to World). Flags are kept unless given. */
function writeBalance(h: Host, a: bigint, v: bigint, flags?: bigint): void {
  if (isVault(h, a)) return h.setVault(a === FEE_VAULT_W ? 0 : 1, v);
  const e = readKey(h, a, Mark.Balance, 0n);
  h.keyWrite(a, Mark.Balance, 0n, v, flags ?? e.flags);
}

function writeKeyValue(h: Host, a: bigint, mark: number, v: bigint): void {
  if (isVault(h, a)) return;
  const e = readKey(h, a, mark, 0n);
  h.keyWrite(a, mark, 0n, v, e.flags);
}

/**
 * What ethereumjs's putAccount does after a change of n or b: the fields that changed are written,
 * and a code hash of keccak("") is written back as 0 (protocol.md §6.1; never the case in a state
 * the rollup reaches).
 */
function normalizeCode(h: Host, a: bigint, acc: Account): void {
  if (acc.c === KECCAK_EMPTY && !isVault(h, a)) writeKeyValue(h, a, Mark.Code, 0n);
}

function isEmpty(acc: Account): boolean {
  return acc.n === 0n && acc.b === 0n && (acc.c === 0n || acc.c === KECCAK_EMPTY);
}

function hasCode(c: bigint): boolean {
  return c !== 0n && c !== KECCAK_EMPTY;
}

/** Code needed at `c` (non-zero): available by a carrier, or created by T (protocol.md §6.2). */
function needCode(h: Host, c: bigint): void {
  if (h.carried(c)) return;
  if (!h.createdHas(c)) end(Status.MissingCode);
}

function codeSizeOf(h: Host, c: bigint): number {
  return c === 0n ? 0 : h.code(c).bytes.length;
}

// ---- preamble and epilogue ---------------------------------------------------------------------

function runPending(h: Host, p: Pending): void {
  switch (p.kind) {
    case P.Preamble:
      return preamble(h);
    case P.Acl:
      return acl(h, p);
    case P.Start:
      return start(h);
    case P.Keccak:
    case P.Initcode:
    case P.Deposit:
    case P.PrecompileIn:
    case P.Sha256:
    case P.Ripemd160:
      return hashStep(h, p);
    case P.Copy:
      return copyStep(h, p);
    case P.Settle:
      return settle(h, p);
    case P.Pass:
      return pass(h, p);
  }
  throw new Error(`unknown pending kind ${p.kind}`);
}

function preamble(h: Host): void {
  const t = h.txc();
  const n = h.keyRead(t.origin, Mark.Nonce, 0n);
  const b = h.keyRead(t.origin, Mark.Balance, 0n);
  const c = h.keyRead(t.origin, Mark.Code, 0n);
  if (n === null || b === null || c === null) end(Status.SenderUndeclared);
  // the fee sweeps' credit comes first (protocol.md §6.5); the rules see the credited balance
  const bal = b.cur + t.sweepCredit;
  if (bal > MAX_U256 || (t.mode & MODE_SWEEP_OVERFLOW) !== 0n) end(Status.SweepOverflow);
  if (t.txGasLimit > t.blockGasLimit) end(Status.GasLimit);
  if (t.nonce >= MAX_U64) end(Status.NonceMax);
  if (t.isCreate === 1n && t.dataLength > BigInt(MAX_INITCODE_SIZE)) end(Status.InitcodeSize);
  if (t.txGasLimit < t.intrinsicGas) end(Status.IntrinsicGas);
  if (t.maxFee < t.baseFee) end(Status.FeeCap);
  if (hasCode(c.cur)) end(Status.SenderNotEoa);
  if ((t.mode & MODE_BLOB_FEE_CAP_LOW) !== 0n) end(Status.BlobFeeCap);
  if (bal < t.maxCost) end(Status.InsufficientBalance);
  if (n.cur !== t.nonce) end(Status.Nonce);
  // credit and buy gas (one write of b), then the nonce
  if (t.sweepCredit !== t.upfront) h.keyWrite(t.origin, Mark.Balance, 0n, bal - t.upfront, b.flags);
  if (c.cur === KECCAK_EMPTY) writeKeyValue(h, t.origin, Mark.Code, 0n);
  h.keyWrite(t.origin, Mark.Nonce, 0n, n.cur + 1n, n.flags);
  h.setPending(t.aclCount > 0n ? Pending.of(P.Acl, 0n) : Pending.of(P.Start));
}

function acl(h: Host, p: Pending): void {
  const t = h.txc();
  const i = p.a[0];
  const it = h.aclItem(Number(i));
  h.warmTouch(it.isSlot ? H("warm-slot", it.addr, it.slot) : H("warm-addr", it.addr));
  h.setPending(i + 1n < t.aclCount ? Pending.of(P.Acl, i + 1n) : Pending.of(P.Start));
}

function start(h: Host): void {
  const t = h.txc();
  let address = t.to;
  if (t.isCreate === 1n) {
    address = createAddress(t.origin, t.nonce);
    h.warmTouch(H("warm-addr", address));
  }
  const cd: Ref = t.isCreate === 1n ? emptyRef(h) : { tree: h.txData(), offset: 0, length: Number(t.dataLength) };
  const ctx = new Ctx(t.isCreate === 1n ? Kind.Create : Kind.Call, 0, false, address, address, t.origin, t.value, cd, h.worldRef(), 0, 0);
  const f = new Frame(ctx, Stage.Enter, 0, t.isCreate === 1n ? t.initcodeHash : 0n, t.isCreate === 1n ? Number(t.dataLength) : 0, 0, t.txGasLimit - t.intrinsicGas, h.newStack(), h.emptyTree(), 0, emptyRef(h), 0, 0);
  h.setPending(null);
  h.setFrame(f);
}

function settle(h: Host, p: Pending): void {
  const t = h.txc();
  const gasLeft = p.a[0];
  let gasUsed = t.txGasLimit - gasLeft;
  const refund = h.refund();
  const cap = gasUsed / 5n;
  gasUsed -= refund < cap ? refund : cap;
  const sender = readAccount(h, t.origin);
  // the unused gas comes back at the gas price (Ethereum mode) or the priority fee (fee-output mode: the base fee is charged on the declared gas)
  const back = (t.txGasLimit - gasUsed) * unusedGasPrice((t.mode & MODE_ETHEREUM_FEES) !== 0n ? "ethereum" : "outputs", t.gasPrice, t.baseFee);
  // and the L1 data fee is taken (protocol.md §6.6; 0 in Ethereum mode): the preamble's balance rule covered it
  if (back !== 0n || t.l1Fee !== 0n) writeBalance(h, t.origin, (sender.b + back - t.l1Fee) & MAX_U256);
  normalizeCode(h, t.origin, sender);
  const miner = gasUsed * t.priorityFee;
  if ((t.mode & MODE_ETHEREUM_FEES) !== 0n) {
    const cb = readAccount(h, t.coinbase);
    if (miner !== 0n) writeBalance(h, t.coinbase, (cb.b + miner) & MAX_U256);
    normalizeCode(h, t.coinbase, cb);
  } else if (miner + t.l1Fee !== 0n) h.setVault(0, h.vault(0) + miner + t.l1Fee);
  h.setPending(Pending.of(P.Pass, 0n));
}

/** One key-table entry per step: EIP-6780 deletions, then the comparison with `next`. */
function pass(h: Host, p: Pending): void {
  const i = Number(p.a[0]);
  const e = i < KEY_CAPACITY ? h.entryAt(i) : null;
  if (e === null) {
    const fee = h.vault(0);
    const wd = h.vault(1);
    if ((p.a[3] === 1n ? p.a[4] : 0n) !== fee) end(Status.FeeOutput);
    if ((p.a[5] === 1n ? p.a[6] : 0n) !== wd) end(Status.WithdrawalOutput);
    end(Status.Ok);
  }
  const q = p.clone();
  q.a[0] = BigInt(i + 1);
  let cur = e.cur;
  if (e.mark === Mark.Balance) {
    q.a[1] = e.addr;
    q.a[2] = (e.flags & FLAG_CREATED) !== 0n && (e.flags & FLAG_DESTRUCTED) !== 0n ? 1n : 0n;
  }
  const deleting = q.a[2] === 1n && e.addr === q.a[1];
  const accountMark = e.mark === Mark.Balance || e.mark === Mark.Code || e.mark === Mark.Nonce || e.mark === Mark.Storage;
  if (deleting && accountMark) {
    // every key of a deleted account is written 0, as the validator's deleteAccount does (protocol.md §6.1)
    h.entryWrite(i, 0n);
    cur = 0n;
  }
  if (e.mark === Mark.Fee) {
    // this transaction's fee output; an f entry of an earlier seq is a sweep, checked by its own rules
    if (e.slot === h.txc().seq) {
      q.a[3] = 1n;
      q.a[4] = e.next;
    }
  } else if (e.mark === Mark.Withdrawal) {
    q.a[5] = 1n;
    q.a[6] = e.next;
  } else if (cur !== e.next) end(Status.NextMismatch);
  h.setPending(q);
}

// ---- entering a frame (the message prologue) ---------------------------------------------------

function enter(h: Host, f: Frame): void {
  const c = h.ctx();
  if (c.kind === Kind.Create || c.kind === Kind.Create2) return enterCreate(h, f, c);
  const delegate = c.kind === Kind.DelegateCall;
  let err = false;
  const from = readAccount(h, c.caller);
  if (!delegate) {
    if (from.b < c.value) err = true;
    else if (c.value !== 0n) writeBalance(h, c.caller, from.b - c.value);
    if (!err) normalizeCode(h, c.caller, from);
  }
  const to = readAccount(h, c.address);
  if (!delegate) {
    if (to.b + c.value > MAX_U256) err = true;
    else if (c.value !== 0n) writeBalance(h, c.address, to.b + c.value);
    if (!err) normalizeCode(h, c.address, to);
  }
  if (isPrecompile(c.codeAddress)) {
    if (err) return halt(f, Result.Revert, 0, 0);
    return precompileStart(h, f, c);
  }
  const code = c.codeAddress === c.address ? to.c : readKey(h, c.codeAddress, Mark.Code, 0n).cur;
  if (code !== 0n) needCode(h, code);
  const size = codeSizeOf(h, code);
  if (err) return halt(f, Result.Revert, 0, 0);
  if (size === 0) return halt(f, Result.Success, 0, 0);
  f.codeHash = code;
  f.codeSize = size;
  f.stage = Stage.Run;
}

function enterCreate(h: Host, f: Frame, c: Ctx): void {
  const from = readAccount(h, c.caller);
  if (from.b < c.value) return fail(f); // unreachable: the caller checked its balance
  if (c.value !== 0n) writeBalance(h, c.caller, from.b - c.value);
  normalizeCode(h, c.caller, from);
  const to = readAccount(h, c.address);
  if (to.n !== 0n || hasCode(to.c)) return fail(f); // address collision
  if (to.b + c.value > MAX_U256) return halt(f, Result.Revert, 0, 0);
  if (to.c === KECCAK_EMPTY) writeKeyValue(h, c.address, Mark.Code, 0n);
  writeKeyValue(h, c.address, Mark.Nonce, to.n + 1n);
  const be = readKey(h, c.address, Mark.Balance, 0n);
  h.keyWrite(c.address, Mark.Balance, 0n, to.b + c.value, be.flags | FLAG_CREATED);
  if (f.codeSize === 0) return halt(f, Result.Success, 0, 0);
  f.stage = Stage.Run;
}

// ---- leaving a frame ---------------------------------------------------------------------------

function unwind(h: Host, f: Frame): void {
  const c = h.ctx();
  const isCreate = c.kind === Kind.Create || c.kind === Kind.Create2;
  if (isCreate && f.result === Result.Success) {
    const len = f.outLength;
    if (len > MAX_CODE_SIZE || f.gas < 200n * BigInt(len)) fail(f);
    else if (len > 0) {
      const first = f.mem.readBytes(f.outOffset, 1)[0];
      if (first === 0xef) fail(f);
      else return h.setPending(hashPending(P.Deposit, BigInt(f.outOffset), BigInt(len), 0n, 0n));
    } else f.result = Result.Deposited;
  }
  const ok = f.result === Result.Success || f.result === Result.Deposited;
  const childGas = f.result === Result.Fail ? 0n : f.gas;
  if (!ok) h.restoreWorld(c.snapshot);
  if (c.depth === 0) {
    h.setFrame(null);
    h.setPending(Pending.of(P.Settle, childGas));
    return;
  }
  const parent = h.popFrame();
  parent.gas += childGas;
  if (!isCreate) {
    parent.rd = f.result !== Result.Fail ? { tree: f.mem, offset: f.outOffset, length: f.outLength } : emptyRef(h);
    parent.stack.push(ok ? 1n : 0n);
    const n = Math.min(c.retLength, parent.rd.length);
    if (n > 0) h.setPending(Pending.of(P.Copy, 2n, 0n, BigInt(parent.rd.offset), BigInt(parent.rd.length), 0n, BigInt(c.retOffset), BigInt(n), BigInt(c.retOffset >> 5), 0n));
  } else {
    parent.rd = f.result === Result.Revert ? { tree: f.mem, offset: f.outOffset, length: f.outLength } : emptyRef(h);
    parent.stack.push(ok ? c.address : 0n);
  }
}

// ---- hashes in steps ---------------------------------------------------------------------------

function hashAlgo(kind: number): number {
  return kind === P.Sha256 ? ALGO_SHA256 : kind === P.Ripemd160 ? ALGO_RIPEMD160 : ALGO_KECCAK;
}

/** A hash operation's pending state at its start: the algorithm's initial state (keccak zero, SHA-256 and RIPEMD-160 their IVs). */
function hashPending(kind: number, ...args: bigint[]): Pending {
  const p = Pending.of(kind, ...args);
  p.h = new Hasher(hashAlgo(kind)).words();
  return p;
}

function hashSource(h: Host, p: Pending): Tree {
  if (p.kind === P.PrecompileIn || p.kind === P.Sha256 || p.kind === P.Ripemd160) return h.ctx().cd.tree;
  return h.frame()!.mem;
}

/** a0 base, a1 length, a2 absorbed, a3 done. */
function hashStep(h: Host, p: Pending): void {
  const f = h.frame()!;
  const q = p.clone();
  if (p.a[3] === 1n) return hashDone(h, f, p);
  const src = hashSource(h, p);
  const base = Number(p.a[0]);
  const len = Number(p.a[1]);
  const pos = Number(p.a[2]);
  if (h.lazyHash) {
    // the stepper: the digest is computed natively at the end; the hash state only when hashed
    if (pos < len) {
      const a = base + pos;
      const n = Math.min(32 - (a % 32), len - pos);
      q.a[2] = BigInt(pos + n);
    } else {
      q.a[3] = 1n;
      const bytes = src.readBytes(base, len);
      q.digest = nativeDigest(hashAlgo(p.kind), bytes);
      if (p.kind === P.Initcode || p.kind === P.Deposit) h.register(q.digest, bytes);
    }
    q.h = undefined;
    return h.setPending(q);
  }
  const st = h.hasher(p);
  if (pos < len) {
    const a = base + pos;
    const n = Math.min(32 - (a % 32), len - pos);
    st.absorb(src.readBytes(a, n));
    q.a[2] = BigInt(pos + n);
  } else {
    st.finalize();
    q.a[3] = 1n;
  }
  h.setHasher(q, st);
  h.setPending(q);
}

/** The digest of a whole input (the stepper's shortcut; proofs absorb step by step and agree). */
export function nativeDigest(algo: number, bytes: Uint8Array): bigint {
  if (algo === ALGO_KECCAK) return keccakBytes(bytes);
  if (algo === ALGO_SHA256) return bytesWord(sha256(bytes));
  return bytesWord(ripemd160(bytes));
}

function hashDone(h: Host, f: Frame, p: Pending): void {
  const digest = p.digest ?? (p.kind === P.Ripemd160 ? p.h![0] >> 96n : p.h![0]);
  switch (p.kind) {
    case P.Keccak:
      f.stack.push(digest);
      return h.setPending(null);
    case P.Initcode:
      return createEnter(h, f, p, digest);
    case P.Deposit: {
      const c = h.ctx();
      const len = Number(p.a[1]);
      writeKeyValue(h, c.address, Mark.Code, digest);
      h.createdAdd(digest);
      f.gas -= 200n * BigInt(len);
      f.result = Result.Deposited;
      return h.setPending(null);
    }
    case P.Sha256:
    case P.Ripemd160: {
      const out = wordBytes(digest);
      f.mem = h.outputTree(out);
      halt(f, Result.Success, 0, 32);
      return h.setPending(null);
    }
    case P.PrecompileIn:
      return precompileFinish(h, f, p, digest);
  }
}

// ---- copies in steps ---------------------------------------------------------------------------

/** a0 source (0 memory, 1 call data, 2 return data, 3 code), a1 code hash, a2 base, a3 limit, a4 offset, a5 destination, a6 length, a7 word, a8 backward. */
function copyStep(h: Host, p: Pending): void {
  const f = h.frame()!;
  const sel = Number(p.a[0]);
  const srcBase = Number(p.a[2]);
  const limit = p.a[3];
  const srcOff = p.a[4];
  const dst = Number(p.a[5]);
  const len = Number(p.a[6]);
  const w = Number(p.a[7]);
  const lo = Math.max(32 * w, dst);
  const hi = Math.min(32 * w + 32, dst + len);
  const rel = srcOff + BigInt(lo - dst);
  let bytes: Uint8Array;
  if (sel === 3) {
    bytes = new Uint8Array(hi - lo);
    if (p.a[1] !== 0n) {
      const code = h.code(p.a[1]).bytes;
      for (let i = 0; i < hi - lo; i++) {
        const q = rel + BigInt(i);
        if (q < limit) bytes[i] = code[srcBase + Number(q)];
      }
    }
  } else {
    const tree = sel === 0 ? f.mem : sel === 1 ? h.ctx().cd.tree : f.rd.tree;
    bytes = readRef({ tree, offset: srcBase, length: limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit) }, rel, hi - lo);
  }
  f.mem.writeBytes(lo, bytes);
  const q = p.clone();
  const backward = p.a[8] === 1n;
  const first = dst >> 5;
  const last = (dst + len - 1) >> 5;
  if (backward ? w === first : w === last) return h.setPending(null);
  q.a[7] = BigInt(backward ? w - 1 : w + 1);
  h.setPending(q);
}

function startCopy(h: Host, sel: number, codeHash: bigint, base: number, limit: bigint, off: bigint, dst: bigint, len: bigint, backward = false): void {
  const clamped = off > limit ? limit : off;
  const d = Number(dst);
  const l = Number(len);
  h.setPending(Pending.of(P.Copy, BigInt(sel), codeHash, BigInt(base), limit, clamped, dst, len, BigInt(backward ? (d + l - 1) >> 5 : d >> 5), backward ? 1n : 0n));
}

// ---- precompiles -------------------------------------------------------------------------------

function precompileStart(h: Host, f: Frame, c: Ctx): void {
  const id = Number(c.codeAddress);
  const len = BigInt(c.cd.length);
  if (id === 4) {
    if (!charge(f, 15n + 3n * wordsOf(len))) return;
    f.mem = c.cd.tree;
    return halt(f, Result.Success, c.cd.offset, c.cd.length);
  }
  if (id === 2 || id === 3) {
    const cost = id === 2 ? 60n + 12n * wordsOf(len) : 600n + 120n * wordsOf(len);
    if (!charge(f, cost)) return;
    f.stage = Stage.Run;
    return h.setPending(hashPending(id === 2 ? P.Sha256 : P.Ripemd160, BigInt(c.cd.offset), len, 0n, 0n));
  }
  f.stage = Stage.Run;
  const n = Math.min(c.cd.length, PRECOMPILE_CAP[id]);
  h.setPending(hashPending(P.PrecompileIn, BigInt(c.cd.offset), BigInt(n), 0n, 0n, BigInt(id)));
}

function precompileFinish(h: Host, f: Frame, p: Pending, digest: bigint): void {
  const c = h.ctx();
  const id = Number(p.a[4]);
  const input = h.input(digest, Number(p.a[1]));
  const r = runPrecompile(id, input, c.cd.length, f.gas);
  h.setPending(null);
  if (!r.ok) return fail(f);
  f.gas -= r.gasUsed;
  f.mem = h.outputTree(r.out);
  halt(f, Result.Success, 0, r.out.length);
}

// ---- CREATE: the address, the child frame --------------------------------------------------------

/** a4 value, a5 salt, a6 child gas, a7 nonce before the increment, a8 kind. */
function createEnter(h: Host, f: Frame, p: Pending, codeHash: bigint): void {
  const c = h.ctx();
  const kind = Number(p.a[8]);
  const len = Number(p.a[1]);
  const address = kind === Kind.Create2 ? create2Address(c.address, p.a[5], codeHash) : createAddress(c.address, p.a[7]);
  h.warmTouch(H("warm-addr", address));
  const childGas = p.a[6];
  f.gas -= childGas;
  h.setPending(null);
  const ctx = new Ctx(kind, c.depth + 1, false, address, address, c.address, p.a[4], emptyRef(h), h.worldRef(), 0, 0);
  const child = new Frame(ctx, Stage.Enter, 0, codeHash, len, 0, childGas, h.newStack(), h.emptyTree(), 0, emptyRef(h), 0, 0);
  h.pushFrame(child);
}

// ---- instructions ------------------------------------------------------------------------------

interface OpInfo {
  inputs: number;
  outputs: number;
  gas: bigint;
}

const OPS: (OpInfo | undefined)[] = new Array(256);
function def(op: number, inputs: number, outputs: number, gas: number): void {
  OPS[op] = { inputs, outputs, gas: BigInt(gas) };
}
def(0x00, 0, 0, 0);
for (const [op, i, g] of [
  [0x01, 2, 3],
  [0x02, 2, 5],
  [0x03, 2, 3],
  [0x04, 2, 5],
  [0x05, 2, 5],
  [0x06, 2, 5],
  [0x07, 2, 5],
  [0x08, 3, 8],
  [0x09, 3, 8],
  [0x0a, 2, 10],
  [0x0b, 2, 5],
  [0x10, 2, 3],
  [0x11, 2, 3],
  [0x12, 2, 3],
  [0x13, 2, 3],
  [0x14, 2, 3],
  [0x15, 1, 3],
  [0x16, 2, 3],
  [0x17, 2, 3],
  [0x18, 2, 3],
  [0x19, 1, 3],
  [0x1a, 2, 3],
  [0x1b, 2, 3],
  [0x1c, 2, 3],
  [0x1d, 2, 3],
  [0x20, 2, 30],
  [0x31, 1, 0],
  [0x35, 1, 3],
  [0x3b, 1, 0],
  [0x3f, 1, 0],
  [0x40, 1, 20],
  [0x49, 1, 3],
  [0x51, 1, 3],
  [0x54, 1, 0],
])
  def(op, i, 1, g);
for (const [op, g] of [
  [0x30, 2],
  [0x32, 2],
  [0x33, 2],
  [0x34, 2],
  [0x36, 2],
  [0x38, 2],
  [0x3a, 2],
  [0x3d, 2],
  [0x41, 2],
  [0x42, 2],
  [0x43, 2],
  [0x44, 2],
  [0x45, 2],
  [0x46, 2],
  [0x47, 5],
  [0x48, 2],
  [0x4a, 2],
  [0x58, 2],
  [0x59, 2],
  [0x5a, 2],
  [0x5f, 2],
])
  def(op, 0, 1, g);
def(0x37, 3, 0, 3);
def(0x39, 3, 0, 3);
def(0x3c, 4, 0, 0);
def(0x3e, 3, 0, 3);
def(0x50, 1, 0, 2);
def(0x52, 2, 0, 3);
def(0x53, 2, 0, 3);
def(0x55, 2, 0, 0);
def(0x56, 1, 0, 8);
def(0x57, 2, 0, 10);
def(0x5b, 0, 0, 1);
def(0x5c, 1, 1, 100);
def(0x5d, 2, 0, 100);
def(0x5e, 3, 0, 3);
for (let n = 1; n <= 32; n++) def(0x5f + n, 0, 1, 3);
for (let n = 1; n <= 16; n++) def(0x7f + n, n, n + 1, 3);
for (let n = 1; n <= 16; n++) def(0x8f + n, n + 1, n + 1, 3);
for (let n = 0; n <= 4; n++) def(0xa0 + n, 2 + n, 0, 375 + 375 * n);
def(0xf0, 3, 1, 32000);
def(0xf1, 7, 1, 0);
def(0xf2, 7, 1, 0);
def(0xf3, 2, 0, 0);
def(0xf4, 6, 1, 0);
def(0xf5, 4, 1, 32000);
def(0xfa, 6, 1, 0);
def(0xfd, 2, 0, 0);
def(0xff, 1, 0, 5000);

/** Opcodes whose gas depends on their operands: each charges its whole cost itself. */
const DYNAMIC: boolean[] = new Array(256).fill(false);
for (const op of [0x20, 0x31, 0x37, 0x39, 0x3b, 0x3c, 0x3e, 0x3f, 0x51, 0x52, 0x53, 0x54, 0x55, 0x5e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xfa, 0xfd, 0xff]) DYNAMIC[op] = true;

export function opInfo(op: number): OpInfo | undefined {
  return OPS[op];
}

/** Whether an opcode's gas depends on its operands (it charges its whole cost itself). */
export function isDynamic(op: number): boolean {
  return DYNAMIC[op];
}

const TWO255 = 1n << 255n;
const toSigned = (x: bigint) => (x >= TWO255 ? x - (1n << 256n) : x);
const toUnsigned = (x: bigint) => (x < 0n ? x + (1n << 256n) : x);

function run(h: Host, f: Frame): void {
  if (f.pc >= f.codeSize) return halt(f, Result.Success, 0, 0);
  const code = h.code(f.codeHash);
  const op = code.bytes[f.pc];
  const info = OPS[op];
  if (info === undefined) return fail(f);
  const st = f.stack;
  if (!st.need(info.inputs)) return fail(f);
  if (st.size - info.inputs + info.outputs > STACK_LIMIT) return fail(f);
  if (op >= 0x60 && op <= 0x7f) {
    if (!charge(f, 3n)) return;
    const n = op - 0x5f;
    let v = 0n;
    for (let i = 1; i <= n; i++) v = (v << 8n) | BigInt(f.pc + i < f.codeSize ? code.bytes[f.pc + i] : 0);
    st.push(v);
    f.pc += n + 1;
    return;
  }
  if (op >= 0x80 && op <= 0x8f) {
    if (!charge(f, 3n)) return;
    st.dup(op - 0x7f);
    f.pc++;
    return;
  }
  if (op >= 0x90 && op <= 0x9f) {
    if (!charge(f, 3n)) return;
    st.swap(op - 0x8f);
    f.pc++;
    return;
  }
  if (arith(f, op, info.gas)) return;
  if (!DYNAMIC[op] && !charge(f, info.gas)) return;
  const next = f.pc + 1;
  switch (op) {
    case 0x00:
      return halt(f, Result.Success, 0, 0);
    case 0x20: {
      const off = st.pop();
      const len = st.pop();
      const [mc, w] = expansion(f, [[off, len]]);
      if (!charge(f, 30n + 6n * wordsOf(len) + mc)) return;
      setMemSize(f, w);
      f.pc = next;
      if (len === 0n) return st.push(keccakBytes(new Uint8Array(0)));
      return h.setPending(hashPending(P.Keccak, off, len, 0n, 0n));
    }
    case 0x30:
      st.push(h.ctx().address);
      break;
    case 0x31: {
      const a = st.pop() & MASK_160;
      if (!charge(f, warmAddress(h, a) ? 100n : 2600n)) return;
      const c = h.ctx();
      st.push(a === c.address ? readKey(h, a, Mark.Balance, 0n).cur : readAccount(h, a).b);
      break;
    }
    case 0x32:
      st.push(h.txc().origin);
      break;
    case 0x33:
      st.push(h.ctx().caller);
      break;
    case 0x34:
      st.push(h.ctx().value);
      break;
    case 0x35: {
      const pos = st.pop();
      st.push(bytesWord(readRef(h.ctx().cd, pos, 32)));
      break;
    }
    case 0x36:
      st.push(BigInt(h.ctx().cd.length));
      break;
    case 0x37:
    case 0x39:
    case 0x3e: {
      const dst = st.pop();
      const off = st.pop();
      const len = st.pop();
      if (op === 0x3e && off + len > BigInt(f.rd.length)) return fail(f);
      const [mc, w] = expansion(f, [[dst, len]]);
      if (!charge(f, 3n + 3n * wordsOf(len) + mc)) return;
      setMemSize(f, w);
      f.pc = next;
      if (len === 0n) return;
      if (op === 0x37) {
        const cd = h.ctx().cd;
        return startCopy(h, 1, 0n, cd.offset, BigInt(cd.length), off, dst, len);
      }
      if (op === 0x39) return startCopy(h, 3, f.codeHash, 0, BigInt(f.codeSize), off, dst, len);
      return startCopy(h, 2, 0n, f.rd.offset, BigInt(f.rd.length), off, dst, len);
    }
    case 0x38:
      st.push(BigInt(f.codeSize));
      break;
    case 0x3a:
      st.push(h.txc().gasPrice);
      break;
    case 0x3b: {
      const a = st.pop() & MASK_160;
      if (!charge(f, warmAddress(h, a) ? 100n : 2600n)) return;
      const c = readKey(h, a, Mark.Code, 0n).cur;
      if (c !== 0n) needCode(h, c);
      st.push(BigInt(codeSizeOf(h, c)));
      break;
    }
    case 0x3c: {
      const a = st.pop() & MASK_160;
      const dst = st.pop();
      const off = st.pop();
      const len = st.pop();
      const [mc, w] = expansion(f, [[dst, len]]);
      const access = warmAddress(h, a) ? 100n : 2600n;
      if (!charge(f, mc + access + 3n * wordsOf(len))) return;
      setMemSize(f, w);
      f.pc = next;
      if (len === 0n) return;
      const c = readKey(h, a, Mark.Code, 0n).cur;
      if (c !== 0n) needCode(h, c);
      return startCopy(h, 3, c, 0, BigInt(codeSizeOf(h, c)), off, dst, len);
    }
    case 0x3d:
      st.push(BigInt(f.rd.length));
      break;
    case 0x3f: {
      const a = st.pop() & MASK_160;
      if (!charge(f, warmAddress(h, a) ? 100n : 2600n)) return;
      const c = readKey(h, a, Mark.Code, 0n).cur;
      if (c !== 0n) needCode(h, c);
      const n = readKey(h, a, Mark.Nonce, 0n).cur;
      const b = readKey(h, a, Mark.Balance, 0n).cur;
      st.push(isEmpty({ n, b, c }) ? 0n : c === 0n ? KECCAK_EMPTY : c);
      break;
    }
    case 0x40: {
      const n = st.pop();
      const t = h.txc();
      const diff = t.number - n;
      if (diff > 256n || diff <= 0n || (t.mode & MODE_STATE_TEST_BLOCKHASH) === 0n) st.push(0n);
      else st.push(keccakBytes(new TextEncoder().encode(n.toString())));
      break;
    }
    case 0x41:
      st.push(h.txc().coinbase);
      break;
    case 0x42:
      st.push(h.txc().timestamp);
      break;
    case 0x43:
      st.push(h.txc().number);
      break;
    case 0x44:
      st.push(h.txc().prevRandao);
      break;
    case 0x45:
      st.push(h.txc().blockGasLimit);
      break;
    case 0x46:
      st.push(h.txc().chainId);
      break;
    case 0x47:
      st.push(readKey(h, h.ctx().address, Mark.Balance, 0n).cur);
      break;
    case 0x48:
      st.push(h.txc().baseFee);
      break;
    case 0x49: {
      const i = st.pop();
      const list = h.blobs();
      st.push(i < BigInt(list.length) ? list[Number(i)] : 0n);
      break;
    }
    case 0x4a:
      st.push(h.txc().blobBaseFee);
      break;
    case 0x50:
      st.pop();
      break;
    case 0x51: {
      const off = st.pop();
      const [mc, w] = expansion(f, [[off, 32n]]);
      if (!charge(f, 3n + mc)) return;
      setMemSize(f, w);
      st.push(bytesWord(f.mem.readBytes(Number(off), 32)));
      f.pc = next;
      return;
    }
    case 0x52:
    case 0x53: {
      const off = st.pop();
      const v = st.pop();
      const n = op === 0x52 ? 32n : 1n;
      const [mc, w] = expansion(f, [[off, n]]);
      if (!charge(f, 3n + mc)) return;
      setMemSize(f, w);
      f.mem.writeBytes(Number(off), op === 0x52 ? wordBytes(v) : new Uint8Array([Number(v & 0xffn)]));
      f.pc = next;
      return;
    }
    case 0x54: {
      const slot = st.pop();
      const c = h.ctx();
      if (!charge(f, warmSlot(h, c.address, slot) ? 100n : 2100n)) return;
      st.push(readKey(h, c.address, Mark.Storage, slot).cur);
      break;
    }
    case 0x55:
      return sstore(h, f, next);
    case 0x56: {
      const dest = st.pop();
      if (dest >= BigInt(f.codeSize) || code.jumpdests[Number(dest)] !== 1) return fail(f);
      f.pc = Number(dest);
      return;
    }
    case 0x57: {
      const dest = st.pop();
      const cond = st.pop();
      if (cond === 0n) {
        f.pc = next;
        return;
      }
      if (dest >= BigInt(f.codeSize) || code.jumpdests[Number(dest)] !== 1) return fail(f);
      f.pc = Number(dest);
      return;
    }
    case 0x58:
      st.push(BigInt(f.pc));
      break;
    case 0x59:
      st.push(BigInt(f.memSize) * 32n);
      break;
    case 0x5a:
      st.push(f.gas);
      break;
    case 0x5b:
      break;
    case 0x5c: {
      const slot = st.pop();
      st.push(h.tload(H("tstore", h.ctx().address, slot)));
      break;
    }
    case 0x5d: {
      const c = h.ctx();
      if (c.isStatic) return fail(f);
      const slot = st.pop();
      const v = st.pop();
      h.tstore(H("tstore", c.address, slot), v);
      f.pc = next;
      return;
    }
    case 0x5e: {
      const dst = st.pop();
      const src = st.pop();
      const len = st.pop();
      const [mc, w] = expansion(f, [
        [src, len],
        [dst, len],
      ]);
      if (!charge(f, 3n + 3n * wordsOf(len) + mc)) return;
      setMemSize(f, w);
      f.pc = next;
      if (len === 0n) return;
      return startCopy(h, 0, 0n, 0, MAX_U256, src, dst, len, dst > src);
    }
    case 0x5f:
      st.push(0n);
      break;
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3:
    case 0xa4: {
      if (h.ctx().isStatic) return fail(f);
      const off = st.pop();
      const len = st.pop();
      for (let i = 0; i < op - 0xa0; i++) st.pop();
      const [mc, w] = expansion(f, [[off, len]]);
      if (!charge(f, info.gas + 8n * len + mc)) return;
      setMemSize(f, w);
      f.pc = next;
      return;
    }
    case 0xf0:
    case 0xf5:
      return create(h, f, op, next);
    case 0xf1:
    case 0xf2:
    case 0xf4:
    case 0xfa:
      return call(h, f, op, next);
    case 0xf3:
    case 0xfd: {
      const off = st.pop();
      const len = st.pop();
      const [mc, w] = expansion(f, [[off, len]]);
      if (!charge(f, mc)) return;
      setMemSize(f, w);
      return halt(f, op === 0xf3 ? Result.Success : Result.Revert, Number(len === 0n ? 0n : off), Number(len));
    }
    case 0xff:
      return selfdestruct(h, f);
    default:
      throw new Error(`opcode 0x${op.toString(16)} has no semantics`);
  }
  f.pc = next;
}

/** Arithmetic, comparison and bit operations (no state). Returns whether op was one. */
function arith(f: Frame, op: number, gas: bigint): boolean {
  if (op < 0x01 || (op > 0x0b && op < 0x10) || op > 0x1d) return false;
  const st = f.stack;
  if (op === 0x0a) {
    const exp = st.peek(1);
    const bytes = exp === 0n ? 0n : BigInt(Math.ceil(exp.toString(2).length / 8));
    if (!charge(f, gas + 50n * bytes)) return true;
  } else if (!charge(f, gas)) return true;
  const a = st.pop();
  let r: bigint;
  switch (op) {
    case 0x01:
      r = (a + st.pop()) & MAX_U256;
      break;
    case 0x02:
      r = (a * st.pop()) & MAX_U256;
      break;
    case 0x03:
      r = (a - st.pop()) & MAX_U256;
      break;
    case 0x04: {
      const b = st.pop();
      r = b === 0n ? 0n : a / b;
      break;
    }
    case 0x05: {
      const b = st.pop();
      r = b === 0n ? 0n : toUnsigned(toSigned(a) / toSigned(b)) & MAX_U256;
      break;
    }
    case 0x06: {
      const b = st.pop();
      r = b === 0n ? 0n : a % b;
      break;
    }
    case 0x07: {
      const b = st.pop();
      r = b === 0n ? 0n : toUnsigned(toSigned(a) % toSigned(b));
      break;
    }
    case 0x08: {
      const b = st.pop();
      const m = st.pop();
      r = m === 0n ? 0n : (a + b) % m;
      break;
    }
    case 0x09: {
      const b = st.pop();
      const m = st.pop();
      r = m === 0n ? 0n : (a * b) % m;
      break;
    }
    case 0x0a: {
      let e = st.pop();
      let base = a;
      r = 1n;
      while (e > 0n) {
        if (e & 1n) r = (r * base) & MAX_U256;
        base = (base * base) & MAX_U256;
        e >>= 1n;
      }
      break;
    }
    case 0x0b: {
      const v = st.pop();
      if (a < 31n) {
        const bit = a * 8n + 7n;
        const mask = (1n << bit) - 1n;
        r = (v >> bit) & 1n ? v | (MAX_U256 ^ mask) : v & mask;
      } else r = v;
      break;
    }
    case 0x10:
      r = a < st.pop() ? 1n : 0n;
      break;
    case 0x11:
      r = a > st.pop() ? 1n : 0n;
      break;
    case 0x12:
      r = toSigned(a) < toSigned(st.pop()) ? 1n : 0n;
      break;
    case 0x13:
      r = toSigned(a) > toSigned(st.pop()) ? 1n : 0n;
      break;
    case 0x14:
      r = a === st.pop() ? 1n : 0n;
      break;
    case 0x15:
      r = a === 0n ? 1n : 0n;
      break;
    case 0x16:
      r = a & st.pop();
      break;
    case 0x17:
      r = a | st.pop();
      break;
    case 0x18:
      r = a ^ st.pop();
      break;
    case 0x19:
      r = MAX_U256 ^ a;
      break;
    case 0x1a: {
      const w = st.pop();
      r = a >= 32n ? 0n : (w >> ((31n - a) * 8n)) & 0xffn;
      break;
    }
    case 0x1b: {
      const v = st.pop();
      r = a >= 256n ? 0n : (v << a) & MAX_U256;
      break;
    }
    case 0x1c: {
      const v = st.pop();
      r = a >= 256n ? 0n : v >> a;
      break;
    }
    case 0x1d: {
      const v = st.pop();
      const neg = v >= TWO255;
      if (a >= 256n) r = neg ? MAX_U256 : 0n;
      else r = toUnsigned(toSigned(v) >> a) & MAX_U256;
      break;
    }
    default:
      throw new Error(`not an arithmetic opcode 0x${op.toString(16)}`);
  }
  st.push(r);
  f.pc++;
  return true;
}

function sstore(h: Host, f: Frame, next: number): void {
  const st = f.stack;
  const c = h.ctx();
  if (c.isStatic) return fail(f);
  const slot = st.pop();
  const v = st.pop();
  const e = readKey(h, c.address, Mark.Storage, slot);
  const cur = e.cur;
  const orig = e.prev;
  if (f.gas <= STIPEND) return fail(f);
  const warm = warmSlot(h, c.address, slot);
  let cost: bigint;
  let refund = h.refund();
  if (cur === v) cost = 100n;
  else if (orig === cur) {
    if (orig === 0n) cost = 20000n;
    else {
      if (v === 0n) refund += 4800n;
      cost = 2900n;
    }
  } else {
    if (orig !== 0n) {
      if (cur === 0n) {
        refund -= 4800n;
        if (refund < 0n) return fail(f);
      } else if (v === 0n) refund += 4800n;
    }
    if (orig === v) refund += orig === 0n ? (warm ? 19900n : 19900n) : warm ? 2800n : 4900n;
    cost = 100n;
  }
  if (!warm) cost += 2100n;
  if (!charge(f, cost)) return;
  if (refund !== h.refund()) h.setRefund(refund);
  if (v !== cur) h.keyWrite(c.address, Mark.Storage, slot, v, e.flags);
  f.pc = next;
}

function call(h: Host, f: Frame, op: number, next: number): void {
  const st = f.stack;
  const kind = op === 0xf1 ? Kind.Call : op === 0xf2 ? Kind.CallCode : op === 0xf4 ? Kind.DelegateCall : Kind.StaticCall;
  const hasValue = kind === Kind.Call || kind === Kind.CallCode;
  const gasArg = st.pop();
  const to = st.pop() & MASK_160;
  const value = hasValue ? st.pop() : 0n;
  const inOff = st.pop();
  const inLen = st.pop();
  const outOff = st.pop();
  const outLen = st.pop();
  const c = h.ctx();
  if (kind === Kind.Call && c.isStatic && value !== 0n) return fail(f);
  const [mc, w] = expansion(f, [
    [inOff, inLen],
    [outOff, outLen],
  ]);
  let cost = mc + (warmAddress(h, to) ? 100n : 2600n);
  if (value !== 0n) cost += 9000n;
  if (kind === Kind.Call && value !== 0n && isEmpty(readAccount(h, to))) cost += 25000n;
  if (cost > f.gas) return fail(f);
  const rem = f.gas - cost;
  const cap = rem - rem / 64n;
  let childGas = gasArg < cap ? gasArg : cap;
  f.gas = rem;
  setMemSize(f, w);
  f.pc = next;
  if (value !== 0n) {
    f.gas += STIPEND;
    childGas += STIPEND;
  }
  f.rd = emptyRef(h);
  const isDelegate = kind === Kind.DelegateCall;
  if (c.depth >= 1024 || (!isDelegate && value !== 0n && readKey(h, c.address, Mark.Balance, 0n).cur < value)) {
    st.push(0n);
    return;
  }
  f.gas -= childGas;
  const cd: Ref = { tree: h.snapshotTree(f.mem), offset: inLen === 0n ? 0 : Number(inOff), length: Number(inLen) };
  const ctx = new Ctx(
    kind,
    c.depth + 1,
    c.isStatic || kind === Kind.StaticCall,
    kind === Kind.Call || kind === Kind.StaticCall ? to : c.address,
    to,
    isDelegate ? c.caller : c.address,
    isDelegate ? c.value : value,
    cd,
    h.worldRef(),
    outLen === 0n ? 0 : Number(outOff),
    Number(outLen),
  );
  const child = new Frame(ctx, Stage.Enter, 0, 0n, 0, 0, childGas, h.newStack(), h.emptyTree(), 0, emptyRef(h), 0, 0);
  h.pushFrame(child);
}

function create(h: Host, f: Frame, op: number, next: number): void {
  const st = f.stack;
  const c = h.ctx();
  if (c.isStatic) return fail(f);
  const value = st.pop();
  const off = st.pop();
  const len = st.pop();
  const salt = op === 0xf5 ? st.pop() : 0n;
  const [mc, w] = expansion(f, [[off, len]]);
  const cost = 32000n + mc + 2n * wordsOf(len) + (op === 0xf5 ? 6n * wordsOf(len) : 0n);
  if (!charge(f, cost)) return;
  setMemSize(f, w);
  if (len > BigInt(MAX_INITCODE_SIZE)) return fail(f);
  const childGas = f.gas - f.gas / 64n;
  f.pc = next;
  f.rd = emptyRef(h);
  if (c.depth >= 1024) return st.push(0n);
  const b = readKey(h, c.address, Mark.Balance, 0n).cur;
  if (b < value) return st.push(0n);
  const n = readKey(h, c.address, Mark.Nonce, 0n);
  if (n.cur >= MAX_U64) return st.push(0n);
  h.keyWrite(c.address, Mark.Nonce, 0n, n.cur + 1n, n.flags);
  h.setPending(hashPending(P.Initcode, len === 0n ? 0n : off, len, 0n, 0n, value, salt, childGas, n.cur, BigInt(op === 0xf5 ? Kind.Create2 : Kind.Create)));
}

function selfdestruct(h: Host, f: Frame): void {
  const c = h.ctx();
  if (c.isStatic) return fail(f);
  const ben = f.stack.pop() & MASK_160;
  const own = readKey(h, c.address, Mark.Balance, 0n);
  const bal = own.cur;
  let cost = 5000n;
  let acc: Account | undefined;
  if (bal > 0n) {
    acc = readAccount(h, ben);
    if (isEmpty(acc)) cost += 25000n;
  }
  if (!warmAddress(h, ben)) cost += 2600n;
  if (!charge(f, cost)) return;
  const toSelf = ben === c.address;
  if (!toSelf) {
    acc ??= readAccount(h, ben);
    if (bal !== 0n) writeBalance(h, ben, (acc.b + bal) & MAX_U256);
    normalizeCode(h, ben, acc);
  }
  const created = (own.flags & FLAG_CREATED) !== 0n;
  const e = readKey(h, c.address, Mark.Balance, 0n);
  h.keyWrite(c.address, Mark.Balance, 0n, created || !toSelf ? 0n : e.cur, e.flags | FLAG_DESTRUCTED);
  halt(f, Result.Success, 0, 0);
}

