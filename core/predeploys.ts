/**
 * The L2's genesis allocation (protocol.md §7.6): the OP Stack's preinstalls at their canonical
 * addresses (Multicall3, the deterministic CREATE2 deployer, Permit2, the Safe singleton factory and
 * Safe 1.3.0 contracts, the create2 deployer, ERC-4337's EntryPoint 0.6 and its SenderCreator), each
 * with its runtime code and nonce 1, as a contract created by a transaction has. Permit2's code
 * holds the chain id and its EIP-712 domain separator, filled in for the rollup's chain id.
 */
import { bytesToHex, concatBytes, hexToBytes, keccak256, toFixed } from "./bytes";
import { Mark } from "./keys";
import type { GenesisEntry } from "./genesis";
import { PERMIT2_TEMPLATE_OFFSETS, PREDEPLOY_CODE } from "./predeploy-code";

export interface Predeploy {
  name: string;
  /** 0x-hex, lower case. */
  address: string;
  code: Uint8Array;
}

const utf8 = new TextEncoder();

/** Permit2's runtime code for `chainId` (the template's two immutables written, as OP's getPermit2Code does). */
function permit2Code(template: Uint8Array, address: string, chainId: bigint): Uint8Array {
  const typeHash = keccak256(utf8.encode("EIP712Domain(string name,uint256 chainId,address verifyingContract)"));
  const nameHash = keccak256(utf8.encode("Permit2"));
  const separator = keccak256(concatBytes(typeHash, nameHash, toFixed(chainId, 32), toFixed(BigInt(address), 32)));
  const out = template.slice();
  out.set(toFixed(chainId, 32), PERMIT2_TEMPLATE_OFFSETS.chainId);
  out.set(separator, PERMIT2_TEMPLATE_OFFSETS.domainSeparator);
  return out;
}

/** The predeploys of a rollup with chain id `chainId`. */
export function predeploys(chainId: bigint): Predeploy[] {
  return PREDEPLOY_CODE.map((p) => {
    const code = hexToBytes(p.code);
    return { name: p.name, address: p.address, code: p.name === "Permit2" ? permit2Code(code, p.address, chainId) : code };
  });
}

/** The genesis allocation of a rollup with chain id `chainId`: each predeploy's code hash and nonce 1. */
export function predeployAllocation(chainId: bigint): { entries: GenesisEntry[]; codes: Map<string, Uint8Array> } {
  const entries: GenesisEntry[] = [];
  const codes = new Map<string, Uint8Array>();
  for (const p of predeploys(chainId)) {
    const addr = hexToBytes(p.address as `0x${string}`);
    const h = keccak256(p.code);
    codes.set(bytesToHex(h), p.code);
    entries.push({ key: { mark: Mark.Code, addr, slot: 0n }, value: BigInt(bytesToHex(h)) });
    entries.push({ key: { mark: Mark.Nonce, addr, slot: 0n }, value: 1n });
  }
  return { entries, codes };
}
