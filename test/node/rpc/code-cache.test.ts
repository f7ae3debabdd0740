/**
 * A worker's code cache (node/rpc/code-cache.ts): kept by hash, bounded by bytes, least recently used
 * dropped first; code larger than the bound is not kept.
 */
import { expect } from "chai";
import { CodeCache } from "../../../node/rpc/code-cache";

describe("node: a worker's code cache (by code hash, bounded by bytes)", () => {
  const code = (n: number, fill: number) => new Uint8Array(n).fill(fill);

  it("keeps code by hash and drops the least recently used past the bound", () => {
    const c = new CodeCache(100);
    c.put("a", code(40, 1));
    c.put("b", code(40, 2));
    expect(c.get("a")![0]).to.equal(1); // a is now the most recent
    c.put("c", code(40, 3)); // 120 > 100: b goes
    expect(c.get("b")).to.equal(undefined);
    expect(c.get("a")![0]).to.equal(1);
    expect(c.get("c")![0]).to.equal(3);
    expect(c.totalBytes).to.equal(80);
    expect(c.size).to.equal(2);
  });

  it("a code larger than the bound is not kept; putting a hash again replaces it without counting it twice", () => {
    const c = new CodeCache(100);
    c.put("big", code(101, 9));
    expect(c.get("big")).to.equal(undefined);
    expect(c.totalBytes).to.equal(0);
    c.put("a", code(60, 1));
    c.put("a", code(60, 1));
    expect(c.totalBytes).to.equal(60);
    expect(c.size).to.equal(1);
  });
});
