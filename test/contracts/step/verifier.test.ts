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
import { Wallet, Transaction, concat, toBeHex, zeroPadValue, sha256 as ethersSha256, getBytes, type Contract } from "ethers";
import { Executor } from "../../../core/evm/execute";
import { loadCrypto } from "../../../core/evm/chain";
import { fillMoves } from "../../../core/fill";
import { MemoryState } from "../../../core/memory-state";
import { Mark } from "../../../core/keys";
import { TxType, encodeTx, decodeTx, type WrappedTx, type MoveTx } from "../../../core/tx";
import { batchTxContext, type TxContext } from "../../../core/context";
import { headerToAbi, type BatchHeader } from "../../../core/batch";
import { signMoveTx } from "../../../core/sign";
import { bytesToHex, hexToBytes, keccak256 } from "../../../core/bytes";
import { initialMachine } from "../../../core/step/init";
import { step } from "../../../core/step/interp";
import { Status, STATUS_NAMES } from "../../../core/step/types";
import type { Machine } from "../../../core/step/machine";
import { proveStep, proofBytes } from "../../../prover/step-proof";
import { deployStepVerifier, stepKind, VERIFIER_CONTRACTS, type StepVerifierDeployment } from "../../../prover/osp-check";
import { Asm, deployer } from "../../helpers/evm-asm";
import { OPTABLE_SOL, generateOpTable } from "../../../scripts/gen-step-optable-sol";

const hex32 = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");
const w32 = (v: bigint | number) => zeroPadValue(toBeHex(v), 32);
const CHAIN = 901n;
const wallet = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";
const EMPTY = "0x00000000000000000000000000000000000000ee";
const MAX = (1n << 256n) - 1n;

/** The helper contract B: by the first calldata byte, 0 returns (CALLVALUE, CALLER), 1 reverts with data, 2 writes storage. */
function helperCode(variant = 0): Uint8Array {
  const a = new Asm();
  for (let i = 0; i < variant; i++) a.op("JUMPDEST");
  return a
    .push(0).op("CALLDATALOAD").push(0xf8).op("SHR")
    .op("DUP1", "ISZERO").ref("ret").op("JUMPI")
    .op("DUP1").push(1).op("EQ").ref("rev").op("JUMPI")
    .op("DUP1").push(2).op("EQ").ref("store").op("JUMPI")
    .op("STOP")
    .label("ret").op("CALLVALUE").push(0).op("MSTORE").op("CALLER").push(32).op("MSTORE").push(64).push(0).op("RETURN")
    .label("rev").push(0xdead).push(0).op("MSTORE").push(32).push(0).op("REVERT")
    .label("store").push(1).push(1).op("SSTORE").op("STOP")
    .bytes();
}

// ------------------------------------------------------------------------------------------------ programs

function arithProgram(): Uint8Array {
  const a = new Asm();
  const bin: [string, bigint, bigint][] = [
    ["ADD", 1n, 2n], ["ADD", MAX, 2n], ["MUL", 3n, MAX], ["SUB", 1n, 2n], ["DIV", 7n, 0n], ["DIV", 100n, 7n], ["SDIV", MAX - 7n, 3n],
    ["MOD", 7n, 0n], ["MOD", 100n, 7n], ["SMOD", MAX - 6n, 3n], ["EXP", 3n, 200n], ["EXP", 2n, 0n], ["EXP", 0n, MAX], ["SIGNEXTEND", 0n, 0xffn],
    ["SIGNEXTEND", 31n, 1n], ["SIGNEXTEND", 40n, 0x80n], ["LT", 1n, 2n], ["GT", 1n, 2n], ["SLT", MAX, 1n], ["SGT", MAX, 1n], ["EQ", 5n, 5n],
    ["AND", 0xf0n, 0x3cn], ["OR", 0xf0n, 0x0fn], ["XOR", 0xffn, 0x0fn], ["BYTE", 31n, 0x1234n], ["BYTE", 32n, 0x1234n], ["SHL", 4n, 1n],
    ["SHL", 256n, 1n], ["SHR", 4n, 0x100n], ["SAR", 4n, MAX - 15n], ["SAR", 300n, MAX],
  ];
  for (const [op, x, y] of bin) a.push(y).push(x).op(op, "POP");
  a.push(5).push(MAX).push(MAX).op("ADDMOD", "POP");
  a.push(7).push(MAX).push(MAX).op("MULMOD", "POP");
  a.push(0).push(2).push(3).op("ADDMOD", "POP");
  a.push(0).op("ISZERO", "POP").push(0).op("NOT", "POP");
  for (const e of ["ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE", "GASPRICE", "RETURNDATASIZE", "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID", "SELFBALANCE", "BASEFEE", "BLOBBASEFEE", "PC", "MSIZE", "GAS"]) a.op(e, "POP");
  a.push(0).op("BLOBHASH", "POP").push(1).op("BLOCKHASH", "POP");
  for (let i = 1; i <= 17; i++) a.push(i);
  for (let i = 1; i <= 16; i++) a.op(`DUP${i}`, "POP");
  for (let i = 1; i <= 16; i++) a.op(`SWAP${i}`);
  for (let i = 1; i <= 17; i++) a.op("POP");
  a.ref("over").op("JUMP").op("INVALID").label("over");
  a.push(0).ref("nope").op("JUMPI").push(1).ref("yes").op("JUMPI").label("nope").op("INVALID").label("yes");
  return a.op("STOP").bytes();
}

function memoryProgram(): Uint8Array {
  const a = new Asm();
  a.push(0x1122334455667788n << 192n).push(0).op("MSTORE").push(0).op("MLOAD", "POP");
  a.push(0xab).push(33).op("MSTORE8").push(32).op("MLOAD", "POP").op("MSIZE", "POP");
  a.push(50).push(0).push(64).op("MCOPY"); // forward
  a.push(70).push(0).push(40).op("MCOPY"); // backward (dst > src)
  a.push(0).push(0).op("MCOPY");
  a.push(0).push(0).op("KECCAK256", "POP");
  a.push(64).push(0).op("KECCAK256", "POP");
  a.push(300).push(3).op("KECCAK256", "POP"); // three blocks, unaligned
  a.push(0).op("CALLDATALOAD", "POP").push(30).op("CALLDATALOAD", "POP").push(1000).op("CALLDATALOAD", "POP");
  a.push(80).push(5).push(200).op("CALLDATACOPY");
  a.push(70).push(0).push(300).op("CODECOPY");
  a.push(40).push(5000).push(400).op("CODECOPY"); // past the code's end: zeros
  a.push(10).push(0).op("LOG0");
  a.push(1).push(20).push(3).op("LOG1");
  a.push(2).push(1).push(0).push(0).op("LOG2");
  a.push(3).push(2).push(1).push(5).push(7).op("LOG3");
  a.push(4).push(3).push(2).push(1).push(64).push(1).op("LOG4");
  return a.push(100).push(0).op("RETURN").bytes();
}

function storageProgram(): Uint8Array {
  const a = new Asm();
  a.push(5).push(1).op("SSTORE"); // 0 → 5
  a.push(6).push(1).op("SSTORE"); // dirty
  a.push(0).push(1).op("SSTORE"); // back to the original 0
  a.push(0).push(2).op("SSTORE"); // 99 → 0: refund
  a.push(7).push(2).op("SSTORE"); // 0 → 7, original 99: refund taken back
  a.push(99).push(2).op("SSTORE"); // back to the original 99
  a.push(5).push(3).op("SSTORE"); // unchanged
  a.push(1).op("SLOAD", "POP").push(9).op("SLOAD", "POP").push(9).op("SLOAD", "POP");
  a.push(42).push(1).op("TSTORE").push(1).op("TLOAD", "POP").push(2).op("TLOAD", "POP");
  a.push(A).op("BALANCE", "POP").push(B).op("BALANCE", "POP").push(EMPTY).op("BALANCE", "POP").push(B).op("BALANCE", "POP");
  a.push(B).op("EXTCODESIZE", "POP").push(B).op("EXTCODEHASH", "POP").push(EMPTY).op("EXTCODEHASH", "POP");
  a.push(40).push(0).push(0).push(B).op("EXTCODECOPY");
  a.op("SELFBALANCE", "POP");
  return a.op("STOP").bytes();
}

/** CALL-family call of B with selector `sel`: pushes success. */
function callB(a: Asm, op: string, sel: number, value = 0): Asm {
  a.push(BigInt(sel) << 248n).push(0).op("MSTORE");
  a.push(64).push(64).push(32).push(0); // outLen outOff inLen inOff
  if (op === "CALL" || op === "CALLCODE") a.push(value);
  return a.push(B).op("GAS").op(op);
}

function callsProgram(): Uint8Array {
  const a = new Asm();
  callB(a, "CALL", 0, 1000).op("POP", "RETURNDATASIZE", "POP");
  a.push(64).push(0).push(128).op("RETURNDATACOPY");
  callB(a, "CALL", 1).op("POP");
  a.push(32).push(0).push(200).op("RETURNDATACOPY");
  callB(a, "STATICCALL", 2).op("POP");
  callB(a, "DELEGATECALL", 0).op("POP");
  callB(a, "CALLCODE", 0, 5).op("POP");
  // value to an empty account (new-account surcharge), and a call with too little gas for the callee
  a.push(0).push(0).push(0).push(0).push(1).push(EMPTY).push(50_000).op("CALL", "POP");
  a.push(0).push(0).push(0).push(0).push(0).push(B).push(10).op("CALL", "POP");
  // CREATE of B's code, CREATE2 of it, a reverting initcode, code starting with 0xef
  const init = deployer(helperCode());
  a.mem(512, init).push(init.length).push(512).push(0).op("CREATE", "POP");
  a.push(0x5a17).push(init.length).push(512).push(0).op("CREATE2", "POP");
  const rev = new Asm().push(0).push(0).op("REVERT").bytes();
  a.mem(512, rev).push(rev.length).push(512).push(0).op("CREATE", "POP");
  const ef = deployer(Uint8Array.of(0xef, 0x00));
  a.mem(512, ef).push(ef.length).push(512).push(0).op("CREATE", "POP");
  // initcode that self-destructs during the creation (EIP-6780: the account is deleted)
  const sd = new Asm().push(A).op("SELFDESTRUCT").bytes();
  a.mem(512, sd).push(sd.length).push(512).push(77).op("CREATE", "POP");
  return a.op("STOP").bytes();
}

function precompileProgram(): Uint8Array {
  const a = new Asm();
  const call = (id: number, input: Uint8Array, outLen = 64) => {
    a.mem(1024, input);
    a.push(outLen).push(4096).push(input.length).push(1024).push(0).push(id).op("GAS", "CALL", "POP");
  };
  const digest = keccak256(new TextEncoder().encode("moveset"));
  const sig = wallet.signingKey.sign(digest);
  call(1, getBytes(concat([digest, w32(sig.v), sig.r, sig.s])));
  call(2, Uint8Array.from({ length: 100 }, (_, i) => i));
  call(3, Uint8Array.from({ length: 70 }, (_, i) => 255 - i));
  call(4, Uint8Array.from({ length: 40 }, (_, i) => i + 1));
  call(5, getBytes(concat([w32(1), w32(1), w32(1), "0x03", "0x05", "0x07"])));
  call(6, getBytes(concat([1n, 2n, 1n, 2n].map(w32))));
  call(7, getBytes(concat([1n, 2n, 3n].map(w32))));
  call(8, new Uint8Array(0), 32);
  const blake = hexToBytes(
    ("0x0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b" +
      "6162630000000000000000000000000000000000000000000000000000000000" + "00".repeat(96) + "03000000000000000000000000000000" + "01") as `0x${string}`,
  );
  call(9, blake);
  const commitment = "0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
  const vh = "0x01" + ethersSha256(commitment).slice(4);
  call(10, getBytes(concat([vh, w32(123456789), w32(1), commitment, "0xc0" + "00".repeat(47)])));
  call(6, getBytes(concat([1n, 3n, 1n, 2n].map(w32)))); // a point off the curve: the call fails
  return a.op("STOP").bytes();
}

const halts: Record<string, Uint8Array> = {
  "stack underflow": new Asm().op("ADD").bytes(),
  "undefined opcode": Uint8Array.of(0xfe),
  "invalid jump": new Asm().push(3).op("JUMP").bytes(),
  "return-data bounds": new Asm().push(1).push(0).push(0).op("RETURNDATACOPY").bytes(),
  "stack overflow": new Uint8Array(1025).fill(0x5f),
  "out of gas": new Asm().label("l").ref("l").op("JUMP").bytes(),
  "static violation": (() => {
    const a = new Asm();
    callB(a, "STATICCALL", 2);
    return a.push(0).op("SSTORE").bytes();
  })(),
};

// ------------------------------------------------------------------------------------------------ harness

interface Built {
  tx: MoveTx | WrappedTx;
  ctx: TxContext;
  header: BatchHeader;
  lookup: (h: string) => Uint8Array | undefined;
}

/** The batch the transactions run in: transaction 2 of it has seq 7. */
const HEADER: BatchHeader = {
  index: 2n,
  parent: keccak256(Uint8Array.of(9)),
  firstSeq: 5n,
  txCount: 3n,
  txRoot: keccak256(Uint8Array.of(1)),
  number: 3n,
  timestamp: 1_700_000_000n,
  feeRecipient: hexToBytes("0x00000000000000000000000000000000000fee01"),
  baseFee: 7n,
  depositStart: 0n,
  depositEnd: 0n,
  dataHash: keccak256(Uint8Array.of(2)),
};

type TxKind = "1559" | "legacy" | "2930" | "move" | "create";

async function build(ex: Executor, code: Uint8Array, o: { data?: Uint8Array; gasLimit?: bigint; value?: bigint; nonce?: number; helper?: number; kind?: TxKind } = {}): Promise<Built> {
  const st = new MemoryState();
  const sender = hexToBytes(wallet.address.toLowerCase() as `0x${string}`);
  st.setGenesis({ mark: Mark.Balance, addr: sender, slot: 0n }, 10n ** 21n);
  const a = hexToBytes(A as `0x${string}`);
  const b = hexToBytes(B as `0x${string}`);
  st.setGenesis({ mark: Mark.Code, addr: a, slot: 0n }, BigInt(st.addCode(code)));
  st.setGenesis({ mark: Mark.Balance, addr: a, slot: 0n }, 10n ** 18n);
  st.setGenesis({ mark: Mark.Storage, addr: a, slot: 2n }, 99n);
  st.setGenesis({ mark: Mark.Storage, addr: a, slot: 3n }, 5n);
  st.setGenesis({ mark: Mark.Code, addr: b, slot: 0n }, BigInt(st.addCode(helperCode(o.helper))));
  st.setGenesis({ mark: Mark.Balance, addr: b, slot: 0n }, 500n);
  const ctx = batchTxContext(HEADER, CHAIN, 2);
  const kind = o.kind ?? "1559";
  const data = o.data ?? Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0);
  const gasLimit = o.gasLimit ?? 3_000_000n;
  const value = o.value ?? 12_345n;
  const to = kind === "create" ? null : A;
  let unsigned: WrappedTx | MoveTx;
  if (kind === "move") {
    unsigned = signMoveTx(
      { type: TxType.Move, chainId: CHAIN, nonce: BigInt(o.nonce ?? 0), maxPriorityFeePerGas: 3n, maxFeePerGas: 100n, gasLimit, to: hexToBytes(A), value, data, moves: [], witness: [], sig: { yParity: 0, r: 0n, s: 0n } },
      hexToBytes(wallet.privateKey as `0x${string}`),
    );
  } else {
    const fields =
      kind === "legacy"
        ? { type: 0, gasPrice: 100n }
        : kind === "2930"
          ? { type: 1, gasPrice: 100n, accessList: [{ address: B, storageKeys: [w32(1), w32(2)] }, { address: EMPTY, storageKeys: [] }] }
          : { type: 2, maxFeePerGas: 100n, maxPriorityFeePerGas: 3n };
    const raw = await wallet.signTransaction(Transaction.from({ ...fields, chainId: CHAIN, nonce: o.nonce ?? 0, to, value, data: bytesToHex(data), gasLimit }));
    unsigned = { type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] };
  }
  const filled = (await fillMoves(unsigned, st, ctx, ex)).tx;
  return { tx: decodeTx(encodeTx(filled)) as WrappedTx | MoveTx, ctx, header: HEADER, lookup: (h) => st.code(h) };
}

describe("contracts/step: the one-step verifier against the stepper", function () {
  this.timeout(0);
  let ex: Executor;
  let d: StepVerifierDeployment;
  const gas: number[] = [];

  before(async () => {
    await loadCrypto();
    ex = await Executor.create(CHAIN);
    const [signer] = await hre.ethers.getSigners();
    const bridge = await (await hre.ethers.getContractFactory("Bridge")).deploy();
    const inbox = await (await hre.ethers.getContractFactory("Inbox")).deploy(await bridge.getAddress(), CHAIN, 10n ** 18n, 100n, 100n, 5000n, 256n);
    d = await deployStepVerifier(signer, (n) => hre.artifacts.readArtifactSync(n) as never, await inbox.getAddress(), "TestCodeRegistry");
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
      let post: bigint;
      try {
        post = BigInt(await d.verifier.step(hex32(p.pre), proofBytes(p.words)));
      } catch (e) {
        throw new Error(`step ${n} (${JSON.stringify(k)}), the machine ends ${STATUS_NAMES[m.clone().status_]}: ${(e as Error).message}`);
      }
      expect(hex32(post), `step ${n} (${JSON.stringify(k)})`).to.equal(hex32(p.post));
      if (o.measure) gas.push(Number(await d.verifier.step.estimateGas(hex32(p.pre), proofBytes(p.words))));
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
      const r = await checkRun(await build(ex, prog()), { measure: true });
      expect(STATUS_NAMES[r.status]).to.equal("ok");
      expect(r.steps).to.be.greaterThan(20);
    });
  }

  for (const [name, code] of Object.entries(halts)) {
    it(`exceptional halt: ${name}`, async () => {
      const r = await checkRun(await build(ex, code, { gasLimit: name === "out of gas" ? 60_000n : 3_000_000n }));
      expect(STATUS_NAMES[r.status]).to.equal("ok"); // a halted transaction is valid (status 0 receipt)
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

  it("transaction rules in the preamble: nonce and insufficient balance", async () => {
    const built = await build(ex, arithProgram());
    const nonce = { ...built, tx: { ...built.tx, moves: built.tx.moves.map((mv) => (mv.mark === Mark.Nonce && bytesToHex(mv.addr) === wallet.address.toLowerCase() ? { ...mv, prev: 5n, next: 6n } : mv)) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(nonce)).status]).to.equal("nonce");
    const poor = { ...built, tx: { ...built.tx, moves: built.tx.moves.map((mv) => (mv.mark === Mark.Balance && bytesToHex(mv.addr) === wallet.address.toLowerCase() ? { ...mv, prev: 1000n } : mv)) } as WrappedTx };
    expect(STATUS_NAMES[(await checkRun(poor)).status]).to.equal("insufficient-balance");
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
        for (let i = 0; i < p.words.length; i++) {
          const words = p.words.slice();
          words[i] ^= 1n << BigInt((i * 37) % 256);
          let post: bigint | undefined;
          try {
            post = BigInt(await d.verifier.step(hex32(p.pre), proofBytes(words)));
          } catch {
            post = undefined;
          }
          expect(post, `${key}: word ${i} of ${p.words.length} changed`).to.equal(undefined);
          mutated++;
        }
        // and one word more, or one less
        await expect(d.verifier.step(hex32(p.pre), proofBytes([...p.words, 0n]))).to.be.reverted;
        await expect(d.verifier.step(hex32(p.pre), proofBytes(p.words.slice(0, -1)))).to.be.reverted;
      }
      step(m);
    }
    expect(seen.size).to.be.greaterThan(20);
    expect(mutated).to.be.greaterThan(500);
  });

  it("every contract of the verifier is under the 22 KB budget", async () => {
    for (const name of VERIFIER_CONTRACTS) {
      const code = (hre.artifacts.readArtifactSync(name) as { deployedBytecode: string }).deployedBytecode;
      expect((code.length - 2) / 2, name).to.be.below(22 * 1024);
    }
  });
});
