/** ISO 4217 codes this runtime knows (Intl's list), upper case. */
const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** One entry of a currency's dated table: units of base currency per unit from `from` on. */
export interface DatedRate {
  /** UTC midnight of the first day the rate applies (epoch ms). */
  from: number;
  rate: number;
}

/** Per currency (upper case), its rates ascending by `from` (see fx-rates.ts for the file). */
export type RateTable = Readonly<Record<string, readonly DatedRate[]>>;

export interface MoneyOptions {
  /** The currency profiles are kept in (ISO 4217). */
  baseCurrency: string;
  /** Undated units of base currency per unit of another currency (PROFILE_FX_RATES), e.g. `{ EUR: 1.08 }`. */
  rates: Readonly<Record<string, number>>;
  /** Dated rates (PROFILE_FX_RATES_FILE); they win over `rates` from their first date on. */
  dated?: RateTable;
}

export type MoneyResult = { ok: true; cents: number } | { ok: false; reason: string };

export function isKnownCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code.toUpperCase());
}

/**
 * The rate in effect at `at`: the last entry whose `from` is at or before it; `undefined`
 * before the first entry (the caller decides the fallback).
 */
export function rateOn(periods: readonly DatedRate[], at: number): number | undefined {
  let lo = 0;
  let hi = periods.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((periods[mid] as DatedRate).from <= at)
      lo = mid + 1; // mid < length
    else hi = mid;
  }
  return lo === 0 ? undefined : periods[lo - 1]?.rate;
}

/**
 * The rate of `code` at event time `at`: the dated table's entry in effect; before its first
 * date (or with no time given) the undated rate, else the table's nearest entry (its first, or
 * its latest without a time). `undefined` when the currency has no rate at all.
 */
export function rateAt(
  code: string,
  at: number | undefined,
  options: MoneyOptions,
): number | undefined {
  const periods = options.dated?.[code];
  if (!periods || periods.length === 0) return options.rates[code];
  const dated = at === undefined ? undefined : rateOn(periods, at);
  if (dated !== undefined) return dated;
  return options.rates[code] ?? (at === undefined ? periods.at(-1) : periods[0])?.rate;
}

/**
 * An amount in `currency` as integer minor units (cents) of the base currency, converted at the
 * rate in effect at `at` (the event time), so sums stay exact in any order. A missing currency
 * means the base currency.
 */
export function toBaseCents(
  amount: number,
  currency: string | null,
  options: MoneyOptions,
  at?: number,
): MoneyResult {
  const code = (currency ?? options.baseCurrency).toUpperCase();
  if (!isKnownCurrency(code)) return { ok: false, reason: `unknown currency "${currency}"` };
  const rate = code === options.baseCurrency.toUpperCase() ? 1 : rateAt(code, at, options);
  if (rate === undefined) {
    return {
      ok: false,
      reason: `no exchange rate for ${code} into ${options.baseCurrency}; add it to PROFILE_FX_RATES_FILE (config/fx-rates.yaml) or PROFILE_FX_RATES`,
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
