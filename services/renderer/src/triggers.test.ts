import { describe, expect, it } from '@jest/globals';
import { readFixture } from '@pulse/contracts';
import { fromEvent, fromSegmentChange } from './triggers';

describe('triggers', () => {
  it('turns Cart Abandoned into a trigger carrying the cart, keyed by the record key', () => {
    const event = readFixture('events.v1', 'cart-abandoned');
    const t = fromEvent(event, 'cust-9');
    expect(t).toEqual({
      id: event.id,
      customerId: 'cust-9',
      at: event.occurredAt,
      origin: event.receivedAt,
      event: {
        type: 'Cart Abandoned',
        cart: {
          value: 89.9,
          currency: 'USD',
          lines: [expect.objectContaining({ product_id: 'prod-381', name: 'Trail Runner 2' })],
        },
      },
    });
  });

  it('falls back to userId, then anonymousId, and skips events without a customer', () => {
    const event = readFixture('events.v1', 'cart-abandoned');
    expect(fromEvent(event, null)?.customerId).toBe(event.userId);
    expect(fromEvent({ ...event, userId: null }, null)?.customerId).toBe(event.anonymousId);
    expect(fromEvent({ ...event, userId: null, anonymousId: null }, null)).toBeNull();
  });

  it('gives other events no cart', () => {
    const event = readFixture('events.v1', 'order-completed');
    expect(fromEvent(event, 'c')?.event).toEqual({ type: event.type, cart: null });
  });

  it('turns a segment change into a trigger named by its id', () => {
    const c = readFixture('segment-changes.v1', 'entered-by-event');
    expect(fromSegmentChange(c)).toEqual({
      id: c.id,
      customerId: c.customerId,
      at: c.at,
      // latency starts at the event behind the change
      origin: c.eventOccurredAt,
      segment: { id: c.segmentId, change: c.change },
    });
    expect(c.eventOccurredAt).not.toBeNull();
  });
});
