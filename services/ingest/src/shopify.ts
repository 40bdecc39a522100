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

/** Shopify webhook topics (`X-Shopify-Topic`) ingest maps; others are acknowledged, ignored. */
export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'refunds/create',
  'checkouts/create',
  'checkouts/update',
  'customers/create',
  'customers/update',
] as const;

type Json = Readonly<Record<string, unknown>>;

const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** The customer of an order or checkout: Shopify's customer id, else the order's email. */
function ownerOf(body: Json): OrderOwner {
  const customer = obj(body.customer);
  const email = str(body.email) ?? str(body.contact_email) ?? str(customer.email);
  return compact({ userId: idText(customer.id), email }) as OrderOwner;
}

/** Shopify line items (orders, checkouts, refund lines) as e-commerce spec products. */
function products(lines: readonly Json[]) {
  return lines.map((l) =>
    compact({
      product_id: idText(l.product_id),
      sku: str(l.sku),
      name: str(l.title) ?? str(l.name),
      variant: str(l.variant_title),
      brand: str(l.vendor),
      price: money(l.price),
      quantity: typeof l.quantity === 'number' ? l.quantity : undefined,
    }),
  );
}

/** The order-level properties shared by Order Completed / Updated / Cancelled. */
function orderProperties(order: Json) {
  const codes = list(order.discount_codes);
  return compact({
    order_id: idText(order.id),
    checkout_id: str(order.checkout_token),
    cart_id: str(order.cart_token),
    affiliation: str(order.source_name),
    total: money(order.total_price),
    subtotal: money(order.subtotal_price),
    shipping: money(obj(obj(order.total_shipping_price_set).shop_money).amount),
    tax: money(order.total_tax),
    discount: money(order.total_discounts),
    coupon: str(codes[0]?.code),
    currency: str(order.currency),
    products: products(list(order.line_items)),
    order_number: str(order.name),
  });
}

function orderCall(event: string, order: Json, extra: Json, at: unknown): StoreMapping {
  const orderId = idText(order.id);
  if (!orderId) return { ok: false, field: 'id', reason: 'an order needs its id' };
  const owner = ownerOf(order);
  if (!hasIdentity(owner)) return { ok: true, calls: [], ignored: 1 };
  const call: StoreCall = {
    message: {
      type: 'track',
      event,
      ...identityFields(owner),
      timestamp: str(at) ?? str(order.created_at),
      properties: { ...orderProperties(order), ...extra },
    },
    order: { id: orderId, owner },
  };
  return { ok: true, calls: [call], ignored: 0 };
}

/** A refund's amount: its successful refund transactions, else its lines' subtotal and tax. */
function refundAmount(refund: Json): { amount: number; currency: string | undefined } {
  const refunds = list(refund.transactions).filter(
    (t) => t.kind === 'refund' && (t.status === undefined || t.status === 'success'),
  );
  if (refunds.length > 0) {
    const amount = refunds.reduce((sum, t) => sum + (money(t.amount) ?? 0), 0);
    return { amount, currency: str(refunds[0]?.currency) };
  }
  const lines = list(refund.refund_line_items);
  const amount = lines.reduce(
    (sum, l) => sum + (money(l.subtotal) ?? 0) + (money(l.total_tax) ?? 0),
    0,
  );
  return { amount, currency: undefined };
}

function refundCall(refund: Json): StoreMapping {
  const orderId = idText(refund.order_id);
  const refundId = idText(refund.id);
  if (!orderId) return { ok: false, field: 'order_id', reason: 'a refund needs its order id' };
  if (!refundId) return { ok: false, field: 'id', reason: 'a refund needs its id' };
  const { amount, currency } = refundAmount(refund);
  // A refund that only restocks moves no money: nothing to take off lifetime value.
  if (amount <= 0) return { ok: true, calls: [], ignored: 1 };
  const lines = list(refund.refund_line_items).map((l) => ({
    ...obj(l.line_item),
    quantity: l.quantity,
  }));
  const call: StoreCall = {
    message: {
      type: 'track',
      event: EVENT_TYPES.orderRefunded,
      timestamp: str(refund.processed_at) ?? str(refund.created_at),
      properties: compact({
        order_id: orderId,
        refund_id: refundId,
        total: Math.round(amount * 100) / 100,
        currency,
        products: products(lines),
        reason: str(refund.note),
      }),
    },
    order: { id: orderId },
  };
  return { ok: true, calls: [call], ignored: 0 };
}

function checkoutCall(checkout: Json): StoreMapping {
  const token = str(checkout.token) ?? idText(checkout.id);
  if (!token) return { ok: false, field: 'token', reason: 'a checkout needs its token' };
  const owner = ownerOf(checkout);
  // Shopify creates checkouts before the buyer typed an email: nobody to attribute it to yet.
  if (!hasIdentity(owner)) return { ok: true, calls: [], ignored: 1 };
  const message = {
    type: 'track',
    event: EVENT_TYPES.checkoutStarted,
    ...identityFields(owner),
    timestamp: str(checkout.created_at),
    properties: compact({
      checkout_id: token,
      cart_id: str(checkout.cart_token),
      total: money(checkout.total_price),
      subtotal: money(checkout.subtotal_price),
      tax: money(checkout.total_tax),
      discount: money(checkout.total_discounts),
      currency: str(checkout.currency) ?? str(checkout.presentment_currency),
      products: products(list(checkout.line_items)),
    }),
  };
  return { ok: true, calls: [{ message }], ignored: 0 };
}

const subscribed = (consent: unknown): boolean | undefined => {
  const state = obj(consent).state;
  return typeof state === 'string' ? state === 'subscribed' : undefined;
};

function customerCall(customer: Json, store: string): StoreMapping {
  const id = idText(customer.id);
  if (!id) return { ok: false, field: 'id', reason: 'a customer needs its id' };
  const address = obj(customer.default_address);
  const updatedAt = str(customer.updated_at);
  const message = {
    type: 'identify',
    userId: id,
    // A retried delivery of the same version is acknowledged, not published twice.
    ...(updatedAt ? { messageId: `shopify:${store}:customer:${id}:${updatedAt}` } : {}),
    timestamp: updatedAt,
    traits: compact({
      email: str(customer.email),
      first_name: str(customer.first_name),
      last_name: str(customer.last_name),
      phone: str(customer.phone) ?? str(address.phone),
      country: str(address.country_code) ?? str(address.country),
      region: str(address.province_code) ?? str(address.province),
      city: str(address.city),
      postal_code: str(address.zip),
      consent: compact({
        email_marketing:
          subscribed(customer.email_marketing_consent) ??
          (typeof customer.accepts_marketing === 'boolean'
            ? customer.accepts_marketing
            : undefined),
        sms_marketing: subscribed(customer.sms_marketing_consent),
      }),
      tags: str(customer.tags),
    }),
  };
  return { ok: true, calls: [{ message }], ignored: 0 };
}

/**
 * Maps one Shopify webhook (topic + JSON body) to tracking-API calls: orders/create → Order
 * Completed, orders/updated → Order Updated (versioned by `updated_at`), orders/cancelled →
 * Order Cancelled, refunds/create → Order Refunded (its own amount: partial refunds add up),
 * checkouts/create|update → Checkout Started, customers/create|update → identify.
 */
export function mapShopify(topic: string, body: unknown, store: string): StoreMapping {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, field: '', reason: 'the body must be a JSON object' };
  }
  const b = body as Json; // checked to be an object just above
  switch (topic) {
    case 'orders/create':
      return orderCall(EVENT_TYPES.orderCompleted, b, {}, b.processed_at);
    case 'orders/updated':
      return orderCall(
        EVENT_TYPES.orderUpdated,
        b,
        { updated_at: str(b.updated_at) },
        b.updated_at,
      );
    case 'orders/cancelled':
      return orderCall(
        EVENT_TYPES.orderCancelled,
        b,
        compact({ reason: str(b.cancel_reason) }),
        b.cancelled_at,
      );
    case 'refunds/create':
      return refundCall(b);
    case 'checkouts/create':
    case 'checkouts/update':
      return checkoutCall(b);
    case 'customers/create':
    case 'customers/update':
      return customerCall(b, store);
    default:
      return { ok: true, calls: [], ignored: 1 };
  }
}
