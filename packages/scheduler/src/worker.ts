import type { Clock, Logger } from '@pulse/core';
import type { ClaimedTimer, ClaimReply } from './claim-reply';
import type { SchedulerMetrics } from './metrics';
import type { AckOutcome } from './errors';
import type { ShardKeys } from './keys';
import { wakeDelay } from './wake';

/** What the worker needs from the store; internal. */
export interface TimerStore {
  readonly shards: readonly ShardKeys[];
  claim(
    shard: ShardKeys,
    now: number,
    leaseMs: number,
    limit: number,
    token: string,
  ): Promise<ClaimReply>;
  requeueExpired(shard: ShardKeys, now: number, limit: number): Promise<number>;
  ack(timer: ClaimedTimer): Promise<AckOutcome>;
}

/** A timer handed to the handler. */
export interface FiredTimer extends ClaimedTimer {
  /** The clock's time when it was claimed; never before `dueAt`. */
  firedAt: number;
}

/**
 * Does the timer's work. Resolve to have the timer acknowledged (deleted); throw to leave it
 * leased, so it fires again once the lease expires. May run more than once for one timer
 * (after a crash or a lease expiry): make its effect idempotent, e.g. an event id built from
 * `id` and `dueAt`. A handler that reschedules or cancels its own timer may do so; the ack
 * then finds the timer moved and leaves it.
 */
export type TimerHandler = (timer: FiredTimer) => Promise<void>;

/** Options of `Scheduler.startWorker`. */
export interface TimerWorkerOptions {
  handler: TimerHandler;
  /** How long a claim holds a timer before another worker may fire it again; default 30 000 ms. */
  leaseMs?: number;
  /** Longest sleep when no timer is known to be due earlier; default 1 000 ms. */
  pollMs?: number;
  /** Handlers running at once; default 256. */
  concurrency?: number;
  /** Most timers claimed from one shard in one call; default 200. */
  batchSize?: number;
}

export interface TimerWorker {
  /** Look for due timers now (after the clock moved, or a timer was scheduled elsewhere). */
  wake(): void;
  /** Told by the local scheduler that a timer is due at `dueAt`: wakes earlier if needed. */
  notifyDue(dueAt: number): void;
  /** Handlers running now. */
  inFlight(): number;
  /** Claim passes completed so far (each looks at every shard once); for tests and diagnostics. */
  passes(): number;
  /** Stops claiming, waits for the handlers in flight (and their acks). Idempotent. */
  close(): Promise<void>;
}

export const WORKER_DEFAULTS = {
  leaseMs: 30_000,
  pollMs: 1_000,
  concurrency: 256,
  batchSize: 200,
} as const;

interface WorkerDeps extends TimerWorkerOptions {
  store: TimerStore;
  clock: Clock;
  logger: Logger;
  metrics: SchedulerMetrics;
  workerId: string;
}

/** Backoff after Redis failed a claim. */
const ERROR_PAUSE_MS = 500;

export function createTimerWorker(deps: WorkerDeps): TimerWorker {
  const { store, clock, logger, metrics } = deps;
  const leaseMs = deps.leaseMs ?? WORKER_DEFAULTS.leaseMs;
  const pollMs = deps.pollMs ?? WORKER_DEFAULTS.pollMs;
  const concurrency = deps.concurrency ?? WORKER_DEFAULTS.concurrency;
  const batchSize = deps.batchSize ?? WORKER_DEFAULTS.batchSize;
  const running = new Set<Promise<void>>();
  // Per shard: when a lease may expire next (requeue only then); 0 = check on the first pass.
  const nextLeaseExpiry = store.shards.map(() => 0);
  let closing = false;
  let claims = 0;
  let passes = 0;
  let wakeAt = Number.POSITIVE_INFINITY;
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;
  let slotFreed: (() => void) | undefined;
  let closed: Promise<void> | undefined;

  const kick = (): void => {
    clearTimeout(wakeTimer);
    wakeAt = Number.POSITIVE_INFINITY;
    const resolve = wakeUp;
    wakeUp = undefined;
    resolve?.();
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wakeAt = clock.now() + ms;
      wakeUp = resolve;
      wakeTimer = setTimeout(kick, ms);
    });

  const waitForSlot = (): Promise<void> =>
    new Promise((resolve) => {
      slotFreed = resolve;
    });

  async function fire(timer: ClaimedTimer): Promise<void> {
    const firedAt = clock.now();
    metrics.fired(firedAt - timer.dueAt);
    try {
      await deps.handler({ ...timer, firedAt });
    } catch (err) {
      logger.warn(
        { err, timer: timer.id, attempt: timer.attempt },
        'timer handler failed; it fires again after its lease',
      );
      return;
    }
    try {
      const outcome = await store.ack(timer);
      if (outcome !== 'acked')
        logger.debug({ timer: timer.id, outcome }, 'timer moved while it fired');
    } catch (err) {
      logger.warn({ err, timer: timer.id }, 'ack failed; the timer fires again after its lease');
    }
  }

  function dispatch(timer: ClaimedTimer): void {
    const task = fire(timer).finally(() => {
      running.delete(task);
      const resolve = slotFreed;
      slotFreed = undefined;
      resolve?.();
    });
    running.add(task);
  }

  async function claimShard(
    index: number,
    now: number,
    limit: number,
    token: string,
  ): Promise<ClaimReply> {
    const shard = store.shards[index];
    if (!shard) throw new Error(`shard ${index} missing`); // unreachable: index < shards.length
    const requeue =
      (nextLeaseExpiry[index] ?? 0) <= now
        ? store.requeueExpired(shard, now, batchSize)
        : undefined;
    const claim = store.claim(shard, now, leaseMs, limit, token);
    await requeue;
    const reply = await claim;
    nextLeaseExpiry[index] = reply.nextLeaseExpiry ?? Number.POSITIVE_INFINITY;
    return reply;
  }

  /** One pass over every shard; true when some shard may hold more due timers right now. */
  async function pass(): Promise<{ more: boolean; candidates: (number | undefined)[] }> {
    const now = clock.now();
    const free = concurrency - running.size;
    const limit = Math.max(1, Math.min(batchSize, Math.ceil(free / store.shards.length)));
    claims += 1;
    const token = `${deps.workerId}:${claims}`;
    const replies = await Promise.all(store.shards.map((_, i) => claimShard(i, now, limit, token)));
    let more = false;
    const candidates: (number | undefined)[] = [];
    for (const reply of replies) {
      for (const timer of reply.timers) dispatch(timer);
      if (reply.timers.length >= limit) more = true;
      candidates.push(reply.nextDueAt, reply.nextLeaseExpiry);
    }
    passes += 1;
    return { more, candidates };
  }

  async function loop(): Promise<void> {
    while (!closing) {
      if (running.size >= concurrency) {
        await waitForSlot();
        continue;
      }
      try {
        const { more, candidates } = await pass();
        if (more || closing) continue;
        await sleep(wakeDelay(clock.now(), candidates, pollMs));
      } catch (err) {
        logger.error({ err }, 'claiming timers failed; retrying');
        await sleep(ERROR_PAUSE_MS);
      }
    }
  }

  const looping = loop();

  return {
    wake: kick,
    notifyDue(dueAt) {
      if (dueAt < wakeAt) kick();
    },
    inFlight: () => running.size,
    passes: () => passes,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        kick();
        slotFreed?.();
        await looping;
        await Promise.allSettled([...running]);
      })()),
  };
}
