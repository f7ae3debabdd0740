/**
 * The node's commands:
 *   moveset devnet      the whole local system (L1, contracts, coordinator, verifier, L2 RPC); `npm start`
 *   moveset node        the L2 node (coordinator + RPC, optionally a verifier) against an existing L1
 *   moveset verify      a verifier against an existing L1: verdict per batch
 *   moveset status      batches and their status, from a running node's RPC
 *   moveset post-batch  posts a batch JSON {header, data} exactly as given (testing fraud handling)
 */
import * as fs from "fs";
import { Command, Option } from "commander";
import { nonNegativeInt, uint, ensureArtifacts, fail, rpcCall, addRpcOptions, rpcOptionsFrom, type RpcFlags } from "./common";
import { resolveContext, checkL1, probe, L1_BEACON_OPTION, L1_BEACON_HELP } from "./context";
import { CliError, guard } from "./errors";
import { KEY_OPTION, keyHelp } from "./session";
import { DEVNET_BYZANTINE_KINDS } from "../node/devnet/byzantine";
import { DEVNET_L1S, type DevnetL1 } from "../node/devnet/anvil";
import { DEVNET_CORS, DEVNET_SUBMITS_PER_CLIENT } from "../node/config";
import { POST_MODES, type PostMode } from "../node/coordinator/post-mode";

const POST_MODE_HELP =
  "where batches are posted: calldata, blob (EIP-4844; a node reads them back from a beacon API, --l1-beacon, or an L1 that serves blobs, such as anvil), or auto (a blob where this node reads blobs back and it is cheaper at L1's current prices, else calldata; after a failed blob post, calldata for 5 minutes)";

/** Resolves on SIGINT/SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: string) => () => resolve(s);
    process.once("SIGINT", on("SIGINT"));
    process.once("SIGTERM", on("SIGTERM"));
  });
}

export function registerNode(program: Command): void {
  const devnet = program
    .command("devnet")
    .description("run a whole local system: L1 (in-process Hardhat network, or anvil), the contracts, the coordinator, a verifier and the L2 JSON-RPC; funds the dev accounts on L2")
    .addOption(
      new Option("--l1 <which>", "the L1: hardhat (in this process) or anvil (a child process, npm @foundry-rs/anvil or $MOVESET_ANVIL; takes blob transactions and serves blobs back, so batches go in blobs)")
        .choices([...DEVNET_L1S])
        .default("hardhat"),
    )
    .option("--datadir <dir>", "data folder (L2 state and the L1 journal or anvil's state); a restart resumes from it", ".moveset/devnet")
    .option("--fresh", "wipe the data folder first")
    .option("--l1-port <n>", "L1 JSON-RPC port", nonNegativeInt, 8545)
    .option("--rpc-port <n>", "L2 JSON-RPC port", nonNegativeInt, 8547)
    .option("--explorer-port <n>", "explorer (web page) port", nonNegativeInt, 8548)
    .option("--no-explorer", "do not serve the explorer")
    .option("--l1-block-time <ms>", "mine an L1 block this often even without transactions, so L1's clock and finality follow the wall clock (0: only for transactions)", nonNegativeInt, 1000)
    .option("--host <host>", "interface the servers listen on", "127.0.0.1")
    .addOption(new Option("--challenge-window <s>", "challenge window in seconds (new deployments only; default 5, and 30 with --byzantine blob)").argParser(uint))
    .addOption(
      new Option(
        "--byzantine <kind>",
        "post one invalid batch of this kind among honest ones (from dev account #2), for the watchtower to win; blob (--l1 anvil only): a blob batch whose blob does not give its declarations (the data fault); false-challenge: dev account #3 disputes an honest transaction and plays the game dishonestly, for the watchtower to defend",
      ).choices([...DEVNET_BYZANTINE_KINDS]),
    )
    .option("--batch-interval <ms>", "post a batch when its oldest transaction has waited this long", nonNegativeInt, 500)
    .option("--accounts <n>", "dev accounts to fund on L2", nonNegativeInt, 20)
    .option("--workers <n>", "verifier validation threads (0: in the main thread)", nonNegativeInt, 1)
    .addOption(new Option("--post-mode <mode>", `${POST_MODE_HELP}; default: calldata on --l1 hardhat (Hardhat's L1 takes no blobs), blob on --l1 anvil`).choices([...POST_MODES]))
    .option(
      "--compress",
      "compressed items (protocol.md §7.7), the default: deploy with the shipped dictionary (deploy/flz-dictionary.hex) and post each transaction FastLZ-compressed where that is shorter (new deployments; a kept one keeps its dictionary)",
    )
    .option("--no-compress", "deploy without a dictionary: every item is posted raw");
  addRpcOptions(devnet, DEVNET_CORS.join(","), DEVNET_SUBMITS_PER_CLIENT).action(
    async (o: RpcFlags & { l1: DevnetL1; postMode?: PostMode; datadir: string; fresh?: boolean; l1Port: number; rpcPort: number; explorerPort: number; explorer: boolean; l1BlockTime: number; host: string; challengeWindow?: bigint; batchInterval: number; accounts: number; workers: number; compress?: boolean; byzantine?: import("../node/devnet/byzantine").DevnetByzantineKind }) => {
      const { startDevnet, devnetBanner, DevnetOptionError } = await import("../node/devnet/devnet");
      const { rootLogger, errMsg } = await import("../node/log");
      const log = rootLogger();
      let d;
      try {
        d = await startDevnet({
          l1: o.l1,
          datadir: o.datadir,
          fresh: o.fresh,
          l1Host: o.host,
          l1Port: o.l1Port,
          rpcHost: o.host,
          rpcPort: o.rpcPort,
          challengeWindow: o.challengeWindow,
          batchIntervalMs: o.batchInterval,
          accounts: o.accounts,
          verifierWorkers: o.workers,
          byzantine: o.byzantine,
          postMode: o.postMode,
          compress: o.compress,
          rpc: rpcOptionsFrom(o),
          explorerPort: o.explorer ? o.explorerPort : undefined,
          l1BlockTimeMs: o.l1BlockTime,
          log,
        });
      } catch (e) {
        const { isLevelLocked, DatadirInUseError } = await import("../node/datadir");
        if (e instanceof DatadirInUseError || e instanceof DevnetOptionError) fail(e.message);
        if (isLevelLocked(e)) fail(new DatadirInUseError(o.datadir).message);
        if (/EADDRINUSE/.test(errMsg(e))) fail(`devnet did not start: ${errMsg(e).split("\n")[0]}: another program (another devnet?) has the port; stop it, or pass --l1-port, --rpc-port, --explorer-port`);
        fail(`devnet did not start: ${errMsg(e)}`);
      }
      process.stdout.write(devnetBanner(d, o.datadir) + "\n");
      log.info({ component: "devnet", l1: d.l1Url, l1ChainId: Number(d.deployment.l1ChainId), l2: d.rpcUrl, explorer: d.explorerUrl ?? null, l2ChainId: Number(d.deployment.l2ChainId), inbox: d.deployment.inbox, bridge: d.deployment.bridge, accounts: d.accounts.map((a) => a.address) }, "devnet ready");
      const l1Died = d.l1Died?.then((why) => ({ why }));
      const sig = await Promise.race([untilSignal(), ...(l1Died ? [l1Died] : [])]);
      if (typeof sig !== "string") {
        // The L1 (anvil) is gone: nothing can be posted or read; stop the rest and say how to resume.
        log.error({ component: "devnet", l1: d.l1, pid: d.l1Pid, reason: sig.why }, "L1 stopped");
        process.stderr.write(`moveset devnet: the L1 (anvil, pid ${d.l1Pid}) ${sig.why} while the devnet ran; stopping. Start \`moveset devnet --l1 anvil\` again with the same --datadir to resume from anvil's last saved state (or --fresh to start over)\n`);
        await d.stop();
        process.exit(1);
      }
      log.info({ component: "devnet", signal: sig }, "stopping");
      await d.stop();
      process.exit(0);
    },
  );

  const node = program
    .command("node")
    .description("run the L2 node against an existing L1: coordinator (posts batches when given a bonded key), JSON-RPC, optionally a verifier")
    .option("--l1 <url>", "L1 JSON-RPC URL (default: $MOVESET_L1_URL, or the running devnet's)")
    .option(L1_BEACON_OPTION, L1_BEACON_HELP)
    .option("--deployment <file>", "deployment record, deployments/<network>.json from `moveset deploy` (default: $MOVESET_DEPLOYMENT, or the running devnet's)")
    .option(KEY_OPTION, keyHelp("the coordinator's key (without: follow L1 only)"))
    .option("--datadir <dir>", "data folder", ".moveset/node")
    .option("--rpc-host <host>", "L2 JSON-RPC interface", "127.0.0.1")
    .option("--rpc-port <n>", "L2 JSON-RPC port", nonNegativeInt, 8547)
    .option("--verify", "run a verifier in this process too")
    .option("--confirmations <n>", "L1 confirmations for the verifier", nonNegativeInt, 1)
    .option("--batch-interval <ms>", "post a batch when its oldest transaction has waited this long", nonNegativeInt, 1000)
    .option("--max-batch-txs <n>", "post a batch once it holds this many transactions", nonNegativeInt, 256)
    .addOption(new Option("--l1-clock <which>", "header timestamps from L1's latest or pending block").choices(["latest", "pending"]).default("latest"))
    .option("--sweep-max <n>", "a transaction of a fee recipient sweeps up to this many of its fee outputs into its balance (0: none)", nonNegativeInt, 256)
    .addOption(new Option("--post-mode <mode>", POST_MODE_HELP).choices([...POST_MODES]).default("calldata"));
  addRpcOptions(node, "").action(
    async (o: RpcFlags & { postMode: PostMode; sweepMax: number; l1?: string; l1Beacon?: string; deployment?: string; key?: string; datadir: string; rpcHost: string; rpcPort: number; verify?: boolean; confirmations: number; batchInterval: number; maxBatchTxs: number; l1Clock: "latest" | "pending" }) => {
      await guard(async () => {
        const ctx = resolveContext("moveset node", o, ["l1", "deployment"]);
        await ensureArtifacts();
        await checkL1(ctx);
        const { resolveKey } = await import("./keys");
        const key = o.key ? await resolveKey(o.key, ctx) : undefined;
        if (key) await sayIfUnbonded(ctx, key, o.key!);
        const { startNode } = await import("../node/node");
        const { rootLogger, errMsg } = await import("../node/log");
        const { isLevelLocked, DatadirInUseError } = await import("../node/datadir");
        let node;
        try {
          const deployment = ctx.deployment!;
          node = await startNode({
            l1Url: ctx.l1Url!,
            l1Beacon: ctx.l1BeaconUrl,
            deployment,
            key,
            datadir: o.datadir,
            rpc: { ...rpcOptionsFrom(o), host: o.rpcHost, port: o.rpcPort },
            coordinator: { batchIntervalMs: o.batchInterval, maxBatchTxs: o.maxBatchTxs, sweepMax: o.sweepMax, postMode: o.postMode },
            verifier: o.verify ? { confirmations: o.confirmations } : false,
            l1Clock: o.l1Clock,
          });
        } catch (e) {
          if (isLevelLocked(e)) throw new DatadirInUseError(o.datadir);
          throw new CliError(`node did not start: ${errMsg(e)}`);
        }
        process.stdout.write(`moveset node: L2 JSON-RPC at ${node.rpcUrl}\n`);
        const sig = await untilSignal();
        rootLogger().info({ component: "node", signal: sig }, "stopping");
        await node.stop();
        process.exit(0);
      });
    },
  );

  program
    .command("verify")
    .description("follow L1 and check every batch: verdict per batch (the first failing transaction of an invalid one)")
    .option("--l1 <url>", "L1 JSON-RPC URL (default: $MOVESET_L1_URL, or the running devnet's)")
    .option(L1_BEACON_OPTION, L1_BEACON_HELP)
    .option("--deployment <file>", "deployment record (default: $MOVESET_DEPLOYMENT, or the running devnet's)")
    .option("--datadir <dir>", "data folder", ".moveset/verifier")
    .option("--confirmations <n>", "L1 confirmations", nonNegativeInt, 1)
    .option("--workers <n>", "validation threads (0: in the main thread)", nonNegativeInt, 1)
    .option("--once", "check up to L1's head, print the verdicts and exit (1 if a live batch is invalid)")
    .option("--json", "print the verdicts as JSON")
    .action(async (o: { l1?: string; l1Beacon?: string; deployment?: string; datadir: string; confirmations: number; workers: number; once?: boolean; json?: boolean }) => {
      const ctx = await guarded(async () => {
        const c = resolveContext("moveset verify", o, ["l1", "deployment"]);
        await ensureArtifacts();
        await checkL1(c);
        return c;
      });
      const { dataPaths } = await import("../node/config");
      const { L1Client } = await import("../node/l1/client");
      const { Verifier } = await import("../node/verifier/verifier");
      const { rootLogger, componentLogger } = await import("../node/log");
      const deployment = ctx.deployment!;
      const l1 = await guarded(() => L1Client.connect(ctx.l1Url!, deployment, undefined, { beacon: ctx.l1BeaconUrl, beaconOptions: { log: componentLogger("beacon", rootLogger()) } }));
      const paths = dataPaths(o.datadir);
      const v = await Verifier.open({ l1, deployment, dbPath: paths.verifier, utxoPath: paths.verifierUtxo, opts: { confirmations: o.confirmations, pollMs: 500, workers: o.workers, logRange: 5000 }, log: componentLogger("verifier", rootLogger()) });
      if (o.once) {
        await v.syncToHead();
        const rows = v.batches().map((b) => Verifier.viewJson(b));
        if (o.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        else printBatches(rows);
        const bad = v.batches().some((b) => b.status === "invalid");
        await v.close();
        l1.close();
        process.exit(bad ? 1 : 0);
      }
      await v.start();
      await untilSignal();
      await v.close();
      l1.close();
      process.exit(0);
    });

  program
    .command("status")
    .description("batches (index, transactions, status pending|final|invalid|rolled back, verdict) and dispute games from a running node")
    .option("--rpc <url>", "L2 JSON-RPC of a running node (default: $MOVESET_L2_URL, the running devnet's, or http://127.0.0.1:8547)")
    .option("--count <n>", "how many of the latest batches", nonNegativeInt, 50)
    .option("--json", "print JSON")
    .action(async (o: { rpc?: string; count: number; json?: boolean }) => {
      let status: Record<string, unknown> = {};
      let rows: Record<string, unknown>[] = [];
      let games: Record<string, unknown>[] = [];
      await guard(async () => {
        const url = resolveContext("moveset status", o, []).l2Url!;
        await probe(url, "the L2 node");
        try {
          status = (await rpcCall(url, "moveset_status")) as Record<string, unknown>;
          rows = (await rpcCall(url, "moveset_batches", [null, "0x" + o.count.toString(16)])) as Record<string, unknown>[];
          games = (await rpcCall(url, "moveset_games")) as Record<string, unknown>[];
        } catch (e) {
          throw new CliError(`cannot read status from ${url}: ${(e as Error).message}`);
        }
      });
      if (o.json) {
        process.stdout.write(JSON.stringify({ ...status, batches: rows, games }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`L2 chain ${status.l2ChainId} (L1 chain ${status.l1ChainId}), block ${status.blockNumber}, mempool ${status.mempool ?? "-"}, inbox ${status.inbox}\n`);
      const c = status.coordinator as { halted?: { index: number; reason: string } } | null;
      if (c?.halted) process.stdout.write(`coordinator halted at batch ${c.halted.index}: ${c.halted.reason}\n`);
      printBatches(rows);
      for (const g of games) process.stdout.write(`game ${g.game}: batch ${g.batch} transaction ${g.tx}, ${g.status}, ${g.moves} claims\n`);
    });

  program
    .command("post-batch")
    .description("post a batch exactly as given (JSON {header, data}) with appendBatch; for testing verifiers and fraud proofs")
    .argument("<file>", "batch JSON: {\"header\": {index, parent, firstSeq, txCount, txRoot, number, timestamp, feeRecipient, baseFee, depositStart, depositEnd, dataHash}, \"data\": \"0x...\"}")
    .requiredOption("--unsafe", "acknowledge that the batch is posted unchecked (an invalid one costs the bond)")
    .option("--l1 <url>", "L1 JSON-RPC URL (default: $MOVESET_L1_URL, or the running devnet's)")
    .option("--deployment <file>", "deployment record (default: $MOVESET_DEPLOYMENT, or the running devnet's)")
    .option(KEY_OPTION, keyHelp("the bonded poster's key"))
    .action(async (file: string, o: { l1?: string; deployment?: string; key?: string }) => {
      const { ctx, key } = await guarded(async () => {
        const c = resolveContext("moveset post-batch", o, ["l1", "deployment"], process.env, o.key ? [] : ["--key <key>"]);
        await ensureArtifacts();
        await checkL1(c);
        const { resolveKey } = await import("./keys");
        return { ctx: c, key: await resolveKey(o.key!, c) };
      });
      const { L1Client, L1RevertError } = await import("../node/l1/client");
      const { headerFromJson } = await import("../node/l1/contracts");
      const { hexToBytes, bytesToHex } = await import("../core/bytes");
      const { headerHash } = await import("../core/batch");
      let j: { header: Record<string, unknown>; data: string };
      try {
        j = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch (e) {
        fail(`cannot read ${file}: ${(e as Error).message}`);
      }
      if (typeof j.data !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(j.data)) fail("data must be 0x-hex bytes");
      const header = headerFromJson(j.header);
      const l1 = await L1Client.connect(ctx.l1Url!, ctx.deployment!, key);
      try {
        const tx = await l1.appendBatch(header, hexToBytes(j.data as `0x${string}`));
        const r = await l1.wait(tx, 120_000);
        process.stdout.write(JSON.stringify({ l1Tx: tx.hash, l1Block: r.blockNumber, status: r.status, index: header.index.toString(), headerHash: bytesToHex(headerHash(header)) }) + "\n");
      } catch (e) {
        if (e instanceof L1RevertError) fail(`appendBatch reverted: ${e.message}`);
        throw e;
      } finally {
        l1.close();
      }
    });
}

/** `guard` for a value: one line and exit 1 on an error a person can act on. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  let v: T | undefined;
  await guard(async () => {
    v = await fn();
  });
  return v as T;
}

/**
 * `moveset node --key` with a key that has no bond: posting is impossible until it bonds. Says so
 * once, with the command that fixes it; the node then follows L1 and posts once it is bonded (the
 * coordinator checks the free bond on every tick, quietly).
 */
async function sayIfUnbonded(ctx: import("./context").Context, key: string, keySpec: string): Promise<void> {
  const { bondsOf } = await import("../client/bonds");
  const { eth } = await import("../client/contracts");
  const { l1Provider } = await import("../client/bridge");
  const { Wallet } = await import("ethers");
  const l1 = l1Provider(ctx.l1Url!, ctx.deployment!.l1ChainId);
  try {
    const me = new Wallet(key).address;
    const b = await bondsOf(l1, ctx.deployment!, me);
    if (b.bond === 0n)
      process.stderr.write(
        `moveset node: ${me} has no bond in the Inbox, so it cannot post batches (each needs ${eth(b.bondSize)} free): run \`npx moveset bond --key ${keySpec}\`; until then the node follows L1 and does not post\n`,
      );
  } finally {
    l1.destroy();
  }
}

function printBatches(rows: Record<string, unknown>[]): void {
  process.stdout.write(`${"index".padStart(6)}  ${"txs".padStart(5)}  ${"status".padEnd(12)}  verdict\n`);
  for (const r of rows) {
    const f = r.fault as { kind: string; code: string; txIndex: number; message: string } | undefined;
    const verdict = f ? `invalid: ${f.kind}/${f.code} at tx ${f.txIndex} (${f.message})` : r.unreadable ? `unchecked: data not read (${r.unreadable})` : String(r.verdict);
    process.stdout.write(`${String(r.index).padStart(6)}  ${String(r.txCount).padStart(5)}  ${String(r.status).padEnd(12)}  ${verdict}\n`);
  }
}
