import { describe, expect, it } from '@jest/globals';
import {
  checkEventPayload,
  EVENTS_V1_SCHEMA,
  payloadAs,
  toAvroType,
  validateRecord,
} from '@pulse/contracts';
import { LIMITS } from './body';
import { NO_CATEGORY_SYNONYMS } from './categories';
import type { Source } from './sources';
import { acceptBatch, acceptCall, type CallOptions } from './tracking';

const server: Source = { id: 'backend', trust: 'server' };
const browser: Source = { id: 'web', trust: 'browser' };
const receivedAt = Date.parse('2026-03-01T12:00:00.000Z');

function options(source: Source = server): CallOptions {
  let n = 0;
  return {
    source,
    receivedAt,
    requestIp: '203.0.113.9',
    maxFutureSkewMs: 3_600_000,
    maxOrderTotal: 10_000,
    categories: NO_CATEGORY_SYNONYMS,
    newId: () => `generated-${++n}`,
  };
}

function accepted(result: ReturnType<typeof acceptCall>) {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.accepted;
}

describe('acceptCall', () => {
  it('normalizes an e-commerce track call into an events.v1 record', () => {
    const [item] = accepted(
      acceptCall(
        {
          messageId: 'm-1',
          userId: 42,
          event: 'Product Added',
          timestamp: '2026-03-01T11:59:00.000Z',
          properties: {
            product_id: 'p1',
            price: 19.5,
            quantity: 2,
            currency: 'eur',
            cart_id: 'c1',
            color: 'red',
          },
          context: {
            page: { url: 'https://shop.test/p1' },
            locale: 'fr-FR',
            campaign: { name: 'spring' },
          },
        },
        'track',
        options(),
      ),
    );
    expect(item?.dedup).toBe(true);
    const event = item!.event;
    expect(event).toMatchObject({
      id: 'm-1',
      type: 'Product Added',
      kind: 'track',
      source: 'backend',
      userId: '42',
      anonymousId: null,
      occurredAt: Date.parse('2026-03-01T11:59:00.000Z'),
      receivedAt,
      context: { ip: '203.0.113.9', locale: 'fr-FR', page: { url: 'https://shop.test/p1' } },
    });
    const product = payloadAs(event, 'ProductPayload');
    expect(product?.product).toMatchObject({
      product_id: 'p1',
      price: 19.5,
      quantity: 2,
      currency: 'EUR',
    });
    expect(product?.cart_id).toBe('c1');
    expect(JSON.parse(product?.extra ?? '{}')).toEqual({ color: 'red' });
  });

  it('takes a null userId as absent (analytics.js sends it for anonymous visitors)', () => {
    const page = { type: 'page', userId: null, anonymousId: 'anon-1', properties: { path: '/' } };
    const [one] = accepted(acceptCall(page, 'page', options(browser)));
    expect(one?.event).toMatchObject({ userId: null, anonymousId: 'anon-1' });
    const neither = acceptCall({ ...page, anonymousId: null }, 'page', options(browser));
    expect(neither.ok ? undefined : neither.refusal.body.field).toBe('userId');
  });

  it('requires userId or anonymousId', () => {
    const result = acceptCall({ event: 'Product Viewed' }, 'track', options());
    expect(result).toEqual({
      ok: false,
      refusal: {
        status: 400,
        body: {
          error: 'invalid_field',
          field: 'userId',
          reason: 'userId or anonymousId is required',
        },
      },
    });
  });

  it('names the property that breaks the e-commerce rules', () => {
    const result = acceptCall(
      { anonymousId: 'a', event: 'Product Added', properties: { price: -1 } },
      'track',
      options(),
    );
    expect(result).toMatchObject({
      ok: false,
      refusal: { status: 400, body: { field: 'properties.price', reason: 'must be ≥ 0' } },
    });
  });

  it('quarantines outliers: order totals over the cap and far-future times', () => {
    const order = acceptCall(
      { userId: 'u', event: 'Order Completed', properties: { order_id: 'o', total: 50_000 } },
      'track',
      options(),
    );
    expect(order).toMatchObject({
      ok: false,
      refusal: { body: { error: 'outlier', field: 'properties.total' } },
    });
    const future = acceptCall(
      { userId: 'u', event: 'x', timestamp: '2026-03-02T12:00:00.000Z' },
      'track',
      options(),
    );
    expect(future).toMatchObject({
      ok: false,
      refusal: { body: { error: 'outlier', field: 'timestamp' } },
    });
  });

  it('refuses order events from a public browser key, and Cart Abandoned from anyone', () => {
    expect(
      acceptCall({ userId: 'u', event: 'Order Completed' }, 'track', options(browser)),
    ).toMatchObject({
      ok: false,
      refusal: { status: 403, body: { error: 'type_not_allowed', field: 'event' } },
    });
    expect(acceptCall({ userId: 'u', event: 'Cart Abandoned' }, 'track', options())).toMatchObject({
      ok: false,
      refusal: { status: 403 },
    });
  });

  it('normalizes identify traits: email, country, birthday; keeps the rest as extra', () => {
    const [item] = accepted(
      acceptCall(
        {
          userId: 'u1',
          traits: {
            email: '  Ann@Example.COM ',
            firstName: 'Ann',
            address: { country: 'France', city: 'Lyon' },
            birthday: '1990-05-04T00:00:00Z',
            plan: 'gold',
          },
        },
        'identify',
        options(),
      ),
    );
    expect(item?.event.email).toBe('ann@example.com');
    expect(payloadAs(item!.event, 'IdentifyPayload')).toMatchObject({
      email: 'ann@example.com',
      first_name: 'Ann',
      country: 'FR',
      city: 'Lyon',
      birthdate: '1990-05-04',
      extra: '{"plan":"gold"}',
    });
    expect(
      acceptCall({ userId: 'u1', traits: { email: 'not-an-email' } }, 'identify', options()),
    ).toMatchObject({ ok: false, refusal: { body: { field: 'traits.email' } } });
  });

  it('gives a generated id, not dedup, to calls without messageId; route decides the type', () => {
    const [item] = accepted(
      acceptCall({ anonymousId: 'a', type: 'track', name: 'Home' }, 'page', options()),
    );
    expect(item).toMatchObject({
      dedup: false,
      event: { id: 'generated-1', kind: 'page', type: 'page' },
    });
  });
});

describe('acceptBatch', () => {
  const track = (i: number) => ({
    type: 'track',
    messageId: `m${i}`,
    anonymousId: 'a',
    event: 'Signed Up',
  });

  it('accepts items of every kind, inheriting the envelope sentAt and context', () => {
    const result = acceptBatch(
      {
        sentAt: '2026-03-01T11:00:01.000Z',
        context: { locale: 'de-DE' },
        batch: [
          { ...track(1), originalTimestamp: '2026-03-01T11:00:00.000Z' },
          { type: 'alias', userId: 'u', previousId: 'a' },
        ],
      },
      options(),
    );
    const items = accepted(result);
    expect(items.map((i) => i.event.kind)).toEqual(['track', 'alias']);
    expect(items[0]?.event.occurredAt).toBe(receivedAt - 1000);
    expect(items[0]?.event.context.locale).toBe('de-DE');
  });

  it('refuses the whole batch naming the bad item', () => {
    const result = acceptBatch(
      { batch: [track(1), { type: 'track', anonymousId: 'a' }] },
      options(),
    );
    expect(result).toMatchObject({
      ok: false,
      refusal: { status: 400, body: { field: 'batch.1.event' } },
    });
    expect(acceptBatch({ batch: [{ ...track(1), type: 'nope' }] }, options())).toMatchObject({
      ok: false,
      refusal: { body: { field: 'batch.0.type' } },
    });
    expect(acceptBatch({ events: [] }, options())).toMatchObject({
      ok: false,
      refusal: { body: { field: 'batch' } },
    });
  });

  it('enforces the event count and per-event size limits with 413 naming the limit', () => {
    const many = acceptBatch(
      { batch: Array.from({ length: LIMITS.batchEvents + 1 }, (_, i) => track(i)) },
      options(),
    );
    expect(many).toMatchObject({
      ok: false,
      refusal: { status: 413, body: { limit: 'batch_events', max: 2500 } },
    });
    const big = acceptBatch(
      { batch: [track(0), { ...track(1), properties: { blob: 'x'.repeat(LIMITS.eventBytes) } }] },
      options(),
    );
    expect(big).toMatchObject({
      ok: false,
      refusal: { status: 413, body: { limit: 'event_size', field: 'batch.1' } },
    });
  });
});

describe('every normalized call fits the events.v1 contract', () => {
  const type = toAvroType(EVENTS_V1_SCHEMA);
  const calls: [string, Record<string, unknown>][] = [
    [
      'track',
      {
        userId: 'u',
        event: 'Cart Viewed',
        properties: { cart_id: 'c', products: [{ sku: 's', price: 1 }], value: 1 },
      },
    ],
    [
      'track',
      { userId: 'u', event: 'Checkout Started', properties: { order_id: 'o', currency: 'GBP' } },
    ],
    ['track', { userId: 'u', event: 'Email Bounced', properties: { bounce_type: 'hard' } }],
    [
      'track',
      { userId: 'u', event: 'Product Added to Wishlist', properties: { wishlist_id: 'w' } },
    ],
    ['track', { userId: 'u', event: 'Signed Up', properties: { plan: 'pro' } }],
    ['identify', { userId: 'u', traits: { consent: { email_marketing: true }, country: 'fr' } }],
    ['screen', { anonymousId: 'a', name: 'Home' }],
    ['group', { userId: 'u', groupId: 'g', traits: { name: 'Acme' } }],
    ['alias', { userId: 'u', previousId: 'a' }],
  ];
  it.each(calls)('%s %j', (kind, body) => {
    const result = acceptCall(body, kind as Parameters<typeof acceptCall>[1], options());
    const [item] = accepted(result);
    expect(validateRecord(type, item!.event)).toEqual([]);
    expect(checkEventPayload(item!.event)).toEqual([]);
  });
});
