import { describe, expect, it } from '@jest/globals';
import { parseRateTable } from './fx-rates';
import { rateAt, rateOn, toBaseCents, type MoneyOptions } from './money';

const JAN = Date.UTC(2026, 0, 1);
const JUL = Date.UTC(2026, 6, 1);
const EUR = [
  { from: JAN, rate: 1.08 },
  { from: JUL, rate: 1.1 },
];

describe('dated exchange rates', () => {
  it('looks up the rate in effect: none before the first date, the new one from its exact day', () => {
    expect(rateOn(EUR, JAN - 1)).toBeUndefined();
    expect(rateOn(EUR, JAN)).toBe(1.08);
    expect(rateOn(EUR, Date.UTC(2026, 3, 15, 18))).toBe(1.08);
    expect(rateOn(EUR, JUL - 1)).toBe(1.08);
    expect(rateOn(EUR, JUL)).toBe(1.1);
    expect(rateOn(EUR, Date.UTC(2030, 0, 1))).toBe(1.1);
    expect(rateOn([], JUL)).toBeUndefined();
  });

  it('falls back before the first date to the undated rate, else to the first entry', () => {
    const money: MoneyOptions = { baseCurrency: 'USD', rates: { GBP: 1.27 }, dated: { EUR } };
    expect(rateAt('EUR', JAN - 1, money)).toBe(1.08);
    expect(rateAt('EUR', JAN - 1, { ...money, rates: { EUR: 1.05 } })).toBe(1.05);
    expect(rateAt('EUR', JUL, { ...money, rates: { EUR: 1.05 } })).toBe(1.1);
    expect(rateAt('GBP', JUL, money)).toBe(1.27);
    expect(rateAt('JPY', JUL, money)).toBeUndefined();
  });

  it('converts an order at the rate of its event date', () => {
    const money: MoneyOptions = { baseCurrency: 'USD', rates: {}, dated: { EUR } };
    expect(toBaseCents(100, 'EUR', money, Date.UTC(2026, 2, 1))).toEqual({
      ok: true,
      cents: 10800,
    });
    expect(toBaseCents(100, 'eur', money, Date.UTC(2026, 8, 1))).toEqual({
      ok: true,
      cents: 11000,
    });
    expect(toBaseCents(100, 'USD', money, Date.UTC(2026, 8, 1))).toEqual({
      ok: true,
      cents: 10000,
    });
    const none = toBaseCents(1, 'JPY', money, JUL);
    expect(none.ok).toBe(false);
    expect(JSON.stringify(none)).toContain('PROFILE_FX_RATES_FILE');
  });

  it('reads the rate file, sorting each currency by date', () => {
    const text = [
      'base: usd',
      'rates:',
      '  EUR:',
      '    - { from: 2026-07-01, rate: 1.10 }',
      '    - { from: 2026-01-01, rate: 1.08 }',
      '  gbp: [{ from: 2026-01-01, rate: 1.27 }]',
    ].join('\n');
    expect(parseRateTable(text, 'USD')).toEqual({
      table: { EUR, GBP: [{ from: JAN, rate: 1.27 }] },
      problems: [],
    });
  });

  it('names every bad entry with its line and column', () => {
    const text = [
      'base: EUR',
      'rates:',
      '  EUR:',
      '    - { from: 2026-01-01, rate: 1.08 }',
      '    - { from: 2026-02-30, rate: 1.1 }',
      '    - { from: 2026-03-01, rate: -2 }',
      '    - { from: 2026-03-01, rate: 2, until: 2027-01-01 }',
      '  XYZQ: [{ from: 2026-01-01, rate: 1 }]',
      '  GBP: []',
    ].join('\n');
    const { table, problems } = parseRateTable(text, 'USD');
    expect(table).toBeUndefined();
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '1:7: base: EUR but PROFILE_BASE_CURRENCY is USD: these rates convert into another currency',
      '5:15: rates.EUR[1].from must be a date YYYY-MM-DD',
      '6:33: rates.EUR[2].rate must be a number > 0',
      "7:36: rates.EUR[3]: unknown key 'until' (from, rate)",
      '8:3: rates.XYZQ: unknown currency code',
      '9:8: rates.GBP must be a non-empty list of { from, rate }',
    ]);
    expect(parseRateTable('rates: [1, 2]', 'USD').problems[0]?.message).toContain(
      "'rates:' must map each currency",
    );
    expect(
      parseRateTable(
        'rates:\n  EUR: [{ from: 2026-01-01, rate: 1 }, { from: 2026-01-01, rate: 2 }]',
        'USD',
      ).problems[0]?.message,
    ).toBe('rates.EUR[1]: two rates from 2026-01-01');
  });
});
