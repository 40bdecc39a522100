import { attributeOrders, engagementBySend, groupBy, ordersInWindow } from './attribution';
import type { CampaignFacts, CampaignSend } from './from-events';
import { wilson, type Interval } from './uplift';

/** What became of one send (or held-out decision) within the attribution window. */
export interface SendOutcome {
  send: CampaignSend;
  /** Revenue of the recipient's orders in [send, send + window], credited or not. */
  revenue: number;
  converted: boolean;
  delivered: boolean;
  /** A human open, or a click (a click implies the email was opened). */
  opened: boolean;
  clicked: boolean;
  /** Orders credited to this send by attribution (click > open > send), and their revenue. */
  attributedOrders: number;
  attributedRevenue: number;
}

/** Every send's outcome, in the order of `facts.sends`: the unit results are summed from. */
export function sendOutcomes(facts: CampaignFacts, windowMs: number): SendOutcome[] {
  const engagement = engagementBySend(facts, windowMs);
  const ordersByCustomer = groupBy(facts.orders, (o) => o.customerId);
  const outcomes = new Map<string, SendOutcome>();
  const list = facts.sends.map((send) => {
    const inWindow = ordersInWindow(send, ordersByCustomer.get(send.customerId) ?? [], windowMs);
    const kinds = new Set((engagement.get(send.emailId) ?? []).map((e) => e.kind));
    const outcome: SendOutcome = {
      send,
      revenue: inWindow.reduce((s, o) => s + o.total, 0),
      converted: inWindow.length > 0,
      delivered: kinds.has('delivered'),
      opened: kinds.has('opened') || kinds.has('clicked'),
      clicked: kinds.has('clicked'),
      attributedOrders: 0,
      attributedRevenue: 0,
    };
    outcomes.set(send.emailId, outcome);
    return outcome;
  });
  for (const a of attributeOrders(facts, windowMs)) {
    const outcome = outcomes.get(a.send.emailId);
    if (!outcome) continue;
    outcome.attributedOrders += 1;
    outcome.attributedRevenue += a.order.total;
  }
  return list;
}

/** The figures of a group of sends (an arm, a segment's treated or held-out recipients). */
export interface GroupFigures {
  recipients: number;
  delivered: number;
  opened: number;
  clicked: number;
  /** Recipients with an order in the window after the send (credited or not). */
  converted: number;
  /** Revenue of those orders; per recipient it is the figure uplift compares. */
  revenue: number;
  revenuePerRecipient: number;
  attributedOrders: number;
  attributedRevenue: number;
  /** Null for held-out groups (nothing was sent) and empty ones. */
  deliveryRate: number | null;
  /** Over delivered when the provider reports deliveries, else over sends; null when held out. */
  openRate: number | null;
  clickRate: number | null;
  conversionRate: number;
  conversionInterval: Interval | null;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);
const count = (list: readonly SendOutcome[], f: (o: SendOutcome) => boolean): number =>
  list.reduce((s, o) => s + (f(o) ? 1 : 0), 0);

/** Sums a group of outcomes into its figures; `heldOut` leaves the email rates null. */
export function groupFigures(
  outcomes: readonly SendOutcome[],
  heldOut: boolean,
  level?: number,
): GroupFigures {
  const n = outcomes.length;
  const delivered = count(outcomes, (o) => o.delivered);
  const opened = count(outcomes, (o) => o.opened);
  const clicked = count(outcomes, (o) => o.clicked);
  const converted = count(outcomes, (o) => o.converted);
  const revenue = outcomes.reduce((s, o) => s + o.revenue, 0);
  const base = delivered > 0 ? delivered : n;
  return {
    recipients: n,
    delivered,
    opened,
    clicked,
    converted,
    revenue,
    revenuePerRecipient: n > 0 ? revenue / n : 0,
    attributedOrders: outcomes.reduce((s, o) => s + o.attributedOrders, 0),
    attributedRevenue: outcomes.reduce((s, o) => s + o.attributedRevenue, 0),
    deliveryRate: heldOut ? null : ratio(delivered, n),
    openRate: heldOut ? null : ratio(opened, base),
    clickRate: heldOut ? null : ratio(clicked, base),
    conversionRate: n > 0 ? converted / n : 0,
    conversionInterval: wilson(converted, n, level),
  };
}
