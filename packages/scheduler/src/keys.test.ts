import { describe, expect, it } from '@jest/globals';
import { createKeyspace } from '@pulse/redis';
import { shardKeys, shardOf } from './keys';

describe('shardOf', () => {
  it('is stable across calls and processes (FNV-1a, no randomness)', () => {
    expect(shardOf('cart:user-1042', 8)).toBe(shardOf('cart:user-1042', 8));
    expect(shardOf('', 8)).toBe(0x811c9dc5 % 8);
  });

  it('spreads ids over every shard', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i += 1) {
      const shard = shardOf(`timer-${i}`, 8);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});

describe('shardKeys', () => {
  it('gives each shard its own hash tag shared by its three keys', () => {
    const [first, second] = shardKeys(createKeyspace('pulse'), 'cart', 2);
    expect(first).toEqual({
      shard: 0,
      due: 'pulse:{sched:cart:0}:due',
      leases: 'pulse:{sched:cart:0}:leases',
      timers: 'pulse:{sched:cart:0}:timers',
    });
    expect(second?.due).toBe('pulse:{sched:cart:1}:due');
  });
});
