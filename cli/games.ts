/**
 * `moveset games`: the dispute games on L1 (protocol.md §11.5), read from the DisputeGame: for each, the batch and
 * transaction it disputes, its status, how many claims, how deep, each side's chess clock, the bonds it holds.
 */
import type { Command } from "commander";
import { endpointOptions } from "./context";
import { CliError, guard } from "./errors";
import { openSession } from "./session";

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
