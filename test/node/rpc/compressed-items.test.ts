/**
 * The RPC over a chain store holding a batch posted with a compressed item (docs/protocol.md §7.7): the store keeps the
 * expanded transaction (what the RPC decodes and finds by its hash) and the item as posted (what its leaf hashes), so
 * moveset_getWithdrawalProof answers the item as posted and a Merkle proof against the txRoot L1 computed from the
 * items as posted (Bridge.claimWithdrawal expands the item itself).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChainStore, type StoredBatch, type StoredReceipt } from "../../../node/state/chain-store";
import { ethMethods, type RpcBackend } from "../../../node/rpc/eth";
import { KnownCode } from "../../../core/known-code";
import { txRootOf, type BatchTx } from "../../../core/batch";
import { bytesToHex, hexToBytes, equalsBytes } from "../../../core/bytes";
import { compressItem, FLZ_ITEM } from "../../../core/flz";
import { declaredGas } from "../../../core/gas";
import { Mark } from "../../../core/keys";
import { leafHash, verifyMerkleProof } from "../../../core/merkle";
import { txIdHex } from "../../../core/sign";
import { encodeTx, TxType, type MoveTx } from "../../../core/tx";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";

const A = hexToBytes(("0x" + "a1".repeat(20)) as `0x${string}`);

/** A move transaction of seq `seq` with a withdrawal output of `amount` to A (decodes; never validated here). */
function withdrawing(seq: bigint, amount: bigint, nonce: bigint): MoveTx {
  return {
    type: TxType.Move, chainId: 901n, nonce, maxPriorityFeePerGas: 1n, maxFeePerGas: 7n, gasLimit: 30_000n, to: A, value: 0n, data: new Uint8Array(0), witness: [],
    sig: { yParity: 0, r: 1n, s: 1n },
    moves: [{ mask: 0, ref: false, mark: Mark.Withdrawal, intx: 0n, addr: A, slot: seq, prev: 0n, next: amount }],
  };
}

describe("node: the RPC over batches posted with compressed items (protocol.md §7.7)", () => {
  it("finds the transaction by its hash; the withdrawal proof carries the item as posted and proves its leaf", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moveset-rpc-flz-"));
    const chain = await ChainStore.open(path.join(dir, "chain"));
    try {
      const txs = [withdrawing(1n, 5n, 0n), withdrawing(2n, 7n, 1n), withdrawing(3n, 9n, 2n)];
      const encs = txs.map(encodeTx);
      const dict = encs[0].subarray(0, 60);
      // Items as posted: the second and third compressed, the first raw.
      const items = encs.map((e, i) => (i === 0 ? e : compressItem(e, dict)));
      expect(items.slice(1).map((x) => x[0])).to.deep.equal([FLZ_ITEM, FLZ_ITEM]);
      const posted: BatchTx[] = items.map((tx, i) => ({ gas: declaredGas(txs[i]), tx }));
      const z32 = new Uint8Array(32);
      const receipt = (i: number): StoredReceipt => ({
        txHash: txIdHex(txs[i]), type: 2, from: bytesToHex(A), to: bytesToHex(A), contractAddress: null, status: 1, gasUsed: 21000n, cumulativeGasUsed: 21000n * BigInt(i + 1),
        effectiveGasPrice: 7n, logs: [], logIndexStart: 0, fee: 0n, withdrawal: txs[i].moves[0].next,
      });
      const batch = {
        header: { index: 0n, parent: z32, firstSeq: 1n, txCount: 3n, txRoot: txRootOf(posted), number: 1n, timestamp: 5n, feeRecipient: new Uint8Array(20), baseFee: 7n, depositStart: 0n, depositEnd: 0n, dataHash: z32, l1BaseFee: 0n, l1BlobBaseFee: 0n },
        hash: "0x" + "01".padStart(64, "0"),
        txHashes: txs.map(txIdHex),
        gasUsed: 63000n,
        gasDeclared: 90000n,
        logsBloom: "0x",
        size: 1,
      } as StoredBatch;
      await chain.commitBatch({ batch, txs: encs, items, receipts: [0, 1, 2].map(receipt), codes: new KnownCode() });
      // Kept beside its expansion only where the item is not the transaction.
      expect((await chain.txAt(0n, 0))!.item).to.equal(undefined);
      expect(equalsBytes((await chain.txAt(0n, 2))!.item!, items[2])).to.equal(true);

      const deployment = { l2ChainId: 901n, bridge: "0x" + "22".repeat(20), challengeWindow: 100n, minBaseFee: 7n, genesisRoot: EMPTY_GENESIS_ROOT, genesisCount: 0n } as Deployment;
      const m = ethMethods({ deployment, chain, maxLogRange: 1000, suggestedTip: 1n, feeRecipient: new Uint8Array(20), gasCap: 30_000_000n, allowUnprotectedTxs: true } as unknown as RpcBackend);
      const ctx = { client: "test" };
      const found = (await m.eth_getTransactionByHash([txIdHex(txs[2])], ctx)) as { hash: string; transactionIndex: string; nonce: string };
      expect(found).to.deep.include({ hash: txIdHex(txs[2]), transactionIndex: "0x2", nonce: "0x2" });

      for (const i of [0, 2]) {
        const p = (await m.moveset_getWithdrawalProof([txIdHex(txs[i])], ctx)) as { tx: string; gas: string; proof: string[]; amount: string; txIndex: string };
        expect(p.tx, `transaction ${i}: the item as posted`).to.equal(bytesToHex(items[i]));
        expect(p.amount).to.equal("0x" + txs[i].moves[0].next.toString(16));
        const leaf = leafHash(BigInt(p.gas), hexToBytes(p.tx as `0x${string}`));
        const proof = p.proof.map((x) => hexToBytes(x as `0x${string}`));
        expect(verifyMerkleProof(batch.header.txRoot, leaf, i, 3, proof), `transaction ${i}: the proof reaches L1's txRoot`).to.equal(true);
      }
    } finally {
      await chain.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
