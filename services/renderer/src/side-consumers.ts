import type { ProfileChange, PulseEvent } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import { createBatchConsumer } from '@pulse/kafka';
import type {
  AvroSerde,
  BatchConsumer,
  KafkaClient,
  PulseProducer,
  SchemaLookup,
} from '@pulse/kafka';
import type { Metrics } from '@pulse/metrics';
import { createAttributionHandler } from './attribution';
import type { AttributionStore } from './attribution-store';
import { createErasureHandler } from './erasure';
import type { RendererEraser } from './erasure';
import type { RendererMetrics } from './renderer-metrics';

export interface SideConsumersOptions {
  kafka: KafkaClient;
  serde: AvroSerde;
  /** Dead letters. */
  producer: PulseProducer;
  readerSchemas: SchemaLookup;
  instruments: Metrics;
  clock: Clock;
  logger: Logger;
  sessionTimeoutMs: number;
  erasure: { topic: string; groupId: string; eraser: RendererEraser };
  /** Null: live attribution is off. */
  attribution: {
    topic: string;
    groupId: string;
    fromBeginning: boolean;
    store: AttributionStore;
    metrics: RendererMetrics;
    windowMs: number;
  } | null;
}

/**
 * The renderer's two consumers beside the trigger one, each in its own group so neither holds
 * the other (nor the sends) back: erasure tombstones from profile-changes.v1 (a new group starts
 * at the earliest record: an erasure is never skipped), and events.v1 for live attribution.
 */
export function createSideConsumers(options: SideConsumersOptions): {
  erasure: BatchConsumer;
  attribution: BatchConsumer | null;
} {
  const common = {
    kafka: options.kafka,
    serde: options.serde,
    producer: options.producer,
    readerSchemas: options.readerSchemas,
    instruments: options.instruments,
    clock: options.clock,
    sessionTimeout: options.sessionTimeoutMs,
  };
  const a = options.attribution;
  return {
    erasure: createBatchConsumer<ProfileChange>({
      ...common,
      groupId: options.erasure.groupId,
      topics: [options.erasure.topic],
      fromBeginning: true,
      handleBatch: createErasureHandler({
        eraser: options.erasure.eraser,
        logger: options.logger.child({ component: 'erasure' }),
      }),
    }),
    attribution: a
      ? createBatchConsumer<PulseEvent>({
          ...common,
          groupId: a.groupId,
          topics: [a.topic],
          fromBeginning: a.fromBeginning,
          handleBatch: createAttributionHandler({
            store: a.store,
            metrics: a.metrics,
            windowMs: a.windowMs,
            logger: options.logger.child({ component: 'attribution' }),
          }),
        })
      : null,
  };
}
