/**
 * Cancun's precompiles in the one-step verifier (contracts/step/lib/Precompiles.sol) against their
 * TypeScript twin (core/step/precompiles.ts runPrecompile: ethereumjs's precompiles with the rollup's
 * limits) and the validator's EVM (ethereumjs with the same limits installed): the same outcome
 * (success, gas used, output) for every precompile on valid, invalid, boundary and refused inputs at
 * several gas amounts, with L1's own precompiles doing the work.
 *
 *   npx hardhat test test/contracts/step/lib/precompiles.test.ts
 */
import { expect } from "chai";
import hre from "hardhat";
import { Wallet, getBytes, sha256 as ethersSha256, concat, toBeHex, zeroPadValue } from "ethers";
import { createEVM, type EVM } from "@ethereumjs/evm";
import { Address } from "@ethereumjs/util";
import type { StepPrecompileHarness } from "../../../../typechain-types";
import { cancunCommon, loadCrypto } from "../../../../core/evm/chain";
import { limitedPrecompiles, runPrecompile, beyondLimit, modexpL1Gas, PRECOMPILE_CAP, MODEXP_L1_GAS_CAP, MAX_PAIRING_PAIRS, MAX_BLAKE2F_ROUNDS } from "../../../../core/step/precompiles";
import { bytesToHex, hexToBytes, keccak256 } from "../../../../core/bytes";
import { rng } from "../../../../bench/rng";

const hex = bytesToHex;
const w = (v: bigint | number) => zeroPadValue(toBeHex(v), 32);

// BN254 (EIP-196/197)
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const G1 = [1n, 2n];
const G2 = [
  11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  10857046999023057135944570762232829481370756359578518086990519993285655852781n,
  4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  8495653923123431417604973247489272438418190587263600148770280649306958101930n,
];
const pair = (g1: bigint[], g2: bigint[]) => concat([...g1, ...g2].map(w));

function modexpInput(b: Uint8Array | string, e: Uint8Array | string, m: Uint8Array | string, lens?: [bigint, bigint, bigint]): string {
  const bb = getBytes(b);
  const eb = getBytes(e);
  const mb = getBytes(m);
  const [bl, el, ml] = lens ?? [BigInt(bb.length), BigInt(eb.length), BigInt(mb.length)];
  return concat([w(bl), w(el), w(ml), bb, eb, mb]);
}

function blake2fInput(rounds: number, final: number): string {
  // EIP-152 test vector 5 (rounds 12, "abc")
  const h = "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b";
  const m = "6162630000000000000000000000000000000000000000000000000000000000" + "00".repeat(96);
  const t = "03000000000000000000000000000000";
  return "0x" + rounds.toString(16).padStart(8, "0") + h + m + t + final.toString(16).padStart(2, "0");
}

/** Cancun's MODEXP price (EIP-2565), an oracle written from the EIP for this test, saturated at 2^64 − 1. */
function cancunModexpPrice(data: Uint8Array): bigint {
  const word = (off: bigint) => {
    let v = 0n;
    for (let i = 0n; i < 32n; i++) v = (v << 8n) | (off + i < BigInt(data.length) ? BigInt(data[Number(off + i)]) : 0n);
    return v;
  };
  const [bLen, eLen, mLen] = [word(0n), word(32n), word(64n)];
  const maxLen = bLen > mLen ? bLen : mLen;
  if (maxLen === 0n) return 200n;
  const SAT = (1n << 64n) - 1n;
  if (maxLen > 1n << 32n || eLen > 1n << 32n) return SAT;
  let head = eLen > 0n ? word(96n + bLen) : 0n;
  if (eLen < 32n) head >>= 8n * (32n - eLen);
  const bits = head === 0n ? 0n : BigInt(head.toString(2).length - 1);
  let iter = (eLen > 32n ? 8n * (eLen - 32n) : 0n) + bits;
  if (iter === 0n) iter = 1n;
  const w8 = (maxLen + 7n) / 8n;
  const g = (iter * w8 * w8) / 3n;
  return g < 200n ? 200n : g > SAT ? SAT : g;
}

interface Outcome {
  ok: boolean;
  gasUsed: bigint;
  output: string;
}

describe("contracts/step/lib/Precompiles: Cancun's precompiles through L1's", () => {
  let h: StepPrecompileHarness;
  let evm: EVM;
  const r = rng(0xc0de);
  const rand = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));

  before(async () => {
    h = (await (await hre.ethers.getContractFactory("StepPrecompileHarness")).deploy()) as unknown as StepPrecompileHarness;
    await loadCrypto();
    const common = cancunCommon(1n);
    evm = await createEVM({ common, customPrecompiles: limitedPrecompiles() as never });
  });

  /** The validator's EVM (ethereumjs with the limits) calling the precompile. */
  async function viaEvm(id: number, data: string, gasLimit: bigint): Promise<Outcome> {
    const res = await evm.runCall({ to: new Address(hexToBytes(w(id).replace(/^0x0{24}/, "0x") as `0x${string}`)), data: getBytes(data), gasLimit, skipBalance: true });
    const ex = res.execResult;
    return { ok: ex.exceptionError === undefined, gasUsed: ex.executionGasUsed, output: ex.exceptionError ? "0x" : hex(ex.returnValue) };
  }

  /** The step machine's twin (core/step/precompiles.ts) on the input's capped prefix; equal to the EVM's outcome. */
  async function reference(id: number, data: string, gasLimit: bigint): Promise<Outcome> {
    const ev = await viaEvm(id, data, gasLimit);
    if (id === 2 || id === 3 || id === 4) return ev;
    const b = getBytes(data);
    const r = runPrecompile(id, b.subarray(0, Math.min(b.length, PRECOMPILE_CAP[id])), b.length, gasLimit);
    const tw = { ok: r.ok, gasUsed: r.gasUsed, output: r.ok ? hex(r.out) : "0x" };
    expect(tw, `core/step/precompiles.ts vs the EVM, precompile ${id} with ${gasLimit} gas`).to.deep.equal(ev);
    return tw;
  }

  async function solidity(id: number, data: string, gasGiven: bigint): Promise<Outcome & { l1Gas: bigint }> {
    const [ok, gasUsed, output, l1Gas] = await h.run(id, data, gasGiven, { gasLimit: 15_000_000 });
    return { ok, gasUsed, output, l1Gas };
  }

  /** Same outcome from ethereumjs and the verifier at the price, just below it, and with plenty of gas. */
  async function agree(id: number, data: string, label: string): Promise<void> {
    const plenty = await reference(id, data, 30_000_000n);
    const price = plenty.ok ? plenty.gasUsed : BigInt(await h.cancunPrice(id, data));
    const amounts = [30_000_000n, price, price > 0n ? price - 1n : 0n];
    for (const g of amounts) {
      const ref = await reference(id, data, g);
      const sol = await solidity(id, data, g);
      expect({ ok: sol.ok, gasUsed: sol.gasUsed, output: sol.output }, `${label} with ${g} gas`).to.deep.equal(ref);
    }
  }

  it("ECRECOVER: a valid signature, a malleated one, a wrong v and short input", async () => {
    const wallet = new Wallet("0x" + "11".repeat(32));
    const digest = keccak256(new TextEncoder().encode("moveset"));
    const sig = wallet.signingKey.sign(digest);
    const good = concat([digest, w(sig.v), sig.r, sig.s]);
    await agree(1, good, "valid");
    expect((await reference(1, good, 3000n)).output).to.equal(zeroPadValue(wallet.address, 32).toLowerCase());
    await agree(1, concat([digest, w(29), sig.r, sig.s]), "v = 29");
    await agree(1, concat([digest, w(sig.v), sig.r, w(P)]), "s out of range");
    await agree(1, "0x1234", "short");
    await agree(1, "0x", "empty");
  });

  it("ECADD and ECMUL: points on the curve, off it, the identity, scalars 0, 1, 2 and n", async () => {
    await agree(6, concat([...G1, ...G1].map(w)), "G + G");
    await agree(6, concat([...G1, 0n, 0n].map(w)), "G + O");
    await agree(6, concat([1n, 3n, ...G1].map(w)), "off the curve");
    await agree(6, concat([P, 2n, ...G1].map(w)), "x = p");
    await agree(6, "0x", "empty");
    await agree(6, hex(rand(200)), "long random");
    for (const k of [0n, 1n, 2n, 21888242871839275222246405745257275088548364400416034343698204186575808495617n, (1n << 256n) - 1n]) await agree(7, concat([...G1, k].map(w)), `k = ${k}`);
    await agree(7, concat([1n, 3n, 5n].map(w)), "off the curve");
    await agree(7, "0x0102", "short");
  });

  it("ECPAIRING: empty, e(P,Q)·e(−P,Q) = 1, a failing check, bad lengths, invalid points, 64 pairs and the refused 65", async () => {
    await agree(8, "0x", "no pairs");
    await agree(8, concat([pair(G1, G2), pair([G1[0], P - G1[1]], G2)]), "e(P,Q)e(-P,Q)");
    await agree(8, pair(G1, G2), "e(P,Q)");
    await agree(8, concat([pair(G1, G2), "0x00"]), "193 bytes");
    await agree(8, pair([1n, 3n], G2), "G1 off the curve");
    await agree(8, pair(G1, [1n, 2n, 3n, 4n]), "G2 off the twist");
    const max = concat(Array.from({ length: MAX_PAIRING_PAIRS / 2 }, () => concat([pair(G1, G2), pair([G1[0], P - G1[1]], G2)])));
    await agree(8, max, "64 pairs");
    const over = concat([max, pair(G1, G2)]);
    expect(beyondLimit(8, getBytes(over))).to.equal(true);
    expect(await h.refused(8, over)).to.equal(true);
    await agree(8, over, "65 pairs (refused)");
  });

  it("MODEXP: small, 1024-byte operands, zero lengths, lengths over 1024, and the L1-price limit", async () => {
    await agree(5, modexpInput("0x03", "0x05", "0x07"), "3^5 mod 7");
    await agree(5, modexpInput("0x", "0x", "0x"), "all empty");
    await agree(5, modexpInput("0x02", "0x", "0x05"), "e = 0");
    await agree(5, modexpInput("0x02", "0x03", "0x"), "m = 0 length");
    await agree(5, modexpInput("0x02", "0x03", "0x0000"), "m = 0");
    await agree(5, modexpInput(hex(rand(1024)), "0x010001", hex(rand(1024))), "RSA-8192-sized, e = 65537");
    await agree(5, modexpInput(hex(rand(256)), hex(rand(256)), hex(rand(256))), "RSA-2048 with a full exponent");
    await agree(5, modexpInput(hex(rand(40)), hex(rand(33)), hex(rand(40))), "33-byte exponent");
    await agree(5, modexpInput("0x", "0x", "0x", [0n, 1n << 255n, 0n]), "huge exponent length, no base or modulus (empty output, no L1 call)");
    await agree(5, modexpInput(hex(rand(1100)), "0x03", "0x", [1100n, 1n, 0n]), "base length 1100, modulus length 0 (refused)");
    await agree(5, modexpInput("0x02", "0x03", "0x05", [1n, 1n, 1025n]), "modulus length 1025 (refused)");
    await agree(5, modexpInput("0x02", "0x", "0x05", [1n, 1025n, 1n]), "exponent length 1025 (refused)");
    await agree(5, modexpInput("0x02", "0x03", "0x05", [1025n, 1n, 1n]), "base length 1025 (refused)");
    await agree(5, modexpInput("0x02", "0x03", "0x05", [(1n << 256n) - 1n, 1n, 1n]), "base length 2^256-1");
    await agree(5, "0x" + "00".repeat(95) + "01", "truncated header");
    // the L1-price limit: 1024-byte modulus with a 32- and a 33-byte exponent straddle 2^23 under EIP-7883
    const under = modexpInput(hex(rand(1024)), "0x" + "ff".repeat(32), hex(rand(1024)));
    const over = modexpInput(hex(rand(1024)), "0x01" + "ff".repeat(32), hex(rand(1024)));
    expect(modexpL1Gas(getBytes(under))).to.be.at.most(MODEXP_L1_GAS_CAP);
    expect(modexpL1Gas(getBytes(over))).to.be.above(MODEXP_L1_GAS_CAP);
    expect(cancunModexpPrice(getBytes(over))).to.be.below(30_000_000n); // Cancun itself would run it
    await agree(5, under, "EIP-7883 price just under 2^23");
    await agree(5, over, "EIP-7883 price over 2^23 (refused)");
  });

  it("MODEXP prices: Solidity equals the TS formula (Cancun and Osaka) on random headers", async () => {
    for (let i = 0; i < 40; i++) {
      const lens = [0, 1, 31, 32, 33, 64, 100, 1024, 1025].map(BigInt);
      const pick = () => lens[Math.floor(r() * lens.length)];
      const input = modexpInput(hex(rand(Math.floor(r() * 80))), hex(rand(Math.floor(r() * 80))), "0x", [pick(), pick(), pick()]);
      const refusedTs = beyondLimit(5, getBytes(input));
      expect(await h.refused(5, input), input).to.equal(refusedTs);
      expect(await h.cancunPrice(5, input), input).to.equal(cancunModexpPrice(getBytes(input)));
      if (!refusedTs) expect(await h.l1Price(5, input), input).to.equal(modexpL1Gas(getBytes(input)));
    }
  });

  it("BLAKE2F: EIP-152's vectors, 0 rounds, a bad final flag, wrong lengths, and the refused 2^22 + 1 rounds", async () => {
    await agree(9, blake2fInput(12, 1), "12 rounds, final");
    await agree(9, blake2fInput(12, 0), "12 rounds, not final");
    await agree(9, blake2fInput(0, 1), "0 rounds");
    await agree(9, blake2fInput(12, 2), "final flag 2");
    await agree(9, blake2fInput(12, 1).slice(0, -2), "212 bytes");
    await agree(9, blake2fInput(12, 1) + "00", "214 bytes");
    const over = blake2fInput(MAX_BLAKE2F_ROUNDS + 1, 1);
    expect(await h.refused(9, over)).to.equal(true);
    await agree(9, over, "2^22 + 1 rounds (refused)");
    expect(await h.refused(9, blake2fInput(MAX_BLAKE2F_ROUNDS, 1))).to.equal(false);
  });

  it("POINT_EVALUATION: a valid opening, a wrong value, a wrong versioned hash, a wrong length", async () => {
    // The blob whose every field element is 1 is the constant polynomial 1: its commitment is the sum of the
    // Lagrange basis of the setup, the G1 generator, and every opening proof is the point at infinity.
    const c = 1n;
    const commitment = "0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
    const infinity = "0xc0" + "00".repeat(47);
    const vh = (cm: string) => "0x01" + ethersSha256(cm).slice(4);
    const input = (y: bigint, hash = vh(commitment)) => concat([hash, w(123456789n), w(y), commitment, infinity]);
    await agree(10, input(c), "constant polynomial, y = 1");
    const out = await reference(10, input(c), 50_000n);
    expect(out.output).to.equal(concat([w(4096n), w(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n)]));
    await agree(10, input(c + 1n), "wrong y");
    await agree(10, input(c, vh(infinity)), "versioned hash of another commitment");
    await agree(10, input(c).slice(0, -2), "191 bytes");
  });

  it("SHA256, RIPEMD160 and IDENTITY: the price (the work is micro-stepped or a reference)", async () => {
    for (const n of [0, 1, 32, 33, 64, 1000]) {
      const data = hex(rand(n));
      for (const id of [2, 3, 4]) expect(await h.cancunPrice(id, data), `${id} on ${n} bytes`).to.equal((await reference(id, data, 30_000_000n)).gasUsed);
      await expect(h.run(2, data, 1_000_000)).to.be.revertedWithCustomError(h, "NotOneStep");
    }
    await expect(h.run(11, "0x", 1_000_000)).to.be.revertedWithCustomError(h, "NotOneStep");
    await expect(h.run(0, "0x", 1_000_000)).to.be.revertedWithCustomError(h, "NotOneStep");
    // the prefix must be exactly the input's capped head
    await expect(h.runPrefix(6, "0x" + "00".repeat(127), 128, 1_000_000)).to.be.revertedWithCustomError(h, "BadPrefix");
    await expect(h.runPrefix(6, "0x" + "00".repeat(128), 129, 1_000_000)).not.to.be.reverted;
  });

  it("a starved call is refused, not taken as a failing precompile (63/64)", async () => {
    const data = concat([pair(G1, G2), pair([G1[0], P - G1[1]], G2)]);
    // ~113k of L1 price: with 120k gas for the whole transaction the check must revert the step
    await expect(h.runTx(8, data, 1_000_000, { gasLimit: 120_000 })).to.be.revertedWithCustomError(h, "InsufficientL1Gas");
    await expect(h.runTx(8, data, 1_000_000, { gasLimit: 400_000 })).to.emit(h, "Ran").withArgs(true);
  });
});
