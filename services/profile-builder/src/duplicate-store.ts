import type { Redis } from '@pulse/redis';
import type { Person } from './duplicate-score';
import type { ProfileKeys } from './keys';

/** One listed pair of probable duplicates. */
export interface ReviewPair {
  a: string;
  b: string;
  score: number;
  reasons: string[];
  at: number;
}

/** Blocks larger than this are shared numbers (a shop's phone): no evidence, skipped. */
const MAX_BLOCK = 50;

const TRAITS = ['t.first_name', 't.last_name', 't.phone', 't.postal_code', 't.email', '!into'];

function trait(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  } catch {
    return text;
  }
}

/** A customer's identity traits from its `p` hash fields (JSON texts, as the fold writes them). */
export function personOf(p: Readonly<Record<string, string | undefined>>): Person {
  return {
    firstName: trait(p['t.first_name']),
    lastName: trait(p['t.last_name']),
    phone: trait(p['t.phone']),
    postcode: trait(p['t.postal_code']),
    email: trait(p['t.email']),
  };
}

/**
 * Redis access of duplicate detection (plain keys outside the customers' hash tags, like the
 * population sets: set membership and zset scores are idempotent). Two round trips per check:
 * index + candidates, then the candidates' traits.
 */
export function createDuplicateStore(redis: Redis, keys: ProfileKeys) {
  return {
    /** Adds each customer to its blocks and answers the other members of those blocks. */
    async indexAndFind(
      entries: readonly { customerId: string; blocks: readonly string[] }[],
    ): Promise<string[][]> {
      const pipeline = redis.pipeline();
      for (const e of entries)
        for (const b of e.blocks) {
          pipeline.sadd(keys.duplicateBlock(b), e.customerId);
          pipeline.smembers(keys.duplicateBlock(b));
        }
      const results = (await pipeline.exec()) ?? [];
      let i = 0;
      return entries.map((e) => {
        const found = new Set<string>();
        for (let j = 0; j < e.blocks.length; j += 1) {
          const [, members] = results[i * 2 + 1] ?? [];
          i += 1;
          const list = Array.isArray(members) ? (members as string[]) : [];
          if (list.length > MAX_BLOCK) continue;
          for (const m of list) if (m !== e.customerId) found.add(m);
        }
        return [...found];
      });
    },
    /** Candidates' identity traits; `undefined` for a merged-away or missing customer. */
    async people(customerIds: readonly string[]): Promise<(Person | undefined)[]> {
      if (customerIds.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of customerIds) pipeline.hmget(keys.customer(id)[0] as string, ...TRAITS);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([, v]) => {
        const values = Array.isArray(v) ? (v as (string | null)[]) : [];
        if (values[5] || values.every((x) => x === null)) return undefined;
        const p: Record<string, string | undefined> = {};
        TRAITS.forEach((f, i) => (p[f] = values[i] ?? undefined));
        return personOf(p);
      });
    },
    /** Lists pairs for review (or takes merged ones off the list). */
    async review(list: readonly ReviewPair[], done: readonly [string, string][]): Promise<void> {
      if (list.length === 0 && done.length === 0) return;
      const pipeline = redis.pipeline();
      for (const r of list) {
        const member = `${r.a}|${r.b}`;
        pipeline.zadd(keys.duplicateReview(), r.score, member);
        pipeline.hset(keys.duplicateReviewInfo(), member, JSON.stringify(r));
      }
      for (const [a, b] of done) {
        pipeline.zrem(keys.duplicateReview(), `${a}|${b}`);
        pipeline.hdel(keys.duplicateReviewInfo(), `${a}|${b}`);
      }
      await pipeline.exec();
    },
    /** The listed pairs, highest score first. */
    async listed(limit: number): Promise<ReviewPair[]> {
      const members = await redis.zrevrange(keys.duplicateReview(), 0, limit - 1);
      if (members.length === 0) return [];
      const infos = await redis.hmget(keys.duplicateReviewInfo(), ...members);
      return infos.flatMap((text) => (text ? [JSON.parse(text) as ReviewPair] : [])); // written by review()
    },
  };
}

export type DuplicateStore = ReturnType<typeof createDuplicateStore>;
