/**
 * The WebSocket endpoint, on the HTTP port (an HTTP upgrade at any path): every JSON-RPC method,
 * and eth_subscribe / eth_unsubscribe with geth's subscriptions `newHeads` (each new block's
 * header), `logs` (each new matching log; a filter of addresses and topics) and
 * `newPendingTransactions` (each transaction the node accepts: its hash, or the transaction with
 * `true`). Limits (protocol.md §12.1): connections per node, subscriptions per connection, message
 * size (the HTTP body limit), and the bytes waiting to be sent to one connection (a subscriber that
 * does not read is disconnected, 1008, rather than held in memory). Browsers' origins are checked
 * against the CORS list, as geth's --ws.origins.
 */
import { randomBytes } from "crypto";
import type * as http from "http";
import type { Duplex } from "stream";
import { WebSocketServer, WebSocket } from "ws";
import type { ChainView } from "./chain-view";
import { formatBlock } from "./format";
import { blockLogs, logCriteria, type LogCriteria } from "./logs";
import { objectArg } from "./params";
import { corsAllows, INVALID_PARAMS, INVALID_REQUEST, LIMIT_EXCEEDED, METHOD_NOT_FOUND, type RequestContext, type RpcServer } from "./server";
import { errMsg, type Logger } from "../log";

export interface WsOptions {
  maxConnections: number;
  maxSubscriptions: number;
  /** Bytes queued for one connection before it is closed. */
  maxBufferedBytes: number;
  /** Largest message received (the HTTP body limit). */
  maxPayload: number;
  cors: readonly string[];
  log?: Logger;
}

type Sub = { kind: "newHeads" } | { kind: "logs"; criteria: LogCriteria } | { kind: "newPendingTransactions"; full: boolean };

interface Conn {
  ws: WebSocket;
  subs: Map<string, Sub>;
  /** Who it is, for the per-client limits of the methods it calls (its address, as over HTTP). */
  ctx: RequestContext;
}

type Id = string | number | null;

export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Conn>();

  constructor(
    private readonly rpc: RpcServer,
    private readonly view: ChainView,
    private readonly o: WsOptions,
    /** The transaction object of an accepted transaction (newPendingTransactions with `true`). */
    private readonly pendingTx: (hash: string) => Promise<unknown>,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload });
  }

  get connections(): number {
    return this.conns.size;
  }

  /** The HTTP server's upgrade handler. */
  readonly upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refuse = (status: number, why: string) => {
      socket.end(`HTTP/1.1 ${status} ${why}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    const origin = req.headers.origin;
    // INVARIANT: a web page of an origin the operator did not allow cannot use the node through a visitor's browser.
    if (origin !== undefined && !corsAllows(this.o.cors, origin)) return refuse(403, "Forbidden");
    if (this.conns.size >= this.o.maxConnections) return refuse(503, "Service Unavailable");
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, { client: req.socket.remoteAddress ?? "unknown" }));
  };

  private accept(ws: WebSocket, ctx: RequestContext): void {
    const c: Conn = { ws, subs: new Map(), ctx };
    this.conns.add(c);
    ws.on("close", () => this.conns.delete(c));
    ws.on("error", () => ws.terminate());
    ws.on("message", (data, isBinary) => {
      if (isBinary) return this.send(c, { jsonrpc: "2.0", id: null, error: { code: INVALID_REQUEST, message: "invalid request: binary message" } });
      this.onMessage(c, data.toString()).catch((e) => this.o.log?.error({ err: errMsg(e) }, "websocket message failed"));
    });
  }

  private send(c: Conn, msg: unknown): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    // INVARIANT: what waits for one connection stays bounded.
    if (c.ws.bufferedAmount > this.o.maxBufferedBytes) {
      c.ws.close(1008, "subscriber too slow");
      return;
    }
    c.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  private async onMessage(c: Conn, text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const r = parsed as Record<string, unknown> | undefined;
    if (r && typeof r === "object" && !Array.isArray(r) && (r.method === "eth_subscribe" || r.method === "eth_unsubscribe")) {
      const id = (r.id ?? null) as Id;
      try {
        const result = r.method === "eth_subscribe" ? this.subscribe(c, r.params) : this.unsubscribe(c, r.params);
        this.send(c, { jsonrpc: "2.0", id, result });
      } catch (e) {
        const err = e as { code?: number; message?: string };
        this.send(c, { jsonrpc: "2.0", id, error: { code: err.code ?? INVALID_PARAMS, message: err.message ?? String(e) } });
      }
      return;
    }
    const out = await this.rpc.handleBody(text, c.ctx);
    if (out !== undefined) this.send(c, out);
  }

  private subscribe(c: Conn, params: unknown): string {
    const p = Array.isArray(params) ? params : [];
    const kind = p[0];
    let sub: Sub;
    if (kind === "newHeads") sub = { kind };
    else if (kind === "logs") sub = { kind, criteria: logCriteria(p[1] === undefined || p[1] === null ? {} : objectArg(p[1], "logs filter")) };
    else if (kind === "newPendingTransactions") sub = { kind, full: p[1] === true };
    else throw { code: METHOD_NOT_FOUND, message: `no ${JSON.stringify(kind)} subscription in eth namespace` };
    if (c.subs.size >= this.o.maxSubscriptions) throw { code: LIMIT_EXCEEDED, message: `too many subscriptions on this connection (at most ${this.o.maxSubscriptions})` };
    const id = "0x" + randomBytes(16).toString("hex");
    c.subs.set(id, sub);
    return id;
  }

  private unsubscribe(c: Conn, params: unknown): boolean {
    const id = Array.isArray(params) ? params[0] : undefined;
    if (typeof id !== "string") throw { code: INVALID_PARAMS, message: "invalid params: subscription id expected" };
    return c.subs.delete(id.toLowerCase());
  }

  private notify(c: Conn, subscription: string, result: unknown): void {
    this.send(c, { jsonrpc: "2.0", method: "eth_subscription", params: { subscription, result } });
  }

  /** A block was added: its header to newHeads, its matching logs to logs subscriptions. */
  async block(index: bigint): Promise<void> {
    if (!this.conns.size) return;
    const bt = await this.view.d.chain.batch(index);
    if (!bt) return;
    const head = formatBlock(bt, []);
    delete head.transactions;
    for (const c of this.conns)
      for (const [id, s] of c.subs) {
        if (s.kind === "newHeads") this.notify(c, id, head);
        else if (s.kind === "logs") for (const l of await blockLogs(this.view.d.chain, bt, s.criteria)) this.notify(c, id, l);
      }
  }

  /** A transaction was accepted into the mempool. */
  async pending(hash: string): Promise<void> {
    let full: unknown;
    for (const c of this.conns)
      for (const [id, s] of c.subs) {
        if (s.kind !== "newPendingTransactions") continue;
        if (s.full) full ??= await this.pendingTx(hash);
        this.notify(c, id, s.full ? (full ?? hash) : hash);
      }
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
