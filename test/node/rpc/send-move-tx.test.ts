/**
 * moveset_sendMoveTransaction (node/rpc/eth.ts): a wrapped transaction signed for another chain is refused
 * before it reaches the coordinator, with eth_sendRawTransaction's words (geth's), as is a deposit; one for
 * this chain is submitted.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { ethMethods, type RpcBackend } from "../../../node/rpc/eth";
import { SERVER_ERROR, type Handler } from "../../../node/rpc/server";
import type { Coordinator } from "../../../node/coordinator/coordinator";
import { encodeTx, TxType, type Tx } from "../../../core/tx";
import { bytesToHex, hexToBytes } from "../../../core/bytes";

const CHAIN = 901n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

describe("rpc: moveset_sendMoveTransaction", () => {
  const submitted: Tx[] = [];
  const coordinator = { submit: (tx: Tx) => (submitted.push(tx), Promise.resolve("0x" + "11".repeat(32))) } as unknown as Coordinator;
  const backend = { deployment: { l2ChainId: CHAIN, bridge: "0x" + "00".repeat(20) }, coordinator, allowUnprotectedTxs: false } as unknown as RpcBackend;
  const send = ethMethods(backend).moveset_sendMoveTransaction as Handler;
  const wrapped = async (chainId: bigint) => {
    const raw = await alice.signTransaction({ chainId, type: 2, nonce: 0, to: alice.address, value: 0n, gasLimit: 21_000n, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 1n });
    return bytesToHex(encodeTx({ type: TxType.Wrapped, raw: hexToBytes(raw as `0x${string}`), moves: [], witness: [] }));
  };

  it("refuses a wrapped transaction signed for another chain, as eth_sendRawTransaction does, before the coordinator sees it", async () => {
    for (const other of [1n, 902n, 2n ** 40n]) {
      const e = await Promise.resolve(send([await wrapped(other)], { client: "x" })).catch((x) => x);
      expect(e, String(other)).to.deep.include({ code: SERVER_ERROR, message: `invalid sender: invalid chain id for signer: have ${other} want ${CHAIN}`, data: { kind: "malformed", reason: "bad-ethereum-tx" } });
    }
    expect(submitted).to.have.length(0);
  });

  it("submits one signed for this chain", async () => {
    expect(await send([await wrapped(CHAIN)], { client: "x" })).to.equal("0x" + "11".repeat(32));
    expect(submitted).to.have.length(1);
    expect(submitted[0].type).to.equal(TxType.Wrapped);
  });
});
