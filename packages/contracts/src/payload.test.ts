import { describe, expect, it } from '@jest/globals';
import { toAvroType } from './avro';
import { checkEventPayload, expectedPayload, isCatalogEventType } from './event-catalog';
import { readFixture } from './fixtures';
import type { PulseEvent } from './generated';
import { payloadAs, unwrapPayload, wrapPayload } from './payload';
import type { PayloadVariant } from './payload';
import { SCHEMAS } from './schemas';

/** What a consumer writes: an exhaustive switch, so a new payload branch fails to compile. */
function describePayload(variant: PayloadVariant): string {
  switch (variant.name) {
    case 'ProductPayload':
      return `product ${variant.value.product.product_id}`;
    case 'CartPayload':
    case 'CartAbandonedPayload':
      return `cart of ${variant.value.products.length}`;
    case 'OrderPayload':
      return `order ${variant.value.order_id} for ${variant.value.total} ${variant.value.currency}`;
    case 'EmailPayload':
      return `email ${variant.value.send_id} via ${variant.value.provider}`;
    case 'PagePayload':
      return `view of ${variant.value.name}`;
    case 'IdentifyPayload':
      return `traits of ${variant.value.email}`;
    case 'GroupPayload':
      return `group ${variant.value.group_id}`;
    case 'AliasPayload':
      return `alias of ${variant.value.previous_id}`;
    case 'CustomPayload':
      return `custom ${variant.value.properties}`;
    default: {
      const unhandled: never = variant;
      return unhandled;
    }
  }
}

describe('payload helpers', () => {
  it('unwrap a decoded payload into a variant to switch on', () => {
    const type = toAvroType(SCHEMAS['events.v1']);
    const event = readFixture('events.v1', 'order-completed');
    const decoded: PulseEvent = type.fromBuffer(type.toBuffer(event));
    expect(describePayload(unwrapPayload(decoded.payload))).toBe('order ord-55017 for 118.24 USD');
  });

  it('wrap a record so avsc encodes it as that branch', () => {
    const type = toAvroType(SCHEMAS['events.v1']);
    const event = readFixture('events.v1', 'alias');
    const payload = wrapPayload('AliasPayload', { previous_id: 'anon-1' });
    expect(payload).toEqual({ 'pulse.events.AliasPayload': { previous_id: 'anon-1' } });
    const decoded: PulseEvent = type.fromBuffer(type.toBuffer({ ...event, payload }));
    expect(payloadAs(decoded, 'AliasPayload')).toEqual({ previous_id: 'anon-1' });
  });

  it('payloadAs returns the record only for the named branch', () => {
    const event = readFixture('events.v1', 'cart-abandoned');
    expect(payloadAs(event, 'CartAbandonedPayload')?.stage).toBe('checkout');
    expect(payloadAs(event, 'OrderPayload')).toBeUndefined();
  });

  it('unwrapPayload refuses objects avsc did not make', () => {
    const notWrapped: unknown = { previous_id: 'x' };
    // Deliberately wrong input, the case the runtime check exists for.
    expect(() => unwrapPayload(notWrapped as PulseEvent['payload'])).toThrow(/not a wrapped/);
  });
});

describe('event catalogue', () => {
  it('maps kinds and types to payload branches', () => {
    expect(expectedPayload('track', 'Order Completed')).toBe('OrderPayload');
    expect(expectedPayload('track', 'Checkout Started')).toBe('OrderPayload');
    expect(expectedPayload('track', 'Email Link Clicked')).toBe('EmailPayload');
    expect(expectedPayload('track', 'Store Locator Searched')).toBe('CustomPayload');
    expect(expectedPayload('screen', 'screen')).toBe('PagePayload');
    expect(isCatalogEventType('order completed')).toBe(false);
    expect(isCatalogEventType('toString')).toBe(false);
  });

  it('names the field when envelope and payload disagree', () => {
    const event = readFixture('events.v1', 'product-added');
    expect(checkEventPayload({ ...event, type: 'Order Completed' })).toEqual([
      { path: 'payload', message: "'Order Completed' carries OrderPayload, not ProductPayload" },
    ]);
    const page = readFixture('events.v1', 'page');
    expect(checkEventPayload({ ...page, type: 'Home' })).toEqual([
      { path: 'type', message: "a page event has type 'page'" },
    ]);
  });
});
