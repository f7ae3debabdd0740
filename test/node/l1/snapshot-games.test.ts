/** The holds a node rebuilds from the dispute game's events (node/l1/follower.ts L1Snapshot games, heldFrom). */
import { expect } from "chai";
import { NOT_HELD } from "../../../core/game";
import { L1Snapshot, type L1Event } from "../../../node/l1/follower";

describe("node: the L1 snapshot's dispute games", () => {
  it("a snapshot's holds: the lowest batch of a game created and not yet resolved; claims counted", () => {
    const game = (gameId: bigint, batchIndex: bigint, block: number): L1Event => ({ type: "game", block, logIndex: 0, gameId, batchIndex, headerHash: "0x" + "11".repeat(32), txIndex: 0, challenger: "0xc" });
    const end = (gameId: bigint, block: number): L1Event => ({ type: "game-end", block, logIndex: 1, gameId, status: 3, winner: "0x" + "00".repeat(20), rolledBack: false, reward: 0n });
    const move = (gameId: bigint, block: number): L1Event => ({ type: "game-move", block, logIndex: 2, gameId, claimIndex: 1, claimant: "0xc" });
    const at = { block: 9, hash: "0x" };
    const latest = { number: 9, hash: "0x", timestamp: 0n };
    expect(new L1Snapshot(at, latest, []).heldFrom()).to.equal(NOT_HELD);
    const events = [game(1n, 5n, 1), move(1n, 1), game(2n, 3n, 2), move(2n, 2), move(2n, 3), game(3n, 7n, 4)];
    const s = new L1Snapshot(at, latest, events);
    expect(s.heldFrom()).to.equal(3n);
    expect(s.games().get(2n)!.claims).to.equal(2);
    expect(new L1Snapshot(at, latest, [...events, end(2n, 5)]).heldFrom()).to.equal(5n);
    expect(new L1Snapshot(at, latest, [...events, end(2n, 5), end(1n, 6), end(3n, 7)]).heldFrom()).to.equal(NOT_HELD);
    // an end without its creation (events from before the node followed the game) changes nothing
    expect(new L1Snapshot(at, latest, [end(9n, 1), ...events]).heldFrom()).to.equal(3n);
  });
});
