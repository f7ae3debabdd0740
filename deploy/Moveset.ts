/**
 * Hardhat Ignition module of the L1 contracts (docs/protocol.md §11): Bridge, Inbox, and the fraud
 * provers, wired together:
 *   1. Bridge()                         — holds the deposit queue and the deposited ether;
 *   2. Inbox(bridge, l2ChainId, bondSize, challengeWindow, inclusionDelay, rewardBps, maxDepositsPerBatch);
 *   3. bridge.setInbox(inbox)           — one-time binding (the inbox needs the bridge's address first);
 *   4. each prover P(inbox), then inbox.setProvers([...]) — one-time, locks the prover set for ever.
 * Step 4 runs only when at least one prover is listed: an Inbox whose provers are not yet set cannot be
 * rolled back by anyone, and its deployer can still register provers later (exactly once).
 *
 * Parameters (module id "Moveset"), overridable by an Ignition parameters file:
 *   { "Moveset": { "l2ChainId": 901, "bondSize": "1000000000000000000n", "challengeWindow": 604800,
 *                  "inclusionDelay": 86400, "rewardBps": 5000, "maxDepositsPerBatch": 256 } }
 * (bigints as "<digits>n" strings, Ignition's JSON convention). `moveset deploy` (cli/deploy.ts) runs
 * this module programmatically; `npx hardhat ignition deploy` refuses module files outside
 * ignition/modules, so it is not the way to run this one.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/** The module's parameters and their defaults. */
export const DEFAULT_PARAMETERS = {
  l2ChainId: 901n,
  bondSize: 10n ** 18n,
  challengeWindow: 604_800n,
  inclusionDelay: 86_400n,
  rewardBps: 5_000n,
  maxDepositsPerBatch: 256n,
} as const;

export type MovesetParameters = { -readonly [K in keyof typeof DEFAULT_PARAMETERS]: bigint };

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

/** Builds the module with the given prover list (tests pass ["TestProver"] under another module id). */
export function movesetModule(id: string = MODULE_ID, provers: readonly ProverSpec[] = PROVERS) {
  return buildModule(id, (m) => {
    const l2ChainId = m.getParameter("l2ChainId", DEFAULT_PARAMETERS.l2ChainId);
    const bondSize = m.getParameter("bondSize", DEFAULT_PARAMETERS.bondSize);
    const challengeWindow = m.getParameter("challengeWindow", DEFAULT_PARAMETERS.challengeWindow);
    const inclusionDelay = m.getParameter("inclusionDelay", DEFAULT_PARAMETERS.inclusionDelay);
    const rewardBps = m.getParameter("rewardBps", DEFAULT_PARAMETERS.rewardBps);
    const maxDepositsPerBatch = m.getParameter("maxDepositsPerBatch", DEFAULT_PARAMETERS.maxDepositsPerBatch);

    const bridge = m.contract("Bridge", []);
    const inbox = m.contract("Inbox", [bridge, l2ChainId, bondSize, challengeWindow, inclusionDelay, rewardBps, maxDepositsPerBatch]);
    m.call(bridge, "setInbox", [inbox]);

    const proverFutures: Record<string, ContractFuture<string>> = {};
    for (const p of provers) {
      const f = typeof p === "string" ? m.contract(p, [inbox]) : p(m, inbox);
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
