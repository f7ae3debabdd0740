/**
 * The status byte of a step-machine state hash (docs/protocol.md §11.5): the top byte of every state hash,
 * twin of contracts/interfaces/IStepVerifier.sol StepStatus. The root claim of a game is the status alone.
 */
import { hexToBytes } from "../bytes";

/** The machine has not ended. */
export const STATUS_RUNNING = 0x00;
/** The machine ended and every declared key equals its `next`. */
export const STATUS_OK = 0x01;

/** The root claim's value: status ok, every other bit zero (twin of DisputeGame.ROOT_CLAIM). */
export const ROOT_CLAIM = "0x01" + "00".repeat(31);

/** The status byte of a 32-byte state hash (0x-hex). */
export function statusOf(stateHash: string): number {
  const b = hexToBytes(stateHash as `0x${string}`);
  if (b.length !== 32) throw new RangeError(`a state hash is 32 bytes, got ${b.length}`);
  return b[0];
}

/** A game's status as the node and the CLI name it (IDisputeGame GameStatus 1, 2, 3). */
export type GameStatusName = "open" | "challenger-won" | "defender-won";

/** The name of GameStatus `status` (1 in progress, 2 challenger wins, 3 defender wins); a game with no end yet is open. */
export function gameStatusName(status: number | undefined): GameStatusName {
  return status === 2 ? "challenger-won" : status === 3 ? "defender-won" : "open";
}
