import { wrapPayload, type ProductLine, type PulseEvent } from '@pulse/contracts';

/** Builders of events for tests and the benchmark (not used by the service itself). */
export function line(overrides: Partial<ProductLine> = {}): ProductLine {
  return {
    product_id: 'p-1',
    sku: null,
    name: 'Trail Runner',
    category: 'Shoes',
    brand: null,
    variant: null,
    price: 50,
    quantity: 1,
    currency: 'USD',
    url: null,
    image_url: null,
    ...overrides,
  };
}

let counter = 0;

export function baseEvent(overrides: Partial<PulseEvent>): PulseEvent {
  counter += 1;
  return {
    id: `evt-${counter}`,
    type: 'page',
    kind: 'page',
    source: 'test',
    occurredAt: Date.UTC(2025, 2, 10),
    receivedAt: Date.UTC(2025, 2, 10),
    userId: 'u1',
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
    payload: wrapPayload('CustomPayload', { properties: '{}' }),
    ...overrides,
  };
}

export function productEvent(
  type: string,
  product: ProductLine,
  overrides: Partial<PulseEvent> = {},
): PulseEvent {
  return baseEvent({
    type,
    kind: 'track',
    payload: wrapPayload('ProductPayload', {
      product,
      cart_id: null,
      wishlist_id: null,
      wishlist_name: null,
      extra: null,
    }),
    ...overrides,
  });
}

export function orderEvent(
  order: {
    order_id: string;
    total: number;
    currency?: string;
    discount?: number;
    products?: ProductLine[];
    /** JSON object text of properties outside the schema (e.g. `refund_id`). */
    extra?: string | null;
  },
  overrides: Partial<PulseEvent> = {},
): PulseEvent {
  return baseEvent({
    type: 'Order Completed',
    kind: 'track',
    payload: wrapPayload('OrderPayload', {
      order_id: order.order_id,
      checkout_id: null,
      cart_id: null,
      affiliation: null,
      total: order.total,
      subtotal: null,
      revenue: null,
      shipping: null,
      tax: null,
      discount: order.discount ?? null,
      coupon: null,
      currency: order.currency ?? 'USD',
      products: order.products ?? [line()],
      extra: order.extra ?? null,
    }),
    ...overrides,
  });
}

export function emailEvent(
  type: string,
  sendId: string,
  overrides: Partial<PulseEvent> = {},
  machine = false,
): PulseEvent {
  return baseEvent({
    type,
    kind: 'track',
    payload: wrapPayload('EmailPayload', {
      send_id: sendId,
      message_id: null,
      campaign_id: 'c1',
      variant: null,
      provider: 'test',
      provider_event_id: null,
      url: null,
      bounce_type: type === 'Email Bounced' ? 'hard' : null,
      reason: null,
      suspected_machine: machine,
    }),
    ...overrides,
  });
}

export function identifyEvent(
  traits: {
    email?: string;
    birthdate?: string;
    country?: string;
    first_name?: string;
    last_name?: string;
    phone?: string;
    postal_code?: string;
  },
  overrides: Partial<PulseEvent> = {},
): PulseEvent {
  return baseEvent({
    type: 'identify',
    kind: 'identify',
    payload: wrapPayload('IdentifyPayload', {
      email: traits.email ?? null,
      first_name: traits.first_name ?? null,
      last_name: traits.last_name ?? null,
      phone: traits.phone ?? null,
      birthdate: traits.birthdate ?? null,
      gender: null,
      country: traits.country ?? null,
      region: null,
      city: null,
      postal_code: traits.postal_code ?? null,
      income_band: null,
      locale: null,
      timezone: null,
      consent: null,
      extra: null,
    }),
    ...overrides,
  });
}

export function aliasEvent(
  previousId: string,
  userId: string,
  overrides: Partial<PulseEvent> = {},
): PulseEvent {
  return baseEvent({
    type: 'alias',
    kind: 'alias',
    userId,
    payload: wrapPayload('AliasPayload', { previous_id: previousId }),
    ...overrides,
  });
}

export function customEvent(type: string, overrides: Partial<PulseEvent> = {}): PulseEvent {
  return baseEvent({
    type,
    kind: 'track',
    payload: wrapPayload('CustomPayload', { properties: '{}' }),
    ...overrides,
  });
}

export function pageEvent(
  category: string | null,
  overrides: Partial<PulseEvent> = {},
): PulseEvent {
  return baseEvent({
    type: 'page',
    kind: 'page',
    payload: wrapPayload('PagePayload', {
      name: null,
      category,
      url: null,
      path: '/',
      referrer: null,
      title: null,
      search: null,
      time_on_page_ms: 1200,
      extra: null,
    }),
    ...overrides,
  });
}
