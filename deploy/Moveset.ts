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
 *   5. CodeRegistry(inbox), the verifier's families StepTx, StepHash, StepCall, StepState, StepRun (each bound to
 *      the registry), StepStart, and OneStepVerifier(registry, families…, StepStart): the one-step verifier of
 *      execution faults (contracts/step/), for the dispute game.
 *   6. DisputeGame(inbox, verifier, maxClockDuration, clockExtension, gameBonds), then inbox.setGame(game) —
 *      before setProvers, which locks both (the game is then also a prover, and the Inbox reads its holds).
 *   7. with a dictionary (ModuleOptions.dictionary, protocol.md §7.7): FlzDictionary(dictionary), then
 *      inbox.setDictionary(it) — before setProvers, so it is bound for the deployment's whole life.
 * Step 4 runs only when at least one prover is listed: an Inbox whose provers are not yet set cannot be
 * rolled back by anyone, and its deployer can still register provers later (exactly once).
 *
 * Parameters (module id "Moveset"), overridable by an Ignition parameters file:
 *   { "Moveset": { "l2ChainId": 901, "bondSize": "1000000000000000000n", "challengeWindow": 604800,
 *                  "inclusionDelay": 86400, "rewardBps": 5000, "maxDepositsPerBatch": 256, "minBaseFee": "1000000000n",
 *                  "maxClockDuration": 302400, "clockExtension": 10800, "gameBonds": [26 bonds in wei] } }
 * (`moveset deploy` takes `gameGasPrice` instead of the bonds and computes them: ignitionParameters).
 * (bigints as "<digits>n" strings, Ignition's JSON convention). `moveset deploy` (cli/deploy.ts, deploy/run.ts) runs
 * this module programmatically; `npx hardhat ignition deploy` refuses module files outside
 * ignition/modules, so it is not the way to run this one.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { bytesToHex } from "../core/bytes";
import { genesisCommitment } from "../core/genesis";
import { predeployAllocation } from "../core/predeploys";
import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import { bondsForGasPrice } from "../core/game/bonds";

/** The dispute game's default bonds: sized for an L1 gas price of 30 gwei (core/game/bonds.ts, protocol.md §11.5.4). */
export const DEFAULT_GAME_GAS_PRICE = 30n * 10n ** 9n;

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
  /** Seconds on each side's chess clock in a dispute game (protocol.md §11.5.3): 3.5 days, as Optimism. */
  maxClockDuration: 302_400n,
  /** Seconds a late move leaves its side (twice that before a step). */
  clockExtension: 10_800n,
  /** The L1 gas price (wei) the game's bonds are sized for: they become the array parameter `gameBonds`. */
  gameGasPrice: DEFAULT_GAME_GAS_PRICE,
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

/** The game's bonds of depths 1 … 26 (wei), an array parameter of the module beside the scalar ones. */
export const GAME_BONDS_PARAMETER = "gameBonds";
export const DEFAULT_GAME_BONDS: readonly bigint[] = bondsForGasPrice(DEFAULT_GAME_GAS_PRICE);

/** What the module reads: the scalar parameters, `gameGasPrice` turned into the bonds of every depth. */
export function ignitionParameters(p: MovesetParameters): Record<string, bigint | bigint[]> {
  const { gameGasPrice, ...scalars } = p;
  return { ...scalars, [GAME_BONDS_PARAMETER]: bondsForGasPrice(gameGasPrice) };
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
export const PROVERS: readonly ProverSpec[] = ["MalformedProver", "SignatureProver", "InputProver", "DoubleUseProver", "DepositProver", "RulesProver", "DataProver"];

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

/** The one-step verifier's families, in OneStepVerifier's constructor order. */
export const STEP_FAMILIES = ["StepTx", "StepHash", "StepCall", "StepState", "StepRun"] as const;

/** Options of a deployment that are not Ignition parameters (they change which futures the module has). */
export interface ModuleOptions {
  /**
   * The dictionary of compressed items (protocol.md §7.7, at most 8,192 bytes, hex): deployed as a FlzDictionary and
   * bound with Inbox.setDictionary before the provers lock. Absent: no dictionary is bound (compressed items expand
   * with the empty one).
   */
  dictionary?: string;
}

/** Builds the module with the given prover list (tests pass ["TestProver"] under another module id). */
export function movesetModule(id: string = MODULE_ID, provers: readonly ProverSpec[] = PROVERS, opts: ModuleOptions = {}) {
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
    const maxClockDuration = m.getParameter("maxClockDuration", DEFAULT_PARAMETERS.maxClockDuration);
    const clockExtension = m.getParameter("clockExtension", DEFAULT_PARAMETERS.clockExtension);
    const gameBonds = m.getParameter(GAME_BONDS_PARAMETER, [...DEFAULT_GAME_BONDS]);

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
    // The one-step verifier of execution faults (contracts/step/) and the code registry it reads code from.
    const registry = m.contract("CodeRegistry", [inbox]);
    const families = Object.fromEntries(STEP_FAMILIES.map((f) => [f, m.contract(f, [registry])])) as Record<(typeof STEP_FAMILIES)[number], ContractFuture<string>>;
    const start = m.contract("StepStart", []);
    const verifier = m.contract("OneStepVerifier", [registry, ...STEP_FAMILIES.map((f) => families[f]), start]);

    // The dispute game over that verifier, registered with the Inbox before the provers lock the set.
    const game = m.contract("DisputeGame", [inbox, verifier, maxClockDuration, clockExtension, gameBonds]);
    const setGame = m.call(inbox, "setGame", [game]);

    // The compressed items' dictionary (§7.7), bound before the provers lock the deployment.
    const dictionary = opts.dictionary === undefined ? undefined : m.contract("FlzDictionary", [opts.dictionary]);
    const setDictionary = dictionary ? m.call(inbox, "setDictionary", [dictionary]) : undefined;

    const list = Object.values(proverFutures);
    if (list.length > 0) m.call(inbox, "setProvers", [list], { after: setDictionary ? [setGame, setDictionary] : [setGame] });

    return { Bridge: bridge, Inbox: inbox, ...proverFutures, CodeRegistry: registry, ...families, StepStart: start, OneStepVerifier: verifier, DisputeGame: game, ...(dictionary ? { FlzDictionary: dictionary } : {}) };
  });
}

export default movesetModule();
