import type { Keyspace, Redis } from '@pulse/redis';

/**
 * Remembers messageIds for a window (Redis `SET NX PX`), so a retried request is acknowledged
 * without publishing its events twice. A claim is released when the publish fails, so the
 * client's retry publishes it then: between losing an event and a rare duplicate this picks
 * the duplicate (profile-builder's idempotency is the real guarantee).
 */
export interface Deduper {
  /** For each id, true when it is new (now claimed), false when seen within the window. */
  claim(source: string, ids: readonly string[]): Promise<boolean[]>;
  /** Forgets claims whose events were not published. */
  release(source: string, ids: readonly string[]): Promise<void>;
}

export interface DeduperOptions {
  redis: Redis;
  keys: Keyspace;
  windowMs: number;
}

export function createDeduper(options: DeduperOptions): Deduper {
  const { redis, keys, windowMs } = options;
  const key = (source: string, id: string) => keys.plain('ingest', 'msg', source, id);
  return {
    async claim(source, ids) {
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.set(key(source, id), '1', 'PX', windowMs, 'NX');
      const results = (await pipeline.exec()) ?? [];
      return ids.map((_, i) => {
        const [err, reply] = results[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        return reply === 'OK';
      });
    },
    async release(source, ids) {
      if (ids.length === 0) return;
      await redis.del(...ids.map((id) => key(source, id)));
    },
  };
}
