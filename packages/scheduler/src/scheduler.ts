import { randomBytes } from 'node:crypto';
import { PulseError, systemClock } from '@pulse/core';
import type { Clock, Logger } from '@pulse/core';
import type { Metrics } from '@pulse/metrics';
import { redisError } from '@pulse/redis';
import type { Keyspace, Redis } from '@pulse/redis';
import { parseClaimReply } from './claim-reply';
import { ackOutcome, invalidArgument, scheduleOutcome, SchedulerErrorCode } from './errors';
import type { ScheduleOutcome } from './errors';
import { shardKeyList, shardKeys, shardOf } from './keys';
import type { ShardKeys } from './keys';
import { createSchedulerMetrics } from './metrics';
import { loadSchedulerScripts } from './scripts';
import { createTimerWorker } from './worker';
import type { TimerStore, TimerWorker, TimerWorkerOptions } from './worker';

/** Options of `createScheduler`. */
export interface SchedulerOptions {
  redis: Redis;
  /** Where the keys live; the scheduler's keys are `<prefix>:{sched:<name>:<shard>}:*`. */
  keyspace: Keyspace;
  /** Names this set of timers (e.g. `cart`); processes sharing a name share the timers. */
  name: string;
  /** Sorted sets the timers are spread over; default 8. Every process must use the same. */
  shards?: number;
  logger: Logger;
  /** Default the system clock; its time is passed to every script (none calls TIME). */
  clock?: Clock;
  /** Where the scheduler's metrics go (`pulse_<service>_scheduler_*`); none by default. */
  metrics?: Metrics;
}

/** A timer as stored. */
export interface TimerInfo {
  id: string;
  dueAt: number;
  payload: string;
  /** Claims so far (0 while it never fired). */
  attempts: number;
  /** True while a worker holds a lease on it. */
  leased: boolean;
}

/** Durable timers on Redis. */
export interface Scheduler {
  readonly name: string;
  /**
   * Creates timer `id` due at `dueAt` (ms), or moves it there. Idempotent: the same call again
   * changes nothing (`unchanged`); a new due time voids a lease in flight (`rescheduled`).
   */
  schedule(id: string, dueAt: number, payload?: string): Promise<ScheduleOutcome>;
  /** Cancels timer `id`, pending or in flight; true when there was one. */
  cancel(id: string): Promise<boolean>;
  get(id: string): Promise<TimerInfo | undefined>;
  /**
   * Starts firing due timers into `options.handler`: claims them under a lease, acks after the
   * handler resolves. One worker per scheduler; N processes may each run one.
   */
  startWorker(options: TimerWorkerOptions): TimerWorker;
  /** Closes the worker (lets in-flight handlers finish). Leaves the Redis client open. */
  close(): Promise<void>;
}

const DEFAULT_SHARDS = 8;

function checkOptions(options: SchedulerOptions): number {
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
    throw invalidArgument(`option \`shards\` must be an integer in 1..1024, got ${shards}`);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(options.name)) {
    throw invalidArgument(
      `option \`name\` must be letters, digits, _ . - only, got "${options.name}"`,
    );
  }
  return shards;
}

/** Creates a scheduler over the given Redis client. Opens nothing by itself. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const shardCount = checkOptions(options);
  const { redis, name } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'scheduler', scheduler: name });
  const metrics = createSchedulerMetrics(options.metrics, name);
  const scripts = loadSchedulerScripts();
  const shards = shardKeys(options.keyspace, name, shardCount);
  let worker: TimerWorker | undefined;
  let closed = false;

  const shardFor = (id: string): ShardKeys => {
    const keys = shards[shardOf(id, shardCount)];
    if (!keys) throw invalidArgument(`no shard for timer ${id}`); // unreachable: shardOf < count
    return keys;
  };
  const run = async (what: string, op: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await op();
    } catch (err) {
      throw redisError(err, `scheduler ${name}: ${what}`);
    }
  };
  const ensureOpen = (): void => {
    if (closed) throw new PulseError(SchedulerErrorCode.CLOSED, `scheduler ${name} is closed`);
  };

  const store: TimerStore = {
    shards,
    async claim(shard, now, leaseMs, limit, token) {
      const args = [now, now + leaseMs, limit, token];
      const reply = await run('claim', () => scripts.claim.run(redis, shardKeyList(shard), args));
      return parseClaimReply(reply, shard.shard, token);
    },
    async requeueExpired(shard, now, limit) {
      const keys = shardKeyList(shard);
      const count = Number(
        await run('requeue', () => scripts.requeueExpired.run(redis, keys, [now, limit])),
      );
      metrics.leaseExpired(count);
      return count;
    },
    async ack(timer) {
      const keys = shardKeyList(shardFor(timer.id));
      return ackOutcome(
        await run('ack', () => scripts.ack.run(redis, keys, [timer.id, timer.token])),
      );
    },
  };

  return {
    name,
    async schedule(id, dueAt, payload = '') {
      ensureOpen();
      if (!Number.isSafeInteger(dueAt) || dueAt < 0) {
        throw invalidArgument(`dueAt of timer ${id} must be epoch milliseconds, got ${dueAt}`);
      }
      const keys = shardKeyList(shardFor(id));
      const reply = await run('schedule', () =>
        scripts.schedule.run(redis, keys, [id, dueAt, payload]),
      );
      const outcome = scheduleOutcome(reply);
      if (outcome !== 'unchanged') {
        metrics.scheduled();
        worker?.notifyDue(dueAt);
      }
      return outcome;
    },
    async cancel(id) {
      ensureOpen();
      const keys = shardKeyList(shardFor(id));
      const removed =
        Number(await run('cancel', () => scripts.cancel.run(redis, keys, [id]))) === 1;
      if (removed) metrics.cancelled();
      return removed;
    },
    async get(id) {
      const keys = shardFor(id);
      const [raw, lease] = await Promise.all([
        run('get', () => redis.hget(keys.timers, id)),
        run('get', () => redis.zscore(keys.leases, id)),
      ]);
      if (typeof raw !== 'string') return undefined;
      // The timers hash holds only what schedule.lua/claim.lua wrote: { d, p, a, t }.
      const timer = JSON.parse(raw) as { d: string; p: string; a?: number };
      return {
        id,
        dueAt: Number(timer.d),
        payload: timer.p,
        attempts: timer.a ?? 0,
        leased: lease !== null,
      };
    },
    startWorker(workerOptions) {
      ensureOpen();
      if (worker) throw invalidArgument(`scheduler ${name} already runs a worker`);
      const workerId = `${process.pid}-${randomBytes(4).toString('hex')}`;
      worker = createTimerWorker({ ...workerOptions, store, clock, logger, metrics, workerId });
      return worker;
    },
    async close() {
      closed = true;
      await worker?.close();
    },
  };
}
