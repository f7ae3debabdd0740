/**
 * `moveset load --rpc <url>`: a seeded load against any Ethereum JSON-RPC endpoint (bench/load.ts,
 * docs/BENCHMARKS.md "Load"), reporting accepted and included transactions per second and the
 * latency percentiles; `--json` puts `{"acceptedTps","includedTps","p50Ms","p99Ms"}` on the last line.
 */
import { InvalidArgumentError, type Command } from "commander";
import { positiveInt } from "./common";
import { probe, devnetDir, DEFAULT_L2_URL } from "./context";
import { CliError, guard } from "./errors";
import { resolveKey } from "./keys";
import { KEY_OPTION } from "./session";
import type { LoadMix } from "../bench/load";

interface LoadCliOptions {
  rpc?: string;
  txs: number;
  accounts: number;
  mix: LoadMix;
  seed: string;
  key: string;
  timeout: number;
  json?: boolean;
}

/** The funder when --key is not given: Hardhat's dev account #1, funded by the devnet, a Hardhat node and anvil alike. */
export const DEFAULT_FUNDER = "1";

function mixArg(v: string): LoadMix {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseMix } = require("../bench/load") as typeof import("../bench/load");
  try {
    return parseMix(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function registerLoad(program: Command): void {
  program
    .command("load")
    .description(
      "a seeded load against any Ethereum JSON-RPC endpoint (moveset's L2, a Hardhat node, anvil): accounts funded from --key, every transaction pre-signed, " +
        "all sent at once (each account in nonce order); reports accepted and included tx/s and latency percentiles",
    )
    .option("--rpc <url>", `the JSON-RPC endpoint (default: $MOVESET_L2_URL, the running devnet's, or ${DEFAULT_L2_URL})`)
    .option("--txs <n>", "transactions in the timed load", positiveInt, 1000)
    .option("--accounts <n>", "accounts sending them (each sends its share)", positiveInt, 20)
    .option("--mix <kinds>", "kinds of transaction, comma-separated, each with an optional :weight (eth, erc20, swap; default eth)", mixArg, { eth: 1, erc20: 0, swap: 0 } as LoadMix)
    .option("--seed <seed>", "the load's seed (accounts, amounts, kinds)", "1")
    .option(KEY_OPTION, "the funder's key: an environment variable's name, a keystore file, or a dev account index of Hardhat's mnemonic", DEFAULT_FUNDER)
    .option("--timeout <s>", "how long the load may take to be included", positiveInt, 300)
    .option("--json", "print one JSON object on the last line")
    .action((o: LoadCliOptions) =>
      guard(async () => {
        const { readDevnetInfo } = await import("../node/devnet/info");
        const url = o.rpc || process.env.MOVESET_L2_URL || readDevnetInfo(devnetDir())?.rpcUrl || DEFAULT_L2_URL;
        if (!/^https?:\/\/[^\s/]+/i.test(url)) throw new CliError(`--rpc ${JSON.stringify(url)} is not an http(s) URL`);
        await probe(url, "the JSON-RPC endpoint");
        // Dev account indices name Hardhat's mnemonic, which every local node funds (not only the devnet).
        const key = await resolveKey(o.key, { isDevnet: true });
        const { runLoad, formatLoad, loadJson, LoadError, RpcCallError } = await import("../bench/load");
        let r;
        try {
          r = await runLoad({
            rpcUrl: url,
            txs: o.txs,
            accounts: o.accounts,
            mix: o.mix,
            seed: o.seed,
            funderKey: key,
            timeoutMs: o.timeout * 1000,
            say: (l) => process.stderr.write(`moveset load: ${l}\n`),
          });
        } catch (e) {
          if (e instanceof LoadError) throw new CliError(e.message);
          if (e instanceof RpcCallError) throw new CliError(`${url} refused ${e.method}: ${e.message}`);
          throw e;
        }
        process.stdout.write(formatLoad(r) + "\n");
        if (o.json) process.stdout.write(JSON.stringify(loadJson(r)) + "\n");
      }),
    );
}
