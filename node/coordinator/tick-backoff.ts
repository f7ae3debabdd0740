/**
 * How long the coordinator waits after its loop's round failed (an L1 endpoint or a beacon down, say), before it
 * tries again: its L1 poll interval, doubled with each failure in a row, at most TICK_BACKOFF_MAX_MS. One failure
 * costs one or two polls; an outage is retried (and logged) every 5 s, not every poll; the first round that
 * succeeds resets it.
 */
export const TICK_BACKOFF_MAX_MS = 5_000;

/** The wait after `failures` (≥ 1) failed rounds in a row, with an L1 poll interval of `pollMs`. */
export function tickBackoffMs(pollMs: number, failures: number): number {
  if (failures < 1) return pollMs;
  return Math.min(Math.max(pollMs, 1) * 2 ** Math.min(failures, 30), Math.max(TICK_BACKOFF_MAX_MS, pollMs));
}
