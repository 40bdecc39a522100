import { SCHEMAS, type ProfileChange } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import {
  createBatchConsumer,
  type AvroSerde,
  type BatchConsumer,
  type KafkaClient,
  type PulseProducer,
} from '@pulse/kafka';
import type { Metrics } from '@pulse/metrics';
import { createErasureHandler, type OrderEraser } from './erasure';

export interface ErasureConsumerOptions {
  kafka: KafkaClient;
  serde: AvroSerde;
  /** Dead letters (`<topic>.dlq.<groupId>`, created at start). */
  producer: PulseProducer;
  instruments: Metrics;
  clock: Clock;
  logger: Logger;
  /** INGEST_PROFILE_CHANGES_TOPIC. */
  topic: string;
  /** INGEST_ERASURE_GROUP_ID. */
  groupId: string;
  eraser: OrderEraser;
}

/** How long close() lets an erasure batch finish: ingest's whole shutdown share is 10 s. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Ingest's only consumer: erasure tombstones from profile-changes.v1, in its own group (a new
 * group starts at the earliest record: an erasure is never skipped). `start()` fails, naming
 * the topic, when it does not exist; a record that cannot be handled is dead-lettered.
 */
export function createErasureConsumer(options: ErasureConsumerOptions): BatchConsumer {
  return createBatchConsumer<ProfileChange>({
    kafka: options.kafka,
    serde: options.serde,
    producer: options.producer,
    instruments: options.instruments,
    clock: options.clock,
    logger: options.logger,
    groupId: options.groupId,
    topics: [options.topic],
    readerSchemas: { [options.topic]: SCHEMAS['profile-changes.v1'] },
    fromBeginning: true,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    handleBatch: createErasureHandler({
      eraser: options.eraser,
      logger: options.logger.child({ component: 'erasure' }),
    }),
  });
}
