/**
 * The node's access to L1: reads of the Inbox and the Bridge (pinned to a block hash where a
 * decision depends on them), their logs parsed, batch data read back where the BatchAppended event
 * says it is (node/l1/batch-source.ts: the appending transaction's calldata or its BatchData event),
 * and posting (appendBatch, bond). One JSON-RPC provider; a signer only when the node posts. The
 * node follows L1 through node/l1/follower.ts, which reads through this client; this is the one
 * place that reads batches, for the verifier, the coordinator and (through its verifier) the
 * watchtower.
 */
import { declaredL1Prices, type L1Prices } from "../../core/l1fee";
import { JsonRpcProvider, Wallet, type Signer, type TransactionResponse, Network } from "ethers";
import { RawRpc, type L1Log } from "./raw-rpc";
import type { Bridge, Inbox } from "../../typechain-types";
import type { BatchHeader } from "../../core/batch";
import { hexToBytes, bytesToHex } from "../../core/bytes";
import type { Deployment } from "../config";
import { appendBatchCalldata, bridgeAt, bridgeInterface, headerFromSol, headerToSol, inboxAt, inboxInterface, readDictionary, revertOf } from "./contracts";
import { DEFAULT_PRIORITY_FEE, MAX_TX_GAS, signEip1559 } from "./raw-tx";
import { DataSource, UnreadableBatch, dataFromBlob, dataFromEvent, dataFromTx, type AppendRef } from "./batch-source";
import { packBlob, versionedHash } from "../../core/blob";
import { batchGas, splitBatchData } from "../../core/batch";
import { loadBlobKzg } from "./blob-kzg";
import { BeaconClient, type BeaconOptions } from "./beacon";
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

/** A transaction this client sent: its hash and its signed bytes, as L1 got them. */
export interface SentTx {
  hash: string;
  raw: Uint8Array;
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

/** How a client reads blobs besides its JSON-RPC (protocol.md §14.5 "Reading"). */
export interface L1ClientOptions {
  /** A beacon API (`--l1-beacon`): blob batches' blobs are read there, never by `anvil_getBlobByHash`. */
  beacon?: string | BeaconClient;
  /** The beacon client's knobs (time limit, retries; its logger). */
  beaconOptions?: Partial<BeaconOptions>;
}

/** BatchData's topic, hashed once. */
let batchDataTopic: string | undefined;

export class L1Client {
  readonly inbox: Inbox;
  readonly bridge: Bridge;
  /** The hot reads (blocks, logs, pinned calls, batch data, receipts) and the post's sends: bare JSON-RPC (node/l1/raw-rpc.ts). */
  readonly rpc: RawRpc;

  private constructor(
    readonly provider: JsonRpcProvider,
    readonly deployment: Deployment,
    readonly signer: Signer | undefined,
    readonly url: string,
    /** The L1 chain id. */
    readonly chainId: bigint,
    /** Where blobs are read (`--l1-beacon`); without it, `anvil_getBlobByHash` on the L1 RPC. */
    readonly beacon?: BeaconClient,
  ) {
    this.inbox = inboxAt(deployment.inbox, signer ?? provider);
    this.bridge = bridgeAt(deployment.bridge, signer ?? provider);
    this.rpc = new RawRpc(url);
  }

  /**
   * Connects to `url`; `privateKey` makes it able to post. Checks the chain id and that the Inbox exists; with
   * `opts.beacon`, that the beacon API answers and how it addresses blocks (a BeaconError otherwise).
   */
  static async connect(url: string, deployment: Deployment, privateKey?: string, opts: L1ClientOptions = {}): Promise<L1Client> {
    const beacon = typeof opts.beacon === "string" ? new BeaconClient(opts.beacon, opts.beaconOptions) : opts.beacon;
    const probe = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
    let chainId: bigint;
    try {
      chainId = BigInt(await probe.send("eth_chainId", []));
    } catch (e) {
      probe.destroy();
      throw new Error(`cannot reach L1 at ${url}: ${(e as Error).message}`, { cause: e });
    }
    probe.destroy();
    if (deployment.l1ChainId && chainId !== deployment.l1ChainId) throw new Error(`L1 at ${url} has chain id ${chainId}, the deployment is for ${deployment.l1ChainId}`);
    const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, batchMaxCount: 1, pollingInterval: 250, cacheTimeout: -1 });
    const signer = privateKey ? new Wallet(privateKey, provider) : undefined;
    const c = new L1Client(provider, deployment, signer, url, chainId, beacon);
    try {
      const code = await provider.getCode(deployment.inbox);
      if (code === "0x") throw new Error(`no Inbox contract at ${deployment.inbox} on L1 ${url}`);
      await beacon?.start(async () => (await c.block(0)).timestamp);
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  get address(): string | undefined {
    return (this.signer as Wallet | undefined)?.address;
  }

  close(): void {
    this.provider.destroy();
    this.rpc.close();
  }

  // ---- reads ------------------------------------------------------------------------------------

  private dict?: Promise<Uint8Array>;

  /**
   * The deployment's dictionary of compressed items (protocol.md §7.7): the code of `Inbox.dictionary()` less its
   * leading STOP, empty when none is bound. The Inbox binds it at most once, before any batch and before the provers
   * lock, so it is kept once it is final: bound, or the provers locked, or a batch appended. Until then an empty
   * answer is read again next time (a node started between the Inbox's deployment and `setDictionary` must not
   * keep the empty one). Throws when the holder's code is not `0x00 || DICT` with DICT of at most 8,192 bytes.
   */
  dictionary(): Promise<Uint8Array> {
    if (this.dict) return this.dict;
    // Finality first, then the holder: a holder read after the dictionary became final is the final one. Only a final
    // answer is shared, so no caller joins a read that began before the binding.
    const read = (async () => {
      const final = (await this.inbox.proversLocked()) || (await this.inbox.batchCount()) > 0n;
      return { final, dict: await readDictionary(this.deployment.inbox, this.provider) };
    })().then(({ final, dict }) => {
      if (final || dict.length > 0) this.dict ??= Promise.resolve(dict);
      return dict;
    });
    return read;
  }

  async tip(): Promise<L1Tip> {
    const r = await this.inbox.tip();
    return { index: r.index, parent: r.parent.toLowerCase(), firstSeq: r.firstSeq, depositStart: r.depositStart, minTimestamp: r.minTimestamp };
  }


  async block(tag: number | "latest" | "pending"): Promise<L1Block> {
    const b = await this.rpc.send<{ number: string; hash?: string; timestamp: string } | null>("eth_getBlockByNumber", [typeof tag === "number" ? "0x" + tag.toString(16) : tag, false]);
    if (!b) throw new Error(`L1 block ${tag} not found`);
    return { number: Number(b.number), hash: String(b.hash ?? "").toLowerCase(), timestamp: BigInt(b.timestamp) };
  }

  /**
   * The L1 prices a batch built now declares (protocol.md §6.6, coordinator policy): 7/8 of the latest
   * block's base fee (EIP-1559 lowers it by at most 1/8 a block, so the next block accepts it) and 7/8 of
   * the next block's blob base fee (eth_blobBaseFee; EIP-4844 lowers it by less than 1/8 a block under
   * Cancun), each rounded down to a power of 2 (so accepted fills stay the batch's until L1 crosses a step), halved `halvings` times more after L1 refused a post for its prices (core/l1fee.ts). The Inbox
   * refuses more than the appending block's: users never pay above L1's price.
   */
  async l1Prices(halvings = 0): Promise<L1Prices> {
    const [b, blob] = await Promise.all([
      this.rpc.send<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", ["latest", false]),
      this.rpc.send<string>("eth_blobBaseFee", []).then(BigInt),
    ]);
    return declaredL1Prices(BigInt(b?.baseFeePerGas ?? 0), blob, halvings);
  }

  async blockNumber(): Promise<number> {
    return Number(await this.rpc.send<string>("eth_blockNumber", []));
  }

  async batchCount(): Promise<bigint> {
    return this.inbox.batchCount();
  }

  /**
   * A view call of the Inbox at the block with this hash (EIP-1898, `requireCanonical`), so that it
   * answers for exactly that block; throws if the node no longer has it on its chain.
   */
  private async inboxAt<T>(blockHash: string, fn: "headerHash" | "freeBondOf" | "nextBaseFee" | "batchGas", args: unknown[]): Promise<T> {
    const ii = inboxInterface();
    const out = (await this.rpc.send<string>("eth_call", [{ to: this.deployment.inbox, data: ii.encodeFunctionData(fn, args) }, { blockHash, requireCanonical: true }])) as string;
    return ii.decodeFunctionResult(fn, out)[0] as T;
  }

  /** Inbox.headerHash(index) at the block with hash `blockHash`; undefined if it is not live there. */
  async headerHashPinned(index: bigint, blockHash: string): Promise<string | undefined> {
    try {
      return String(await this.inboxAt<string>(blockHash, "headerHash", [index])).toLowerCase();
    } catch (e) {
      if (revertOf(e)?.name === "BatchNotLive") return undefined;
      throw e;
    }
  }

  /** The base fee L1 requires of the next batch (Inbox.nextBaseFee, protocol.md §7.5) at the block with hash `blockHash`. */
  async nextBaseFeePinned(blockHash: string): Promise<bigint> {
    return BigInt(await this.inboxAt<bigint>(blockHash, "nextBaseFee", []));
  }

  /** Inbox.freeBondOf(addr) at the block with hash `blockHash`. */
  async freeBondPinned(addr: string, blockHash: string): Promise<bigint> {
    return BigInt(await this.inboxAt<bigint>(blockHash, "freeBondOf", [addr]));
  }

  async bondOf(addr: string): Promise<bigint> {
    return this.inbox.bondOf(addr);
  }

  /** The part of `addr`'s bond not locked by its live, non-final batches: what it may post with. */
  async freeBondOf(addr: string): Promise<bigint> {
    return this.inbox.freeBondOf(addr);
  }

  async depositCount(): Promise<bigint> {
    return this.bridge.depositCount();
  }

  /** Logs of one contract in a block range, in chunks of at most `range` blocks. */
  async logs(address: string | string[], fromBlock: number, toBlock: number, topics: (string | string[] | null)[] = [], range = 5000): Promise<L1Log[]> {
    const out: L1Log[] = [];
    for (let a = fromBlock; a <= toBlock; a += range) {
      const b = Math.min(toBlock, a + range - 1);
      const got = await this.rpc.logs({ address, fromBlock: a, toBlock: b, topics });
      out.push(...got);
    }
    return out;
  }

  static parseDeposit(log: L1Log): DepositEntry {
    const p = bridgeInterface().parseLog({ topics: [...log.topics], data: log.data })!;
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

  /** The BatchAppended log as an AppendRef; throws UnreadableBatch if its header does not hash to its headerHash. */
  static parseAppend(log: L1Log): AppendRef {
    const p = inboxInterface().parseLog({ topics: [...log.topics], data: log.data });
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
  async readBatchData(ref: AppendRef, logs: readonly L1Log[] = []): Promise<Uint8Array> {
    const inbox = this.deployment.inbox;
    if (ref.dataSource === DataSource.Calldata) {
      const tx = (await this.rpc.send("eth_getTransactionByBlockHashAndIndex", [ref.blockHash, "0x" + ref.txIndex.toString(16)])) as { hash: string; to: string | null; input: string } | null;
      if (!tx) throw new Error(`L1 has no transaction ${ref.txIndex} in block ${ref.blockHash} (reorganized?)`);
      return dataFromTx(ref, { hash: tx.hash, to: tx.to, input: hexToBytes(tx.input as `0x${string}`) }, inbox);
    }
    if (ref.dataSource === DataSource.Event) {
      const ii = inboxInterface();
      const topic = (batchDataTopic ??= ii.getEvent("BatchData")!.topicHash);
      const match = (l: L1Log) =>
        l.address.toLowerCase() === inbox.toLowerCase() && l.transactionHash.toLowerCase() === ref.l1TxHash && l.topics[0] === topic && l.topics[2]?.toLowerCase() === ref.headerHash;
      let found = logs.find(match);
      if (!found) {
        const idx = "0x" + ref.index.toString(16).padStart(64, "0");
        found = (await this.rpc.logs({ address: inbox, blockHash: ref.blockHash, topics: [topic, idx, ref.headerHash] })).find(match);
      }
      const data = found ? hexToBytes(String(ii.parseLog({ topics: [...found.topics], data: found.data })!.args.data) as `0x${string}`) : undefined;
      return dataFromEvent(ref, data);
    }
    if (ref.dataSource === DataSource.Blob) return this.readBlobBatch(ref);
    throw new UnreadableBatch(`unknown data source ${ref.dataSource}`);
  }

  /**
   * The blob of a blob batch (protocol.md §14.5), by its versioned hash: from the beacon API when the client has one
   * (`--l1-beacon`, node/l1/beacon.ts: a failure there is a BeaconError, asked again later, never an unreadable
   * batch), else from an L1 node that serves blobs by `anvil_getBlobByHash` (anvil). The commitment is recomputed
   * here, so an endpoint cannot substitute another blob. Returns the blob and its commitment.
   */
  async blobOf(ref: AppendRef): Promise<{ blob: Uint8Array; commitment: Uint8Array }> {
    if (this.beacon) {
      const b = await this.rpc.send<{ number: string; hash: string; timestamp: string } | null>("eth_getBlockByHash", [ref.blockHash, false]);
      if (!b) throw new Error(`L1 has no block ${ref.blockHash} (reorganized?)`);
      return this.beacon.blob({ number: Number(b.number), hash: String(b.hash).toLowerCase(), timestamp: BigInt(b.timestamp) }, ref.header.dataHash);
    }
    let hex: unknown;
    try {
      hex = await this.provider.send("anvil_getBlobByHash", [bytesToHex(ref.header.dataHash)]);
    } catch (e) {
      throw new UnreadableBatch(
        `L1 serves no blob by its versioned hash (anvil_getBlobByHash: ${(e as Error).message.split("\n")[0]}): an execution RPC serves no blobs; pass --l1-beacon <url> (a beacon API, or set MOVESET_L1_BEACON) to read blob batches`,
      );
    }
    if (typeof hex !== "string" || !/^0x[0-9a-fA-F]*$/.test(hex)) throw new UnreadableBatch("L1 returned no blob for the header's versioned hash");
    const blob = hexToBytes(hex as `0x${string}`);
    if (blob.length !== 131_072) throw new UnreadableBatch(`L1 returned ${blob.length} bytes for a blob`);
    return { blob, commitment: (await loadBlobKzg()).commitment(blob) };
  }

  private async readBlobBatch(ref: AppendRef): Promise<Uint8Array> {
    const { blob, commitment } = await this.blobOf(ref);
    let gas: bigint;
    try {
      gas = BigInt(await this.inboxAt<bigint>(ref.blockHash, "batchGas", [ref.index]));
    } catch (e) {
      if (revertOf(e)?.name === "BatchNotLive") throw new UnreadableBatch("the batch is no longer live at its own block");
      throw e;
    }
    return dataFromBlob(ref, blob, commitment, gas);
  }

  // ---- writes -----------------------------------------------------------------------------------

  private requireSigner(): Signer {
    if (!this.signer) throw new Error("this L1 client has no key: it cannot post");
    return this.signer;
  }

  /**
   * Sends appendBatch(header, data), built and signed once as raw bytes (node/l1/raw-tx.ts) and sent
   * with eth_sendRawTransaction: the 20-40 KB calldata is encoded once and crosses JSON-RPC as one hex
   * string each way (estimate, send), not parsed again by a contract call's layers. Fees as ethers
   * sets them (a fee cap of twice the latest base fee plus the tip); the gas limit the estimate with a
   * fifth and 50,000 more, within L1's per-transaction cap (EIP-7825).
   * Reverts found while estimating gas throw L1RevertError.
   */
  async appendBatch(header: BatchHeader, data: Uint8Array): Promise<SentTx> {
    const signer = this.requireSigner() as Wallet;
    const calldata = appendBatchCalldata(header, data);
    const p = this.rpc;
    const from = signer.address;
    const to = this.deployment.inbox;
    // The header's L1 prices (protocol.md §6.6) must not exceed the appending block's: checked against the pending
    // block first (a post that would revert is not sent; the coordinator rebuilds with newer prices). The gas is
    // estimated with the prices at 0, since L1 nodes run eth_estimateGas at base fee 0 (Hardhat always, geth
    // without fee fields), where any nonzero price is refused; the check costs the same either way.
    await this.refuseAbovePending(header);
    const estimateHex = header.l1BaseFee === 0n && header.l1BlobBaseFee === 0n ? bytesToHex(calldata) : bytesToHex(appendBatchCalldata({ ...header, l1BaseFee: 0n, l1BlobBaseFee: 0n }, data));
    const [gas, nonce, latest, tip] = await Promise.all([
      p.send<string>("eth_estimateGas", [{ from, to, data: estimateHex }]).catch((e: unknown) => {
        const r = revertOf(e);
        throw r ? new L1RevertError(r.name, r.args, e) : e;
      }),
      p.send<string>("eth_getTransactionCount", [from, "pending"]),
      p.send<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", ["latest", false]),
      p.send<string | null>("eth_maxPriorityFeePerGas", []).catch(() => undefined),
    ]);
    const priority = tip !== undefined && tip !== null ? BigInt(tip) : DEFAULT_PRIORITY_FEE;
    // Headroom over the estimate: the append first settles the poster's batches final by the block's
    // time, so a block mined a second after the estimate can settle one more (seen: out of gas).
    const estimate = BigInt(gas);
    const padded = estimate + estimate / 5n + 50_000n;
    const gasLimit = padded <= MAX_TX_GAS ? padded : estimate > MAX_TX_GAS ? estimate : MAX_TX_GAS;
    const baseFee = BigInt(latest?.baseFeePerGas ?? 0);
    const signed = signEip1559(
      { chainId: this.chainId, nonce: BigInt(nonce), gasLimit, maxFeePerGas: baseFee * 2n + priority, maxPriorityFeePerGas: priority, to: hexToBytes(to.toLowerCase() as `0x${string}`), value: 0n, data: calldata },
      hexToBytes(signer.privateKey as `0x${string}`),
    );
    const hash = String(await p.send<string>("eth_sendRawTransaction", [bytesToHex(signed.raw)])).toLowerCase();
    if (hash !== signed.hash) throw new Error(`L1 answered transaction hash ${hash} for the appendBatch transaction whose hash is ${signed.hash}`);
    return { hash, raw: signed.raw };
  }

  /**
   * Whether this client reads blobs back, so that nodes can read a blob batch (protocol.md §14.5 "Reading"): it has
   * a beacon API (`--l1-beacon`, checked when it connected), or the L1 serves a blob by its versioned hash
   * (anvil_getBlobByHash: anvil answers null for an unknown one, an L1 without the method an error).
   */
  async servesBlobs(): Promise<boolean> {
    if (this.beacon) return true;
    try {
      await this.provider.send("anvil_getBlobByHash", ["0x01" + "00".repeat(31)]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The hook for posting a batch in a blob (protocol.md §14.5): `header` with its dataHash set to the blob's
   * versioned hash, the blob of `data` and its commitment, and the gas its transactions declare. The caller
   * posts it with {appendBatchBlob}; the header hash is that of the returned header.
   */
  async blobBatch(header: BatchHeader, data: Uint8Array): Promise<{ header: BatchHeader; blob: Uint8Array; commitment: Uint8Array; gas: bigint }> {
    const blob = packBlob(data);
    const commitment = (await loadBlobKzg()).commitment(blob);
    return { header: { ...header, dataHash: versionedHash(commitment) }, blob, commitment, gas: batchGas(splitBatchData(data)) };
  }

  /**
   * Throws L1RevertError `L1PriceTooHigh` (as the Inbox would, protocol.md §6.6) when the header's L1 base fee exceeds
   * the pending block's, or, given the next block's blob base fee, its blob base fee exceeds that: such a post is not sent.
   */
  private async refuseAbovePending(header: BatchHeader, blobBaseFee?: bigint): Promise<void> {
    const pending = await this.rpc.send<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", ["pending", false]);
    const limit = BigInt(pending?.baseFeePerGas ?? 0);
    if (header.l1BaseFee > limit) throw new L1RevertError("L1PriceTooHigh", [0n, limit, header.l1BaseFee], new Error("the header's L1 base fee exceeds the pending block's"));
    if (blobBaseFee !== undefined && header.l1BlobBaseFee > blobBaseFee)
      throw new L1RevertError("L1PriceTooHigh", [1n, blobBaseFee, header.l1BlobBaseFee], new Error("the header's L1 blob base fee exceeds the next block's"));
  }

  /** Resolves once KZG is loaded (once per process), so that building a blob batch does not wait for it. */
  async blobsReady(): Promise<void> {
    await loadBlobKzg();
  }

  /** Sends appendBatchBlob(header, gas) as a type-3 transaction carrying `blob`. Reverts found while estimating gas throw L1RevertError. */
  async appendBatchBlob(header: BatchHeader, blob: Uint8Array, gas: bigint): Promise<TransactionResponse> {
    const signer = this.requireSigner();
    const kzg = await loadBlobKzg();
    const fees = await this.provider.getFeeData();
    const blobBaseFee = BigInt((await this.provider.send("eth_blobBaseFee", []).catch(() => "0x1")) as string);
    // As appendBatch: a post whose L1 prices exceed the next block's is not sent (a blob transaction that
    // reverts still pays for its blob); the coordinator rebuilds with lower prices.
    await this.refuseAbovePending(header, blobBaseFee);
    const data = this.inbox.interface.encodeFunctionData("appendBatchBlob", [headerToSol(header), gas]);
    // Estimated with the header's L1 prices at 0, as appendBatch (L1 nodes estimate at base fee 0).
    const estimateData = this.inbox.interface.encodeFunctionData("appendBatchBlob", [headerToSol({ ...header, l1BaseFee: 0n, l1BlobBaseFee: 0n }), gas]);
    try {
      const gasLimit = await this.provider.estimateGas({ from: this.address, to: this.deployment.inbox, data: estimateData, blobVersionedHashes: [bytesToHex(header.dataHash)], maxFeePerBlobGas: 2n * blobBaseFee + 1n } as never);
      return await signer.sendTransaction({
        type: 3, to: this.deployment.inbox, data, gasLimit: (gasLimit * 5n) / 4n, blobs: [blob], kzg: kzg.ethers,
        maxFeePerBlobGas: 2n * blobBaseFee + 1n, maxFeePerGas: fees.maxFeePerGas ?? undefined, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? undefined,
      });
    } catch (e) {
      const r = revertOf(e);
      if (r) throw new L1RevertError(r.name, r.args, e);
      throw e;
    }
  }

  /**
   * Waits for a transaction's receipt (polled: a block mined between two checks is not missed); a
   * transaction that reverted throws L1RevertError ("Reverted": a mined revert carries no reason).
   */
  async wait(tx: { hash: string }, timeoutMs: number, declared?: L1Prices): Promise<{ blockNumber: number; status: number }> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const r = (await this.rpc.send("eth_getTransactionReceipt", [tx.hash])) as { blockNumber: string; status: string; blobGasPrice?: string } | null;
      if (r) {
        const status = Number(r.status);
        if (status !== 1) {
          const cause = new Error(`L1 transaction ${tx.hash} reverted`);
          const refused = declared && (await this.priceRefusal(r, declared));
          throw refused ? new L1RevertError("L1PriceTooHigh", refused, cause) : new L1RevertError("Reverted", [], cause);
        }
        return { blockNumber: Number(r.blockNumber), status };
      }
      if (Date.now() >= deadline) throw new Error(`no receipt for ${tx.hash} within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, Math.min(delay, Math.max(0, deadline - Date.now()))));
    }
  }

  /**
   * Why a batch post that L1 mined reverted, when its block shows it: the header declared more than that
   * block's base fee, or (a blob post) more than the blob gas price it paid, which is what the Inbox's
   * `L1PriceTooHigh(kind, l1, declared)` checks (a mined revert carries no reason). Else undefined.
   */
  private async priceRefusal(r: { blockNumber: string; blobGasPrice?: string }, declared: L1Prices): Promise<bigint[] | undefined> {
    const b = await this.rpc.send<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", [r.blockNumber, false]);
    const baseFee = BigInt(b?.baseFeePerGas ?? 0);
    if (declared.l1BaseFee > baseFee) return [0n, baseFee, declared.l1BaseFee];
    const blobFee = r.blobGasPrice === undefined ? undefined : BigInt(r.blobGasPrice);
    if (blobFee !== undefined && declared.l1BlobBaseFee > blobFee) return [1n, blobFee, declared.l1BlobBaseFee];
    return undefined;
  }

  /** The status of a mined transaction's receipt (1 success, 0 reverted), or undefined while L1 has none. */
  async receiptStatus(hash: string): Promise<number | undefined> {
    const r = await this.rpc.send<{ status?: string } | null>("eth_getTransactionReceipt", [hash]);
    return r ? Number(r.status) : undefined;
  }

  async bond(amount: bigint): Promise<void> {
    this.requireSigner();
    const tx = await this.inbox.bond({ value: amount });
    await tx.wait(1, 60_000);
  }
}
