import { collectDefaultMetrics, Registry } from 'prom-client';
import { createInstruments, type Instruments } from './instruments';
import { metricName, sanitizeServiceName } from './names';
import type { MetricUnit } from './names';

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Service name, e.g. `profile-builder`; becomes `profile_builder` in metric names. */
  service: string;
  /**
   * Collect prom-client's default Node process metrics into `defaultsRegistry`; default true.
   * Tests and benchmarks that create many registries turn it off.
   */
  collectDefaults?: boolean;
  /**
   * False (`PULSE_METRICS=off`) makes every instrument from `counter`/`gauge`/`histogram` inert
   * and `/metrics` answer 404; default true.
   */
  enabled?: boolean;
}

/**
 * One service's metrics: its own registry plus the Node defaults, kept apart, and the factory of
 * its instruments (`metrics.counter({ name: metrics.name('x', 'total'), help })`).
 */
export interface Metrics extends Instruments {
  /** False when metrics are off: instruments record nothing and nothing is exposed. */
  readonly enabled: boolean;
  /** The sanitized service name used in metric names. */
  readonly service: string;
  /** The application's registry: only `pulse_<service>_*` metrics. Lint this one with promtool. */
  readonly registry: Registry;
  /**
   * prom-client's default Node metrics (`process_*`, `nodejs_*`), collected separately because
   * some of them are gauges ending in `_total`, which `promtool check metrics` rejects.
   */
  readonly defaultsRegistry: Registry;
  /** Content-Type of `metricsText()`. */
  readonly contentType: string;
  /** `pulse_<service>_<what>_<unit>`; throws METRIC_NAME_INVALID on a bad name. */
  name(what: string, unit: MetricUnit): string;
  /** The text exposition of both registries, for `/metrics`. */
  metricsText(): Promise<string>;
}

/** Creates a service's registries. Nothing global: two services in one process do not collide. */
export function createMetrics(options: MetricsOptions): Metrics {
  const service = sanitizeServiceName(options.service);
  const registry = new Registry();
  const defaultsRegistry = new Registry();
  const enabled = options.enabled ?? true;
  if (enabled && (options.collectDefaults ?? true))
    collectDefaultMetrics({ register: defaultsRegistry });
  return {
    ...createInstruments(registry, enabled),
    enabled,
    service,
    registry,
    defaultsRegistry,
    contentType: registry.contentType,
    name: (what, unit) => metricName(service, what, unit),
    metricsText: async () => {
      const parts = await Promise.all([registry.metrics(), defaultsRegistry.metrics()]);
      return parts
        .map((text) => text.trimEnd())
        .filter((text) => text !== '')
        .map((text) => `${text}\n`)
        .join('');
    },
  };
}
