import { defineConfig, env } from '@pulse/config';
import { TOPICS } from '@pulse/contracts';
import { kafkaConfigSpec } from '@pulse/kafka';
import { emailTokenConfigSpec } from '@pulse/email-token';
import { redisConfigSpec } from '@pulse/redis';

/** The renderer's environment. */
export const rendererConfigSpec = defineConfig({
  ...kafkaConfigSpec,
  ...redisConfigSpec,
  ...emailTokenConfigSpec,
  smtpUrl: env.string({
    env: 'SMTP_URL',
    default: 'smtp://127.0.0.1:1025',
    doc: 'SMTP relay (maildev locally, an ESP relay in production).',
  }),
  smtpConnections: env.int({
    env: 'RENDERER_SMTP_CONNECTIONS',
    default: 5,
    min: 1,
    doc: 'Pooled SMTP connections.',
  }),
  smtpRate: env.int({
    env: 'RENDERER_SMTP_RATE',
    default: 2000,
    min: 0,
    doc: "Most emails per second over this copy's SMTP transport, every retry included (token bucket; over it, emails wait). 0: unlimited. Set your ESP's limit.",
  }),
  smtpBurst: env.int({
    env: 'RENDERER_SMTP_BURST',
    default: 0,
    min: 0,
    doc: 'Emails sent at once after an idle spell (0: one second of RENDERER_SMTP_RATE).',
  }),
  smtpAttempts: env.int({
    env: 'RENDERER_SMTP_ATTEMPTS',
    default: 4,
    min: 1,
    doc: 'Attempts per email on transient SMTP failures (4xx, connection) before it is recorded failed.',
  }),
  smtpRetryBaseMs: env.duration({
    env: 'RENDERER_SMTP_RETRY_BASE',
    default: '500ms',
    min: 0,
    doc: 'Wait before the first retry; doubles on each further one (jittered).',
  }),
  smtpRetryMaxMs: env.duration({
    env: 'RENDERER_SMTP_RETRY_MAX',
    default: '10s',
    min: 0,
    doc: 'Longest wait between two attempts.',
  }),
  trackingUrl: env.string({
    env: 'RENDERER_TRACKING_URL',
    default: 'http://127.0.0.1:8080',
    doc: "Public base URL of ingest's email tracking (open pixel, click redirects).",
  }),
  tracking: env.bool({
    env: 'RENDERER_TRACKING',
    default: true,
    doc: 'Rewrite links to click redirects and add the open pixel (false: links stay as written).',
  }),
  ordersFile: env.string({
    env: 'RENDERER_ORDERS_FILE',
    default: '',
    doc: 'NDJSON orders (the `pulse import` format) mined for co-purchase recommendations; empty: none.',
  }),
  reloadIntervalMs: env.duration({
    env: 'RENDERER_RELOAD_INTERVAL',
    default: '2s',
    min: 0,
    doc: 'How often config files are checked for changes (hot reload); 0: never.',
  }),
  profileUrl: env.string({
    env: 'RENDERER_PROFILE_URL',
    default: 'http://127.0.0.1:8082',
    doc: 'Base URL of the profile builder read API.',
  }),
  profileToken: env.string({
    env: 'PROFILE_ADMIN_TOKEN',
    default: '',
    doc: 'Bearer token of the profile read API (empty: none).',
  }),
  segmenterUrl: env.string({
    env: 'RENDERER_SEGMENTER_URL',
    default: 'http://127.0.0.1:8083',
    doc: "Base URL of the segmenter's read API: a segment-entry email is sent only while the customer is still in the segment (`off`: not checked).",
  }),
  segmenterToken: env.string({
    env: 'SEGMENTER_ADMIN_TOKEN',
    default: '',
    doc: "Bearer token of the segmenter read API, the segmenter's own SEGMENTER_ADMIN_TOKEN (required unless RENDERER_SEGMENTER_URL=off: that API is closed without it).",
  }),
  espTags: env.list({
    env: 'RENDERER_ESP_TAGS',
    default: ['sendgrid', 'mailgun', 'postmark', 'ses'],
    doc: 'ESP header formats carrying the send, campaign, variant and customer ids that webhooks echo back (sendgrid, mailgun, postmark, ses; none).',
  }),
  pauseRecheckMs: env.duration({
    env: 'RENDERER_PAUSE_RECHECK',
    default: '1h',
    min: 1000,
    doc: 'An email held by a paused campaign is re-checked after this even without a resume (a resume releases them at once).',
  }),
  configDir: env.string({
    env: 'RENDERER_CONFIG_DIR',
    default: 'config',
    doc: 'Folder holding templates/, campaigns/, catalog/ and consent.yaml.',
  }),
  groupId: env.string({
    env: 'RENDERER_GROUP_ID',
    default: 'renderer',
    doc: 'Kafka consumer group.',
  }),
  segmentChangesTopic: env.string({
    env: 'RENDERER_SEGMENT_CHANGES_TOPIC',
    default: TOPICS.segmentChanges,
    doc: 'Segment changes read.',
  }),
  eventsTopic: env.string({
    env: 'RENDERER_EVENTS_TOPIC',
    default: TOPICS.events,
    doc: 'Events read (Cart Abandoned) and written (Email Unsubscribed).',
  }),
  emailsTopic: env.string({
    env: 'RENDERER_EMAILS_TOPIC',
    default: TOPICS.emails,
    doc: 'Where outcomes go.',
  }),
  fromBeginning: env.bool({
    env: 'RENDERER_FROM_BEGINNING',
    default: true,
    doc: 'A new group starts at the earliest record (triggers written before the first start are mailed; send records dedup).',
  }),
  sessionTimeoutMs: env.duration({
    env: 'RENDERER_SESSION_TIMEOUT',
    default: '30s',
    min: 1000,
    doc: 'Kafka consumer session timeout (a dead copy loses its partitions after it).',
  }),
  globalCapMax: env.int({
    env: 'RENDERER_GLOBAL_CAP_MAX',
    default: 1,
    min: 0,
    doc: 'Most marketing emails per customer per window (0: no cap).',
  }),
  globalCapWindowMs: env.duration({
    env: 'RENDERER_GLOBAL_CAP_WINDOW',
    default: '24h',
    min: 1000,
    doc: 'Window of the global cap.',
  }),
  leaseMs: env.duration({
    env: 'RENDERER_SEND_LEASE',
    default: '30s',
    min: 100,
    doc: 'A claimed send not yet at SMTP is retaken after this.',
  }),
  recordTtlMs: env.duration({
    env: 'RENDERER_SEND_RECORD_TTL',
    default: '30d',
    min: 1000,
    doc: 'How long send records are kept (redeliveries older than this would send again).',
  }),
  unsubscribeSecret: env.string({
    env: 'RENDERER_UNSUBSCRIBE_SECRET',
    default: 'dev-only-change-me',
    doc: 'HMAC key of unsubscribe links.',
  }),
  publicUrl: env.string({
    env: 'RENDERER_PUBLIC_URL',
    default: 'http://127.0.0.1:8085',
    doc: 'Public base URL of the unsubscribe endpoint (HTTPS in production).',
  }),
  unsubscribeMailto: env.string({
    env: 'RENDERER_UNSUBSCRIBE_MAILTO',
    default: 'unsubscribe@shop.example.com',
    doc: 'mailto target of List-Unsubscribe (empty: none).',
  }),
  messageIdDomain: env.string({
    env: 'RENDERER_MESSAGE_ID_DOMAIN',
    default: 'mail.shop.example.com',
    doc: 'Domain part of Message-IDs.',
  }),
  adminToken: env.string({
    env: 'RENDERER_ADMIN_TOKEN',
    default: '',
    doc: 'Bearer token of the preview and admin APIs (campaign controls, suppression imports); empty: those APIs are closed (403).',
  }),
  attribution: env.bool({
    env: 'RENDERER_ATTRIBUTION',
    default: true,
    doc: 'Live attribution: record sends and holdout decisions in Redis and count conversions and revenue from events.v1 (false: outcome metrics only).',
  }),
  attributionWindowMs: env.duration({
    env: 'RENDERER_ATTRIBUTION_WINDOW',
    default: '7d',
    min: 1000,
    doc: 'An order counts for a send (or holdout decision) placed within this window after it; also how long sends are kept in Redis.',
  }),
  attributionGroupId: env.string({
    env: 'RENDERER_ATTRIBUTION_GROUP_ID',
    default: 'renderer-attribution',
    doc: 'Kafka consumer group reading events.v1 for attribution (Order Completed, Email Opened, Email Link Clicked).',
  }),
  attributionFromBeginning: env.bool({
    env: 'RENDERER_ATTRIBUTION_FROM_BEGINNING',
    default: false,
    doc: 'A new attribution group starts at the earliest event (events.v1 is kept forever: slow, and only orders within a window of a recorded send count).',
  }),
  profileChangesTopic: env.string({
    env: 'RENDERER_PROFILE_CHANGES_TOPIC',
    default: TOPICS.profileChanges,
    doc: 'Profile changes read for erasure tombstones (pulse forget).',
  }),
  erasureGroupId: env.string({
    env: 'RENDERER_ERASURE_GROUP_ID',
    default: 'renderer-erasure',
    doc: 'Kafka consumer group reading erasure tombstones (a new group starts at the earliest record).',
  }),
  backfillPageSize: env.int({
    env: 'RENDERER_BACKFILL_PAGE',
    default: 200,
    min: 1,
    max: 1000,
    doc: 'Members read per page from the segmenter when a `launch: existing-members` campaign is launched.',
  }),
  backfillIntervalMs: env.duration({
    env: 'RENDERER_BACKFILL_INTERVAL',
    default: '5s',
    min: 100,
    doc: 'How often campaigns added by a reload are launched and unfinished launch backfills resumed.',
  }),
  brand: env.string({ env: 'RENDERER_BRAND', default: 'Shop', doc: 'Brand name in footers.' }),
  shopUrl: env.string({
    env: 'RENDERER_SHOP_URL',
    default: 'https://shop.example.com',
    doc: 'Shop base URL for links.',
  }),
});
