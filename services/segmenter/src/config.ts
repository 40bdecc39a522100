import { defineConfig, env } from '@pulse/config';
import { TOPICS } from '@pulse/contracts';
import { kafkaConfigSpec } from '@pulse/kafka';
import { redisConfigSpec } from '@pulse/redis';

/** The segmenter's environment (the runtime adds LOG_LEVEL, SEGMENTER_HTTP_PORT, ...). */
export const segmenterConfigSpec = defineConfig({
  ...kafkaConfigSpec,
  ...redisConfigSpec,
  changesTopic: env.string({
    env: 'SEGMENTER_PROFILE_CHANGES_TOPIC',
    default: TOPICS.profileChanges,
    doc: 'Topic of profile changes to evaluate (profile-changes.v1).',
  }),
  segmentChangesTopic: env.string({
    env: 'SEGMENTER_SEGMENT_CHANGES_TOPIC',
    default: TOPICS.segmentChanges,
    doc: 'Topic entries and exits are published to (segment-changes.v1).',
  }),
  groupId: env.string({
    env: 'SEGMENTER_GROUP_ID',
    default: 'segmenter',
    doc: 'Kafka consumer group of the service.',
  }),
  segmentsDir: env.string({
    env: 'SEGMENTER_SEGMENTS_DIR',
    default: 'config/segments',
    doc: 'Directory of segment files, read at start (invalid files are reported and skipped).',
  }),
  watchSegments: env.bool({
    env: 'SEGMENTER_WATCH_SEGMENTS',
    default: true,
    doc: 'Reload the segment files when they change (new versions, background re-evaluation).',
  }),
  historyLimit: env.int({
    env: 'SEGMENTER_HISTORY_LIMIT',
    default: 500,
    min: 1,
    doc: 'Membership changes kept per customer (newest first).',
  }),
  flapWindowMs: env.duration({
    env: 'SEGMENTER_FLAP_WINDOW',
    default: '7d',
    min: 1,
    doc: 'An entry this soon after leaving the same segment counts in pulse_segmenter_segment_flaps_total.',
  }),
  distributionRefreshMs: env.duration({
    env: 'SEGMENTER_DISTRIBUTION_REFRESH',
    default: '1s',
    min: 1,
    doc: 'Most age of the percentile cuts passed to the rules (re-read from the sorted sets).',
  }),
  leaseMs: env.duration({
    env: 'SEGMENTER_TIMER_LEASE',
    default: '30s',
    min: 100,
    doc: 'How long a claimed re-check is held before another copy may run it again.',
  }),
  pollMs: env.duration({
    env: 'SEGMENTER_TIMER_POLL',
    default: '1s',
    min: 1,
    doc: 'Longest sleep of the re-check worker when no re-check is known to be due sooner.',
  }),
  shards: env.int({
    env: 'SEGMENTER_TIMER_SHARDS',
    default: 8,
    min: 1,
    max: 1024,
    doc: 'Sorted sets the re-check timers are spread over (all copies must agree).',
  }),
  concurrency: env.int({
    env: 'SEGMENTER_TIMER_CONCURRENCY',
    default: 64,
    min: 1,
    doc: 'Re-checks run at once per copy.',
  }),
  partitionsConcurrently: env.int({
    env: 'SEGMENTER_PARTITIONS_CONCURRENTLY',
    default: 6,
    min: 1,
    doc: 'Partitions of profile-changes.v1 handled at once (each in order): a batch waits on Redis and Kafka acks, so one partition at a time makes every other partition queue behind it.',
  }),
  sessionTimeoutMs: env.duration({
    env: 'SEGMENTER_SESSION_TIMEOUT',
    default: '30s',
    min: 1000,
    doc: 'Kafka consumer session timeout.',
  }),
  webhooksFile: env.string({
    env: 'SEGMENTER_WEBHOOKS_FILE',
    optional: true,
    doc: 'Webhook destinations of segment entries/exits (YAML, see config/webhooks.example.yaml); unset = none.',
  }),
  webhookGroupId: env.string({
    env: 'SEGMENTER_WEBHOOK_GROUP_ID',
    default: 'segmenter-webhooks',
    doc: 'Consumer group of the webhook deliveries (own group: never slows evaluation).',
  }),
  webhookAttempts: env.int({
    env: 'SEGMENTER_WEBHOOK_ATTEMPTS',
    default: 8,
    min: 1,
    doc: 'Attempts per change and destination before it is dead-lettered.',
  }),
  webhookBackoffMs: env.duration({
    env: 'SEGMENTER_WEBHOOK_BACKOFF',
    default: '1s',
    min: 1,
    doc: 'Wait before the first retry; doubles per attempt up to SEGMENTER_WEBHOOK_MAX_BACKOFF.',
  }),
  webhookMaxBackoffMs: env.duration({
    env: 'SEGMENTER_WEBHOOK_MAX_BACKOFF',
    default: '1m',
    min: 1,
    doc: 'Longest wait between two attempts.',
  }),
  webhookTimeoutMs: env.duration({
    env: 'SEGMENTER_WEBHOOK_TIMEOUT',
    default: '10s',
    min: 1,
    doc: 'Timeout of one webhook request.',
  }),
  profileKeyPrefix: env.string({
    env: 'SEGMENTER_PROFILE_KEY_PREFIX',
    default: 'pulse:pb',
    doc: "The profile builder's PROFILE_KEY_PREFIX: where it records which rule aggregates are backfilled (a segment reading one that is not waits).",
  }),
  aggregatePollMs: env.duration({
    env: 'SEGMENTER_AGGREGATE_POLL',
    default: '2s',
    min: 10,
    doc: 'How often segments waiting for a rule aggregate backfill look whether it is ready.',
  }),
  adminToken: env.string({
    env: 'SEGMENTER_ADMIN_TOKEN',
    optional: true,
    secret: true,
    doc: 'Bearer token the read API (/v1/segments, members, profile segments) requires; unset = the read API answers 403.',
  }),
});
