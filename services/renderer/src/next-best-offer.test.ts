import { describe, expect, it } from '@jest/globals';
import type { Product } from '@pulse/templates';
import { parseNextBestOffer, recommendWithOffer } from './next-best-offer';
import { offerData } from './render-data';

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
  p('hat', 'Apparel/Hats', 30),
  p('phone', 'Electronics/Phones', 80, ['case']),
  p('case', 'Accessories', 5),
  p('tote', 'Bags', 99),
];
const profile = {
  purchases: { products: ['phone'] },
  browsing: { categories: { 'Shoes/Boots': { lastSeenAt: NOW - 60_000 } } },
};

describe('parseNextBestOffer', () => {
  it('reads the object of the read API and the JSON text of change records', () => {
    const trait = { category: 'Apparel', productIds: ['hat'], discount: true };
    const expected = {
      category: 'Apparel',
      productIds: ['hat'],
      discount: true,
      discountPercent: null,
    };
    expect(parseNextBestOffer(trait)).toEqual(expected);
    expect(parseNextBestOffer(JSON.stringify(trait))).toEqual(expected);
  });

  it('takes a percentage as a discount and leaves out what offers nothing', () => {
    expect(parseNextBestOffer({ category: null, discount: 15 })).toMatchObject({
      discount: true,
      discountPercent: 15,
    });
    expect(parseNextBestOffer(undefined)).toBeNull();
    expect(parseNextBestOffer('not json')).toBeNull();
    expect(parseNextBestOffer({ category: null, productIds: [], discount: false })).toBeNull();
    expect(parseNextBestOffer([1, 2])).toBeNull();
  });

  it('gives templates the category in words', () => {
    const data = offerData({
      customerId: 'c',
      traits: { nextBestOffer: { category: 'Shoes/Running', productIds: [], discount: false } },
    });
    expect(data).toMatchObject({ category: 'Shoes/Running', categoryName: 'Running' });
    expect(offerData({ customerId: 'c', traits: {} })).toBeNull();
  });
});

describe('recommendWithOffer', () => {
  it('leads with the offered products, then the offered category, then the usual picks', () => {
    const recs = recommendWithOffer({
      catalog,
      profile,
      now: NOW,
      limit: 4,
      offer: { category: 'Apparel', productIds: ['socks'], discount: false, discountPercent: null },
    });
    expect(recs.map((r) => [r.id, r.reason])).toEqual([
      ['socks', 'offer'],
      ['hat', 'offer'],
      ['boot', 'viewed'],
      ['case', 'accessory'],
    ]);
  });

  it('never offers what was bought, is in the cart or unknown to the catalog', () => {
    const recs = recommendWithOffer({
      catalog,
      profile,
      now: NOW,
      limit: 3,
      exclude: ['hat'],
      offer: {
        category: 'Apparel',
        productIds: ['phone', 'gone', 'hat'],
        discount: true,
        discountPercent: null,
      },
    });
    expect(recs.map((r) => r.id)).toEqual(['socks', 'boot', 'case']);
  });

  it('without an offer is the current logic: browsing, co-purchases, popularity', () => {
    const co = new Map([['phone', ['tote']]]);
    const none = recommendWithOffer({ catalog, profile, now: NOW, offer: null, coPurchases: co });
    expect(none.map((r) => [r.id, r.reason])).toEqual([
      ['boot', 'viewed'],
      ['case', 'accessory'],
      ['tote', 'accessory'],
      ['shoe', 'popular'],
    ]);
  });
});
