import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SegmentChange } from '@pulse/contracts';
import { PulseError } from '@pulse/core';
import { defineScript, redisError, type Redis, type Script } from '@pulse/redis';
import type { VersionInfo } from '@pulse/rules';
import type { SegmenterKeys } from './keys';

const TRANSITION_SOURCE = readFileSync(
  path.resolve(__dirname, '..', 'scripts', 'transition.lua'),
  'utf8',
);
const TRANSITION: Script = defineScript('segmenter-transition', TRANSITION_SOURCE);

export type Cause = SegmentChange['cause'];

/** One evaluated segment, as the transition script takes it. */
export interface Verdict {
  segmentId: string;
  version: number;
  member: boolean;
  nextFlipAt: number | null;
}

/** What one customer's evaluation asks the store to apply. */
export interface TransitionRequest {
  customerId: string;
  cause: Cause;
  /** Profile version evaluated (the watermark). */
  version: number;
  /** Snapshot JSON to store for later clock re-checks; '' keeps the stored one. */
  snapshot: string;
  at: number;
  eventId: string | null;
  eventOccurredAt: number | null;
  verdicts: readonly Verdict[];
}

export interface TransitionOutcome {
  applied: boolean;
  /** Earliest instant any of the customer's segments can flip with time alone. */
  nextFlipAt: number | null;
  /** Every change written and not yet published (this transition's and any left over). */
  outbox: SegmentChange[];
  /** Segments this transition re-entered within the flap window of their last exit. */
  flaps: string[];
}

/** One loaded version of a segment, as kept in its history. */
export interface StoredVersion extends VersionInfo {
  file: string;
  loadedAt: number;
  /** Set on the last version of a segment whose definition was deleted. */
  removedAt?: number;
}

export interface Membership {
  segmentId: string;
  member: boolean;
  version: number;
  since: number | null;
  nextFlipAt: number | null;
}

/** A SegmentChange as the transition and removal scripts write it (JSON). */
export function parseChange(text: string): SegmentChange {
  const raw = JSON.parse(text) as Record<string, unknown>; // written by transition.lua / remove-segment.lua
  return {
    id: String(raw.id),
    customerId: String(raw.customerId),
    segmentId: String(raw.segmentId),
    segmentVersion: Number(raw.segmentVersion),
    change: raw.change === 'entered' ? 'entered' : 'exited',
    at: Number(raw.at),
    cause: raw.cause as SegmentChange['cause'], // one of the causes the caller passed in
    eventId: raw.eventId ? String(raw.eventId) : null,
    eventOccurredAt: raw.eventOccurredAt ? Number(raw.eventOccurredAt) : null,
    reason: raw.reason ? String(raw.reason) : null,
  };
}

function parseMembership(segmentId: string, value: string): Membership {
  const [member, version, since, flip] = value.split('|');
  return {
    segmentId,
    member: member === '1',
    version: Number(version),
    since: since ? Number(since) : null,
    nextFlipAt: flip ? Number(flip) : null,
  };
}

/** Redis access of the segmenter: transitions, outbox, member sets, reads for the API. */
export function createSegmentStore(options: {
  redis: Redis;
  keys: SegmenterKeys;
  historyLimit: number;
  /** An entry this soon (ms) after an exit of the same segment counts as a flap. */
  flapWindowMs: number;
}) {
  const { redis, keys } = options;

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

  /** Loads the script (SCRIPT LOAD) so pipelined EVALSHA finds it. */
  async function prepare(): Promise<void> {
    await redis.script('LOAD', TRANSITION_SOURCE);
  }

  const args = (r: TransitionRequest): (string | number)[] => [
    r.cause,
    r.version,
    r.snapshot,
    r.at,
    r.customerId,
    r.eventId ?? '',
    r.eventOccurredAt ?? '',
    options.historyLimit,
    options.flapWindowMs,
    ...r.verdicts.flatMap((v) => [v.segmentId, v.version, v.member ? 1 : 0, v.nextFlipAt ?? '']),
  ];

  return {
    prepare,

    /** Applies transitions in one round trip (one script call per customer, in order). */
    async transition(requests: readonly TransitionRequest[]): Promise<TransitionOutcome[]> {
      if (requests.length === 0) return [];
      const run = () =>
        exec((p) => {
          for (const r of requests) {
            const k = keys.customer(r.customerId);
            p.evalsha(TRANSITION.sha, k.length, ...k, ...args(r));
          }
        }, 'applying segment transitions');
      const values = await run().catch(async (err: unknown) => {
        // After a Redis restart the script cache is empty: load it and run again (idempotent).
        if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
        await prepare();
        return run();
      });
      return values.map((raw) => {
        if (!Array.isArray(raw))
          throw new PulseError('SEGMENTER_SCRIPT_REPLY', `transition: bad reply ${String(raw)}`);
        const [applied, flip, outbox, flaps] = raw as [number, string, string[], string[]];
        return {
          applied: Number(applied) === 1,
          nextFlipAt: flip === '' ? null : Number(flip),
          outbox: (outbox ?? []).map(parseChange),
          flaps: flaps ?? [],
        };
      });
    },

    /**
     * After the changes were published: drops them from the outboxes and applies them, in
     * order, to the member sets and size series (idempotent ZADD/ZREM, so a replay is harmless).
     */
    async settle(
      published: ReadonlyMap<string, readonly SegmentChange[]>,
      now: number,
    ): Promise<Map<string, number>> {
      if (published.size === 0) return new Map();
      const touched = new Set<string>();
      await exec((p) => {
        for (const [customerId, changes] of published) {
          p.ltrim(keys.customer(customerId)[3], changes.length, -1);
          for (const c of changes) {
            touched.add(c.segmentId);
            if (c.change === 'entered') p.zadd(keys.members(c.segmentId), c.at, customerId);
            else p.zrem(keys.members(c.segmentId), customerId);
          }
        }
      }, 'settling published changes');
      const segments = [...touched];
      const sizes = await exec(
        (p) => segments.forEach((s) => p.zcard(keys.members(s))),
        'reading sizes',
      );
      const hour = String(Math.floor(now / 3_600_000) * 3_600_000);
      await exec(
        (p) => segments.forEach((s, i) => p.hset(keys.sizes(s), hour, Number(sizes[i]))),
        'recording sizes',
      );
      return new Map(segments.map((s, i) => [s, Number(sizes[i])]));
    },

    /**
     * The stored snapshot, version and current memberships of a customer (for clock re-checks
     * and re-evaluations: hysteresis holds stored members to the exit bounds), one round trip.
     */
    async profile(
      customerId: string,
    ): Promise<{ version: number; snapshot: string; members: Set<string> } | undefined> {
      const [prof, seg] = keys.customer(customerId);
      const [fields, all] = await exec((p) => {
        p.hmget(prof, 'v', 'snap');
        p.hgetall(seg);
      }, 'reading a stored profile');
      const [v, snap] = (fields ?? []) as (string | null)[];
      if (v === null || v === undefined || snap === null || snap === undefined) return undefined;
      const members = Object.entries((all ?? {}) as Record<string, string>)
        .map(([id, value]) => parseMembership(id, value))
        .filter((m) => m.member)
        .map((m) => m.segmentId);
      return { version: Number(v), snapshot: snap, members: new Set(members) };
    },

    /** Stored memberships and profile version of many customers, in one round trip. */
    async states(
      customerIds: readonly string[],
    ): Promise<{ version: number; memberships: Membership[] }[]> {
      if (customerIds.length === 0) return [];
      const values = await exec((p) => {
        for (const id of customerIds) {
          const [prof, seg] = keys.customer(id);
          p.hget(prof, 'v');
          p.hgetall(seg);
        }
      }, 'reading memberships');
      return customerIds.map((_, i) => {
        const all = (values[2 * i + 1] ?? {}) as Record<string, string>;
        return {
          version: Number(values[2 * i] ?? 0),
          memberships: Object.entries(all).map(([id, v]) => parseMembership(id, v)),
        };
      });
    },

    /**
     * After an erasure's exits were published: drops the stored snapshot (personal data),
     * memberships and history, keeping only the version watermark so an older record
     * redelivered later cannot bring the customer back.
     */
    async forget(customerIds: readonly string[]): Promise<void> {
      if (customerIds.length === 0) return;
      await exec((p) => {
        for (const id of customerIds) {
          const [prof, seg, hist] = keys.customer(id);
          p.hdel(prof, 'snap');
          p.del(seg, hist);
        }
      }, 'forgetting erased customers');
    },

    async memberships(customerId: string): Promise<Membership[]> {
      const all = await redis.hgetall(keys.customer(customerId)[1]);
      return Object.entries(all).map(([id, v]) => parseMembership(id, v));
    },

    async history(customerId: string, limit: number): Promise<SegmentChange[]> {
      const list = await redis.lrange(keys.customer(customerId)[2], 0, limit - 1);
      return list.map(parseChange);
    },

    async members(segmentId: string, offset: number, limit: number) {
      const key = keys.members(segmentId);
      const [total, page] = await exec((p) => {
        p.zcard(key);
        p.zrange(key, offset, offset + limit - 1, 'WITHSCORES');
      }, 'reading members');
      const flat = (page as string[]) ?? [];
      const members: { customerId: string; since: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2)
        members.push({ customerId: flat[i] as string, since: Number(flat[i + 1]) });
      return { total: Number(total), members };
    },

    async sizes(segmentIds: readonly string[]): Promise<number[]> {
      const values = await exec(
        (p) => segmentIds.forEach((s) => p.zcard(keys.members(s))),
        'reading sizes',
      );
      return values.map(Number);
    },

    async sizeHistory(segmentId: string): Promise<Record<string, number>> {
      const all = await redis.hgetall(keys.sizes(segmentId));
      return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Number(v)]));
    },

    async versions(): Promise<Map<string, VersionInfo>> {
      const all = await redis.hgetall(keys.definitions());
      return new Map(
        Object.entries(all).map(([id, v]) => [id, JSON.parse(v) as VersionInfo]), // our own JSON
      );
    },

    /** Records loaded versions in each segment's history (kept when a newer one arrives). */
    async recordVersions(
      versions: readonly (VersionInfo & { segmentId: string; file: string })[],
      loadedAt: number,
    ): Promise<void> {
      if (versions.length === 0) return;
      await exec((p) => {
        for (const { segmentId, file, hash, number } of versions)
          p.hsetnx(
            keys.versions(segmentId),
            String(number),
            JSON.stringify({ hash, number, file, loadedAt }),
          );
      }, 'recording segment versions');
    },

    /** Every version of these segments ever loaded, oldest first. */
    async versionHistory(segmentIds: readonly string[]): Promise<StoredVersion[][]> {
      const values = await exec(
        (p) => segmentIds.forEach((id) => p.hvals(keys.versions(id))),
        'reading segment versions',
      );
      return values.map((v) =>
        ((v as string[]) ?? [])
          .map((text) => JSON.parse(text) as StoredVersion) // written by recordVersions
          .sort((a, b) => a.number - b.number),
      );
    },

    /** Customer ids with a stored profile, in pages (SCAN: never blocks Redis). */
    async *customerPages(pageSize = 500): AsyncGenerator<string[]> {
      const stream = redis.scanStream({ match: keys.profilePattern(), count: pageSize });
      for await (const page of stream) {
        const ids = (page as string[])
          .map((k) => keys.customerOfProfileKey(k))
          .filter((id): id is string => id !== undefined);
        if (ids.length > 0) yield ids;
      }
    },

    async saveVersions(versions: ReadonlyMap<string, VersionInfo>): Promise<void> {
      if (versions.size === 0) return;
      await redis.hset(
        keys.definitions(),
        Object.fromEntries([...versions].map(([id, v]) => [id, JSON.stringify(v)])),
      );
    },
  };
}

export type SegmentStore = ReturnType<typeof createSegmentStore>;
