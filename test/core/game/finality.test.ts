/** Finality off-chain (core/game/finality.ts): the Inbox's rule with the game's holds. */
import { expect } from "chai";
import { NOT_HELD, batchIsFinal } from "../../../core/game";

describe("finality with dispute games", () => {
  it("final iff the window passed and no open game holds the batch or an earlier one (Inbox._isFinal)", () => {
    expect(batchIsFinal(3n, 100n, 10n, 109n)).to.equal(false); // window still open
    expect(batchIsFinal(3n, 100n, 10n, 110n)).to.equal(true); // L1: block.timestamp >= postedAt + window
    expect(batchIsFinal(3n, 100n, 10n, 110n, 3n)).to.equal(false); // held by a game on it
    expect(batchIsFinal(3n, 100n, 10n, 110n, 2n)).to.equal(false); // held by a game on an earlier batch
    expect(batchIsFinal(3n, 100n, 10n, 110n, 4n)).to.equal(true); // a game on a later batch does not hold it
    expect(batchIsFinal(3n, 100n, 10n, 110n, NOT_HELD)).to.equal(true);
  });

});
