/**
 * Source trust against the real stack: a browser writeKey is public, so what it may send is
 * narrowed (config/sources.yaml plus hard rules); refusals name the field and reach the rejects
 * topic, and nothing is published. The admin API needs the bearer token.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { basic, BROWSER_KEY, SERVER_KEY, startHarness, type IngestHarness } from './harness';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness({ INGEST_ADMIN_TOKEN: ADMIN_TOKEN });
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

function post(path: string, body: unknown, key: string) {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: basic(key) },
    body: JSON.stringify(body),
  });
}

describe('browser writeKeys (public) may send only what config/sources.yaml allows', () => {
  it.each([
    [
      'an identify that would merge by email',
      '/v1/identify',
      { anonymousId: 'attacker-1', traits: { email: 'victim@shop.test', first_name: 'Eve' } },
      { error: 'field_not_allowed', field: 'traits.email' },
    ],
    [
      'an email hidden in context.traits of a page call',
      '/v1/page',
      { anonymousId: 'attacker-1', name: 'Home', context: { traits: { email: 'v@shop.test' } } },
      { error: 'field_not_allowed', field: 'context.traits.email' },
    ],
    [
      'an unsubscribe on behalf of someone else',
      '/v1/track',
      { userId: 'victim', event: 'Email Unsubscribed', properties: { email_id: 'x' } },
      { error: 'type_not_allowed', field: 'event' },
    ],
    [
      'a forged order',
      '/v1/track',
      { userId: 'attacker', event: 'Order Completed', properties: { order_id: 'f', total: 9e5 } },
      { error: 'type_not_allowed', field: 'event' },
    ],
    [
      'an event the source is not configured for',
      '/v1/track',
      { anonymousId: 'a-1', event: 'Loyalty Points Granted', properties: { points: 1e6 } },
      { error: 'type_not_allowed', field: 'event' },
    ],
    [
      'a call type the source is not configured for (alias merges identities)',
      '/v1/alias',
      { userId: 'victim', previousId: 'attacker-1' },
      { error: 'type_not_allowed', field: 'type' },
    ],
    [
      'a revenue injected on a Product Viewed (not in its property list)',
      '/v1/track',
      {
        anonymousId: 'a-1',
        event: 'Product Viewed',
        properties: { product_id: 'p1', price: 10, revenue: 9e5 },
      },
      { error: 'field_not_allowed', field: 'properties.revenue' },
    ],
    [
      'a total on a batched Checkout Started',
      '/v1/batch',
      {
        batch: [
          { type: 'page', anonymousId: 'a-1', name: 'Cart' },
          {
            type: 'track',
            anonymousId: 'a-1',
            event: 'Checkout Started',
            properties: { total: 5e5 },
          },
        ],
      },
      { error: 'field_not_allowed', field: 'batch.1.properties.total' },
    ],
    [
      'a batch whose envelope context carries an email',
      '/v1/batch',
      {
        batch: [{ type: 'page', anonymousId: 'a-1', name: 'Home' }],
        context: { traits: { email: 'v@shop.test' } },
      },
      { error: 'field_not_allowed', field: 'context.traits.email' },
    ],
  ])(
    'refuses %s with 403, sends it to the rejects topic, publishes nothing',
    async (_n, path, body, expected) => {
      const from = await h.mark();
      const res = await post(path, body, BROWSER_KEY);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject(expected);
      const [reject] = await h.readRejects(1, from.rejects);
      expect(reject).toMatchObject({
        source: 'web',
        reason: expected.error,
        problems: [{ path: expected.field }],
      });
      expect(await h.countEvents(from.events)).toBe(0);
    },
  );

  it('accepts the same identify (with email) from a trusted server key', async () => {
    const from = (await h.mark()).events;
    const body = { userId: 'cust-9', traits: { email: 'Cust9@Shop.test', first_name: 'Ann' } };
    expect((await post('/v1/identify', body, SERVER_KEY)).status).toBe(200);
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ source: 'backend', email: 'cust9@shop.test' });
  });

  it('accepts a Product Viewed with the properties its list allows, and the same revenue from a server key', async () => {
    const from = (await h.mark()).events;
    const properties = { product_id: 'p1', name: 'Trail shoe', price: 89.5, category: 'Shoes' };
    const viewed = { anonymousId: 'a-3', event: 'Product Viewed', properties };
    expect((await post('/v1/track', viewed, BROWSER_KEY)).status).toBe(200);
    const revenue = { ...viewed, properties: { ...properties, revenue: 1 } };
    expect((await post('/v1/track', revenue, SERVER_KEY)).status).toBe(200);
    const records = await h.readEvents(2, from);
    expect(records.map((r) => r.event.source).sort()).toEqual(['backend', 'web']);
    expect(records.every((r) => r.event.type === 'Product Viewed')).toBe(true);
  });

  it('accepts what the browser source is allowed to send', async () => {
    const from = (await h.mark()).events;
    const res = await post(
      '/v1/identify',
      { anonymousId: 'a-2', traits: { first_name: 'Bo' } },
      BROWSER_KEY,
    );
    expect(res.status).toBe(200);
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ source: 'web', kind: 'identify', email: null });
  });
});

describe('page properties and products[] fields (test/fixtures/sources-pages.yaml)', () => {
  let pages: IngestHarness;
  beforeAll(async () => {
    pages = await startHarness({
      INGEST_SOURCES_FILE: join(__dirname, 'fixtures', 'sources-pages.yaml'),
    });
  }, 60_000);
  afterAll(async () => {
    await pages?.stop();
  }, 60_000);
  const send = (path: string, body: unknown) =>
    fetch(`${pages.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: basic(BROWSER_KEY) },
      body: JSON.stringify(body),
    });

  it.each([
    [
      'a page call with a property its page entry lacks',
      '/v1/page',
      { anonymousId: 'a-1', name: 'Home', properties: { path: '/', revenue: 9e5 } },
      'properties.revenue',
    ],
    [
      'a product entry with a field the products[] entry lacks',
      '/v1/track',
      {
        anonymousId: 'a-1',
        event: 'Cart Viewed',
        properties: { cart_id: 'c1', products: [{ product_id: 'p1' }, { sku: 's', revenue: 1 }] },
      },
      'properties.products.1.revenue',
    ],
  ])(
    'refuses %s with 403, to the rejects topic, publishing nothing',
    async (_n, path, body, field) => {
      const from = await pages.mark();
      const res = await send(path, body);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'field_not_allowed', field });
      const [reject] = await pages.readRejects(1, from.rejects);
      expect(reject).toMatchObject({ source: 'web', problems: [{ path: field }] });
      expect(await pages.countEvents(from.events)).toBe(0);
    },
  );

  it('accepts pages and product entries within their lists, and screens (no entry) as sent', async () => {
    const from = (await pages.mark()).events;
    const page = { anonymousId: 'a-2', name: 'Home', properties: { path: '/', title: 'Home' } };
    expect((await send('/v1/page', page)).status).toBe(200);
    const cart = {
      anonymousId: 'a-2',
      event: 'Cart Viewed',
      properties: { cart_id: 'c2', products: [{ product_id: 'p1', price: 12, quantity: 1 }] },
    };
    expect((await send('/v1/track', cart)).status).toBe(200);
    const screen = { anonymousId: 'a-2', name: 'Home', properties: { revenue: 1 } };
    expect((await send('/v1/screen', screen)).status).toBe(200);
    const records = await pages.readEvents(3, from);
    expect(records.map((r) => r.event.kind).sort()).toEqual(['page', 'screen', 'track']);
  });
});

describe('admin API', () => {
  const get = (authorization?: string) =>
    fetch(`${h.url}/v1/admin/sources`, authorization ? { headers: { authorization } } : {});

  it('does not show the sources configuration without the admin token', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', basic(SERVER_KEY), ADMIN_TOKEN]) {
      const res = await get(auth);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).not.toContain('backend');
    }
  });

  it('shows each source’s trust, allow-lists and rate with it, never a writeKey', async () => {
    const res = await get(`Bearer ${ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(BROWSER_KEY);
    expect(text).not.toContain(SERVER_KEY);
    const { sources } = JSON.parse(text) as { sources: Record<string, unknown>[] };
    expect(sources.find((s) => s.id === 'web')).toMatchObject({
      trust: 'browser',
      calls: expect.not.arrayContaining(['alias']),
      traits: expect.not.arrayContaining(['email']),
      properties: expect.objectContaining({
        'Product *': expect.arrayContaining(['product_id', 'price']),
        'Checkout Started': expect.not.arrayContaining(['total']),
      }),
    });
  });

  it('is off (404), not open, when INGEST_ADMIN_TOKEN is unset', async () => {
    const off = await startHarness();
    try {
      const res = await fetch(`${off.url}/v1/admin/sources`);
      expect(res.status).toBe(404);
    } finally {
      await off.stop();
    }
  }, 60_000);
});
