/**
 * The step machine's hash primitives in TypeScript (core/crypto/keccak-f.ts, sha256-compress.ts,
 * ripemd160-compress.ts): chained over padded messages they give keccak256, SHA-256 and RIPEMD-160
 * as node's crypto and the core's keccak256 compute them, and they re-derive the shared vectors.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import { bytesToHex, keccak256 } from "../../../core/bytes";
import { keccakF1600, keccakAbsorb, keccakSponge, keccakF1600Words } from "../../../core/crypto/keccak-f";
import { sha256Chained, sha256Compress } from "../../../core/crypto/sha256-compress";
import { ripemd160Chained, ripemd160Compress } from "../../../core/crypto/ripemd160-compress";
import { STEP_CRYPTO_FILE, buildStepCryptoVectors, serializeStepCrypto } from "../../../scripts/gen-step-crypto-vectors";
import { rng } from "../../../bench/rng";

const hex = bytesToHex;

describe("core/crypto: step-machine hash primitives", () => {
  const r = rng(7);
  const lengths = [0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 120, 135, 136, 137, 271, 272, 273, 1000, 4096];
  const msgs = [...lengths, ...Array.from({ length: 40 }, () => Math.floor(r() * 2000))].map((n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256)));

  it("the keccak sponge over keccak-f gives keccak256 (core/bytes.ts) for every length", () => {
    for (const m of msgs) expect(hex(keccakSponge(m)), `length ${m.length}`).to.equal(hex(keccak256(m)));
  });

  it("chained SHA-256 compression gives node's sha256", () => {
    for (const m of msgs) expect(hex(sha256Chained(m)), `length ${m.length}`).to.equal("0x" + crypto.createHash("sha256").update(m).digest("hex"));
  });

  it("chained RIPEMD-160 compression gives node's ripemd160", () => {
    for (const m of msgs) expect(hex(ripemd160Chained(m)), `length ${m.length}`).to.equal("0x" + crypto.createHash("ripemd160").update(m).digest("hex"));
  });

  it("keccak-f of the zero state is the published value (lane 0 = 0xF1258F7940E1DDE7)", () => {
    const w = new Uint32Array(50);
    keccakF1600Words(w);
    expect(((BigInt(w[1]) << 32n) | BigInt(w[0])).toString(16)).to.equal("f1258f7940e1dde7");
    expect(((BigInt(w[49]) << 32n) | BigInt(w[48])).toString(16)).to.equal("eaf1ff7b5ceca249");
  });

  it("refuses wrong sizes", () => {
    expect(() => keccakF1600(new Uint8Array(199))).to.throw(RangeError);
    expect(() => keccakAbsorb(new Uint8Array(200), new Uint8Array(135))).to.throw(RangeError);
    expect(() => sha256Compress(new Uint8Array(31), new Uint8Array(64))).to.throw(RangeError);
    expect(() => sha256Compress(new Uint8Array(32), new Uint8Array(63))).to.throw(RangeError);
    expect(() => ripemd160Compress(new Uint8Array(21), new Uint8Array(64))).to.throw(RangeError);
    expect(() => ripemd160Compress(new Uint8Array(20), new Uint8Array(65))).to.throw(RangeError);
  });

  it("test/vectors/step-crypto.json is what the generator writes (regenerate on purpose after a change)", () => {
    expect(fs.readFileSync(STEP_CRYPTO_FILE, "utf8")).to.equal(serializeStepCrypto(buildStepCryptoVectors()));
  });
});
