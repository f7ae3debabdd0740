import { loadVectors } from "./conformance/load";
import { Executor } from "./core/evm/execute";
import { fillMoves } from "./core/fill";
import { TxType, WrappedTx, encodeTx, decodeTx, MoveTx } from "./core/tx";
import { preStateView } from "./conformance/world";
import { initialMachine } from "./core/step/init";
import { step } from "./core/step/interp";
import { proveStep } from "./prover/step-proof";
import { Status } from "./core/step/types";
(async () => {
  const file = process.argv[2];
  const vs = loadVectors(file, "x");
  const v = vs[0];
  const ex = await Executor.create(v.env.chainId);
  const ctx = { seq: 2n, env: v.env, feeMode: "ethereum" as const, blockHash: "state-test" as const, allowUnprotected: true, allowBlobTx: true };
  const wrapped: WrappedTx = { type: TxType.Wrapped, raw: v.txbytes, moves: [], witness: [] };
  const filled = (await fillMoves(wrapped, preStateView(v.pre), ctx, ex)).tx;
  const tx = decodeTx(encodeTx(filled)) as MoveTx;
  const m = initialMachine(tx, ctx);
  let n = 0;
  while (m.status_ === Status.Running && n < 4000) {
    const p = proveStep(m);
    const f = m.frame_;
    const desc = m.pending_ ? `pending ${m.pending_.kind}` : f ? `frame stage ${f.stage} pc ${f.pc} op ${f.stage===1 && f.pc < f.codeSize ? m.codes.get(f.codeHash)!.bytes[f.pc].toString(16) : '-'}` : "?";
    if (process.env.V) console.log(n, desc, "words", p.words.length);
    step(m);
    if (m.hash() !== p.post) console.log("MISMATCH post", n, desc);
    n++;
  }
  console.log("status", m.status_, "after", n);
})();
