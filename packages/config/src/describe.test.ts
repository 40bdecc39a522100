import { describe, expect, it } from '@jest/globals';
import { defineConfig } from './config';
import { describeConfig, renderConfigTable } from './describe';
import { env } from './env';

const spec = defineConfig({
  kafka: {
    brokers: env.list({ env: 'KAFKA_BROKERS', default: ['127.0.0.1:9092'], doc: 'Kafka brokers.' }),
  },
  smtp: env.url({ env: 'SMTP_URL', doc: 'SMTP server | relay.' }),
  token: env.string({ env: 'ADMIN_TOKEN', optional: true, secret: true, doc: 'Admin token.' }),
  shutdown: env.duration({ env: 'SHUTDOWN_TIMEOUT', default: 10_000, doc: 'Shutdown deadline.' }),
});

describe('describeConfig', () => {
  it('gives one row per variable in declaration order', () => {
    expect(describeConfig(spec)).toEqual([
      {
        env: 'KAFKA_BROKERS',
        default: '127.0.0.1:9092',
        required: false,
        doc: 'Kafka brokers.',
        expected: 'a list separated by "," with at least one item',
        path: 'kafka.brokers',
      },
      {
        env: 'SMTP_URL',
        default: undefined,
        required: true,
        doc: 'SMTP server | relay.',
        expected: 'an absolute URL',
        path: 'smtp',
      },
      {
        env: 'ADMIN_TOKEN',
        default: undefined,
        required: false,
        doc: 'Admin token.',
        expected: 'a non-blank string',
        path: 'token',
      },
      {
        env: 'SHUTDOWN_TIMEOUT',
        default: '10s',
        required: false,
        doc: 'Shutdown deadline.',
        expected: 'a duration (milliseconds, or e.g. 500ms, 30s, 5m, 1h, 7d)',
        path: 'shutdown',
      },
    ]);
  });

  it('renders a markdown table for READMEs', () => {
    expect(renderConfigTable(spec)).toBe(
      [
        '| Variable | Default | Accepts | Description |',
        '| --- | --- | --- | --- |',
        '| `KAFKA_BROKERS` | `127.0.0.1:9092` | a list separated by "," with at least one item | Kafka brokers. |',
        '| `SMTP_URL` | *required* | an absolute URL | SMTP server \\| relay. |',
        '| `ADMIN_TOKEN` | *unset* | a non-blank string | Admin token. |',
        '| `SHUTDOWN_TIMEOUT` | `10s` | a duration (milliseconds, or e.g. 500ms, 30s, 5m, 1h, 7d) | Shutdown deadline. |',
        '',
      ].join('\n'),
    );
  });
});
