/**
 * The dispute game end to end on L1 with the real one-step verifier (the Ignition module's wiring: DisputeGame over
 * OneStepVerifier, registered with the Inbox): whole games over real transactions, each player's trace from the
 * TypeScript stepper (prover/step-trace.ts), every move and step made by the honest-play solver and sent as
 * node/watchtower/game-actions.ts encodes it, the last step proven with a real proof.
 *
 *   - an execution fault (a withdrawal output of 1000 ETH for 1 ETH sent to the withdrawal vault): the challenger
 *     wins against a poster defending with a lying trace, the batch and its successor are rolled back through the
 *     shared penalty path, and the payouts are exact;
 *   - an honest transaction falsely disputed: the honest defender (not the poster) wins, the batch stays, and it is
 *     final once the game ends and its window has passed, never while the game is open;
 *   - the game contract holds nothing once a game is resolved; every step costs under 2^24 gas.
 *
 *   npx hardhat test test/contracts/game/execution-game.test.ts
 */
import { expect } from "chai";
import { ethers, ignition } from "hardhat";
import type { Contract, TransactionReceipt } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { movesetModule, PROVERS, ignitionParameters, DEFAULT_PARAMETERS } from "../../../deploy/Moveset";
import { L2Sim, L2_CHAIN_ID, BASE_FEE, headerArgs, wrapped, type SimBatch } from "../../helpers/l2sim";
import { lieAfter } from "../../helpers/mock-trace";
import { TxType, encodeTx, decodeTx, type DepositTx, type Tx, type WrappedTx, type MoveTx } from "../../../core/tx";
import { Mark } from "../../../core/keys";
import { hexToBytes } from "../../../core/bytes";
import { batchTxContext } from "../../../core/context";
import { WITHDRAWAL_VAULT_HEX } from "../../../core/evm/chain";
import { MAX_DEPTH, STATUS_OK, bondsForGasPrice, statusOf, stateIndex } from "../../../core/game";
import { Status } from "../../../core/step/types";
import { txProofArg } from "../../../prover/build";
import { StepTrace } from "../../../prover/step-trace";
import { solveGame, shouldDispute, openingClaim, type GameView, type TraceOracle } from "../../../node/watchtower/game-solver";
import { readGame, readGameParams } from "../../../node/watchtower/game-l1";
import { actionCalls, disputeCalls } from "../../../node/watchtower/game-actions";
import { registrationCalls } from "../../../node/watchtower/code-registration";
import { gasSpent } from "../../helpers/game-chain";

const BOND = ethers.parseEther("1");
const WINDOW = 600n;
const BPS = 5000n;
const CLOCK = 1800n;
const EXTENSION = 120n;
const GAS_PRICE = 10n ** 9n;
const BONDS = bondsForGasPrice(GAS_PRICE);
const STEP_CAP = 1n << 24n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

interface Setup {
  c: Record<string, Contract>;
  poster: HardhatEthersSigner;
  sim: L2Sim;
  signers: HardhatEthersSigner[];
}

async function now(): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
}

/** The simulated L2 after batch 0 (a deposit of 10 ETH to alice, posted at `ts`); `c` given: batch 0 is also bridged and appended on L1. */
async function simAfterDeposit(poster: HardhatEthersSigner, ts: bigint, c?: Record<string, Contract>): Promise<L2Sim> {
  const sim = await L2Sim.create();
  if (c) await (await c.Bridge.connect(poster).getFunction("deposit")(alice.address, { value: ethers.parseEther("10") })).wait();
  sim.deposits.push({ from: hexToBytes(poster.address.toLowerCase() as `0x${string}`), to: hexToBytes(alice.address.toLowerCase() as `0x${string}`), value: ethers.parseEther("10") });
  const dep: DepositTx = { type: TxType.Deposit, index: 0n, from: sim.deposits[0].from, to: sim.deposits[0].to, value: sim.deposits[0].value, moves: [] };
  await post(c, poster, sim, [await sim.fill(dep, 0, ts)], ts, 1n);
  return sim;
}

/** Deployed once (Ignition, as the devnet), bonded, batch 0 appended; each test starts from a snapshot of it (loadFixture). */
async function deployed(): Promise<{ c: Record<string, Contract>; ts: bigint }> {
  const mod = movesetModule("ExecutionGameTest", PROVERS);
  const p = { ...DEFAULT_PARAMETERS, l2ChainId: L2_CHAIN_ID, bondSize: BOND, challengeWindow: WINDOW, rewardBps: BPS, minBaseFee: BASE_FEE, maxClockDuration: CLOCK, clockExtension: EXTENSION, gameGasPrice: GAS_PRICE };
  const c = (await ignition.deploy(mod, { parameters: { ExecutionGameTest: ignitionParameters(p) } })) as unknown as Record<string, Contract>;
  const [poster] = await ethers.getSigners();
  await (await c.Inbox.connect(poster).getFunction("bond")({ value: 8n * BOND })).wait();
  const ts = await now();
  await simAfterDeposit(poster, ts, c);
  return { c, ts };
}

/** A fresh deployment with batch 0 (the fixture's snapshot), and its simulated L2, rebuilt as it was (the same fill at the same time). */
async function deploy(): Promise<Setup> {
  const { c, ts } = await loadFixture(deployed);
  const signers = await ethers.getSigners();
  const poster = signers[0];
  const sim = await simAfterDeposit(poster, ts);
  return { c, poster, sim, signers };
}

/** Batch `txs` on the simulated L2, appended on L1 unless `c` is undefined (rebuilding a fixture's batch). */
async function post(c: Record<string, Contract> | undefined, poster: HardhatEthersSigner, sim: L2Sim, txs: Tx[], ts: bigint, deposits = 0n, apply = true): Promise<SimBatch> {
  const { header, data, txs: entries } = sim.header(txs.map(encodeTx), ts, deposits);
  if (c) await (await c.Inbox.connect(poster).getFunction("appendBatch")(headerArgs(header), data)).wait();
  const b = { header, txs: entries, data };
  if (apply) sim.apply(txs, header.firstSeq);
  sim.record(b);
  return b;
}

/** Alice sends 1 ETH to the withdrawal vault (her withdrawal), filled honestly as the next batch's first transaction. */
async function withdrawal(sim: L2Sim, ts: bigint): Promise<WrappedTx> {
  const raw = await alice.signTransaction({ chainId: L2_CHAIN_ID, type: 2, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 100_000n, to: WITHDRAWAL_VAULT_HEX, value: ethers.parseEther("1"), nonce: 0 });
  return (await sim.fill(wrapped(raw), 0, ts)) as WrappedTx;
}

/** The player's trace of transaction `i` of batch `b`, from the stepper. */
async function traceOf(sim: L2Sim, b: SimBatch, i: number): Promise<StepTrace> {
  const tx = decodeTx(b.txs[i].tx) as MoveTx | WrappedTx;
  return StepTrace.run(tx, batchTxContext(b.header, L2_CHAIN_ID, i, b.txs[i].gas), (h) => sim.state.code(h));
}

/** The gas of every accepted step; wei each address paid for gas since the ledger was opened (reverted transactions too). */
class Ledger {
  readonly stepGas: bigint[] = [];
  private spent?: Map<string, bigint>;
  private constructor(private readonly from: number) {}
  static async open(): Promise<Ledger> {
    return new Ledger(await ethers.provider.getBlockNumber());
  }
  note(rc: TransactionReceipt | null): TransactionReceipt {
    return rc!;
  }
  /** Closes the ledger at the latest block. */
  async close(): Promise<void> {
    this.spent = await gasSpent(this.from, await ethers.provider.getBlockNumber());
  }
  of(a: string): bigint {
    return this.spent!.get(a.toLowerCase()) ?? 0n;
  }
}

interface Player {
  signer: HardhatEthersSigner;
  trace: TraceOracle;
  prover: StepTrace;
  /** An honest player's actions never fail; a liar's may (L1 refuses them). */
  honest: boolean;
}

async function send(l: Ledger, s: HardhatEthersSigner, to: string, data: string, value = 0n): Promise<TransactionReceipt> {
  return l.note(await (await s.sendTransaction({ to, data, value })).wait());
}

/** Commit (one block), then reveal. */
async function commitReveal(l: Ledger, s: HardhatEthersSigner, to: string, c: { commitData: (who: string, salt: string) => string; revealData: (salt: string) => string; value: bigint }): Promise<TransactionReceipt> {
  const salt = ethers.hexlify(ethers.randomBytes(32));
  await send(l, s, to, c.commitData(s.address, salt));
  return send(l, s, to, c.revealData(salt), c.value);
}

interface Played {
  rounds: number;
  moves: number;
  /** Steps that L1 accepted. */
  steps: number;
  /** Actions of liars that L1 refused, by error. */
  refused: string[];
  heldPastWindow: boolean;
}

/**
 * Plays game `id` to its end (or until `until` holds before a round): in each round every player sees the game and
 * makes the solver's actions; when nobody acted, time jumps by a clock extension. An honest player's failure throws.
 */
async function play(game: Contract, id: bigint, players: Player[], l: Ledger, held: () => Promise<boolean> = async () => false, until?: (v: GameView) => boolean): Promise<Played> {
  const params = await readGameParams(game);
  const addr = await game.getAddress();
  let rounds = 0;
  let moves = 0;
  let steps = 0;
  const refused: string[] = [];
  let heldPastWindow = false;
  for (;;) {
    if (++rounds > 400) throw new Error("the game does not end");
    let acted = false;
    heldPastWindow ||= await held();
    if (until && until(await readGame(game, id, params, (await now()) + 1n))) return { rounds, moves, steps, refused, heldPastWindow };
    for (const p of players) {
      const view = await readGame(game, id, params, (await now()) + 1n);
      if (view.status !== "open") return { rounds, moves, steps, refused, heldPastWindow };
      for (const a of solveGame(view, p.trace, { self: p.signer.address })) {
        const calls = actionCalls(id, a, p.prover);
        try {
          if (calls.kind === "call") await send(l, p.signer, addr, calls.data, calls.value);
          else {
            const rc = await commitReveal(l, p.signer, addr, calls);
            l.stepGas.push(rc.gasUsed);
            steps++;
          }
        } catch (e) {
          if (p.honest) throw e;
          refused.push(`${a.type}: ${(e as Error).message.split("\n")[0]}`);
          continue;
        }
        if (a.type === "move") moves++;
        acted = true;
      }
    }
    if (!acted) await time.increase(EXTENSION);
  }
}

/** True once the batch is past its window yet not final (the game holds it); throws if it is final while held. */
function heldCheck(c: Record<string, Contract>, b: SimBatch): () => Promise<boolean> {
  return async () => {
    if ((await now()) < b.header.timestamp + WINDOW + 1n) return false;
    if (await c.Inbox.getFunction("isFinal")(b.header.index)) throw new Error(`batch ${b.header.index} is final while its game is open`);
    return true;
  };
}

/** Opens the game on transaction `i` of `b` with the opening claim of `trace`; returns its id. */
async function dispute(c: Record<string, Contract>, l: Ledger, who: HardhatEthersSigner, b: SimBatch, i: number, trace: TraceOracle): Promise<bigint> {
  const game = c.DisputeGame;
  const d = { header: b.header, proof: txProofArg(b.txs, i), claim: openingClaim(trace, MAX_DEPTH) };
  const hint = await game.getFunction("holdHint")(b.header.index);
  const rc = await commitReveal(l, who, await game.getAddress(), disputeCalls(d, BONDS[0], hint));
  const ev = rc.logs.map((x) => game.interface.parseLog(x)).find((x) => x?.name === "GameCreated");
  return ev!.args.gameId as bigint;
}

describe("dispute game on L1: real transactions, the real one-step verifier", function () {
  this.timeout(600_000);

  it("an execution fault: the challenger wins against a lying poster, the batch rolls back, payouts exact, nothing left", async () => {
    const { c, poster, sim, signers } = await deploy();
    const challenger = signers[1];
    const ts = await now();
    const honest = await withdrawal(sim, ts);
    // The poster declares a withdrawal output of 1000 ETH for the 1 ETH sent: every one-step check passes.
    const forged: WrappedTx = { ...honest, moves: honest.moves.map((m) => (m.mark === Mark.Withdrawal ? { ...m, next: ethers.parseEther("1000") } : m)) };
    const bad = await post(c, poster, sim, [forged], ts, 0n, false);
    await post(c, poster, sim, [await withdrawal(sim, ts)], ts, 0n, false); // a successor: it falls with it
    expect(await c.Inbox.getFunction("batchCount")()).to.equal(3n);

    const truth = await traceOf(sim, bad, 0);
    expect(truth.statusName).to.equal("withdrawal-output");
    expect(truth.steps).to.be.greaterThan(3);
    expect(shouldDispute(truth, MAX_DEPTH, await c.DisputeGame.getFunction("ROOT_CLAIM")())).to.equal(true);
    // The poster's trace agrees up to the middle of the run, then lies its way to "ok".
    const lie = lieAfter(truth, BigInt(Math.floor(truth.steps / 2)), STATUS_OK, "poster");

    const l = await Ledger.open();
    const before = { challenger: await ethers.provider.getBalance(challenger.address), poster: await ethers.provider.getBalance(poster.address), bond: await c.Inbox.getFunction("bondOf")(poster.address) };
    const id = await dispute(c, l, challenger, bad, 0, truth);
    const gameAddr = await c.DisputeGame.getAddress();
    // L1 computed step 0 from the transaction: it is the stepper's.
    const data = await c.DisputeGame.getFunction("gameData")(id);
    expect(data.absolutePrestate).to.equal(truth.stateAt(0n));
    const r = await play(c.DisputeGame, id, [
      { signer: challenger, trace: truth, prover: truth, honest: true },
      { signer: poster, trace: lie, prover: truth, honest: false },
    ], l, heldCheck(c, bad));
    expect(r.heldPastWindow, "the batch was seen held past its window").to.equal(true);
    expect(r.moves).to.be.greaterThanOrEqual(MAX_DEPTH - 1);
    expect(r.steps).to.equal(1);
    for (const g of l.stepGas) expect(g < STEP_CAP, `step gas ${g}`).to.equal(true);

    await l.close();
    const end = await c.DisputeGame.getFunction("gameData")(id);
    expect(end.status).to.equal(2n); // CHALLENGER_WINS
    expect(await c.Inbox.getFunction("batchCount")()).to.equal(1n); // rolled back: only batch 0 is left
    expect(await ethers.provider.getBalance(gameAddr)).to.equal(0n);

    // Exact payouts: the challenger's bonds come back with every bond the poster locked, plus the reward; the poster
    // loses its bonds in the game and bondSize from its Inbox bond.
    const view = await readGame(c.DisputeGame, id, await readGameParams(c.DisputeGame), await now());
    const bondsOf = (a: string) => view.claims.filter((x) => x.claimant === a.toLowerCase()).reduce((s, x) => s + x.bond, 0n);
    const reward = (BOND * BPS) / 10_000n;
    expect(await ethers.provider.getBalance(challenger.address)).to.equal(before.challenger + bondsOf(poster.address) + reward - l.of(challenger.address));
    expect(await ethers.provider.getBalance(poster.address)).to.equal(before.poster - bondsOf(poster.address) - l.of(poster.address));
    expect(await c.Inbox.getFunction("bondOf")(poster.address)).to.equal(before.bond - BOND);
    console.log(`      execution fault: ${truth.steps} steps, ${r.moves} moves, step gas ${l.stepGas.join(", ")}`);
  });

  it("a false challenge of an honest transaction: the honest defender wins, the batch becomes final after the game", async () => {
    const { c, poster, sim, signers } = await deploy();
    const defender = signers[1];
    const liar = signers[3];
    const ts = await now();
    const good = await post(c, poster, sim, [await withdrawal(sim, ts)], ts);
    const truth = await traceOf(sim, good, 0);
    expect(truth.status).to.equal(Status.Ok);
    expect(shouldDispute(truth, MAX_DEPTH, await c.DisputeGame.getFunction("ROOT_CLAIM")())).to.equal(false);
    // The dishonest challenger's trace agrees up to the last step, then claims the epilogue finds a mismatch.
    const lie = lieAfter(truth, BigInt(truth.steps), Status.NextMismatch, "liar");
    expect(statusOf(lie.stateAt(stateIndex(1n)))).to.equal(Status.NextMismatch);

    const l = await Ledger.open();
    const before = { defender: await ethers.provider.getBalance(defender.address), liar: await ethers.provider.getBalance(liar.address), bond: await c.Inbox.getFunction("bondOf")(poster.address) };
    const id = await dispute(c, l, liar, good, 0, lie);
    const r = await play(c.DisputeGame, id, [
      { signer: liar, trace: lie, prover: truth, honest: false },
      { signer: defender, trace: truth, prover: truth, honest: true },
    ], l, heldCheck(c, good));
    expect(r.heldPastWindow, "the batch was seen held past its window").to.equal(true);
    // The defender made the leaf (even depth); the liar's step from the agreed S_k reaches the defender's S_{k+1}
    // and so refutes nothing: L1 refuses it.
    expect(r.steps).to.equal(0);
    expect(r.refused.length).to.be.greaterThan(0);
    for (const e of r.refused) expect(e).to.match(/^step: .*StepDoesNotCounter/);

    await l.close();
    expect((await c.DisputeGame.getFunction("gameData")(id)).status).to.equal(3n); // DEFENDER_WINS
    expect(await c.Inbox.getFunction("batchCount")()).to.equal(2n);
    expect(await ethers.provider.getBalance(await c.DisputeGame.getAddress())).to.equal(0n);
    const view = await readGame(c.DisputeGame, id, await readGameParams(c.DisputeGame), await now());
    const bondsOf = (a: string) => view.claims.filter((x) => x.claimant === a.toLowerCase()).reduce((s, x) => s + x.bond, 0n);
    expect(await ethers.provider.getBalance(defender.address)).to.equal(before.defender + bondsOf(liar.address) - l.of(defender.address));
    expect(await ethers.provider.getBalance(liar.address)).to.equal(before.liar - bondsOf(liar.address) - l.of(liar.address));
    expect(await c.Inbox.getFunction("bondOf")(poster.address)).to.equal(before.bond);
    // The game ended after the window: the batch is final now (it was held until then).
    expect((await now()) > good.header.timestamp + WINDOW).to.equal(true);
    expect(await c.Inbox.getFunction("isFinal")(good.header.index)).to.equal(true);
  });

  it("a transaction that runs a contract: a step in unregistered code reverts; once the player registered the code and its carrier (the transaction itself), its step wins", async () => {
    const { c, poster, sim, signers } = await deploy();
    const challenger = signers[1];
    // Batch 1: alice creates a contract (40 PUSH1/POP pairs, then SSTORE(0, 3)); batch 2: alice calls it.
    const runtime = "0x" + "600150".repeat(40) + "6003600055" + "00";
    const len = (runtime.length - 2) / 2;
    const initcode = "0x60" + len.toString(16).padStart(2, "0") + "600c60003960" + len.toString(16).padStart(2, "0") + "6000f3" + runtime.slice(2);
    const ts = await now();
    const sign = (fields: Record<string, unknown>) => alice.signTransaction({ chainId: L2_CHAIN_ID, type: 2, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 200_000n, ...fields });
    await post(c, poster, sim, [await sim.fill(wrapped(await sign({ data: initcode, nonce: 0 })), 0, ts)], ts);
    const contract = ethers.getCreateAddress({ from: alice.address, nonce: 0 });
    const call = (await sim.fill(wrapped(await sign({ to: contract, nonce: 1 })), 0, ts)) as WrappedTx;
    const codeHash = ethers.keccak256(runtime);
    expect(call.witness.map((w) => ethers.keccak256(w))).to.include(codeHash); // the call carries the code it runs
    // The batch declares the slot written as 4 (the code writes 3).
    const forged: WrappedTx = { ...call, moves: call.moves.map((m) => (m.mark === Mark.Storage ? { ...m, next: 4n } : m)) };
    const bad = await post(c, poster, sim, [forged], ts, 0n, false);
    const truth = await traceOf(sim, bad, 0);
    expect(truth.statusName).to.equal("next-mismatch");
    expect(truth.usedCode().map((u) => u.hash)).to.include(codeHash);
    const lie = lieAfter(truth, BigInt(Math.floor(truth.steps / 2)), STATUS_OK, "poster");

    const l = await Ledger.open();
    const id = await dispute(c, l, challenger, bad, 0, truth);
    const players: Player[] = [
      { signer: challenger, trace: truth, prover: truth, honest: true },
      { signer: poster, trace: lie, prover: truth, honest: false },
    ];
    // Down to the poster's lying leaf: the challenger's step is due.
    const stepDue = (v: GameView) => solveGame(v, truth, { self: challenger.address }).some((a) => a.type === "step");
    await play(c.DisputeGame, id, players, l, undefined, stepDue);
    const view = await readGame(c.DisputeGame, id, await readGameParams(c.DisputeGame), (await now()) + 1n);
    const step = solveGame(view, truth, { self: challenger.address }).find((a) => a.type === "step")!;
    const calls = actionCalls(id, step, truth);
    if (calls.kind !== "reveal") throw new Error("a step is a commitment and a reveal");
    const gameAddr = await c.DisputeGame.getAddress();
    // The verifier's error, bubbled up through the game.
    await expect(commitReveal(l, challenger, gameAddr, calls)).to.be.revertedWithCustomError(c.StepRun, "CodeNotRegistered").withArgs(BigInt(codeHash));
    // The player registers the code and its carrier: the disputed transaction itself (its witness carries it).
    const regs = await registrationCalls(c.CodeRegistry, { header: bad.header, txs: bad.txs, txIndex: 0, seq: bad.header.firstSeq, truth });
    expect(regs.map((r) => r.what)).to.deep.equal([`code ${codeHash}`, `carrier of ${codeHash}`]);
    for (const r of regs) await send(l, challenger, await c.CodeRegistry.getAddress(), r.data);
    expect(await c.CodeRegistry.getFunction("isRegistered")(codeHash)).to.equal(true);
    expect(await c.CodeRegistry.getFunction("carriedBy")(codeHash, bad.header.firstSeq)).to.equal(true);
    expect(await registrationCalls(c.CodeRegistry, { header: bad.header, txs: bad.txs, txIndex: 0, seq: bad.header.firstSeq, truth })).to.deep.equal([]);
    const r = await play(c.DisputeGame, id, players, l);
    expect(r.steps).to.equal(1);
    expect((await c.DisputeGame.getFunction("gameData")(id)).status).to.equal(2n);
    expect(await ethers.provider.getBalance(gameAddr)).to.equal(0n);
  });

  it("two honest players and a liar in one game, in every order: the honest side wins, honest bonds all come back", async () => {
    for (const invalid of [true, false]) {
      for (let rot = 0; rot < 3; rot++) {
        const { c, poster, sim, signers } = await deploy();
        const [a, b, liar] = [signers[1], signers[2], signers[3]];
        const ts = await now();
        const honestTx = await withdrawal(sim, ts);
        const tx: WrappedTx = invalid ? { ...honestTx, moves: honestTx.moves.map((m) => (m.mark === Mark.Withdrawal ? { ...m, next: ethers.parseEther("1000") } : m)) } : honestTx;
        const batch = await post(c, poster, sim, [tx], ts, 0n, !invalid);
        const truth = await traceOf(sim, batch, 0);
        const lie = invalid ? lieAfter(truth, BigInt(Math.floor(truth.steps / 2)), STATUS_OK, "liar") : lieAfter(truth, BigInt(truth.steps), Status.NextMismatch, "liar");
        const l = await Ledger.open();
        // The liar's side opens the game on the honest transaction; an honest player opens it on the invalid one.
        const id = await dispute(c, l, invalid ? a : liar, batch, 0, invalid ? truth : lie);
        const all: Player[] = [
          { signer: a, trace: truth, prover: truth, honest: true },
          { signer: b, trace: truth, prover: truth, honest: true },
          { signer: liar, trace: lie, prover: truth, honest: false },
        ];
        const order = [...all.slice(rot), ...all.slice(0, rot)];
        await play(c.DisputeGame, id, order, l);
        const what = `${invalid ? "invalid" : "honest"} transaction, ${order.map((p) => (p.honest ? (p.signer === a ? "A" : "B") : "liar")).join(", ")}`;
        expect((await c.DisputeGame.getFunction("gameData")(id)).status, what).to.equal(invalid ? 2n : 3n);
        expect(await ethers.provider.getBalance(await c.DisputeGame.getAddress()), what).to.equal(0n);
        const honest = new Set([a.address.toLowerCase(), b.address.toLowerCase()]);
        const claims = (await readGame(c.DisputeGame, id, await readGameParams(c.DisputeGame), await now())).claims;
        for (const ev of await c.DisputeGame.queryFilter(c.DisputeGame.filters.ClaimResolved(id))) {
          const pr = c.DisputeGame.interface.parseLog(ev)!;
          const i = Number(pr.args.claimIndex);
          if (i === 0) continue;
          const claimant = claims[i].claimant;
          const to = String(pr.args.recipient).toLowerCase();
          // An honest claim's bond returns to its claimant; a lie's goes to an honest player.
          if (honest.has(claimant)) expect(to, `${what}: claim ${i}`).to.equal(claimant);
          else expect(honest.has(to), `${what}: claim ${i} paid to ${to}`).to.equal(true);
        }
        // Both honest players took part in some games (whoever moved first made the honest claims).
        expect(claims.some((x) => honest.has(x.claimant)), what).to.equal(true);
      }
    }
  });

  it("a dispute that cannot start: a deposit; a transaction with another declared gas", async () => {
    const { c, sim, signers } = await deploy();
    const l = await Ledger.open();
    const zero: TraceOracle = { stateAt: () => "0x" + "00".repeat(32) };
    await expect(dispute(c, l, signers[2], sim.batches[0], 0, zero)).to.be.revertedWithCustomError(c.DisputeGame, "NotDisputable");
    const ts = await now();
    const b = await post(c, signers[0], sim, [await withdrawal(sim, ts)], ts);
    const wrongGas = { ...b, txs: b.txs.map((t) => ({ ...t, gas: t.gas + 1n })) };
    await expect(dispute(c, l, signers[2], wrongGas, 0, zero)).to.be.revertedWithCustomError(c.DisputeGame, "NotInBatch");
  });
});
