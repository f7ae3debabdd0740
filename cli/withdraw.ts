/**
 * moveset withdraw --amount 1: sends ETH to the withdrawal vault on L2 (protocol.md §6.5) and waits
 * for its batch on L1; then says when it can be claimed (`moveset claim`).
 */
import type { Command } from "commander";
import { ethAmount, nonNegativeInt } from "./common";
import { endpointOptions } from "./context";
import { CliError, guard } from "./errors";
import { progress } from "./progress";
import { KEY_OPTION, keyHelp, openSession } from "./session";

export function registerWithdraw(program: Command): void {
  const cmd = program
    .command("withdraw")
    .description("withdraw ETH from L2 to L1: a transfer to the withdrawal vault, claimable on L1 once its batch is final")
    .requiredOption("--amount <eth>", "ETH to withdraw, e.g. 1", ethAmount)
    .option(KEY_OPTION, keyHelp("the L2 sender's key (the L1 recipient is the same address)"))
    .option("--no-wait", "return once the node has accepted it")
    .option("--timeout <s>", "how long to wait for its batch", nonNegativeInt, 300)
    .option("--json", "print JSON");
  endpointOptions(cmd, ["l2", "deployment"]).action((o: { amount: bigint; key?: string; wait: boolean; timeout: number; json?: boolean; rpc?: string; deployment?: string }) =>
    guard(async () => {
      const s = await openSession("moveset withdraw", o, ["l2"], true);
      try {
        const { withdraw, waitForL2Tx } = await import("../client/bridge");
        const { eth, duration } = await import("../client/contracts");
        const r = await withdraw(s.l2, s.key!, o.amount);
        const window = Number(s.ctx.deployment!.challengeWindow);
        let block: number | undefined;
        if (o.wait) {
          const p = progress("waiting for its batch", { quiet: o.json });
          const rc = await waitForL2Tx(s.l2, r.l2Tx, o.timeout * 1000, (w) => p.waited(w));
          p.stop();
          block = rc.blockNumber;
          if (rc.status !== 1) throw new CliError(`the withdrawal ${r.l2Tx} reverted on L2`);
        }
        const out = { l2Tx: r.l2Tx, from: r.from, amount: r.amount.toString(), l2Block: block ?? null, challengeWindow: window };
        if (o.json) process.stdout.write(JSON.stringify(out) + "\n");
        else
          process.stdout.write(
            `withdrew ${eth(r.amount)} from ${r.from} in L2 tx ${r.l2Tx}${block !== undefined ? ` (block ${block})` : ""}: claimable on L1 about ${duration(
              window,
            )} after its batch is posted; \`npx moveset withdrawals\` shows it, \`npx moveset claim --tx ${r.l2Tx} --wait\` claims it\n`,
          );
      } finally {
        s.close();
      }
    }),
  );
}
