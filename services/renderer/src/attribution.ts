import type { PulseEvent } from '@pulse/contracts';
import { payloadAs } from '@pulse/contracts';
import type { Logger } from '@pulse/core';
import type { BatchHandler } from '@pulse/kafka';
import { attributeOrders, ordersInWindow } from '@pulse/predict';
import type { CampaignFacts, CampaignSend, EngagementEvent, Touch } from '@pulse/predict';
import type { AttributedSend, AttributionStore } from './attribution-store';
import type { ArmLabels, RendererMetrics } from './renderer-metrics';

/** The events live attribution reads from events.v1; every other type is skipped unread. */
export const ATTRIBUTION_EVENTS: ReadonlySet<string> = new Set([
  'Order Completed',
  'Email Opened',
  'Email Link Clicked',
]);

/** An order as attribution weighs it. */
export interface OrderIn {
  orderId: string | null;
  at: number;
  total: number;
}

/** What one order does to the recorded sends: the one credited, and every send it falls after. */
export interface OrderCredit {
  credited: { send: AttributedSend; touch: Touch } | null;
  /** Sends and holdout decisions whose window holds the order (credited or not). */
  inWindow: AttributedSend[];
}

const CUSTOMER = 'c'; // one customer's facts: the id only has to match itself

/**
 * Applies @pulse/predict's attribution rule (the one `pulse report` uses: click over open over
 * send, latest among equals, holdouts competing as sends without engagement) to one customer's
 * recorded sends and one order. Pure.
 */
export function creditOrder(
  sends: readonly AttributedSend[],
  order: OrderIn,
  windowMs: number,
): OrderCredit {
  const asSend = (s: AttributedSend): CampaignSend => ({
    emailId: s.emailId,
    customerId: CUSTOMER,
    campaignId: s.campaignId,
    arm: s.arm,
    holdout: s.holdout,
    at: s.at,
  });
  const engagement: EngagementEvent[] = sends.flatMap((s) => {
    const touch = (kind: 'opened' | 'clicked', at: number | null): EngagementEvent[] =>
      at === null
        ? []
        : [{ customerId: CUSTOMER, sendId: s.emailId, campaignId: s.campaignId, kind, at }];
    return [...touch('opened', s.openedAt), ...touch('clicked', s.clickedAt)];
  });
  const facts: CampaignFacts = {
    sends: sends.map(asSend),
    engagement,
    orders: [{ customerId: CUSTOMER, orderId: order.orderId, at: order.at, total: order.total }],
  };
  const [best] = attributeOrders(facts, windowMs);
  const byId = new Map(sends.map((s) => [s.emailId, s]));
  const send = best ? byId.get(best.send.emailId) : undefined;
  return {
    credited: best && send ? { send, touch: best.touch } : null,
    inWindow: sends.filter((s) => ordersInWindow(asSend(s), facts.orders, windowMs).length > 0),
  };
}

/**
 * The send an engagement event belongs to: the one it names (the tracking token's or the ESP's
 * echoed send id), else the latest send of its campaign before it within the window (a provider
 * that dropped our tags), else none.
 */
export function engagedSend(
  sends: readonly AttributedSend[],
  sendId: string | null,
  campaignId: string | null,
  at: number,
  windowMs: number,
): AttributedSend | null {
  const named = sendId === null ? undefined : sends.find((s) => s.emailId === sendId);
  if (named) return named;
  const candidates = sends
    .filter((s) => !s.holdout && s.campaignId === campaignId && s.at <= at && at <= s.at + windowMs)
    .sort((a, b) => b.at - a.at);
  return candidates[0] ?? null;
}

const labelsOf = (s: AttributedSend): ArmLabels => ({
  campaign: s.campaignId,
  segment: s.segment,
  arm: s.arm,
});

export interface AttributionHandlerOptions {
  store: AttributionStore;
  metrics: RendererMetrics;
  windowMs: number;
  logger: Logger;
}

/**
 * events.v1 → live attribution (its own consumer group): a person's first open or click of a
 * recorded send counts as engagement; an order, counted once (event id and order id, in Redis,
 * so a redelivery or a second report of it changes nothing), adds its revenue to every send and
 * holdout decision whose window holds it, a conversion to each of those the first time, and is
 * credited to one send by the attribution rule. Customers as `pulse report` matches them.
 */
export function createAttributionHandler(
  options: AttributionHandlerOptions,
): BatchHandler<PulseEvent> {
  const { store, metrics, windowMs } = options;

  async function engagement(customerId: string, e: PulseEvent): Promise<void> {
    const email = payloadAs(e, 'EmailPayload');
    if (!email || email.suspected_machine === true) return; // scanners and privacy proxies
    const kind = e.type === 'Email Opened' ? 'opened' : 'clicked';
    const sends = await store.sends(customerId);
    const send = engagedSend(sends, email.send_id, email.campaign_id, e.occurredAt, windowMs);
    if (!send) return;
    if ((await store.engage(customerId, send.emailId, kind, e.occurredAt)) === 'first')
      metrics.engaged(labelsOf(send), kind);
  }

  async function order(customerId: string, e: PulseEvent): Promise<void> {
    const payload = payloadAs(e, 'OrderPayload');
    if (!payload) return;
    const sends = await store.sends(customerId);
    if (sends.length === 0) return;
    const o: OrderIn = {
      orderId: payload.order_id,
      at: e.occurredAt,
      total: payload.total ?? payload.revenue ?? 0,
    };
    const credit = creditOrder(sends, o, windowMs);
    if (credit.inWindow.length === 0) return;
    const counted = await store.countOrder(
      customerId,
      { eventId: e.id, orderId: o.orderId, at: o.at },
      credit.inWindow.map((s) => s.emailId),
    );
    if (counted.duplicate) return;
    const first = new Set(counted.firstConversions);
    for (const s of credit.inWindow) metrics.converted(labelsOf(s), o.total, first.has(s.emailId));
    if (credit.credited)
      metrics.attributed(labelsOf(credit.credited.send), credit.credited.touch, o.total);
  }

  return async (records) => {
    for (const r of records) {
      const e = r.value;
      if (!ATTRIBUTION_EVENTS.has(e.type)) continue;
      const customerId = e.userId ?? e.anonymousId;
      if (customerId === null) continue;
      if (e.type === 'Order Completed') await order(customerId, e);
      else await engagement(customerId, e);
    }
  };
}
