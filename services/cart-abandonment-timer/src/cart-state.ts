import { payloadAs } from '@pulse/contracts';
import type { ProductLine, PulseEvent } from '@pulse/contracts';

/** One line of the cart, stamped with the event time that last set it. */
export interface CartLine {
  line: ProductLine;
  /** Event time (ms) of the activity that last added or restated this line. */
  at: number;
}

/**
 * One customer's cart as this service keeps it. Every decision is by event time: an event
 * older than the last order does not refill the cart, a removal newer than an add wins whatever
 * order they arrive in, and `lastActivityAt` only moves forward.
 */
export interface CartState {
  /** Lines by product key (product_id, else sku, else name). */
  lines: Record<string, CartLine>;
  /** Removal tombstones: product key -> event time removed (a late, older add is ignored). */
  removed: Record<string, number>;
  cartId: string | null;
  currency: string | null;
  /** Latest event time of cart activity (Product Added, Cart Viewed, Checkout Started); 0 none. */
  lastActivityAt: number;
  /** Latest Checkout Started event time; 0 none. */
  checkoutAt: number;
  /** Latest Order Completed event time; 0 none. */
  lastOrderAt: number;
  /** Stages already fired for activity `firedFor` (a newer activity starts again at stage 0). */
  firedFor: number;
  firedStages: number;
  /** Identities of the customer's latest event, copied onto Cart Abandoned. */
  userId: string | null;
  anonymousId: string | null;
  email: string | null;
  /** Consumer watermark: `<topic>:<partition>` -> last applied offset (redeliveries skip). */
  offsets: Record<string, string>;
}

export function emptyCart(): CartState {
  return {
    lines: {},
    removed: {},
    cartId: null,
    currency: null,
    lastActivityAt: 0,
    checkoutAt: 0,
    lastOrderAt: 0,
    firedFor: 0,
    firedStages: 0,
    userId: null,
    anonymousId: null,
    email: null,
    offsets: {},
  };
}

/** Where a record sits in its topic; the fold skips what it already applied. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The event types that are cart activity (start or push back the timer). */
export const CART_ACTIVITY = ['Product Added', 'Cart Viewed', 'Checkout Started'] as const;

function productKey(line: ProductLine): string | undefined {
  return line.product_id ?? line.sku ?? line.name ?? undefined;
}

function withActivity(state: CartState, event: PulseEvent): CartState {
  return {
    ...state,
    lastActivityAt: Math.max(state.lastActivityAt, event.occurredAt),
    userId: event.userId,
    anonymousId: event.anonymousId,
    email: event.email,
  };
}

function addLine(state: CartState, line: ProductLine, at: number): CartState {
  const key = productKey(line);
  if (key === undefined || (state.removed[key] ?? -1) >= at) return state;
  const current = state.lines[key];
  const quantity = (current?.line.quantity ?? 0) + (line.quantity ?? 1);
  const next: CartLine = { line: { ...line, quantity }, at: Math.max(current?.at ?? 0, at) };
  return { ...state, lines: { ...state.lines, [key]: next } };
}

function removeLine(state: CartState, line: ProductLine, at: number): CartState {
  const key = productKey(line);
  if (key === undefined) return state;
  const lines = { ...state.lines };
  const current = lines[key];
  if (current && current.at <= at) delete lines[key];
  return {
    ...state,
    lines,
    removed: { ...state.removed, [key]: Math.max(state.removed[key] ?? 0, at) },
  };
}

/** A full statement of the cart at `at` (Cart Viewed, Checkout Started with products). */
function restate(state: CartState, products: readonly ProductLine[], at: number): CartState {
  const lines: Record<string, CartLine> = {};
  for (const [key, line] of Object.entries(state.lines)) if (line.at > at) lines[key] = line;
  for (const product of products) {
    const key = productKey(product);
    if (key === undefined || lines[key] || (state.removed[key] ?? -1) >= at) continue;
    lines[key] = { line: product, at };
  }
  return { ...state, lines };
}

function order(state: CartState, at: number): CartState {
  const lastOrderAt = Math.max(state.lastOrderAt, at);
  const lines: Record<string, CartLine> = {};
  for (const [key, line] of Object.entries(state.lines))
    if (line.at > lastOrderAt) lines[key] = line;
  const removed: Record<string, number> = {};
  // Tombstones at or before the order are moot: anything that old is ignored anyway.
  for (const [key, t] of Object.entries(state.removed)) if (t > lastOrderAt) removed[key] = t;
  return { ...state, lines, removed, lastOrderAt };
}

function applyType(state: CartState, event: PulseEvent): CartState {
  const at = event.occurredAt;
  if (event.type === 'Order Completed') return order(state, at);
  // Anything at or before the last order happened to a cart that was bought.
  if (at <= state.lastOrderAt) return state;
  switch (event.type) {
    case 'Product Added': {
      const p = payloadAs(event, 'ProductPayload');
      if (!p) return state;
      const next = addLine(withActivity(state, event), p.product, at);
      return {
        ...next,
        cartId: p.cart_id ?? next.cartId,
        currency: p.product.currency ?? next.currency,
      };
    }
    case 'Product Removed': {
      const p = payloadAs(event, 'ProductPayload');
      return p ? removeLine(state, p.product, at) : state;
    }
    case 'Cart Viewed': {
      const p = payloadAs(event, 'CartPayload');
      if (!p) return state;
      const next = restate(withActivity(state, event), p.products, at);
      return { ...next, cartId: p.cart_id ?? next.cartId, currency: p.currency ?? next.currency };
    }
    case 'Checkout Started': {
      const p = payloadAs(event, 'OrderPayload');
      if (!p) return state;
      const active = withActivity(state, event);
      const next = p.products.length > 0 ? restate(active, p.products, at) : active;
      return {
        ...next,
        checkoutAt: Math.max(next.checkoutAt, at),
        cartId: p.cart_id ?? next.cartId,
        currency: p.currency ?? next.currency,
      };
    }
    default:
      return state;
  }
}

/**
 * Folds one event into the cart. Pure: the same state and record always give the same result.
 * A record at or below the partition's watermark was applied before and changes nothing.
 */
export function applyEvent(
  state: CartState,
  event: PulseEvent,
  position: RecordPosition,
): CartState {
  const slot = `${position.topic}:${position.partition}`;
  const seen = state.offsets[slot];
  if (seen !== undefined && BigInt(position.offset) <= BigInt(seen)) return state;
  const next = applyType(state, event);
  return { ...next, offsets: { ...next.offsets, [slot]: position.offset } };
}

/** Records that Cart Abandoned stage `stage` was published for the activity at `activityAt`. */
export function markFired(state: CartState, activityAt: number, stage: number): CartState {
  if (state.firedFor === activityAt) {
    return { ...state, firedStages: Math.max(state.firedStages, stage + 1) };
  }
  if (activityAt < state.firedFor) return state;
  return { ...state, firedFor: activityAt, firedStages: stage + 1 };
}

/** The cart's lines, oldest first. */
export function cartLines(state: CartState): ProductLine[] {
  return Object.values(state.lines)
    .sort((a, b) => a.at - b.at)
    .map((l) => l.line);
}

/** Cart value: Σ price × quantity of lines with a price. */
export function cartValue(state: CartState): number {
  let value = 0;
  for (const { line } of Object.values(state.lines))
    value += (line.price ?? 0) * (line.quantity ?? 1);
  return Math.round(value * 100) / 100;
}
