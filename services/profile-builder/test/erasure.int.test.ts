import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { createDuplicateStore } from '../src/duplicate-store';
import { createEraser } from '../src/erasure';
import { suppressionHash } from '../src/erasure-ids';
import { createApiHandler } from '../src/http-api';
import { createProfileKeys } from '../src/keys';
import { aliasEvent, identifyEvent, orderEvent, pageEvent } from '../src/test-events';
import { FOLD, TAGS, folderHarness, type FolderHarness } from './harness';

/*
 * The harm: a customer asks to be forgotten, their profile is deleted, and the next replay of
 * events.v1 (a rebuild, a new aggregate's backfill) folds their events again — the profile, the
 * email and the segment memberships come back. Erasure must survive replays.
 */
const NOW = Date.UTC(2025, 2, 20, 12);
const TOKEN = 'erase-test-token';
const harnesses: FolderHarness[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const h of harnesses.splice(0)) await h.cleanup();
});

/** A customer with a merged anonymous history, an email, orders and duplicate-index entries. */
function story() {
  return [
    pageEvent(null, { userId: null, anonymousId: 'anon-9' }),
    aliasEvent('anon-9', 'cust-9'),
    identifyEvent(
      {
        email: 'Jane.Doe+shop@gmail.com',
        first_name: 'Jane',
        last_name: 'Doe',
        phone: '+1 415 555 0199',
        postal_code: '94110',
      },
      { userId: 'cust-9' },
    ),
    orderEvent({ order_id: 'er-1', total: 80 }, { userId: 'cust-9' }),
  ];
}

async function setUp() {
  const h = await folderHarness(NOW);
  harnesses.push(h);
  const keys = createProfileKeys(h.prefix);
  const eraser = createEraser({
    redis: h.iso.client,
    keys,
    store: h.store,
    clock: h.clock,
    logger: silentLogger(),
    publish: async (c) => void h.published.push(...c),
  });
  const handler = createApiHandler({
    store: h.store,
    fold: FOLD,
    clock: h.clock,
    logger: silentLogger(),
    tags: TAGS,
    duplicates: createDuplicateStore(h.iso.client, keys),
    adminToken: TOKEN,
    eraser,
  });
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { h, keys, eraser, base };
}

/** Every key under the test prefix that still names the customer (ids, email, phone). */
async function traces(h: FolderHarness): Promise<string[]> {
  const found: string[] = [];
  for (const key of await h.iso.client.keys(`${h.prefix}:*`)) {
    if (/cust-9|anon-9|janedoe|4155550199/.test(key)) found.push(key);
    const type = await h.iso.client.type(key);
    const members =
      type === 'set'
        ? await h.iso.client.smembers(key)
        : type === 'zset'
          ? await h.iso.client.zrange(key, 0, -1)
          : type === 'string'
            ? [await h.iso.client.get(key)]
            : [];
    if (members.some((m) => m !== null && /cust-9|anon-9|janedoe/.test(m))) found.push(key);
  }
  return [...new Set(found)];
}

describe('erasure (pulse forget / DELETE /v1/profiles/:id)', () => {
  it('without erasure, a replay of events.v1 rebuilds a deleted profile', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    const events = story();
    await h.folder.foldBatch(events);
    // Deleting the keys alone (no suppression) is undone by the next replay.
    const keys = createProfileKeys(h.prefix);
    await h.iso.client.del(...keys.customer('u:cust-9'), keys.identity('u:cust-9'));
    h.store.evict(['u:cust-9']);
    await h.folder.foldBatch(events.map((e) => ({ ...e, id: `${e.id}-replay` })));
    expect((await h.read('cust-9'))?.purchases.orders).toBe(1);
  });

  it('forgets the customer, keeps hashes only, publishes a tombstone and skips replays', async () => {
    const { h, keys, base } = await setUp();
    const events = story();
    await h.folder.foldBatch(events);
    expect((await h.read('jane.doe@gmail.com'))?.customerId).toBe('u:cust-9');
    expect(await traces(h)).not.toEqual([]);

    const denied = await fetch(`${base}/v1/profiles/cust-9`, { method: 'DELETE' });
    expect(denied.status).toBe(401);
    const res = await fetch(`${base}/v1/profiles/${encodeURIComponent('Jane.Doe@gmail.com')}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ erased: true, customerId: 'u:cust-9' });

    // Nothing personal is left: no key, set member or mapping names the customer.
    expect(await traces(h)).toEqual([]);
    expect(await h.read('cust-9')).toBeUndefined();
    expect(await h.read('anon-9')).toBeUndefined();
    const suppressed = await h.iso.client.smembers(keys.erased());
    expect(suppressed).toEqual(
      expect.arrayContaining(['u:cust-9', 'a:anon-9', 'e:janedoe@gmail.com'].map(suppressionHash)),
    );
    expect(suppressed.join()).not.toMatch(/cust|jane|anon/);
    const tombstone = h.published.at(-1);
    expect(tombstone).toMatchObject({
      customerId: 'u:cust-9',
      tombstone: true,
      mergedInto: null,
      eventId: null,
      profile: { email: null, traits: {}, aggregates: {} },
    });

    // A replay of the whole history (new offsets, same and new event ids) adds nothing back.
    const before = h.published.length;
    const report = await h.folder.foldBatch([
      ...events,
      ...events.map((e) => ({ ...e, id: `${e.id}-replay` })),
      // The same person under another spelling of the email, without the userId.
      identifyEvent({ email: 'janedoe@googlemail.com' }, { userId: null, anonymousId: 'new-anon' }),
    ]);
    expect(report).toMatchObject({ applied: 0, erased: events.length * 2 + 1 });
    expect(h.published.length).toBe(before);
    expect(await h.read('cust-9')).toBeUndefined();
    expect(await h.read('janedoe@gmail.com')).toBeUndefined();
    expect(await traces(h)).toEqual([]);

    // Other customers are untouched and still folded in the same batch.
    await h.folder.foldBatch([orderEvent({ order_id: 'other-1', total: 5 }, { userId: 'bob' })]);
    expect((await h.read('bob'))?.purchases.orders).toBe(1);
  });

  it('refuses DELETE when no admin token is configured', async () => {
    const h = await folderHarness(NOW);
    harnesses.push(h);
    const server = createServer(
      createApiHandler({
        store: h.store,
        fold: FOLD,
        clock: h.clock,
        logger: silentLogger(),
        tags: TAGS,
        duplicates: createDuplicateStore(h.iso.client, createProfileKeys(h.prefix)),
      }),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/v1/profiles/x`, { method: 'DELETE' });
    expect(res.status).toBe(403);
  });
});
