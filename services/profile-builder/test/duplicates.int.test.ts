import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { createDuplicateStore } from '../src/duplicate-store';
import { createApiHandler } from '../src/http-api';
import { createProfileKeys } from '../src/keys';
import { identifyEvent, orderEvent } from '../src/test-events';
import { FOLD, TAGS, folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2025, 2, 20, 12);
const harnesses: FolderHarness[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function listed(h: FolderHarness): Promise<{ a: string; b: string; score: number }[]> {
  const handler = createApiHandler({
    store: h.store,
    fold: FOLD,
    clock: h.clock,
    logger: silentLogger(),
    tags: TAGS,
    duplicates: createDuplicateStore(h.iso.client, createProfileKeys(h.prefix)),
    openLoopback: true, // a local read without a token (PROFILE_ADMIN_OPEN_LOOPBACK=1)
  });
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port; // listening on TCP
  const res = await fetch(`http://127.0.0.1:${port}/v1/duplicates`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { duplicates: { a: string; b: string; score: number }[] })
    .duplicates;
}

describe('fuzzy duplicate detection', () => {
  it('merges a probable duplicate at the threshold and lists a weaker one for review', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    await h.folder.foldBatch([
      orderEvent({ order_id: 'd-1', total: 30 }, { userId: 'shop-77' }),
      identifyEvent(
        { first_name: 'Jon', last_name: 'Smith', phone: '+1 415 555 0100', postal_code: '94110' },
        { userId: 'shop-77' },
      ),
    ]);
    // The CRM knows him as John, same phone and postcode: 0.95 ≥ 0.9, merged.
    const report = await h.folder.foldBatch([
      orderEvent({ order_id: 'd-2', total: 20 }, { userId: 'crm-77' }),
      identifyEvent(
        { first_name: 'John', last_name: 'Smith', phone: '(415) 555-0100', postal_code: '94110' },
        { userId: 'crm-77' },
      ),
    ]);
    expect(report.merges).toBe(1);
    const merged = await h.read('shop-77');
    expect(merged?.customerId).toBe('u:crm-77');
    expect(merged?.purchases).toMatchObject({ orders: 2, spent: 50 });
    expect(h.published.find((c) => c.tombstone)).toMatchObject({
      customerId: 'u:shop-77',
      mergedInto: 'u:crm-77',
    });

    // Same name and a one-letter email typo, nothing else: 0.85, listed for review only.
    await h.folder.foldBatch([
      identifyEvent(
        { first_name: 'Ana', last_name: 'Lima', email: 'ana.lima@example.com' },
        { userId: 'ana-1' },
      ),
    ]);
    await h.folder.foldBatch([
      identifyEvent(
        { first_name: 'Ana', last_name: 'Lima', email: 'ana.lma@example.com' },
        { userId: 'ana-2' },
      ),
    ]);
    expect((await h.read('ana-2'))?.customerId).toBe('u:ana-2');
    const list = await listed(h);
    expect(list).toEqual([expect.objectContaining({ a: 'u:ana-1', b: 'u:ana-2', score: 0.85 })]);

    // A different person at the same phone (another first name): not a candidate pair.
    await h.folder.foldBatch([
      identifyEvent(
        { first_name: 'Mary', last_name: 'Smith', phone: '4155550100', postal_code: '94110' },
        { userId: 'mary-1' },
      ),
    ]);
    expect((await h.read('mary-1'))?.customerId).toBe('u:mary-1');
    expect(await listed(h)).toHaveLength(1);

    // Once the reviewed pair is merged (here by a shared email), it leaves the list.
    await h.folder.foldBatch([
      identifyEvent({ email: 'ana.lima@example.com' }, { userId: 'ana-2' }),
    ]);
    expect(await listed(h)).toEqual([]);
  });
});
