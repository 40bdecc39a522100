import type { Logger } from '@pulse/core';
import { Kafka } from 'kafkajs';
import { kafkajsLevelFor, pinoLogCreator } from './kafkajs-logger';

/** How kafkajs retries its own requests before an operation fails. */
export interface KafkaRetryOptions {
  /** First wait; default 300 ms. */
  initialRetryTime?: number;
  /** Longest wait; default 30 000 ms. */
  maxRetryTime?: number;
  /** Attempts after the first; default 8 (about a minute of broker outage). */
  retries?: number;
}

export interface KafkaClientOptions {
  /** `host:port` of one or more brokers. */
  brokers: readonly string[];
  /** Names this process in broker logs and quotas, e.g. the service name. */
  clientId: string;
  /** Where kafkajs's own logs go (as child `component: kafka`), at sensible levels. */
  logger: Logger;
  /** TCP connect timeout; default 3 000 ms. */
  connectionTimeoutMs?: number;
  /** Broker request timeout; default 30 000 ms. */
  requestTimeoutMs?: number;
  retry?: KafkaRetryOptions;
}

/**
 * A connection description shared by producers, consumers and provisioning. Creating it opens
 * nothing; each producer/consumer/admin connects on its own.
 */
export interface KafkaClient {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /**
   * The kafkajs client. Internal to this package: services use createProducer,
   * createBatchConsumer and provisionTopics, so the client library can be swapped.
   */
  readonly kafkajs: Kafka;
}

export const KAFKA_CLIENT_DEFAULTS = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: 8 },
} as const;

/** Describes the cluster and wires kafkajs's logs into `logger`. */
export function createKafka(options: KafkaClientOptions): KafkaClient {
  const logger = options.logger.child({ component: 'kafka' });
  const kafkajs = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? KAFKA_CLIENT_DEFAULTS.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs ?? KAFKA_CLIENT_DEFAULTS.requestTimeoutMs,
    retry: { ...KAFKA_CLIENT_DEFAULTS.retry, ...options.retry },
    logLevel: kafkajsLevelFor(logger.level),
    logCreator: pinoLogCreator(logger),
  });
  return { clientId: options.clientId, brokers: [...options.brokers], logger, kafkajs };
}
