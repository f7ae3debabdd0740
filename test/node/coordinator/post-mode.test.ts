/** Where the coordinator posts a batch (node/coordinator/post-mode.ts): calldata, blob, or the cheaper where L1 serves blobs. */
import { expect } from "chai";
import { blobDataCost, calldataDataCost, postsInBlob, type PostContext } from "../../../node/coordinator/post-mode";

const GWEI = 10n ** 9n;
/** 1,000 bytes, half of them zero: 500 + 4 × 500 = 2,500 tokens, a floor of 25,000 gas. */
const DATA = Uint8Array.from({ length: 1000 }, (_, i) => (i % 2 ? 7 : 0));
const ctx = (o: Partial<PostContext> = {}): PostContext => ({ baseFee: GWEI, blobBaseFee: 1n, blobsReadable: true, blobBackoff: false, ...o });

describe("coordinator post mode", () => {
  it("prices the data: calldata at its EIP-7623 floor, a blob at 2^17 blob gas", () => {
    expect(calldataDataCost(DATA, GWEI)).to.equal(25_000n * GWEI);
    expect(blobDataCost(3n)).to.equal(3n * 131_072n);
  });

  it("calldata and blob are what the operator chose, whatever the prices or the L1", () => {
    expect(postsInBlob("calldata", DATA, ctx())).to.equal(false);
    expect(postsInBlob("blob", DATA, ctx({ blobBaseFee: 10n ** 18n, blobsReadable: false, blobBackoff: true }))).to.equal(true);
  });

  it("auto: a blob when it is cheaper at L1's prices, calldata when it is not", () => {
    expect(postsInBlob("auto", DATA, ctx())).to.equal(true);
    // 25,000 gas at 1 gwei against 131,072 blob gas: the blob costs more from a blob base fee of 190,734,864 wei.
    expect(postsInBlob("auto", DATA, ctx({ blobBaseFee: 190_734_863n }))).to.equal(true);
    expect(postsInBlob("auto", DATA, ctx({ blobBaseFee: 190_734_864n }))).to.equal(false);
    // A tiny batch is cheaper in calldata even at the lowest blob base fee when L1's base fee is tiny too.
    expect(postsInBlob("auto", Uint8Array.of(2, 1), ctx({ baseFee: 7n, blobBaseFee: 1n }))).to.equal(false);
  });

  it("auto: never a blob on an L1 that does not serve blobs back, nor in the back-off after a failed blob post", () => {
    expect(postsInBlob("auto", DATA, ctx({ blobsReadable: false }))).to.equal(false);
    expect(postsInBlob("auto", DATA, ctx({ blobBackoff: true }))).to.equal(false);
  });
});
