/** The bench's L1 pricing arithmetic (prover/l1-pricing.ts) on known inputs. */
import { expect } from "chai";
import { blobGasOf, BYTES_PER_BLOB, calldataFloor, calldataTokens, executionGasOf, fieldElementsOf, l1TxGas, wholeBlobs } from "../../prover/l1-pricing";

describe("bench: L1 pricing (blobs, calldata under EIP-7623)", () => {
  it("packs 31 bytes per field element, 4,096 elements per blob of 2^17 blob gas", () => {
    expect(BYTES_PER_BLOB).to.equal(126_976);
    expect(fieldElementsOf(0)).to.equal(0);
    expect(fieldElementsOf(1)).to.equal(1);
    expect(fieldElementsOf(31)).to.equal(1);
    expect(fieldElementsOf(32)).to.equal(2);
    expect(blobGasOf(0)).to.equal(0);
    expect(blobGasOf(1)).to.equal(32); // one element of a blob: 131,072 / 4,096
    expect(blobGasOf(62)).to.equal(64);
    expect(blobGasOf(63)).to.equal(96);
    expect(blobGasOf(BYTES_PER_BLOB)).to.equal(131_072);
    expect(blobGasOf(BYTES_PER_BLOB + 1)).to.equal(131_072 + 32);
    // the bench workload's order of size: a batch of 200 transactions of 539 bytes
    expect(blobGasOf(107_800)).to.equal(Math.ceil(107_800 / 31) * 32);
  });

  it("counts whole blobs for a batch posted alone", () => {
    expect(wholeBlobs(0)).to.equal(0);
    expect(wholeBlobs(1)).to.equal(1);
    expect(wholeBlobs(BYTES_PER_BLOB)).to.equal(1);
    expect(wholeBlobs(BYTES_PER_BLOB + 1)).to.equal(2);
  });

  it("prices calldata at 4/16 gas per zero/nonzero byte, or the EIP-7623 floor of 10/40 when that is more", () => {
    const data = new Uint8Array([0, 0, 1, 0xff]); // 2 zero bytes, 2 nonzero: 10 tokens
    expect(calldataTokens(data)).to.equal(10);
    expect(calldataFloor(data)).to.equal(21_000 + 100);
    expect(l1TxGas(data, 0)).to.equal(21_000 + 100); // the floor: 40 + 0 < 100
    expect(l1TxGas(data, 59)).to.equal(21_000 + 100); // 40 + 59 < 100
    expect(l1TxGas(data, 61)).to.equal(21_000 + 101); // 40 + 61 > 100: standard
    expect(l1TxGas(data, 100_000)).to.equal(21_000 + 40 + 100_000);
    expect(l1TxGas(new Uint8Array(0), 0)).to.equal(21_000);
  });

  it("recovers a Cancun receipt's execution gas, and refuses impossible input", () => {
    const data = new Uint8Array([0, 7, 7]); // 9 tokens, 36 gas standard
    expect(executionGasOf(21_036 + 5_000, data)).to.equal(5_000);
    expect(() => executionGasOf(21_035, data)).to.throw(RangeError, /below the intrinsic cost/);
    expect(() => fieldElementsOf(-1)).to.throw(RangeError);
    expect(() => fieldElementsOf(1.5)).to.throw(RangeError);
    expect(() => l1TxGas(data, -1)).to.throw(RangeError);
  });
});
