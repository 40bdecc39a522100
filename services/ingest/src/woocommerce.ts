import { EVENT_TYPES } from '@pulse/contracts';
import {
  compact,
  hasIdentity,
  identityFields,
  idText,
  money,
  type OrderOwner,
  type StoreCall,
  type StoreMapping,
} from './store-calls';

/** WooCommerce topics (`X-WC-Webhook-Topic`) ingest maps; others are acknowledged, ignored. */
export const WOOCOMMERCE_TOPICS = [
  'order.created',
  'order.updated',
  'order.deleted',
  'customer.created',
  'customer.updated',
] as const;

type Json = Readonly<Record<string, unknown>>;

const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** WooCommerce's `*_gmt` dates are UTC without a zone designator ("2024-05-02T10:15:00"). */
const gmt = (value: unknown): string | undefined => {
  const text = str(value);
  return text && !/(Z|[+-]\d\d:?\d\d)$/.test(text) ? `${text}Z` : text;
};

/** Statuses of an order the customer has placed (paid, or awaiting a manual payment). */
const PLACED = new Set(['processing', 'completed', 'on-hold']);

function ownerOf(order: Json): OrderOwner {
  const billing = obj(order.billing);
  return compact({ userId: idText(order.customer_id), email: str(billing.email) }) as OrderOwner;
}

function products(lines: readonly Json[]) {
  return lines.map((l) =>
    compact({
      product_id: idText(l.product_id),
      sku: str(l.sku),
      name: str(l.name),
      variant: idText(l.variation_id),
      price: money(l.price),
      quantity: typeof l.quantity === 'number' ? l.quantity : undefined,
    }),
  );
}

function orderProperties(order: Json) {
  return compact({
    order_id: idText(order.id),
    total: money(order.total),
    shipping: money(order.shipping_total),
    tax: money(order.total_tax),
    discount: money(order.discount_total),
    coupon: str(list(order.coupon_lines)[0]?.code),
    currency: str(order.currency),
    products: products(list(order.line_items)),
    order_number: str(order.number),
    status: str(order.status),
  });
}

/**
 * An order's calls for its current state. Woo sends the whole order on every change, so each
 * delivery states every fact again; derived event ids (src/order-ids.ts) make the repeats
 * duplicates: placed → Order Completed, cancelled → Order Cancelled, each entry of `refunds` →
 * Order Refunded (partial refunds each once), pending → Checkout Started; an update is also an
 * Order Updated versioned by `date_modified_gmt`.
 */
function orderCalls(order: Json, updated: boolean): StoreMapping {
  const orderId = idText(order.id);
  if (!orderId) return { ok: false, field: 'id', reason: 'an order needs its id' };
  const owner = ownerOf(order);
  if (!hasIdentity(owner)) return { ok: true, calls: [], ignored: 1 };
  const status = str(order.status) ?? '';
  const props = orderProperties(order);
  const call = (event: string, at: string | undefined, properties: Json): StoreCall => ({
    message: { type: 'track', event, ...identityFields(owner), timestamp: at, properties },
    order: { id: orderId, owner },
  });
  const placedAt = gmt(order.date_paid_gmt) ?? gmt(order.date_created_gmt);
  const calls: StoreCall[] = [];
  if (PLACED.has(status) || status === 'refunded' || status === 'cancelled') {
    calls.push(call(EVENT_TYPES.orderCompleted, placedAt, props));
  } else if (status === 'pending') {
    const checkout = { ...props, checkout_id: orderId, order_id: undefined };
    calls.push({ message: call(EVENT_TYPES.checkoutStarted, placedAt, compact(checkout)).message });
  }
  if (status === 'cancelled') {
    calls.push(call(EVENT_TYPES.orderCancelled, gmt(order.date_modified_gmt), props));
  }
  for (const refund of list(order.refunds)) {
    const amount = Math.abs(money(refund.total) ?? 0);
    const refundId = idText(refund.id);
    if (!refundId || amount === 0) continue;
    calls.push(
      call(EVENT_TYPES.orderRefunded, gmt(order.date_modified_gmt), {
        order_id: orderId,
        refund_id: refundId,
        total: amount,
        currency: str(order.currency),
        ...(str(refund.reason) ? { reason: str(refund.reason) } : {}),
      }),
    );
  }
  const version = str(order.date_modified_gmt);
  if (updated && version) {
    calls.push(
      call(EVENT_TYPES.orderUpdated, gmt(version), { ...props, updated_at: gmt(version) }),
    );
  }
  return { ok: true, calls, ignored: calls.length === 0 ? 1 : 0 };
}

function customerCall(customer: Json, store: string): StoreMapping {
  const id = idText(customer.id);
  if (!id) return { ok: false, field: 'id', reason: 'a customer needs its id' };
  const billing = obj(customer.billing);
  const version = gmt(customer.date_modified_gmt) ?? gmt(customer.date_created_gmt);
  const message = {
    type: 'identify',
    userId: id,
    ...(version ? { messageId: `woocommerce:${store}:customer:${id}:${version}` } : {}),
    timestamp: version,
    traits: compact({
      email: str(customer.email) ?? str(billing.email),
      first_name: str(customer.first_name) ?? str(billing.first_name),
      last_name: str(customer.last_name) ?? str(billing.last_name),
      phone: str(billing.phone),
      country: str(billing.country),
      region: str(billing.state),
      city: str(billing.city),
      postal_code: str(billing.postcode),
      username: str(customer.username),
    }),
  };
  return { ok: true, calls: [{ message }], ignored: 0 };
}

/**
 * Maps one WooCommerce webhook (topic + JSON body) to tracking-API calls. `order.deleted`
 * carries only the order id: it becomes an Order Cancelled whose owner is looked up (and waits
 * for the order when unknown).
 */
export function mapWooCommerce(topic: string, body: unknown, store: string): StoreMapping {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, field: '', reason: 'the body must be a JSON object' };
  }
  const b = body as Json; // checked to be an object just above
  switch (topic) {
    case 'order.created':
      return orderCalls(b, false);
    case 'order.updated':
      return orderCalls(b, true);
    case 'order.deleted': {
      const orderId = idText(b.id);
      if (!orderId) return { ok: false, field: 'id', reason: 'an order needs its id' };
      const message = {
        type: 'track',
        event: EVENT_TYPES.orderCancelled,
        properties: { order_id: orderId, reason: 'deleted' },
      };
      return { ok: true, calls: [{ message, order: { id: orderId } }], ignored: 0 };
    }
    case 'customer.created':
    case 'customer.updated':
      return customerCall(b, store);
    default:
      return { ok: true, calls: [], ignored: 1 };
  }
}
