import { defineScript, type Keyspace, type Redis } from '@pulse/redis';
import { orderIdentities } from './customer-identities';
import {
  customerOrdersKey,
  identityHash,
  orderKeys,
  orderTag,
  withMergeTargets,
} from './order-keys';
import { keptOwner, type OrderOwner } from './store-calls';

/**
 * Who placed each store order, so refunds and deletions (whose webhooks name only the order) can
 * be keyed by the customer; and the calls that arrived before their order, kept until it does.
 * Keys (src/order-keys.ts; one hash tag per order, so an order's keys share a slot):
 * `<prefix>:{ingest:ord:<system>:<order id>}:owner` (JSON owner: only the id that keys the
 * customer's events, {@link keptOwner}) and `...:pending` (a list of JSON calls, which name only
 * their order: no customer id or email). With the owner, every identity the order names indexes
 * it (`{ingest:cust:<identity hash>}:orders`, and `...:indexes` on the order lists those
 * hashes), so an erasure finds the customer's orders (src/erasure.ts). All expire `ttlMs` after
 * their last write, so nothing stays longer than INGEST_ORDER_OWNER_TTL after its order's last
 * event (a customer's index: after its last order's).
 */
export interface OrderBook {
  /**
   * Remembers the owner (its {@link keptOwner} part); answers the calls that waited for the
   * order (and forgets them).
   */
  remember(system: string, orderId: string, owner: OrderOwner): Promise<Record<string, unknown>[]>;
  /** The owner when the order is known; else the call is kept until the order arrives. */
  ownerOrPark(
    system: string,
    orderId: string,
    call: Record<string, unknown>,
  ): Promise<OrderOwner | undefined>;
  /** Puts calls back (their publish failed after `remember` handed them out). */
  park(system: string, orderId: string, calls: readonly Record<string, unknown>[]): Promise<void>;
}

const REMEMBER = defineScript(
  'ingest-order-remember',
  `-- Sets an order's owner and hands out (removes) the calls that waited for it.
-- KEYS[1]: owner key, KEYS[2]: pending list key
-- ARGV[1]: owner JSON, ARGV[2]: ttl in milliseconds
-- returns: the pending calls (JSON texts), oldest first
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local waiting = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return waiting`,
);

const OWNER_OR_PARK = defineScript(
  'ingest-order-owner-or-park',
  `-- The order's owner, or (unknown order) appends the call to the order's pending list.
-- KEYS[1]: owner key, KEYS[2]: pending list key
-- ARGV[1]: call JSON, ARGV[2]: ttl in milliseconds
-- returns: the owner JSON, or false when the call was parked
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return false`,
);

export interface OrderBookOptions {
  redis: Redis;
  keys: Keyspace;
  ttlMs: number;
}

const parseJson = <T>(text: string): T => JSON.parse(text) as T; // texts written by this module

export function createOrderBook(options: OrderBookOptions): OrderBook {
  const { redis, keys, ttlMs } = options;
  const keysOf = (system: string, orderId: string) => {
    const { owner, pending } = orderKeys(keys, orderTag(system, orderId));
    return [owner, pending];
  };
  /**
   * Indexes the order under each identity its owner names (customer index → order, and the
   * order → those indexes, for an erasure to unlink the other identities too).
   */
  const index = (
    system: string,
    orderId: string,
    hashes: readonly string[],
  ): Promise<unknown>[] => {
    const tag = orderTag(system, orderId);
    if (hashes.length === 0) return [];
    const own = orderKeys(keys, tag).indexes;
    return [
      ...hashes.flatMap((hash) => {
        const key = customerOrdersKey(keys, hash);
        return [redis.sadd(key, tag), redis.pexpire(key, ttlMs)];
      }),
      redis.sadd(own, ...hashes),
      redis.pexpire(own, ttlMs),
    ];
  };
  return {
    async remember(system, orderId, owner) {
      // Issued in one tick, index first: auto-pipelining sends the index and the owner in one
      // write (one command per key, not MULTI: the index keys are in other cluster slots).
      // The identities the order names, and the customers merged ones now belong to.
      const hashes = await withMergeTargets(redis, keys, orderIdentities(owner).map(identityHash));
      const indexed = index(system, orderId, hashes);
      const remembered = REMEMBER.run(redis, keysOf(system, orderId), [
        JSON.stringify(keptOwner(owner)),
        ttlMs,
      ]);
      const [reply] = await Promise.all([remembered, ...indexed]);
      if (!Array.isArray(reply)) throw new Error(`${REMEMBER.name}: unexpected reply`);
      return reply.map((text) => parseJson<Record<string, unknown>>(String(text)));
    },
    async ownerOrPark(system, orderId, call) {
      const reply = await OWNER_OR_PARK.run(redis, keysOf(system, orderId), [
        JSON.stringify(call),
        ttlMs,
      ]);
      return typeof reply === 'string' ? parseJson<OrderOwner>(reply) : undefined;
    },
    async park(system, orderId, calls) {
      if (calls.length === 0) return;
      const [, pending] = keysOf(system, orderId);
      await redis
        .multi()
        .rpush(pending!, ...calls.map((c) => JSON.stringify(c)))
        .pexpire(pending!, ttlMs)
        .exec();
    },
  };
}
