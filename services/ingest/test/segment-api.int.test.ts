import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { getStack, waitFor } from '@pulse/testkit';
import { createDeduper } from '../src/dedup';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { basic, BROWSER_KEY, SERVER_KEY, startHarness, type IngestHarness } from './harness';

let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(SERVER_KEY), ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

describe('Segment HTTP Tracking API', () => {
  it('publishes an acknowledged track call to events.v1, keyed by the customer', async () => {
    const from = (await h.mark()).events;
    const res = await post('/v1/track', {
      messageId: 'it-track-1',
      userId: 'cust-1',
      event: 'Order Completed',
      properties: {
        order_id: 'o-1',
        total: 99.5,
        currency: 'usd',
        products: [{ product_id: 'p', price: 99.5, quantity: 1 }],
      },
      context: { userAgent: 'jest', campaign: { name: 'spring', source: 'news' } },
      timestamp: '2026-03-01T11:00:00.000Z',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    const [record] = await h.readEvents(1, from);
    expect(record?.key).toBe('cust-1');
    expect(record?.event).toMatchObject({
      // An order event's id is derived from (store, order id, kind), not its messageId:
      // config/stores.yaml lists the `backend` source under the store `demo-shop`.
      id: 'ord:demo-shop:o-1:completed',
      type: 'Order Completed',
      source: 'backend',
      occurredAt: Date.parse('2026-03-01T11:00:00.000Z'),
      receivedAt: h.clock.now(),
      context: { userAgent: 'jest', campaign: { name: 'spring', source: 'news' } },
    });
    expect(payloadAs(record!.event, 'OrderPayload')).toMatchObject({
      order_id: 'o-1',
      total: 99.5,
      currency: 'USD',
    });
  });

  it('acknowledges a repeated messageId without publishing it twice', async () => {
    const from = (await h.mark()).events;
    const call = {
      messageId: 'it-dup-1',
      anonymousId: 'anon-dup',
      event: 'Product Viewed',
      properties: { product_id: 'p1' },
    };
    expect((await post('/v1/track', call)).status).toBe(200);
    expect(
      (
        await post('/v1/batch', {
          batch: [
            { ...call, type: 'track' },
            { ...call, type: 'track', messageId: 'it-dup-2' },
          ],
        })
      ).status,
    ).toBe(200);
    // Every 200 above means its events were acked, so the count is final now.
    const records = await h.readEvents(2, from);
    expect(records.map((r) => r.event.id).sort()).toEqual(['it-dup-1', 'it-dup-2']);
    expect(await h.countEvents(from)).toBe(2);
  });

  it('a claim left by a process that died before the Kafka ack expires: the retry is stored', async () => {
    const from = (await h.mark()).events;
    // What a kill -9 between claim and ack leaves: a pending claim (short-lived here).
    const redis = createRedis({ url: getStack().redisUrl, logger: silentLogger() });
    const deduper = createDeduper({
      redis,
      keys: createKeyspace(h.redis.prefix.replace(/:$/, '')),
      windowMs: 60_000,
    });
    expect(await deduper.claimPending('backend', ['it-died-1'], 300)).toEqual(['new']);
    await closeRedis(redis);
    const call = { messageId: 'it-died-1', anonymousId: 'anon-died', event: 'Product Viewed' };
    // While the claim may still be a live publish, the client is told to retry...
    const busy = await post('/v1/track', call);
    expect(busy.status).toBe(503);
    await new Promise((r) => setTimeout(r, 400));
    // ...and the retry after it expired is stored, not answered "duplicate" and dropped.
    expect((await post('/v1/track', call)).status).toBe(200);
    const records = await h.readEvents(1, from);
    expect(records.map((r) => r.event.id)).toEqual(['it-died-1']);
    // Once stored, a repeat is a duplicate again.
    expect((await post('/v1/track', call)).status).toBe(200);
    expect(await h.countEvents(from)).toBe(1);
  });

  it('works with @segment/analytics-node unchanged', async () => {
    const from = (await h.mark()).events;
    const analytics = new Analytics({
      writeKey: SERVER_KEY,
      host: h.url,
      flushAt: 2,
      maxRetries: 0,
    });
    const failures: unknown[] = [];
    analytics.on('error', (err) => failures.push(err));
    analytics.identify({
      userId: 'seg-user',
      traits: { email: 'Seg@Example.com', country: 'DEU' },
    });
    analytics.track({
      userId: 'seg-user',
      event: 'Product Added',
      properties: { product_id: 'p9', price: 5 },
    });
    await analytics.closeAndFlush();
    expect(failures).toEqual([]);
    const records = await h.readEvents(2, from);
    const identify = records.find((r) => r.event.kind === 'identify')!.event;
    expect(identify).toMatchObject({ userId: 'seg-user', email: 'seg@example.com' });
    expect(payloadAs(identify, 'IdentifyPayload')?.country).toBe('DE');
    expect(records.find((r) => r.event.kind === 'track')?.event.type).toBe('Product Added');
  });

  it('works with @rudderstack/rudder-sdk-node, which gzips its batches', async () => {
    const from = (await h.mark()).events;
    const client = new RudderAnalytics(SERVER_KEY, {
      dataPlaneUrl: h.url,
      flushAt: 1,
      retryCount: 0,
      logLevel: 'error',
    });
    client.page({
      anonymousId: 'rudder-anon',
      name: 'Home',
      properties: { url: 'https://shop.test/', time_on_page_ms: 1200 },
    });
    await client.flush();
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ kind: 'page', anonymousId: 'rudder-anon' });
    expect(payloadAs(record!.event, 'PagePayload')).toMatchObject({
      name: 'Home',
      time_on_page_ms: 1200,
    });
  });

  it('accepts text/plain JSON with the writeKey in the body, and answers CORS preflights', async () => {
    const from = (await h.mark()).events;
    const res = await fetch(`${h.url}/v1/page`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://shop.test' },
      body: JSON.stringify({ writeKey: BROWSER_KEY, anonymousId: 'browser-1', name: 'Cart' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const [record] = await h.readEvents(1, from);
    expect(record?.event).toMatchObject({ source: 'web', kind: 'page', anonymousId: 'browser-1' });
    const preflight = await fetch(`${h.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});

describe('bad requests: a precise 4xx and nothing published', () => {
  const cases: [string, () => Promise<Response>, number, Record<string, unknown>][] = [
    ['malformed JSON', () => post('/v1/track', '{"userId": '), 400, { error: 'invalid_json' }],
    [
      'bad gzip',
      () => post('/v1/batch', Buffer.from('not gzip'), { 'content-encoding': 'gzip' }),
      400,
      { error: 'invalid_body' },
    ],
    [
      'wrong writeKey',
      () => post('/v1/track', { userId: 'u', event: 'x' }, { authorization: basic('nope') }),
      401,
      { error: 'unauthorized' },
    ],
    [
      'no writeKey',
      () => post('/v1/track', { userId: 'u', event: 'x' }, { authorization: '' }),
      401,
      { error: 'unauthorized' },
    ],
    [
      'no userId or anonymousId',
      () => post('/v1/track', { event: 'x' }),
      400,
      { error: 'invalid_field', field: 'userId' },
    ],
    [
      'negative price',
      () => post('/v1/track', { userId: 'u', event: 'Product Added', properties: { price: -3 } }),
      400,
      { field: 'properties.price', reason: 'must be ≥ 0' },
    ],
    [
      'browser key sending an order',
      () =>
        post(
          '/v1/track',
          { userId: 'u', event: 'Order Completed' },
          { authorization: basic(BROWSER_KEY) },
        ),
      403,
      { error: 'type_not_allowed', field: 'event' },
    ],
    [
      'event over 32 KB',
      () =>
        post('/v1/track', { userId: 'u', event: 'x', properties: { blob: 'x'.repeat(33 * 1024) } }),
      413,
      { limit: 'event_size', max: 32768 },
    ],
    [
      'batch over 500 KB (gzipped)',
      () =>
        post(
          '/v1/batch',
          gzipSync(
            JSON.stringify({
              batch: [
                {
                  type: 'track',
                  userId: 'u',
                  event: 'x',
                  properties: { blob: 'y'.repeat(600 * 1024) },
                },
              ],
            }),
          ),
          { 'content-encoding': 'gzip' },
        ),
      413,
      { limit: 'batch_size', max: 512000 },
    ],
    [
      '2,501 events',
      () =>
        post('/v1/batch', {
          batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'x' })),
        }),
      413,
      { limit: 'batch_events', max: 2500 },
    ],
    [
      'one bad item in a batch',
      () =>
        post('/v1/batch', {
          batch: [
            { type: 'track', userId: 'u', event: 'ok' },
            { type: 'identify', userId: 'u', traits: { email: 'nope' } },
          ],
        }),
      400,
      { field: 'batch.1.traits.email' },
    ],
  ];

  it.each(cases)('%s', async (_name, request, status, body) => {
    const from = (await h.mark()).events;
    const res = await request();
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject(body);
    expect(await h.countEvents(from)).toBe(0);
  });

  it('sends invalid events to the rejects topic with the field and reason', async () => {
    const from = (await h.mark()).rejects;
    const res = await post('/v1/track', {
      userId: 'u',
      event: 'Product Added',
      properties: { quantity: 1.5 },
    });
    expect(res.status).toBe(400);
    const [reject] = await h.readRejects(1, from);
    expect(reject).toMatchObject({
      source: 'backend',
      reason: 'invalid_field',
      problems: [{ path: 'properties.quantity', message: 'must be an integer' }],
      rejectedAt: h.clock.now(),
    });
    expect(reject?.raw).toContain('Product Added');
  });

  it('serves metrics for requests and accepted events', async () => {
    const text = await waitFor(async () => {
      const body = await (await fetch(`${h.url}/metrics`)).text();
      return body.includes('pulse_ingest_events_accepted_total') ? body : undefined;
    });
    expect(text).toMatch(/pulse_ingest_requests_total\{route="\/v1\/track",status="400"\}/);
  });
});
