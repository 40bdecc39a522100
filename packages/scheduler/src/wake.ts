/**
 * When the worker should look again: at the earliest known due time or lease expiry, but never
 * later than `pollMs` from now (timers scheduled by other processes are found by then), and
 * never in the past. Returns a delay in ms.
 */
export function wakeDelay(
  now: number,
  candidates: readonly (number | undefined)[],
  pollMs: number,
): number {
  let earliest = now + pollMs;
  for (const at of candidates) {
    if (at !== undefined && at < earliest) earliest = at;
  }
  return Math.max(0, earliest - now);
}
