/**
 * moveset claim [--all | --tx hash] [--wait]: claims final withdrawals on L1 (Bridge.claimWithdrawal
 * with the inclusion proof from moveset_getWithdrawalProof). --wait counts the challenge window
 * down (a progress bar) and claims as soon as L1 calls the batch final.
 */
import type { Command } from "commander";
import { address, hash32, nonNegativeInt } from "./common";
import { endpointOptions } from "./context";
import { CliError, guard } from "./errors";
import { progress } from "./progress";
import { KEY_OPTION, keyHelp, openSession } from "./session";
import type { Withdrawal } from "../client/withdrawals";

export function registerClaim(program: Command): void {
  const cmd = program
    .command("claim")
    .description("claim withdrawals on L1 once their batch is final (all claimable ones of the key's address, or one with --tx)")
    .option(KEY_OPTION, keyHelp("who pays the L1 gas (its own withdrawals are claimed; anyone may claim anyone's)"))
    .option("--tx <hash>", "claim the withdrawal of this L2 transaction", hash32)
    .option("--all", "claim every claimable withdrawal of the address (the default without --tx)")
    .option("--address <address>", "whose withdrawals --all claims (default: the key's)", address)
    .option("--wait", "wait for the challenge window to pass (a countdown), then claim")
    .option("--timeout <s>", "how long --wait waits", nonNegativeInt, 3600)
    .option("--json", "print JSON");
  endpointOptions(cmd, ["l1", "l2", "deployment"]).action(
    (o: { key?: string; tx?: string; all?: boolean; address?: string; wait?: boolean; timeout: number; json?: boolean; l1?: string; rpc?: string; deployment?: string }) =>
      guard(async () => {
        if (o.tx && o.all) throw new CliError("moveset claim: --tx and --all exclude each other");
        const s = await openSession("moveset claim", o, ["l1", "l2"], true);
        try {
          const { listWithdrawals, claimWithdrawal } = await import("../client/withdrawals");
          const { eth, duration } = await import("../client/contracts");
          const d = s.ctx.deployment!;
          const window = Number(d.challengeWindow);
          const owner = o.address ?? s.address!;
          const pick = async (): Promise<Withdrawal[]> => {
            if (!o.tx) return listWithdrawals(s.l1, s.l2, d, owner);
            const found = (await listWithdrawals(s.l1, s.l2, d, owner)).filter((w) => w.hash === o.tx);
            if (found.length) return found;
            // Someone else's withdrawal: find its owner through the proof.
            const p = (await s.l2.send("moveset_getWithdrawalProof", [o.tx])) as { recipient: string | null } | null;
            if (!p) throw new CliError(`the L2 node knows no posted transaction ${o.tx} (still waiting for its batch? \`npx moveset withdrawals\`)`);
            if (!p.recipient) throw new CliError(`transaction ${o.tx} withdrew nothing (it sent no ETH to the withdrawal vault)`);
            return (await listWithdrawals(s.l1, s.l2, d, p.recipient)).filter((w) => w.hash === o.tx);
          };
          let ws = await pick();
          if (o.wait) {
            const p = progress("challenge window", { quiet: o.json });
            const deadline = Date.now() + o.timeout * 1000;
            for (;;) {
              const open = ws.filter((w) => w.status === "challenge" || (o.tx && w.status === "waiting"));
              if (open.length === 0) break;
              if (Date.now() > deadline) throw new CliError(`still not final after ${duration(o.timeout)}: ${open.map((w) => `${w.hash} ${w.status}`).join(", ")}`);
              const left = Math.max(...open.map((w) => w.secondsLeft ?? window));
              const note = open.find((w) => w.note)?.note;
              if (open.some((w) => w.status === "challenge")) p.left(window, left, note);
              else p.waited(0, "waiting for its batch");
              await new Promise((r) => setTimeout(r, 1000));
              ws = await pick();
            }
            p.stop();
          }
          const claimable = ws.filter((w) => w.status === "claimable");
          if (o.tx) {
            const w = ws[0];
            if (!w) throw new CliError(`no withdrawal ${o.tx}`);
            if (w.status === "claimed") throw new CliError(`the withdrawal of ${o.tx} was already claimed`);
            if (w.status === "waiting") throw new CliError(`the withdrawal of ${o.tx} is still waiting for its batch: add --wait`);
            if (w.status === "challenge")
              throw new CliError(
                `the withdrawal of ${o.tx} is not final yet: ${duration(w.secondsLeft ?? 0)} of the challenge window left${w.note ? ` (${w.note})` : ""}; add --wait to wait and claim`,
              );
          } else if (claimable.length === 0) {
            const n = (st: string) => ws.filter((w) => w.status === st).length;
            const msg = `nothing to claim for ${owner}: ${n("challenge")} in the challenge window${n("challenge") ? " (add --wait)" : ""}, ${n("waiting")} waiting for their batch, ${n(
              "claimed",
            )} claimed`;
            if (o.json) process.stdout.write(JSON.stringify({ claimed: [] }) + "\n");
            else process.stdout.write(msg + "\n");
            return;
          }
          const done: Record<string, string>[] = [];
          for (const w of claimable) {
            const r = await claimWithdrawal(s.signer!, s.l2, d, w.hash);
            done.push({ l2Tx: w.hash, amount: r.amount.toString(), recipient: r.recipient, l1Tx: r.l1Tx });
            if (!o.json) process.stdout.write(`claimed ${eth(r.amount)} for ${r.recipient} (L2 tx ${w.hash}) in L1 tx ${r.l1Tx}\n`);
          }
          if (o.json) process.stdout.write(JSON.stringify({ claimed: done }) + "\n");
        } finally {
          s.close();
        }
      }),
  );
}
