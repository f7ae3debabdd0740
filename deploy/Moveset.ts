/**
 * Hardhat Ignition module of the L1 contracts (docs/protocol.md §11): Bridge, Inbox, and the fraud
 * provers, wired together:
 *   1. Bridge()                         — holds the deposit queue and the deposited ether;
 *   2. Inbox(bridge, l2ChainId, bondSize, challengeWindow, inclusionDelay, rewardBps, maxDepositsPerBatch, minBaseFee,
 *            genesisRoot, genesisCount) — the genesis allocation's commitment (the predeploys, protocol.md §7.6);
 *   3. bridge.setInbox(inbox)           — one-time binding (the inbox needs the bridge's address first);
 *   4. the shared decoders (contracts/lib/Decoders.sol, a library with public functions) once, then each
 *      prover P(inbox), linked to the libraries it calls (LINKED_LIBRARIES), then inbox.setProvers([...]) —
 *      one-time, locks the prover set for ever.
 * Step 4 runs only when at least one prover is listed: an Inbox whose provers are not yet set cannot be
 * rolled back by anyone, and its deployer can still register provers later (exactly once).
 *
 * Parameters (module id "Moveset"), overridable by an Ignition parameters file:
 *   { "Moveset": { "l2ChainId": 901, "bondSize": "1000000000000000000n", "challengeWindow": 604800,
 *                  "inclusionDelay": 86400, "rewardBps": 5000, "maxDepositsPerBatch": 256, "minBaseFee": "1000000000n" } }
 * (bigints as "<digits>n" strings, Ignition's JSON convention). `moveset deploy` (cli/deploy.ts) runs
 * this module programmatically; `npx hardhat ignition deploy` refuses module files outside
 * ignition/modules, so it is not the way to run this one.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { bytesToHex } from "../core/bytes";
import { genesisCommitment } from "../core/genesis";
import { predeployAllocation } from "../core/predeploys";
import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/** The module's parameters and their defaults. */
export const DEFAULT_PARAMETERS = {
  l2ChainId: 901n,
  bondSize: 10n ** 18n,
  challengeWindow: 604_800n,
  inclusionDelay: 86_400n,
  rewardBps: 5_000n,
  maxDepositsPerBatch: 256n,
  /** Lowest L2 base fee, and batch 0's (wei per gas; protocol.md §7.5). */
  minBaseFee: 1_000_000_000n,
} as const;

export type MovesetParameters = { -readonly [K in keyof typeof DEFAULT_PARAMETERS]: bigint };

/**
 * The genesis allocation's commitment for a chain id (protocol.md §7.6): the predeploys' Merkle root and
 * leaf count, as the Inbox stores them. The module's defaults are chain 901's; a deployment for another
 * chain id passes its own (Permit2's code holds the chain id).
 */
export function genesisParameters(l2ChainId: bigint): { genesisRoot: string; genesisCount: bigint } {
  const c = genesisCommitment(predeployAllocation(l2ChainId).entries);
  return { genesisRoot: bytesToHex(c.root), genesisCount: BigInt(c.count) };
}

export const MODULE_ID = "Moveset";

/**
 * A fraud prover to deploy: the name of a contract whose constructor is `(address inbox)`, or a function
 * that adds its future(s) to the module and returns the prover's contract future.
 */
export type ProverSpec = string | ((m: IgnitionModuleBuilder, inbox: ContractFuture<string>) => ContractFuture<string>);

/**
 * The fraud provers of a production deployment, one per kind of docs/protocol.md §9 (contracts/fraud/).
 * Add each prover here as it lands. Never list contracts/test/TestProver.sol: it accepts any proof (it
 * also refuses to deploy outside chain 31337).
 */
export const PROVERS: readonly ProverSpec[] = ["MalformedProver", "SignatureProver", "InputProver", "DoubleUseProver", "DepositProver", "RulesProver"];

/**
 * The linked libraries each contract calls (public library functions, deployed once): the provers share
 * the wrapped-transaction decoder instead of each carrying a copy (protocol.md §11.4). A test checks this
 * against the compiled artifacts' link references.
 */
export const LINKED_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  MalformedProver: ["Decoders"],
  SignatureProver: ["Decoders"],
  RulesProver: ["Decoders"],
};

/** Builds the module with the given prover list (tests pass ["TestProver"] under another module id). */
export function movesetModule(id: string = MODULE_ID, provers: readonly ProverSpec[] = PROVERS) {
  return buildModule(id, (m) => {
    const l2ChainId = m.getParameter("l2ChainId", DEFAULT_PARAMETERS.l2ChainId);
    const bondSize = m.getParameter("bondSize", DEFAULT_PARAMETERS.bondSize);
    const challengeWindow = m.getParameter("challengeWindow", DEFAULT_PARAMETERS.challengeWindow);
    const inclusionDelay = m.getParameter("inclusionDelay", DEFAULT_PARAMETERS.inclusionDelay);
    const rewardBps = m.getParameter("rewardBps", DEFAULT_PARAMETERS.rewardBps);
    const maxDepositsPerBatch = m.getParameter("maxDepositsPerBatch", DEFAULT_PARAMETERS.maxDepositsPerBatch);
    const minBaseFee = m.getParameter("minBaseFee", DEFAULT_PARAMETERS.minBaseFee);
    const genesis = genesisParameters(DEFAULT_PARAMETERS.l2ChainId);
    const genesisRoot = m.getParameter("genesisRoot", genesis.genesisRoot);
    const genesisCount = m.getParameter("genesisCount", genesis.genesisCount);

    const bridge = m.contract("Bridge", []);
    const inbox = m.contract("Inbox", [bridge, l2ChainId, bondSize, challengeWindow, inclusionDelay, rewardBps, maxDepositsPerBatch, minBaseFee, genesisRoot, genesisCount]);
    m.call(bridge, "setInbox", [inbox]);

    const libraries: Record<string, ContractFuture<string>> = {};
    const libraryFuture = (name: string) => (libraries[name] ??= m.library(name));
    const linked = (name: string) => Object.fromEntries((LINKED_LIBRARIES[name] ?? []).map((l) => [l, libraryFuture(l)]));
    const proverFutures: Record<string, ContractFuture<string>> = {};
    for (const p of provers) {
      const f = typeof p === "string" ? m.contract(p, [inbox], { libraries: linked(p) }) : p(m, inbox);
      const name = typeof p === "string" ? p : f.contractName;
      if (proverFutures[name]) throw new Error(`prover ${name} listed twice`);
      proverFutures[name] = f;
    }
    const list = Object.values(proverFutures);
    if (list.length > 0) m.call(inbox, "setProvers", [list]);

    return { Bridge: bridge, Inbox: inbox, ...proverFutures };
  });
}

export default movesetModule();
