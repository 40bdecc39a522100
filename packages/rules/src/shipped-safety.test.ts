import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { distributionFromValues } from './distribution';
import { formatProblem } from './problems';
import { loadSegmentSet } from './segment-set';
import { ev, snapshotFrom } from './snapshot-from';
import type { SnapshotInput } from './snapshot-from';

/*
 * The shipped segments' safety rules (config/segments/README.md, "Minimum counts" and
 * "Hysteresis"): rate rules need enough emails, Inactive needs tenure, and High-Value Customers
 * does not flap at its percentile cut.
 */
const DIR = path.resolve(__dirname, '../../../config/segments');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: `config/segments/${f}`, text: readFileSync(path.join(DIR, f), 'utf8') }));
const { set, problems } = loadSegmentSet(files);

const D = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

function member(id: string, input: SnapshotInput, extra: { stored?: string[] } = {}) {
  const ltv = set.metrics.find((m) => m.kind === 'aggregate' && m.fn === 'sum');
  const distributions = new Map([
    [ltv?.id ?? '', distributionFromValues(Array.from({ length: 100 }, (_, i) => (i + 1) * 100))],
  ]);
  const results = set.evaluate({
    customerId: 'cust-1',
    profile: snapshotFrom(set.aggregates, input),
    now: T0,
    distributions,
    memberships: new Set(extra.stored ?? []),
  });
  return results.find((r) => r.id === id)?.member;
}

/** n emails delivered in the last days, each opened and clicked when `engaged`. */
function emails(n: number, engaged: boolean) {
  return Array.from({ length: n }, (_, i) => {
    const t = T0 - (i + 1) * D;
    const props = { send_id: `s${i}` };
    return [
      ev('Email Delivered', t, props),
      ...(engaged
        ? [ev('Email Opened', t + 1, props), ev('Email Link Clicked', t + 2, props)]
        : []),
    ];
  }).flat();
}

describe('shipped segments: minimum counts before a rate-based rule applies', () => {
  it('load without problems', () => expect(problems.map(formatProblem)).toEqual([]));

  it('a new subscriber with 0 (or 2) emails is not Disengaged; with 3 unopened it is', () => {
    expect(member('disengaged', { firstSeenAt: T0 - D })).toBe(false);
    expect(member('disengaged', { events: emails(2, false) })).toBe(false);
    expect(member('disengaged', { events: emails(3, false) })).toBe(true);
  });

  it('one opened and clicked email does not make a buyer Loyal (3 emails needed)', () => {
    const orders = [1, 2, 3].map((i) => ev('Order Completed', T0 - i * D, { total: 10 }));
    expect(member('loyal-customers', { events: [...orders, ...emails(1, true)] })).toBe(false);
    expect(member('loyal-customers', { events: [...orders, ...emails(3, true)] })).toBe(true);
  });

  it('a customer first seen today is not Inactive, one known for 90 days with no activity is', () => {
    expect(member('inactive-users', { firstSeenAt: T0 })).toBe(false);
    expect(member('inactive-users', { firstSeenAt: T0 - 89 * D })).toBe(false);
    expect(member('inactive-users', { firstSeenAt: T0 - 90 * D })).toBe(true);
  });
});

describe('shipped segments: High-Value Customers hysteresis (top 10%, leave below top 12%)', () => {
  // Population: lifetime values 100, 200, ... 10 000; the 90th percentile is 9000, the 88th 8800.
  const ltv = (total: number) => ({ events: [ev('Order Completed', T0 - 400 * D, { total })] });

  it('a non-member enters only in the top 10%', () => {
    expect(member('high-value-customers', ltv(9001))).toBe(true);
    expect(member('high-value-customers', ltv(8900))).toBe(false);
  });

  it('a member stays in the top 12% and leaves below it', () => {
    const stored = ['high-value-customers'];
    expect(member('high-value-customers', ltv(8900), { stored })).toBe(true);
    expect(member('high-value-customers', ltv(8800), { stored })).toBe(false);
  });
});
