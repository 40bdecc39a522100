import net from 'node:net';
import { describeError } from '@pulse/core';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { listEmails } from './mail';
import type { Stack } from './stack';

/** A component of the stack that did not answer, and why. */
export interface StackFailure {
  component: 'kafka' | 'schema registry' | 'redis' | 'smtp' | 'maildev';
  target: string;
  reason: string;
}

async function kafka(stack: Stack, timeoutMs: number): Promise<void> {
  const client = new Kafka({
    clientId: 'pulse-testkit-check',
    brokers: stack.kafkaBrokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

async function registry(stack: Stack, timeoutMs: number): Promise<void> {
  const res = await fetch(`${stack.schemaRegistryUrl}/subjects`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`GET /subjects answered ${res.status}`);
  if (!Array.isArray(await res.json())) throw new Error('GET /subjects did not return a list');
}

async function redis(stack: Stack, timeoutMs: number): Promise<void> {
  const client = new Redis(stack.redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // the failed command reports it
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  } finally {
    client.disconnect();
  }
}

/** Reads the SMTP greeting: a server must open with `220`. */
function smtp(stack: Stack, timeoutMs: number): Promise<void> {
  const url = new URL(stack.smtpUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 25) });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no greeting within ${timeoutMs} ms`)),
    );
    socket.once('error', reject);
    socket.once('data', (chunk: Buffer) => {
      const banner = chunk.toString('utf8').trim();
      socket.end('QUIT\r\n');
      if (banner.startsWith('220')) resolve();
      else reject(new Error(`greeting was "${banner}"`));
    });
  });
}

async function maildev(stack: Stack): Promise<void> {
  await listEmails(stack, { to: 'nobody@pulse.invalid' });
}

/**
 * Asks each component of the stack the question that proves it works (Kafka ApiVersions and
 * metadata, registry GET /subjects, Redis PING, the SMTP greeting, maildev's REST API), all at
 * once, each within `timeoutMs`. Returns the ones that did not answer; empty when all did.
 */
export async function checkStack(stack: Stack, timeoutMs = 5_000): Promise<StackFailure[]> {
  const checks: [StackFailure['component'], string, () => Promise<void>][] = [
    ['kafka', stack.kafkaBrokers.join(','), () => kafka(stack, timeoutMs)],
    ['schema registry', stack.schemaRegistryUrl, () => registry(stack, timeoutMs)],
    ['redis', stack.redisUrl, () => redis(stack, timeoutMs)],
    ['smtp', stack.smtpUrl, () => smtp(stack, timeoutMs)],
    ['maildev', stack.maildevUrl, () => maildev(stack)],
  ];
  const results = await Promise.all(
    checks.map(async ([component, target, check]): Promise<StackFailure | undefined> => {
      try {
        await check();
        return undefined;
      } catch (err) {
        return { component, target, reason: describeError(err) };
      }
    }),
  );
  return results.filter((r): r is StackFailure => r !== undefined);
}
