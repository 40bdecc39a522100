import type { AggregateSpec } from '@pulse/rules';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Metric names of the rule aggregate backfill. */
export const BACKFILL_METRICS = {
  ready: 'pulse_profile_builder_rule_aggregate_ready',
  events: 'pulse_profile_builder_backfill_events_total',
  profiles: 'pulse_profile_builder_backfill_profiles_total',
} as const;

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make(); // registered by make() before
}

/**
 * `…_rule_aggregate_ready{aggregate}` 1 once an aggregate holds all of history (0 while it is
 * backfilled), events replayed and profiles written by backfills. No registry: no-ops.
 */
export function createBackfillMetrics(
  registry: Registry | undefined,
  specs: readonly AggregateSpec[],
  todo: readonly AggregateSpec[],
) {
  if (!registry) return { replayed: () => {}, profiles: () => {}, ready: () => {} };
  const registers = [registry];
  const ready = metric(
    registry,
    BACKFILL_METRICS.ready,
    () =>
      new Gauge({
        name: BACKFILL_METRICS.ready,
        help: 'Whether a rule aggregate holds all of history (1) or is being backfilled (0).',
        labelNames: ['aggregate'],
        registers,
      }),
  );
  const events = metric(
    registry,
    BACKFILL_METRICS.events,
    () =>
      new Counter({
        name: BACKFILL_METRICS.events,
        help: 'Events of events.v1 replayed to backfill new rule aggregates.',
        registers,
      }),
  );
  const profiles = metric(
    registry,
    BACKFILL_METRICS.profiles,
    () =>
      new Counter({
        name: BACKFILL_METRICS.profiles,
        help: 'Profiles whose new rule aggregates a backfill wrote.',
        registers,
      }),
  );
  const pending = new Set(todo.map((s) => s.id));
  for (const s of specs) ready.set({ aggregate: s.id }, pending.has(s.id) ? 0 : 1);
  return {
    replayed: (n: number) => events.inc(n),
    profiles: (n: number) => profiles.inc(n),
    ready: (done: readonly AggregateSpec[]) => {
      for (const s of done) ready.set({ aggregate: s.id }, 1);
    },
  };
}
