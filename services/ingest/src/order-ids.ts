import { EVENT_TYPES } from '@pulse/contracts';

/**
 * Deterministic event ids for order events, so one order counts once however it arrives: the
 * tracking API (a site's Order Completed carrying `order_id`), a store webhook and the bulk
 * import all give the same order and kind the same id.
 *
 * Scheme (each part URI-encoded, so a `:` inside an id cannot make two ids collide):
 *
 *   ord:<order system>:<order id>:completed
 *   ord:<order system>:<order id>:cancelled
 *   ord:<order system>:<order id>:refunded:<refund id>      (refund id required)
 *   ord:<order system>:<order id>:updated:<version>         (version required, e.g. updated_at)
 *   chk:<order system>:<checkout id>:started                (Checkout Started)
 *
 * The order system is the store the order id belongs to (config/stores.yaml), not the path that
 * carried the event: a webhook and the writeKey sources listed under a store share its name.
 */
export const ORDER_ID_PREFIXES = ['ord:', 'chk:'] as const;

/** What an order event's id is derived from; undefined parts mean "not derivable". */
export interface OrderIdParts {
  system: string;
  type: string;
  orderId?: string | undefined;
  checkoutId?: string | undefined;
  /** Refund id (Order Refunded) or version (Order Updated). */
  qualifier?: string | undefined;
}

const enc = (part: string) => encodeURIComponent(part);

const SUFFIX: Readonly<Record<string, { kind: string; needsQualifier: boolean }>> = {
  [EVENT_TYPES.orderCompleted]: { kind: 'completed', needsQualifier: false },
  [EVENT_TYPES.orderCancelled]: { kind: 'cancelled', needsQualifier: false },
  [EVENT_TYPES.orderRefunded]: { kind: 'refunded', needsQualifier: true },
  [EVENT_TYPES.orderUpdated]: { kind: 'updated', needsQualifier: true },
};

/**
 * The deterministic id of an order event, or undefined when the event carries too little to
 * derive one (no order id; a refund without its refund id; an update without a version) — such
 * events keep their messageId, since two of them may be different facts.
 */
export function orderEventId(parts: OrderIdParts): string | undefined {
  const { system, type, orderId, checkoutId, qualifier } = parts;
  if (type === EVENT_TYPES.checkoutStarted) {
    return checkoutId ? `chk:${enc(system)}:${enc(checkoutId)}:started` : undefined;
  }
  const suffix = SUFFIX[type];
  if (!suffix || !orderId) return undefined;
  const base = `ord:${enc(system)}:${enc(orderId)}:${suffix.kind}`;
  if (!suffix.needsQualifier) return base;
  return qualifier ? `${base}:${enc(qualifier)}` : undefined;
}

/** True for ids made by `orderEventId` (they are stable, so ingest deduplicates on them). */
export function isOrderEventId(id: string): boolean {
  return ORDER_ID_PREFIXES.some((prefix) => id.startsWith(prefix));
}

const idText = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;

/**
 * The parts of a track call's properties that name an order: `order_id`, `checkout_id`, and the
 * qualifier (`refund_id` for refunds, `updated_at` for updates).
 */
export function orderIdParts(
  system: string,
  type: string,
  properties: Readonly<Record<string, unknown>> | undefined,
): OrderIdParts {
  const p = properties ?? {};
  const qualifier =
    type === EVENT_TYPES.orderRefunded
      ? idText(p.refund_id)
      : type === EVENT_TYPES.orderUpdated
        ? idText(p.updated_at)
        : undefined;
  return {
    system,
    type,
    orderId: idText(p.order_id),
    checkoutId: idText(p.checkout_id),
    qualifier,
  };
}
