import { createHmac, timingSafeEqual } from 'node:crypto';

/** Who placed an order: the ids a refund or deletion (which carry none) is keyed by. */
export interface OrderOwner {
  userId?: string;
  anonymousId?: string;
  email?: string;
}

/** A Segment call mapped from a store webhook, before the tracking API's validation. */
export interface StoreCall {
  /** `track` or `identify` call as the tracking API takes it (no writeKey). */
  message: Record<string, unknown>;
  /**
   * The order it concerns. With `owner` the owner is remembered for later refunds; without it
   * (refunds, deletions name only the order) the owner is looked up, and the call waits until
   * the order arrives when it is unknown.
   */
  order?: { id: string; owner?: OrderOwner };
}

/** What a webhook body maps to: calls, or why the body is unusable (a 400 naming the field). */
export type StoreMapping =
  { ok: true; calls: StoreCall[]; ignored: number } | { ok: false; field: string; reason: string };

/**
 * True when `signature` (base64, as Shopify's `X-Shopify-Hmac-Sha256` and WooCommerce's
 * `X-WC-Webhook-Signature` carry it) is HMAC-SHA256 of the exact body bytes with `secret`.
 * Constant time: digests of equal length are compared with `timingSafeEqual`.
 */
export function verifyBase64Hmac(secret: string, body: Buffer, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature.trim(), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A finite number from a JSON number or a decimal string ("19.99"), else undefined. */
export function money(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A non-empty id as text (numbers too: store ids are numeric), else undefined. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value !== 0) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The message's identity fields; email alone becomes the anonymousId (the API needs one id). */
export function identityFields(owner: OrderOwner): Record<string, unknown> {
  const anonymousId = owner.anonymousId ?? (owner.userId ? undefined : owner.email);
  return {
    ...(owner.userId ? { userId: owner.userId } : {}),
    ...(anonymousId ? { anonymousId } : {}),
    ...(owner.email ? { context: { traits: { email: owner.email } } } : {}),
  };
}

/**
 * What the order book keeps of an owner (and gives the calls that name only the order): the one
 * id that keys the customer's events (the platform's customer id, else a guest's email), not
 * both, so the least personal data sits in Redis for INGEST_ORDER_OWNER_TTL. The key, and so
 * the Kafka partition and profile, is the same as the order's own events'.
 */
export function keptOwner(owner: OrderOwner): OrderOwner {
  if (owner.userId) return { userId: owner.userId };
  if (owner.anonymousId) return { anonymousId: owner.anonymousId };
  return owner.email ? { email: owner.email } : {};
}

/** True when the owner has an id the tracking API can key the event by. */
export const hasIdentity = (owner: OrderOwner): boolean =>
  Boolean(owner.userId || owner.anonymousId || owner.email);

/** Drops undefined values (the tracking API treats absent and undefined alike; JSON is smaller). */
export function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A webhook body's JSON object (read-only: mappings never change what the store sent). */
export type Json = Readonly<Record<string, unknown>>;

/** `value` when it is a JSON object, else an empty one (absent parts read as missing fields). */
export const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

/** `value`'s items as objects when it is an array, else none. */
export const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);

/** A non-blank text, else undefined. */
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** The answer for a body the platform did not send as a JSON object. */
const NOT_AN_OBJECT: StoreMapping = {
  ok: false,
  field: '',
  reason: 'the body must be a JSON object',
};

/** Maps a webhook body that must be a JSON object (else a 400 naming the body). */
export function mapObject(body: unknown, map: (body: Json) => StoreMapping): StoreMapping {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return NOT_AN_OBJECT;
  return map(body as Json); // checked to be an object just above
}

/** Calls to publish; nothing to publish counts the delivery as ignored. */
export const mapped = (calls: StoreCall[]): StoreMapping => ({
  ok: true,
  calls,
  ignored: calls.length === 0 ? 1 : 0,
});

/** A delivery acknowledged without events (a topic or state Pulse does not track). */
export const IGNORED: StoreMapping = { ok: true, calls: [], ignored: 1 };

/** A body that cannot be mapped: a 400 naming the platform's field. */
export const unusable = (field: string, reason: string): StoreMapping => ({
  ok: false,
  field,
  reason,
});

/** An order's customer: the platform's customer id (0 or blank = a guest), and the email. */
export const ownerFrom = (customerId: unknown, email: unknown): OrderOwner =>
  compact({ userId: idText(customerId), email: str(email) }) as OrderOwner;

/** A platform's line item, its fields picked by the platform (JSON values as sent). */
export interface LineFields {
  product_id?: unknown;
  sku?: unknown;
  name?: unknown;
  variant?: unknown;
  brand?: unknown;
  price?: unknown;
  quantity?: unknown;
}

/** One product line as the e-commerce spec types it: ids and texts as text, price a number. */
export function productLine(line: LineFields): Record<string, unknown> {
  return compact({
    product_id: idText(line.product_id),
    sku: str(line.sku),
    name: str(line.name),
    variant: idText(line.variant),
    brand: str(line.brand),
    price: money(line.price),
    quantity: typeof line.quantity === 'number' ? line.quantity : undefined,
  });
}

/** An order's (or checkout's) fields, picked by the platform (JSON values as sent). */
export interface OrderFields {
  order_id?: unknown;
  checkout_id?: unknown;
  cart_id?: unknown;
  affiliation?: unknown;
  total?: unknown;
  subtotal?: unknown;
  shipping?: unknown;
  tax?: unknown;
  discount?: unknown;
  coupon?: unknown;
  currency?: unknown;
  order_number?: unknown;
  status?: unknown;
  /** Already mapped with {@link productLine}. */
  products: readonly Record<string, unknown>[];
}

/** Order-level properties as the e-commerce spec types them (amounts from "19.99" too). */
export function orderProperties(order: OrderFields): Record<string, unknown> {
  return compact({
    order_id: idText(order.order_id),
    checkout_id: idText(order.checkout_id),
    cart_id: idText(order.cart_id),
    affiliation: str(order.affiliation),
    total: money(order.total),
    subtotal: money(order.subtotal),
    shipping: money(order.shipping),
    tax: money(order.tax),
    discount: money(order.discount),
    coupon: str(order.coupon),
    currency: str(order.currency),
    products: order.products,
    order_number: str(order.order_number),
    status: str(order.status),
  });
}

/**
 * A track call about a store's order or checkout. `owner` keys it (and, with `orderId`, is
 * remembered for the order's later refunds); an `orderId` without owner makes the call look its
 * owner up, or wait for the order.
 */
export function trackCall(
  event: string,
  about: { owner?: OrderOwner; orderId?: string; timestamp?: string | undefined },
  properties: Record<string, unknown>,
): StoreCall {
  const { owner, orderId, timestamp } = about;
  const message = {
    type: 'track',
    event,
    ...(owner ? identityFields(owner) : {}),
    ...(timestamp ? { timestamp } : {}),
    properties,
  };
  return orderId ? { message, order: { id: orderId, ...(owner ? { owner } : {}) } } : { message };
}

/**
 * A store customer as an identify call. Its messageId names the customer's version, so a
 * retried delivery of the same version is acknowledged, not published twice.
 */
export function customerCall(
  source: { platform: string; store: string },
  customerId: string,
  version: string | undefined,
  traits: Record<string, unknown>,
): StoreCall {
  const { platform, store } = source;
  const message = {
    type: 'identify',
    userId: customerId,
    ...(version ? { messageId: `${platform}:${store}:customer:${customerId}:${version}` } : {}),
    ...(version ? { timestamp: version } : {}),
    traits: compact(traits),
  };
  return { message };
}
