export { createMetrics } from './metrics';
export type { Metrics, MetricsOptions } from './metrics';
export { createInstruments } from './instruments';
export type { Instruments } from './instruments';
export { metricName, sanitizeServiceName } from './names';
export type { MetricUnit } from './names';
export { BUCKETS } from './buckets';
