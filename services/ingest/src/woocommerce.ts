import { EVENT_TYPES } from '@pulse/contracts';
import {
  compact,
  customerCall,
  hasIdentity,
  idText,
  IGNORED,
  list,
  mapObject,
  mapped,
  money,
  obj,
  orderProperties,
  ownerFrom,
  productLine,
  str,
  trackCall,
  unusable,
  type Json,
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

/** WooCommerce's `*_gmt` dates are UTC without a zone designator ("2024-05-02T10:15:00"). */
const gmt = (value: unknown): string | undefined => {
  const text = str(value);
  return text && !/(Z|[+-]\d\d:?\d\d)$/.test(text) ? `${text}Z` : text;
};

/** Statuses of an order the customer has placed (paid, or awaiting a manual payment). */
const PLACED = new Set(['processing', 'completed', 'on-hold']);

const properties = (order: Json) =>
  orderProperties({
    order_id: order.id,
    total: order.total,
    shipping: order.shipping_total,
    tax: order.total_tax,
    discount: order.discount_total,
    coupon: list(order.coupon_lines)[0]?.code,
    currency: order.currency,
    products: list(order.line_items).map((l) =>
      productLine({
        product_id: l.product_id,
        sku: l.sku,
        name: l.name,
        variant: l.variation_id,
        price: l.price,
        quantity: l.quantity,
      }),
    ),
    order_number: order.number,
    status: order.status,
  });

/** Each entry of the order's `refunds` as Order Refunded (partial refunds each once). */
function refunds(order: Json, orderId: string, call: (event: string, props: Json) => StoreCall) {
  return list(order.refunds).flatMap((refund) => {
    const amount = Math.abs(money(refund.total) ?? 0);
    const refundId = idText(refund.id);
    if (!refundId || amount === 0) return [];
    const props = { order_id: orderId, refund_id: refundId, total: amount };
    return [
      call(
        EVENT_TYPES.orderRefunded,
        compact({ ...props, currency: str(order.currency), reason: str(refund.reason) }),
      ),
    ];
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
  if (!orderId) return unusable('id', 'an order needs its id');
  const owner = ownerFrom(order.customer_id, obj(order.billing).email);
  if (!hasIdentity(owner)) return IGNORED;
  const status = str(order.status) ?? '';
  const props = properties(order);
  const placedAt = gmt(order.date_paid_gmt) ?? gmt(order.date_created_gmt);
  const modifiedAt = gmt(order.date_modified_gmt);
  const at = (timestamp: string | undefined) => (event: string, p: Json) =>
    trackCall(event, { owner, orderId, timestamp }, p);
  const calls: StoreCall[] = [];
  if (PLACED.has(status) || status === 'refunded' || status === 'cancelled') {
    calls.push(at(placedAt)(EVENT_TYPES.orderCompleted, props));
  } else if (status === 'pending') {
    // Not placed yet: a checkout, not an order (no owner remembered, no order id).
    const checkout = compact({ ...props, checkout_id: orderId, order_id: undefined });
    calls.push(trackCall(EVENT_TYPES.checkoutStarted, { owner, timestamp: placedAt }, checkout));
  }
  if (status === 'cancelled') calls.push(at(modifiedAt)(EVENT_TYPES.orderCancelled, props));
  calls.push(...refunds(order, orderId, at(modifiedAt)));
  if (updated && modifiedAt) {
    calls.push(at(modifiedAt)(EVENT_TYPES.orderUpdated, { ...props, updated_at: modifiedAt }));
  }
  return mapped(calls);
}

function customer(body: Json, store: string): StoreMapping {
  const id = idText(body.id);
  if (!id) return unusable('id', 'a customer needs its id');
  const billing = obj(body.billing);
  const traits = {
    email: str(body.email) ?? str(billing.email),
    first_name: str(body.first_name) ?? str(billing.first_name),
    last_name: str(body.last_name) ?? str(billing.last_name),
    phone: str(billing.phone),
    country: str(billing.country),
    region: str(billing.state),
    city: str(billing.city),
    postal_code: str(billing.postcode),
    username: str(body.username),
  };
  const version = gmt(body.date_modified_gmt) ?? gmt(body.date_created_gmt);
  return mapped([customerCall({ platform: 'woocommerce', store }, id, version, traits)]);
}

/**
 * Maps one WooCommerce webhook (topic + JSON body) to tracking-API calls. `order.deleted`
 * carries only the order id: it becomes an Order Cancelled whose owner is looked up (and waits
 * for the order when unknown).
 */
export function mapWooCommerce(topic: string, body: unknown, store: string): StoreMapping {
  return mapObject(body, (b) => {
    switch (topic) {
      case 'order.created':
        return orderCalls(b, false);
      case 'order.updated':
        return orderCalls(b, true);
      case 'order.deleted': {
        const orderId = idText(b.id);
        if (!orderId) return unusable('id', 'an order needs its id');
        const cancelled = { order_id: orderId, reason: 'deleted' };
        return mapped([trackCall(EVENT_TYPES.orderCancelled, { orderId }, cancelled)]);
      }
      case 'customer.created':
      case 'customer.updated':
        return customer(b, store);
      default:
        return IGNORED;
    }
  });
}
