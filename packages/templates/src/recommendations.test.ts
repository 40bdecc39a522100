import { describe, expect, it } from '@jest/globals';
import type { Product } from './catalog';
import { parseCatalog } from './catalog';
import { recommend } from './recommendations';

const NOW = 1_750_000_000_000;
const p = (id: string, category: string, popularity: number, related: string[] = []): Product => ({
  id,
  name: id,
  category,
  price: 10,
  currency: 'USD',
  image: null,
  url: null,
  related,
  popularity,
});
const catalog = [
  p('shoe', 'Shoes/Running', 90, ['socks']),
  p('boot', 'Shoes/Boots', 60),
  p('socks', 'Apparel/Socks', 10),
  p('phone', 'Electronics/Phones', 80, ['case']),
  p('case', 'Accessories', 5),
  p('tote', 'Bags', 99),
];

describe('recommend', () => {
  it('orders viewed categories, accessories of purchases, affinity, then popularity, excluding bought and cart', () => {
    const recs = recommend({
      catalog,
      now: NOW,
      limit: 5,
      profile: {
        purchases: { products: ['phone'] },
        cart: { lines: [{ productId: 'tote' }] },
        browsing: { categories: { 'Shoes/Boots': { lastSeenAt: NOW - 60_000 } } },
        derived: {
          productsViewedLast24h: ['shoe'],
          categoryAffinity: [{ category: 'Apparel', score: 2 }],
        },
      },
    });
    expect(recs.map((r) => [r.id, r.reason])).toEqual([
      ['shoe', 'viewed'],
      ['boot', 'viewed'],
      ['case', 'accessory'],
      ['socks', 'affinity'],
    ]);
  });

  it('falls back to popularity for an empty profile and uses co-purchases', () => {
    expect(recommend({ catalog, now: NOW, profile: {}, limit: 2 }).map((r) => r.id)).toEqual([
      'tote',
      'shoe',
    ]);
    const co = new Map([['boot', ['socks']]]);
    expect(
      recommend({
        catalog,
        now: NOW,
        profile: { purchases: { products: ['boot'] } },
        coPurchases: co,
        limit: 1,
      })[0]?.id,
    ).toBe('socks');
  });

  it('parses catalog files with positioned problems', () => {
    expect(
      parseCatalog('c.yaml', 'products:\n  - { id: a, name: A, category: X, price: 1 }\n')
        .products[0]?.currency,
    ).toBe('USD');
    expect(
      parseCatalog('c.yaml', 'products:\n  - { id: a, name: A, category: X, price: cheap }\n')
        .problems[0],
    ).toMatchObject({ file: 'c.yaml', line: 2, message: 'price must be a number' });
  });
});
