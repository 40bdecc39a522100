import {
  wrapPayload,
  type IdentifyPayload,
  type PayloadName,
  type ProductLine,
  type PulseEventPayload,
} from '@pulse/contracts';
import {
  extraJson,
  normalizeCountry,
  normalizeCurrency,
  normalizeDate,
  normalizeEmail,
  num,
  text,
} from './fields';
import type { CategorySynonyms } from './categories';
import { invalid, ok, outlier, type Result } from './problems';
import { regionCode } from './regions';
import type { SegmentMessage } from './segment-schema';

type Props = Readonly<Record<string, unknown>>;

export interface PayloadOptions {
  maxOrderTotal: number;
  /** Product categories are mapped to their canonical names (config/categories.yaml). */
  categories: CategorySynonyms;
}

const PRODUCT_KEYS = [
  'product_id',
  'sku',
  'name',
  'category',
  'brand',
  'variant',
  'price',
  'quantity',
  'currency',
  'url',
  'image_url',
] as const;
const PRODUCT_EVENT_KEYS = new Set<string>([
  ...PRODUCT_KEYS,
  'cart_id',
  'wishlist_id',
  'wishlist_name',
]);
const CART_KEYS = new Set(['cart_id', 'products', 'value', 'currency']);
const ORDER_AMOUNTS = ['total', 'subtotal', 'revenue', 'shipping', 'tax', 'discount'] as const;
const ORDER_TEXTS = ['order_id', 'checkout_id', 'cart_id', 'affiliation', 'coupon'] as const;
const ORDER_KEYS = new Set<string>([...ORDER_AMOUNTS, ...ORDER_TEXTS, 'currency', 'products']);
const PAGE_KEYS = new Set(['url', 'path', 'referrer', 'title', 'search', 'time_on_page_ms']);

function productLine(p: Props, field: string, categories: CategorySynonyms): Result<ProductLine> {
  const currency = normalizeCurrency(p.currency, `${field}.currency`);
  if (!currency.ok) return currency;
  return ok({
    product_id: text(p.product_id),
    sku: text(p.sku),
    name: text(p.name),
    category: canonicalCategory(text(p.category), categories),
    brand: text(p.brand),
    variant: text(p.variant),
    price: num(p.price),
    quantity: num(p.quantity),
    currency: currency.value,
    url: text(p.url),
    image_url: text(p.image_url),
  });
}

function canonicalCategory(value: string | null, categories: CategorySynonyms): string | null {
  return value === null ? null : categories.canonical(value) || null;
}

function productLines(
  value: unknown,
  field: string,
  categories: CategorySynonyms,
): Result<ProductLine[]> {
  if (!Array.isArray(value)) return ok([]);
  const lines: ProductLine[] = [];
  for (const [i, item] of value.entries()) {
    const line = productLine(item as Props, `${field}.${i}`, categories);
    if (!line.ok) return line;
    lines.push(line.value);
  }
  return ok(lines);
}

function orderPayload(p: Props, options: PayloadOptions): Result<PulseEventPayload> {
  const currency = normalizeCurrency(p.currency, 'properties.currency');
  if (!currency.ok) return currency;
  const products = productLines(p.products, 'properties.products', options.categories);
  if (!products.ok) return products;
  for (const key of ['total', 'revenue'] as const) {
    const value = num(p[key]);
    if (value !== null && value > options.maxOrderTotal) {
      return outlier(`properties.${key}`, `exceeds the cap of ${options.maxOrderTotal}`);
    }
  }
  return ok(
    wrapPayload('OrderPayload', {
      order_id: text(p.order_id),
      checkout_id: text(p.checkout_id),
      cart_id: text(p.cart_id),
      affiliation: text(p.affiliation),
      total: num(p.total),
      subtotal: num(p.subtotal),
      revenue: num(p.revenue),
      shipping: num(p.shipping),
      tax: num(p.tax),
      discount: num(p.discount),
      coupon: text(p.coupon),
      currency: currency.value,
      products: products.value,
      extra: extraJson(p, ORDER_KEYS),
    }),
  );
}

const TRAIT_KEYS = new Set([
  'email',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'phone',
  'birthday',
  'birthdate',
  'age',
  'gender',
  'country',
  'region',
  'state',
  'city',
  'postalCode',
  'postal_code',
  'address',
  'income_band',
  'incomeBand',
  'locale',
  'timezone',
  'consent',
]);

function consent(value: unknown): IdentifyPayload['consent'] {
  if (value === null || typeof value !== 'object') return null;
  const c = value as Props;
  const flag = (v: unknown) => (typeof v === 'boolean' ? v : null);
  return {
    email_marketing: flag(c.email_marketing ?? c.emailMarketing),
    sms_marketing: flag(c.sms_marketing ?? c.smsMarketing),
    personalization: flag(c.personalization),
  };
}

/** The ISO 3166-2 code ("US-CA") when the data set knows the region, else the text as sent. */
function isoRegion(region: string | null, country: string | null): string | null {
  return region === null ? null : (regionCode(region, country) ?? region.trim());
}

function identifyPayload(t: Props): Result<PulseEventPayload> {
  const address = (t.address && typeof t.address === 'object' ? t.address : {}) as Props;
  const email = normalizeEmail(t.email, 'traits.email');
  if (!email.ok) return email;
  const country = normalizeCountry(t.country ?? address.country, 'traits.country');
  if (!country.ok) return country;
  const birthdate = normalizeDate(t.birthdate ?? t.birthday, 'traits.birthday');
  if (!birthdate.ok) return birthdate;
  return ok(
    wrapPayload('IdentifyPayload', {
      email: email.value,
      first_name: text(t.first_name ?? t.firstName),
      last_name: text(t.last_name ?? t.lastName),
      phone: text(t.phone),
      birthdate: birthdate.value,
      gender: text(t.gender),
      country: country.value,
      region: isoRegion(
        text(t.region ?? t.state ?? address.state ?? address.region),
        country.value,
      ),
      city: text(t.city ?? address.city),
      postal_code: text(t.postal_code ?? t.postalCode ?? address.postal_code ?? address.postalCode),
      income_band: text(t.income_band ?? t.incomeBand),
      locale: text(t.locale),
      timezone: text(t.timezone),
      consent: consent(t.consent),
      extra: extraJson(t, TRAIT_KEYS),
    }),
  );
}

function trackPayload(
  name: PayloadName,
  p: Props,
  options: PayloadOptions,
): Result<PulseEventPayload> {
  switch (name) {
    case 'ProductPayload': {
      const product = productLine(p, 'properties', options.categories);
      if (!product.ok) return product;
      return ok(
        wrapPayload('ProductPayload', {
          product: product.value,
          cart_id: text(p.cart_id),
          wishlist_id: text(p.wishlist_id),
          wishlist_name: text(p.wishlist_name),
          extra: extraJson(p, PRODUCT_EVENT_KEYS),
        }),
      );
    }
    case 'CartPayload': {
      const currency = normalizeCurrency(p.currency, 'properties.currency');
      if (!currency.ok) return currency;
      const products = productLines(p.products, 'properties.products', options.categories);
      if (!products.ok) return products;
      return ok(
        wrapPayload('CartPayload', {
          cart_id: text(p.cart_id),
          products: products.value,
          value: num(p.value),
          currency: currency.value,
          extra: extraJson(p, CART_KEYS),
        }),
      );
    }
    case 'OrderPayload':
      return orderPayload(p, options);
    case 'EmailPayload':
      return ok(
        wrapPayload('EmailPayload', {
          send_id: text(p.send_id),
          message_id: text(p.message_id),
          campaign_id: text(p.campaign_id),
          variant: text(p.variant),
          provider: text(p.provider) ?? 'segment',
          provider_event_id: text(p.provider_event_id),
          url: text(p.url),
          bounce_type: p.bounce_type === 'hard' || p.bounce_type === 'soft' ? p.bounce_type : null,
          reason: text(p.reason),
          suspected_machine: null,
        }),
      );
    case 'CustomPayload':
      return ok(wrapPayload('CustomPayload', { properties: JSON.stringify(p) }));
    default:
      return invalid('event', `cannot be sent to the tracking API`);
  }
}

/** Builds the typed payload the event catalogue assigns to the message's kind and type. */
export function buildPayload(
  message: SegmentMessage,
  name: PayloadName,
  options: PayloadOptions,
): Result<PulseEventPayload> {
  switch (message.type) {
    case 'track':
      return trackPayload(name, message.properties ?? {}, options);
    case 'identify':
      return identifyPayload(message.traits ?? {});
    case 'page':
    case 'screen': {
      const p: Props = message.properties ?? {};
      return ok(
        wrapPayload('PagePayload', {
          name: text(message.name ?? p.name),
          category: text(message.category ?? p.category),
          url: text(p.url),
          path: text(p.path),
          referrer: text(p.referrer),
          title: text(p.title),
          search: text(p.search),
          time_on_page_ms: num(p.time_on_page_ms),
          extra: extraJson(p, new Set([...PAGE_KEYS, 'name', 'category'])),
        }),
      );
    }
    case 'group':
      return ok(
        wrapPayload('GroupPayload', {
          group_id: message.groupId,
          name: text(message.traits?.name),
          traits: message.traits ? JSON.stringify(message.traits) : null,
        }),
      );
    case 'alias':
      return ok(wrapPayload('AliasPayload', { previous_id: message.previousId }));
  }
}
