/**
 * The three transaction shapes (core/tx.ts): canonical round trips and the strict decoder's
 * rejections.
 */
import { expect } from "chai";
import { Wallet, Transaction, getBytes } from "ethers";
import { Writer } from "../../core/codec";
import { DecodeError, DecodeCode } from "../../core/errors";
import { keccak256, compareBytes, MAX_U256, MAX_U64 } from "../../core/bytes";
import { Mark } from "../../core/keys";
import { Move, MASK_ALL, MaskBit, MARK_SAME_ADDR, encodeMove, moveSigCommitment } from "../../core/moves";
import { DepositTx, MoveTx, Tx, TxType, WrappedTx, LIMITS, encodeTx, decodeTx, canonicalWitness, txLeaf } from "../../core/tx";
import { leafHash } from "../../core/merkle";
import { signMoveTx, recoverMoveTxSender } from "../../core/sign";

const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const CHAIN_ID = 31337n;

const addr = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 17 + i) & 0xff);
const code = (s: string) => new TextEncoder().encode(s);

function expectDecodeError(f: () => unknown, code: DecodeCode): DecodeError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected DecodeError ${code}, got ${String(err)}`).to.be.instanceOf(DecodeError);
  expect((err as DecodeError).code).to.equal(code);
  return err as DecodeError;
}

function mv(p: Partial<Move> & Pick<Move, "mark" | "addr">): Move {
  const prev = p.prev ?? 0n;
  return { mask: 0, ref: false, intx: 0n, slot: 0n, prev, next: p.ref ? prev : (p.next ?? 0n), ...p };
}

/** One move encoded alone (as the first of a list). */
function enc1(m: Move): Uint8Array {
  const w = new Writer();
  encodeMove(w, m);
  return w.finish();
}

const A = addr(1);
const B = addr(2);
const C = addr(3);
const CODE_B = code("\x60\x00\x60\x00\xf3 contract B");
const CODE_C = code("\x60\x01\x60\x00\xf3 contract C");

/** Moves covering every mark, reference and consuming, signed and unsigned, extreme values. */
const MOVES: Move[] = [
  mv({ mark: Mark.Balance, addr: A, intx: 7n, prev: 10n ** 18n, next: 10n ** 18n - 21000n, mask: MASK_ALL }),
  mv({ mark: Mark.Nonce, addr: A, intx: 7n, prev: 4n, next: 5n, mask: MASK_ALL & ~MaskBit.Intx }),
  mv({ mark: Mark.Code, addr: B, intx: 1n, prev: 0x1234n, ref: true, mask: MaskBit.Mark | MaskBit.Addr | MaskBit.Kind }),
  mv({ mark: Mark.Storage, addr: B, intx: MAX_U64, slot: 0n, prev: 0n, next: 1n }),
  mv({ mark: Mark.Storage, addr: B, intx: 3n, slot: MAX_U256, prev: MAX_U256, next: 0n, mask: MaskBit.Slot | MaskBit.Addr }),
  mv({ mark: Mark.Storage, addr: B, intx: 2n, slot: MAX_U256 - 1n, prev: 5n, ref: true }),
  mv({ mark: Mark.Fee, addr: C, intx: 0n, slot: 99n, prev: 0n, next: 777n }),
  mv({ mark: Mark.Withdrawal, addr: C, intx: 0n, slot: 99n, prev: 0n, next: 1n, mask: MASK_ALL }),
];

function deposit(moves = [mv({ mark: Mark.Balance, addr: B, intx: 0n, prev: 0n, next: 5n })]): DepositTx {
  return { type: TxType.Deposit, index: 42n, from: A, to: B, value: 5n, moves };
}

function moveTx(p: Partial<MoveTx> = {}): MoveTx {
  const tx: MoveTx = {
    type: TxType.Move,
    chainId: CHAIN_ID,
    nonce: 4n,
    maxPriorityFeePerGas: 1n,
    maxFeePerGas: 10n ** 9n,
    gasLimit: 100_000n,
    to: B,
    value: 3n,
    data: Uint8Array.of(0xa9, 0x05, 0x9c, 0xbb),
    moves: MOVES.map((m) => ({ ...m })),
    witness: canonicalWitness([CODE_B, CODE_C]),
    sig: { yParity: 0, r: 0n, s: 0n },
    ...p,
  };
  return signMoveTx(tx, getBytes(KEY0));
}

function wrapped(raw: Uint8Array, moves: Move[] = MOVES.map((m) => ({ ...m, mask: 0 })), witness = canonicalWitness([CODE_B])): WrappedTx {
  return { type: TxType.Wrapped, raw, moves, witness };
}

function roundTrip(tx: Tx): Uint8Array {
  const b = encodeTx(tx);
  const back = decodeTx(b);
  expect(back).to.deep.equal(tx);
  expect(encodeTx(back)).to.deep.equal(b);
  expect(txLeaf(tx, 21_000n)).to.deep.equal(leafHash(21_000n, b));
  expect(txLeaf(b, 0n)).to.deep.equal(leafHash(0n, b));
  // the leaf commits to the declared gas
  expect(txLeaf(b, 1n)).to.not.deep.equal(leafHash(0n, b));
  return b;
}

describe("core/tx", () => {
  const wallet = new Wallet(KEY0);
  const raws: Record<string, Uint8Array> = {};

  before(async () => {
    const common = { chainId: CHAIN_ID, nonce: 9, gasLimit: 50_000n, value: 12345n, data: "0xdeadbeef" };
    raws.legacy = getBytes(await wallet.signTransaction({ ...common, type: 0, to: "0x" + Buffer.from(B).toString("hex"), gasPrice: 7n }));
    raws.eip2930 = getBytes(
      await wallet.signTransaction({
        ...common,
        type: 1,
        to: "0x" + Buffer.from(B).toString("hex"),
        gasPrice: 7n,
        accessList: [{ address: "0x" + Buffer.from(C).toString("hex"), storageKeys: ["0x" + "00".repeat(31) + "01"] }],
      }),
    );
    raws.eip1559 = getBytes(
      await wallet.signTransaction({ ...common, type: 2, to: "0x" + Buffer.from(B).toString("hex"), maxFeePerGas: 100n, maxPriorityFeePerGas: 2n }),
    );
    raws.eip1559create = getBytes(await wallet.signTransaction({ ...common, type: 2, to: null, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n }));
  });

  /** One valid encoding of each shape and variant, for the rejection tests. */
  function samples(): Record<string, Uint8Array> {
    return {
      deposit: encodeTx(deposit()),
      depositNoMoves: encodeTx(deposit([])),
      moveCall: encodeTx(moveTx()),
      moveCreate: encodeTx(moveTx({ to: null, data: code("init code"), witness: [] })),
      wrappedLegacy: encodeTx(wrapped(raws.legacy)),
      wrapped2930: encodeTx(wrapped(raws.eip2930)),
      wrapped1559: encodeTx(wrapped(raws.eip1559, [], [])),
    };
  }

  describe("round trips", () => {
    it("deposit", () => {
      const b = roundTrip(deposit());
      expect(b[0]).to.equal(TxType.Deposit);
      roundTrip(deposit([]));
      roundTrip({ ...deposit(MOVES), index: MAX_U64, value: MAX_U256 });
      roundTrip({ ...deposit(), index: 0n, value: 0n });
    });

    it("move tx: call with storage, account, reference and output moves", () => {
      const tx = moveTx();
      const b = roundTrip(tx);
      expect(b[0]).to.equal(TxType.Move);
      const back = decodeTx(b) as MoveTx;
      expect(back.to).to.deep.equal(B);
      // storage moves keep their slots; account moves carry slot 0
      expect(back.moves.map((m) => m.slot)).to.deep.equal(MOVES.map((m) => m.slot));
      expect(back.moves.filter((m) => m.ref).map((m) => m.next === m.prev)).to.deep.equal([true, true]);
      expect(Buffer.from(recoverMoveTxSender(back)).toString("hex")).to.equal(wallet.address.slice(2).toLowerCase());
    });

    it("move tx: create, empty data, no moves, no witness", () => {
      const tx = moveTx({ to: null, data: new Uint8Array(0), moves: [], witness: [] });
      const back = decodeTx(roundTrip(tx)) as MoveTx;
      expect(back.to).to.equal(null);
    });

    it("move tx: extreme field values", () => {
      roundTrip(
        moveTx({ chainId: MAX_U64, nonce: MAX_U64, maxPriorityFeePerGas: MAX_U256, maxFeePerGas: MAX_U256, gasLimit: MAX_U64, value: MAX_U256 }),
      );
      roundTrip(moveTx({ chainId: 0n, nonce: 0n, maxPriorityFeePerGas: 0n, maxFeePerGas: 0n, gasLimit: 0n, value: 0n }));
    });

    it("account moves have no slot in the encoding, storage moves do", () => {
      const enc = enc1;
      const acct = enc(mv({ mark: Mark.Balance, addr: A, prev: 1n, next: 2n }));
      const stor = enc(mv({ mark: Mark.Storage, addr: A, slot: 0n, prev: 1n, next: 2n }));
      const stor5 = enc(mv({ mark: Mark.Storage, addr: A, slot: 5n, prev: 1n, next: 2n }));
      // flags, mark, intx, addr(20), [slot], prev, next
      expect(acct.length).to.equal(1 + 1 + 1 + 20 + 2 + 2);
      expect(stor.length).to.equal(acct.length + 1);
      expect(stor5.length).to.equal(acct.length + 2);
      const ref = enc(mv({ mark: Mark.Code, addr: A, prev: 9n, ref: true, mask: MaskBit.Kind }));
      expect(ref.length).to.equal(1 + 1 + 1 + 20 + 2);
      expect(ref[0]).to.equal(0x80 | MaskBit.Kind);
    });

    for (const [name, t] of [
      ["legacy (type 0)", 0],
      ["EIP-2930 (type 1)", 1],
      ["EIP-1559 (type 2)", 2],
    ] as const) {
      it(`wrapped ${name} signed by ethers`, () => {
        const raw = { 0: raws.legacy, 1: raws.eip2930, 2: raws.eip1559 }[t];
        const b = roundTrip(wrapped(raw));
        expect(b[0]).to.equal(TxType.Wrapped);
        const back = decodeTx(b) as WrappedTx;
        expect(back.raw).to.deep.equal(raw);
        const eth = Transaction.from("0x" + Buffer.from(back.raw).toString("hex"));
        expect(eth.type).to.equal(t);
        expect(eth.from).to.equal(wallet.address);
        expect(eth.chainId).to.equal(CHAIN_ID);
        roundTrip(wrapped(raw, [], []));
      });
    }

    it("wrapped contract creation", () => {
      const back = decodeTx(roundTrip(wrapped(raws.eip1559create))) as WrappedTx;
      expect(Transaction.from("0x" + Buffer.from(back.raw).toString("hex")).to).to.equal(null);
    });

    it("the maximum counts are accepted", () => {
      const many = Array.from({ length: LIMITS.maxMoves }, (_, i) => mv({ mark: Mark.Storage, addr: A, slot: BigInt(i), prev: 0n, next: 1n }));
      // (re-encoding instead of a deep comparison keeps this fast)
      const b1 = encodeTx(deposit(many));
      const d = decodeTx(b1) as DepositTx;
      expect(d.moves.length).to.equal(LIMITS.maxMoves);
      expect(Buffer.from(encodeTx(d)).equals(b1)).to.equal(true);
      const codes = Array.from({ length: LIMITS.maxWitness }, (_, i) => Uint8Array.of(i & 0xff, i >> 8));
      const b2 = encodeTx(wrapped(raws.eip1559, [], canonicalWitness(codes)));
      const w = decodeTx(b2) as WrappedTx;
      expect(w.witness.length).to.equal(LIMITS.maxWitness);
      expect(Buffer.from(encodeTx(w)).equals(b2)).to.equal(true);
      const big = new Uint8Array(LIMITS.maxCode).fill(0x5b);
      const b3 = encodeTx(wrapped(raws.eip1559, [], [big]));
      expect(Buffer.from(encodeTx(decodeTx(b3))).equals(b3)).to.equal(true);
    });
  });

  describe("rejections", () => {
    it("every truncation of every valid encoding", () => {
      for (const [name, b] of Object.entries(samples())) {
        for (let cut = 0; cut < b.length; cut++) {
          let err: unknown;
          try {
            decodeTx(b.subarray(0, cut));
          } catch (e) {
            err = e;
          }
          expect(err, `${name} cut at ${cut}`).to.be.instanceOf(DecodeError);
          expect((err as DecodeError).code, `${name} cut at ${cut}`).to.equal("truncated");
        }
      }
    });

    it("trailing bytes", () => {
      for (const b of Object.values(samples())) {
        for (const extra of [[0], [0xff, 0xff]]) {
          const e = expectDecodeError(() => decodeTx(Uint8Array.from([...b, ...extra])), "trailing-bytes");
          expect(e.offset).to.equal(b.length);
        }
        // two transactions back to back are not one transaction
        expectDecodeError(() => decodeTx(Uint8Array.from([...b, ...b])), "trailing-bytes");
      }
    });

    it("unknown transaction type", () => {
      for (const t of [0x03, 0x04, 0x7f, 0xff]) {
        const b = encodeTx(deposit());
        b[0] = t;
        expectDecodeError(() => decodeTx(b), "unknown-type");
      }
      expectDecodeError(() => decodeTx(Uint8Array.of(0x03)), "unknown-type");
    });

    it("unknown mark", () => {
      for (const mark of [0x00, 0x61, 0x78, 0x7f]) {
        const bad = mv({ mark, addr: A, slot: 1n, prev: 0n, next: 1n });
        expectDecodeError(() => decodeTx(encodeTx(deposit([bad]))), "invalid-value");
        expectDecodeError(() => decodeTx(encodeTx(wrapped(raws.legacy, [bad], []))), "invalid-value");
      }
      // patch the mark byte of a valid encoding
      const b = encodeTx(deposit());
      const markAt = new Writer().u8(0).varint(42n).fixed(A, 20).fixed(B, 20).u256c(5n).varint(1).u8(0).finish().length;
      expect(b[markAt]).to.equal(Mark.Balance);
      b[markAt] = 0x78;
      const e = expectDecodeError(() => decodeTx(b), "invalid-value");
      expect(e.offset).to.equal(markAt);
      b[markAt] = 0xff; // unknown mark 0x7f, with the back-reference bit
      expect(expectDecodeError(() => decodeTx(b), "invalid-value").offset).to.equal(markAt);
    });

    it("address back-references: set exactly where a move's address is the previous move's", () => {
      const tx = wrapped(raws.legacy, MOVES, []);
      const b = encodeTx(tx);
      const alone = MOVES.reduce((n, m) => n + enc1(m).length, 0);
      const repeats = MOVES.filter((m, i) => i > 0 && compareBytes(m.addr, MOVES[i - 1].addr) === 0).length;
      expect(repeats).to.equal(5);
      expect(b.length).to.equal(encodeTx(wrapped(raws.legacy, [], [])).length + alone - 20 * repeats);
      expect(decodeTx(b)).to.deep.equal(tx);
      // the mark bytes, in order: the bit on every repeat
      const r = new Writer().u8(TxType.Wrapped).bytes(raws.legacy).varint(MOVES.length).finish().length;
      const marks: number[] = [];
      for (let i = 0, at = r; i < MOVES.length; i++) {
        marks.push(b[at + 1]);
        at += enc1(MOVES[i]).length - (i > 0 && compareBytes(MOVES[i].addr, MOVES[i - 1].addr) === 0 ? 20 : 0);
      }
      expect(marks).to.deep.equal(MOVES.map((m, i) => m.mark | (i > 0 && compareBytes(m.addr, MOVES[i - 1].addr) === 0 ? MARK_SAME_ADDR : 0)));
      // a deposit's only move cannot refer back; the zero address refers back like any other
      const d = encodeTx(deposit());
      d[d.length - enc1(deposit().moves[0]).length + 1] |= MARK_SAME_ADDR;
      expectDecodeError(() => decodeTx(d), "invalid-value");
      const zero = new Uint8Array(20);
      const zs = [mv({ mark: Mark.Balance, addr: zero, prev: 1n, next: 2n }), mv({ mark: Mark.Nonce, addr: zero })];
      const z = wrapped(raws.legacy, zs, []);
      expect(encodeTx(z).length).to.equal(encodeTx(wrapped(raws.legacy, [], [])).length + enc1(zs[0]).length + enc1(zs[1]).length - 20);
      expect(decodeTx(encodeTx(z))).to.deep.equal(z);
    });

    it("address back-references: an address written out again is non-canonical, at its mark byte", () => {
      const [m0, m1] = MOVES;
      const w = new Writer().u8(TxType.Wrapped).bytes(raws.legacy).varint(2);
      encodeMove(w, m0);
      const markAt = w.finish().length + 1;
      encodeMove(w, m1); // as if first: the address written out
      const b = w.varint(0).finish();
      const e = expectDecodeError(() => decodeTx(b), "non-canonical");
      expect(e.offset).to.equal(markAt);
    });

    /** Offset of the to flag in a move tx encoding. */
    function toFlagOffset(tx: MoveTx): number {
      return new Writer().u8(1).varint(tx.chainId).varint(tx.nonce).u256c(tx.maxPriorityFeePerGas).u256c(tx.maxFeePerGas).varint(tx.gasLimit).finish()
        .length;
    }

    it("to flag other than 0 or 1", () => {
      for (const tx of [moveTx(), moveTx({ to: null })]) {
        const at = toFlagOffset(tx);
        for (const flag of [2, 3, 0xff]) {
          const b = encodeTx(tx);
          expect(b[at]).to.equal(tx.to ? 1 : 0);
          b[at] = flag;
          const e = expectDecodeError(() => decodeTx(b), "invalid-value");
          expect(e.offset).to.equal(at);
        }
      }
    });

    it("yParity other than 0 or 1", () => {
      for (const y of [2, 27, 28, 0xff]) {
        const b = encodeTx(moveTx());
        const at = b.length - 65;
        expect(b[at]).to.be.oneOf([0, 1]);
        b[at] = y;
        const e = expectDecodeError(() => decodeTx(b), "invalid-value");
        expect(e.offset).to.equal(at);
      }
    });

    it("witness not sorted by keccak256, or repeated", () => {
      const [lo, hi] = canonicalWitness([CODE_B, CODE_C]);
      expect(compareBytes(keccak256(lo), keccak256(hi))).to.be.lessThan(0);
      for (const witness of [[hi, lo], [lo, lo], [lo, hi, hi], [hi, lo, hi]]) {
        expectDecodeError(() => decodeTx(encodeTx(moveTx({ witness }))), "non-canonical");
        expectDecodeError(() => decodeTx(encodeTx(wrapped(raws.legacy, [], witness))), "non-canonical");
      }
      // a copy with the same bytes is still a repeat
      expectDecodeError(() => decodeTx(encodeTx(wrapped(raws.legacy, [], [lo, Uint8Array.from(lo)]))), "non-canonical");
      expect(decodeTx(encodeTx(wrapped(raws.legacy, [], [lo, hi])))).to.be.ok;
    });

    it("canonicalWitness sorts, de-duplicates and drops empty code", () => {
      const [lo, hi] = canonicalWitness([CODE_B, CODE_C]);
      expect(canonicalWitness([hi, lo, hi, new Uint8Array(0), lo])).to.deep.equal([lo, hi]);
    });

    it("empty code in the witness", () => {
      const empty = new Uint8Array(0);
      expectDecodeError(() => decodeTx(encodeTx(moveTx({ witness: [empty] }))), "non-canonical");
      expectDecodeError(() => decodeTx(encodeTx(wrapped(raws.legacy, [], [empty, CODE_B]))), "non-canonical");
    });

    it("empty raw transaction in a wrapped transaction", () => {
      expectDecodeError(() => decodeTx(encodeTx(wrapped(new Uint8Array(0), [], []))), "invalid-value");
    });

    it("counts and lengths over LIMITS", () => {
      // move count
      const dHead = new Writer().u8(0).varint(1n).fixed(A, 20).fixed(B, 20).u256c(1n);
      expectDecodeError(() => decodeTx(dHead.varint(LIMITS.maxMoves + 1).finish()), "oversized");
      const wHead = () => new Writer().u8(2).bytes(raws.legacy);
      expectDecodeError(() => decodeTx(wHead().varint(LIMITS.maxMoves + 1).finish()), "oversized");
      expectDecodeError(() => decodeTx(wHead().varint(MAX_U64).finish()), "oversized");
      // witness count
      expectDecodeError(() => decodeTx(wHead().varint(0).varint(LIMITS.maxWitness + 1).finish()), "oversized");
      // code length (the length prefix alone is rejected; no need for the bytes)
      expectDecodeError(() => decodeTx(wHead().varint(0).varint(1).varint(LIMITS.maxCode + 1).finish()), "oversized");
      const bigCode = new Uint8Array(LIMITS.maxCode + 1).fill(0x5b);
      expectDecodeError(() => decodeTx(encodeTx(wrapped(raws.legacy, [], [bigCode]))), "oversized");
      // raw transaction length
      expectDecodeError(() => decodeTx(new Writer().u8(2).varint(LIMITS.maxData + 1).finish()), "oversized");
      // data length of a move tx
      const tx = moveTx();
      const mHead = new Writer().u8(1).varint(tx.chainId).varint(tx.nonce).u256c(1n).u256c(1n).varint(1n).u8(0).u256c(0n);
      expectDecodeError(() => decodeTx(mHead.varint(LIMITS.maxData + 1).finish()), "oversized");
      // a full encoding with too many moves
      const many = Array.from({ length: LIMITS.maxMoves + 1 }, (_, i) => mv({ mark: Mark.Storage, addr: A, slot: BigInt(i), prev: 0n, next: 1n }));
      expectDecodeError(() => decodeTx(encodeTx(deposit(many))), "oversized");
      const codes = Array.from({ length: LIMITS.maxWitness + 1 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8));
      expectDecodeError(() => decodeTx(encodeTx(wrapped(raws.legacy, [], canonicalWitness(codes)))), "oversized");
    });

    it("non-canonical numbers inside a transaction", () => {
      // deposit index 0 written as 0x80 0x00
      const b1 = Uint8Array.from([0x00, 0x80, 0x00, ...A, ...B, 0x01, 0x05, 0x00]);
      expectDecodeError(() => decodeTx(b1), "non-canonical");
      expect(() => decodeTx(Uint8Array.from([0x00, 0x00, ...A, ...B, 0x01, 0x05, 0x00]))).not.to.throw();
      // deposit value 5 written as 0x02 0x00 0x05
      const b2 = Uint8Array.from([0x00, 0x00, ...A, ...B, 0x02, 0x00, 0x05, 0x00]);
      expectDecodeError(() => decodeTx(b2), "non-canonical");
      // deposit value with 33-byte length
      const b3 = Uint8Array.from([0x00, 0x00, ...A, ...B, 0x21, ...new Uint8Array(33).fill(1), 0x00]);
      expectDecodeError(() => decodeTx(b3), "oversized");
    });
  });
});

describe("core/moves: moves the encoding cannot represent are refused, not altered", () => {
  const base: Move = { mask: MaskBit.Next, ref: false, mark: Mark.Balance, intx: 0n, addr: new Uint8Array(20), slot: 0n, prev: 1n, next: 2n };
  for (const [name, m] of [
    ["a reference with next != prev", { ...base, ref: true }],
    ["a mask with bit 0x80", { ...base, mask: 0x80 | MaskBit.Next }],
    ["an account mark with a slot", { ...base, slot: 5n, mask: MaskBit.Slot }],
    ["a mark with bit 0x80 (the address back-reference bit)", { ...base, mark: 0x80 | Mark.Balance }],
  ] as Array<[string, Move]>) {
    it(`refuses ${name}`, () => {
      expect(() => encodeMove(new Writer(), m)).to.throw(RangeError);
      expect(() => moveSigCommitment(m)).to.throw(RangeError);
    });
  }
});
