import { describe, expect, it } from '@jest/globals';
import { isOrderEventId, orderEventId, orderIdParts } from './order-ids';

describe('orderEventId', () => {
  it('derives one id per (system, order, kind)', () => {
    const completed = orderEventId(orderIdParts('shop', 'Order Completed', { order_id: 1001 }));
    expect(completed).toBe('ord:shop:1001:completed');
    expect(orderEventId(orderIdParts('shop', 'Order Completed', { order_id: '1001' }))).toBe(
      completed,
    );
    expect(orderEventId(orderIdParts('other', 'Order Completed', { order_id: '1001' }))).not.toBe(
      completed,
    );
    expect(orderEventId(orderIdParts('shop', 'Order Cancelled', { order_id: '1001' }))).toBe(
      'ord:shop:1001:cancelled',
    );
  });

  it('refunds need their refund id and updates their version', () => {
    expect(orderEventId(orderIdParts('s', 'Order Refunded', { order_id: '1', refund_id: 9 }))).toBe(
      'ord:s:1:refunded:9',
    );
    expect(orderEventId(orderIdParts('s', 'Order Refunded', { order_id: '1' }))).toBeUndefined();
    expect(
      orderEventId(
        orderIdParts('s', 'Order Updated', { order_id: '1', updated_at: '2024-05-01T00:00:00Z' }),
      ),
    ).toBe('ord:s:1:updated:2024-05-01T00%3A00%3A00Z');
    expect(orderEventId(orderIdParts('s', 'Order Updated', { order_id: '1' }))).toBeUndefined();
  });

  it('checkouts by checkout id; other events and missing ids get none', () => {
    expect(orderEventId(orderIdParts('s', 'Checkout Started', { checkout_id: 'tok' }))).toBe(
      'chk:s:tok:started',
    );
    expect(orderEventId(orderIdParts('s', 'Product Viewed', { order_id: '1' }))).toBeUndefined();
    expect(orderEventId(orderIdParts('s', 'Order Completed', {}))).toBeUndefined();
  });

  it('escapes separators so different parts never give one id', () => {
    const a = orderEventId(orderIdParts('a:b', 'Order Completed', { order_id: 'c' }));
    const b = orderEventId(orderIdParts('a', 'Order Completed', { order_id: 'b:c' }));
    expect(a).not.toBe(b);
    expect(isOrderEventId(a!)).toBe(true);
    expect(isOrderEventId('ajs-123')).toBe(false);
  });
});
