import { describe, expect, it } from '@jest/globals';
import { mineCoPurchases } from './co-purchases';
import type { OrderLines } from './co-purchases';
import { recommend } from './recommendations';
import type { Product } from './catalog';

const order = (
  orderId: string,
  customerId: string | null,
  ...productIds: string[]
): OrderLines => ({
  orderId,
  customerId,
  productIds,
});

describe('mineCoPurchases', () => {
  it('pairs products bought by the same customer across orders, most shared customers first', () => {
    const mined = mineCoPurchases(
      [
        order('o1', 'ann', 'phone'),
        order('o2', 'ann', 'case', 'charger'), // a later order still pairs with the phone
        order('o3', 'bob', 'phone', 'case'),
        order('o4', 'cy', 'phone', 'case', 'cable'),
        order('o5', 'dee', 'phone', 'charger'),
        order('o6', 'eve', 'cable', 'charger'),
      ],
      { minSupport: 2 },
    );
    expect(mined.get('phone')).toEqual(['case', 'charger']); // case: ann, bob, cy; charger: ann, dee
    expect(mined.get('case')).toEqual(['phone']); // case+charger only ann, case+cable only cy
    expect(mined.get('cable')).toBeUndefined(); // cable's pairs each have one customer
    expect(mined.get('charger')).toEqual(['phone']);
  });

  it('counts a redelivered order once and keeps anonymous orders as their own baskets', () => {
    const mined = mineCoPurchases(
      [
        order('o1', 'ann', 'a', 'b'),
        order('o1', 'ann', 'a', 'b'),
        order('o2', null, 'a'),
        order('o3', null, 'b'),
        order('o4', null, 'a', 'b'),
      ],
      { minSupport: 2 },
    );
    expect(mined.get('a')).toEqual(['b']); // ann and the anonymous o4: two baskets
    expect(mineCoPurchases([order('o1', 'ann', 'a', 'b'), order('o1', 'ann', 'a', 'b')])).toEqual(
      new Map(),
    );
  });

  it('keeps the top companions per product (ties by id) and skips reseller-sized baskets', () => {
    const orders = ['u1', 'u2'].map((c, i) => order(`o${i}`, c, 'x', 'd', 'c', 'b', 'a'));
    expect(mineCoPurchases(orders, { perProduct: 2 }).get('x')).toEqual(['a', 'b']);
    expect(mineCoPurchases(orders, { maxBasket: 4 })).toEqual(new Map());
  });

  it('feeds recommend(): a co-purchase becomes an accessory of what was bought', () => {
    const product = (id: string, category: string, popularity: number): Product => ({
      id,
      name: id,
      category,
      price: 10,
      currency: 'USD',
      image: null,
      url: null,
      related: [],
      popularity,
    });
    const catalog = [
      product('phone', 'Phones', 1),
      product('case', 'Cases', 0),
      product('tv', 'TV', 9),
    ];
    const coPurchases = mineCoPurchases([
      order('o1', 'ann', 'phone', 'case'),
      order('o2', 'bob', 'phone', 'case'),
    ]);
    const recs = recommend({
      catalog,
      profile: { purchases: { products: ['phone'] } },
      now: 0,
      limit: 1,
      coPurchases,
    });
    expect(recs.map((r) => [r.id, r.reason])).toEqual([['case', 'accessory']]);
  });
});
