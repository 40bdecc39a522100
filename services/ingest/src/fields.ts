import countries from 'i18n-iso-countries';
import { invalid, ok, type Result } from './problems';

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[A-Za-z]{2,}$/;

/** Trimmed, lower-cased and syntax-checked; `field` names it in the problem. */
export function normalizeEmail(value: unknown, field: string): Result<string | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string') return invalid(field, 'must be a string');
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return invalid(field, 'is not an email address');
  return ok(email);
}

/** ISO 3166-1 alpha-2 from an alpha-2 or alpha-3 code or an English country name. */
export function normalizeCountry(value: unknown, field: string): Result<string | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string') return invalid(field, 'must be a string');
  const text = value.trim();
  const upper = text.toUpperCase();
  const code =
    (upper.length === 2 && countries.isValid(upper) ? upper : undefined) ??
    (upper.length === 3 ? countries.alpha3ToAlpha2(upper) : undefined) ??
    countries.getAlpha2Code(text, 'en');
  return code ? ok(code) : invalid(field, 'is not an ISO 3166-1 country code or name');
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 upper-case code (the list is the runtime's ICU data). */
export function normalizeCurrency(value: unknown, field: string): Result<string | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string') return invalid(field, 'must be a string');
  const code = value.trim().toUpperCase();
  return CURRENCIES.has(code) ? ok(code) : invalid(field, 'is not an ISO 4217 currency code');
}

/** `YYYY-MM-DD` (UTC) from any ISO-8601 date or date-time. */
export function normalizeDate(value: unknown, field: string): Result<string | null> {
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string') return invalid(field, 'must be an ISO-8601 date');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return invalid(field, 'must be an ISO-8601 date');
  return ok(new Date(ms).toISOString().slice(0, 10));
}

/** A string for text-ish values (numbers become text), else null. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A finite number, else null. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The keys of `object` outside `known`, as JSON object text; null when there are none. */
export function extraJson(
  object: Readonly<Record<string, unknown>> | undefined,
  known: ReadonlySet<string>,
): string | null {
  if (!object) return null;
  const rest = Object.entries(object).filter(([key]) => !known.has(key));
  return rest.length === 0 ? null : JSON.stringify(Object.fromEntries(rest));
}
