import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { createKeyspace } from '@pulse/redis';
import { basic, SERVER_KEY, startHarness, type IngestHarness } from './harness';

const SHOPIFY_SECRET = 'shpss_int_secret';
const WOO_SECRET = 'woo int secret';
const fixture = (path: string) => readFileSync(join(__dirname, 'fixtures', path), 'utf8');
const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('base64');
let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness({
    INGEST_STORES_FILE: join(__dirname, 'fixtures', 'stores.yaml'),
    INGEST_STORE_SECRETS: `acme:${SHOPIFY_SECRET},woo:${WOO_SECRET}`,
  });
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

const shopify = (topic: string, body: string, signature = sign(SHOPIFY_SECRET, body)) =>
  fetch(`${h.url}/v1/webhooks/shopify/acme`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      ...(signature ? { 'x-shopify-hmac-sha256': signature } : {}),
    },
    body,
  });

const woo = (topic: string, body: string) =>
  fetch(`${h.url}/v1/webhooks/woocommerce/woo`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-signature': sign(WOO_SECRET, body),
    },
    body,
  });

describe('store webhooks', () => {
  it('refuses unsigned and mis-signed deliveries with 401 and publishes nothing', async () => {
    const from = (await h.mark()).events;
    const body = fixture('shopify/orders-create.json');
    expect((await shopify('orders/create', body, '')).status).toBe(401);
    const forged = await shopify('orders/create', body, sign('wrong secret', body));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'invalid_signature' });
    // The signature covers the raw bytes: the same JSON re-serialized does not verify.
    const reserialized = JSON.stringify(JSON.parse(body));
    expect((await shopify('orders/create', reserialized, sign(SHOPIFY_SECRET, body))).status).toBe(
      401,
    );
    const wooForged = await fetch(`${h.url}/v1/webhooks/woocommerce/woo`, {
      method: 'POST',
      headers: { 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-signature': sign('x', body) },
      body,
    });
    expect(wooForged.status).toBe(401);
    expect(
      (await fetch(`${h.url}/v1/webhooks/shopify/nope`, { method: 'POST', body })).status,
    ).toBe(404);
    expect(await h.countEvents(from)).toBe(0);
  });

  it("Shopify: a refund before its order waits, then lands keyed by the order's customer", async () => {
    const from = (await h.mark()).events;
    const refund = await shopify('refunds/create', fixture('shopify/refunds-create.json'));
    expect(await refund.json()).toMatchObject({ received: 0, waiting: 1 });
    expect(await h.countEvents(from)).toBe(0);
    // What waits names only the order (no customer id or email) and expires.
    const redis = h.redis.client;
    const keys = createKeyspace(h.redis.prefix.replace(/:$/, ''));
    const [ownerKey, pendingKey] = ['owner', 'pending'].map((part) =>
      keys.tagged('ingest:ord:acme:5893224177913', part),
    );
    const parked = await redis.lrange(pendingKey!, 0, -1);
    expect(parked).toHaveLength(1);
    expect(parked[0]).not.toMatch(/jon@example\.com|7095713931513/i);
    expect(await redis.pttl(pendingKey!)).toBeGreaterThan(0);

    const order = await shopify('orders/create', fixture('shopify/orders-create.json'));
    expect(await order.json()).toMatchObject({ received: 2, published: 2 });
    const records = await h.readEvents(2, from);
    const completed = records.find((r) => r.event.type === 'Order Completed')!;
    const refunded = records.find((r) => r.event.type === 'Order Refunded')!;
    expect(completed.event).toMatchObject({
      id: 'ord:acme:5893224177913:completed',
      source: 'shopify:acme',
      userId: '7095713931513',
      email: 'jon@example.com',
    });
    expect(payloadAs(completed.event, 'OrderPayload')).toMatchObject({
      order_id: '5893224177913',
      total: 398,
      discount: 10,
      currency: 'USD',
      coupon: 'SPRING10',
    });
    expect(payloadAs(completed.event, 'OrderPayload')?.products).toHaveLength(2);
    expect(refunded.event).toMatchObject({
      id: 'ord:acme:5893224177913:refunded:929361465',
      userId: '7095713931513',
    });
    expect(refunded.key).toBe(completed.key);
    // The order book keeps the one id that keys the customer (not the email too), and expires it.
    expect(JSON.parse((await redis.get(ownerKey!)) ?? 'null')).toEqual({ userId: '7095713931513' });
    expect(await redis.pttl(ownerKey!)).toBeGreaterThan(0);
    expect(await redis.exists(pendingKey!)).toBe(0);
    const refundPayload = payloadAs(refunded.event, 'OrderPayload');
    expect(refundPayload).toMatchObject({ order_id: '5893224177913', total: 149, currency: 'USD' });
    expect(JSON.parse(refundPayload?.extra ?? '{}')).toMatchObject({ refund_id: '929361465' });

    // Shopify retries a delivery it thinks failed: acknowledged, not published again.
    const retry = await shopify('orders/create', fixture('shopify/orders-create.json'));
    expect(await retry.json()).toMatchObject({ published: 0, duplicates: 1 });
    // A second refund of a known order goes straight out.
    const second = JSON.parse(fixture('shopify/refunds-create.json')) as Record<string, unknown>;
    const again = await shopify('refunds/create', JSON.stringify({ ...second, id: 929361466 }));
    expect(await again.json()).toMatchObject({ published: 1, waiting: 0 });
    expect(await h.countEvents(from)).toBe(3);
  });

  it('Shopify: customers/update → identify with an ISO 3166-2 region; checkout → Checkout Started', async () => {
    const from = (await h.mark()).events;
    expect(
      (await shopify('customers/update', fixture('shopify/customers-update.json'))).status,
    ).toBe(200);
    expect(
      (await shopify('checkouts/create', fixture('shopify/checkouts-create.json'))).status,
    ).toBe(200);
    const records = await h.readEvents(2, from);
    const identify = records.find((r) => r.event.kind === 'identify')!;
    expect(payloadAs(identify.event, 'IdentifyPayload')).toMatchObject({
      email: 'jon@example.com',
      country: 'US',
      region: 'US-CA',
      consent: { email_marketing: true, sms_marketing: false },
    });
    const checkout = records.find((r) => r.event.type === 'Checkout Started')!;
    expect(checkout.event.id).toBe('chk:acme:123123123:started');
  });

  it('WooCommerce: order.updated → Completed, Refunded (partial), Updated; a bad body is 400', async () => {
    const from = (await h.mark()).events;
    const res = await woo('order.updated', fixture('woocommerce/order-updated.json'));
    expect(await res.json()).toMatchObject({ received: 3, published: 3 });
    const records = await h.readEvents(3, from);
    expect(records.map((r) => r.event.id).sort()).toEqual([
      'ord:woo:727:completed',
      'ord:woo:727:refunded:734',
      'ord:woo:727:updated:2024-05-06T09%3A00%3A00Z',
    ]);
    expect(
      records.every((r) => r.key === records[0]!.key && r.event.source === 'woocommerce:woo'),
    ).toBe(true);
    const ping = await fetch(`${h.url}/v1/webhooks/woocommerce/woo`, {
      method: 'POST',
      headers: { 'x-wc-webhook-signature': sign(WOO_SECRET, 'webhook_id=12') },
      body: 'webhook_id=12',
    });
    expect(ping.status).toBe(200);
    expect((await woo('order.created', '{"id": ')).status).toBe(400);
    // order.deleted names only the order: its owner comes from the order seen before.
    const deleted = await woo('order.deleted', '{"id":727}');
    expect(await deleted.json()).toMatchObject({ published: 1 });
    const all = await h.readEvents(4, from);
    const cancel = all.find((r) => r.event.type === 'Order Cancelled');
    expect(cancel?.event.id).toBe('ord:woo:727:cancelled');
    expect(cancel?.key).toBe(records[0]!.key);
  });
});

describe('one order, one event id, whichever path brings it', () => {
  it('tracking API, Shopify webhook and bulk import give the same Order Completed id', async () => {
    const from = (await h.mark()).events;
    const orderId = '6000000000001';
    const order = JSON.parse(fixture('shopify/orders-create.json')) as Record<string, unknown>;
    const webhook = await shopify(
      'orders/create',
      JSON.stringify({ ...order, id: Number(orderId) }),
    );
    expect(webhook.status).toBe(200);
    // The site's backend (source "backend", listed under store "acme") reports the same order.
    const api = await fetch(`${h.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basic(SERVER_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({
        event: 'Order Completed',
        userId: '7095713931513',
        messageId: 'ajs-random-1',
        properties: { order_id: orderId, total: 398, currency: 'USD' },
      }),
    });
    expect(api.status).toBe(200);
    const imported = await fetch(`${h.url}/v1/import/orders`, {
      method: 'POST',
      headers: { authorization: basic(SERVER_KEY), 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ order_id: orderId, customer_id: '7095713931513', total: 398, currency: 'USD', time: '2024-05-02T14:15:00Z' })}\n`,
    });
    // Ingest deduplicates per source on event ids: the import finding the API's claim proves
    // it derived the same id (a different id would have been published).
    expect(await imported.json()).toMatchObject({ records: 1, rejected: 0, duplicates: 1 });
    const records = await h.readEvents(2, from);
    expect(records.map((r) => r.event.source).sort()).toEqual(['backend', 'shopify:acme']);
    expect(new Set(records.map((r) => r.event.id))).toEqual(
      new Set([`ord:acme:${orderId}:completed`]),
    );
    expect(await h.countEvents(from)).toBe(2);
  });
});
