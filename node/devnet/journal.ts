/**
 * The devnet's L1 journal: the in-process Hardhat network keeps no state on disk, so the devnet
 * records every L1 block (timestamp, base fee, and its transactions as signed raw bytes) in
 * <datadir>/l1/journal.jsonl, and on restart replays them into a fresh Hardhat network whose
 * genesis is set to the recorded genesis time. Same transactions, same order, same timestamps and
 * base fees give the same state, so the contracts, the deposit queue and the batches are back where
 * they were, and the L2 node resumes from its datadir.
 *
 * Lines: {"t":"genesis","ts":<seconds>,"hash":...}
 *        {"t":"block","n":<number>,"ts":<seconds>,"baseFee":"0x..","hash":"0x..","txs":[{"raw":"0x.."} | {"send":{...}}]}
 * A transaction sent raw through the devnet's L1 server (the coordinator's appendBatch, a wallet's
 * transfer) is recorded with the bytes it was sent as (watchRawSends): its 20-40 KB of calldata are
 * neither read back nor serialized again. Any other (sent with eth_sendTransaction: the deployment,
 * funding) is rebuilt from its fields; one whose signature cannot be rebuilt into the same hash (an
 * impersonated sender) is replayed by impersonating its sender with the same fields.
 */
import * as fs from "fs";
import * as path from "path";
import { Signature, Transaction, keccak256 } from "ethers";
import { errMsg, type Logger } from "../log";

export type Request = (method: string, params?: unknown[]) => Promise<unknown>;

type JTx = { raw: string } | { send: Record<string, string | null>; hash: string };

interface JBlock {
  t: "block";
  n: number;
  ts: number;
  baseFee: string | null;
  hash: string;
  txs: JTx[];
}

interface RpcTx {
  hash: string;
  type: string;
  chainId?: string;
  nonce: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  to: string | null;
  value: string;
  input: string;
  accessList?: { address: string; storageKeys: string[] }[];
  r: string;
  s: string;
  v: string;
  from: string;
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  baseFeePerGas?: string;
  transactions: RpcTx[];
}

/** Signed raw bytes of a transaction as JSON-RPC returned it, or undefined if they do not hash back to it. */
export function rawOf(t: RpcTx): string | undefined {
  try {
    const type = Number(t.type);
    const tx = Transaction.from({
      type,
      chainId: t.chainId !== undefined ? BigInt(t.chainId) : undefined,
      nonce: Number(t.nonce),
      gasLimit: BigInt(t.gas),
      ...(type === 2 ? { maxFeePerGas: BigInt(t.maxFeePerGas!), maxPriorityFeePerGas: BigInt(t.maxPriorityFeePerGas!) } : { gasPrice: BigInt(t.gasPrice!) }),
      to: t.to,
      value: BigInt(t.value),
      data: t.input,
      ...(type === 1 || type === 2 ? { accessList: t.accessList ?? [] } : {}),
      signature: Signature.from({ r: t.r, s: t.s, v: BigInt(t.v) }),
    });
    const raw = tx.serialized;
    return keccak256(raw) === t.hash ? raw : undefined;
  } catch {
    return undefined;
  }
}

/** Raw sends remembered until their block is recorded (those never mined are forgotten oldest first). */
const MAX_RAW_SENDS = 10_000;

export class L1Journal {
  genesis: { ts: number; hash: string } | undefined;
  /** Signed bytes of transactions sent raw, by hash (lower case), until their block is recorded. */
  private readonly rawSends = new Map<string, string>();
  blocks: JBlock[] = [];
  private fd: number | undefined;
  private lastRecorded = -1;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  private constructor(readonly file: string) {}

  /** Reads the journal (a torn last line, from a crash while writing, is ignored). */
  static open(file: string): L1Journal {
    const j = new L1Journal(file);
    if (fs.existsSync(file)) {
      const lines = fs.readFileSync(file, "utf8").split("\n");
      for (const line of lines) {
        if (!line.trim()) continue;
        let o: { t: string } & Record<string, unknown>;
        try {
          o = JSON.parse(line);
        } catch {
          break;
        }
        if (o.t === "genesis") j.genesis = { ts: o.ts as number, hash: o.hash as string };
        else if (o.t === "block") j.blocks.push(o as unknown as JBlock);
      }
      j.lastRecorded = j.blocks.length ? j.blocks[j.blocks.length - 1].n : j.genesis ? 0 : -1;
    }
    return j;
  }

  get hasState(): boolean {
    return this.genesis !== undefined;
  }

  /** ISO date for Hardhat's `initialDate`, so the fresh network's genesis has the recorded time. */
  initialDate(): string | undefined {
    return this.genesis ? new Date(this.genesis.ts * 1000).toISOString() : undefined;
  }

  /**
   * Replays the recorded blocks into a fresh network. Returns how many blocks were replayed and how
   * many came out with a different hash (state is still the same when only hashes differ).
   */
  async replay(request: Request, log: Logger): Promise<{ blocks: number; hashMismatches: number }> {
    const head = Number(await request("eth_blockNumber"));
    if (head !== 0) throw new Error(`L1 journal: the network already has ${head} blocks; replay needs a fresh one`);
    const g = (await request("eth_getBlockByNumber", ["0x0", false])) as RpcBlock;
    if (this.genesis && Number(g.timestamp) !== this.genesis.ts) log.warn({ recorded: this.genesis.ts, got: Number(g.timestamp) }, "L1 genesis time differs from the journal's");
    let mismatches = 0;
    await request("evm_setAutomine", [false]);
    try {
      for (const b of this.blocks) {
        if (b.baseFee) await request("hardhat_setNextBlockBaseFeePerGas", [b.baseFee]);
        for (const t of b.txs) {
          if ("raw" in t) await request("eth_sendRawTransaction", [t.raw]);
          else {
            const from = t.send.from!;
            await request("hardhat_impersonateAccount", [from]);
            const fields = Object.fromEntries(Object.entries(t.send).filter(([, v]) => v !== null));
            await request("eth_sendTransaction", [fields]);
            await request("hardhat_stopImpersonatingAccount", [from]);
          }
        }
        await request("evm_mine", [b.ts]);
        const got = (await request("eth_getBlockByNumber", ["latest", false])) as { number: string; hash: string; transactions: string[] };
        if (Number(got.number) !== b.n) throw new Error(`replayed block has number ${Number(got.number)}, expected ${b.n}`);
        if (got.transactions.length !== b.txs.length) throw new Error(`replayed block ${b.n} has ${got.transactions.length} transactions, expected ${b.txs.length}`);
        if (got.hash !== b.hash) mismatches++;
      }
    } catch (e) {
      throw new Error(`L1 journal replay failed: ${errMsg(e)} (start over with --fresh)`, { cause: e });
    } finally {
      await request("evm_setAutomine", [true]);
    }
    this.lastRecorded = this.blocks.length ? this.blocks[this.blocks.length - 1].n : 0;
    return { blocks: this.blocks.length, hashMismatches: mismatches };
  }

  /**
   * `provider` with its eth_sendRawTransaction answers watched: each accepted transaction's bytes
   * are kept by the hash L1 answered, for the block that includes it. Everything else is `provider`'s.
   */
  watchRawSends<P extends { request(a: { method: string; params?: unknown }): Promise<unknown> }>(provider: P): P {
    const request = async (a: { method: string; params?: unknown }) => {
      const out = await provider.request(a);
      const raw = Array.isArray(a.params) ? a.params[0] : undefined;
      if (a.method === "eth_sendRawTransaction" && typeof out === "string" && typeof raw === "string") {
        if (this.rawSends.size >= MAX_RAW_SENDS) this.rawSends.delete(this.rawSends.keys().next().value!);
        this.rawSends.set(out.toLowerCase(), raw);
      }
      return out;
    };
    return new Proxy(provider, {
      get(target, prop) {
        if (prop === "request") return request;
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** Records every new block, now and every `pollMs`. */
  async startRecording(request: Request, pollMs: number, log: Logger): Promise<void> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, "a");
    const tick = async () => {
      try {
        await this.record(request);
      } catch (e) {
        log.error({ err: errMsg(e) }, "L1 journal: recording failed");
      }
    };
    await tick();
    this.timer = setInterval(() => {
      this.polling = this.polling.then(tick);
    }, pollMs);
    this.timer.unref();
  }

  private async record(request: Request): Promise<void> {
    const head = Number(await request("eth_blockNumber"));
    for (let n = this.lastRecorded + 1; n <= head; n++) {
      // Hashes only: a transaction sent raw is recorded with the bytes it was sent as.
      const b = (await request("eth_getBlockByNumber", ["0x" + n.toString(16), false])) as Omit<RpcBlock, "transactions"> & { transactions: string[] };
      let line: string;
      if (n === 0) {
        this.genesis = { ts: Number(b.timestamp), hash: b.hash };
        line = JSON.stringify({ t: "genesis", ts: this.genesis.ts, hash: b.hash });
      } else {
        const txs: JTx[] = [];
        for (const h of b.transactions) {
          const known = this.rawSends.get(h.toLowerCase());
          // L1 answered this hash for these bytes.
          if (known !== undefined) {
            txs.push({ raw: known });
            continue;
          }
          const t = (await request("eth_getTransactionByHash", [h])) as RpcTx;
          const raw = rawOf(t);
          if (raw) {
            txs.push({ raw });
            continue;
          }
          const send: Record<string, string | null> = { from: t.from, to: t.to, value: t.value, data: t.input, gas: t.gas, nonce: t.nonce };
          if (Number(t.type) === 2) {
            send.maxFeePerGas = t.maxFeePerGas!;
            send.maxPriorityFeePerGas = t.maxPriorityFeePerGas!;
          } else send.gasPrice = t.gasPrice ?? null;
          txs.push({ send, hash: t.hash });
        }
        const jb: JBlock = { t: "block", n, ts: Number(b.timestamp), baseFee: b.baseFeePerGas ?? null, hash: b.hash, txs };
        this.blocks.push(jb);
        line = JSON.stringify(jb);
      }
      fs.writeSync(this.fd!, line + "\n");
      this.lastRecorded = n;
      for (const h of b.transactions) this.rawSends.delete(h.toLowerCase());
    }
  }

  /** Records what is left and stops. */
  async stop(request: Request): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    if (this.fd !== undefined) {
      await this.record(request).catch(() => undefined);
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
