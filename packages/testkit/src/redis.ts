import { PulseError } from '@pulse/core';
import { Redis } from 'ioredis';
import { randomName } from './names';
import type { Stack } from './stack';

/** A Redis client for one test file, with a key prefix no other run uses. */
export interface IsolatedRedis {
  client: Redis;
  /** Put it in front of every key the test writes, e.g. `t:redis-lq3k-9f2a:`. */
  prefix: string;
  /** Deletes the keys under `prefix` (SCAN + UNLINK, never FLUSH*); returns how many. */
  deleteKeys(): Promise<number>;
  /** `deleteKeys()` then disconnects. Idempotent. */
  cleanup(): Promise<void>;
}

/** Options of `isolatedRedis`. */
export interface IsolatedRedisOptions {
  /** Default `t:<randomName('redis')>:`. */
  prefix?: string;
  /** SCAN COUNT hint; default 500. */
  scanCount?: number;
}

/** Escapes glob metacharacters so SCAN MATCH treats the prefix literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * A client of the shared test Redis plus a random key prefix. The Redis is shared with other
 * test runs: tests write only under `prefix`, and cleanup deletes only those keys.
 */
export function isolatedRedis(stack: Stack, options: IsolatedRedisOptions = {}): IsolatedRedis {
  const prefix = options.prefix ?? `t:${randomName('redis')}:`;
  if (prefix === '') {
    throw new PulseError(
      'INVALID_ARGUMENT',
      'isolatedRedis: an empty prefix would match every key',
    );
  }
  const client = new Redis(stack.redisUrl, { maxRetriesPerRequest: 3 });
  const deleteKeys = async (): Promise<number> => {
    const match = `${escapeGlob(prefix)}*`;
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(
        cursor,
        'MATCH',
        match,
        'COUNT',
        options.scanCount ?? 500,
      );
      if (keys.length > 0) deleted += await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  };
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      try {
        await deleteKeys();
      } finally {
        await client.quit().catch(() => client.disconnect());
      }
    })());
  return { client, prefix, deleteKeys, cleanup };
}
