import { defineConfig, env } from '@pulse/config';
import { TOPICS } from '@pulse/contracts';
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
  sourcesFile: env.string({
    env: 'INGEST_SOURCES_FILE',
    default: 'config/sources.yaml',
    doc: 'What each writeKey source may send (calls, events, traits) and its rate limit, relative to the working directory.',
  }),
  adminToken: env.string({
    env: 'INGEST_ADMIN_TOKEN',
    optional: true,
    secret: true,
    doc: 'Bearer token of the admin read API (/v1/admin/*); unset = the admin API is off (404).',
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
  importDedupWindow: env.duration({
    env: 'INGEST_IMPORT_DEDUP_WINDOW',
    default: '90d',
    min: '1s',
    doc: 'How long imported lines are remembered: re-importing a file within it publishes nothing new.',
  }),
  categoriesFile: env.string({
    env: 'INGEST_CATEGORIES_FILE',
    default: 'config/categories.yaml',
    doc: 'Product category synonym table (canonical → synonyms), relative to the working directory.',
  }),
  spoolMaxLength: env.int({
    env: 'INGEST_SPOOL_MAX_LENGTH',
    default: 100_000,
    min: 0,
    doc: 'Most pixel/email-tracking events kept in Redis while Kafka is down (more are counted as lost).',
  }),
  spoolDrainInterval: env.duration({
    env: 'INGEST_SPOOL_DRAIN_INTERVAL',
    default: '1s',
    min: '10ms',
    doc: 'How often the spool is drained to Kafka.',
  }),
  webhookMaxAge: env.duration({
    env: 'INGEST_WEBHOOK_MAX_AGE',
    default: '10m',
    min: '1s',
    doc: 'Signed webhooks whose timestamp is further than this from now are refused (replays).',
  }),
  sendgridPublicKey: env.string({
    env: 'INGEST_SENDGRID_PUBLIC_KEY',
    optional: true,
    doc: 'SendGrid Event Webhook verification key (base64 SPKI or PEM); unset disables the route.',
  }),
  mailgunSigningKey: env.string({
    env: 'INGEST_MAILGUN_SIGNING_KEY',
    optional: true,
    secret: true,
    doc: 'Mailgun HTTP webhook signing key; unset disables the route.',
  }),
  postmarkBasicAuth: env.string({
    env: 'INGEST_POSTMARK_BASIC_AUTH',
    optional: true,
    secret: true,
    doc: 'Postmark webhook credentials as `user:password` (put them in the webhook URL); unset disables the route.',
  }),
  sesTopicArns: env.list({
    env: 'INGEST_SES_TOPIC_ARNS',
    optional: true,
    doc: 'SNS TopicArns whose SES events are accepted (`*` for any); unset disables the route.',
  }),
  snsCertDir: env.string({
    env: 'INGEST_SNS_CERT_DIR',
    optional: true,
    doc: 'Directory of SNS signing certificates by file name; unset fetches them from SigningCertURL.',
  }),
  storesFile: env.string({
    env: 'INGEST_STORES_FILE',
    default: 'config/stores.yaml',
    doc: 'Stores (Shopify/WooCommerce): webhook secrets by env name, and the writeKey sources whose order ids are theirs.',
  }),
  storeSecrets: env.list({
    env: 'INGEST_STORE_SECRETS',
    optional: true,
    secret: true,
    doc: 'Store webhook signing secrets as `storeId:secret`, comma-separated; a store without one has no webhook.',
  }),
  orderOwnerTtl: env.duration({
    env: 'INGEST_ORDER_OWNER_TTL',
    default: '400d',
    min: '1d',
    doc: 'How long who placed a store order is kept (refund webhooks name only the order), and refunds wait for an unseen order.',
  }),
  profileChangesTopic: env.string({
    env: 'INGEST_PROFILE_CHANGES_TOPIC',
    default: TOPICS.profileChanges,
    doc: "Profile changes read for erasure tombstones (pulse forget): they delete the customer's order-owner records. Must exist: ingest does not start without it.",
  }),
  erasureGroupId: env.string({
    env: 'INGEST_ERASURE_GROUP_ID',
    default: 'ingest-erasure',
    doc: 'Kafka consumer group reading erasure tombstones (a new group starts at the earliest record).',
  }),
  publicHost: env.string({
    env: 'INGEST_PUBLIC_HOST',
    optional: true,
    doc: 'host[:port] (or https://host[:port]) browsers reach ingest at, given to analytics.js as apiHost (and protocol); unset uses the request Host.',
  }),
  analyticsJsDir: env.string({
    env: 'INGEST_ANALYTICS_JS_DIR',
    optional: true,
    doc: "dist/umd folder of @segment/analytics-next, served at Segment's CDN paths (/analytics.js/v1/<key>/analytics.min.js); unset: not served.",
  }),
});
