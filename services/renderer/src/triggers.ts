import type { PulseEvent, SegmentChange } from '@pulse/contracts';
import { payloadAs } from '@pulse/contracts';
import type { TriggerIn } from './renderer';

/** A segment change as a trigger (its id is the trigger id). */
export function fromSegmentChange(c: SegmentChange): TriggerIn {
  return {
    id: c.id,
    customerId: c.customerId,
    at: c.at,
    origin: c.eventOccurredAt ?? c.at,
    segment: { id: c.segmentId, change: c.change },
  };
}

/**
 * An event as a trigger, keyed by its record key (the customer). Only Cart Abandoned carries a
 * cart; other events trigger with none. Returns null for events without a customer.
 */
export function fromEvent(e: PulseEvent, key: string | null): TriggerIn | null {
  const customerId = key ?? e.userId ?? e.anonymousId;
  if (!customerId) return null;
  const cart = e.type === 'Cart Abandoned' ? (payloadAs(e, 'CartAbandonedPayload') ?? null) : null;
  return {
    id: e.id,
    customerId,
    at: e.occurredAt,
    origin: e.receivedAt,
    event: {
      type: e.type,
      cart: cart ? { lines: cart.products, value: cart.value, currency: cart.currency } : null,
    },
  };
}
