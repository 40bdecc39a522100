import { createInstruments, type Instruments } from '@pulse/metrics';
import { Registry, type Counter, type Gauge, type Histogram } from 'prom-client';

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
 * `registry`, or creates them through a service's `instruments` (inert under PULSE_METRICS=off).
 * Without either the metrics work but are exported nowhere.
 */
export function createConsumerMetrics(source?: Registry | Instruments): ConsumerMetrics {
  const make: Instruments =
    source === undefined
      ? createInstruments(new Registry(), true)
      : source instanceof Registry
        ? createInstruments(source, true)
        : source;
  const groupTopic: GroupTopic[] = ['consumergroup', 'topic'];
  return {
    records: make.counter({
      name: CONSUMER_METRICS.records,
      help: 'Records fetched by the consumer.',
      labelNames: groupTopic,
    }),
    batches: make.counter({
      name: CONSUMER_METRICS.batches,
      help: 'Batches fetched by the consumer.',
      labelNames: groupTopic,
    }),
    handlerDuration: make.histogram({
      name: CONSUMER_METRICS.handlerDuration,
      help: 'Time spent in each handleBatch call, in seconds.',
      labelNames: groupTopic,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    deadLetters: make.counter({
      name: CONSUMER_METRICS.deadLetters,
      help: 'Records sent to the dead-letter topic.',
      labelNames: [...groupTopic, 'code'],
    }),
    retries: make.counter({
      name: CONSUMER_METRICS.retries,
      help: 'Transient failures retried by the consumer.',
      labelNames: [...groupTopic, 'operation'],
    }),
    lag: make.gauge({
      name: CONSUMER_METRICS.lag,
      help: 'Messages between the high watermark and the committed position.',
      labelNames: [...groupTopic, 'partition'],
    }),
  };
}
