/**
 * A bare JSON-RPC client for the node's hot L1 reads (blocks, logs, pinned calls, transactions,
 * receipts): one request per call over kept-alive connections (node:http), the answer decoded once by
 * the platform (UTF-8 and JSON, native), no provider objects in between. ethers' JsonRpcProvider
 * decodes every answer with a JavaScript UTF-8 decoder and checksums every address of every log
 * with a JavaScript keccak: under load that was an eighth of the sequencer's main thread
 * (docs/BENCHMARKS.md, "Third pass"). The provider stays for what ethers does well (contract calls,
 * signing flows that are not hot).
 *
 * An error answer throws L1RpcError carrying the JSON-RPC error object where revertOf
 * (node/l1/contracts.ts) looks for revert data: `error.data` (geth, anvil: the hex string) and
 * `info.error.data.data` (Hardhat: an object holding it), as ethers' errors carry them.
 */

import * as http from "http";
import * as https from "https";

/** A log as eth_getLogs answers it, with the fields the node reads (ethers' Log has them too). */
export interface L1Log {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  transactionIndex: number;
  /** The log's index in its block. */
  index: number;
}

/** A JSON-RPC error answer, or an answer that is not JSON-RPC. */
export class L1RpcError extends Error {
  readonly info: { error: { code: number; message: string; data?: unknown } };
  constructor(
    readonly method: string,
    readonly error: { code: number; message: string; data?: unknown },
  ) {
    super(`L1 ${method}: ${error.message} (code ${error.code})`);
    this.info = { error };
  }
}

interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

/** A log of eth_getLogs' answer in the node's shape (numbers as numbers); throws on a malformed one. */
export function logFromJson(x: unknown): L1Log {
  const r = x as RawLog;
  const num = (v: unknown, what: string) => {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]+$/.test(v)) throw new Error(`L1 answered a log whose ${what} is not a quantity: ${String(v)}`);
    return Number(v);
  };
  const str = (v: unknown, what: string) => {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]*$/.test(v)) throw new Error(`L1 answered a log whose ${what} is not hex: ${String(v)}`);
    return v;
  };
  if (typeof r !== "object" || r === null || !Array.isArray(r.topics)) throw new Error("L1 answered eth_getLogs with something that is not a log");
  return {
    address: str(r.address, "address"),
    topics: r.topics.map((t, i) => str(t, `topic ${i}`).toLowerCase()),
    data: str(r.data, "data"),
    blockNumber: num(r.blockNumber, "block number"),
    blockHash: str(r.blockHash, "block hash"),
    transactionHash: str(r.transactionHash, "transaction hash"),
    transactionIndex: num(r.transactionIndex, "transaction index"),
    index: num(r.logIndex, "log index"),
  };
}

export class RawRpc {
  private id = 0;
  private readonly target: URL;
  private readonly agent: http.Agent;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.target = new URL(url);
    if (this.target.protocol !== "http:" && this.target.protocol !== "https:") throw new Error(`L1 URL ${url}: only http and https are supported`);
    this.agent = new (this.target.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true });
  }

  /** POSTs one body over a kept-alive connection (node:http: no web streams or Headers objects, as fetch has). */
  private post(body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = (this.target.protocol === "https:" ? https : http).request(
        this.target,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`L1 did not answer within ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  async send<T = unknown>(method: string, params: unknown[]): Promise<T> {
    const { status, text } = await this.post(JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }));
    const res = { status };
    let j: { result?: T; error?: { code?: unknown; message?: unknown; data?: unknown } };
    try {
      j = JSON.parse(text);
    } catch {
      throw new L1RpcError(method, { code: -32700, message: `HTTP ${res.status}, not a JSON-RPC answer: ${text.slice(0, 200)}` });
    }
    if (typeof j !== "object" || j === null) throw new L1RpcError(method, { code: -32700, message: `HTTP ${res.status}, not a JSON-RPC answer` });
    if (j.error !== undefined && j.error !== null) {
      const e = j.error;
      throw new L1RpcError(method, { code: typeof e.code === "number" ? e.code : 0, message: typeof e.message === "string" ? e.message : "error", ...(e.data !== undefined ? { data: e.data } : {}) });
    }
    if (!("result" in j)) throw new L1RpcError(method, { code: -32603, message: `HTTP ${res.status}, a JSON-RPC answer without a result` });
    return j.result as T;
  }

  /** eth_getLogs as L1Logs, in L1's order. */
  async logs(filter: { address: string | string[]; fromBlock?: number; toBlock?: number; blockHash?: string; topics: (string | string[] | null)[] }): Promise<L1Log[]> {
    const q = (n: number) => "0x" + n.toString(16);
    const f: Record<string, unknown> = { address: filter.address, topics: filter.topics };
    if (filter.blockHash !== undefined) f.blockHash = filter.blockHash;
    else {
      f.fromBlock = q(filter.fromBlock ?? 0);
      f.toBlock = q(filter.toBlock ?? 0);
    }
    const got = await this.send<unknown[]>("eth_getLogs", [f]);
    if (!Array.isArray(got)) throw new Error("L1 answered eth_getLogs with something that is not a list");
    return got.filter((l) => !(l as RawLog)?.removed).map(logFromJson);
  }
}
