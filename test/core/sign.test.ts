/**
 * Mask signing semantics (core/sign.ts, core/moves.ts): the signature covers every transaction
 * field and, of each move, exactly the fields its mask selects; everything else is the
 * coordinator's to fill.
 */
import { expect } from "chai";
import { Wallet, getBytes } from "ethers";
import { secp256k1 } from "ethereum-cryptography/secp256k1.js";
import { InvalidTxError } from "../../core/errors";
import { bytesToHex, MAX_U256 } from "../../core/bytes";
import { Mark } from "../../core/keys";
import { Move, MASK_ALL, MaskBit, moveSigCommitment, movesSigDigest } from "../../core/moves";
import { MoveTx, TxType, encodeTx, decodeTx, canonicalWitness } from "../../core/tx";
import { moveTxSighash, signMoveTx, recoverMoveTxSender, addressOfPrivateKey, txId } from "../../core/sign";

const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const N = secp256k1.CURVE.n;

const addr = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 17 + i) & 0xff);
const A = addr(1);
const B = addr(2);
const C = addr(3);
const D = addr(4);

function mv(p: Partial<Move> & Pick<Move, "mark" | "addr">): Move {
  const prev = p.prev ?? 0n;
  return { mask: 0, ref: false, intx: 0n, slot: 0n, prev, next: p.ref ? prev : (p.next ?? 0n), ...p };
}

/** Moves with a spread of masks, sorted by key. */
function moves(): Move[] {
  return [
    // the sender's own account: fully signed, except the nonce's producer
    mv({ mark: Mark.Balance, addr: A, intx: 7n, prev: 1000n, next: 900n, mask: MASK_ALL }),
    mv({ mark: Mark.Nonce, addr: A, intx: 7n, prev: 4n, next: 5n, mask: MASK_ALL & ~MaskBit.Intx }),
    // contract code, read by reference: key and kind signed, the version left to the coordinator
    mv({ mark: Mark.Code, addr: B, intx: 1n, prev: 0xc0den, ref: true, mask: MaskBit.Mark | MaskBit.Addr | MaskBit.Slot | MaskBit.Kind }),
    // a contested pool slot: key signed, values filled late
    mv({ mark: Mark.Storage, addr: B, intx: 3n, slot: 8n, prev: 50n, next: 60n, mask: MaskBit.Mark | MaskBit.Addr | MaskBit.Slot | MaskBit.Kind }),
    // a slot whose outcome the user insists on, wherever it comes from
    mv({ mark: Mark.Storage, addr: B, intx: 3n, slot: 9n, prev: 1n, next: 2n, mask: MaskBit.Addr | MaskBit.Slot | MaskBit.Next }),
    // only the value read is signed
    mv({ mark: Mark.Storage, addr: C, intx: 5n, slot: 1n, prev: 77n, ref: true, mask: MaskBit.Prev }),
    // unsigned, coordinator-added
    mv({ mark: Mark.Storage, addr: C, intx: 6n, slot: 2n, prev: 0n, next: 3n, mask: 0 }),
  ];
}

function baseTx(): MoveTx {
  return signMoveTx(
    {
      type: TxType.Move,
      chainId: 31337n,
      nonce: 4n,
      maxPriorityFeePerGas: 2n,
      maxFeePerGas: 100n,
      gasLimit: 90_000n,
      to: B,
      value: 10n,
      data: Uint8Array.of(1, 2, 3),
      moves: moves(),
      witness: [],
      sig: { yParity: 0, r: 0n, s: 0n },
    },
    getBytes(KEY0),
  );
}

const clone = (tx: MoveTx): MoveTx => structuredClone(tx);

/** The recovered sender as hex, or null when recovery throws InvalidTxError bad-signature. */
function signer(tx: MoveTx): string | null {
  try {
    return bytesToHex(recoverMoveTxSender(tx));
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidTxError);
    expect((e as InvalidTxError).code).to.equal("bad-signature");
    expect((e as InvalidTxError).kind).to.equal("signature");
    return null;
  }
}

const SENDER = new Wallet(KEY0).address.toLowerCase();

function expectValid(tx: MoveTx, what: string): void {
  expect(signer(tx), what).to.equal(SENDER);
  // and the same after a trip through the canonical encoding
  expect(signer(decodeTx(encodeTx(tx)) as MoveTx), `${what} (decoded)`).to.equal(SENDER);
}

function expectBroken(tx: MoveTx, what: string): void {
  expect(signer(tx), what).to.not.equal(SENDER);
}

/** Changes the field that mask bit `bit` covers, keeping the move encodable. */
function mutateField(m: Move, bit: number): void {
  switch (bit) {
    case MaskBit.Mark:
      // swap between two marks of the same slot-ness
      if (m.mark === Mark.Storage) m.mark = Mark.Fee;
      else if (m.mark === Mark.Balance) m.mark = Mark.Nonce;
      else m.mark = Mark.Balance;
      break;
    case MaskBit.Intx:
      m.intx += 1n;
      break;
    case MaskBit.Addr:
      m.addr = D;
      break;
    case MaskBit.Slot:
      if (m.mark === Mark.Balance || m.mark === Mark.Nonce || m.mark === Mark.Code) {
        // account marks have slot 0 in every encoding; an in-memory change must still be covered
        m.slot = 1n;
      } else m.slot += 100n;
      break;
    case MaskBit.Prev:
      m.prev += 1n;
      if (m.ref) m.next = m.prev;
      break;
    case MaskBit.Next:
      m.next += 1n;
      break;
    case MaskBit.Kind:
      m.ref = !m.ref;
      // a reference move has next == prev: align whichever of the two the mask leaves open
      if (m.ref && !(m.mask & MaskBit.Prev)) m.prev = m.next;
      else if (m.ref && !(m.mask & MaskBit.Next)) m.next = m.prev;
      break;
  }
}

const BITS: [string, number][] = Object.entries(MaskBit);

describe("core/sign", () => {
  it("recoverMoveTxSender returns the signer", () => {
    const tx = baseTx();
    expect(signer(tx)).to.equal(SENDER);
    expect(bytesToHex(addressOfPrivateKey(getBytes(KEY0)))).to.equal(SENDER);
    const tx1 = signMoveTx(clone(tx), getBytes(KEY1));
    expect(signer(tx1)).to.equal(new Wallet(KEY1).address.toLowerCase());
    expect(tx.sig.s <= N >> 1n).to.equal(true);
  });

  it("signing is deterministic", () => {
    expect(baseTx().sig).to.deep.equal(baseTx().sig);
  });

  describe("fields a mask leaves open may be filled", () => {
    for (const [name, bit] of BITS) {
      it(`changing ${name} of every move whose mask lacks it`, () => {
        const base = baseTx();
        let tried = 0;
        for (let i = 0; i < base.moves.length; i++) {
          if (base.moves[i].mask & bit) continue;
          // Next of a reference move is prev; it is filled by filling prev (tested under Prev)
          if (bit === MaskBit.Next && base.moves[i].ref) continue;
          const tx = clone(base);
          mutateField(tx.moves[i], bit);
          expectValid(tx, `move ${i} ${name}`);
          tried++;
        }
        expect(tried).to.be.greaterThan(0);
      });
    }

    it("filling prev, next and intx of the pool move together", () => {
      const tx = clone(baseTx());
      Object.assign(tx.moves[3], { intx: 99n, prev: 1234n, next: MAX_U256 });
      expectValid(tx, "filled pool");
    });

    it("appending, changing and dropping mask-0 moves", () => {
      const base = baseTx();
      const added = clone(base);
      added.moves.push(mv({ mark: Mark.Storage, addr: D, intx: 1n, slot: 5n, prev: 1n, next: 2n }));
      expectValid(added, "appended");
      const two = clone(added);
      two.moves.push(mv({ mark: Mark.Balance, addr: D, intx: 2n, prev: 3n, ref: true }));
      expectValid(two, "two appended");
      const changed = clone(base);
      Object.assign(changed.moves[6], { addr: D, slot: 0n, mark: Mark.Balance, intx: 0n, prev: 5n, next: 5n, ref: true });
      expectValid(changed, "unsigned move rewritten");
      const dropped = clone(base);
      dropped.moves.splice(6, 1);
      expectValid(dropped, "unsigned move dropped");
    });

    it("reordering moves", () => {
      const tx = clone(baseTx());
      tx.moves.reverse();
      expect(signer(tx)).to.equal(SENDER);
      const rot = clone(baseTx());
      rot.moves.push(rot.moves.shift()!);
      expect(signer(rot)).to.equal(SENDER);
    });

    it("changing the witness", () => {
      const tx = clone(baseTx());
      tx.witness = canonicalWitness([Uint8Array.of(0x60, 0x00), Uint8Array.of(0x00)]);
      expectValid(tx, "witness");
    });

    it("the txId does not change under filling", () => {
      const base = baseTx();
      const filled = clone(base);
      Object.assign(filled.moves[3], { intx: 99n, prev: 1n, next: 2n });
      filled.moves.push(mv({ mark: Mark.Storage, addr: D, slot: 1n, next: 1n }));
      expect(bytesToHex(txId(filled))).to.equal(bytesToHex(txId(base)));
      expect(bytesToHex(encodeTx(filled))).to.not.equal(bytesToHex(encodeTx(base)));
    });
  });

  describe("changing a signed field breaks the signature", () => {
    const txFields: [string, (tx: MoveTx) => void][] = [
      ["chainId", (t) => (t.chainId += 1n)],
      ["nonce", (t) => (t.nonce += 1n)],
      ["maxPriorityFeePerGas", (t) => (t.maxPriorityFeePerGas += 1n)],
      ["maxFeePerGas", (t) => (t.maxFeePerGas += 1n)],
      ["gasLimit", (t) => (t.gasLimit += 1n)],
      ["to (another address)", (t) => (t.to = D)],
      ["to (create)", (t) => (t.to = null)],
      ["value", (t) => (t.value += 1n)],
      ["data (a byte)", (t) => (t.data = Uint8Array.of(1, 2, 4))],
      ["data (appended)", (t) => (t.data = Uint8Array.of(1, 2, 3, 0))],
      ["data (emptied)", (t) => (t.data = new Uint8Array(0))],
      ["sig.r", (t) => (t.sig.r = (t.sig.r + 1n) % N)],
      ["sig.s", (t) => (t.sig.s -= 1n)],
      ["sig.yParity", (t) => (t.sig.yParity ^= 1)],
    ];
    for (const [name, f] of txFields) {
      it(`transaction field ${name}`, () => {
        const tx = clone(baseTx());
        f(tx);
        expectBroken(tx, name);
      });
    }

    for (const [name, bit] of BITS) {
      it(`${name} of every move whose mask has it`, () => {
        const base = baseTx();
        let tried = 0;
        for (let i = 0; i < base.moves.length; i++) {
          if (!(base.moves[i].mask & bit)) continue;
          const tx = clone(base);
          mutateField(tx.moves[i], bit);
          expectBroken(tx, `move ${i} ${name}`);
          tried++;
        }
        expect(tried).to.be.greaterThan(0);
      });
    }

    it("a mask itself (adding, removing a bit, or zeroing it)", () => {
      const base = baseTx();
      for (let i = 0; i < base.moves.length; i++) {
        for (let bit = 1; bit <= MASK_ALL; bit <<= 1) {
          const tx = clone(base);
          tx.moves[i].mask ^= bit;
          expectBroken(tx, `move ${i} mask ^ ${bit}`);
        }
        if (base.moves[i].mask !== 0) {
          const tx = clone(base);
          tx.moves[i].mask = 0;
          expectBroken(tx, `move ${i} mask zeroed`);
        }
      }
    });

    it("dropping a signed move, or adding a signed one", () => {
      const base = baseTx();
      for (let i = 0; i < base.moves.length; i++) {
        if (base.moves[i].mask === 0) continue;
        const tx = clone(base);
        tx.moves.splice(i, 1);
        expectBroken(tx, `drop ${i}`);
      }
      const dup = clone(base);
      dup.moves.push({ ...dup.moves[0] });
      expectBroken(dup, "signed move repeated");
      const extra = clone(base);
      extra.moves.push(mv({ mark: Mark.Storage, addr: D, slot: 1n, mask: MaskBit.Prev }));
      expectBroken(extra, "signed move added");
    });

    it("through the encoding: a flipped byte in a signed field", () => {
      const b = encodeTx(baseTx());
      // byte 1 is the chainId varint's first byte; the final 65 bytes are yParity, r, s
      for (const at of [1, b.length - 65, b.length - 64, b.length - 1]) {
        const c = Uint8Array.from(b);
        c[at] ^= 0x01;
        let decoded: MoveTx | undefined;
        try {
          decoded = decodeTx(c) as MoveTx;
        } catch {
          continue; // not canonical any more: rejected even earlier
        }
        expectBroken(decoded, `byte ${at}`);
      }
    });
  });

  describe("signature scalars", () => {
    it("rejects high-s (the malleated twin of a valid signature)", () => {
      const tx = baseTx();
      const hi = clone(tx);
      hi.sig = { yParity: tx.sig.yParity ^ 1, r: tx.sig.r, s: N - tx.sig.s };
      // it is a valid ECDSA signature of the same key...
      const pub = new secp256k1.Signature(hi.sig.r, hi.sig.s).addRecoveryBit(hi.sig.yParity).recoverPublicKey(moveTxSighash(hi));
      expect(bytesToHex(pub.toRawBytes(true))).to.equal(bytesToHex(secp256k1.getPublicKey(getBytes(KEY0), true)));
      // ...that the protocol rejects
      expect(() => recoverMoveTxSender(hi)).to.throw(InvalidTxError).with.property("code", "bad-signature");
    });

    it("rejects r outside [1, n-1] and s outside [1, n/2]", () => {
      const tx = baseTx();
      for (const sig of [
        { r: 0n, s: tx.sig.s },
        { r: N, s: tx.sig.s },
        { r: N + 1n, s: tx.sig.s },
        { r: tx.sig.r, s: 0n },
        { r: tx.sig.r, s: (N >> 1n) + 1n },
        { r: tx.sig.r, s: N - 1n },
      ]) {
        const t = clone(tx);
        t.sig = { ...t.sig, ...sig };
        expect(() => recoverMoveTxSender(t)).to.throw(InvalidTxError).with.property("code", "bad-signature");
      }
      const t = clone(tx);
      t.sig = { ...t.sig, s: N >> 1n };
      expect(signer(t)).to.not.equal(SENDER);
    });
  });

  describe("sighash parts", () => {
    it("the moves' digest ignores unsigned moves and order", () => {
      const ms = moves();
      const signed = ms.filter((m) => m.mask !== 0);
      expect(bytesToHex(movesSigDigest(ms))).to.equal(bytesToHex(movesSigDigest(signed)));
      expect(bytesToHex(movesSigDigest([...ms].reverse()))).to.equal(bytesToHex(movesSigDigest(ms)));
      expect(bytesToHex(movesSigDigest([]))).to.equal(bytesToHex(movesSigDigest([ms[6]])));
    });

    it("a move's commitment depends on exactly its masked fields", () => {
      const m = mv({ mark: Mark.Storage, addr: A, intx: 3n, slot: 4n, prev: 5n, next: 5n });
      for (const [, bit] of BITS) {
        const mask = MASK_ALL & ~bit;
        const a = { ...m, mask };
        const b = { ...m, mask };
        mutateField(b, bit);
        expect(bytesToHex(moveSigCommitment(a))).to.equal(bytesToHex(moveSigCommitment(b)));
        const c = { ...m, mask: MASK_ALL };
        const d = { ...m, mask: MASK_ALL };
        mutateField(d, bit);
        expect(bytesToHex(moveSigCommitment(c))).to.not.equal(bytesToHex(moveSigCommitment(d)));
      }
    });
  });
});
