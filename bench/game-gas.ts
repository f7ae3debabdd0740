/**
 * L1 gas of an execution fault's dispute game (protocol.md §11.5), measured inside bench/l1-gas.ts on the deployed
 * contracts: the challenger's total for the workload's worst transaction, and the number of claims.
 *
 *   - The worst transaction: the workload's wrapped transaction of the most moves (its key table makes step 0 and
 *     the dispute's inclusion proof the largest), the largest encoding among equals.
 *   - Made invalid the way `devnet --byzantine` would: its fee output declared one wei too large (status fee-output),
 *     its outputs re-keyed to the seq it is posted at, in a batch of its own from the byzantine poster on the tip.
 *   - The challenger (the honest solver on the stepper's trace) disputes it; the poster defends with a trace that
 *     lies from the middle of the run on (node/devnet/liar.ts), so the game goes to depth 26 and ends with the
 *     challenger's step; clocks are run out by moving L1's time; the challenger resolves every claim.
 *   - proofGas.execution = the gasUsed of every transaction the challenger sent: the dispute's commitment and
 *     reveal, its moves, the step's commitment and reveal, the resolutions. The step proven is the lie's first
 *     state; the heaviest step a game can end on is stepGas.max (bench/step-gas.ts), not re-measured here.
 */
import { Contract, keccak256, toUtf8Bytes, type JsonRpcProvider } from "ethers";
import type { BatchHeader, BatchTx } from "../core/batch";
import { KnownCode } from "../core/known-code";
import { abiOf } from "../node/l1/contracts";
import { registrationCalls, type CarrierSource } from "../node/watchtower/code-registration";
import { memoryChainView } from "../prover/build";
import { batchTxOf } from "../core/gas";
import { batchTxContext } from "../core/context";
import { Mark } from "../core/keys";
import { sortMoves } from "../core/moves";
import { decodeTx, encodeTx, TxType, type Tx, type WrappedTx } from "../core/tx";
import { MAX_DEPTH, STATUS_OK } from "../core/game";
import type { MemoryState } from "../core/memory-state";
import { headerToSol, inboxAt } from "../node/l1/contracts";
import { batchOnTip } from "../node/devnet/byzantine";
import { lieAfter } from "../node/devnet/liar";
import type { DeploymentRecord } from "../node/config";
import { actionCalls, disputeCalls } from "../node/watchtower/game-actions";
import { gameAt, readGame, readGameParams } from "../node/watchtower/game-l1";
import { openingClaim, solveGame, type TraceOracle } from "../node/watchtower/game-solver";
import { StepTrace } from "../prover/step-trace";
import { txProofArg } from "../prover/build";
import { bytesToHex } from "../core/bytes";

export interface GameGas {
  /** The challenger's total gas over the whole game. */
  challengerGas: number;
  /** Claims made after the root (the dispute's and every move, both sides'). */
  moves: number;
  /** The challenger's dispute (reveal only), its average move, its step (reveal only), registering the code read. */
  disputeGas: number;
  registrationGas: number;
  moveGas: number;
  stepGas: number;
  /** The transaction played: its moves, bytes and steps. */
  tx: { moves: number; bytes: number; steps: number };
}

type Request = (method: string, params?: unknown[]) => Promise<unknown>;
type Send = (what: string, from: string, to: string, data: string, value?: bigint) => Promise<{ gasUsed: bigint; logs: { address: string; topics: string[]; data: string }[] }>;

/** The workload's wrapped transaction of the most moves (the largest among equals). */
export function worstWrapped(encoded: readonly Uint8Array[]): number {
  let best = -1;
  let key: [number, number] = [-1, -1];
  encoded.forEach((e, i) => {
    const t = decodeTx(e);
    if (t.type !== TxType.Wrapped) return;
    const k: [number, number] = [t.moves.length, e.length];
    if (k[0] > key[0] || (k[0] === key[0] && k[1] > key[1])) [best, key] = [i, k];
  });
  if (best < 0) throw new Error("the workload has no wrapped transaction");
  return best;
}

export async function measureGameGas(o: {
  request: Request;
  send: Send;
  l1: JsonRpcProvider;
  record: DeploymentRecord;
  chainId: bigint;
  state: MemoryState;
  encoded: readonly Uint8Array[];
  /** The honest batches posted before (where the code the transaction runs is carried). */
  posted: readonly { header: BatchHeader; txs: BatchTx[] }[];
  feeRecipient: string;
  challenger: string;
  poster: string;
  log: (s: string) => void;
}): Promise<GameGas> {
  const { request, send, l1, record } = o;
  const gameAddr = record.contracts.DisputeGame;
  const game = gameAt(gameAddr, l1);
  const inbox = inboxAt(record.contracts.Inbox, l1);
  const i = worstWrapped(o.encoded);
  const original = decodeTx(o.encoded[i]) as WrappedTx;
  // Posted alone at the tip: its outputs are re-keyed to the seq it gets there, and its fee output is one wei too large.
  const tip = await inbox.tip();
  const seq = tip[2];
  const keyed = (t: Tx, s: bigint): Tx => ({
    ...t,
    moves: sortMoves(t.moves.map((m) => ((m.mark === Mark.Fee || m.mark === Mark.Withdrawal) && m.slot === BigInt(i + 1) ? { ...m, slot: s } : m))),
  }) as Tx;
  const forged = keyed({ ...original, moves: original.moves.map((m) => (m.mark === Mark.Fee && m.slot === BigInt(i + 1) ? { ...m, next: m.next + 1n } : m)) }, seq);
  const entry = batchTxOf(encodeTx(forged));
  const { header, data } = await batchOnTip({ l1, inbox: record.contracts.Inbox }, [entry], o.feeRecipient);
  await send("bond of the byzantine poster", o.poster, record.contracts.Inbox, inbox.interface.encodeFunctionData("bond"), BigInt(record.parameters.bondSize));
  await send("appendBatch of the invalid batch", o.poster, record.contracts.Inbox, inbox.interface.encodeFunctionData("appendBatch", [headerToSol(header), bytesToHex(data)]));

  const truth = await StepTrace.run(forged as WrappedTx, batchTxContext(header, o.chainId, 0), (h) => o.state.code(h));
  if (truth.ok) throw new Error("the forged transaction's machine ends ok");
  const lie: TraceOracle = lieAfter(truth, BigInt(Math.max(1, Math.floor(truth.steps / 2))), STATUS_OK, "bench");
  o.log(`L1 gas: dispute game over transaction ${i} (${original.moves.length} moves, ${o.encoded[i].length} bytes, ${truth.steps} steps, ends ${truth.statusName})`);

  const params = await readGameParams(game);
  let challengerGas = 0n;
  const mine = async (what: string, to: string, dataHex: string, value = 0n) => {
    const rc = await send(what, o.challenger, to, dataHex, value);
    challengerGas += rc.gasUsed;
    return rc;
  };
  const salt = keccak256(toUtf8Bytes("moveset-bench/game"));
  const dc = disputeCalls({ header, proof: txProofArg([entry], 0), claim: openingClaim(truth, MAX_DEPTH) }, params.bonds[1], BigInt(await game.getFunction("holdHint")(header.index)));
  await mine("commit of the dispute", gameAddr, dc.commitData(o.challenger, salt));
  const d = await mine("dispute", gameAddr, dc.revealData(salt), dc.value);
  // The challenger claims the code its trace runs is available: it registers it (and its carriers) first.
  const carriers = new KnownCode();
  for (const b of o.posted) b.txs.forEach((t, k) => carriers.addTx(b.header.firstSeq + BigInt(k), decodeTx(t.tx)));
  const source: CarrierSource = { codeCarrierSeq: (h) => carriers.seqOf(h), chainView: () => memoryChainView([...o.posted]) };
  const registry = record.contracts.CodeRegistry;
  const before = challengerGas;
  const registryContract = new Contract(registry, abiOf("CodeRegistry", "step"), l1);
  for (const r of await registrationCalls(registryContract, { header, txs: [entry], txIndex: 0, seq, truth }, source)) await mine(r.what, registry, r.data);
  const registrationGas = challengerGas - before;
  const created = d.logs.map((l) => (l.address.toLowerCase() === gameAddr.toLowerCase() ? game.interface.parseLog(l) : null)).find((e) => e?.name === "GameCreated");
  const id = BigInt(created!.args.gameId);

  const players = [
    { who: o.challenger, trace: truth as TraceOracle },
    { who: o.poster, trace: lie },
  ];
  let moveGas = 0n;
  let moves = 0;
  let stepGas = 0n;
  for (let round = 0; ; round++) {
    if (round > 500) throw new Error("the game does not end");
    let acted = false;
    for (const p of players) {
      const now = BigInt(((await l1.getBlock("latest"))!).timestamp) + 1n;
      const view = await readGame(game, id, params, now);
      if (view.status !== "open") {
        if (view.status !== "challenger-won") throw new Error(`the challenger lost the bench's game (${view.status})`);
        const count = view.claims.length - 1;
        o.log(`L1 gas: the game took ${count} claims; the challenger spent ${challengerGas} gas`);
        return { challengerGas: Number(challengerGas), moves: count, disputeGas: Number(d.gasUsed), registrationGas: Number(registrationGas), moveGas: moves ? Math.round(Number(moveGas) / moves) : 0, stepGas: Number(stepGas), tx: { moves: original.moves.length, bytes: o.encoded[i].length, steps: truth.steps } };
      }
      // The poster only moves (the challenger resolves: resolving is the winner's interest).
      const actions = solveGame(view, p.trace, { self: p.who }).filter((a) => p.who === o.challenger || a.type === "move");
      for (const a of actions) {
        const c = actionCalls(id, a, truth);
        if (p.who !== o.challenger) {
          if (c.kind === "call") await send(`the poster's ${a.type}`, p.who, gameAddr, c.data, c.value);
          acted = true;
          continue;
        }
        if (c.kind === "call") {
          const rc = await mine(`the challenger's ${a.type}`, gameAddr, c.data, c.value);
          if (a.type === "move") {
            moveGas += rc.gasUsed;
            moves++;
          }
        } else {
          const s = keccak256(toUtf8Bytes(`moveset-bench/step/${a.type === "step" ? a.claimIndex : 0}`));
          await mine("commit of the step", gameAddr, c.commitData(o.challenger, s));
          stepGas = (await mine("step", gameAddr, c.revealData(s), c.value)).gasUsed;
        }
        acted = true;
      }
    }
    if (!acted) {
      await request("evm_increaseTime", [Number(params.clockExtension)]);
      await request("evm_mine", []);
    }
  }
}
