/**
 * A JSON-RPC 2.0 server over node:http: single and batch requests, notifications, and the
 * standard error codes (-32700 parse error, -32600 invalid request, -32601 method not found,
 * -32602 invalid params, -32603 internal error); methods throw RpcError for their own codes
 * (-32000 for a refused transaction, 3 for a reverted call, as Ethereum clients do).
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

export type Handler = (params: unknown[] | Record<string, unknown>) => Promise<unknown> | unknown;
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
  maxBatch?: number;
  maxBodyBytes?: number;
  log?: Logger;
}

function errorResponse(id: Id, code: number, message: string, data?: unknown): Response {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

export class RpcServer {
  private server: http.Server | undefined;
  private readonly maxBatch: number;
  private readonly maxBody: number;

  constructor(
    private readonly methods: Methods,
    private readonly o: ServerOptions,
  ) {
    this.maxBatch = o.maxBatch ?? 1000;
    this.maxBody = o.maxBodyBytes ?? 32 * 1024 * 1024;
  }

  /** Handles one parsed request object; undefined for a notification. */
  async handleOne(req: unknown): Promise<Response | undefined> {
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
        const result = await fn(params as unknown[] | Record<string, unknown>);
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
  async handleBody(body: string): Promise<string | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return JSON.stringify(errorResponse(null, PARSE_ERROR, "parse error: the body is not JSON"));
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return JSON.stringify(errorResponse(null, INVALID_REQUEST, "invalid request: empty batch"));
      if (parsed.length > this.maxBatch) return JSON.stringify(errorResponse(null, INVALID_REQUEST, `invalid request: batch of ${parsed.length} exceeds ${this.maxBatch}`));
      // In order: later requests may depend on earlier ones (a send, then a read).
      const out: Response[] = [];
      for (const r of parsed) {
        const x = await this.handleOne(r);
        if (x) out.push(x);
      }
      return out.length ? JSON.stringify(out) : undefined;
    }
    const one = await this.handleOne(parsed);
    return one ? JSON.stringify(one) : undefined;
  }

  async listen(): Promise<AddressInfo> {
    const server = http.createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 5000;
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
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "content-type");
    res.setHeader("Access-Control-Allow-Methods", "POST, OPTIONS");
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { "content-type": "application/json", allow: "POST" }).end(JSON.stringify(errorResponse(null, INVALID_REQUEST, "JSON-RPC requests are POSTed")));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > this.maxBody) {
        tooBig = true;
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (tooBig) return;
      this.handleBody(Buffer.concat(chunks).toString("utf8")).then(
        (out) => {
          if (out === undefined) res.writeHead(204).end();
          else res.writeHead(200, { "content-type": "application/json" }).end(out);
        },
        (e) => res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify(errorResponse(null, INTERNAL_ERROR, errMsg(e)))),
      );
    });
    req.on("close", () => {
      if (tooBig && !res.headersSent) res.writeHead(413).end();
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
