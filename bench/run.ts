/**
 * `moveset bench`: one deterministic workload (bench/workload.ts), measured side by side in one run:
 *
 *   1. baseline: a conventional node's sequential re-execution (bench/baseline.ts);
 *   2. moveset standalone validation of the same transactions with their moves, on 1 and on 2
 *      worker threads (node/validation/validate-pool.ts), signature recovery included;
 *   3. the double-use walk, in memory and over LevelDB (bench/walk.ts);
 *   4. L1 data per transaction, moveset against zlib-compressed Ethereum transactions (bench/l1-data.ts);
 *   5. L1 gas of appendBatch per transaction and of a fraud proof of each one-step kind, on the
 *      in-process Hardhat network with the production contracts (bench/l1-gas.ts); it runs after
 *      the timed measurements, never alongside them;
 *   6. the worst case of each one-step proof: the kind proven on the largest transactions the limits
 *      allow (bench/proof-gas.ts), each below L1's 2^24 gas cap, calldata floor included.
 *
 * Timed measurements run `runs` rounds; each round runs baseline, 1 worker and 2 workers back to
 * back so that they see the same machine load, and medians are reported. Nothing here is a test:
 * timings are printed, never asserted.
 */
import * as os from "os";
import * as fs from "fs";
import { Worker } from "worker_threads";
import { Executor } from "../core/evm/execute";
import { ValidatePool, type ValidateItem } from "../node/validation/validate-pool";
import { generateWorkload, type Workload, type WorkloadParams } from "./workload";
import { fillWorkload, batchOfTx, txContext, type FilledWorkload } from "./fill";
import { runBaseline, cpuMs } from "./baseline";
import { measureL1Data, type L1DataResult } from "./l1-data";
import { defaultDictionary } from "../deploy/dictionary";
import { measureL1Gas, type L1Gas } from "./l1-gas";
import { measureProofGasMax, L1_TX_GAS_CAP, type ProofGasMax } from "./proof-gas";
import { measureStepGas, type StepGas } from "./step-gas";
import { loadHardhat } from "../node/devnet/devnet";
import { prepareMemoryWalk, walkMemoryOnce, walkLevelOnce, type StoreCost } from "./walk";
import { nativeCrypto } from "../core/crypto/native";
import { median } from "./stats";
import { measureStepper, type StepperBench } from "./stepper";
import { installJumpdestCache } from "../core/evm/jumpdest";
import { installFastInterpreter } from "../core/evm/fast-interpreter";

export interface BenchOptions {
  quick: boolean;
  seed: string;
  /** Rounds of every timed measurement (median reported). */
  runs?: number;
  accounts?: number;
  txs?: number;
  batchSize?: number;
  /** Progress lines (stderr by default). */
  log?: (s: string) => void;
}

export interface BenchJson {
  baselineTps: number;
  validateTps1: number;
  validateTps2: number;
  walkMovesPerSec: number;
  walkMovesPerSecLevel: number;
  /** Bytes per transaction the store spends on keeping every version's value (the version index, history at any block). */
  historyBytesPerTx: number;
  bytesPerTx: number;
  ethZlibBytesPerTx: number;
  appendGasPerTx: number;
  /** Blob gas per transaction of the workload's batch data in blobs (prover/l1-pricing.ts: whole 31-byte field elements per batch, blobs filled back to back). */
  blobGasPerTx: number;
  /** L1 gas per transaction of the posting transactions in blob mode, EIP-7623 floor counted (bench/l1-gas.ts). */
  l1GasPerTx: number;
  /** The OP-style baseline's blob gas per transaction: the same transactions zlib-compressed per batch, in blobs by the same rule. */
  ethZlibBlobGasPerTx: number;
  /** bytesPerTx with compressed items (protocol.md §7.7, bench/l1-data.ts `compressed`). */
  compressedBytesPerTx: number;
  /** blobGasPerTx with compressed items. */
  compressedBlobGasPerTx: number;
  /**
   * compressedBytesPerTx with the shipped default dictionary (deploy/flz-dictionary.hex, trained on another seed's
   * workload) instead of the upper bound's (the measured workload's own setup batches).
   */
  compressedShippedBytesPerTx: number;
  /** compressedBlobGasPerTx with the shipped default dictionary. */
  compressedShippedBlobGasPerTx: number;
  /** The reveal of each one-step kind; `execution`: the challenger's total over a whole dispute game (bench/game-gas.ts). */
  proofGas: Record<string, number>;
  /** Claims made in that game (the dispute's and every move, both sides'). */
  gameMoves: number;
  /** Each one-step kind proven on the largest transactions the limits allow (bench/proof-gas.ts). */
  proofGasMax: Record<string, number>;
  /** The same shapes posted as the costliest compressed items the limits allow (protocol.md §7.7; bench/flz-worst.ts). */
  proofGasMaxCompressed: Record<string, number>;
  /** L1 gas of one step of the one-step verifier (bench/step-gas.ts). */
  stepGas: { p50: number; p99: number; max: number };
  /** The step machine: steps/s over the workload, and the state hash at a step of its largest transaction. */
  stepper: { stepsPerSec: number; largestTxSteps: number; stateAtStepMs: number; loop30M: { steps: number; stepsPerSec: number; stateAtStepMs: number } };
}

export interface Series {
  runs: number[];
  median: number;
}

export interface BenchReport {
  json: BenchJson;
  machine: MachineInfo;
  loadBefore: number[];
  loadAfter: number[];
  /** Cores two spinning threads of this process got before the measurements (probeCores). */
  coresAvailable: number;
  params: Required<WorkloadParams>;
  /** The crypto and garbage-collection setup both sides ran with. */
  mode: { crypto: string; jumpdestCache: boolean; fastInterpreter: boolean; gc: string };
  workload: { txs: number; mainTxs: number; setupTxs: number; batches: number; mainBatches: number; kinds: Record<string, number>; gasPerTx: number };
  baselineTps: Series;
  validateTps1: Series;
  validateTps2: Series;
  /** Per-round ratios (median), wall clock. */
  ratio1: Series;
  ratio2: Series;
  scaling: Series;
  /**
   * Transactions per CPU-second (process CPU time, all threads): robust to other processes on the
   * machine, and the per-core comparison. efficiency2: 2 workers against 1 in tx per CPU-second
   * (1.0 = no parallel overhead, so 2 free cores would give 2x). cores1/cores2: CPU time over wall
   * time while validating on 1 and 2 workers (how many cores the process actually got).
   */
  cpu: { baseline: Series; validate1: Series; validate2: Series; ratio1: Series; efficiency2: Series; cores1: Series; cores2: Series };
  /**
   * 2 workers against 1 (wall), only over the rounds in which the 2-worker run got at least
   * FREE_CORES cores (empty when no round did: scaling was not measurable).
   */
  scalingFree: Series;
  /** Share of the baseline's timed wall time spent updating and hashing the trie. */
  baselineTrieShare: number;
  walk: Series;
  walkLevel: Series;
  store: StoreCost;
  movesPerTx: number;
  l1: L1DataResult;
  l1Gas: L1Gas;
  proofGasMax: ProofGasMax;
  stepGas: StepGas;
  stepper: StepperBench;
  seconds: number;
}

export interface MachineInfo {
  cores: number;
  cpu: string;
  memGiB: number;
  node: string;
  platform: string;
}

/** A 2-worker round counts as showing scaling when the process got at least this many cores. */
export const FREE_CORES = 1.6;

export const QUICK = { accounts: 200, txs: 2000, batchSize: 200, runs: 3 };
export const FULL = { accounts: 2000, txs: 10000, batchSize: 200, runs: 5 };

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/**
 * How many cores this process can actually get right now: two threads spin for `ms` and the
 * process's CPU time is divided by the wall time (2.0 on two free cores).
 */
export async function probeCores(ms = 600): Promise<number> {
  const code = `const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x++;`;
  const t0 = performance.now();
  const c0 = cpuMs();
  await Promise.all([0, 1].map(() => new Promise<void>((resolve, reject) => new Worker(code, { eval: true }).on("exit", () => resolve()).on("error", reject))));
  return (cpuMs() - c0) / (performance.now() - t0);
}

export { median };

const series = (runs: number[]): Series => ({ runs, median: median(runs) });

function validateItems(w: Workload, f: FilledWorkload): ValidateItem[] {
  const batchOf = batchOfTx(w);
  const items: ValidateItem[] = [];
  for (let i = w.setupCount; i < w.txs.length; i++) items.push({ tx: f.encoded[i], ctx: txContext(BigInt(i + 1), batchOf[i]) });
  return items;
}

/** Validates `items` on `workers` workers; returns tx/s (wall) and tx per CPU-second (all threads of the process). */
async function timedValidate(pool: ValidatePool, items: ValidateItem[], workers: number): Promise<{ tps: number; cpuTps: number; cores: number }> {
  const t0 = performance.now();
  const c0 = cpuMs();
  const verdicts = await pool.validate(items, { logs: false, workers });
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  const bad = verdicts.findIndex((v) => !v.valid);
  if (bad >= 0) {
    const v = verdicts[bad] as { valid: false; error: Error & { kind?: string; code?: string } };
    throw new Error(`validation refused workload tx ${bad}: ${v.error.kind}/${v.error.code}: ${v.error.message}`);
  }
  return { tps: (items.length / ms) * 1000, cpuTps: (items.length / cpu) * 1000, cores: cpu / ms };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const log = o.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const preset = o.quick ? QUICK : FULL;
  const runs = o.runs ?? preset.runs;
  const params: WorkloadParams = { seed: o.seed, accounts: o.accounts ?? preset.accounts, txs: o.txs ?? preset.txs, batchSize: o.batchSize ?? preset.batchSize };
  const started = performance.now();
  const loadBefore = os.loadavg();
  const machine = machineInfo();
  const coresAvailable = await probeCores();

  // Both sides run with the same speed-ups (the core's, which any ethereumjs node can have): native
  // keccak and secp256k1 when their bindings load, transaction parameters merged once, and the
  // jump-analysis cache and the interpreter's faster loop (process-wide, so the baseline in this
  // thread has them too).
  const nat = nativeCrypto();
  const jumpdestCache = installJumpdestCache();
  const fastInterpreter = installFastInterpreter();
  const cryptoName = nat ? "native keccak and libsecp256k1 (N-API)" : "JavaScript (@noble): the native bindings did not load";
  const gc = process.execArgv.includes("--single-threaded-gc") ? "single-threaded (--single-threaded-gc)" : "V8 default (parallel helper threads)";

  // Workers start (and load their KZG setup) while the workload is generated and filled.
  log("starting 2 validate workers");
  const poolP = ValidatePool.create(2, { chainIds: [901n] });
  poolP.catch(() => undefined);

  try {
    log(`generating the workload (seed ${params.seed}, ${params.accounts} accounts, ${params.txs} transactions)`);
    const w = await generateWorkload(params);
    log(`filling moves for ${w.txs.length} transactions (${w.setupCount} setup)`);
    const ex = await Executor.create(w.chainId);
    const f = await fillWorkload(w, ex);
    const items = validateItems(w, f);
    const kinds: Record<string, number> = {};
    let gas = 0n;
    for (let i = w.setupCount; i < w.txs.length; i++) {
      kinds[w.txs[i].kind] = (kinds[w.txs[i].kind] ?? 0) + 1;
      gas += f.gasUsed[i];
    }

    const pool = await poolP;
    // The code earlier witnesses carry (the setup's deployments): the timed transactions leave it out.
    pool.addCodes(f.codes);
    log("warming up the workers");
    await pool.validate(items.slice(0, Math.min(items.length, 2 * params.batchSize)), { logs: false });

    const b: number[] = [];
    const bc: number[] = [];
    const rootShare: number[] = [];
    const v1: number[] = [];
    const v1c: number[] = [];
    const v2: number[] = [];
    const v2c: number[] = [];
    const cores1: number[] = [];
    const cores2: number[] = [];
    for (let r = 0; r < runs; r++) {
      const base = await runBaseline(w, { fromBatch: w.firstMainBatch });
      b.push((base.txs / base.ms) * 1000);
      bc.push((base.txs / base.cpuMs) * 1000);
      rootShare.push(base.trieMs / base.ms);
      const one = await timedValidate(pool, items, 1);
      const two = await timedValidate(pool, items, 2);
      v1.push(one.tps);
      v1c.push(one.cpuTps);
      v2.push(two.tps);
      v2c.push(two.cpuTps);
      cores1.push(one.cores);
      cores2.push(two.cores);
      log(
        `round ${r + 1}/${runs}: tx/s (tx per CPU-second): baseline ${b[r].toFixed(0)} (${bc[r].toFixed(0)}), ` +
          `validate 1 worker ${one.tps.toFixed(0)} (${one.cpuTps.toFixed(0)}), 2 workers ${two.tps.toFixed(0)} (${two.cpuTps.toFixed(0)}); load ${os.loadavg()[0].toFixed(1)}`,
      );
    }

    log("walking");
    const { base, main } = prepareMemoryWalk(w, f);
    const wm: number[] = [];
    for (let r = 0; r < Math.max(runs, 5); r++) wm.push(walkMemoryOnce(base, main).movesPerSec);
    const wl: number[] = [];
    let store: StoreCost | undefined;
    for (let r = 0; r < runs; r++) wl.push((await walkLevelOnce(w, f, r === 0 ? (c) => (store = c) : undefined)).movesPerSec);

    log("the step machine");
    const stepper = await measureStepper(w, f, ex, { log, quick: o.quick });
    const l1 = measureL1Data(w, f, w.firstMainBatch, defaultDictionary());
    // After every timed measurement (it loads Hardhat and runs its chain in this process).
    const l1Gas = await measureL1Gas(w, f, { log });
    const proofGasMax = await measureProofGasMax({ log, wrappedOnly: o.quick });
    const stepGas = await measureStepGas(loadHardhat(), w, f, { log, sample: o.quick ? 2 : 6 });

    const baselineTps = series(b);
    const validateTps1 = series(v1);
    const validateTps2 = series(v2);
    const walk = series(wm);
    const walkLevel = series(wl);
    const json: BenchJson = {
      baselineTps: Math.round(baselineTps.median),
      validateTps1: Math.round(validateTps1.median),
      validateTps2: Math.round(validateTps2.median),
      walkMovesPerSec: Math.round(walk.median),
      walkMovesPerSecLevel: Math.round(walkLevel.median),
      historyBytesPerTx: Math.round(store!.historyBytesPerTx * 10) / 10,
      bytesPerTx: Math.round(l1.bytesPerTx * 10) / 10,
      ethZlibBytesPerTx: Math.round(l1.ethZlibBytesPerTx * 10) / 10,
      appendGasPerTx: Math.round(l1Gas.appendGasPerTx),
      blobGasPerTx: Math.round(l1.blobGasPerTx * 10) / 10,
      l1GasPerTx: Math.round(l1Gas.blobAppendGasPerTx),
      ethZlibBlobGasPerTx: Math.round(l1.ethZlibBlobGasPerTx * 10) / 10,
      compressedBytesPerTx: Math.round(l1.compressed.bytesPerTx * 10) / 10,
      compressedBlobGasPerTx: Math.round(l1.compressed.blobGasPerTx * 10) / 10,
      compressedShippedBytesPerTx: Math.round(l1.compressedShipped!.bytesPerTx * 10) / 10,
      compressedShippedBlobGasPerTx: Math.round(l1.compressedShipped!.blobGasPerTx * 10) / 10,
      proofGas: { ...l1Gas.proofGas, execution: l1Gas.game.challengerGas },
      gameMoves: l1Gas.game.moves,
      proofGasMax: proofGasMax.proofGasMax,
      proofGasMaxCompressed: proofGasMax.proofGasMaxCompressed,
      stepGas: { p50: stepGas.p50, p99: stepGas.p99, max: stepGas.max },
      stepper: {
        stepsPerSec: Math.round(stepper.stepsPerSec),
        largestTxSteps: stepper.largestTxSteps,
        stateAtStepMs: Math.round(stepper.stateAtStepMs * 100) / 100,
        loop30M: { steps: stepper.loop30M.steps, stepsPerSec: Math.round(stepper.loop30M.stepsPerSec), stateAtStepMs: Math.round(stepper.loop30M.stateAtStepMs * 10) / 10 },
      },
    };
    return {
      json,
      machine,
      loadBefore,
      loadAfter: os.loadavg(),
      coresAvailable,
      params: w.params,
      mode: { crypto: cryptoName, jumpdestCache, fastInterpreter, gc },
      workload: {
        txs: w.txs.length,
        mainTxs: items.length,
        setupTxs: w.setupCount,
        batches: w.batches.length,
        mainBatches: w.batches.length - w.firstMainBatch,
        kinds,
        gasPerTx: Number(gas) / items.length,
      },
      baselineTps,
      validateTps1,
      validateTps2,
      ratio1: series(v1.map((v, i) => v / b[i])),
      ratio2: series(v2.map((v, i) => v / b[i])),
      scaling: series(v2.map((v, i) => v / v1[i])),
      cpu: {
        baseline: series(bc),
        validate1: series(v1c),
        validate2: series(v2c),
        ratio1: series(v1c.map((v, i) => v / bc[i])),
        efficiency2: series(v2c.map((v, i) => v / v1c[i])),
        cores1: series(cores1),
        cores2: series(cores2),
      },
      scalingFree: series(v2.map((v, i) => v / v1[i]).filter((_, i) => cores2[i] >= FREE_CORES)),
      baselineTrieShare: median(rootShare),
      walk,
      walkLevel,
      store: store!,
      movesPerTx: l1.movesPerTx,
      l1,
      l1Gas,
      proofGasMax,
      stepGas,
      stepper,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    // Also when generating or filling failed: the workers may still be starting.
    await (await poolP.catch(() => undefined))?.terminate();
  }
}

// ---- the table ----------------------------------------------------------------------------------

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const x = (n: number) => `${n.toFixed(2)}x`;

export function formatReport(r: BenchReport): string {
  const L: string[] = [];
  const m = r.machine;
  const p = r.params;
  L.push(`moveset bench: seed ${p.seed}; ${int(r.workload.mainTxs)} timed transactions in ${r.workload.mainBatches} batches of ${p.batchSize} (after ${r.workload.setupTxs} setup transactions), ${p.accounts} accounts`);
  L.push(`  mix: ${Object.entries(r.workload.kinds).map(([k, n]) => `${k} ${n}`).join(", ")}; ${int(r.workload.gasPerTx)} gas and ${r.movesPerTx.toFixed(1)} moves per transaction`);
  L.push(`  moves per transaction by mark: ${Object.entries(r.l1.movesByMark).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n.toFixed(2)}`).join(", ")}`);
  const busy = r.loadBefore[0] > 0.5 * m.cores || r.loadAfter[0] > 0.5 * m.cores;
  L.push(`machine: ${m.cores} cores, ${m.cpu}, ${m.memGiB} GiB, node ${m.node}; load average ${r.loadBefore[0].toFixed(1)} before, ${r.loadAfter[0].toFixed(1)} after${busy ? " (other processes compete for the CPU: wall-clock rates are noisy, per-CPU-second rates less so)" : ""}`);
  L.push(`  two spinning threads of this process got ${r.coresAvailable.toFixed(2)} cores${r.coresAvailable < FREE_CORES ? ": 2-worker scaling may not show" : ""}`);
  L.push(`both sides: crypto ${r.mode.crypto}; jump-analysis cache ${r.mode.jumpdestCache ? "on" : "off"}; fast interpreter loop ${r.mode.fastInterpreter ? "on" : "off"}; garbage collection ${r.mode.gc}`);
  L.push("");
  const rows: string[][] = [["measure", "median", "per CPU-s", `runs (${r.baselineTps.runs.length})`, "ratio", "goal"]];
  const runsOf = (s: { runs: number[] }) => s.runs.map(int).join(" / ");
  const c = r.cpu;
  rows.push(["baseline: runTx + Merkle-Patricia, tx/s", int(r.baselineTps.median), int(c.baseline.median), runsOf(r.baselineTps), `1.00x (trie updates ${(100 * r.baselineTrieShare).toFixed(0)}% of its time)`, ""]);
  const g1 = c.ratio1.median >= 5 ? "met" : `NOT MET (${x(c.ratio1.median)})`;
  rows.push(["moveset validate, 1 worker, tx/s", int(r.validateTps1.median), int(c.validate1.median), runsOf(r.validateTps1), `${x(c.ratio1.median)} baseline per CPU-s (${x(r.ratio1.median)} wall)`, `>= 5x per core: ${g1}`]);
  const sf = r.scalingFree;
  const g2 = sf.runs.length
    ? `${sf.median >= 1.8 ? "met" : "NOT MET"} (${x(sf.median)} in the ${sf.runs.length} round(s) that got >= ${FREE_CORES} cores)`
    : `not measurable (no round got ${FREE_CORES} cores)`;
  rows.push([
    "moveset validate, 2 workers, tx/s",
    int(r.validateTps2.median),
    int(c.validate2.median),
    runsOf(r.validateTps2),
    `${x(r.scaling.median)} 1 worker wall; ${x(c.efficiency2.median)} per CPU-s; got ${c.cores2.median.toFixed(2)} cores (1 worker: ${c.cores1.median.toFixed(2)})`,
    `>= 1.8x 1 worker: ${g2}`,
  ]);
  rows.push(["walk in memory, moves/s", int(r.walk.median), "", r.walk.runs.map(int).join(" / "), "", ""]);
  rows.push(["walk over LevelDB, moves/s", int(r.walkLevel.median), "", runsOf(r.walkLevel), "", ""]);
  rows.push([
    "UTXO store, bytes/tx (history: version values)",
    r.store.outpointBytesPerTx.toFixed(1),
    "",
    "",
    `history ${r.store.historyBytesPerTx.toFixed(1)} of them; on disk ${r.store.diskBytesPerTx.toFixed(1)}`,
    "",
  ]);
  const l1 = r.l1;
  const gb = l1.bytesPerTx <= l1.ethZlibBytesPerTx ? "met" : `NOT MET (${x(l1.bytesPerTx / l1.ethZlibBytesPerTx)})`;
  rows.push(["L1 data, moveset batch data, bytes/tx", l1.bytesPerTx.toFixed(1), "", "", `${x(l1.bytesPerTx / l1.ethZlibBytesPerTx)} eth+zlib`, `<= eth+zlib: ${gb}`]);
  rows.push(["L1 data, eth txs + zlib per batch, bytes/tx", l1.ethZlibBytesPerTx.toFixed(1), "", "", `(uncompressed ${l1.ethRawBytesPerTx.toFixed(1)})`, ""]);
  rows.push([
    "  moveset bytes/tx by part",
    "",
    "",
    "",
    `raw tx ${l1.breakdown.raw.toFixed(1)}, moves ${l1.breakdown.moves.toFixed(1)}, witness ${l1.breakdown.witness.toFixed(1)}, framing ${l1.breakdown.framing.toFixed(1)}`,
    "",
  ]);
  const gBlob = l1.blobGasPerTx <= 1.5 * l1.ethZlibBlobGasPerTx ? "met" : `NOT MET (${x(l1.blobGasPerTx / l1.ethZlibBlobGasPerTx)})`;
  rows.push([
    "L1 blob gas per tx, moveset / eth+zlib",
    l1.blobGasPerTx.toFixed(1),
    "",
    "",
    `eth+zlib ${l1.ethZlibBlobGasPerTx.toFixed(1)} (31-byte field elements, blobs filled back to back); whole blobs per batch alone: ${l1.wholeBlobsPerBatch.moveset.toFixed(2)} / ${l1.wholeBlobsPerBatch.ethZlib.toFixed(2)}`,
    `<= 1.5x eth+zlib: ${gBlob}`,
  ]);
  const cz = l1.compressed;
  rows.push([
    "  compressed items (FastLZ + dictionary of this workload's setup: upper bound), bytes/tx",
    cz.bytesPerTx.toFixed(1),
    "",
    "",
    `${x(cz.bytesPerTx / l1.ethZlibBytesPerTx)} eth+zlib; ${(100 * (1 - cz.bytesPerTx / l1.bytesPerTx)).toFixed(1)}% below uncompressed; ${(100 * cz.compressedShare).toFixed(1)}% of items compressed; dictionary ${cz.dictBytes} bytes (protocol.md §7.7)`,
    "",
  ]);
  rows.push(["  compressed items, blob gas/tx", cz.blobGasPerTx.toFixed(1), "", "", `${x(cz.blobGasPerTx / l1.ethZlibBlobGasPerTx)} eth+zlib; uncompressed ${l1.blobGasPerTx.toFixed(1)}`, ""]);
  const cs = l1.compressedShipped;
  if (cs)
    rows.push([
      "  compressed items, shipped dictionary, bytes/tx",
      cs.bytesPerTx.toFixed(1),
      "",
      "",
      `${x(cs.bytesPerTx / l1.ethZlibBytesPerTx)} eth+zlib; ${(100 * (1 - cs.bytesPerTx / l1.bytesPerTx)).toFixed(1)}% below uncompressed; blob gas/tx ${cs.blobGasPerTx.toFixed(1)}; dictionary ${cs.dictBytes} bytes (deploy/flz-dictionary.hex)`,
      "",
    ]);
  rows.push(["L1 data fee basis: calldata gas (4 × tokens)/tx", l1.calldataGasPerTx.toFixed(1), "", "", "protocol.md §6.6", "baseFeeScalar ≥ appendGasPerTx / this"]);
  rows.push(["  hypothetical, compact estimate, bytes/tx", l1.bytesPerTxCompactEstimate.toFixed(1), "", "", `${x(l1.bytesPerTxCompactEstimate / l1.ethZlibBytesPerTx)} eth+zlib`, "(see bench/l1-data.ts)"]);
  const g = r.l1Gas;
  const commits = Object.values(g.commitGas);
  rows.push([
    "L1 gas, appendBatch per tx",
    int(g.appendGasPerTx),
    "",
    "",
    `over the first ${g.mainBatches} main batches (${int(g.mainTxs)} txs); setup batches ${int(g.setupGasPerTx)} per tx`,
    "",
  ]);
  rows.push([
    "L1 gas, blob-mode posting per tx",
    int(g.blobAppendGasPerTx),
    "",
    "",
    `header and declared gas in calldata (EIP-7623 floor counted) + the append's execution without data, ${int(g.appendFixedGas)} (measured on a one-transaction batch); blob gas apart`,
    "",
  ]);
  rows.push([
    "L1 gas, fraud proof (prove)",
    "",
    "",
    "",
    `${Object.entries(g.proofGas).map(([k, n]) => `${k} ${int(n)}`).join(", ")}; each after a commit of ${int(Math.min(...commits))}-${int(Math.max(...commits))} (measured in ${g.seconds.toFixed(0)} s)`,
    "",
  ]);
  const gg = g.game;
  rows.push([
    "L1 gas, dispute game (challenger total)",
    int(gg.challengerGas),
    "",
    "",
    `${gg.moves} claims; dispute ${int(gg.disputeGas)}, code registered ${int(gg.registrationGas)}, a move ${int(gg.moveGas)}, the step ${int(gg.stepGas)}, commitments and resolutions; the workload's transaction of the most moves (${gg.tx.moves} moves, ${int(gg.tx.bytes)} bytes, ${int(gg.tx.steps)} steps)`,
    "",
  ]);
  const pg = r.proofGasMax;
  for (const [what, m] of [["", pg.proofGasMax], [", compressed items", pg.proofGasMaxCompressed]] as const) {
    const worst = Math.max(...Object.values(m));
    rows.push([
      `L1 gas, worst-case proof (largest txs${what})`,
      int(worst),
      "",
      "",
      `${Object.entries(m).map(([k, n]) => `${k} ${int(n)}`).join(", ")}; max ${((100 * worst) / L1_TX_GAS_CAP).toFixed(0)}% of the 2^24 cap, calldata floor counted (both measured in ${pg.seconds.toFixed(0)} s)`,
      "",
    ]);
  }
  const sg = r.stepGas;
  rows.push([
    "L1 gas, one-step verifier step",
    int(sg.p50),
    "",
    "",
    `p50 over ${int(sg.steps)} steps (programs and workload, ${sg.hardfork}); p99 ${int(sg.p99)}, max ${int(sg.max)}`,
    "",
  ]);
  rows.push([
    "  largest step by family",
    "",
    "",
    "",
    Object.entries(sg.families)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${int(n)}`)
      .join(", "),
    "",
  ]);
  const sp = r.stepper;
  rows.push(["step machine, steps/s", int(sp.stepsPerSec), "", "", `${int(sp.steps)} steps over the ${int(sp.txs)} timed transactions`, ""]);
  rows.push(["  state hash at a step of the largest tx, ms", sp.stateAtStepMs.toFixed(2), "", "", `largest tx ${int(sp.largestTxSteps)} steps; checkpoints every ${int(sp.every)} steps`, ""]);
  rows.push([
    "  30M-gas loop: steps/s; state at a step, ms",
    int(sp.loop30M.stepsPerSec),
    "",
    "",
    `${int(sp.loop30M.steps)} steps; state hash at a random step in ${sp.loop30M.stateAtStepMs.toFixed(1)} ms (${sp.loop30M.checkpoints} checkpoints)`,
    "",
  ]);
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  for (const [i, row] of rows.entries()) {
    L.push(row.map((cell, col) => (col === 1 || col === 2 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join("  ").trimEnd());
    if (i === 0) L.push(widths.map((wd) => "-".repeat(wd)).join("  "));
  }
  L.push("");
  L.push(`finished in ${r.seconds.toFixed(0)} s`);
  return L.join("\n");
}
