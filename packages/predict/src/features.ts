import type { Activity } from './activity';
import { utcDay } from './history';

/**
 * Names of the churn features, in vector order (a model file lists them; a mismatch refuses it).
 * The model is for customers who have ordered: one who never did is not "at risk of churning".
 */
export const CHURN_FEATURES = [
  'recency',
  'frequency',
  'monetary',
  'orderTrend',
  'tenure',
  'openRate',
  'clickRate',
  'openTrend',
  'daysSinceEngagement',
  'categoryAffinity',
] as const;

export type ChurnFeatureName = (typeof CHURN_FEATURES)[number];

/** Sum of buckets whose day lies in [from, to]. */
function sumDays(buckets: Record<string, number>, from: number, to: number): number {
  let sum = 0;
  for (const [day, value] of Object.entries(buckets)) {
    const d = Number(day);
    if (d >= from && d <= to) sum += value;
  }
  return sum;
}

function lastDay(buckets: Record<string, number>, upTo: number): number | null {
  let last: number | null = null;
  for (const [day, value] of Object.entries(buckets)) {
    const d = Number(day);
    if (value > 0 && d <= upTo && (last === null || d > last)) last = d;
  }
  return last;
}

/** Rate with a weak prior (1 in 4), so two emails do not make a 0% or 100% customer. */
const smoothedRate = (n: number, d: number, prior = 0.25): number => (n + prior * 2) / (d + 2);

/**
 * The churn feature vector of an activity at `asOf`. Day counts go through log1p because a
 * customer 400 days away is not twice as gone as one 200 days away; trends compare the last 90
 * (orders) or 30 (emails) days with the period before, in [-1, 1].
 */
export function churnFeatures(a: Activity, asOf: number): number[] {
  const today = utcDay(asOf);
  const tenureDays = a.firstSeenAt === null ? 0 : Math.max(0, today - utcDay(a.firstSeenAt));
  const lastOrder = lastDay(a.ordersByDay, today);
  const recencyDays = lastOrder === null ? tenureDays : today - lastOrder;
  const orders = sumDays(a.ordersByDay, -Infinity, today);
  const spend = sumDays(a.spendByDay, -Infinity, today);
  const recent = sumDays(a.ordersByDay, today - 89, today);
  const before = sumDays(a.ordersByDay, today - 179, today - 90);
  const delivered = sumDays(a.deliveredByDay, -Infinity, today);
  const opens = sumDays(a.opensByDay, -Infinity, today);
  const clicks = sumDays(a.clicksByDay, -Infinity, today);
  const openRecent = smoothedRate(
    sumDays(a.opensByDay, today - 29, today),
    sumDays(a.deliveredByDay, today - 29, today),
  );
  const openBefore = smoothedRate(
    sumDays(a.opensByDay, today - 89, today - 30),
    sumDays(a.deliveredByDay, today - 89, today - 30),
  );
  const engagedAt = [a.lastVisitAt, a.lastOpenAt, a.lastClickAt]
    .filter((t): t is number => t !== null && t <= asOf)
    .map(utcDay);
  if (lastOrder !== null) engagedAt.push(lastOrder);
  const sinceEngagement = engagedAt.length > 0 ? today - Math.max(...engagedAt) : tenureDays;
  const counts = Object.values(a.categories);
  const items = counts.reduce((s, n) => s + n, 0);
  return [
    Math.log1p(recencyDays),
    Math.log1p(orders),
    Math.log1p(spend),
    recent + before > 0 ? (recent - before) / (recent + before) : 0,
    Math.log1p(tenureDays),
    smoothedRate(opens, delivered),
    smoothedRate(clicks, delivered),
    openRecent - openBefore,
    Math.log1p(sinceEngagement),
    // share of the favourite category: a focused buyer has a reason to come back
    items > 0 ? Math.max(...counts) / items : 0,
  ];
}

/** Days since the last order (or since first seen, for a customer who never ordered). */
export function recencyDays(a: Activity, asOf: number): number {
  return Math.expm1(churnFeatures(a, asOf)[0] ?? 0);
}

/** Whether the activity holds an order on or before `asOf`: the population churn models score. */
export function hasOrdered(a: Activity, asOf: number): boolean {
  return lastDay(a.ordersByDay, utcDay(asOf)) !== null;
}
