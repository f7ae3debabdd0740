/**
 * L1 gas of posting the benchmark's batches (Inbox.appendBatch, per transaction) and of a fraud proof
 * of each one-step kind (docs/protocol.md §9, §11), measured on the in-process Hardhat network
 * (Cancun, the project's solc settings) with the production contracts:
 *
 *   1. Bridge, Inbox and the six provers are deployed with the project's Ignition module
 *      (node/devnet/devnet.ts deployMoveset), with a challenge window of a week so that nothing turns final
 *      while we measure; the honest poster (dev account #0) bonds.
 *   2. The workload's setup batches, then its first `mainBatches` main batches (MAIN_BATCHES by
 *      default: the rest only repeat the same mix), are posted exactly as filled, with real headers
 *      on the L1 tip (node/devnet/byzantine.ts batchOnTip over core/batch.ts: parent chain, firstSeq, txRoot,
 *      dataHash; number, timestamp, fee recipient and base fee from the batch's environment). No
 *      deposits: the workload is funded by genesis allocation, so every deposit range is [0, 0).
 *      appendGasPerTx = the main batches' receipt gasUsed summed, over their transaction count.
 *      Blob mode (not built yet: its design is docs/protocol.md's v2 draft) is priced from the same
 *      batches: the posting transaction carries the header and the batch's declared gas (L1 can no
 *      longer sum it from the data) as calldata, `appendBatch(header, gas as a 32-byte word)`, and does
 *      the append's bookkeeping without parsing or hashing data. That bookkeeping is measured: one
 *      more batch of a single transaction is appended (then undone by a snapshot) and its execution gas
 *      (gasUsed − 21,000 − 4 per calldata token) taken as the blob mode's, parsing and hashing one
 *      transaction included (so a little high). blobAppendGasPerTx = the main batches' posting gas
 *      under EIP-7623, 21,000 + max(4 × tokens + execution, 10 × tokens) (prover/l1-pricing.ts), over
 *      their transactions; the blob gas is apart (bench/l1-data.ts blobGasPerTx).
 *   3. For each kind, the byzantine poster (dev account #2, node/devnet/byzantine.ts, as `--byzantine` on the
 *      devnet) posts one invalid batch of that kind on the honest ones, its honest transfer filled
 *      against the L2 state at the tip; the verifier's check (node/validation/check.ts checkBatch,
 *      over a LevelDB UTXO set of the honest batches) must find a fault of that kind; the challenger
 *      (dev account #1) commits and then proves it (prover/build.ts). The proof must roll the batch
 *      back (BatchesRolledBack); that leaves the honest chain as it was, for the next kind. The burn
 *      address is given 1 wei first, as on a public network (see below).
 *
 * The network is snapshotted first and reverted at the end, so a test process's chain is left as
 * it was. The workload's transactions were filled with the workload's own PREVRANDAO
 * (bench/workload.ts batchEnv), not the parent header hash: none of them reads it, and L1 does not
 * execute them, so their moves and the gas are the same.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BaseContract, JsonRpcProvider, keccak256, toBeHex, toQuantity, toUtf8Bytes, zeroPadValue } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { encodeBatchData, type BatchHeader, type BatchTx } from "../core/batch";
import { bytesToHex, hexToBytes } from "../core/bytes";
import { MemoryState } from "../core/memory-state";
import { decodeTx } from "../core/tx";
import { Executor } from "../core/evm/execute";
import { deployMoveset, devAccounts, loadHardhat, startL1Server } from "../node/devnet/devnet";
import { BYZANTINE_KINDS, batchOnTip, postInvalidBatch, type ByzantineEnv, type ByzantineKind } from "../node/devnet/byzantine";
import { headerToSol, inboxAt, inboxInterface, proverAt } from "../node/l1/contracts";
import { LevelUtxoStore } from "../node/state/utxo-store";
import { checkBatch, InThreadValidator } from "../node/validation/check";
import { buildProof, commitmentOf, memoryChainView } from "../prover/build";
import { benchKey, genesisOf, BASE_FEE, type Workload } from "./workload";
import { batchTxs, type FilledWorkload } from "./fill";
import { txMoves } from "./walk";
import { measureGameGas, type GameGas } from "./game-gas";
import { executionGasOf, l1TxGas } from "../prover/l1-pricing";
import { NO_DICTIONARY } from "../core/flz";

export interface L1Gas {
  /** appendBatch receipt gas (calldata included) of the measured main batches, over their transactions. */
  appendGasPerTx: number;
  /** L1 gas per transaction of posting the same main batches in blob mode (calldata: header and declared gas; see the top of this file). */
  blobAppendGasPerTx: number;
  /** The append's execution gas without data, measured on a batch of one transaction (what blob mode's posting executes). */
  appendFixedGas: number;
  /** How many main batches and transactions appendGasPerTx averages. */
  mainBatches: number;
  mainTxs: number;
  /** The same for the setup batches (not in appendGasPerTx). */
  setupGasPerTx: number;
  /** Gas of the successful `prove` (the reveal) of each kind. */
  proofGas: Record<ByzantineKind, number>;
  /** Gas of the `commit` before each proof (one storage write; the same for every kind but for calldata zero bytes). */
  commitGas: Record<ByzantineKind, number>;
  /** The dispute game of an execution fault on the workload's worst transaction (bench/game-gas.ts). */
  game: GameGas;
  /** Wall time of the whole measurement, hardhat loading and deployment included. */
  seconds: number;
}

/** Main-phase batches posted by default: the per-transaction gas of a full batch does not change with the count. */
export const MAIN_BATCHES = 3;

/**
 * The measurement failed: the workload or the options cannot be measured (then nothing is posted),
 * or an L1 transaction, the verifier's verdict or a proof did not do what it must.
 */
export class L1GasError extends Error {}

export interface L1GasOptions {
  /** Main-phase batches to post and measure, from the first (default MAIN_BATCHES, at most all of them). */
  mainBatches?: number;
  /** The Hardhat runtime whose in-process network is used (a test's); default this process's, compiled first. */
  hre?: HardhatRuntimeEnvironment;
  log?: (s: string) => void;
}

type Posted = { header: BatchHeader; txs: BatchTx[] };
type Request = (method: string, params?: unknown[]) => Promise<unknown>;

export async function measureL1Gas(w: Workload, f: FilledWorkload, o: L1GasOptions = {}): Promise<L1Gas> {
  const main = w.batches.length - w.firstMainBatch;
  if (main < 1) throw new L1GasError(`the workload has no main-phase batch (${w.batches.length} batches, all setup): nothing to measure`);
  const nMain = Math.min(o.mainBatches ?? MAIN_BATCHES, main);
  if (!Number.isInteger(nMain) || nMain < 1) throw new L1GasError(`mainBatches must be a whole number >= 1, got ${o.mainBatches}`);
  if (f.encoded.length !== w.txs.length) throw new L1GasError(`the filled workload has ${f.encoded.length} transactions, the workload ${w.txs.length}`);
  const log = o.log ?? (() => undefined);
  const t0 = performance.now();

  const hre = o.hre ?? loadHardhat();
  if (!o.hre) {
    log("L1 gas: compiling the contracts (Hardhat; nothing to do when the artifacts are fresh)");
    await hre.run("compile", { quiet: true });
  }
  const request: Request = (method, params = []) => hre.network.provider.request({ method, params });
  const send = (what: string, from: string, c: BaseContract, fn: string, args: unknown[], value?: bigint) => sendVia(request, what, from, c, fn, args, value);
  const snapshot = await request("evm_snapshot");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-bench-l1gas-"));
  let server: Awaited<ReturnType<typeof startL1Server>> | undefined;
  let l1: JsonRpcProvider | undefined;
  let store: LevelUtxoStore | undefined;
  try {
    // The byzantine poster (node/devnet/byzantine.ts) talks JSON-RPC: this network is served on a free port.
    server = await startL1Server(hre, "127.0.0.1", 0);
    l1 = new JsonRpcProvider(server.url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    const [poster, challenger, byzantine] = devAccounts(3);
    log(`L1 gas: deploying the contracts on the in-process Hardhat network`);
    // The workload's batches declare at most the gas target, so every base fee is the minimum: the
    // workload's own (what its transactions were filled with).
    const record = await deployMoveset(hre, { l2ChainId: w.chainId, challengeWindow: 604_800n, minBaseFee: BASE_FEE }, poster.address);
    const inboxAddr = record.contracts.Inbox;
    const inbox = inboxAt(inboxAddr, l1);
    // ---- the honest batches ----
    const honest = w.batches.slice(0, w.firstMainBatch + nMain);
    // Each live, non-final batch locks a bond of its own (nothing turns final here).
    await send("bond", poster.address, inbox, "bond", [], BigInt(record.parameters.bondSize) * BigInt(honest.length));
    log(`L1 gas: posting ${w.firstMainBatch} setup and ${nMain} of ${main} main batches`);
    const posted: Posted[] = [];
    const gas = { setup: 0n, setupTxs: 0, main: 0n, mainTxs: 0 };
    const blobCalldata: Uint8Array[] = [];
    for (const b of honest) {
      const txs = batchTxs(w, f, b);
      const { header, data } = await batchOnTip({ l1, inbox: inboxAddr }, txs, w.feeRecipient, b.env);
      if (header.index !== BigInt(b.index) || header.number !== b.env.number || header.timestamp !== b.env.timestamp)
        throw new L1GasError(`batch ${b.index} would be posted as batch ${header.index} (number ${header.number}, timestamp ${header.timestamp})`);
      const rc = await send(`appendBatch of batch ${b.index}`, poster.address, inbox, "appendBatch", [headerToSol(header), bytesToHex(data)]);
      posted.push({ header, txs });
      if (b.index < w.firstMainBatch) {
        gas.setup += rc.gasUsed;
        gas.setupTxs += b.count;
      } else {
        gas.main += rc.gasUsed;
        gas.mainTxs += b.count;
        blobCalldata.push(blobModeCalldata(header, txs));
      }
    }
    const appendFixedGas = await measureAppendFixedGas(request, { l1, inbox: inboxAddr }, send, poster.address, BigInt(record.parameters.bondSize), batchTxs(w, f, w.batches[w.firstMainBatch]).slice(0, 1), w.feeRecipient);
    let blobAppendGas = 0;
    for (const cd of blobCalldata) blobAppendGas += l1TxGas(cd, appendFixedGas);

    // ---- one proof of each kind ----
    // The L2 state at the tip (what the byzantine poster fills its honest transfer against) and the
    // verifier's UTXO set of the honest batches.
    const state = new MemoryState();
    for (const [k, v] of genesisOf(w)) state.setGenesis(k, v);
    store = await LevelUtxoStore.open(dir, { genesis: genesisOf(w) });
    for (const b of honest) {
      for (let i = b.start; i < b.start + b.count; i++) state.apply(BigInt(i + 1), decodeTx(f.encoded[i]));
      const wf = await store.applyBatch(BigInt(b.index), txMoves(f, b.start, b.start + b.count));
      if (wf) throw new Error(`walk: unexpected fault ${wf.kind}/${wf.code} at seq ${wf.seq} in workload batch ${b.index}`);
    }
    const validator = await InThreadValidator.create(w.chainId, async (h) => state.code(h), await Executor.create(w.chainId));
    const env: ByzantineEnv = {
      l1,
      inbox: inboxAddr,
      l2ChainId: w.chainId,
      node: state,
      sender: { privateKey: benchKey(w.params.seed, "account-0"), address: w.accounts[0] },
      recipient: w.accounts[1],
      posterKey: byzantine.privateKey,
    };
    // Rollbacks burn part of the bond by sending it to 0x…dEaD. On a public network that account
    // exists (it holds ether); here the first proof would pay 25,000 gas to create it.
    await request("hardhat_setBalance", [await inbox.BURN_ADDRESS(), "0x1"]);
    const proofGas = {} as Record<ByzantineKind, number>;
    const commitGas = {} as Record<ByzantineKind, number>;
    for (const kind of BYZANTINE_KINDS) {
      const bad = await postInvalidBatch(kind, env);
      const check = await checkBatch(bad.header, encodeBatchData(bad.txs), w.chainId, [], validator, store, NO_DICTIONARY);
      if (check.fault?.kind !== kind)
        throw new L1GasError(`the ${kind} batch: the verifier found ${check.fault ? `${check.fault.kind}/${check.fault.code} at transaction ${check.fault.txIndex}` : "no fault"}`);
      const call = await buildProof(check.fault, memoryChainView([...posted, bad]));
      const prover = proverAt(call.prover, record.contracts[call.prover], l1);
      const salt = keccak256(toUtf8Bytes(`moveset-bench/salt/${kind}`));
      // Automine: the reveal lands in a later block than the commitment, as the prover requires.
      const c = await send(`commit of the ${kind} proof`, challenger.address, prover, "commit", [commitmentOf(challenger.address, call.proofHash, salt)]);
      const p = await send(`${call.prover}.prove (${kind})`, challenger.address, prover, call.method, [...call.args, salt]);
      const rolled = p.logs.map((l) => (l.address.toLowerCase() === inboxAddr.toLowerCase() ? inboxInterface().parseLog(l) : null)).find((e) => e?.name === "BatchesRolledBack");
      const count = await inbox.batchCount();
      if (!rolled || BigInt(rolled.args[0]) !== bad.index || count !== bad.index)
        throw new L1GasError(`the ${kind} proof did not roll batch ${bad.index} back (${rolled ? `rolled back from ${rolled.args[0]}` : "no BatchesRolledBack"}; ${count} batches live)`);
      proofGas[kind] = Number(p.gasUsed);
      commitGas[kind] = Number(c.gasUsed);
      log(`L1 gas: ${kind} proof ${p.gasUsed} gas (commit ${c.gasUsed})`);
    }
    await validator.close();

    // ---- the dispute game of an execution fault ----
    const game = await measureGameGas({
      request, l1, record, chainId: w.chainId, state, encoded: f.encoded, posted, feeRecipient: w.feeRecipient, challenger: challenger.address, poster: byzantine.address, log,
      send: (what, from, to, data, value) => sendData(request, what, from, to, data, value),
    });

    return {
      appendGasPerTx: Number(gas.main) / gas.mainTxs,
      blobAppendGasPerTx: blobAppendGas / gas.mainTxs,
      appendFixedGas,
      mainBatches: nMain,
      mainTxs: gas.mainTxs,
      setupGasPerTx: gas.setupTxs ? Number(gas.setup) / gas.setupTxs : 0,
      proofGas,
      commitGas,
      game,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    l1?.destroy();
    await server?.close();
    await request("evm_revert", [snapshot]);
  }
}

/** The calldata of a blob-mode posting of a batch: `appendBatch(header, its declared gas as a 32-byte word)`. */
export function blobModeCalldata(header: BatchHeader, txs: readonly BatchTx[]): Uint8Array {
  const declared = txs.reduce((g, t) => g + t.gas, 0n);
  return hexToBytes(inboxInterface().encodeFunctionData("appendBatch", [headerToSol(header), zeroPadValue(toBeHex(declared), 32)]) as `0x${string}`);
}

/**
 * The append's execution gas on a batch of one transaction (the first of `txs`), appended on the tip and then
 * undone (evm_snapshot / evm_revert): the bond it locks is added first.
 */
async function measureAppendFixedGas(
  request: Request,
  env: { l1: JsonRpcProvider; inbox: string },
  send: (what: string, from: string, c: BaseContract, fn: string, args: unknown[], value?: bigint) => Promise<Receipt>,
  poster: string,
  bondSize: bigint,
  txs: BatchTx[],
  feeRecipient: string,
): Promise<number> {
  const snapshot = await request("evm_snapshot");
  try {
    const inbox = inboxAt(env.inbox, env.l1);
    await send("bond for the one-transaction batch", poster, inbox, "bond", [], bondSize);
    const { header, data } = await batchOnTip(env, txs, feeRecipient);
    const args = [headerToSol(header), bytesToHex(data)];
    const rc = await send("appendBatch of a one-transaction batch", poster, inbox, "appendBatch", args);
    return executionGasOf(Number(rc.gasUsed), hexToBytes(inboxInterface().encodeFunctionData("appendBatch", args) as `0x${string}`));
  } finally {
    await request("evm_revert", [snapshot]);
  }
}

/** What a transaction sends: a receipt's gas and logs. */
interface Receipt {
  gasUsed: bigint;
  logs: { address: string; topics: string[]; data: string }[];
}

/**
 * Sends `fn(args)` to `c` from an unlocked dev account of the in-process network, straight to its
 * provider (no signing and no HTTP in this process: a batch is up to hundreds of kilobytes), and
 * returns the receipt (automine: mined at once). A revert becomes an error naming `what`.
 */
async function sendVia(request: Request, what: string, from: string, c: BaseContract, fn: string, args: unknown[], value = 0n): Promise<Receipt> {
  return sendData(request, what, from, await c.getAddress(), c.interface.encodeFunctionData(fn, args), value);
}

/** sendVia with the calldata given. */
async function sendData(request: Request, what: string, from: string, to: string, data: string, value = 0n): Promise<Receipt> {
  let rc: { status: string; gasUsed: string; logs: Receipt["logs"] } | null;
  try {
    const hash = await request("eth_sendTransaction", [{ from, to, data, value: toQuantity(value) }]);
    rc = (await request("eth_getTransactionReceipt", [hash])) as typeof rc;
  } catch (e) {
    throw new L1GasError(`${what} failed: ${(e as Error).message}`);
  }
  if (!rc || BigInt(rc.status) !== 1n) throw new L1GasError(`${what} failed (status ${rc?.status})`);
  return { gasUsed: BigInt(rc.gasUsed), logs: rc.logs };
}
