import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PulseError } from '@pulse/core';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { isKnownCurrency, type DatedRate, type RateTable } from './money';

/** A problem of the rate file, at its line and column. */
export interface RateProblem {
  line: number;
  column: number;
  message: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as its UTC midnight, or undefined when it is no calendar date. */
function utcDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().startsWith(text) ? ms : undefined;
}

/**
 * Parses the dated exchange-rate file (config/fx-rates.yaml):
 *
 * ```yaml
 * base: USD            # optional; must equal PROFILE_BASE_CURRENCY
 * rates:
 *   EUR:
 *     - { from: 2026-01-01, rate: 1.08 }
 *     - { from: 2026-07-01, rate: 1.10 }
 * ```
 *
 * Every problem comes back with its line and column, naming the entry (`rates.EUR[1].rate`).
 */
export function parseRateTable(
  text: string,
  baseCurrency: string,
): { table?: RateTable; problems: RateProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problems: RateProblem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.code };
  });
  if (problems.length > 0) return { problems };
  const at = (node: unknown, message: string) => {
    const pos = lines.linePos((node as Node | null)?.range?.[0] ?? 0);
    problems.push({ line: pos.line, column: pos.col, message });
  };
  const root = doc.contents;
  if (!isMap(root)) {
    at(root, "the exchange-rate file holds 'rates:' (currency → list of { from, rate })");
    return { problems };
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'base' && key !== 'rates') at(pair.key, `unknown key '${key}' (base, rates)`);
  }
  const base = root.get('base', true);
  const baseCode = isScalar(base) ? String(base.value).toUpperCase() : undefined;
  if (base !== undefined && baseCode !== baseCurrency.toUpperCase())
    at(
      base,
      `base: ${String(baseCode)} but PROFILE_BASE_CURRENCY is ${baseCurrency}: these rates convert into another currency`,
    );
  const rates = root.get('rates', true);
  if (!isMap(rates)) {
    at(rates ?? root, "'rates:' must map each currency to a list of { from: YYYY-MM-DD, rate }");
    return { problems };
  }
  const table: Record<string, DatedRate[]> = {};
  for (const pair of rates.items) {
    const code = isScalar(pair.key) ? String(pair.key.value).toUpperCase() : '';
    const list = currencyRates(code, pair.key, pair.value, baseCurrency, at);
    if (list) table[code] = list;
  }
  return problems.length > 0 ? { problems } : { table, problems };
}

function currencyRates(
  code: string,
  keyNode: unknown,
  value: unknown,
  baseCurrency: string,
  at: (node: unknown, message: string) => void,
): DatedRate[] | undefined {
  const name = `rates.${code}`;
  if (!isKnownCurrency(code)) return void at(keyNode, `${name}: unknown currency code`);
  if (code === baseCurrency.toUpperCase())
    return void at(keyNode, `${name}: the base currency needs no rate`);
  if (!isSeq(value) || value.items.length === 0)
    return void at(value ?? keyNode, `${name} must be a non-empty list of { from, rate }`);
  const out: DatedRate[] = [];
  value.items.forEach((item, i) => {
    const entry = `${name}[${i}]`;
    if (!isMap(item)) return at(item, `${entry} must be { from: YYYY-MM-DD, rate: <number> }`);
    for (const p of item.items) {
      const k = isScalar(p.key) ? String(p.key.value) : '';
      if (k !== 'from' && k !== 'rate') at(p.key, `${entry}: unknown key '${k}' (from, rate)`);
    }
    const fromNode = item.get('from', true);
    const rateNode = item.get('rate', true);
    const from = isScalar(fromNode) ? utcDate(String(fromNode.value)) : undefined;
    const rate = isScalar(rateNode) ? rateNode.value : undefined;
    if (from === undefined) at(fromNode ?? item, `${entry}.from must be a date YYYY-MM-DD`);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0)
      at(rateNode ?? item, `${entry}.rate must be a number > 0`);
    else if (from !== undefined) {
      if (out.some((r) => r.from === from))
        at(fromNode, `${entry}: two rates from ${String((fromNode as { value: unknown }).value)}`);
      out.push({ from, rate });
    }
  });
  return out.sort((a, b) => a.from - b.from);
}

/** Reads and validates a rate file; throws one configuration error listing every problem. */
export function loadRateTable(file: string, baseCurrency: string): RateTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PulseError(
      'PROFILE_FX_RATES_INVALID',
      `cannot read the exchange-rate file ${file} (PROFILE_FX_RATES_FILE): ${String(err)}`,
    );
  }
  const { table, problems } = parseRateTable(text, baseCurrency);
  if (!table)
    throw new PulseError(
      'PROFILE_FX_RATES_INVALID',
      `invalid exchange-rate file (set PROFILE_FX_RATES_FILE or fix it):\n${problems
        .map((p) => `${file}:${p.line}:${p.column}: ${p.message}`)
        .join('\n')}`,
    );
  return table;
}

/** Used when PROFILE_FX_RATES_FILE is unset and the file exists (relative to the working directory). */
export const DEFAULT_FX_RATES_FILE = 'config/fx-rates.yaml';

/**
 * The dated table PROFILE_FX_RATES_FILE names (it must exist), else `config/fx-rates.yaml` when
 * present, else none. A bad file throws (see `loadRateTable`).
 */
export function configuredRateTable(
  file: string | undefined,
  baseCurrency: string,
): RateTable | undefined {
  if (file !== undefined) return loadRateTable(path.resolve(file), baseCurrency);
  const fallback = path.resolve(DEFAULT_FX_RATES_FILE);
  return existsSync(fallback) ? loadRateTable(fallback, baseCurrency) : undefined;
}
