/**
 * The explorer's web server: the page (explorer/: one HTML file, one script, one stylesheet; no
 * framework, nothing from a CDN) and its JSON API over the node's stores (data.ts). Read-only: GET
 * and HEAD only, every other method 405. The page and the API share an origin, so no CORS; a
 * Content-Security-Policy allows only this origin's scripts and styles.
 *
 *   GET /api/status                          chain ids, contracts, L1 and L2 heads, mempool
 *   GET /api/batches?limit=&before=          batches newest first, rolled-back ones too
 *   GET /api/batch/<index | header hash>     one batch with its transactions
 *   GET /api/tx/<hash>                       a transaction with its moves and their producers
 *   GET /api/seq/<n>                         the transaction with seq n
 *   GET /api/key/<mark>/<address>[/<slot>]   a key's version history (?from=<seq>&limit=)
 *   GET /api/address/<address>               balance, nonce, code hash, withdrawals, deposits
 *   GET /api/bridge                          deposits and withdrawals
 *   GET /api/proofs                          rollbacks, prover events, dispute games
 *   GET /api/search?q=                       where a hash, index or address leads
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import type { AddressInfo } from "net";
import { errMsg, type Logger } from "../log";
import { ExplorerData, ExplorerError } from "./data";

/** The page's files: explorer/ at the project's root. */
export const ASSETS_DIR = path.resolve(__dirname, "..", "..", "explorer");

const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
  "/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
};

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export interface ExplorerServer {
  url: string;
  close(): Promise<void>;
}

type Route = (m: RegExpExecArray, q: URLSearchParams) => Promise<unknown> | unknown;

export async function startExplorer(data: ExplorerData, o: { host: string; port: number; log?: Logger }): Promise<ExplorerServer> {
  const routes: [RegExp, Route][] = [
    [/^\/api\/status$/, () => data.status()],
    [/^\/api\/batches$/, (_m, q) => data.batches({ limit: q.get("limit") ?? undefined, before: q.get("before") ?? undefined })],
    [/^\/api\/batch\/([^/]+)$/, (m) => data.batch(m[1])],
    [/^\/api\/tx\/([^/]+)$/, (m) => data.tx(m[1])],
    [/^\/api\/seq\/([^/]+)$/, (m) => data.seq(m[1])],
    [/^\/api\/key\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/, (m, q) => data.key(m[1], m[2], m[3], { from: q.get("from") ?? undefined, limit: q.get("limit") ?? undefined })],
    [/^\/api\/address\/([^/]+)$/, (m) => data.address(m[1])],
    [/^\/api\/bridge$/, () => data.bridge()],
    [/^\/api\/proofs$/, () => data.proofs()],
    [/^\/api\/search$/, (_m, q) => data.search(q.get("q") ?? "")],
  ];

  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...SECURITY_HEADERS, ...extra });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const json = (status: number, v: unknown) => send(status, "application/json; charset=utf-8", JSON.stringify(v));
    if (req.method !== "GET" && req.method !== "HEAD") return json(405, { error: "the explorer is read-only: GET only" });
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://explorer");
    } catch {
      return json(400, { error: "bad URL" });
    }
    const asset = ASSETS[url.pathname];
    if (asset) {
      // Read on each request (a few KB): an edited page shows on reload.
      fs.readFile(path.join(ASSETS_DIR, asset.file), (err, b) => (err ? json(404, { error: `${asset.file} is missing from ${ASSETS_DIR}` }) : send(200, asset.type, b)));
      return;
    }
    for (const [re, fn] of routes) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      try {
        for (let i = 1; i < m.length; i++) if (m[i] !== undefined) m[i] = decodeURIComponent(m[i]);
      } catch {
        return json(400, { error: "bad percent-encoding in the path" });
      }
      Promise.resolve()
        .then(() => fn(m, url.searchParams))
        .then(
          (v) => json(200, v),
          (e) => {
            if (e instanceof ExplorerError) return json(e.status, { error: e.message });
            o.log?.warn({ path: url.pathname, err: errMsg(e) }, "explorer: request failed");
            json(500, { error: errMsg(e) });
          },
        );
      return;
    }
    json(404, { error: `no such page: ${url.pathname}` });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(new Error(`cannot serve the explorer on ${o.host}:${o.port}: ${errMsg(e)}`)));
    server.listen(o.port, o.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const url = `http://${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}`;
  o.log?.info({ url }, "explorer serving");
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
