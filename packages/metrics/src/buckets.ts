/**
 * Histogram bucket presets, so every service's latency histograms line up on one dashboard.
 * Frozen: prom-client keeps the array it is given.
 */
export const BUCKETS = Object.freeze({
  /** Request and processing latency in seconds: 0.5 ms to 10 s. */
  latencySeconds: Object.freeze([
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ]),
  /** Records per batch: 1 to 5000. */
  batchSize: Object.freeze([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]),
  /** Payload sizes in bytes: 128 B to 8 MiB, by powers of four. */
  sizeBytes: Object.freeze([128, 512, 2048, 8192, 32768, 131072, 524288, 2097152, 8388608]),
  /** Delays measured in seconds over long spans (timers, lag): 1 s to 1 day. */
  delaySeconds: Object.freeze([1, 5, 15, 30, 60, 300, 900, 1800, 3600, 21600, 86400]),
});
