import type { Window } from './ast';
import type { AggregateEntry, AggregateState } from './aggregates';
import { nextPeriodStart, periodStart } from './duration';

/** First instant (inclusive) a window covers at `now`; `-Infinity` for all-time. */
export function windowStart(window: Window, now: number): number {
  switch (window.kind) {
    case 'last':
      return now - window.ms + 1;
    case 'calendar':
      return periodStart(window.unit, now);
    case 'all':
      return -Infinity;
  }
}

/** Index of the first entry with `t >= start` (entries are ascending by t). */
export function firstIndex(entries: readonly AggregateEntry[], start: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid]?.[0] ?? 0) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Count and sum of the events a window covers at `now`. */
export function windowTotals(
  state: AggregateState | undefined,
  window: Window,
  now: number,
): { count: number; sum: number } {
  if (state === undefined) return { count: 0, sum: 0 };
  if (window.kind === 'all') return { count: state.n, sum: state.s };
  const e = state.e;
  const from = firstIndex(e, windowStart(window, now));
  let sum = 0;
  for (let i = from; i < e.length; i++) sum += e[i]?.[1] ?? 0;
  return { count: e.length - from, sum };
}

/**
 * The earliest instant after `now` at which `test(count, sum)` of the window differs from
 * `current` with time alone (no new events), or Infinity. Sliding windows lose their oldest
 * entries one timestamp at a time (an entry at t leaves at t + ms); calendar windows empty at
 * the next period start.
 */
export function windowFlipAt(
  state: AggregateState | undefined,
  window: Window,
  now: number,
  current: boolean,
  test: (count: number, sum: number) => boolean,
): number {
  if (window.kind === 'all') return Infinity;
  if (window.kind === 'calendar') {
    return test(0, 0) !== current ? nextPeriodStart(window.unit, now) : Infinity;
  }
  const e = state?.e ?? [];
  const from = firstIndex(e, windowStart(window, now));
  let count = e.length - from;
  let sum = 0;
  for (let i = from; i < e.length; i++) sum += e[i]?.[1] ?? 0;
  for (let i = from; i < e.length;) {
    const t = e[i]?.[0] ?? 0;
    while (i < e.length && e[i]?.[0] === t) {
      sum -= e[i]?.[1] ?? 0;
      count--;
      i++;
    }
    if (test(count, sum) !== current) return t + window.ms;
  }
  return Infinity;
}
