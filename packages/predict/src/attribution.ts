import type { CampaignFacts, CampaignSend, EngagementEvent, OrderEvent } from './from-events';

export type Touch = 'click' | 'open' | 'send';
const TOUCH_RANK: Record<Touch, number> = { click: 3, open: 2, send: 1 };

export const DEFAULT_WINDOW_MS = 7 * 86_400_000;

/** An order credited to one send, and how strongly the customer touched that send. */
export interface AttributedOrder {
  order: OrderEvent;
  send: CampaignSend;
  touch: Touch;
}

/** Engagement of each send: by its send id, else the customer's event for that campaign. */
export function engagementBySend(
  facts: CampaignFacts,
  windowMs: number,
): Map<string, EngagementEvent[]> {
  const byId = new Map<string, EngagementEvent[]>();
  const sendsByCustomer = groupBy(facts.sends, (s) => s.customerId);
  const known = new Set(facts.sends.map((s) => s.emailId));
  for (const e of facts.engagement) {
    let sendId = e.sendId;
    if (sendId === null || !known.has(sendId)) {
      // no send id (a provider that drops our tags): the latest send of that campaign before it
      const match = (sendsByCustomer.get(e.customerId) ?? [])
        .filter((s) => s.campaignId === e.campaignId && s.at <= e.at && e.at <= s.at + windowMs)
        .sort((a, b) => b.at - a.at)[0];
      sendId = match?.emailId ?? null;
    }
    if (sendId === null) continue;
    const list = byId.get(sendId) ?? [];
    list.push(e);
    byId.set(sendId, list);
  }
  return byId;
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function touchBefore(events: readonly EngagementEvent[], at: number): Touch {
  if (events.some((e) => e.kind === 'clicked' && e.at <= at)) return 'click';
  if (events.some((e) => e.kind === 'opened' && e.at <= at)) return 'open';
  return 'send';
}

/**
 * Credits each order to at most one send to the same customer made within `windowMs` before it:
 * a send clicked before the order wins over one opened, which wins over one only sent; among
 * equals the latest send. Held-out customers' "sends" (the decision to hold out) compete like
 * sends with no engagement, so the control group's conversions are counted the same way.
 */
export function attributeOrders(
  facts: CampaignFacts,
  windowMs = DEFAULT_WINDOW_MS,
): AttributedOrder[] {
  const engagement = engagementBySend(facts, windowMs);
  const sendsByCustomer = groupBy(facts.sends, (s) => s.customerId);
  const out: AttributedOrder[] = [];
  for (const order of facts.orders) {
    let best: { send: CampaignSend; touch: Touch } | undefined;
    for (const send of sendsByCustomer.get(order.customerId) ?? []) {
      if (order.at < send.at || order.at > send.at + windowMs) continue;
      const touch = touchBefore(engagement.get(send.emailId) ?? [], order.at);
      const better =
        !best ||
        TOUCH_RANK[touch] > TOUCH_RANK[best.touch] ||
        (TOUCH_RANK[touch] === TOUCH_RANK[best.touch] && send.at > best.send.at);
      if (better) best = { send, touch };
    }
    if (best) out.push({ order, ...best });
  }
  return out;
}

/**
 * The customer's orders in [send, send + window] (`orders` are that customer's): the
 * per-recipient outcome uplift compares, credited or not, so treated and held-out customers are
 * measured alike.
 */
export function ordersInWindow(
  send: CampaignSend,
  orders: readonly OrderEvent[],
  windowMs: number,
): OrderEvent[] {
  return orders.filter((o) => o.at >= send.at && o.at <= send.at + windowMs);
}
