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

/** True when the owner has an id the tracking API can key the event by. */
export const hasIdentity = (owner: OrderOwner): boolean =>
  Boolean(owner.userId || owner.anonymousId || owner.email);

/** Drops undefined values (the tracking API treats absent and undefined alike; JSON is smaller). */
export function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
