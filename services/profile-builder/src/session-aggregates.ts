import {
  MAX_ENTRIES,
  matchesAggregate,
  type AggregateEntry,
  type AggregateSpec,
  type AggregateState,
} from '@pulse/rules';
import type { StateDump } from './dump';

/**
 * The event name segment rules use for web sessions (declared in config/segments/_catalog.yaml):
 * `event: Session, count: { at_least: 3 }, in_last: 7d` is "3 sessions in the last week", and
 * `event: Session, sum: extra.duration_ms, gte: 600000, in_last: 7d` is "10 minutes on the site
 * in the last week" (`in: all_time`: in total). Reserved: a track event of this name is not one.
 */
export const SESSION_EVENT = 'Session';

/** A session's length as rules read it (custom-event properties are summed as `extra.*`). */
export const SESSION_DURATION = 'extra.duration_ms';

/** Rule aggregates over sessions: derived from the session state, not folded from events. */
export function isSessionSpec(spec: AggregateSpec): boolean {
  return spec.events.length === 1 && spec.events[0] === SESSION_EVENT;
}

const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));

/**
 * A session aggregate as `@pulse/rules` reads it, from the customer's sessions: one entry per
 * session at its start, valued 1 or its duration. Plain specs (no `where`) take the all-time
 * count, sum and first start from the stored counters, so totals outlive the trimmed sessions;
 * filtered ones count the kept sessions (the last PROFILE_BUCKET_DAYS days).
 */
export function sessionAggregate(spec: AggregateSpec, dump: StateDump): AggregateState {
  const kept = Object.entries(dump.sessions)
    .map(([start, end]) => [Number(start), end - Number(start)] as const)
    .sort((a, b) => a[0] - b[0]);
  const valueOf = (duration: number): number | undefined =>
    spec.value === null ? 1 : spec.value === SESSION_DURATION ? duration : undefined;
  const matching = kept.filter(([start, duration]) =>
    matchesAggregate(spec, {
      type: SESSION_EVENT,
      occurredAt: start,
      properties: { [SESSION_DURATION]: duration },
    }),
  );
  const entries: AggregateEntry[] = [];
  for (const [start, duration] of matching) {
    const v = valueOf(duration);
    if (v !== undefined) entries.push([start, v]);
  }
  const l = entries.at(-1)?.[0] ?? null;
  const e = l === null ? [] : entries.filter((x) => x[0] > l - spec.horizonMs);
  if (e.length > MAX_ENTRIES) e.splice(0, e.length - MAX_ENTRIES);
  if (spec.where.length === 0 && valueOf(0) !== undefined) {
    const n = num(dump.p.sessions);
    const first = dump.p.firstSessionAt;
    return {
      n,
      s: spec.value === null ? n : num(dump.p.sessionMs),
      f: first === undefined ? l : Number(first),
      l,
      e,
    };
  }
  let s = 0;
  for (const x of entries) s += x[1];
  return { n: entries.length, s, f: entries[0]?.[0] ?? null, l, e };
}

/** Every session spec's aggregate (spec id → JSON text), for the change record's snapshot. */
export function sessionAggregates(
  specs: readonly AggregateSpec[],
  dump: StateDump,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) out[spec.id] = JSON.stringify(sessionAggregate(spec, dump));
  return out;
}
