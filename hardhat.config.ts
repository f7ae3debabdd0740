import { HardhatUserConfig, subtask, vars } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

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

const sepoliaUrl = process.env.SEPOLIA_RPC_URL ?? (vars.has("SEPOLIA_RPC_URL") ? vars.get("SEPOLIA_RPC_URL") : "");
const sepoliaKey = process.env.SEPOLIA_PRIVATE_KEY ?? (vars.has("SEPOLIA_PRIVATE_KEY") ? vars.get("SEPOLIA_PRIVATE_KEY") : "");

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", viaIR: false },
  },
  networks: {
    hardhat: { hardfork: "cancun" },
    localhost: { url: "http://127.0.0.1:8545" },
    // The devnet's L2 (`npm start`), where Hardhat's dev accounts are funded:
    //   npx hardhat ignition deploy ignition/modules/Counter.ts --network movesetDevnet
    movesetDevnet: {
      url: process.env.MOVESET_L2_RPC_URL ?? "http://127.0.0.1:8547",
      accounts: { mnemonic: "test test test test test test test test test test test junk" },
    },
    ...(sepoliaUrl ? { sepolia: { url: sepoliaUrl, accounts: sepoliaKey ? [sepoliaKey] : [] } } : {}),
  },
  mocha: { timeout: 120_000 },
  paths: { tests: "./test" },
  gasReporter: { enabled: process.env.REPORT_GAS === "1" },
};

export default config;
