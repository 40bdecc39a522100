import { afterEach, describe, expect, it } from '@jest/globals';
import type { PulseEvent } from '@pulse/contracts';
import { DAY_MS } from '../src/fold-options';
import type { ProfileView } from '../src/profile-view';
import {
  customEvent,
  emailEvent,
  identifyEvent,
  line,
  orderEvent,
  pageEvent,
  productEvent,
} from '../src/test-events';
import { folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const t = (daysAgo: number, ms = 0) => NOW - daysAgo * DAY_MS + ms;
const harnesses: FolderHarness[] = [];
async function harness(): Promise<FolderHarness> {
  const h = await folderHarness(NOW);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

function story(who: Partial<PulseEvent>): PulseEvent[] {
  const shoes = line({ product_id: 'shoe', category: 'Shoes', price: 50, quantity: 1 });
  const socks = line({ product_id: 'sock', category: 'Socks', price: 5, quantity: 2 });
  return [
    pageEvent('Blog', { ...who, occurredAt: t(100) }),
    productEvent('Product Viewed', shoes, { ...who, occurredAt: t(100, 1) }),
    orderEvent({ order_id: 'o-old', total: 40 }, { ...who, occurredAt: t(100, 2) }),
    orderEvent(
      { order_id: 'o-1', total: 60, discount: 5, products: [shoes] },
      { ...who, occurredAt: t(20) },
    ),
    productEvent('Product Added', shoes, { ...who, occurredAt: t(20, -1000) }),
    productEvent('Product Added', socks, { ...who, occurredAt: t(1) }),
    productEvent('Product Viewed', socks, { ...who, occurredAt: t(0, -3600_000) }),
    emailEvent('Email Delivered', 's1', { ...who, occurredAt: t(5) }),
    emailEvent('Email Delivered', 's2', { ...who, occurredAt: t(4) }),
    emailEvent('Email Opened', 's1', { ...who, occurredAt: t(5, 10) }),
    emailEvent('Email Opened', 's1', { ...who, occurredAt: t(5, 20) }),
    emailEvent('Email Opened', 's2', { ...who, occurredAt: t(4, 5) }, true),
    emailEvent('Email Link Clicked', 's1', { ...who, occurredAt: t(5, 30) }),
    identifyEvent({ birthdate: '1990-03-25', country: 'FR' }, { ...who, occurredAt: t(3) }),
    customEvent('Quiz Finished', { ...who, occurredAt: t(2) }),
  ];
}

/** The profile without the parts that legitimately differ between two folds (version, ids). */
function comparable(view: ProfileView | undefined): unknown {
  if (!view) return undefined;
  const { affinityRaw, derived, ...all } = view;
  const rest: Partial<typeof all> = { ...all };
  delete rest.version;
  delete rest.customerId;
  return {
    ...rest,
    derived: {
      ...derived,
      categoryAffinity: derived.categoryAffinity.map((c) => ({
        ...c,
        score: c.score.toPrecision(9),
      })),
    },
    affinityRaw: Object.fromEntries(
      Object.entries(affinityRaw).map(([k, v]) => [k, v.toPrecision(12)]),
    ),
  };
}

describe('folding events into Redis', () => {
  it('builds purchases, browsing, cart, email and traits with exact windows', async () => {
    const h = await harness();
    const report = await h.folder.foldBatch(story({ userId: 'ann' }));
    expect(report.applied).toBe(15);
    const p = await h.read('ann');
    expect(p?.purchases).toMatchObject({
      orders: 2,
      spent: 100,
      averageOrderValue: 50,
      firstPurchaseAt: t(100, 2),
      lastPurchaseAt: t(20),
      discountedOrders: 1,
      discountShare: 0.5,
      products: ['p-1', 'shoe'],
    });
    expect(p?.derived.ordersInWindow).toEqual({
      last30Days: 1,
      last60Days: 1,
      thisMonth: 0,
      last3Months: 1,
      last6Months: 2,
    });
    expect(p?.derived.spendInWindow.last6Months).toBe(100);
    expect(p?.derived.daysSinceLastPurchase).toBe(20);
    // The shoe was added before the order and is cleared by it; socks stay.
    expect(p?.cart.lines.map((l) => [l.productId, l.quantity])).toEqual([['sock', 2]]);
    expect(p?.cart.value).toBe(10);
    expect(p?.browsing).toMatchObject({
      pageViews: 1,
      productViews: 2,
      lastVisitAt: t(0, -3600_000),
    });
    expect(p?.browsing.categories.Shoes).toEqual({ views: 1, lastSeenAt: t(20) });
    expect(p?.derived.productsViewedLast24h).toEqual(['sock']);
    expect(p?.email).toMatchObject({
      delivered: 2,
      opened: 2,
      uniqueOpens: 1,
      machineOpens: 1,
      uniqueClicks: 1,
    });
    expect(p?.derived.email).toMatchObject({ openRate: 0.5, clickRate: 0.5 });
    expect(p?.derived.age).toBe(34);
    expect(p?.traits.country).toBe('FR');
    expect(p?.customEvents['Quiz Finished']).toEqual({ count: 1, lastAt: t(2) });
    expect(p?.derived.funnelStage).toBe('repeat customer');
    expect(p?.derived.rfm?.group).toBeDefined();
    // One change record per customer per pipelined batch (the identify runs on its own), each
    // carrying the whole snapshot at its version.
    expect(h.published.map((c) => [c.customerId, c.version])).toEqual([
      ['u:ann', 14],
      ['u:ann', 15],
    ]);
  });

  it('gives the same profile whatever order the events arrive in', async () => {
    const a = await harness();
    const b = await harness();
    const events = story({ userId: 'bob' });
    await a.folder.foldBatch(events);
    const shuffled = [...events].reverse();
    for (let i = 0; i < shuffled.length; i += 4) await b.folder.foldBatch(shuffled.slice(i, i + 4));
    expect(comparable(await b.read('bob'))).toEqual(comparable(await a.read('bob')));
  });

  it('changes nothing and publishes nothing when a batch is delivered again', async () => {
    const h = await harness();
    const events = story({ userId: 'cy' });
    await h.folder.foldBatch(events);
    const before = await h.read('cy');
    const published = h.published.length;
    const again = await h.folder.foldBatch(events);
    expect(again).toMatchObject({ applied: 0, duplicates: 15, published: 0 });
    expect(await h.read('cy')).toEqual(before);
    expect(h.published).toHaveLength(published);
  });

  it('counts an order id once even when two events carry it', async () => {
    const h = await harness();
    await h.folder.foldBatch([
      orderEvent({ order_id: 'o9', total: 10 }, { userId: 'di' }),
      orderEvent({ order_id: 'o9', total: 10 }, { userId: 'di' }),
    ]);
    expect((await h.read('di'))?.purchases.orders).toBe(1);
  });

  it('refuses a batch with a nonsensical event before writing anything', async () => {
    const h = await harness();
    const bad = productEvent('Product Added', line({ quantity: -1 }), { userId: 'ed' });
    await expect(
      h.folder.foldBatch([pageEvent(null, { userId: 'ed' }), bad]),
    ).rejects.toMatchObject({ code: 'PROFILE_EVENT_INVALID', retriable: false });
    expect(await h.read('ed')).toBeUndefined();
  });
});
