/**
 * client/withdrawals.ts: a withdrawal's status from the node's record and L1's view (every status
 * and the edge cases: a batch rolled back under it, a game holding it past the window, a claim that
 * settles it whatever else).
 */
import { expect } from "chai";
import { statusOf, WITHDRAWAL_STATUSES, type NodeWithdrawal } from "../../client/withdrawals";

const W = 60;
const posted: NodeWithdrawal = { hash: "0x01", seq: "7", amount: "5", state: "posted", batchIndex: "3", txIndex: "0", headerHash: "0xaa", postedAt: 1000, finalAt: 1060 };
const l1 = (o: Partial<{ now: number; live: boolean; final: boolean; claimed: boolean }>) => ({ now: 1000, live: true, final: false, claimed: false, ...o });

describe("client/withdrawals: status", () => {
  it("waiting, challenge (with the time left), claimable, claimed", () => {
    expect(statusOf({ ...posted, state: "pending", batchIndex: null, postedAt: null }, undefined, W)).to.deep.equal({ status: "waiting", note: undefined });
    expect(statusOf({ ...posted, state: "posting" }, undefined, W)).to.deep.equal({ status: "waiting", note: "in a batch being posted" });
    expect(statusOf(posted, l1({ now: 1015 }), W)).to.deep.equal({ status: "challenge", secondsLeft: 45, finalAt: 1060, note: undefined });
    expect(statusOf(posted, l1({ now: 1060, final: true }), W)).to.deep.equal({ status: "claimable" });
    expect(statusOf(posted, l1({ now: 2000, final: true, claimed: true }), W)).to.deep.equal({ status: "claimed" });
    expect(WITHDRAWAL_STATUSES).to.deep.equal(["waiting", "challenge", "claimable", "claimed"]);
  });

  it("L1 decides: a batch no longer live waits again; a window passed but not final is held; an invalid batch is flagged", () => {
    expect(statusOf(posted, l1({ live: false }), W)).to.deep.equal({ status: "waiting", note: "its batch left L1: the node re-queues it" });
    expect(statusOf(posted, l1({ now: 5000 }), W)).to.deep.equal({ status: "challenge", secondsLeft: 0, finalAt: 1060, note: "the window has passed; a dispute game holds the batch" });
    expect(statusOf({ ...posted, verdict: "invalid" }, l1({ now: 1010 }), W).note).to.equal("its batch is invalid and will be rolled back");
    // A payment settles it, whatever the batch looks like now.
    expect(statusOf(posted, l1({ live: false, claimed: true }), W).status).to.equal("claimed");
  });
});
