/**
 * A Hardhat Ignition journal that no longer describes the chain: Ignition keeps, per deployment id,
 * a journal of what it deployed (ignition/deployments/<id>/, git-ignored), and on a re-run it
 * trusts it. A local node restarted from scratch keeps its chain id (31337) but not its contracts,
 * so the journal then says "nothing new to deploy" about contracts that are not there, and the
 * first read from them fails. `moveset deploy` checks the journal against the chain first
 * (deploy/run.ts): on a local development chain a stale journal is set aside and the deployment
 * starts anew; elsewhere the command refuses, in one line, with the way to reset it.
 */
import * as fs from "fs";
import * as path from "path";

/** Chain ids of local development nodes (Hardhat, Ganache/Anvil's default 1337): their state does not outlive them. */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

/** The addresses the journal in `dir` records as deployed (future id → address); none if it has no record. */
export function journalAddresses(dir: string): Record<string, string> {
  const f = path.join(dir, "deployed_addresses.json");
  if (!fs.existsSync(f)) return {};
  try {
    const o = JSON.parse(fs.readFileSync(f, "utf8")) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === "string" && /^0x[0-9a-fA-F]{40}$/.test(e[1])));
  } catch {
    return {};
  }
}

/** The recorded contracts that have no code on the chain (`getCode` reads it): the journal is stale if any. */
export async function missingContracts(dir: string, getCode: (address: string) => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  for (const [id, addr] of Object.entries(journalAddresses(dir))) if ((await getCode(addr)) === "0x") out.push(`${id} at ${addr}`);
  return out;
}

export type JournalVerdict = { action: "keep" } | { action: "restart"; message: string } | { action: "refuse"; message: string };

/** What to do with the journal in `dir` on chain `chainId` of `network`. */
export async function checkJournal(dir: string, network: string, chainId: bigint, getCode: (address: string) => Promise<string>): Promise<JournalVerdict> {
  const missing = await missingContracts(dir, getCode);
  if (missing.length === 0) return { action: "keep" };
  const what = `the Ignition journal ${path.relative(process.cwd(), dir) || dir} records ${missing.length} contract${missing.length > 1 ? "s" : ""} (${missing[0]}${
    missing.length > 1 ? ", …" : ""
  }) that ${missing.length > 1 ? "are" : "is"} not on ${network} (chain ${chainId})`;
  if (LOCAL_CHAIN_IDS.includes(chainId)) return { action: "restart", message: `${what}: the node was restarted; deploying anew` };
  return { action: "refuse", message: `${what}: the chain was reset or the journal is another chain's; run again with --reset to deploy anew, or pass another --deployment-id` };
}
