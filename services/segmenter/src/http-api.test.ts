import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { Redis } from 'ioredis';
import { loadSegmentSet } from '@pulse/rules';
import { createApiHandler } from './http-api';
import { createSegmenterKeys } from './keys';
import { createRemovalStore } from './removal-store';
import { createSegmentStore } from './store';

// Never connected: the token check answers before any Redis call.
const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
const keys = createSegmenterKeys('unit');
let server: Server | undefined;

async function serve(adminToken: string | undefined): Promise<string> {
  const handler = createApiHandler({
    segments: () => ({
      set: loadSegmentSet([]).set,
      problems: [],
      keptPrevious: [],
      waitingForAggregates: [],
      reevaluation: {
        state: 'idle',
        segments: [],
        done: 0,
        total: 0,
        startedAt: null,
        finishedAt: null,
      },
      removal: {
        state: 'idle',
        segments: [],
        done: 0,
        total: 0,
        exited: 0,
        startedAt: null,
        finishedAt: null,
      },
    }),
    store: createSegmentStore({ redis, keys, historyLimit: 10, flapWindowMs: 1 }),
    removals: createRemovalStore({ redis, keys, historyLimit: 10 }),
    logger: silentLogger(),
    historyLimit: 10,
    ...(adminToken === undefined ? {} : { adminToken }),
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('segmenter read API access', () => {
  it('is closed (403 naming SEGMENTER_ADMIN_TOKEN) when no token is configured', async () => {
    const base = await serve(undefined);
    for (const path of ['/v1/segments', '/v1/segments/x/members', '/v1/profiles/u%3Aa/segments']) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: 'Bearer anything' } });
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('forbidden');
      expect(body.message).toContain('SEGMENTER_ADMIN_TOKEN');
    }
  });

  it('answers 401 naming SEGMENTER_ADMIN_TOKEN to a missing or wrong token', async () => {
    const base = await serve('s3cret');
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }];
    for (const headers of attempts) {
      const res = await fetch(`${base}/v1/segments`, { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toContain(
        'SEGMENTER_ADMIN_TOKEN',
      );
    }
  });
});
