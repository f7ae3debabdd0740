/**
 * `moveset osp-check`: the Solidity one-step verifier against the TypeScript stepper, step by step.
 * Each state-test vector's transaction is filled and run by the stepper (core/step/); for the steps
 * chosen, the proof of the step (prover/step-proof.ts) goes to the deployed verifier
 * (contracts/step/OneStepVerifier.sol, `step(pre, proof)` by eth_call), whose post-state must equal
 * the stepper's. The code the transaction runs is registered first (the pre-state's code declared
 * carried, as its witness carries it), as a watchtower registers it before a game.
 *
 * Pure of process-wide effects but the L1 it is given: the caller deploys (deployStepVerifier) on any
 * ethers signer, typically the in-process Hardhat network.
 */
import { Contract, ContractFactory, getBytes, type Signer } from "ethers";
import type { Vector } from "../conformance/load";
import { Executor } from "../core/evm/execute";
import { fillMoves } from "../core/fill";
import { TxType, encodeTx, decodeTx, type MoveTx, type WrappedTx } from "../core/tx";
import { preStateView } from "../conformance/world";
import { initialMachine } from "../core/step/init";
import { step, opInfo } from "../core/step/interp";
import { NeedKzgError } from "../core/step/precompiles";
import { loadCrypto, L2_BLOCK_GAS_LIMIT } from "../core/evm/chain";
import { ethTxFields } from "../core/evm/ethtx";
import { MachineLimitError } from "../core/step/mem";
import { P, Stage, Status, type Ctx } from "../core/step/types";
import type { Machine } from "../core/step/machine";
import { haltKind, opName, PENDING_NAMES } from "../core/step/classify";
import { proveStep, proofBytes } from "./step-proof";
import { calldataFloor } from "./l1-pricing";

/** L1's per-transaction gas cap (EIP-7825): the most gas one step's transaction can be given. */
export const L1_TX_GAS_CAP = 1 << 24;

/** EIP-7623 floor of a transaction with calldata `data` (prover/l1-pricing.ts). */
export { calldataFloor } from "./l1-pricing";

/**
 * The L1 gas one step costs: the receipt's gasUsed of a transaction calling the verifier's `step` with L1's
 * per-transaction cap (EIP-7825) as its gas limit, calldata included, or its calldata's EIP-7623 floor if
 * that is more (the Hardhat network runs Cancun, which has no floor: it is added here, as L1 charges it since
 * Prague). (Not eth_estimateGas: Hardhat's estimator tries limits above that cap on an Osaka network.)
 */
export async function stepGasUsed(d: StepVerifierDeployment, pre: bigint, words: bigint[]): Promise<number> {
  const tx = await d.verifier.getFunction("step").send(hex32(pre), proofBytes(words), { gasLimit: L1_TX_GAS_CAP });
  const rc = await tx.wait();
  return Math.max(Number(rc!.gasUsed), calldataFloor(getBytes(tx.data)));
}

/** The contracts of the one-step verifier, by name, with how to read their artifacts. */
export const VERIFIER_FAMILIES = ["StepTx", "StepHash", "StepCall", "StepState", "StepRun"] as const;
/** Every contract of the verifier: the families, step 0's, the entry and the code registry. */
export const VERIFIER_CONTRACTS = ["OneStepVerifier", ...VERIFIER_FAMILIES, "StepStart", "CodeRegistry"] as const;

export interface Artifact {
  abi: unknown[];
  bytecode: string;
}

export interface StepVerifierDeployment {
  registry: Contract;
  verifier: Contract;
  families: Record<string, string>;
}

/**
 * Deploys a code registry (`registryName`: CodeRegistry, or TestCodeRegistry on a test chain) bound
 * to `inbox`, the five families and the OneStepVerifier.
 */
export async function deployStepVerifier(signer: Signer, artifact: (name: string) => Artifact, inbox: string, registryName = "CodeRegistry"): Promise<StepVerifierDeployment> {
  const deploy = async (name: string, args: unknown[]): Promise<Contract> => {
    const a = artifact(name);
    const c = await new ContractFactory(a.abi as never, a.bytecode, signer).deploy(...args);
    await c.waitForDeployment();
    return c as unknown as Contract;
  };
  const registry = await deploy(registryName, [inbox]);
  const r = await registry.getAddress();
  const families: Record<string, string> = {};
  for (const f of VERIFIER_FAMILIES) families[f] = await (await deploy(f, [r])).getAddress();
  families.StepStart = await (await deploy("StepStart", [])).getAddress();
  const verifier = await deploy("OneStepVerifier", [r, ...VERIFIER_FAMILIES.map((f) => families[f]), families.StepStart]);
  return { registry, verifier, families };
}

export interface OspVectorResult {
  id: string;
  /** Steps the stepper ran (to the terminal state). */
  steps: number;
  /** Steps checked against the verifier, and how many agreed. */
  checked: number;
  agreed: number;
  /** The first disagreements. */
  failures: string[];
  /** Skipped: the vector has no step 0 (a fault the machine does not decide) or could not be filled. */
  skipped?: string;
}

export interface OspStats {
  steps: number;
  agreed: number;
  /** Opcodes executed by a checked step. */
  opcodes: Set<number>;
  /** Micro-step kinds (pending operations) checked. */
  microSteps: Set<string>;
  /** Precompiles whose final step was checked. */
  precompiles: Set<number>;
  /** Halt kinds (core/step/classify.ts `haltKind`) of checked steps. */
  halts: Set<string>;
  /** L1 gas of each checked step (the receipt's gasUsed of a step transaction, calldata included). */
  gas: number[];
  /** The same gas by the verifier's family contract the step is routed to (verifierFamily), with its heaviest step. */
  families: Map<VerifierFamily, { gas: number[]; worst: { gas: number; kind: string; at: string } }>;
}

export function emptyStats(): OspStats {
  return { steps: 0, agreed: 0, opcodes: new Set(), microSteps: new Set(), precompiles: new Set(), halts: new Set(), gas: [], families: new Map() };
}

/** OspStats as JSON (sets as sorted arrays), for a checkpoint file. */
export interface OspStatsJson {
  steps: number;
  agreed: number;
  opcodes: number[];
  microSteps: string[];
  precompiles: number[];
  halts: string[];
  gas: number[];
  families: [string, { gas: number[]; worst: { gas: number; kind: string; at: string } }][];
}

export function statsToJson(s: OspStats): OspStatsJson {
  return {
    steps: s.steps,
    agreed: s.agreed,
    opcodes: [...s.opcodes].sort((a, b) => a - b),
    microSteps: [...s.microSteps].sort(),
    precompiles: [...s.precompiles].sort((a, b) => a - b),
    halts: [...s.halts].sort(),
    gas: s.gas,
    families: [...s.families],
  };
}

export function statsFromJson(j: OspStatsJson): OspStats {
  return {
    steps: j.steps,
    agreed: j.agreed,
    opcodes: new Set(j.opcodes),
    microSteps: new Set(j.microSteps),
    precompiles: new Set(j.precompiles),
    halts: new Set(j.halts),
    gas: j.gas,
    families: new Map(j.families as [VerifierFamily, { gas: number[]; worst: { gas: number; kind: string; at: string } }][]),
  };
}

export type VerifierFamily = (typeof VERIFIER_FAMILIES)[number];

/** The state-changing instructions StepCall and StepState take (OneStepVerifier._route); every other one is StepRun's. */
const CALL_OPS = new Set([0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa, 0xff]);
const STATE_OPS = new Set([0x31, 0x3b, 0x3c, 0x3f, 0x47, 0x54, 0x55]);

/**
 * The family contract OneStepVerifier routes a running machine's step to (the twin of its `_route`, read
 * from the machine instead of the proof's words): a pending hash or precompile StepHash, any other pending
 * operation StepTx; a frame entering or halted StepCall; an instruction by its opcode (code's end StepRun).
 */
export function verifierFamily(m: Machine): VerifierFamily {
  const p = m.pending_;
  if (p) return p.kind >= P.Keccak && p.kind <= P.Ripemd160 ? "StepHash" : "StepTx";
  const f = m.frame_;
  if (!f) throw new Error("verifierFamily: a running machine has a pending operation or a frame");
  if (f.stage !== Stage.Run) return "StepCall";
  if (f.pc >= f.codeSize) return "StepRun";
  const op = m.codes.get(f.codeHash)!.bytes[f.pc];
  return CALL_OPS.has(op) ? "StepCall" : STATE_OPS.has(op) ? "StepState" : "StepRun";
}

/** Records one step's L1 gas in `stats`, overall and by family; `kind` and `at` name the step if it is its family's heaviest. */
export function recordStepGas(stats: OspStats, family: VerifierFamily, gas: number, kind: string, at: string): void {
  stats.gas.push(gas);
  let f = stats.families.get(family);
  if (!f) stats.families.set(family, (f = { gas: [], worst: { gas: -1, kind, at } }));
  f.gas.push(gas);
  if (gas > f.worst.gas) f.worst = { gas, kind, at };
}

/** p50, p99 and max of each family's step gas, with the heaviest step's kind and place, in VERIFIER_FAMILIES order. */
export function familyGas(stats: OspStats): Record<string, { steps: number; p50: number; p99: number; max: number; worst: string }> {
  const out: Record<string, { steps: number; p50: number; p99: number; max: number; worst: string }> = {};
  for (const name of VERIFIER_FAMILIES) {
    const f = stats.families.get(name);
    if (f) out[name] = { steps: f.gas.length, ...percentiles(f.gas), worst: `${f.worst.kind} at ${f.worst.at}` };
  }
  return out;
}

/** Every kind of step that is not an instruction (the coverage osp-check reports). */
export const MICRO_STEP_KINDS = [...Object.values(PENDING_NAMES), "enter", "unwind", "code-end"] as const;

/** What a step does, for coverage: an opcode, a micro-step kind, a frame entry or exit. */
export function stepKind(m: Machine): { op?: number; micro?: string; precompile?: number } {
  const p = m.pending_;
  if (p) {
    const micro = PENDING_NAMES[p.kind] ?? `pending-${p.kind}`;
    if (p.kind === P.PrecompileIn && p.a[3] === 1n) return { micro, precompile: Number(p.a[4]) };
    if ((p.kind === P.Sha256 || p.kind === P.Ripemd160) && p.a[3] === 1n) return { micro, precompile: p.kind === P.Sha256 ? 2 : 3 };
    return { micro };
  }
  const f = m.frame_;
  if (!f) return {};
  if (f.stage === Stage.Enter) {
    const c = f.ctx as Ctx;
    if (c.codeAddress >= 1n && c.codeAddress <= 10n && Number(c.codeAddress) === 4) return { micro: "enter", precompile: 4 };
    return { micro: "enter" };
  }
  if (f.stage === Stage.Halted) return { micro: "unwind" };
  if (f.pc >= f.codeSize) return { micro: "code-end" };
  const code = m.codes.get(f.codeHash);
  return code ? { op: code.bytes[f.pc] } : {};
}

/** The coverage keys of a step kind (`op:N`, `micro:name`, `precompile:N`; halt kinds are bare names). */
function coverageKeys(k: { op?: number; micro?: string; precompile?: number }): string[] {
  const out: string[] = [];
  if (k.op !== undefined) out.push(`op:${k.op}`);
  if (k.micro) out.push(`micro:${k.micro}`);
  if (k.precompile !== undefined) out.push(`precompile:${k.precompile}`);
  return out;
}

function isCovered(s: OspStats, key: string): boolean {
  const [what, v] = key.split(":");
  return what === "op" ? s.opcodes.has(Number(v)) : what === "micro" ? s.microSteps.has(v) : s.precompiles.has(Number(v));
}

/** The indices of the steps to check out of n: all of them up to `max`, else the first and last max/4 and a spread between. */
export function chooseSteps(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const edge = Math.floor(max / 4);
  const mid = max - 2 * edge;
  const out = new Set<number>();
  for (let i = 0; i < edge; i++) {
    out.add(i);
    out.add(n - 1 - i);
  }
  for (let k = 0; k < mid; k++) out.add(edge + Math.floor(((n - 2 * edge) * k) / mid));
  return [...out].sort((a, b) => a - b);
}

const hex32 = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");

/** The context a state-test vector runs in (protocol.md §10, as the conformance runner). */
function ctxOf(v: Vector) {
  return { seq: 2n, env: v.env, feeMode: "ethereum" as const, blockHash: "state-test" as const, allowUnprotected: true, allowBlobTx: true };
}

export interface CheckOptions {
  /** Steps checked per vector at most (chooseSteps), besides the first step of each halt kind and of each kind not covered yet. */
  maxSteps: number;
  /** Measure L1 gas of each checked step. */
  gas: boolean;
  /** Steps a vector may run before it is skipped (the machine's own bound is 2^26). */
  stepLimit?: number;
}

/** Checks one vector's steps against the verifier; updates `stats`. */
export async function checkVectorSteps(v: Vector, ex: Executor, d: StepVerifierDeployment, opts: CheckOptions, stats: OspStats): Promise<OspVectorResult> {
  const res: OspVectorResult = { id: v.id, steps: 0, checked: 0, agreed: 0, failures: [] };
  if (v.expectException) return { ...res, skipped: "the transaction is refused (no step 0)" };
  const ctx = ctxOf(v);
  const wrapped: WrappedTx = { type: TxType.Wrapped, raw: v.txbytes, moves: [], witness: [] };
  let tx: MoveTx | WrappedTx;
  try {
    tx = decodeTx(encodeTx((await fillMoves(wrapped, preStateView(v.pre), ctx, ex)).tx)) as MoveTx | WrappedTx;
  } catch (e) {
    return { ...res, skipped: `not filled: ${(e as Error).message.slice(0, 120)}` };
  }
  // the whole run first: the steps, and every code the transaction runs (to register it)
  let first: Machine;
  let total: Machine;
  const firsts = new Map<string, number>();
  for (;;) {
    try {
      first = initialMachine(tx, ctx);
    } catch (e) {
      return { ...res, skipped: `no step 0: ${(e as Error).message.slice(0, 120)}` };
    }
    total = first.clone();
    firsts.clear();
    try {
      let n = 0;
      const limit = opts.stepLimit ?? 2 ** 26;
      while (total.status_ === Status.Running) {
        if (++n > limit) return { ...res, skipped: `runs more than ${limit} steps` };
        const before = total.clone();
        step(total);
        // the first step of each halt kind is always checked (a spread of steps would miss most), and the first
        // of each opcode, micro-step kind and precompile the run has not covered yet
        const h = haltKind(before, total);
        if (h && !firsts.has(h)) firsts.set(h, n - 1);
        for (const key of coverageKeys(stepKind(before))) if (!firsts.has(key) && !isCovered(stats, key)) firsts.set(key, n - 1);
      }
      res.steps = n;
      break;
    } catch (e) {
      if (e instanceof MachineLimitError) {
        // a bound of the machine that only a transaction with more gas than the rollup allows reaches
        const gas = ethTxFields(v.txbytes).gasLimit;
        if (gas > L2_BLOCK_GAS_LIMIT) return { ...res, skipped: `outside the rollup's limits: ${e.message} (gas limit ${gas} > ${L2_BLOCK_GAS_LIMIT})` };
        res.failures.push(`the machine stops within the rollup's limits: ${e.message}`);
        return res;
      }
      if (!(e instanceof NeedKzgError)) throw e;
      await loadCrypto();
    }
  }
  try {
    await registerCode(total, d);
  } catch (e) {
    res.failures.push(`registering the code: ${(e as Error).message.split("\n")[0].slice(0, 200)}`);
    return res;
  }
  const chosen = new Set([...chooseSteps(res.steps, opts.maxSteps), ...firsts.values()]);
  const m = first;
  for (let k = 0; k < res.steps; k++) {
    let before: Machine | undefined;
    if (chosen.has(k)) {
      const kind = stepKind(m);
      const family = verifierFamily(m);
      const p = proveStep(m);
      res.checked++;
      stats.steps++;
      try {
        const post = BigInt(await d.verifier.getFunction("step").staticCall(hex32(p.pre), proofBytes(p.proof)));
        if (post === p.post) {
          res.agreed++;
          stats.agreed++;
          if (kind.op !== undefined) stats.opcodes.add(kind.op);
          if (kind.micro) stats.microSteps.add(kind.micro);
          if (kind.precompile !== undefined) stats.precompiles.add(kind.precompile);
          before = m.clone();
          if (opts.gas) recordStepGas(stats, family, await stepGasUsed(d, p.pre, p.proof), describeKind(kind), `${v.folder}/${v.id} step ${k}`);
        } else if (res.failures.length < 5) res.failures.push(`step ${k} (${describeKind(kind)}): post-state ${hex32(post)} != ${hex32(p.post)}`);
      } catch (e) {
        if (res.failures.length < 5) res.failures.push(`step ${k} (${describeKind(kind)}): ${(e as Error).message.split("\n")[0].slice(0, 200)}`);
      }
    }
    step(m);
    const halt = before && haltKind(before, m);
    if (halt) stats.halts.add(halt);
  }
  return res;
}

function describeKind(k: { op?: number; micro?: string; precompile?: number }): string {
  if (k.op !== undefined) return `op 0x${k.op.toString(16).padStart(2, "0")} ${opInfo(k.op) ? opName(k.op) : "(undefined)"}`;
  return `${k.micro ?? "?"}${k.precompile !== undefined ? ` precompile ${k.precompile}` : ""}`;
}

/** Registers every code the run used, and declares the code the transaction's witness carries. */
async function registerCode(m: Machine, d: StepVerifierDeployment): Promise<void> {
  const codes = (m.codes as unknown as { map: Map<bigint, { bytes: Uint8Array }> }).map;
  // the witness's code is carried (available by protocol.md §6.2 rule 1) whether or not the run fetched it
  const witness = (m.codes as unknown as { witness: Map<string, Uint8Array> }).witness;
  const carried: string[] = [...witness.keys()];
  for (const [h, c] of codes) {
    if (c.bytes.length === 0) continue; // empty code (an empty initcode) is never read
    if (!(await d.registry.getFunction("isRegistered").staticCall(hex32(h)))) {
      if (c.bytes.length > 24_568) {
        // the largest codes in pieces, each transaction far below L1's cap
        for (const piece of [0, 1, 128, 129]) await (await d.registry.getFunction("stage")(c.bytes, piece)).wait();
      }
      await (await d.registry.getFunction("register")(c.bytes, { gasLimit: 16_000_000 })).wait();
    }
    if (m.codes.carried(h) && !carried.includes(hex32(h))) carried.push(hex32(h));
  }
  if (carried.length > 0 && d.registry.interface.getFunction("setCarried")) await (await d.registry.getFunction("setCarried")(carried)).wait();
}

/** p50, p99 and max of a list of numbers (0 for an empty list). */
export function percentiles(xs: number[]): { p50: number; p99: number; max: number } {
  if (xs.length === 0) return { p50: 0, p99: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1] };
}
