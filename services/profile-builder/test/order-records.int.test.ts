import { afterEach, describe, expect, it } from '@jest/globals';
import type { PulseEvent } from '@pulse/contracts';
import { DAY_MS, utcDay } from '../src/fold-options';
import { identifyEvent, line, orderEvent } from '../src/test-events';
import { folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function harness(): Promise<FolderHarness> {
  const h = await folderHarness(NOW);
  harnesses.push(h);
  return h;
}

const at = NOW - 3 * DAY_MS;

describe('per-order records', () => {
  it('counts one order once whichever of three sources brings it, and lets later copies enrich', async () => {
    const h = await harness();
    const who = { userId: 'ord-1', occurredAt: at };
    // The browser's Order Completed, the store's webhook and the nightly import: three event ids.
    const browser = orderEvent(
      { order_id: 'shop-1001', total: 80 },
      { ...who, id: 'web-1', source: 'browser' },
    );
    const webhook = orderEvent(
      {
        order_id: 'shop-1001',
        total: 80,
        products: [line(), line({ product_id: 'p-2', category: 'Socks' })],
      },
      { ...who, id: 'shopify:shop-1001:completed', source: 'shopify' },
    );
    const imported = orderEvent(
      { order_id: 'shop-1001', total: 80 },
      { ...who, id: 'import:shop-1001', source: 'import', receivedAt: NOW },
    );
    await h.folder.foldBatch([browser]);
    await h.folder.foldBatch([webhook, imported]);
    await h.folder.foldBatch([imported, browser]); // redelivered too
    const p = await h.read('ord-1');
    expect(p?.purchases).toMatchObject({ orders: 1, spent: 80, itemsBought: 1 });
    expect(p?.purchases.ordersByDay).toEqual({ [String(utcDay(at))]: 1 });
    expect(p?.events['Order Completed']?.count).toBe(1);
    // the webhook's copy named a product the browser's did not
    expect(p?.purchases.products).toEqual(['p-1', 'p-2']);
  });

  it('keeps a refund or cancellation of an unknown order and applies it when the order arrives', async () => {
    const events: PulseEvent[] = [
      orderEvent({ order_id: 'r-1', total: 100 }, { userId: 'ord-2', occurredAt: at }),
      orderEvent(
        { order_id: 'r-1', total: 30, extra: '{"refund_id":"rf-1"}' },
        { userId: 'ord-2', type: 'Order Refunded', occurredAt: at + 1 },
      ),
      orderEvent(
        { order_id: 'r-1', total: 90, extra: '{"refund_id":"rf-2"}' },
        { userId: 'ord-2', type: 'Order Refunded', occurredAt: at + 2 },
      ),
      orderEvent({ order_id: 'r-2', total: 50 }, { userId: 'ord-2', occurredAt: at }),
      orderEvent(
        { order_id: 'r-2', total: 10, extra: '{"refund_id":"rf-3"}' },
        { userId: 'ord-2', type: 'Order Refunded', occurredAt: at + 1 },
      ),
      orderEvent(
        { order_id: 'r-3', total: 20 },
        { userId: 'ord-2', type: 'Order Cancelled', occurredAt: at + 1 },
      ),
      orderEvent({ order_id: 'r-3', total: 20 }, { userId: 'ord-2', occurredAt: at }),
    ];
    const results = [];
    for (const sequence of [events, [...events].reverse()]) {
      const h = await harness();
      for (const e of sequence) await h.folder.foldBatch([e]);
      // the same refund again under another event id (another source) counts once
      await h.folder.foldBatch([{ ...(events[1] as PulseEvent), id: 'webhook-copy' }]);
      results.push((await h.read('ord-2'))?.purchases);
    }
    // r-1 refunded 30 + 90, capped at its 100; r-2 partially refunded by 10; r-3 never counts
    expect(results[0]).toMatchObject({
      orders: 2,
      spent: 40,
      refunds: 3,
      refunded: 110,
      cancelledOrders: 1,
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('counts an order both merged profiles hold once, and applies one side’s pending refund to the other’s order', async () => {
    const h = await harness();
    const order = (userId: string, id: string) =>
      orderEvent({ order_id: 'm-1', total: 60 }, { userId, id, occurredAt: at });
    await h.folder.foldBatch([
      order('shop-acct', 'web-m1'),
      orderEvent({ order_id: 'm-2', total: 15 }, { userId: 'shop-acct', occurredAt: at }),
      identifyEvent({ email: 'dana@example.com' }, { userId: 'shop-acct' }),
    ]);
    await h.folder.foldBatch([
      order('crm-acct', 'import-m1'),
      orderEvent(
        { order_id: 'm-3', total: 25, extra: '{"refund_id":"rf-9"}' },
        { userId: 'crm-acct', type: 'Order Refunded', occurredAt: at },
      ),
    ]);
    expect((await h.read('crm-acct'))?.purchases).toMatchObject({ orders: 1, spent: 60 });
    // the same email: one customer (the smaller user id survives)
    await h.folder.foldBatch([
      identifyEvent({ email: 'Dana@example.com' }, { userId: 'crm-acct' }),
    ]);
    const merged = await h.read('shop-acct');
    expect(merged?.customerId).toBe('u:crm-acct');
    expect(merged?.purchases).toMatchObject({ orders: 2, spent: 75, refunds: 1, refunded: 0 });
    expect(merged?.purchases.ordersByDay).toEqual({ [String(utcDay(at))]: 2 });
    // the refunded order arrives later: its pending refund applies
    await h.folder.foldBatch([
      orderEvent({ order_id: 'm-3', total: 40 }, { userId: 'shop-acct', occurredAt: at }),
    ]);
    expect((await h.read('crm-acct'))?.purchases).toMatchObject({
      orders: 3,
      spent: 90,
      refunded: 25,
    });
  });
});
