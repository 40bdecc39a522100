import { randomUUID } from 'node:crypto';
import { PulseError } from '@pulse/core';
import { SCHEMAS } from '@pulse/contracts';
import type { EmailRecord, PulseEvent, SegmentChange } from '@pulse/contracts';
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
import { createAdminHandler } from './admin-api';
import { createAttributionStore } from './attribution-store';
import { startBackfillRunner } from './backfill-runner';
import type { BackfillRunner } from './backfill-runner';
import { createCampaignAdmin } from './campaign-admin';
import { createCampaignControls } from './campaign-controls';
import { createHttpMembershipSource } from './eligibility';
import { parseEspFormats } from './esp-tags';
import { createTriggerHandler } from './handler';
import { createRendererEraser } from './erasure';
import { createReleaseHandler } from './held-release';
import { createRendererHttpHandler, createUnsubscribeHandler } from './http-api';
import { rendererKeys } from './keys';
import { createLaunchBackfill } from './launch-backfill';
import { createLiveConfig } from './live-config';
import { configFingerprint, loadRendererConfig, tryLoadRendererConfig } from './load-config';
import { createSmtpMailer } from './mailer';
import { createOutcomeObserver } from './outcome-observer';
import { createPreviewer } from './preview';
import { createHttpProfileSource } from './profile-source';
import { createRenderer } from './renderer';
import { createRendererMetrics } from './renderer-metrics';
import { createHttpMemberSource } from './segment-members';
import { createSideConsumers } from './side-consumers';
import { createSendLedger } from './send-ledger';
import { createDeliveringMailer } from './smtp-delivery';
import { createSuppressionStore } from './suppression';
import { createSuppressionList } from './suppression-list';
import { createTokenBucket } from './token-bucket';

type Config = ConfigOf<typeof rendererConfigSpec>;

/** Loads templates and campaigns (failing on any file:line problem), then consumes and sends. */
export async function startRenderer(ctx: ServiceContext<Config>): Promise<StartedService> {
  const { config, logger, metrics, clock } = ctx;
  const esp = parseEspFormats(config.espTags);
  if (esp.unknown.length > 0)
    throw new PulseError(
      'CONFIG_INVALID',
      `RENDERER_ESP_TAGS: unknown ${esp.unknown.join(', ')} (known: sendgrid, mailgun, postmark, ses, none)`,
    );
  // The segmenter's read API is closed without its token: sends would fail one by one instead.
  if (!['off', 'none'].includes(config.segmenterUrl) && config.segmenterToken === '')
    throw new PulseError(
      'CONFIG_INVALID',
      "SEGMENTER_ADMIN_TOKEN is empty but RENDERER_SEGMENTER_URL is set: the segmenter read API answers 403 without it (set the segmenter's SEGMENTER_ADMIN_TOKEN here too, or RENDERER_SEGMENTER_URL=off)",
    );
  const loadOptions = config.ordersFile ? { ordersFile: config.ordersFile } : {};
  const loaded = loadRendererConfig(config.configDir, loadOptions);
  const content = createLiveConfig({
    initial: loaded,
    load: () => tryLoadRendererConfig(config.configDir, loadOptions),
    fingerprint: () => configFingerprint(config.configDir, loadOptions),
    logger: logger.child({ component: 'config' }),
    pollMs: config.reloadIntervalMs,
  });
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
    [config.profileChangesTopic]: SCHEMAS['profile-changes.v1'],
  };
  const producer = createProducer({ kafka, serde, schemas });
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const mailer = createDeliveringMailer({
    mailer: createSmtpMailer({ url: config.smtpUrl, maxConnections: config.smtpConnections }),
    limiter: createTokenBucket({
      ratePerSec: config.smtpRate,
      ...(config.smtpBurst > 0 ? { burst: config.smtpBurst } : {}),
      now: () => performance.now(),
      sleep,
    }),
    retry: {
      attempts: config.smtpAttempts,
      baseDelayMs: config.smtpRetryBaseMs,
      maxDelayMs: config.smtpRetryMaxMs,
    },
    sleep,
    logger: logger.child({ component: 'smtp' }),
  });
  const suppressions = createSuppressionStore(redis, keys);
  const suppressionList = createSuppressionList(redis, keys);
  const controls = createCampaignControls(redis, keys);
  const held = createScheduler({ redis, keyspace, name: 'renderer-held', logger, clock, metrics });
  const profiles = createHttpProfileSource({
    baseUrl: config.profileUrl,
    ...(config.profileToken ? { adminToken: config.profileToken } : {}),
  });
  const rendererMetrics = createRendererMetrics(metrics);
  const attribution = config.attribution
    ? createAttributionStore({ redis, keys, windowMs: config.attributionWindowMs })
    : null;
  const segmenterOn = !['off', 'none'].includes(config.segmenterUrl);
  const segmenterAuth = config.segmenterToken ? { adminToken: config.segmenterToken } : {};
  const renderer = createRenderer({
    content,
    observe: createOutcomeObserver({
      metrics: rendererMetrics,
      attribution,
      windowMs: config.attributionWindowMs,
      clock,
    }),
    profiles,
    ledger: createSendLedger({ redis, keys, leaseMs: config.leaseMs, ttlMs: config.recordTtlMs }),
    suppressions,
    suppressionList,
    controls,
    memberships: segmenterOn
      ? createHttpMembershipSource({ baseUrl: config.segmenterUrl, ...segmenterAuth })
      : null,
    espTags: esp.formats,
    pauseRecheckMs: config.pauseRecheckMs,
    mailer,
    tracking: config.tracking
      ? { baseUrl: config.trackingUrl, secret: config.emailTrackingSecret }
      : null,
    holds: held,
    clock,
    logger,
    owner: randomUUID(),
    leaseMs: config.leaseMs,
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
  const publish = async (records: readonly EmailRecord[]) => {
    await Promise.all(
      records.map((o) => producer.send(config.emailsTopic, { key: o.customerId, value: o })),
    );
  };
  // existing-members: a campaign's first launch mails the segment's current members.
  const backfill = segmenterOn
    ? createLaunchBackfill({
        redis,
        keys,
        controls,
        members: createHttpMemberSource({ baseUrl: config.segmenterUrl, ...segmenterAuth }),
        handle: (campaignId, t) => renderer.handleFor(campaignId, t),
        publish,
        logger: logger.child({ component: 'launch-backfill' }),
        owner: randomUUID(),
        pageSize: config.backfillPageSize,
        leaseMs: Math.max(60_000, config.leaseMs * 2),
      })
    : null;
  // The launch time of every campaign in service (new-entrants-only skips what came before).
  const startedAt = clock.now();
  await Promise.all(
    loaded.campaigns.map((c) =>
      backfill ? backfill.launch(c, startedAt) : controls.launchedAt(c.id, startedAt),
    ),
  );
  held.startWorker({
    handler: createReleaseHandler({
      renderer,
      logger,
      publish: async (o) => {
        await producer.send(config.emailsTopic, { key: o.customerId, value: o });
      },
    }),
  });
  // Read per record: a campaign added by a reload starts on its event type at once.
  const eventTypes = { has: (type: string) => content.current().eventTypes.has(type) };
  const consumer = createBatchConsumer<SegmentChange | PulseEvent>({
    kafka,
    serde,
    producer,
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    fromBeginning: config.fromBeginning,
    topics: [config.segmentChangesTopic, config.eventsTopic],
    readerSchemas: schemas,
    instruments: metrics,
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
  const side = createSideConsumers({
    kafka,
    serde,
    producer,
    readerSchemas: schemas,
    instruments: metrics,
    clock,
    logger,
    sessionTimeoutMs: config.sessionTimeoutMs,
    erasure: {
      topic: config.profileChangesTopic,
      groupId: config.erasureGroupId,
      eraser: createRendererEraser({
        redis,
        keys,
        suppressions,
        timers: held,
        campaignIds: () => content.current().campaigns.map((c) => c.id),
      }),
    },
    attribution: attribution && {
      topic: config.eventsTopic,
      groupId: config.attributionGroupId,
      fromBeginning: config.attributionFromBeginning,
      store: attribution,
      metrics: rendererMetrics,
      windowMs: config.attributionWindowMs,
    },
  });
  await side.erasure.start();
  await side.attribution?.start();
  const runner: BackfillRunner | null = backfill
    ? startBackfillRunner({
        content,
        backfill,
        clock,
        logger: logger.child({ component: 'launch-backfill' }),
        intervalMs: config.backfillIntervalMs,
        launched: loaded.campaigns.map((c) => c.id),
      })
    : null;
  logger.info(
    { campaigns: loaded.campaigns.map((c) => c.id), templates: loaded.templates.emailIds },
    'renderer running',
  );
  return {
    readiness: { redis: () => pingRedis(redis) },
    httpHandler: createRendererHttpHandler({
      adminToken: config.adminToken,
      logger,
      admin: createAdminHandler({
        campaigns: createCampaignAdmin({ controls, timers: held, clock }),
        knownCampaign: (id) => content.current().campaigns.some((c) => c.id === id),
        suppressionList,
        adminToken: config.adminToken,
        logger: logger.child({ component: 'admin' }),
      }),
      preview: createPreviewer({
        content,
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
          ['config reload', async () => content.close()],
          ['launch backfill', async () => runner?.close()],
          ['consumer', () => consumer.close()],
          ['attribution consumer', async () => side.attribution?.close()],
          ['erasure consumer', () => side.erasure.close()],
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
