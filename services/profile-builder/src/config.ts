import { defineConfig, env } from '@pulse/config';
import { rescoringConfigSpec } from './rescoring-config';

/** profile-builder's own environment variables (the runtime adds LOG_LEVEL, HTTP port, ...). */
export const configSpec = defineConfig({
  kafkaBrokers: env.list({
    env: 'KAFKA_BROKERS',
    default: ['127.0.0.1:9092'],
    doc: 'Kafka bootstrap brokers.',
  }),
  schemaRegistryUrl: env.url({
    env: 'SCHEMA_REGISTRY_URL',
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    doc: 'Confluent-compatible schema registry API.',
  }),
  redisUrl: env.url({
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    protocols: ['redis', 'rediss'],
    doc: 'Redis holding profiles.',
  }),
  keyPrefix: env.string({
    env: 'PROFILE_KEY_PREFIX',
    default: 'pulse:pb',
    doc: 'Prefix of every Redis key this service writes.',
  }),
  groupId: env.string({
    env: 'PROFILE_GROUP_ID',
    default: 'profile-builder',
    doc: 'Consumer group on events.v1.',
  }),
  eventsTopic: env.string({
    env: 'PROFILE_EVENTS_TOPIC',
    default: 'events.v1',
    doc: 'Topic of events to fold.',
  }),
  changesTopic: env.string({
    env: 'PROFILE_CHANGES_TOPIC',
    default: 'profile-changes.v1',
    doc: 'Topic profile changes are published to.',
  }),
  fromBeginning: env.bool({
    env: 'PROFILE_FROM_BEGINNING',
    default: true,
    doc: 'A new group starts at the earliest event (a rebuild folds all history).',
  }),
  maxRecordsPerCall: env.int({
    env: 'PROFILE_BATCH_RECORDS',
    default: 500,
    min: 1,
    doc: 'Most events per pipelined Redis write.',
  }),
  sessionTimeoutMs: env.duration({
    env: 'PROFILE_SESSION_TIMEOUT',
    default: '30s',
    min: 1000,
    doc: 'Kafka consumer session timeout (a dead copy loses its partitions after it).',
  }),
  partitionsConcurrently: env.int({
    env: 'PROFILE_PARTITIONS_CONCURRENTLY',
    default: 2,
    min: 1,
    doc: 'Partitions folded in parallel.',
  }),
  baseCurrency: env.string({
    env: 'PROFILE_BASE_CURRENCY',
    default: 'USD',
    doc: 'Currency of lifetime value and spend (ISO 4217).',
  }),
  fxRates: env.list({
    env: 'PROFILE_FX_RATES',
    optional: true,
    doc: 'Units of base currency per unit, e.g. EUR:1.08,GBP:1.27; other currencies go to the DLQ.',
  }),
  fxRatesFile: env.string({
    env: 'PROFILE_FX_RATES_FILE',
    optional: true,
    doc: 'Dated exchange-rate table (YAML, checked at start); unset: config/fx-rates.yaml when present.',
  }),
  webSessionGap: env.duration({
    env: 'PROFILE_WEB_SESSION_GAP',
    default: '30m',
    min: 1000,
    doc: 'Inactivity that ends a web/app session (page, screen and shopper track events).',
  }),
  affinityHalfLife: env.duration({
    env: 'PROFILE_AFFINITY_HALF_LIFE',
    default: '30d',
    min: 1,
    doc: 'Half-life of category affinity.',
  }),
  bucketDays: env.int({
    env: 'PROFILE_BUCKET_DAYS',
    default: 200,
    min: 31,
    doc: 'Days of per-day buckets kept (longest window is 180).',
  }),
  cacheCustomers: env.int({
    env: 'PROFILE_CACHE_CUSTOMERS',
    default: 10_000,
    min: 0,
    doc: 'Customer states kept in memory to build change records without reading them back (0 = off).',
  }),
  markRetention: env.duration({
    env: 'PROFILE_MARK_RETENTION',
    default: '7d',
    min: 1,
    doc: 'How long event ids are kept for redelivery dedup.',
  }),
  segmentsDir: env.string({
    env: 'PROFILE_SEGMENTS_DIR',
    default: 'config/segments',
    doc: 'Segment files whose rule aggregates are maintained (relative to the working directory).',
  }),
  tagsFile: env.string({
    env: 'PROFILE_TAGS_FILE',
    default: 'config/tags.yaml',
    doc: 'Behavioural tag definitions (relative to the working directory); checked at start.',
  }),
  identityFile: env.string({
    env: 'PROFILE_IDENTITY_FILE',
    default: 'config/identity.yaml',
    doc: 'Fuzzy duplicate detection: weights and thresholds; checked at start.',
  }),
  adminToken: env.string({
    env: 'PROFILE_ADMIN_TOKEN',
    optional: true,
    doc: 'Bearer token the read API requires; unset = the read API is closed (see PROFILE_ADMIN_OPEN_LOOPBACK).',
    secret: true,
  }),
  adminOpenLoopback: env.bool({
    env: 'PROFILE_ADMIN_OPEN_LOOPBACK',
    default: false,
    doc: 'GET requests from loopback (127.0.0.1, ::1) need no token (local demos; never behind a local proxy).',
  }),
  churnModelFile: env.string({
    env: 'PROFILE_CHURN_MODEL',
    optional: true,
    doc: 'Churn model file (`pulse train churn`); unset, missing or incompatible = no churnRisk trait.',
  }),
  offerModelFile: env.string({
    env: 'PROFILE_OFFER_MODEL',
    optional: true,
    doc: 'Next-best-offer model file (`pulse train offers`); unset, missing or incompatible = no nextBestOffer trait.',
  }),
  /** PROFILE_RESCORE_*: the churn rescoring job (rescoring.ts). */
  rescoring: rescoringConfigSpec,
});
