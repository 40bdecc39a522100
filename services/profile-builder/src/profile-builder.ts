import path from 'node:path';
import { TOPICS, SCHEMAS, type ProfileChange, type PulseEvent } from '@pulse/contracts';
import type { Clock, Logger } from '@pulse/core';
import {
  createAvroSerde,
  createBatchConsumer,
  createKafka,
  createProducer,
  createSchemaRegistry,
  type BatchConsumer,
  type PulseProducer,
} from '@pulse/kafka';
import { closeRedis, createRedis, pingRedis, type Redis } from '@pulse/redis';
import type { Instruments } from '@pulse/metrics';
import type { Registry } from 'prom-client';
import type { FoldOptions } from './fold-options';
import { createFolder, type Folder } from './folder';
import { createDuplicateStore } from './duplicate-store';
import { createEraser } from './erasure';
import { createApiHandler } from './http-api';
import { loadIdentityConfig } from './identity-config';
import { createProfileKeys } from './keys';
import { configuredRateTable } from './fx-rates';
import { parseRates } from './money';
import { loadProfileScripts } from './scripts';
import { loadAggregateSpecs } from './segment-specs';
import { backfillRuleAggregates } from './aggregate-backfill';
import { isSessionSpec } from './session-aggregates';
import { createProfileStore, type ProfileStore } from './store';
import { loadTags } from './tags';
import { loadPredictiveTraits } from './predictive-traits';
import type { Rescorer } from './rescoring';
import { createChurnRescoring } from './rescoring-start';
import type { configSpec } from './config';
import type { ConfigOf } from '@pulse/config';

export type ProfileBuilderConfig = ConfigOf<typeof configSpec>;

export interface ProfileBuilderDeps {
  config: ProfileBuilderConfig;
  logger: Logger;
  clock: Clock;
  registry?: Registry;
  /** The service's instruments for the consumer's metrics (inert under PULSE_METRICS=off). */
  instruments?: Instruments;
  /** Kafka consumer session timeout (tests lower it). */
  sessionTimeout?: number;
}

export interface ProfileBuilder {
  config: ProfileBuilderConfig;
  store: ProfileStore;
  folder: Folder;
  redis: Redis;
  httpHandler: ReturnType<typeof createApiHandler>;
  /** The churn rescoring job (present when a churn model loaded). */
  rescoring: Rescorer | undefined;
  readiness: Record<string, () => Promise<boolean>>;
  close(): Promise<void>;
}

export function foldOptionsOf(config: ProfileBuilderConfig): FoldOptions {
  const baseCurrency = config.baseCurrency.toUpperCase();
  const dated = configuredRateTable(config.fxRatesFile, baseCurrency);
  return {
    money: {
      baseCurrency,
      rates: parseRates(config.fxRates ?? []),
      ...(dated && { dated }),
    },
    affinityHalfLifeMs: config.affinityHalfLife,
    bucketDays: config.bucketDays,
    sessionGapMs: config.webSessionGap,
  };
}

/** Wires Redis, the folder, the producer and the consumer; starts consuming. */
export async function startProfileBuilder(deps: ProfileBuilderDeps): Promise<ProfileBuilder> {
  const { config, logger, clock } = deps;
  const fold = foldOptionsOf(config);
  const redis = createRedis({
    url: config.redisUrl,
    logger,
    connectionName: 'profile-builder',
    autoPipelining: false,
  });
  // Config files first: a bad one stops the start with every problem and its file:line.
  const tags = loadTags(path.resolve(config.tagsFile));
  const duplicateConfig = loadIdentityConfig(path.resolve(config.identityFile));
  const keys = createProfileKeys(config.keyPrefix);
  const duplicates = createDuplicateStore(redis, keys);
  const store = createProfileStore({
    redis,
    keys,
    scripts: loadProfileScripts(),
    markRetentionMs: config.markRetention,
    cacheCustomers: config.cacheCustomers,
  });
  await store.prepare();
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'profile-builder', logger });
  const serde = createAvroSerde({
    registry: createSchemaRegistry({ url: config.schemaRegistryUrl }),
  });
  const schemas = {
    [config.eventsTopic]: SCHEMAS[TOPICS.events],
    [config.changesTopic]: SCHEMAS[TOPICS.profileChanges],
  };
  const producer: PulseProducer = createProducer({ kafka, serde, logger, schemas });
  await producer.connect();
  const publish = async (changes: ProfileChange[]) => {
    await Promise.all(
      changes.map((value) =>
        producer.send<ProfileChange>(config.changesTopic, { key: value.customerId, value }),
      ),
    );
    // every published score (folder, backfill, erasure, rescores) is fresh: due again later
    await rescoring?.noteScored(changes);
  };
  const predictive = loadPredictiveTraits({
    churnModelFile: config.churnModelFile,
    offerModelFile: config.offerModelFile,
    logger,
  });
  const aggregates = loadAggregateSpecs(path.resolve(config.segmentsDir), logger);
  const sessionSpecs = aggregates.filter(isSessionSpec);
  const rescoring = createChurnRescoring({
    config: config.rescoring,
    predictive,
    store,
    redis,
    keys,
    clock,
    logger,
    registry: deps.registry,
    publish,
    sessionSpecs,
  });
  const folder = createFolder({
    store,
    fold,
    clock,
    logger,
    aggregates,
    duplicates: { store: duplicates, config: duplicateConfig },
    // churnRisk / nextBestOffer ride on the change records the segmenter reads
    publish: (changes) => publish(changes.map(predictive.forChange)),
  });
  const eraser = createEraser({ redis, keys, store, clock, logger, publish });
  const consumer: BatchConsumer = createBatchConsumer<PulseEvent>({
    kafka,
    serde,
    producer,
    logger,
    groupId: config.groupId,
    topics: [config.eventsTopic],
    readerSchemas: schemas,
    fromBeginning: config.fromBeginning,
    maxRecordsPerCall: config.maxRecordsPerCall,
    partitionsConsumedConcurrently: config.partitionsConcurrently,
    registry: deps.registry,
    instruments: deps.instruments,
    clock,
    sessionTimeout: deps.sessionTimeout ?? config.sessionTimeoutMs,
    handleBatch: async (records) => {
      await folder.foldBatch(records.map((r) => r.value));
    },
  });
  // New rule aggregates hold all of history before the live fold touches them (decision 6).
  await backfillRuleAggregates({
    redis,
    keys,
    store,
    kafka,
    serde,
    fold,
    clock,
    logger: logger.child({ component: 'aggregate-backfill' }),
    registry: deps.registry,
    specs: aggregates.filter((s) => !isSessionSpec(s)),
    sessionSpecs,
    eventsTopic: config.eventsTopic,
    groupId: config.groupId,
    publish: (changes) => publish(changes.map(predictive.forChange)),
  });
  await consumer.start();
  rescoring?.start();
  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    folder,
    redis,
    rescoring,
    httpHandler: createApiHandler({
      store,
      fold,
      clock,
      logger,
      tags,
      duplicates,
      adminToken: config.adminToken,
      openLoopback: config.adminOpenLoopback,
      eraser,
      predict: predictive.forView,
    }),
    readiness: { redis: () => pingRedis(redis) },
    close: () =>
      (closing ??= (async () => {
        await rescoring?.close();
        await consumer.close();
        await producer.close();
        await closeRedis(redis);
      })()),
  };
}
