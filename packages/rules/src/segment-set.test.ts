import { describe, expect, it } from '@jest/globals';
import { foldAggregate, MAX_ENTRIES } from './aggregates';
import { aggregateSpec } from './aggregates';
import { buildCatalog } from './catalog';
import { stableBucket } from './canonical';
import { distributionFromValues } from './distribution';
import { formatProblem } from './problems';
import { earliestFlip, loadSegmentSet } from './segment-set';
import type { SegmentResult } from './segment-set';
import { ev, snapshotFrom } from './snapshot-from';
import type { SnapshotInput } from './snapshot-from';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0); // Tuesday 10 March 2026, 12:00 UTC
const catalog = buildCatalog({ traits: { vip: 'boolean', lifetime_value: 'number' } });

function load(rule: string) {
  const text = `id: s\nname: S\ndescription: d\nrule:\n${rule.replace(/^/gm, '  ')}\n`;
  const { set, problems } = loadSegmentSet([{ file: 's.yaml', text }], { catalog });
  expect(problems.map(formatProblem)).toEqual([]);
  const run = (
    input: SnapshotInput,
    now: number,
    extra: Partial<Parameters<typeof set.evaluate>[0]> = {},
  ): SegmentResult => {
    const profile = snapshotFrom(set.aggregates, input);
    const [r] = set.evaluate({ customerId: 'c1', profile, now, ...extra });
    if (r === undefined) throw new Error('no result');
    return r;
  };
  return { set, run };
}

describe('event windows', () => {
  const { run } = load('event: Order Completed\ncount: { at_least: 3 }\nin_last: 180d');
  const orders = [
    ev('Order Completed', T0),
    ev('Order Completed', T0 + 10 * D),
    ev('Order Completed', T0 + 20 * D),
  ];

  it('is true from the purchase that makes it true until the oldest counted one leaves', () => {
    expect(run({ events: orders.slice(0, 2) }, T0 + 15 * D)).toMatchObject({
      member: false,
      nextFlipAt: null,
    });
    const r = run({ events: orders }, T0 + 20 * D);
    expect(r).toEqual({ id: 's', version: 1, member: true, nextFlipAt: T0 + 180 * D });
    expect(run({ events: orders }, T0 + 180 * D - 1).member).toBe(true);
    expect(run({ events: orders }, T0 + 180 * D).member).toBe(false);
  });

  it('an at-most rule becomes true when enough events leave the window', () => {
    const { run: atMost } = load('event: Order Completed\ncount: { at_most: 1 }\nin_last: 30d');
    const r = atMost({ events: orders }, T0 + 21 * D);
    expect(r).toMatchObject({ member: false, nextFlipAt: T0 + 10 * D + 30 * D });
    expect(atMost({ events: orders }, T0 + 40 * D).member).toBe(true);
  });

  it('filters by property and sums a property in a window', () => {
    const { run: big } = load('event: Order Completed\nsum: total\ngt: 200\nin_last: 60d');
    const events = [
      ev('Order Completed', T0, { total: 150 }),
      ev('Order Completed', T0 + 5 * D, { total: 60 }),
    ];
    expect(big({ events }, T0 + 6 * D)).toMatchObject({ member: true, nextFlipAt: T0 + 60 * D });
    const { run: filtered } = load(
      "event: Order Completed\nwhere: { total: { '>': 100 } }\nin_last: 60d",
    );
    expect(filtered({ events: [events[1] ?? ev('x', 0)] }, T0 + 6 * D).member).toBe(false);
    expect(filtered({ events }, T0 + 6 * D)).toMatchObject({
      member: true,
      nextFlipAt: T0 + 60 * D,
    });
  });

  it('averages a property; an average of nothing is false', () => {
    const { run: avg } = load('event: Order Completed\navg: total\ngte: 100\nin_last: 30d');
    expect(avg({}, T0).member).toBe(false);
    expect(
      avg(
        {
          events: [
            ev('Order Completed', T0, { total: 80 }),
            ev('Order Completed', T0 + D, { total: 140 }),
          ],
        },
        T0 + D,
      ),
    ).toMatchObject({
      member: true,
      nextFlipAt: T0 + 31 * D, // the 80 leaving changes nothing (140 ≥ 100); the 140 leaving does
    });
  });

  it('counts this calendar month and flips at the next month start', () => {
    const { run: month } = load('event: Email Opened\ncount: { at_least: 2 }\nin: this_month');
    const events = [
      ev('Email Opened', Date.UTC(2026, 1, 27)),
      ev('Email Opened', T0),
      ev('Email Opened', T0 + H),
    ];
    expect(month({ events }, T0 + 2 * H)).toMatchObject({
      member: true,
      nextFlipAt: Date.UTC(2026, 3, 1),
    });
    expect(month({ events: events.slice(0, 2) }, T0 + 2 * H)).toMatchObject({
      member: false,
      nextFlipAt: null,
    });
    const { run: week } = load('event: Email Opened\nin: this_week');
    expect(week({ events }, T0 + 2 * H)).toMatchObject({
      member: true,
      nextFlipAt: Date.UTC(2026, 2, 16),
    });
  });
});

describe('recency and order', () => {
  it('within D expires at the last event + D; none in D becomes true then', () => {
    const { run: within } = load('event: page\nwithin: 7d');
    const { run: none } = load('event: Order Completed\nnone_in: 90d');
    expect(within({ events: [ev('page', T0)] }, T0 + D)).toMatchObject({
      member: true,
      nextFlipAt: T0 + 7 * D,
    });
    expect(within({ events: [ev('page', T0)] }, T0 + 7 * D)).toMatchObject({
      member: false,
      nextFlipAt: null,
    });
    expect(none({}, T0).member).toBe(true);
    expect(none({ events: [ev('Order Completed', T0)] }, T0 + D)).toMatchObject({
      member: false,
      nextFlipAt: T0 + 90 * D,
    });
    expect(none({ events: [ev('Order Completed', T0)] }, T0 + 90 * D).member).toBe(true);
  });

  it('after: the last A is later than the last B', () => {
    const { run } = load('event: Cart Abandoned\nafter: [Product Added, Order Completed]');
    const added = ev('Product Added', T0);
    const abandoned = ev('Cart Abandoned', T0 + 30 * MIN);
    expect(run({ events: [added] }, T0 + H).member).toBe(false);
    expect(run({ events: [added, abandoned] }, T0 + H)).toMatchObject({
      member: true,
      nextFlipAt: null,
    });
    expect(
      run({ events: [added, abandoned, ev('Order Completed', T0 + 2 * H)] }, T0 + 3 * H).member,
    ).toBe(false);
  });

  it('a date field compared with within / not_within flips at the instant', () => {
    const { run } = load('field: firstSeenAt\nnot_within: 90d');
    expect(run({ firstSeenAt: T0 }, T0 + D)).toMatchObject({
      member: false,
      nextFlipAt: T0 + 90 * D,
    });
    expect(run({ firstSeenAt: T0 }, T0 + 90 * D).member).toBe(true);
  });
});

describe('ratios', () => {
  const sent = (i: number, t: number) => ev('Email Delivered', t, { send_id: `s${i}` });
  const opened = (i: number, t: number, machine = false) =>
    ev('Email Opened', t, { send_id: `s${i}`, suspected_machine: machine });

  it('open rate over a window counts each email once and ignores machine opens', () => {
    const { run } = load("rate: open\ngte: '50%'\nin_last: 30d");
    const events = [
      sent(1, T0),
      sent(2, T0 + D),
      opened(1, T0 + H),
      opened(1, T0 + 2 * H),
      opened(2, T0 + D + 1, true),
    ];
    expect(run({ events }, T0 + 2 * D)).toMatchObject({ member: true, nextFlipAt: T0 + 30 * D });
    expect(run({ events: events.slice(0, 2) }, T0 + 2 * D).member).toBe(false);
  });

  it('over the last N emails is time-free', () => {
    const { run } = load('rate: click\ngte: 0.5\nlast_emails: 2');
    const click = (i: number, t: number) => ev('Email Link Clicked', t, { send_id: `s${i}` });
    const events = [sent(1, T0), sent(2, T0 + D), sent(3, T0 + 2 * D), click(2, T0 + D + H)];
    expect(run({ events }, T0 + 3 * D)).toMatchObject({ member: true, nextFlipAt: null });
    expect(run({ events: [...events, sent(4, T0 + 3 * D)] }, T0 + 4 * D).member).toBe(false);
  });

  it('needs min_emails delivered', () => {
    const { run } = load('rate: open\ngte: 0.5\nin_last: 30d\nmin_emails: 3');
    expect(run({ events: [sent(1, T0), opened(1, T0 + 1)] }, T0 + H).member).toBe(false);
  });
});

describe('distributions, buckets, traits, memberships', () => {
  it('top percent and quintiles read the population passed in', () => {
    const { set, run } = load(
      'metric: { event: Order Completed, fn: sum, property: total }\ntop_percent: 10',
    );
    const metric = set.metrics[0];
    expect(metric?.id).toMatch(/^order-completed~[0-9a-f]{10}\.sum$/);
    const distributions = new Map([
      [metric?.id ?? '', distributionFromValues(Array.from({ length: 100 }, (_, i) => i + 1))],
    ]);
    const spent = (total: number) => ({ events: [ev('Order Completed', T0, { total })] });
    expect(run(spent(91), T0, { distributions }).member).toBe(true);
    expect(run(spent(90), T0, { distributions }).member).toBe(false);
    expect(run(spent(1000), T0).member).toBe(false); // no distribution given
    const { set: q, run: rfm } = load('rfm: { f: [4, 5] }');
    const f = q.metrics[0]?.id ?? '';
    const d = new Map([[f, distributionFromValues([1, 1, 1, 2, 2, 3, 4, 5, 8, 10])]]);
    const orders = (n: number) => ({
      events: Array.from({ length: n }, (_, i) => ev('Order Completed', T0 + i)),
    });
    expect(rfm(orders(4), T0 + D, { distributions: d }).member).toBe(true); // above the 60th percentile (3)
    expect(rfm(orders(3), T0 + D, { distributions: d }).member).toBe(false);
  });

  it('a random bucket is stable per customer and salt', () => {
    const { set } = load('bucket: { salt: holdout-2026, from: 0, to: 10 }');
    const members = Array.from({ length: 2000 }, (_, i) => `c${i}`).filter(
      (customerId) =>
        set.evaluate({ customerId, profile: snapshotFrom([], {}), now: T0 })[0]?.member,
    );
    expect(members.length).toBeGreaterThan(150);
    expect(members.length).toBeLessThan(250);
    expect(members.every((c) => stableBucket(c, 'holdout-2026') < 10)).toBe(true);
    expect(stableBucket('c1', 'a')).toBe(stableBucket('c1', 'a'));
  });

  it('compares traits, including nested and missing ones', () => {
    const { run } = load(
      "all:\n  - trait: consent.email_marketing\n    eq: true\n  - trait: country\n    '≠': US\n  - trait: lifetime_value\n    between: [100, 500]",
    );
    expect(
      run({ traits: { consent: { email_marketing: true }, lifetime_value: 120 } }, T0).member,
    ).toBe(true);
    expect(
      run(
        { traits: { consent: { email_marketing: true }, country: 'US', lifetime_value: 120 } },
        T0,
      ).member,
    ).toBe(false);
    expect(
      run({ traits: { consent: { email_marketing: false }, lifetime_value: 120 } }, T0).member,
    ).toBe(false);
  });

  it('evaluates dependencies first, and the dependency index lists readers transitively', () => {
    const seg = (id: string, rule: string) => ({
      file: `${id}.yaml`,
      text: `id: ${id}\nname: ${id}\ndescription: d\nrule:\n${rule.replace(/^/gm, '  ')}\n`,
    });
    const { set } = loadSegmentSet(
      [
        seg('priority', 'all:\n  - segment: buyers\n  - event: Order Completed\n    within: 30d'),
        seg('buyers', 'event: Order Completed\ncount: { at_least: 2 }\nin_last: 180d'),
        seg('french', 'trait: country\neq: FR'),
      ],
      { catalog },
    );
    const orders = set.aggregates.map((a) => a.id);
    expect(orders).toEqual(['order-completed']);
    expect(set.affectedBy(['aggregates.order-completed'])).toEqual(['buyers', 'priority']);
    expect(set.affectedBy(['traits.country', 'traits.city'])).toEqual(['french']);
    expect(set.affectedBy(['email'])).toEqual([]);
    const profile = snapshotFrom(set.aggregates, {
      events: [ev('Order Completed', T0), ev('Order Completed', T0 + D)],
    });
    const results = set.evaluate({ customerId: 'c', profile, now: T0 + 2 * D }, [
      'priority',
      'buyers',
    ]);
    expect(results).toEqual([
      { id: 'buyers', version: 1, member: true, nextFlipAt: T0 + 180 * D },
      { id: 'priority', version: 1, member: true, nextFlipAt: T0 + D + 30 * D },
    ]);
    expect(earliestFlip(results)).toBe(T0 + 31 * D);
    const stored = set.evaluate(
      { customerId: 'c', profile, now: T0 + 2 * D, memberships: new Set() },
      ['priority'],
    );
    expect(stored[0]?.member).toBe(false); // reads the stored membership of 'buyers'
  });
});

describe('aggregate fold', () => {
  it('keeps entries within the horizon, sorted, capped, and skips repeated distinct keys', () => {
    const spec = aggregateSpec(['Email Opened'], [], null, 'send_id', 10 * D);
    let s = foldAggregate(spec, undefined, ev('Email Opened', T0 + D, { send_id: 'a' }));
    s = foldAggregate(spec, s ?? undefined, ev('Email Opened', T0, { send_id: 'b' }));
    expect(s?.e.map((x) => x[0])).toEqual([T0, T0 + D]);
    expect(
      foldAggregate(spec, s ?? undefined, ev('Email Opened', T0 + 2 * D, { send_id: 'a' })),
    ).toBeNull();
    s = foldAggregate(spec, s ?? undefined, ev('Email Opened', T0 + 11 * D, { send_id: 'c' }));
    expect(s).toMatchObject({ n: 3, f: T0, l: T0 + 11 * D });
    expect(s?.e.map((x) => x[2])).toEqual(['c']); // a (T0 + D) is at the 10-day horizon of T0 + 11D
    const count = aggregateSpec(['page'], [], null, null, 1000 * D);
    let c = undefined;
    for (let i = 0; i < MAX_ENTRIES + 5; i++)
      c = foldAggregate(count, c, ev('page', T0 + i)) ?? undefined;
    expect(c?.e).toHaveLength(MAX_ENTRIES);
    expect(c?.n).toBe(MAX_ENTRIES + 5);
  });
});
