import { EVENT_TYPES } from '@pulse/contracts';
import {
  customerCall,
  compact,
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
  type OrderOwner,
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

/** The customer of an order or checkout: Shopify's customer id, else the order's email. */
function ownerOf(body: Json): OrderOwner {
  const customer = obj(body.customer);
  return ownerFrom(customer.id, str(body.email) ?? str(body.contact_email) ?? customer.email);
}

/** Shopify line items (orders, checkouts, refund lines) as e-commerce spec products. */
const products = (lines: readonly Json[]) =>
  lines.map((l) =>
    productLine({
      product_id: l.product_id,
      sku: l.sku,
      name: str(l.title) ?? l.name,
      variant: l.variant_title,
      brand: l.vendor,
      price: l.price,
      quantity: l.quantity,
    }),
  );

/** The order-level properties shared by Order Completed / Updated / Cancelled. */
const properties = (order: Json) =>
  orderProperties({
    order_id: order.id,
    checkout_id: order.checkout_token,
    cart_id: order.cart_token,
    affiliation: order.source_name,
    total: order.total_price,
    subtotal: order.subtotal_price,
    shipping: obj(obj(order.total_shipping_price_set).shop_money).amount,
    tax: order.total_tax,
    discount: order.total_discounts,
    coupon: list(order.discount_codes)[0]?.code,
    currency: order.currency,
    products: products(list(order.line_items)),
    order_number: order.name,
  });

function orderCall(event: string, order: Json, extra: Json, at: unknown): StoreMapping {
  const orderId = idText(order.id);
  if (!orderId) return unusable('id', 'an order needs its id');
  const owner = ownerOf(order);
  if (!hasIdentity(owner)) return IGNORED;
  const timestamp = str(at) ?? str(order.created_at);
  return mapped([
    trackCall(event, { owner, orderId, timestamp }, { ...properties(order), ...extra }),
  ]);
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
  if (!orderId) return unusable('order_id', 'a refund needs its order id');
  if (!refundId) return unusable('id', 'a refund needs its id');
  const { amount, currency } = refundAmount(refund);
  // A refund that only restocks moves no money: nothing to take off lifetime value.
  if (amount <= 0) return IGNORED;
  const lines = list(refund.refund_line_items).map((l) => ({
    ...obj(l.line_item),
    quantity: l.quantity,
  }));
  const timestamp = str(refund.processed_at) ?? str(refund.created_at);
  // A refund names only its order: the call takes the order's owner, or waits for the order.
  const properties = compact({
    order_id: orderId,
    refund_id: refundId,
    total: Math.round(amount * 100) / 100,
    currency,
    products: products(lines),
    reason: str(refund.note),
  });
  return mapped([trackCall(EVENT_TYPES.orderRefunded, { orderId, timestamp }, properties)]);
}

function checkoutCall(checkout: Json): StoreMapping {
  const token = str(checkout.token) ?? idText(checkout.id);
  if (!token) return unusable('token', 'a checkout needs its token');
  const owner = ownerOf(checkout);
  // Shopify creates checkouts before the buyer typed an email: nobody to attribute it to yet.
  if (!hasIdentity(owner)) return IGNORED;
  const properties = orderProperties({
    checkout_id: token,
    cart_id: checkout.cart_token,
    total: checkout.total_price,
    subtotal: checkout.subtotal_price,
    tax: checkout.total_tax,
    discount: checkout.total_discounts,
    currency: str(checkout.currency) ?? checkout.presentment_currency,
    products: products(list(checkout.line_items)),
  });
  const timestamp = str(checkout.created_at);
  return mapped([trackCall(EVENT_TYPES.checkoutStarted, { owner, timestamp }, properties)]);
}

const subscribed = (consent: unknown): boolean | undefined => {
  const state = obj(consent).state;
  return typeof state === 'string' ? state === 'subscribed' : undefined;
};

function customer(body: Json, store: string): StoreMapping {
  const id = idText(body.id);
  if (!id) return unusable('id', 'a customer needs its id');
  const address = obj(body.default_address);
  const traits = {
    email: str(body.email),
    first_name: str(body.first_name),
    last_name: str(body.last_name),
    phone: str(body.phone) ?? str(address.phone),
    country: str(address.country_code) ?? str(address.country),
    region: str(address.province_code) ?? str(address.province),
    city: str(address.city),
    postal_code: str(address.zip),
    consent: compact({
      email_marketing:
        subscribed(body.email_marketing_consent) ??
        (typeof body.accepts_marketing === 'boolean' ? body.accepts_marketing : undefined),
      sms_marketing: subscribed(body.sms_marketing_consent),
    }),
    tags: str(body.tags),
  };
  const version = str(body.updated_at);
  return mapped([customerCall({ platform: 'shopify', store }, id, version, traits)]);
}

/**
 * Maps one Shopify webhook (topic + JSON body) to tracking-API calls: orders/create → Order
 * Completed, orders/updated → Order Updated (versioned by `updated_at`), orders/cancelled →
 * Order Cancelled, refunds/create → Order Refunded (its own amount: partial refunds add up),
 * checkouts/create|update → Checkout Started, customers/create|update → identify.
 */
export function mapShopify(topic: string, body: unknown, store: string): StoreMapping {
  return mapObject(body, (b) => {
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
        return customer(b, store);
      default:
        return IGNORED;
    }
  });
}
