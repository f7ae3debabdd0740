/**
 * The watchtower's store (node/watchtower/store.ts): records survive reopening; a store written
 * with the hand-built prefix `ch:` opens with its records in the `challenges` sublevel.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Level } from "level";
import { enc } from "../../../node/state/chain-store";
import { WatchStore, challengeKey, postingId, type ChallengeRecord } from "../../../node/watchtower/store";

const record = (h: string, phase: ChallengeRecord["phase"]): ChallengeRecord => ({
  headerHash: h,
  batchIndex: 3n,
  kind: "rules",
  fault: { batchIndex: 3n, txIndex: 1, seq: 9n, kind: "rules", code: "nonce", message: "m" },
  phase,
  salt: "0x" + "11".repeat(32),
  updatedAt: 0,
});

describe("watchtower store", () => {
  it("keeps records across reopening; an old store's `ch:` records are moved into their sublevel", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-watch-store-"));
    const a = "0x" + "aa".repeat(32);
    const b = "0x" + "bb".repeat(32);
    const old = new Level<string, string>(dir);
    await old.put(`ch:${a}`, enc(record(a, "committed")));
    await old.close();
    let s = await WatchStore.open(dir);
    try {
      expect((await s.get(a))!.phase).to.equal("committed");
      await s.put(record(b.toUpperCase().replace("0X", "0x"), "won"));
      expect([...(await s.all()).keys()].sort()).to.deep.equal([a, b]);
      await s.close();
      const raw = new Level<string, string>(dir);
      for await (const k of raw.keys()) expect(k.startsWith("!challenges!"), k).to.equal(true);
      await raw.close();
      s = await WatchStore.open(dir);
      expect((await s.get(b))!.fault).to.deep.include({ seq: 9n, code: "nonce" });
      // Two postings of one header (a re-post after its rollback): two records, both kept across reopening.
      await s.put({ ...record(a, "won"), posting: postingId("0x" + "01".repeat(32), 4) });
      await s.put({ ...record(a, "committing"), posting: postingId("0x" + "02".repeat(32), 0) });
      await s.close();
      s = await WatchStore.open(dir);
      const both = await s.ofHeader(a);
      expect(both.map((r) => [r.posting, r.phase])).to.deep.equal([
        [undefined, "committed"],
        [postingId("0x" + "01".repeat(32), 4), "won"],
        [postingId("0x" + "02".repeat(32), 0), "committing"],
      ]);
      expect((await s.latest(a))!.phase).to.equal("committing");
      expect(await s.get(challengeKey(a, postingId("0x" + "01".repeat(32), 4)))).to.deep.include({ phase: "won" });
      expect(await s.ofHeader(b)).to.have.length(1);
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
