/**
 * @pulse/scheduler: durable timers on Redis. Schedule, reschedule and cancel by id; workers in
 * any number of processes claim due timers atomically under a lease, fire them and ack them;
 * an unacknowledged lease expires and the timer fires again (at-least-once).
 */
export { createScheduler } from './scheduler';
export type { Scheduler, SchedulerOptions, TimerInfo } from './scheduler';
export { WORKER_DEFAULTS } from './worker';
export type { FiredTimer, TimerHandler, TimerWorker, TimerWorkerOptions } from './worker';
export type { ClaimedTimer } from './claim-reply';
export { SchedulerErrorCode } from './errors';
export type { AckOutcome, ScheduleOutcome } from './errors';
export { SCHEDULER_METRICS } from './metrics';
export { shardOf } from './keys';
export { wakeDelay } from './wake';
