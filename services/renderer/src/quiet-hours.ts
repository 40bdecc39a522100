const formats = new Map<string, Intl.DateTimeFormat>();

function localMinutes(now: number, timeZone: string): number {
  let fmt = formats.get(timeZone);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      fmt = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'UTC',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    }
    formats.set(timeZone, fmt);
  }
  let h = 0;
  let m = 0;
  for (const p of fmt.formatToParts(now)) {
    if (p.type === 'hour') h = Number(p.value);
    if (p.type === 'minute') m = Number(p.value);
  }
  return h * 60 + m;
}

/**
 * When quiet hours (`from`..`to`, minutes after local midnight, may wrap past midnight) hold at
 * `now` in `timeZone`: the instant they end (start of that minute); otherwise null. Pure.
 */
export function quietUntil(
  now: number,
  timeZone: string,
  quiet: { from: number; to: number },
): number | null {
  const local = localMinutes(now, timeZone);
  const inside =
    quiet.from <= quiet.to
      ? local >= quiet.from && local < quiet.to
      : local >= quiet.from || local < quiet.to;
  if (!inside) return null;
  const wait = (quiet.to - local + 1440) % 1440;
  return Math.floor(now / 60_000) * 60_000 + wait * 60_000;
}
