import type { ProfileChange } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import { redisError, type Redis } from '@pulse/redis';
import { blockingKeys } from './duplicate-score';
import { personOf } from './duplicate-store';
import { candidateIdentities, suppressionHash } from './erasure-ids';
import { identity } from './identity-ids';
import { POPULATION_DIMENSIONS, type ProfileKeys } from './keys';
import { tombstoneVersion } from './merge-resume';
import type { StateDump } from './dump';
import type { ProfileStore } from './store';

export interface EraserOptions {
  redis: Redis;
  keys: ProfileKeys;
  store: ProfileStore;
  clock: Clock;
  logger: Logger;
  /** Sends the tombstone to profile-changes.v1; resolves once acked. */
  publish(changes: ProfileChange[]): Promise<void>;
}

export interface Erasure {
  /** The canonical customer erased, or null when no profile was found (ids still suppressed). */
  customerId: string | null;
  /** How many identities were suppressed. */
  suppressed: number;
  /** The tombstone's version (null when no profile was found). */
  tombstoneVersion: number | null;
}

const MAX_HOPS = 10;

/** The canonical customer behind an id (following merges), with its state; undefined if none. */
async function locate(
  store: ProfileStore,
  id: string,
): Promise<{ customerId: string; dump: StateDump } | undefined> {
  const resolved = await store.resolve(candidateIdentities(id));
  let customerId = resolved.find((c): c is string => !!c);
  for (let hop = 0; customerId && hop < MAX_HOPS; hop += 1) {
    const read = await store.read(customerId);
    if (read.status === 'unknown') return undefined;
    if (read.status === 'found') return { customerId, dump: read.dump };
    customerId = read.into;
  }
  return undefined;
}

function erasedTombstone(customerId: string, version: number, at: number): ProfileChange {
  return {
    customerId,
    version,
    eventId: null,
    eventType: null,
    eventOccurredAt: null,
    at,
    changed: ['identities'],
    profile: {
      email: null,
      userIds: [],
      anonymousIds: [],
      firstSeenAt: null,
      lastSeenAt: null,
      traits: {},
      aggregates: {},
    },
    mergedFrom: [],
    mergedInto: null,
    tombstone: true,
  };
}

/**
 * Right to erasure: deletes a customer's profile and personal data from Redis and keeps only
 * sha256 hashes of its identities, so the profile builder skips their events from then on
 * (replays of events.v1 included) and the customer is never re-added.
 *
 * Order matters: the suppression is written first, so an event folded after it is skipped;
 * then every key goes in one pipeline; then the tombstone tells downstream (the segmenter exits
 * the customer from every segment and drops its stored snapshot).
 */
export function createEraser(options: EraserOptions) {
  const { redis, keys, store } = options;

  async function exec(build: (p: ReturnType<Redis['pipeline']>) => void, what: string) {
    const p = redis.pipeline();
    build(p);
    let results: [Error | null, unknown][] | null;
    try {
      results = await p.exec();
    } catch (err) {
      throw redisError(err, what);
    }
    const failed = (results ?? []).find(([err]) => err);
    if (failed?.[0]) throw redisError(failed[0], what);
    return (results ?? []).map(([, v]) => v);
  }

  /** Review pairs naming any of these customers (the list is bounded by review, not by size). */
  async function reviewPairs(customerIds: ReadonlySet<string>): Promise<string[]> {
    const members = await redis.zrange(keys.duplicateReview(), 0, -1);
    return members.filter((m) => m.split('|').some((id) => customerIds.has(id)));
  }

  return {
    async erase(id: string): Promise<Erasure> {
      const found = await locate(store, id);
      const identities = new Set(candidateIdentities(id));
      if (found) {
        identities.add(found.customerId);
        for (const i of found.dump.ids) identities.add(i);
        const email = personOf(found.dump.p).email;
        if (email) identities.add(identity('e', email));
      }
      const hashes = [...identities].map(suppressionHash);
      await exec((p) => p.sadd(keys.erased(), ...hashes), 'suppressing erased identities');
      if (!found) {
        options.logger.info({ suppressed: hashes.length }, 'erasure: no profile, ids suppressed');
        return { customerId: null, suppressed: hashes.length, tombstoneVersion: null };
      }
      const { customerId, dump } = found;
      // Merged-away ids are in `ids`; their fences are customer keys of their own.
      const customers = new Set([customerId, ...dump.ids.filter((i) => /^[uae]:/.test(i))]);
      const blocks = blockingKeys(personOf(dump.p));
      const pairs = await reviewPairs(customers);
      await exec((p) => {
        for (const c of customers) p.del(...keys.customer(c));
        for (const i of identities) p.del(keys.identity(i));
        for (const d of POPULATION_DIMENSIONS) p.zrem(keys.population(d), ...customers);
        for (const b of blocks) p.srem(keys.duplicateBlock(b), ...customers);
        if (pairs.length > 0) {
          p.zrem(keys.duplicateReview(), ...pairs);
          p.hdel(keys.duplicateReviewInfo(), ...pairs);
        }
      }, 'erasing a customer');
      store.evict([...customers]);
      const version = tombstoneVersion(dump);
      await options.publish([erasedTombstone(customerId, version, options.clock.now())]);
      // No id in the log: the canonical id may be an email, the very data just erased.
      options.logger.info(
        { suppressed: hashes.length, customers: customers.size },
        'customer erased',
      );
      return { customerId, suppressed: hashes.length, tombstoneVersion: version };
    },
  };
}

export type Eraser = ReturnType<typeof createEraser>;
