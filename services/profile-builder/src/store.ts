import { PulseError } from '@pulse/core';
import { redisError, type Redis } from '@pulse/redis';
import { decodeDump, type StateDump } from './dump';
import type { PopulationDimension, ProfileKeys } from './keys';
import { encodeOps, type Op } from './ops';
import type { ProfileScripts } from './scripts';

/** What applying ops to one customer did. */
export type ApplyOutcome =
  | { status: 'moved'; into: string }
  | { status: 'applied' | 'duplicate' | 'unchanged'; version: number; dump?: StateDump };

/** One apply in a pipelined batch. */
export interface ApplyRequest {
  customerId: string;
  /** Event id, `merge:<customer>`, or '' (no mark, no version: acks). */
  mark: string;
  markScore: number;
  ops: readonly Op[];
  snapshot: boolean;
}

/** A new identity mapping: SET NX GET answers the mapping that already existed, if any. */
export interface LinkRequest {
  identity: string;
  customerId: string;
}

export interface StoreOptions {
  redis: Redis;
  keys: ProfileKeys;
  scripts: ProfileScripts;
  /** How long idempotency marks are kept (ms of event receivedAt). */
  markRetentionMs: number;
}

/** Redis access of profile-builder: every call is one pipelined round trip, counted. */
export interface ProfileStore {
  readonly roundTrips: () => number;
  /** Loads the scripts (SCRIPT LOAD), so pipelined EVALSHA finds them. */
  prepare(): Promise<void>;
  resolve(identities: readonly string[]): Promise<(string | null)[]>;
  /** Creates mappings (NX) then applies, in one round trip; returns the previous mappings and outcomes. */
  linkAndApply(
    links: readonly LinkRequest[],
    requests: readonly ApplyRequest[],
  ): Promise<{ previous: (string | null)[]; outcomes: ApplyOutcome[] }>;
  mergeMark(loser: string, survivor: string): Promise<{ into: string } | { dump: StateDump }>;
  mergeDrop(loser: string, survivor: string): Promise<boolean>;
  setIdentities(identities: readonly string[], customerId: string): Promise<void>;
  read(
    customerId: string,
  ): Promise<
    | { status: 'moved'; into: string }
    | { status: 'unknown' }
    | { status: 'found'; version: number; dump: StateDump }
  >;
  /** ZADDs of current values and ZREMs of merged-away customers, one round trip. */
  updatePopulation(
    values: readonly { customerId: string; dimension: PopulationDimension; value: number | null }[],
  ): Promise<void>;
  rank(dimension: PopulationDimension, value: number): Promise<{ below: number; total: number }>;
}

function outcomeOf(raw: unknown, snapshot: boolean): ApplyOutcome {
  if (!Array.isArray(raw))
    throw new PulseError('PROFILE_SCRIPT_REPLY', `apply-ops: unexpected reply ${String(raw)}`);
  const code = Number(raw[0]);
  if (code === -1) return { status: 'moved', into: String(raw[1]) };
  const status = code === 1 ? 'applied' : code === 0 ? 'duplicate' : 'unchanged';
  const version = Number(raw[1]);
  return snapshot ? { status, version, dump: decodeDump(raw[2], false) } : { status, version };
}

export function createProfileStore(options: StoreOptions): ProfileStore {
  const { redis, keys, scripts } = options;
  let trips = 0;

  async function exec(
    build: (p: ReturnType<Redis['pipeline']>) => void,
    what: string,
  ): Promise<unknown[]> {
    for (let attempt = 0; ; attempt += 1) {
      const pipeline = redis.pipeline();
      build(pipeline);
      trips += 1;
      let results: [Error | null, unknown][] | null;
      try {
        results = await pipeline.exec();
      } catch (err) {
        throw redisError(err, what);
      }
      const failed = (results ?? []).find(([err]) => err);
      if (failed?.[0]?.message.startsWith('NOSCRIPT') && attempt === 0) {
        // Scripts are idempotent transitions: after a server restart, load them and run again.
        await prepare();
        continue;
      }
      if (failed?.[0]) throw redisError(failed[0], what);
      return (results ?? []).map(([, value]) => value);
    }
  }

  async function prepare(): Promise<void> {
    trips += 1;
    await Promise.all(Object.values(scripts.sources).map((s) => redis.script('LOAD', s)));
  }

  const args = (r: ApplyRequest): (string | number)[] => [
    r.mark,
    r.markScore,
    r.markScore - options.markRetentionMs,
    r.snapshot ? 'snapshot' : 'none',
    ...encodeOps(r.ops),
  ];

  return {
    roundTrips: () => trips,
    prepare,
    async resolve(identities) {
      if (identities.length === 0) return [];
      const values = await exec(
        (p) => identities.forEach((id) => p.get(keys.identity(id))),
        'resolving identities',
      );
      return values.map((v) => (v === null || v === undefined ? null : String(v)));
    },
    async linkAndApply(links, requests) {
      if (links.length === 0 && requests.length === 0) return { previous: [], outcomes: [] };
      const values = await exec((p) => {
        for (const l of links) p.set(keys.identity(l.identity), l.customerId, 'NX', 'GET');
        for (const r of requests) {
          const k = keys.customer(r.customerId);
          p.evalsha(scripts.applyOps.sha, k.length, ...k, ...args(r));
        }
      }, 'applying events');
      return {
        previous: values
          .slice(0, links.length)
          .map((v) => (v === null || v === undefined ? null : String(v))),
        outcomes: values
          .slice(links.length)
          .map((raw, i) => outcomeOf(raw, requests[i]?.snapshot ?? false)),
      };
    },
    async mergeMark(loser, survivor) {
      const k = keys.customer(loser);
      const [raw] = await exec(
        (p) => p.evalsha(scripts.mergeMark.sha, k.length, ...k, survivor),
        'marking a merge',
      );
      const reply = Array.isArray(raw) ? raw : [];
      return Number(reply[0]) === -1
        ? { into: String(reply[1]) }
        : { dump: decodeDump(reply[1], true) };
    },
    async mergeDrop(loser, survivor) {
      const k = keys.customer(loser);
      const [raw] = await exec(
        (p) => p.evalsha(scripts.mergeDrop.sha, k.length, ...k, survivor),
        'dropping a merged customer',
      );
      return Number(raw) === 1;
    },
    async setIdentities(identities, customerId) {
      if (identities.length === 0) return;
      await exec(
        (p) => identities.forEach((id) => p.set(keys.identity(id), customerId)),
        'redirecting identities',
      );
    },
    async read(customerId) {
      const k = keys.customer(customerId);
      const [raw] = await exec(
        (p) => p.evalsha(scripts.readProfile.sha, k.length, ...k),
        'reading a profile',
      );
      const reply = Array.isArray(raw) ? raw : [];
      const code = Number(reply[0]);
      if (code === -1) return { status: 'moved', into: String(reply[1]) };
      if (code === 0) return { status: 'unknown' };
      return { status: 'found', version: Number(reply[1]), dump: decodeDump(reply[2], false) };
    },
    async updatePopulation(values) {
      if (values.length === 0) return;
      await exec((p) => {
        for (const v of values) {
          if (v.value === null) p.zrem(keys.population(v.dimension), v.customerId);
          else p.zadd(keys.population(v.dimension), v.value, v.customerId);
        }
      }, 'updating population distributions');
    },
    async rank(dimension, value) {
      const key = keys.population(dimension);
      const [below, total] = await exec((p) => {
        p.zcount(key, '-inf', `(${value}`);
        p.zcard(key);
      }, 'ranking');
      return { below: Number(below), total: Number(total) };
    },
  };
}
