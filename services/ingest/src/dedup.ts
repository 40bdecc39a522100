import { defineScript, type Keyspace, type Redis } from '@pulse/redis';

/**
 * Remembers messageIds for a window (Redis `SET NX PX`), so a retried request is acknowledged
 * without publishing its events twice. A claim is released when the publish fails, so the
 * client's retry publishes it then: between losing an event and a rare duplicate this picks
 * the duplicate (profile-builder's idempotency is the real guarantee).
 */
/** Where a message id stands when a publish claims it (see `claimPending`). */
export type ClaimState = 'new' | 'seen' | 'pending';

export interface Deduper {
  /** For each id, true when it is new (now claimed), false when seen within the window. */
  claim(source: string, ids: readonly string[]): Promise<boolean[]>;
  /**
   * Claims ids for a publish in two steps: `new` ids are claimed as pending for `pendingMs`
   * only, and become seen for the window once `confirm`ed (after the Kafka ack). So a process
   * that dies between claim and ack leaves a claim that expires — the client's retry publishes
   * then — instead of one that answers the retry "duplicate" for an event never stored.
   * `pending`: another request is publishing the id right now (or died doing so).
   */
  claimPending(source: string, ids: readonly string[], pendingMs: number): Promise<ClaimState[]>;
  /** Pending claims whose events Kafka acknowledged: seen for the window from now. */
  confirm(source: string, ids: readonly string[]): Promise<void>;
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

const CLAIM_PENDING = defineScript(
  'ingest-claim-pending',
  `-- Claims message ids as pending: SET key p PX pending NX, reporting what was there.
-- KEYS: the ids' keys (one source and bucket, so one hash-tag slot)
-- ARGV[1]: how long a pending claim lasts (ms)
-- returns: one character per key: 1 = new (claimed pending now), 0 = seen, 2 = pending elsewhere
local out = {}
for i, key in ipairs(KEYS) do
  local was = redis.call('GET', key)
  if not was then
    redis.call('SET', key, 'p', 'PX', ARGV[1])
    out[i] = '1'
  elseif was == 'p' then
    out[i] = '2'
  else
    out[i] = '0'
  end
end
return table.concat(out)`,
);

const CONFIRM = defineScript(
  'ingest-confirm',
  `-- Pending claims whose events were acknowledged: seen for the window.
-- KEYS: the ids' keys (one source and bucket)   ARGV[1]: the window (ms)
for _, key in ipairs(KEYS) do
  redis.call('SET', key, '1', 'PX', ARGV[1])
end
return #KEYS`,
);

const STATES: Record<string, ClaimState> = { '0': 'seen', '1': 'new', '2': 'pending' };

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
    async claimPending(source, ids, pendingMs) {
      const states = new Array<ClaimState>(ids.length);
      await Promise.all(
        [...byBucket(ids)].map(async ([bucket, positions]) => {
          const batchKeys = positions.map((i) => key(source, bucket, ids[i]!));
          const reply = await CLAIM_PENDING.run(redis, batchKeys, [pendingMs]);
          if (typeof reply !== 'string' || reply.length !== positions.length) {
            throw new Error(`${CLAIM_PENDING.name}: unexpected reply ${String(reply)}`);
          }
          positions.forEach((at, j) => (states[at] = STATES[reply[j]!] ?? 'new'));
        }),
      );
      return states;
    },
    async confirm(source, ids) {
      await Promise.all(
        [...byBucket(ids)].map(([bucket, positions]) =>
          CONFIRM.run(
            redis,
            positions.map((i) => key(source, bucket, ids[i]!)),
            [windowMs],
          ),
        ),
      );
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
