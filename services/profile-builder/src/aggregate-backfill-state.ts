import type { Redis } from '@pulse/redis';
import type { AggregateSpec } from '@pulse/rules';
import type { ProfileKeys } from './keys';

/**
 * Which rule aggregates the profile builder maintains, and which of them hold all of history.
 * Keys (under the profile builder's PROFILE_KEY_PREFIX; the segmenter reads `agg:ready` through
 * SEGMENTER_PROFILE_KEY_PREFIX, so that name is a contract between the two):
 * - `agg:ready` hash aggregate id → ReadyRecord JSON: the aggregate is folded from every event
 *   of events.v1 (live since it was registered, backfilled before that), for windows up to
 *   `horizonMs`. An id missing here (or with a shorter horizon) is not to be relied on yet.
 *   Field `!since` (ms) says this bookkeeping runs at all (set on its first start).
 * - `agg:backfill-lock` string: the copy running a backfill (others wait for `agg:ready`).
 */
export interface ReadyRecord {
  horizonMs: number;
  readyAt: number;
  /** Profiles a backfill wrote (0 when the aggregate was there from the first fold). */
  backfilled: number;
}

export const readyKey = (keys: ProfileKeys): string => keys.keyspace.plain('agg', 'ready');
export const backfillLockKey = (keys: ProfileKeys): string =>
  keys.keyspace.plain('agg', 'backfill-lock');

/** The `!since` field of `agg:ready`: present once the profile builder keeps this record. */
export const READY_SINCE = '!since';

/** The ready aggregates, or undefined when no profile builder keeps the record (yet). */
export async function readReady(
  redis: Redis,
  keys: ProfileKeys,
): Promise<Map<string, ReadyRecord> | undefined> {
  const all = await redis.hgetall(readyKey(keys));
  if (all[READY_SINCE] === undefined) return undefined;
  return new Map(
    Object.entries(all)
      .filter(([id]) => id !== READY_SINCE)
      .map(([id, v]) => [id, JSON.parse(v) as ReadyRecord]), // written by markReady
  );
}

/** Whether `ready` covers the spec (registered with at least its horizon). */
export const covers = (ready: ReadonlyMap<string, ReadyRecord>, spec: AggregateSpec): boolean =>
  (ready.get(spec.id)?.horizonMs ?? -1) >= spec.horizonMs;

export async function markReady(
  redis: Redis,
  keys: ProfileKeys,
  specs: readonly AggregateSpec[],
  at: number,
  backfilled: number,
): Promise<void> {
  if (specs.length === 0) return;
  const record = (s: AggregateSpec): string =>
    JSON.stringify({ horizonMs: s.horizonMs, readyAt: at, backfilled } satisfies ReadyRecord);
  await redis.hset(readyKey(keys), Object.fromEntries(specs.map((s) => [s.id, record(s)])));
}

/**
 * Reconciles `agg:ready` with the specs this copy maintains and returns those that need a
 * backfill. The first start with this bookkeeping (no `agg:ready` at all) takes every spec as
 * ready: a fresh deployment folds them from the first event, and an older one maintained every
 * loaded spec already. Aggregates no segment needs any more stop being ready (a later segment
 * that needs one again gets it backfilled: its stored value went stale meanwhile).
 */
export async function aggregatesToBackfill(
  redis: Redis,
  keys: ProfileKeys,
  specs: readonly AggregateSpec[],
  now: number,
): Promise<AggregateSpec[]> {
  const ready = await readReady(redis, keys);
  if (ready === undefined) {
    await markReady(redis, keys, specs, now, 0);
    await redis.hset(readyKey(keys), READY_SINCE, now);
    return [];
  }
  const wanted = new Set(specs.map((s) => s.id));
  const dropped = [...ready.keys()].filter((id) => !wanted.has(id));
  if (dropped.length > 0) await redis.hdel(readyKey(keys), ...dropped);
  return specs.filter((s) => !covers(ready, s));
}
