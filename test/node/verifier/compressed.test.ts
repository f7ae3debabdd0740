/**
 * The verifier reads compressed items (docs/protocol.md §7.7) from L1: on a deployment bound to a dictionary, batches
 * appended directly to the Inbox with compressed items are read as valid (the same transaction ids as the raw ones,
 * leaves of the items as posted), an item that does not expand is named `malformed`/`not-expandable` and the
 * watchtower's proof of it (prover/build.ts buildProof over the verifier's chainView) rolls the batch back on L1, and
 * the dictionary, read once from L1 at start, is kept in the verifier's store across a restart.
 */
import { expect } from "chai";
import hre from "hardhat";
import { startL1Server } from "../../../node/devnet/devnet";
import { L1Client } from "../../../node/l1/client";
import { rootLogger } from "../../../node/log";
import { DEFAULT_VERIFIER, type Deployment } from "../../../node/config";
import { Verifier } from "../../../node/verifier/verifier";
import { decodeItem, headerHash, type BatchTx } from "../../../core/batch";
import { bytesToHex, hexToBytes } from "../../../core/bytes";
import { compressItem, FLZ_ITEM } from "../../../core/flz";
import { declaredGas } from "../../../core/gas";
import { genesisCommitment } from "../../../core/genesis";
import { predeployAllocation } from "../../../core/predeploys";
import { encodeTx, type Tx } from "../../../core/tx";
import { txIdHex } from "../../../core/sign";
import { buildProof } from "../../../prover/build";
import type { TxFault } from "../../../prover/fault";
import { BASE_FEE, L2_CHAIN_ID, wrapped } from "../../helpers/l2sim";
import { BOND, WINDOW, bob, carol, deployCompressed, now, post, setup, signed, TEST_DICTIONARY } from "../../helpers/prover-chain";
import { prove } from "../../security/helpers";
import { cleanupTmp, tmpDir } from "../../e2e/helpers";

const DICT = hexToBytes(TEST_DICTIONARY as `0x${string}`);

function compressedEntry(tx: Tx): BatchTx {
  const item = compressItem(encodeTx(tx), DICT);
  expect(item[0], "the item compresses").to.equal(FLZ_ITEM);
  return { gas: declaredGas(tx), tx: item };
}

describe("node: the verifier reads compressed items (protocol.md §7.7)", function () {
  this.timeout(120_000);
  after(() => cleanupTmp());

  it("valid compressed items are valid with their raw ids; one that does not expand is malformed/not-expandable, proven on L1; the dictionary is kept", async () => {
    const { c, poster, challenger, sim } = await setup(deployCompressed);
    const server = await startL1Server(hre, "127.0.0.1", 0);
    const g = genesisCommitment(predeployAllocation(L2_CHAIN_ID).entries);
    const deployment: Deployment = {
      l1ChainId: 31337n, l2ChainId: L2_CHAIN_ID, inbox: await c.Inbox.getAddress(), bridge: await c.Bridge.getAddress(), deployedAt: 0,
      challengeWindow: WINDOW, bondSize: BOND, inclusionDelay: 86_400n, maxDepositsPerBatch: 256n, minBaseFee: BASE_FEE, genesisRoot: bytesToHex(g.root), genesisCount: BigInt(g.count),
    };
    const l1 = await L1Client.connect(server.url, deployment);
    const dir = tmpDir("moveset-vflz-");
    const open = (client: L1Client) =>
      Verifier.open({ l1: client, deployment, dbPath: `${dir}/db`, utxoPath: `${dir}/utxo`, opts: { ...DEFAULT_VERIFIER, confirmations: 0, workers: 0 }, log: rootLogger() });
    let v: Verifier | undefined;
    try {
      // Batch 2: two payments of alice, compressed against the dictionary (their matches reach into it).
      const ts = await now();
      const t1 = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
      sim.apply([t1], sim.nextSeq);
      const t2 = await sim.fill(wrapped(await signed({ to: bob, value: 6n, nonce: 2 })), 1, ts);
      sim.apply([t2], sim.nextSeq + 1n);
      const good = await post(c, poster, sim, [compressedEntry(t1), compressedEntry(t2)], ts, 0n, false);
      // Batch 3: a literal that runs past the item's end.
      const ts3 = await now();
      const bad = await post(c, poster, sim, [{ gas: 21_000n, tx: Uint8Array.of(FLZ_ITEM, 0x05, 1, 2) }], ts3, 0n, false);

      v = await open(l1);
      expect(bytesToHex(v.dictionary())).to.equal(TEST_DICTIONARY.toLowerCase());
      await v.syncToHead();
      const rows = v.batches();
      expect(rows.map((b) => b.verdict)).to.deep.equal(["valid", "valid", "valid", "invalid"]);
      const held = (await v.appendedBatch(bytesToHex(headerHash(good.header))))!;
      // The items as posted, decoded through the one helper: the raw transactions' ids.
      expect(held.txs.map((t) => t.tx[0])).to.deep.equal([FLZ_ITEM, FLZ_ITEM]);
      expect(held.txs.map((t) => txIdHex(decodeItem(t.tx, held.dictionary)))).to.deep.equal([txIdHex(t1), txIdHex(t2)]);
      const fault = rows[3].fault!;
      expect(fault).to.deep.include({ batchIndex: 3n, txIndex: 0, kind: "malformed", code: "not-expandable" });

      // The watchtower's proof: the item as posted, which L1 expands and finds malformed.
      expect(await prove(c, challenger, await buildProof(fault as TxFault, v.chainView()))).to.equal("rolled back");
      await v.syncToHead();
      expect(v.batches().find((b) => b.index === 3n)?.status).to.equal("rolled back");
      await v.close();
      v = undefined;

      // Restarted: the dictionary is the kept one, L1 is not asked again.
      const offline = Object.assign(Object.create(l1) as L1Client, {
        dictionary: () => Promise.reject(new Error("the dictionary was read from L1 again")),
      });
      v = await open(offline);
      expect(bytesToHex(v.dictionary())).to.equal(TEST_DICTIONARY.toLowerCase());
      expect(bad.header.index).to.equal(3n);
    } finally {
      await v?.close();
      l1.close();
      await server.close();
    }
  });
});
