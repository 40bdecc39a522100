import {
  attributeOrders,
  DEFAULT_WINDOW_MS,
  engagementBySend,
  groupBy,
  ordersInWindow,
} from './attribution';
import type { CampaignFacts, CampaignSend } from './from-events';
import { groupStats, meanDifference, proportionDifference, wilson, type Interval } from './uplift';

/** One arm of a campaign: a variant, or the held-out group. */
export interface ArmResult {
  campaignId: string;
  arm: string;
  holdout: boolean;
  recipients: number;
  delivered: number;
  opened: number;
  clicked: number;
  /** Recipients with an order in the window after the send (credited or not). */
  converted: number;
  /** Revenue of those orders, per recipient: the figure uplift compares. */
  revenue: number;
  revenuePerRecipient: number;
  /** Orders credited to this arm by attribution (click > open > send), and their revenue. */
  attributedOrders: number;
  attributedRevenue: number;
  deliveryRate: number | null;
  openRate: number | null;
  clickRate: number | null;
  conversionRate: number;
  conversionInterval: Interval | null;
  /** Against the campaign's holdout; null for the holdout itself or when there is none. */
  upliftRevenuePerRecipient: Interval | null;
  upliftConversion: Interval | null;
}

export interface ResultsOptions {
  windowMs?: number;
  level?: number;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

interface ArmAccumulator {
  sends: CampaignSend[];
  revenues: number[];
  converted: number;
  delivered: number;
  opened: number;
  clicked: number;
  attributedOrders: number;
  attributedRevenue: number;
}

/** Per campaign and arm: sends, delivery, open/click/conversion rates, revenue, uplift vs holdout. */
export function campaignResults(facts: CampaignFacts, options: ResultsOptions = {}): ArmResult[] {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const engagement = engagementBySend(facts, windowMs);
  const ordersByCustomer = groupBy(facts.orders, (o) => o.customerId);
  const arms = new Map<string, ArmAccumulator>();
  const keyOf = (s: CampaignSend) => `${s.campaignId}\u0000${s.arm}`;
  for (const send of facts.sends) {
    let acc = arms.get(keyOf(send));
    if (!acc) {
      acc = {
        sends: [],
        revenues: [],
        converted: 0,
        delivered: 0,
        opened: 0,
        clicked: 0,
        attributedOrders: 0,
        attributedRevenue: 0,
      };
      arms.set(keyOf(send), acc);
    }
    acc.sends.push(send);
    const inWindow = ordersInWindow(send, ordersByCustomer.get(send.customerId) ?? [], windowMs);
    acc.revenues.push(inWindow.reduce((s, o) => s + o.total, 0));
    if (inWindow.length > 0) acc.converted += 1;
    const kinds = new Set((engagement.get(send.emailId) ?? []).map((e) => e.kind));
    if (kinds.has('delivered')) acc.delivered += 1;
    if (kinds.has('opened') || kinds.has('clicked')) acc.opened += 1;
    if (kinds.has('clicked')) acc.clicked += 1;
  }
  for (const a of attributeOrders(facts, windowMs)) {
    const acc = arms.get(keyOf(a.send));
    if (!acc) continue;
    acc.attributedOrders += 1;
    acc.attributedRevenue += a.order.total;
  }
  const results = [...arms.values()].map((acc) => armResult(acc, options.level));
  for (const r of results) {
    if (r.holdout) continue;
    const control = arms.get(`${r.campaignId}\u0000holdout`);
    const treated = arms.get(`${r.campaignId}\u0000${r.arm}`);
    if (!control || !treated) continue;
    r.upliftRevenuePerRecipient = meanDifference(
      groupStats(treated.revenues),
      groupStats(control.revenues),
      options.level,
    );
    r.upliftConversion = proportionDifference(
      treated.converted,
      treated.sends.length,
      control.converted,
      control.sends.length,
      options.level,
    );
  }
  return results.sort(
    (a, b) =>
      a.campaignId.localeCompare(b.campaignId) ||
      Number(a.holdout) - Number(b.holdout) ||
      a.arm.localeCompare(b.arm),
  );
}

function armResult(acc: ArmAccumulator, level?: number): ArmResult {
  const first = acc.sends[0];
  const n = acc.sends.length;
  const revenue = acc.revenues.reduce((s, v) => s + v, 0);
  // opens are over delivered when the provider reports deliveries, else over sends
  const base = acc.delivered > 0 ? acc.delivered : n;
  return {
    campaignId: first?.campaignId ?? '',
    arm: first?.arm ?? '',
    holdout: first?.holdout ?? false,
    recipients: n,
    delivered: acc.delivered,
    opened: acc.opened,
    clicked: acc.clicked,
    converted: acc.converted,
    revenue,
    revenuePerRecipient: n > 0 ? revenue / n : 0,
    attributedOrders: acc.attributedOrders,
    attributedRevenue: acc.attributedRevenue,
    deliveryRate: first?.holdout ? null : ratio(acc.delivered, n),
    openRate: first?.holdout ? null : ratio(acc.opened, base),
    clickRate: first?.holdout ? null : ratio(acc.clicked, base),
    conversionRate: n > 0 ? acc.converted / n : 0,
    conversionInterval: wilson(acc.converted, n, level),
    upliftRevenuePerRecipient: null,
    upliftConversion: null,
  };
}
