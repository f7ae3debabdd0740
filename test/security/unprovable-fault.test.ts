/**
 * Attack (critical): a fault the verifier names first that no prover accepts hides an invalid batch from the
 * watchtower, and the batch's withdrawal drains the Bridge.
 *
 * A move transaction with another chain's id and an invalid signature (s = 0) carries a withdrawal output of
 * everything the Bridge holds. The TypeScript validator checks the chain id before the signature
 * (core/evm/ethtx.ts moveTxToEth), so the verifier's only fault for it is rules/chain-id; the watchtower proves
 * exactly that fault (prover/fault.ts cheapestProvable), but RulesProver requires a valid signature first and
 * reverts NoFault. The SignatureProver would have proven it, yet no honest node ever asks it. The batch becomes
 * final and anyone claims its withdrawal output from the Bridge.
 *
 * Fixed (issue 10): the validator checks a move transaction's signature before its chain id (core/evm/ethtx.ts
 * moveTxToEth, protocol.md §6 item 6), so the verifier names the signature fault, which the SignatureProver proves;
 * test/prover/provable-faults.test.ts proves every fault the verifier can name, each with the later faults it allows.
 */
import { expect } from "chai";
import * as path from "path";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { L2Sim, L2_CHAIN_ID, BASE_FEE, headerArgs } from "../helpers/l2sim";
import { TxType, encodeTx, type MoveTx } from "../../core/tx";
import { Mark } from "../../core/keys";
import { hexToBytes, bytesToHex } from "../../core/bytes";
import { LevelUtxoStore } from "../../node/state/utxo-store";
import { checkBatch, InThreadValidator } from "../../node/validation/check";
import { buildProof, txProofArg } from "../../prover/build";
import { cheapestProvable } from "../../prover/fault";
import { cleanupTmp, tmpDir } from "../e2e/helpers";
import { WINDOW, deployProvers, prove } from "./helpers";
import { NO_DICTIONARY } from "../../core/flz";

describe("security: a fault the verifier names that no prover accepts (chain id + bad signature)", function () {
  this.timeout(120_000);
  after(cleanupTmp);

  it("the watchtower's proof rolls the batch back, and its withdrawal is never paid", async () => {
    const [attacker, victim, watchtower] = await ethers.getSigners();
    const c = await deployProvers("SecChainId", attacker);
    // A user's 10 ETH in the Bridge (not yet overdue: the attacker's batch need not include it).
    await (await c.Bridge.connect(victim).getFunction("deposit")(victim.address, { value: ethers.parseEther("10") })).wait();
    const loot = await ethers.provider.getBalance(await c.Bridge.getAddress());

    // Batch 0: one move transaction, chain id 1, signature (r = 1, s = 0), paying the Bridge out to the attacker.
    const sim = await L2Sim.create();
    const me = hexToBytes(attacker.address.toLowerCase() as `0x${string}`);
    const tx: MoveTx = {
      type: TxType.Move, chainId: 1n, nonce: 0n, maxPriorityFeePerGas: 0n, maxFeePerGas: BASE_FEE, gasLimit: 21000n, to: me, value: 0n,
      data: new Uint8Array(0), witness: [], sig: { yParity: 0, r: 1n, s: 0n },
      moves: [{ mask: 0, ref: false, mark: Mark.Withdrawal, intx: 0n, addr: me, slot: 1n, prev: 0n, next: loot }],
    };
    const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const b = sim.header([encodeTx(tx)], ts);
    await (await c.Inbox.connect(attacker).getFunction("appendBatch")(headerArgs(b.header), b.data)).wait();
    sim.record({ header: b.header, txs: b.txs, data: b.data });

    // The honest verifier finds the batch invalid; the watchtower proves the cheapest fault it reports.
    const store = await LevelUtxoStore.open(path.join(tmpDir("moveset-sec-"), "utxo"), { genesis: [] });
    const res = await checkBatch(b.header, b.data, L2_CHAIN_ID, [], await InThreadValidator.create(L2_CHAIN_ID), store, NO_DICTIONARY);
    await store.close();
    expect(res.fault, "the verifier sees the batch invalid").to.not.equal(undefined);
    const fault = cheapestProvable(res.faults!)!;
    const proven = await prove(c, watchtower, await buildProof(fault, sim.view()));

    // The challenge window passes; the attacker claims the withdrawal output.
    await time.increase(WINDOW + 1n);
    let drained = "not paid";
    try {
      await (await c.Bridge.connect(attacker).getFunction("claimWithdrawal")(headerArgs(b.header), 0n, 21000n, bytesToHex(b.txs[0].tx), txProofArg(b.txs, 0).siblings)).wait();
      drained = `paid ${ethers.formatEther(loot)} ETH of the Bridge to the attacker`;
    } catch {
      // rolled back: nothing to claim
    }
    expect({ proven, drained }, `the watchtower proved ${fault.kind}/${fault.code}`).to.deep.equal({ proven: "rolled back", drained: "not paid" });
  });
});
