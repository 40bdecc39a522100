import { isErasure, isMergeTombstone, type ProfileChange } from '@pulse/contracts';
import type { Logger } from '@pulse/core';
import type { BatchHandler } from '@pulse/kafka';
import type { Keyspace, Redis } from '@pulse/redis';
import { erasedIdentity } from './customer-identities';
import { customerOrdersKey, identityHash, mergedIntoKey, orderKeys } from './order-keys';

/** What one erasure removed (counts only: the id itself is the personal data). */
export interface IngestErasure {
  /** Orders whose owner record, waiting calls and index entries were deleted. */
  orders: number;
}

export interface OrderEraserOptions {
  redis: Redis;
  keys: Keyspace;
  /** How long a merge's forwarding (`...:into`) lives: the order records' TTL. */
  ttlMs: number;
}

/**
 * Right to erasure in ingest: deletes the order book's records of every order the customer's
 * index lists (owner, waiting refunds/deletions, the order's list of indexes), unlinks those
 * orders from the other identities that indexed them (the same order's email or userId), then
 * deletes the index. The index goes last, so a crash midway leaves it to find the rest when the
 * tombstone is redelivered. Idempotent: a second run finds an empty index and deletes nothing.
 */
export function createOrderEraser(options: OrderEraserOptions) {
  const { redis, keys, ttlMs } = options;
  return {
    /**
     * A merge (`loser` now lives on as `survivor`): the loser's orders join the survivor's index
     * (and list it among their indexes), and the loser's identity forwards to the survivor, so
     * orders that name it later are indexed under the survivor too; then the loser's index goes.
     * Erasing the survivor then reaches a guest's orders from before the merge. Idempotent.
     */
    async merge(loser: string, survivor: string): Promise<number> {
      const [from, to] = [erasedIdentity(loser), erasedIdentity(survivor)];
      if (from === undefined || to === undefined || from === to) return 0;
      const [lh, sh] = [identityHash(from), identityHash(to)];
      const loserIndex = customerOrdersKey(keys, lh);
      const survivorIndex = customerOrdersKey(keys, sh);
      const tags = await redis.smembers(loserIndex);
      // One command per key: auto-pipelined, and valid across Redis Cluster slots.
      await Promise.all([
        redis.set(mergedIntoKey(keys, lh), sh, 'PX', ttlMs),
        ...(tags.length === 0
          ? []
          : [redis.sadd(survivorIndex, ...tags), redis.pexpire(survivorIndex, ttlMs)]),
        ...tags.map((tag) => redis.sadd(orderKeys(keys, tag).indexes, sh)),
      ]);
      await redis.del(loserIndex);
      return tags.length;
    },
    async erase(customerId: string): Promise<IngestErasure> {
      const identity = erasedIdentity(customerId);
      if (identity === undefined) return { orders: 0 };
      const hash = identityHash(identity);
      const index = customerOrdersKey(keys, hash);
      const tags = await redis.smembers(index);
      const orders = tags.map((tag) => ({ tag, keys: orderKeys(keys, tag) }));
      const siblings = await Promise.all(orders.map((o) => redis.smembers(o.keys.indexes)));
      // One command per key: auto-pipelined, and valid across Redis Cluster slots.
      await Promise.all(
        orders.flatMap((o, i) =>
          (siblings[i] ?? [])
            .filter((h) => h !== hash)
            .map((h) => redis.srem(customerOrdersKey(keys, h), o.tag)),
        ),
      );
      await Promise.all(
        orders.flatMap((o) =>
          [o.keys.owner, o.keys.pending, o.keys.indexes].map((k) => redis.del(k)),
        ),
      );
      await redis.del(index);
      return { orders: orders.length };
    },
  };
}

export type OrderEraser = ReturnType<typeof createOrderEraser>;

/**
 * profile-changes.v1 → erasure (ingest's own consumer group): each erasure tombstone deletes
 * the customer's order records before the offset is committed; each merge tombstone moves the
 * merged-away customer's orders to the survivor's index (so erasing the survivor finds them).
 */
export function createErasureHandler(options: {
  eraser: OrderEraser;
  logger: Logger;
}): BatchHandler<ProfileChange> {
  return async (records) => {
    for (const r of records) {
      if (isMergeTombstone(r.value)) {
        await options.eraser.merge(r.value.customerId, r.value.mergedInto);
        continue;
      }
      if (!isErasure(r.value)) continue;
      const erased = await options.eraser.erase(r.value.customerId);
      // No id in the log: the canonical id may be an email, the very data just erased.
      options.logger.info(erased, 'customer erased from the order book');
    }
  };
}
