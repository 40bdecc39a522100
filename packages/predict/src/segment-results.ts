import { groupBy } from './attribution';
import type { CampaignSend } from './from-events';
import { groupFigures, type GroupFigures, type SendOutcome } from './send-outcomes';
import {
  groupStats,
  meanDifferenceStratum,
  pooledDifference,
  proportionDifferenceStratum,
  type Interval,
  type Stratum,
} from './uplift';

/**
 * One segment's results over the campaigns that target it: the figures of its treated
 * recipients (every variant), its held-out recipients, and the uplift of the first over the
 * second pooled over the campaigns that keep a holdout (each campaign compared with its own).
 */
export interface SegmentResult extends GroupFigures {
  segmentId: string;
  /** The campaigns counted, sorted. */
  campaigns: string[];
  holdoutRecipients: number;
  holdoutConverted: number;
  holdoutConversionRate: number | null;
  holdoutRevenuePerRecipient: number | null;
  /** Pooled over the segment's campaigns with a holdout of ≥ 2 and ≥ 2 treated recipients. */
  upliftRevenuePerRecipient: Interval | null;
  upliftConversion: Interval | null;
}

const converted = (list: readonly SendOutcome[]) => list.filter((o) => o.converted).length;

function strata(byCampaign: Map<string, SendOutcome[]>): {
  revenue: Stratum[];
  conversion: Stratum[];
} {
  const revenue: Stratum[] = [];
  const conversion: Stratum[] = [];
  for (const list of byCampaign.values()) {
    const treated = list.filter((o) => !o.send.holdout);
    const control = list.filter((o) => o.send.holdout);
    const r = meanDifferenceStratum(
      groupStats(treated.map((o) => o.revenue)),
      groupStats(control.map((o) => o.revenue)),
    );
    const c = proportionDifferenceStratum(
      converted(treated),
      treated.length,
      converted(control),
      control.length,
    );
    if (r) revenue.push(r);
    if (c) conversion.push(c);
  }
  return { revenue, conversion };
}

/**
 * Per segment: `segmentOf` names the segment a send's campaign targets (the caller knows the
 * campaign files). Sorted by segment id.
 */
export function segmentResults(
  outcomes: readonly SendOutcome[],
  segmentOf: (send: CampaignSend) => string,
  level = 0.95,
): SegmentResult[] {
  const bySegment = groupBy(outcomes, (o) => segmentOf(o.send));
  const results: SegmentResult[] = [];
  for (const [segmentId, list] of bySegment) {
    const treated = list.filter((o) => !o.send.holdout);
    const control = list.filter((o) => o.send.holdout);
    const s = strata(groupBy(list, (o) => o.send.campaignId));
    const held = control.length;
    results.push({
      segmentId,
      campaigns: [...new Set(list.map((o) => o.send.campaignId))].sort(),
      ...groupFigures(treated, false, level),
      holdoutRecipients: held,
      holdoutConverted: converted(control),
      holdoutConversionRate: held > 0 ? converted(control) / held : null,
      holdoutRevenuePerRecipient:
        held > 0 ? control.reduce((t, o) => t + o.revenue, 0) / held : null,
      upliftRevenuePerRecipient: pooledDifference(s.revenue, level),
      upliftConversion: pooledDifference(s.conversion, level),
    });
  }
  return results.sort((a, b) => a.segmentId.localeCompare(b.segmentId));
}
