/**
 * The step machine's hash primitives in Solidity (contracts/step/lib/KeccakF.sol, Sha256.sol,
 * Ripemd160.sol) against the shared vectors and their TypeScript twins on random inputs, with the gas
 * of one permutation / compression measured.
 *
 *   npx hardhat test test/contracts/step/lib/crypto.test.ts
 */
import { expect } from "chai";
import * as fs from "fs";
import hre from "hardhat";
import type { StepCryptoHarness } from "../../../../typechain-types";
import { bytesToHex, hexToBytes, keccak256 } from "../../../../core/bytes";
import { keccakF1600, keccakAbsorb } from "../../../../core/crypto/keccak-f";
import { sha256Compress } from "../../../../core/crypto/sha256-compress";
import { ripemd160Compress } from "../../../../core/crypto/ripemd160-compress";
import { STEP_CRYPTO_FILE, StepCryptoVectors } from "../../../../scripts/gen-step-crypto-vectors";
import { KECCAKF_SOL, generateKeccakF } from "../../../../scripts/gen-keccakf-sol";
import { rng } from "../../../../bench/rng";

const hex = bytesToHex;
const split = (b: string) => [b.slice(0, 66), "0x" + b.slice(66, 130)] as const;

describe("contracts/step/lib: keccak-f, SHA-256 and RIPEMD-160 compression", () => {
  let h: StepCryptoHarness;
  const v = JSON.parse(fs.readFileSync(STEP_CRYPTO_FILE, "utf8")) as StepCryptoVectors;
  const r = rng(0x5e1);
  const rand = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  const gas: Record<string, number> = {};

  before(async () => {
    h = (await (await hre.ethers.getContractFactory("StepCryptoHarness")).deploy()) as unknown as StepCryptoHarness;
  });
  after(() => console.log(`      gas per call: ${JSON.stringify(gas)}`));

  it("KeccakF.sol is what scripts/gen-keccakf-sol.ts writes", () => {
    expect(fs.readFileSync(KECCAKF_SOL, "utf8")).to.equal(generateKeccakF());
  });

  it("keccak-f[1600] matches every vector and the TS twin on random states", async () => {
    for (const t of v.keccakF) {
      const [out, g] = await h.keccakF(t.state);
      expect(out, t.name).to.equal(t.out);
      gas.keccakF = Math.max(gas.keccakF ?? 0, Number(g));
    }
    for (let i = 0; i < 10; i++) {
      const s = rand(200);
      expect((await h.keccakF(s))[0]).to.equal(hex(keccakF1600(s)));
    }
  });

  it("the absorb step matches every vector and the TS twin; the sponge gives keccak256", async () => {
    for (const t of v.keccakAbsorb) {
      const [out, g] = await h.keccakAbsorb(t.state, t.block);
      expect(out, t.name).to.equal(t.out);
      gas.keccakAbsorb = Math.max(gas.keccakAbsorb ?? 0, Number(g));
    }
    for (let i = 0; i < 5; i++) {
      const s = rand(200);
      const b = rand(136);
      expect((await h.keccakAbsorb(s, b))[0]).to.equal(hex(keccakAbsorb(s, b)));
    }
    for (const n of [0, 1, 135, 136, 137, 300]) {
      const m = rand(n);
      expect(await h.keccakSponge(m), `length ${n}`).to.equal(hex(keccak256(m)));
    }
  });

  it("keccak-f leaves the caller's memory as it was (it works at fixed addresses and parks what was there)", async () => {
    const s = rand(200);
    expect(await h.keccakFKeepsMemory(s, keccakF1600(s))).to.equal(true);
    expect(await h.keccakFKeepsMemory(s, new Uint8Array(200))).to.equal(false);
  });

  it("a wrong-sized state is refused", async () => {
    await expect(h.keccakF(new Uint8Array(199))).to.be.revertedWithCustomError(h, "BadStateLength");
  });

  it("SHA-256 compression matches every vector and the TS twin on random inputs", async () => {
    for (const t of v.sha256) {
      const [out, g] = await h.sha256Compress(t.state, ...split(t.block));
      expect(out, t.name).to.equal(t.out);
      gas.sha256Compress = Math.max(gas.sha256Compress ?? 0, Number(g));
    }
    for (let i = 0; i < 20; i++) {
      const s = rand(32);
      const b = rand(64);
      expect((await h.sha256Compress(s, ...split(hex(b))))[0]).to.equal(hex(sha256Compress(s, b)));
    }
  });

  it("RIPEMD-160 compression matches every vector and the TS twin on random inputs", async () => {
    for (const t of v.ripemd160) {
      const [out, g] = await h.ripemd160Compress(t.state, ...split(t.block));
      expect(out, t.name).to.equal(t.out);
      gas.ripemd160Compress = Math.max(gas.ripemd160Compress ?? 0, Number(g));
    }
    for (let i = 0; i < 20; i++) {
      const s = rand(20);
      const b = rand(64);
      expect((await h.ripemd160Compress(s, ...split(hex(b))))[0]).to.equal(hex(ripemd160Compress(s, b)));
    }
  });

  it("a single flipped input bit changes each output (the vectors are not vacuous)", async () => {
    const t = v.sha256[3];
    const b = hexToBytes(t.block as `0x${string}`);
    b[63] ^= 1;
    expect((await h.sha256Compress(t.state, ...split(hex(b))))[0]).to.not.equal(t.out);
    const k = v.keccakF[3];
    const s = hexToBytes(k.state as `0x${string}`);
    s[199] ^= 0x80;
    expect((await h.keccakF(s))[0]).to.not.equal(k.out);
  });
});
