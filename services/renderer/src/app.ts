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
import { closeAll } from '@pulse/service';
import type { ServiceContext, StartedService } from '@pulse/service';
import type { rendererConfigSpec } from './config';
import { createTriggerHandler } from './handler';
import { createUnsubscribeHandler } from './http-api';
import { rendererKeys } from './keys';
import { loadRendererConfig } from './load-config';
import { createSmtpMailer } from './mailer';
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
  const keys = rendererKeys(createKeyspace(config.redisPrefix));
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
  const renderer = createRenderer({
    ...loaded,
    profiles: createHttpProfileSource({
      baseUrl: config.profileUrl,
      ...(config.profileToken ? { adminToken: config.profileToken } : {}),
    }),
    ledger: createSendLedger({ redis, keys, leaseMs: config.leaseMs, ttlMs: config.recordTtlMs }),
    suppressions,
    mailer,
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
  const eventTypes = new Set(
    loaded.campaigns.flatMap((c) => (c.trigger.kind === 'event' ? [c.trigger.eventType] : [])),
  );
  const consumer = createBatchConsumer<SegmentChange | PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: config.groupId,
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
    httpHandler: createUnsubscribeHandler({
      secret: config.unsubscribeSecret,
      suppressions,
      clock,
      logger,
      publish: async (event) => {
        await producer.send(config.eventsTopic, { key: event.userId, value: event });
      },
    }),
    close: async () => {
      await closeAll(
        [
          ['consumer', () => consumer.close()],
          ['producer', () => producer.close()],
          ['smtp', async () => mailer.close()],
          ['redis', () => closeRedis(redis)],
        ],
        { deadlineMs: 30_000, logger },
      );
    },
  };
}
