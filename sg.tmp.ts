import hre from "hardhat";
import { measureStepGas } from "./bench/step-gas";
(async () => {
  const r = await measureStepGas(hre, undefined, undefined, { log: (s) => console.error(s) });
  console.log(JSON.stringify(r, null, 1));
})();
