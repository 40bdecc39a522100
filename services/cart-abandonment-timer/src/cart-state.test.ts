import { describe, expect, it } from '@jest/globals';
import { wrapPayload } from '@pulse/contracts';
import type { ProductLine, PulseEvent } from '@pulse/contracts';
import { applyEvent, cartValue, emptyCart, markFired } from './cart-state';
import type { CartState } from './cart-state';
import { decideFire, plannedTimer } from './timer-plan';

const line = (id: string, price = 10): ProductLine => ({
  product_id: id,
  sku: null,
  name: id,
  category: null,
  brand: null,
  variant: null,
  price,
  quantity: 1,
  currency: 'USD',
  url: null,
  image_url: null,
});
const base = (type: string, at: number): Omit<PulseEvent, 'payload'> => ({
  id: `${type}-${at}`,
  type,
  kind: 'track',
  source: 'web',
  occurredAt: at,
  receivedAt: at,
  userId: 'u1',
  anonymousId: null,
  email: null,
  context: { page: null, userAgent: null, ip: null, locale: null, timezone: null, campaign: null },
});
const product = (type: string, at: number, id: string): PulseEvent => ({
  ...base(type, at),
  payload: wrapPayload('ProductPayload', {
    product: line(id),
    cart_id: 'c1',
    wishlist_id: null,
    wishlist_name: null,
    extra: null,
  }),
});
const order = (at: number): PulseEvent => ({
  ...base('Order Completed', at),
  payload: wrapPayload('OrderPayload', {
    order_id: 'o1',
    checkout_id: null,
    cart_id: 'c1',
    affiliation: null,
    total: 10,
    subtotal: 10,
    revenue: 10,
    shipping: null,
    tax: null,
    discount: null,
    coupon: null,
    currency: 'USD',
    products: [],
    extra: null,
  }),
});

/** Folds events as if they arrived in this order (consecutive offsets on one partition). */
function fold(events: PulseEvent[], state: CartState = emptyCart()): CartState {
  return events.reduce(
    (s, e, i) => applyEvent(s, e, { topic: 'events.v1', partition: 0, offset: String(i) }),
    state,
  );
}

const STAGES = [30 * 60_000, 24 * 3_600_000];

describe('cart fold, by event time', () => {
  it('pushes the timer back to the latest activity, whatever order events arrive in', () => {
    const inOrder = fold([
      product('Product Added', 1000, 'a'),
      product('Product Added', 2000, 'b'),
    ]);
    const reversed = fold([
      product('Product Added', 2000, 'b'),
      product('Product Added', 1000, 'a'),
    ]);
    expect(plannedTimer(inOrder, STAGES)).toEqual({ stage: 0, dueAt: 2000 + STAGES[0]! });
    expect(plannedTimer(reversed, STAGES)).toEqual(plannedTimer(inOrder, STAGES));
    expect(cartValue(reversed)).toBe(20);
  });

  it('does not refill a bought cart with an older event arriving after the order', () => {
    const state = fold([
      product('Product Added', 1000, 'a'),
      order(5000),
      product('Product Added', 3000, 'b'),
    ]);
    expect(state.lines).toEqual({});
    expect(plannedTimer(state, STAGES)).toBeUndefined();
  });

  it('keeps items added after the order and restarts the timer from them', () => {
    const state = fold([
      product('Product Added', 1000, 'a'),
      order(5000),
      product('Product Added', 6000, 'b'),
    ]);
    expect(Object.keys(state.lines)).toEqual(['b']);
    expect(plannedTimer(state, STAGES)?.dueAt).toBe(6000 + STAGES[0]!);
  });

  it('lets a newer removal win over an older add that arrives late (emptied cart cancels)', () => {
    const state = fold([
      product('Product Removed', 3000, 'a'),
      product('Product Added', 2000, 'a'),
    ]);
    expect(state.lines).toEqual({});
    expect(plannedTimer(state, STAGES)).toBeUndefined();
  });

  it('skips a redelivered record at or below the partition watermark', () => {
    const once = fold([product('Product Added', 1000, 'a')]);
    const again = applyEvent(once, product('Product Added', 1000, 'a'), {
      topic: 'events.v1',
      partition: 0,
      offset: '0',
    });
    expect(again).toBe(once);
    expect(once.lines['a']?.line.quantity).toBe(1);
  });
});

describe('firing', () => {
  const cart = fold([product('Product Added', 1000, 'a')]);
  const dueAt = 1000 + STAGES[0]!;

  it('publishes Cart Abandoned with a deterministic id, then moves to the next stage', () => {
    const decision = decideFire({
      customerId: 'u1',
      state: cart,
      dueAt,
      stages: STAGES,
      firedAt: dueAt + 3,
    });
    if (decision.kind !== 'publish') throw new Error('expected publish');
    expect(decision.event.id).toBe(`cart:u1@${dueAt}`);
    expect(decision.event).toMatchObject({
      type: 'Cart Abandoned',
      occurredAt: dueAt,
      receivedAt: dueAt + 3,
      userId: 'u1',
    });
    const fired = markFired(cart, decision.activityAt, decision.stage);
    expect(plannedTimer(fired, STAGES)).toEqual({ stage: 1, dueAt: 1000 + STAGES[1]! });
    const last = markFired(fired, 1000, 1);
    expect(plannedTimer(last, STAGES)).toBeUndefined();
    expect(
      decideFire({ customerId: 'u1', state: fired, dueAt, stages: STAGES, firedAt: dueAt }),
    ).toEqual({
      kind: 'skip',
      planned: { stage: 1, dueAt: 1000 + STAGES[1]! },
    });
  });

  it('publishes nothing once an order (by event time) or newer activity changed the plan', () => {
    const bought = applyEvent(cart, order(1500), { topic: 'events.v1', partition: 0, offset: '1' });
    expect(
      decideFire({ customerId: 'u1', state: bought, dueAt, stages: STAGES, firedAt: dueAt }).kind,
    ).toBe('skip');
    const busy = fold([product('Product Added', 1000, 'a'), product('Product Added', 9000, 'b')]);
    expect(
      decideFire({ customerId: 'u1', state: busy, dueAt, stages: STAGES, firedAt: dueAt }),
    ).toEqual({
      kind: 'skip',
      planned: { stage: 0, dueAt: 9000 + STAGES[0]! },
    });
  });
});
