import { describe, expect, it } from '@jest/globals';
import { PulseError } from '@pulse/core';
import { RETRY_DEFAULTS, backoffDelay, retryTransient, sleep } from './retry';

const policy = { initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('doubles from initialMs and stops at maxMs', () => {
    const delays = [0, 1, 2, 3, 4, 5, 20].map((a) => backoffDelay(a, policy));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads by ±jitter around the exponential value, never above maxMs', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelay(1, jittered, () => 0)).toBe(160);
    expect(backoffDelay(1, jittered, () => 1)).toBe(240);
    expect(backoffDelay(1, jittered, () => 0.5)).toBe(200);
    expect(backoffDelay(10, jittered, () => 1)).toBe(1000);
    expect(backoffDelay(10, jittered, () => 0)).toBe(800);
  });

  it('has defaults that start small and cap at 30 s', () => {
    expect(backoffDelay(0, { ...RETRY_DEFAULTS, jitter: 0 })).toBe(200);
    expect(backoffDelay(50, RETRY_DEFAULTS)).toBeLessThanOrEqual(30_000);
  });
});

describe('retryTransient', () => {
  const transient = new PulseError('BUSY', 'try later', { retriable: true });
  const fatal = new PulseError('BAD', 'never', { retriable: false });

  function loop(stopAfterWaits = Infinity) {
    const waits: number[] = [];
    return {
      waits,
      options: {
        policy,
        shouldStop: () => waits.length >= stopAfterWaits,
        wait: async (ms: number) => {
          waits.push(ms);
        },
      },
    };
  }

  it('retries transient failures with growing waits until success', async () => {
    const { waits, options } = loop();
    let calls = 0;
    const outcome = await retryTransient(async (attempt) => {
      calls += 1;
      if (attempt < 3) throw transient;
      return 'done';
    }, options);
    expect(outcome).toEqual({ ok: true, value: 'done' });
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('returns a non-retriable failure at once, without waiting', async () => {
    const { waits, options } = loop();
    const outcome = await retryTransient(async () => {
      throw fatal;
    }, options);
    expect(outcome).toEqual({ ok: false, error: fatal, stopped: false });
    expect(waits).toEqual([]);
  });

  it('stops retrying when told to, reporting the last transient error', async () => {
    const { waits, options } = loop(2);
    const outcome = await retryTransient(async () => {
      throw transient;
    }, options);
    expect(outcome).toEqual({ ok: false, error: transient, stopped: true });
    expect(waits).toHaveLength(2);
  });
});

describe('sleep', () => {
  it('ends early when its signal aborts', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});
