/** ISO 4217 codes this runtime knows (Intl's list), upper case. */
const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export interface MoneyOptions {
  /** The currency profiles are kept in (ISO 4217). */
  baseCurrency: string;
  /** Units of base currency per unit of another currency, e.g. `{ EUR: 1.08 }`. */
  rates: Readonly<Record<string, number>>;
}

export type MoneyResult = { ok: true; cents: number } | { ok: false; reason: string };

export function isKnownCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code.toUpperCase());
}

/**
 * An amount in `currency` as integer minor units (cents) of the base currency, so sums stay
 * exact in any order. A missing currency means the base currency.
 */
export function toBaseCents(
  amount: number,
  currency: string | null,
  options: MoneyOptions,
): MoneyResult {
  const code = (currency ?? options.baseCurrency).toUpperCase();
  if (!isKnownCurrency(code)) return { ok: false, reason: `unknown currency "${currency}"` };
  const rate = code === options.baseCurrency.toUpperCase() ? 1 : options.rates[code];
  if (rate === undefined) {
    return {
      ok: false,
      reason: `no exchange rate for ${code} into ${options.baseCurrency}; set PROFILE_FX_RATES`,
    };
  }
  return { ok: true, cents: Math.round(amount * rate * 100) };
}

/** Parses `EUR:1.08,GBP:1.27` (units of base currency per unit). */
export function parseRates(text: readonly string[]): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const item of text) {
    const [code, value] = item.split(':');
    const rate = Number(value);
    if (!code || !isKnownCurrency(code) || !Number.isFinite(rate) || rate <= 0) {
      throw new Error(`bad exchange rate "${item}": expected CODE:rate, e.g. EUR:1.08`);
    }
    rates[code.toUpperCase()] = rate;
  }
  return rates;
}
