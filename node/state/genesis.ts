/**
 * The genesis allocation a node starts from (protocol.md §7.6): the predeploys of the rollup's chain
 * id when the deployment committed to them on L1, nothing for a deployment with an empty one. A
 * node whose predeploys do not hash to the deployment's commitment refuses to start: it would judge
 * every proof about a genesis value differently from L1.
 */
import { bytesToHex } from "../../core/bytes";
import { genesisCommitment, type GenesisEntry } from "../../core/genesis";
import type { Key } from "../../core/keys";
import { predeployAllocation } from "../../core/predeploys";
import { ConfigError, type Deployment } from "../config";

export interface NodeGenesis {
  entries: GenesisEntry[];
  /** The predeploys' code by hash: known bytes, which the first transaction running each carries (§7.6). */
  codes: Map<string, Uint8Array>;
}

export function nodeGenesis(d: Deployment): NodeGenesis {
  if (d.genesisCount === 0n) {
    if (d.genesisRoot !== bytesToHex(genesisCommitment([]).root)) throw new ConfigError(`the deployment's genesis root ${d.genesisRoot} with no leaves is not the empty tree's`);
    return { entries: [], codes: new Map() };
  }
  const g = predeployAllocation(d.l2ChainId);
  const c = genesisCommitment(g.entries);
  if (bytesToHex(c.root) !== d.genesisRoot || BigInt(c.count) !== d.genesisCount)
    throw new ConfigError(`the deployment's genesis commitment (${d.genesisRoot}, ${d.genesisCount} leaves) is not this node's predeploys for chain ${d.l2ChainId} (${bytesToHex(c.root)}, ${c.count})`);
  return g;
}

/** The allocation as the UTXO store takes it. */
export function storeGenesis(g: NodeGenesis): [Key, bigint][] {
  return g.entries.map((e) => [e.key, e.value]);
}
