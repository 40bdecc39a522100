import { defineConfig, env } from '@pulse/config';
import { kafkaConfigSpec } from '@pulse/kafka';

/** What `pulse demo` reads from the environment (`bash infra/stack.sh env` prints it). */
export const demoConfigSpec = defineConfig({
  ...kafkaConfigSpec,
  smtpUrl: env.url({
    env: 'SMTP_URL',
    default: 'smtp://127.0.0.1:1025',
    protocols: ['smtp', 'smtps'],
    doc: 'SMTP server the demo sends its summary email through.',
  }),
  maildevUrl: env.url({
    env: 'MAILDEV_URL',
    default: 'http://127.0.0.1:1080',
    protocols: ['http', 'https'],
    doc: 'Web/REST address of the maildev SMTP capture, where the email can be read.',
  }),
  redisUrl: env.url({
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    protocols: ['redis', 'rediss'],
    doc: 'Redis the services of the store demo keep their state in (under a per-run prefix).',
  }),
  demoPortBase: env.int({
    env: 'PULSE_DEMO_PORT_BASE',
    default: 18080,
    min: 1024,
    max: 65000,
    doc: 'First HTTP port of the store demo services (ingest +0, profile-builder +2, segmenter +3, cart timer +4, renderer +5).',
  }),
  demoCartDelay: env.duration({
    env: 'PULSE_DEMO_CART_DELAY',
    default: '15s',
    min: 1000,
    doc: 'Quiet time after which the store demo counts a cart as abandoned (the product default is 30m).',
  }),
  demoTimeout: env.duration({
    env: 'PULSE_DEMO_TIMEOUT',
    default: '60s',
    min: 1000,
    doc: 'How long the demo waits for its records to come back.',
  }),
});
