import { PulseError } from '@pulse/core';

/** Addresses of the real services that integration tests talk to. */
export interface Stack {
  kafkaBrokers: string[];
  /** Confluent-compatible base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  schemaRegistryUrl: string;
  redisUrl: string;
  /** smtp://host:port of the SMTP capture server. */
  smtpUrl: string;
  /** maildev's web base URL; its REST API is /api/email (maildev 3) or /email (maildev 2). */
  maildevUrl: string;
}

export const STACK_ENV = {
  kafkaBrokers: 'KAFKA_BROKERS',
  schemaRegistryUrl: 'SCHEMA_REGISTRY_URL',
  redisUrl: 'REDIS_URL',
  smtpUrl: 'SMTP_URL',
  maildevUrl: 'MAILDEV_URL',
} as const;

export const HOW_TO_START =
  'start it with `pnpm stack:up` (or `npm test`, which starts it) and export what `bash infra/stack.sh env` prints';

/**
 * The stack named by the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, REDIS_URL, SMTP_URL,
 * MAILDEV_URL), or `undefined` when none of them is set. A partial set is an error naming what
 * is missing.
 */
export function stackFromEnv(env: NodeJS.ProcessEnv = process.env): Stack | undefined {
  const entries = Object.entries(STACK_ENV) as [keyof Stack, string][];
  const missing = entries.filter(([, name]) => !env[name]).map(([, name]) => name);
  if (missing.length === entries.length) return undefined;
  if (missing.length > 0) {
    throw new PulseError(
      'STACK_ENV_INCOMPLETE',
      `integration tests need ${missing.join(', ')} as well; ${HOW_TO_START}`,
    );
  }
  const get = (name: string): string => env[name] ?? '';
  return {
    kafkaBrokers: get(STACK_ENV.kafkaBrokers)
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    schemaRegistryUrl: get(STACK_ENV.schemaRegistryUrl).replace(/\/$/, ''),
    redisUrl: get(STACK_ENV.redisUrl),
    smtpUrl: get(STACK_ENV.smtpUrl),
    maildevUrl: get(STACK_ENV.maildevUrl).replace(/\/$/, ''),
  };
}

/** Writes a stack into the environment, so that test workers spawned later inherit it. */
export function exportStack(stack: Stack, env: NodeJS.ProcessEnv = process.env): void {
  env[STACK_ENV.kafkaBrokers] = stack.kafkaBrokers.join(',');
  env[STACK_ENV.schemaRegistryUrl] = stack.schemaRegistryUrl;
  env[STACK_ENV.redisUrl] = stack.redisUrl;
  env[STACK_ENV.smtpUrl] = stack.smtpUrl;
  env[STACK_ENV.maildevUrl] = stack.maildevUrl;
}

/**
 * The stack for a test file: from the environment (set by the runner or by the global setup).
 * Throws one clear line when there is none.
 */
export function getStack(env: NodeJS.ProcessEnv = process.env): Stack {
  const stack = stackFromEnv(env);
  if (!stack) {
    throw new PulseError(
      'STACK_MISSING',
      `no Kafka/registry/Redis/SMTP stack is configured; ${HOW_TO_START}`,
    );
  }
  return stack;
}
