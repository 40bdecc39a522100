import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { mapShopify } from './shopify';
import { keptOwner, verifyBase64Hmac, type StoreMapping } from './store-calls';
import { mapWooCommerce } from './woocommerce';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');
const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as unknown;

function calls(mapping: StoreMapping) {
  if (!mapping.ok) throw new Error(`mapping failed: ${mapping.field} ${mapping.reason}`);
  return mapping.calls;
}

describe('verifyBase64Hmac', () => {
  const body = Buffer.from('{"id":1}');
  const signed = createHmac('sha256', 'shh').update(body).digest('base64');
  it('accepts the base64 HMAC-SHA256 of the raw body', () => {
    expect(verifyBase64Hmac('shh', body, signed)).toBe(true);
  });
  it('refuses another secret, another body, a truncated or garbled signature', () => {
    expect(verifyBase64Hmac('other', body, signed)).toBe(false);
    expect(verifyBase64Hmac('shh', Buffer.from('{"id":2}'), signed)).toBe(false);
    expect(verifyBase64Hmac('shh', body, signed.slice(0, 20))).toBe(false);
    expect(verifyBase64Hmac('shh', body, 'not base64 at all')).toBe(false);
  });
});

describe('Shopify mapping', () => {
  it('orders/create → Order Completed with products, total, currency, discount, owner', () => {
    const [call] = calls(mapShopify('orders/create', fixture('shopify/orders-create.json'), 's'));
    expect(call?.order).toEqual({
      id: '5893224177913',
      owner: { userId: '7095713931513', email: 'Jon@Example.com' },
    });
    expect(call?.message).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: '7095713931513',
      timestamp: '2024-05-02T10:15:00-04:00',
      properties: {
        order_id: '5893224177913',
        total: 398,
        subtotal: 388,
        shipping: 20,
        discount: 10,
        coupon: 'SPRING10',
        currency: 'USD',
        order_number: '#9999',
      },
    });
    const products = (call?.message.properties as { products: unknown[] }).products;
    expect(products).toEqual([
      expect.objectContaining({
        product_id: '632910392',
        sku: 'IPOD2008PINK',
        price: 199,
        quantity: 1,
        variant: 'Pink',
        brand: 'Apple',
      }),
      expect.objectContaining({ sku: 'IPOD2008RED', price: 199, quantity: 1 }),
    ]);
  });

  it('orders/updated is versioned by updated_at; orders/cancelled carries the reason', () => {
    const order = {
      ...(fixture('shopify/orders-create.json') as object),
      cancel_reason: 'customer',
      cancelled_at: '2024-05-03T08:00:00Z',
    };
    const [updated] = calls(mapShopify('orders/updated', order, 's'));
    expect(updated?.message).toMatchObject({
      event: 'Order Updated',
      properties: { updated_at: '2024-05-02T10:15:02-04:00' },
    });
    const [cancelled] = calls(mapShopify('orders/cancelled', order, 's'));
    expect(cancelled?.message).toMatchObject({
      event: 'Order Cancelled',
      timestamp: '2024-05-03T08:00:00Z',
      properties: { order_id: '5893224177913', reason: 'customer' },
    });
  });

  it('refunds/create → Order Refunded with the refunded amount (partial), no owner', () => {
    const [call] = calls(mapShopify('refunds/create', fixture('shopify/refunds-create.json'), 's'));
    expect(call?.order).toEqual({ id: '5893224177913' });
    expect(call?.message).toMatchObject({
      event: 'Order Refunded',
      properties: {
        order_id: '5893224177913',
        refund_id: '929361465',
        total: 149,
        currency: 'USD',
        reason: 'wrong colour',
      },
    });
    expect(call?.message.userId).toBeUndefined();
  });

  it('a refund without transactions is worth its lines; a restock-only refund is ignored', () => {
    const refund = fixture('shopify/refunds-create.json') as Record<string, unknown>;
    const [lines] = calls(mapShopify('refunds/create', { ...refund, transactions: [] }, 's'));
    expect(lines?.message).toMatchObject({ properties: { total: 199 } });
    const restock = mapShopify(
      'refunds/create',
      { ...refund, transactions: [], refund_line_items: [] },
      's',
    );
    expect(restock).toEqual({ ok: true, calls: [], ignored: 1 });
  });

  it('checkouts → Checkout Started; one without a buyer yet is ignored', () => {
    const checkout = fixture('shopify/checkouts-create.json') as Record<string, unknown>;
    const [call] = calls(mapShopify('checkouts/update', checkout, 's'));
    expect(call?.message).toMatchObject({
      event: 'Checkout Started',
      properties: { checkout_id: '123123123', total: 398 },
    });
    expect(
      mapShopify('checkouts/create', { ...checkout, email: null, customer: null }, 's'),
    ).toMatchObject({ calls: [], ignored: 1 });
  });

  it('customers/update → identify with traits, region and consent', () => {
    const [call] = calls(
      mapShopify('customers/update', fixture('shopify/customers-update.json'), 'acme'),
    );
    expect(call?.message).toMatchObject({
      type: 'identify',
      userId: '7095713931513',
      messageId: 'shopify:acme:customer:7095713931513:2024-05-05T08:30:00-04:00',
      traits: {
        email: 'jon@example.com',
        first_name: 'Jon',
        country: 'US',
        region: 'CA',
        postal_code: '94103',
        consent: { email_marketing: true, sms_marketing: false },
      },
    });
  });

  it('names a missing order id; ignores other topics', () => {
    expect(mapShopify('orders/create', { email: 'a@b.co' }, 's')).toMatchObject({
      ok: false,
      field: 'id',
    });
    expect(mapShopify('products/update', { id: 1 }, 's')).toEqual({
      ok: true,
      calls: [],
      ignored: 1,
    });
    expect(mapShopify('orders/create', [1], 's')).toMatchObject({ ok: false });
  });
});

describe('WooCommerce mapping', () => {
  it('order.updated (processing, one refund) → Completed, Refunded, Updated', () => {
    const result = calls(
      mapWooCommerce('order.updated', fixture('woocommerce/order-updated.json'), 'w'),
    );
    expect(result.map((c) => c.message.event)).toEqual([
      'Order Completed',
      'Order Refunded',
      'Order Updated',
    ]);
    const [completed, refunded, updated] = result;
    expect(completed?.order).toEqual({
      id: '727',
      owner: { userId: '26', email: 'marie@example.org' },
    });
    expect(completed?.message).toMatchObject({
      timestamp: '2024-05-02T14:29:02Z',
      properties: {
        order_id: '727',
        total: 35.35,
        discount: 5,
        coupon: 'welcome5',
        currency: 'EUR',
      },
    });
    expect(refunded?.message).toMatchObject({
      properties: { order_id: '727', refund_id: '734', total: 10, currency: 'EUR' },
    });
    expect(updated?.message).toMatchObject({ properties: { updated_at: '2024-05-06T09:00:00Z' } });
  });

  it('cancelled → also Order Cancelled; pending → Checkout Started; failed → ignored', () => {
    const order = fixture('woocommerce/order-updated.json') as Record<string, unknown>;
    const cancelled = calls(
      mapWooCommerce('order.created', { ...order, status: 'cancelled', refunds: [] }, 'w'),
    );
    expect(cancelled.map((c) => c.message.event)).toEqual(['Order Completed', 'Order Cancelled']);
    const pending = calls(
      mapWooCommerce('order.created', { ...order, status: 'pending', refunds: [] }, 'w'),
    );
    expect(pending.map((c) => c.message)).toEqual([
      expect.objectContaining({
        event: 'Checkout Started',
        properties: expect.objectContaining({ checkout_id: '727' }),
      }),
    ]);
    expect(
      mapWooCommerce('order.created', { ...order, status: 'failed', refunds: [] }, 'w'),
    ).toMatchObject({ calls: [], ignored: 1 });
  });

  it('order.deleted → Order Cancelled waiting for its owner', () => {
    expect(calls(mapWooCommerce('order.deleted', { id: 727 }, 'w'))).toEqual([
      {
        message: {
          type: 'track',
          event: 'Order Cancelled',
          properties: { order_id: '727', reason: 'deleted' },
        },
        order: { id: '727' },
      },
    ]);
  });

  it('customer.created → identify', () => {
    const [call] = calls(
      mapWooCommerce('customer.created', fixture('woocommerce/customer-created.json'), 'w'),
    );
    expect(call?.message).toMatchObject({
      type: 'identify',
      userId: '26',
      timestamp: '2024-04-30T08:00:00Z',
      traits: { email: 'marie@example.org', country: 'FR', city: 'Paris', postal_code: '75005' },
    });
  });
});

describe('keptOwner', () => {
  it('keeps only the id that keys the customer: the customer id, else a guest’s email', () => {
    expect(keptOwner({ userId: '7', email: 'a@b.c' })).toEqual({ userId: '7' });
    expect(keptOwner({ email: 'a@b.c' })).toEqual({ email: 'a@b.c' });
    expect(keptOwner({ anonymousId: 'x', email: 'a@b.c' })).toEqual({ anonymousId: 'x' });
  });
});
