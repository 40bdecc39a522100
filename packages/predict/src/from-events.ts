import { payloadAs, type EmailRecord, type PulseEvent } from '@pulse/contracts';
import type { CustomerHistory, EmailFact } from './history';

/**
 * One customer key for events.v1 (userId, else anonymousId) and emails.v1 (the profile
 * builder's canonical id, `u:<userId>` / `a:<anonymousId>`): the prefix is dropped. Events
 * that carry neither id are left out; merged anonymous ids are not followed (a known limit).
 */
export function customerKey(id: string): string {
  return /^[ua]:./.test(id) ? id.slice(2) : id;
}

const eventCustomer = (e: PulseEvent): string | null => e.userId ?? e.anonymousId;

const EMAIL_KINDS: Record<string, EmailFact['kind']> = {
  'Email Delivered': 'delivered',
  'Email Opened': 'opened',
  'Email Link Clicked': 'clicked',
};

/** Whether an email event was a scanner's, not a person's (counted apart, as the profile does). */
const machine = (e: PulseEvent): boolean =>
  payloadAs(e, 'EmailPayload')?.suspected_machine === true;

/** Customer histories from events.v1: orders, human email engagement, product views. */
export function historiesFromEvents(events: readonly PulseEvent[]): CustomerHistory[] {
  const byId = new Map<string, CustomerHistory>();
  for (const e of events) {
    const id = eventCustomer(e);
    if (id === null) continue;
    let h = byId.get(id);
    if (!h)
      byId.set(
        id,
        (h = { customerId: id, firstSeenAt: e.occurredAt, orders: [], emails: [], views: [] }),
      );
    h.firstSeenAt = Math.min(h.firstSeenAt, e.occurredAt);
    const order = e.type === 'Order Completed' ? payloadAs(e, 'OrderPayload') : undefined;
    if (order)
      h.orders.push({
        at: e.occurredAt,
        total: order.total ?? order.revenue ?? 0,
        discounted: (order.discount ?? 0) > 0 || order.coupon !== null,
        items: order.products.flatMap((p) =>
          p.product_id ? [{ productId: p.product_id, category: p.category ?? '' }] : [],
        ),
      });
    const kind = EMAIL_KINDS[e.type];
    if (kind && !machine(e)) h.emails.push({ at: e.occurredAt, kind });
    const viewed =
      e.type === 'Product Viewed' ? payloadAs(e, 'ProductPayload')?.product : undefined;
    if (viewed?.product_id)
      h.views.push({
        at: e.occurredAt,
        productId: viewed.product_id,
        category: viewed.category ?? '',
      });
  }
  return [...byId.values()];
}

/** One email decision that counts for results: sent (treated) or held out. */
export interface CampaignSend {
  emailId: string;
  customerId: string;
  campaignId: string;
  /** The variant, or 'holdout' for the held-out group. */
  arm: string;
  holdout: boolean;
  at: number;
  /** What triggered it (emails.v1 `triggerId`: a segment change id or an event id). */
  triggerId?: string;
}

export interface EngagementEvent {
  customerId: string;
  sendId: string | null;
  campaignId: string | null;
  kind: EmailFact['kind'];
  at: number;
}

export interface OrderEvent {
  customerId: string;
  orderId: string | null;
  at: number;
  total: number;
}

export interface CampaignFacts {
  sends: CampaignSend[];
  engagement: EngagementEvent[];
  orders: OrderEvent[];
}

/**
 * What attribution reads: the renderer's decisions on emails.v1 (`sent`; `skipped` with reason
 * `holdout` is the control group), engagement and orders from events.v1. Orders are counted
 * once per order id (the same order may arrive from the browser and the shop backend).
 */
export function campaignFacts(
  events: readonly PulseEvent[],
  emails: readonly EmailRecord[],
): CampaignFacts {
  const sends: CampaignSend[] = [];
  const seenSends = new Set<string>();
  for (const r of emails) {
    const holdout = r.outcome === 'skipped' && r.reason === 'holdout';
    if ((r.outcome !== 'sent' && !holdout) || seenSends.has(r.emailId)) continue;
    seenSends.add(r.emailId);
    sends.push({
      emailId: r.emailId,
      customerId: customerKey(r.customerId),
      campaignId: r.campaignId,
      arm: holdout ? 'holdout' : (r.variant ?? 'default'),
      holdout,
      at: r.at,
      triggerId: r.triggerId,
    });
  }
  const engagement: EngagementEvent[] = [];
  const orders: OrderEvent[] = [];
  const seenOrders = new Set<string>();
  for (const e of events) {
    const id = eventCustomer(e);
    if (id === null) continue;
    const kind = EMAIL_KINDS[e.type];
    const email = payloadAs(e, 'EmailPayload');
    if (kind && email && email.suspected_machine !== true)
      engagement.push({
        customerId: customerKey(id),
        sendId: email.send_id,
        campaignId: email.campaign_id,
        kind,
        at: e.occurredAt,
      });
    const order = e.type === 'Order Completed' ? payloadAs(e, 'OrderPayload') : undefined;
    if (!order) continue;
    if (order.order_id !== null) {
      if (seenOrders.has(order.order_id)) continue;
      seenOrders.add(order.order_id);
    }
    orders.push({
      customerId: customerKey(id),
      orderId: order.order_id,
      at: e.occurredAt,
      total: order.total ?? order.revenue ?? 0,
    });
  }
  return { sends, engagement, orders };
}
