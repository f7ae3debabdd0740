/** `moveset deploy` on the command line: the flags; what it does is deploy/run.ts (`runDeploy`). */
import { Command, InvalidArgumentError } from "commander";
import { DeployError, PARAMETER_NAMES, parseUint, runDeploy, type DeployOptions } from "../deploy/run";


const cliUint = (what: string) => (v: string) => {
  try {
    return parseUint(v, what);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

/** Adds `moveset deploy` to the command line. */
export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description("deploy the L1 contracts (Bridge, Inbox, fraud provers) with Hardhat Ignition and write deployments/<network>.json")
    .requiredOption("--network <name>", "a network of hardhat.config.ts (localhost, sepolia, ...)")
    .option("--params <file>", `Ignition parameters file: {"Moveset": {${PARAMETER_NAMES.map((n) => `"${n}"`).join(", ")}}}`)
    .option("--challenge-window <s>", "challenge window in seconds (default 604800)", cliUint("--challenge-window"))
    .option("--bond <wei>", "bond size in wei (default 1 ether)", cliUint("--bond"))
    .option("--inclusion-delay <s>", "forced-inclusion delay in seconds (default 86400)", cliUint("--inclusion-delay"))
    .option("--max-deposits-per-batch <n>", "most deposits one batch consumes, 1..512 (default 256)", cliUint("--max-deposits-per-batch"))
    .option("--min-base-fee <wei>", "lowest L2 base fee in wei per gas (default 1 gwei)", cliUint("--min-base-fee"))
    .option("--max-clock-duration <s>", "dispute game: seconds on each side's chess clock (default 302400)", cliUint("--max-clock-duration"))
    .option("--clock-extension <s>", "dispute game: seconds a late move leaves its side (default 10800)", cliUint("--clock-extension"))
    .option("--game-gas-price <wei>", "dispute game: the L1 gas price its bonds are sized for (default 30 gwei)", cliUint("--game-gas-price"))
    .option("--rpc-url <url>", "use this JSON-RPC URL for the network (e.g. a local node on another port)")
    .option("--deployment-id <id>", "Ignition deployment id (default moveset-<network>-<chainId>)")
    .option("--reset", "wipe this deployment id's Ignition journal first (after restarting a local node)")
    .option("--out <dir>", "folder for <network>.json (default: deployments/ in the project)")
    .option(
      "--dictionary <default|none|file>",
      "compressed items' dictionary to bind (protocol.md §7.7): default = the shipped deploy/flz-dictionary.hex, none (every item posted raw), or a file of hex (at most 8192 bytes)",
      "default",
    )
    .action(async (o: DeployOptions) => {
      try {
        await runDeploy(o);
      } catch (e) {
        if (!(e instanceof DeployError)) throw e;
        console.error(`moveset deploy: ${e.message}`);
        process.exitCode = 1;
      }
    });
}
