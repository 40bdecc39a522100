import type { Product } from './catalog';
import type { Customer, Persona } from './customers';
import type { Rng } from './rng';

/** One Segment call the demo makes, `at` ms after the live part starts (history goes first). */
export interface Step {
  at: number;
  /** Which write key sends it: the page's (browser) or the shop backend's (server). */
  source: 'browser' | 'server';
  /** Sent as a pixel GET instead of through the Segment client (pages that run no script). */
  pixel?: boolean;
  call: 'identify' | 'page' | 'track';
  message: Record<string, unknown>;
}

const DAY = 86_400_000;

function productProps(p: Product, quantity?: number): Record<string, unknown> {
  return {
    product_id: p.id,
    sku: `${p.id}-std`,
    name: p.name,
    category: p.category,
    price: p.price,
    currency: p.currency,
    url: p.url,
    ...(p.image ? { image_url: p.image } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
  };
}

function order(
  c: Customer,
  lines: readonly { product: Product; quantity: number }[],
  orderId: string,
  timestamp: Date | undefined,
  coupon: string | undefined,
): Step['message'] {
  const subtotal = lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
  const discount = coupon ? Math.round(subtotal * 0.15 * 100) / 100 : 0;
  const total = Math.round((subtotal - discount) * 100) / 100;
  return {
    userId: c.userId,
    event: 'Order Completed',
    ...(timestamp ? { timestamp } : {}),
    properties: {
      order_id: orderId,
      total,
      revenue: total,
      subtotal,
      discount,
      ...(coupon ? { coupon } : {}),
      currency: 'USD',
      products: lines.map((l) => productProps(l.product, l.quantity)),
    },
  };
}

/** Past orders by persona: [how many, oldest day, newest day] before now. */
const HISTORY: Record<Persona, readonly [number, number, number]> = {
  frequent: [6, 150, 2],
  casual: [2, 60, 10],
  lapsed: [2, 300, 120],
  browser: [0, 0, 0],
  'deal-hunter': [3, 120, 5],
};

/**
 * A customer's story: identify, past orders (history, with their original timestamps), then a
 * live browsing session whose cart is bought or abandoned as the persona tends to.
 */
export function journey(
  rng: Rng,
  c: Customer,
  catalog: readonly Product[],
  now: number,
  liveWindowMs: number,
): Step[] {
  const steps: Step[] = [];
  steps.push({
    at: 0,
    source: 'server',
    call: 'identify',
    message: {
      userId: c.userId,
      anonymousId: c.anonymousId,
      traits: {
        email: c.email,
        firstName: c.firstName,
        lastName: c.lastName,
        gender: c.gender,
        birthday: c.birthday,
        address: { country: c.country, state: c.region, city: c.city },
        // Opted in at sign-up: most demo countries are opt-in regimes (config/consent.yaml).
        consent: { email_marketing: true },
      },
      context: { locale: c.locale, timezone: c.timezone },
    },
  });
  const [count, oldest, newest] = HISTORY[c.persona];
  for (let i = 0; i < count; i += 1) {
    const daysAgo = rng.int(newest, oldest);
    const first = rng.pick(catalog);
    const lines = [{ product: first, quantity: rng.int(1, 2) }];
    const related = catalog.find((p) => first.related.includes(p.id));
    if (related && rng.chance(0.4)) lines.push({ product: related, quantity: 1 });
    const coupon = c.persona === 'deal-hunter' || rng.chance(0.1) ? 'SAVE15' : undefined;
    const when = new Date(now - daysAgo * DAY - rng.int(0, DAY - 1));
    steps.push({
      at: 0,
      source: 'server',
      call: 'track',
      message: order(c, lines, `${c.userId}-o${i}`, when, coupon),
    });
  }
  if (c.persona === 'lapsed' && rng.chance(0.7)) return steps;

  // The live session: pages and products, time on page, a cart, then an order or silence.
  let at = rng.int(0, Math.floor(liveWindowMs * 0.4));
  const next = (min: number, max: number): number => (at += rng.int(min, max));
  const browse = rng.int(2, 5);
  const seen: Product[] = [];
  for (let i = 0; i < browse; i += 1) {
    const p = rng.pick(catalog);
    seen.push(p);
    steps.push({
      at: next(300, 1_500),
      source: 'browser',
      pixel: rng.chance(0.2),
      call: 'page',
      message: {
        anonymousId: c.anonymousId,
        userId: c.userId,
        name: p.name,
        properties: {
          path: new URL(p.url).pathname,
          url: p.url,
          title: p.name,
          time_on_page: rng.int(5, 180),
        },
        context: { locale: c.locale, timezone: c.timezone },
      },
    });
    steps.push({
      at: next(100, 600),
      source: 'browser',
      call: 'track',
      message: {
        anonymousId: c.anonymousId,
        userId: c.userId,
        event: 'Product Viewed',
        properties: productProps(p),
      },
    });
  }
  const wantsCart = c.persona !== 'browser' || rng.chance(0.5);
  if (!wantsCart) return steps;
  const cartId = `${c.userId}-cart`;
  const inCart = seen.slice(0, rng.int(1, Math.min(2, seen.length)));
  for (const p of inCart) {
    steps.push({
      at: next(300, 1_200),
      source: 'browser',
      call: 'track',
      message: {
        anonymousId: c.anonymousId,
        userId: c.userId,
        event: 'Product Added',
        properties: { ...productProps(p, 1), cart_id: cartId },
      },
    });
  }
  const buys =
    c.persona === 'frequent' ? rng.chance(0.8) : c.persona === 'casual' ? rng.chance(0.4) : false;
  if (!buys) return steps; // abandoned: the cart timer takes it from here
  const value = inCart.reduce((sum, p) => sum + p.price, 0);
  steps.push({
    at: next(500, 1_500),
    source: 'browser',
    call: 'track',
    message: {
      anonymousId: c.anonymousId,
      userId: c.userId,
      event: 'Checkout Started',
      properties: { value, currency: 'USD', products: inCart.map((p) => productProps(p, 1)) },
    },
  });
  steps.push({
    at: next(500, 2_000),
    source: 'server',
    call: 'track',
    message: order(
      c,
      inCart.map((product) => ({ product, quantity: 1 })),
      `${c.userId}-live`,
      undefined,
      undefined,
    ),
  });
  return steps;
}
