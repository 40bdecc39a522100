import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Metric names of the batch consumer. Lag reuses kafka_exporter's name and labels so the
 * community Kafka dashboards work unchanged. Labels name groups, topics and partitions only —
 * never a customer.
 */
export const CONSUMER_METRICS = {
  /** Counter{consumergroup,topic}: records fetched (good or not). */
  records: 'pulse_kafka_consumer_records_total',
  /** Counter{consumergroup,topic}: batches fetched. */
  batches: 'pulse_kafka_consumer_batches_total',
  /** Histogram{consumergroup,topic}: time spent in each handleBatch call. */
  handlerDuration: 'pulse_kafka_consumer_handler_duration_seconds',
  /** Counter{consumergroup,topic,code}: records sent to the dead-letter topic, by error code. */
  deadLetters: 'pulse_kafka_consumer_dlq_records_total',
  /** Counter{consumergroup,topic,operation}: transient failures retried (decode, handler, dlq). */
  retries: 'pulse_kafka_consumer_retries_total',
  /** Gauge{consumergroup,topic,partition}: high watermark minus the next offset to commit. */
  lag: 'kafka_consumergroup_lag',
} as const;

type GroupTopic = 'consumergroup' | 'topic';

/** The consumer's instruments; created per consumer, shared through the registry by name. */
export interface ConsumerMetrics {
  records: Counter<GroupTopic>;
  batches: Counter<GroupTopic>;
  handlerDuration: Histogram<GroupTopic>;
  deadLetters: Counter<GroupTopic | 'code'>;
  retries: Counter<GroupTopic | 'operation'>;
  lag: Gauge<GroupTopic | 'partition'>;
}

/**
 * Registers (or, when a consumer of the same process already did, reuses) the metrics on
 * `registry`. Without a registry the metrics work but are exported nowhere.
 */
export function createConsumerMetrics(registry?: Registry): ConsumerMetrics {
  const registers = registry ? [registry] : [];
  const existing = (name: string) => registry?.getSingleMetric(name);
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> => {
    const found = existing(name);
    if (found instanceof Counter) return found;
    return new Counter<L>({ name, help, labelNames, registers });
  };
  const found = {
    duration: existing(CONSUMER_METRICS.handlerDuration),
    lag: existing(CONSUMER_METRICS.lag),
  };
  return {
    records: counter(CONSUMER_METRICS.records, 'Records fetched by the consumer.', [
      'consumergroup',
      'topic',
    ]),
    batches: counter(CONSUMER_METRICS.batches, 'Batches fetched by the consumer.', [
      'consumergroup',
      'topic',
    ]),
    handlerDuration:
      found.duration instanceof Histogram
        ? found.duration
        : new Histogram({
            name: CONSUMER_METRICS.handlerDuration,
            help: 'Time spent in each handleBatch call, in seconds.',
            labelNames: ['consumergroup', 'topic'],
            buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers,
          }),
    deadLetters: counter(CONSUMER_METRICS.deadLetters, 'Records sent to the dead-letter topic.', [
      'consumergroup',
      'topic',
      'code',
    ]),
    retries: counter(CONSUMER_METRICS.retries, 'Transient failures retried by the consumer.', [
      'consumergroup',
      'topic',
      'operation',
    ]),
    lag:
      found.lag instanceof Gauge
        ? found.lag
        : new Gauge({
            name: CONSUMER_METRICS.lag,
            help: 'Messages between the high watermark and the committed position.',
            labelNames: ['consumergroup', 'topic', 'partition'],
            registers,
          }),
  };
}
