/**
 * The Solidity one-step verifier (contracts/step/) against the TypeScript stepper (core/step/) on
 * transactions built here to cover the machine: every step of each transaction is proven
 * (prover/step-proof.ts) and the verifier's post-state must equal the stepper's; proofs with any one
 * word changed are refused; the terminal statuses (execution faults and transaction rules) are
 * reached through the verifier; contract sizes stay in budget. Self-contained (no state-test files):
 * `moveset osp-check` runs the same comparison on Ethereum's state tests.
 *
 *   npx hardhat test test/contracts/step/verifier.test.ts
 */
import { expect } from "chai";
import * as fs from "fs";
import hre from "hardhat";
import type { Contract } from "ethers";
import { Executor } from "../../../core/evm/execute";
import { loadCrypto } from "../../../core/evm/chain";
import { Mark } from "../../../core/keys";
import { sortMoves } from "../../../core/moves";
import { TxType, encodeTx, type WrappedTx, type MoveTx } from "../../../core/tx";
import { headerToAbi } from "../../../core/batch";
import { bytesToHex, hexToBytes, keccak256 } from "../../../core/bytes";
import { initialMachine } from "../../../core/step/init";
import { step } from "../../../core/step/interp";
import { Status, STATUS_NAMES } from "../../../core/step/types";
import type { Machine } from "../../../core/step/machine";
import { proveStep, proofBytes } from "../../../prover/step-proof";
import { stepKind, stepGasUsed, VERIFIER_CONTRACTS, type StepVerifierDeployment } from "../../../prover/osp-check";
import { deployTestStepVerifier } from "../../helpers/step-verifier";
import { deployer } from "../../../bench/evm-asm";
import { OPTABLE_SOL, generateOpTable } from "../../../scripts/gen-step-optable-sol";
import { missingCoverage } from "../../../cli/osp-check";
import {
  hex32, CHAIN, wallet, A, B, HEADER, helperCode, arithProgram, memoryProgram, storageProgram, callsProgram, precompileProgram, limitsProgram, halts, build,
  type Built, type TxKind,
} from "../../../bench/step-programs";

describe("contracts/step: the one-step verifier against the stepper", function () {
  this.timeout(0);
  let ex: Executor;
  let d: StepVerifierDeployment;
  const gas: number[] = [];
  /** What the checked steps covered: opcodes, micro-step kinds, precompiles. */
  const covered = { opcodes: new Set<number>(), microSteps: new Set<string>(), precompiles: new Set<number>() };

  before(async () => {
    await loadCrypto();
    ex = await Executor.create(CHAIN);
    d = await deployTestStepVerifier(CHAIN);
  });

  after(() => {
    if (gas.length === 0) return;
    const s = [...gas].sort((x, y) => x - y);
    console.log(`      L1 gas per step over ${s.length} steps: p50 ${s[Math.floor(s.length / 2)]}, p99 ${s[Math.floor(s.length * 0.99)]}, max ${s[s.length - 1]}`);
  });

  /** Registers the code a run uses and declares what the transaction may use (its witness and the lookup) carried. */
  async function register(m: Machine, built: Built) {
    const codes = (m.codes as unknown as { map: Map<bigint, { bytes: Uint8Array }> }).map;
    const carried: string[] = [];
    for (const [h, c] of codes) {
      if (c.bytes.length > 0 && !(await d.registry.isRegistered(hex32(h)))) await (await d.registry.register(c.bytes, { gasLimit: 16_000_000 })).wait();
      if (m.codes.carried(h)) carried.push(hex32(h));
    }
    for (const c of built.tx.witness) carried.push(bytesToHex(keccak256(c)));
    if (carried.length) await (await (d.registry as Contract).getFunction("setCarried")(carried)).wait();
  }

  /** Runs the machine, checking every step with the verifier; returns the terminal status and the machines of the steps. */
  async function checkRun(built: Built, o: { lookup?: boolean; mutate?: (m: Machine) => void; measure?: boolean } = {}): Promise<{ status: number; steps: number; kinds: Set<string> }> {
    const m = initialMachine(built.tx, built.ctx, o.lookup === false ? undefined : built.lookup);
    o.mutate?.(m);
    // step 0 as L1 computes it from the transaction's bytes, its seq and its batch header
    expect(BigInt(await d.verifier.startState(encodeTx(built.tx), built.ctx.seq, headerToAbi(built.header), CHAIN)), "startState").to.equal(m.hash());
    const full = m.clone();
    while (full.status_ === Status.Running) step(full);
    await register(full, built);
    const kinds = new Set<string>();
    let n = 0;
    for (;;) {
      const p = proveStep(m);
      const k = stepKind(m);
      kinds.add(k.op !== undefined ? `op:${k.op}` : `${k.micro}${k.precompile ?? ""}`);
      if (k.op !== undefined) covered.opcodes.add(k.op);
      if (k.micro) covered.microSteps.add(k.micro);
      if (k.precompile !== undefined) covered.precompiles.add(k.precompile);
      let post: bigint;
      try {
        post = BigInt(await d.verifier.step(hex32(p.pre), proofBytes(p.proof)));
      } catch (e) {
        throw new Error(`step ${n} (${JSON.stringify(k)}), the machine ends ${STATUS_NAMES[m.clone().status_]}: ${(e as Error).message}`, { cause: e });
      }
      expect(hex32(post), `step ${n} (${JSON.stringify(k)})`).to.equal(hex32(p.post));
      if (o.measure) gas.push(await stepGasUsed(d, p.pre, p.proof));
      if (m.status_ !== Status.Running) break; // the terminal state's own step (its successor is itself) was checked too
      step(m);
      n++;
    }
    return { status: m.status_, steps: n, kinds };
  }

  it("OpTable.sol is what scripts/gen-step-optable-sol.ts writes from the stepper's table", () => {
    expect(fs.readFileSync(OPTABLE_SOL, "utf8")).to.equal(generateOpTable());
  });

  for (const [name, prog] of [
    ["arithmetic, environment, stack and flow", arithProgram],
    ["memory, hashes, copies, logs and return", memoryProgram],
    ["storage (EIP-2200/3529), transient storage, account reads", storageProgram],
    ["calls, reverts, static violations, creations, self-destruct in init", callsProgram],
    ["every precompile through L1's", precompileProgram],
  ] as const) {
    it(`${name}: every step's post-state is the stepper's`, async () => {
      const built = await build(ex, prog());
      expect(built.status, "the program runs to its end").to.equal(1);
      const r = await checkRun(built, { measure: true });
      expect(STATUS_NAMES[r.status]).to.equal("ok");
      expect(r.steps).to.be.greaterThan(20);
    });
  }

  it("precompile calls at the rollup's limits (MODEXP at its EIP-7883 cap, 64 pairings, 2^22 BLAKE2F rounds): every step agrees, the heaviest under 9M gas (2^24 is 16.8M)", async () => {
    const before = gas.length;
    const built = await build(ex, limitsProgram(), { gasLimit: 30_000_000n });
    expect(built.status, "the program runs to its end").to.equal(1);
    const r = await checkRun(built, { measure: true });
    expect(STATUS_NAMES[r.status]).to.equal("ok");
    const worst = Math.max(...gas.slice(before));
    console.log(`      the heaviest step of the limits program: ${worst} gas (${(hre.network.config as { hardfork?: string }).hardfork})`);
    // MODEXP's final step: its EIP-7883 price (≤ 2^23) must be there (the 63/64 check), plus the step around it
    expect(worst).to.be.below(9_000_000);
  });

  for (const [name, code] of Object.entries(halts)) {
    it(`halt: ${name}`, async () => {
      // Out of gas: 840 gas past the intrinsic 21,168 (21,000 and the data's 168) is 70 rounds of the loop (JUMPDEST,
      // PUSH, JUMP: 12 gas), every step checked, and the same halt as at any multiple of 12 (the next JUMPDEST finds 0).
      const built = await build(ex, code, { gasLimit: name === "out of gas" ? 21_168n + 12n * 70n : 3_000_000n });
      const topSucceeds = name === "static violation" || name === "running past the code's end";
      expect(built.status, "the top frame halts (the static violation: its callee)").to.equal(topSucceeds ? 1 : 0);
      const r = await checkRun(built);
      expect(STATUS_NAMES[r.status]).to.equal("ok"); // a halted transaction is valid (status 0 receipt)
      if (name === "out of gas") expect(r.steps, "every round of the loop ran").to.be.at.least(3 * 70);
    });
  }

  it("execution faults end the machine through the verifier: next-mismatch, undeclared-key, missing-code", async () => {
    const built = await build(ex, storageProgram());
    // a wrong next of the slot the program writes
    const bad = { ...built, tx: { ...built.tx, moves: built.tx.moves.map((mv) => (mv.mark === Mark.Storage && mv.slot === 2n ? { ...mv, next: 1234n } : mv)) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(bad)).status]).to.equal("next-mismatch");
    // B's code key left out (and its code with it, which would be a stray witness blob otherwise)
    const hB = bytesToHex(keccak256(helperCode()));
    const withoutB = (t: WrappedTx) => t.witness.filter((c) => bytesToHex(keccak256(c)) !== hB);
    const drop = { ...built, tx: { ...built.tx, moves: built.tx.moves.filter((mv) => !(mv.mark === Mark.Code && bytesToHex(mv.addr) === B)), witness: withoutB(built.tx as WrappedTx) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(drop)).status]).to.equal("undeclared-key");
    // B's code neither in the witness nor carried by an earlier transaction (a variant of B no test carried yet)
    const calls = await build(ex, callsProgram(), { helper: 1 });
    const hB1 = bytesToHex(keccak256(helperCode(1)));
    const noCode = { ...calls, tx: { ...calls.tx, witness: (calls.tx as WrappedTx).witness.filter((c) => bytesToHex(keccak256(c)) !== hB1) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(noCode, { lookup: false })).status]).to.equal("missing-code");
  });

  for (const kind of ["legacy", "2930", "move", "create"] as TxKind[]) {
    it(`a ${kind} transaction: L1's step 0 is the stepper's, and every step agrees`, async () => {
      const code = kind === "create" ? deployer(helperCode(2)) : arithProgram();
      const r = await checkRun(await build(ex, code, { kind, data: kind === "create" ? code : undefined }));
      expect(STATUS_NAMES[r.status]).to.equal("ok");
    });
  }

  it("startState refuses what cannot start the machine: a deposit, a wrong signature, unsorted moves", async () => {
    const F = await hre.ethers.getContractFactory("StepStart");
    const start = F.attach(await d.verifier.stepStart()) as unknown as Contract;
    const dep = encodeTx({ type: TxType.Deposit, index: 0n, from: hexToBytes(B), to: hexToBytes(A), value: 1n, moves: [] });
    await expect(d.verifier.startState(dep, 7n, headerToAbi(HEADER), CHAIN)).to.be.revertedWithCustomError(start, "CannotStart").withArgs(1);
    const built = await build(ex, arithProgram(), { kind: "move" });
    const mv = built.tx as MoveTx;
    const badSig = { ...mv, sig: { ...mv.sig, r: mv.sig.r ^ 1n } };
    await expect(d.verifier.startState(encodeTx(badSig), 7n, headerToAbi(HEADER), CHAIN)).to.be.reverted;
    const swapped = { ...mv, moves: [mv.moves[1], mv.moves[0], ...mv.moves.slice(2)] };
    await expect(d.verifier.startState(encodeTx(swapped), 7n, headerToAbi(HEADER), CHAIN)).to.be.revertedWithCustomError(start, "CannotStart").withArgs(3);
    const otherChain = await build(ex, arithProgram(), { kind: "move" });
    await expect(d.verifier.startState(encodeTx(otherChain.tx), 7n, headerToAbi(HEADER), CHAIN + 1n)).to.be.revertedWithCustomError(start, "CannotStart").withArgs(4);
  });

  it("refuses a non-canonical SMT item (an empty subtree shown deeper than it is), which would give another post-state", async () => {
    const built = await build(ex, arithProgram(), { kind: "2930" });
    const m = initialMachine(built.tx, built.ctx, built.lookup);
    while (m.pending_?.kind !== 2) step(m); // the first access-list step: it warms an address in the empty warm set
    const p = proveStep(m);
    expect(p.proof.slice(-2)).to.deep.equal([0n, 0n]); // the SMT item: depth 0, empty
    expect(BigInt(await d.verifier.step(hex32(p.pre), proofBytes(p.proof)))).to.equal(p.post);
    const deeper = [...p.proof.slice(0, -2), 1n, 0n, 0n]; // depth 1, empty, sibling ZERO: the same root
    await expect(d.verifier.step(hex32(p.pre), proofBytes(deeper))).to.be.reverted;
  });

  it("transaction rules in the preamble: nonce and insufficient balance", async () => {
    const built = await build(ex, arithProgram());
    const nonce = { ...built, tx: { ...built.tx, moves: built.tx.moves.map((mv) => (mv.mark === Mark.Nonce && bytesToHex(mv.addr) === wallet.address.toLowerCase() ? { ...mv, prev: 5n, next: 6n } : mv)) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(nonce)).status]).to.equal("nonce");
    const poor = { ...built, tx: { ...built.tx, moves: built.tx.moves.map((mv) => (mv.mark === Mark.Balance && bytesToHex(mv.addr) === wallet.address.toLowerCase() ? { ...mv, prev: 1000n } : mv)) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(poor)).status]).to.equal("insufficient-balance");
  });

  it("fee sweeps: L1's step 0 carries their credit; a credit of 2^256 or more, or one that overflows the balance, ends in sweep-overflow", async () => {
    const built = await build(ex, arithProgram());
    const me = hexToBytes(wallet.address.toLowerCase() as `0x${string}`);
    // two fee outputs of earlier seqs swept by the sender (as the coordinator's fee recipient would)
    const sweep = (seq: bigint, prev: bigint) => ({ mask: 0, addr: me, mark: Mark.Fee, slot: seq, intx: seq, prev, next: 0n, ref: false });
    const withSweeps = (a: bigint, b: bigint) => ({ ...built, tx: { ...built.tx, moves: sortMoves([...built.tx.moves, sweep(3n, a), sweep(4n, b)]) } as WrappedTx });
    const credited = await checkRun(withSweeps(5n, 6n));
    expect(STATUS_NAMES[credited.status], "the swept fees only add to the balance: the declared next no longer matches").to.equal("next-mismatch");
    expect(STATUS_NAMES[(await checkRun(withSweeps(1n << 255n, 1n << 255n))).status]).to.equal("sweep-overflow");
    const rich = withSweeps(1n, 2n);
    rich.tx = { ...rich.tx, moves: rich.tx.moves.map((mv) => (mv.mark === Mark.Balance && bytesToHex(mv.addr) === wallet.address.toLowerCase() ? { ...mv, prev: (1n << 256n) - 2n } : mv)) } as WrappedTx;
    expect(STATUS_NAMES[(await checkRun(rich)).status]).to.equal("sweep-overflow");
  });

  it("refuses every proof with one word changed (one step of each kind)", async () => {
    const built = await build(ex, callsProgram());
    const m = initialMachine(built.tx, built.ctx, built.lookup);
    const seen = new Set<string>();
    let mutated = 0;
    while (m.status_ === Status.Running) {
      const k = stepKind(m);
      const key = k.op !== undefined ? `op:${k.op}` : `${k.micro}`;
      if (!seen.has(key)) {
        seen.add(key);
        const p = proveStep(m);
        for (let i = 0; i < p.proof.length; i++) {
          const words = p.proof.slice();
          words[i] ^= 1n << BigInt((i * 37) % 256);
          let post: bigint | undefined;
          try {
            post = BigInt(await d.verifier.step(hex32(p.pre), proofBytes(words)));
          } catch {
            post = undefined;
          }
          expect(post, `${key}: word ${i} of ${p.proof.length} changed`).to.equal(undefined);
          mutated++;
        }
        // and one word more, or one less
        await expect(d.verifier.step(hex32(p.pre), proofBytes([...p.proof, 0n]))).to.be.reverted;
        await expect(d.verifier.step(hex32(p.pre), proofBytes(p.proof.slice(0, -1)))).to.be.reverted;
      }
      step(m);
    }
    expect(seen.size).to.be.greaterThan(20);
    expect(mutated).to.be.greaterThan(500);
  });

  it("the steps checked above covered every opcode, every micro-step kind and every precompile", () => {
    expect(missingCoverage(covered)).to.equal("");
  });

  it("every contract of the verifier is under the 22 KB budget", async () => {
    for (const name of VERIFIER_CONTRACTS) {
      const code = (hre.artifacts.readArtifactSync(name) as { deployedBytecode: string }).deployedBytecode;
      expect((code.length - 2) / 2, name).to.be.below(22 * 1024);
    }
  });
});
