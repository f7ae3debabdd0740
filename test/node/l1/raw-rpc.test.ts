/**
 * The bare JSON-RPC client of the node's hot L1 reads (node/l1/raw-rpc.ts), against a server that answers
 * what a test tells it: results come back as sent; an error answer is an L1RpcError whose revert data
 * revertOf finds in both shapes L1 nodes use (geth/anvil: `data` the hex; Hardhat: `data.data`); an answer
 * that is not JSON-RPC, and a log that is not a log, are clear errors; removed logs are dropped.
 */
import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { L1RpcError, RawRpc, logFromJson } from "../../../node/l1/raw-rpc";
import { inboxInterface, revertOf } from "../../../node/l1/contracts";

describe("node: the bare L1 JSON-RPC client (raw-rpc)", function () {
  let server: http.Server;
  let rpc: RawRpc;
  let answer: (req: { method: string; params: unknown[]; id: number }) => string;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(answer(JSON.parse(Buffer.concat(chunks).toString("utf8")))));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    rpc = new RawRpc(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const ok = (result: unknown) => (q: { id: number }) => JSON.stringify({ jsonrpc: "2.0", id: q.id, result });
  const log = (over: Record<string, unknown> = {}) => ({
    address: "0x00000000000000000000000000000000000000aa", topics: ["0xAB" + "00".repeat(31)], data: "0x1234", blockNumber: "0x10", blockHash: "0x" + "11".repeat(32),
    transactionHash: "0x" + "22".repeat(32), transactionIndex: "0x2", logIndex: "0x3", removed: false, ...over,
  });

  it("sends the method and params and returns the result", async () => {
    let seen: unknown;
    answer = (q) => ((seen = q), ok("0x2a")(q));
    expect(await rpc.send("eth_blockNumber", ["x", 1])).to.equal("0x2a");
    expect(seen).to.deep.include({ jsonrpc: "2.0", method: "eth_blockNumber", params: ["x", 1] });
  });

  it("an error answer is an L1RpcError; revertOf reads a custom error's data in geth's and Hardhat's shapes", async () => {
    const data = inboxInterface().encodeErrorResult("ParentNotTip", ["0x" + "01".repeat(32), "0x" + "02".repeat(32)]);
    for (const shape of [data, { message: "reverted", data }]) {
      answer = (q) => JSON.stringify({ jsonrpc: "2.0", id: q.id, error: { code: 3, message: "execution reverted", data: shape } });
      let err: unknown;
      await rpc.send("eth_estimateGas", [{}]).catch((e) => (err = e));
      expect(err).to.be.instanceOf(L1RpcError);
      expect((err as L1RpcError).error.code).to.equal(3);
      expect(revertOf(err)?.name).to.equal("ParentNotTip");
    }
  });

  it("an answer that is not JSON-RPC (not JSON, no result, not an object) is an L1RpcError", async () => {
    for (const body of ["<html>busy</html>", JSON.stringify({ jsonrpc: "2.0", id: 1 }), "42", "null"]) {
      answer = () => body;
      let err: unknown;
      await rpc.send("eth_chainId", []).catch((e) => (err = e));
      expect(err, body).to.be.instanceOf(L1RpcError);
    }
  });

  it("a node that does not answer in time is an error, not a wait forever; only http(s) URLs are taken", async () => {
    const slow = http.createServer(() => undefined); // never answers
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const r = new RawRpc(`http://127.0.0.1:${(slow.address() as AddressInfo).port}`, 300);
    let err: unknown;
    await r.send("eth_chainId", []).catch((e) => (err = e));
    expect((err as Error).message).to.match(/did not answer within 300 ms/);
    r.close();
    slow.closeAllConnections();
    await new Promise<void>((res) => slow.close(() => res()));
    expect(() => new RawRpc("ws://127.0.0.1:1")).to.throw(/only http and https/);
  });

  it("logs: numbers decoded, topics lower-case, removed logs dropped; a malformed log is refused", async () => {
    answer = ok([log(), log({ removed: true, logIndex: "0x4" })]);
    const got = await rpc.logs({ address: "0xaa", fromBlock: 1, toBlock: 2, topics: [] });
    expect(got).to.deep.equal([
      { address: "0x00000000000000000000000000000000000000aa", topics: ["0xab" + "00".repeat(31)], data: "0x1234", blockNumber: 16, blockHash: "0x" + "11".repeat(32), transactionHash: "0x" + "22".repeat(32), transactionIndex: 2, index: 3 },
    ]);
    for (const bad of [log({ blockNumber: 16 }), log({ topics: "0x00" }), log({ data: "1234" }), log({ logIndex: undefined }), null]) expect(() => logFromJson(bad)).to.throw(/log/);
    answer = ok({ not: "a list" });
    let err: unknown;
    await rpc.logs({ address: "0xaa", blockHash: "0x" + "11".repeat(32), topics: [] }).catch((e) => (err = e));
    expect((err as Error).message).to.match(/not a list/);
  });
});
