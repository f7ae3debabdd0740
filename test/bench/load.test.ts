/**
 * `moveset load`'s pure parts (bench/load.ts): the --mix grammar, the percentiles it reports, and
 * the plan (deterministic from the seed, each account its share, the mix's proportions). The runs
 * against real endpoints are in test/e2e/load.test.ts; its JSON-RPC client against a local server that drops
 * connections. No timing is asserted.
 */
import { expect } from "chai";
import { ethers, keccak256 } from "ethers";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseMix, percentile, planKinds, loadAccountKey, loadJson, Rpc, RpcCallError, isTransportError, sendBackingOff, type LoadResult } from "../../bench/load";

describe("bench/load: the load's plan and its figures", () => {
  it("reads --mix: kinds with optional weights", () => {
    expect(parseMix("eth")).to.deep.equal({ eth: 1, erc20: 0, swap: 0 });
    expect(parseMix("eth,erc20,swap")).to.deep.equal({ eth: 1, erc20: 1, swap: 1 });
    expect(parseMix(" eth:3 , erc20:4,swap:3")).to.deep.equal({ eth: 3, erc20: 4, swap: 3 });
    expect(parseMix("swap:0.5")).to.deep.equal({ eth: 0, erc20: 0, swap: 0.5 });
  });

  it("refuses a --mix it cannot read, saying why", () => {
    expect(() => parseMix("eth,nft")).to.throw(RangeError, /"nft" is not a kind of transaction: the kinds are eth, erc20, swap/);
    expect(() => parseMix("")).to.throw(RangeError, /not a list of kinds/);
    expect(() => parseMix("eth,,swap")).to.throw(RangeError, /not a list of kinds/);
    expect(() => parseMix("eth:0")).to.throw(RangeError, /weight of eth must be above 0/);
    expect(() => parseMix("eth:-1")).to.throw(RangeError, /not a kind/);
    expect(() => parseMix("eth,eth")).to.throw(RangeError, /eth is named twice/);
  });

  it("percentiles by nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).to.equal(50);
    expect(percentile(xs, 99)).to.equal(99);
    expect(percentile(xs, 100)).to.equal(100);
    expect(percentile([7], 50)).to.equal(7);
    expect(percentile([1, 2, 3], 99)).to.equal(3);
    expect(percentile([], 50)).to.be.NaN;
  });

  it("plans the same kinds from the same seed, in the mix's proportions", () => {
    const a = planKinds("s", 3000, { eth: 3, erc20: 4, swap: 3 });
    expect(planKinds("s", 3000, { eth: 3, erc20: 4, swap: 3 })).to.deep.equal(a);
    expect(planKinds("t", 3000, { eth: 3, erc20: 4, swap: 3 })).to.not.deep.equal(a);
    const n = (k: string) => a.filter((x) => x === k).length / a.length;
    expect(n("eth")).to.be.closeTo(0.3, 0.04);
    expect(n("erc20")).to.be.closeTo(0.4, 0.04);
    expect(n("swap")).to.be.closeTo(0.3, 0.04);
    expect(new Set(planKinds("s", 500, { eth: 1, erc20: 0, swap: 0 }))).to.deep.equal(new Set(["eth"]));
  });

  it("derives distinct load accounts from the seed, none of them Hardhat's dev accounts", () => {
    const keys = Array.from({ length: 50 }, (_, i) => loadAccountKey("s", i));
    expect(new Set(keys).size).to.equal(50);
    expect(loadAccountKey("s", 0)).to.equal(keys[0]);
    expect(loadAccountKey("other", 0)).to.not.equal(keys[0]);
    const dev = ethers.HDNodeWallet.fromPhrase("test test test test test test test test test test test junk", "", "m/44'/60'/0'/0");
    const devKeys = new Set(Array.from({ length: 20 }, (_, i) => dev.deriveChild(i).privateKey));
    for (const k of keys) expect(devKeys.has(k)).to.equal(false);
  });

  it("the --json object has exactly the four figures", () => {
    const r = { acceptedTps: 123.456, includedTps: 100.04, p50Ms: 10.4, p99Ms: 99.6 } as LoadResult;
    expect(loadJson(r)).to.deep.equal({ acceptedTps: 123.5, includedTps: 100, p50Ms: 10, p99Ms: 100 });
  });
});

describe("bench/load: a dropped connection does not end a run", () => {
  /** A JSON-RPC server that drops the first `drops` connections, then answers `answer(method)`. */
  async function flaky(drops: number, answer: (method: string) => { result?: unknown; error?: { code: number; message: string } }) {
    let left = drops;
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const j = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; method: string };
        seen.push(j.method);
        if (left-- > 0) return void req.socket.destroy();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: j.id, ...answer(j.method) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const RAW = "0x02f86b0180843b9aca00847735940082520894000000000000000000000000000000000000000101808001a0" + "11".repeat(32) + "a0" + "22".repeat(32);

  it("a send whose connection dropped, answered 'already known' when sent again, was accepted: its hash", async () => {
    for (const message of ["already known", "Known transaction: 0xab", "transaction already imported"]) {
      const s = await flaky(1, () => ({ error: { code: -32000, message } }));
      try {
        const rpc = new Rpc(s.url);
        expect(await sendBackingOff(rpc, RAW, () => undefined, () => false), message).to.equal(keccak256(RAW));
        expect(rpc.transportRetries).to.equal(1);
        expect(s.seen).to.deep.equal(["eth_sendRawTransaction", "eth_sendRawTransaction"]);
      } finally {
        await s.close();
      }
    }
  });

  it("a read whose connection dropped twice is answered on the third send", async () => {
    const s = await flaky(2, () => ({ result: "0x385" }));
    try {
      const rpc = new Rpc(s.url);
      expect(await rpc.call("eth_chainId")).to.equal("0x385");
      expect(rpc.transportRetries).to.equal(2);
    } finally {
      await s.close();
    }
  });

  it("bad input: three dropped connections fail the call; 'already known' on a first send is the node's refusal", async () => {
    const s = await flaky(3, () => ({ result: "0x1" }));
    try {
      const e = await new Rpc(s.url).call("eth_chainId").then(() => undefined, (x: unknown) => x);
      expect(isTransportError(e)).to.equal(true);
      expect(s.seen).to.have.length(3);
    } finally {
      await s.close();
    }
    const k = await flaky(0, () => ({ error: { code: -32000, message: "already known" } }));
    try {
      const e = await sendBackingOff(new Rpc(k.url), RAW, () => undefined, () => false).then(() => undefined, (x: unknown) => x);
      expect(e).to.be.instanceOf(RpcCallError);
      expect((e as RpcCallError).message).to.equal("already known");
    } finally {
      await k.close();
    }
  });
});
