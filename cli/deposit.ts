/**
 * moveset deposit --amount 1.5 [--to addr]: queues a deposit on L1 (Bridge.deposit) and waits until
 * L2 credits it (the deposit transaction of its queue index), showing how long it has waited.
 */
import type { Command } from "commander";
import { address, ethAmount, nonNegativeInt } from "./common";
import { endpointOptions } from "./context";
import { guard } from "./errors";
import { progress } from "./progress";
import { KEY_OPTION, keyHelp, openSession } from "./session";

export function registerDeposit(program: Command): void {
  const cmd = program
    .command("deposit")
    .description("deposit ETH from L1 to L2 (Bridge.deposit) and wait until L2 credits it")
    .requiredOption("--amount <eth>", "ETH to deposit, e.g. 1.5", ethAmount)
    .option("--to <address>", "L2 recipient (default: the key's own address)", address)
    .option(KEY_OPTION, keyHelp("the L1 sender's key"))
    .option("--no-wait", "return once L1 has queued it")
    .option("--timeout <s>", "how long to wait for L2", nonNegativeInt, 300)
    .option("--json", "print JSON");
  endpointOptions(cmd, ["l1", "l2", "deployment"]).action(
    (o: { amount: bigint; to?: string; key?: string; wait: boolean; timeout: number; json?: boolean; l1?: string; rpc?: string; deployment?: string }) =>
      guard(async () => {
        const s = await openSession("moveset deposit", o, o.wait ? ["l1", "l2"] : ["l1"], true);
        try {
          const { deposit, waitForL2Tx } = await import("../client/bridge");
          const { eth } = await import("../client/contracts");
          const r = await deposit(s.signer!, s.ctx.deployment!, o.to ?? s.address!, o.amount);
          if (!o.json) process.stderr.write(`queued ${eth(r.amount)} from ${s.address} to ${r.to} on L2: deposit #${r.index}, L1 tx ${r.l1Tx}\n`);
          let l2Block: number | undefined;
          if (o.wait) {
            const p = progress("waiting for L2 to credit it", { quiet: o.json });
            const rc = await waitForL2Tx(s.l2, r.l2Tx, o.timeout * 1000, (w) => p.waited(w, "the coordinator includes deposits in its next batch"));
            p.stop();
            l2Block = rc.blockNumber;
          }
          const out = { l1Tx: r.l1Tx, index: r.index.toString(), from: s.address, to: r.to, amount: r.amount.toString(), l2Tx: r.l2Tx, l2Block: l2Block ?? null };
          if (o.json) process.stdout.write(JSON.stringify(out) + "\n");
          else if (l2Block !== undefined) process.stdout.write(`credited ${eth(r.amount)} to ${r.to} on L2 in block ${l2Block} (tx ${r.l2Tx})\n`);
          else process.stdout.write(`L2 tx ${r.l2Tx} will credit it once a batch includes deposit #${r.index}\n`);
        } finally {
          s.close();
        }
      }),
  );
}
