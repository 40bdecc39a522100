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
import { createApiHandler } from './http-api';
import { createSegmenterKeys } from './keys';
import { createProcessor, type Processor } from './processor';
import { loadSegments, readSegmentFiles } from './segment-files';
import { createSegmenterMetrics } from './segmenter-metrics';
import { createSegmentStore, type SegmentStore } from './store';

export type SegmenterConfig = ConfigOf<typeof segmenterConfigSpec>;

export interface Segmenter extends StartedService {
  processor: Processor;
  store: SegmentStore;
  /** The re-check timers (id = customer id). */
  scheduler: Scheduler;
}

/**
 * Loads the segments (invalid files reported, skipped), then starts the re-check worker and the
 * profile-changes consumer; `close` stops them in reverse order.
 */
export async function startSegmenter(
  ctx: Pick<ServiceContext<SegmenterConfig>, 'config' | 'logger' | 'clock' | 'metrics'>,
): Promise<Segmenter> {
  const { config, logger, clock, metrics } = ctx;
  const redis = createRedis({ url: config.redisUrl, logger, connectionName: 'segmenter' });
  const keys = createSegmenterKeys(config.redisPrefix);
  const store = createSegmentStore({ redis, keys, historyLimit: config.historyLimit });
  await store.prepare();
  const previous = await store.versions();
  const { set, problems } = loadSegments(
    readSegmentFiles(path.resolve(config.segmentsDir)),
    previous,
  );
  for (const problem of problems) logger.error({ problem }, 'invalid segment file skipped');
  await store.saveVersions(new Map(set.segments.map((s) => [s.id, s.version])));
  logger.info({ segments: set.segments.length, problems: problems.length }, 'segments loaded');

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
  const processor = createProcessor({
    set,
    store,
    distributions,
    scheduler,
    clock,
    logger,
    metrics: createSegmenterMetrics(metrics),
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
  scheduler.startWorker({
    handler: async (timer) => void (await processor.recheck(timer.id, timer.dueAt)),
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
    registry: metrics.registry,
    clock,
    handleBatch: async (records) =>
      void (await processor.handleChanges(records.map((r) => r.value))),
  });
  await consumer.start();
  return {
    processor,
    store,
    scheduler,
    readiness: { redis: () => pingRedis(redis) },
    httpHandler: createApiHandler({
      set,
      problems,
      store,
      logger,
      adminToken: config.adminToken,
      historyLimit: config.historyLimit,
    }),
    close: async () => {
      await closeAll(
        [
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
