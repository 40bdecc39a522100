import { PulseError } from '@pulse/core';
import { redisError, type Redis } from '@pulse/redis';
import { decodeDump, type StateDump } from './dump';
import type { PopulationDimension, ProfileKeys } from './keys';
import { AGGREGATE_FIELD, AGGREGATE_TOKEN, encodeOps, type Op } from './ops';
import type { ProfileScripts } from './scripts';
import { StateCache } from './state-cache';

/**
 * What applying ops to one customer did. `dump` (snapshot requests only) is the customer's state
 * after it; it may be the store's live cached state: read it before the next store call.
 */
export type ApplyOutcome =
  | { status: 'moved'; into: string }
  /** The rule aggregates changed since they were read (an `aggCheck` failed): nothing applied. */
  | { status: 'conflict' }
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
  /** Customers whose state is kept in memory (default 10 000; 0 = read the whole state back every time). */
  cacheCustomers?: number;
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
  /**
   * The rule aggregates (`g.<id>` fields) and their `!gv` token of each customer, from the
   * cached state when there is one (an `aggCheck` catches a stale cache), else in one round trip.
   */
  readAggregates(
    customerIds: readonly string[],
    specIds: readonly string[],
  ): Promise<{ token: string; values: Record<string, string> }[]>;
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
  /**
   * After a publish, in one round trip: records the published versions (`!acked`, a plain
   * HSET: a lower value written by a racing consumer only causes a harmless republish), the
   * ZADDs of current values and the ZREMs of merged-away customers.
   */
  updatePopulation(
    values: readonly { customerId: string; dimension: PopulationDimension; value: number | null }[],
    acks?: readonly { customerId: string; version: number }[],
    tombstones?: readonly string[],
  ): Promise<void>;
  /**
   * The merge fences of these customer ids, in one round trip: `into` when merged away, `acked`
   * once its tombstone was published (a fence without it is a merge to finish or re-announce).
   */
  fences(customerIds: readonly string[]): Promise<{ into: string | null; acked: boolean }[]>;
  rank(dimension: PopulationDimension, value: number): Promise<{ below: number; total: number }>;
  /** Which of these suppression hashes are erased (one SMISMEMBER; none asked → no round trip). */
  erasedAmong(hashes: readonly string[]): Promise<boolean[]>;
  /** Drops customers from the in-memory state cache (after an erasure deleted their keys). */
  evict(customerIds: readonly string[]): void;
}

type Mode = 'snapshot' | 'log' | 'none';

function aggregatesOf(
  p: Readonly<Record<string, string>>,
  specIds: readonly string[],
): { token: string; values: Record<string, string> } {
  const values: Record<string, string> = {};
  for (const id of specIds) {
    const v = p[`${AGGREGATE_FIELD}${id}`];
    if (v !== undefined) values[id] = v;
  }
  return { token: p[AGGREGATE_TOKEN] ?? '', values };
}

function outcomeOf(raw: unknown): { outcome: ApplyOutcome; extra: unknown } {
  if (!Array.isArray(raw))
    throw new PulseError('PROFILE_SCRIPT_REPLY', `apply-ops: unexpected reply ${String(raw)}`);
  const code = Number(raw[0]);
  if (code === -1) return { outcome: { status: 'moved', into: String(raw[1]) }, extra: undefined };
  if (code === 3) return { outcome: { status: 'conflict' }, extra: undefined };
  const status = code === 1 ? 'applied' : code === 0 ? 'duplicate' : 'unchanged';
  return { outcome: { status, version: Number(raw[1]) }, extra: raw[2] };
}

export function createProfileStore(options: StoreOptions): ProfileStore {
  const { redis, keys, scripts } = options;
  const cache = new StateCache(options.cacheCustomers ?? 10_000);
  const keyMemo = new Map<string, string[]>();
  const customerKeys = (customerId: string): string[] => {
    let k = keyMemo.get(customerId);
    if (!k) {
      if (keyMemo.size >= 50_000) keyMemo.clear();
      k = keys.customer(customerId);
      keyMemo.set(customerId, k);
    }
    return k;
  };
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

  const args = (r: ApplyRequest, mode: Mode): (string | number)[] => [
    r.mark,
    r.markScore,
    r.markScore - options.markRetentionMs,
    mode,
    ...encodeOps(r.ops),
  ];

  async function readMany(customerIds: readonly string[]): Promise<(StateDump | undefined)[]> {
    const values = await exec((p) => {
      for (const id of customerIds) {
        const k = customerKeys(id);
        p.evalsha(scripts.readProfile.sha, k.length, ...k);
      }
    }, 'reading profiles');
    return values.map((raw, i) => {
      const reply = Array.isArray(raw) ? raw : [];
      if (Number(reply[0]) !== 1) return undefined;
      const dump = decodeDump(reply[2], false);
      cache.set(customerIds[i] as string, { version: Number(reply[1]), dump });
      return dump;
    });
  }

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
      const modes: Mode[] = requests.map((r) =>
        cache.has(r.customerId) ? 'log' : r.snapshot ? 'snapshot' : 'none',
      );
      const values = await exec((p) => {
        for (const l of links) p.set(keys.identity(l.identity), l.customerId, 'NX', 'GET');
        requests.forEach((r, i) => {
          const k = customerKeys(r.customerId);
          p.evalsha(scripts.applyOps.sha, k.length, ...k, ...args(r, modes[i] as Mode));
        });
      }, 'applying events');
      const outcomes: ApplyOutcome[] = [];
      const unread: number[] = [];
      for (let i = 0; i < requests.length; i += 1) {
        const r = requests[i] as ApplyRequest;
        const { outcome, extra } = outcomeOf(values[links.length + i]);
        outcomes.push(outcome);
        if (outcome.status === 'moved' || outcome.status === 'conflict') {
          cache.delete(r.customerId);
          continue;
        }
        let dump: StateDump | undefined;
        if (modes[i] === 'snapshot') {
          dump = decodeDump(extra, false);
          cache.set(r.customerId, { version: outcome.version, dump });
        } else {
          const log = modes[i] === 'log' && Array.isArray(extra) ? extra : undefined;
          dump = cache.follow(
            r.customerId,
            outcome.status,
            outcome.version,
            r.mark !== '',
            log,
          )?.dump;
        }
        if (!r.snapshot) continue;
        if (dump) outcome.dump = dump;
        else unread.push(i);
      }
      if (unread.length > 0) {
        // The cached state fell out of step (another writer came between): read it whole.
        const ids = unread.map((i) => (requests[i] as ApplyRequest).customerId);
        const dumps = await readMany(ids);
        unread.forEach((i, j) => {
          const outcome = outcomes[i];
          const dump = dumps[j];
          if (outcome && 'version' in outcome && dump) outcome.dump = dump;
        });
      }
      return {
        previous: values
          .slice(0, links.length)
          .map((v) => (v === null || v === undefined ? null : String(v))),
        outcomes,
      };
    },
    async readAggregates(customerIds, specIds) {
      const out: { token: string; values: Record<string, string> }[] = [];
      const missing: number[] = [];
      customerIds.forEach((id, i) => {
        const p = cache.get(id)?.dump.p;
        if (!p) {
          missing.push(i);
          out.push({ token: '', values: {} });
          return;
        }
        out.push(aggregatesOf(p, specIds));
      });
      if (missing.length === 0 || specIds.length === 0) return out;
      const fields = [AGGREGATE_TOKEN, ...specIds.map((id) => `${AGGREGATE_FIELD}${id}`)];
      const values = await exec((p) => {
        for (const i of missing)
          p.hmget(customerKeys(customerIds[i] as string)[0] as string, ...fields);
      }, 'reading rule aggregates');
      missing.forEach((i, j) => {
        const reply = Array.isArray(values[j]) ? (values[j] as (string | null)[]) : [];
        const record: Record<string, string> = {};
        fields.forEach((f, k) => {
          const v = reply[k];
          if (typeof v === 'string') record[f] = v;
        });
        out[i] = aggregatesOf(record, specIds);
      });
      return out;
    },
    async mergeMark(loser, survivor) {
      cache.delete(loser);
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
      cache.delete(loser);
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
    async updatePopulation(values, acks = [], tombstones = []) {
      if (values.length === 0 && acks.length === 0 && tombstones.length === 0) return;
      await exec((p) => {
        for (const a of acks) p.hset(customerKeys(a.customerId)[0] as string, '!acked', a.version);
        for (const loser of tombstones) p.hset(customerKeys(loser)[0] as string, '!tacked', 1);
        for (const v of values) {
          if (v.value === null) p.zrem(keys.population(v.dimension), v.customerId);
          else p.zadd(keys.population(v.dimension), v.value, v.customerId);
        }
      }, 'updating population distributions');
      for (const a of acks) {
        const entry = cache.get(a.customerId);
        if (entry) entry.dump.p['!acked'] = String(a.version);
      }
    },
    async fences(customerIds) {
      if (customerIds.length === 0) return [];
      const values = await exec((p) => {
        for (const id of customerIds) p.hmget(customerKeys(id)[0] as string, '!into', '!tacked');
      }, 'reading merge fences');
      return values.map((v) => {
        const [into, acked] = Array.isArray(v) ? (v as (string | null)[]) : [];
        return { into: into ?? null, acked: acked !== null && acked !== undefined };
      });
    },
    async erasedAmong(hashes) {
      if (hashes.length === 0) return [];
      const [flags] = await exec(
        (p) => p.smismember(keys.erased(), ...hashes),
        'checking erased identities',
      );
      return hashes.map((_, i) => Number((flags as number[] | undefined)?.[i] ?? 0) === 1);
    },
    evict(customerIds) {
      for (const id of customerIds) cache.delete(id);
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
