/**
 * Plays games between players (the honest solver on a trace, or a scripted adversary) on anything that applies
 * actions: the in-memory GameModel, or the contract through a Hardhat harness. Test-only.
 */
import { depthOf, indexAtDepth, movePosition, stateIndex } from "../../core/game";
import { solveGame, ZERO_ADDRESS, type GameAction, type GameView, type TraceOracle } from "../../node/watchtower/game-solver";
import { GameModel, ModelError } from "./game-model";
import { mockState, type MockProgram } from "./mock-trace";

export interface Player {
  name: string;
  address: string;
  /** Plays by the solver on this trace unless `act` is given. */
  trace: TraceOracle;
  honest: boolean;
  /** Whether the player acts at time `now` (offline players let their clock run). */
  online?: (now: bigint) => boolean;
  /** A scripted adversary's actions. */
  act?: (view: GameView) => GameAction[];
}

export interface PlayLog {
  rounds: number;
  /** Actions that failed, per player name. Honest players must have none. */
  failures: Array<{ player: string; action: GameAction; error: string }>;
  /** Every action an honest player took, with the view it saw. */
  honestActions: Array<{ player: string; action: GameAction; view: GameView }>;
}

/** Something that applies actions for an address and shows the game; `advance` moves time. */
export interface Table {
  view(): GameView | Promise<GameView>;
  apply(who: string, a: GameAction): void | Promise<void>;
  advance(seconds: bigint): void | Promise<void>;
}

/**
 * Rounds: each online player, in order, sees the game and acts; when nobody managed to act, time jumps by `idle`
 * seconds, else by `busy`. Stops when the game is resolved or after `maxRounds`.
 */
export async function play(t: Table, players: Player[], o: { idle: bigint; busy?: bigint; maxRounds?: number }): Promise<PlayLog> {
  const log: PlayLog = { rounds: 0, failures: [], honestActions: [] };
  const max = o.maxRounds ?? 2000;
  while (log.rounds < max) {
    log.rounds++;
    let acted = false;
    for (const p of players) {
      const view = await t.view();
      if (view.status !== "open") return log;
      if (p.online && !p.online(view.now)) continue;
      const actions = p.act ? p.act(view) : solveGame(view, p.trace, { self: p.address });
      for (const a of actions) {
        if (p.honest) log.honestActions.push({ player: p.name, action: a, view });
        try {
          await t.apply(p.address, a);
          acted = true;
        } catch (e) {
          log.failures.push({ player: p.name, action: a, error: e instanceof Error ? e.message : String(e) });
        }
      }
    }
    const view = await t.view();
    if (view.status !== "open") return log;
    await t.advance(acted ? (o.busy ?? 1n) : o.idle);
  }
  return log;
}

/** The model as a table. */
export function modelTable(m: GameModel): Table {
  return { view: () => m.view(), apply: (who, a) => m.apply(who, a), advance: (s) => m.advance(s) };
}

/**
 * A chaos adversary: each turn, a few random actions on random claims: moves with the true value, a made-up one or
 * a liar's, attacks or defenses; steps with the true trace on any leaf (including honest ones, which must fail).
 */
export function chaos(truth: MockProgram, rnd: () => number, liar: TraceOracle): (v: GameView) => GameAction[] {
  return (v) => {
    const out: GameAction[] = [];
    const n = Math.floor(rnd() * 3);
    for (let j = 0; j < n; j++) {
      const i = Math.floor(rnd() * v.claims.length);
      const c = v.claims[i];
      const d = depthOf(c.position);
      if (d === v.params.maxDepth) {
        const k = indexAtDepth(c.position);
        const isAttack = rnd() < 0.5;
        out.push({ type: "step", claimIndex: i, isAttack, preStateIndex: isAttack ? k : k + 1n });
        continue;
      }
      const isAttack = i === 0 || rnd() < 0.5;
      const position = movePosition(c.position, isAttack);
      const at = stateIndex(position, v.params.maxDepth);
      const r = rnd();
      const value = r < 0.4 ? mockState(truth, at) : r < 0.7 ? liar.stateAt(at) : "0x" + Math.floor(rnd() * 2 ** 48).toString(16).padStart(64, "0");
      out.push({ type: "move", parentIndex: i, disputed: c.value, value, isAttack, position, bond: v.params.bonds[depthOf(position)] });
    }
    return out;
  };
}

/** Model failures are expected of adversaries; anything else is a bug in the test. */
export function isRuleError(e: unknown): boolean {
  return e instanceof ModelError;
}

export { ZERO_ADDRESS };
