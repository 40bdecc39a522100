import { describe, expect, it } from '@jest/globals';
import { createTokenBucket } from './token-bucket';

/** A clock that only moves when a sleeper is woken: every wait is observed, none is real. */
function virtualTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('token bucket', () => {
  it('lets a burst through at once, then spaces sends at the rate in call order', async () => {
    const t = virtualTime();
    const bucket = createTokenBucket({ ratePerSec: 10, burst: 3, now: t.now, sleep: t.sleep });
    await Promise.all(Array.from({ length: 6 }, () => bucket.take()));
    // 3 free, then the 4th, 5th and 6th reserve 100, 200 and 300 ms ahead.
    expect(t.waits.map((w) => Math.round(w))).toEqual([100, 200, 300]);
  });

  it('refills with time, never above the burst', async () => {
    const t = virtualTime();
    const bucket = createTokenBucket({ ratePerSec: 10, burst: 2, now: t.now, sleep: t.sleep });
    await bucket.take();
    await bucket.take();
    t.advance(100); // one token back
    await bucket.take();
    expect(t.waits).toEqual([]);
    t.advance(60_000); // a long idle spell refills to the burst only
    await bucket.take();
    await bucket.take();
    await bucket.take();
    expect(t.waits.map((w) => Math.round(w))).toEqual([100]);
  });

  it('holds a sustained rate: n sends over the burst take (n - burst) / rate seconds', async () => {
    const t = virtualTime();
    const rate = 250;
    const bucket = createTokenBucket({ ratePerSec: rate, now: t.now, sleep: t.sleep });
    await Promise.all(Array.from({ length: 1_000 }, () => bucket.take()));
    // The default burst is one second's worth; the last of 1,000 waits for 750 refills.
    expect(Math.max(...t.waits)).toBeCloseTo((1_000 - rate) * (1000 / rate), 6);
    expect(t.waits).toHaveLength(1_000 - rate);
  });

  it('is unlimited at rate 0', async () => {
    const t = virtualTime();
    const bucket = createTokenBucket({ ratePerSec: 0, now: t.now, sleep: t.sleep });
    await Promise.all(Array.from({ length: 10_000 }, () => bucket.take()));
    expect(t.waits).toEqual([]);
  });
});
