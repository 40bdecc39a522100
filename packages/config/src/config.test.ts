import { describe, expect, it } from '@jest/globals';
import { ConfigError, defineConfig, loadConfig } from './config';
import { env } from './env';

const kafkaSlice = defineConfig({
  brokers: env.list({ env: 'KAFKA_BROKERS', default: ['127.0.0.1:9092'], doc: 'Kafka brokers.' }),
  clientId: env.string({ env: 'KAFKA_CLIENT_ID', optional: true, doc: 'Client id.' }),
});

const spec = defineConfig({
  kafka: kafkaSlice,
  port: env.int({ env: 'TEST_HTTP_PORT', default: 8080, min: 0, max: 65535, doc: 'HTTP port.' }),
  debug: env.bool({ env: 'TEST_DEBUG', default: false, doc: 'Verbose mode.' }),
  redisUrl: env.url({ env: 'REDIS_URL', protocols: ['redis', 'rediss'], doc: 'Redis.' }),
  level: env.enum({
    env: 'LOG_LEVEL',
    values: ['debug', 'info', 'warn'],
    default: 'info',
    doc: 'Log level.',
  }),
  shutdown: env.duration({ env: 'SHUTDOWN_TIMEOUT', default: '10s', max: '1m', doc: 'Deadline.' }),
  ratio: env.number({ env: 'TEST_RATIO', default: 0.5, min: 0, max: 1, doc: 'Sampling ratio.' }),
});

function problemsOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults and parses every kind into a typed, frozen object', () => {
    const config = loadConfig(spec, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'WARN',
      TEST_DEBUG: 'yes',
      KAFKA_BROKERS: ' a:1, b:2 ,,',
    });
    expect(config).toEqual({
      kafka: { brokers: ['a:1', 'b:2'], clientId: undefined },
      port: 8080,
      debug: true,
      redisUrl: 'redis://127.0.0.1:6379',
      level: 'warn',
      shutdown: 10_000,
      ratio: 0.5,
    });
    const port: number = config.port;
    const clientId: string | undefined = config.kafka.clientId;
    const level: 'debug' | 'info' | 'warn' = config.level;
    expect([port, clientId, level]).toEqual([8080, undefined, 'warn']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafka)).toBe(true);
    expect(Object.isFrozen(config.kafka.brokers)).toBe(true);
  });

  it('treats a blank value as unset', () => {
    const config = loadConfig(spec, { REDIS_URL: 'redis://r', TEST_HTTP_PORT: '  ' });
    expect(config.port).toBe(8080);
  });

  it('lists every problem in one error, naming the variable, the value and what was expected', () => {
    const error = problemsOf(() =>
      loadConfig(spec, {
        TEST_HTTP_PORT: '70000',
        TEST_DEBUG: 'maybe',
        LOG_LEVEL: 'loud',
        SHUTDOWN_TIMEOUT: '2h',
        TEST_RATIO: 'half',
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.retriable).toBe(false);
    expect(error.problems.map((p) => p.env)).toEqual([
      'TEST_HTTP_PORT',
      'TEST_DEBUG',
      'REDIS_URL',
      'LOG_LEVEL',
      'SHUTDOWN_TIMEOUT',
      'TEST_RATIO',
    ]);
    expect(error.message).toContain('invalid configuration (6 problems)');
    expect(error.message).toContain(
      'TEST_HTTP_PORT="70000" is invalid: expected an integer from 0 to 65535',
    );
    expect(error.message).toContain('TEST_DEBUG="maybe" is invalid: expected true or false');
    expect(error.message).toContain(
      'REDIS_URL is required but not set: expected a redis:// or rediss:// URL',
    );
    expect(error.message).toContain(
      'LOG_LEVEL="loud" is invalid: expected one of debug, info, warn',
    );
    expect(error.message).toContain(
      'SHUTDOWN_TIMEOUT="2h" is invalid: expected a duration of at most 1m',
    );
    expect(error.message).not.toContain('\n');
  });

  it('says why a URL with the wrong scheme is refused, and hides secrets', () => {
    const secretSpec = defineConfig({
      url: env.url({ env: 'SMTP_URL', protocols: ['smtp'], secret: true, doc: 'SMTP server.' }),
    });
    const error = problemsOf(() => loadConfig(secretSpec, { SMTP_URL: 'http://user:pw@host' }));
    expect(error.message).toBe(
      'invalid configuration (1 problem): SMTP_URL="<redacted>" is invalid: expected a smtp:// URL (scheme http is not accepted)',
    );
    expect(error.problems[0]?.value).toBe('<redacted>');
  });

  it('accepts the same slice twice but refuses two declarations of one name', () => {
    expect(() => defineConfig({ a: kafkaSlice, b: kafkaSlice })).not.toThrow();
    const other = env.string({ env: 'KAFKA_BROKERS', default: 'x', doc: 'Another.' });
    expect(() => defineConfig({ kafka: kafkaSlice, other })).toThrow(
      'KAFKA_BROKERS is declared twice (kafka.brokers and other)',
    );
  });
});
