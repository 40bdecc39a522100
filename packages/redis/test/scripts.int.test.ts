import { afterAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { getStack, randomName } from '@pulse/testkit';
import { closeRedis, createKeyspace, createRedis, defineScript } from '../src';

describe('Lua scripts against the real Redis', () => {
  const redis = createRedis({ url: getStack().redisUrl, logger: silentLogger() });
  const ks = createKeyspace(randomName('t-redis'));

  afterAll(async () => {
    const keys = await redis.keys(ks.pattern());
    if (keys.length) await redis.del(...keys);
    await closeRedis(redis);
  });

  it('runs by sha, and loads the source when the server does not know it', async () => {
    const lua = `-- ${ks.prefix}\nredis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])`;
    const script = defineScript('set-get', lua);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    const key = ks.tagged('c:1', 'v');
    expect(await script.run(redis, [key], ['hello'])).toBe('hello');
    expect(await script.run(redis, [key], ['again'])).toBe('again');
    expect(await redis.get(key)).toBe('again');
  });
});
