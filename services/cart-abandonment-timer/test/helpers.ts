import { wrapPayload } from '@pulse/contracts';
import type { ProductLine, PulseEvent } from '@pulse/contracts';

export function productLine(id: string, price = 25): ProductLine {
  return {
    product_id: id,
    sku: null,
    name: `Product ${id}`,
    category: null,
    brand: null,
    variant: null,
    price,
    quantity: 1,
    currency: 'USD',
    url: null,
    image_url: null,
  };
}

function envelope(type: string, userId: string, at: number): Omit<PulseEvent, 'payload'> {
  return {
    id: `${userId}-${type}-${at}`,
    type,
    kind: 'track',
    source: 'test',
    occurredAt: at,
    receivedAt: at,
    userId,
    anonymousId: null,
    email: null,
    context: {
      page: null,
      userAgent: null,
      ip: null,
      locale: null,
      timezone: null,
      campaign: null,
    },
  };
}

export function productAdded(userId: string, at: number, productId = 'p1'): PulseEvent {
  return {
    ...envelope('Product Added', userId, at),
    payload: wrapPayload('ProductPayload', {
      product: productLine(productId),
      cart_id: `cart-${userId}`,
      wishlist_id: null,
      wishlist_name: null,
      extra: null,
    }),
  };
}

export function orderCompleted(userId: string, at: number): PulseEvent {
  return {
    ...envelope('Order Completed', userId, at),
    payload: wrapPayload('OrderPayload', {
      order_id: `order-${userId}`,
      checkout_id: null,
      cart_id: `cart-${userId}`,
      affiliation: null,
      total: 25,
      subtotal: 25,
      revenue: 25,
      shipping: null,
      tax: null,
      discount: null,
      coupon: null,
      currency: 'USD',
      products: [],
      extra: null,
    }),
  };
}
