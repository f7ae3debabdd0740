/**
 * node/devnet/anvil.ts and the devnet's option checks (node/devnet/devnet.ts checkDevnetOptions): how anvil is run
 * (the dev mnemonic, chain id 31337, its state file with past blocks' states, mixed mining in whole seconds), where its
 * binary comes from, and the typed errors for flags that cannot work. The devnet on anvil end to end:
 * test/e2e/devnet-anvil.test.ts.
 */
import { expect } from "chai";
import * as fs from "fs";
import { anvilArgs, anvilBinary, DevnetOptionError, DEVNET_L1_CHAIN_ID, ANVIL_STATES_KEPT } from "../../../node/devnet/anvil";
import { checkDevnetOptions, devnetChallengeWindow, DEV_MNEMONIC } from "../../../node/devnet/devnet";

describe("node/devnet/anvil: the devnet's anvil L1", () => {
  const base = { host: "127.0.0.1", port: 8545, stateFile: "/d/l1/anvil-state.json", accounts: 20 };
  const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

  it("runs anvil on the dev mnemonic's accounts, chain id 31337, Prague, its state file kept with past blocks' states", () => {
    const a = anvilArgs({ ...base, blockTimeMs: 1000 });
    expect(flag(a, "--mnemonic")).to.equal(DEV_MNEMONIC);
    expect(flag(a, "--chain-id")).to.equal(String(DEVNET_L1_CHAIN_ID));
    expect(flag(a, "--accounts")).to.equal("20");
    expect(flag(a, "--hardfork")).to.equal("prague");
    expect(flag(a, "--state")).to.equal(base.stateFile);
    expect(a).to.include("--preserve-historical-states");
    expect(flag(a, "--prune-history"), "a bounded number of past states, not every block's").to.equal(String(ANVIL_STATES_KEPT));
    expect(flag(a, "--block-time")).to.equal("1");
    expect(a).to.include("--mixed-mining");
  });

  it("block time: whole seconds, rounded up; 0 means a block per transaction only", () => {
    expect(flag(anvilArgs({ ...base, blockTimeMs: 1500 }), "--block-time")).to.equal("2");
    const none = anvilArgs({ ...base, blockTimeMs: 0 });
    expect(none).to.not.include("--block-time");
    expect(none).to.not.include("--mixed-mining");
    expect(flag(anvilArgs({ ...base, accounts: 3, blockTimeMs: 0 }), "--accounts"), "at least anvil's 10").to.equal("10");
  });

  it("the binary: MOVESET_ANVIL if set (missing: says how to install), else npm's @foundry-rs/anvil", () => {
    expect(() => anvilBinary({ MOVESET_ANVIL: "/nonexistent/anvil" })).to.throw(DevnetOptionError, /\/nonexistent\/anvil.*npm install.*foundryup/);
    const bin = anvilBinary({});
    expect(fs.existsSync(bin)).to.equal(true);
    expect(anvilBinary({ MOVESET_ANVIL: bin })).to.equal(bin);
  });

  it("typed errors: an unknown L1 lists the choices; --byzantine blob needs anvil; anvil takes no Hardhat runtime", () => {
    expect(checkDevnetOptions({})).to.equal("hardhat");
    expect(checkDevnetOptions({ l1: "anvil", byzantine: "blob" })).to.equal("anvil");
    expect(() => checkDevnetOptions({ l1: "foo" as never })).to.throw(DevnetOptionError, 'unknown L1 "foo": choose one of hardhat, anvil');
    expect(() => checkDevnetOptions({ byzantine: "blob" })).to.throw(DevnetOptionError, /--l1 anvil/);
    expect(() => checkDevnetOptions({ l1: "hardhat", byzantine: "blob" })).to.throw(DevnetOptionError, /--l1 anvil/);
    expect(() => checkDevnetOptions({ l1: "anvil", hre: {} as never })).to.throw(DevnetOptionError, /Hardhat runtime/);
  });

  it("the challenge window: 5 s, and 30 s with --byzantine blob (a blob proof's commit and reveal)", () => {
    expect(devnetChallengeWindow({})).to.equal(5n);
    expect(devnetChallengeWindow({ byzantine: "double-use" })).to.equal(5n);
    expect(devnetChallengeWindow({ byzantine: "blob" })).to.equal(30n);
  });
});
