/** The coordinator's wait after failed rounds (node/coordinator/tick-backoff.ts). */
import { expect } from "chai";
import { TICK_BACKOFF_MAX_MS, tickBackoffMs } from "../../../node/coordinator/tick-backoff";

describe("coordinator tick back-off", () => {
  it("doubles from the poll interval with each failure in a row, up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((f) => tickBackoffMs(500, f))).to.deep.equal([1000, 2000, 4000, 5000, 5000]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((f) => tickBackoffMs(100, f))).to.deep.equal([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(tickBackoffMs(100, 1000)).to.equal(TICK_BACKOFF_MAX_MS);
  });

  it("no failure: the poll interval; a poll interval above the cap: never shorter than the poll", () => {
    expect(tickBackoffMs(100, 0)).to.equal(100);
    expect(tickBackoffMs(8000, 3)).to.equal(8000);
  });

  it("an outage of a minute at a 500 ms L1 poll is retried about 14 times, not 120", () => {
    let t = 0;
    let n = 0;
    while (t < 60_000) t += tickBackoffMs(500, ++n);
    expect(n).to.be.within(10, 20);
  });
});
