/**
 * The explorer of a running node (`moveset devnet` serves it on its own port): an L1 event reader,
 * the data API over the node's stores, and the web server. `startNodeExplorer` wires them.
 */
import type { NodeHandle } from "../node";
import type { Logger } from "../log";
import { ExplorerData } from "./data";
import { L1Events } from "./l1-events";
import { startExplorer } from "./server";

export { ExplorerData, ExplorerError } from "./data";
export { L1Events } from "./l1-events";
export { startExplorer } from "./server";

export interface NodeExplorer {
  url: string;
  events: L1Events;
  data: ExplorerData;
  stop(): Promise<void>;
}

export async function startNodeExplorer(node: NodeHandle, contracts: Record<string, string>, o: { host: string; port: number; pollMs?: number; log?: Logger }): Promise<NodeExplorer> {
  const events = new L1Events(node.l1.provider, node.l1.deployment, contracts, o.log);
  await events.poll();
  events.start(o.pollMs ?? 1000);
  const data = new ExplorerData({ chain: node.chain, cache: node.cache, deployment: node.l1.deployment, events, verifier: node.verifier, coordinator: node.coordinator });
  let server;
  try {
    server = await startExplorer(data, { host: o.host, port: o.port, log: o.log });
  } catch (e) {
    await events.stop();
    throw e;
  }
  return {
    url: server.url,
    events,
    data,
    async stop() {
      await server.close();
      await events.stop();
    },
  };
}
