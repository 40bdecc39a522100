import { defineConfig, env } from '@pulse/config';
import { TOPICS } from '@pulse/contracts';
import { kafkaConfigSpec } from '@pulse/kafka';
import { redisConfigSpec } from '@pulse/redis';

/** The cart-abandonment timer's environment. */
export const cartTimerConfigSpec = defineConfig({
  ...kafkaConfigSpec,
  ...redisConfigSpec,
  eventsTopic: env.string({
    env: 'CART_TIMER_EVENTS_TOPIC',
    default: TOPICS.events,
    doc: 'Topic read for cart activity and written with Cart Abandoned (events.v1).',
  }),
  groupId: env.string({
    env: 'CART_TIMER_GROUP_ID',
    default: 'cart-abandonment-timer',
    doc: 'Kafka consumer group of the service.',
  }),
  stages: env.list({
    env: 'CART_TIMER_STAGES',
    default: ['30m'],
    doc: 'Inactivity thresholds, ascending, each firing one Cart Abandoned (e.g. 30m,24h).',
  }),
  leaseMs: env.duration({
    env: 'CART_TIMER_LEASE',
    default: '30s',
    min: 100,
    doc: 'How long a claimed timer is held before another copy may fire it again.',
  }),
  pollMs: env.duration({
    env: 'CART_TIMER_POLL',
    default: '1s',
    min: 1,
    doc: 'Longest sleep of the timer worker when no timer is known to be due sooner.',
  }),
  shards: env.int({
    env: 'CART_TIMER_SHARDS',
    default: 8,
    min: 1,
    max: 1024,
    doc: 'Sorted sets the timers are spread over (all copies must agree).',
  }),
  concurrency: env.int({
    env: 'CART_TIMER_CONCURRENCY',
    default: 256,
    min: 1,
    doc: 'Timers handled at once per copy.',
  }),
  sessionTimeoutMs: env.duration({
    env: 'CART_TIMER_SESSION_TIMEOUT',
    default: '30s',
    min: 1000,
    doc: 'Kafka consumer session timeout (a dead copy loses its partitions after it).',
  }),
  cartTtlMs: env.duration({
    env: 'CART_TIMER_CART_TTL',
    default: '30d',
    min: 1000,
    doc: 'An idle cart state is forgotten after this long (keep it above the last stage).',
  }),
});
