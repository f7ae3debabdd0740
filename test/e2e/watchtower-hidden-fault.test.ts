/**
 * End to end (issue 10, finding 9): an execution fault does not hide a provable one. A byzantine
 * poster posts batches whose first transaction has an execution fault (a fee output one wei too
 * large: only the dispute game can prove it) and a later transaction a one-step fault
 * (rules, double-use). The watchtower proves the later, cheaper fault (one L1 transaction instead of a
 * game) and the batch is rolled back.
 */
import { expect } from "chai";
import hre from "hardhat";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { startDevnet, type DevnetHandle } from "../../node/devnet/devnet";
import { abiOf } from "../../node/l1/contracts";
import { postInvalidBatch } from "../../node/devnet/byzantine";
import { cleanupTmp, freePort, tmpDir, waitFor } from "./helpers";

describe("e2e: watchtower proves a one-step fault hidden behind an execution fault", function () {
  this.timeout(240_000);
  let d: DevnetHandle;
  let l1: JsonRpcProvider;

  before(async () => {
    const [l1Port, rpcPort] = [await freePort(), await freePort()];
    d = await startDevnet({ hre, datadir: tmpDir("moveset-wt-hidden-"), l1Port, rpcPort, accounts: 8, challengeWindow: 300n, batchIntervalMs: 150, verifierWorkers: 0, watch: { account: 1, confirmations: 1 } });
    l1 = new JsonRpcProvider(d.l1Url, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [300] });
  });

  after(async () => {
    await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] }).catch(() => undefined);
    l1?.destroy();
    await d?.stop();
    cleanupTmp();
  });

  for (const kind of ["rules", "double-use"] as const)
    it(`execution fault at transaction 0, ${kind} fault after it: the watchtower proves the ${kind} fault and the batch is rolled back`, async () => {
      const wt = d.watchtower!;
      const p = await postInvalidBatch(
        kind,
        { l1, inbox: d.deployment.inbox, l2ChainId: d.deployment.l2ChainId, node: d.node, sender: d.accounts[6], recipient: d.accounts[5].address, posterKey: d.accounts[2].privateKey },
        d.accounts[7],
      );
      const rec = await waitFor(`the ${kind} challenge won`, async () => {
        const r = await wt.store.latest(p.headerHash);
        return r?.phase === "won" ? r : undefined;
      }, 90_000, 100);
      // The verifier's first fault is the execution fault; the proof is of the later one.
      const view = wt.verifier.batches().find((b) => b.headerHash === p.headerHash)!;
      expect(view.fault).to.deep.include({ txIndex: 0, kind: "execution", code: "fee-output" });
      expect(rec.kind).to.equal(kind);
      expect(rec.fault.txIndex).to.be.greaterThan(0);
      const inbox = new Contract(d.deployment.inbox, abiOf("Inbox"), l1);
      const logs = await inbox.queryFilter(inbox.filters.BatchesRolledBack());
      const rb = logs.map((x) => inbox.interface.parseLog(x)!).find((x) => BigInt(x.args.index) === p.index && String(x.args.challenger).toLowerCase() === wt.address.toLowerCase());
      expect(rb, "rolled back by the watchtower").to.not.equal(undefined);
      await waitFor("the coordinator resumes", async () => d.node.coordinator.haltedAt === undefined);
      // The rollup goes on: an honest transfer is included after the rollback.
      const l2 = new JsonRpcProvider(d.rpcUrl, undefined, { pollingInterval: 100, cacheTimeout: -1 });
      try {
        const r = await (await new Wallet(d.accounts[4].privateKey, l2).sendTransaction({ to: d.accounts[4].address, value: 1n })).wait();
        expect(r!.status).to.equal(1);
      } finally {
        l2.destroy();
      }
    });
});
