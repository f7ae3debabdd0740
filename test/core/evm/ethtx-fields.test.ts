/**
 * The one parser of wrapped Ethereum transactions (core/evm/ethtx.ts ethTxFields, ethereumjs's)
 * shows the fields ethers reads from the same bytes, for every shape a wallet signs, and refuses
 * bytes that are no signed transaction with the validator's typed errors.
 */
import { expect } from "chai";
import { Signature, Transaction, Wallet, type TransactionLike } from "ethers";
import { ethTxFields } from "../../../core/evm/ethtx";
import { cancunCommon, commonsKept, COMMONS_KEPT } from "../../../core/evm/chain";
import { InvalidTxError } from "../../../core/errors";
import { hexToBytes } from "../../../core/bytes";

const wallet = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const list = [{ address: "0x000000000000000000000000000000000000dEaD", storageKeys: ["0x" + "01".padStart(64, "0"), "0x" + "ab".repeat(32)] }];

/** What ethers reads, in the node's shape. */
function oracle(raw: string) {
  const t = Transaction.from(raw);
  const sig = t.signature!;
  return {
    type: t.type ?? 0,
    nonce: BigInt(t.nonce),
    to: t.to ? t.to.toLowerCase() : null,
    value: t.value,
    data: t.data,
    gasLimit: t.gasLimit,
    gasPrice: t.type === 2 ? undefined : (t.gasPrice ?? 0n),
    maxFeePerGas: t.type === 2 ? (t.maxFeePerGas ?? 0n) : undefined,
    maxPriorityFeePerGas: t.type === 2 ? (t.maxPriorityFeePerGas ?? 0n) : undefined,
    chainId: t.type === 0 && sig.legacyChainId == null ? undefined : t.chainId,
    accessList: t.type === 0 ? undefined : (t.accessList ?? []).map((a) => ({ address: a.address.toLowerCase(), storageKeys: a.storageKeys })),
    r: sig.r,
    s: sig.s,
    v: t.type === 0 ? (sig.networkV ?? BigInt(sig.v)) : BigInt(sig.yParity),
    yParity: t.type === 0 ? undefined : sig.yParity,
    from: t.from?.toLowerCase(),
  };
}

const strip = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe("core: the one parser of wrapped Ethereum transactions", () => {
  it("shows what ethers reads, for legacy (with and without a chain id), EIP-2930, EIP-1559 and creations", async () => {
    const shapes: TransactionLike[] = [
      { type: 0, chainId: 901n, nonce: 7, gasPrice: 10n ** 9n, gasLimit: 21_000n, to, value: 5n },
      { type: 1, chainId: 901n, nonce: 0, gasPrice: 3n, gasLimit: 90_000n, to, data: "0x1234", accessList: list },
      { type: 2, chainId: 901n, nonce: 2 ** 40, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, gasLimit: 100_000n, to, value: 10n ** 18n, accessList: list },
      { type: 2, chainId: 1n, nonce: 1, maxFeePerGas: 7n, maxPriorityFeePerGas: 7n, gasLimit: 500_000n, to: null, data: "0x6000600055" },
    ];
    const raws = await Promise.all(shapes.map((s) => wallet.signTransaction(s)));
    // A keyless legacy transaction without a chain id (v = 27), as the CREATE2 deployer's.
    const unsigned = Transaction.from({ type: 0, nonce: 0, gasPrice: 10n ** 11n, gasLimit: 100_000n, data: "0x00" });
    unsigned.signature = Signature.from({ r: "0x" + "22".repeat(32), s: "0x" + "22".repeat(32), v: 27 });
    raws.push(unsigned.serialized);
    for (const raw of raws) expect(strip(ethTxFields(hexToBytes(raw as `0x${string}`))), raw.slice(0, 12)).to.deep.equal(strip(oracle(raw)));
    expect(ethTxFields(hexToBytes(raws[4] as `0x${string}`)).chainId).to.equal(undefined);
  });

  it("bad bytes: malformed bad-ethereum-tx; a signature that does not recover: signature bad-signature", async () => {
    const bad = (raw: Uint8Array) => {
      try {
        ethTxFields(raw);
      } catch (e) {
        expect(e).to.be.instanceOf(InvalidTxError);
        return `${(e as InvalidTxError).kind}/${(e as InvalidTxError).code}`;
      }
      return "accepted";
    };
    expect(bad(new Uint8Array(0))).to.equal("malformed/bad-ethereum-tx");
    expect(bad(Uint8Array.of(0x02, 0xc0))).to.equal("malformed/bad-ethereum-tx");
    expect(bad(Uint8Array.of(0xde, 0xad))).to.equal("malformed/bad-ethereum-tx");
    const t = Transaction.from({ type: 0, nonce: 0, gasPrice: 1n, gasLimit: 21_000n, to });
    t.signature = Signature.from({ r: "0x" + "ff".repeat(32), s: "0x" + "01".padStart(64, "0"), v: 27 });
    expect(bad(hexToBytes(t.serialized as `0x${string}`))).to.equal("signature/bad-signature");
  });
});

describe("core/evm/chain: the Commons kept", () => {
  it("stays bounded however many chain ids transactions name, and keeps the one in use", () => {
    const own = cancunCommon(901n);
    for (let id = 1_000_000n; id < 1_000_200n; id++) {
      cancunCommon(id);
      // the rollup's chain, used between the foreign ones, is never evicted
      if (id % 4n === 0n) expect(cancunCommon(901n)).to.equal(own);
      expect(commonsKept()).to.be.at.most(COMMONS_KEPT);
    }
    expect(cancunCommon(901n)).to.equal(own);
    // one evicted is made again, equal in what it says
    expect(cancunCommon(1_000_000n).chainId()).to.equal(1_000_000n);
  });
});
