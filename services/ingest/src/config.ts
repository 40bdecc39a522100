import { defineConfig, env } from '@pulse/config';
import { kafkaConfigSpec } from '@pulse/kafka';
import { redisConfigSpec } from '@pulse/redis';

/** The ingest service's env slice (the runtime adds LOG_LEVEL, INGEST_HTTP_PORT, ...). */
export const ingestConfigSpec = defineConfig({
  ...kafkaConfigSpec,
  ...redisConfigSpec,
  writeKeys: env.list({
    env: 'INGEST_WRITE_KEYS',
    default: ['web:dev-browser-key:browser', 'backend:dev-server-key:server'],
    secret: true,
    doc: 'Sources as `sourceId:writeKey:trust` (trust `browser` or `server`), comma-separated.',
  }),
  eventsTopic: env.string({
    env: 'INGEST_EVENTS_TOPIC',
    default: 'events.v1',
    doc: 'Topic accepted events are published to (Avro, events.v1 schema).',
  }),
  rejectsTopic: env.string({
    env: 'INGEST_REJECTS_TOPIC',
    default: 'events.rejects.v1',
    doc: 'Topic refused input goes to, as JSON EventReject records.',
  }),
  dedupWindow: env.duration({
    env: 'INGEST_DEDUP_WINDOW',
    default: '24h',
    min: '1s',
    doc: 'How long a messageId is remembered: a repeat within it is acknowledged, not published.',
  }),
  maxFutureSkew: env.duration({
    env: 'INGEST_MAX_FUTURE_SKEW',
    default: '1h',
    doc: 'Events whose corrected time is further than this after receipt are quarantined.',
  }),
  maxOrderTotal: env.number({
    env: 'INGEST_MAX_ORDER_TOTAL',
    default: 1_000_000,
    min: 0,
    doc: 'Orders whose total or revenue exceed this are quarantined as outliers.',
  }),
  ackTimeout: env.duration({
    env: 'INGEST_ACK_TIMEOUT',
    default: '10s',
    min: '100ms',
    doc: 'How long a request waits for the Kafka ack before answering 503 with Retry-After.',
  }),
  corsOrigins: env.list({
    env: 'INGEST_CORS_ORIGINS',
    default: ['*'],
    doc: 'Origins allowed to call the API from browsers (`*` for any).',
  }),
  emailTrackingSecret: env.string({
    env: 'INGEST_EMAIL_TRACKING_SECRET',
    default: 'dev-email-tracking-secret-change-me',
    secret: true,
    doc: 'HMAC key of email open/click tracking tokens (shared with the renderer).',
  }),
});
