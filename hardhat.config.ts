import { HardhatUserConfig, subtask, vars } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import * as fs from "fs";
import * as path from "path";

/**
 * Offline compilation: Hardhat would download solc; this machine (and CI) has no network but the
 * npm registry, so the pinned `solc` npm package (solc-js) is used instead.
 */
const SOLC_VERSION = "0.8.30";
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version() as string,
  };
});

/**
 * Attack tests (test/security/*.attack.ts) perform exploits that the code does not yet resist: they are
 * expected to fail until their findings are fixed, so `hardhat test` without file arguments (npm test)
 * leaves them out; `npm run test:attacks` runs them.
 */
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  return args.testFiles.length ? files : files.filter((f) => !f.endsWith(".attack.ts"));
});

/**
 * The one-step verifier (contracts/step/ and its test harnesses contracts/test/Step*.sol) is compiled for
 * run-time gas (optimizer runs 1,000,000): with the default 200 runs the optimizer rebuilds 64-bit masks and
 * other wide constants with SHL/SUB/ADD to save bytes, which costs a keccak-f permutation ~20% more gas.
 * Each of these contracts still stays under the size budget (test/contracts/size.test.ts).
 */
const STEP_SETTINGS = {
  version: SOLC_VERSION,
  settings: { optimizer: { enabled: true, runs: 1_000_000 }, evmVersion: "cancun", viaIR: false },
};
function solFiles(dir: string, filter: (name: string) => boolean = () => true): string[] {
  const abs = path.join(__dirname, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solFiles(path.join(dir, e.name), filter) : e.name.endsWith(".sol") && filter(e.name) ? [path.posix.join(dir, e.name)] : [],
  );
}
const STEP_OVERRIDES = Object.fromEntries(
  [...solFiles("contracts/step"), ...solFiles("contracts/test", (n) => n.startsWith("Step"))].map((f) => [f, STEP_SETTINGS]),
);

const sepoliaUrl = process.env.SEPOLIA_RPC_URL ?? (vars.has("SEPOLIA_RPC_URL") ? vars.get("SEPOLIA_RPC_URL") : "");
const sepoliaKey = process.env.SEPOLIA_PRIVATE_KEY ?? (vars.has("SEPOLIA_PRIVATE_KEY") ? vars.get("SEPOLIA_PRIVATE_KEY") : "");

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", viaIR: false } }],
    overrides: STEP_OVERRIDES,
  },
  networks: {
    // MOVESET_L1_HARDFORK=osaka runs the in-process L1 under Osaka's rules (EIP-7825's 2^24 gas cap per transaction,
    // EIP-7883's MODEXP prices), to measure the one-step verifier as L1 prices it today.
    hardhat: { hardfork: process.env.MOVESET_L1_HARDFORK ?? "cancun" },
    localhost: { url: "http://127.0.0.1:8545" },
    // The devnet's L2 (`npm start`), where Hardhat's dev accounts are funded:
    //   npx hardhat ignition deploy ignition/modules/Counter.ts --network movesetDevnet
    movesetDevnet: {
      url: process.env.MOVESET_L2_RPC_URL ?? "http://127.0.0.1:8547",
      accounts: { mnemonic: "test test test test test test test test test test test junk" },
    },
    ...(sepoliaUrl ? { sepolia: { url: sepoliaUrl, accounts: sepoliaKey ? [sepoliaKey] : [] } } : {}),
  },
  // MOVESET_TEST_TIMINGS=<file.json> (test-only, measuring the suite) adds per-file and per-test wall times to the
  // spec reporter's output and writes them to that file (scripts/timing-reporter.js).
  mocha: {
    timeout: 120_000,
    ...(process.env.MOVESET_TEST_TIMINGS ? { reporter: path.join(__dirname, "scripts", "timing-reporter.js") } : {}),
  },
  paths: { tests: "./test" },
  gasReporter: { enabled: process.env.REPORT_GAS === "1" },
};

export default config;
