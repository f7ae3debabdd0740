/**
 * The TypeScript twin of contracts/test/MockStepVerifier.sol: the trace of a mock program, and traces of players
 * who lie from some step on. Test-only.
 */
import { AbiCoder, keccak256 } from "ethers";
import type { TraceOracle } from "../../node/watchtower/game-solver";
import { lieAfter } from "../../node/devnet/liar";
import { STATUS_RUNNING, STATUS_OK } from "../../core/game";

const abi = AbiCoder.defaultAbiCoder();
const LOW = (1n << 248n) - 1n;

export interface MockProgram {
  seed: string;
  length: bigint;
  status: number;
}

/** The seed MockStepVerifier.startState derives. */
export function mockSeed(tx: string, seq: bigint, headerHash: string, chainId: bigint, length: bigint, status: number): string {
  return keccak256(abi.encode(["bytes32", "uint256", "bytes32", "uint256", "uint64", "uint8"], [keccak256(tx), seq, headerHash, chainId, length, status]));
}

/** State k of a program (MockStepVerifier.stateAt). */
export function mockState(p: MockProgram, k: bigint): string {
  const at = k < p.length ? k : p.length;
  const s = k < p.length ? STATUS_RUNNING : p.status;
  const low = BigInt(keccak256(abi.encode(["bytes32", "uint256"], [p.seed, at]))) & LOW;
  return "0x" + ((BigInt(s) << 248n) | low).toString(16).padStart(64, "0");
}

/** The proof of the step from state k (MockStepVerifier.step). */
export function mockProof(p: MockProgram, k: bigint): string {
  return abi.encode(["bytes32", "uint256", "uint64", "uint8"], [p.seed, k, p.length, p.status]);
}

/** The true trace of a program. */
export function honestTrace(p: MockProgram): TraceOracle {
  return { stateAt: (k) => mockState(p, k) };
}

/**
 * A player's trace that agrees with `p` up to state `from − 1` and then lies: every later state is a made-up hash,
 * ending (from state `from + 3` on, or at once if the trace is shorter) with status `endStatus`. A lying poster
 * uses `endStatus` = ok on a faulty program; a lying challenger a fault status on an honest one.
 */
export function lyingTrace(p: MockProgram, from: bigint, endStatus: number, salt = "lie"): TraceOracle {
  return lieAfter(honestTrace(p), from, endStatus, p.seed + salt);
}

export { lieAfter };

export { STATUS_OK };
