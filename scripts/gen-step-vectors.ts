/**
 * Generates test/vectors/step/steps.json: proofs of single steps of the step machine
 * (docs/step-machine.md), one or two per step kind (every opcode, halt, micro-step, precompile,
 * prologue and epilogue step, and every terminal status), each with its pre-state hash, its proof
 * (the words the step reads) and its post-state hash, and the code registry entries it uses. The
 * TypeScript verifier (test/core/step/vectors.test.ts) and the Solidity one-step verifier run them.
 *
 * Sources: transactions of Ethereum's Cancun state tests (Ethereum fee mode; the suite must be
 * unpacked: npm run conformance:unpack) and synthetic rollup transactions in fee-output mode
 * (bench/synthetic.ts), including mutants that end in each fault.
 *
 *   npx ts-node --transpile-only scripts/gen-step-vectors.ts [suite folder]
 */
import * as fs from "fs";
import * as path from "path";
import { Executor } from "../core/evm/execute";
import { loadCrypto } from "../core/evm/chain";
import { loadVectors, listFiles } from "../conformance/load";
import { fillMoves } from "../core/fill";
import { preStateView } from "../conformance/world";
import { TxType, decodeTx, encodeTx, type WrappedTx } from "../core/tx";
import type { TxContext } from "../core/context";
import { initialMachine } from "../core/step/init";
import { step } from "../core/step/interp";
import { proveStep, verifyStep, envOf } from "../core/step/proof";
import { classifyStep } from "../core/step/classify";
import type { Machine } from "../core/step/machine";
import { InvalidTxError } from "../core/errors";
import { syntheticCases } from "./step-cases";
import { STEP_VECTORS_FILE as OUT, type StepVector } from "../test/vectors/step/vectors";

const PER_KIND = 2;
const MAX_STEPS = 60_000;

const hex = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");

class Collector {
  readonly vectors: StepVector[] = [];
  readonly codes: Record<string, string> = {};
  private readonly perKind = new Map<string, number>();

  /**
   * Runs a machine to its end, proving the first steps of every kind. Each step runs on the machine
   * and is classified against a (copy-on-write) copy of its pre-state; a step of a kind still short
   * of vectors is then proved from that copy, so a rare kind (a failing JUMP, a stack overflow, a
   * deleting pass) is never missed behind common steps of the same opcode.
   */
  run(m: Machine, source: string): void {
    let n = 0;
    while (m.status_ === 0 && n < MAX_STEPS) {
      const before = m.clone();
      step(m);
      const kind = classifyStep(before, m);
      const have = this.perKind.get(kind) ?? 0;
      if (have < PER_KIND) {
        const pr = proveStep(before);
        const post = verifyStep(pr.pre, pr.proof, envOf(pr));
        if (post !== pr.post || post !== m.hash()) throw new Error(`${source} step ${n} (${kind}): the proof does not reproduce the post-state`);
        this.perKind.set(kind, have + 1);
        for (const [h, b] of pr.codes) this.codes[hex(h)] = "0x" + Buffer.from(b).toString("hex");
        this.vectors.push({
          name: `${kind}#${have}`,
          kind,
          source,
          step: n,
          pre: hex(pr.pre),
          post: hex(pr.post),
          proof: "0x" + pr.proof.map((w) => w.toString(16).padStart(64, "0")).join(""),
          codes: [...pr.codes.keys()].map(hex),
          carried: Object.fromEntries([...pr.carried].map(([h, v]) => [hex(h), v])),
        });
      }
      n++;
    }
    // the terminal state steps to itself: one vector of that padding step per status
    if (m.status_ !== 0) {
      const kind = `terminal-${m.status_}`;
      if (!this.perKind.has(kind)) {
        const pr = proveStep(m);
        this.perKind.set(kind, 1);
        this.vectors.push({ name: `${kind}#0`, kind, source, step: n, pre: hex(pr.pre), post: hex(pr.post), proof: "0x" + pr.proof.map((w) => w.toString(16).padStart(64, "0")).join(""), codes: [], carried: {} });
      }
    }
  }
}

const CONFORMANCE = [
  "VMTests",
  "stMemoryTest",
  "stCallCreateCallCodeTest",
  "stCreateTest",
  "stCreate2",
  "stPreCompiledContracts",
  "stPreCompiledContracts2",
  "stStaticCall",
  "Cancun",
  "stSelfBalance",
  "stSystemOperationsTest",
  "stReturnDataTest",
  "stExtCodeHash",
  "stCodeCopyTest",
  "stStackTests",
  "stRefundTest",
  "stRevertTest",
  "stSStoreTest",
  "stEIP150Specific",
  "stInitCodeTest",
  "stCodeSizeLimit",
  "stEIP2930",
  "stZeroKnowledge",
  "stLogTests",
  "stShift",
  "stChainId",
  "stEIP3607",
  "stCallDelegateCodesHomestead",
  "stDelegatecallTestHomestead",
  "Shanghai",
  "stArgsZeroOneBalance",
  "stTransactionTest",
  "stSolidityTest",
  "stBadOpcode",
];

async function main(): Promise<void> {
  await loadCrypto();
  const suite = process.argv[2] ?? path.join(__dirname, "..", ".moveset", "state-tests", "cancun-state-tests");
  const c = new Collector();
  const ex = await Executor.create(901n);
  for (const s of await syntheticCases(ex)) {
    let m: Machine;
    try {
      m = initialMachine(s.tx, s.ctx);
    } catch {
      continue;
    }
    c.run(m, `synthetic/${s.name}`);
  }
  const ex1 = await Executor.create(1n);
  for (const folder of process.env.FOLDERS ? process.env.FOLDERS.split(",") : CONFORMANCE) {
    const dir = path.join(suite, folder);
    if (!fs.existsSync(dir)) continue;
    // long loops (minutes in ethereumjs) add nothing the other files do not cover
    const files = listFiles([dir]).filter(({ file }) => !/vmPerformance|Performance|Quadratic|TimeConsuming|static_Call50000|LoopCalls|Call1024|CallRecursive|Callcode1024/.test(file));
    process.stderr.write(`${folder}: ${files.length} files, ${c.vectors.length} vectors so far\n`);
    for (const { file } of files) {
      const t0 = Date.now();
      for (const v of loadVectors(file, folder)) {
        if (v.expectException) continue;
        const ctx: TxContext = { seq: 2n, env: v.env, feeMode: "ethereum", blockHash: "state-test", allowUnprotected: true, allowBlobTx: true };
        let tx: WrappedTx;
        try {
          tx = decodeTx(encodeTx((await fillMoves({ type: TxType.Wrapped, raw: v.txbytes, moves: [], witness: [] }, preStateView(v.pre), ctx, ex1)).tx)) as WrappedTx;
        } catch (e) {
          if (e instanceof InvalidTxError) continue;
          throw e;
        }
        let m: Machine;
        try {
          m = initialMachine(tx, ctx);
        } catch {
          continue;
        }
        try {
          c.run(m, v.id);
        } catch (e) {
          if ((e as Error).message.includes("memory of")) continue; // beyond the machine's memory: conformance only
          throw e;
        }
      }
      if (process.env.VERBOSE) process.stderr.write(`  ${path.basename(file)} ${Date.now() - t0} ms, ${c.vectors.length} vectors\n`);
    }
  }
  c.vectors.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : 1));
  const doc = {
    about:
      "Proofs of single steps of the step machine (docs/step-machine.md). For each vector: verifying `proof` from `pre` gives `post`; changing any one 32-byte word of `proof` makes the verifier refuse it. `codes` are the registry entries the step reads (bytes in the top-level `codes`); `carried` says which code hashes the registry holds a live carrier for. Generated by scripts/gen-step-vectors.ts.",
    kinds: [...new Set(c.vectors.map((v) => v.kind))].length,
    codes: c.codes,
    vectors: c.vectors,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(doc, null, 1) + "\n");
  process.stderr.write(`${c.vectors.length} vectors of ${doc.kinds} kinds written to ${OUT}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
