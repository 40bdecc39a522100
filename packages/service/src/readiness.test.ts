import { describe, expect, it } from '@jest/globals';
import { PulseError } from '@pulse/core';
import { runReadiness } from './readiness';

describe('runReadiness', () => {
  it('is ready only when every check answers true', async () => {
    expect(await runReadiness({ kafka: async () => true, redis: async () => true }, 1_000)).toEqual(
      {
        ready: true,
        failing: [],
        checks: { kafka: { ok: true }, redis: { ok: true } },
      },
    );
    expect(await runReadiness({}, 1_000)).toEqual({ ready: true, failing: [], checks: {} });
  });

  it('names each failing check with its reason', async () => {
    const report = await runReadiness(
      {
        kafka: async () => 'consumer has not joined its group',
        redis: async () => false,
        registry: async () => {
          throw new PulseError('REGISTRY_DOWN', 'connection refused');
        },
        hung: () => new Promise<boolean>(() => undefined),
        fine: async () => true,
      },
      50,
    );
    expect(report.ready).toBe(false);
    expect(report.failing).toEqual(['kafka', 'redis', 'registry', 'hung']);
    expect(report.checks).toEqual({
      kafka: { ok: false, reason: 'consumer has not joined its group' },
      redis: { ok: false, reason: 'not ready' },
      registry: { ok: false, reason: 'REGISTRY_DOWN: connection refused' },
      hung: { ok: false, reason: 'no answer within 50 ms' },
      fine: { ok: true },
    });
  });
});
