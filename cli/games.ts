/**
 * `moveset games`: the dispute games on L1 (protocol.md §11.5), read from the DisputeGame: for each, the batch and
 * transaction it disputes, its status, how many claims, how deep, each side's chess clock, the bonds it holds.
 */
import type { Command } from "commander";
import { endpointOptions } from "./context";
import { CliError, guard } from "./errors";
import { KEY_OPTION, keyHelp, openSession } from "./session";
import { nonNegativeInt } from "./common";

/** One game as `moveset games` shows it. */
export interface GameRow {
  game: number;
  batch: number;
  tx: number;
  status: string;
  /** Claims after the root (the dispute's and every move). */
  moves: number;
  /** The deepest claim's depth (26: a leaf, answered by a step). */
  depth: number;
  challenger: string | null;
  /** Seconds each side has used on its clock, and the maximum. */
  clocks: { defender: number; challenger: number; max: number };
  /** Wei locked in the game's unresolved claims. */
  bonds: string;
}

export function registerGames(program: Command): void {
  const cmd = program
    .command("games")
    .description("the dispute games on L1: batch, transaction, status (open, challenger-won, defender-won), claims, depth, each side's clock, bonds held")
    .option("--json", "print JSON");
  endpointOptions(cmd, ["l1", "deployment"]).action((o: { json?: boolean; l1?: string; deployment?: string }) =>
    guard(async () => {
      const s = await openSession("moveset games", o, ["l1"], false);
      try {
        const rows = await readGames(s.l1, s.ctx.deployment!);
        if (o.json) {
          process.stdout.write(JSON.stringify(rows) + "\n");
          return;
        }
        if (rows.length === 0) process.stdout.write("no dispute games\n");
        for (const r of rows)
          process.stdout.write(
            `game ${r.game}: batch ${r.batch} tx ${r.tx}  ${r.status.padEnd(14)} ${r.moves} claims, depth ${r.depth}/26, clocks defender ${r.clocks.defender}s challenger ${r.clocks.challenger}s of ${r.clocks.max}s, bonds ${r.bonds} wei\n`,
          );
      } finally {
        s.close();
      }
    }),
  );
}

/** `moveset game-move` and `moveset game-resolve`: one action by hand. */
export function registerGameActions(program: Command): void {
  const move = program
    .command("game-move")
    .description("make one move by hand in a dispute game: attack (default) or defend claim --claim with the state hash --value, with the bond of the new depth")
    .requiredOption("--game <id>", "game id", nonNegativeInt)
    .requiredOption("--claim <i>", "the claim answered (its index)", nonNegativeInt)
    .requiredOption("--value <hash>", "the state hash claimed at the new position (32 bytes, 0x-hex)")
    .option("--defend", "defend the claim (the state after its range) instead of attacking it")
    .option(KEY_OPTION, keyHelp("the mover's key"))
    .option("--json", "print JSON");
  endpointOptions(move, ["l1", "deployment"]).action((o: { game: number; claim: number; value: string; defend?: boolean; key?: string; json?: boolean; l1?: string; deployment?: string }) =>
    guard(async () => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(o.value)) throw new CliError(`moveset game-move: --value must be a 32-byte hash (0x and 64 hex digits), got ${o.value}`);
      await act("moveset game-move", o, async (view, { movePosition, depthOf }) => {
        const c = view.claims[o.claim];
        if (!c) throw new CliError(`game ${o.game} has no claim ${o.claim} (it has ${view.claims.length})`);
        const position = movePosition(c.position, !o.defend);
        return { type: "move", parentIndex: o.claim, disputed: c.value, value: o.value.toLowerCase(), isAttack: !o.defend, position, bond: view.params.bonds[depthOf(position)] ?? 0n };
      });
    }),
  );
  const resolve = program
    .command("game-resolve")
    .description("resolve one claim of a dispute game by hand (its clock must have run out and its children be resolved; the root ends the game)")
    .requiredOption("--game <id>", "game id", nonNegativeInt)
    .requiredOption("--claim <i>", "the claim to resolve (its index)", nonNegativeInt)
    .option(KEY_OPTION, keyHelp("the resolver's key"))
    .option("--json", "print JSON");
  endpointOptions(resolve, ["l1", "deployment"]).action((o: { game: number; claim: number; key?: string; json?: boolean; l1?: string; deployment?: string }) =>
    guard(() => act("moveset game-resolve", o, async () => ({ type: "resolve", claimIndex: o.claim }))),
  );
}

/** Reads game `o.game`, builds one action from it and sends it; prints the transaction. */
async function act(
  command: string,
  o: { game: number; key?: string; json?: boolean; l1?: string; deployment?: string },
  build: (view: import("../node/watchtower/game-l1").L1Game, game: typeof import("../core/game")) => Promise<import("../node/watchtower/game-solver").GameAction>,
): Promise<void> {
  const s = await openSession(command, o, ["l1"], true);
  try {
    const d = s.ctx.deployment!;
    if (!d.game) throw new CliError(`${command}: the deployment has no dispute game`);
    const { gameAt, readGame, readGameParams } = await import("../node/watchtower/game-l1");
    const { actionCalls } = await import("../node/watchtower/game-actions");
    const coreGame = await import("../core/game");
    const game = gameAt(d.game.address, s.l1);
    const now = BigInt((await s.l1.getBlock("latest"))!.timestamp);
    const view = await readGame(game, BigInt(o.game), await readGameParams(game), now).catch(() => {
      throw new CliError(`${command}: no game ${o.game}`);
    });
    if (view.status !== "open") throw new CliError(`${command}: game ${o.game} is over (${view.status})`);
    const a = await build(view, coreGame);
    const calls = actionCalls(BigInt(o.game), a, { proofAt: () => ({ proof: "0x" }) });
    if (calls.kind !== "call") throw new CliError(`${command}: a step needs its proof: use \`moveset challenge\``);
    const { revertOf, gameInterface, inboxInterface } = await import("../node/l1/contracts");
    const tx = await s.signer!.sendTransaction({ to: d.game.address, data: calls.data, value: calls.value }).catch((e: unknown) => {
      const rv = revertOf(e, [gameInterface(), inboxInterface()]);
      throw new CliError(`${command}: the game refuses it${rv ? `: ${rv.name}(${rv.args.map(String).join(", ")})` : ""}`);
    });
    const rc = await tx.wait();
    const out = { game: o.game, action: a.type, l1Tx: tx.hash, status: rc?.status ?? 0, bond: calls.value.toString() };
    process.stdout.write((o.json ? JSON.stringify(out) : `${a.type} in game ${o.game}: L1 tx ${tx.hash} (status ${out.status}, bond ${out.bond} wei)`) + "\n");
    if (out.status !== 1) process.exitCode = 1;
  } finally {
    s.close();
  }
}

/** Every game of the deployment's DisputeGame, as `moveset games` shows it. */
export async function readGames(l1: import("ethers").JsonRpcProvider, d: import("../node/config").Deployment): Promise<GameRow[]> {
  if (!d.game) throw new CliError("moveset games: the deployment has no dispute game (deployed before the game: redeploy)");
  const { gameAt, gameCount, readGame, readGameParams } = await import("../node/watchtower/game-l1");
  const { challengerDuration, depthOf } = await import("../core/game");
  const game = gameAt(d.game.address, l1);
  const params = await readGameParams(game);
  const now = BigInt((await l1.getBlock("latest"))!.timestamp);
  const n = await gameCount(game);
  const rows: GameRow[] = [];
  for (let id = 1n; id <= n; id++) {
    const g = await readGame(game, id, params, now);
    const last = g.claims.length - 1;
    const c = g.claims[last];
    // The side that made the last claim has used its recorded duration; the other side's clock runs since it.
    const made = Number(c.duration);
    const answering = g.status === "open" ? Number(challengerDuration(g.claims, last, now, params)) : 0;
    const lastByChallenger = depthOf(c.position) % 2 === 1;
    rows.push({
      game: Number(id),
      batch: Number(g.batchIndex),
      tx: g.txIndex,
      status: g.status,
      moves: g.claims.length - 1,
      depth: Math.max(...g.claims.map((x) => depthOf(x.position))),
      challenger: g.claims[1]?.claimant ?? null,
      clocks: { defender: lastByChallenger ? answering : made, challenger: lastByChallenger ? made : answering, max: Number(params.maxClockDuration) },
      bonds: g.claims.filter((x) => !x.resolved).reduce((t, x) => t + x.bond, 0n).toString(),
    });
  }
  return rows;
}
