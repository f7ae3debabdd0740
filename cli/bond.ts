/**
 * A poster's bond in the Inbox (protocol.md §11.2):
 *   moveset bond [--amount eth]   adds to it (default: one bondSize, enough to post one batch at a time)
 *   moveset unbond [--wait]       withdraws the free part (--wait: until a locking batch is final)
 *   moveset bonds                 shows bond, locked, free, and how many batches the free part covers
 */
import type { Command } from "commander";
import { address, ethAmount, nonNegativeInt } from "./common";
import { endpointOptions } from "./context";
import { CliError, guard } from "./errors";
import { progress } from "./progress";
import { KEY_OPTION, keyHelp, openSession } from "./session";
import type { Bonds } from "../client/bonds";

function bondsLine(b: Bonds, eth: (w: bigint) => string): string {
  return `${b.address}: bond ${eth(b.bond)}, locked ${eth(b.locked)} (${b.locked / b.bondSize} live batch${b.locked / b.bondSize === 1n ? "" : "es"}), free ${eth(b.free)}: ${b.batches} more batch${
    b.batches === 1n ? "" : "es"
  } at a time (bond size ${eth(b.bondSize)})`;
}

const bondsJson = (b: Bonds) => ({ address: b.address, bond: b.bond.toString(), locked: b.locked.toString(), free: b.free.toString(), bondSize: b.bondSize.toString(), batches: Number(b.batches) });

export function registerBond(program: Command): void {
  const bond = program
    .command("bond")
    .description("add to a poster's bond in the Inbox (posting a batch needs one bond size free per live, non-final batch)")
    .option("--amount <eth>", "ETH to add (default: one bond size)", ethAmount)
    .option(KEY_OPTION, keyHelp("the poster's key"))
    .option("--json", "print JSON");
  endpointOptions(bond, ["l1", "deployment"]).action((o: { amount?: bigint; key?: string; json?: boolean; l1?: string; deployment?: string }) =>
    guard(async () => {
      const s = await openSession("moveset bond", o, ["l1"], true);
      try {
        const { addBond, bondsOf } = await import("../client/bonds");
        const { eth } = await import("../client/contracts");
        const d = s.ctx.deployment!;
        const amount = o.amount ?? d.bondSize;
        const r = await addBond(s.signer!, d, amount);
        const b = await bondsOf(s.l1, d, s.address!);
        if (o.json) process.stdout.write(JSON.stringify({ l1Tx: r.l1Tx, added: amount.toString(), ...bondsJson(b) }) + "\n");
        else process.stdout.write(`bonded ${eth(amount)} in L1 tx ${r.l1Tx}\n${bondsLine(b, eth)}\n`);
      } finally {
        s.close();
      }
    }),
  );

  const unbond = program
    .command("unbond")
    .description("withdraw a poster's free bond (the part no live, non-final batch of it locks)")
    .option(KEY_OPTION, keyHelp("the poster's key"))
    .option("--wait", "if all of it is locked, wait until the oldest locking batch is final (a countdown)")
    .option("--timeout <s>", "how long --wait waits", nonNegativeInt, 3600)
    .option("--json", "print JSON");
  endpointOptions(unbond, ["l1", "deployment"]).action((o: { key?: string; wait?: boolean; timeout: number; json?: boolean; l1?: string; deployment?: string }) =>
    guard(async () => {
      const s = await openSession("moveset unbond", o, ["l1"], true);
      try {
        const { unbond: doUnbond, bondsOf } = await import("../client/bonds");
        const { eth, duration, inboxOf } = await import("../client/contracts");
        const d = s.ctx.deployment!;
        const l1Now = async () => Number((await s.l1.getBlock("latest"))!.timestamp);
        const before = await bondsOf(s.l1, d, s.address!);
        if (before.bond === 0n) throw new CliError(`${s.address} has no bond in the Inbox`);
        if (before.free === 0n && o.wait) {
          const p = progress("bond locked", { quiet: o.json });
          const inbox = inboxOf(d, s.signer!);
          const deadline = Date.now() + o.timeout * 1000;
          for (;;) {
            if ((await bondsOf(s.l1, d, s.address!)).free > 0n) break;
            if (Date.now() > deadline) throw new CliError(`the bond is still locked after ${duration(o.timeout)}`);
            // The oldest locking batch and its end, as the Inbox names them.
            const lock = await inbox.unbond
              .staticCall()
              .then(
                () => undefined,
                (e) => (e as { revert?: { name: string; args: bigint[] } }).revert,
              );
            if (lock?.name === "BondLocked") p.left(Number(d.challengeWindow), Number(lock.args[1]) - (await l1Now()), `batch ${lock.args[0]}`);
            await new Promise((r) => setTimeout(r, 1000));
          }
          p.stop();
        }
        const r = await doUnbond(s.signer!, d, l1Now);
        const b = await bondsOf(s.l1, d, s.address!);
        if (o.json) process.stdout.write(JSON.stringify({ l1Tx: r.l1Tx, withdrawn: r.amount.toString(), ...bondsJson(b) }) + "\n");
        else process.stdout.write(`unbonded ${eth(r.amount)} to ${s.address} in L1 tx ${r.l1Tx}\n${bondsLine(b, eth)}\n`);
      } finally {
        s.close();
      }
    }),
  );

  const bonds = program
    .command("bonds")
    .description("a poster's bond in the Inbox: total, locked by live batches, free, and how many batches it covers")
    .option(KEY_OPTION, keyHelp("whose bond (or --address)"))
    .option("--address <address>", "whose bond", address)
    .option("--json", "print JSON");
  endpointOptions(bonds, ["l1", "deployment"]).action((o: { key?: string; address?: string; json?: boolean; l1?: string; deployment?: string }) =>
    guard(async () => {
      if (!o.key && !o.address) throw new CliError("moveset bonds: missing --key <key> or --address <address> (whose bond)");
      const s = await openSession("moveset bonds", o, ["l1"], false);
      try {
        const { bondsOf } = await import("../client/bonds");
        const { eth } = await import("../client/contracts");
        const b = await bondsOf(s.l1, s.ctx.deployment!, o.address ?? s.address!);
        process.stdout.write((o.json ? JSON.stringify(bondsJson(b)) : bondsLine(b, eth)) + "\n");
      } finally {
        s.close();
      }
    }),
  );
}
