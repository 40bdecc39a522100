import { randomUUID } from 'node:crypto';
import { SCHEMAS } from '@pulse/contracts';
import type { PulseEvent, SegmentChange } from '@pulse/contracts';
import type { ConfigOf } from '@pulse/config';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
} from '@pulse/kafka';
import { closeRedis, createKeyspace, createRedis, pingRedis } from '@pulse/redis';
import { createScheduler } from '@pulse/scheduler';
import { closeAll } from '@pulse/service';
import type { ServiceContext, StartedService } from '@pulse/service';
import type { rendererConfigSpec } from './config';
import { createTriggerHandler } from './handler';
import { createReleaseHandler } from './held-release';
import { createRendererHttpHandler, createUnsubscribeHandler } from './http-api';
import { rendererKeys } from './keys';
import { loadRendererConfig } from './load-config';
import { createSmtpMailer } from './mailer';
import { createPreviewer } from './preview';
import { createHttpProfileSource } from './profile-source';
import { createRenderer } from './renderer';
import { createSendLedger } from './send-ledger';
import { createSuppressionStore } from './suppression';

type Config = ConfigOf<typeof rendererConfigSpec>;

/** Loads templates and campaigns (failing on any file:line problem), then consumes and sends. */
export async function startRenderer(ctx: ServiceContext<Config>): Promise<StartedService> {
  const { config, logger, metrics, clock } = ctx;
  const loaded = loadRendererConfig(config.configDir);
  const redis = createRedis({ url: config.redisUrl, logger, connectionName: 'renderer' });
  const keyspace = createKeyspace(config.redisPrefix);
  const keys = rendererKeys(keyspace);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'renderer', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
  });
  const schemas = {
    [config.segmentChangesTopic]: SCHEMAS['segment-changes.v1'],
    [config.eventsTopic]: SCHEMAS['events.v1'],
    [config.emailsTopic]: SCHEMAS['emails.v1'],
  };
  const producer = createProducer({ kafka, serde, schemas });
  const mailer = createSmtpMailer({ url: config.smtpUrl, maxConnections: config.smtpConnections });
  const suppressions = createSuppressionStore(redis, keys);
  const held = createScheduler({ redis, keyspace, name: 'renderer-held', logger, clock, metrics });
  const profiles = createHttpProfileSource({
    baseUrl: config.profileUrl,
    ...(config.profileToken ? { adminToken: config.profileToken } : {}),
  });
  const renderer = createRenderer({
    ...loaded,
    profiles,
    ledger: createSendLedger({ redis, keys, leaseMs: config.leaseMs, ttlMs: config.recordTtlMs }),
    suppressions,
    mailer,
    holds: held,
    clock,
    logger,
    owner: randomUUID(),
    globalCap: { max: config.globalCapMax, perMs: config.globalCapWindowMs },
    unsubscribe: {
      secret: config.unsubscribeSecret,
      baseUrl: config.publicUrl,
      mailto: config.unsubscribeMailto || null,
    },
    messageIdDomain: config.messageIdDomain,
    brand: config.brand,
    shopUrl: config.shopUrl,
  });
  await producer.connect();
  held.startWorker({
    handler: createReleaseHandler({
      renderer,
      logger,
      publish: async (o) => {
        await producer.send(config.emailsTopic, { key: o.customerId, value: o });
      },
    }),
  });
  const eventTypes = new Set(
    loaded.campaigns.flatMap((c) => (c.trigger.kind === 'event' ? [c.trigger.eventType] : [])),
  );
  const consumer = createBatchConsumer<SegmentChange | PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    fromBeginning: config.fromBeginning,
    topics: [config.segmentChangesTopic, config.eventsTopic],
    readerSchemas: schemas,
    registry: metrics.registry,
    clock,
    handleBatch: createTriggerHandler({
      renderer,
      producer,
      eventTypes,
      segmentChangesTopic: config.segmentChangesTopic,
      eventsTopic: config.eventsTopic,
      emailsTopic: config.emailsTopic,
    }),
  });
  await consumer.start();
  logger.info(
    { campaigns: loaded.campaigns.map((c) => c.id), templates: loaded.templates.emailIds },
    'renderer running',
  );
  return {
    readiness: { redis: () => pingRedis(redis) },
    httpHandler: createRendererHttpHandler({
      adminToken: config.adminToken,
      logger,
      preview: createPreviewer({
        ...loaded,
        profiles,
        now: () => clock.now(),
        brand: config.brand,
        shopUrl: config.shopUrl,
        unsubscribeUrl: `${config.publicUrl}/v1/unsubscribe?t=preview`,
      }),
      unsubscribe: createUnsubscribeHandler({
        secret: config.unsubscribeSecret,
        suppressions,
        clock,
        logger,
        publish: async (event) => {
          await producer.send(config.eventsTopic, { key: event.userId, value: event });
        },
      }),
    }),
    close: async () => {
      await closeAll(
        [
          ['consumer', () => consumer.close()],
          ['held-email timers', () => held.close()],
          ['producer', () => producer.close()],
          ['smtp', async () => mailer.close()],
          ['redis', () => closeRedis(redis)],
        ],
        { deadlineMs: 30_000, logger },
      );
    },
  };
}
