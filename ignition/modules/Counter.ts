/**
 * An example Hardhat Ignition module for the L2: deploys Counter and bumps it once.
 *   npx hardhat ignition deploy ignition/modules/Counter.ts --network movesetDevnet
 * (the devnet of `npm start` must be running; hardhat.config.ts has the network).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("Counter", (m) => {
  const counter = m.contract("Counter");
  m.call(counter, "bump", [5n]);
  return { counter };
});
