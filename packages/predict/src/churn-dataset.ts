import { activityAt } from './activity';
import { churnFeatures, hasOrdered, recencyDays } from './features';
import { DAY_MS, type CustomerHistory } from './history';

/** One customer at a cutoff: features from what was known then, label from what followed. */
export interface ChurnExample {
  customerId: string;
  features: number[];
  /** No order in the `horizonDays` after the cutoff. */
  churned: boolean;
  recencyDays: number;
}

/**
 * Customers who had ordered by `cutoff`, labelled churned when they did not order again within
 * `horizonDays` after it. Only facts up to the cutoff enter the features (no leakage).
 */
export function examplesAt(
  histories: readonly CustomerHistory[],
  cutoff: number,
  horizonDays: number,
): ChurnExample[] {
  const end = cutoff + horizonDays * DAY_MS;
  const out: ChurnExample[] = [];
  for (const h of histories) {
    const activity = activityAt(h, cutoff);
    if (!hasOrdered(activity, cutoff)) continue;
    out.push({
      customerId: h.customerId,
      features: churnFeatures(activity, cutoff),
      churned: !h.orders.some((o) => o.at > cutoff && o.at <= end),
      recencyDays: recencyDays(activity, cutoff),
    });
  }
  return out;
}

export interface SplitRequirements {
  /** Examples (customers with an order before the cutoff) per side. */
  minExamples: number;
  /** Of each class (churned, retained) per side. */
  minPerClass: number;
}

export const DEFAULT_REQUIREMENTS: SplitRequirements = { minExamples: 200, minPerClass: 30 };

export interface TimeSplit {
  train: ChurnExample[];
  test: ChurnExample[];
  trainCutoff: number;
  testCutoff: number;
}

export type SplitResult = { ok: true; split: TimeSplit } | { ok: false; message: string };

function shortfall(
  name: string,
  rows: readonly ChurnExample[],
  req: SplitRequirements,
  cutoff: number,
): string | null {
  const churned = rows.filter((r) => r.churned).length;
  const retained = rows.length - churned;
  if (rows.length >= req.minExamples && churned >= req.minPerClass && retained >= req.minPerClass)
    return null;
  return (
    `${name} set (customers who had ordered by ${new Date(cutoff).toISOString().slice(0, 10)}): ` +
    `${rows.length} examples, ${churned} churned, ${retained} retained; ` +
    `need at least ${req.minExamples} examples with ${req.minPerClass} of each`
  );
}

/**
 * The time-based split: train on the state at `end − 2·horizon` labelled by the next horizon,
 * test on the state at `end − horizon` labelled by the last one — the model is always judged on
 * a later period than it learned from, as it will be used. Refuses (a value, with what is
 * needed) when history is too short or too thin.
 */
export function timeSplit(
  histories: readonly CustomerHistory[],
  end: number,
  horizonDays: number,
  req: SplitRequirements = DEFAULT_REQUIREMENTS,
): SplitResult {
  const first = Math.min(...histories.map((h) => h.firstSeenAt));
  const spanDays = histories.length > 0 ? Math.floor((end - first) / DAY_MS) : 0;
  const needDays = 2 * horizonDays + 30;
  if (spanDays < needDays)
    return {
      ok: false,
      message: `history spans ${spanDays} days; need at least ${needDays} (2 × ${horizonDays}-day horizon + 30 days before the first cutoff)`,
    };
  const testCutoff = end - horizonDays * DAY_MS;
  const trainCutoff = testCutoff - horizonDays * DAY_MS;
  const train = examplesAt(histories, trainCutoff, horizonDays);
  const test = examplesAt(histories, testCutoff, horizonDays);
  const problems = [
    shortfall('training', train, req, trainCutoff),
    shortfall('test', test, req, testCutoff),
  ].filter((p): p is string => p !== null);
  if (problems.length > 0)
    return { ok: false, message: `too little data to train a churn model: ${problems.join('; ')}` };
  return { ok: true, split: { train, test, trainCutoff, testCutoff } };
}
