/**
 * Key spaces as sublevels (node/state/key-spaces.ts): records under hand-built prefixes move, on
 * open, into their sublevels, in atomic chunks; a second run moves nothing; a store half moved
 * (a crash between chunks) ends whole; keys of other spaces stay where they are.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Level } from "level";
import { moveToSublevels, stringSublevel } from "../../../node/state/key-spaces";

async function tmp(): Promise<Level<string, string>> {
  const db = new Level<string, string>(fs.mkdtempSync(path.join(os.tmpdir(), "moveset-ks-")));
  await db.open();
  return db;
}

describe("node: key spaces as sublevels", () => {
  it("moves every record under a prefix (more than one chunk), and a single key; others stay; a second run moves nothing", async () => {
    const db = await tmp();
    try {
      const n = 12_000; // more than one chunk of 10,000
      const wb = db.batch();
      for (let i = 0; i < n; i++) wb.put(`ev:${i.toString(16).padStart(8, "0")}`, `e${i}`);
      wb.put("cursor", "c");
      wb.put("verdict:0xaa", "v");
      wb.put("evil", "not an ev: key");
      await wb.write();
      const moves = [
        { prefix: "ev:", sublevel: "events" },
        { prefix: "verdict:", sublevel: "verdicts" },
        { prefix: "cursor", sublevel: "meta", exact: { key: "cursor" } },
      ];
      expect(await moveToSublevels(db, moves)).to.equal(n + 2);
      const events = stringSublevel(db, "events");
      let count = 0;
      for await (const [k, v] of events.iterator()) {
        expect(v).to.equal(`e${parseInt(k, 16)}`);
        count++;
      }
      expect(count).to.equal(n);
      expect(await stringSublevel(db, "verdicts").get("0xaa")).to.equal("v");
      expect(await stringSublevel(db, "meta").get("cursor")).to.equal("c");
      expect(await db.get("evil")).to.equal("not an ev: key");
      expect(await db.get("cursor")).to.equal(undefined);
      for await (const k of db.keys({ gte: "ev:", lt: "ev;" })) expect.fail(`old key ${k} left`);
      expect(await moveToSublevels(db, moves)).to.equal(0);
    } finally {
      await db.close();
    }
  });

  it("a store half moved (a crash between chunks) ends whole, with nothing doubled", async () => {
    const db = await tmp();
    try {
      const events = stringSublevel(db, "events");
      for (let i = 0; i < 10; i++) await (i < 4 ? events.put(`k${i}`, `v${i}`) : db.put(`ev:k${i}`, `v${i}`));
      expect(await moveToSublevels(db, [{ prefix: "ev:", sublevel: "events" }])).to.equal(6);
      const all: [string, string][] = [];
      for await (const kv of events.iterator()) all.push(kv);
      expect(all).to.deep.equal(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`]));
    } finally {
      await db.close();
    }
  });
});
