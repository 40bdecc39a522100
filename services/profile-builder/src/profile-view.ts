import { AFFINITY_EPOCH, DAY_MS, utcDay } from './fold-options';
import type { ProfileState } from './profile-state';
import type { RfmScores } from './rfm';
import { evaluateTags, type TagDefinition } from './tags';

export type FunnelStage =
  'visitor' | 'browser' | 'carter' | 'checkout' | 'customer' | 'repeat customer';

export interface WindowCounts {
  last30Days: number;
  last60Days: number;
  thisMonth: number;
  last3Months: number;
  last6Months: number;
}

/** The profile as the read API shows it: the state plus everything relative to `now`. */
export interface ProfileView extends ProfileState {
  asOf: number;
  derived: {
    daysSinceLastPurchase: number | null;
    ordersInWindow: WindowCounts;
    spendInWindow: WindowCounts;
    ordersPerMonth: number | null;
    email: {
      openRate: number | null;
      clickRate: number | null;
      deliveredInWindow: Pick<WindowCounts, 'last30Days' | 'thisMonth'>;
      opensInWindow: Pick<WindowCounts, 'last30Days' | 'thisMonth'>;
      clicksInWindow: Pick<WindowCounts, 'last30Days' | 'thisMonth'>;
    };
    age: number | null;
    productsViewedLast24h: string[];
    categoryAffinity: { category: string; score: number }[];
    funnelStage: FunnelStage;
    tags: string[];
    rfm: RfmScores | null;
    /** Sessions started, and their time on site (ms), in the last 7 / 30 whole UTC days. */
    sessions: {
      last7Days: number;
      last30Days: number;
      timeOnSiteLast7DaysMs: number;
      timeOnSiteLast30DaysMs: number;
    };
  };
}

/** Sum of day buckets from `fromDay` to `toDay` inclusive. */
function sumDays(buckets: Record<string, number>, fromDay: number, toDay: number): number {
  let sum = 0;
  for (const [day, value] of Object.entries(buckets)) {
    const d = Number(day);
    if (d >= fromDay && d <= toDay) sum += value;
  }
  return Math.round(sum * 100) / 100;
}

/** Windows end today (UTC) and count whole UTC days: "last 30 days" is today and the 29 before. */
export function windows(buckets: Record<string, number>, now: number): WindowCounts {
  const today = utcDay(now);
  const date = new Date(now);
  const monthStart = utcDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  return {
    last30Days: sumDays(buckets, today - 29, today),
    last60Days: sumDays(buckets, today - 59, today),
    thisMonth: sumDays(buckets, monthStart, today),
    last3Months: sumDays(buckets, today - 89, today),
    last6Months: sumDays(buckets, today - 179, today),
  };
}

/** Whole years since a `YYYY-MM-DD` birthdate. */
export function ageAt(birthdate: unknown, now: number): number | null {
  if (typeof birthdate !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthdate);
  if (!m) return null;
  const d = new Date(now);
  let age = d.getUTCFullYear() - Number(m[1]);
  const month = d.getUTCMonth() + 1;
  if (month < Number(m[2]) || (month === Number(m[2]) && d.getUTCDate() < Number(m[3]))) age -= 1;
  return age >= 0 && age < 150 ? age : null;
}

export function funnelStage(s: ProfileState): FunnelStage {
  if (s.purchases.orders >= 2) return 'repeat customer';
  if (s.purchases.orders === 1) return 'customer';
  if (s.cart.checkoutStartedAt !== null) return 'checkout';
  if (s.cart.lastActivityAt !== null) return 'carter';
  if (s.browsing.productViews > 0) return 'browser';
  return 'visitor';
}

function affinity(
  s: ProfileState,
  now: number,
  halfLifeMs: number,
): { category: string; score: number }[] {
  const decay = 2 ** (-(now - AFFINITY_EPOCH) / halfLifeMs);
  return Object.entries(s.affinityRaw)
    .map(([category, raw]) => ({ category, score: Math.round(raw * decay * 1000) / 1000 }))
    .sort((a, b) => b.score - a.score || a.category.localeCompare(b.category));
}

const rate = (n: number, d: number): number | null =>
  d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null;

/** Adds what depends on the reading time (pure: `now`, the half-life, RFM and the tags come in). */
export function profileView(
  s: ProfileState,
  now: number,
  halfLifeMs: number,
  rfm: RfmScores | null,
  tagDefinitions: readonly TagDefinition[] = [],
): ProfileView {
  const p = s.purchases;
  const e = s.email;
  const scores = affinity(s, now, halfLifeMs);
  const months =
    p.firstPurchaseAt === null ? null : Math.max(1, (now - p.firstPurchaseAt) / (30.4375 * DAY_MS));
  const daysSinceLastPurchase =
    p.lastPurchaseAt === null ? null : Math.floor((now - p.lastPurchaseAt) / DAY_MS);
  const openRate = rate(e.uniqueOpens, e.delivered);
  const clickRate = rate(e.uniqueClicks, e.delivered);
  const two = (b: Record<string, number>) => {
    const w = windows(b, now);
    return { last30Days: w.last30Days, thisMonth: w.thisMonth };
  };
  return {
    ...s,
    asOf: now,
    derived: {
      daysSinceLastPurchase,
      ordersInWindow: windows(p.ordersByDay, now),
      spendInWindow: windows(p.spendByDay, now),
      ordersPerMonth: months === null ? null : Math.round((p.orders / months) * 100) / 100,
      email: {
        openRate,
        clickRate,
        deliveredInWindow: two(e.deliveredByDay),
        opensInWindow: two(e.opensByDay),
        clicksInWindow: two(e.clicksByDay),
      },
      age: ageAt(s.traits.birthdate, now),
      productsViewedLast24h: Object.entries(s.browsing.recentProducts)
        .filter(([, at]) => at > now - DAY_MS)
        .sort((a, b) => b[1] - a[1])
        .map(([pid]) => pid),
      categoryAffinity: scores,
      funnelStage: funnelStage(s),
      tags: evaluateTags(tagDefinitions, {
        state: s,
        affinity: scores,
        daysSinceLastPurchase,
        openRate,
        clickRate,
        rfm,
      }),
      rfm,
      sessions: sessionWindows(s.browsing, now),
    },
  };
}

function sessionWindows(
  b: ProfileState['browsing'],
  now: number,
): ProfileView['derived']['sessions'] {
  const today = utcDay(now);
  return {
    last7Days: sumDays(b.sessionsByDay, today - 6, today),
    last30Days: sumDays(b.sessionsByDay, today - 29, today),
    timeOnSiteLast7DaysMs: sumDays(b.timeOnSiteByDay, today - 6, today),
    timeOnSiteLast30DaysMs: sumDays(b.timeOnSiteByDay, today - 29, today),
  };
}
