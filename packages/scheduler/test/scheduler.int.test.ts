import { afterAll, describe, expect, it } from '@jest/globals';
import { ManualClock, silentLogger } from '@pulse/core';
import { createMetrics } from '@pulse/metrics';
import { closeRedis, createKeyspace, createRedis } from '@pulse/redis';
import type { Redis } from '@pulse/redis';
import { getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { createScheduler } from '../src';
import type { FiredTimer, Scheduler, SchedulerOptions } from '../src';

const stack = getStack();
const isolated = isolatedRedis(stack);
const keyspace = createKeyspace(isolated.prefix.replace(/:$/, ''));
const clients: Redis[] = [];
const schedulers: Scheduler[] = [];

function scheduler(options: Partial<SchedulerOptions> & { name: string }): Scheduler {
  const redis = createRedis({ url: stack.redisUrl, logger: silentLogger() });
  clients.push(redis);
  const created = createScheduler({
    redis,
    keyspace,
    logger: silentLogger(),
    shards: 4,
    ...options,
  });
  schedulers.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.close()));
  await Promise.all(clients.map((c) => closeRedis(c)));
  await isolated.cleanup();
});

describe('scheduler against the real Redis', () => {
  it('never fires a timer before its due time (injected clock)', async () => {
    const start = 1_700_000_000_000;
    const clock = new ManualClock(start);
    const timers = scheduler({ name: randomName('early'), clock });
    const fired: FiredTimer[] = [];
    for (let i = 1; i <= 20; i += 1) await timers.schedule(`t${i}`, start + i * 10, String(i));
    const worker = timers.startWorker({ handler: async (t) => void fired.push(t), pollMs: 20 });
    for (let step = 1; step <= 20; step += 1) {
      clock.set(start + step * 10 - 1);
      const before = worker.passes();
      worker.wake();
      await waitFor(() => worker.passes() > before, { description: 'a pass one ms early' });
      expect(fired).toHaveLength(step - 1);
      clock.set(start + step * 10);
      worker.wake();
      await waitFor(() => fired.length === step, { description: `${step} timers fired` });
      expect(fired.every((t) => t.dueAt <= clock.now())).toBe(true);
    }
    expect(fired.every((t) => t.firedAt >= t.dueAt)).toBe(true);
    expect(fired.map((t) => t.payload)).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    await waitFor(async () => (await timers.get('t20')) === undefined, { description: 'acks' });
  });

  it('lets N workers share timers without firing one twice or concurrently', async () => {
    const name = randomName('shared');
    const workers = [scheduler({ name }), scheduler({ name }), scheduler({ name })];
    const now = Date.now();
    const count = 1500;
    for (let i = 0; i < count; i += 1) await workers[i % 3]?.schedule(`job-${i}`, now + (i % 50));
    const active = new Set<string>();
    const fires = new Map<string, number>();
    let overlaps = 0;
    const handler = async (t: FiredTimer): Promise<void> => {
      if (active.has(t.id)) overlaps += 1;
      active.add(t.id);
      fires.set(t.id, (fires.get(t.id) ?? 0) + 1);
      await new Promise((resolve) => setImmediate(resolve));
      active.delete(t.id);
    };
    for (const w of workers) w.startWorker({ handler, batchSize: 20, pollMs: 50 });
    await waitFor(() => fires.size === count, { description: `${count} distinct timers fired` });
    await Promise.all(workers.map((w) => w.close()));
    expect(overlaps).toBe(0);
    expect([...fires.values()].every((n) => n === 1)).toBe(true);
    for (const id of ['job-0', 'job-777', `job-${count - 1}`])
      expect(await workers[0]?.get(id)).toBeUndefined();
  });

  it('fires an unacknowledged timer again once its lease expires', async () => {
    const name = randomName('lease');
    const start = 1_700_000_000_000;
    const clock = new ManualClock(start);
    const metrics = createMetrics({ service: 'sched-test', collectDefaults: false });
    const crashed = scheduler({ name, clock });
    const survivor = scheduler({ name, clock, metrics });
    await crashed.schedule('order-1', start, 'p');
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first: FiredTimer[] = [];
    crashed.startWorker({
      leaseMs: 5_000,
      pollMs: 20,
      // Busy with its hung fire, like a dead process it claims nothing more: only the survivor
      // may pick the timer up again (otherwise the two race for the refire).
      concurrency: 1,
      handler: (t) => {
        first.push(t);
        return hung; // this worker "dies" mid-fire: never acks while the test runs
      },
    });
    await waitFor(() => first.length === 1, { description: 'first claim' });
    expect((await survivor.get('order-1'))?.leased).toBe(true);

    const second: FiredTimer[] = [];
    const worker = survivor.startWorker({
      leaseMs: 5_000,
      pollMs: 20,
      handler: async (t) => void second.push(t),
    });
    clock.advance(4_999);
    worker.wake();
    clock.advance(1);
    worker.wake();
    await waitFor(() => second.length === 1, { description: 'refire after the lease' });
    expect(second[0]).toMatchObject({ id: 'order-1', dueAt: start, attempt: 2 });
    await waitFor(async () => (await survivor.get('order-1')) === undefined, {
      description: 'ack',
    });
    release();
    await crashed.close();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/pulse_sched_test_scheduler_lease_expiries_total\{scheduler="[^"]+"\} 1/);
    expect(text).toMatch(/pulse_sched_test_scheduler_timers_fired_total\{scheduler="[^"]+"\} 1/);
  });

  it('reschedules and cancels by id, idempotently, voiding a lease in flight', async () => {
    const start = 1_700_000_000_000;
    const clock = new ManualClock(start);
    const timers = scheduler({ name: randomName('moves'), clock });
    expect(await timers.schedule('a', start + 100, 'x')).toBe('created');
    expect(await timers.schedule('a', start + 100, 'x')).toBe('unchanged');
    expect(await timers.schedule('a', start + 500, 'y')).toBe('rescheduled');
    expect(await timers.schedule('b', start + 100)).toBe('created');
    expect(await timers.cancel('b')).toBe(true);
    expect(await timers.cancel('b')).toBe(false);
    expect(await timers.get('a')).toEqual({
      id: 'a',
      dueAt: start + 500,
      payload: 'y',
      attempts: 0,
      leased: false,
    });

    const fired: FiredTimer[] = [];
    const worker = timers.startWorker({
      pollMs: 20,
      handler: async (t) => {
        fired.push(t);
        // Moving the timer while it fires: the ack is refused and the new due time stands.
        if (t.attempt === 1) await timers.schedule('a', start + 900, 'z');
      },
    });
    clock.set(start + 500);
    worker.wake();
    await waitFor(() => fired.length === 1, { description: 'first fire' });
    await waitFor(async () => (await timers.get('a'))?.leased === false, {
      description: 'lease voided',
    });
    expect(await timers.get('a')).toMatchObject({ dueAt: start + 900, payload: 'z' });
    clock.set(start + 900);
    worker.wake();
    await waitFor(() => fired.length === 2, { description: 'fire at the new time' });
    expect(fired.map((t) => [t.id, t.dueAt])).toEqual([
      ['a', start + 500],
      ['a', start + 900],
    ]);
    await waitFor(async () => (await timers.get('a')) === undefined, { description: 'ack' });
  });
});
