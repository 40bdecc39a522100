// Timer lateness at 10,000 timers due per second: the Redis scheduler against plain setTimeout,
// both running in this one process over the same due times (the same event loop load).
//   REDIS_URL=redis://127.0.0.1:6379 pnpm bench:timer   (BENCH_TIMER_RATE, BENCH_TIMER_SECONDS)
import { randomBytes } from 'node:crypto';
import { silentLogger } from '@pulse/core';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import { createScheduler } from '@pulse/scheduler';
import { printTable, writeResults } from '../lib/report';
import type { Figure } from '../lib/report';

const RATE = Number(process.env.BENCH_TIMER_RATE ?? 10_000);
const SECONDS = Number(process.env.BENCH_TIMER_SECONDS ?? 5);
const LEAD_MS = Number(process.env.BENCH_TIMER_LEAD_MS ?? 8_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Sample {
  lateness: number[];
  early: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

function summary(sample: Sample) {
  const sorted = [...sample.lateness].sort((a, b) => a - b);
  return {
    fired: sorted.length,
    early: sample.early,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function main(): Promise<void> {
  const total = RATE * SECONDS;
  const logger = silentLogger();
  const redis = createRedis({ url: REDIS_URL, logger, connectionName: 'bench-timer' });
  const prefix = `bench:timer-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const scheduler = createScheduler({
    redis,
    keyspace: createKeyspace(prefix),
    name: 'bench',
    shards: 8,
    logger,
  });
  const start = Date.now() + LEAD_MS;
  const dueOf = (i: number): number => start + Math.floor((i * 1000) / RATE);

  const sched: Sample = { lateness: [], early: 0 };
  const plain: Sample = { lateness: [], early: 0 };
  let done = 0;
  let finished: () => void = () => undefined;
  const allFired = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const record = (sample: Sample, dueAt: number): void => {
    const lateness = Date.now() - dueAt;
    if (lateness < 0) sample.early += 1;
    sample.lateness.push(lateness);
    done += 1;
    if (done === total * 2) finished();
  };

  const t0 = Date.now();
  for (let i = 0; i < total; i += 2_000) {
    const chunk = Array.from({ length: Math.min(2_000, total - i) }, (_, k) => i + k);
    await Promise.all(chunk.map((n) => scheduler.schedule(`t${n}`, dueOf(n))));
  }
  const scheduleMs = Date.now() - t0;
  if (Date.now() >= start)
    throw new Error(`scheduling took ${scheduleMs} ms; raise BENCH_TIMER_LEAD_MS`);
  for (let n = 0; n < total; n += 1) {
    const dueAt = dueOf(n);
    setTimeout(() => record(plain, dueAt), dueAt - Date.now());
  }
  scheduler.startWorker({
    handler: async (timer) => record(sched, timer.dueAt),
    concurrency: 4_000,
    batchSize: 1_000,
    pollMs: 1_000,
  });
  await allFired;
  await scheduler.close();
  let left = 0;
  for (let shard = 0; shard < 8; shard += 1) {
    const tag = `${prefix}:{sched:bench:${shard}}`;
    left += await redis.hlen(`${tag}:timers`);
    await redis.del(`${tag}:due`, `${tag}:leases`, `${tag}:timers`);
  }
  await closeRedis(redis);

  const s = summary(sched);
  const p = summary(plain);
  const figures: Figure[] = [
    {
      figure: 'scheduler lateness p50',
      value: s.p50,
      unit: 'ms',
      baseline: { name: 'setTimeout', value: p.p50 },
    },
    {
      figure: 'scheduler lateness p99',
      value: s.p99,
      unit: 'ms',
      baseline: { name: 'setTimeout', value: p.p99 },
      goal: '<= 100 ms',
    },
    {
      figure: 'scheduler lateness p99.9',
      value: s.p999,
      unit: 'ms',
      baseline: { name: 'setTimeout', value: p.p999 },
      goal: '<= 1000 ms',
    },
    {
      figure: 'scheduler lateness max',
      value: s.max,
      unit: 'ms',
      baseline: { name: 'setTimeout', value: p.max },
    },
    {
      figure: 'fired early',
      value: s.early,
      unit: 'timers',
      baseline: { name: 'setTimeout', value: p.early },
      goal: '0',
    },
    {
      figure: 'timers fired',
      value: s.fired,
      unit: 'timers',
      baseline: { name: 'setTimeout', value: p.fired },
    },
    { figure: 'timers left in Redis', value: left, unit: 'timers', goal: '0' },
  ];
  printTable(
    `Timers: ${RATE}/s due for ${SECONDS} s (${total} each), scheduled in ${scheduleMs} ms`,
    figures,
  );
  const file = writeResults('timer', {
    rate: RATE,
    seconds: SECONDS,
    scheduleMs,
    scheduler: s,
    setTimeout: p,
    figures,
  });
  console.log(`\nresults: ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
