import { SCHEMAS } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
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
import { createAbandonFirer } from './abandon-firer';
import { createCartEventHandler } from './cart-events';
import { createCartStore } from './cart-store';
import type { cartTimerConfigSpec } from './config';
import { parseStages } from './stages';

type Config = ConfigOf<typeof cartTimerConfigSpec>;

/** Starts the consumer and the timer worker; `close` stops them in reverse order. */
export async function startCartTimer(ctx: ServiceContext<Config>): Promise<StartedService> {
  const { config, logger, metrics, clock } = ctx;
  const stages = parseStages(config.stages);
  const redis = createRedis({
    url: config.redisUrl,
    logger,
    connectionName: 'cart-abandonment-timer',
  });
  const keyspace = createKeyspace(config.redisPrefix);
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: 'cart-abandonment-timer',
    logger,
  });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
  });
  const schemas = { [config.eventsTopic]: SCHEMAS['events.v1'] };
  const producer = createProducer({ kafka, serde, schemas });
  const store = createCartStore({ redis, keyspace, ttlMs: config.cartTtlMs });
  const scheduler = createScheduler({
    redis,
    keyspace,
    name: 'cart',
    shards: config.shards,
    logger,
    clock,
    metrics,
  });
  await producer.connect();
  scheduler.startWorker({
    handler: createAbandonFirer({
      store,
      scheduler,
      producer,
      topic: config.eventsTopic,
      stages,
      logger,
    }),
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    concurrency: config.concurrency,
  });
  const consumer = createBatchConsumer<PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: config.groupId,
    topics: [config.eventsTopic],
    readerSchemas: schemas,
    fromBeginning: true,
    sessionTimeout: config.sessionTimeoutMs,
    instruments: metrics,
    clock,
    handleBatch: createCartEventHandler({ store, scheduler, stages }),
  });
  await consumer.start();
  logger.info({ stages, topic: config.eventsTopic }, 'cart-abandonment timer running');
  return {
    readiness: { redis: () => pingRedis(redis) },
    close: async () => {
      await closeAll(
        [
          ['consumer', () => consumer.close()],
          ['timer worker', () => scheduler.close()],
          ['producer', () => producer.close()],
          ['redis', () => closeRedis(redis)],
        ],
        { deadlineMs: 30_000, logger },
      );
    },
  };
}
