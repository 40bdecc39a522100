export { createMetrics } from './metrics';
export type { Metrics, MetricsOptions } from './metrics';
export { metricName, sanitizeServiceName } from './names';
export type { MetricUnit } from './names';
export { BUCKETS } from './buckets';
