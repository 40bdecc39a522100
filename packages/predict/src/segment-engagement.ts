import type { SendOutcome } from './send-outcomes';
import { memberAt, type SegmentMembership } from './segment-sizes';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: the first Monday is four days later. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;

/** Start (Monday 00:00 UTC) of the week holding `at`. */
export function weekStart(at: number): number {
  return Math.floor((at - MONDAY_OFFSET_MS) / WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS;
}

/** One segment's email engagement in one week. */
export interface EngagementPoint {
  segmentId: string;
  /** Monday 00:00 UTC of the week the emails were sent in. */
  weekStart: number;
  /** Emails sent (any campaign) to customers who were members when it was sent. */
  sends: number;
  delivered: number;
  opened: number;
  clicked: number;
  /** Over delivered when the provider reported deliveries that week, else over sends. */
  openRate: number | null;
  clickRate: number | null;
}

/**
 * How engaged each segment's members are, week by week: every email sent (by any campaign) to
 * a customer while a member of the segment counts for that segment in the week of its send,
 * opened / clicked when that email got a human open / click (within the attribution window).
 * A customer in two segments counts in both. Held-out decisions are not emails: left out.
 * Sorted by segment, then week.
 */
export function segmentEngagement(
  outcomes: readonly SendOutcome[],
  memberships: ReadonlyMap<string, SegmentMembership>,
): EngagementPoint[] {
  const cells = new Map<string, EngagementPoint>();
  for (const o of outcomes) {
    if (o.send.holdout) continue;
    for (const m of memberships.values()) {
      if (!memberAt(m, o.send.customerId, o.send.at)) continue;
      const week = weekStart(o.send.at);
      const key = `${m.segmentId}\u0000${week}`;
      let cell = cells.get(key);
      if (!cell) {
        cell = {
          segmentId: m.segmentId,
          weekStart: week,
          sends: 0,
          delivered: 0,
          opened: 0,
          clicked: 0,
          openRate: null,
          clickRate: null,
        };
        cells.set(key, cell);
      }
      cell.sends += 1;
      if (o.delivered) cell.delivered += 1;
      if (o.opened) cell.opened += 1;
      if (o.clicked) cell.clicked += 1;
    }
  }
  const points = [...cells.values()];
  for (const p of points) {
    const base = p.delivered > 0 ? p.delivered : p.sends;
    p.openRate = base > 0 ? p.opened / base : null;
    p.clickRate = base > 0 ? p.clicked / base : null;
  }
  return points.sort((a, b) => a.segmentId.localeCompare(b.segmentId) || a.weekStart - b.weekStart);
}
