/**
 * ValidatePool (node/validation/validate-pool.ts): its verdicts are exactly those of validateTx in-thread, for
 * valid transactions and for every kind of invalid one; verdicts come back in order whatever the
 * chunking; errors are typed (InvalidTxError / DecodeError); code can be supplied by hash, and code
 * of the chain or of a call's batch is used only by transactions after the one first carrying it; a
 * failure of the validator itself is a ValidatePoolError, not a verdict; a dead worker is replaced;
 * terminate() stops everything and later calls are refused.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  Executor, MemoryState, Mark, TxType, type TxContext, type Tx, type WrappedTx, InvalidTxError, DecodeError,
  fillMoves, validateTx, encodeTx, decodeTx, hexToBytes, bytesToHex, keccak256, MaskBit, L2_BLOCK_GAS_LIMIT,
} from "../../../core";
import { ValidatePool, ValidatePoolError, type ValidateItem, type Verdict } from "../../../node/validation/validate-pool";
import { KnownCode } from "../../../core/known-code";
import { loadBenchContracts } from "../../../bench/contracts";

const CHAIN = 901n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const bob = "0x000000000000000000000000000000000000b0b0";
const feeRecipient = hexToBytes("0x00000000000000000000000000000000000fee01");
const env = { chainId: CHAIN, number: 3n, timestamp: 1_700_000_000n, coinbase: feeRecipient, baseFee: 7n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: new Uint8Array(32), excessBlobGas: 0n };
const ctx = (seq: bigint): TxContext => ({ seq, env, feeMode: "outputs", blockHash: "zero", allowUnprotected: false, allowBlobTx: false });

/** A verdict in comparable form. */
type Plain = { valid: true; outcome: unknown } | { valid: false; cls: string; kind: string; code: string; message: string; moveIndex?: number; detail?: unknown; offset?: number };

function plainError(e: unknown): Plain {
  if (e instanceof InvalidTxError) return { valid: false, cls: "InvalidTxError", kind: e.kind, code: e.code, message: e.message, moveIndex: e.moveIndex, detail: e.detail };
  if (e instanceof DecodeError) return { valid: false, cls: "DecodeError", kind: e.kind, code: e.code, message: e.message, offset: e.offset };
  throw e;
}

function plain(v: Verdict): Plain {
  return v.valid ? { valid: true, outcome: v.outcome } : plainError(v.error);
}

async function inThread(item: ValidateItem, ex: Executor): Promise<Plain> {
  try {
    const lookup = item.codes ? (h: string) => item.codes![h] : undefined;
    return { valid: true, outcome: await validateTx(decodeTx(item.tx), item.ctx, ex, lookup) };
  } catch (e) {
    return plainError(e);
  }
}

describe("node: ValidatePool", function () {
  this.timeout(300_000);
  let ex: Executor;
  let pool: ValidatePool;
  /** Valid transactions, in seq order, and their encodings. */
  const valid: ValidateItem[] = [];
  /** Invalid variants, each with the fault in-thread validation gives. */
  const invalid: ValidateItem[] = [];
  let callFilled: WrappedTx;
  let callSeq: bigint;

  before(async () => {
    // Workers start while the transactions are built in this thread.
    const poolP = ValidatePool.create(2, { chainIds: [CHAIN], chunkSize: 3 });
    ex = await Executor.create(CHAIN);
    const state = new MemoryState().setGenesis({ mark: Mark.Balance, addr: hexToBytes(alice.address.toLowerCase() as `0x${string}`), slot: 0n }, 10n ** 20n);
    const { Token } = loadBenchContracts();
    const tokenIf = new ethers.Interface(Token.abi as ethers.InterfaceAbi);
    const token = ethers.getCreateAddress({ from: alice.address, nonce: 0 });
    let nonce = 0;
    const sign = (to: string | null, data: string, value = 0n, gasLimit = 1_500_000n) =>
      alice.signTransaction({ type: 2, chainId: CHAIN, nonce: nonce++, maxFeePerGas: 100n, maxPriorityFeePerGas: 3n, gasLimit, to, value, data });
    const raws = [
      await sign(null, ethers.concat([Token.bytecode, ethers.AbiCoder.defaultAbiCoder().encode(["string", "string", "uint256"], ["T", "T", 10n ** 24n])])),
      await sign(bob, "0x", 12345n, 21_000n),
      await sign(token, tokenIf.encodeFunctionData("transfer", [bob, 777n]), 0n, 100_000n),
      // More than alice has: reverts, which is a valid transaction (status 0).
      await sign(token, tokenIf.encodeFunctionData("transfer", [bob, 10n ** 30n]), 0n, 100_000n),
      await sign(token, tokenIf.encodeFunctionData("approve", [bob, 5n]), 0n, 100_000n),
    ];
    for (const [i, raw] of raws.entries()) {
      const seq = BigInt(i + 1);
      const { tx } = await fillMoves({ type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] }, state, ctx(seq), ex);
      state.apply(seq, tx);
      valid.push({ tx: encodeTx(tx), ctx: ctx(seq) });
      if (i === 2) {
        callFilled = tx as WrappedTx;
        callSeq = seq;
      }
    }

    // Invalid variants of the token transfer (seq 3), one per kind of fault.
    const c = callFilled;
    const at = (t: Tx, seq = callSeq): ValidateItem => ({ tx: encodeTx(t), ctx: ctx(seq) });
    const slotMove = c.moves.findIndex((m) => m.mark === Mark.Storage && !m.ref);
    const senderNonce = c.moves.findIndex((m) => m.mark === Mark.Nonce && bytesToHex(m.addr) === alice.address.toLowerCase());
    const rawFlipped = c.raw.slice();
    rawFlipped[rawFlipped.length - 5] ^= 0x01; // inside s: another signer
    invalid.push(
      { tx: valid[2].tx.subarray(0, valid[2].tx.length - 7), ctx: ctx(callSeq) }, // truncated
      { tx: Uint8Array.of(0x09, 0x00), ctx: ctx(callSeq) }, // unknown type
      at({ ...c, raw: rawFlipped }), // another signer: its keys are undeclared
      at({ ...c, raw: Uint8Array.of(0xc0) }), // not an Ethereum transaction
      at({ ...c, moves: c.moves.map((m, j) => (j === slotMove ? { ...m, next: m.next + 1n } : m)) }), // wrong next
      at({ ...c, moves: c.moves.filter((_, j) => j !== slotMove) }), // undeclared key
      at({ ...c, moves: c.moves.map((m, j) => (j === 0 ? { ...m, mask: MaskBit.Next } : m)) }), // mask on a wrapped tx
      at({ ...c, moves: c.moves.map((m, j) => (j === senderNonce ? { ...m, prev: m.prev + 1n, next: m.next + 1n } : m)) }), // wrong nonce
      at(c, 2n), // intx not before seq
      at({ ...c, witness: [] }), // missing code
      at({ ...c, witness: [...c.witness, Uint8Array.of(0x60, 0x00)].sort((a, b) => (bytesToHex(keccak256(a)) < bytesToHex(keccak256(b)) ? -1 : 1)) }), // stray witness blob
    );
    pool = await poolP;
  });

  after(async () => {
    await pool?.terminate();
  });

  it("gives the in-thread verdict for every valid and invalid transaction, typed", async () => {
    const items = [...valid, ...invalid];
    const got = await pool.validate(items);
    expect(got).to.have.length(items.length);
    const codes = new Set<string>();
    for (const [i, v] of got.entries()) {
      const want = await inThread(items[i], ex);
      expect(plain(v), `item ${i}`).to.deep.equal(want);
      if (!v.valid) {
        expect(v.error instanceof InvalidTxError || v.error instanceof DecodeError, `item ${i} error class`).to.equal(true);
        codes.add(`${v.error.kind}/${v.error.code}`);
      }
    }
    expect(got.slice(0, valid.length).every((v) => v.valid)).to.equal(true);
    expect(got.slice(valid.length).every((v) => !v.valid)).to.equal(true);
    expect((got[3] as { valid: true; outcome: { status: number } }).outcome.status).to.equal(0); // reverted yet valid
    // The variants cover every fault kind that a standalone validator can find.
    const kinds = new Set([...codes].map((c) => c.split("/")[0]));
    expect([...kinds].sort()).to.deep.equal(["execution", "input", "malformed", "rules", "signature"]);
    expect(codes.size).to.be.greaterThan(8);
  });

  it("a known sender (the coordinator's own recovery, for its self-check) is taken, not recovered again: the same verdicts; a re-signed transaction then runs as the sender given", async () => {
    const a = hexToBytes(alice.address.toLowerCase() as `0x${string}`);
    const known = valid.map((it) => ({ ...it, sender: a }));
    expect((await pool.validate(known)).map(plain)).to.deep.equal((await pool.validate(valid)).map(plain));
    // Another signer (s flipped): recovered, its keys are undeclared; taken as alice, it runs as alice.
    const other = invalid[2];
    const recovered = (await pool.validate([other]))[0];
    expect(recovered.valid).to.equal(false);
    const given = (await pool.validate([{ ...other, sender: a }]))[0];
    expect(given.valid, "the signature was not recovered").to.equal(true);
    expect(plain(given)).to.deep.equal({ valid: true, outcome: (await validateTx(decodeTx(other.tx), other.ctx, ex, undefined, undefined, a)) });
    // Another sender than the signer is taken too (hence only the node's own recovery may be given): the
    // transfer to bob, taken as sent by bob, whose keys it declares as its recipient's, and who cannot pay.
    const bobs = (await pool.validate([{ ...valid[1], sender: hexToBytes(bob as `0x${string}`) }]))[0];
    expect(bobs.valid).to.equal(false);
    expect(!bobs.valid && `${bobs.error.kind}/${bobs.error.code}`).to.equal("rules/insufficient-balance");
  });

  it("keeps the order across chunks and workers, and with one worker", async () => {
    // 60 items, alternating valid and invalid, chunked by 3 over 2 workers.
    const items: ValidateItem[] = [];
    for (let i = 0; i < 60; i++) items.push(i % 2 ? invalid[i % invalid.length] : valid[i % valid.length]);
    const want: Plain[] = [];
    for (const it of items) want.push(await inThread(it, ex)); // one at a time: an Executor is not re-entrant
    for (const workers of [2, 1]) {
      const got = await pool.validate(items, { workers });
      expect(got.map(plain)).to.deep.equal(want);
    }
    // Several calls at once do not mix.
    const [a, b] = await Promise.all([pool.validate(items.slice(0, 25)), pool.validate(items.slice(25).reverse())]);
    expect(a.map(plain)).to.deep.equal(want.slice(0, 25));
    expect(b.map(plain)).to.deep.equal(want.slice(25).reverse());
    expect(await pool.validate([])).to.deep.equal([]);
  });

  it("leaves logs out on request", async () => {
    const [v] = await pool.validate([valid[2]], { logs: false });
    expect(v.valid && v.outcome.logs).to.deep.equal([]);
    const [w] = await pool.validate([valid[2]]);
    expect(w.valid && w.outcome.logs.length).to.equal(1);
  });

  it("finds code by hash: per item, of the chain (addCodes) or of the call (codes), these only below the item's seq", async () => {
    const stripped: ValidateItem = { tx: encodeTx({ ...callFilled, witness: [] }), ctx: ctx(callSeq) };
    const codes = Object.fromEntries(callFilled.witness.map((c) => [bytesToHex(keccak256(c)), c]));
    const [missing, perItem] = await pool.validate([stripped, { ...stripped, codes }]);
    expect(!missing.valid && missing.error.code).to.equal("missing-code");
    expect(perItem.valid).to.equal(true);
    expect(plain(perItem)).to.deep.equal(await inThread({ ...stripped, codes }, ex));
    /** The token's code as first carried by the witness of transaction `seq`. */
    const carriedAt = (seq: bigint) => new KnownCode(Object.entries(codes).map(([h, code]) => [h, { seq, code }] as const));
    const verdicts = async (o: { codes?: KnownCode } = {}) => (await pool.validate([stripped, stripped, stripped], o)).map((v) => (v.valid ? "valid" : v.error.code));
    // The call's code: carried before the item's seq only.
    expect(await verdicts({ codes: carriedAt(callSeq - 1n) })).to.deep.equal(["valid", "valid", "valid"]);
    expect(await verdicts({ codes: carriedAt(callSeq + 1n) })).to.deep.equal(["missing-code", "missing-code", "missing-code"]);
    // The chain's code: the same rule; forgotten from a seq on.
    pool.addCodes(carriedAt(callSeq));
    expect(await verdicts()).to.deep.equal(["missing-code", "missing-code", "missing-code"]);
    pool.addCodes(carriedAt(1n)); // carried earlier than known: the earlier seq counts
    expect(await verdicts()).to.deep.equal(["valid", "valid", "valid"]);
    pool.forgetCodes(2n);
    expect(await verdicts()).to.deep.equal(["valid", "valid", "valid"]);
    pool.forgetCodes(1n);
    expect(await verdicts()).to.deep.equal(["missing-code", "missing-code", "missing-code"]);
  });

  it("a batch's code: a transaction may use what an earlier transaction's witness carries, not a later one's", async () => {
    // valid[2] (seq 3) and valid[4] (seq 5) both call the token; each carries its code.
    const t3 = decodeTx(valid[2].tx) as WrappedTx;
    const t5 = decodeTx(valid[4].tx) as WrappedTx;
    const items = (carry3: boolean, carry5: boolean): ValidateItem[] => [
      { tx: encodeTx({ ...t3, witness: carry3 ? t3.witness : [] }), ctx: ctx(3n) },
      { tx: encodeTx({ ...t5, witness: carry5 ? t5.witness : [] }), ctx: ctx(5n) },
    ];
    const run = async (its: ValidateItem[]) => {
      const codes = new KnownCode();
      for (const it of its) codes.addTx(it.ctx.seq, decodeTx(it.tx));
      return (await pool.validate(its, { codes, workers: 2 })).map((v) => (v.valid ? "valid" : v.error.code));
    };
    expect(await run(items(true, false))).to.deep.equal(["valid", "valid"]);
    expect(await run(items(false, true))).to.deep.equal(["missing-code", "valid"]);
    expect(await run(items(false, false))).to.deep.equal(["missing-code", "missing-code"]);
  });

  it("reports a failure of the validator as a ValidatePoolError, replaces a dead worker, and terminates cleanly", async () => {
    // A preload that makes the worker fail on purpose: 0xfe throws a plain Error, 0xfd kills the thread.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-pool-"));
    const preload = path.join(dir, "fail.js");
    const txModule = path.resolve(__dirname, "../../../core/tx.ts");
    fs.writeFileSync(
      preload,
      `const tx = require(${JSON.stringify(txModule)});\nconst decode = tx.decodeTx;\n` +
        `tx.decodeTx = (b) => { if (b[0] === 0xfe) throw new Error("boom"); if (b[0] === 0xfd) process.exit(7); return decode(b); };\n`,
    );
    const p = await ValidatePool.create(1, { chainIds: [CHAIN], preload: [preload] });
    try {
      const stripped: ValidateItem = { tx: encodeTx({ ...callFilled, witness: [] }), ctx: ctx(callSeq) };
      p.addCodes(callFilled.witness.map((code) => [bytesToHex(keccak256(code)), { seq: 1n, code }] as const));
      const boom = { tx: Uint8Array.of(0xfe), ctx: ctx(1n) };
      const die = { tx: Uint8Array.of(0xfd), ctx: ctx(1n) };
      const e1 = await p.validate([valid[0], boom]).then(() => undefined, (e) => e);
      expect(e1).to.be.instanceOf(ValidatePoolError);
      expect(e1.code).to.equal("internal");
      expect(e1.message).to.contain("boom");
      expect(e1.itemIndex).to.equal(1);
      const e2 = await p.validate([die]).then(() => undefined, (e) => e);
      expect(e2).to.be.instanceOf(ValidatePoolError);
      expect(e2.code).to.equal("worker-died");
      // A replacement worker takes over, and knows the chain's code.
      const again = await p.validate([...valid, stripped]);
      expect(again.every((v) => v.valid)).to.equal(true);
      // Terminate while a call is in flight: it is refused, and so is every later call.
      const inFlight = p.validate([...valid, ...valid, ...valid]).then(() => undefined, (e) => e);
      await p.terminate();
      const e3 = await inFlight;
      expect(e3).to.be.instanceOf(ValidatePoolError);
      expect(e3.code).to.equal("terminated");
      const e4 = await p.validate(valid).then(() => undefined, (e) => e);
      expect(e4.code).to.equal("terminated");
      expect(() => p.addCodes([])).to.throw(ValidatePoolError);
      expect(() => p.forgetCodes(0n)).to.throw(ValidatePoolError);
      await p.terminate(); // idempotent
    } finally {
      await p.terminate();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a pool size that is not a positive integer", async () => {
    for (const n of [0, -1, 1.5]) {
      const e = await ValidatePool.create(n).then(() => undefined, (err) => err);
      expect(e).to.be.instanceOf(RangeError);
    }
  });
});
