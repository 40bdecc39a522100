import { PulseError } from '@pulse/core';
import { startStackWithTestcontainers } from './containers';
import type { ContainerStack } from './containers';
import { findDockerEngine } from './docker';
import { checkStack } from './stack-check';
import { exportStack, HOW_TO_START, STACK_ENV, stackFromEnv } from './stack';
import type { Stack } from './stack';

/** What `resolveTestStack` uses, as arguments so the choice is tested without Docker. */
export interface ResolveStackDeps {
  env: NodeJS.ProcessEnv;
  findEngine(): Promise<string | undefined>;
  startContainers(): Promise<ContainerStack>;
  /** Progress lines (starting containers takes a while). */
  log(line: string): void;
}

/** The stack to test against, and how to remove it when it was started here. */
export interface ResolvedStack {
  stack: Stack;
  source: 'environment' | 'testcontainers';
  stop?: () => Promise<void>;
}

/**
 * An error Jest prints as one line: the message, without a stack trace pointing into the
 * harness (the reader needs the fix, not our call stack).
 */
export function oneLineError(code: string, message: string): PulseError {
  const error = new PulseError(code, message);
  error.stack = `${code}: ${message}`;
  return error;
}

/**
 * The stack from KAFKA_BROKERS, SCHEMA_REGISTRY_URL, REDIS_URL, SMTP_URL and MAILDEV_URL; else
 * one started with testcontainers when a Docker engine answers (exported into `env` so test
 * workers inherit it); else one error telling how to start the stack.
 */
export async function resolveTestStack(deps: ResolveStackDeps): Promise<ResolvedStack> {
  let fromEnv: Stack | undefined;
  try {
    fromEnv = stackFromEnv(deps.env);
  } catch (err) {
    throw oneLineError('STACK_ENV_INCOMPLETE', err instanceof Error ? err.message : String(err));
  }
  if (fromEnv) return { stack: fromEnv, source: 'environment' };
  const engine = await deps.findEngine();
  if (!engine) {
    const names = Object.values(STACK_ENV).join(', ');
    throw oneLineError(
      'STACK_MISSING',
      `integration tests need the Kafka/registry/Redis/SMTP stack: ${names} are not set and no Docker engine answers for testcontainers; ${HOW_TO_START}`,
    );
  }
  deps.log(`[testkit] no stack in the environment; starting one with testcontainers on ${engine}`);
  const started = await deps.startContainers();
  exportStack(started.stack, deps.env);
  return { stack: started.stack, source: 'testcontainers', stop: started.stop };
}

/** Fails with one line naming each component of the stack that does not answer. */
export async function assertStackAnswers(stack: Stack, timeoutMs?: number): Promise<void> {
  const failures = await checkStack(stack, timeoutMs);
  if (failures.length === 0) return;
  const list = failures.map((f) => `${f.component} at ${f.target} (${f.reason})`).join('; ');
  throw oneLineError(
    'STACK_UNREACHABLE',
    `the test stack does not answer: ${list}; ${HOW_TO_START}`,
  );
}

/** The default dependencies: this process's environment, the Docker socket, testcontainers. */
export function defaultResolveStackDeps(): ResolveStackDeps {
  return {
    env: process.env,
    findEngine: () => findDockerEngine(),
    startContainers: () => startStackWithTestcontainers(),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
