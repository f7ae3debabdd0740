/**
 * The node's view of L1: the Inbox tip and records, the Bridge's deposit queue (from its Deposited
 * events), batch data read back where the BatchAppended event says it is (node/l1/batch-source.ts:
 * the appending transaction's calldata or its BatchData event), and posting (appendBatch, bond).
 * One JSON-RPC provider; a signer only when the node posts. This is the one place that reads
 * batches, for the verifier, the coordinator and (through its verifier) the watchtower.
 */
import { Contract, JsonRpcProvider, Wallet, type Log, type TransactionResponse, type Signer, Network } from "ethers";
import type { BatchHeader } from "../../core/batch";
import { hexToBytes, bytesToHex } from "../../core/bytes";
import type { Deployment } from "../config";
import { abiOf, bridgeInterface, headerFromSol, headerToSol, inboxInterface, revertOf } from "./contracts";
import { DataSource, UnreadableBatch, dataFromEvent, dataFromTx, type AppendRef } from "./batch-source";
import { headerHash as hashHeader } from "../../core/batch";

export interface L1Tip {
  /** The next batch's index (= number of live batches). */
  index: bigint;
  /** Hash of the last live header (ZERO if none). */
  parent: string;
  firstSeq: bigint;
  depositStart: bigint;
  minTimestamp: bigint;
}

export interface L1Block {
  number: number;
  hash: string;
  timestamp: bigint;
}

export interface DepositEntry {
  index: bigint;
  from: string;
  to: string;
  value: bigint;
  entryHash: string;
  /** L1 time it was queued. */
  time: bigint;
  blockNumber: number;
}

export interface PostedBatch {
  header: BatchHeader;
  /** The batch data, or undefined when it cannot be read (then `unreadable` says why). */
  data: Uint8Array | undefined;
  unreadable?: string;
  headerHash: string;
  poster: string;
  l1TxHash: string;
  l1Block: number;
  logIndex: number;
  /** L1 time of the block that appended it. */
  postedAt: bigint;
}

/** A revert with a decoded custom error (ParentNotTip, NotBonded, ...). */
export class L1RevertError extends Error {
  constructor(
    readonly name_: string,
    readonly args: unknown[],
    cause: unknown,
  ) {
    super(`L1 reverted with ${name_}(${args.map(String).join(", ")})`);
    (this as { cause?: unknown }).cause = cause;
  }
}

export class L1Client {
  readonly inbox: Contract;
  readonly bridge: Contract;
  private deposits = new Map<bigint, DepositEntry>();
  private depositScanNext: number;

  private constructor(
    readonly provider: JsonRpcProvider,
    readonly deployment: Deployment,
    readonly signer: Signer | undefined,
    readonly url: string,
  ) {
    this.inbox = new Contract(deployment.inbox, abiOf("Inbox"), signer ?? provider);
    this.bridge = new Contract(deployment.bridge, abiOf("Bridge"), signer ?? provider);
    this.depositScanNext = deployment.deployedAt;
  }

  /** Connects to `url`; `privateKey` makes it able to post. Checks the chain id and that the Inbox exists. */
  static async connect(url: string, deployment: Deployment, privateKey?: string): Promise<L1Client> {
    const probe = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
    let chainId: bigint;
    try {
      chainId = BigInt(await probe.send("eth_chainId", []));
    } catch (e) {
      probe.destroy();
      throw new Error(`cannot reach L1 at ${url}: ${(e as Error).message}`);
    }
    probe.destroy();
    if (deployment.l1ChainId && chainId !== deployment.l1ChainId) throw new Error(`L1 at ${url} has chain id ${chainId}, the deployment is for ${deployment.l1ChainId}`);
    const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 250, cacheTimeout: -1 });
    const signer = privateKey ? new Wallet(privateKey, provider) : undefined;
    const c = new L1Client(provider, deployment, signer, url);
    const code = await provider.getCode(deployment.inbox);
    if (code === "0x") {
      provider.destroy();
      throw new Error(`no Inbox contract at ${deployment.inbox} on L1 ${url}`);
    }
    return c;
  }

  get address(): string | undefined {
    return (this.signer as Wallet | undefined)?.address;
  }

  close(): void {
    this.provider.destroy();
  }

  // ---- reads ------------------------------------------------------------------------------------

  async tip(): Promise<L1Tip> {
    const r = await this.inbox.getFunction("tip").staticCall();
    return { index: BigInt(r[0]), parent: String(r[1]).toLowerCase(), firstSeq: BigInt(r[2]), depositStart: BigInt(r[3]), minTimestamp: BigInt(r[4]) };
  }

  async block(tag: number | "latest" | "pending"): Promise<L1Block> {
    const b = await this.provider.send("eth_getBlockByNumber", [typeof tag === "number" ? "0x" + tag.toString(16) : tag, false]);
    if (!b) throw new Error(`L1 block ${tag} not found`);
    return { number: Number(b.number), hash: String(b.hash ?? "").toLowerCase(), timestamp: BigInt(b.timestamp) };
  }

  async blockNumber(): Promise<number> {
    return Number(await this.provider.send("eth_blockNumber", []));
  }

  async batchCount(): Promise<bigint> {
    return BigInt(await this.inbox.getFunction("batchCount").staticCall());
  }

  /** Header hash of live batch `index`, or undefined if it is not live. */
  async headerHashAt(index: bigint): Promise<string | undefined> {
    if (index < 0n) return undefined;
    if (index >= (await this.batchCount())) return undefined;
    return String(await this.inbox.getFunction("headerHash").staticCall(index)).toLowerCase();
  }

  /** What L1 records for a live batch. */
  async batchRecord(index: bigint): Promise<{ headerHash: string; firstSeq: bigint; txCount: bigint; poster: string; postedAt: bigint } | undefined> {
    try {
      const r = await this.inbox.getFunction("batch").staticCall(index);
      return { headerHash: String(r.headerHash).toLowerCase(), firstSeq: BigInt(r.firstSeq), txCount: BigInt(r.txCount), poster: String(r.poster), postedAt: BigInt(r.postedAt) };
    } catch (e) {
      if (revertOf(e)?.name === "BatchNotLive") return undefined;
      throw e;
    }
  }

  async bondOf(addr: string): Promise<bigint> {
    return BigInt(await this.inbox.getFunction("bondOf").staticCall(addr));
  }

  /** The part of `addr`'s bond not locked by its live, non-final batches: what it may post with. */
  async freeBondOf(addr: string): Promise<bigint> {
    return BigInt(await this.inbox.getFunction("freeBondOf").staticCall(addr));
  }

  async depositCount(): Promise<bigint> {
    return BigInt(await this.bridge.getFunction("depositCount").staticCall());
  }

  /** Logs of one contract in a block range, in chunks of at most `range` blocks. */
  async logs(address: string | string[], fromBlock: number, toBlock: number, topics: (string | string[] | null)[] = [], range = 5000): Promise<Log[]> {
    const out: Log[] = [];
    for (let a = fromBlock; a <= toBlock; a += range) {
      const b = Math.min(toBlock, a + range - 1);
      const got = await this.provider.getLogs({ address, fromBlock: a, toBlock: b, topics });
      out.push(...got);
    }
    return out;
  }

  static parseDeposit(log: Log): DepositEntry {
    const p = bridgeInterface().parseLog(log)!;
    return {
      index: BigInt(p.args.index),
      from: String(p.args.from).toLowerCase(),
      to: String(p.args.to).toLowerCase(),
      value: BigInt(p.args.value),
      entryHash: String(p.args.entryHash).toLowerCase(),
      time: BigInt(p.args.time),
      blockNumber: log.blockNumber,
    };
  }

  /** Deposit queue entries [start, end), from the Bridge's Deposited events (cached). */
  async depositRange(start: bigint, end: bigint): Promise<DepositEntry[]> {
    let missing = false;
    for (let i = start; i < end; i++) if (!this.deposits.has(i)) missing = true;
    if (missing) {
      const latest = await this.blockNumber();
      if (this.depositScanNext <= latest) {
        const topic = bridgeInterface().getEvent("Deposited")!.topicHash;
        for (const l of await this.logs(this.deployment.bridge, this.depositScanNext, latest, [topic])) {
          const d = L1Client.parseDeposit(l);
          this.deposits.set(d.index, d);
        }
        this.depositScanNext = latest + 1;
      }
    }
    const out: DepositEntry[] = [];
    for (let i = start; i < end; i++) {
      const d = this.deposits.get(i);
      if (!d) throw new Error(`deposit ${i} not found in the Bridge's events`);
      out.push(d);
    }
    return out;
  }

  /** Forgets cached deposits from `index` on (after an L1 reorg). */
  forgetDeposits(fromBlock: number): void {
    for (const [i, d] of this.deposits) if (d.blockNumber >= fromBlock) this.deposits.delete(i);
    this.depositScanNext = Math.min(this.depositScanNext, fromBlock);
  }

  /** The BatchAppended log as an AppendRef; throws UnreadableBatch if its header does not hash to its headerHash. */
  static parseAppend(log: Log): AppendRef {
    const p = inboxInterface().parseLog(log);
    if (!p || p.name !== "BatchAppended") throw new UnreadableBatch(`log ${log.transactionHash}/${log.index} is not a BatchAppended event`);
    const header = headerFromSol(p.args.header);
    const headerHash = String(p.args.headerHash).toLowerCase();
    if (bytesToHex(hashHeader(header)) !== headerHash) throw new UnreadableBatch(`BatchAppended in ${log.transactionHash}: its header does not hash to its headerHash`);
    return {
      index: BigInt(p.args.index),
      headerHash,
      header,
      poster: String(p.args.poster).toLowerCase(),
      dataSource: Number(p.args.dataSource),
      l1TxHash: log.transactionHash.toLowerCase(),
      blockHash: log.blockHash.toLowerCase(),
      blockNumber: log.blockNumber,
      txIndex: log.transactionIndex,
      logIndex: log.index,
    };
  }

  /**
   * The data of an appended batch, from where its event says it is. `logs`: Inbox logs already at
   * hand (the BatchData log is looked for there first). Throws UnreadableBatch when L1 does not hold
   * the data there (with the reason), anything else when L1 could not be asked.
   */
  async readBatchData(ref: AppendRef, logs: readonly Log[] = []): Promise<Uint8Array> {
    const inbox = this.deployment.inbox;
    if (ref.dataSource === DataSource.Calldata) {
      const tx = (await this.provider.send("eth_getTransactionByBlockHashAndIndex", [ref.blockHash, "0x" + ref.txIndex.toString(16)])) as { hash: string; to: string | null; input: string } | null;
      if (!tx) throw new Error(`L1 has no transaction ${ref.txIndex} in block ${ref.blockHash} (reorganized?)`);
      return dataFromTx(ref, { hash: tx.hash, to: tx.to, input: hexToBytes(tx.input as `0x${string}`) }, inbox);
    }
    if (ref.dataSource === DataSource.Event) {
      const ii = inboxInterface();
      const topic = ii.getEvent("BatchData")!.topicHash;
      const match = (l: Log) =>
        l.address.toLowerCase() === inbox.toLowerCase() && l.transactionHash.toLowerCase() === ref.l1TxHash && l.topics[0] === topic && l.topics[2]?.toLowerCase() === ref.headerHash;
      let found = logs.find(match);
      if (!found) {
        const idx = "0x" + ref.index.toString(16).padStart(64, "0");
        found = (await this.provider.getLogs({ address: inbox, blockHash: ref.blockHash, topics: [topic, idx, ref.headerHash] })).find(match);
      }
      const data = found ? hexToBytes(String(ii.parseLog(found)!.args.data) as `0x${string}`) : undefined;
      return dataFromEvent(ref, data);
    }
    throw new UnreadableBatch(`unknown data source ${ref.dataSource}`);
  }

  /** The live (or given) batch `index` with header hash `headerHash`, as posted (data undefined if unreadable). */
  async postedBatch(index: bigint, headerHash: string, fromBlock = this.deployment.deployedAt): Promise<PostedBatch | undefined> {
    const ii = inboxInterface();
    const topics = [[ii.getEvent("BatchAppended")!.topicHash, ii.getEvent("BatchData")!.topicHash], "0x" + index.toString(16).padStart(64, "0"), headerHash.toLowerCase()];
    const latest = await this.blockNumber();
    const found = await this.logs(this.deployment.inbox, fromBlock, latest, topics);
    const appends = found.filter((l) => l.topics[0] === topics[0][0]);
    if (appends.length === 0) return undefined;
    const ref = L1Client.parseAppend(appends[appends.length - 1]);
    let data: Uint8Array | undefined;
    let unreadable: string | undefined;
    try {
      data = await this.readBatchData(ref, found);
    } catch (e) {
      if (!(e instanceof UnreadableBatch)) throw e;
      unreadable = e.reason;
    }
    const postedAt = (await this.block(ref.blockNumber)).timestamp;
    return { header: ref.header, data, unreadable, headerHash: ref.headerHash, poster: ref.poster, l1TxHash: ref.l1TxHash, l1Block: ref.blockNumber, logIndex: ref.logIndex, postedAt };
  }

  // ---- writes -----------------------------------------------------------------------------------

  private requireSigner(): Signer {
    if (!this.signer) throw new Error("this L1 client has no key: it cannot post");
    return this.signer;
  }

  /** Sends appendBatch(header, data). Reverts found while estimating gas throw L1RevertError. */
  async appendBatch(header: BatchHeader, data: Uint8Array): Promise<TransactionResponse> {
    this.requireSigner();
    try {
      return (await this.inbox.getFunction("appendBatch")(headerToSol(header), bytesToHex(data))) as TransactionResponse;
    } catch (e) {
      const r = revertOf(e);
      if (r) throw new L1RevertError(r.name, r.args, e);
      throw e;
    }
  }

  /** Waits for a transaction; a revert throws L1RevertError where it can be decoded. */
  async wait(tx: TransactionResponse, timeoutMs: number): Promise<{ blockNumber: number; status: number }> {
    try {
      const r = await tx.wait(1, timeoutMs);
      if (!r) throw new Error(`no receipt for ${tx.hash}`);
      return { blockNumber: r.blockNumber, status: r.status ?? 0 };
    } catch (e) {
      const r = revertOf(e);
      if (r) throw new L1RevertError(r.name, r.args, e);
      throw e;
    }
  }

  async bond(amount: bigint): Promise<void> {
    this.requireSigner();
    const tx = (await this.inbox.getFunction("bond")({ value: amount })) as TransactionResponse;
    await this.wait(tx, 60_000);
  }
}
