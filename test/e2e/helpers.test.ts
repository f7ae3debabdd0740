/**
 * The e2e helpers' receipt wait. moveset makes a block only when there is something to batch, so a
 * wait must not depend on a block coming after the one that includes the transaction: ethers 6.17's
 * `waitForTransaction` checks the receipt, then starts a block poller whose first poll only records
 * the current number, and times out on the chain below with the receipt there.
 */
import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import { JsonRpcProvider } from "ethers";
import { receiptOf } from "./helpers";

const HASH = "0x" + "11".repeat(32);

/** A JSON-RPC chain at block 5 that includes HASH in block 6 right after answering "no receipt yet", and makes no block after it. */
async function quietChain(includes: boolean): Promise<{ url: string; close(): Promise<void> }> {
  let block = 5;
  let included = false;
  const receipt = () => ({
    transactionHash: HASH, transactionIndex: "0x0", blockHash: "0x" + "22".repeat(32), blockNumber: "0x6", from: "0x" + "33".repeat(20), to: "0x" + "44".repeat(20),
    cumulativeGasUsed: "0x5208", gasUsed: "0x5208", contractAddress: null, logs: [], logsBloom: "0x" + "00".repeat(256), status: "0x1", effectiveGasPrice: "0x1", type: "0x2",
  });
  const answer = (method: string): unknown => {
    if (method === "eth_chainId") return "0x385";
    if (method === "eth_blockNumber") return "0x" + block.toString(16);
    if (method !== "eth_getTransactionReceipt") return null;
    if (included) return receipt();
    if (includes) [included, block] = [true, 6];
    return null;
  };
  const srv = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const one = (r: { id: number; method: string }) => ({ jsonrpc: "2.0", id: r.id, result: answer(r.method) });
      const parsed = JSON.parse(body);
      res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(one) : one(parsed)));
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(() => r())) };
}

describe("e2e helpers: receiptOf", () => {
  it("finds a transaction included right after a 'not yet' answer, on a chain that makes no later block", async () => {
    const chain = await quietChain(true);
    const p = new JsonRpcProvider(chain.url, 901, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    try {
      const r = await receiptOf(p, HASH, 5_000);
      expect(r.blockNumber).to.equal(6);
      expect(r.hash).to.equal(HASH);
    } finally {
      p.destroy();
      await chain.close();
    }
  });

  it("times out, naming the transaction, when it is never included", async () => {
    const chain = await quietChain(false);
    const p = new JsonRpcProvider(chain.url, 901, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    try {
      await receiptOf(p, HASH, 300).then(
        () => expect.fail("resolved without a receipt"),
        (e: Error) => expect(e.message).to.equal(`timed out waiting for the receipt of ${HASH}`),
      );
    } finally {
      p.destroy();
      await chain.close();
    }
  });
});
