/**
 * Builds the single-transaction fraud proof for a fault: which prover contract, and its arguments
 * (ready for ethers), plus the proof hash the challenger commits to before revealing.
 *
 * Compressed items (protocol.md §7.7): a proof carries each item as posted (its leaf; L1 expands it again), and the
 * transaction read to build it (moves, deposit fields) is the item expanded with the chain's dictionary.
 */
import { AbiCoder, keccak256 } from "ethers";
import { HEADER_ABI_TYPE, decodeItem, headerToAbi, type BatchHeader, type BatchTx } from "../core/batch";
import { bytesToHex } from "../core/bytes";
import { TxType, type Tx } from "../core/tx";
import { compareKeys, type Key } from "../core/keys";
import { genesisProof, type GenesisEntry } from "../core/genesis";
import { merkleProof, leafHash } from "../core/merkle";
import type { TxFault } from "./fault";

/** What the prover needs to know of the chain: posted batches and the deposit queue. */
export interface ChainView {
  /** The header and items (declared gas and the item as posted, §7.7) of a live batch. */
  batch(index: bigint): Promise<{ header: BatchHeader; txs: BatchTx[] }>;
  /** The batch and position holding a seq. */
  locate(seq: bigint): Promise<{ batchIndex: bigint; txIndex: number }>;
  /** An L1 deposit queue entry. */
  deposit(index: bigint): Promise<{ from: Uint8Array; to: Uint8Array; value: bigint }>;
  /** The genesis allocation L1 committed to (protocol.md §7.6); none if empty. */
  genesis?: readonly GenesisEntry[];
  /** The deployment's dictionary of compressed items (protocol.md §7.7); none if empty. */
  dictionary?: Uint8Array;
  /**
   * The blob of a live blob batch with a `data` fault (protocol.md §14.5), as its reader kept it: the blob, its KZG
   * commitment (computed by the reader) and the KZG proof of its value at EIP-4844's challenge point.
   */
  faultyBlob?(index: bigint): Promise<{ header: BatchHeader; blob: Uint8Array; commitment: Uint8Array; kzgProof: Uint8Array }>;
}

export const HEADER_TYPE = HEADER_ABI_TYPE;
export const TXPROOF_TYPE = "tuple(uint256 txIndex, uint64 gas, bytes tx, bytes32[] siblings)";
export const DEPOSIT_TYPE = "tuple(address from, address to, uint256 value)";
export const GENESIS_PROOF_TYPE = "tuple(uint256 index, address addr, uint8 mark, uint256 slot, uint256 value, bytes32[] siblings)[]";

export type ProverName = "MalformedProver" | "SignatureProver" | "InputProver" | "DoubleUseProver" | "DepositProver" | "RulesProver" | "DataProver";

export interface ProofCall {
  prover: ProverName;
  /** The prover's function: `prove`, or InputProver's `proveGenesis` (a genesis value, §7.6). */
  method: "prove" | "proveGenesis";
  /** Arguments of `prove`, without the trailing salt. */
  args: unknown[];
  /** ABI types of `args`, for the proof hash. */
  types: string[];
  /** keccak256(abi.encode(args)): what the commitment covers (DataProver: the blob by its keccak, §14.5). */
  proofHash: string;
}

export const headerArg = headerToAbi;

/** A ChainView over batches held in memory (batch i at position i) and a deposit queue. */
export function memoryChainView(
  batches: readonly { header: BatchHeader; txs: BatchTx[] }[],
  deposits: readonly { from: Uint8Array; to: Uint8Array; value: bigint }[] = [],
  genesis: readonly GenesisEntry[] = [],
  dictionary: Uint8Array = new Uint8Array(0),
): ChainView {
  return {
    genesis,
    dictionary,
    batch: async (i) => {
      const b = batches[Number(i)];
      if (!b) throw new Error(`batch ${i} is not held`);
      return b;
    },
    locate: async (seq) => {
      for (const b of batches)
        if (seq >= b.header.firstSeq && seq < b.header.firstSeq + b.header.txCount) return { batchIndex: b.header.index, txIndex: Number(seq - b.header.firstSeq) };
      throw new Error(`seq ${seq} is in no batch`);
    },
    deposit: async (i) => {
      const d = deposits[Number(i)];
      if (!d) throw new Error(`deposit ${i} is not held`);
      return d;
    },
  };
}

/** A TxProof (contracts/fraud/TxProver.sol): transaction `txIndex` of `txs`, its declared gas and Merkle proof. */
export function txProofArg(txs: readonly BatchTx[], txIndex: number) {
  const t = txs[txIndex];
  return { txIndex: BigInt(txIndex), gas: t.gas, tx: bytesToHex(t.tx), siblings: merkleProof(txs.map((x) => leafHash(x.gas, x.tx)), txIndex).map(bytesToHex) };
}

function call(prover: ProverName, types: string[], args: unknown[], method: ProofCall["method"] = "prove"): ProofCall {
  return { prover, method, types, args, proofHash: keccak256(AbiCoder.defaultAbiCoder().encode(types, args)) };
}

/** The proof of a key's genesis value (core/genesis.ts), as InputProver.proveGenesis takes it. */
export function genesisProofArg(genesis: readonly GenesisEntry[], key: Key) {
  return genesisProof(genesis, key).map((l) => ({ index: BigInt(l.index), addr: bytesToHex(l.key.addr), mark: l.key.mark, slot: l.key.slot, value: l.value, siblings: l.siblings.map(bytesToHex) }));
}

/** The commitment a challenger sends before revealing: keccak256(abi.encode(challenger, proofHash, salt)). */
export function commitmentOf(challenger: string, proofHash: string, salt: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32", "bytes32"], [challenger, proofHash, salt]));
}

/**
 * The `data` proof of a blob batch (DataProver.prove, protocol.md §14.5): the header, the blob, its commitment and
 * KZG proof; the proof hash covers the blob by its keccak (DataProver.proofHash), so a commitment does not carry it.
 */
export function dataProofCall(header: BatchHeader, blob: Uint8Array, commitment: Uint8Array, kzgProof: Uint8Array): ProofCall {
  const h = headerArg(header);
  const args = [h, bytesToHex(blob), bytesToHex(commitment), bytesToHex(kzgProof)];
  const proofHash = keccak256(AbiCoder.defaultAbiCoder().encode([HEADER_TYPE, "bytes32", "bytes", "bytes"], [h, keccak256(blob), args[2], args[3]]));
  return { prover: "DataProver", method: "prove", types: [HEADER_TYPE, "bytes", "bytes", "bytes"], args, proofHash };
}

/** Builds the proof of a one-step fault (a `data` fault included). Throws for `execution` (interactive; not settled here). */
export async function buildProof(fault: TxFault, chain: ChainView): Promise<ProofCall> {
  if (fault.kind === "data") {
    if (!chain.faultyBlob) throw new Error("a data fault is proven from the batch's blob, which this chain view does not hold");
    const b = await chain.faultyBlob(fault.batchIndex);
    return dataProofCall(b.header, b.blob, b.commitment, b.kzgProof);
  }
  const { header, txs } = await chain.batch(fault.batchIndex);
  const dict = chain.dictionary ?? new Uint8Array(0);
  const h = headerArg(header);
  const p = txProofArg(txs, fault.txIndex);
  switch (fault.kind) {
    case "malformed":
      return call("MalformedProver", [HEADER_TYPE, TXPROOF_TYPE], [h, p]);
    case "signature":
      return call("SignatureProver", [HEADER_TYPE, TXPROOF_TYPE], [h, p]);
    case "rules":
      return call("RulesProver", [HEADER_TYPE, TXPROOF_TYPE], [h, p]);
    case "deposit": {
      const t = decodeItem(txs[fault.txIndex].tx, dict);
      const nDeposits = Number(header.depositEnd - header.depositStart);
      const e =
        fault.txIndex < nDeposits
          ? await chain.deposit(header.depositStart + BigInt(fault.txIndex))
          : t.type === TxType.Deposit
            ? { from: t.from, to: t.to, value: t.value }
            : { from: new Uint8Array(20), to: new Uint8Array(20), value: 0n };
      return call("DepositProver", [HEADER_TYPE, TXPROOF_TYPE, DEPOSIT_TYPE], [h, p, { from: bytesToHex(e.from), to: bytesToHex(e.to), value: e.value }]);
    }
    case "input": {
      const mi = requireMove(fault);
      const m = decodeItem(txs[fault.txIndex].tx, dict).moves[mi];
      // A genesis outpoint of a nonempty allocation: its value shown against L1's commitment.
      if (m.intx === 0n && chain.genesis?.length) return call("InputProver", [HEADER_TYPE, TXPROOF_TYPE, "uint256", GENESIS_PROOF_TYPE], [h, p, BigInt(mi), genesisProofArg(chain.genesis, m)], "proveGenesis");
      let ph = h;
      let pp = p;
      if (m.intx > 0n && m.intx < fault.seq) {
        const at = await chain.locate(m.intx);
        const pb = at.batchIndex === fault.batchIndex ? { header, txs } : await chain.batch(at.batchIndex);
        ph = headerArg(pb.header);
        pp = txProofArg(pb.txs, at.txIndex);
      }
      return call("InputProver", [HEADER_TYPE, TXPROOF_TYPE, "uint256", HEADER_TYPE, TXPROOF_TYPE], [h, p, BigInt(mi), ph, pp]);
    }
    case "double-use": {
      const mi = requireMove(fault);
      if (fault.spentBy === undefined) throw new Error("a double-use fault needs the earlier spender's seq");
      const m = decodeItem(txs[fault.txIndex].tx, dict).moves[mi];
      const at = await chain.locate(fault.spentBy);
      const eb = at.batchIndex === fault.batchIndex ? { header, txs } : await chain.batch(at.batchIndex);
      const earlier: Tx = decodeItem(eb.txs[at.txIndex].tx, dict);
      const ei = earlier.moves.findIndex((e) => !e.ref && e.intx === m.intx && compareKeys(e, m) === 0);
      if (ei < 0) throw new Error(`seq ${fault.spentBy} does not consume the outpoint`);
      return call(
        "DoubleUseProver",
        [HEADER_TYPE, TXPROOF_TYPE, "uint256", HEADER_TYPE, TXPROOF_TYPE, "uint256"],
        [h, p, BigInt(mi), headerArg(eb.header), txProofArg(eb.txs, at.txIndex), BigInt(ei)],
      );
    }
    case "execution":
      throw new Error("an execution fault is settled by the dispute game (node/watchtower/game-player.ts), not by a one-step proof");
  }
}

function requireMove(f: TxFault): number {
  if (f.moveIndex === undefined) throw new Error(`a ${f.kind} fault names its move`);
  return f.moveIndex;
}
