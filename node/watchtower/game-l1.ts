/**
 * The dispute game (contracts/game/DisputeGame.sol, protocol.md §11.5) as the node reads it: every game with its
 * claims, as the pure solver's GameView (node/watchtower/game-solver.ts), read at one L1 block; and the hashes that
 * its commit-then-reveal actions commit to (a dispute, a step).
 */
import { AbiCoder, Contract, keccak256, type BlockTag, type ContractRunner } from "ethers";
import { HEADER_ABI_TYPE, type BatchHeader, headerToAbi } from "../../core/batch";
import { abiOf } from "../l1/contracts";
import { gameStatusName } from "../../core/game/status";
import type { GameClaim, GameParams, GameView } from "./game-solver";
import { TXPROOF_TYPE } from "../../prover/build";

/** The DisputeGame at `address`. */
export function gameAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, abiOf("DisputeGame", "game"), runner);
}


/** One game as L1 shows it: what it disputes, and its claims as the solver reads them. */
export interface L1Game extends GameView {
  id: bigint;
  headerHash: string;
  batchIndex: bigint;
  txIndex: number;
  createdAt: bigint;
}

const NO_PARENT = 2n ** 32n - 1n;

/** The game's parameters (clocks, bonds of every depth). */
export async function readGameParams(game: Contract, blockTag?: BlockTag): Promise<GameParams> {
  const o = blockTag === undefined ? {} : { blockTag };
  const maxDepth = Number(await game.getFunction("maxDepth")(o));
  const bonds: bigint[] = [0n];
  for (let d = 1; d <= maxDepth; d++) bonds.push(await game.getFunction("bondAt")(d, o));
  return {
    maxDepth,
    bonds,
    maxClockDuration: await game.getFunction("maxClockDuration")(o),
    clockExtension: await game.getFunction("clockExtension")(o),
  };
}

/**
 * Game `id` at block `blockTag` (latest if undefined), `now` being the L1 time moves will be made at (at the earliest).
 * `known`: claims read before (a claim never changes but for counteredBy and resolved, which are re-read while the
 * game is open), so a re-read fetches only what may have changed.
 */
export async function readGame(game: Contract, id: bigint, params: GameParams, now: bigint, blockTag?: BlockTag, known: readonly GameClaim[] = []): Promise<L1Game> {
  const o = blockTag === undefined ? {} : { blockTag };
  const d = await game.getFunction("gameData")(id, o);
  if (Number(d.status) === 0) throw new Error(`no game ${id}`);
  const status = gameStatusName(Number(d.status));
  const n = Number(await game.getFunction("claimCount")(id, o));
  const claims: GameClaim[] = [];
  for (let i = 0; i < n; i++) {
    const k = known[i];
    if (k && k.resolved) {
      claims.push(k);
      continue;
    }
    const c = await game.getFunction("claimAt")(id, i, o);
    claims.push({
      parentIndex: c.parentIndex === NO_PARENT ? -1 : Number(c.parentIndex),
      position: c.position,
      value: String(c.value).toLowerCase(),
      claimant: String(c.claimant).toLowerCase(),
      counteredBy: String(c.counteredBy).toLowerCase(),
      bond: c.bond,
      duration: c.duration,
      timestamp: c.timestamp,
      resolved: c.resolved,
    });
  }
  return {
    id,
    headerHash: String(d.headerHash).toLowerCase(),
    batchIndex: d.batchIndex,
    txIndex: Number(d.txIndex),
    createdAt: d.createdAt,
    status,
    absolutePrestate: String(d.absolutePrestate).toLowerCase(),
    claims,
    now,
    params,
  };
}

/** How many games exist (ids 1 … count). */
export async function gameCount(game: Contract, blockTag?: BlockTag): Promise<bigint> {
  return game.getFunction("gameCount")(blockTag === undefined ? {} : { blockTag });
}

const abi = AbiCoder.defaultAbiCoder();

/** A dispute's arguments: the header, the TxProof of the transaction, the opening claim. */
export interface DisputeArgs {
  header: BatchHeader;
  proof: { txIndex: bigint; gas: bigint; tx: string; siblings: string[] };
  claim: string;
}

/** What a dispute commits to: keccak256(abi.encode(header, txProof, claim)) (DisputeGame.dispute). */
export function disputeProofHash(a: DisputeArgs): string {
  return keccak256(abi.encode([HEADER_ABI_TYPE, TXPROOF_TYPE, "bytes32"], [headerToAbi(a.header), a.proof, a.claim]));
}

/** What a step commits to: keccak256(abi.encode(gameId, claimIndex, isAttack, keccak256(proof))) (DisputeGame.step). */
export function stepProofHash(gameId: bigint, claimIndex: number, isAttack: boolean, proof: string): string {
  return keccak256(abi.encode(["uint256", "uint256", "bool", "bytes32"], [gameId, claimIndex, isAttack, keccak256(proof)]));
}
