import { afterEach, describe, expect, it } from '@jest/globals';
import type { PulseEvent } from '@pulse/contracts';
import { DAY_MS } from '../src/fold-options';
import { orderEvent } from '../src/test-events';
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

const order = (id: string, total: number, type = 'Order Completed', daysAgo = 2): PulseEvent =>
  orderEvent(
    { order_id: id, total },
    { userId: 'rev-1', type, occurredAt: NOW - daysAgo * DAY_MS },
  );

describe('refunds and cancellations', () => {
  it('take a cancelled order out of counts and lifetime value, once, in any order', async () => {
    const events = [
      order('o-1', 100),
      order('o-2', 40),
      order('o-2', 40, 'Order Cancelled', 1),
      order('o-3', 25, 'Order Cancelled', 1), // cancelled before it completed
      order('o-3', 25, 'Order Completed', 0),
      order('o-1', 30, 'Order Refunded', 0),
    ];
    for (const sequence of [events, [...events].reverse()]) {
      const h = await harness();
      for (const e of sequence) await h.folder.foldBatch([e]);
      // redelivered: nothing changes
      await h.folder.foldBatch(sequence);
      await h.folder.foldBatch([{ ...order('o-2', 40, 'Order Cancelled', 1), id: 'again' }]);
      const view = await h.read('rev-1');
      expect(view?.purchases).toMatchObject({
        orders: 1,
        spent: 70,
        refunds: 1,
        refunded: 30,
        cancelledOrders: 2,
        averageOrderValue: 70,
      });
    }
  });
});
