import hre from "hardhat";
async function main() {
  const F = await hre.ethers.getContractFactory("StepCodeHarness");
  const h = await F.deploy("0x" + "11".repeat(20));
  for (const fill of [0x5b, 0x00, 0x60, 0x7f]) {
    const code = new Uint8Array(49152).fill(fill);
    const g = await hre.ethers.provider.estimateGas({ to: await h.getAddress(), data: h.interface.encodeFunctionData("bitmap", [code]) });
    console.log(fill.toString(16), g.toString());
  }
  const code = new Uint8Array(49152).map(() => Math.floor(Math.random()*256));
  console.log("rand", (await hre.ethers.provider.estimateGas({ to: await h.getAddress(), data: h.interface.encodeFunctionData("bitmap", [code]) })).toString());
}
main();
