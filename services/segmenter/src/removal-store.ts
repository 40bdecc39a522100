import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SegmentChange } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import { defineScript, redisError, type Redis, type Script } from '@pulse/redis';
import type { SegmenterKeys } from './keys';
import { parseChange } from './store';

const REMOVE_SOURCE = readFileSync(
  path.resolve(__dirname, '..', 'scripts', 'remove-segment.lua'),
  'utf8',
);
const REMOVE: Script = defineScript('segmenter-remove-segment', REMOVE_SOURCE);

/** The `reason` of the exits a deleted segment definition causes. */
export const REMOVED_REASON = 'segment removed';

/** A segment whose definition was deleted, and how far its members' exits got. */
export interface RemovalRecord {
  segmentId: string;
  /** The last version that ran (the exits carry its number). */
  hash: string;
  number: number;
  file: string;
  removedAt: number;
  /** `running` until every stored customer was visited; a restart resumes a running one. */
  state: 'running' | 'done';
  done: number;
  total: number;
  /** Exits written so far (a resumed run counts only its own). */
  exited: number;
  finishedAt: number | null;
}

/** What removing the segment did to one customer. */
export interface RemovalOutcome {
  exited: boolean;
  /** The removed membership's scheduled re-check (null: none). */
  removedFlip: number | null;
  /** Earliest re-check the customer's other segments need (null: none). */
  nextFlipAt: number | null;
  /** Every change written and not yet published (this one's and any left over). */
  outbox: SegmentChange[];
}

const flip = (text: string): number | null => (text === '' ? null : Number(text));

/** Redis side of deleting a segment: the per-customer exit script and the removal records. */
export function createRemovalStore(options: {
  redis: Redis;
  keys: SegmenterKeys;
  historyLimit: number;
}) {
  const { redis, keys } = options;

  async function run(
    customerIds: readonly string[],
    removal: Pick<RemovalRecord, 'segmentId' | 'number' | 'removedAt'>,
  ): Promise<unknown[]> {
    const p = redis.pipeline();
    for (const id of customerIds) {
      const k = keys.customer(id);
      p.evalsha(
        REMOVE.sha,
        k.length,
        ...k,
        removal.segmentId,
        removal.number,
        removal.removedAt,
        id,
        options.historyLimit,
        REMOVED_REASON,
      );
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await p.exec();
    } catch (err) {
      throw redisError(err, 'removing a deleted segment');
    }
    const failed = (results ?? []).find(([err]) => err);
    if (failed?.[0]) throw failed[0];
    return (results ?? []).map(([, v]) => v);
  }

  return {
    async prepare(): Promise<void> {
      await redis.script('LOAD', REMOVE_SOURCE);
    },

    /**
     * Makes these customers leave the removed segment (one script each, pipelined): an exit
     * into the outbox for a member, the membership and its re-check time dropped for everyone.
     */
    async remove(
      customerIds: readonly string[],
      removal: Pick<RemovalRecord, 'segmentId' | 'number' | 'removedAt'>,
    ): Promise<RemovalOutcome[]> {
      if (customerIds.length === 0) return [];
      const values = await run(customerIds, removal).catch(async (err: unknown) => {
        // After a Redis restart the script cache is empty: load it and run again (idempotent).
        if (!String((err as Error).message).includes('NOSCRIPT'))
          throw redisError(err, 'removing a deleted segment');
        await redis.script('LOAD', REMOVE_SOURCE);
        return run(customerIds, removal);
      });
      return values.map((raw) => {
        if (!Array.isArray(raw))
          throw new PulseError(
            'SEGMENTER_SCRIPT_REPLY',
            `remove-segment: bad reply ${String(raw)}`,
          );
        const [exited, removedFlip, next, outbox] = raw as [number, string, string, string[]];
        return {
          exited: Number(exited) === 1,
          removedFlip: flip(removedFlip),
          nextFlipAt: flip(next),
          outbox: (outbox ?? []).map(parseChange),
        };
      });
    },

    async records(): Promise<RemovalRecord[]> {
      const all = await redis.hgetall(keys.removals());
      return Object.values(all)
        .map((text) => JSON.parse(text) as RemovalRecord) // written by save
        .sort((a, b) => a.removedAt - b.removedAt || a.segmentId.localeCompare(b.segmentId));
    },

    async save(record: RemovalRecord): Promise<void> {
      await redis.hset(keys.removals(), record.segmentId, JSON.stringify(record));
    },

    /** The segment is back (its file was restored): it is no longer removed. */
    async drop(segmentIds: readonly string[]): Promise<void> {
      if (segmentIds.length > 0) await redis.hdel(keys.removals(), ...segmentIds);
    },

    /** Marks version `number` of the segment's history as the one removed at `removedAt`. */
    async markRemoved(segmentId: string, number: number, removedAt: number): Promise<void> {
      const key = keys.versions(segmentId);
      const text = await redis.hget(key, String(number));
      const entry = text ? (JSON.parse(text) as Record<string, unknown>) : { number }; // our JSON
      await redis.hset(key, String(number), JSON.stringify({ ...entry, removedAt }));
    },
  };
}

export type RemovalStore = ReturnType<typeof createRemovalStore>;
