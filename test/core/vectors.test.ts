/**
 * The shared test vectors (test/vectors/*.json, written by scripts/gen-vectors.ts) re-derived from
 * the core. Any change to an encoding or a hash fails here until the vectors are regenerated on
 * purpose:  npx ts-node --transpile-only scripts/gen-vectors.ts
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Transaction } from "ethers";
import { Reader } from "../../core/codec";
import { DecodeError } from "../../core/errors";
import { bytesToHex, hexToBytes, keccak256, concatBytes, toFixed } from "../../core/bytes";
import { DOMAIN_NAMES, DOMAINS, Domain, hashTagged } from "../../core/hash";
import { keyBytes } from "../../core/keys";
import { decodeMove, decodeMoves, moveSigCommitment, movesSigDigest } from "../../core/moves";
import { TxType, LIMITS, encodeTx, decodeTx, txLeaf } from "../../core/tx";
import { moveTxSighash, recoverMoveTxSender, txId } from "../../core/sign";
import { merkleRoot, merkleProof, merkleNode, verifyMerkleProof } from "../../core/merkle";
import { headerHash, encodeBatchData, splitBatchData, batchDataHash, txRootOf, batchGas } from "../../core/batch";
import { declaredGas, nextBaseFee } from "../../core/gas";
import {
  VECTOR_DIR,
  VECTOR_FILES,
  Decoder,
  HeaderJson,
  MoveJson,
  TxJson,
  buildVectors,
  serialize,
  moveFromJson,
  txFromJson,
  headerFromJson,
  headerWords,
  encodeMoveBytes,
  encodeMovesBytes,
  runDecoder,
  padded,
} from "../../scripts/gen-vectors";

const hex = bytesToHex;
const bytes = (h: string) => hexToBytes(h as `0x${string}`);
const load = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, name), "utf8")) as T;

interface HashesJson {
  domains: { id: string; name: string; tag: string }[];
  tagged: { domain: string; payload: string; hash: string }[];
  headers: { name: string; header: HeaderJson; words: string; hash: string }[];
  batchData: { name: string; txs: { gas: string; tx: string }[]; data: string; dataHash: string; txRoot: string; gas: string }[];
  baseFeeRule: { parentBaseFee: string; parentGas: string; minBaseFee: string; next: string }[];
}
interface MerkleJson {
  emptyRoot: string;
  nodes: { left: string; right: string; hash: string }[];
  trees: { count: number; leaves: string[]; root: string; proofs: string[][] }[];
  invalidProofs: { name: string; root: string; leaf: string; index: number; count: number; proof: string[] }[];
}
interface MovesJson {
  moves: { name: string; move: MoveJson; key: string; encoding: string; sigCommitment: string }[];
  digests: { name: string; indices: number[]; digest: string }[];
  lists: { name: string; moves: MoveJson[]; encoding: string }[];
}
interface TxVector {
  name: string;
  encoded: string;
  tx: TxJson;
  declaredGas: string;
  leafHash: string;
  txId: string;
  movesSigDigest?: string;
  sighash?: string;
  ethType?: number;
  signer: string | null;
}
interface InvalidJson {
  vectors: { name: string; decoder: Decoder; bytes: string; padTo?: number; code: string; offset: number }[];
}

describe("shared test vectors", () => {
  it("the files are exactly what scripts/gen-vectors.ts writes (regenerate on purpose after a change)", async () => {
    const built = await buildVectors();
    for (const name of VECTOR_FILES) {
      const onDisk = fs.readFileSync(path.join(VECTOR_DIR, name), "utf8");
      const fresh = serialize(built[name]);
      if (fresh !== onDisk) {
        const a = onDisk.split("\n");
        const b = fresh.split("\n");
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        expect.fail(`${name} differs from the core at line ${i + 1}:\n  file: ${a[i]}\n  core: ${b[i]}\nrun: npx ts-node --transpile-only scripts/gen-vectors.ts`);
      }
    }
  });

  describe("hashes.json", () => {
    const v = load<HashesJson>("hashes.json");

    it("domain names and tags, one entry per domain", () => {
      expect(v.domains.map((d) => d.id)).to.deep.equal(Object.keys(DOMAIN_NAMES));
      for (const d of v.domains) {
        expect(DOMAIN_NAMES[d.id as Domain], d.id).to.equal(d.name);
        expect(hex(keccak256(new TextEncoder().encode(d.name))), d.id).to.equal(d.tag);
        expect(hex(DOMAINS[d.id as Domain]), d.id).to.equal(d.tag);
      }
      expect(new Set(v.domains.map((d) => d.tag)).size).to.equal(v.domains.length);
    });

    it("tagged hashes", () => {
      for (const t of v.tagged) {
        expect(hex(hashTagged(t.domain as Domain, bytes(t.payload)))).to.equal(t.hash);
        expect(hex(keccak256(concatBytes(DOMAINS[t.domain as Domain], bytes(t.payload))))).to.equal(t.hash);
      }
    });

    it("batch header hashes", () => {
      expect(v.headers.length).to.be.greaterThanOrEqual(3);
      for (const h of v.headers) {
        const header = headerFromJson(h.header);
        expect(hex(headerWords(header)), h.name).to.equal(h.words);
        expect(bytes(h.words).length).to.equal(14 * 32);
        expect(hex(headerHash(header)), h.name).to.equal(h.hash);
        expect(hex(keccak256(concatBytes(DOMAINS.batchHeader, bytes(h.words)))), h.name).to.equal(h.hash);
      }
      // the chain: batch 1 names batch 0 as its parent
      expect(v.headers[1].header.parent).to.equal(v.headers[0].hash);
      expect(v.headers[1].header.dataHash).to.equal(v.batchData[2].dataHash);
      expect(v.headers[1].header.txRoot).to.equal(v.batchData[2].txRoot);
    });

    it("batch data, its hash, its tx root and its declared gas", () => {
      expect(v.batchData.length).to.be.greaterThanOrEqual(5);
      for (const b of v.batchData) {
        const txs = b.txs.map((t) => ({ gas: BigInt(t.gas), tx: bytes(t.tx) }));
        expect(hex(encodeBatchData(txs)), b.name).to.equal(b.data);
        expect(splitBatchData(bytes(b.data)).map((t) => ({ gas: t.gas.toString(), tx: hex(t.tx) })), b.name).to.deep.equal(b.txs);
        expect(hex(batchDataHash(bytes(b.data))), b.name).to.equal(b.dataHash);
        expect(hex(txRootOf(txs)), b.name).to.equal(b.txRoot);
        expect(hex(merkleRoot(txs.map((t) => txLeaf(t.tx, t.gas)))), b.name).to.equal(b.txRoot);
        expect(hex(merkleRoot(txs.map((t) => keccak256(concatBytes(DOMAINS.txLeaf, toFixed(t.gas, 8), t.tx)))))).to.equal(b.txRoot);
        expect(batchGas(txs).toString(), b.name).to.equal(b.gas);
      }
    });

    it("the base fee rule", () => {
      expect(v.baseFeeRule.length).to.be.greaterThan(20);
      for (const r of v.baseFeeRule) expect(nextBaseFee(BigInt(r.parentBaseFee), BigInt(r.parentGas), BigInt(r.minBaseFee)).toString(), JSON.stringify(r)).to.equal(r.next);
      // It moves both ways and is floored: a spread, not one constant.
      expect(new Set(v.baseFeeRule.map((r) => r.next)).size).to.be.greaterThan(10);
    });
  });

  describe("merkle.json", () => {
    const v = load<MerkleJson>("merkle.json");

    it("empty root and node hashes", () => {
      expect(hex(merkleRoot([]))).to.equal(v.emptyRoot);
      expect(v.emptyRoot).to.equal(hex(DOMAINS.merkleEmpty));
      for (const n of v.nodes) expect(hex(merkleNode(bytes(n.left), bytes(n.right)))).to.equal(n.hash);
    });

    it("roots and every proof", () => {
      for (const t of v.trees) {
        const leaves = t.leaves.map(bytes);
        expect(leaves.length).to.equal(t.count);
        const root = merkleRoot(leaves);
        expect(hex(root), `count ${t.count}`).to.equal(t.root);
        expect(t.proofs.length).to.equal(t.count);
        t.proofs.forEach((p, i) => {
          expect(merkleProof(leaves, i).map(hex), `count ${t.count} leaf ${i}`).to.deep.equal(p);
          expect(verifyMerkleProof(root, leaves[i], i, t.count, p.map(bytes)), `count ${t.count} leaf ${i}`).to.equal(true);
        });
      }
    });

    it("invalid proofs fail", () => {
      expect(v.invalidProofs.length).to.be.greaterThan(0);
      for (const p of v.invalidProofs)
        expect(verifyMerkleProof(bytes(p.root), bytes(p.leaf), p.index, p.count, p.proof.map(bytes)), p.name).to.equal(false);
    });
  });

  describe("moves.json", () => {
    const v = load<MovesJson>("moves.json");

    it("encodings, keys and signature commitments", () => {
      for (const m of v.moves) {
        const move = moveFromJson(m.move);
        expect(hex(encodeMoveBytes(move)), m.name).to.equal(m.encoding);
        const r = new Reader(bytes(m.encoding));
        expect(decodeMove(r), m.name).to.deep.equal(move);
        r.end();
        expect(hex(keyBytes(move)), m.name).to.equal(m.key);
        expect(hex(moveSigCommitment(move)), m.name).to.equal(m.sigCommitment);
      }
    });

    it("moves' sighash digests", () => {
      const all = v.moves.map((m) => moveFromJson(m.move));
      for (const d of v.digests) expect(hex(movesSigDigest(d.indices.map((i) => all[i]))), d.name).to.equal(d.digest);
    });

    it("move lists: encodings with address back-references, and back", () => {
      expect(v.lists.some((l) => l.moves.some((m, i) => i > 0 && m.addr === l.moves[i - 1].addr))).to.equal(true);
      for (const l of v.lists) {
        const moves = l.moves.map(moveFromJson);
        expect(hex(encodeMovesBytes(moves)), l.name).to.equal(l.encoding);
        const r = new Reader(bytes(l.encoding));
        expect(decodeMoves(r, LIMITS.maxMoves), l.name).to.deep.equal(moves);
        r.end();
        // every move whose address repeats the previous one's is 20 bytes shorter than alone
        const alone = moves.reduce((n, m) => n + encodeMoveBytes(m).length, 1);
        const repeats = moves.filter((m, i) => i > 0 && hex(m.addr) === hex(moves[i - 1].addr)).length;
        expect(bytes(l.encoding).length, l.name).to.equal(alone - 20 * repeats);
      }
    });
  });

  describe("tx.json", () => {
    const vs = load<{ vectors: TxVector[] }>("tx.json").vectors;

    it("covers every shape, every Ethereum type, call and create", () => {
      expect(new Set(vs.map((t) => t.tx.type))).to.deep.equal(new Set([0, 1, 2]));
      expect(new Set(vs.filter((t) => t.ethType !== undefined).map((t) => t.ethType))).to.deep.equal(new Set([0, 1, 2]));
      expect(vs.some((t) => t.tx.type === 1 && t.tx.to === null)).to.equal(true);
    });

    for (const t of load<{ vectors: TxVector[] }>("tx.json").vectors) {
      it(t.name, () => {
        const tx = txFromJson(t.tx);
        const encoded = bytes(t.encoded);
        expect(hex(encodeTx(tx))).to.equal(t.encoded);
        expect(decodeTx(encoded)).to.deep.equal(tx);
        expect(declaredGas(tx).toString()).to.equal(t.declaredGas);
        expect(hex(txLeaf(encoded, BigInt(t.declaredGas)))).to.equal(t.leafHash);
        expect(hex(keccak256(concatBytes(DOMAINS.txLeaf, toFixed(BigInt(t.declaredGas), 8), encoded)))).to.equal(t.leafHash);
        expect(hex(txId(tx))).to.equal(t.txId);
        if (tx.type === TxType.Move) {
          expect(hex(movesSigDigest(tx.moves))).to.equal(t.movesSigDigest);
          expect(hex(moveTxSighash(tx))).to.equal(t.sighash);
          expect(hex(recoverMoveTxSender(tx))).to.equal(t.signer);
        } else expect(t.sighash).to.equal(undefined);
        if (tx.type === TxType.Wrapped) {
          const eth = Transaction.from(hex(tx.raw));
          expect(eth.type).to.equal(t.ethType);
          expect(eth.from!.toLowerCase()).to.equal(t.signer);
          expect(eth.hash).to.equal(t.txId);
        }
        if (tx.type === TxType.Deposit) expect(t.signer).to.equal(null);
      });
    }

    it("a coordinator-filled move tx keeps the sighash, signer and txId, not the leaf", () => {
      const call = vs.find((t) => t.name === "move tx, call")!;
      const filled = vs.find((t) => t.name === "move tx, call, coordinator-filled")!;
      expect(filled.sighash).to.equal(call.sighash);
      expect(filled.txId).to.equal(call.txId);
      expect(filled.signer).to.equal(call.signer);
      expect(filled.leafHash).to.not.equal(call.leafHash);
    });
  });

  describe("invalid.json", () => {
    const vs = load<InvalidJson>("invalid.json").vectors;
    it("every byte string is rejected with its code and offset", () => {
      expect(vs.length).to.be.greaterThan(20);
      for (const x of vs) {
        let err: unknown;
        try {
          runDecoder(x.decoder, x.padTo === undefined ? bytes(x.bytes) : padded(bytes(x.bytes), x.padTo));
        } catch (e) {
          err = e;
        }
        expect(err, x.name).to.be.instanceOf(DecodeError);
        expect((err as DecodeError).code, x.name).to.equal(x.code);
        expect((err as DecodeError).offset, x.name).to.equal(x.offset);
      }
    });
  });
});
