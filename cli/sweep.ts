/**
 * moveset sweep: the fee recipient turns its fee outputs into L2 balance (protocol.md §6.5), and
 * with --withdraw sends that balance to the withdrawal vault (node/sweep.ts).
 */
import type { Command } from "commander";
import { fail } from "./common";
import { resolveContext } from "./context";
import { guard } from "./errors";
import { resolveKey } from "./keys";
import { KEY_OPTION, keyHelp } from "./session";

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("sweep the fee recipient's fee outputs into its L2 balance (a zero-value transaction to itself; the node adds the sweeps), optionally withdraw it to L1")
    .option("--rpc <url>", "L2 JSON-RPC of a node (default: $MOVESET_L2_URL, the running devnet's, or http://127.0.0.1:8547)")
    .requiredOption(KEY_OPTION, keyHelp("the fee recipient's key"))
    .option("--withdraw", "then send the whole balance (less gas) to the withdrawal vault, claimable on L1 once final")
    .option("--json", "print JSON")
    .action(async (o: { rpc?: string; key: string; withdraw?: boolean; json?: boolean }) => {
      const { sweepFees, SweepError } = await import("../node/sweep");
      const { ConfigError } = await import("../node/config");
      let r!: Awaited<ReturnType<typeof sweepFees>>;
      await guard(async () => {
        const ctx = resolveContext("moveset sweep", o, []);
        const key = await resolveKey(o.key, { isDevnet: ctx.isDevnet || !!ctx.devnet });
        try {
          r = await sweepFees({ rpcUrl: ctx.l2Url!, key, withdraw: o.withdraw });
        } catch (e) {
          if (e instanceof SweepError || e instanceof ConfigError) fail(e.message);
          fail(`sweep failed: ${(e as Error).message}`);
        }
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
        return;
      }
      if (r.outputs === 0) process.stdout.write(`${r.address}: no fee outputs to sweep (balance ${r.balance} wei)\n`);
      else process.stdout.write(`${r.address}: swept ${r.swept} of ${r.outputs} fee outputs, ${r.sweptValue} wei, in ${r.sweepTx}; balance ${r.balance} wei\n`);
      if (r.withdrawTx) process.stdout.write(`withdrew ${r.withdrawn} wei in ${r.withdrawTx}: claim it on L1 (Bridge.claimWithdrawal with the header, index, declared gas, transaction and proof that moveset_getWithdrawalProof returns) once its batch is final\n`);
    });
}
