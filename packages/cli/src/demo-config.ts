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
  demoTimeout: env.duration({
    env: 'PULSE_DEMO_TIMEOUT',
    default: '60s',
    min: 1000,
    doc: 'How long the demo waits for its records to come back.',
  }),
});
