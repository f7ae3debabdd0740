/**
 * The watchtower's commands:
 *   moveset watch      follow L1, revalidate every batch, and prove fraud (commit, reveal) on the
 *                      earliest invalid one; LevelDB state, pino logs, Prometheus metrics
 *   moveset challenge  build the fraud proof of one batch from the chain (a verifier sync) and send
 *                      it, or with --dry-run print its kind, size and estimated gas
 */
import * as path from "path";
import { Command } from "commander";
import { nonNegativeInt, fail, ensureArtifacts } from "./common";
import { checkL1, resolveContext, L1_BEACON_OPTION, L1_BEACON_HELP, type Context } from "./context";
import { guard } from "./errors";
import { resolveKey } from "./keys";
import { KEY_OPTION, keyHelp } from "./session";

/** Resolves the endpoints and the key (if given or needed), or prints one line and exits. */
async function setup(command: string, o: { l1?: string; l1Beacon?: string; deployment?: string; key?: string }, keyNeeded: boolean): Promise<{ ctx: Context; key?: string }> {
  let out: { ctx: Context; key?: string } | undefined;
  await guard(async () => {
    const ctx = resolveContext(command, o, ["l1", "deployment"], process.env, keyNeeded && !o.key ? ["--key <key>"] : []);
    await ensureArtifacts();
    await checkL1(ctx);
    out = { ctx, key: o.key ? await resolveKey(o.key, ctx) : undefined };
  });
  return out!;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

/** Why `--batch n` names nothing to challenge, with the batches there are. */
export function noSuchBatch(n: number, batches: { index: bigint; status: string }[]): string {
  const live = batches.filter((b) => b.status !== "rolled back");
  const last = live.length ? live[live.length - 1].index : undefined;
  if (batches.some((b) => b.index === BigInt(n))) return `batch ${n} was rolled back and is not live${last !== undefined ? ` (the latest batch is ${last})` : " (no batch is live)"}: nothing to challenge`;
  return last === undefined ? `no batch ${n}: L1 has no batch yet` : `no batch ${n}: the latest batch is ${last} (\`npx moveset status\` lists them)`;
}

export function registerWatch(program: Command): void {
  // `moveset devnet` runs a watchtower (dev account #1) unless --no-watch: node/devnet/devnet.ts reads
  // MOVESET_DEVNET_WATCH (the devnet command itself lives in cli/node.ts).
  const devnet = program.commands.find((c) => c.name() === "devnet");
  if (devnet) {
    devnet.option("--no-watch", "do not run a watchtower (dev account #1)");
    devnet.hook("preAction", (cmd) => {
      process.env.MOVESET_DEVNET_WATCH = cmd.opts().watch === false ? "0" : "1";
    });
  }
  program
    .command("watch")
    .description("run a watchtower: follow L1, revalidate every batch, prove fraud on the earliest invalid batch (commit, reveal) and collect the reward")
    .option("--l1 <url>", "L1 JSON-RPC URL (default: $MOVESET_L1_URL, or the running devnet's)")
    .option(L1_BEACON_OPTION, L1_BEACON_HELP)
    .option("--deployment <file>", "deployment record (default: $MOVESET_DEPLOYMENT, or the running devnet's)")
    .option(KEY_OPTION, keyHelp("the challenger's key"))
    .option("--datadir <dir>", "data folder (LevelDB state: commitments with salts, proofs, settled batches)", ".moveset/watchtower")
    .option("--metrics-port <n>", "serve Prometheus metrics on this port (0: any free port)", nonNegativeInt)
    .option("--metrics-host <host>", "metrics interface", "127.0.0.1")
    .option("--confirmations <n>", "L1 confirmations before acting on a batch", nonNegativeInt, 1)
    .option("--poll <ms>", "L1 poll interval", nonNegativeInt, 500)
    .option("--workers <n>", "validation threads revalidating batches (0: in the main thread, which then also answers L1 and plays games)", nonNegativeInt, 1)
    .action(async (o: { l1?: string; l1Beacon?: string; deployment?: string; key?: string; datadir: string; metricsPort?: number; metricsHost: string; confirmations: number; poll: number; workers: number }) => {
      const { ctx, key } = await setup("moveset watch", o, true);
      const { ConfigError } = await import("../node/config");
      const { Watchtower } = await import("../node/watchtower/watchtower");
      const { rootLogger, errMsg } = await import("../node/log");
      let w;
      try {
        const deployment = ctx.deployment!;
        const crash = process.env.MOVESET_WATCH_CRASH_AT;
        w = await Watchtower.start({
          l1Url: ctx.l1Url!,
          l1Beacon: ctx.l1BeaconUrl,
          deployment,
          contracts: ctx.record!.contracts,
          key: key!,
          datadir: o.datadir,
          confirmations: o.confirmations,
          pollMs: o.poll,
          verifierWorkers: o.workers,
          metricsPort: o.metricsPort,
          metricsHost: o.metricsHost,
          crashAt: crash === "after-commit" || crash === "before-reveal-broadcast" ? crash : undefined,
          crashAfterMoves: process.env.MOVESET_WATCH_CRASH_AFTER_MOVES ? Number(process.env.MOVESET_WATCH_CRASH_AFTER_MOVES) : undefined,
        });
      } catch (e) {
        fail(e instanceof ConfigError ? e.message : `watchtower did not start: ${errMsg(e)}`);
      }
      process.stdout.write(JSON.stringify({ msg: "watchtower ready", address: w.address, metricsPort: w.metricsPort ?? null }) + "\n");
      const sig = await untilSignal();
      rootLogger().info({ component: "watchtower", signal: sig }, "stopping");
      await w.stop();
      process.exit(0);
    });

  program
    .command("challenge")
    .description(
      "build the fraud proof of a batch from the chain (verifier sync) and prove it (commit, then reveal); an execution fault is disputed and its game played to the end; --dry-run only prints it",
    )
    .requiredOption("--batch <n>", "batch index", nonNegativeInt)
    .option("--tx <i>", "prove a fault of this transaction (default: the batch's cheapest provable fault, else its first execution fault)", nonNegativeInt)
    .option("--dry-run", "print kind, proof size (bytes) and estimated gas (an execution fault: the trace and the dispute's gas); send nothing")
    .option("--l1 <url>", "L1 JSON-RPC URL (default: $MOVESET_L1_URL, or the running devnet's)")
    .option(L1_BEACON_OPTION, L1_BEACON_HELP)
    .option("--deployment <file>", "deployment record (default: $MOVESET_DEPLOYMENT, or the running devnet's)")
    .option(KEY_OPTION, keyHelp("the challenger's key (not needed with --dry-run)"))
    .option("--datadir <dir>", "verifier data folder (a sync resumes from it; default: .moveset/challenge/<the deployment's Inbox address>, so another deployment never reads this one's sync)")
    .option("--json", "print JSON")
    .action(async (o: { batch: number; tx?: number; dryRun?: boolean; l1?: string; l1Beacon?: string; deployment?: string; key?: string; datadir?: string; json?: boolean }) => {
      const { ctx, key } = await setup("moveset challenge", o, !o.dryRun);
      const { L1Client } = await import("../node/l1/client");
      const { Verifier } = await import("../node/verifier/verifier");
      const { rootLogger, componentLogger, errMsg } = await import("../node/log");
      const { buildProof, commitmentOf } = await import("../prover/build");
      const { proverAt } = await import("../node/l1/contracts");
      const { AbiCoder, Wallet, ethers } = await import("ethers");
      const deployment = ctx.deployment!;
      const contracts = ctx.record!.contracts;
      const datadir = o.datadir ?? path.join(".moveset", "challenge", contracts.Inbox.toLowerCase());
      let l1!: import("../node/l1/client").L1Client;
      await guard(async () => {
        l1 = await L1Client.connect(ctx.l1Url!, deployment, undefined, { beacon: ctx.l1BeaconUrl, beaconOptions: { log: componentLogger("beacon", rootLogger()) } });
      });
      const v = await Verifier.open({
        l1,
        deployment,
        dbPath: path.join(datadir, "verifier", "db"),
        utxoPath: path.join(datadir, "verifier", "utxo"),
        opts: { confirmations: 0, pollMs: 500, workers: 0, logRange: 5000 },
        log: componentLogger("verifier", rootLogger()),
      });
      let code = 0;
      try {
        await v.syncToHead();
        const b = v.batches().find((x) => x.index === BigInt(o.batch) && x.status !== "rolled back");
        if (!b) fail(noSuchBatch(o.batch, v.batches()));
        if (b.verdict !== "invalid" || !b.fault) fail(`batch ${o.batch} is ${b.verdict === "valid" ? "valid" : "not checked (an earlier batch is invalid)"}: nothing to prove`);
        const all = b.faults ?? [b.fault];
        const { cheapestProvable } = await import("../prover/fault");
        const list = (xs: typeof all) => xs.map((x) => `${x.kind}/${x.code} at transaction ${x.txIndex}`).join(", ");
        const pick = o.tx === undefined ? all : all.filter((x) => x.txIndex === o.tx);
        if (pick.length === 0) fail(`transaction ${o.tx} of batch ${o.batch} has no fault (the verifier found ${list(all)})`);
        const f = cheapestProvable(pick);
        if (!f) {
          // Only execution faults: the dispute game, on the first of them.
          const ef = pick.filter((x) => x.kind === "execution").sort((x, y) => x.txIndex - y.txIndex)[0];
          const { challengeExecution } = await import("./challenge-game");
          code = await challengeExecution({ v, l1, deployment, headerHash: b.headerHash, fault: ef, key, dryRun: o.dryRun, json: o.json, datadir });
          return;
        }
        const call = await buildProof(f, v.chainView());
        const proverAddr = contracts[call.prover];
        if (!proverAddr) fail(`the deployment has no ${call.prover}`);
        const size = (AbiCoder.defaultAbiCoder().encode(call.types, call.args).length - 2) / 2;
        const prover = proverAt(call.prover, proverAddr, l1.provider);
        if (o.dryRun) {
          // Gas of the reveal, estimated as if committed: the commitment slot is overridden (geth-style
          // state override); where the node does not support overrides, the intrinsic gas of its calldata.
          const from = key ? new Wallet(key).address : "0x000000000000000000000000000000000000c0de";
          const salt = "0x" + "11".repeat(32);
          const data = prover.interface.encodeFunctionData(call.method as never, [...call.args, salt] as never);
          const commitment = commitmentOf(from, call.proofHash, salt);
          const { estimateAsCommitted } = await import("./challenge-game");
          const { gas, method } = await estimateAsCommitted(l1, proverAddr, data, from, commitment);
          const commitGas = BigInt(await l1.provider.estimateGas({ from, to: proverAddr, data: prover.interface.encodeFunctionData("commit", [commitment]) }));
          const out = { batch: o.batch, tx: f.txIndex, kind: f.kind, code: f.code, prover: call.prover, proofBytes: size, estimatedGas: gas.toString(), commitGas: commitGas.toString(), gasMethod: method };
          process.stdout.write((o.json ? JSON.stringify(out) : Object.entries(out).map(([k, x]) => `${k.padEnd(13)} ${x}`).join("\n")) + "\n");
        } else {
          if (!key) fail("--key is needed to send (or use --dry-run)");
          const w = new Wallet(key, l1.provider);
          const p = prover.connect(w);
          const salt = ethers.hexlify(ethers.randomBytes(32));
          const c = await p.commit(commitmentOf(w.address, call.proofHash, salt));
          await c.wait();
          // The reveal must be in a later block than the commitment.
          const cb = (await c.wait())!.blockNumber;
          while ((await l1.provider.getBlockNumber()) <= cb - 1) await new Promise((r) => setTimeout(r, 500));
          // The kind's prove takes the arguments buildProof made for it (its own ABI).
          const r = await (await w.sendTransaction({ to: proverAddr, data: prover.interface.encodeFunctionData(call.method as never, [...call.args, salt] as never) })).wait();
          const out = { batch: o.batch, tx: f.txIndex, kind: f.kind, prover: call.prover, commitTx: c.hash, proveTx: r!.hash, status: r!.status };
          process.stdout.write(JSON.stringify(out) + "\n");
          if (r!.status !== 1) code = 1;
        }
      } catch (e) {
        console.error(`moveset: challenge failed: ${errMsg(e)}`);
        code = 1;
      } finally {
        await v.close();
        l1.close();
      }
      process.exit(code);
    });
}
