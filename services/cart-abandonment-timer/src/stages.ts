import { parseDuration } from '@pulse/config';
import { PulseError } from '@pulse/core';

/** Parses CART_TIMER_STAGES: durations, strictly ascending, each > 0. */
export function parseStages(items: readonly string[]): number[] {
  const stages = items.map((item) => parseDuration(item));
  const bad = items.filter((_, i) => {
    const ms = stages[i];
    const previous = i === 0 ? 0 : (stages[i - 1] ?? 0);
    return ms === undefined || ms <= previous;
  });
  if (bad.length > 0) {
    throw new PulseError(
      'CONFIG_INVALID',
      `CART_TIMER_STAGES must be ascending positive durations such as 30m,24h; check ${bad.join(', ')}`,
    );
  }
  return stages.filter((ms): ms is number => ms !== undefined);
}
