import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { createDuplicateStore } from '../src/duplicate-store';
import { createApiHandler, type ApiOptions } from '../src/http-api';
import { createProfileKeys } from '../src/keys';
import { orderEvent } from '../src/test-events';
import { FOLD, TAGS, folderHarness, type FolderHarness } from './harness';

const NOW = Date.UTC(2026, 10, 20, 12);
const harnesses: FolderHarness[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const h of harnesses.splice(0)) await h.cleanup();
});

/** The read API over a folded customer, listening on loopback. */
async function api(auth: Pick<ApiOptions, 'adminToken' | 'openLoopback'>): Promise<string> {
  const h = await folderHarness(NOW);
  harnesses.push(h);
  await h.folder.foldBatch([orderEvent({ order_id: 'ra-1', total: 10 }, { userId: 'ra-1' })]);
  const server = createServer(
    createApiHandler({
      store: h.store,
      fold: FOLD,
      clock: h.clock,
      logger: silentLogger(),
      tags: TAGS,
      duplicates: createDuplicateStore(h.iso.client, createProfileKeys(h.prefix)),
      ...auth,
    }),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`; // TCP
}

describe('profile read API access (PROFILE_ADMIN_TOKEN)', () => {
  it('is closed without a token: profiles and duplicates answer 403 saying what to set', async () => {
    const base = await api({});
    for (const route of ['/v1/profiles/ra-1', '/v1/duplicates']) {
      const res = await fetch(`${base}${route}`);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        error: 'admin_token_required',
        message: expect.stringContaining('set PROFILE_ADMIN_TOKEN'),
      });
    }
  });

  it('with a token, serves only requests that carry it', async () => {
    const base = await api({ adminToken: 's3cret' });
    expect((await fetch(`${base}/v1/profiles/ra-1`)).status).toBe(401);
    const wrong = { authorization: 'Bearer nope' };
    expect((await fetch(`${base}/v1/profiles/ra-1`, { headers: wrong })).status).toBe(401);
    const res = await fetch(`${base}/v1/profiles/ra-1`, {
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ customerId: 'u:ra-1', purchases: { orders: 1 } });
  });

  it('opens reads, never erasure, to loopback with PROFILE_ADMIN_OPEN_LOOPBACK', async () => {
    const base = await api({ openLoopback: true });
    expect((await fetch(`${base}/v1/profiles/ra-1`)).status).toBe(200);
    expect((await fetch(`${base}/v1/duplicates`)).status).toBe(200);
    expect((await fetch(`${base}/v1/profiles/ra-1`, { method: 'DELETE' })).status).toBe(403);
  });
});
