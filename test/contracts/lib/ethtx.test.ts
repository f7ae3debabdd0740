/**
 * contracts/lib/EthTx.sol and Rlp.sol (through contracts/test/EthTxHarness.sol) against ethereumjs:
 * the fixed vectors of test/vectors/ethtx.json (written by scripts/gen-ethtx-vectors.ts), a
 * randomized round of signed transactions, mutations of them, and raw RLP, all compared live.
 *
 *   npx hardhat test test/contracts/lib/ethtx.test.ts
 */
import { expect } from "chai";
import * as fs from "fs";
import hre from "hardhat";
import { getBytes, hexlify } from "ethers";
import { RLP } from "@ethereumjs/rlp";
import type { EthTxHarness } from "../../../typechain-types";
import {
  ETHTX_VECTOR_FILE,
  EthTxVectors,
  FieldsJson,
  Prng,
  ZERO_ADDRESS,
  buildEthTxVectors,
  ethjsInspect,
  mutate,
  randomNode,
  randomTx,
  rlp,
  type Node,
} from "../../../scripts/gen-ethtx-vectors";

const vectors = JSON.parse(fs.readFileSync(ETHTX_VECTOR_FILE, "utf8")) as EthTxVectors;

type Sol = Awaited<ReturnType<EthTxHarness["inspect"]>>;
type SolFields = Sol["f"];

/** The harness's fields in the vectors' JSON form (`data` given separately). */
function toJson(f: SolFields, data: string): FieldsJson {
  return {
    txType: Number(f.txType),
    eip155: f.eip155,
    signed: f.signed,
    chainId: f.chainId.toString(),
    nonce: f.nonce.toString(),
    maxPriorityFeePerGas: f.maxPriorityFeePerGas.toString(),
    maxFeePerGas: f.maxFeePerGas.toString(),
    gasLimit: f.gasLimit.toString(),
    isCreate: f.isCreate,
    to: f.isCreate ? null : f.to.toLowerCase(),
    value: f.value.toString(),
    data,
    accessListAddresses: Number(f.accessListAddresses),
    accessListStorageKeys: Number(f.accessListStorageKeys),
    v: f.v.toString(),
    r: f.r.toString(),
    s: f.s.toString(),
  };
}

const sliceData = (raw: string, f: SolFields) =>
  hexlify(getBytes(raw).subarray(Number(f.dataOffset), Number(f.dataOffset + f.dataLength)));

describe("EthTx (Solidity) against ethereumjs", function () {
  let h: EthTxHarness;

  /** Calls `fn`; a revert must carry one of the harness's custom errors, whose name is returned. */
  async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      const err = e as { data?: string; error?: { data?: string }; message?: string };
      const data = err.data ?? err.error?.data;
      const parsed = data && data !== "0x" ? h.interface.parseError(data) : null;
      // INVARIANT: the decoder fails only with its own errors (never a panic, an empty revert or OOG).
      if (!parsed) throw new Error(`not a custom error: ${err.message} data=${data}`, { cause: e });
      return { ok: false, error: parsed.name };
    }
  }

  const inspect = (raw: string | Uint8Array, chainId: bigint) => attempt(() => h.inspect(raw, chainId));

  before(async () => {
    h = (await (await hre.ethers.getContractFactory("EthTxHarness")).deploy()) as unknown as EthTxHarness;
  });

  describe("vectors", () => {
    it("test/vectors/ethtx.json is what the generator writes today", async function () {
      this.timeout(300_000);
      const fresh = await buildEthTxVectors();
      expect(JSON.parse(JSON.stringify(fresh))).to.deep.equal(vectors);
    });

    it(`decodes every valid vector to ethereumjs's fields, signing hash, sender and intrinsic gas (${vectors.valid.length})`, async () => {
      expect(vectors.valid.length).to.be.greaterThan(25);
      for (const v of vectors.valid) {
        const r = await inspect(v.raw, BigInt(v.chainId));
        if (!r.ok) throw new Error(`${v.name}: reverts ${r.error}`);
        const s = r.value;
        expect(toJson(s.f, s.data), v.name).to.deep.equal(v.fields);
        expect(s.hash, v.name).to.equal(v.signingHash);
        expect(s.from.toLowerCase(), v.name).to.equal(v.sender.toLowerCase());
        expect(s.intrinsic.toString(), v.name).to.equal(v.intrinsicGas);
        expect(sliceData(v.raw, s.f), v.name).to.equal(v.fields.data);
        // The chain-free decode agrees (every valid vector is signed).
        const d = await h.decode(v.raw);
        expect(toJson(d, sliceData(v.raw, d)), `${v.name} (decode)`).to.deep.equal(v.fields);
      }
    });

    it(`rejects every invalid vector at its stage with its reason (${vectors.invalid.length})`, async () => {
      const stages = { decode: 0, sender: 0, refused: 0 };
      for (const v of vectors.invalid) {
        stages[v.stage]++;
        const r = await inspect(v.raw, BigInt(v.chainId));
        if (v.stage === "sender") {
          if (!r.ok) throw new Error(`${v.name}: expected to decode, reverts ${r.error}`);
          expect(r.value.from, v.name).to.equal(ZERO_ADDRESS);
          continue;
        }
        if (r.ok) throw new Error(`${v.name}: expected ${v.reason}, decodes (sender ${r.value.from})`);
        expect(r.error, v.name).to.equal(v.reason);
        // Without a chain to match, only the chain-id reasons change.
        const d = await attempt(() => h.decode(v.raw));
        if (v.reason === "ChainIdMismatch") {
          if (!d.ok) expect(d.error, `${v.name} (decode)`).to.equal("ChainIdTooLarge");
        } else {
          expect(d.ok ? "decodes" : d.error, `${v.name} (decode)`).to.equal(v.reason);
        }
      }
      expect(stages.decode).to.be.greaterThan(300);
      expect(stages.sender).to.be.greaterThan(15);
      expect(stages.refused).to.equal(7);
    });
  });

  describe("randomized, compared live with ethereumjs", () => {
    const signed: { raw: Uint8Array; chainId: bigint }[] = [];

    it("200 random signed transactions: same fields, signing hash, sender, intrinsic gas", async function () {
      this.timeout(300_000);
      const rng = new Prng(20250601n);
      const types = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        const { raw, chainId } = randomTx(rng);
        signed.push({ raw, chainId });
        const ref = ethjsInspect(raw, chainId);
        const sol = await inspect(raw, chainId);
        const name = `#${i} ${hexlify(raw).slice(0, 24)}… chain ${chainId}`;
        if (!ref.ok) {
          // A legacy EIP-155 tx decoded on another chain.
          expect(sol.ok ? "decodes" : sol.error, name).to.equal("ChainIdMismatch");
          types.set("chain-mismatch", (types.get("chain-mismatch") ?? 0) + 1);
          continue;
        }
        if (!sol.ok) throw new Error(`${name}: Solidity reverts ${sol.error}, ethereumjs accepts`);
        const key = `type${ref.fields.txType}${ref.fields.txType === 0 ? (ref.fields.eip155 ? "-155" : "-unprotected") : ""}`;
        types.set(key, (types.get(key) ?? 0) + 1);
        expect(toJson(sol.value.f, sol.value.data), name).to.deep.equal(ref.fields);
        expect(sol.value.hash, name).to.equal(ref.signingHash);
        expect(sol.value.from.toLowerCase(), name).to.equal(ref.sender.toLowerCase());
        expect(sol.value.intrinsic.toString(), name).to.equal(ref.intrinsicGas);
      }
      for (const k of ["type0-155", "type0-unprotected", "type1", "type2"]) expect(types.get(k) ?? 0, k).to.be.greaterThan(20);
    });

    it("600 mutations of them: Solidity decodes exactly when ethereumjs does, and then agrees", async function () {
      this.timeout(300_000);
      const rng = new Prng(77n);
      let accepted = 0;
      let senderless = 0;
      const reasons = new Set<string>();
      for (let i = 0; i < 600; i++) {
        const base = rng.pick(signed);
        let raw = mutate(rng, base.raw);
        if (rng.chance(0.2)) raw = mutate(rng, raw);
        const ref = ethjsInspect(raw, base.chainId);
        const sol = await inspect(raw, base.chainId);
        const name = `mutation #${i} ${hexlify(raw)} chain ${base.chainId}`;
        expect(sol.ok, `${name}: ethereumjs ${ref.ok ? "accepts" : "rejects: " + ref.error}, Solidity ${sol.ok ? "accepts" : "reverts " + sol.error}`).to.equal(ref.ok);
        if (!sol.ok || !ref.ok) {
          if (!sol.ok) reasons.add(sol.error);
          continue;
        }
        accepted++;
        if (ref.senderError) senderless++;
        expect(toJson(sol.value.f, sol.value.data), name).to.deep.equal(ref.fields);
        expect(sol.value.hash, name).to.equal(ref.signingHash);
        expect(sol.value.from.toLowerCase(), name).to.equal(ref.sender.toLowerCase());
        expect(sol.value.intrinsic.toString(), name).to.equal(ref.intrinsicGas);
      }
      // The round reaches both sides and many reasons.
      expect(accepted).to.be.greaterThan(20);
      expect(reasons.size).to.be.greaterThan(10);
      void senderless;
    });
  });

  describe("Rlp", () => {
    const rlpOk = async (b: Uint8Array) => attempt(() => h.rlpValidate(b));
    const ethjsRlpOk = (b: Uint8Array) => {
      try {
        const d = RLP.decode(b);
        return b.length > 0 || d !== undefined;
      } catch {
        return false;
      }
    };

    it("accepts the canonical examples and reads their headers", async () => {
      const cases: [string, boolean, number, number][] = [
        ["0x83646f67", false, 1, 3], // "dog"
        ["0xc88363617483646f67", true, 1, 8], // ["cat", "dog"]
        ["0x80", false, 1, 0],
        ["0x00", false, 0, 1],
        ["0x7f", false, 0, 1],
        ["0x8180", false, 1, 1],
        ["0xc0", true, 1, 0],
        ["0xc7c0c1c0c3c0c1c0", true, 1, 7], // set-theoretic three
        ["0xb838" + "61".repeat(56), false, 2, 56],
        ["0xf83c" + "b838" + "61".repeat(56) + "80" + "80", true, 2, 60],
      ];
      for (const [hex, isList, payload, length] of cases) {
        const r = await rlpOk(getBytes(hex));
        if (!r.ok) throw new Error(`${hex}: ${r.error}`);
        expect([r.value[0], Number(r.value[1]), Number(r.value[2])], hex).to.deep.equal([isList, payload, length]);
      }
    });

    it("rejects each non-canonical form with its error", async () => {
      const cases: [string, string][] = [
        ["0x", "RlpTruncated"],
        ["0x8100", "RlpNonCanonicalSingleByte"],
        ["0x817f", "RlpNonCanonicalSingleByte"],
        ["0xb801ff", "RlpNonCanonicalLength"],
        ["0xb837" + "61".repeat(55), "RlpNonCanonicalLength"],
        ["0xf800", "RlpLeadingZeroLength"],
        ["0xf80100", "RlpNonCanonicalLength"],
        ["0xb90038" + "61".repeat(56), "RlpLeadingZeroLength"],
        ["0xf90038" + "80".repeat(56), "RlpLeadingZeroLength"],
        ["0x83646f", "RlpTruncated"],
        ["0xc2c0", "RlpTruncated"],
        ["0xc1c2c0c0", "RlpTruncated"], // inner list overruns its parent
        ["0xb838" + "61".repeat(55), "RlpTruncated"],
        ["0xbf" + "ff".repeat(8), "RlpTruncated"],
        ["0xffffffffffffffffff", "RlpTruncated"],
        ["0x8000", "RlpTrailingBytes"],
        ["0xc0c0", "RlpTrailingBytes"],
      ];
      for (const [hex, reason] of cases) {
        const b = getBytes(hex);
        expect(ethjsRlpOk(b) && b.length > 0, `${hex}: ethereumjs must reject`).to.equal(false);
        const r = await rlpOk(b);
        expect(r.ok ? "accepts" : r.error, hex).to.equal(reason);
      }
    });

    it("handles nesting 2000 deep without recursion", async () => {
      let n: Node = [];
      for (let i = 0; i < 2000; i++) n = [n];
      const r = await rlpOk(rlp(n));
      expect(r.ok).to.equal(true);
      const bad = rlp(n);
      bad[bad.length - 1] = 0xc1; // innermost list claims a byte it does not have
      const r2 = await rlpOk(bad);
      expect(r2.ok ? "accepts" : r2.error).to.equal("RlpTruncated");
    });

    it("500 random byte strings and item trees: accepted exactly when ethereumjs RLP.decode accepts", async function () {
      this.timeout(300_000);
      const rng = new Prng(4242n);
      let accepted = 0;
      for (let i = 0; i < 500; i++) {
        let b: Uint8Array;
        const m = rng.int(3);
        if (m === 0) b = rng.bytes(1 + rng.int(12), 0.1);
        else {
          b = rlp([randomNode(rng), randomNode(rng), randomNode(rng)].slice(0, 1 + rng.int(3)));
          if (m === 2 && b.length > 0) b[rng.int(b.length)] = rng.int(256);
        }
        const ref = ethjsRlpOk(b);
        const sol = await rlpOk(b);
        expect(sol.ok, `${hexlify(b)}: ethereumjs ${ref}, Solidity ${sol.ok ? "accepts" : sol.error}`).to.equal(ref);
        if (ref) accepted++;
      }
      expect(accepted).to.be.greaterThan(50);
    });
  });

  describe("gas", () => {
    it("reports decodeFor + sender and intrinsicGas", async () => {
      const rows: string[] = [];
      for (const name of ["eip1559-transfer", "legacy-eip155-chain1-transfer", "eip2930-access-list", "eip1559-access-list-big-chain", "eip1559-create", "eip1559-create-max-initcode"]) {
        const v = vectors.valid.find((x) => x.name === name)!;
        const [gas, from] = await h.gasOfDecodeAndSender(v.raw, BigInt(v.chainId));
        expect(from.toLowerCase()).to.equal(v.sender.toLowerCase());
        const [igas, intrinsic] = await h.gasOfIntrinsic(v.raw, BigInt(v.chainId));
        expect(intrinsic.toString()).to.equal(v.intrinsicGas);
        rows.push(`${name.padEnd(34)} ${String((getBytes(v.raw).length)).padStart(6)} B  decode+sender ${String(gas).padStart(7)}  intrinsicGas ${String(igas).padStart(7)}`);
        if (name === "eip1559-transfer") expect(Number(gas)).to.be.lessThan(30_000);
      }
      console.log("      " + rows.join("\n      "));
    });
  });
});
