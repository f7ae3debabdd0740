/**
 * The double-use walk (core/walk.ts): every rule on hand-made cases, atomicity of a faulty
 * transaction, and the join form against the sequential walk and an independent literal model on
 * many randomized, randomly corrupted scenarios.
 */
import { expect } from "chai";
import { Mark, keyId, type Key } from "../../core/keys";
import type { Move } from "../../core/moves";
import { MemoryUtxoSet, walkJoin, walkSequential, type TxMoves, type WalkFault } from "../../core/walk";
import { rng } from "../../bench/rng";

const addr = (n: number) => {
  const a = new Uint8Array(20);
  a[19] = n & 0xff;
  a[0] = (n >> 8) & 0xff;
  a[7] = (n >> 16) & 0xff;
  return a;
};
const K = (n: number, mark: number = Mark.Balance, slot = 0n): Key => ({ mark, addr: addr(n), slot });
const A = K(1);
const B = K(2);
const C = K(3, Mark.Storage, 7n);

/** A consuming move of key k from producer intx. */
function use(k: Key, intx: bigint, prev: bigint, next: bigint): Move {
  return { mask: 0, ref: false, mark: k.mark, addr: k.addr.slice(), slot: k.slot, intx, prev, next };
}
function ref(k: Key, intx: bigint, prev: bigint): Move {
  return { mask: 0, ref: true, mark: k.mark, addr: k.addr.slice(), slot: k.slot, intx, prev, next: prev };
}

describe("walk: double-use walk rules (MemoryUtxoSet)", () => {
  it("implicit genesis: every unwritten key has (0, key) = 0", () => {
    const s = new MemoryUtxoSet();
    expect(s.get(0n, A)).to.equal(0n);
    expect(s.get(1n, A)).to.equal(undefined);
    expect(s.latest(A)).to.deep.equal({ seq: 0n, value: 0n });
    expect(s.applyTx(1n, [use(A, 0n, 0n, 10n)])).to.equal(undefined);
    expect(s.get(0n, A)).to.equal(undefined);
    expect(s.spentBy(0n, A)).to.equal(1n);
    expect(s.get(1n, A)).to.equal(10n);
    expect(s.latest(A)).to.deep.equal({ seq: 1n, value: 10n });
    expect(s.applyTx(2n, [use(B, 0n, 5n, 1n)])).to.deep.equal({ kind: "input", seq: 2n, moveIndex: 0, code: "prev-mismatch", expected: 0n });
  });

  it("allocated genesis values", () => {
    const s = new MemoryUtxoSet([
      [A, 100n],
      [B, 0n],
    ]);
    expect(s.size).to.equal(1); // the zero allocation is implicit
    expect(s.get(0n, A)).to.equal(100n);
    expect(s.latest(A)).to.deep.equal({ seq: 0n, value: 100n });
    expect(s.applyTx(1n, [use(A, 0n, 0n, 1n)])).to.deep.equal({ kind: "input", seq: 1n, moveIndex: 0, code: "prev-mismatch", expected: 100n });
    expect(s.applyTx(1n, [use(A, 0n, 100n, 60n), use(B, 0n, 0n, 40n)])).to.equal(undefined);
    expect(s.get(1n, A)).to.equal(60n);
    expect(s.get(1n, B)).to.equal(40n);
    expect(() => new MemoryUtxoSet([[A, 1n], [K(1), 2n]])).to.throw(RangeError);
    expect(() => new MemoryUtxoSet([[A, 0n], [K(1), 2n]])).to.throw(RangeError);
  });

  it("consume then consume again is a double use", () => {
    const s = new MemoryUtxoSet();
    expect(s.applyTx(1n, [use(A, 0n, 0n, 5n)])).to.equal(undefined);
    expect(s.applyTx(2n, [use(B, 0n, 0n, 1n), use(A, 0n, 0n, 6n)])).to.deep.equal({
      kind: "double-use",
      seq: 2n,
      moveIndex: 1,
      code: "consumed",
      spentBy: 1n,
    });
  });

  it("a reference after a consume is a double use", () => {
    const s = new MemoryUtxoSet();
    s.applyTx(1n, [use(A, 0n, 0n, 5n)]);
    expect(s.applyTx(3n, [ref(A, 0n, 0n)])).to.deep.equal({ kind: "double-use", seq: 3n, moveIndex: 0, code: "reference-after-consume", spentBy: 1n });
  });

  it("consume after reference is fine, and a reference leaves the outpoint for others", () => {
    const s = new MemoryUtxoSet([[C, 9n]]);
    expect(s.applyTx(1n, [ref(C, 0n, 9n)])).to.equal(undefined);
    expect(s.applyTx(2n, [ref(C, 0n, 9n)])).to.equal(undefined);
    expect(s.get(0n, C)).to.equal(9n);
    expect(s.get(1n, C)).to.equal(undefined); // a reference creates nothing
    expect(s.latest(C)).to.deep.equal({ seq: 0n, value: 9n });
    expect(s.applyTx(3n, [use(C, 1n, 9n, 9n)])).to.deep.equal({ kind: "input", seq: 3n, moveIndex: 0, code: "no-such-outpoint" });
    expect(s.applyTx(3n, [use(C, 0n, 9n, 8n)])).to.equal(undefined);
    expect(s.spentBy(0n, C)).to.equal(3n);
    // Reference-only touches of implicit keys leave no records behind.
    expect(s.applyTx(4n, [ref(A, 0n, 0n), ref(B, 0n, 0n)])).to.equal(undefined);
    expect(s.size).to.equal(1);
  });

  it("prev mismatch reports the outpoint's actual value", () => {
    const s = new MemoryUtxoSet();
    s.applyTx(1n, [use(A, 0n, 0n, 77n)]);
    expect(s.applyTx(2n, [use(A, 1n, 78n, 0n)])).to.deep.equal({ kind: "input", seq: 2n, moveIndex: 0, code: "prev-mismatch", expected: 77n });
    expect(s.applyTx(2n, [ref(A, 1n, 0n)])).to.deep.equal({ kind: "input", seq: 2n, moveIndex: 0, code: "prev-mismatch", expected: 77n });
  });

  it("no such outpoint: the producer never created the key", () => {
    const s = new MemoryUtxoSet();
    s.applyTx(1n, [use(A, 0n, 0n, 1n), ref(B, 0n, 0n)]);
    s.applyTx(4n, [use(A, 1n, 1n, 2n)]); // seqs may have gaps
    const f = (m: Move) => s.applyTx(5n, [m]);
    expect(f(use(B, 1n, 0n, 1n))).to.deep.equal({ kind: "input", seq: 5n, moveIndex: 0, code: "no-such-outpoint" }); // tx 1 only referenced B
    expect(f(use(C, 1n, 0n, 1n))).to.deep.equal({ kind: "input", seq: 5n, moveIndex: 0, code: "no-such-outpoint" }); // tx 1 never touched C
    expect(f(use(A, 2n, 0n, 1n))).to.deep.equal({ kind: "input", seq: 5n, moveIndex: 0, code: "no-such-outpoint" }); // there is no tx 2
    expect(f(use(A, 3n, 0n, 1n))).to.deep.equal({ kind: "input", seq: 5n, moveIndex: 0, code: "no-such-outpoint" });
    expect(f(use(A, 4n, 2n, 3n))).to.equal(undefined);
  });

  it("intx must be before seq", () => {
    const s = new MemoryUtxoSet();
    expect(s.applyTx(1n, [use(A, 1n, 0n, 1n)])).to.deep.equal({ kind: "input", seq: 1n, moveIndex: 0, code: "intx-not-before" });
    expect(s.applyTx(1n, [use(A, 0n, 0n, 1n), ref(B, 9n, 0n)])).to.deep.equal({ kind: "input", seq: 1n, moveIndex: 1, code: "intx-not-before" });
    expect(s.lastSeq).to.equal(0n);
  });

  it("older versions: a chain of spends names the right spender", () => {
    const s = new MemoryUtxoSet();
    s.applyTx(1n, [use(A, 0n, 0n, 1n)]);
    s.applyTx(3n, [use(A, 1n, 1n, 2n)]);
    s.applyTx(6n, [use(A, 3n, 2n, 3n)]);
    expect(s.spentBy(0n, A)).to.equal(1n);
    expect(s.spentBy(1n, A)).to.equal(3n);
    expect(s.spentBy(3n, A)).to.equal(6n);
    expect(s.spentBy(6n, A)).to.equal(undefined);
    expect(s.spentBy(2n, A)).to.equal(undefined);
    expect(s.spentCount).to.equal(3);
    expect(s.applyTx(7n, [use(A, 1n, 1n, 0n)])).to.deep.include({ code: "consumed", spentBy: 3n });
    expect(s.applyTx(7n, [ref(A, 3n, 2n)])).to.deep.include({ code: "reference-after-consume", spentBy: 6n });
    expect(s.applyTx(7n, [use(A, 0n, 0n, 0n)])).to.deep.include({ code: "consumed", spentBy: 1n });
    expect(s.applyTx(7n, [use(A, 2n, 0n, 0n)])).to.deep.include({ code: "no-such-outpoint" });
    expect(s.applyTx(7n, [use(A, 5n, 0n, 0n)])).to.deep.include({ code: "no-such-outpoint" });
  });

  it("a faulty transaction changes nothing; the lowest faulty move is reported", () => {
    const s = new MemoryUtxoSet([[C, 3n]]);
    s.applyTx(1n, [use(A, 0n, 0n, 1n)]);
    const before = { size: s.size, spent: s.spentCount, last: s.lastSeq };
    const D = K(4);
    const f = s.applyTx(2n, [use(A, 1n, 1n, 2n), use(D, 0n, 0n, 5n), use(C, 0n, 4n, 0n), use(B, 1n, 0n, 0n)]);
    expect(f).to.deep.equal({ kind: "input", seq: 2n, moveIndex: 2, code: "prev-mismatch", expected: 3n });
    expect({ size: s.size, spent: s.spentCount, last: s.lastSeq }).to.deep.equal(before);
    expect(s.get(1n, A)).to.equal(1n);
    expect(s.get(2n, A)).to.equal(undefined);
    expect(s.get(0n, D)).to.equal(0n);
    expect(s.get(2n, D)).to.equal(undefined);
    expect(s.latest(D)).to.deep.equal({ seq: 0n, value: 0n });
    // The same seq can then be applied with a corrected transaction.
    expect(s.applyTx(2n, [use(A, 1n, 1n, 2n), use(D, 0n, 0n, 5n), use(C, 0n, 3n, 0n)])).to.equal(undefined);
    expect(s.get(2n, D)).to.equal(5n);
    expect(s.size).to.equal(3);
  });

  it("within one transaction earlier moves take effect first (duplicate keys)", () => {
    const s = new MemoryUtxoSet();
    expect(s.applyTx(1n, [use(A, 0n, 0n, 1n), use(A, 0n, 0n, 2n)])).to.deep.equal({ kind: "double-use", seq: 1n, moveIndex: 1, code: "consumed", spentBy: 1n });
    expect(s.applyTx(1n, [use(A, 0n, 0n, 1n), ref(A, 0n, 0n)])).to.deep.include({ code: "reference-after-consume", spentBy: 1n });
    expect(s.applyTx(1n, [ref(A, 0n, 0n), use(A, 0n, 0n, 1n)])).to.equal(undefined);
    expect(s.get(1n, A)).to.equal(1n);
  });

  it("seqs must increase; walkSequential stops at the first fault", () => {
    const s = new MemoryUtxoSet();
    const txs: TxMoves[] = [
      { seq: 1n, moves: [use(A, 0n, 0n, 1n)] },
      { seq: 2n, moves: [use(B, 0n, 0n, 1n)] },
      { seq: 3n, moves: [use(A, 0n, 0n, 1n)] },
      { seq: 4n, moves: [use(C, 0n, 0n, 1n)] },
    ];
    expect(walkSequential(s, txs)).to.deep.equal({ kind: "double-use", seq: 3n, moveIndex: 0, code: "consumed", spentBy: 1n });
    expect(s.lastSeq).to.equal(2n);
    expect(s.get(2n, B)).to.equal(1n);
    expect(s.get(0n, C)).to.equal(0n);
    expect(() => s.applyTx(2n, [])).to.throw(RangeError);
    expect(() => walkJoin(s, [{ seq: 2n, moves: [] }])).to.throw(RangeError);
    expect(() => walkJoin(s, [{ seq: 5n, moves: [] }, { seq: 5n, moves: [] }])).to.throw(RangeError);
  });

  it("many keys: lookups stay exact through hash-collision buckets", () => {
    // ~300k keys over a 31-bit hash: about 20 colliding buckets are expected (P(none) ~ e^-20).
    const n = 300_000;
    const s = new MemoryUtxoSet();
    const keys: Key[] = [];
    for (let i = 0; i < n; i++) keys.push(i % 3 === 0 ? K(i, Mark.Storage, BigInt(i) << 200n) : K(i, i % 3 === 1 ? Mark.Nonce : Mark.Code));
    let seq = 0n;
    let bad = 0;
    for (let i = 0; i < n; i += 60) {
      seq++;
      const moves = keys.slice(i, i + 60).map((k, j) => use(k, 0n, 0n, BigInt(i + j + 1)));
      // Every few txs a faulty version first: its fresh keys must be removed again (also from
      // collided buckets).
      if (seq % 4n === 0n) {
        const f = s.applyTx(seq, [...moves, use(A, 0n, 1n, 0n)]);
        if (f?.code !== "prev-mismatch" || f.moveIndex !== moves.length) bad++;
      }
      if (s.applyTx(seq, moves) !== undefined) bad++;
    }
    expect(bad).to.equal(0);
    expect(s.hashCollisions()).to.be.greaterThan(0);
    expect(s.size).to.equal(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const at = BigInt(Math.floor(i / 60) + 1);
      if (s.latest(k).value !== BigInt(i + 1) || s.get(at, k) !== BigInt(i + 1) || s.spentBy(0n, k) !== at || s.get(0n, k) !== undefined) wrong++;
    }
    expect(wrong).to.equal(0);
    const c = s.clone();
    expect(c.size).to.equal(n);
    expect(c.hashCollisions()).to.equal(s.hashCollisions());
    expect(c.get(1n, keys[0])).to.equal(1n);
  });
});

// ---- randomized scenarios ------------------------------------------------------------------------

/** Literal model of the rules: outpoint strings -> value, spent outpoint -> spender. */
class ModelSet {
  unspent = new Map<string, bigint>();
  spent = new Map<string, bigint>();
  last = 0n;
  constructor(genesis: [Key, bigint][]) {
    for (const [k, v] of genesis) if (v !== 0n) this.unspent.set(`0|${keyId(k)}`, v);
  }
  applyTx(seq: bigint, moves: readonly Move[]): WalkFault | undefined {
    const unspent = new Map(this.unspent);
    const spent = new Map(this.spent);
    for (let i = 0; i < moves.length; i++) {
      const m = moves[i];
      if (m.intx >= seq) return { kind: "input", seq, moveIndex: i, code: "intx-not-before" };
      const op = `${m.intx}|${keyId(m)}`;
      const by = spent.get(op);
      if (by !== undefined) return { kind: "double-use", seq, moveIndex: i, code: m.ref ? "reference-after-consume" : "consumed", spentBy: by };
      const v = unspent.get(op) ?? (m.intx === 0n ? 0n : undefined);
      if (v === undefined) return { kind: "input", seq, moveIndex: i, code: "no-such-outpoint" };
      if (v !== m.prev) return { kind: "input", seq, moveIndex: i, code: "prev-mismatch", expected: v };
      if (!m.ref) {
        unspent.delete(op);
        spent.set(op, seq);
      }
    }
    for (const m of moves) if (!m.ref) unspent.set(`${seq}|${keyId(m)}`, m.next);
    this.unspent = unspent;
    this.spent = spent;
    this.last = seq;
    return undefined;
  }
}

interface Scenario {
  genesis: [Key, bigint][];
  prefix: TxMoves[]; // applied to the starting set (valid)
  walk: TxMoves[]; // walked (possibly corrupted)
  keys: Key[];
}

function makeScenario(rand: () => number): Scenario {
  const ri = (n: number) => Math.floor(rand() * n);
  const pool: Key[] = [K(1), K(1, Mark.Nonce), K(1, Mark.Storage, 0n), K(1, Mark.Storage, 1n << 255n), K(2), K(2, Mark.Storage, 5n)];
  const keys = pool.slice(0, 1 + ri(pool.length));
  const genesis: [Key, bigint][] = [];
  const cur = keys.map(() => ({ seq: 0n, value: 0n, versions: [0n] }));
  keys.forEach((k, j) => {
    if (rand() < 0.4) {
      const v = BigInt(1 + ri(3));
      genesis.push([k, v]);
      cur[j].value = v;
    }
  });
  const txs: TxMoves[] = [];
  let seq = 0n;
  const n = 1 + ri(12);
  for (let t = 0; t < n; t++) {
    seq += BigInt(1 + (rand() < 0.2 ? ri(3) : 0));
    const idx = keys.map((_, j) => j).sort(() => rand() - 0.5).slice(0, 1 + ri(Math.min(3, keys.length)));
    const moves: Move[] = idx.map((j) => {
      const c = cur[j];
      if (rand() < 0.3) return ref(keys[j], c.seq, c.value);
      const next = BigInt(ri(4));
      const m = use(keys[j], c.seq, c.value, next);
      c.seq = seq;
      c.value = next;
      c.versions.push(seq);
      return m;
    });
    txs.push({ seq, moves });
  }
  const p = ri(n + 1);
  const prefix = txs.slice(0, p);
  const walk = txs.slice(p).map((t) => ({ seq: t.seq, moves: t.moves.map((m) => ({ ...m })) }));
  // Corruptions.
  const nc = rand() < 0.25 ? 0 : 1 + ri(3);
  for (let c = 0; c < nc && walk.length > 0; c++) {
    const t = walk[ri(walk.length)];
    const moves = t.moves as Move[];
    const i = ri(moves.length);
    const m = moves[i];
    const kj = keys.findIndex((k) => k.mark === m.mark && k.slot === m.slot && k.addr[19] === m.addr[19]);
    switch (ri(8)) {
      case 0: {
        const vs = cur[kj].versions.filter((v) => v < t.seq);
        m.intx = vs[ri(vs.length)];
        break;
      }
      case 1:
        m.intx = BigInt(ri(Number(t.seq) + 1));
        break;
      case 2:
        m.prev = rand() < 0.5 ? m.prev + 1n : BigInt(ri(4));
        break;
      case 3:
        m.ref = !m.ref;
        if (m.ref) m.next = m.prev;
        break;
      case 4:
        m.intx = t.seq + BigInt(ri(2));
        break;
      case 5:
        moves.splice(ri(moves.length + 1), 0, { ...m, addr: m.addr.slice(), ref: rand() < 0.5 });
        break;
      case 6: {
        const o = keys[ri(keys.length)];
        moves[i] = { ...m, mark: o.mark, addr: o.addr.slice(), slot: o.slot };
        break;
      }
      default:
        moves.reverse();
    }
  }
  return { genesis, prefix, walk, keys };
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe("walk: join form equals the sequential walk (randomized)", () => {
  it("agrees with the sequential walk and a literal model on 2000 corrupted scenarios", () => {
    const rand = rng(0x5eed);
    const codes = new Map<string, number>();
    for (let n = 0; n < 2000; n++) {
      const sc = makeScenario(rand);
      const set = new MemoryUtxoSet(sc.genesis);
      const model = new ModelSet(sc.genesis);
      for (const t of sc.prefix) {
        expect(set.applyTx(t.seq, t.moves)).to.equal(undefined);
        expect(model.applyTx(t.seq, t.moves)).to.equal(undefined);
      }
      const before = { size: set.size, spent: set.spentCount, last: set.lastSeq };

      const seqSet = set.clone();
      const vSeq = walkSequential(seqSet, sc.walk);
      const vJoin = walkJoin(set, shuffled(sc.walk, rand));
      let vModel: WalkFault | undefined;
      for (const t of sc.walk) if ((vModel = model.applyTx(t.seq, t.moves)) !== undefined) break;

      const ctx = `scenario ${n}`;
      expect(vSeq, ctx).to.deep.equal(vModel);
      expect(vJoin, ctx).to.deep.equal(vSeq);
      // The join leaves its set alone.
      expect({ size: set.size, spent: set.spentCount, last: set.lastSeq }, ctx).to.deep.equal(before);
      // After the walk, the sequential set holds exactly the model's outpoints.
      const seqs = [0n, ...sc.prefix.map((t) => t.seq), ...sc.walk.map((t) => t.seq)];
      for (const k of sc.keys)
        for (const q of seqs) {
          const op = `${q}|${keyId(k)}`;
          const want = model.unspent.get(op) ?? (q === 0n && !model.spent.has(op) ? 0n : undefined);
          if (seqSet.get(q, k) !== want || seqSet.spentBy(q, k) !== model.spent.get(op))
            expect.fail(`${ctx}: outpoint ${op}: get ${seqSet.get(q, k)} spentBy ${seqSet.spentBy(q, k)}, model ${want} / ${model.spent.get(op)}`);
        }
      const key = vSeq === undefined ? "ok" : vSeq.code;
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    // The generator reaches every verdict, each many times.
    for (const c of ["ok", "consumed", "reference-after-consume", "prev-mismatch", "no-such-outpoint", "intx-not-before"])
      expect(codes.get(c) ?? 0, `verdict ${c}: ${JSON.stringify([...codes])}`).to.be.greaterThan(40);
  });

  it("a join over a long valid history finds a double use planted anywhere", () => {
    const rand = rng(7);
    const keys = Array.from({ length: 50 }, (_, i) => K(i + 10));
    const cur = keys.map(() => ({ seq: 0n, value: 0n }));
    const txs: TxMoves[] = [];
    for (let s = 1n; s <= 2000n; s++) {
      const j = Math.floor(rand() * keys.length);
      const m = use(keys[j], cur[j].seq, cur[j].value, s);
      cur[j] = { seq: s, value: s };
      txs.push({ seq: s, moves: [m] });
    }
    expect(walkJoin(new MemoryUtxoSet(), txs)).to.equal(undefined);
    for (let trial = 0; trial < 20; trial++) {
      const at = 1000 + Math.floor(rand() * 1000);
      const victim = txs[Math.floor(rand() * (at - 1))].moves[0]; // an earlier move
      const planted = txs.map((t) => (t.seq === BigInt(at) ? { seq: t.seq, moves: [{ ...victim }] } : t));
      const expected = walkSequential(new MemoryUtxoSet(), planted);
      expect(expected).to.not.equal(undefined);
      expect(walkJoin(new MemoryUtxoSet(), shuffled(planted, rand))).to.deep.equal(expected);
    }
  });
});
