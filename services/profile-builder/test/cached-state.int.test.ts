import { afterEach, describe, expect, it } from '@jest/globals';
import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import { changeRecord } from '../src/change-records';
import { DAY_MS } from '../src/fold-options';
import {
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
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

/** The snapshot a change record carries, with its JSON sections parsed (key order aside). */
function parsed(change: ProfileChange | undefined): unknown {
  if (!change) return undefined;
  const aggregates: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(change.profile.aggregates)) aggregates[k] = JSON.parse(v);
  return { ...change.profile, aggregates };
}

/** The last change record published for a customer. */
function last(h: FolderHarness, customerId: string): ProfileChange | undefined {
  return h.published.filter((c) => c.customerId === customerId && !c.tombstone).at(-1);
}

/** What a change record built from a whole fresh read of Redis carries. */
async function fresh(h: FolderHarness, customerId: string): Promise<unknown> {
  const read = await h.store.read(customerId);
  if (read.status !== 'found') throw new Error(`no profile ${customerId}`);
  return parsed(
    changeRecord({
      customerId,
      version: read.version,
      dump: read.dump,
      event: null,
      changed: [],
      at: NOW,
    }),
  );
}

function batches(who: Partial<PulseEvent>): PulseEvent[][] {
  const shoes = line({ product_id: 'shoe', category: 'Shoes', price: 50 });
  const socks = line({ product_id: 'sock', category: 'Socks', price: 5, quantity: 2 });
  return [
    [
      pageEvent('Blog', { ...who, occurredAt: t(250) }),
      productEvent('Product Viewed', shoes, { ...who, occurredAt: t(3) }),
    ],
    [
      productEvent('Product Added', shoes, { ...who, occurredAt: t(2) }),
      productEvent('Product Added', socks, { ...who, occurredAt: t(2, 5) }),
      emailEvent('Email Delivered', 's1', { ...who, occurredAt: t(210) }),
      emailEvent('Email Opened', 's1', { ...who, occurredAt: t(210, 10) }),
    ],
    // a newer view trims the recent products; the order clears the cart; new days trim old ones
    [productEvent('Product Viewed', socks, { ...who, occurredAt: t(0) })],
    [
      orderEvent({ order_id: 'o-1', total: 60, products: [shoes] }, { ...who, occurredAt: t(1) }),
      identifyEvent({ country: 'FR', first_name: 'Ada' }, { ...who, occurredAt: t(1, 1) }),
      productEvent('Product Added to Wishlist', socks, { ...who, occurredAt: t(1, 2) }),
    ],
    [emailEvent('Email Opened', 's1', { ...who, occurredAt: t(0, 1) })],
  ];
}

describe('change records built from the cached state', () => {
  it('carry exactly what a whole read of Redis gives, batch after batch', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    for (const batch of batches({ userId: 'cache-1' })) {
      await h.folder.foldBatch(batch);
      expect(parsed(last(h, 'u:cache-1'))).toEqual(await fresh(h, 'u:cache-1'));
    }
    const record = parsed(last(h, 'u:cache-1')) as {
      aggregates: { cart: { lines: unknown[] }; wishlist: unknown[] };
    };
    expect(record.aggregates.cart.lines).toEqual([]); // both lines were added before the order
    expect(record.aggregates.wishlist).toHaveLength(1);
  });

  it('stay exact when another consumer writes the same customer in between', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    const twin = h.twin();
    const all = batches({ userId: 'cache-2' });
    for (let i = 0; i < all.length; i += 1) {
      // Alternate consumers: each one's cached state goes stale and must be read again.
      await (i % 2 === 0 ? h.folder : twin.folder).foldBatch(all[i] ?? []);
      expect(parsed(last(h, 'u:cache-2'))).toEqual(await fresh(h, 'u:cache-2'));
    }
    const versions = h.published.filter((c) => c.customerId === 'u:cache-2').map((c) => c.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });
});
