/**
 * A reference model of contracts/game/DisputeGame.sol for one game, in memory, with the mock verifier of
 * test/helpers/mock-trace.ts: the same rules (positions, clocks, bonds, steps, resolution, payouts) on the
 * core's twins, so the solver can be tested over thousands of games in seconds, and the contract checked against
 * it. Every rule the contract enforces throws a ModelError here. Test-only.
 */
import { MAX_DEPTH, ROOT_CLAIM, challengerDuration, depthOf, indexAtDepth, movePosition, nextDuration, statusOf } from "../../core/game";
import { ancestor, ZERO_ADDRESS, type GameClaim, type GameParams, type GameView, type GameAction } from "../../node/watchtower/game-solver";
import { mockState, type MockProgram } from "./mock-trace";

export class ModelError extends Error {}

export class GameModel {
  readonly claims: GameClaim[] = [];
  status: GameView["status"] = "open";
  now: bigint;
  /** Wei paid to each address (bonds and the reward). */
  readonly paid = new Map<string, bigint>();
  /** Wei each address bonded. */
  readonly bonded = new Map<string, bigint>();
  /** The Inbox's reward if the challenger wins (paid to the root's counterer). */
  readonly absolutePrestate: string;
  winner: string = ZERO_ADDRESS;

  constructor(
    /** The transaction's true program (what the verifier executes). */
    readonly truth: MockProgram,
    readonly params: GameParams,
    readonly poster: string,
    challenger: string,
    opening: string,
    start: bigint,
    readonly reward = 0n,
  ) {
    this.now = start;
    this.absolutePrestate = mockState(truth, 0n);
    this.claims.push({ parentIndex: -1, position: 1n, value: ROOT_CLAIM, claimant: poster, counteredBy: ZERO_ADDRESS, bond: 0n, duration: 0n, timestamp: start, resolved: false });
    this.push(challenger, 0, opening, 2n, 0n);
  }

  view(): GameView {
    return { status: this.status, absolutePrestate: this.absolutePrestate, claims: this.claims.map((c) => ({ ...c })), now: this.now, params: this.params };
  }

  advance(seconds: bigint): void {
    this.now += seconds;
  }

  move(who: string, parentIndex: number, disputed: string, value: string, isAttack: boolean, bond: bigint): number {
    this.open();
    const parent = this.claim(parentIndex);
    if (parent.value !== disputed) throw new ModelError("DisputedMismatch");
    if (parentIndex === 0 && !isAttack) throw new ModelError("CannotDefendRoot");
    const pos = movePosition(parent.position, isAttack);
    const d = depthOf(pos);
    if (d > this.params.maxDepth) throw new ModelError("DepthExceeded");
    if (bond !== this.params.bonds[d]) throw new ModelError("WrongBond");
    const used = challengerDuration(this.claims, parentIndex, this.now, this.params);
    if (used >= this.params.maxClockDuration) throw new ModelError("ClockExpired");
    return this.push(who, parentIndex, value, pos, nextDuration(used, d, this.params, this.params.maxDepth));
  }

  /** A step whose proof opens S_`k` of the true program (the only proofs that exist). */
  step(who: string, claimIndex: number, isAttack: boolean, k: bigint): void {
    this.open();
    const leaf = this.claim(claimIndex);
    if (depthOf(leaf.position) !== this.params.maxDepth) throw new ModelError("NotALeaf");
    if (challengerDuration(this.claims, claimIndex, this.now, this.params) >= this.params.maxClockDuration) throw new ModelError("ClockExpired");
    if (leaf.counteredBy !== ZERO_ADDRESS) throw new ModelError("AlreadyCountered");
    let pre: string;
    let postIndex: number;
    if (isAttack) {
      pre = indexAtDepth(leaf.position) === 0n ? this.absolutePrestate : this.claims[ancestor(this.claims, leaf.position - 1n, leaf.parentIndex)].value;
      postIndex = claimIndex;
    } else {
      pre = leaf.value;
      postIndex = ancestor(this.claims, leaf.position + 1n, leaf.parentIndex);
    }
    if (mockState(this.truth, k) !== pre) throw new ModelError("BadProof");
    const post = mockState(this.truth, k + 1n);
    const pc = this.claims[postIndex];
    const matches = postIndex === 0 ? statusOf(post) === statusOf(pc.value) : post === pc.value;
    const sameSide = (depthOf(leaf.position) - depthOf(pc.position)) % 2 === 0;
    if (sameSide === matches) throw new ModelError("StepDoesNotCounter");
    leaf.counteredBy = who;
  }

  resolve(claimIndex: number): void {
    this.open();
    const c = this.claim(claimIndex);
    if (challengerDuration(this.claims, claimIndex, this.now, this.params) < this.params.maxClockDuration) throw new ModelError("ClockNotExpired");
    if (c.resolved) throw new ModelError("AlreadyResolved");
    const kids = this.claims.map((k, i) => [k, i] as const).filter(([k]) => k.parentIndex === claimIndex);
    let counter = c.counteredBy;
    if (kids.length > 0) {
      let best: GameClaim | undefined;
      for (const [k, i] of kids) {
        if (!k.resolved) throw new ModelError(`OutOfOrderResolution(${i})`);
        if (k.counteredBy === ZERO_ADDRESS && (best === undefined || k.position < best.position)) best = k;
      }
      counter = best ? best.claimant : ZERO_ADDRESS;
      c.counteredBy = counter;
    }
    c.resolved = true;
    if (claimIndex === 0) {
      this.status = counter === ZERO_ADDRESS ? "defender-won" : "challenger-won";
      this.winner = counter;
      if (counter !== ZERO_ADDRESS) this.pay(counter, this.reward);
    } else {
      this.pay(counter === ZERO_ADDRESS ? c.claimant : counter, c.bond);
    }
  }

  /** Applies a solver action for `who` with its trace's proofs (a step's pre-state index). */
  apply(who: string, a: GameAction): void {
    if (a.type === "move") this.move(who, a.parentIndex, a.disputed, a.value, a.isAttack, a.bond);
    else if (a.type === "step") this.step(who, a.claimIndex, a.isAttack, a.preStateIndex);
    else this.resolve(a.claimIndex);
  }

  /** Wei this model still holds: bonds of unresolved claims. */
  held(): bigint {
    return this.claims.reduce((s, c) => (c.resolved ? s : s + c.bond), 0n);
  }

  private push(who: string, parentIndex: number, value: string, position: bigint, duration: bigint): number {
    if (this.claims.some((c) => c.parentIndex === parentIndex && c.position === position && c.value === value)) throw new ModelError("ClaimExists");
    const bond = parentIndex < 0 ? 0n : this.params.bonds[depthOf(position)];
    this.claims.push({ parentIndex, position, value, claimant: who, counteredBy: ZERO_ADDRESS, bond, duration, timestamp: this.now, resolved: false });
    this.bonded.set(who, (this.bonded.get(who) ?? 0n) + bond);
    return this.claims.length - 1;
  }

  private pay(to: string, amount: bigint): void {
    this.paid.set(to, (this.paid.get(to) ?? 0n) + amount);
  }

  private claim(i: number): GameClaim {
    if (i < 0 || i >= this.claims.length) throw new ModelError("NoSuchClaim");
    return this.claims[i];
  }

  private open(): void {
    if (this.status !== "open") throw new ModelError("GameNotInProgress");
  }
}

/** Test parameters: the real depth, a one-hour clock, bonds 1 … 26 (gwei-sized, distinct per depth). */
export function testParams(over: Partial<GameParams> = {}): GameParams {
  const bonds = [0n];
  for (let d = 1; d <= MAX_DEPTH; d++) bonds.push(BigInt(d) * 1_000_000_000n);
  return { maxDepth: MAX_DEPTH, maxClockDuration: 3600n, clockExtension: 300n, bonds, ...over };
}
