import { DEFAULT_WINDOW_MS, groupBy } from './attribution';
import { groupFigures, sendOutcomes, type GroupFigures, type SendOutcome } from './send-outcomes';
import type { CampaignFacts } from './from-events';
import { groupStats, meanDifference, proportionDifference, type Interval } from './uplift';

/** One arm of a campaign: a variant, or the held-out group. */
export interface ArmResult extends GroupFigures {
  campaignId: string;
  arm: string;
  holdout: boolean;
  /** Against the campaign's holdout; null for the holdout itself or when there is none. */
  upliftRevenuePerRecipient: Interval | null;
  upliftConversion: Interval | null;
}

export interface ResultsOptions {
  windowMs?: number;
  level?: number;
}

/** Treated minus held-out revenue per recipient and conversion, with intervals (null: too few). */
export function upliftOf(
  treated: readonly SendOutcome[],
  control: readonly SendOutcome[],
  level?: number,
): { revenue: Interval | null; conversion: Interval | null } {
  const converted = (list: readonly SendOutcome[]) => list.filter((o) => o.converted).length;
  return {
    revenue: meanDifference(
      groupStats(treated.map((o) => o.revenue)),
      groupStats(control.map((o) => o.revenue)),
      level,
    ),
    conversion: proportionDifference(
      converted(treated),
      treated.length,
      converted(control),
      control.length,
      level,
    ),
  };
}

/** Per campaign and arm: sends, delivery, open/click/conversion rates, revenue, uplift vs holdout. */
export function campaignResults(facts: CampaignFacts, options: ResultsOptions = {}): ArmResult[] {
  const outcomes = sendOutcomes(facts, options.windowMs ?? DEFAULT_WINDOW_MS);
  return armResults(outcomes, options.level);
}

/** The per-arm results of already computed outcomes (sorted: campaign, variants, holdout). */
export function armResults(outcomes: readonly SendOutcome[], level?: number): ArmResult[] {
  const arms = groupBy(outcomes, (o) => `${o.send.campaignId}\u0000${o.send.arm}`);
  const results: ArmResult[] = [];
  for (const list of arms.values()) {
    const first = (list[0] as SendOutcome).send; // groupBy makes no empty group
    const control = first.holdout ? undefined : arms.get(`${first.campaignId}\u0000holdout`);
    const uplift = control ? upliftOf(list, control, level) : undefined;
    results.push({
      campaignId: first.campaignId,
      arm: first.arm,
      holdout: first.holdout,
      ...groupFigures(list, first.holdout, level),
      upliftRevenuePerRecipient: uplift?.revenue ?? null,
      upliftConversion: uplift?.conversion ?? null,
    });
  }
  return results.sort(
    (a, b) =>
      a.campaignId.localeCompare(b.campaignId) ||
      Number(a.holdout) - Number(b.holdout) ||
      a.arm.localeCompare(b.arm),
  );
}
