import { createKeyspace, type Keyspace } from '@pulse/redis';

/**
 * The keys of one customer, in the order every per-customer script receives them as KEYS.
 * All share the customer's hash tag, so one script may touch them together on Redis Cluster.
 *
 * - `p`      hash: counters, timestamps, traits (`t.<name>`), event counts (`ev:<type>`), meta (`!…`)
 * - `days`   hash: per-UTC-day buckets `<metric>:<day>` for exact windows; old days are trimmed
 * - `cart`   hash: `q:<pid>` quantity, `t:<pid>` last change, `d:<pid>` line JSON, `!cleared`
 * - `wish`   hash: `q:<pid>` 1/0 (last write by event time wins), `d:<pid>` line JSON
 * - `cats`   hash: per category `v:` views, `l:` last seen, `b:` bought, `a:` decayed affinity
 * - `recent` zset: product id → last viewed (event time), trimmed to 24 h
 * - `bought` set: product ids bought
 * - `eopen` / `eclick` sets: send ids opened / clicked (unique opens and clicks)
 * - `marks`  zset: applied event ids (and `merge:<id>` marks) → receivedAt, trimmed by age
 * - `ord`    hash: per-order records (see order-records.ts): `o:<id>` status, amount, time, …;
 *             `r:<id>|<refund key>` each refund once; `t:<id>` refunds total
 * - `ids`    set: the identities (`u:…`, `a:…`, `e:…`) that resolve to this customer
 * - `sess`   zset: web sessions, member = start, score = end (event time, ms); see sessions.lua
 */
export const CUSTOMER_KEYS = [
  'p',
  'days',
  'cart',
  'wish',
  'cats',
  'recent',
  'bought',
  'eopen',
  'eclick',
  'marks',
  'ord',
  'ids',
  'sess',
] as const;

export type CustomerKey = (typeof CUSTOMER_KEYS)[number];

/** 1-based position of each customer key in a script's KEYS. */
export const KEY_INDEX: Readonly<Record<CustomerKey, number>> = Object.fromEntries(
  CUSTOMER_KEYS.map((name, i) => [name, i + 1]),
) as Record<CustomerKey, number>; // built from the same tuple, so every name is present

/** Live population distributions (one sorted set each, customer id → current value). */
export const POPULATION_DIMENSIONS = ['recency', 'frequency', 'monetary'] as const;
export type PopulationDimension = (typeof POPULATION_DIMENSIONS)[number];

/** The kinds of identity an id can be: userId, anonymousId, normalized email. */
export type IdentityKind = 'u' | 'a' | 'e';

export interface ProfileKeys {
  readonly keyspace: Keyspace;
  /** Every key of one customer, in `CUSTOMER_KEYS` order. */
  customer(customerId: string): string[];
  /** identity → canonical customer id (a string key of its own). */
  identity(identity: string): string;
  population(dimension: PopulationDimension): string;
  /** Duplicate detection: blocking key → known customer ids (a set). */
  duplicateBlock(block: string): string;
  /** Pairs `a|b` listed for review → score (zset), and their details (hash of JSON). */
  duplicateReview(): string;
  duplicateReviewInfo(): string;
  /** Erasure suppression: sha256 (hex) of every identity of an erased customer (a set). */
  erased(): string;
  /**
   * Churn rescoring (rescoring.ts): customer → when its churnRisk was last written (zset), and
   * customer → the churnRisk published then (hash). One hash tag, so a script claims from both.
   */
  rescoreDue(): string;
  rescoreScores(): string;
  /** Set once the queue was seeded with the customers scored before the job existed. */
  rescoreSeeded(): string;
}

/** The only place profile-builder's Redis keys are built. */
export function createProfileKeys(prefix: string): ProfileKeys {
  const keyspace = createKeyspace(prefix);
  return {
    keyspace,
    customer: (customerId) => CUSTOMER_KEYS.map((name) => keyspace.tagged(customerId, name)),
    identity: (identity) => keyspace.plain('id', identity),
    population: (dimension) => keyspace.plain('pop', dimension),
    duplicateBlock: (block) => keyspace.plain('dupb', block),
    duplicateReview: () => keyspace.plain('dup', 'review'),
    duplicateReviewInfo: () => keyspace.plain('dup', 'review-info'),
    erased: () => keyspace.plain('erased'),
    rescoreDue: () => keyspace.tagged('rescore', 'due'),
    rescoreScores: () => keyspace.tagged('rescore', 'scores'),
    rescoreSeeded: () => keyspace.tagged('rescore', 'seeded'),
  };
}
