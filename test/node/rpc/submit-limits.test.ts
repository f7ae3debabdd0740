/**
 * The RPC's limits on submissions (node/rpc/eth.ts, protocol.md §12.4): a client (remote address) has at most
 * `submitsPerClient` transactions in progress (being filled, or waiting for a fill worker); more are refused at
 * once with -32005, other clients are not affected, and the count goes down as answers go out, refusals included.
 * A full fill queue is -32005 as well. Over HTTP the client is the connection's remote address.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { ethMethods, type RpcBackend } from "../../../node/rpc/eth";
import { RpcServer, LIMIT_EXCEEDED, SERVER_ERROR, type Handler } from "../../../node/rpc/server";
import { SubmitError, type Coordinator } from "../../../node/coordinator/coordinator";
import { freePort, rpc } from "../../e2e/helpers";

const CHAIN = 901n;
const alice = new ethers.Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

/** A coordinator whose submissions wait until released (or fail as told). */
function slowCoordinator() {
  const waiting: { resolve: (id: string) => void; reject: (e: Error) => void }[] = [];
  const c = { submit: () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject })) };
  return { coordinator: c as unknown as Coordinator, waiting };
}

function backend(coordinator: Coordinator, submitsPerClient: number): RpcBackend {
  return { deployment: { l2ChainId: CHAIN, bridge: "0x" + "00".repeat(20) }, coordinator, allowUnprotectedTxs: false, submitsPerClient } as unknown as RpcBackend;
}

const raw = (nonce: number) => alice.signTransaction({ chainId: CHAIN, type: 2, nonce, to: alice.address, value: 0n, gasLimit: 21_000n, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 1n });
const tick = () => new Promise((r) => setTimeout(r, 10));

describe("rpc: limits on submitted transactions", () => {
  it("a client has at most submitsPerClient in progress; more are refused at once (-32005); other clients are not affected", async () => {
    const { coordinator, waiting } = slowCoordinator();
    const send = ethMethods(backend(coordinator, 2)).eth_sendRawTransaction as Handler;
    const a = { client: "10.0.0.1" };
    const first = send([await raw(0)], a) as Promise<string>;
    const second = send([await raw(1)], a) as Promise<string>;
    await tick();
    expect(waiting).to.have.length(2);
    const third = await Promise.resolve(send([await raw(2)], a)).catch((e) => e);
    expect(third).to.deep.include({ code: LIMIT_EXCEEDED });
    expect((third as Error).message).to.match(/too many transactions in progress from this client/);
    // Another client gets in.
    const other = send([await raw(2)], { client: "10.0.0.2" }) as Promise<string>;
    await tick();
    expect(waiting).to.have.length(3);
    // Answers, a refusal included, free the client's places.
    waiting[0].resolve("0x01");
    waiting[1].reject(new SubmitError("nonce too low: x (rules/nonce)", "rules", "nonce"));
    expect(await first).to.equal("0x01");
    expect(await second.catch((e) => e)).to.deep.include({ code: SERVER_ERROR, data: { kind: "rules", reason: "nonce", moveIndex: undefined } });
    const again = send([await raw(3)], a) as Promise<string>;
    await tick();
    expect(waiting).to.have.length(4);
    waiting[2].resolve("0x02");
    waiting[3].resolve("0x03");
    expect([await other, await again]).to.deep.equal(["0x02", "0x03"]);
  });

  it("a full fill queue is -32005, a fill stopped at its time limit -32000", async () => {
    const { coordinator, waiting } = slowCoordinator();
    const send = ethMethods(backend(coordinator, 4)).eth_sendRawTransaction as Handler;
    const busy = Promise.resolve(send([await raw(0)], { client: "x" })).catch((e) => e);
    const slow = Promise.resolve(send([await raw(1)], { client: "x" })).catch((e) => e);
    await tick();
    waiting[0].reject(new SubmitError("too many pending transactions (64 waiting): try again later", undefined, "busy"));
    waiting[1].reject(new SubmitError("execution aborted (timeout = 10s)", undefined, "timeout"));
    expect(await busy).to.deep.include({ code: LIMIT_EXCEEDED });
    expect(await slow).to.deep.include({ code: SERVER_ERROR, message: "execution aborted (timeout = 10s)" });
  });

  it("over HTTP the client is the connection's address", async () => {
    const { coordinator, waiting } = slowCoordinator();
    const server = new RpcServer(ethMethods(backend(coordinator, 1)), { host: "127.0.0.1", port: await freePort() });
    await server.listen();
    try {
      const first = rpc(server.url, "eth_sendRawTransaction", [await raw(0)]);
      for (let i = 0; i < 100 && waiting.length === 0; i++) await tick();
      const second = await rpc(server.url, "eth_sendRawTransaction", [await raw(1)]);
      expect(second.error?.code).to.equal(LIMIT_EXCEEDED);
      waiting[0].resolve("0x01");
      expect((await first).result).to.equal("0x01");
    } finally {
      await server.close();
    }
  });
});
