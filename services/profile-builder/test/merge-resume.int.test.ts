import { afterEach, describe, expect, it } from '@jest/globals';
import type { ProfileChange } from '@pulse/contracts';
import { silentLogger } from '@pulse/core';
import { DAY_MS } from '../src/fold-options';
import { createFolder } from '../src/folder';
import { identifyEvent, productEvent, line } from '../src/test-events';
import { FOLD, RULE_AGGREGATES, folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const harnesses: FolderHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

describe('a merge that crashed after its drop step', () => {
  it('publishes its tombstone when the identify is redelivered, and only until it is acked', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    let failNext = false;
    const sent: ProfileChange[] = [];
    const folder = createFolder({
      store: h.store,
      fold: FOLD,
      clock: h.clock,
      logger: silentLogger(),
      aggregates: RULE_AGGREGATES,
      publish: async (changes) => {
        // the process dies after the merge's Redis steps, before the produce is acked
        if (failNext) {
          failNext = false;
          throw new Error('broker gone');
        }
        sent.push(...changes);
      },
    });
    await folder.foldBatch([
      productEvent('Product Viewed', line(), {
        userId: null,
        anonymousId: 'dev-r',
        occurredAt: NOW - DAY_MS,
      }),
    ]);
    const identify = identifyEvent({}, { userId: 'ria', anonymousId: 'dev-r', occurredAt: NOW });
    failNext = true;
    await expect(folder.foldBatch([identify])).rejects.toThrow('broker gone');
    expect((await h.store.fences(['a:dev-r']))[0]).toEqual({ into: 'u:ria', acked: false });

    await folder.foldBatch([identify]); // redelivered after the restart
    const tomb = sent.find((c) => c.tombstone);
    expect(tomb).toMatchObject({ customerId: 'a:dev-r', mergedInto: 'u:ria' });
    expect(tomb?.version).toBe(2);
    // the survivor's change was never acked either: it is published again
    expect(sent.some((c) => c.customerId === 'u:ria' && !c.tombstone)).toBe(true);
    expect((await h.store.fences(['a:dev-r']))[0]).toEqual({ into: 'u:ria', acked: true });
    expect((await h.read('dev-r'))?.browsing.productViews).toBe(1);

    sent.length = 0;
    await folder.foldBatch([identify]); // acked now: nothing more to announce
    expect(sent.filter((c) => c.tombstone)).toEqual([]);
  });
});
