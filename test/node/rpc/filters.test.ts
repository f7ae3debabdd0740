/**
 * Polled filters (node/rpc/filters.ts) on a chain of blocks in memory: each filter delivers what is
 * new since its last poll, a filter not polled within its time to live is forgotten, the node holds
 * at most its limit of filters, a pending filter keeps a bounded backlog; and the parameter checks
 * that scan hex (node/rpc/params.ts) take megabytes without a deep regular expression.
 */
import { expect } from "chai";
import { FilterManager } from "../../../node/rpc/filters";
import type { ChainView } from "../../../node/rpc/chain-view";
import { dataArg, quantity } from "../../../node/rpc/params";
import { LOCAL_REQUEST, RpcError } from "../../../node/rpc/server";

function chainOf(n: number): { view: ChainView; grow(): void } {
  let latest = BigInt(n);
  const batch = (i: bigint) => ({ hash: "0x" + (i + 1n).toString(16).padStart(64, "0"), header: { index: i }, logsBloom: "0x" + "00".repeat(256) });
  const view = {
    latestNumber: () => latest,
    batchOf: async (b: bigint) => (b >= 1n && b <= latest ? batch(b - 1n) : undefined),
    blockNumberOf: async () => latest,
    d: { chain: { batchTxs: async () => [] } },
  } as unknown as ChainView;
  return { view, grow: () => void latest++ };
}

async function rejects(p: Promise<unknown> | unknown, code: number, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RpcError);
    expect((e as RpcError).code).to.equal(code);
    expect((e as RpcError).message).to.match(re);
    return;
  }
  expect.fail("expected an error");
}

describe("FilterManager", () => {
  it("a block filter delivers each new block once", async () => {
    const c = chainOf(3);
    const f = new FilterManager(c.view, { maxFilters: 10, maxPerClient: 10, ttlMs: 60_000, maxPending: 4, maxRange: 100 });
    const m = f.methods();
    const id = (await m.eth_newBlockFilter([], LOCAL_REQUEST)) as string;
    expect(await m.eth_getFilterChanges([id], LOCAL_REQUEST)).to.deep.equal([]);
    c.grow();
    c.grow();
    expect(await m.eth_getFilterChanges([id], LOCAL_REQUEST)).to.deep.equal(["0x" + "4".padStart(64, "0"), "0x" + "5".padStart(64, "0")]);
    expect(await m.eth_getFilterChanges([id], LOCAL_REQUEST)).to.deep.equal([]);
    f.close();
  });

  it("forgets a filter not polled within its time to live; refuses more than its limit; bounds a pending backlog", async () => {
    const c = chainOf(1);
    const f = new FilterManager(c.view, { maxFilters: 2, maxPerClient: 2, ttlMs: 1000, maxPending: 3, maxRange: 100 });
    const m = f.methods();
    const a = (await m.eth_newPendingTransactionFilter([], LOCAL_REQUEST)) as string;
    const b = (await m.eth_newBlockFilter([], LOCAL_REQUEST)) as string;
    await rejects(Promise.resolve().then(() => m.eth_newBlockFilter([], LOCAL_REQUEST)), -32005, /too many filters/);
    for (const h of ["0x1", "0x2", "0x3", "0x4", "0x5"]) f.pending(h);
    expect(await m.eth_getFilterChanges([a], LOCAL_REQUEST)).to.deep.equal(["0x3", "0x4", "0x5"]);
    // b is not polled: gone after its time to live; a was polled just now.
    f.expire(Date.now() + 900);
    expect(f.size).to.equal(2);
    f.expire(Date.now() + 1500);
    expect(f.size).to.equal(0);
    await rejects(m.eth_getFilterChanges([b], LOCAL_REQUEST), -32000, /filter not found/);
    expect(await m.eth_newBlockFilter([], LOCAL_REQUEST)).to.match(/^0x[0-9a-f]{32}$/);
    f.close();
  });

  it("one client cannot hold the node's filters against the others: a per-client cap, and a full node evicts from the client holding the most", async () => {
    const c = chainOf(1);
    const f = new FilterManager(c.view, { maxFilters: 4, maxPerClient: 3, ttlMs: 60_000, maxPending: 4, maxRange: 100 });
    const m = f.methods();
    const as = (client: string) => ({ client });
    const greedy: string[] = [];
    for (let i = 0; i < 3; i++) greedy.push((await m.eth_newBlockFilter([], as("10.0.0.1"))) as string);
    await rejects(Promise.resolve().then(() => m.eth_newBlockFilter([], as("10.0.0.1"))), -32005, /too many filters from this client \(3\)/);
    // greedy's first filter is polled later than its second: the second is its least recently polled
    await new Promise((r) => setTimeout(r, 5));
    await m.eth_getFilterChanges([greedy[0]], as("10.0.0.1"));
    const b1 = (await m.eth_newBlockFilter([], as("10.0.0.2"))) as string; // the node is now full (4)
    expect(f.size).to.equal(4);
    // a third client gets one: greedy (3) holds more than 1, and gives up its least recently polled
    const c1 = (await m.eth_newBlockFilter([], as("10.0.0.3"))) as string;
    expect(f.size).to.equal(4);
    expect(f.heldBy("10.0.0.1")).to.equal(2);
    await rejects(m.eth_getFilterChanges([greedy[1]], as("10.0.0.1")), -32000, /filter not found/);
    expect(await m.eth_getFilterChanges([greedy[0]], as("10.0.0.1"))).to.deep.equal([]);
    // now 2/1/1: the second client may take one more from greedy (2 > 1 + 1 is false): refused, every client holds its share
    await rejects(Promise.resolve().then(() => m.eth_newBlockFilter([], as("10.0.0.2"))), -32005, /too many filters \(4 installed\)/);
    // an uninstall frees the client's count
    expect(await m.eth_uninstallFilter([c1], as("10.0.0.3"))).to.equal(true);
    expect(f.heldBy("10.0.0.3")).to.equal(0);
    expect(await m.eth_getFilterChanges([b1], as("10.0.0.2"))).to.deep.equal([]);
    f.close();
  });

  it("bad filter parameters: a range that ends before it starts, a blockHash, a non-string id", async () => {
    const f = new FilterManager(chainOf(5).view, { maxFilters: 10, maxPerClient: 10, ttlMs: 60_000, maxPending: 4, maxRange: 100 });
    const m = f.methods();
    await rejects(m.eth_newFilter([{ fromBlock: "0x3", toBlock: "0x2" }], LOCAL_REQUEST), -32000, /^invalid block range params$/);
    await rejects(m.eth_newFilter([{ blockHash: "0x" + "00".repeat(32) }], LOCAL_REQUEST), -32602, /blockHash/);
    await rejects(m.eth_getFilterChanges([7], LOCAL_REQUEST), -32602, /filter id/);
    f.close();
  });
});

describe("RPC parameters", () => {
  it("hex data of megabytes is checked by scanning (no stack overflow), and odd or non-hex data is refused", () => {
    const big = "0x" + "ab".repeat(6 * 1024 * 1024);
    expect(dataArg(big, "input").length).to.equal(6 * 1024 * 1024);
    expect(() => dataArg("0xabc", "input")).to.throw(/hex data/);
    expect(() => dataArg("0xzz", "input")).to.throw(/hex data/);
    expect(() => dataArg("ab", "input")).to.throw(/hex data/);
    expect(quantity("0x1F", "q")).to.equal(31n);
    expect(() => quantity("0x", "q")).to.throw(/hex quantity/);
    expect(() => quantity("0x" + "1".repeat(65), "q")).to.throw(/hex quantity/);
  });
});
