import { wrapPayload } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import { cartLines, cartValue } from './cart-state';
import type { CartState } from './cart-state';

/** The source stamped on every Cart Abandoned event. */
export const SOURCE = 'cart-abandonment-timer';
export const CART_ABANDONED = 'Cart Abandoned';

/** The timer the cart should have now: stage `stage` due at `dueAt`. */
export interface PlannedTimer {
  stage: number;
  dueAt: number;
}

/** One timer per customer; its stage travels in the payload and its due time. */
export function timerId(customerId: string): string {
  return `cart:${customerId}`;
}

export function customerOfTimer(id: string): string | undefined {
  return id.startsWith('cart:') ? id.slice('cart:'.length) : undefined;
}

/**
 * Deterministic Cart Abandoned id: the timer id and its due time. A refire after a crash
 * publishes the same id, so consumers recognise (and drop) the duplicate.
 */
export function abandonedEventId(customerId: string, dueAt: number): string {
  return `${timerId(customerId)}@${dueAt}`;
}

/**
 * The timer a cart should have, derived from its state alone (so it can be re-applied at any
 * time, idempotently): none when the cart is empty or every stage fired for the latest
 * activity; else the next stage, due at last activity + that stage's delay.
 */
export function plannedTimer(
  state: CartState,
  stages: readonly number[],
): PlannedTimer | undefined {
  if (Object.keys(state.lines).length === 0 || state.lastActivityAt <= state.lastOrderAt)
    return undefined;
  const stage = state.firedFor === state.lastActivityAt ? state.firedStages : 0;
  const delay = stages[stage];
  if (delay === undefined) return undefined;
  return { stage, dueAt: state.lastActivityAt + delay };
}

/** What to do with a timer that fired. */
export type FireDecision =
  | { kind: 'publish'; event: PulseEvent; stage: number; activityAt: number }
  /** The cart moved on (new activity, order, emptied, already fired): apply `planned` instead. */
  | { kind: 'skip'; planned: PlannedTimer | undefined };

export interface FireInput {
  customerId: string;
  state: CartState;
  dueAt: number;
  stages: readonly number[];
  /** When it fired (receivedAt of the event). */
  firedAt: number;
}

/**
 * Re-checks the cart when its timer fires: publish only if the cart still has items, no order
 * since its last activity (by event time) and this timer is exactly the one the state plans.
 */
export function decideFire(input: FireInput): FireDecision {
  const planned = plannedTimer(input.state, input.stages);
  // The scheduler never fires early, so firedAt >= dueAt here.
  if (!planned || planned.dueAt !== input.dueAt) {
    return { kind: 'skip', planned };
  }
  return {
    kind: 'publish',
    stage: planned.stage,
    activityAt: input.state.lastActivityAt,
    event: cartAbandoned(input, planned),
  };
}

function cartAbandoned(input: FireInput, planned: PlannedTimer): PulseEvent {
  const { state, customerId } = input;
  const checkout = state.checkoutAt > state.lastOrderAt && state.checkoutAt > 0;
  return {
    id: abandonedEventId(customerId, planned.dueAt),
    type: CART_ABANDONED,
    kind: 'track',
    source: SOURCE,
    occurredAt: planned.dueAt,
    receivedAt: input.firedAt,
    userId: state.userId,
    anonymousId: state.anonymousId,
    email: state.email,
    context: {
      page: null,
      userAgent: null,
      ip: null,
      locale: null,
      timezone: null,
      campaign: null,
    },
    payload: wrapPayload('CartAbandonedPayload', {
      cart_id: state.cartId,
      products: cartLines(state),
      value: cartValue(state),
      currency: state.currency,
      stage: checkout ? 'checkout' : 'cart',
      last_activity_at: state.lastActivityAt,
      abandoned_after_ms: input.stages[planned.stage] ?? null,
    }),
  };
}
