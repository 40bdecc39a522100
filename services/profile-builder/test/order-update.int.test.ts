import { afterEach, describe, expect, it } from '@jest/globals';
import type { PulseEvent } from '@pulse/contracts';
import { DAY_MS, utcDay } from '../src/fold-options';
import { identifyEvent, orderEvent } from '../src/test-events';
import { folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const at = NOW - 3 * DAY_MS;
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function harness(): Promise<FolderHarness> {
  const h = await folderHarness(NOW);
  harnesses.push(h);
  return h;
}

const update = (userId: string, orderId: string, total: number, when: number) =>
  orderEvent({ order_id: orderId, total }, { userId, type: 'Order Updated', occurredAt: when });
const refund = (userId: string, orderId: string, total: number, refundId: string) =>
  orderEvent(
    { order_id: orderId, total, extra: JSON.stringify({ refund_id: refundId }) },
    { userId, type: 'Order Refunded', occurredAt: at + 2 },
  );

describe('Order Updated', () => {
  it('moves spend and lifetime value to the latest total, refunds capped anew, in any arrival order', async () => {
    const events: PulseEvent[] = [
      orderEvent({ order_id: 'up-1', total: 100 }, { userId: 'upd-1', occurredAt: at }),
      refund('upd-1', 'up-1', 30, 'rf-1'),
      update('upd-1', 'up-1', 80, at + 1),
      update('upd-1', 'up-1', 20, at + 3), // the latest: 20, less than the 30 refunded
      orderEvent({ order_id: 'up-2', total: 50 }, { userId: 'upd-1', occurredAt: at }),
      update('upd-1', 'up-2', 70, at + 5),
    ];
    const results = [];
    for (const sequence of [events, [...events].reverse()]) {
      const h = await harness();
      for (const e of sequence) await h.folder.foldBatch([e]);
      await h.folder.foldBatch(events); // redelivered: nothing counts twice
      const p = await h.read('upd-1');
      results.push({ purchases: p?.purchases, day: p?.purchases.spendByDay });
    }
    // up-1 counts 20 (its latest total), refunded 30 capped at 20; up-2 counts 70
    expect(results[0]?.purchases).toMatchObject({ orders: 2, spent: 70, refunded: 20, refunds: 1 });
    expect(results[0]?.day).toEqual({ [String(utcDay(at))]: 90 });
    expect(results[1]).toEqual(results[0]);
  });

  it('applies step by step: the order, a new total, a refund, an older update arriving late', async () => {
    const h = await harness();
    const spent = async () => (await h.read('upd-2'))?.purchases.spent;
    await h.folder.foldBatch([
      orderEvent({ order_id: 'up-3', total: 100 }, { userId: 'upd-2', occurredAt: at }),
    ]);
    expect(await spent()).toBe(100);
    await h.folder.foldBatch([update('upd-2', 'up-3', 120, at + 2)]);
    expect(await spent()).toBe(120);
    await h.folder.foldBatch([refund('upd-2', 'up-3', 15, 'rf-2')]);
    expect(await spent()).toBe(105);
    await h.folder.foldBatch([update('upd-2', 'up-3', 60, at + 1)]); // older than 120: ignored
    expect(await spent()).toBe(105);
    expect((await h.read('upd-2'))?.events['Order Updated']?.count).toBe(2);
  });

  it('keeps an update of an unknown order and applies it when the order arrives, also across a merge', async () => {
    const h = await harness();
    await h.folder.foldBatch([
      update('upd-3', 'up-4', 45, at + 1),
      identifyEvent({ email: 'ula@example.com' }, { userId: 'upd-3' }),
    ]);
    expect((await h.read('upd-3'))?.purchases).toMatchObject({ orders: 0, spent: 0 });
    // The order arrives on another profile, which then merges (same email).
    await h.folder.foldBatch([
      orderEvent({ order_id: 'up-4', total: 30 }, { userId: 'upd-4', occurredAt: at }),
      orderEvent({ order_id: 'up-5', total: 10 }, { userId: 'upd-4', occurredAt: at }),
    ]);
    expect((await h.read('upd-4'))?.purchases).toMatchObject({ orders: 2, spent: 40 });
    await h.folder.foldBatch([identifyEvent({ email: 'ula@example.com' }, { userId: 'upd-4' })]);
    const merged = await h.read('upd-4');
    expect(merged?.customerId).toBe('u:upd-3');
    expect(merged?.purchases).toMatchObject({ orders: 2, spent: 55 });
    expect(merged?.purchases.spendByDay).toEqual({ [String(utcDay(at))]: 55 });
  });
});
