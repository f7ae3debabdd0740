/**
 * Compressed items on L1 (docs/protocol.md §7.7): the deployment binds its dictionary once; the Inbox refuses a
 * compressed item over MAX_FLZ_ITEM_BYTES at append time; every prover expands an item before it decodes it, so a
 * fault of a compressed transaction is proven as of the raw one, and a compressed valid transaction is not
 * malformed; an item that does not expand is a malformed fault (`not-expandable`, one step), as the TypeScript core
 * says; the costliest expansion the limits allow keeps the malformed proof far below 2^24.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract } from "ethers";
import { encodeTx, type Tx, type WrappedTx } from "../../../core/tx";
import { batchTxOf } from "../../../core/gas";
import { splitBatchData } from "../../../core/batch";
import { hexToBytes } from "../../../core/bytes";
import { DecodeError } from "../../../core/errors";
import { compressItem, expandItem, FLZ_ITEM, FLZ_MAX_OUTPUT, MAX_FLZ_ITEM_BYTES, NotExpandableError } from "../../../core/flz";
import { decodeTx } from "../../../core/tx";
import { buildProof } from "../../../prover/build";
import { KIND_NUMBER, type TxFault } from "../../../prover/fault";
import { wrapped, headerArgs } from "../../helpers/l2sim";
import { BOND, BPS, carol, deployCompressed, setup, now, signed, post, reveal, TEST_DICTIONARY } from "../../helpers/prover-chain";

const DICT = hexToBytes(TEST_DICTIONARY as `0x${string}`);

/** The posted item of `tx`, compressed with the test deployment's dictionary (it must compress). */
function compressed(tx: Tx): { gas: bigint; tx: Uint8Array } {
  const b = batchTxOf(encodeTx(tx));
  const item = compressItem(b.tx, DICT);
  expect(item[0]).to.equal(FLZ_ITEM);
  expect(bytesEq(expandItem(item, DICT), b.tx)).to.equal(true);
  return { gas: b.gas, tx: item };
}
const bytesEq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The TypeScript verdict on a posted item: decoding faults (expansion included) are malformed. */
function tsDecodeKind(item: Uint8Array): string {
  try {
    decodeTx(expandItem(item, DICT));
    return "decodes";
  } catch (e) {
    if (e instanceof DecodeError) return `${e.kind}/${e.code}`;
    throw e;
  }
}

/** An item of at most MAX_FLZ_ITEM_BYTES whose expansion costs the most (test/contracts/lib/flz.test.ts's costliest
 *  stream: long matches at distance 17, then three-byte matches at distance 1 to the output and item limits) and whose
 *  output (0xaa…, no transaction type) does not decode. */
function costliestItem(): Uint8Array {
  const b = [FLZ_ITEM, 16, ...new Array<number>(17).fill(0xaa)];
  let out = 17;
  while (out + 264 + (3 * (MAX_FLZ_ITEM_BYTES - b.length - 3)) / 2 <= FLZ_MAX_OUTPUT) {
    b.push(0xe0, 255, 16); // 264 bytes at distance 17
    out += 264;
  }
  while (b.length + 2 <= MAX_FLZ_ITEM_BYTES) b.push(0x20, 0); // 3 bytes at distance 1
  return Uint8Array.from(b);
}

describe("compressed items on L1 (protocol.md §7.7)", function () {
  this.timeout(300_000);

  async function proveWins(c: Record<string, Contract>, challenger: Parameters<typeof reveal>[1], fault: TxFault, view: Parameters<typeof buildProof>[1]) {
    const proof = await buildProof(fault, view);
    const tx = await (await reveal(c, challenger, proof)).tx;
    const rc = await tx.wait();
    await expect(tx).to.emit(c.Inbox, "BatchesRolledBack").withArgs(fault.batchIndex, 1n, challenger.address, KIND_NUMBER[fault.kind], (BOND * BPS) / 10_000n, BOND - (BOND * BPS) / 10_000n);
    return rc!.gasUsed;
  }

  it("the deployment binds its dictionary once, before the provers lock", async () => {
    const { c, poster } = await setup(deployCompressed);
    const holder = await c.Inbox.getFunction("dictionary")();
    expect(await ethers.provider.getCode(holder)).to.equal("0x00" + TEST_DICTIONARY.slice(2));
    await expect(c.Inbox.connect(poster).getFunction("setDictionary")(holder)).to.be.revertedWithCustomError(c.Inbox, "ProversLocked");
    const [, other] = await ethers.getSigners();
    await expect(c.Inbox.connect(other).getFunction("setDictionary")(holder)).to.be.revertedWithCustomError(c.Inbox, "NotDeployer");
    const f = await ethers.getContractFactory("FlzDictionary");
    await expect(f.deploy(new Uint8Array(8193))).to.be.revertedWithCustomError(f, "DictionaryTooLong");
  });

  it("L1 refuses a compressed item over MAX_FLZ_ITEM_BYTES at append time, and takes one of exactly that size", async () => {
    const { c, poster, sim } = await setup(deployCompressed);
    const ts = await now();
    const over = costliestItem();
    const big = Uint8Array.from([...over, ...new Uint8Array(MAX_FLZ_ITEM_BYTES + 1 - over.length).fill(0x20)]);
    expect(big.length).to.equal(MAX_FLZ_ITEM_BYTES + 1);
    // data: version, count 1, gas 0, length (2 bytes) at offset 3
    // the coordinator's encoder refuses it; L1 refuses its data at the length's offset (version, count, gas, length)
    expect(() => sim.header([{ gas: 0n, tx: big }], ts, 0n)).to.throw(RangeError, "compressed item");
    const data = Uint8Array.from([2, 1, 0, 0x81, 0x40, ...big]);
    const { header } = sim.header([{ gas: 0n, tx: big.subarray(0, MAX_FLZ_ITEM_BYTES) }], ts, 0n);
    await expect(c.Inbox.connect(poster).getFunction("appendBatch")(headerArgs(header), data)).to.be.revertedWithCustomError(c.MalformedProver, "DecodeError").withArgs(2, 3);
    // the TypeScript twin refuses the same data at the same offset
    expect(() => splitBatchData(data)).to.throw(DecodeError).with.property("offset", 3);
    expect(() => splitBatchData(Uint8Array.from([2, 1, 0, 0x80, 0x40, ...big.subarray(0, MAX_FLZ_ITEM_BYTES)]))).not.to.throw();
    const exact = big.subarray(0, MAX_FLZ_ITEM_BYTES);
    await post(c, poster, sim, [{ gas: 0n, tx: exact }], ts, 0n, false);
    // a raw item keeps today's limit (far above 8 KiB): the same bytes without the marker are framed
    expect(splitBatchData(Uint8Array.from([2, 1, 0, 0x81, 0x40, 0x02, ...big.subarray(1)]))[0].tx.length).to.equal(MAX_FLZ_ITEM_BYTES + 1);
  });

  it("a compressed valid transaction is not malformed; a rules fault of a compressed one is proven", async () => {
    const { c, poster, challenger, sim } = await setup(deployCompressed);
    const ts = await now();
    const good = await sim.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts);
    const g = compressed(good);
    expect(g.tx.length).to.be.below(encodeTx(good).length);
    const b = await post(c, poster, sim, [g], ts, 0n, false);
    expect(tsDecodeKind(g.tx)).to.equal("decodes");
    const fault: TxFault = { batchIndex: b.header.index, txIndex: 0, seq: b.header.firstSeq, kind: "malformed", code: "", message: "" };
    await expect((await reveal(c, challenger, await buildProof(fault, sim.view()))).tx).to.be.revertedWithCustomError(c.MalformedProver, "NoFault");
    // rules: a nonce that is not the sender's declared one, posted compressed
    const { c: c2, poster: p2, challenger: ch2, sim: sim2 } = await setup(deployCompressed);
    const ts2 = await now();
    const ok = (await sim2.fill(wrapped(await signed({ to: carol, value: 5n, nonce: 1 })), 0, ts2)) as WrappedTx;
    const bad: WrappedTx = { ...ok, raw: hexToBytes((await signed({ to: carol, value: 5n, nonce: 7 })) as `0x${string}`) };
    const b2 = await post(c2, p2, sim2, [compressed(bad)], ts2, 0n, false);
    const gas = await proveWins(c2, ch2, { batchIndex: b2.header.index, txIndex: 0, seq: b2.header.firstSeq, kind: "rules", code: "nonce", message: "" }, sim2.view());
    console.log(`      rules proof of a compressed transaction: ${gas} gas`);
  });

  it("an item that does not expand is malformed (not-expandable), proven in one step; the costliest expansion stays far below 2^24", async () => {
    for (const [name, item] of [
      ["a match before the dictionary", Uint8Array.from([FLZ_ITEM, 0x20, 0xff])],
      ["a truncated literal", Uint8Array.from([FLZ_ITEM, 5, 1, 2])],
      ["the costliest expansion, then no transaction", costliestItem()],
    ] as const) {
      const { c, poster, challenger, sim } = await setup(deployCompressed);
      const ts = await now();
      const kind = tsDecodeKind(item);
      expect(kind, name).to.match(/^malformed\//);
      if (name !== "the costliest expansion, then no transaction") expect(() => expandItem(item, DICT)).to.throw(NotExpandableError);
      const b = await post(c, poster, sim, [{ gas: 0n, tx: item }], ts, 0n, false);
      const gas = await proveWins(c, challenger, { batchIndex: b.header.index, txIndex: 0, seq: b.header.firstSeq, kind: "malformed", code: kind.split("/")[1], message: "" }, sim.view());
      console.log(`      malformed proof, ${name} (${item.length} bytes, ${kind}): ${gas} gas`);
      expect(gas, name).to.be.below(2n ** 24n / 4n);
    }
  });
});
