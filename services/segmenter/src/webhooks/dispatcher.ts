import { SCHEMAS, dlqTopic, dlqTopicSpec, type SegmentChange } from '@pulse/contracts';
import { PulseError, type Clock, type Logger } from '@pulse/core';
import {
  DLQ_HEADERS,
  createBatchConsumer,
  createProducer,
  provisionTopics,
  type AvroSerde,
  type KafkaClient,
} from '@pulse/kafka';
import { Counter, type Registry } from 'prom-client';
import { deliver, type DeliveryPolicy } from './delivery';
import { destinationsFor, type WebhookDestination } from './webhook-config';

/** Names the destination a webhook dead letter failed for (replay targets only it). */
export const DESTINATION_HEADER = 'pulse.webhook.destination';

export interface WebhookDispatcherOptions {
  kafka: KafkaClient;
  serde: AvroSerde;
  logger: Logger;
  clock: Clock;
  registry: Registry;
  destinations: readonly WebhookDestination[];
  /** segment-changes.v1 (or the test's topic). */
  topic: string;
  /** Its own consumer group: a slow receiver lags here, never in segment evaluation. */
  groupId: string;
  policy: DeliveryPolicy;
  sessionTimeout?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Delivers segment entries and exits to the configured webhooks. One consumer of the changes
 * topic in its own group; each change goes to its destinations in parallel, each retried with
 * backoff; a change a destination still refuses is dead-lettered to
 * `<topic>.dlq.<group>` with that destination in a header, and the partition moves on.
 */
export async function startWebhookDispatcher(options: WebhookDispatcherOptions) {
  const { logger, clock } = options;
  const dlq = dlqTopic(options.topic, options.groupId);
  await provisionTopics({
    kafka: options.kafka,
    specs: [dlqTopicSpec(options.topic, options.groupId)],
  });
  const schemas = {
    [options.topic]: SCHEMAS['segment-changes.v1'],
    [dlq]: SCHEMAS['segment-changes.v1'],
  };
  const producer = createProducer({ kafka: options.kafka, serde: options.serde, schemas, logger });
  await producer.connect();
  const registers = [options.registry];
  const deliveries = new Counter({
    name: 'pulse_segmenter_webhook_deliveries_total',
    help: 'Segment changes delivered to webhooks, by destination and outcome (delivered, dead_lettered).',
    labelNames: ['destination', 'outcome'],
    registers,
  });
  const retries = new Counter({
    name: 'pulse_segmenter_webhook_retries_total',
    help: 'Webhook attempts after the first, by destination.',
    labelNames: ['destination'],
    registers,
  });

  async function deadLetter(
    change: SegmentChange,
    destination: WebhookDestination,
    reason: string,
    at: { partition: number; offset: string },
  ): Promise<void> {
    await producer.send<SegmentChange>(dlq, {
      key: change.customerId,
      value: change,
      headers: {
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.code]: 'WEBHOOK_DELIVERY_FAILED',
        [DLQ_HEADERS.topic]: options.topic,
        [DLQ_HEADERS.partition]: String(at.partition),
        [DLQ_HEADERS.offset]: at.offset,
        [DLQ_HEADERS.group]: options.groupId,
        [DLQ_HEADERS.at]: new Date(clock.now()).toISOString(),
        [DESTINATION_HEADER]: destination.id,
      },
    });
  }

  const consumer = createBatchConsumer<SegmentChange>({
    kafka: options.kafka,
    serde: options.serde,
    producer,
    logger,
    groupId: options.groupId,
    topics: [options.topic],
    readerSchemas: schemas,
    fromBeginning: false,
    sessionTimeout: options.sessionTimeout,
    registry: options.registry,
    clock,
    handleBatch: async (records, ctx) => {
      for (const record of records) {
        const change = record.value;
        await Promise.all(
          destinationsFor(options.destinations, change).map(async (d) => {
            const result = await deliver(d, change, options.policy, { clock, sleep }, ctx.signal);
            if (result.attempts > 1) retries.inc({ destination: d.id }, result.attempts - 1);
            if (result.ok) return void deliveries.inc({ destination: d.id, outcome: 'delivered' });
            if (ctx.signal.aborted)
              throw new PulseError('WEBHOOK_STOPPED', 'stopped while delivering', {
                retriable: true, // the change is redelivered to the partition's next owner
              });
            await deadLetter(change, d, result.reason, record);
            deliveries.inc({ destination: d.id, outcome: 'dead_lettered' });
            logger.warn(
              {
                destination: d.id,
                changeId: change.id,
                attempts: result.attempts,
                reason: result.reason,
              },
              'webhook delivery dead-lettered',
            );
          }),
        );
        await ctx.heartbeat();
      }
    },
  });
  await consumer.start();
  let closing: Promise<void> | undefined;
  return {
    dlqTopic: dlq,
    close: () =>
      (closing ??= (async () => {
        await consumer.close();
        await producer.close();
      })()),
  };
}

export type WebhookDispatcher = Awaited<ReturnType<typeof startWebhookDispatcher>>;
