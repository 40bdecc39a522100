import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadSegmentSet, type SegmentResult } from '@pulse/rules';
import { emptyDump, type StateDump } from './dump';
import { isSessionSpec, sessionAggregate, sessionAggregates } from './session-aggregates';

const CATALOG = readFileSync(
  path.resolve(__dirname, '../../../config/segments/_catalog.yaml'),
  'utf8',
);
const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 10, 12);

const segment = (id: string, rule: string) => ({
  file: `${id}.yaml`,
  text: `id: ${id}\nname: ${id}\ndescription: test\nrule:\n${rule}`,
});
const { set, problems } = loadSegmentSet([
  { file: '_catalog.yaml', text: CATALOG },
  segment('regulars', '  event: Session\n  count: { at_least: 2 }\n  in_last: 7d\n'),
  segment(
    'lingerers',
    '  event: Session\n  sum: extra.duration_ms\n  gte: 1200000\n  in_last: 7d\n',
  ),
  segment(
    'long-timers',
    '  event: Session\n  sum: extra.duration_ms\n  gte: 3600000\n  in: all_time\n',
  ),
  segment(
    'long-sessions',
    '  event: Session\n  where: { extra.duration_ms: { gte: 900000 } }\n  count: { at_least: 1 }\n  in_last: 30d\n',
  ),
]);
const specs = set.aggregates.filter(isSessionSpec);

/** A customer with three sessions kept (2 days, 5 days and 20 days ago) and older ones trimmed. */
function dump(): StateDump {
  const d = emptyDump();
  const sessions: [number, number][] = [
    [NOW - 20 * DAY, 40 * MIN],
    [NOW - 5 * DAY, 12 * MIN],
    [NOW - 2 * DAY, 10 * MIN],
  ];
  for (const [start, ms] of sessions) d.sessions[String(start)] = start + ms;
  d.p = { sessions: '5', sessionMs: String(70 * MIN), firstSessionAt: String(NOW - 300 * DAY) };
  return d;
}

function evaluate(now: number): Record<string, Pick<SegmentResult, 'member' | 'nextFlipAt'>> {
  const results = set.evaluate({
    customerId: 'u:s-1',
    now,
    profile: {
      email: null,
      userIds: [],
      anonymousIds: [],
      firstSeenAt: null,
      lastSeenAt: null,
      traits: {},
      aggregates: sessionAggregates(specs, dump()),
    },
  });
  return Object.fromEntries(
    results.map((r) => [r.id, { member: r.member, nextFlipAt: r.nextFlipAt }]),
  );
}

describe('rule aggregates over sessions', () => {
  it('load from the shipped catalogue as session specs', () => {
    expect(problems).toEqual([]);
    expect(specs).toHaveLength(set.aggregates.length);
  });

  it('hold one entry per kept session, totals from the counters', () => {
    const count = specs.find((s) => s.value === null && s.where.length === 0);
    expect(count && sessionAggregate(count, dump())).toEqual({
      n: 5,
      s: 5,
      f: NOW - 300 * DAY,
      l: NOW - 2 * DAY,
      e: [
        [NOW - 5 * DAY, 1],
        [NOW - 2 * DAY, 1],
      ],
    });
  });

  it('answer "sessions in the last week" and "time on site", and when that changes', () => {
    expect(evaluate(NOW)).toEqual({
      regulars: { member: true, nextFlipAt: NOW + 2 * DAY },
      lingerers: { member: true, nextFlipAt: NOW + 2 * DAY },
      'long-timers': { member: true, nextFlipAt: null },
      'long-sessions': { member: true, nextFlipAt: NOW + 10 * DAY },
    });
    const later = evaluate(NOW + 6 * DAY);
    expect(later.regulars?.member).toBe(false);
    expect(later.lingerers?.member).toBe(false);
    expect(later['long-timers']?.member).toBe(true);
  });
});
