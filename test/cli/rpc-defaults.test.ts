/**
 * The L2 JSON-RPC's defaults the devnet sets apart from a node's (cli/common.ts addRpcOptions): the CORS origins
 * and the submissions one client may have in progress (node/config.ts DEVNET_SUBMITS_PER_CLIENT: a local node's
 * one client is its whole load; a public node's limit shares its fill pool among clients).
 */
import { expect } from "chai";
import { buildProgram } from "../../cli/main";
import {
  DEFAULT_RPC,
  DEVNET_SUBMITS_PER_CLIENT,
  DEVNET_CORS,
} from "../../node/config";

function defaults(name: string): Record<string, unknown> {
  const cmd = buildProgram().commands.find((c) => c.name() === name);
  if (!cmd) throw new Error(`no ${name} command`);
  return Object.fromEntries(
    cmd.options.map((o) => [o.attributeName(), o.defaultValue])
  );
}

describe("cli: the devnet's and a node's RPC defaults", () => {
  it("a node takes DEFAULT_RPC's submissions per client and no CORS origins; the devnet its own", () => {
    expect(DEFAULT_RPC.submitsPerClient).to.equal(16);
    expect(DEVNET_SUBMITS_PER_CLIENT).to.be.above(DEFAULT_RPC.fillQueue);
    const node = defaults("node");
    expect(node.rpcSubmitsPerClient).to.equal(DEFAULT_RPC.submitsPerClient);
    expect(node.rpcCors).to.deep.equal([]);
    const devnet = defaults("devnet");
    expect(devnet.rpcSubmitsPerClient).to.equal(DEVNET_SUBMITS_PER_CLIENT);
    expect(devnet.rpcCors).to.deep.equal(DEVNET_CORS);
    // Every other RPC default is the node's.
    for (const k of Object.keys(node).filter(
      (k) =>
        k.startsWith("rpc") &&
        k !== "rpcHost" &&
        k !== "rpcPort" &&
        k !== "rpcSubmitsPerClient" &&
        k !== "rpcCors"
    ))
      expect(devnet[k], k).to.deep.equal(node[k]);
  });
});
