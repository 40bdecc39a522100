import { describe, expect, it } from '@jest/globals';
import { checkAllowed } from './source-trust';
import { ANY, BUILT_IN_DEFAULTS, type AllowList } from './source-policy';
import type { SegmentMessage } from './segment-schema';
import type { Source } from './sources';

const browser: Source = { id: 'web', trust: 'browser' };
const server: Source = { id: 'backend', trust: 'server' };
const narrow: Source = {
  id: 'web',
  trust: 'browser',
  policy: {
    ...BUILT_IN_DEFAULTS.browser,
    events: { any: false, exact: new Set(['Product Viewed']), prefixes: ['Cart '] },
    traits: { any: false, exact: new Set(['first_name']), prefixes: [] },
  },
};
// Messages as the schema would produce them; only the fields the check reads matter.
const msg = (m: Record<string, unknown>) => m as unknown as SegmentMessage;

describe('checkAllowed', () => {
  it('keeps the hard rules whatever the policy: no orders, email events or email traits from browsers', () => {
    const open: Source = { ...browser, policy: { ...BUILT_IN_DEFAULTS.browser, events: ANY } };
    expect(checkAllowed(msg({ type: 'track', event: 'Order Refunded' }), open)).toMatchObject({
      code: 'type_not_allowed',
      field: 'event',
    });
    expect(checkAllowed(msg({ type: 'track', event: 'Email Unsubscribed' }), open)?.code).toBe(
      'type_not_allowed',
    );
    expect(checkAllowed(msg({ type: 'identify', traits: { email: 'a@b.c' } }), open)).toMatchObject(
      { code: 'field_not_allowed', field: 'traits.email' },
    );
    expect(
      checkAllowed(
        msg({ type: 'track', event: 'x', context: { traits: { email: 'a@b.c' } } }),
        open,
      ),
    ).toMatchObject({ field: 'context.traits.email' });
  });

  it('lets a server source send them, but nobody the internal Cart Abandoned', () => {
    expect(checkAllowed(msg({ type: 'track', event: 'Order Completed' }), server)).toBeUndefined();
    expect(
      checkAllowed(msg({ type: 'identify', traits: { email: 'a@b.c' } }), server),
    ).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Cart Abandoned' }), server)?.field).toBe(
      'event',
    );
  });

  it('applies the source’s allow-lists of events and traits', () => {
    expect(checkAllowed(msg({ type: 'track', event: 'Product Viewed' }), narrow)).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Cart Viewed' }), narrow)).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Coupon Entered' }), narrow)?.field).toBe(
      'event',
    );
    expect(
      checkAllowed(msg({ type: 'identify', traits: { first_name: 'A', phone: '1' } }), narrow),
    ).toMatchObject({ code: 'field_not_allowed', field: 'traits.phone' });
    expect(
      checkAllowed(msg({ type: 'identify', traits: { email: null } }), narrow),
    ).toBeUndefined();
  });
});

describe('property allow-lists', () => {
  const only = (...names: string[]): AllowList => ({
    any: false,
    exact: new Set(names.filter((n) => !n.endsWith('*'))),
    prefixes: names.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1)),
  });
  const web: Source = {
    id: 'web',
    trust: 'browser',
    policy: {
      ...BUILT_IN_DEFAULTS.browser,
      properties: {
        byEvent: new Map([['Product Viewed', only('product_id', 'name', 'price', 'category')]]),
        byPrefix: [
          { prefix: 'Product List ', list: only('list_id', 'products') },
          { prefix: 'Product ', list: only('product_id', 'quantity', 'cart_id') },
        ],
        other: only('label', 'utm_*'),
      },
    },
  };
  const track = (event: string, properties: Record<string, unknown>) =>
    checkAllowed(msg({ type: 'track', event, properties }), web);

  it('refuses a property the event’s list lacks, naming it', () => {
    expect(track('Product Viewed', { product_id: 'p1', price: 10, revenue: 9e5 })).toEqual({
      code: 'field_not_allowed',
      field: 'properties.revenue',
      reason: expect.stringContaining("'Product Viewed'"),
    });
    expect(track('Product Viewed', { product_id: 'p1', name: 'Shoe', price: 10 })).toBeUndefined();
  });

  it('takes the most specific entry: own name, else the longest prefix, else *', () => {
    // Product Viewed has its own entry: the broader Product * list does not add quantity to it.
    expect(track('Product Viewed', { quantity: 2 })?.field).toBe('properties.quantity');
    expect(track('Product Added', { product_id: 'p1', quantity: 2, cart_id: 'c' })).toBeUndefined();
    expect(track('Product List Viewed', { list_id: 'l', products: [] })).toBeUndefined();
    expect(track('Product List Viewed', { quantity: 1 })?.field).toBe('properties.quantity');
    expect(track('Signed Up', { label: 'x', utm_source: 'mail' })).toBeUndefined();
    expect(track('Signed Up', { total: 10 })?.field).toBe('properties.total');
  });

  it('lets null values and events without properties through', () => {
    expect(track('Product Viewed', { revenue: null })).toBeUndefined();
    expect(checkAllowed(msg({ type: 'track', event: 'Signed Up' }), web)).toBeUndefined();
  });

  it('closes events no entry covers when the rules have no *', () => {
    const strict: Source = {
      ...web,
      policy: {
        ...web.policy!,
        properties: { byEvent: new Map(), byPrefix: [], other: undefined },
      },
    };
    const call = msg({ type: 'track', event: 'Signed Up', properties: { method: 'email' } });
    expect(checkAllowed(call, strict)?.field).toBe('properties.method');
  });

  it('leaves page properties without a page entry, and sources without rules, alone', () => {
    const page = msg({ type: 'page', properties: { revenue: 1, path: '/' } });
    expect(checkAllowed(page, web)).toBeUndefined();
    const open = msg({ type: 'track', event: 'x', properties: { revenue: 1 } });
    expect(checkAllowed(open, browser)).toBeUndefined();
  });
});

describe('page, screen and products[] allow-lists', () => {
  const only = (...names: string[]): AllowList => ({
    any: false,
    exact: new Set(names),
    prefixes: [],
  });
  const web: Source = {
    id: 'web',
    trust: 'browser',
    policy: {
      ...BUILT_IN_DEFAULTS.browser,
      properties: {
        byEvent: new Map([['Cart Viewed', only('cart_id', 'products')]]),
        byPrefix: [],
        other: only('label'),
        byCall: { page: only('path', 'url', 'title', 'products') },
        productFields: only('product_id', 'quantity'),
      },
    },
  };
  const check = (m: Record<string, unknown>) => checkAllowed(msg(m), web);

  it('checks page properties against the page entry, naming the key', () => {
    expect(check({ type: 'page', properties: { path: '/', title: 'Home' } })).toBeUndefined();
    expect(check({ type: 'page', properties: { path: '/', revenue: 9e5 } })).toEqual({
      code: 'field_not_allowed',
      field: 'properties.revenue',
      reason: expect.stringContaining('page calls'),
    });
    expect(check({ type: 'page', properties: { revenue: null } })).toBeUndefined();
  });

  it('leaves a call without its entry open: * and patterns do not cover page or screen', () => {
    expect(check({ type: 'screen', properties: { revenue: 1 } })).toBeUndefined();
    // The track '*' entry (label only) is not applied to screens.
    expect(check({ type: 'screen', properties: { name: 'Home' } })).toBeUndefined();
  });

  it('checks the keys of each products[] entry on track and page calls', () => {
    const products = [
      { product_id: 'p1', quantity: 1 },
      { product_id: 'p2', price: 0.01 },
    ];
    expect(
      check({ type: 'track', event: 'Cart Viewed', properties: { cart_id: 'c', products } }),
    ).toMatchObject({ code: 'field_not_allowed', field: 'properties.products.1.price' });
    expect(check({ type: 'page', properties: { products } })?.field).toBe(
      'properties.products.1.price',
    );
    const fine = [{ product_id: 'p1', quantity: 2, price: null }];
    expect(
      check({ type: 'track', event: 'Cart Viewed', properties: { products: fine } }),
    ).toBeUndefined();
  });

  it('leaves products[] open when the rules have no products[] entry', () => {
    const open: Source = {
      ...web,
      policy: {
        ...web.policy!,
        properties: { ...web.policy!.properties, productFields: undefined },
      },
    };
    const call = { type: 'track', event: 'Cart Viewed', properties: { products: [{ price: 1 }] } };
    expect(checkAllowed(msg(call), open)).toBeUndefined();
  });
});
