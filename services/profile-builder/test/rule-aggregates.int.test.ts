import { afterEach, describe, expect, it } from '@jest/globals';
import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import { foldAggregates, parseAggregate, toAggregateEvent } from '@pulse/rules';
import { DAY_MS } from '../src/fold-options';
import { aliasEvent, identifyEvent, orderEvent, pageEvent } from '../src/test-events';
import { RULE_AGGREGATES, folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const t = (daysAgo: number) => NOW - daysAgo * DAY_MS;
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

function last(h: FolderHarness, customerId: string): ProfileChange {
  const change = h.published.filter((c) => c.customerId === customerId && !c.tombstone).at(-1);
  if (!change) throw new Error(`no change for ${customerId}`);
  return change;
}

/** What folding the events one by one with the pure rules fold gives. */
function expected(events: readonly PulseEvent[]): Record<string, string> {
  let aggregates: Record<string, string> = {};
  for (const e of events)
    aggregates = foldAggregates(RULE_AGGREGATES, aggregates, toAggregateEvent(e)).aggregates;
  return aggregates;
}

function ruleAggregates(change: ProfileChange): Record<string, string> {
  const ids = new Set(RULE_AGGREGATES.map((s) => s.id));
  return Object.fromEntries(Object.entries(change.profile.aggregates).filter(([k]) => ids.has(k)));
}

describe('rule aggregates (the segments’ AggregateSpecs)', () => {
  it('are folded per event into the change records, once under redelivery', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    const who = { userId: 'agg-1' };
    const first = [
      pageEvent('Home', { ...who, occurredAt: t(40) }),
      orderEvent({ order_id: 'o-1', total: 250 }, { ...who, occurredAt: t(30) }),
      orderEvent({ order_id: 'o-2', total: 20 }, { ...who, occurredAt: t(10) }),
    ];
    const second = [orderEvent({ order_id: 'o-3', total: 90 }, { ...who, occurredAt: t(1) })];
    await h.folder.foldBatch(first);
    await h.folder.foldBatch(second);
    const before = last(h, 'u:agg-1');
    await h.folder.foldBatch([...first, ...second]); // redelivery
    const after = last(h, 'u:agg-1');
    expect(ruleAggregates(after)).toEqual(expected([...first, ...second]));
    expect(after.version).toBe(before.version);
    expect(parseAggregate(after.profile.aggregates['order-completed'] ?? '').n).toBe(3);
    const firstChange = h.published.find((c) => c.customerId === 'u:agg-1');
    // changed covers every event of the batch, not only the customer's last one
    expect(firstChange?.changed).toEqual(
      expect.arrayContaining(['aggregates.order-completed', 'aggregates.page', 'firstSeenAt']),
    );
  });

  it('refold from a fresh read when another consumer wrote in between', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    const twin = h.twin();
    const who = { userId: 'agg-2' };
    const events = [1, 2, 3, 4].map((i) =>
      orderEvent({ order_id: `o-${i}`, total: 10 * i }, { ...who, occurredAt: t(10 - i) }),
    );
    for (let i = 0; i < events.length; i += 1)
      await (i % 2 === 0 ? h.folder : twin.folder).foldBatch([events[i] as PulseEvent]);
    await h.folder.foldBatch([pageEvent('Home', { ...who, occurredAt: t(0) })]);
    const state = parseAggregate(last(h, 'u:agg-2').profile.aggregates['order-completed'] ?? '');
    expect(state.n).toBe(4);
    expect(state.s).toBe(4);
  });

  it('of a merged-away customer are added to the survivor’s', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    await h.folder.foldBatch([
      orderEvent({ order_id: 'a-1', total: 30 }, { anonymousId: 'anon-9', occurredAt: t(5) }),
      orderEvent({ order_id: 'u-1', total: 40 }, { userId: 'agg-3', occurredAt: t(3) }),
    ]);
    await h.folder.foldBatch([
      aliasEvent('anon-9', 'agg-3', { occurredAt: t(1) }),
      identifyEvent({ country: 'FR' }, { userId: 'agg-3', occurredAt: t(1) }),
    ]);
    const state = parseAggregate(last(h, 'u:agg-3').profile.aggregates['order-completed'] ?? '');
    expect(state.n).toBe(2);
    expect(state.e.map((e) => e[0])).toEqual([t(5), t(3)]);
  });
});
