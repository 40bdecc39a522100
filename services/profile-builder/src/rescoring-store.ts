import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PulseError } from '@pulse/core';
import { defineScript, redisError, type Redis, type Script } from '@pulse/redis';
import type { ProfileKeys } from './keys';

const DIR = path.resolve(__dirname, '..', 'scripts');
const script = (name: string): Script =>
  defineScript(name, readFileSync(path.join(DIR, `${name}.lua`), 'utf8'));

/** A customer claimed for a rescore, with the churnRisk last published for it (null: none kept). */
export interface ClaimedScore {
  customerId: string;
  lastScore: number | null;
  /** When that score was written (ms). */
  scoredAt: number;
}

/** What `rescore-bump.lua` answered. */
export type BumpOutcome =
  | { status: 'bumped'; version: number }
  | { status: 'raced'; version: number }
  | { status: 'moved'; into: string }
  | { status: 'gone' };

/** A churnRisk just written for a customer (null for a customer that no longer exists). */
export interface ScoreWrite {
  customerId: string;
  score: number | null;
  at: number;
}

/** Redis access of the rescoring job: the due queue, the published scores and the version bump. */
export interface RescoreStore {
  /** Leases up to `limit` customers scored at or before `cutoff`, due again at `cutoff + leaseMs`. */
  claim(cutoff: number, leaseMs: number, limit: number): Promise<ClaimedScore[]>;
  /** A new profile version at `version + 1` if the profile is still at `version`. */
  bump(customerId: string, version: number): Promise<BumpOutcome>;
  /**
   * Records written scores (due again from `at`; ZADD GT: a queue time only moves forward, so
   * a slower writer does not undo a fresher one); a null score drops the customer.
   */
  record(writes: readonly ScoreWrite[]): Promise<void>;
  /** Marks customers rescored at `at` whose published score stays as it was. */
  touch(customerIds: readonly string[], at: number): Promise<void>;
  /** The oldest entry's time in the queue (null when empty). */
  oldest(): Promise<number | null>;
  /**
   * Once per keyspace: queues, due now, every customer of the population distributions (the
   * buyers) not queued yet — those scored before the job existed would otherwise keep their
   * score until their next change. Idempotent (ZADD NX; the flag is set when done, so a crash
   * mid-way seeds again). Returns how many were queued (0 when already seeded).
   */
  seed(pageSize?: number): Promise<number>;
}

const BUMP_CODES: Record<number, BumpOutcome['status']> = {
  [-1]: 'moved',
  0: 'gone',
  1: 'bumped',
  2: 'raced',
};

export function createRescoreStore(redis: Redis, keys: ProfileKeys): RescoreStore {
  const claimScript = script('rescore-claim');
  const bumpScript = script('rescore-bump');
  const due = keys.rescoreDue();
  const scores = keys.rescoreScores();
  const pipeline = async (what: string, build: (p: ReturnType<Redis['pipeline']>) => void) => {
    const p = redis.pipeline();
    build(p);
    try {
      const results = await p.exec();
      const failed = (results ?? []).find(([err]) => err);
      if (failed?.[0]) throw failed[0];
    } catch (err) {
      throw redisError(err, what);
    }
  };
  return {
    async claim(cutoff, leaseMs, limit) {
      let raw: unknown;
      try {
        raw = await claimScript.run(redis, [due, scores], [cutoff, cutoff + leaseMs, limit]);
      } catch (err) {
        throw redisError(err, 'claiming due churn scores');
      }
      const flat = Array.isArray(raw) ? raw.map(String) : [];
      const out: ClaimedScore[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) {
        const last = flat[i + 1] as string; // i + 2 < length
        out.push({
          customerId: flat[i] as string,
          lastScore: last === '' ? null : Number(last),
          scoredAt: Number(flat[i + 2]),
        });
      }
      return out;
    },
    async bump(customerId, version) {
      let raw: unknown;
      try {
        raw = await bumpScript.run(redis, [keys.customer(customerId)[0] as string], [version]);
      } catch (err) {
        throw redisError(err, 'bumping a rescored profile');
      }
      const reply = Array.isArray(raw) ? raw : [];
      const status = BUMP_CODES[Number(reply[0])];
      if (status === 'moved') return { status, into: String(reply[1]) };
      if (status === 'gone') return { status };
      if (status === 'bumped' || status === 'raced') return { status, version: Number(reply[1]) };
      throw new PulseError('PROFILE_SCRIPT_REPLY', `rescore-bump: unexpected reply ${String(raw)}`);
    },
    async record(writes) {
      if (writes.length === 0) return;
      await pipeline('recording churn scores', (p) => {
        for (const w of writes) {
          if (w.score === null) {
            p.zrem(due, w.customerId);
            p.hdel(scores, w.customerId);
          } else {
            p.zadd(due, 'GT', w.at, w.customerId);
            p.hset(scores, w.customerId, String(w.score));
          }
        }
      });
    },
    async touch(customerIds, at) {
      if (customerIds.length === 0) return;
      await pipeline('re-queueing churn scores', (p) => {
        for (const id of customerIds) p.zadd(due, 'GT', at, id);
      });
    },
    async seed(pageSize = 500) {
      const seeded = await redis.exists(keys.rescoreSeeded()).catch((err: unknown) => {
        throw redisError(err, 'reading the churn rescoring seed flag');
      });
      if (seeded) return 0;
      let cursor = '0';
      let queued = 0;
      do {
        const [next, flat] = await redis
          .zscan(keys.population('recency'), cursor, 'COUNT', pageSize)
          .catch((err: unknown) => {
            throw redisError(err, 'scanning the buyers to seed churn rescoring');
          });
        cursor = next;
        const ids = flat.filter((_, i) => i % 2 === 0); // member, score, member, score...
        if (ids.length === 0) continue;
        const added = await redis
          .zadd(due, 'NX', ...ids.flatMap((id) => [0, id]))
          .catch((err: unknown) => {
            throw redisError(err, 'seeding churn rescoring');
          });
        queued += Number(added);
      } while (cursor !== '0');
      await redis.set(keys.rescoreSeeded(), '1').catch((err: unknown) => {
        throw redisError(err, 'setting the churn rescoring seed flag');
      });
      return queued;
    },
    async oldest() {
      const first = await redis.zrange(due, 0, 0, 'WITHSCORES').catch((err: unknown) => {
        throw redisError(err, 'reading the oldest churn score');
      });
      return first.length >= 2 ? Number(first[1]) : null;
    },
  };
}
