/**
 * node/state/id-filter.ts: the chain's transaction ids in memory, "certainly not" or "maybe" (the store answers
 * a maybe): never "not" for an id it was given, past its first filter's capacity too; rarely "maybe" for others.
 */
import { expect } from "chai";
import { keccak256, bytesToHex } from "../../../core/bytes";
import { IdFilter } from "../../../node/state/id-filter";

const id = (i: number, salt = 0) =>
  bytesToHex(
    keccak256(
      Uint8Array.from([
        salt,
        i >>> 24,
        (i >>> 16) & 255,
        (i >>> 8) & 255,
        i & 255,
      ])
    )
  );

describe("node/state/id-filter", () => {
  it("never says 'not' for an id it was given, as it grows past its first capacity; a maybe for others about 1 in 5,000", () => {
    const f = new IdFilter();
    const n = 150_000; // past the first filter's 65,536: a second and a third are begun
    for (let i = 0; i < n; i++) f.add(id(i));
    expect(f.size).to.equal(n);
    for (let i = 0; i < n; i++)
      if (!f.mayHave(id(i)))
        expect.fail(`id ${i} was given and is said not to be here`);
    expect(f.mayHave(id(7).toUpperCase().replace("0X", "0x"))).to.equal(true);
    let maybes = 0;
    for (let i = 0; i < 100_000; i++) if (f.mayHave(id(i, 1))) maybes++;
    expect(maybes).to.be.below(100);
  });

  it("sized for the ids it is about to be given; anything that is not a 32-byte id is a maybe", () => {
    const f = new IdFilter(1_000_000);
    expect(f.mayHave(id(1))).to.equal(false);
    f.add(id(1));
    expect(f.mayHave(id(1))).to.equal(true);
    for (const x of ["", "0x", "0x1234", "0x" + "zz".repeat(32)])
      expect(f.mayHave(x), x).to.equal(true);
  });
  it("as bytes and back answers exactly as before, past its first capacity too; anything else is refused", () => {
    const f = new IdFilter();
    const n = 70_000; // a second filter begun
    for (let i = 0; i < n; i++) f.add(id(i));
    const b = f.toBytes();
    const g = IdFilter.fromBytes(b)!;
    expect(g.size).to.equal(n);
    for (let i = 0; i < n; i++) if (!g.mayHave(id(i))) expect.fail(`id ${i} was given and is said not to be here`);
    let differ = 0;
    for (let i = 0; i < 20_000; i++) if (g.mayHave(id(i, 2)) !== f.mayHave(id(i, 2))) differ++;
    expect(differ, "other ids answered as before").to.equal(0);
    g.add(id(1, 3));
    expect(g.mayHave(id(1, 3)), "it grows on").to.equal(true);
    expect(IdFilter.fromBytes(b.subarray(0, b.length - 1)), "cut short").to.equal(undefined);
    expect(IdFilter.fromBytes(Buffer.concat([b, Uint8Array.of(0)])), "too long").to.equal(undefined);
    expect(IdFilter.fromBytes(Buffer.concat([Uint8Array.of(2), b.subarray(1)])), "another version").to.equal(undefined);
    expect(IdFilter.fromBytes(new Uint8Array(0))).to.equal(undefined);
  });
});
