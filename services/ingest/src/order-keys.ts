import { createHash } from 'node:crypto';
import type { Keyspace } from '@pulse/redis';

/**
 * The order book's Redis keys, built only here. Per order (one hash tag, so they share a slot):
 * `{ingest:ord:<system>:<order id>}:owner`, `...:pending` and `...:indexes` (the identity hashes
 * whose customer index lists the order). Per customer identity:
 * `{ingest:cust:<sha256 of the identity>}:orders`, a set of order tags; the identity (which may
 * be an email) is hashed, so no key name holds it. `{ingest:cust:<hash>}:into` holds the hash of
 * the customer a merged-away identity now belongs to (profile-builder's merge tombstones).
 */
export interface OrderKeys {
  owner: string;
  pending: string;
  indexes: string;
}

/** The hash tag of one order: what a customer index lists. */
export const orderTag = (system: string, orderId: string): string =>
  `ingest:ord:${system}:${orderId}`;

/** The keys of the order whose hash tag is `tag`. */
export function orderKeys(keys: Keyspace, tag: string): OrderKeys {
  return {
    owner: keys.tagged(tag, 'owner'),
    pending: keys.tagged(tag, 'pending'),
    indexes: keys.tagged(tag, 'indexes'),
  };
}

/** sha256 (hex) of a canonical identity (`u:42`, `e:<email>`), as customer index keys hold it. */
export const identityHash = (identity: string): string =>
  createHash('sha256').update(identity, 'utf8').digest('hex');

/** The set of order tags of one identity, by its {@link identityHash}. */
export const customerOrdersKey = (keys: Keyspace, hash: string): string =>
  keys.tagged(`ingest:cust:${hash}`, 'orders');

/** The identity hash a merged-away identity's orders moved to (a string key; hashes only). */
export const mergedIntoKey = (keys: Keyspace, hash: string): string =>
  keys.tagged(`ingest:cust:${hash}`, 'into');

/** How many merges in a row `resolveMerged` follows (merges chain: a → b, then b → c). */
export const MAX_MERGE_HOPS = 8;

/**
 * The identity hashes `hashes` index under: each one, plus the customers it was merged into
 * (following chains), so an order naming a merged-away identity is found by erasing the survivor.
 */
export async function withMergeTargets(
  redis: { get(key: string): Promise<string | null> },
  keys: Keyspace,
  hashes: readonly string[],
): Promise<string[]> {
  const out = new Set(hashes);
  let frontier = [...hashes];
  for (let hop = 0; hop < MAX_MERGE_HOPS && frontier.length > 0; hop += 1) {
    const targets = await Promise.all(frontier.map((h) => redis.get(mergedIntoKey(keys, h))));
    frontier = targets.filter((t): t is string => t !== null && !out.has(t));
    for (const t of frontier) out.add(t);
  }
  return [...out];
}
