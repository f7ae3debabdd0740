/** The watchtower's rules of honest play (node/watchtower/solver.ts), table-driven. */
import { expect } from "chai";
import { solve, type ObservedBatch, type SolverInput } from "../../../node/watchtower/solver";
import { challengeKey, postingId, type ChallengeRecord, type Phase } from "../../../node/watchtower/store";
import type { TxFault } from "../../../prover/fault";

const hh = (i: number) => "0x" + i.toString(16).padStart(64, "0");
const fault = (i: number, kind: TxFault["kind"] = "signature"): TxFault => ({ batchIndex: BigInt(i), txIndex: 0, seq: 10n, kind, code: "x", message: "x" });
/** The posting of batch i in these tables: its append log, the first in L1 block 10 + i. */
const at0 = (i: number) => postingId(10 + i, 0);
const valid = (i: number, o: Partial<ObservedBatch> = {}): ObservedBatch => ({ index: BigInt(i), headerHash: hh(i), posting: at0(i), l1Block: 10 + i, live: true, final: false, verdict: "valid", canonical: true, ...o });
const invalid = (i: number, kind: TxFault["kind"] = "signature", o: Partial<ObservedBatch> = {}): ObservedBatch => valid(i, { verdict: "invalid", fault: fault(i, kind), ...o });
const rec = (i: number, phase: Phase, o: Partial<ChallengeRecord> = {}): [string, ChallengeRecord] => {
  const r: ChallengeRecord = { headerHash: hh(i), posting: at0(i), batchIndex: BigInt(i), kind: "signature", fault: fault(i), phase, salt: "0x01", updatedAt: 0, ...o };
  return [challengeKey(r.headerHash, r.posting!), r];
};
const input = (batches: ObservedBatch[], records: [string, ChallengeRecord][] = [], head = 100): SolverInput => ({ head: { number: head, hash: "0xhead" }, batches, records: new Map(records) });

describe("watchtower solver: rules of honest play", () => {
  const cases: { name: string; in: SolverInput; out: unknown[] }[] = [
    { name: "no batches: nothing", in: input([]), out: [] },
    { name: "valid batches: no action", in: input([valid(0), valid(1), valid(2)]), out: [] },
    { name: "unchecked batches: no action", in: input([valid(0, { verdict: "unchecked" })]), out: [] },
    { name: "an invalid batch: commit", in: input([valid(0), invalid(1)]), out: [{ type: "commit", headerHash: hh(1), resume: false }] },
    {
      name: "earliest invalid batch first (later ones fall with it)",
      in: input([valid(0), invalid(2, "rules"), invalid(1, "input"), valid(3)]),
      out: [{ type: "commit", headerHash: hh(1), resume: false }],
    },
    { name: "salt persisted, commit not confirmed: resume the same commit", in: input([invalid(1)], [rec(1, "committing")]), out: [{ type: "commit", headerHash: hh(1), resume: true }] },
    { name: "committed: reveal once", in: input([invalid(1)], [rec(1, "committed", { commitBlock: 50 })]), out: [{ type: "reveal", headerHash: hh(1), resume: false }] },
    { name: "committed but not yet confirmed at the head: wait", in: input([invalid(1)], [rec(1, "committed", { commitBlock: 101 })]), out: [] },
    { name: "reveal signed, not mined: resume the same transaction", in: input([invalid(1)], [rec(1, "revealing")]), out: [{ type: "reveal", headerHash: hh(1), resume: true }] },
    { name: "reveal landed: never a second proof", in: input([invalid(1)], [rec(1, "revealing", { revealBlock: 60 })]), out: [{ type: "wait", headerHash: hh(1) }] },
    { name: "execution fault: commit to its dispute (the game)", in: input([invalid(1, "execution")]), out: [{ type: "commit", headerHash: hh(1), resume: false }] },
    {
      name: "execution fault reported by a watchtower before the game: disputed now",
      in: input([invalid(1, "execution")], [rec(1, "reported", { kind: "execution" })]),
      out: [{ type: "commit", headerHash: hh(1), resume: false }],
    },
    {
      name: "execution fault whose game is open already (another challenger's): join it, no dispute",
      in: input([invalid(1, "execution", { games: [{ gameId: 1n, txIndex: 0, status: "open" }] })]),
      out: [{ type: "join", headerHash: hh(1) }],
    },
    { name: "joined: nothing more on the batch side", in: input([invalid(1, "execution")], [rec(1, "joined", { kind: "execution" })]), out: [] },
    {
      name: "execution fault whose game the defender won: it cannot be disputed again",
      in: input([invalid(1, "execution", { games: [{ gameId: 1n, txIndex: 0, status: "defender-won" }] })]),
      out: [],
    },
    {
      name: "a re-post of a batch whose earlier posting the challenger's game rolled back: disputed again",
      in: input([invalid(1, "execution", { games: [{ gameId: 1n, txIndex: 0, status: "challenger-won" }] })]),
      out: [{ type: "commit", headerHash: hh(1), resume: false }],
    },
    {
      name: "the latest game of the transaction decides (an open one after a won one: join)",
      in: input([invalid(1, "execution", { games: [{ gameId: 1n, txIndex: 0, status: "challenger-won" }, { gameId: 2n, txIndex: 0, status: "open" }] })]),
      out: [{ type: "join", headerHash: hh(1) }],
    },
    {
      name: "execution fault past its challenge window (held, not final, by another game): no dispute",
      in: input([invalid(1, "execution", { disputable: false })]),
      out: [],
    },
    {
      name: "a one-step fault past the window of a batch still held: still proven (the batch is not final)",
      in: input([invalid(1, "signature", { disputable: false })]),
      out: [{ type: "commit", headerHash: hh(1), resume: false }],
    },
    {
      name: "a game on another transaction of the batch does not stop the dispute",
      in: input([invalid(1, "execution", { games: [{ gameId: 1n, txIndex: 5, status: "open" }] })]),
      out: [{ type: "commit", headerHash: hh(1), resume: false }],
    },
    {
      name: "dispute revealed, game open: wait for its resolution (the rollback)",
      in: input([invalid(1, "execution")], [rec(1, "revealing", { kind: "execution", revealBlock: 60 })]),
      out: [{ type: "wait", headerHash: hh(1) }],
    },
    { name: "rollback observed after our reveal: won, done", in: input([invalid(1, "signature", { live: false })], [rec(1, "revealing", { revealBlock: 60 })]), out: [{ type: "settle", headerHash: hh(1), outcome: "won" }] },
    { name: "rollback by someone else: lost, done", in: input([invalid(1, "signature", { live: false })], [rec(1, "committed", { commitBlock: 50 })]), out: [{ type: "settle", headerHash: hh(1), outcome: "lost" }] },
    { name: "settled: nothing more", in: input([invalid(1, "signature", { live: false }), valid(1, { headerHash: hh(9) })], [rec(1, "won")]), out: [] },
    { name: "not canonical at the confirmation depth: no action", in: input([invalid(1, "signature", { canonical: false })]), out: [] },
    { name: "posted above the confirmed head: no action", in: input([invalid(1, "signature", { l1Block: 150 })]), out: [] },
    { name: "final: no action", in: input([invalid(1, "signature", { final: true })]), out: [] },
    {
      name: "rolled back at L1's latest block by another challenger, not yet confirmed: nothing sent",
      in: input([invalid(1, "signature", { liveAtLatest: false })]),
      out: [{ type: "wait", headerHash: hh(1) }],
    },
    {
      name: "committed, then rolled back at the latest block by another challenger: no reveal",
      in: input([invalid(1, "signature", { liveAtLatest: false })], [rec(1, "committed", { commitBlock: 50 })]),
      out: [{ type: "wait", headerHash: hh(1) }],
    },
    { name: "live at the latest block too: commit", in: input([invalid(1, "signature", { liveAtLatest: true })]), out: [{ type: "commit", headerHash: hh(1), resume: false }] },
    {
      name: "rolled-back invalid batch and a new invalid one at the same index: settle the old, commit the new",
      in: input([invalid(1, "signature", { live: false }), invalid(1, "rules", { headerHash: hh(7) })], [rec(1, "revealing", { revealBlock: 60 })]),
      out: [{ type: "settle", headerHash: hh(1), outcome: "won" }, { type: "commit", headerHash: hh(7), resume: false }],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = solve(c.in);
      expect(got.length, JSON.stringify(got, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).to.equal(c.out.length);
      got.forEach((a, i) => expect(a).to.deep.include(c.out[i] as object));
    });

  describe("the cheapest provable fault of the earliest invalid batch", () => {
    const at = (i: number, txIndex: number, kind: TxFault["kind"]): TxFault => ({ ...fault(i, kind), txIndex, code: kind });
    const many = (i: number, faults: TxFault[], o: Partial<ObservedBatch> = {}): ObservedBatch => valid(i, { verdict: "invalid", fault: faults[0], faults, ...o });

    it("an execution fault first: the one-step fault after it is proven, the cheapest kind among several", () => {
      const faults = [at(1, 0, "execution"), at(1, 2, "input"), at(1, 3, "rules"), at(1, 5, "double-use")];
      const [a] = solve(input([valid(0), many(1, faults)]));
      expect(a).to.deep.include({ type: "commit", headerHash: hh(1), resume: false });
      expect((a as { fault: TxFault }).fault).to.deep.include({ txIndex: 3, kind: "rules" });
    });
    it("equal kinds: the lowest transaction", () => {
      const [a] = solve(input([many(1, [at(1, 4, "signature"), at(1, 2, "signature"), at(1, 0, "execution")])]));
      expect((a as { fault: TxFault }).fault).to.deep.include({ txIndex: 2, kind: "signature" });
    });
    it("only execution faults: the first transaction's is disputed", () => {
      expect(solve(input([many(1, [at(1, 3, "execution"), at(1, 1, "execution")])]))).to.deep.equal([{ type: "commit", headerHash: hh(1), posting: at0(1), key: challengeKey(hh(1), at0(1)), fault: at(1, 1, "execution"), resume: false }]);
    });
    it("a batch reported before its provable fault was known is proven now", () => {
      const [a] = solve(input([many(1, [at(1, 0, "execution"), at(1, 1, "deposit")])], [rec(1, "reported", { kind: "execution" })]));
      expect(a).to.deep.include({ type: "commit", resume: false });
      expect((a as { fault: TxFault }).fault).to.deep.include({ kind: "deposit" });
    });
    it("a fault already committed to stays, even if a cheaper one is listed", () => {
      const committed = at(1, 3, "input");
      const [a] = solve(input([many(1, [at(1, 0, "signature"), committed])], [rec(1, "committing", { kind: "input", fault: committed })]));
      expect(a).to.deep.include({ type: "commit", resume: true, fault: committed });
    });
    it("a blob batch's data fault comes before any transaction's, even the cheapest (protocol.md §14.5)", () => {
      const faults = [at(1, 0, "deposit"), at(1, 1, "signature"), at(1, 0, "data"), at(1, 2, "execution")];
      const [a] = solve(input([valid(0), many(1, faults)]));
      expect(a).to.deep.include({ type: "commit", headerHash: hh(1), resume: false });
      expect((a as { fault: TxFault }).fault).to.deep.include({ kind: "data" });
      // Alone, as the verifier reports it (the blob gives no transactions): proven the same way.
      expect(solve(input([invalid(1, "data")]))[0]).to.deep.include({ type: "commit", fault: fault(1, "data") });
    });
    it("a later invalid batch's cheaper fault is not a reason to skip the earliest", () => {
      const [a] = solve(input([many(1, [at(1, 0, "execution"), at(1, 1, "input")]), many(2, [at(2, 0, "deposit")])]));
      expect(a).to.deep.include({ type: "commit", headerHash: hh(1) });
    });
  });

  it("walks a whole challenge: commit, then reveal exactly once, then done", () => {
    const b = [valid(0), invalid(1)];
    const store = new Map<string, ChallengeRecord>();
    const step = (batches = b) => solve({ head: { number: 100, hash: "0x" }, batches, records: store });
    expect(step().map((a) => a.type)).to.deep.equal(["commit"]);
    store.set(...rec(1, "committed", { commitBlock: 99 }));
    expect(step().map((a) => a.type)).to.deep.equal(["reveal"]);
    store.set(...rec(1, "revealing", { commitBlock: 99, revealBlock: 100 }));
    expect(step().map((a) => a.type)).to.deep.equal(["wait"]);
    expect(step([valid(0), invalid(1, "signature", { live: false })]).map((a) => a.type)).to.deep.equal(["settle"]);
    store.set(...rec(1, "won"));
    expect(step([valid(0), invalid(1, "signature", { live: false })])).to.deep.equal([]);
  });

  describe("an invalid batch posted again after its rollback (same header hash, another posting)", () => {
    const again = postingId("0x" + "ab".repeat(32), 3);
    it("the live re-post is challenged, whatever became of the first posting's record", () => {
      for (const phase of ["won", "lost", "revealing", "committed"] as Phase[]) {
        const [a] = solve(input([invalid(1, "signature", { live: false }), invalid(1, "signature", { posting: again, l1Block: 40 })], [rec(1, phase, { commitBlock: 20, revealBlock: 21 })]));
        const want = phase === "won" || phase === "lost" ? { type: "commit", headerHash: hh(1), posting: again, key: challengeKey(hh(1), again), resume: false } : { type: "settle", headerHash: hh(1), posting: at0(1) };
        expect(a, phase).to.deep.include(want);
      }
    });
    it("each posting's challenge goes on under its own record: settling one does not touch the other", () => {
      const rows = [invalid(1, "signature", { live: false }), invalid(1, "signature", { posting: again, l1Block: 40 })];
      const records = new Map([rec(1, "won"), [challengeKey(hh(1), again), { ...rec(1, "committed", { commitBlock: 41 })[1], posting: again }]]);
      expect(solve({ head: { number: 100, hash: "0x" }, batches: rows, records })).to.deep.equal([{ type: "reveal", headerHash: hh(1), posting: again, key: challengeKey(hh(1), again), resume: false }]);
    });
    it("two postings of one header in the same L1 block (a rollback and a re-post together) are told apart by log index", () => {
      expect(postingId("0xAB", 1)).to.not.equal(postingId("0xab", 2));
      expect(postingId("0xAB", 1)).to.equal(postingId("0xab", 1));
    });
  });
});
