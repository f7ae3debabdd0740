/**
 * The watchtower's metrics (node/watchtower/metrics.ts, prom-client): the exposition text with
 * labels, counters that add up, served on /metrics; an unknown or mistyped metric is refused.
 */
import { expect } from "chai";
import { watchtowerMetrics } from "../../../node/watchtower/metrics";

describe("watchtower metrics (prom-client)", () => {
  it("gauges with labels, a counter and the exposition text", async () => {
    const m = watchtowerMetrics();
    m.set("moveset_watchtower_proofs_won", 2, { kind: "rules" });
    m.set("moveset_watchtower_proofs_won", 1, { kind: "double-use" });
    m.set("moveset_watchtower_balance_wei", 10n ** 18n);
    m.inc("moveset_watchtower_errors_total");
    m.inc("moveset_watchtower_errors_total");
    const text = await m.render();
    expect(text).to.include('moveset_watchtower_proofs_won{kind="rules"} 2');
    expect(text).to.include('moveset_watchtower_proofs_won{kind="double-use"} 1');
    expect(text).to.include("moveset_watchtower_balance_wei 1000000000000000000");
    expect(text).to.include("moveset_watchtower_errors_total 2");
    expect(text).to.include("# TYPE moveset_watchtower_errors_total counter");
    expect(text).to.include("# HELP moveset_watchtower_l1_head confirmed L1 head the watchtower acted on");
    expect(() => m.set("moveset_nope", 1)).to.throw(/not defined/);
    expect(() => m.set("moveset_watchtower_errors_total", 1)).to.throw(/not a gauge/);
  });

  it("serves /metrics over HTTP, 404 elsewhere", async () => {
    const m = watchtowerMetrics();
    m.set("moveset_watchtower_l1_head", 42);
    const port = await m.listen(0);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(r.status).to.equal(200);
      expect(r.headers.get("content-type")).to.match(/^text\/plain/);
      expect(await r.text()).to.include("moveset_watchtower_l1_head 42");
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).to.equal(404);
    } finally {
      await m.close();
    }
  });
});
