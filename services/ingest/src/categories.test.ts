import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { payloadAs } from '@pulse/contracts';
import {
  buildCategorySynonyms,
  categoryKey,
  loadCategorySynonyms,
  parseCategoryFile,
} from './categories';
import { acceptCall, type CallOptions } from './tracking';

const table = buildCategorySynonyms({
  'Shoes/Running': ['running shoes', 'trainers', 'Shoes > Runners'],
  Bags: ['backpack'],
  Jackets: null,
});

describe('categoryKey', () => {
  it('ignores case, spacing, -/_ and spaces around level separators', () => {
    expect(categoryKey('  Running_Shoes ')).toBe('running shoes');
    expect(categoryKey('running-  shoes')).toBe('running shoes');
    expect(categoryKey('Shoes >  Running')).toBe('shoes/running');
    expect(categoryKey('SHOES / running')).toBe('shoes/running');
  });
});

describe('buildCategorySynonyms', () => {
  it('maps synonyms and the canonical name in any spelling to the canonical name', () => {
    expect(table.canonical('Running Shoes')).toBe('Shoes/Running');
    expect(table.canonical(' TRAINERS ')).toBe('Shoes/Running');
    expect(table.canonical('shoes/runners')).toBe('Shoes/Running');
    expect(table.canonical('shoes > running')).toBe('Shoes/Running');
    expect(table.canonical('jackets')).toBe('Jackets');
    expect(table.size).toBe(3);
  });

  it('keeps unknown categories as sent, trimmed', () => {
    expect(table.canonical('  Garden Tools ')).toBe('Garden Tools');
  });

  it('refuses a synonym claimed by two canonicals and bad entries, listing every problem', () => {
    expect(() =>
      buildCategorySynonyms({ Shoes: ['sneakers'], 'Shoes/Running': ['Sneakers'], Bags: 'bag' }),
    ).toThrow(
      /"Sneakers" is a synonym of both "Shoes" and "Shoes\/Running"; "Bags" must list its synonyms/,
    );
    expect(() => buildCategorySynonyms(['Shoes'])).toThrow('"categories" must be a mapping');
  });
});

describe('the shipped config/categories.yaml', () => {
  const file = path.resolve(__dirname, '../../../config/categories.yaml');

  it('loads, and maps common synonyms to the catalog categories', () => {
    const shipped = loadCategorySynonyms(file);
    expect(shipped.size).toBeGreaterThan(5);
    expect(shipped.canonical('sneakers')).toBe('Shoes/Running');
    expect(shipped.canonical('Winter Boots')).toBe('Shoes/Boots');
    expect(parseCategoryFile(readFileSync(file, 'utf8'), file).canonical('socks')).toBe(
      'Apparel/Socks',
    );
  });

  it('names the file when it cannot be read or parsed', () => {
    expect(() => loadCategorySynonyms('/nonexistent/categories.yaml')).toThrow(
      'INGEST_CATEGORIES_FILE "/nonexistent/categories.yaml" cannot be read',
    );
    expect(() => parseCategoryFile('categories: [', 'x.yaml')).toThrow('x.yaml: not YAML');
  });
});

describe('normalization applies the table to product categories', () => {
  const options: CallOptions = {
    source: { id: 'backend', trust: 'server' },
    receivedAt: Date.parse('2026-03-01T12:00:00Z'),
    maxFutureSkewMs: 3_600_000,
    maxOrderTotal: 10_000,
    categories: table,
    newId: () => 'id-1',
  };

  it('in a product event and in every line of an order', () => {
    const viewed = acceptCall(
      {
        userId: 'u',
        event: 'Product Viewed',
        properties: { product_id: 'p', category: 'TRAINERS' },
      },
      'track',
      options,
    );
    if (!viewed.ok) throw new Error('refused');
    expect(payloadAs(viewed.accepted[0]!.event, 'ProductPayload')?.product.category).toBe(
      'Shoes/Running',
    );
    const order = acceptCall(
      {
        userId: 'u',
        event: 'Order Completed',
        properties: {
          order_id: 'o',
          products: [
            { product_id: 'a', category: 'back-pack' },
            { product_id: 'b', category: 'Backpack' },
            { product_id: 'c', category: 'Lamps' },
            { product_id: 'd', category: '' },
          ],
        },
      },
      'track',
      options,
    );
    if (!order.ok) throw new Error('refused');
    const lines = payloadAs(order.accepted[0]!.event, 'OrderPayload')?.products ?? [];
    expect(lines.map((l) => l.category)).toEqual(['back-pack', 'Bags', 'Lamps', null]);
  });
});
