import { EVENTS_V1_SCHEMA } from '@pulse/contracts';
import { PulseError, type Logger } from '@pulse/core';
import {
  createAvroSerde,
  createKafka,
  createProducer,
  createSchemaRegistry,
  type KafkaClient,
} from '@pulse/kafka';
import { closeRedis, createKeyspace, createRedis, pingRedis } from '@pulse/redis';
import { createClose, type ServiceContext, type StartedService } from '@pulse/service';
import type { ConfigOf } from '@pulse/config';
import { createIngestApp } from './app';
import { loadCategorySynonyms } from './categories';
import type { ingestConfigSpec } from './config';
import { createDeduper } from './dedup';
import { createOrderEraser } from './erasure';
import { createErasureConsumer } from './erasure-consumer';
import { createIngestMetrics } from './ingest-metrics';
import { createPublisher } from './publisher';
import { parseSources } from './sources';
import { createSpool, startSpoolDrain } from './spool';
import { loadSourcePolicies, withPolicies } from './source-config';
import { createRateLimiter } from './rate-limit';
import { createWebhookProviders } from './webhook-providers';
import { createOrderBook } from './order-book';
import { loadStores, parseStoreSecrets, withOrderSystems } from './stores';
import { loadAnalyticsJs } from './analytics-js';

export type IngestConfig = ConfigOf<typeof ingestConfigSpec>;

/**
 * Starts ingest: Kafka producer (schema registered up front, so a registry problem fails the
 * start), Redis for dedup, the erasure consumer (profile-changes.v1 tombstones delete order
 * owners; a missing topic fails the start), and the express app that `runService` serves.
 */
export async function startIngest(context: ServiceContext<IngestConfig>): Promise<StartedService> {
  const { config, logger, clock } = context;
  const stores = loadStores(config.storesFile, parseStoreSecrets(config.storeSecrets));
  logger.info(
    {
      file: config.storesFile,
      stores: stores.map(
        (s) => `${s.platform}:${s.id}${s.secret ? '' : ' (no secret: webhook off)'}`,
      ),
    },
    'stores loaded',
  );
  const keyed = parseSources(config.writeKeys);
  const policies = loadSourcePolicies(
    config.sourcesFile,
    (id) => keyed.sources.find((s) => s.id === id)?.trust,
  );
  logger.info(
    { file: config.sourcesFile, listed: [...policies.bySource.keys()] },
    'source policies loaded',
  );
  if (policies.unknown.length > 0) {
    logger.warn(
      { file: config.sourcesFile, sources: policies.unknown },
      'sources file lists sources INGEST_WRITE_KEYS does not have',
    );
  }
  const sources = withOrderSystems(withPolicies(keyed, policies), stores);
  const categories = loadCategorySynonyms(config.categoriesFile);
  logger.info(
    { file: config.categoriesFile, canonical: categories.size },
    'category synonyms loaded',
  );
  const webhookProviders = createWebhookProviders(config);
  const analyticsJs = config.analyticsJsDir ? loadAnalyticsJs(config.analyticsJsDir) : undefined;
  if (analyticsJs) {
    logger.info(
      { dir: config.analyticsJsDir, bundles: analyticsJs.bundles.size },
      'analytics.js served at /analytics.js/v1/<writeKey>/analytics.min.js',
    );
  }
  const metrics = createIngestMetrics(context.metrics);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'ingest', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
  });
  const producer = createProducer({
    kafka,
    serde,
    logger,
    schemas: { [config.eventsTopic]: EVENTS_V1_SCHEMA },
  });
  const redis = createRedis({ url: config.redisUrl, logger, connectionName: 'ingest' });
  const erasure = createErasureConsumer({
    kafka,
    serde,
    producer,
    instruments: context.metrics,
    clock,
    logger,
    topic: config.profileChangesTopic,
    groupId: config.erasureGroupId,
    eraser: createOrderEraser({
      redis,
      keys: createKeyspace(config.redisPrefix),
      ttlMs: config.orderOwnerTtl,
    }),
  });
  let erasureStopped = false;
  const close = createClose(
    [
      [
        'erasure consumer',
        () => {
          erasureStopped = true;
          return erasure.close();
        },
      ],
      ['kafka producer', () => producer.close()],
      ['redis', () => closeRedis(redis)],
    ],
    // The runtime's SHUTDOWN_TIMEOUT bounds the whole shutdown; this bounds our share of it.
    { logger, deadlineMs: 10_000 },
  );
  try {
    await serde.encoder(config.eventsTopic, EVENTS_V1_SCHEMA);
    await producer.connect();
    await requireTopic(kafka, config);
    startErasure(erasure, config, logger, () => erasureStopped);
  } catch (err) {
    await close();
    throw err;
  }
  const deduper = createDeduper({
    redis,
    keys: createKeyspace(config.redisPrefix),
    windowMs: config.dedupWindow,
  });
  const publisher = createPublisher({
    producer,
    deduper,
    eventsTopic: config.eventsTopic,
    rejectsTopic: config.rejectsTopic,
    ackTimeoutMs: config.ackTimeout,
    metrics,
    logger,
  });
  const importPublisher = createPublisher({
    producer,
    deduper: createDeduper({
      redis,
      keys: createKeyspace(config.redisPrefix),
      windowMs: config.importDedupWindow,
    }),
    eventsTopic: config.eventsTopic,
    rejectsTopic: config.rejectsTopic,
    ackTimeoutMs: config.ackTimeout,
    metrics,
    logger,
  });
  const spool = createSpool({
    redis,
    keys: createKeyspace(config.redisPrefix),
    maxLength: config.spoolMaxLength,
  });
  const drain = startSpoolDrain({
    spool,
    publisher,
    intervalMs: config.spoolDrainInterval,
    logger,
  });
  const app = createIngestApp({
    sources,
    publisher,
    metrics,
    logger,
    clock,
    corsOrigins: config.corsOrigins,
    emailTrackingSecret: config.emailTrackingSecret,
    maxFutureSkewMs: config.maxFutureSkew,
    maxOrderTotal: config.maxOrderTotal,
    categories,
    webhooks: { providers: webhookProviders, nonces: deduper },
    importPublisher,
    spool,
    stores: {
      stores,
      orders: createOrderBook({
        redis,
        keys: createKeyspace(config.redisPrefix),
        ttlMs: config.orderOwnerTtl,
      }),
    },
    publicHost: config.publicHost,
    rateLimiter: createRateLimiter({ redis, keys: createKeyspace(config.redisPrefix) }),
    adminToken: config.adminToken,
    analyticsJs,
  });
  return {
    close: async () => {
      drain.stop();
      await close();
    },
    httpHandler: app,
    readiness: {
      kafka: async () => publisher.health(),
      redis: () => pingRedis(redis),
    },
  };
}

/** Fails the start, naming the variables, when the erasure consumer's topic does not exist. */
async function requireTopic(
  kafka: KafkaClient,
  config: Pick<IngestConfig, 'profileChangesTopic' | 'erasureGroupId'>,
): Promise<void> {
  const admin = kafka.kafkajs.admin();
  let topics: string[];
  try {
    await admin.connect();
    topics = await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (!topics.includes(config.profileChangesTopic)) {
    throw new PulseError(
      'ERASURE_CONSUMER_FAILED',
      `the erasure consumer could not start on '${config.profileChangesTopic}' (INGEST_PROFILE_CHANGES_TOPIC; group INGEST_ERASURE_GROUP_ID '${config.erasureGroupId}'): the topic does not exist`,
    );
  }
}

/** Wait between attempts to start the erasure consumer. */
const ERASURE_RETRY_MS = 5_000;

/**
 * Starts the erasure consumer in the background: joining its group can wait out a crashed
 * copy's session (30 s), and ingest — the front door — must not wait for it. A failed start is
 * logged and tried again until shutdown; erasures wait in the topic meanwhile, none is lost.
 */
function startErasure(
  consumer: { start(): Promise<void> },
  config: Pick<IngestConfig, 'profileChangesTopic' | 'erasureGroupId'>,
  logger: Logger,
  stopped: () => boolean,
): void {
  const attempt = (): void => {
    if (stopped()) return;
    consumer.start().catch((err: unknown) => {
      if (stopped()) return;
      logger.error(
        { err, topic: config.profileChangesTopic, groupId: config.erasureGroupId },
        `erasure consumer did not start; retrying in ${ERASURE_RETRY_MS / 1000} s`,
      );
      setTimeout(attempt, ERASURE_RETRY_MS).unref();
    });
  };
  attempt();
}
