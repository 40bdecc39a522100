import type { Window } from './ast';

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * `30m`, `2h`, `7d`, `2w` (also `30 minutes`, `7 days`...) to milliseconds, or an error message.
 * Months and years are refused: their length varies, so a marketer writes days (`180d`).
 */
export function parseDuration(text: string): number | string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  if (m === null) return `'${text}' is not a duration (write e.g. 30m, 2h, 7d, 2w)`;
  const unit = normalizeUnit((m[2] ?? '').toLowerCase());
  const size = unit === undefined ? undefined : UNITS[unit];
  if (size === undefined) {
    return `unknown unit in '${text}' (use s, m, h, d or w; months vary in length, write days: 180d)`;
  }
  const ms = Number(m[1]) * size;
  return ms > 0 ? ms : `'${text}' must be longer than zero`;
}

function normalizeUnit(unit: string): string | undefined {
  const aliases: Record<string, string> = {
    sec: 's',
    second: 's',
    seconds: 's',
    mins: 'min',
    minute: 'm',
    minutes: 'm',
    hour: 'h',
    hours: 'h',
    day: 'd',
    days: 'd',
    week: 'w',
    weeks: 'w',
  };
  return aliases[unit] ?? (unit in UNITS ? unit : undefined);
}

const DAY = 86_400_000;

/** Start of the UTC calendar period containing `now`. ISO weeks start on Monday. */
export function periodStart(unit: 'month' | 'week', now: number): number {
  const d = new Date(now);
  if (unit === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return dayStart - ((d.getUTCDay() + 6) % 7) * DAY;
}

/** Start of the UTC calendar period after the one containing `now`. */
export function nextPeriodStart(unit: 'month' | 'week', now: number): number {
  if (unit === 'week') return periodStart('week', now) + 7 * DAY;
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** How far back a window can reach: what the aggregate must keep. */
export function windowReach(window: Window): number {
  switch (window.kind) {
    case 'last':
      return window.ms;
    case 'calendar':
      return window.unit === 'month' ? 31 * DAY : 7 * DAY;
    case 'all':
      return 0;
  }
}
