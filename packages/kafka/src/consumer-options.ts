import type { Instruments } from '@pulse/metrics';
import type { Clock, Logger, PulseError } from '@pulse/core';
import type { Registry } from 'prom-client';
import type { BatchHandler } from './batch-processor';
import type { KafkaClient } from './client';
import type { PulseProducer } from './producer';
import type { SchemaLookup } from './producer-support';
import type { RetryOptions } from './retry';
import type { AvroSerde } from './serde';

export interface BatchConsumerOptions<V = unknown> {
  kafka: KafkaClient;
  serde: AvroSerde;
  groupId: string;
  topics: readonly string[];
  handleBatch: BatchHandler<V>;
  /** Produces dead letters to `<topic>.dlq.<groupId>`. */
  producer: PulseProducer;
  /** Default: the client's logger. */
  logger?: Logger;
  /** Backoff for transient handler, decode and dead-letter failures. */
  retry?: RetryOptions;
  /** ms without heartbeat before the group gives our partitions away; default 30 000. */
  sessionTimeout?: number;
  /** ms between heartbeats; default min(3 000, sessionTimeout / 3). */
  heartbeatInterval?: number;
  /** ms the group waits for members to rejoin during a rebalance; default 60 000. */
  rebalanceTimeout?: number;
  /** Schema to read each topic with; default contracts' `TOPIC_SPECS` schema, else the writer's. */
  readerSchemas?: SchemaLookup;
  /** Where a new group starts: earliest (true) or latest (false, default). */
  fromBeginning?: boolean;
  /** Most records per handleBatch call (and per commit); default 5 000 (a fetch rarely holds more). */
  maxRecordsPerCall?: number;
  /** Partitions processed in parallel (each still in order); default 1. */
  partitionsConsumedConcurrently?: number;
  /** Fetch size per partition; default 1 MiB. */
  maxBytesPerPartition?: number;
  /** How long close() lets the in-flight batch finish before aborting it; default 30 000 ms. */
  closeTimeoutMs?: number;
  /** Where the metrics are registered; none by default. */
  registry?: Registry;
  /**
   * The service's instruments (`Metrics` of @pulse/metrics); wins over `registry`, and makes the
   * consumer's metrics inert when the service runs with PULSE_METRICS=off.
   */
  instruments?: Instruments;
  /** Stamps `pulse.dlq.at`; default the system clock. */
  clock?: Clock;
  /** Called when the consumer stopped for good on an error kafkajs will not restart from. */
  onFatalError?: (err: PulseError) => void;
}

export const CONSUMER_DEFAULTS = {
  sessionTimeout: 30_000,
  rebalanceTimeout: 60_000,
  maxRecordsPerCall: 5_000,
  partitionsConsumedConcurrently: 1,
  maxBytesPerPartition: 1_048_576,
  closeTimeoutMs: 30_000,
} as const;
