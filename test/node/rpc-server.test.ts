/**
 * The JSON-RPC 2.0 server (node/rpc/server.ts): single and batch requests, notifications, the
 * standard error codes, method errors with data, HTTP details (POST only), and the limits geth has:
 * batch size, body size, response size, CORS only for configured origins.
 */
import { expect } from "chai";
import { RpcError, RpcServer } from "../../node/rpc/server";
import { freePort, rawRpc } from "../e2e/helpers";

describe("node: JSON-RPC server", () => {
  let server: RpcServer;
  let url: string;
  const calls: string[] = [];

  before(async () => {
    server = new RpcServer(
      {
        echo: (p) => p,
        add: (p) => {
          if (!Array.isArray(p) || typeof p[0] !== "number" || typeof p[1] !== "number") throw new RpcError(-32602, "invalid params: two numbers");
          return p[0] + p[1];
        },
        note: (p) => {
          calls.push(JSON.stringify(p));
          return null;
        },
        refuse: () => {
          throw new RpcError(-32000, "nonce too low", { kind: "rules", reason: "nonce" });
        },
        boom: () => {
          throw new Error("kaput");
        },
        slow: async () => {
          await new Promise((r) => setTimeout(r, 20));
          return "late";
        },
        big: (p) => "x".repeat(Array.isArray(p) && typeof p[0] === "number" ? p[0] : 0),
      },
      { host: "127.0.0.1", port: await freePort(), maxBatch: 3, maxBodyBytes: 2000, maxResponseBytes: 1000, cors: ["https://app.example", "http://localhost:*"] },
    );
    await server.listen();
    url = server.url;
  });

  after(() => server.close());

  it("answers a call, with array or object params, keeping the id", async () => {
    expect((await rawRpc(url, { jsonrpc: "2.0", id: 7, method: "add", params: [2, 3] })).json).to.deep.equal({ jsonrpc: "2.0", id: 7, result: 5 });
    expect((await rawRpc(url, { jsonrpc: "2.0", id: "x", method: "echo", params: { a: 1 } })).json).to.deep.equal({ jsonrpc: "2.0", id: "x", result: { a: 1 } });
    expect((await rawRpc(url, { jsonrpc: "2.0", id: null, method: "echo" })).json).to.deep.equal({ jsonrpc: "2.0", id: null, result: [] });
  });

  it("uses the standard error codes", async () => {
    const err = async (body: unknown) => ((await rawRpc(url, body)).json as { error: { code: number; message: string; data?: unknown }; id: unknown });
    expect((await err("{")).error.code).to.equal(-32700);
    expect((await err("{")).id).to.equal(null);
    expect((await err({ jsonrpc: "2.0", id: 1 })).error.code).to.equal(-32600);
    expect((await err({ jsonrpc: "2.0", id: 1, method: "echo", params: 5 })).error.code).to.equal(-32600);
    expect((await err({ jsonrpc: "2.0", id: {}, method: "echo" })).error.code).to.equal(-32600);
    expect((await err(7)).error.code).to.equal(-32600);
    expect((await err({ jsonrpc: "2.0", id: 1, method: "nope" })).error.code).to.equal(-32601);
    expect((await err({ jsonrpc: "2.0", id: 1, method: "toString" })).error.code).to.equal(-32601);
    expect((await err({ jsonrpc: "2.0", id: 1, method: "add", params: ["a"] })).error.code).to.equal(-32602);
    const boom = await err({ jsonrpc: "2.0", id: 1, method: "boom" });
    expect(boom.error.code).to.equal(-32603);
    expect(boom.error.message).to.contain("kaput");
    expect((await err({ jsonrpc: "2.0", id: 1, method: "refuse" })).error).to.deep.equal({ code: -32000, message: "nonce too low", data: { kind: "rules", reason: "nonce" } });
  });

  it("batches: answers in order, skips notifications, refuses empty or oversized batches", async () => {
    const r = (await rawRpc(url, [
      { jsonrpc: "2.0", id: 1, method: "slow" },
      { jsonrpc: "2.0", method: "note", params: ["n1"] },
      { jsonrpc: "2.0", id: 2, method: "nope" },
    ])).json as { id: number; result?: unknown; error?: { code: number } }[];
    expect(r.map((x) => x.id)).to.deep.equal([1, 2]);
    expect(r[0].result).to.equal("late");
    expect(r[1].error!.code).to.equal(-32601);
    expect(calls).to.include('["n1"]');
    expect(((await rawRpc(url, [])).json as { error: { code: number } }).error.code).to.equal(-32600);
    // Over the batch limit: one error, geth's, with the first call's id; nothing runs.
    const big = Array.from({ length: 4 }, (_, i) => ({ jsonrpc: "2.0", id: i + 10, method: "note", params: ["never"] }));
    expect((await rawRpc(url, big)).json).to.deep.equal([{ jsonrpc: "2.0", id: 10, error: { code: -32600, message: "batch too large" } }]);
    expect(calls).to.not.include('["never"]');
    // Only notifications: no body.
    const n = await rawRpc(url, [{ jsonrpc: "2.0", method: "note", params: ["n2"] }]);
    expect(n.status).to.equal(204);
    expect(n.text).to.equal("");
    const single = await rawRpc(url, { jsonrpc: "2.0", method: "note", params: ["n3"] });
    expect(single.status).to.equal(204);
  });

  it("HTTP: POST only", async () => {
    expect((await fetch(url, { method: "GET" })).status).to.equal(405);
  });

  it("CORS: headers only for the configured origins (exact, or any port of a host), none for others or without an Origin", async () => {
    const pre = (origin?: string) => fetch(url, { method: "OPTIONS", headers: origin ? { origin } : {} });
    for (const origin of ["https://app.example", "http://localhost:3000", "http://localhost"]) {
      const o = await pre(origin);
      expect(o.status).to.equal(204);
      expect(o.headers.get("access-control-allow-origin"), origin).to.equal(origin);
      expect(o.headers.get("access-control-allow-methods")).to.contain("POST");
    }
    for (const origin of ["https://evil.example", "http://localhost.evil.example:3000", "https://app.example.evil", undefined]) {
      const o = await pre(origin);
      expect(o.headers.get("access-control-allow-origin"), String(origin)).to.equal(null);
    }
    const post = await fetch(url, { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo" }) });
    expect(post.headers.get("access-control-allow-origin")).to.equal(null);
  });

  it("body limit: a larger body gets HTTP 413 (geth's message) and is not run; one within the limit is", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "note", params: ["y".repeat(3000)] });
    const r = await rawRpc(url, body);
    expect(r.status).to.equal(413);
    expect((r.json as { error: { message: string } }).error.message).to.equal(`content length too large (${body.length}>2000)`);
    expect(calls.some((c) => c.includes("yyy"))).to.equal(false);
    expect((await rawRpc(url, { jsonrpc: "2.0", id: 1, method: "echo", params: ["z".repeat(1000)] })).status).to.equal(200);
  });

  it("response limit: a response over it, and a batch's requests after it is passed, get -32003 'response too large'", async () => {
    expect((await rawRpc(url, { jsonrpc: "2.0", id: 5, method: "big", params: [2000] })).json).to.deep.equal({ jsonrpc: "2.0", id: 5, error: { code: -32003, message: "response too large" } });
    const r = (await rawRpc(url, [
      { jsonrpc: "2.0", id: 1, method: "big", params: [500] },
      { jsonrpc: "2.0", id: 2, method: "big", params: [500] },
      { jsonrpc: "2.0", id: 3, method: "note", params: ["after-limit"] },
    ])).json as { id: number; result?: string; error?: { code: number; message: string } }[];
    expect(r[0].result).to.have.length(500);
    expect(r[1].result, "the response that passes the limit is sent").to.have.length(500);
    expect(r[2].error).to.deep.equal({ code: -32003, message: "response too large" });
    expect(calls).to.not.include('["after-limit"]');
  });
});
