import { describe, expect, it } from '@jest/globals';
import { bucketFor, segmentSizeSeries } from './segment-series';
import { memberAt, reconstructMemberships, type MembershipFact } from './segment-sizes';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 2, 2); // a Monday, 00:00 UTC
let n = 0;
const change = (
  customerId: string,
  segmentId: string,
  kind: 'entered' | 'exited',
  at: number,
  id = `sc-${(n += 1)}`,
): MembershipFact => ({ kind: 'change', id, customerId, segmentId, change: kind, at });

describe('reconstructMemberships', () => {
  it('follows entries and exits per customer, ignoring no-ops and republished changes', () => {
    const m = reconstructMemberships([
      change('a', 'vip', 'entered', T0),
      change('b', 'vip', 'entered', T0 + H),
      change('a', 'vip', 'entered', T0 + 2 * H), // already a member
      change('b', 'vip', 'exited', T0 + 3 * H, 'dup'),
      change('b', 'vip', 'exited', T0 + 3 * H, 'dup'), // the same change published twice
      change('c', 'vip', 'exited', T0 + 4 * H), // left without a recorded entry: a member before
      change('b', 'vip', 'entered', T0 + 5 * H),
    ]).get('vip');
    expect(m?.initial).toBe(1);
    expect(m?.steps.map((s) => s.delta)).toEqual([1, 1, -1, -1, 1]);
    expect(m?.intervals.get('b')).toEqual([
      { from: T0 + H, to: T0 + 3 * H },
      { from: T0 + 5 * H, to: null },
    ]);
    expect(m?.intervals.get('c')).toEqual([{ from: null, to: T0 + 4 * H }]);
    if (!m) return;
    expect([T0 + 2 * H, T0 + 3 * H, T0 + 5 * H].map((t) => memberAt(m, 'b', t))).toEqual([
      true,
      false,
      true,
    ]);
    expect(memberAt(m, 'c', T0 - 100 * D)).toBe(true);
  });

  it('a tombstone takes the customer out of every segment it is in, at the record time', () => {
    const all = reconstructMemberships([
      change('a', 'vip', 'entered', T0),
      change('a', 'engaged', 'entered', T0),
      change('a', 'engaged', 'exited', T0 + H),
      { kind: 'removal', customerId: 'a', at: T0 + 2 * H },
    ]);
    expect(all.get('vip')?.steps).toEqual([
      { at: T0, delta: 1 },
      { at: T0 + 2 * H, delta: -1 },
    ]);
    // already out of engaged: the removal changes nothing there
    expect(all.get('engaged')?.steps.map((s) => s.delta)).toEqual([1, -1]);
  });
});

describe('segmentSizeSeries', () => {
  it('buckets by the hour over short spans: size at the end of each bucket, entries, exits', () => {
    const series = segmentSizeSeries(
      reconstructMemberships([
        change('x', 's', 'exited', T0 + 10 * 60_000), // was a member before: starts at 1
        change('a', 's', 'entered', T0 + 20 * 60_000),
        change('b', 's', 'entered', T0 + H + 5),
        change('c', 's', 'entered', T0 + 3 * H),
        change('a', 's', 'exited', T0 + 3 * H + 1),
      ]),
    );
    expect(series.bucket).toBe('hour');
    expect(series.segments.get('s')).toEqual([
      { at: T0, size: 1, entered: 1, exited: 1 },
      { at: T0 + H, size: 2, entered: 1, exited: 0 },
      { at: T0 + 2 * H, size: 2, entered: 0, exited: 0 },
      { at: T0 + 3 * H, size: 2, entered: 1, exited: 1 },
    ]);
  });

  it('buckets by the day over long spans, on one range for every segment', () => {
    const series = segmentSizeSeries(
      reconstructMemberships([
        change('a', 'p', 'entered', T0 + H),
        change('b', 'q', 'entered', T0 + 4 * D + H),
      ]),
    );
    expect(series.bucket).toBe('day');
    expect(series.segments.get('p')?.map((p) => p.size)).toEqual([1, 1, 1, 1, 1]);
    expect(series.segments.get('q')?.map((p) => p.size)).toEqual([0, 0, 0, 0, 1]);
    expect([series.from, series.to]).toEqual([T0, T0 + 4 * D]);
  });

  it('chooses hours up to three days and is empty without records', () => {
    expect([bucketFor(3 * D), bucketFor(3 * D + 1)]).toEqual(['hour', 'day']);
    expect(segmentSizeSeries(new Map()).segments.size).toBe(0);
  });
});
