import type { HelperDelegate, HelperOptions } from 'handlebars';
import Handlebars from 'handlebars';

/** Root fields every render passes; helpers read the locale, time zone and currency from them. */
export interface RenderLocale {
  $locale: string;
  $timeZone: string;
  $currency: string;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let found = cache.get(key);
  if (found === undefined) {
    found = make();
    cache.set(key, found);
  }
  return found;
}

function rootOf(options: HelperOptions): Partial<RenderLocale> & Record<string, unknown> {
  const root: unknown = options.data?.root;
  return root !== null && typeof root === 'object' ? (root as Record<string, unknown>) : {}; // render data
}

function localeOf(options: HelperOptions): string {
  const l = rootOf(options).$locale;
  return typeof l === 'string' && l !== '' ? l : 'en-US';
}

function safeFormat<T>(make: () => T, fallback: () => T): T {
  try {
    return make();
  } catch {
    return fallback(); // an unknown locale, currency or zone falls back instead of failing a send
  }
}

/** `{{money 89.9 "USD"}}` → `$89.90` in the recipient's locale; currency defaults to $currency. */
export function money(amount: unknown, ...rest: unknown[]): string {
  const options = rest.pop() as HelperOptions; // Handlebars passes options last
  const value = Number(amount);
  if (amount === null || amount === undefined || !Number.isFinite(value)) return '';
  const root = rootOf(options);
  const currency = typeof rest[0] === 'string' ? rest[0] : (root.$currency ?? 'USD');
  const locale = localeOf(options);
  const fmt = cached(numberFormats, `c|${locale}|${currency}`, () =>
    safeFormat(
      () => new Intl.NumberFormat(locale, { style: 'currency', currency }),
      () => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }),
    ),
  );
  return fmt.format(value);
}

/** `{{number 1234.5}}` → `1,234.5` in the recipient's locale; `decimals=` fixes the digits. */
export function number(value: unknown, options: HelperOptions): string {
  const n = Number(value);
  if (value === null || value === undefined || !Number.isFinite(n)) return '';
  const decimals = options.hash?.decimals as number | undefined; // hash values are literals
  const locale = localeOf(options);
  const fmt = cached(numberFormats, `n|${locale}|${decimals ?? ''}`, () =>
    safeFormat(
      () =>
        new Intl.NumberFormat(
          locale,
          decimals === undefined
            ? {}
            : { minimumFractionDigits: decimals, maximumFractionDigits: decimals },
        ),
      () => new Intl.NumberFormat('en-US'),
    ),
  );
  return fmt.format(n);
}

const DATE_STYLES = new Set(['short', 'medium', 'long', 'full']);

/** `{{date ts "long"}}` → a date in the recipient's locale and time zone (epoch ms or ISO text). */
export function date(value: unknown, ...rest: unknown[]): string {
  const options = rest.pop() as HelperOptions; // Handlebars passes options last
  const when =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(when)) return '';
  const style = typeof rest[0] === 'string' && DATE_STYLES.has(rest[0]) ? rest[0] : 'medium';
  const locale = localeOf(options);
  const zone = rootOf(options).$timeZone ?? 'UTC';
  const fmt = cached(dateFormats, `${locale}|${zone}|${style}`, () =>
    safeFormat(
      () => new Intl.DateTimeFormat(locale, { dateStyle: style as 'medium', timeZone: zone }),
      () => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }),
    ),
  );
  return fmt.format(when);
}

/** `{{firstName}}` → the customer's first name, else `fallback` (default "there"): "Hi there". */
export function firstName(...args: unknown[]): string {
  const options = args.pop() as HelperOptions; // Handlebars passes options last
  const customer = rootOf(options).customer as { firstName?: unknown } | undefined;
  const name = typeof customer?.firstName === 'string' ? customer.firstName.trim() : '';
  if (name !== '') return name;
  return typeof args[0] === 'string' ? args[0] : 'there';
}

/** `{{pluralize count "item"}}` → "1 item" / "3 items" (plural form by Intl rules, or given). */
export function pluralize(count: unknown, singular: unknown, ...rest: unknown[]): string {
  const options = rest.pop() as HelperOptions; // Handlebars passes options last
  const n = Number(count);
  const one = String(singular);
  const other = typeof rest[0] === 'string' ? rest[0] : `${one}s`;
  const rules = cached(pluralRules, localeOf(options), () =>
    safeFormat(
      () => new Intl.PluralRules(localeOf(options)),
      () => new Intl.PluralRules('en-US'),
    ),
  );
  const word = rules.select(Number.isFinite(n) ? n : 0) === 'one' ? one : other;
  return `${number(n, options)} ${word}`;
}

/** A product as lists show it. */
export interface ListedProduct {
  name?: unknown;
  price?: unknown;
  currency?: unknown;
  quantity?: unknown;
  url?: unknown;
  image?: unknown;
}

const esc = (v: unknown): string =>
  Handlebars.escapeExpression(v === undefined || v === null ? '' : String(v));

/**
 * `{{productList items}}` → an HTML table of products (image, linked name, quantity, price), or
 * in a text part one line per product. Every value is escaped; the markup is marked safe.
 */
export function productList(
  items: unknown,
  options: HelperOptions,
): Handlebars.SafeString | string {
  if (!Array.isArray(items) || items.length === 0) return '';
  const list = items as ListedProduct[];
  const price = (p: ListedProduct) =>
    money(p.price, typeof p.currency === 'string' ? p.currency : undefined, options);
  if (options.data?.part === 'text') {
    return list
      .map((p) => {
        const qty = Number(p.quantity) > 1 ? ` x${String(p.quantity)}` : '';
        const url = p.url ? ` ${String(p.url)}` : '';
        return `- ${String(p.name ?? '')}${qty}: ${price(p)}${url}`;
      })
      .join('\n');
  }
  const rows = list
    .map((p) => {
      const img = p.image
        ? `<img src="${esc(p.image)}" alt="${esc(p.name)}" width="80" style="display:block;border:0;max-width:80px">`
        : '';
      const name = p.url
        ? `<a href="${esc(p.url)}" style="color:#1a56db">${esc(p.name)}</a>`
        : esc(p.name);
      const qty = Number(p.quantity) > 1 ? ` &times; ${esc(p.quantity)}` : '';
      return `<tr><td style="padding:8px;width:88px">${img}</td><td style="padding:8px;font-family:Arial,sans-serif">${name}${qty}</td><td style="padding:8px;text-align:right;font-family:Arial,sans-serif">${esc(price(p))}</td></tr>`;
    })
    .join('');
  return new Handlebars.SafeString(
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">${rows}</table>`,
  );
}

const eq: HelperDelegate = (a: unknown, b: unknown) => a === b;
const gt: HelperDelegate = (a: unknown, b: unknown) => Number(a) > Number(b);
const lt: HelperDelegate = (a: unknown, b: unknown) => Number(a) < Number(b);

/** Every helper templates may call, by name (besides Handlebars' if/unless/each/with/lookup). */
export const HELPERS: Readonly<Record<string, HelperDelegate>> = {
  money,
  number,
  date,
  firstName,
  pluralize,
  productList,
  eq,
  gt,
  lt,
};

/** Handlebars' own helpers. */
export const BUILTIN_HELPERS: readonly string[] = ['if', 'unless', 'each', 'with', 'lookup', 'log'];
