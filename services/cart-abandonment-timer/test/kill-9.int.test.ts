import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pulse/core';
import { SCHEMAS } from '@pulse/contracts';
import type { PulseEvent } from '@pulse/contracts';
import { createAvroSerde, createKafka, createProducer, createSchemaRegistry } from '@pulse/kafka';
import { createTestKafka, getStack, isolatedRedis, randomName, waitFor } from '@pulse/testkit';
import { productAdded } from './helpers';

const CARTS = 3_000;
const DELAY_MS = 4_000;
const SHARDS = 8;
const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');

const stack = getStack();
const testKafka = createTestKafka(stack);
const isolated = isolatedRedis(stack);
const prefix = isolated.prefix.replace(/:$/, '');
const topic = randomName('t-cart-kill');
const logger = silentLogger();
const serde = createAvroSerde({ registry: createSchemaRegistry({ url: stack.schemaRegistryUrl }) });
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'cart-kill-test', logger });
const producer = createProducer({ kafka, serde, schemas: { [topic]: SCHEMAS['events.v1'] } });
const children: ChildProcess[] = [];

interface Seen {
  id: string;
  key: string;
  dueAt: number;
  receivedAt: number;
  timestamp: number;
}

function startService(): ChildProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: prefix,
      CART_TIMER_EVENTS_TOPIC: topic,
      CART_TIMER_GROUP_ID: `${topic}-group`,
      CART_TIMER_STAGES: `${DELAY_MS}ms`,
      CART_TIMER_LEASE: '3s',
      CART_TIMER_POLL: '200ms',
      CART_TIMER_SHARDS: String(SHARDS),
      CART_TIMER_SESSION_TIMEOUT: '6s',
      CART_ABANDONMENT_TIMER_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function countTimers(kind: 'timers' | 'leases'): Promise<number> {
  let total = 0;
  for (let shard = 0; shard < SHARDS; shard += 1) {
    const key = `${prefix}:{sched:cart:${shard}}:${kind}`;
    total += kind === 'timers' ? await isolated.client.hlen(key) : await isolated.client.zcard(key);
  }
  return total;
}

beforeAll(async () => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run the build (pnpm run build) first`);
  await testKafka.createTopics([topic], { partitions: 3 });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await producer.close();
  await testKafka.cleanup();
  await isolated.cleanup();
});

describe('kill -9 of the cart-abandonment timer', () => {
  it('fires every cart exactly once downstream (by event id), none early, across a SIGKILL mid-fire', async () => {
    const seen: Seen[] = [];
    const watcher = testKafka.kafka.consumer({ groupId: randomName('t-cart-watch') });
    await watcher.connect();
    await watcher.subscribe({ topics: [topic], fromBeginning: true });
    await watcher.run({
      eachMessage: async ({ message }) => {
        const { value } = await serde.decode<PulseEvent>(message.value);
        if (value.type !== 'Cart Abandoned') return;
        seen.push({
          id: value.id,
          key: message.key?.toString() ?? '',
          dueAt: value.occurredAt,
          receivedAt: value.receivedAt,
          timestamp: Number(message.timestamp),
        });
      },
    });

    const first = startService();
    // Activity spread over ~3 s from now: timers fall due over ~3 s, DELAY_MS later.
    const base = Date.now();
    await Promise.all(
      Array.from({ length: CARTS }, (_, i) =>
        producer.send(topic, { key: `kc-${i}`, value: productAdded(`kc-${i}`, base + i) }),
      ),
    );
    await waitFor(() => seen.length >= CARTS / 3, {
      timeoutMs: 60_000,
      description: 'a third fired',
    });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const firedAtKill = new Set(seen.map((s) => s.id)).size;
    const leasedAtKill = await countTimers('leases');

    startService();
    await waitFor(() => new Set(seen.map((s) => s.key)).size >= CARTS, {
      timeoutMs: 90_000,
      intervalMs: 200,
      description: `${CARTS} carts abandoned`,
    });
    await waitFor(async () => (await countTimers('timers')) === 0, {
      timeoutMs: 30_000,
      description: 'no timers left',
    });
    await watcher.disconnect();

    const ids = new Set(seen.map((s) => s.id));
    const idsPerCart = new Map<string, Set<string>>();
    for (const s of seen) idsPerCart.set(s.key, (idsPerCart.get(s.key) ?? new Set()).add(s.id));
    const early = seen.filter((s) => s.timestamp < s.dueAt || s.receivedAt < s.dueAt);
    process.stderr.write(
      `kill -9: ${firedAtKill} carts fired before the kill, ${leasedAtKill} timers leased at the kill; ` +
        `${seen.length} Cart Abandoned records, ${ids.size} distinct ids, ${seen.length - ids.size} redelivered duplicates\n`,
    );
    expect(firedAtKill).toBeLessThan(CARTS);
    expect(ids.size).toBe(CARTS);
    expect([...idsPerCart.values()].every((set) => set.size === 1)).toBe(true);
    expect(early).toEqual([]);
    for (const s of seen) expect(s.id).toBe(`cart:${s.key}@${s.dueAt}`);
  });
});
