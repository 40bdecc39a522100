import { Counter, Gauge, type Registry } from 'prom-client';

/** What became of one claimed customer. */
export type RescoreOutcome = 'published' | 'unchanged' | 'raced' | 'gone';

/** The rescoring job's metrics (`pulse_profile_builder_rescore*`). */
export interface RescoringMetrics {
  rescored(outcome: RescoreOutcome, count: number): void;
  /** How far behind the queue is: the oldest score's age beyond the rescore age (0 = on time). */
  lag(seconds: number): void;
}

export const RESCORED_TOTAL = 'pulse_profile_builder_rescored_total';
export const RESCORE_LAG_SECONDS = 'pulse_profile_builder_rescore_lag_seconds';

/** Registered on `registry` (reused when already there); inert without one. */
export function createRescoringMetrics(registry?: Registry): RescoringMetrics {
  if (!registry) return { rescored: () => undefined, lag: () => undefined };
  const rescored =
    (registry.getSingleMetric(RESCORED_TOTAL) as Counter<'outcome'> | undefined) ??
    new Counter({
      name: RESCORED_TOTAL,
      help: 'Customers whose churnRisk the rescoring job recomputed, by outcome (published: changed materially and published; unchanged; raced: a live change came first; gone: merged or erased).',
      labelNames: ['outcome'],
      registers: [registry],
    });
  const lag =
    (registry.getSingleMetric(RESCORE_LAG_SECONDS) as Gauge | undefined) ??
    new Gauge({
      name: RESCORE_LAG_SECONDS,
      help: 'Age of the oldest churn score beyond PROFILE_RESCORE_AFTER (0 when every score is fresh enough).',
      registers: [registry],
    });
  return {
    rescored: (outcome, count) => {
      if (count > 0) rescored.inc({ outcome }, count);
    },
    lag: (seconds) => lag.set(seconds),
  };
}
