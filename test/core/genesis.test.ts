/**
 * The genesis allocation's commitment (core/genesis.ts) and the predeploys (core/predeploys.ts): the
 * shared vectors re-derived from the core (regenerate on purpose: npx ts-node --transpile-only
 * scripts/gen-genesis-vectors.ts), the proofs on a randomized allocation, and the predeploys' code as
 * the OP Stack ships it (scripts/gen-predeploys.ts).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { bytesToHex, hexToBytes, keccak256 } from "../../core/bytes";
import { Mark, type Key } from "../../core/keys";
import { canonicalGenesis, genesisCommitment, genesisProof, genesisValue, GenesisError, type GenesisEntry } from "../../core/genesis";
import { predeployAllocation, predeploys } from "../../core/predeploys";
import { genesisVectors } from "../../scripts/gen-genesis-vectors";
import { PREDEPLOY_CODE_TS, PREINSTALLS_SOL, predeployCodeSource } from "../../scripts/gen-predeploys";
import { VECTOR_DIR } from "../../scripts/gen-vectors";
import { rng } from "../../bench/rng";

describe("genesis allocation", () => {
  it("test/vectors/genesis.json is what the core computes", () => {
    expect(JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, "genesis.json"), "utf8"))).to.deep.equal(JSON.parse(JSON.stringify(genesisVectors())));
  });

  it("every key's genesis value is shown by its honest proof, and a wrong value, leaf or neighbour shows nothing (randomized)", () => {
    const r = rng(16);
    const addr = (n: number) => hexToBytes(("0x" + n.toString(16).padStart(40, "0")) as `0x${string}`);
    const marks = [Mark.Balance, Mark.Nonce, Mark.Code, Mark.Storage];
    const keyOf = (): Key => {
      const mark = marks[Math.floor(r() * 4)];
      return { mark, addr: addr(Math.floor(r() * 12)), slot: mark === Mark.Storage ? BigInt(Math.floor(r() * 4)) : 0n };
    };
    for (let n = 0; n < 60; n++) {
      const m = new Map<string, GenesisEntry>();
      const size = Math.floor(r() * 9);
      for (let i = 0; i < size; i++) {
        const k = keyOf();
        m.set(bytesToHex(k.addr) + k.mark + k.slot, { key: k, value: BigInt(Math.floor(r() * 3)) });
      }
      const alloc = [...m.values()];
      const { root, count } = genesisCommitment(alloc);
      for (let q = 0; q < 20; q++) {
        const k = keyOf();
        const want = alloc.find((e) => bytesToHex(e.key.addr) === bytesToHex(k.addr) && e.key.mark === k.mark && e.key.slot === k.slot)?.value ?? 0n;
        const proof = genesisProof(alloc, k);
        expect(genesisValue(root, count, k, proof)).to.equal(want);
        if (proof.length) expect(genesisValue(root, count, k, [{ ...proof[0], value: proof[0].value + 1n }])).to.equal(undefined);
        if (proof.length === 2) expect(genesisValue(root, count, k, [proof[0]])).to.equal(undefined);
        if (count > 0) expect(genesisValue(root, count, k, [])).to.equal(undefined);
      }
    }
  });

  it("refuses an allocation that sets a key twice or a value beyond 256 bits", () => {
    const k: Key = { mark: Mark.Nonce, addr: new Uint8Array(20), slot: 0n };
    expect(() => canonicalGenesis([{ key: k, value: 1n }, { key: k, value: 2n }])).to.throw(GenesisError, /twice/);
    expect(() => canonicalGenesis([{ key: k, value: 1n << 256n }])).to.throw(GenesisError, /range/);
  });
});

describe("predeploys", () => {
  it("core/predeploy-code.ts is the OP Stack's preinstalls as @eth-optimism/contracts-bedrock ships them", function () {
    if (!fs.existsSync(PREINSTALLS_SOL)) this.skip(); // the dev dependency is not installed (a production install)
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(PREINSTALLS_SOL), "..", "..", "package.json"), "utf8")) as { version: string };
    expect(fs.readFileSync(PREDEPLOY_CODE_TS, "utf8")).to.equal(predeployCodeSource(fs.readFileSync(PREINSTALLS_SOL, "utf8"), pkg.version));
  });

  it("the canonical addresses, each with code and nonce 1; Permit2's domain separator is the chain's", () => {
    const p = new Map(predeploys(901n).map((x) => [x.name, x]));
    expect(p.get("MultiCall3")!.address).to.equal("0xca11bde05977b3631167028862be2a173976ca11");
    expect(p.get("DeterministicDeploymentProxy")!.address).to.equal("0x4e59b44847b379578588920ca78fbf26c0b4956c");
    expect(p.get("Permit2")!.address).to.equal("0x000000000022d473030f116ddee9f6b43ac78ba3");
    expect(p.get("SafeSingletonFactory")!.address).to.equal("0x914d7fec6aac8cd542e72bca78b30650d45643d7");
    expect(p.has("BeaconBlockRoots")).to.equal(false);
    // The deterministic deployer's well-known runtime code.
    expect(bytesToHex(p.get("DeterministicDeploymentProxy")!.code)).to.equal("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3");
    // Permit2 differs between chains only in its two immutables.
    const a = predeploys(901n).find((x) => x.name === "Permit2")!.code;
    const b = predeploys(1n).find((x) => x.name === "Permit2")!.code;
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
    expect(diff).to.be.greaterThan(0).and.at.most(64);
    const { entries, codes } = predeployAllocation(901n);
    expect(entries.length).to.equal(2 * p.size);
    for (const x of p.values()) expect(codes.get(bytesToHex(keccak256(x.code)))).to.deep.equal(x.code);
  });
});
