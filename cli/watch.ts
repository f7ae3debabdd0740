/**
 * The watchtower's commands:
 *   moveset watch      follow L1, revalidate every batch, and prove fraud (commit, reveal) on the
 *                      earliest invalid one; LevelDB state, pino logs, Prometheus metrics
 *   moveset challenge  build the fraud proof of one batch from the chain (a verifier sync) and send
 *                      it, or with --dry-run print its kind, size and estimated gas
 */
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import { nonNegativeInt, fail, ensureArtifacts } from "./common";

/** --key: an environment variable's name, or a keystore JSON file (password in MOVESET_KEYSTORE_PASSWORD). */
export async function resolveKey(key: string): Promise<string> {
  const { keyFromEnv, ConfigError } = await import("../node/config");
  if (fs.existsSync(key) && fs.statSync(key).isFile()) {
    const { Wallet } = await import("ethers");
    const pw = process.env.MOVESET_KEYSTORE_PASSWORD;
    if (pw === undefined) throw new ConfigError(`${key} is a keystore: set MOVESET_KEYSTORE_PASSWORD to its password`);
    try {
      return Wallet.fromEncryptedJsonSync(fs.readFileSync(key, "utf8"), pw).privateKey;
    } catch (e) {
      throw new ConfigError(`cannot open keystore ${key}: ${(e as Error).message}`);
    }
  }
  return keyFromEnv(key);
}

function loadRecord(file: string): { contracts: Record<string, string> } {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(`cannot read deployment file ${file}: ${(e as Error).message}`);
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

export function registerWatch(program: Command): void {
  // `moveset devnet` runs a watchtower (dev account #1) unless --no-watch: node/devnet.ts reads
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
    .requiredOption("--l1 <url>", "L1 JSON-RPC URL")
    .requiredOption("--deployment <file>", "deployment record")
    .requiredOption("--key <env var or keystore>", "environment variable holding the challenger's private key, or a keystore file (password in MOVESET_KEYSTORE_PASSWORD)")
    .option("--datadir <dir>", "data folder (LevelDB state: commitments with salts, proofs, settled batches)", ".moveset/watchtower")
    .option("--metrics-port <n>", "serve Prometheus metrics on this port (0: any free port)", nonNegativeInt)
    .option("--metrics-host <host>", "metrics interface", "127.0.0.1")
    .option("--confirmations <n>", "L1 confirmations before acting on a batch", nonNegativeInt, 1)
    .option("--poll <ms>", "L1 poll interval", nonNegativeInt, 500)
    .action(async (o: { l1: string; deployment: string; key: string; datadir: string; metricsPort?: number; metricsHost: string; confirmations: number; poll: number }) => {
      await ensureArtifacts();
      const { loadDeployment, ConfigError } = await import("../node/config");
      const { Watchtower } = await import("../node/watchtower/watchtower");
      const { rootLogger, errMsg } = await import("../node/log");
      let w;
      try {
        const deployment = loadDeployment(o.deployment);
        const key = await resolveKey(o.key);
        const crash = process.env.MOVESET_WATCH_CRASH_AT;
        w = await Watchtower.start({
          l1Url: o.l1,
          deployment,
          contracts: loadRecord(o.deployment).contracts,
          key,
          datadir: o.datadir,
          confirmations: o.confirmations,
          pollMs: o.poll,
          metricsPort: o.metricsPort,
          metricsHost: o.metricsHost,
          crashAt: crash === "after-commit" || crash === "before-reveal-broadcast" ? crash : undefined,
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
    .description("build the fraud proof of a batch from the chain (verifier sync) and prove it (commit, then reveal); --dry-run only prints it")
    .requiredOption("--batch <n>", "batch index", nonNegativeInt)
    .option("--tx <i>", "prove a fault of this transaction (default: the batch's cheapest provable fault)", nonNegativeInt)
    .option("--dry-run", "print kind, proof size (bytes) and estimated gas; send nothing")
    .requiredOption("--l1 <url>", "L1 JSON-RPC URL")
    .requiredOption("--deployment <file>", "deployment record")
    .option("--key <env var or keystore>", "challenger key (not needed with --dry-run)")
    .option("--datadir <dir>", "verifier data folder (a sync resumes from it)", ".moveset/challenge")
    .option("--json", "print JSON")
    .action(async (o: { batch: number; tx?: number; dryRun?: boolean; l1: string; deployment: string; key?: string; datadir: string; json?: boolean }) => {
      await ensureArtifacts();
      const { loadDeployment } = await import("../node/config");
      const { L1Client } = await import("../node/l1/client");
      const { Verifier } = await import("../node/verifier/verifier");
      const { rootLogger, componentLogger, errMsg } = await import("../node/log");
      const { buildProof, commitmentOf } = await import("../prover/build");
      const { abiOf } = await import("../node/l1/contracts");
      const { AbiCoder, Contract, Wallet, ethers } = await import("ethers");
      const deployment = loadDeployment(o.deployment);
      const contracts = loadRecord(o.deployment).contracts;
      const l1 = await L1Client.connect(o.l1, deployment);
      const v = await Verifier.open({
        l1,
        deployment,
        dbPath: path.join(o.datadir, "verifier", "db"),
        utxoPath: path.join(o.datadir, "verifier", "utxo"),
        opts: { confirmations: 0, pollMs: 500, workers: 0, logRange: 5000 },
        log: componentLogger("verifier", rootLogger()),
      });
      let code = 0;
      try {
        await v.syncToHead();
        const b = v.batches().find((x) => x.index === BigInt(o.batch) && x.status !== "rolled back");
        if (!b) fail(`batch ${o.batch} is not live`);
        if (b.verdict !== "invalid" || !b.fault) fail(`batch ${o.batch} is ${b.verdict === "valid" ? "valid" : "not checked (an earlier batch is invalid)"}: nothing to prove`);
        const all = b.faults ?? [b.fault];
        const { cheapestProvable } = await import("../prover/fault");
        const list = (xs: typeof all) => xs.map((x) => `${x.kind}/${x.code} at transaction ${x.txIndex}`).join(", ");
        const pick = o.tx === undefined ? all : all.filter((x) => x.txIndex === o.tx);
        if (pick.length === 0) fail(`transaction ${o.tx} of batch ${o.batch} has no fault (the verifier found ${list(all)})`);
        const f = cheapestProvable(pick);
        if (!f) fail(`only execution faults (${list(pick)}): interactive proof not yet supported`);
        const call = await buildProof(f, v.chainView());
        const proverAddr = contracts[call.prover];
        if (!proverAddr) fail(`the deployment has no ${call.prover}`);
        const size = (AbiCoder.defaultAbiCoder().encode(call.types, call.args).length - 2) / 2;
        const prover = new Contract(proverAddr, abiOf(call.prover, "fraud"), l1.provider);
        if (o.dryRun) {
          // Gas of the reveal, estimated as if committed: the commitment slot is overridden (geth-style
          // state override); where the node does not support overrides, the intrinsic gas of its calldata.
          const from = o.key ? new Wallet(await (await import("./watch")).resolveKey(o.key)).address : "0x000000000000000000000000000000000000c0de";
          const salt = "0x" + "11".repeat(32);
          const data = prover.interface.encodeFunctionData("prove", [...call.args, salt]);
          const commitment = commitmentOf(from, call.proofHash, salt);
          const inner = ethers.keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [from, 0]));
          const slot = ethers.keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [commitment, inner]));
          let gas: bigint;
          let method = "eth_estimateGas with a state override of the commitment";
          try {
            gas = BigInt(await l1.provider.send("eth_estimateGas", [{ from, to: proverAddr, data }, "latest", { [proverAddr]: { stateDiff: { [slot]: ethers.toBeHex(1, 32) } } }]));
          } catch {
            const bytes = ethers.getBytes(data);
            gas = 21000n + bytes.reduce((s, x) => s + (x === 0 ? 4n : 16n), 0n);
            method = "intrinsic gas of the calldata only (the node does not estimate with state overrides)";
          }
          const commitGas = BigInt(await l1.provider.estimateGas({ from, to: proverAddr, data: prover.interface.encodeFunctionData("commit", [commitment]) }));
          const out = { batch: o.batch, tx: f.txIndex, kind: f.kind, code: f.code, prover: call.prover, proofBytes: size, estimatedGas: gas.toString(), commitGas: commitGas.toString(), gasMethod: method };
          process.stdout.write((o.json ? JSON.stringify(out) : Object.entries(out).map(([k, x]) => `${k.padEnd(13)} ${x}`).join("\n")) + "\n");
        } else {
          if (!o.key) fail("--key is needed to send (or use --dry-run)");
          const w = new Wallet(await resolveKey(o.key), l1.provider);
          const p = prover.connect(w) as typeof prover;
          const salt = ethers.hexlify(ethers.randomBytes(32));
          const c = await p.getFunction("commit")(commitmentOf(w.address, call.proofHash, salt));
          await c.wait();
          // The reveal must be in a later block than the commitment.
          const cb = (await c.wait())!.blockNumber;
          while ((await l1.provider.getBlockNumber()) <= cb - 1) await new Promise((r) => setTimeout(r, 500));
          const r = await (await p.getFunction("prove")(...call.args, salt)).wait();
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
