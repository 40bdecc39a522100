import path from 'node:path';
import { SCHEMAS, type ProfileChange, type SegmentChange } from '@pulse/contracts';
import type { ConfigOf } from '@pulse/config';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';
import { closeRedis, createRedis, pingRedis } from '@pulse/redis';
import { createScheduler, type Scheduler } from '@pulse/scheduler';
import { closeAll, type ServiceContext, type StartedService } from '@pulse/service';
import type { segmenterConfigSpec } from './config';
import { createDistributions } from './distributions';
import { heldSegments, readReadyAggregates } from './aggregate-readiness';
import { createApiHandler } from './http-api';
import { createSegmenterKeys } from './keys';
import { createProcessor, type Processor } from './processor';
import { createRemovalStore } from './removal-store';
import { createSegmentReloader, type SegmentReloader } from './segment-reload';
import { createSegmentRemover } from './segment-removal';
import { createSegmenterMetrics } from './segmenter-metrics';
import { createSegmentStore, type SegmentStore } from './store';
import { startWebhookDispatcher, type WebhookDispatcher } from './webhooks/dispatcher';
import { loadWebhooks } from './webhooks/webhook-config';

export type SegmenterConfig = ConfigOf<typeof segmenterConfigSpec>;

export interface Segmenter extends StartedService {
  processor: Processor;
  store: SegmentStore;
  /** The re-check timers (id = customer id). */
  scheduler: Scheduler;
  /** The live definitions: reload, current set, problems, re-evaluation progress. */
  segments: SegmentReloader;
}

/**
 * Loads the segments (invalid files reported, skipped), then starts the re-check worker and the
 * profile-changes consumer; `close` stops them in reverse order.
 */
export async function startSegmenter(
  ctx: Pick<ServiceContext<SegmenterConfig>, 'config' | 'logger' | 'clock' | 'metrics'>,
): Promise<Segmenter> {
  const { config, logger, clock, metrics } = ctx;
  // Read first: a bad webhooks file stops the start with every problem listed.
  const destinations = config.webhooksFile
    ? loadWebhooks(path.resolve(config.webhooksFile), process.env)
    : [];
  const redis = createRedis({ url: config.redisUrl, logger, connectionName: 'segmenter' });
  const keys = createSegmenterKeys(config.redisPrefix);
  const store = createSegmentStore({
    redis,
    keys,
    historyLimit: config.historyLimit,
    flapWindowMs: config.flapWindowMs,
  });
  await store.prepare();
  const removals = createRemovalStore({ redis, keys, historyLimit: config.historyLimit });
  await removals.prepare();
  // The reloader is wired before the processor exists; its callbacks run only after start.
  const wired: { processor?: Processor } = {};
  const segmenterMetrics = createSegmenterMetrics(metrics);
  const segments = createSegmentReloader({
    dir: path.resolve(config.segmentsDir),
    store,
    logger,
    clock,
    reevaluate: (id) => (wired.processor as Processor).reevaluate(id), // set below
    activate: (next) => wired.processor?.useSet(next),
    progress: (done, total) => segmenterMetrics.reevaluation(done, total),
    held: async (next) =>
      heldSegments(next, await readReadyAggregates(redis, config.profileKeyPrefix)),
    hold: (ids) => wired.processor?.hold(ids),
    readinessPollMs: config.aggregatePollMs,
    remover: createSegmentRemover({
      store,
      removals,
      logger,
      clock,
      remove: (ids, record) => (wired.processor as Processor).removeSegment(ids, record), // resumed once wired
      progress: (done, total) => segmenterMetrics.removal(done, total),
    }),
  });
  await segments.start();
  const { set } = segments.current();

  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'segmenter', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
  });
  const schemas = {
    [config.changesTopic]: SCHEMAS['profile-changes.v1'],
    [config.segmentChangesTopic]: SCHEMAS['segment-changes.v1'],
  };
  const producer = createProducer({ kafka, serde, schemas, logger });
  await producer.connect();
  const distributions = createDistributions({
    redis,
    keys,
    metrics: set.metrics,
    refreshMs: config.distributionRefreshMs,
  });
  await distributions.refresh(clock.now(), true);
  const scheduler = createScheduler({
    redis,
    keyspace: keys.keyspace,
    name: 'segments',
    shards: config.shards,
    logger,
    clock,
    metrics,
  });
  const live = createProcessor({
    set,
    store,
    distributions,
    scheduler,
    clock,
    logger,
    metrics: segmenterMetrics,
    removals,
    publish: async (changes) => {
      await Promise.all(
        changes.map((value) =>
          producer.send<SegmentChange>(config.segmentChangesTopic, {
            key: value.customerId,
            value,
          }),
        ),
      );
    },
  });
  wired.processor = live;
  live.hold(new Set(segments.current().waitingForAggregates));
  segments.resume();
  scheduler.startWorker({
    handler: async (timer) => void (await live.recheck(timer.id, timer.dueAt)),
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    concurrency: config.concurrency,
  });
  const consumer = createBatchConsumer<ProfileChange>({
    kafka,
    serde,
    producer,
    logger,
    groupId: config.groupId,
    topics: [config.changesTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    sessionTimeout: config.sessionTimeoutMs,
    partitionsConsumedConcurrently: config.partitionsConcurrently,
    instruments: metrics,
    clock,
    handleBatch: async (records) => void (await live.handleChanges(records.map((r) => r.value))),
  });
  await consumer.start();
  let webhooks: WebhookDispatcher | undefined;
  if (destinations.length > 0)
    webhooks = await startWebhookDispatcher({
      kafka,
      serde,
      logger: logger.child({ component: 'webhooks' }),
      clock,
      registry: metrics.registry,
      destinations,
      topic: config.segmentChangesTopic,
      groupId: config.webhookGroupId,
      sessionTimeout: config.sessionTimeoutMs,
      policy: {
        attempts: config.webhookAttempts,
        backoffMs: config.webhookBackoffMs,
        maxBackoffMs: config.webhookMaxBackoffMs,
        timeoutMs: config.webhookTimeoutMs,
      },
    });
  if (config.watchSegments) segments.watch();
  return {
    processor: live,
    store,
    scheduler,
    readiness: { redis: () => pingRedis(redis) },
    segments,
    httpHandler: createApiHandler({
      segments: () => segments.current(),
      store,
      removals,
      logger,
      adminToken: config.adminToken,
      historyLimit: config.historyLimit,
    }),
    close: async () => {
      await closeAll(
        [
          ['segment reloads', () => segments.close()],
          ['webhooks', () => webhooks?.close() ?? Promise.resolve()],
          ['consumer', () => consumer.close()],
          ['re-check worker', () => scheduler.close()],
          ['producer', () => producer.close()],
          ['redis', () => closeRedis(redis)],
        ],
        { deadlineMs: 30_000, logger },
      );
    },
  };
}
