import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { KEY_INDEX, createProfileKeys } from '../src/keys';
import { loadRateTable } from '../src/fx-rates';
import { utcDay } from '../src/fold-options';
import { parseOrderRecord } from '../src/order-records';
import { orderEvent } from '../src/test-events';
import { FOLD, folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2026, 10, 20, 12);
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

describe('dated exchange rates (config/fx-rates.yaml)', () => {
  it('folds two EUR orders of different dates at their own dates’ rates, keeping the original amounts', async () => {
    // The shipped table: EUR 1.08 from 2026-01-01, 1.10 from 2026-07-01.
    const dated = loadRateTable(path.resolve(__dirname, '../../../config/fx-rates.yaml'), 'USD');
    const h = await folderHarness(NOW, undefined, {
      fold: { ...FOLD, money: { baseCurrency: 'USD', rates: {}, dated } },
    });
    harnesses.push(h);
    const march = Date.UTC(2026, 2, 10, 9);
    const september = Date.UTC(2026, 8, 10, 9);
    const order = (id: string, at: number) =>
      orderEvent({ order_id: id, total: 100, currency: 'EUR' }, { userId: 'fx-1', occurredAt: at });
    await h.folder.foldBatch([order('eu-1', march), order('eu-2', september)]);
    const p = await h.read('fx-1');
    expect(p?.purchases.spendByDay).toEqual({
      [String(utcDay(march))]: 108,
      [String(utcDay(september))]: 110,
    });
    expect(p?.purchases).toMatchObject({ orders: 2, spent: 218 });
    const ord = createProfileKeys(h.prefix).customer('u:fx-1')[KEY_INDEX.ord - 1] as string;
    const records = await h.iso.client.hgetall(ord);
    expect(parseOrderRecord(records['o:eu-1'] ?? '')).toMatchObject({
      cents: 10800,
      currency: 'EUR',
      amount: 100,
    });
    expect(parseOrderRecord(records['o:eu-2'] ?? '')).toMatchObject({
      cents: 11000,
      currency: 'EUR',
      amount: 100,
    });
  });
});
