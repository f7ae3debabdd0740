/**
 * `moveset trace --batch N --tx I [--step K] [--json]`: runs transaction I of batch N through the
 * step machine (docs/step-machine.md) with the data a running node serves, and prints its step
 * count and terminal status; with --step K the state at step K of the padded trace, its hash and the
 * size of the proof of step K (the step from K to K + 1).
 */
import type { Command } from "commander";
import { nonNegativeInt, rpcCall } from "./common";
import { resolveContext, probe } from "./context";
import { CliError, guard } from "./errors";

interface TxData {
  batch: string;
  txIndex: number;
  seq: string;
  chainId: string;
  header: Record<string, unknown>;
  encoded: string;
  codes: { hash: string; seq: string; code: string }[];
}

export function registerTrace(program: Command): void {
  program
    .command("trace")
    .description("run a transaction of a batch through the step machine: its steps and terminal status; with --step K the state at step K, its hash and the size of that step's proof")
    .requiredOption("--batch <n>", "batch index", nonNegativeInt)
    .requiredOption("--tx <i>", "transaction index in the batch", nonNegativeInt)
    .option("--step <k>", "show the state at step K (0 ≤ K < 2^26)", nonNegativeInt)
    .option("--rpc <url>", "L2 JSON-RPC of a running node (default: $MOVESET_L2_URL, the running devnet's, or http://127.0.0.1:8547)")
    .option("--json", "print one JSON object")
    .action(async (o: { batch: number; tx: number; step?: number; rpc?: string; json?: boolean }) => {
      await guard(async () => {
        const url = resolveContext("moveset trace", o, []).l2Url!;
        await probe(url, "the L2 node");
        let d: TxData | null;
        try {
          d = (await rpcCall(url, "moveset_getTransactionData", ["0x" + o.batch.toString(16), "0x" + o.tx.toString(16)])) as TxData | null;
        } catch (e) {
          throw new CliError(`cannot read transaction ${o.tx} of batch ${o.batch} from ${url}: ${(e as Error).message}`);
        }
        if (!d) throw new CliError(`batch ${o.batch} has no transaction ${o.tx}`);
        const out = await traceTx(d, o.step);
        if (o.json) process.stdout.write(JSON.stringify(out) + "\n");
        else {
          process.stdout.write(`batch ${o.batch} tx ${o.tx} (seq ${d.seq}): ${out.steps} steps, terminal status ${out.status}${out.note ? ` (${out.note})` : ""}\n`);
          if (out.state) {
            const s = out.state;
            process.stdout.write(`step ${s.step}: state ${s.hash} (status ${s.status}); proof of step ${s.step} → ${s.step + 1}: ${s.proofWords} words (${s.proofBytes} bytes)\n`);
            for (const [k, v] of Object.entries(s.fields)) process.stdout.write(`  ${k.padEnd(10)} ${v}\n`);
            if (s.at) process.stdout.write(`  at         ${s.at}\n`);
          }
        }
      });
    });
}

export interface TraceOutput {
  steps: number;
  status: string;
  note?: string;
  state?: { step: number; hash: string; status: string; fields: Record<string, string>; at?: string; proofWords: number; proofBytes: number };
}

/** The machine's run of a served transaction (exported for tests). */
export async function traceTx(d: TxData, stepK?: number): Promise<TraceOutput> {
  const { decodeTx, TxType } = await import("../core/tx");
  const { batchTxContext } = await import("../core/context");
  const { headerFromJson } = await import("../node/l1/contracts");
  const { hexToBytes } = await import("../core/bytes");
  const { runTx, machineAt, TRACE_LENGTH } = await import("../core/step/trace");
  const { proveStep } = await import("../core/step/proof");
  const { STATUS_NAMES } = await import("../core/step/types");
  const { InvalidTxError } = await import("../core/errors");
  const tx = decodeTx(hexToBytes(d.encoded as `0x${string}`));
  if (tx.type === TxType.Deposit) return { steps: 0, status: "none", note: "a deposit runs no EVM: it has no step machine" };
  const ctx = batchTxContext(headerFromJson(d.header), BigInt(d.chainId), d.txIndex);
  const codes = new Map(d.codes.map((c) => [c.hash, hexToBytes(c.code as `0x${string}`)]));
  let t;
  try {
    t = await runTx(tx, ctx, (h) => codes.get(h), { every: 1 << 14 });
  } catch (e) {
    if (e instanceof InvalidTxError) return { steps: 0, status: "none", note: `no step 0: ${e.kind}/${e.code} is settled by a one-step proof` };
    throw e;
  }
  const out: TraceOutput = { steps: t.steps, status: STATUS_NAMES[t.status] };
  if (stepK !== undefined) {
    if (stepK >= TRACE_LENGTH) throw new CliError(`--step ${stepK} is past the padded trace (2^26 steps)`);
    const m = machineAt(t, stepK);
    const p = proveStep(m);
    const [txc, world, frame, parents, pending, created] = m.status_ === 0 ? m.stateFields() : [m.txcHash(), 0n, 0n, 0n, 0n, 0n];
    const hx = (x: bigint) => "0x" + x.toString(16).padStart(64, "0");
    const f = m.frame_;
    out.state = {
      step: stepK,
      hash: hx(m.hash()),
      status: STATUS_NAMES[m.status_],
      fields: { txc: hx(txc), world: hx(world), frame: hx(frame), parents: hx(parents), pending: hx(pending), created: hx(created) },
      at: m.pending_ ? `pending operation ${m.pending_.kind}` : f ? `frame depth ${m.depth()} stage ${f.stage} pc ${f.pc} gas ${f.gas}` : undefined,
      proofWords: p.proof.length,
      proofBytes: p.proof.length * 32,
    };
  }
  return out;
}
