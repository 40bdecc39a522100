import { afterEach, describe, expect, it } from '@jest/globals';
import type { PulseEvent } from '@pulse/contracts';
import { DAY_MS } from '../src/fold-options';
import {
  aliasEvent,
  emailEvent,
  identifyEvent,
  line,
  orderEvent,
  productEvent,
} from '../src/test-events';
import { folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const harnesses: FolderHarness[] = [];
async function harness(): Promise<FolderHarness> {
  const h = await folderHarness(NOW);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

const anon = (id: string, extra: Partial<PulseEvent> = {}) => ({
  userId: null,
  anonymousId: id,
  ...extra,
});

describe('identity', () => {
  it('merges the anonymous history into the known profile, once, and routes later events there', async () => {
    const h = await harness();
    const shoe = line({ product_id: 'shoe', price: 50 });
    await h.folder.foldBatch([
      productEvent('Product Viewed', shoe, anon('dev-1', { occurredAt: NOW - DAY_MS })),
      productEvent('Product Added', shoe, anon('dev-1', { occurredAt: NOW - DAY_MS + 1 })),
      emailEvent('Email Delivered', 's1', { userId: 'kim', occurredAt: NOW - 2 * DAY_MS }),
    ]);
    const identify = identifyEvent(
      { email: 'Kim@Example.com' },
      { userId: 'kim', anonymousId: 'dev-1', occurredAt: NOW - 1000 },
    );
    const report = await h.folder.foldBatch([identify]);
    expect(report.merges).toBe(1);
    const tomb = h.published.find((c) => c.tombstone);
    expect(tomb).toMatchObject({ customerId: 'a:dev-1', mergedInto: 'u:kim' });
    expect(h.published.find((c) => c.mergedFrom.includes('a:dev-1'))?.customerId).toBe('u:kim');

    await h.folder.foldBatch([
      productEvent('Product Viewed', shoe, anon('dev-1', { occurredAt: NOW })),
    ]);
    // Redelivering the identify changes nothing.
    expect(await h.folder.foldBatch([identify])).toMatchObject({ applied: 0, merges: 0 });
    for (const id of ['kim', 'dev-1', 'kim@example.com']) {
      const p = await h.read(id);
      expect(p?.customerId).toBe('u:kim');
      expect(p?.browsing.productViews).toBe(2);
      expect(p?.cart.lines.map((l) => l.quantity)).toEqual([1]);
      expect(p?.email.delivered).toBe(1);
      expect(p?.identities).toEqual({
        userIds: ['kim'],
        anonymousIds: ['dev-1'],
        emails: ['kim@example.com'],
      });
    }
  });

  it('treats two user ids with the same normalized email as one customer', async () => {
    const h = await harness();
    await h.folder.foldBatch([
      orderEvent({ order_id: 'a', total: 10 }, { userId: 'lee-shop' }),
      identifyEvent({ email: 'lee@example.com' }, { userId: 'lee-shop' }),
    ]);
    await h.folder.foldBatch([
      orderEvent({ order_id: 'b', total: 20 }, { userId: 'lee-crm' }),
      identifyEvent({ email: ' LEE@example.com' }, { userId: 'lee-crm' }),
    ]);
    const p = await h.read('lee-crm');
    expect(p?.customerId).toBe('u:lee-crm');
    expect(p?.purchases).toMatchObject({ orders: 2, spent: 30 });
    expect((await h.read('lee-shop'))?.customerId).toBe('u:lee-crm');
  });

  it('links ids with alias', async () => {
    const h = await harness();
    await h.folder.foldBatch([orderEvent({ order_id: 'x', total: 5 }, anon('old-id'))]);
    await h.folder.foldBatch([aliasEvent('old-id', 'new-id')]);
    expect((await h.read('old-id'))?.purchases.orders).toBe(1);
    expect((await h.read('old-id'))?.customerId).toBe('u:new-id');
    expect((await h.read('new-id'))?.customerId).toBe('u:new-id');
  });

  it('loses and double-counts nothing while both ids keep arriving on two consumers during the merge', async () => {
    const h = await harness();
    const other = h.twin();
    const anonEvents: PulseEvent[] = [];
    const userEvents: PulseEvent[] = [];
    for (let i = 0; i < 200; i += 1) {
      anonEvents.push(
        orderEvent({ order_id: `a${i}`, total: 1 }, anon('dev-9', { occurredAt: NOW - i })),
      );
      userEvents.push(
        orderEvent({ order_id: `u${i}`, total: 2 }, { userId: 'max', occurredAt: NOW - i }),
      );
    }
    userEvents.splice(
      100,
      0,
      identifyEvent({}, { userId: 'max', anonymousId: 'dev-9', occurredAt: NOW }),
    );
    const run = async (fold: (e: PulseEvent[]) => Promise<unknown>, events: PulseEvent[]) => {
      for (let i = 0; i < events.length; i += 10) await fold(events.slice(i, i + 10));
    };
    // Partition "anon" and partition "user" are folded at the same time by two consumers; then
    // both are delivered once more, as after a crash before the commit.
    await Promise.all([
      run((e) => other.folder.foldBatch(e), anonEvents),
      run((e) => h.folder.foldBatch(e), userEvents),
    ]);
    await Promise.all([
      run((e) => other.folder.foldBatch(e), anonEvents),
      run((e) => h.folder.foldBatch(e), userEvents),
    ]);
    const p = await h.read('dev-9');
    expect(p?.customerId).toBe('u:max');
    expect(p?.purchases).toMatchObject({ orders: 400, spent: 600 });
    expect(await h.read('max')).toEqual(p);
  });
});
