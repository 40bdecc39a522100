import { PulseError } from '@pulse/core';

const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Units our metric names end in. Prometheus conventions: base units (`seconds`, `bytes`),
 * `total` for counters, `ratio` for 0..1 values, `info` for constant labels; other plain nouns
 * (`messages`, `partitions`) are fine for gauges that count things.
 */
export type MetricUnit = 'seconds' | 'bytes' | 'total' | 'ratio' | 'info' | (string & {});

function invalid(message: string): PulseError {
  return new PulseError('METRIC_NAME_INVALID', message);
}

/**
 * The service part of metric names: lower case, every run of other characters turned into one
 * `_` (`profile-builder` -> `profile_builder`). Throws METRIC_NAME_INVALID when nothing usable
 * is left or it does not start with a letter.
 */
export function sanitizeServiceName(service: string): string {
  const clean = service
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(clean)) {
    throw invalid(`service name "${service}" must start with a letter (option \`service\`)`);
  }
  return clean;
}

/**
 * `pulse_<service>_<what>_<unit>`, e.g. `metricName('ingest', 'events_received', 'total')`.
 * `what` and `unit` must be snake_case and `what` must not already end in the unit.
 */
export function metricName(service: string, what: string, unit: MetricUnit): string {
  if (!SNAKE.test(what)) throw invalid(`metric "${what}" must be snake_case, e.g. events_received`);
  if (!SNAKE.test(unit)) throw invalid(`unit "${unit}" of metric "${what}" must be snake_case`);
  if (what === unit || what.endsWith(`_${unit}`)) {
    throw invalid(`metric "${what}" already ends in its unit "${unit}"; drop it from the name`);
  }
  if (unit !== 'total' && what.endsWith('_total')) {
    throw invalid(`metric "${what}" ends in _total, which is reserved for counters`);
  }
  return `pulse_${sanitizeServiceName(service)}_${what}_${unit}`;
}
