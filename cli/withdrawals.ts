/**
 * moveset withdrawals: every withdrawal of an address with its status (waiting for its batch, in
 * the challenge window with the time left, claimable, claimed; client/withdrawals.ts).
 */
import type { Command } from "commander";
import { address, positiveInt } from "./common";
import { endpointOptions } from "./context";
import { CliError, guard } from "./errors";
import { countdownText } from "./progress";
import { KEY_OPTION, keyHelp, openSession } from "./session";
import type { Withdrawal } from "../client/withdrawals";

/** How a person reads a withdrawal's status. */
export function statusWords(w: Withdrawal, window: number, ascii = false): string {
  switch (w.status) {
    case "waiting":
      return `waiting for its batch${w.note ? ` (${w.note})` : ""}`;
    case "challenge":
      return `challenge window ${countdownText(window, w.secondsLeft ?? 0, ascii)}${w.note ? ` (${w.note})` : ""}`;
    case "claimable":
      return "claimable";
    case "claimed":
      return "claimed";
  }
}

export function registerWithdrawals(program: Command): void {
  const cmd = program
    .command("withdrawals")
    .description("list the withdrawals of an address with their status: waiting for its batch, in the challenge window (time left), claimable, claimed")
    .option(KEY_OPTION, keyHelp("whose withdrawals (or --address)"))
    .option("--address <address>", "whose withdrawals", address)
    .option("--limit <n>", "the newest n", positiveInt, 256)
    .option("--json", "print JSON: one array, each withdrawal with hash, seq, amount (wei), status, batchIndex, finalAt, secondsLeft");
  endpointOptions(cmd, ["l1", "l2", "deployment"]).action((o: { key?: string; address?: string; limit: number; json?: boolean; l1?: string; rpc?: string; deployment?: string }) =>
    guard(async () => {
      if (!o.key && !o.address) throw new CliError("moveset withdrawals: missing --key <key> or --address <address> (whose withdrawals)");
      const s = await openSession("moveset withdrawals", o, ["l1", "l2"], false);
      try {
        const { listWithdrawals, withdrawalJson } = await import("../client/withdrawals");
        const { eth } = await import("../client/contracts");
        const who = o.address ?? s.address!;
        const ws = await listWithdrawals(s.l1, s.l2, s.ctx.deployment!, who, o.limit);
        if (o.json) {
          process.stdout.write(JSON.stringify(ws.map(withdrawalJson)) + "\n");
          return;
        }
        const window = Number(s.ctx.deployment!.challengeWindow);
        if (ws.length === 0) {
          process.stdout.write(`${who} has no withdrawals (\`npx moveset withdraw --amount <eth>\` makes one)\n`);
          return;
        }
        process.stdout.write(`withdrawals of ${who} (challenge window ${window} s)\n`);
        process.stdout.write(`  ${"L2 transaction".padEnd(66)}  ${"amount".padStart(14)}  status\n`);
        for (const w of ws) process.stdout.write(`  ${w.hash}  ${eth(w.amount).padStart(14)}  ${statusWords(w, window, !process.stdout.isTTY)}\n`);
        const n = ws.filter((w) => w.status === "claimable").length;
        if (n) process.stdout.write(`${n} claimable: \`npx moveset claim --key <key>\` claims ${n > 1 ? "them" : "it"}\n`);
      } finally {
        s.close();
      }
    }),
  );
}
