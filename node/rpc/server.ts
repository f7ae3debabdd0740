/**
 * A JSON-RPC 2.0 server over node:http: single and batch requests, notifications, and the
 * standard error codes (-32700 parse error, -32600 invalid request, -32601 method not found,
 * -32602 invalid params, -32603 internal error); methods throw RpcError for their own codes
 * (-32000 for a refused transaction, 3 for a reverted call, as Ethereum clients do).
 *
 * Limits, as geth has them (defaults in node/config.ts DEFAULT_RPC): a batch of at most `maxBatch`
 * requests (more: one error "batch too large", -32600, with the first request's id); a request
 * body of at most `maxBodyBytes` (more: HTTP 413 "content length too large", without reading the
 * rest); responses of at most `maxResponseBytes` in all (a batch's requests after the one whose
 * response passes the limit are not run and get -32003 "response too large", as in geth; a single
 * response over the limit is replaced by that error); the whole request
 * received within `requestTimeoutMs` (slow senders are cut off). CORS headers only for the
 * origins configured (`cors`: exact origins, "scheme://host:*" for any port, or "*"); none by
 * default, so a web page on another origin cannot use a node's RPC through a visitor's browser.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { errMsg, type Logger } from "../log";

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
export const SERVER_ERROR = -32000;
/** EIP-1474 "limit exceeded". */
export const LIMIT_EXCEEDED = -32005;
/** geth's errcodeResponseTooLarge. */
export const RESPONSE_TOO_LARGE = -32003;

/** Who sent a request: the HTTP client's address (per-client limits count by it). */
export interface RequestContext {
  client: string;
}

/** The context of a request that did not come over HTTP (tests, in-process callers). */
export const LOCAL_REQUEST: RequestContext = { client: "local" };

export type Handler = (params: unknown[] | Record<string, unknown>, ctx: RequestContext) => Promise<unknown> | unknown;
export type Methods = Record<string, Handler>;

type Id = string | number | null;
interface Response {
  jsonrpc: "2.0";
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface ServerOptions {
  host: string;
  port: number;
  /** Most requests in one batch (default 1000). */
  maxBatch?: number;
  /** Largest request body in bytes (default 5 MiB). */
  maxBodyBytes?: number;
  /** Largest response in bytes, a batch's responses together (default 25,000,000). */
  maxResponseBytes?: number;
  /** Origins that get CORS headers (default none). */
  cors?: readonly string[];
  /** Time to receive a whole request (default 30 s). */
  requestTimeoutMs?: number;
  /** HTTP upgrades (the WebSocket endpoint on the same port); without it they are refused. */
  onUpgrade?: (req: http.IncomingMessage, socket: import("stream").Duplex, head: Buffer) => void;
  log?: Logger;
}

/** Whether `origin` is one of `allowed` (exact, "*", or "scheme://host:*" for any port of that host). */
export function corsAllows(allowed: readonly string[], origin: string | undefined): boolean {
  if (!origin) return false;
  const o = origin.toLowerCase();
  return allowed.some((a) => {
    const x = a.toLowerCase();
    if (x === "*" || x === o) return true;
    if (x.endsWith(":*")) {
      const base = x.slice(0, -2);
      return o === base || (o.startsWith(base + ":") && /^\d+$/.test(o.slice(base.length + 1)));
    }
    return false;
  });
}

function errorResponse(id: Id, code: number, message: string, data?: unknown): Response {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

export class RpcServer {
  private server: http.Server | undefined;
  private readonly maxBatch: number;
  private readonly maxBody: number;
  private readonly maxResponse: number;

  constructor(
    /** The methods served over HTTP (the README lists them: test/e2e/dev-tools.test.ts checks both ways). */
    readonly methods: Methods,
    private readonly o: ServerOptions,
  ) {
    this.maxBatch = o.maxBatch ?? 1000;
    this.maxBody = o.maxBodyBytes ?? 5 * 1024 * 1024;
    this.maxResponse = o.maxResponseBytes ?? 25_000_000;
  }

  /** Handles one parsed request object; undefined for a notification. */
  async handleOne(req: unknown, ctx: RequestContext = LOCAL_REQUEST): Promise<Response | undefined> {
    if (typeof req !== "object" || req === null || Array.isArray(req)) return errorResponse(null, INVALID_REQUEST, "invalid request: expected an object");
    const r = req as Record<string, unknown>;
    const hasId = "id" in r;
    const id = r.id as Id;
    if (hasId && id !== null && typeof id !== "string" && typeof id !== "number") return errorResponse(null, INVALID_REQUEST, "invalid request: id must be a string, number or null");
    if (r.jsonrpc !== "2.0" || typeof r.method !== "string") return errorResponse(hasId ? id : null, INVALID_REQUEST, 'invalid request: needs jsonrpc "2.0" and a method name');
    const params = r.params ?? [];
    if (typeof params !== "object" || params === null) return errorResponse(hasId ? id : null, INVALID_REQUEST, "invalid request: params must be an array or an object");
    const fn = Object.prototype.hasOwnProperty.call(this.methods, r.method) ? this.methods[r.method] : undefined;
    let res: Response;
    if (!fn) res = errorResponse(id ?? null, METHOD_NOT_FOUND, `the method ${r.method} does not exist/is not available`);
    else {
      try {
        const result = await fn(params as unknown[] | Record<string, unknown>, ctx);
        res = { jsonrpc: "2.0", id: id ?? null, result: result === undefined ? null : result };
      } catch (e) {
        if (e instanceof RpcError) res = errorResponse(id ?? null, e.code, e.message, e.data);
        else {
          this.o.log?.error({ method: r.method, err: errMsg(e), stack: (e as Error)?.stack }, "internal error in RPC method");
          res = errorResponse(id ?? null, INTERNAL_ERROR, `internal error: ${errMsg(e)}`);
        }
      }
    }
    return hasId ? res : undefined;
  }

  /** Handles a request body (text); returns the response body, or undefined if nothing is due. */
  async handleBody(body: string, ctx: RequestContext = LOCAL_REQUEST): Promise<string | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return JSON.stringify(errorResponse(null, PARSE_ERROR, "parse error: the body is not JSON"));
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return JSON.stringify(errorResponse(null, INVALID_REQUEST, "invalid request: empty batch"));
      if (parsed.length > this.maxBatch) {
        // geth: one error for the whole batch, with the id of its first call.
        const firstId = parsed.find((r) => typeof r === "object" && r !== null && !Array.isArray(r) && "id" in r) as { id?: Id } | undefined;
        return JSON.stringify([errorResponse(typeof firstId?.id === "string" || typeof firstId?.id === "number" ? firstId.id : null, INVALID_REQUEST, "batch too large")]);
      }
      // In order: later requests may depend on earlier ones (a send, then a read).
      const out: string[] = [];
      let size = 2;
      for (const r of parsed) {
        if (size > this.maxResponse) {
          // Past the limit: the rest are answered with an error, not run.
          const id = typeof r === "object" && r !== null && "id" in r ? ((r as { id: Id }).id ?? null) : undefined;
          if (id !== undefined) out.push(JSON.stringify(errorResponse(id, RESPONSE_TOO_LARGE, "response too large")));
          continue;
        }
        const x = await this.handleOne(r, ctx);
        if (!x) continue;
        const t = JSON.stringify(x);
        size += t.length + 1;
        out.push(t); // the response that passes the limit is sent (as geth does), the rest are not run
      }
      return out.length ? `[${out.join(",")}]` : undefined;
    }
    const one = await this.handleOne(parsed, ctx);
    if (!one) return undefined;
    const t = JSON.stringify(one);
    return t.length > this.maxResponse ? JSON.stringify(errorResponse(one.id, RESPONSE_TOO_LARGE, "response too large")) : t;
  }

  async listen(): Promise<AddressInfo> {
    const server = http.createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 5000;
    server.requestTimeout = this.o.requestTimeoutMs ?? 30_000;
    server.headersTimeout = Math.min(server.requestTimeout, 30_000);
    if (this.o.onUpgrade) server.on("upgrade", this.o.onUpgrade);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  get url(): string {
    const a = this.server?.address() as AddressInfo | undefined;
    return a ? `http://${a.address}:${a.port}` : "";
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const origin = req.headers.origin;
    const cors = corsAllows(this.o.cors ?? [], origin);
    if (cors) {
      res.setHeader("Access-Control-Allow-Origin", this.o.cors!.includes("*") ? "*" : origin!);
      res.setHeader("Vary", "Origin");
    }
    if (req.method === "OPTIONS") {
      if (cors) {
        res.setHeader("Access-Control-Allow-Headers", "content-type");
        res.setHeader("Access-Control-Allow-Methods", "POST, OPTIONS");
        res.setHeader("Access-Control-Max-Age", "600");
      }
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { "content-type": "application/json", allow: "POST" }).end(JSON.stringify(errorResponse(null, INVALID_REQUEST, "JSON-RPC requests are POSTed")));
      return;
    }
    const tooLarge = (n: number) => {
      // Answer and drop the connection: the rest of the body is never read.
      res.writeHead(413, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify(errorResponse(null, INVALID_REQUEST, `content length too large (${n}>${this.maxBody})`)), () => req.destroy());
    };
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > this.maxBody) {
      tooLarge(declared);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > this.maxBody) {
        over = true;
        chunks.length = 0;
        req.pause();
        tooLarge(size);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (over) return;
      this.handleBody(Buffer.concat(chunks).toString("utf8"), { client: req.socket.remoteAddress ?? "unknown" }).then(
        (out) => {
          if (out === undefined) res.writeHead(204).end();
          else res.writeHead(200, { "content-type": "application/json" }).end(out);
        },
        (e) => res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify(errorResponse(null, INTERNAL_ERROR, errMsg(e)))),
      );
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections?.();
    });
  }
}
