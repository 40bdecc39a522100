import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getStack } from '@pulse/testkit';
import { removeState, runChaos } from './chaos';
import { formatResult } from './report';

const ROOT = path.resolve(__dirname, '..', '..');
const stack = getStack();

// The short version of `pnpm test:chaos`: one minute of store load on a private broker and Redis
// (the shared stack is never restarted), every fault once, then the oracle.
describe('chaos: kill -9 of each service, broker restart, Redis (AOF) restart', () => {
  it('loses nothing that ingest acknowledged and does nothing twice', async () => {
    const result = await runChaos({
      root: ROOT,
      shared: {
        schemaRegistryUrl: stack.schemaRegistryUrl,
        smtpUrl: stack.smtpUrl,
        maildevUrl: stack.maildevUrl,
      },
      customers: 50,
      seed: 11,
      loadMs: 55_000,
      cartDelayMs: 10_000,
      settleMs: 40_000,
      portBase: Number(process.env.CHAOS_PORT_BASE ?? 18280),
      kafkaPort: Number(process.env.CHAOS_KAFKA_PORT ?? 19192),
      redisPort: Number(process.env.CHAOS_REDIS_PORT ?? 16490),
      log: () => undefined,
    });
    process.stderr.write(`${formatResult(result).join('\n')}\n`);
    const { report } = result;

    expect(result.faults.map((f) => f.fault)).toEqual([
      'kill -9 ingest',
      'kill -9 profile-builder',
      'kill -9 segmenter',
      'kill -9 cart-abandonment-timer',
      'kill -9 renderer',
      'restart kafka',
      'restart redis',
    ]);
    // The load really went through every stage while the faults happened.
    expect(report.acknowledged).toBeGreaterThan(300);
    expect(report.segmentEntries).toBeGreaterThan(0);
    expect(report.emailTriggers).toBeGreaterThan(0);
    expect(report.mailDelivered).toBeGreaterThan(0);
    // The oracle: nothing acknowledged was lost, no effect happened twice.
    expect(report.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.notAcknowledged).toBe(0);
    expect(result.crashed).toEqual([]);
    removeState(result.stateDir);
  }, 175_000);
});
