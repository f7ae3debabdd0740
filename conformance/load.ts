/**
 * Loads Ethereum GeneralStateTests (any fork folder layout) and expands each test into its Cancun
 * vectors. Nothing here is tuned to particular files: every JSON file with a `post.Cancun` entry
 * is a source of vectors.
 */
import * as fs from "fs";
import * as path from "path";
import { hexToBytes } from "../core/bytes";
import type { BlockEnv } from "../core/evm/chain";

export interface PreAccount {
  nonce: bigint;
  balance: bigint;
  code: Uint8Array;
  storage: Map<bigint, bigint>;
}

export type WorldState = Map<string, PreAccount>;

export interface Vector {
  /** file#test[index] */
  id: string;
  /** Folder label for the per-folder table. */
  folder: string;
  file: string;
  test: string;
  index: number;
  env: BlockEnv;
  pre: WorldState;
  txbytes: Uint8Array;
  hash: string;
  logs: string;
  expectException?: string;
}

export const FORK = "Cancun";

/** All .json files below the given files or directories, sorted, with the folder label of each. */
export function listFiles(inputs: string[]): Array<{ file: string; folder: string }> {
  const out: Array<{ file: string; folder: string }> = [];
  const walk = (p: string, root: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e), root);
    } else if (p.endsWith(".json")) {
      const rel = path.relative(root, path.dirname(p));
      out.push({ file: p, folder: rel === "" ? path.basename(path.dirname(p)) : rel });
    }
  };
  for (const i of inputs) {
    const abs = path.resolve(i);
    if (!fs.existsSync(abs)) throw new Error(`no such file or directory: ${i}`);
    walk(abs, fs.statSync(abs).isDirectory() ? abs : path.dirname(abs));
  }
  return out;
}

const big = (h: string | undefined): bigint => (h === undefined || h === "" || h === "0x" ? 0n : BigInt(h));
const hex = (h: string): Uint8Array => hexToBytes((h.startsWith("0x") ? h : "0x" + h) as `0x${string}`);

function parsePre(pre: Record<string, { balance: string; nonce: string; code: string; storage: Record<string, string> }>): WorldState {
  const w: WorldState = new Map();
  for (const [addr, a] of Object.entries(pre)) {
    const storage = new Map<bigint, bigint>();
    for (const [k, v] of Object.entries(a.storage ?? {})) if (big(v) !== 0n) storage.set(big(k), big(v));
    w.set(addr.toLowerCase(), { nonce: big(a.nonce), balance: big(a.balance), code: hex(a.code ?? "0x"), storage });
  }
  return w;
}

interface RawTest {
  env: Record<string, string>;
  pre: Record<string, { balance: string; nonce: string; code: string; storage: Record<string, string> }>;
  post?: Record<string, Array<{ hash: string; logs: string; txbytes: string; expectException?: string; indexes: { data: number; gas: number; value: number } }>>;
}

/** The Cancun vectors of one file. Files without Cancun vectors yield none. */
export function loadVectors(file: string, folder: string): Vector[] {
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, RawTest>;
  const out: Vector[] = [];
  for (const [test, t] of Object.entries(json)) {
    const posts = t.post?.[FORK];
    if (!posts || !t.env || !t.pre) continue;
    const e = t.env;
    const env: BlockEnv = {
      chainId: 1n,
      number: big(e.currentNumber),
      timestamp: big(e.currentTimestamp),
      coinbase: hex(e.currentCoinbase),
      baseFee: big(e.currentBaseFee),
      gasLimit: big(e.currentGasLimit),
      prevRandao: hex((e.currentRandom ?? "0x" + "00".repeat(32)).replace(/^0x/, "").padStart(64, "0")),
      excessBlobGas: big(e.currentExcessBlobGas),
    };
    const pre = parsePre(t.pre);
    posts.forEach((p, index) => {
      out.push({
        id: `${path.basename(file)}#${test}[${index}]`,
        folder,
        file,
        test,
        index,
        env,
        pre,
        txbytes: hex(p.txbytes ?? "0x"),
        hash: p.hash.toLowerCase(),
        logs: p.logs.toLowerCase(),
        expectException: p.expectException,
      });
    });
  }
  return out;
}
