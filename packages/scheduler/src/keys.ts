import type { Keyspace } from '@pulse/redis';

/** The three keys of one shard; they share a hash tag, so one script may touch them together. */
export interface ShardKeys {
  readonly shard: number;
  /** Sorted set id -> due time (ms): timers waiting to fire. */
  readonly due: string;
  /** Sorted set id -> lease expiry (ms): timers a worker has claimed. */
  readonly leases: string;
  /** Hash id -> timer JSON (due, payload, attempts, lease token). */
  readonly timers: string;
}

/** In script KEYS order. */
export function shardKeyList(keys: ShardKeys): string[] {
  return [keys.due, keys.leases, keys.timers];
}

/**
 * Keys of every shard of scheduler `name`: `<prefix>:{sched:<name>:<i>}:due|leases|timers`.
 * Each shard has its own hash tag, so on Redis Cluster the shards spread across slots.
 */
export function shardKeys(keyspace: Keyspace, name: string, shards: number): ShardKeys[] {
  return Array.from({ length: shards }, (_, shard) => {
    const tag = `sched:${name}:${shard}`;
    return {
      shard,
      due: keyspace.tagged(tag, 'due'),
      leases: keyspace.tagged(tag, 'leases'),
      timers: keyspace.tagged(tag, 'timers'),
    };
  });
}

/** FNV-1a (32 bit) of the id: a stable shard for a timer id, the same in every process. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
