/**
 * When a live batch is final (protocol.md §11.2, Inbox._isFinal): its challenge window has passed and no open dispute
 * game holds it or an earlier batch (§11.5.6). The node's off-chain views (verifier, RPC, watchtower) decide it here,
 * with `heldFrom` from the game's events.
 */

/** heldFrom when no game is open. */
export const NOT_HELD = (1n << 256n) - 1n;

export function batchIsFinal(index: bigint, postedAt: bigint, challengeWindow: bigint, now: bigint, heldFrom: bigint = NOT_HELD): boolean {
  return now >= postedAt + challengeWindow && index < heldFrom;
}
