import { BUCKETS } from '@pulse/metrics';
import type { Metrics } from '@pulse/metrics';

/** What the metric names say after `pulse_<service>_`; each carries a `scheduler` label. */
export const SCHEDULER_METRICS = {
  scheduled: 'scheduler_timers_scheduled',
  fired: 'scheduler_timers_fired',
  cancelled: 'scheduler_timers_cancelled',
  leaseExpiries: 'scheduler_lease_expiries',
  lateness: 'scheduler_lateness',
} as const;

/** The scheduler's instruments; no-ops when no registry was given. */
export interface SchedulerMetrics {
  scheduled(): void;
  cancelled(): void;
  /** A timer was handed to the handler `latenessMs` after its due time. */
  fired(latenessMs: number): void;
  leaseExpired(count: number): void;
}

export function createSchedulerMetrics(
  metrics: Metrics | undefined,
  scheduler: string,
): SchedulerMetrics {
  if (!metrics) {
    return { scheduled: () => {}, cancelled: () => {}, fired: () => {}, leaseExpired: () => {} };
  }
  const labels = { scheduler };
  // A second scheduler on the same service shares each instrument (labelled by scheduler name).
  const counter = (name: string, help: string) =>
    metrics.counter({ name, help, labelNames: ['scheduler'] });
  const scheduled = counter(
    metrics.name(SCHEDULER_METRICS.scheduled, 'total'),
    'Timers created or moved to a new due time.',
  );
  const fired = counter(
    metrics.name(SCHEDULER_METRICS.fired, 'total'),
    'Timers handed to the handler (a refire after a lease expiry counts again).',
  );
  const cancelled = counter(
    metrics.name(SCHEDULER_METRICS.cancelled, 'total'),
    'Timers cancelled before they were acknowledged.',
  );
  const expiries = counter(
    metrics.name(SCHEDULER_METRICS.leaseExpiries, 'total'),
    'Claimed timers whose lease ran out unacknowledged and were put back to fire again.',
  );
  const lateness = metrics.histogram({
    name: metrics.name(SCHEDULER_METRICS.lateness, 'seconds'),
    help: 'Fire time minus due time.',
    labelNames: ['scheduler'],
    buckets: [...BUCKETS.latencySeconds],
  });
  return {
    scheduled: () => scheduled.inc(labels),
    cancelled: () => cancelled.inc(labels),
    fired: (latenessMs) => {
      fired.inc(labels);
      lateness.observe(labels, Math.max(0, latenessMs) / 1000);
    },
    leaseExpired: (count) => {
      if (count > 0) expiries.inc(labels, count);
    },
  };
}
