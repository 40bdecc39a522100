import { describe, expect, it } from '@jest/globals';
import { activityAt, activityOfProfile } from './activity';
import { CHURN_FEATURES, churnFeatures, hasOrdered, recencyDays } from './features';
import { DAY_MS, type CustomerHistory } from './history';

const NOW = Date.UTC(2026, 5, 1);
const day = (n: number) => NOW - n * DAY_MS;
const feature = (x: number[], name: (typeof CHURN_FEATURES)[number]) =>
  x[CHURN_FEATURES.indexOf(name)];

const history: CustomerHistory = {
  customerId: 'c1',
  firstSeenAt: day(400),
  orders: [
    { at: day(150), total: 40, discounted: false, items: [{ productId: 'p1', category: 'Shoes' }] },
    {
      at: day(100),
      total: 60,
      discounted: false,
      items: [
        { productId: 'p2', category: 'Shoes' },
        { productId: 'p3', category: 'Bags' },
      ],
    },
    { at: day(10), total: 100, discounted: true, items: [{ productId: 'p4', category: 'Shoes' }] },
    { at: day(-5), total: 999, discounted: false, items: [] }, // after asOf: must not count
  ],
  emails: [
    { at: day(60), kind: 'delivered' },
    { at: day(60), kind: 'opened' },
    { at: day(20), kind: 'delivered' },
    { at: day(20), kind: 'opened' },
    { at: day(20), kind: 'clicked' },
  ],
  views: [{ at: day(3), productId: 'p9', category: 'Bags' }],
};

describe('churn features', () => {
  const x = churnFeatures(activityAt(history, NOW), NOW);

  it('has one value per named feature', () => {
    expect(x).toHaveLength(CHURN_FEATURES.length);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('reads only what was known at the cutoff', () => {
    expect(feature(x, 'frequency')).toBeCloseTo(Math.log1p(3));
    expect(feature(x, 'monetary')).toBeCloseTo(Math.log1p(200));
    expect(recencyDays(activityAt(history, NOW), NOW)).toBeCloseTo(10);
  });

  it('computes trend, engagement, tenure and affinity', () => {
    // last 90 days: 1 order; the 90 before: 2 → (1 − 2) / 3
    expect(feature(x, 'orderTrend')).toBeCloseTo(-1 / 3);
    expect(feature(x, 'daysSinceEngagement')).toBeCloseTo(Math.log1p(3)); // the view 3 days ago
    expect(feature(x, 'tenure')).toBeCloseTo(Math.log1p(400));
    expect(feature(x, 'categoryAffinity')).toBeCloseTo(3 / 4); // 3 of 4 items are Shoes
    expect(feature(x, 'openRate')).toBeCloseTo((2 + 0.5) / (2 + 2)); // smoothed towards 25%
  });

  it('gives the same vector from a live profile holding the same buckets', () => {
    const a = activityAt(history, NOW);
    const fromProfile = activityOfProfile({
      firstSeenAt: a.firstSeenAt,
      purchases: { ordersByDay: a.ordersByDay, spendByDay: a.spendByDay, categories: a.categories },
      email: {
        deliveredByDay: a.deliveredByDay,
        opensByDay: a.opensByDay,
        clicksByDay: a.clicksByDay,
        lastOpenAt: a.lastOpenAt,
        lastClickAt: a.lastClickAt,
      },
      browsing: { lastVisitAt: a.lastVisitAt },
    });
    expect(churnFeatures(fromProfile, NOW)).toEqual(x);
  });

  it('knows who has ordered', () => {
    expect(hasOrdered(activityAt(history, day(200)), day(200))).toBe(false);
    expect(hasOrdered(activityAt(history, NOW), NOW)).toBe(true);
  });
});
