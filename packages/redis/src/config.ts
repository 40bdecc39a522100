import { defineConfig, env } from '@pulse/config';

/**
 * The variables every Redis user reads. `REDIS_PREFIX` namespaces every key, so several
 * deployments (or test runs) can share one Redis without touching each other's keys.
 */
export const redisConfigSpec = defineConfig({
  redisUrl: env.url({
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    protocols: ['redis', 'rediss'],
    doc: 'Redis connection URL (database number as the path, e.g. redis://host:6379/2).',
  }),
  redisPrefix: env.string({
    env: 'REDIS_PREFIX',
    default: 'pulse',
    doc: 'Prefix of every key Pulse writes; change it to isolate a deployment.',
  }),
});
