import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { customerMessage, orderMessage, rowProblem, type ImportRow } from './import-rows';
import { csvRows, groupOrders, importFormat, ndjsonRows } from './import-stream';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('import parsing', () => {
  it('reads CSV with quoted fields and reports a broken record by line, going on', async () => {
    const csv =
      'customer_id,email,city\n' +
      'c1,a@example.com,"Paris, 1er"\n' +
      'c2,b@example.com\n' +
      'c3,c@example.com,Lyon\n';
    const rows = await collect(csvRows(Readable.from([csv])));
    expect(rows).toEqual([
      { line: 2, record: { customer_id: 'c1', email: 'a@example.com', city: 'Paris, 1er' } },
      expect.objectContaining({ line: 3, error: expect.stringMatching(/column/i) }),
      { line: 4, record: { customer_id: 'c3', email: 'c@example.com', city: 'Lyon' } },
    ]);
  });

  it('reads NDJSON, naming the line of bad JSON', async () => {
    const rows = await collect(ndjsonRows(Readable.from(['{"a":1}\n', '\n{"b"\n[1]\n'])));
    expect(rows).toEqual([
      { line: 1, record: { a: 1 } },
      expect.objectContaining({ line: 3, error: expect.stringMatching(/invalid JSON/) }),
      { line: 4, error: 'must be a JSON object' },
    ]);
  });

  it('groups consecutive CSV rows of one order', async () => {
    const rows: ImportRow[] = [
      { line: 2, record: { order_id: 'o1' } },
      { line: 3, record: { order_id: 'o1' } },
      { line: 4, record: { order_id: 'o2' } },
    ];
    const groups = await collect(groupOrders(Readable.from(rows)));
    expect(groups.map((g) => (Array.isArray(g) ? g.map((r) => r.line) : g))).toEqual([[2, 3], [4]]);
  });

  it('picks the format from ?format, then the content type', () => {
    expect(importFormat('csv', 'application/json')).toBe('csv');
    expect(importFormat(undefined, 'text/csv; charset=utf-8')).toBe('csv');
    expect(importFormat(undefined, 'application/x-ndjson')).toBe('ndjson');
  });
});

describe('import rows to calls', () => {
  it('turns a CSV customer into an identify with typed traits and a content-derived id', () => {
    const row = {
      line: 2,
      record: {
        customer_id: 'c1',
        email: 'A@x.com',
        age: '34',
        consent_email: 'yes',
        country: 'France',
      },
    };
    const { message } = customerMessage(row);
    expect(message).toMatchObject({
      type: 'identify',
      userId: 'c1',
      traits: { email: 'A@x.com', age: 34, country: 'France', consent: { email_marketing: true } },
    });
    expect(customerMessage(row).message.messageId).toBe(message.messageId);
    const changed = customerMessage({ ...row, record: { ...row.record, city: 'Nice' } });
    expect(changed.message.messageId).not.toBe(message.messageId);
  });

  it('turns CSV order lines into one Order Completed at its own time, total computed', () => {
    const base = {
      order_id: 'o1',
      customer_id: 'c1',
      time: '2024-05-01T10:00:00Z',
      currency: 'eur',
      discount: '5',
    };
    const { message } = orderMessage([
      {
        line: 2,
        record: { ...base, product_id: 'p1', category: 'shoes', price: '40', quantity: '2' },
      },
      { line: 3, record: { ...base, product_id: 'p2', price: '10', quantity: '1' } },
    ]);
    expect(message).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      messageId: 'import-order-o1',
      userId: 'c1',
      timestamp: '2024-05-01T10:00:00Z',
      properties: {
        order_id: 'o1',
        total: 85,
        discount: 5,
        products: [
          { product_id: 'p1', category: 'shoes', price: 40, quantity: 2 },
          { product_id: 'p2', price: 10, quantity: 1 },
        ],
      },
    });
  });

  it('names problems as the file names them: column and line', () => {
    const problem = {
      code: 'invalid_field' as const,
      field: 'properties.products.1.price',
      reason: 'must be ≥ 0',
    };
    expect(rowProblem('orders', 10, problem, true)).toMatchObject({ line: 11, field: 'price' });
    expect(rowProblem('orders', 10, problem, false)).toMatchObject({
      line: 10,
      field: 'products.1.price',
    });
    expect(
      rowProblem(
        'customers',
        4,
        { code: 'invalid_field', field: 'traits.email', reason: 'x' },
        true,
      ),
    ).toMatchObject({ line: 4, field: 'email' });
  });
});
