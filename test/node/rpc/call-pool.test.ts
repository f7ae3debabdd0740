/**
 * The call pool (node/rpc/call-pool.ts): eth_call / eth_estimateGas jobs run on a worker thread
 * reading state through this thread; a job past its time limit is stopped (its worker is
 * terminated and replaced) and answered with geth's "execution aborted (timeout = …)"; a full
 * queue refuses at once; a closed pool refuses.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ethers } from "ethers";
import { bytesToHex, hexToBytes, keccak256 } from "../../../core/bytes";
import { Mark, keyIdOf } from "../../../core/keys";
import { L2_BLOCK_GAS_LIMIT, type BlockEnv } from "../../../core/evm/chain";
import type { StateSource } from "../../../core/evm/state";
import { CallPool, CallPoolError } from "../../../node/rpc/call-pool";
import type { CallJob } from "../../../node/rpc/call";
import { ROOT } from "../../e2e/helpers";

const CHAIN = 901n;
const art = JSON.parse(fs.readFileSync(path.join(ROOT, "artifacts/contracts/test/Burner.sol/Burner.json"), "utf8"));
const iface = new ethers.Interface(art.abi);
const code = hexToBytes(art.deployedBytecode);
const burner = "0x" + "11".repeat(20);
const env: BlockEnv = { chainId: CHAIN, number: 1n, timestamp: 1n, coinbase: new Uint8Array(20), baseFee: 0n, gasLimit: L2_BLOCK_GAS_LIMIT, prevRandao: new Uint8Array(32), excessBlobGas: 0n };
const reads: string[] = [];
const source: StateSource = {
  read: (id) => {
    reads.push(id);
    return Promise.resolve(id === keyIdOf(burner, Mark.Code, 0n) ? BigInt(bytesToHex(keccak256(code))) : 0n);
  },
  code: (h) => (h === bytesToHex(keccak256(code)) ? code : undefined),
};
const job = (fn: string, gas = L2_BLOCK_GAS_LIMIT, op: CallJob["op"] = "call"): CallJob => ({
  op,
  req: { from: "0x" + "22".repeat(20), to: burner, value: 0n, data: hexToBytes(iface.encodeFunctionData(fn) as `0x${string}`) },
  env,
  gas,
});

describe("node: call pool (eth_call off the event loop, with a time limit)", function () {
  this.timeout(120_000);
  let pool: CallPool;

  before(() => {
    pool = CallPool.create({ workers: 1, chainId: CHAIN, timeoutMs: 700, maxQueue: 2 });
  });
  after(() => pool.close());

  it("runs a call on its worker, reading state through this thread", async () => {
    const r = await pool.run(job("gas", 1_000_000n), source);
    expect(r.type).to.equal("return");
    const left = BigInt(iface.decodeFunctionResult("gas", (r as { data: Uint8Array }).data)[0]);
    expect(left > 900_000n && left < 1_000_000n).to.equal(true);
    expect(reads).to.include(keyIdOf(burner, Mark.Code, 0n));
  });

  it("a worker asks this thread for a code hash once: later jobs reuse the code (named by its hash); an unknown code is asked again", async () => {
    const fresh = CallPool.create({ workers: 1, chainId: CHAIN, timeoutMs: 10_000, maxQueue: 4 });
    try {
      const asked: string[] = [];
      const counting: StateSource = { read: source.read, code: (h) => (asked.push(h), source.code(h)) };
      for (let i = 0; i < 3; i++) expect((await fresh.run(job("gas", 1_000_000n), counting)).type).to.equal("return");
      expect(asked).to.deep.equal([bytesToHex(keccak256(code))]);
      // A source that does not know the code: the call runs as a call of an account without code, each time asking.
      const other = "0x" + "33".repeat(20);
      const otherHash = "0x" + "ab".repeat(32);
      const unknown: StateSource = { read: (id) => Promise.resolve(id === keyIdOf(other, Mark.Code, 0n) ? BigInt(otherHash) : 0n), code: (h) => (asked.push(h), undefined) };
      const call = { ...job("gas", 100_000n), req: { ...job("gas", 100_000n).req, to: other } };
      await fresh.run(call, unknown).catch(() => undefined);
      await fresh.run(call, unknown).catch(() => undefined);
      expect(asked.filter((h) => h === otherHash).length).to.equal(2);
    } finally {
      await fresh.close();
    }
  });

  it("stops a call at its time limit (geth's message) while this thread stays free; the next call runs on a fresh worker", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const t0 = Date.now();
    const e = await pool.run(job("hashes"), source).then(() => undefined, (x: unknown) => x);
    clearInterval(timer);
    expect(e).to.be.instanceOf(CallPoolError);
    expect((e as CallPoolError).code).to.equal("timeout");
    expect((e as Error).message).to.equal("execution aborted (timeout = 700ms)");
    // A 30M-gas loop takes seconds; this thread kept running its timers meanwhile.
    expect(ticks).to.be.greaterThan(5);
    expect(Date.now() - t0).to.be.lessThan(5_000);
    expect((await pool.run(job("gas", 100_000n), source)).type).to.equal("return");
  });

  it("an estimate is one job: its whole search is under the time limit", async () => {
    const e = await pool.run(job("recovers", L2_BLOCK_GAS_LIMIT, "estimate"), source).then(() => undefined, (x: unknown) => x);
    expect((e as CallPoolError).code).to.equal("timeout");
    const ok = await pool.run(job("gas", 1_000_000n, "estimate"), source);
    expect(ok.type).to.equal("gas");
  });

  it("a full queue refuses at once; a closed pool refuses", async () => {
    const running = [pool.run(job("hashes"), source), pool.run(job("hashes"), source), pool.run(job("hashes"), source)];
    const e = await pool.run(job("gas", 100_000n), source).then(() => undefined, (x: unknown) => x);
    expect((e as CallPoolError).code).to.equal("busy");
    expect((e as Error).message).to.match(/too many pending calls/);
    const settled = await Promise.allSettled(running);
    expect(settled.map((s) => (s.status === "rejected" ? (s.reason as CallPoolError).code : "ok"))).to.deep.equal(["timeout", "timeout", "timeout"]);
    await pool.close();
    const c = await pool.run(job("gas", 100_000n), source).then(() => undefined, (x: unknown) => x);
    expect((c as CallPoolError).code).to.equal("terminated");
  });

  it("a queue of 0: an idle worker still takes a job at once; only a job that would wait is refused", async () => {
    const p0 = CallPool.create({ workers: 1, chainId: CHAIN, timeoutMs: 700, maxQueue: 0 });
    try {
      // While the worker starts, a job would wait: refused. Once it is up, a job runs.
      let r;
      for (let i = 0; i < 200 && !r; i++) r = await p0.run(job("gas", 100_000n), source).catch(() => new Promise<undefined>((res) => setTimeout(() => res(undefined), 50)));
      expect(r?.type).to.equal("return");
      const running = p0.run(job("hashes"), source);
      const e = await p0.run(job("gas", 100_000n), source).then(() => undefined, (x: unknown) => x);
      expect((e as CallPoolError).code).to.equal("busy");
      expect((await running.catch((x: CallPoolError) => x)) as CallPoolError).to.deep.include({ code: "timeout" });
    } finally {
      await p0.close();
    }
  });
});
