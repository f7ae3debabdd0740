/**
 * L1 gas per step of the one-step verifier (contracts/step/), for `moveset bench`: every step of the
 * step-machine programs (bench/step-programs.ts: the instruction families, calls and creations, every
 * precompile, and precompile calls at the rollup's limits) and of a sample of the workload's
 * transactions is proven (prover/step-proof.ts) and priced with eth_estimateGas of the verifier's
 * `step` on the in-process Hardhat network (calldata included), after checking that the verifier's
 * post-state is the stepper's. Reports the median, p99 and maximum, and the maximum of each family of
 * steps. On the project's network (Cancun) MODEXP costs L1 its Cancun price; on L1 today (Osaka,
 * EIP-7883) it costs more: run with MOVESET_L1_HARDFORK=osaka to measure that.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import { Executor } from "../core/evm/execute";
import { loadCrypto } from "../core/evm/chain";
import { decodeTx, type MoveTx, type WrappedTx } from "../core/tx";
import { bytesToHex, keccak256 } from "../core/bytes";
import { initialMachine } from "../core/step/init";
import { step } from "../core/step/interp";
import { Status } from "../core/step/types";
import type { Machine } from "../core/step/machine";
import { proveStep, proofBytes } from "../prover/step-proof";
import { deployStepVerifier, stepKind, percentiles, stepGasUsed, L1_TX_GAS_CAP, type StepVerifierDeployment } from "../prover/osp-check";
import { CHAIN, arithProgram, memoryProgram, storageProgram, callsProgram, precompileProgram, limitsProgram, build, type Built } from "./step-programs";
import { batchOfTx, txContext, type FilledWorkload } from "./fill";
import type { Workload } from "./workload";

export interface StepGas {
  steps: number;
  p50: number;
  p99: number;
  max: number;
  /** The largest step of each family. */
  families: Record<string, number>;
  hardfork: string;
  seconds: number;
}

const hex32 = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");

/** The family a step belongs to, for the table. */
export function familyOf(m: Machine): string {
  const k = stepKind(m);
  if (k.micro) return k.precompile !== undefined && k.micro === "precompile-input" ? `precompile ${k.precompile}` : k.micro;
  const op = k.op ?? -1;
  if (op >= 0x01 && op <= 0x1d) return "arithmetic";
  if (op === 0x20) return "keccak256";
  if ([0x31, 0x3b, 0x3c, 0x3f, 0x47, 0x54, 0x55].includes(op)) return op === 0x55 ? "sstore" : "state reads";
  if (op >= 0x30 && op <= 0x4a) return "environment";
  if ([0x51, 0x52, 0x53, 0x5e].includes(op)) return "memory";
  if (op === 0x5c || op === 0x5d) return "transient";
  if (op >= 0xa0 && op <= 0xa4) return "log";
  if ([0xf0, 0xf5].includes(op)) return "create";
  if ([0xf1, 0xf2, 0xf4, 0xfa].includes(op)) return "call";
  if (op === 0xff) return "selfdestruct";
  if (op === 0xf3 || op === 0xfd) return "return";
  return "stack and flow";
}

async function registerAll(m: Machine, built: { tx: MoveTx | WrappedTx }, d: StepVerifierDeployment): Promise<void> {
  const codes = (m.codes as unknown as { map: Map<bigint, { bytes: Uint8Array }> }).map;
  const carried: string[] = built.tx.witness.map((c) => bytesToHex(keccak256(c)));
  for (const [h, c] of codes) {
    if (c.bytes.length > 0 && !(await d.registry.getFunction("isRegistered").staticCall(hex32(h)))) await (await d.registry.getFunction("register")(c.bytes, { gasLimit: 16_000_000 })).wait();
    if (m.codes.carried(h)) carried.push(hex32(h));
  }
  if (carried.length > 0) await (await d.registry.getFunction("setCarried")(carried)).wait();
}

/** Proves and prices every step of one transaction; returns the gas of each with its family. */
async function priceRun(m0: Machine, built: { tx: MoveTx | WrappedTx }, d: StepVerifierDeployment, out: { gas: number; family: string }[]): Promise<void> {
  const full = m0.clone();
  while (full.status_ === Status.Running) step(full);
  await registerAll(full, built, d);
  const m = m0;
  while (m.status_ === Status.Running) {
    const p = proveStep(m);
    const fn = d.verifier.getFunction("step");
    // every step must fit one L1 transaction: EIP-7825's cap is the most gas it is given
    const cap = { gasLimit: L1_TX_GAS_CAP };
    const post = BigInt(await fn.staticCall(hex32(p.pre), proofBytes(p.proof), cap));
    if (post !== p.post) throw new Error(`the verifier's post-state differs from the stepper's (${familyOf(m)})`);
    out.push({ gas: await stepGasUsed(d, p.pre, p.proof), family: familyOf(m) });
    step(m);
  }
}

/** Measures L1 gas per step on `hre`'s network (deploys the verifier with a test registry). */
export async function measureStepGas(hre: HardhatRuntimeEnvironment, w: Workload | undefined, f: FilledWorkload | undefined, o: { log?: (s: string) => void; sample?: number } = {}): Promise<StepGas> {
  const started = performance.now();
  await loadCrypto();
  const ethers = (hre as unknown as { ethers: { getSigners(): Promise<Signer[]>; ContractFactory: typeof import("ethers").ContractFactory } }).ethers;
  const [signer] = await ethers.getSigners();
  const artifact = (n: string) => hre.artifacts.readArtifactSync(n) as unknown as { abi: unknown[]; bytecode: string };
  const bridge = await new ethers.ContractFactory(artifact("Bridge").abi as never, artifact("Bridge").bytecode, signer).deploy();
  const d = await deployStepVerifier(signer, artifact, await bridge.getAddress(), "TestCodeRegistry");
  const ex = await Executor.create(CHAIN);
  const out: { gas: number; family: string }[] = [];
  const programs: [string, () => Uint8Array, bigint][] = [
    ["arithmetic", arithProgram, 3_000_000n],
    ["memory", memoryProgram, 3_000_000n],
    ["storage", storageProgram, 3_000_000n],
    ["calls", callsProgram, 3_000_000n],
    ["precompiles", precompileProgram, 3_000_000n],
    ["limits", limitsProgram, 30_000_000n],
  ];
  for (const [name, prog, gasLimit] of programs) {
    o.log?.(`step gas: program ${name}`);
    const built: Built = await build(ex, prog(), { gasLimit });
    await priceRun(initialMachine(built.tx, built.ctx, built.lookup), built, d, out);
  }
  // a sample of the workload's main transactions, in their batches' contexts
  if (w && f) await priceWorkload(w, f, d, o.sample ?? 6, out, o.log);
  const g = percentiles(out.map((x) => x.gas));
  const families: Record<string, number> = {};
  for (const x of out) families[x.family] = Math.max(families[x.family] ?? 0, x.gas);
  return { steps: out.length, ...g, families, hardfork: String((hre.network.config as { hardfork?: string }).hardfork ?? "?"), seconds: (performance.now() - started) / 1000 };
}

async function priceWorkload(w: Workload, f: FilledWorkload, d: StepVerifierDeployment, sample: number, out: { gas: number; family: string }[], log?: (s: string) => void): Promise<void> {
  const batches = batchOfTx(w);
  const stride = Math.max(1, Math.floor((w.txs.length - w.setupCount) / sample));
  for (let i = w.setupCount, k = 0; i < w.txs.length && k < sample; i += stride, k++) {
    const seq = BigInt(i + 1);
    const tx = decodeTx(f.encoded[i]) as WrappedTx;
    const ctx = txContext(seq, batches[i]);
    const lookup = (h: string) => f.codes.before(h, seq);
    log?.(`step gas: workload transaction ${i}`);
    await priceRun(initialMachine(tx, ctx, lookup), { tx }, d, out);
  }
}
