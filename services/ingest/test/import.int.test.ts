import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import { basic, BROWSER_KEY, SERVER_KEY, startHarness, type IngestHarness } from './harness';

let h: IngestHarness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.stop();
}, 60_000);

function upload(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(SERVER_KEY), ...headers },
    body,
  });
}

describe('bulk import', () => {
  it('imports CRM customers from CSV, reports bad lines, and publishes nothing on re-import', async () => {
    const from = await h.mark();
    const csv = [
      'customer_id,email,first_name,birthdate,gender,country,city,income_band,consent_email',
      'crm-1, Ada@Example.com ,Ada,1990-04-02,female,United Kingdom,London,high,yes',
      'crm-2,not-an-email,Bob,,,FR,Paris,,no',
      'crm-3,cy@example.com,Cy,,,DEU,"Berlin, Mitte",,',
    ].join('\n');
    const res = await upload('/v1/import/customers', csv, { 'content-type': 'text/csv' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      records: 3,
      published: 2,
      duplicates: 0,
      rejected: 1,
      errors: [{ line: 3, field: 'email', reason: 'is not an email address' }],
      errorsTruncated: false,
    });
    const records = await h.readEvents(2, from.events);
    const ada = records.find((r) => r.key === 'crm-1')!.event;
    expect(ada).toMatchObject({ kind: 'identify', email: 'ada@example.com', source: 'backend' });
    expect(payloadAs(ada, 'IdentifyPayload')).toMatchObject({
      country: 'GB',
      birthdate: '1990-04-02',
      income_band: 'high',
      consent: { email_marketing: true },
    });
    expect(payloadAs(records.find((r) => r.key === 'crm-3')!.event, 'IdentifyPayload')?.city).toBe(
      'Berlin, Mitte',
    );
    const [reject] = await h.readRejects(1, from.rejects);
    expect(reject?.problems[0]).toEqual({
      path: 'email',
      message: 'line 3: is not an email address',
    });

    const again = await upload('/v1/import/customers', csv, { 'content-type': 'text/csv' });
    expect(await again.json()).toMatchObject({ published: 0, duplicates: 2, rejected: 1 });
    expect(await h.countEvents(from.events)).toBe(2);
  });

  it('imports historical orders (gzipped NDJSON) as Order Completed at their original time', async () => {
    const from = (await h.mark()).events;
    const ndjson = [
      JSON.stringify({
        order_id: 'hist-1',
        customer_id: 'crm-1',
        time: '2023-11-24T09:30:00Z',
        currency: 'gbp',
        discount: 2,
        products: [{ product_id: 'sku-1', category: 'Shoes', price: 30, quantity: 1 }],
      }),
      '{"order_id": "hist-2", ',
      JSON.stringify({
        order_id: 'hist-3',
        customer_id: 'crm-3',
        time: '2024-01-02T12:00:00Z',
        products: [{ product_id: 'sku-2', price: -1, quantity: 1 }],
      }),
    ].join('\n');
    const headers = { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' };
    const res = await upload('/v1/import/orders', gzipSync(ndjson), headers);
    const report = (await res.json()) as { published: number; errors: unknown[] };
    expect(report).toMatchObject({ records: 3, published: 1, rejected: 2 });
    expect(report.errors).toEqual([
      expect.objectContaining({ line: 2, field: '' }),
      { line: 3, field: 'products.0.price', reason: 'must be ≥ 0' },
    ]);
    const [record] = await h.readEvents(1, from);
    expect(record).toMatchObject({
      key: 'crm-1',
      event: {
        id: 'ord:demo-shop:hist-1:completed',
        type: 'Order Completed',
        occurredAt: Date.parse('2023-11-24T09:30:00Z'),
      },
    });
    expect(payloadAs(record!.event, 'OrderPayload')).toMatchObject({
      total: 28,
      currency: 'GBP',
      products: [expect.objectContaining({ product_id: 'sku-1', category: 'Shoes' })],
    });
  });

  it('groups CSV order lines into one order per order_id', async () => {
    const from = (await h.mark()).events;
    const csv = [
      'order_id,customer_id,time,currency,product_id,price,quantity',
      'csv-o1,crm-2,2024-02-01T08:00:00Z,EUR,a,10,2',
      'csv-o1,crm-2,2024-02-01T08:00:00Z,EUR,b,5,1',
    ].join('\r\n');
    const res = await upload('/v1/import/orders?format=csv', csv);
    expect(await res.json()).toMatchObject({ records: 1, published: 1, rejected: 0 });
    const [record] = await h.readEvents(1, from);
    expect(payloadAs(record!.event, 'OrderPayload')).toMatchObject({
      order_id: 'csv-o1',
      total: 25,
      products: [
        expect.objectContaining({ product_id: 'a', quantity: 2 }),
        expect.objectContaining({ product_id: 'b', quantity: 1 }),
      ],
    });
  });

  it('needs a server writeKey', async () => {
    const from = (await h.mark()).events;
    const browser = await upload('/v1/import/orders', '{}', { authorization: basic(BROWSER_KEY) });
    expect(browser.status).toBe(403);
    const none = await upload('/v1/import/customers', '{}', { authorization: '' });
    expect(none.status).toBe(401);
    expect(await h.countEvents(from)).toBe(0);
  });
});
