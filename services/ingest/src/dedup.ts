import { defineScript, type Keyspace, type Redis } from '@pulse/redis';

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

/**
 * Ids are spread over this many hash-tag slots per source: a batch's claims take one script call
 * per bucket (not one command per id), and on Redis Cluster a source's keys still spread over
 * several slots.
 */
export const DEDUP_BUCKETS = 16;

const CLAIM = defineScript(
  'ingest-claim',
  `-- Claims message ids for a window: SET key 1 PX window NX for each key.
-- KEYS: the ids' keys (one source and bucket, so one hash-tag slot)
-- ARGV[1]: the window in milliseconds
-- returns: one character per key, in order: 1 = new (claimed now), 0 = seen within the window
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('SET', key, '1', 'PX', ARGV[1], 'NX') and '1' or '0'
end
return table.concat(out)`,
);

/** FNV-1a of the id, to a bucket. */
export function dedupBucket(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % DEDUP_BUCKETS;
}

/** Positions of `ids` grouped by bucket. */
function byBucket(ids: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const bucket = dedupBucket(ids[i]!);
    const group = groups.get(bucket);
    if (group) group.push(i);
    else groups.set(bucket, [i]);
  }
  return groups;
}

export function createDeduper(options: DeduperOptions): Deduper {
  const { redis, keys, windowMs } = options;
  const key = (source: string, bucket: number, id: string) =>
    keys.tagged(`ingest:msg:${source}:${bucket}`, id);
  return {
    async claim(source, ids) {
      const fresh = new Array<boolean>(ids.length);
      await Promise.all(
        [...byBucket(ids)].map(async ([bucket, positions]) => {
          const batchKeys = positions.map((i) => key(source, bucket, ids[i]!));
          const reply = await CLAIM.run(redis, batchKeys, [windowMs]);
          if (typeof reply !== 'string' || reply.length !== positions.length) {
            throw new Error(`${CLAIM.name}: unexpected reply ${String(reply)}`);
          }
          positions.forEach((at, j) => (fresh[at] = reply.charCodeAt(j) === 0x31));
        }),
      );
      return fresh;
    },
    async release(source, ids) {
      await Promise.all(
        [...byBucket(ids)].map(([bucket, positions]) =>
          redis.del(...positions.map((i) => key(source, bucket, ids[i]!))),
        ),
      );
    },
  };
}
