/**
 * deploy/journal.ts: an Ignition journal whose contracts are not on the chain is stale: set aside
 * on a local node (restarted), refused elsewhere with the way to reset it; a journal that matches the
 * chain, or none, is kept.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkJournal, journalAddresses } from "../../deploy/journal";

describe("deploy/journal: a stale Ignition journal", () => {
  let dir: string;
  const A = "0x" + "aa".repeat(20);
  const B = "0x" + "bb".repeat(20);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-journal-"));
    fs.writeFileSync(path.join(dir, "deployed_addresses.json"), JSON.stringify({ "Moveset#Bridge": A, "Moveset#Inbox": B, junk: 5 }));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const code = (have: string[]) => async (a: string) => have.includes(a) ? "0x6080" : "0x";

  it("kept when every recorded contract is there, or when there is no journal", async () => {
    expect(journalAddresses(dir)).to.deep.equal({ "Moveset#Bridge": A, "Moveset#Inbox": B });
    expect(await checkJournal(dir, "localhost", 31337n, code([A, B]))).to.deep.equal({ action: "keep" });
    expect(await checkJournal(path.join(dir, "none"), "sepolia", 11155111n, code([]))).to.deep.equal({ action: "keep" });
  });

  it("started anew on a restarted local node; refused, with how to reset, elsewhere", async () => {
    const local = await checkJournal(dir, "localhost", 31337n, code([A]));
    expect(local.action).to.equal("restart");
    expect((local as { message: string }).message).to.match(/records 1 contract \(Moveset#Inbox at 0xbb.*\) that is not on localhost \(chain 31337\): the node was restarted; deploying anew$/);
    const remote = await checkJournal(dir, "sepolia", 11155111n, code([]));
    expect(remote.action).to.equal("refuse");
    expect((remote as { message: string }).message).to.match(
      /records 2 contracts .* that are not on sepolia \(chain 11155111\): .*run again with --reset to deploy anew, or pass another --deployment-id$/,
    );
  });
});
