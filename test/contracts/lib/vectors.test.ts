/**
 * The Solidity twins of the core (contracts/lib/) against the shared vectors (test/vectors/*.json) and
 * against the TypeScript core itself, through contracts/test/CoreHarness.sol.
 *
 *   npx hardhat test test/contracts/lib/vectors.test.ts
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import hre from "hardhat";
import { Transaction, Wallet, getBytes, AbiCoder } from "ethers";
import type { CoreHarness } from "../../../typechain-types";
import {
  DecodeError as TsDecodeError,
  InvalidTxError,
  Executor,
  TxContext,
  Tx,
  MoveTx,
  DepositTx,
  WrappedTx,
  Move,
  TxType,
  Mark,
  MaskBit,
  MASK_ALL,
  L2_BLOCK_GAS_LIMIT,
  bytesToHex,
  hexToBytes,
  keccak256,
  concatBytes,
  encodeTx,
  decodeTx,
  canonicalWitness,
  signMoveTx,
  validateTx,
  txLeaf,
  sortMoves,
  encodeBatchData,
  txRootOf,
  batchDataHash,
  splitBatchData,
  Reader,
  Writer,
  LIMITS,
  encodeMove,
  decodeMoves,
  type BatchTx,
} from "../../../core";
import { VECTOR_DIR, DEV_KEYS, VECTOR_CHAIN_ID, HeaderJson, MoveJson, TxJson, headerWords, headerFromJson, txToJson, moveToJson, padded } from "../../../scripts/gen-vectors";

const hex = bytesToHex;
const bytes = (h: string) => hexToBytes(h as `0x${string}`);
const load = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, name), "utf8")) as T;

/** DecodeError codes in the order of the TypeScript DecodeCode union (= the Solidity numbering). */
const DECODE_CODES = ["truncated", "non-canonical", "oversized", "trailing-bytes", "unknown-type", "invalid-value", "not-expandable"] as const;
/** TxCodec.checkStructure verdicts, by number. */
const VERDICTS = [
  "ok",
  "moves-unsorted",
  "duplicate-key",
  "intx-not-before",
  "mask-on-unsigned",
  "unexpected-output",
  "bad-output",
  "unused-witness",
  "deposit-moves",
  "deposit-amount",
  "bad-sweep",
] as const;

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
  signer: string | null;
  ethType?: number;
}
interface InvalidJson {
  vectors: { name: string; decoder: "varint" | "u256c" | "move" | "moves" | "tx" | "batchData"; bytes: string; padTo?: number; code: string; offset: number }[];
}

// ------------------------------------------------------------------------------------------------
// Solidity results in the JSON forms

/* eslint-disable @typescript-eslint/no-explicit-any */
function moveOf(m: any): MoveJson {
  return {
    mask: Number(m.mask),
    ref: m.ref,
    mark: Number(m.mark),
    intx: m.intx.toString(),
    addr: String(m.addr).toLowerCase(),
    slot: m.slot.toString(),
    prev: m.prev.toString(),
    next: m.next.toString(),
  };
}

/** A decoded Solidity Tx in the JSON form of scripts/gen-vectors.ts (witness as code bytes, cut out of `enc`). */
function txOf(t: any, enc: Uint8Array): TxJson {
  const moves = t.moves.map(moveOf);
  const witness = t.witness.map((w: any) => hex(enc.subarray(Number(w.offset), Number(w.offset) + Number(w.size))));
  switch (Number(t.txType)) {
    case 0:
      return {
        type: 0,
        index: t.deposit.index.toString(),
        from: t.deposit.from.toLowerCase(),
        to: t.deposit.to.toLowerCase(),
        value: t.deposit.value.toString(),
        moves,
      };
    case 1: {
      const b = t.move;
      return {
        type: 1,
        chainId: b.chainId.toString(),
        nonce: b.nonce.toString(),
        maxPriorityFeePerGas: b.maxPriorityFeePerGas.toString(),
        maxFeePerGas: b.maxFeePerGas.toString(),
        gasLimit: b.gasLimit.toString(),
        to: b.hasTo ? b.to.toLowerCase() : null,
        value: b.value.toString(),
        data: b.data,
        moves,
        witness,
        sig: { yParity: Number(b.yParity), r: b.r.toString(), s: b.s.toString() },
      };
    }
    case 2:
      return { type: 2, raw: t.raw, moves, witness };
    default:
      throw new Error(`bad type ${t.txType}`);
  }
}

/** A move as the Solidity struct takes it. */
const moveArg = (m: Move | MoveJson) => ({
  mask: m.mask,
  ref: m.ref,
  mark: m.mark,
  intx: BigInt(m.intx),
  addr: typeof m.addr === "string" ? m.addr : hex(m.addr),
  slot: BigInt(m.slot),
  prev: BigInt(m.prev),
  next: BigInt(m.next),
});

const headerArg = (h: HeaderJson) => ({ ...h });

// ------------------------------------------------------------------------------------------------
// The TypeScript reference verdicts for the structural checks

const FEE = hexToBytes("0x00000000000000000000000000000000000fee01");
const SENTINEL = new Error("structure passed: the executor was reached");
const stubExecutor = {
  run: async () => {
    throw SENTINEL;
  },
} as unknown as Executor;

function ctx(seq: bigint, coinbase: Uint8Array = FEE): TxContext {
  return {
    seq,
    env: { chainId: VECTOR_CHAIN_ID, number: 5n, timestamp: 1_700_000_000n, coinbase, baseFee: 7n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: new Uint8Array(32), excessBlobGas: 0n },
    feeMode: "outputs",
    blockHash: "zero",
    allowUnprotected: false,
    allowBlobTx: false,
  };
}

interface Verdict {
  code: string;
  index?: number;
}

/** Codes the Solidity pipeline below models; any other TS outcome means "the structure passed". */
const MODELLED = new Set<string>([...VERDICTS.slice(1), "bad-signature"]);

/**
 * The core's verdict: validateTx up to the EVM. Its first fault if it is one of the structural faults,
 * the signature, or a foreign withdrawal output; "ok" otherwise (a later rule, or the executor reached).
 */
async function tsVerdict(tx: Tx, seq: bigint, coinbase: Uint8Array = FEE): Promise<Verdict> {
  try {
    await validateTx(tx, ctx(seq, coinbase), stubExecutor);
  } catch (e) {
    if (e === SENTINEL) return { code: "ok" };
    if (!(e instanceof InvalidTxError)) throw e;
    if (!MODELLED.has(e.code)) return { code: "ok" };
    if (e.code === "unused-witness") return { code: e.code, index: Number(/witness blob (\d+)/.exec(e.message)![1]) };
    if (e.code === "deposit-moves" || e.code === "bad-signature") return { code: e.code };
    return { code: e.code, index: e.moveIndex };
  }
  return { code: "ok" };
}

/** The same pipeline on the Solidity side: checkStructure, then the signer, then the withdrawal owner. */
async function solVerdict(h: CoreHarness, tx: Tx, seq: bigint, coinbase: Uint8Array = FEE): Promise<Verdict> {
  const enc = encodeTx(tx);
  const [ok, reason, index] = await h.checkStructure(enc, seq, hex(coinbase));
  if (!ok) {
    const code = VERDICTS[Number(reason)];
    return code === "deposit-moves" ? { code } : { code, index: Number(index) };
  }
  if (tx.type === TxType.Deposit) return { code: "ok" };
  let sender: string;
  if (tx.type === TxType.Move) {
    sender = (await h.txHashes(enc, 0)).signer;
    if (BigInt(sender) === 0n) return { code: "bad-signature" };
  } else sender = Transaction.from(hex(tx.raw)).from!;
  const [r2, i2] = await h.checkOutputOwner(enc, sender, seq);
  if (Number(r2) !== 0) return { code: VERDICTS[Number(r2)], index: Number(i2) };
  return { code: "ok" };
}

// ------------------------------------------------------------------------------------------------

describe("contracts/lib: Solidity twins of the core", function () {
  let h: CoreHarness;

  before(async () => {
    h = (await (await hre.ethers.getContractFactory("CoreHarness")).deploy()) as unknown as CoreHarness;
    await h.waitForDeployment();
  });

  it("CoreHarness stays under the 24 KB code limit", async () => {
    const code = await hre.ethers.provider.getCode(await h.getAddress());
    expect((code.length - 2) / 2).to.be.lessThan(24576);
  });

  describe("hashes.json", () => {
    const v = load<HashesJson>("hashes.json");

    it("the ten domain tags, in order", async () => {
      expect(v.domains.length).to.equal(11);
      expect((await h.domains()).map((x) => x.toLowerCase())).to.deep.equal(v.domains.map((d) => d.tag));
    });

    it("tagged hashes through the library code paths", async () => {
      for (const t of v.tagged) {
        switch (t.domain) {
          case "txLeaf": {
            // The payload is bytes8(gas) || tx. txHashes decodes, so use the leaf of a one-tx batch and loadLeaf.
            const p = bytes(t.payload);
            const gas = BigInt(hex(p.subarray(0, 8)));
            const tx = p.subarray(8);
            expect((await h.parseLeaves(encodeBatchData([{ gas, tx }])))[0][0]).to.equal(t.hash);
            expect(await h.loadLeaf(gas, tx)).to.equal(t.hash);
            break;
          }
          case "batchData":
            expect((await h.parseData(t.payload))[2]).to.equal(t.hash);
            break;
          case "depositId": {
            const index = BigInt(t.payload);
            const dep: DepositTx = { type: TxType.Deposit, index, from: FEE, to: FEE, value: 0n, moves: [] };
            expect((await h.txHashes(encodeTx(dep), 0))[1]).to.equal(t.hash);
            break;
          }
          default:
            throw new Error(`no Solidity path for tagged domain ${t.domain}`);
        }
      }
    });

    it("batch header hashes (memory and calldata)", async () => {
      expect(v.headers.length).to.be.greaterThanOrEqual(3);
      for (const x of v.headers) {
        const arg = headerArg(x.header);
        expect(await h.headerHash(arg), x.name).to.equal(x.hash);
        expect(await h.headerHashCalldata(arg), x.name).to.equal(x.hash);
        // the preimage words are abi.encode of the struct
        const words = AbiCoder.defaultAbiCoder().encode(
          ["tuple(uint256,bytes32,uint256,uint256,bytes32,uint256,uint256,address,uint256,uint256,uint256,bytes32,uint256,uint256)"],
          [Object.values(arg)],
        );
        expect(words, x.name).to.equal(x.words);
        expect(hex(headerWords(headerFromJson(x.header))), x.name).to.equal(x.words);
      }
    });

    it("batch data: count, leaves, data hash, tx root and declared gas", async () => {
      for (const b of v.batchData) {
        const [root, count, dataHash, gas] = await h.parseData(b.data);
        expect(count, b.name).to.equal(BigInt(b.txs.length));
        expect(dataHash, b.name).to.equal(b.dataHash);
        expect(root, b.name).to.equal(b.txRoot);
        expect(gas, b.name).to.equal(BigInt(b.gas));
        const [leaves, dh, gas2] = await h.parseLeaves(b.data);
        expect(dh, b.name).to.equal(b.dataHash);
        expect(gas2, b.name).to.equal(BigInt(b.gas));
        expect(leaves, b.name).to.deep.equal(b.txs.map((t) => hex(txLeaf(bytes(t.tx), BigInt(t.gas)))));
        for (const t of b.txs) expect(await h.loadLeaf(BigInt(t.gas), t.tx), b.name).to.equal(hex(txLeaf(bytes(t.tx), BigInt(t.gas))));
      }
    });

    it("the base fee rule", async () => {
      expect(v.baseFeeRule.length).to.be.greaterThan(20);
      for (const r of v.baseFeeRule) expect((await h.nextBaseFee(r.parentBaseFee, r.parentGas, r.minBaseFee)).toString(), JSON.stringify(r)).to.equal(r.next);
    });
  });

  describe("merkle.json", () => {
    const v = load<MerkleJson>("merkle.json");

    it("empty root and node hashes (ZERO on ZERO)", async () => {
      expect(await h.merkleRoot([])).to.equal(v.emptyRoot);
      for (const n of v.nodes) expect(await h.merkleNode(n.left, n.right)).to.equal(n.hash);
    });

    it("roots and every proof, memory and calldata", async () => {
      for (const t of v.trees) {
        expect(await h.merkleRoot(t.leaves), `count ${t.count}`).to.equal(t.root);
        const depth = t.proofs.length ? t.proofs[0].length : 0;
        expect(await h.merkleDepth(t.count)).to.equal(BigInt(depth));
        for (let i = 0; i < t.count; i++) {
          expect(await h.merkleVerify(t.root, t.leaves[i], i, t.count, t.proofs[i]), `count ${t.count} leaf ${i}`).to.equal(true);
          expect(await h.merkleVerifyCalldata(t.root, t.leaves[i], i, t.count, t.proofs[i]), `count ${t.count} leaf ${i}`).to.equal(true);
        }
      }
    });

    it("every invalid proof fails", async () => {
      expect(v.invalidProofs.length).to.be.greaterThan(0);
      for (const p of v.invalidProofs) {
        expect(await h.merkleVerify(p.root, p.leaf, p.index, p.count, p.proof), p.name).to.equal(false);
        expect(await h.merkleVerifyCalldata(p.root, p.leaf, p.index, p.count, p.proof), p.name).to.equal(false);
      }
    });

    it("depth is ceil(log2 n) up to n = 2^256 - 1", async () => {
      const max = (1n << 256n) - 1n;
      for (const [n, d] of [[0n, 0n], [1n, 0n], [2n, 1n], [3n, 2n], [1n << 64n, 64n], [(1n << 64n) + 1n, 65n], [1n << 255n, 255n], [max, 256n]] as const)
        expect(await h.merkleDepth(n), n.toString()).to.equal(d);
      expect(await h.merkleVerify(keccak256(Uint8Array.of(1)), keccak256(Uint8Array.of(1)), 0, max, [])).to.equal(false);
    });
  });

  describe("moves.json", () => {
    const v = load<MovesJson>("moves.json");

    it("encodings decode to the same fields; keys; signature commitments", async () => {
      for (const m of v.moves) {
        expect(moveOf(await h.decodeMove(m.encoding)), m.name).to.deep.equal(m.move);
        expect(await h.keyBytes(moveArg(m.move)), m.name).to.equal(m.key);
        expect(await h.moveSig(moveArg(m.move)), m.name).to.equal(m.sigCommitment);
      }
    });

    it("key order agrees with the canonical key bytes", async () => {
      for (const a of v.moves)
        for (const b of v.moves) {
          const want = a.key < b.key ? -1n : a.key > b.key ? 1n : 0n;
          expect(await h.compareKeys(moveArg(a.move), moveArg(b.move)), `${a.name} vs ${b.name}`).to.equal(want);
        }
    });

    it("moves' sighash digests", async () => {
      for (const d of v.digests) expect(await h.movesDigest(d.indices.map((i) => moveArg(v.moves[i].move))), d.name).to.equal(d.digest);
    });

    it("move lists with address back-references decode to the same moves", async () => {
      expect(v.lists.length).to.be.greaterThan(3);
      for (const l of v.lists) expect((await h.decodeMoves(l.encoding)).map(moveOf), l.name).to.deep.equal(l.moves);
    });
  });

  describe("tx.json", () => {
    const vs = load<{ vectors: TxVector[] }>("tx.json").vectors;
    for (const t of vs) {
      it(t.name, async () => {
        const enc = bytes(t.encoded);
        expect(txOf(await h.decodeTx(enc), enc)).to.deep.equal(t.tx);
        const [leaf, id, digest, sighash, signer] = await h.txHashes(enc, t.declaredGas);
        expect(leaf).to.equal(t.leafHash);
        expect(id).to.equal(t.txId);
        if (t.tx.type === 1) {
          expect(digest).to.equal(t.movesSigDigest);
          expect(sighash).to.equal(t.sighash);
          expect(signer.toLowerCase()).to.equal(t.signer);
        }
      });
    }

    it("witness blobs carry keccak256 of their code", async () => {
      for (const t of vs) {
        if (t.tx.type === 0) continue;
        const d = await h.decodeTx(t.encoded);
        expect(d.witness.map((w) => w.codeHash)).to.deep.equal(t.tx.witness.map((c) => hex(keccak256(bytes(c)))));
      }
    });
  });

  describe("invalid.json", () => {
    const vs = load<InvalidJson>("invalid.json").vectors;
    for (const x of vs) {
      it(`${x.name} → ${x.code} at ${x.offset}`, async () => {
        const b = x.padTo === undefined ? x.bytes : hex(padded(bytes(x.bytes), x.padTo));
        const code = DECODE_CODES.indexOf(x.code as (typeof DECODE_CODES)[number]);
        expect(code, x.code).to.be.greaterThanOrEqual(0);
        // thunks, so that no call's rejection is left unobserved while another is awaited
        const calls: (() => Promise<unknown>)[] = [];
        switch (x.decoder) {
          case "varint":
            calls.push(() => h.readVarint(b));
            break;
          case "u256c":
            calls.push(() => h.readU256c(b));
            break;
          case "move":
            calls.push(() => h.decodeMove(b));
            break;
          case "moves":
            calls.push(() => h.decodeMoves(b));
            break;
          case "tx":
            calls.push(() => h.decodeTx(b), () => h.txHashes(b, 0), () => h.checkStructure(b, 100, hex(FEE)));
            break;
          case "batchData":
            calls.push(() => h.parseData(b), () => h.parseLeaves(b), () => h.parseDataGas(b));
            break;
        }
        for (const c of calls) await expect(c()).to.be.revertedWithCustomError(h, "DecodeError").withArgs(code, x.offset);
      });
    }
  });

  describe("decoder edge cases beyond invalid.json, against the TS decoder", () => {
    /** Runs the TS decoder and the Solidity one; both accept with the same result or reject alike. */
    async function same(decoder: "varint" | "u256c" | "moves" | "tx" | "batchData", b: Uint8Array): Promise<void> {
      let tsErr: TsDecodeError | undefined;
      let tsVal: unknown;
      try {
        if (decoder === "tx") tsVal = decodeTx(b);
        else if (decoder === "batchData") tsVal = splitBatchData(b);
        else {
          const r = new Reader(b);
          tsVal = decoder === "varint" ? r.varint() : decoder === "u256c" ? r.u256c() : decodeMoves(r, LIMITS.maxMoves);
          r.end();
        }
      } catch (e) {
        if (!(e instanceof TsDecodeError)) throw e;
        tsErr = e;
      }
      const call =
        decoder === "varint"
          ? h.readVarint(b)
          : decoder === "u256c"
            ? h.readU256c(b)
            : decoder === "moves"
              ? h.decodeMoves(b)
              : decoder === "tx"
                ? h.decodeTx(b)
                : h.parseData(b);
      if (tsErr) {
        await expect(call, hex(b)).to.be.revertedWithCustomError(h, "DecodeError").withArgs(DECODE_CODES.indexOf(tsErr.code), tsErr.offset);
      } else {
        const sol: any = await call;
        if (decoder === "varint" || decoder === "u256c") expect(sol, hex(b)).to.equal(tsVal);
        if (decoder === "moves") expect(sol.map(moveOf), hex(b)).to.deep.equal((tsVal as Move[]).map(moveToJson));
        if (decoder === "tx") expect(txOf(sol, b)).to.deep.equal(txToJson(tsVal as Tx));
        if (decoder === "batchData") {
          expect(sol[0], hex(b)).to.equal(hex(txRootOf(tsVal as BatchTx[])));
          expect(sol[3], hex(b)).to.equal((tsVal as BatchTx[]).reduce((a, t) => a + t.gas, 0n));
        }
      }
    }

    it("varints: boundaries of length and value", async () => {
      const cases = [
        "00", "01", "7f", "8001", "ff01", "ff7f", "808001",
        "ffffffffffffffff7f", "ffffffffffffffffff01", "ffffffffffffffffff00", "ffffffffffffffffff02", "ffffffffffffffffff7f",
        "80808080808080808080", "8080808080808080808000", "80808080808080808001", "8080808080808080800100",
        "ff", "ffff", "80", "0080",
      ];
      for (const c of cases) await same("varint", bytes("0x" + c));
    });

    it("compact u256: boundaries", async () => {
      const cases = ["00", "0101", "01ff", "020100", "0200ff", "20" + "ff".repeat(32), "20" + "00" + "ff".repeat(31), "20" + "ff".repeat(31), "21", "ff", "01", "0001"];
      for (const c of cases) await same("u256c", bytes("0x" + c));
    });

    it("random move lists agree with TS: as encoded, with one back-reference bit flipped, cut anywhere", async () => {
      let seed = 4242;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const marks = [Mark.Storage, Mark.Balance, Mark.Nonce, Mark.Code, Mark.Fee, Mark.Withdrawal];
      const addrs = [new Uint8Array(20), new Uint8Array(20).fill(0xff), FEE, bytes("0x" + "ab".repeat(20))];
      for (let k = 0; k < 120; k++) {
        const n = 1 + rnd(6);
        const moves: Move[] = [];
        for (let i = 0; i < n; i++) {
          const mark = marks[rnd(marks.length)];
          const ref = rnd(3) === 0;
          const prev = BigInt(rnd(3) ? rnd(300) : rnd(2 ** 30));
          moves.push({
            mask: rnd(2) * rnd(128),
            ref,
            mark,
            intx: BigInt(rnd(3) ? rnd(128) : rnd(2 ** 30)),
            addr: i > 0 && rnd(2) ? moves[i - 1].addr : addrs[rnd(addrs.length)],
            slot: mark === Mark.Storage || mark === Mark.Fee || mark === Mark.Withdrawal ? BigInt(rnd(5)) : 0n,
            prev,
            next: ref ? prev : BigInt(rnd(300)),
          });
        }
        const w = new Writer().varint(n);
        const markAt: number[] = [];
        moves.forEach((m, i) => {
          markAt.push(w.finish().length + 1);
          encodeMove(w, m, i > 0 ? moves[i - 1].addr : undefined);
        });
        const b = w.finish();
        await same("moves", b);
        const flipped = Uint8Array.from(b);
        flipped[markAt[rnd(n)]] ^= 0x80;
        await same("moves", flipped);
        await same("moves", b.subarray(0, rnd(b.length)));
      }
    });

    it("every prefix of every tx vector is rejected exactly as in TS", async () => {
      const vs = load<{ vectors: TxVector[] }>("tx.json").vectors;
      for (const t of vs) {
        const enc = bytes(t.encoded);
        for (let n = 0; n < enc.length; n += 1 + Math.floor(enc.length / 60)) await same("tx", enc.subarray(0, n));
      }
    });

    it("every single-byte mutation of two tx vectors agrees with TS", async () => {
      const vs = load<{ vectors: TxVector[] }>("tx.json").vectors;
      for (const name of ["move tx, call, coordinator-filled", "wrapped EIP-1559 (type 2)", "deposit"]) {
        const enc = bytes(vs.find((t) => t.name === name)!.encoded);
        for (let i = 0; i < enc.length; i += 1 + Math.floor(enc.length / 80))
          for (const v of [0x00, 0x01, 0x7f, 0x80, 0xff, enc[i] ^ 0x40]) {
            const m = Uint8Array.from(enc);
            m[i] = v;
            await same("tx", m);
          }
      }
    });

    it("batch data: lengths and gas at the limits, empty transactions, bad counts", async () => {
      const one = Uint8Array.of(0x02, 0x01);
      const varint = (v: bigint | number) => new Writer().varint(v).finish();
      const cases = [
        Uint8Array.of(),
        Uint8Array.of(0x02),
        Uint8Array.of(0x02, 0x00),
        Uint8Array.of(0x01, 0x00),
        Uint8Array.of(0x00, 0x00),
        Uint8Array.of(0x02, 0x01, 0x00),
        Uint8Array.of(0x02, 0x01, 0x00, 0x00),
        Uint8Array.of(0x02, 0x02, 0x00, 0x00, 0x00, 0x00),
        Uint8Array.of(0x02, 0x02, 0x00, 0x00),
        Uint8Array.of(0x02, 0x80, 0x80, 0x04), // 65536 txs, none present
        Uint8Array.of(0x02, 0x81, 0x80, 0x04), // 65537
        Uint8Array.of(0x02, 0x80, 0x00),
        concatBytes(one, Uint8Array.of(0x00), varint(98_304)), // a tx of the largest size, missing
        concatBytes(one, Uint8Array.of(0x00), varint(98_305)), // one byte over
        concatBytes(one, Uint8Array.of(0x00, 0x80, 0x80, 0x80, 0x08)), // tx length 2^24
        concatBytes(one, varint(30_000_000), Uint8Array.of(0x01, 0xaa)), // declared gas at the limit
        concatBytes(one, varint(30_000_001), Uint8Array.of(0x01, 0xaa)), // one over
        concatBytes(Uint8Array.of(0x02, 0x02), varint(29_999_999), Uint8Array.of(0x00), varint(2), Uint8Array.of(0x00)), // the sum over
        concatBytes(one, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00)), // gas 2^64-1
        concatBytes(one, Uint8Array.of(0x80, 0x00, 0x00)), // gas non-canonical
        concatBytes(one, Uint8Array.of(0x80)), // cut in the gas
        concatBytes(one, Uint8Array.of(0x00, 0x05, 1, 2, 3)),
        concatBytes(one, Uint8Array.of(0x00, 0x03, 1, 2, 3, 4)),
      ];
      for (const c of cases) await same("batchData", c);
      // data at the size limit and one byte over (the content does not matter past the limit)
      await same("batchData", padded(concatBytes(one, Uint8Array.of(0x00), varint(122_880 - 6)), 122_880));
      await same("batchData", padded(concatBytes(one, Uint8Array.of(0x00), varint(122_881 - 6)), 122_881));
    });

    it("batch data: one-, two- and three-byte tx lengths and gas (fast and slow paths), cut anywhere near them", async () => {
      const tx = (n: number, fill: number, gas: bigint): BatchTx => ({ gas, tx: new Uint8Array(n).fill(fill) });
      const shape: [number, bigint][] = [[127, 0n], [128, 127n], [16383, 128n], [16384, 21_000n], [0, 0n], [20000, 2_097_152n], [1, 1n]];
      const data = encodeBatchData(shape.map(([n, g], i) => tx(n, i + 1, g)));
      await same("batchData", data);
      // cuts around every gas and length prefix
      const vlen = (v: bigint | number) => new Writer().varint(v).finish().length;
      const prefixes: number[] = [];
      for (let pos = 2, i = 0; i < shape.length; i++) {
        const [len, g] = shape[i];
        const gl = vlen(g);
        const lenBytes = vlen(len);
        prefixes.push(pos, pos + 1, pos + gl, pos + gl + 1, pos + gl + lenBytes, pos + gl + lenBytes + 1);
        pos += gl + lenBytes + len;
      }
      for (const n of prefixes) if (n <= data.length) await same("batchData", data.subarray(0, n));
    });
  });

  describe("structural checks agree with the TS core", () => {
    const key0 = getBytes(DEV_KEYS[0]);
    const A = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 16 + i) & 0xff);
    const mv = (p: Partial<Move> & Pick<Move, "mark" | "addr">): Move => {
      const prev = p.prev ?? 0n;
      return { mask: 0, ref: false, intx: 0n, slot: 0n, prev, next: p.ref ? prev : (p.next ?? 0n), ...p };
    };
    const vs = load<{ vectors: TxVector[] }>("tx.json").vectors;
    const raw = (name: string) => bytes((vs.find((t) => t.name === name)!.tx as { raw: string }).raw);
    const RAW = raw("wrapped EIP-1559 (type 2)");
    const CODE1 = Uint8Array.from([0x60, 0x00, 0x60, 0x00, 0xf3]);
    const CODE2 = Uint8Array.from([0x60, 0x01, 0x60, 0x00, 0x55]);
    const ch = (c: Uint8Array) => BigInt(hex(keccak256(c)));

    const moveTx = (moves: Move[], witness: Uint8Array[] = [], sign = true): MoveTx => {
      const t: MoveTx = {
        type: TxType.Move,
        chainId: VECTOR_CHAIN_ID,
        nonce: 0n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 10n,
        gasLimit: 100_000n,
        to: A(3),
        value: 0n,
        data: Uint8Array.of(1, 2, 3),
        moves,
        witness: canonicalWitness(witness),
        sig: { yParity: 0, r: 1n, s: 1n },
      };
      return sign ? signMoveTx(t, key0) : t;
    };
    const wrapped = (moves: Move[], witness: Uint8Array[] = []): WrappedTx => ({ type: TxType.Wrapped, raw: RAW, moves, witness: canonicalWitness(witness) });
    const deposit = (moves: Move[], value = 5n, to: Uint8Array = A(4)): DepositTx => ({ type: TxType.Deposit, index: 3n, from: A(5), to, value, moves });

    const sender = getBytes(new Wallet(DEV_KEYS[0]).address);
    /** A reference move's next is its prev. */
    const fixRef = (m: Move): Move => (m.ref ? { ...m, next: m.prev } : m);
    const bal = (addr: Uint8Array, p: Partial<Move> = {}) => fixRef(mv({ mark: Mark.Balance, addr, intx: 1n, prev: 10n, next: 9n, ...p }));
    const slotMv = (addr: Uint8Array, slot: bigint, p: Partial<Move> = {}) => fixRef(mv({ mark: Mark.Storage, addr, slot, intx: 2n, prev: 1n, next: 2n, ...p }));
    const fee = (p: Partial<Move> = {}) => mv({ mark: Mark.Fee, addr: FEE, slot: 10n, next: 21n, ...p });
    const wd = (addr: Uint8Array, p: Partial<Move> = {}) => mv({ mark: Mark.Withdrawal, addr, slot: 10n, next: 7n, ...p });
    /** A fee sweep of `addr`'s output created by seq 4 (worth 50). */
    const sweep = (addr: Uint8Array, p: Partial<Move> = {}) => mv({ mark: Mark.Fee, addr, slot: 4n, intx: 4n, prev: 50n, next: 0n, ...p });
    const code = (addr: Uint8Array, c: Uint8Array) => mv({ mark: Mark.Code, addr, intx: 1n, prev: ch(c), ref: true });

    const named: { name: string; tx: Tx; seq: bigint; want: string }[] = [
      { name: "sorted move tx", tx: moveTx(sortMoves([bal(sender), slotMv(A(3), 0n), slotMv(A(3), 1n)])), seq: 10n, want: "ok" },
      { name: "unsorted (slots)", tx: moveTx([slotMv(A(3), 1n), slotMv(A(3), 0n), bal(sender)]), seq: 10n, want: "moves-unsorted" },
      { name: "unsorted (the sender after a lower address)", tx: moveTx([bal(sender), slotMv(A(3), 0n)]), seq: 10n, want: "moves-unsorted" },
      { name: "unsorted (addresses)", tx: wrapped([slotMv(A(9), 0n), slotMv(A(3), 0n)]), seq: 10n, want: "moves-unsorted" },
      { name: "unsorted (marks)", tx: wrapped([mv({ mark: Mark.Nonce, addr: A(3) }), bal(A(3))]), seq: 10n, want: "moves-unsorted" },
      { name: "duplicate key", tx: moveTx([slotMv(A(3), 1n), slotMv(A(3), 1n, { prev: 5n }), bal(sender)]), seq: 10n, want: "duplicate-key" },
      { name: "duplicate key, one a reference", tx: wrapped([slotMv(A(3), 1n), slotMv(A(3), 1n, { ref: true })]), seq: 10n, want: "duplicate-key" },
      { name: "intx = seq", tx: moveTx([slotMv(A(3), 0n, { intx: 10n }), bal(sender)]), seq: 10n, want: "intx-not-before" },
      { name: "intx > seq", tx: wrapped([slotMv(A(3), 0n, { intx: 2n ** 64n - 1n })]), seq: 10n, want: "intx-not-before" },
      { name: "intx fault before a later order fault", tx: wrapped([slotMv(A(3), 1n, { intx: 11n }), slotMv(A(3), 0n)]), seq: 10n, want: "intx-not-before" },
      { name: "order fault before a later intx fault", tx: wrapped([slotMv(A(3), 1n), slotMv(A(3), 0n, { intx: 11n })]), seq: 10n, want: "moves-unsorted" },
      { name: "seq 0: every intx fails", tx: wrapped([slotMv(A(3), 0n, { intx: 0n })]), seq: 0n, want: "intx-not-before" },
      { name: "mask on a wrapped tx", tx: wrapped([slotMv(A(3), 0n), slotMv(A(3), 1n, { mask: MaskBit.Prev })]), seq: 10n, want: "mask-on-unsigned" },
      { name: "mask on a deposit", tx: deposit([bal(A(4), { prev: 0n, next: 5n, intx: 0n, mask: MASK_ALL })]), seq: 10n, want: "mask-on-unsigned" },
      { name: "masks on a move tx are fine", tx: moveTx([bal(sender, { mask: MASK_ALL })]), seq: 10n, want: "ok" },
      { name: "fee output", tx: moveTx(sortMoves([bal(sender), fee()])), seq: 10n, want: "ok" },
      { name: "fee output of another seq (a sweep that names genesis)", tx: moveTx(sortMoves([bal(sender), fee({ slot: 9n })])), seq: 10n, want: "bad-sweep" },
      { name: "sweep of the sender's fee output", tx: moveTx(sortMoves([bal(sender), sweep(sender)])), seq: 10n, want: "ok" },
      { name: "sweep of the sender's fee output (wrapped)", tx: wrapped([sweep(getBytes(Transaction.from(hex(RAW)).from!))]), seq: 10n, want: "ok" },
      { name: "sweep leaving a value", tx: moveTx(sortMoves([bal(sender), sweep(sender, { next: 1n })])), seq: 10n, want: "bad-sweep" },
      { name: "sweep naming another producer", tx: moveTx(sortMoves([bal(sender), sweep(sender, { intx: 3n })])), seq: 10n, want: "bad-sweep" },
      { name: "sweep as a reference", tx: wrapped([sweep(A(6), { ref: true, next: 50n })]), seq: 10n, want: "bad-sweep" },
      { name: "sweep of someone else's fee output (move tx)", tx: moveTx(sortMoves([bal(sender), sweep(A(6))])), seq: 10n, want: "unexpected-output" },
      { name: "sweep of someone else's fee output (wrapped)", tx: wrapped([sweep(A(6))]), seq: 10n, want: "unexpected-output" },
      { name: "sweep keyed after this seq (intx not before)", tx: wrapped([sweep(A(6), { slot: 11n, intx: 11n })]), seq: 10n, want: "intx-not-before" },
      { name: "fee output to another recipient", tx: wrapped([fee({ addr: A(6) })]), seq: 10n, want: "unexpected-output" },
      { name: "fee output, reference", tx: wrapped([fee({ ref: true, next: 0n })]), seq: 10n, want: "bad-output" },
      { name: "fee output, intx 1", tx: wrapped([fee({ intx: 1n })]), seq: 10n, want: "bad-output" },
      { name: "fee output, prev 1", tx: wrapped([fee({ prev: 1n })]), seq: 10n, want: "bad-output" },
      { name: "withdrawal output of the sender", tx: moveTx(sortMoves([bal(sender), wd(sender)])), seq: 10n, want: "ok" },
      { name: "withdrawal output of another seq", tx: moveTx(sortMoves([bal(sender), wd(sender, { slot: 11n })])), seq: 10n, want: "unexpected-output" },
      { name: "withdrawal output, prev 3", tx: moveTx(sortMoves([bal(sender), wd(sender, { prev: 3n })])), seq: 10n, want: "bad-output" },
      { name: "withdrawal output of someone else (move tx)", tx: moveTx(sortMoves([bal(sender), wd(A(7))])), seq: 10n, want: "unexpected-output" },
      { name: "withdrawal output of someone else (wrapped)", tx: wrapped([wd(A(7))]), seq: 10n, want: "unexpected-output" },
      { name: "declared witness", tx: moveTx(sortMoves([bal(sender), code(A(3), CODE1), code(A(4), CODE2)]), [CODE1, CODE2]), seq: 10n, want: "ok" },
      { name: "unused witness blob", tx: wrapped([code(A(3), CODE1)], [CODE1, CODE2]), seq: 10n, want: "unused-witness" },
      { name: "witness named by a next value", tx: wrapped([mv({ mark: Mark.Code, addr: A(3), intx: 1n, prev: 0n, next: ch(CODE2) })], [CODE2]), seq: 10n, want: "ok" },
      { name: "witness hash in a non-code move", tx: wrapped([slotMv(A(3), 0n, { prev: ch(CODE1) })], [CODE1]), seq: 10n, want: "unused-witness" },
      { name: "bad signature (high s)", tx: (() => { const t = moveTx([bal(sender)]); t.sig.s = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n - t.sig.s; return t; })(), seq: 10n, want: "bad-signature" },
      { name: "bad signature (r = 0)", tx: (() => { const t = moveTx([bal(sender)]); t.sig.r = 0n; return t; })(), seq: 10n, want: "bad-signature" },
      { name: "bad signature (r not on the curve)", tx: (() => { const t = moveTx([bal(sender)]); t.sig.r = 5n; return t; })(), seq: 10n, want: "bad-signature" },
      { name: "deposit", tx: deposit([bal(A(4), { intx: 0n, prev: 0n, next: 5n })]), seq: 10n, want: "ok" },
      { name: "deposit with no move", tx: deposit([]), seq: 10n, want: "deposit-moves" },
      { name: "deposit with two moves", tx: deposit([bal(A(4), { prev: 0n, next: 5n }), mv({ mark: Mark.Nonce, addr: A(4) })]), seq: 10n, want: "deposit-moves" },
      { name: "deposit to another address", tx: deposit([bal(A(5), { prev: 0n, next: 5n })]), seq: 10n, want: "deposit-moves" },
      { name: "deposit as a reference", tx: deposit([bal(A(4), { ref: true, prev: 5n })], 0n), seq: 10n, want: "deposit-moves" },
      { name: "deposit of the wrong amount", tx: deposit([bal(A(4), { prev: 1n, next: 5n })]), seq: 10n, want: "deposit-amount" },
      { name: "deposit overflowing", tx: deposit([bal(A(4), { prev: 2n ** 256n - 1n, next: 4n })]), seq: 10n, want: "deposit-amount" },
      { name: "deposit, intx not before", tx: deposit([bal(A(4), { intx: 10n, prev: 0n, next: 5n })]), seq: 10n, want: "intx-not-before" },
    ];

    for (const c of named) {
      it(`${c.name}: ${c.want}`, async () => {
        const ts = await tsVerdict(c.tx, c.seq);
        expect(ts.code, "the TS core's verdict").to.equal(c.want);
        expect(await solVerdict(h, c.tx, c.seq)).to.deep.equal(ts);
      });
    }

    it("agrees with the TS core on 150 random witness checks", async () => {
      let seed = 99;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const codes = Array.from({ length: 6 }, (_, i) => Uint8Array.of(0x60, i, 0xf3));
      const tally: Record<string, number> = {};
      for (let k = 0; k < 150; k++) {
        const moves: Move[] = [];
        const n = rnd(4);
        for (let i = 0; i < n; i++) {
          const v = () => (rnd(4) ? ch(codes[rnd(codes.length)]) : BigInt(rnd(2)));
          const ref = rnd(2) === 0;
          const prev = v();
          moves.push(mv({ mark: rnd(5) ? Mark.Code : Mark.Storage, addr: A(i + 1), intx: 1n, prev, next: ref ? prev : v(), ref }));
        }
        const witness = codes.filter(() => rnd(3) === 0);
        const tx = rnd(2) ? wrapped(moves, witness) : moveTx(moves, witness);
        const ts = await tsVerdict(tx, 5n);
        tally[ts.code] = (tally[ts.code] ?? 0) + 1;
        expect(await solVerdict(h, tx, 5n), `case ${k}: ${hex(encodeTx(tx))}`).to.deep.equal(ts);
      }
      expect(tally["unused-witness"]).to.be.greaterThan(10);
      expect(tally["ok"]).to.be.greaterThan(10);
    });

    it("agrees with the TS core on 400 random transactions", async () => {
      let seed = 12345;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
      const marks = [Mark.Storage, Mark.Balance, Mark.Nonce, Mark.Code, Mark.Fee, Mark.Withdrawal];
      const addrs = [A(1), A(2), FEE, sender];
      const codes = [CODE1, CODE2, Uint8Array.of(0xfe)];
      const tally: Record<string, number> = {};
      for (let k = 0; k < 400; k++) {
        const seq = BigInt(1 + rnd(8));
        const kind = pick([0, 1, 1, 2, 2]);
        const moves: Move[] = [];
        const n = rnd(5);
        for (let i = 0; i < n; i++) {
          const mark = pick(marks);
          const hasSlot = mark === Mark.Storage || mark === Mark.Fee || mark === Mark.Withdrawal;
          const ref = rnd(4) === 0;
          const prev = mark === Mark.Code && rnd(2) ? ch(pick(codes)) : BigInt(rnd(3));
          const next = ref ? prev : mark === Mark.Code && rnd(2) ? ch(pick(codes)) : BigInt(rnd(3));
          moves.push({
            mask: kind === 1 || rnd(6) === 0 ? rnd(2) * rnd(128) : 0,
            ref,
            mark,
            intx: BigInt(rnd(6) === 0 ? rnd(10) : 0),
            addr: pick(addrs),
            slot: hasSlot ? (rnd(2) ? seq : BigInt(rnd(3))) : 0n,
            prev,
            next,
          });
        }
        if (rnd(5)) sortMoves(moves);
        const witness = rnd(2) ? codes.filter(() => rnd(2) === 1) : [];
        let tx: Tx;
        if (kind === 0) {
          // mostly one balance move, so the deposit rules are reached
          const to = pick(addrs);
          const dm = rnd(3) ? [bal(to, { intx: 0n, prev: BigInt(rnd(3)), next: BigInt(rnd(5)), mask: rnd(6) ? 0 : 1 })] : moves;
          tx = deposit(dm, BigInt(rnd(3)), rnd(4) ? to : pick(addrs));
        } else if (kind === 1) {
          tx = moveTx(moves, witness);
          if (rnd(8) === 0) (tx as MoveTx).sig.s = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n - (tx as MoveTx).sig.s;
        } else tx = wrapped(moves, witness);
        const coinbase = rnd(4) ? FEE : A(1);
        const ts = await tsVerdict(tx, seq, coinbase);
        tally[ts.code] = (tally[ts.code] ?? 0) + 1;
        expect(await solVerdict(h, tx, seq, coinbase), `case ${k}: ${hex(encodeTx(tx))} seq ${seq}`).to.deep.equal(ts);
      }
      // the random cases reach most verdicts
      console.log(`      verdicts: ${JSON.stringify(tally)}`);
      expect(Object.keys(tally).length, JSON.stringify(tally)).to.be.greaterThanOrEqual(10);
    });
  });

  describe("limits: the largest transactions stay provable within a block", () => {
    const key0 = getBytes(DEV_KEYS[0]);

    it(`${LIMITS.maxMoves} signed moves: decode, structure and signer`, async function () {
      const moves: Move[] = Array.from({ length: LIMITS.maxMoves }, (_, i) => ({
        mask: MASK_ALL,
        ref: false,
        mark: Mark.Storage,
        intx: BigInt(1 + (i % 7)),
        addr: hexToBytes("0x00000000000000000000000000000000000000aa"),
        slot: BigInt(i),
        prev: BigInt(i * 7919),
        next: BigInt(i * 104729),
      }));
      const tx = signMoveTx(
        { type: TxType.Move, chainId: VECTOR_CHAIN_ID, nonce: 0n, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n, gasLimit: 21000n, to: null, value: 0n, data: new Uint8Array(0), moves, witness: [], sig: { yParity: 0, r: 1n, s: 1n } },
        key0,
      );
      const enc = encodeTx(tx);
      const [decodeGas, fullGas] = await h.decodeTxGas(enc, 100, hex(FEE));
      console.log(`      ${enc.length} B, ${LIMITS.maxMoves} signed moves: decode ${decodeGas} gas; + checkStructure + recoverSigner ${fullGas} gas`);
      const [, , , , signer] = await h.txHashes(enc, 0);
      expect(signer).to.equal(new Wallet(DEV_KEYS[0]).address);
      // bench/proof-gas.ts measures whole proofs; this part alone stays a fraction of L1's 2^24 cap
      expect(fullGas).to.be.lessThan(5_000_000n);
      // one move more is refused before anything is decoded
      const over = encodeTx({ ...tx, moves: [...moves, { ...moves[0], slot: 1n << 200n }] });
      await expect(h.decodeTx(over)).to.be.revertedWithCustomError(h, "DecodeError");
    });

    it(`256 witness blobs and ${LIMITS.maxMoves} code moves: the witness check`, async () => {
      const codes = Array.from({ length: 256 }, (_, i) => Uint8Array.of(0x60, i, 0x00));
      const moves: Move[] = Array.from({ length: LIMITS.maxMoves }, (_, i) => ({
        mask: 0,
        ref: true,
        mark: Mark.Code,
        intx: 1n,
        addr: hexToBytes(("0x" + (i + 1).toString(16).padStart(40, "0")) as `0x${string}`),
        slot: 0n,
        prev: i < 255 ? BigInt(hex(keccak256(codes[i]))) : 0n,
        next: i < 255 ? BigInt(hex(keccak256(codes[i]))) : 0n,
      }));
      const tx: WrappedTx = { type: TxType.Wrapped, raw: Uint8Array.of(1), moves, witness: canonicalWitness(codes) };
      const enc = encodeTx(tx);
      const [decodeGas, fullGas] = await h.decodeTxGas(enc, 100, hex(FEE));
      // blob 255 is declared by no move: the first unused one in witness order
      const unused = tx.witness.findIndex((c) => c[1] === 255);
      expect(await h.checkStructure(enc, 100, hex(FEE))).to.deep.equal([false, 7n, BigInt(unused)]);
      console.log(`      ${enc.length} B, ${LIMITS.maxMoves} moves, 256 blobs: decode ${decodeGas} gas; + checkStructure ${fullGas} gas`);
      expect(fullGas).to.be.lessThan(5_000_000n);
    });
  });

  describe("gas", () => {
    it("appendBatch-style parse of a 100-tx batch of ~150-byte transactions", async () => {
      let seed = 7;
      const txs: Uint8Array[] = [];
      for (let i = 0; i < 100; i++)
        txs.push(
          Uint8Array.from({ length: 140 + (i % 21) }, () => {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            return 1 + (seed % 255);
          }),
        );
      const data = encodeBatchData(txs.map((tx) => ({ gas: 21_000n, tx })));
      const [gasUsed, root, count] = await h.parseDataGas(data);
      const [leavesGas, rootGas] = await h.parseDataGasBreakdown(data);
      expect(root).to.equal(hex(txRootOf(txs.map((tx) => ({ gas: 21_000n, tx })))));
      expect(count).to.equal(100n);
      // end to end: a transaction that parses and stores (a stand-in for appendBatch's parse part)
      const rc = await (await h.appendLike(data)).wait();
      const calldataGas = 21_000 + [...getBytes(h.interface.encodeFunctionData("appendLike", [data]))].reduce((s, b) => s + (b ? 16 : 4), 0);
      const avgTx = txs.reduce((s, t) => s + t.length, 0) / txs.length;
      console.log(
        `      batch of 100 txs (avg ${avgTx} B, data ${data.length} B): parseData ${gasUsed} gas = ${Number(gasUsed) / 100} gas/tx; ` +
          `appendLike tx ${rc!.gasUsed} gas, of which 21000 + calldata ${calldataGas - 21_000}\n` +
          `      (copy + data hash + leaves ${leavesGas}, Merkle root ${rootGas})`,
      );
      // (each transaction: its declared gas read and summed, its leaf hashed in place with the gas)
      expect(Number(gasUsed) / 100).to.be.lessThan(1100);
      expect(hex(batchDataHash(data))).to.equal((await h.parseData(data))[2]);
    });

    it("decode gas of typical transactions", async () => {
      const vs = load<{ vectors: TxVector[] }>("tx.json").vectors;
      for (const name of ["deposit", "move tx, call", "move tx, create", "wrapped EIP-1559 (type 2)"]) {
        const t = vs.find((x) => x.name === name)!;
        const [decodeGas, fullGas] = await h.decodeTxGas(t.encoded, 100, hex(FEE));
        console.log(
          `      ${name} (${(t.encoded.length - 2) / 2} B, ${t.tx.moves.length} moves): decode ${decodeGas} gas; decode + checkStructure${t.tx.type === 1 ? " + recoverSigner" : ""} ${fullGas} gas`,
        );
      }
    });
  });
});
