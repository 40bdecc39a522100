import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { distributionFromValues } from './distribution';
import type { Distributions } from './distribution';
import { rfmMetrics } from './parse-distribution';
import { formatProblem } from './problems';
import { loadSegmentSet } from './segment-set';
import { ev, snapshotFrom } from './snapshot-from';
import type { SnapshotInput } from './snapshot-from';

const DIR = path.resolve(__dirname, '../../../config/segments');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: `config/segments/${f}`, text: readFileSync(path.join(DIR, f), 'utf8') }));
const { set, problems } = loadSegmentSet(files);

const MIN = 60_000;
const D = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0); // Tuesday 10 March 2026, 12:00 UTC

function evaluate(id: string, input: SnapshotInput, now: number, distributions?: Distributions) {
  const profile = snapshotFrom(set.aggregates, input);
  const results = set.evaluate({ customerId: 'cust-1', profile, now, distributions });
  const r = results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`segment ${id} did not load`);
  return { member: r.member, nextFlipAt: r.nextFlipAt };
}

const order = (t: number, total = 50) => ev('Order Completed', t, { total, order_id: `o${t}` });
const page = (t: number) => ev('page', t);
const sent = (i: number, t: number) => ev('Email Delivered', t, { send_id: `s${i}` });
const open = (i: number, t: number) => ev('Email Opened', t, { send_id: `s${i}` });
const click = (i: number, t: number) => ev('Email Link Clicked', t, { send_id: `s${i}` });
/** n delivered emails (one a day from `t`), the first `opens` opened and the first `clicks` clicked. */
function emails(n: number, opens: number, clicks: number, t: number) {
  return Array.from({ length: n }, (_, i) => [
    sent(i, t + i * D),
    ...(i < opens ? [open(i, t + i * D + MIN)] : []),
    ...(i < clicks ? [click(i, t + i * D + 2 * MIN)] : []),
  ]).flat();
}

describe('shipped segments (config/segments)', () => {
  it('all load without problems', () => {
    expect(problems.map(formatProblem)).toEqual([]);
    expect(set.segments.length).toBe(files.length - 1);
    expect(set.segments.map((s) => s.version.number).every((n) => n === 1)).toBe(true);
  });

  it('High-Value Customers: top 10% lifetime value, a recent large order, or VIP', () => {
    const ltv = set.metrics.find(
      (m) => m.id.endsWith('.sum') && m.kind === 'aggregate' && m.agg.value === 'total',
    );
    const distributions = new Map([
      [ltv?.id ?? '', distributionFromValues(Array.from({ length: 100 }, (_, i) => (i + 1) * 100))],
    ]);
    expect(
      evaluate('high-value-customers', { events: [order(T0 - 400 * D, 9500)] }, T0, distributions)
        .member,
    ).toBe(true);
    expect(
      evaluate('high-value-customers', { events: [order(T0 - 400 * D, 400)] }, T0, distributions)
        .member,
    ).toBe(false);
    expect(evaluate('high-value-customers', { events: [order(T0, 600)] }, T0 + D)).toEqual({
      member: true,
      nextFlipAt: T0 + 30 * D,
    });
    expect(evaluate('high-value-customers', { events: [order(T0, 600)] }, T0 + 30 * D).member).toBe(
      false,
    );
    expect(evaluate('high-value-customers', { traits: { vip: true } }, T0)).toEqual({
      member: true,
      nextFlipAt: null,
    });
  });

  it('Recent Visitors: visited in 7 days, no purchase then; leaves on the exact day', () => {
    expect(evaluate('recent-visitors', { events: [page(T0)] }, T0 + D)).toEqual({
      member: true,
      nextFlipAt: T0 + 7 * D,
    });
    expect(evaluate('recent-visitors', { events: [page(T0)] }, T0 + 7 * D).member).toBe(false);
    expect(evaluate('recent-visitors', { events: [page(T0), order(T0 + D)] }, T0 + 2 * D)).toEqual({
      member: false,
      nextFlipAt: T0 + 7 * D, // the visit expires first
    });
    expect(
      evaluate('recent-visitors', { events: [order(T0), page(T0 + 6 * D)] }, T0 + 6 * D),
    ).toEqual({
      member: false,
      nextFlipAt: T0 + 7 * D, // the order leaves the 7 days while the visit is still in them
    });
    expect(
      evaluate('recent-visitors', { events: [order(T0), page(T0 + 6 * D)] }, T0 + 7 * D).member,
    ).toBe(true);
  });

  it('Inactive Users: nothing for 90 days, entering at the exact instant', () => {
    const input = { firstSeenAt: T0 - 200 * D, events: [page(T0 - 10 * D), order(T0 - 50 * D)] };
    expect(evaluate('inactive-users', input, T0)).toEqual({
      member: false,
      nextFlipAt: T0 + 40 * D,
    });
    expect(evaluate('inactive-users', input, T0 + 80 * D).member).toBe(true);
    const machine = ev('Email Opened', T0 - D, { send_id: 'x', suspected_machine: true });
    expect(
      evaluate('inactive-users', { firstSeenAt: T0 - 200 * D, events: [machine] }, T0).member,
    ).toBe(true);
    expect(evaluate('inactive-users', { firstSeenAt: T0 - 10 * D }, T0)).toEqual({
      member: false,
      nextFlipAt: T0 + 80 * D,
    });
  });

  it('Cart Abandoners: entered by the timer’s Cart Abandoned, left by an order or cart activity', () => {
    const added = ev('Product Added', T0);
    const abandoned = ev('Cart Abandoned', T0 + 30 * MIN);
    expect(evaluate('cart-abandoners', { events: [added] }, T0 + 29 * MIN).member).toBe(false);
    expect(evaluate('cart-abandoners', { events: [added, abandoned] }, T0 + 30 * MIN)).toEqual({
      member: true,
      nextFlipAt: null,
    });
    expect(
      evaluate('cart-abandoners', { events: [added, abandoned, order(T0 + 40 * MIN)] }, T0 + H())
        .member,
    ).toBe(false);
    expect(
      evaluate(
        'cart-abandoners',
        { events: [added, abandoned, ev('Product Added', T0 + 40 * MIN)] },
        T0 + H(),
      ).member,
    ).toBe(false);
  });

  it('Loyal Customers and its priority flag: promoted on the purchase that makes it true', () => {
    const engagement = emails(10, 6, 3, T0 - 60 * D);
    const two = [order(T0 - 100 * D), order(T0 - 40 * D)];
    expect(evaluate('loyal-customers', { events: [...engagement, ...two] }, T0).member).toBe(false);
    expect(evaluate('casual-buyers', { events: [...engagement, ...two] }, T0 - 40 * D).member).toBe(
      true,
    );
    const three = [...two, order(T0)];
    expect(evaluate('loyal-customers', { events: [...engagement, ...three] }, T0)).toEqual({
      member: true,
      nextFlipAt: T0 + 80 * D,
    });
    expect(evaluate('loyal-customers-priority', { events: [...engagement, ...three] }, T0)).toEqual(
      { member: true, nextFlipAt: T0 + 30 * D },
    );
    expect(
      evaluate('loyal-customers', { events: [...emails(10, 4, 3, T0 - 60 * D), ...three] }, T0)
        .member,
    ).toBe(false);
    expect(
      evaluate('loyal-customers', { events: [...emails(10, 6, 1, T0 - 60 * D), ...three] }, T0)
        .member,
    ).toBe(false);
  });

  it('Frequent, Casual and Inactive Buyers', () => {
    const orders = [order(T0 - 20 * D), order(T0 - 10 * D), order(T0)];
    expect(evaluate('frequent-buyers', { events: orders }, T0)).toEqual({
      member: true,
      nextFlipAt: T0 + 10 * D,
    });
    expect(evaluate('casual-buyers', { events: orders }, T0)).toEqual({
      member: false,
      nextFlipAt: T0 + 10 * D,
    });
    expect(evaluate('casual-buyers', { events: orders }, T0 + 10 * D)).toEqual({
      member: true,
      nextFlipAt: T0 + 30 * D,
    });
    expect(evaluate('casual-buyers', { events: orders }, T0 + 30 * D).member).toBe(false);
    expect(evaluate('inactive-buyers', { events: orders }, T0)).toEqual({
      member: false,
      nextFlipAt: T0 + 90 * D,
    });
    expect(evaluate('inactive-buyers', { events: orders }, T0 + 90 * D).member).toBe(true);
    expect(evaluate('inactive-buyers', {}, T0).member).toBe(false);
  });

  it('Engaged, Moderately Engaged and Disengaged bands', () => {
    const band = (opens: number, clicks: number) =>
      ['engaged', 'moderately-engaged', 'disengaged'].filter(
        (id) => evaluate(id, { events: emails(10, opens, clicks, T0 - 20 * D) }, T0).member,
      );
    expect(band(6, 2)).toEqual(['engaged']);
    expect(band(5, 2)).toEqual(['moderately-engaged']); // 50% is not above 50%
    expect(band(2, 0)).toEqual(['moderately-engaged']);
    expect(band(1, 1)).toEqual(['moderately-engaged']); // click rate 10% ≥ 5%
    expect(band(1, 0)).toEqual(['disengaged']);
    expect(
      ['engaged', 'moderately-engaged', 'disengaged'].filter(
        (id) => evaluate(id, { events: emails(2, 0, 0, T0) }, T0).member,
      ),
    ).toEqual([]);
    expect(evaluate('engaged', { events: emails(10, 6, 2, T0 - 20 * D) }, T0).nextFlipAt).toBe(
      T0 + 71 * D,
    ); // 2nd email leaves: 4 of 8 opened, 50% is not above 50%
  });

  it('Recent engaged buyers: bought within 30 days and 3 opens this month', () => {
    const events = [order(T0 - 5 * D), ...emails(3, 3, 0, Date.UTC(2026, 2, 2))];
    expect(evaluate('recent-engaged-buyers', { events }, T0)).toEqual({
      member: true,
      nextFlipAt: Date.UTC(2026, 3, 1),
    }); // month ends before the order is 30 days old
    expect(
      evaluate(
        'recent-engaged-buyers',
        { events: [order(Date.UTC(2026, 2, 1)), ...emails(3, 3, 0, Date.UTC(2026, 2, 2))] },
        T0,
      ),
    ).toEqual({
      member: true,
      nextFlipAt: Date.UTC(2026, 2, 31), // the order is 30 days old before the month ends
    });
    const lateMonth = Date.UTC(2026, 2, 30);
    expect(
      evaluate(
        'recent-engaged-buyers',
        { events: [order(lateMonth - D), ...emails(3, 3, 0, Date.UTC(2026, 2, 2))] },
        lateMonth,
      ),
    ).toEqual({
      member: true,
      nextFlipAt: Date.UTC(2026, 3, 1),
    });
    expect(
      evaluate(
        'recent-engaged-buyers',
        { events: [order(T0), ...emails(3, 2, 0, Date.UTC(2026, 2, 2))] },
        T0,
      ).member,
    ).toBe(false);
  });

  it('Big spenders and Recent high spenders', () => {
    const orders = [order(T0 - 50 * D, 150), order(T0 - 10 * D, 100)];
    expect(evaluate('big-spenders', { events: orders }, T0)).toEqual({
      member: true,
      nextFlipAt: T0 + 10 * D,
    });
    expect(evaluate('big-spenders', { events: [order(T0, 200)] }, T0).member).toBe(false);
    expect(
      evaluate('recent-high-spenders', { events: [order(T0 - 3 * D, 200), order(T0, 100)] }, T0),
    ).toEqual({
      member: true,
      nextFlipAt: T0 + 11 * D,
    });
    expect(evaluate('recent-high-spenders', { events: [order(T0 - 20 * D, 900)] }, T0).member).toBe(
      false,
    );
  });

  it('Frequent browsers who have not purchased recently', () => {
    const views = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0 ? page(T0 - i * D) : ev('Product Viewed', T0 - i * D),
    );
    expect(evaluate('frequent-browsers-not-buying', { events: views }, T0)).toEqual({
      member: true,
      nextFlipAt: T0 + 5 * D,
    });
    expect(
      evaluate('frequent-browsers-not-buying', { events: [...views, order(T0 - 20 * D)] }, T0),
    ).toEqual({
      member: false,
      nextFlipAt: T0 + 5 * D, // the views thin out before the order is 30 days old
    });
    expect(evaluate('frequent-browsers-not-buying', { events: views.slice(1) }, T0).member).toBe(
      false,
    );
  });

  it('RFM groups against the population quintiles', () => {
    const { r, f, m } = rfmMetrics();
    const decile = (lo: number, step: number) =>
      distributionFromValues(Array.from({ length: 100 }, (_, i) => lo + i * step));
    const distributions = new Map([
      [r.id, decile(T0 - 100 * D, D)], // last orders spread over the last 100 days
      [f.id, decile(1, 0.1)], // 1 to 10.9 orders
      [m.id, decile(10, 10)], // $10 to $1000
    ]);
    const groups = (input: SnapshotInput) =>
      ['rfm-champions', 'rfm-loyal', 'rfm-new-customers', 'rfm-at-risk', 'rfm-hibernating'].filter(
        (id) => evaluate(id, input, T0, distributions).member,
      );
    const many = (n: number, last: number, total: number) =>
      Array.from({ length: n }, (_, i) => order(last - i * D, total));
    expect(groups({ events: many(10, T0 - D, 100) })).toEqual(['rfm-champions']);
    expect(groups({ events: many(10, T0 - 45 * D, 100) })).toEqual(['rfm-loyal']);
    expect(groups({ events: many(1, T0 - D, 20) })).toEqual(['rfm-new-customers']);
    expect(groups({ events: many(8, T0 - 90 * D, 100) })).toEqual(['rfm-at-risk']);
    expect(groups({ events: many(1, T0 - 95 * D, 20) })).toEqual(['rfm-hibernating']);
    expect(groups({})).toEqual([]);
  });

  it('the holdout takes a stable tenth of customers', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const held = ids.filter(
      (customerId) =>
        set.evaluate({ customerId, profile: snapshotFrom([], {}), now: T0 }, ['email-holdout'])[0]
          ?.member,
    );
    expect(held.length).toBeGreaterThan(70);
    expect(held.length).toBeLessThan(130);
  });

  it('re-evaluates only the segments that read a changed path', () => {
    const orderAggs = set.aggregates
      .filter((a) => a.events.includes('Order Completed'))
      .map((a) => `aggregates.${a.id}`);
    const affected = set.affectedBy(orderAggs);
    expect(affected).toEqual(
      expect.arrayContaining([
        'frequent-buyers',
        'loyal-customers',
        'loyal-customers-priority',
        'rfm-loyal',
      ]),
    );
    expect(affected).not.toContain('engaged');
    expect(set.affectedBy(['traits.vip'])).toEqual(['high-value-customers']);
    expect(set.affectedBy(['traits.city'])).toEqual([]);
  });
});

function H(): number {
  return 60 * MIN;
}
